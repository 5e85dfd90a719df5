#include "egressproxy.h"

#include "hostresolver.h"
#include "loopbackpeer.h"
#include "sockstunnel.h"
#include "urlpolicy.h"

#include <QTcpSocket>

namespace {
constexpr int refusalsNamed = 5;
} // namespace

EgressProxy::EgressProxy(std::shared_ptr<const UrlPolicy> policy, Limits limits, QObject *parent)
    : QObject(parent)
    , m_policy(std::move(policy))
    , m_limits(limits)
    , m_hosts(m_policy->resolver(), limits.maxHostNames)
{
    connect(&m_server, &QTcpServer::newConnection, this, &EgressProxy::onNewConnection);
    connect(this, &EgressProxy::refused, this, [this](const QString &target, const QString &reason) {
        ++m_refusedCount;
        const QString line = target + u" (" + reason + u')';
        if (m_refusedTargets.size() < refusalsNamed && !m_refusedTargets.contains(line))
            m_refusedTargets.append(line);
    });
}

bool EgressProxy::listen(QString *error)
{
    if (m_server.listen(QHostAddress::LocalHost, 0))
        return true;
    *error = QStringLiteral("cannot open the egress proxy on 127.0.0.1: %1").arg(m_server.errorString());
    return false;
}

QString EgressProxy::proxyServer() const
{
    return QStringLiteral("socks5://127.0.0.1:%1").arg(m_server.serverPort());
}

QString EgressProxy::proxyBypassList()
{
    // Chromium never proxies localhost, loopback and link-local addresses unless told so; those are exactly the
    // ones a page must not reach behind the policy's back.
    return QStringLiteral("<-loopback>");
}

QStringList EgressProxy::browserArguments()
{
    return { QStringLiteral("--webrtc-ip-handling-policy=disable_non_proxied_udp"),
        // The proxy itself is the one address the browser must still reach.
        QStringLiteral("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1") };
}

QStringList EgressProxy::warnings() const
{
    QStringList warnings;
    if (const QString cut = m_hosts.warning(); !cut.isEmpty())
        warnings.append(cut);
    if (m_refusedCount > 0) {
        warnings.append(QStringLiteral("the probe refused %1 connection(s) the page tried to open: %2%3")
                            .arg(m_refusedCount)
                            .arg(m_refusedTargets.join(QStringLiteral("; ")),
                                m_refusedCount > m_refusedTargets.size() ? QStringLiteral("; …") : QString()));
    }
    return warnings;
}

void EgressProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        // 127.0.0.1 is every local user's: only our own user's processes (the browser) may go through.
        if (!LoopbackPeer::isOwnUser(
                client->peerAddress(), client->peerPort(), client->localAddress(), client->localPort())) {
            ++m_strangersTurnedAway;
            client->abort();
            client->deleteLater();
            continue;
        }
        if (m_tunnels >= m_limits.maxTunnels) {
            client->abort();
            client->deleteLater();
            continue;
        }
        ++m_tunnels;
        const auto resolve = [this](const QString &host, quint16 port, QObject *context,
                                 std::function<void(const UrlPolicy::Verdict &, const QList<QHostAddress> &)> done) {
            m_policy->resolve(host, port, m_hosts, context, std::move(done));
        };
        auto *tunnel = new SocksTunnel(client, resolve, this);
        connect(tunnel, &SocksTunnel::refused, this, &EgressProxy::refused);
        connect(tunnel, &SocksTunnel::finished, this, [this] { --m_tunnels; });
    }
}
