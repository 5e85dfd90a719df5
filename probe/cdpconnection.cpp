#include "cdpconnection.h"

#ifndef Q_OS_WIN
#include "cdppipe.h"
#endif

#include <QJsonDocument>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcCdp, "worldspeed.cdp", QtWarningMsg)

CdpConnection::CdpConnection(QObject *parent)
    : QObject(parent)
{
    m_timeoutTimer.setSingleShot(true);
    connect(&m_timeoutTimer, &QTimer::timeout, this, &CdpConnection::expireTimedOut);
#ifdef Q_OS_WIN
    m_socket.setMaxAllowedIncomingMessageSize(maxIncomingMessageBytes);
    m_socket.setMaxAllowedIncomingFrameSize(maxIncomingMessageBytes);
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        m_open = true;
        emit opened();
    });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        QString reason = m_socket.closeReason();
        if (reason.isEmpty())
            reason = m_socket.errorString();
        if (reason.isEmpty() || reason == u"Unknown error")
            reason = QStringLiteral("the browser closed the DevTools connection");
        onTransportClosed(reason, m_socket.error() != QAbstractSocket::UnknownSocketError);
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this,
        [this](const QString &message) { onMessage(message.toUtf8()); });
#endif
}

CdpConnection::~CdpConnection()
{
    // Nobody may be called back from a half-destroyed object: drop the handlers before the transport goes.
    m_pending.clear();
    m_sessions.clear();
#ifdef Q_OS_WIN
    m_socket.disconnect(this);
    m_socket.abort();
#else
    if (m_pipe) {
        m_pipe->disconnect(this);
        m_pipe->close();
    }
#endif
}

#ifdef Q_OS_WIN
void CdpConnection::open(const QUrl &browserWebSocketUrl)
{
    m_socket.open(browserWebSocketUrl);
}
#else
void CdpConnection::open(int readFd, int writeFd, qsizetype maxMessageBytes)
{
    if (m_pipe) {
        m_pipe->disconnect(this);
        m_pipe->close();
        m_pipe->deleteLater(); // it may be the one emitting right now
    }
    m_pipe = new CdpPipe(readFd, writeFd, maxMessageBytes, this);
    connect(m_pipe, &CdpPipe::messageReceived, this, &CdpConnection::onMessage);
    connect(m_pipe, &CdpPipe::closed, this, [this](const QString &reason) { onTransportClosed(reason); });
    // A pipe is open from the start: commands sent now wait in it until the browser reads them.
    m_open = true;
    QMetaObject::invokeMethod(
        this,
        [this] {
            if (m_open)
                emit opened();
        },
        Qt::QueuedConnection);
}
#endif

void CdpConnection::close()
{
#ifdef Q_OS_WIN
    if (m_socket.state() != QAbstractSocket::UnconnectedState) {
        m_socket.close(); // disconnected() follows
        return;
    }
#else
    if (m_pipe)
        m_pipe->close();
#endif
    onTransportClosed(QStringLiteral("the DevTools connection was closed"));
}

void CdpConnection::flush()
{
#ifdef Q_OS_WIN
    m_socket.flush();
#else
    // Bounded: the browser may be the reason we are shutting down.
    constexpr int flushTimeoutMs = 1000;
    if (m_pipe)
        m_pipe->flush(flushTimeoutMs);
#endif
}

void CdpConnection::sendMessage(const QByteArray &json)
{
#ifdef Q_OS_WIN
    m_socket.sendTextMessage(QString::fromUtf8(json));
#else
    m_pipe->send(json);
#endif
}

void CdpConnection::send(const QString &method, const QJsonObject &params, const QString &sessionId, QObject *context,
    ReplyHandler onReply, std::chrono::milliseconds timeout)
{
    const qint64 id = m_nextId++;
    QJsonObject message { { QStringLiteral("id"), id }, { QStringLiteral("method"), method } };
    if (!params.isEmpty())
        message.insert(QStringLiteral("params"), params);
    if (!sessionId.isEmpty())
        message.insert(QStringLiteral("sessionId"), sessionId);

    const auto now = std::chrono::steady_clock::now();
    Pending pending { context, context != nullptr, std::move(onReply), now + timeout, method, now };
    if (!m_open) {
        // Still answer on the event loop, so callers never see their handler run inside send().
        QMetaObject::invokeMethod(
            this,
            [this, pending = std::move(pending)]() mutable {
                deliver(std::move(pending),
                    CdpReply { {}, QStringLiteral("not connected to the browser"), CdpReply::disconnectedCode });
            },
            Qt::QueuedConnection);
        return;
    }
    m_pending.emplace(id, std::move(pending));
    sendMessage(QJsonDocument(message).toJson(QJsonDocument::Compact));
    armTimeoutTimer();
}

void CdpConnection::send(const QString &method, const QJsonObject &params, const QString &sessionId)
{
    send(method, params, sessionId, nullptr, {});
}

