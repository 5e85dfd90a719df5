#pragma once

#include "fleet/probeclient.h"
#include "protocol/codec.h"
#include "protocol/message.h"

#include <QJsonObject>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QSslConfiguration>
#include <QStringList>
#include <QWebSocketServer>

class QWebSocket;

// A probe that follows a script, for ProbeClient's own tests: auth (closing 4001 on a wrong token), then its hello
// and a load report in answer to the client's hello. Everything the client sends is kept, in order, for the test to
// look at. It can do the wrong things on purpose (foreign versions, garbage hellos, closes and drops); the pool's
// tests use FakeProbe, which also takes and finishes runs.
class ScriptedProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScriptedProbe)

public:
    static inline const QString goodToken = QStringLiteral("s3cr3t");

    explicit ScriptedProbe(QWebSocketServer::SslMode mode = QWebSocketServer::NonSecureMode, QObject *parent = nullptr);

    void setSslConfiguration(const QSslConfiguration &configuration) { m_server.setSslConfiguration(configuration); }
    bool listen() { return m_server.listen(QHostAddress(QHostAddress::LocalHost), 0); }
    QUrl url() const { return m_server.serverUrl(); }

    ProbeClient::Endpoint endpoint(const QString &token = goodToken) const;

    // Sends to the latest connection.
    void send(const Message &message) { sendText(m_codec.encodeText(message)); }
    void sendText(const QString &text);
    // Drops the latest connection without a close frame, like a crashed probe or a cut network.
    void abortCurrent();

    QStringList frameTypes() const;

    // The script.
    QString token = goodToken;
    HelloMessage hello;
    QString rawHello; // sent instead of `hello` when set
    bool answerHello = true;
    int closeAtOnceCode = 0; // close each new connection with this code before it says anything
    int closeAtOnceCount = -1; // … only this many of them (-1: all)
    QString closeAtOnceReason = QStringLiteral("bye");
    int abortNextConnections = 0; // drop this many new connections at once

    // What happened.
    QList<QJsonObject> frames; // every frame from every client, in order
    QList<QNetworkRequest> requests; // every upgrade request
    QList<int> closeCodes; // per ended connection: the client's close code, or -1 without a close frame
    int connectionCount = 0;
    QPointer<QWebSocket> current;

private:
    void onNewConnection();
    void onFrame(QWebSocket *socket, const QString &text);

    QWebSocketServer m_server;
    FrameCodec m_codec;
    QSet<QWebSocket *> m_authenticated;
};

// Connects `client` to `probe` (or to `endpoint`, when given) and waits for ready(); false, with the reason
// logged, when it did not come.
bool connectReady(ProbeClient &client, const ScriptedProbe &probe, ProbeClient::Endpoint endpoint = {});
