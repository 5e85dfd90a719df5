#include "connectiongate.h"

#include "handshakecheck.h"
#include "lingeringclose.h"
#include "protocol/codec.h"

#include <QLoggingCategory>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QWebSocket>
#include <QWebSocketCorsAuthenticator>

#include <algorithm>
#include <functional>

Q_LOGGING_CATEGORY(lcGate, "worldspeed.gate", QtInfoMsg)

namespace {

// How long a connection we are closing may take to say goodbye before it is cut.
constexpr int closeGraceMs = 2'000;

// Takes each accepted descriptor itself: every connection is counted from its first moment. (QTcpServer's queue
// would hold connections nobody counts, and a QSslServer stops accepting while its queue is full.)
class Listener final : public QTcpServer
{
    Q_DISABLE_COPY_MOVE(Listener)

public:
    Listener(std::function<void(qintptr)> accept, QObject *parent)
        : QTcpServer(parent)
        , m_accept(std::move(accept))
    { }

protected:
    void incomingConnection(qintptr descriptor) override { m_accept(descriptor); }

private:
    std::function<void(qintptr)> m_accept;
};

// Answers an upgrade request we will not serve, then lets the connection go.
void refuseHttp(QTcpSocket *tcp, QByteArrayView status, const QByteArray &extraHeaders = {})
{
    tcp->disconnect();
    tcp->write(
        "HTTP/1.1 " + status.toByteArray() + "\r\n" + extraHeaders + "Content-Length: 0\r\nConnection: close\r\n\r\n");
    QObject::connect(tcp, &QAbstractSocket::disconnected, tcp, &QObject::deleteLater);
    QTimer::singleShot(closeGraceMs, tcp, [tcp] { tcp->abort(); });
    tcp->disconnectFromHost();
}

// Closes a WebSocket with a code and lets it go, cutting it if the peer does not answer in time.
void closeAndDiscard(QWebSocket *socket, ProtocolCloseCode code, const QString &reason)
{
    socket->disconnect();
    QObject::connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
    QTimer::singleShot(closeGraceMs, socket, [socket] {
        socket->abort();
        socket->deleteLater();
    });
    socket->close(static_cast<QWebSocketProtocol::CloseCode>(code), reason);
}

} // namespace

ConnectionGate::ConnectionGate(QByteArray token, std::optional<QSslConfiguration> tls, Limits limits, QObject *parent)
    : QObject(parent)
    , m_token(std::move(token))
    , m_tls(std::move(tls))
    , m_limits(limits)
    // Only answers upgrade requests handed to it; TLS is done before, so it need not know about it.
    , m_upgrader(QStringLiteral("worldspeed-probe"), QWebSocketServer::NonSecureMode)
    , m_throttle(limits.throttle)
{
    m_limits.maxUnauthenticated = std::max(1, m_limits.maxUnauthenticated);
    m_limits.maxUnauthenticatedPerBlock = std::max(1, m_limits.maxUnauthenticatedPerBlock);
    m_clock.start();
    m_listener = new Listener([this](qintptr descriptor) { accept(descriptor); }, this);
    connect(&m_upgrader, &QWebSocketServer::newConnection, this, &ConnectionGate::onUpgraded);
    // The header check in readUpgradeRequest() refuses these first; this keeps it so if that check is ever wrong.
    connect(&m_upgrader, &QWebSocketServer::originAuthenticationRequired, this,
        [](QWebSocketCorsAuthenticator *authenticator) {
            authenticator->setAllowed(authenticator->origin().isEmpty());
        });
    m_pruneTimer.setInterval(m_limits.pruneInterval);
    connect(&m_pruneTimer, &QTimer::timeout, this, [this] { m_throttle.prune(nowMs()); });
    m_pruneTimer.start();
}

ConnectionGate::~ConnectionGate()
{
    for (const Waiting &waiting : std::as_const(m_waiting)) {
        if (waiting.tcp)
            waiting.tcp->disconnect(this);
        if (waiting.socket)
            waiting.socket->disconnect(this);
    }
}

bool ConnectionGate::listen(const QHostAddress &address, quint16 port, QString *error)
{
    if (m_listener->listen(address, port))
        return true;
    *error
        = QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(m_listener->errorString());
    return false;
}

QHostAddress ConnectionGate::serverAddress() const
{
    return m_listener->serverAddress();
}

quint16 ConnectionGate::serverPort() const
{
    return m_listener->serverPort();
}

void ConnectionGate::close()
{
    m_listener->close();
    const QList<Waiting> waiting = std::exchange(m_waiting, {});
    for (const Waiting &w : waiting) {
        if (w.socket)
            closeAndDiscard(w.socket, ProtocolCloseCode::GoingAway, QStringLiteral("the probe is shutting down"));
        else if (w.tcp)
            w.tcp->abort();
    }
}

ConnectionGate::Waiting *ConnectionGate::find(quint64 id)
{
    for (Waiting &waiting : m_waiting) {
        if (waiting.id == id)
            return &waiting;
    }
    return nullptr;
}

void ConnectionGate::forget(quint64 id)
{
    m_waiting.removeIf([id](const Waiting &waiting) { return waiting.id == id; });
}

