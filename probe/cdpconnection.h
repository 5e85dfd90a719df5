#pragma once

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>
#include <QUrl>
#include <QWebSocket>

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

// An asynchronous Chrome DevTools Protocol client over the browser's WebSocket endpoint, in flatten mode: one
// socket carries the browser's own commands and those of every attached target, told apart by sessionId.
// Replies and events are delivered on the event loop; nothing here throws or blocks.
class CdpConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CdpConnection)

public:
    using ReplyHandler = std::function<void(const CdpReply &)>;
    using EventHandler = std::function<void(const QString &method, const QJsonObject &params)>;

    static constexpr std::chrono::milliseconds defaultTimeout { 30'000 };

    explicit CdpConnection(QObject *parent = nullptr);
    ~CdpConnection() override;

    void open(const QUrl &browserWebSocketUrl);
    void close();
    // Pushes queued frames to the socket now, for shutdown paths that will not return to the event loop.
    void flush();
    bool isOpen() const { return m_open; }

    // Sends a command; `onReply` runs once, on the reply, the timeout or the connection's end, unless `context`
    // is gone by then. An empty sessionId addresses the browser itself.
    void send(const QString &method, const QJsonObject &params, const QString &sessionId, QObject *context,
        ReplyHandler onReply, std::chrono::milliseconds timeout = defaultTimeout);
    // Fire and forget, for commands whose answer nobody needs.
    void send(const QString &method, const QJsonObject &params = {}, const QString &sessionId = {});

    // Events of one attached session go to its handler, as long as `context` lives.
    void setSessionHandler(const QString &sessionId, QObject *context, EventHandler handler);
    void removeSessionHandler(const QString &sessionId);

    int pendingCount() const { return static_cast<int>(m_pending.size()); }

signals:
    void opened();
    // The socket is gone, whether we closed it or the browser went away.
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
    };
    struct Session
    {
        QPointer<QObject> context;
        EventHandler handler;
    };

    void onTextMessage(const QString &message);
    void onDisconnected();
    void deliver(Pending pending, const CdpReply &reply);
    void armTimeoutTimer();
    void expireTimedOut();
    void failAll(const QString &reason);

    QWebSocket m_socket;
    QTimer m_timeoutTimer;
    std::map<qint64, Pending> m_pending;
    QHash<QString, Session> m_sessions;
    qint64 m_nextId = 1;
    bool m_open = false;
};
