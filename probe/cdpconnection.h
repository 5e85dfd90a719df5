#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#ifdef Q_OS_WIN
#include <QUrl>
#include <QWebSocket>
#endif

#include <chrono>
#include <functional>
#include <map>

// What a CDP command came back with: the result, or the protocol's error as a value. Transport failures
// (timeout, closed connection) arrive the same way, so a caller has one path for "it did not work".
struct CdpReply
{
    QJsonObject result;
    QString error; // empty on success
    int errorCode = 0; // CDP's JSON-RPC code, or one of ours below

    static constexpr int timeoutCode = -40001;
    static constexpr int disconnectedCode = -40002;

    bool ok() const { return error.isEmpty(); }
};

class CdpPipe;

// An asynchronous Chrome DevTools Protocol client in flatten mode: one connection carries the browser's own commands
// and those of every attached target, told apart by sessionId. Replies and events are delivered on the event loop;
// nothing here throws or blocks.
//
// The connection is the browser's --remote-debugging-pipe (a CdpPipe on descriptors the browser inherited), so no
// other process can reach it. On Windows, where a child gets no descriptors 3 and 4, it is still the WebSocket on
// DevTools' loopback port (see ChromeProcess).
class CdpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CdpConnection)

public:
    using ReplyHandler = std::function<void(const CdpReply &)>;
    using EventHandler = std::function<void(const QString &method, const QJsonObject &params)>;

    static constexpr std::chrono::milliseconds defaultTimeout { 30'000 };
    // Screenshots and large response bodies come back in one message; Chrome caps its own at 256 MiB, so a longer
    // one is a broken or hostile peer, refused rather than buffered.
    static constexpr qsizetype maxIncomingMessageBytes = 256LL * 1024 * 1024;

    explicit CdpConnection(QObject *parent = nullptr);
    ~CdpConnection() override;

    bool isOpen() const { return m_open; }
#ifdef Q_OS_WIN
    void open(const QUrl &browserWebSocketUrl);
#else
    // Takes the parent's ends of the browser's pipe (CdpPipe::createChannels()); opened() follows on the event
    // loop. A message over `maxMessageBytes` is a protocol error: the connection closes.
    void open(int readFd, int writeFd, qsizetype maxMessageBytes = maxIncomingMessageBytes);
#endif
    void close();
    // Pushes queued commands out now, for shutdown paths that will not return to the event loop.
    void flush();

    // Sends a command; `onReply` runs once, on the reply, the timeout or the connection's end, unless `context`
    // is gone by then. An empty sessionId addresses the browser itself.
    void send(const QString &method, const QJsonObject &params, const QString &sessionId, QObject *context,
        ReplyHandler onReply, std::chrono::milliseconds timeout = defaultTimeout);
    // Fire and forget, for commands whose answer nobody needs.
    void send(const QString &method, const QJsonObject &params = {}, const QString &sessionId = {});

    // Events of one attached session go to its handler, as long as `context` lives.
    void setSessionHandler(const QString &sessionId, QObject *context, EventHandler handler);
    void removeSessionHandler(const QString &sessionId);

    int pendingCount() const
    {
        return static_cast<int>(m_pending.size());
    }
    // How long the oldest command still waiting for its reply has waited; zero when none waits.
    std::chrono::milliseconds oldestPendingAge() const;

signals:
    void opened();
    // The connection is gone, whether we closed it, the browser went away or it broke the protocol.
    void closed(const QString &reason);
    // Events without a sessionId: the browser's own (Target.targetCreated, Target.detachedFromTarget, …).
    void browserEvent(const QString &method, const QJsonObject &params);

private:
    struct Pending
    {
        QPointer<QObject> context;
        bool hasContext = false;
        ReplyHandler handler;
        std::chrono::steady_clock::time_point deadline;
        QString method;
        std::chrono::steady_clock::time_point sentAt;
    };
    struct Session
    {
        QPointer<QObject> context;
        EventHandler handler;
    };

    void onMessage(const QByteArray &json);
    void sendMessage(const QByteArray &json);
    // Fails what is pending; emits closed() if the connection was open, or if `report` says it failed to open.
    void onTransportClosed(const QString &reason, bool report = false);
    void deliver(Pending pending, const CdpReply &reply);
    void armTimeoutTimer();
    void expireTimedOut();
    void failAll(const QString &reason);

#ifdef Q_OS_WIN
    QWebSocket m_socket;
#else
    CdpPipe *m_pipe = nullptr; // a child; replaced, never deleted, while it may be emitting
#endif
    QTimer m_timeoutTimer;
    std::map<qint64, Pending> m_pending;
    QHash<QString, Session> m_sessions;
    qint64 m_nextId = 1;
    bool m_open = false;
};