void ConnectionGate::accept(qintptr descriptor)
{
    QTcpSocket *tcp = m_tls ? new QSslSocket(this) : new QTcpSocket(this);
    if (!tcp->setSocketDescriptor(descriptor)) {
        qCWarning(lcGate) << "cannot take an accepted connection:" << tcp->errorString();
        delete tcp;
        return;
    }
    // Qt buffers no more than the largest upgrade request we accept; beyond that the peer waits on TCP.
    tcp->setReadBufferSize(m_limits.maxUpgradeRequestBytes);
    admit(tcp);
}

void ConnectionGate::admit(QTcpSocket *tcp)
{
    Waiting waiting;
    waiting.id = m_nextId++;
    waiting.peer = tcp->peerAddress();
    waiting.block = HandshakeThrottle::blockOf(waiting.peer);
    waiting.phase = m_tls ? Phase::Tls : Phase::Upgrade;
    waiting.tcp = tcp;
    const quint64 id = waiting.id;
    // Until the upgrade, the socket is ours to clean up; QWebSocketServer and then the WebSocket take over.
    connect(tcp, &QAbstractSocket::disconnected, this, [this, id, tcp] {
        const Waiting *w = find(id);
        if (!w || w->phase == Phase::Auth || w->phase == Phase::Refused)
            return;
        const bool ours = w->phase != Phase::Upgrading;
        forget(id);
        if (ours)
            tcp->deleteLater();
    });
    connect(tcp, &QObject::destroyed, this, [this, id] { forget(id); });
    QTimer::singleShot(m_limits.authTimeoutMs, tcp, [this, id] { onDeadline(id); });
    if (auto *tls = qobject_cast<QSslSocket *>(tcp)) {
        connect(tls, &QSslSocket::encrypted, this, [this, id] {
            Waiting *w = find(id);
            if (!w || w->phase != Phase::Tls)
                return;
            w->phase = Phase::Upgrade;
            w->upgradeReader = connect(w->tcp, &QIODevice::readyRead, this, [this, id] { readUpgradeRequest(id); });
            readUpgradeRequest(id);
        });
        tls->setSslConfiguration(*m_tls);
        tls->startServerEncryption();
    } else {
        waiting.upgradeReader = connect(tcp, &QIODevice::readyRead, this, [this, id] { readUpgradeRequest(id); });
    }
    const QByteArray block = waiting.block;
    m_waiting.append(std::move(waiting));
    enforceCaps(block);
}

void ConnectionGate::readUpgradeRequest(quint64 id)
{
    Waiting *w = find(id);
    if (!w || w->phase != Phase::Upgrade || !w->tcp)
        return;
    QTcpSocket *tcp = w->tcp;
    switch (
        HandshakeCheck::upgradeRequest(tcp->peek(m_limits.maxUpgradeRequestBytes), m_limits.maxUpgradeRequestBytes)) {
    case HandshakeCheck::Upgrade::Incomplete:
        return;
    case HandshakeCheck::Upgrade::TooLarge:
        qCWarning(lcGate) << "refusing" << w->peer.toString() << ": upgrade request over"
                          << m_limits.maxUpgradeRequestBytes << "bytes";
        forget(id);
        refuseHttp(tcp, "431 Request Header Fields Too Large");
        return;
    case HandshakeCheck::Upgrade::HasOrigin:
        qCWarning(lcGate) << "refusing" << w->peer.toString() << ": the upgrade request has an Origin header";
        forget(id);
        refuseHttp(tcp, "403 Forbidden");
        return;
    case HandshakeCheck::Upgrade::Acceptable:
        break;
    }
    disconnect(w->upgradeReader);
    w->phase = Phase::Upgrading;
    // The header is only peeked: QWebSocketServer reads it again, and the WebSocket what follows.
    tcp->setReadBufferSize(0);
    m_upgrader.handleConnection(tcp);
}

void ConnectionGate::onUpgraded()
{
    while (QWebSocket *socket = m_upgrader.nextPendingConnection()) {
        socket->setParent(this);
        const auto it = std::find_if(m_waiting.begin(), m_waiting.end(), [socket](const Waiting &w) {
            return w.phase == Phase::Upgrading && w.tcp && w.tcp->peerPort() == socket->peerPort()
                && w.tcp->peerAddress() == socket->peerAddress();
        });
        if (it == m_waiting.end()) {
            // Shed or timed out while QWebSocketServer was answering it.
            socket->abort();
            socket->deleteLater();
            continue;
        }
        it->phase = Phase::Auth;
        it->socket = socket;
        it->tcp->setParent(socket);
        // However it ends, before or after auth, the client reads our close frame rather than a reset.
        LingeringClose::watch(it->tcp);
        // Twice the limit: a message between the two is read and answered with frame-too-large; a larger one is
        // stopped by the WebSocket layer at its header (1009 alone), so it is never buffered.
        socket->setMaxAllowedIncomingFrameSize(quint64(2 * FrameCodec::handshakeMaxFrameBytes));
        socket->setMaxAllowedIncomingMessageSize(quint64(2 * FrameCodec::handshakeMaxFrameBytes));
        const quint64 id = it->id;
        connect(socket, &QWebSocket::textMessageReceived, this,
            [this, id](const QString &text) { onFirstFrame(id, text); });
        connect(socket, &QWebSocket::binaryMessageReceived, this,
            [this, id] { refuseToken(id, QStringLiteral("first frame was binary")); });
        connect(socket, &QWebSocket::disconnected, this, [this, id, socket] {
            if (find(id)) {
                forget(id);
                socket->deleteLater();
            }
        });
    }
}

