#include "scriptedprobe.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

#include <memory>

ScriptedProbe::ScriptedProbe(QWebSocketServer::SslMode mode, QObject *parent)
    : QObject(parent)
    , m_server(QStringLiteral("fake-probe"), mode)
{
    hello.role = HelloMessage::Role::Probe;
    hello.supported = VersionRange::supported();
    hello.chosen = 1;
    hello.probeId = QStringLiteral("fra-7f3a");
    hello.region = QStringLiteral("fra");
    hello.capacity = 4;
    hello.browserVersion = QStringLiteral("Chrome/120.0.6099.224");
    hello.software = QStringLiteral("worldspeed-probe");
    hello.version = QStringLiteral("0.1.0");
    connect(&m_server, &QWebSocketServer::newConnection, this, &ScriptedProbe::onNewConnection);
}

ProbeClient::Endpoint ScriptedProbe::endpoint(const QString &token) const
{
    ProbeClient::Endpoint endpoint;
    endpoint.url = url();
    endpoint.token = token;
    return endpoint;
}

void ScriptedProbe::sendText(const QString &text)
{
    QVERIFY(current);
    current->sendTextMessage(text);
}

void ScriptedProbe::abortCurrent()
{
    QVERIFY(current);
    current->abort();
}

QStringList ScriptedProbe::frameTypes() const
{
    QStringList types;
    for (const QJsonObject &frame : frames)
        types.append(frame.value(u"type").toString());
    return types;
}

void ScriptedProbe::onNewConnection()
{
    while (QWebSocket *socket = m_server.nextPendingConnection()) {
        socket->setParent(this);
        ++connectionCount;
        requests.append(socket->request());
        current = socket;
        auto closeFrame = std::make_shared<bool>(false);
        connect(socket, &QWebSocket::aboutToClose, this, [closeFrame] { *closeFrame = true; });
        connect(socket, &QWebSocket::disconnected, this, [this, socket, closeFrame] {
            closeCodes.append(*closeFrame ? int(socket->closeCode()) : -1);
            socket->deleteLater();
        });
        if (abortNextConnections > 0) {
            --abortNextConnections;
            socket->abort();
            continue;
        }
        if (closeAtOnceCode != 0 && closeAtOnceCount != 0) {
            closeAtOnceCount -= closeAtOnceCount > 0 ? 1 : 0;
            socket->close(QWebSocketProtocol::CloseCode(closeAtOnceCode), closeAtOnceReason);
            continue;
        }
        connect(socket, &QWebSocket::textMessageReceived, this,
            [this, socket](const QString &text) { onFrame(socket, text); });
    }
}

void ScriptedProbe::onFrame(QWebSocket *socket, const QString &text)
{
    frames.append(QJsonDocument::fromJson(text.toUtf8()).object());
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
    if (frame.ok() && std::holds_alternative<HelloMessage>(*frame.message) && answerHello) {
        if (rawHello.isEmpty())
            socket->sendTextMessage(m_codec.encodeText(hello));
        else
            socket->sendTextMessage(rawHello);
        socket->sendTextMessage(m_codec.encodeText(LoadMessage { 0, 4, 0 }));
    }
}

bool connectReady(ProbeClient &client, const ScriptedProbe &probe, ProbeClient::Endpoint endpoint)
{
    if (endpoint.url.isEmpty())
        endpoint = probe.endpoint();
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy failed(&client, &ProbeClient::failed);
    client.connectToProbe(endpoint);
    if (!ready.wait(5000)) {
        qWarning() << "no ready():" << failed;
        return false;
    }
    return client.isReady();
}
