#include "fakeprobe.h"

#include <QWebSocket>

FakeProbe::FakeProbe(const QString &probeId, const QString &region, int capacity, QObject *parent)
    : QObject(parent)
    , m_server(QStringLiteral("fake-probe"), QWebSocketServer::NonSecureMode)
{
    m_hello.role = HelloMessage::Role::Probe;
    m_hello.supported = VersionRange::supported();
    m_hello.chosen = VersionRange::supported().max;
    m_hello.probeId = probeId;
    m_hello.region = region;
    m_hello.capacity = capacity;
    m_hello.software = QStringLiteral("fake-probe");
    m_hello.version = QStringLiteral("0");
    m_codec.setNegotiatedVersion(VersionRange::supported().max);
    connect(&m_server, &QWebSocketServer::newConnection, this, &FakeProbe::onNewConnection);
}

FakeProbe::~FakeProbe()
{
    m_server.close();
    // Its connections before its members: a socket deleted with the QObject base would still report its
    // disconnection to slots that use them.
    const QList<QWebSocket *> sockets = findChildren<QWebSocket *>();
    for (QWebSocket *socket : sockets) {
        socket->disconnect(this);
        delete socket;
    }
}

bool FakeProbe::listen()
{
    return m_server.listen(QHostAddress(QHostAddress::LocalHost), 0);
}

ProbeClient::Endpoint FakeProbe::endpoint() const
{
    ProbeClient::Endpoint endpoint;
    endpoint.url = url();
    endpoint.token = token;
    return endpoint;
}

QStringList FakeProbe::openRuns() const
{
    QStringList open;
    for (const QString &id : m_runIds) {
        if (m_open.contains(id))
            open.append(id);
    }
    return open;
}

bool FakeProbe::finishRun(const QString &runId, bool ok)
{
    const QPointer<QWebSocket> socket = m_open.take(runId);
    if (!socket)
        return false;
    const QString region = m_hello.region;
    RequestTiming request;
    request.id = QStringLiteral("1000.1");
    request.url = QStringLiteral("https://example.com/%1/app.css").arg(region);
    request.method = QStringLiteral("GET");
    request.status = 200;
    request.startMs = 12.5;
    request.durationMs = 40;
    request.outcome = RequestTiming::Outcome::Finished;
    send(socket, RequestMessage { runId, RunView::First, request });
    MetricsMessage metrics;
    metrics.runId = runId;
    metrics.view = RunView::First;
    metrics.metrics.documentStatus = ok ? 200 : 500;
    metrics.metrics.loadMs = 321.5;
    metrics.metrics.requestCount = 1;
    metrics.finalUrl = QStringLiteral("https://example.com/%1/").arg(region);
    send(socket, metrics);
    send(socket, StatusMessage { runId, ok ? RunState::Complete : RunState::Error, {} });
    DoneMessage done;
    done.runId = runId;
    done.ok = ok;
    if (!ok)
        done.error = LoadError { LoadError::Kind::HttpError, QStringLiteral("HTTP 500 from %1").arg(region) };
    send(socket, done);
    return true;
}

void FakeProbe::kill()
{
    const QList<QWebSocket *> sockets = findChildren<QWebSocket *>();
    for (QWebSocket *socket : sockets)
        socket->abort();
    m_open.clear();
}

void FakeProbe::shutDown()
{
    m_shutDown = true;
    m_server.close();
    const QList<QWebSocket *> sockets = findChildren<QWebSocket *>();
    for (QWebSocket *socket : sockets) {
        if (socket->state() == QAbstractSocket::ConnectedState)
            socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("stopped"));
    }
    m_open.clear();
}

void FakeProbe::onNewConnection()
{
    while (QWebSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        ++m_connectionCount;
        connect(socket, &QWebSocket::textMessageReceived, this,
            [this, socket](const QString &text) { onFrame(socket, text); });
        connect(socket, &QWebSocket::disconnected, this, [this, socket] {
            m_authenticated.remove(socket);
            socket->deleteLater();
        });
    }
}

void FakeProbe::onFrame(QWebSocket *socket, const QString &text)
{
    const DecodedFrame frame = m_codec.decode(text);
    if (!m_authenticated.contains(socket)) {
        const auto *auth = frame.ok() ? std::get_if<AuthMessage>(&*frame.message) : nullptr;
        if (!auth || auth->token != token) {
            socket->close(
                QWebSocketProtocol::CloseCode(ProtocolCloseCode::Unauthorized), QStringLiteral("unauthorized"));
            return;
        }
        m_authenticated.insert(socket);
        return;
    }
    if (!frame.ok())
        return;
    const Message &message = *frame.message;
    if (std::holds_alternative<HelloMessage>(message)) {
        if (answerHello) {
            send(socket, m_hello);
            send(socket, LoadMessage { 0, m_hello.capacity, 0 });
        }
    } else if (const auto *run = std::get_if<RunMessage>(&message)) {
        m_runIds.append(run->runId);
        m_open.insert(run->runId, socket);
        send(socket, StatusMessage { run->runId, RunState::Loading, run->url });
        emit runReceived(run->runId);
    } else if (const auto *cancel = std::get_if<CancelMessage>(&message)) {
        m_cancels.append(cancel->runId);
        if (answerCancel && m_open.contains(cancel->runId)) {
            const QPointer<QWebSocket> owner = m_open.take(cancel->runId);
            DoneMessage done;
            done.runId = cancel->runId;
            done.ok = false;
            done.error = LoadError { LoadError::Kind::Cancelled, QStringLiteral("cancelled by the client") };
            if (owner)
                send(owner, done);
        }
        emit cancelReceived(cancel->runId);
    }
}

void FakeProbe::send(QWebSocket *socket, const Message &message)
{
    if (socket && socket->state() == QAbstractSocket::ConnectedState)
        socket->sendTextMessage(m_codec.encodeText(message));
}