void ConnectionGate::onFirstFrame(quint64 id, const QString &text)
{
    Waiting *w = find(id);
    if (!w || w->phase != Phase::Auth)
        return; // a refused connection's further frames are not read
    QWebSocket *socket = w->socket;
    const HandshakeCheck::FirstFrame verdict = HandshakeCheck::firstFrame(text, m_token);
    switch (verdict.kind) {
    case HandshakeCheck::FirstFrame::Kind::TooLarge:
        qCWarning(lcGate) << "closing" << w->peer.toString() << ":" << verdict.error.message;
        forget(id);
        socket->sendTextMessage(FrameCodec().encodeText(ErrorMessage::from(verdict.error)));
        closeAndDiscard(socket, ProtocolCloseCode::FrameTooLarge, verdict.error.message);
        return;
    case HandshakeCheck::FirstFrame::Kind::NotAuth:
        refuseToken(id, QStringLiteral("first frame was not auth"));
        return;
    case HandshakeCheck::FirstFrame::Kind::WrongToken:
        refuseToken(id, QStringLiteral("wrong token"));
        return;
    case HandshakeCheck::FirstFrame::Kind::Authenticated:
        break;
    }
    forget(id);
    socket->disconnect(this);
    emit authenticated(socket);
}

void ConnectionGate::refuseToken(quint64 id, const QString &why)
{
    Waiting *w = find(id);
    if (!w || w->phase != Phase::Auth)
        return;
    const std::chrono::milliseconds delay = m_throttle.noteFailure(w->peer, nowMs());
    qCWarning(lcGate) << "handshake refused for" << w->peer.toString() << ":" << why << "(closing in" << delay.count()
                      << "ms)";
    w->phase = Phase::Refused;
    // Still counted while it waits, so refused connections cannot pile up beyond the caps.
    QTimer::singleShot(delay, w->socket, [this, id] {
        if (Waiting *refused = find(id)) {
            QWebSocket *socket = refused->socket;
            forget(id);
            // Nothing but the close code: an attacker learns nothing else.
            closeAndDiscard(socket, ProtocolCloseCode::Unauthorized, QStringLiteral("unauthorized"));
        }
    });
}

void ConnectionGate::onDeadline(quint64 id)
{
    Waiting *w = find(id);
    if (!w || w->phase == Phase::Refused)
        return;
    qCDebug(lcGate) << "no auth from" << w->peer.toString() << "within" << m_limits.authTimeoutMs << "ms";
    const QPointer<QWebSocket> socket = w->socket;
    const QPointer<QTcpSocket> tcp = w->tcp;
    forget(id);
    if (socket)
        closeAndDiscard(socket, ProtocolCloseCode::AuthTimeout, QStringLiteral("auth timeout"));
    else if (tcp)
        tcp->abort();
}

void ConnectionGate::enforceCaps(const QByteArray &block)
{
    qsizetype inBlock
        = std::count_if(m_waiting.cbegin(), m_waiting.cend(), [&block](const Waiting &w) { return w.block == block; });
    for (qsizetype i = 0; inBlock > m_limits.maxUnauthenticatedPerBlock && i < m_waiting.size();) {
        if (m_waiting.at(i).block == block) {
            shed(i, QStringLiteral("too many unauthenticated connections from its address"));
            --inBlock;
        } else {
            ++i;
        }
    }
    while (m_waiting.size() > m_limits.maxUnauthenticated)
        shed(0, QStringLiteral("too many unauthenticated connections"));
}

void ConnectionGate::shed(qsizetype index, const QString &why)
{
    const Waiting w = m_waiting.takeAt(index);
    qCDebug(lcGate) << "shedding the oldest unauthenticated connection, from" << w.peer.toString() << ":" << why;
    switch (w.phase) {
    case Phase::Tls:
    case Phase::Upgrading:
        if (w.tcp)
            w.tcp->abort();
        break;
    case Phase::Upgrade:
        if (w.tcp) {
            const auto seconds = std::chrono::ceil<std::chrono::seconds>(m_limits.retryAfter).count();
            refuseHttp(w.tcp, "503 Service Unavailable", "Retry-After: " + QByteArray::number(seconds) + "\r\n");
        }
        break;
    case Phase::Auth:
        if (w.socket)
            closeAndDiscard(w.socket, ProtocolCloseCode::TryAgainLater, RetryAfter::reason(m_limits.retryAfter));
        break;
    case Phase::Refused:
        if (w.socket)
            closeAndDiscard(w.socket, ProtocolCloseCode::Unauthorized, QStringLiteral("unauthorized"));
        break;
    }
}
