#pragma once

#include "handshakethrottle.h"
#include "protocol/message.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QTimer>
#include <QWebSocketServer>

#include <chrono>
#include <optional>

class QTcpServer;
class QTcpSocket;
class QWebSocket;

// The probe's front door (shared/protocol/PROTOCOL.md §3): it listens, and holds every connection from the moment
// it is accepted until it has presented the right token, then hands the WebSocket over with authenticated().
// On the way: TLS when configured; an HTTP upgrade request of at most maxUpgradeRequestBytes and without an
// Origin header (a page in a browser is never a client); messages of at most FrameCodec::handshakeMaxFrameBytes;
// a valid `auth` as the first frame, within authTimeoutMs of the accept.
//
// Nobody can lock the right token out. A wrong token is refused (4001) after a delay that grows with the recent
// failures of its address block (HandshakeThrottle), but a right token is checked at once, whatever others from
// its address did. Connections not yet authenticated are capped, in all and per address block; a newcomer over a
// cap is never turned away: the oldest waiting connection is shed instead (4003 with a retry-after, or HTTP 503
// before the upgrade), so a client that authenticates promptly always gets in, at worst on its retry.
class ConnectionGate final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionGate)

public:
    struct Limits
    {
        int authTimeoutMs = ProtocolLimits::authTimeoutMs; // from the TCP accept to a valid `auth`
        int maxUnauthenticated = 256;
        int maxUnauthenticatedPerBlock = 32; // per IPv4 address or IPv6 /64
        qsizetype maxUpgradeRequestBytes = 8 * 1024;
        std::chrono::milliseconds retryAfter { 1'000 }; // what a shed connection is told
        HandshakeThrottle::Policy throttle;
        std::chrono::milliseconds pruneInterval { 10'000 }; // how often forgotten failures are dropped
    };

    ConnectionGate(QByteArray token, std::optional<QSslConfiguration> tls, Limits limits, QObject *parent = nullptr);
    ~ConnectionGate() override;

    bool listen(const QHostAddress &address, quint16 port, QString *error);
    QHostAddress serverAddress() const;
    quint16 serverPort() const;
    bool isSecure() const { return m_tls.has_value(); }
    // Stops listening and closes every connection not handed over yet (1001, or dropped before the upgrade).
    void close();

    // Connections accepted and not yet authenticated (refused ones still waiting for their close included).
    int waitingCount() const { return static_cast<int>(m_waiting.size()); }
    qsizetype trackedBlockCount() const { return m_throttle.size(); }

signals:
    // The socket presented the right token. The receiver takes it (ownership, signals, frame limits); the frames
    // that follow, the client's hello first (possibly in the same read), are the receiver's.
    void authenticated(QWebSocket *socket);

private:
    enum class Phase {
        Tls, // the TLS handshake
        Upgrade, // reading the HTTP upgrade request
        Upgrading, // QWebSocketServer is answering it
        Auth, // a WebSocket, waiting for `auth`
        Refused, // a wrong `auth`: waiting out its delay before the 4001
    };
    struct Waiting
    {
        quint64 id = 0;
        QByteArray block;
        QHostAddress peer;
        Phase phase = Phase::Upgrade;
        QPointer<QTcpSocket> tcp;
        QPointer<QWebSocket> socket; // from Auth on
        QMetaObject::Connection upgradeReader;
    };

    void accept(qintptr descriptor);
    void admit(QTcpSocket *tcp);
    void readUpgradeRequest(quint64 id);
    void onUpgraded();
    void onFirstFrame(quint64 id, const QString &text);
    void refuseToken(quint64 id, const QString &why);
    void onDeadline(quint64 id);
    void enforceCaps(const QByteArray &block);
    void shed(qsizetype index, const QString &why);
    void forget(quint64 id);
    Waiting *find(quint64 id);
    qint64 nowMs() const { return m_clock.elapsed(); }

    QByteArray m_token;
    std::optional<QSslConfiguration> m_tls;
    Limits m_limits;
    QTcpServer *m_listener = nullptr;
    QWebSocketServer m_upgrader;
    HandshakeThrottle m_throttle;
    QTimer m_pruneTimer;
    QElapsedTimer m_clock;
    QList<Waiting> m_waiting; // in order of arrival: the first is the oldest
    quint64 m_nextId = 1;
};