std::chrono::milliseconds CdpConnection::oldestPendingAge() const
{
    if (m_pending.empty())
        return std::chrono::milliseconds(0);
    // Ids grow with every command, so the first is the oldest.
    return std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - m_pending.begin()->second.sentAt);
}

void CdpConnection::setSessionHandler(const QString &sessionId, QObject *context, EventHandler handler)
{
    m_sessions.insert(sessionId, Session { context, std::move(handler) });
}

void CdpConnection::removeSessionHandler(const QString &sessionId)
{
    m_sessions.remove(sessionId);
}

void CdpConnection::onMessage(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject()) {
        qCWarning(lcCdp) << "ignoring a message that is not a JSON object:" << parseError.errorString();
        return;
    }
    const QJsonObject object = document.object();
    const QJsonValue id = object.value(QStringLiteral("id"));
    if (id.isDouble()) {
        const auto it = m_pending.find(static_cast<qint64>(id.toDouble()));
        if (it == m_pending.end())
            return; // answered after its timeout: the caller has moved on
        Pending pending = std::move(it->second);
        m_pending.erase(it);
        CdpReply reply;
        const QJsonObject error = object.value(QStringLiteral("error")).toObject();
        if (object.contains(QStringLiteral("error"))) {
            reply.errorCode = error.value(QStringLiteral("code")).toInt();
            reply.error = error.value(QStringLiteral("message")).toString(QStringLiteral("unknown CDP error"));
            const QString data = error.value(QStringLiteral("data")).toString();
            if (!data.isEmpty())
                reply.error += u" (" + data + u')';
        } else {
            reply.result = object.value(QStringLiteral("result")).toObject();
        }
        deliver(std::move(pending), reply);
        armTimeoutTimer();
        return;
    }

    const QString method = object.value(QStringLiteral("method")).toString();
    if (method.isEmpty())
        return;
    const QJsonObject params = object.value(QStringLiteral("params")).toObject();
    const QString sessionId = object.value(QStringLiteral("sessionId")).toString();
    if (sessionId.isEmpty()) {
        emit browserEvent(method, params);
        return;
    }
    const auto it = m_sessions.constFind(sessionId);
    if (it == m_sessions.constEnd())
        return;
    if (!it->context) {
        m_sessions.remove(sessionId);
        return;
    }
    // Copy: the handler may remove its own session while it runs.
    const EventHandler handler = it->handler;
    handler(method, params);
}

void CdpConnection::deliver(Pending pending, const CdpReply &reply)
{
    if (!pending.handler)
        return;
    if (pending.hasContext && !pending.context)
        return;
    if (!reply.ok())
        qCDebug(lcCdp) << pending.method << "failed:" << reply.error;
    pending.handler(reply);
}

void CdpConnection::armTimeoutTimer()
{
    if (m_pending.empty()) {
        m_timeoutTimer.stop();
        return;
    }
    auto earliest = std::chrono::steady_clock::time_point::max();
    for (const auto &[id, pending] : m_pending)
        earliest = std::min(earliest, pending.deadline);
    const auto wait
        = std::chrono::duration_cast<std::chrono::milliseconds>(earliest - std::chrono::steady_clock::now());
    m_timeoutTimer.start(std::max(wait, std::chrono::milliseconds(0)));
}

void CdpConnection::expireTimedOut()
{
    // An answer the browser sent in time may still be unread when our own event loop runs late (a probe busy with
    // other loads): read it first, so that our slowness is not taken for the browser's. (Windows' DevTools socket
    // has no such read; there an answer waiting in the socket still counts as late.)
#ifndef Q_OS_WIN
    if (m_pipe) {
        const QPointer<CdpConnection> self(this);
        m_pipe->readBacklog();
        if (!self)
            return;
    }
#endif
    const auto now = std::chrono::steady_clock::now();
    std::vector<Pending> expired;
    for (auto it = m_pending.begin(); it != m_pending.end();) {
        if (it->second.deadline <= now) {
            expired.push_back(std::move(it->second));
            it = m_pending.erase(it);
        } else {
            ++it;
        }
    }
    for (Pending &pending : expired) {
        const QString text = QStringLiteral("%1 timed out").arg(pending.method);
        deliver(std::move(pending), CdpReply { {}, text, CdpReply::timeoutCode });
    }
    armTimeoutTimer();
}

void CdpConnection::failAll(const QString &reason)
{
    auto pending = std::move(m_pending);
    m_pending.clear();
    m_timeoutTimer.stop();
    for (auto &[id, p] : pending)
        deliver(std::move(p), CdpReply { {}, reason, CdpReply::disconnectedCode });
}

void CdpConnection::onTransportClosed(const QString &reason, bool report)
{
    const bool wasOpen = m_open;
    m_open = false;
    failAll(reason);
    if (wasOpen || report)
        emit closed(reason);
}
