#pragma once

#include "pinnedresolver.h"

#include <QObject>
#include <QStringList>
#include <QTcpServer>

#include <memory>

class HostLookup;
class UrlPolicy;

// Every connection one page load's browser context makes goes through this: a SOCKS 5 proxy on 127.0.0.1 that
// the load's browser context is told to use for everything, loopback included (proxyBypassList()). Chromium sends
// it host names, not addresses (SOCKS 5 resolves at the proxy), so the proxy looks each name up once for the load
// (PinnedResolver), lets the UrlPolicy judge those addresses, and connects only to them. WebSocket handshakes,
// workers' and service workers' requests, preconnects and beacons are connections like any other and pass the
// same check; none of them can reach what the policy refuses. See SECURITY.md, "Egress".
class EgressProxy final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EgressProxy)

public:
    struct Limits
    {
        int maxHostNames = PinnedResolver::defaultMaxNames; // distinct names one load may have looked up
        int maxTunnels = 512; // connections open at once; Chromium's own cap per proxy is far lower
    };

    EgressProxy(std::shared_ptr<const UrlPolicy> policy, Limits limits, QObject *parent = nullptr);

    bool listen(QString *error);
    quint16 port() const { return m_server.serverPort(); }
    // For Target.createBrowserContext's proxyServer and proxyBypassList.
    QString proxyServer() const;
    static QString proxyBypassList();
    // What a browser whose every context goes through such a proxy is started with: WebRTC sends no UDP that
    // does not go through the proxy (which takes none), and the browser resolves no name itself, so that a
    // DNS lookup can carry nothing out either.
    static QStringList browserArguments();

    // The load's names, shared with its request interception so that both see the same answer.
    HostLookup &hosts() { return m_hosts; }
    // What the load should be told: the names the cap turned away, and the connections refused here (those the
    // request interception did not see first: WebSockets, service workers, …).
    QStringList warnings() const;
    int tunnelCount() const { return m_tunnels; }
    // Connections from another local user's process, closed unanswered.
    int strangersTurnedAway() const { return m_strangersTurnedAway; }

signals:
    void refused(const QString &target, const QString &reason);

private:
    void onNewConnection();

    std::shared_ptr<const UrlPolicy> m_policy;
    Limits m_limits;
    PinnedResolver m_hosts;
    QTcpServer m_server;
    int m_tunnels = 0;
    int m_strangersTurnedAway = 0;
    QStringList m_refusedTargets; // the first few, each once
    int m_refusedCount = 0;
};
