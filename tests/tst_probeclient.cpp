// ProbeClient against a scripted fake probe on loopback. The fake does exactly what each test needs, including the
// wrong things (bad tokens, foreign versions, garbage frames, dropped sockets); the real probe server has its own
// tests that use this client.

#include "fleet/probeclient.h"
#include "protocol/codec.h"
#include "protocol/message.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QPointer>
#include <QProcess>
#include <QRandomGenerator>
#include <QScopeGuard>
#include <QSet>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QSslSocket>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <memory>

using namespace std::chrono_literals;

char *toString(const Message &message)
{
    return qstrdup(describe(message).toUtf8().constData());
}

namespace {

const QString goodToken = QStringLiteral("s3cr3t");

QByteArray pngBytes(qsizetype size)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png.reserve(size);
    while (png.size() < size)
        png.append(char(QRandomGenerator::global()->bounded(256)));
    return png;
}

// A probe that follows a script: auth (closing 4001 on a wrong token), then its hello and a load report in
// answer to the client's hello. Everything the client sends is kept, in order, for the test to look at.
class FakeProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeProbe)

public:
    explicit FakeProbe(QWebSocketServer::SslMode mode = QWebSocketServer::NonSecureMode, QObject *parent = nullptr)
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
        connect(&m_server, &QWebSocketServer::newConnection, this, &FakeProbe::onNewConnection);
    }

    void setSslConfiguration(const QSslConfiguration &configuration) { m_server.setSslConfiguration(configuration); }
    bool listen() { return m_server.listen(QHostAddress(QHostAddress::LocalHost), 0); }
    QUrl url() const { return m_server.serverUrl(); }

    ProbeClient::Endpoint endpoint(const QString &token = goodToken) const
    {
        ProbeClient::Endpoint endpoint;
        endpoint.url = url();
        endpoint.token = token;
        return endpoint;
    }

    // Sends to the latest connection.
    void send(const Message &message) { sendText(m_codec.encodeText(message)); }
    void sendText(const QString &text)
    {
        QVERIFY(current);
        current->sendTextMessage(text);
    }
    // Drops the latest connection without a close frame, like a crashed probe or a cut network.
    void abortCurrent()
    {
        QVERIFY(current);
        current->abort();
    }

    QStringList frameTypes() const
    {
        QStringList types;
        for (const QJsonObject &frame : frames)
            types.append(frame.value(u"type").toString());
        return types;
    }

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
    void onNewConnection()
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

    void onFrame(QWebSocket *socket, const QString &text)
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

    QWebSocketServer m_server;
    FrameCodec m_codec;
    QSet<QWebSocket *> m_authenticated;
};

// Throwaway certificates made with the openssl CLI: one self-signed, and a CA with a leaf it signed, all for
// 127.0.0.1.
struct TestCertificates
{
    QTemporaryDir dir;
    QSslCertificate selfSigned;
    QSslKey selfSignedKey;
    QSslCertificate ca;
    QSslCertificate leaf;
    QSslKey leafKey;
    QString error; // why they could not be made

    bool make()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty()) {
            error = QStringLiteral("the openssl command is not installed");
            return false;
        }
        QFile config(dir.filePath(QStringLiteral("openssl.cnf")));
        if (!config.open(QIODevice::WriteOnly))
            return fail(QStringLiteral("cannot write openssl.cnf"));
        config.write("[req]\n"
                     "distinguished_name = dn\n"
                     "prompt = no\n"
                     "[dn]\n"
                     "CN = 127.0.0.1\n"
                     "[ca]\n"
                     "basicConstraints = critical,CA:TRUE\n"
                     "keyUsage = critical,keyCertSign,cRLSign\n"
                     "subjectKeyIdentifier = hash\n"
                     "[server]\n"
                     "basicConstraints = critical,CA:FALSE\n"
                     "keyUsage = critical,digitalSignature,keyEncipherment\n"
                     "extendedKeyUsage = serverAuth\n"
                     "subjectAltName = IP:127.0.0.1\n"
                     "subjectKeyIdentifier = hash\n");
        config.close();
        const QStringList ecKey { QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
            QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes") };
        const QStringList common { QStringLiteral("-config"), config.fileName(), QStringLiteral("-days"),
            QStringLiteral("2") };
        if (!run(openssl,
                QStringList { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-extensions"),
                    QStringLiteral("server"), QStringLiteral("-keyout"), QStringLiteral("self.key"),
                    QStringLiteral("-out"), QStringLiteral("self.crt") }
                    + ecKey + common)
            || !run(openssl,
                QStringList { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-extensions"),
                    QStringLiteral("ca"), QStringLiteral("-subj"), QStringLiteral("/CN=WorldSpeed Test CA"),
                    QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"),
                    QStringLiteral("ca.crt") }
                    + ecKey + common)
            || !run(openssl,
                QStringList { QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-keyout"),
                    QStringLiteral("leaf.key"), QStringLiteral("-out"), QStringLiteral("leaf.csr"),
                    QStringLiteral("-config"), config.fileName() }
                    + ecKey)
            || !run(openssl,
                { QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), QStringLiteral("leaf.csr"),
                    QStringLiteral("-CA"), QStringLiteral("ca.crt"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                    QStringLiteral("-set_serial"), QStringLiteral("2"), QStringLiteral("-days"), QStringLiteral("2"),
                    QStringLiteral("-extfile"), config.fileName(), QStringLiteral("-extensions"),
                    QStringLiteral("server"), QStringLiteral("-out"), QStringLiteral("leaf.crt") })) {
            return false;
        }
        selfSigned = certificate(QStringLiteral("self.crt"));
        selfSignedKey = key(QStringLiteral("self.key"));
        ca = certificate(QStringLiteral("ca.crt"));
        leaf = certificate(QStringLiteral("leaf.crt"));
        leafKey = key(QStringLiteral("leaf.key"));
        if (selfSigned.isNull() || selfSignedKey.isNull() || ca.isNull() || leaf.isNull() || leafKey.isNull())
            return fail(QStringLiteral("openssl wrote files Qt cannot read"));
        return true;
    }

private:
    bool fail(const QString &why)
    {
        error = why;
        return false;
    }
    bool run(const QString &program, const QStringList &arguments)
    {
        QProcess process;
        process.setWorkingDirectory(dir.path());
        process.setProcessChannelMode(QProcess::MergedChannels);
        process.start(program, arguments);
        if (!process.waitForFinished(60'000) || process.exitStatus() != QProcess::NormalExit
            || process.exitCode() != 0) {
            return fail(QStringLiteral("openssl %1 failed: %2")
                            .arg(arguments.join(u' '), QString::fromLocal8Bit(process.readAll())));
        }
        return true;
    }
    QByteArray contents(const QString &name) const
    {
        QFile file(dir.filePath(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    QSslCertificate certificate(const QString &name) const { return QSslCertificate(contents(name), QSsl::Pem); }
    QSslKey key(const QString &name) const { return QSslKey(contents(name), QSsl::Ec, QSsl::Pem); }
};

} // namespace

class tst_ProbeClient : public QObject
{
    Q_OBJECT

private slots:
    void handshake();
    void wrongTokenIsRefused();
    void closeCodesAreNamed_data();
    void closeCodesAreNamed();
    void versionOutsideOurRangeFails();
    void unreadableHelloFails();
    void handshakeTimeout();
    void invalidEndpointFails_data();
    void invalidEndpointFails();
    void cleartextOnlyOnLoopback_data();
    void cleartextOnlyOnLoopback();
    void cleartextToLocalhostIsAllowed();

    void runSignalsInOrder();
    void optionsAnOlderProbeLacksAreRefused();
    void screenshotFramesAboveOneMiB();
    void oversizedFrameCloses();
    void undecodableFrameKeepsConnection();
    void unreadableDoneEndsRun();
    void busyEndsRun();
    void framesForUnknownRunsAreDropped();
    void submitChecksItsArguments();
    void cancelSendsCancel();
    void dropMidRunEndsEveryRunOnce();

    void reconnectDelays();
    void reconnectsWithBackoff();
    void reconnectGivesUp();
    void noReconnectAfterAuthRefusal();
    void noReconnectAfterFirstAttemptFails();
    void shedConnectionIsRetried();
    void shedBeforeTheUpgradeIsRetried();
    void shedAfterReadyReconnects();

    void extraHeadersReachTheProbe();
    void closeIsCleanAndFinal();
    void destructionClosesCleanly();

    void wss_data();
    void wss();

private:
    // Connects and waits for ready(); false (with the test failed) when it did not come.
    static bool connectReady(ProbeClient &client, const FakeProbe &probe, ProbeClient::Endpoint endpoint = {});
};

bool tst_ProbeClient::connectReady(ProbeClient &client, const FakeProbe &probe, ProbeClient::Endpoint endpoint)
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

void tst_ProbeClient::handshake()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy load(&client, &ProbeClient::loadReport);
    QSignalSpy failed(&client, &ProbeClient::failed);
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
    client.connectToProbe(probe.endpoint());
    QCOMPARE(client.state(), ProbeClient::State::Connecting);
    QVERIFY(ready.wait());
    QCOMPARE(client.state(), ProbeClient::State::Ready);

    // auth first, then hello, and nothing else.
    QCOMPARE(probe.frameTypes(), (QStringList { QStringLiteral("auth"), QStringLiteral("hello") }));
    QCOMPARE(probe.frames.at(0).value(u"token").toString(), goodToken);
    const QJsonObject hello = probe.frames.at(1);
    QCOMPARE(hello.value(u"role").toString(), QStringLiteral("client"));
    QCOMPARE(hello.value(u"supported").toObject().value(u"min").toInt(), VersionRange::supported().min);
    QCOMPARE(hello.value(u"supported").toObject().value(u"max").toInt(), VersionRange::supported().max);
    QCOMPARE(hello.value(u"software").toString(), QStringLiteral("worldspeed"));
    QCOMPARE(hello.value(u"version").toString(), QStringLiteral(WORLDSPEED_VERSION));

    QCOMPARE(ready.size(), 1);
    const auto probeHello = qvariant_cast<HelloMessage>(ready.at(0).at(0));
    QCOMPARE(Message(probeHello), Message(probe.hello));
    QCOMPARE(Message(*client.probeHello()), Message(probe.hello));
    // The probe's load report follows its hello, possibly in the same read.
    QTRY_COMPARE(load.size(), 1);
    QCOMPARE(Message(qvariant_cast<LoadMessage>(load.at(0).at(0))), Message(LoadMessage { 0, 4, 0 }));
    QCOMPARE(failed.size(), 0);
}

void tst_ProbeClient::wrongTokenIsRefused()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    client.setReconnectPolicy({ 3, 10ms, 2.0, 100ms });
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QSignalSpy reconnecting(&client, &ProbeClient::reconnecting);
    client.connectToProbe(probe.endpoint(QStringLiteral("wrong")));
    QVERIFY(disconnected.wait());
    QCOMPARE(disconnected.at(0).at(0).toInt(), 4001);
    QCOMPARE(disconnected.at(0).at(1).toString(), QStringLiteral("the probe refused the token"));
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("the probe refused the token"));
    QCOMPARE(probe.frames.first().value(u"type").toString(), QStringLiteral("auth"));

    QTest::qWait(200);
    QCOMPARE(ready.size(), 0);
    QCOMPARE(reconnecting.size(), 0);
    QCOMPARE(probe.connectionCount, 1);
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
}

void tst_ProbeClient::closeCodesAreNamed_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("reason");
    QTest::newRow("4001 unauthorized") << 4001 << QStringLiteral("the probe refused the token");
    QTest::newRow("4002 auth timeout") << 4002 << QStringLiteral("authentication timed out");
    QTest::newRow("4003 try again later") << 4003 << QStringLiteral("the probe asked to be tried again later");
    QTest::newRow("4004 no common version") << 4004 << QStringLiteral("no common protocol version");
    QTest::newRow("1009 too large") << 1009 << QStringLiteral("frame too large");
    QTest::newRow("1007 not UTF-8") << 1007 << QStringLiteral("a message was not valid UTF-8");
    QTest::newRow("1001 going away") << 1001 << QStringLiteral("the probe is going away");
    QTest::newRow("undocumented") << 4999 << QStringLiteral("closed with code 4999: bye");
}

void tst_ProbeClient::closeCodesAreNamed()
{
    QFETCH(int, code);
    QFETCH(QString, reason);
    QCOMPARE(ProbeClient::closeCodeDescription(code).left(reason.indexOf(u':')), reason.left(reason.indexOf(u':')));

    FakeProbe probe;
    probe.closeAtOnceCode = code;
    QVERIFY(probe.listen());
    ProbeClient client;
    // Shorter than the second a 4003 without a retry-after asks for: the attempt ends with it, not retried.
    client.setHandshakeTimeout(500ms);
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    client.connectToProbe(probe.endpoint());
    QVERIFY(disconnected.wait());
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), code);
    QCOMPARE(disconnected.at(0).at(1).toString(), reason);
    QCOMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), reason);
}

void tst_ProbeClient::versionOutsideOurRangeFails()
{
    FakeProbe probe;
    probe.hello.supported = { 5, 9 };
    probe.hello.chosen = 7;
    QVERIFY(probe.listen());
    ProbeClient client;
    client.setReconnectPolicy({ 3, 10ms, 2.0, 100ms });
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    client.connectToProbe(probe.endpoint());
    QVERIFY(failed.wait());
    const QString reason = failed.at(0).at(0).toString();
    QVERIFY2(reason.startsWith(u"no common protocol version") && reason.contains(u"version 7"), qPrintable(reason));
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 4004);
    QCOMPARE(ready.size(), 0);
    // The client says why, as a probe would, and closes with 4004.
    QTRY_COMPARE(probe.closeCodes, QList<int> { 4004 });
    QCOMPARE(probe.frames.last().value(u"type").toString(), QStringLiteral("error"));
    QCOMPARE(probe.frames.last().value(u"code").toString(), ProtocolError::unsupportedVersion.toString());
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
}

void tst_ProbeClient::unreadableHelloFails()
{
    FakeProbe probe;
    probe.rawHello
        = QStringLiteral(R"({"v":1,"type":"hello","role":"probe","supported":{"min":1,"max":1},"chosen":1})");
    QVERIFY(probe.listen());
    ProbeClient client;
    QSignalSpy failed(&client, &ProbeClient::failed);
    QElapsedTimer elapsed;
    elapsed.start();
    client.connectToProbe(probe.endpoint());
    QVERIFY(failed.wait());
    QVERIFY2(
        failed.at(0).at(0).toString().contains(u"hello could not be read"), qPrintable(failed.at(0).at(0).toString()));
    QVERIFY(elapsed.elapsed() < 5000); // at once, not at the handshake deadline
}

void tst_ProbeClient::handshakeTimeout()
{
    FakeProbe probe;
    probe.answerHello = false;
    QVERIFY(probe.listen());
    ProbeClient client;
    QCOMPARE(client.handshakeTimeout(), 15'000ms);
    client.setHandshakeTimeout(200ms);
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    client.connectToProbe(probe.endpoint());
    QVERIFY(failed.wait(3000));
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("the probe did not complete the handshake within 200 ms"));
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1006);
    QCOMPARE(ready.size(), 0);
    QCOMPARE(probe.frameTypes(), (QStringList { QStringLiteral("auth"), QStringLiteral("hello") }));
}

void tst_ProbeClient::invalidEndpointFails_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QByteArray>("pin");
    QTest::addColumn<QString>("reason");
    const QUrl ws(QStringLiteral("ws://127.0.0.1:9/"));
    const QUrl wss(QStringLiteral("wss://127.0.0.1:9/"));
    QTest::newRow("http url") << QUrl(QStringLiteral("http://127.0.0.1:9/")) << goodToken << QByteArray()
                              << QStringLiteral("not a ws:// or wss:// URL");
    QTest::newRow("empty token") << ws << QString() << QByteArray() << QStringLiteral("the token must be");
    QTest::newRow("pin on ws") << ws << goodToken << QByteArray(64, 'a')
                               << QStringLiteral("a certificate pin needs a wss:// URL");
    QTest::newRow("short pin") << wss << goodToken << QByteArray("abcd")
                               << QStringLiteral("the certificate pin is neither");
}

void tst_ProbeClient::invalidEndpointFails()
{
    QFETCH(QUrl, url);
    QFETCH(QString, token);
    QFETCH(QByteArray, pin);
    QFETCH(QString, reason);
    ProbeClient client;
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    client.connectToProbe({ url, {}, token, pin });
    QVERIFY(failed.wait());
    QVERIFY2(failed.at(0).at(0).toString().startsWith(reason), qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(disconnected.size(), 0);
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
}

void tst_ProbeClient::cleartextOnlyOnLoopback_data()
{
    QTest::addColumn<QUrl>("url");
    // Host names under .invalid never resolve (RFC 6761), so that even a client that did not refuse would send
    // nothing anywhere but to its own resolver. (Addresses are CleartextPolicy's, checked without a socket in
    // tst_staticbackend.)
    QTest::newRow("name") << QUrl(QStringLiteral("ws://probe.invalid:8700/"));
    QTest::newRow("localhost look-alike") << QUrl(QStringLiteral("ws://localhost.invalid:8700/"));
}

void tst_ProbeClient::cleartextOnlyOnLoopback()
{
    // ws:// off loopback would hand the token to anyone on the path: refused before a socket is opened, with
    // the host and the fix in the reason.
    QFETCH(QUrl, url);
    ProbeClient client;
    QSignalSpy failed(&client, &ProbeClient::failed);
    ProbeClient::Endpoint endpoint;
    endpoint.url = url;
    endpoint.token = goodToken;
    client.connectToProbe(endpoint);
    // Checked before the event loop runs: nothing was opened, so nothing can have been sent.
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
    QVERIFY(failed.wait());
    const QString reason = failed.at(0).at(0).toString();
    QVERIFY2(reason.startsWith(QStringLiteral("refusing ws://%1:8700: the probe token would cross the network to %1 "
                                              "unencrypted; use a wss:// URL, or set \"insecurePlaintext\": true")
                                   .arg(url.host())),
        qPrintable(reason));
    QVERIFY2(!reason.contains(goodToken), qPrintable(reason));
}

void tst_ProbeClient::cleartextToLocalhostIsAllowed()
{
    // Loopback by name too: the traffic stays on this machine.
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    ProbeClient::Endpoint endpoint = probe.endpoint();
    endpoint.url.setHost(QStringLiteral("localhost"));
    QVERIFY(connectReady(client, probe, endpoint));
}

void tst_ProbeClient::runSignalsInOrder()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));

    QStringList events;
    QList<Message> received;
    connect(&client, &ProbeClient::status, &client, [&](const QString &runId, RunState state, const QString &detail) {
        events.append(QStringLiteral("status"));
        received.append(StatusMessage { runId, state, detail });
    });
    connect(&client, &ProbeClient::requestFinished, &client,
        [&](const QString &runId, RunView view, const RequestTiming &request) {
            events.append(QStringLiteral("request"));
            received.append(RequestMessage { runId, view, request });
        });
    connect(&client, &ProbeClient::metrics, &client, [&](const QString &runId, RunView, const MetricsMessage &metrics) {
        events.append(QStringLiteral("metrics"));
        QCOMPARE(runId, metrics.runId);
        received.append(metrics);
    });
    connect(&client, &ProbeClient::done, &client, [&](const QString &runId, const DoneMessage &done) {
        events.append(QStringLiteral("done"));
        QCOMPARE(runId, done.runId);
        received.append(done);
    });

    LoadOptions options;
    options.timeoutMs = 30'000;
    options.profile = QStringLiteral("3G Fast");
    options.repeatView = true;
    options.screenshot = true;
    QString error;
    QVERIFY2(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/")), options, &error),
        qPrintable(error));
    QCOMPARE(client.runsInFlight(), QList<QString> { QStringLiteral("r1") });
    QTRY_COMPARE(probe.frames.size(), 3);
    QString why;
    const auto run = RunMessage::fromJson(probe.frames.last(), &why);
    QVERIFY2(run, qPrintable(why));
    QCOMPARE(
        Message(*run), Message(RunMessage { QStringLiteral("r1"), QStringLiteral("https://example.com/"), options }));

    RequestTiming request;
    request.id = QStringLiteral("1000.12");
    request.url = QStringLiteral("https://example.com/app.css");
    request.method = QStringLiteral("GET");
    request.status = 200;
    request.startMs = 35.5;
    request.durationMs = 40.25;
    request.phases.dns = 3;
    request.phases.wait = 37.25;
    request.outcome = RequestTiming::Outcome::Finished;
    request.encodedBytes = 2048;
    MetricsMessage page;
    page.runId = QStringLiteral("r1");
    page.view = RunView::Repeat;
    page.metrics.documentStatus = 200;
    page.metrics.ttfbMs = 41.5;
    page.metrics.requestCount = 17;
    page.finalUrl = QStringLiteral("https://www.example.com/");
    page.screenshotPng = pngBytes(1000);
    DoneMessage done;
    done.runId = QStringLiteral("r1");
    done.browserStartMs = 640.5;
    const QList<Message> sent {
        StatusMessage { QStringLiteral("r1"), RunState::StartingBrowser, {} },
        StatusMessage { QStringLiteral("r1"), RunState::Loading, QStringLiteral("loading https://example.com/") },
        RequestMessage { QStringLiteral("r1"), RunView::First, request },
        page,
        done,
    };
    FrameCodec codec;
    codec.setNegotiatedVersion(1);
    for (const Message &message : sent)
        probe.sendText(codec.encodeText(message));
    QTRY_COMPARE(events.size(), 5);
    QCOMPARE(events,
        (QStringList { QStringLiteral("status"), QStringLiteral("status"), QStringLiteral("request"),
            QStringLiteral("metrics"), QStringLiteral("done") }));
    QCOMPARE(received, sent);
    QVERIFY(client.runsInFlight().isEmpty());
}

void tst_ProbeClient::optionsAnOlderProbeLacksAreRefused()
{
    // A probe that predates device emulation would load the page as a desktop and say nothing: the client does
    // not send it such a run.
    FakeProbe older;
    QVERIFY(older.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, older));
    LoadOptions phone;
    phone.device = QStringLiteral("moto-g-power");
    QString error;
    QVERIFY(!client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/")), phone, &error));
    QCOMPARE(
        error, QStringLiteral("this probe (worldspeed-probe 0.1.0) cannot honour the option \"device\": update it"));
    QVERIFY(client.runsInFlight().isEmpty());
    // Nor one that asks for a filmstrip: an older probe would leave the visual metrics out without a word.
    LoadOptions filmed;
    filmed.filmstrip = true;
    QVERIFY(!client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/")), filmed, &error));
    QCOMPARE(
        error, QStringLiteral("this probe (worldspeed-probe 0.1.0) cannot honour the option \"filmstrip\": update it"));
    QVERIFY(client.runsInFlight().isEmpty());
    QVERIFY(client.submit(QStringLiteral("r2"), QUrl(QStringLiteral("https://example.com/")), LoadOptions {}, &error));
    // The same for each test setting: a probe without `headers` never gets the header.
    LoadOptions withHeader;
    withHeader.test.headers = { { QStringLiteral("X-Key"), QStringLiteral("abc"), {}, false } };
    QVERIFY(!client.submit(QStringLiteral("r3"), QUrl(QStringLiteral("https://example.com/")), withHeader, &error));
    QCOMPARE(
        error, QStringLiteral("this probe (worldspeed-probe 0.1.0) cannot honour the option \"headers\": update it"));

    FakeProbe current;
    current.hello.capabilities = LoadOptions::capabilities();
    QVERIFY(current.listen());
    ProbeClient second;
    QVERIFY(connectReady(second, current));
    QVERIFY2(second.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/")), phone, &error),
        qPrintable(error));
    QVERIFY2(second.submit(QStringLiteral("r2"), QUrl(QStringLiteral("https://example.com/")), withHeader, &error),
        qPrintable(error));
    // A named secret goes only with its value.
    LoadOptions withAuth;
    withAuth.test.basicAuth = BasicAuthSetting { QStringLiteral("tester"), QStringLiteral("staging") };
    QVERIFY(!second.submit(QStringLiteral("r3"), QUrl(QStringLiteral("https://example.com/")), withAuth, &error));
    QCOMPARE(error, QStringLiteral("the options use the secret \"staging\", whose value was not given"));
    withAuth.test.secretValues.insert(QStringLiteral("staging"), QStringLiteral("pw"));
    QVERIFY2(second.submit(QStringLiteral("r3"), QUrl(QStringLiteral("https://example.com/")), withAuth, &error),
        qPrintable(error));
    QVERIFY2(second.submit(QStringLiteral("r4"), QUrl(QStringLiteral("https://example.com/")), filmed, &error),
        qPrintable(error));
}

void tst_ProbeClient::screenshotFramesAboveOneMiB()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy metrics(&client, &ProbeClient::metrics);
    QSignalSpy errors(&client, &ProbeClient::protocolError);
    QVERIFY(client.submit(QStringLiteral("big"), QUrl(QStringLiteral("https://example.com/"))));
    MetricsMessage page;
    page.runId = QStringLiteral("big");
    page.screenshotPng = pngBytes(3 * 1024 * 1024); // 4 MiB of base64: over a probe's 1 MiB, under our 16 MiB
    probe.send(page);
    QVERIFY(metrics.wait());
    QCOMPARE(qvariant_cast<MetricsMessage>(metrics.at(0).at(2)).screenshotPng, page.screenshotPng);
    QCOMPARE(errors.size(), 0);
}

void tst_ProbeClient::oversizedFrameCloses()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QSignalSpy done(&client, &ProbeClient::done);
    QVERIFY(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/"))));
    probe.sendText(QString(FrameCodec::screenshotMaxFrameBytes + 1, u'x'));
    QVERIFY(disconnected.wait());
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1009);
    QCOMPARE(disconnected.at(0).at(1).toString(), QStringLiteral("frame too large"));
    QCOMPARE(done.size(), 1);
    QCOMPARE(qvariant_cast<DoneMessage>(done.at(0).at(1)).error->message,
        QStringLiteral("connection to the probe lost: frame too large"));
}

void tst_ProbeClient::undecodableFrameKeepsConnection()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy errors(&client, &ProbeClient::protocolError);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QSignalSpy load(&client, &ProbeClient::loadReport);
    const qsizetype framesBefore = probe.frames.size();

    probe.sendText(QStringLiteral("{not json"));
    QVERIFY(errors.wait());
    QCOMPARE(qvariant_cast<ErrorMessage>(errors.at(0).at(0)).code, ProtocolError::malformed.toString());
    probe.sendText(QStringLiteral(R"({"v":1,"type":"teleport","runId":"r7"})"));
    QTRY_COMPARE(errors.size(), 2);
    const auto unknown = qvariant_cast<ErrorMessage>(errors.at(1).at(0));
    QCOMPARE(unknown.code, ProtocolError::unknownType.toString());
    QCOMPARE(unknown.runId, QStringLiteral("r7"));
    // A probe's error frame that is itself unreadable is reported but not answered: no echo between peers.
    probe.sendText(QStringLiteral(R"({"v":1,"type":"error","code":"NOT A CODE","message":""})"));
    QTRY_COMPARE(errors.size(), 3);
    QCOMPARE(qvariant_cast<ErrorMessage>(errors.at(2).at(0)).code, ProtocolError::invalidMessage.toString());

    // The client answers each bad frame (PROTOCOL.md §3) and stays connected.
    probe.send(LoadMessage { 1, 4, 0 });
    QVERIFY(load.wait());
    QCOMPARE(probe.frames.size(), framesBefore + 2);
    QCOMPARE(probe.frames.at(framesBefore).value(u"code").toString(), ProtocolError::malformed.toString());
    QCOMPARE(probe.frames.at(framesBefore + 1).value(u"code").toString(), ProtocolError::unknownType.toString());
    QCOMPARE(probe.frames.at(framesBefore + 1).value(u"runId").toString(), QStringLiteral("r7"));
    QCOMPARE(disconnected.size(), 0);
    QVERIFY(client.isReady());
    QCOMPARE(probe.connectionCount, 1);
}

void tst_ProbeClient::unreadableDoneEndsRun()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy done(&client, &ProbeClient::done);
    QSignalSpy errors(&client, &ProbeClient::protocolError);
    QVERIFY(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/"))));
    probe.sendText(QStringLiteral(R"({"v":1,"type":"done","runId":"r1","ok":"yes"})"));
    QVERIFY(done.wait());
    QCOMPARE(errors.size(), 1);
    const auto end = qvariant_cast<DoneMessage>(done.at(0).at(1));
    QVERIFY(!end.ok);
    QVERIFY(end.error->message.startsWith(u"the probe's done could not be read"));
    // The real one, should it follow, is not a second done.
    done.clear();
    probe.send(DoneMessage { QStringLiteral("r1"), true, {}, {}, {}, {}, {} });
    QVERIFY(!done.wait(200));
}

void tst_ProbeClient::busyEndsRun()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QStringList events;
    connect(&client, &ProbeClient::protocolError, &client,
        [&](const ErrorMessage &error) { events.append(QStringLiteral("error ") + error.code + u' ' + error.runId); });
    connect(&client, &ProbeClient::done, &client, [&](const QString &runId, const DoneMessage &done) {
        events.append(QStringLiteral("done ") + runId + u' ' + (done.ok ? QStringLiteral("ok") : done.error->message));
    });
    QVERIFY(client.submit(QStringLiteral("taken"), QUrl(QStringLiteral("https://example.com/"))));
    QVERIFY(client.submit(QStringLiteral("refused"), QUrl(QStringLiteral("https://example.com/"))));
    probe.send(StatusMessage { QStringLiteral("taken"), RunState::Loading, {} });
    // An error about a run the probe took does not end it; busy for one it did not take does.
    probe.send(ErrorMessage { QStringLiteral("internal"), QStringLiteral("oops"), QStringLiteral("taken") });
    probe.send(ErrorMessage {
        ProtocolError::busy.toString(), QStringLiteral("4 of 4 runs active, queue full"), QStringLiteral("refused") });
    QTRY_COMPARE(events.size(), 3);
    QCOMPARE(events,
        (QStringList { QStringLiteral("error internal taken"), QStringLiteral("error busy refused"),
            QStringLiteral("done refused the probe did not take the run: busy: 4 of 4 runs active, queue full") }));
    QCOMPARE(client.runsInFlight(), QList<QString> { QStringLiteral("taken") });
}

void tst_ProbeClient::framesForUnknownRunsAreDropped()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy status(&client, &ProbeClient::status);
    QSignalSpy done(&client, &ProbeClient::done);
    QSignalSpy load(&client, &ProbeClient::loadReport);
    probe.send(StatusMessage { QStringLiteral("stranger"), RunState::Loading, {} });
    probe.send(DoneMessage { QStringLiteral("stranger"), true, {}, {}, {}, {}, {} });
    probe.send(LoadMessage { 0, 4, 0 });
    QVERIFY(load.wait());
    QCOMPARE(status.size(), 0);
    QCOMPARE(done.size(), 0);
}

void tst_ProbeClient::submitChecksItsArguments()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    const QUrl url(QStringLiteral("https://example.com/"));
    QString error;
    QVERIFY(!client.submit(QStringLiteral("r1"), url, {}, &error));
    QCOMPARE(error, QStringLiteral("not connected to a probe"));
    QVERIFY(connectReady(client, probe));
    const qsizetype framesBefore = probe.frames.size();

    QVERIFY(!client.submit(QStringLiteral("bad id!"), url, {}, &error));
    QVERIFY(error.contains(u"bad id!"));
    QVERIFY(!client.submit(QString(65, u'a'), url, {}, &error));
    QVERIFY(!client.submit(QString(), url, {}, &error));
    QVERIFY(!client.submit(QStringLiteral("r1"), QUrl(), {}, &error));
    LoadOptions tooShort;
    tooShort.timeoutMs = 5;
    QVERIFY(!client.submit(QStringLiteral("r1"), url, tooShort, &error));
    QVERIFY2(error.contains(u"timeoutMs"), qPrintable(error));
    QVERIFY(client.submit(QStringLiteral("r1"), url));
    QVERIFY(!client.submit(QStringLiteral("r1"), url, {}, &error));
    QCOMPARE(error, QStringLiteral("run r1 is already in flight"));
    QVERIFY(client.submit(QString(64, u'z'), url));
    QTRY_COMPARE(probe.frames.size(), framesBefore + 2);

    QSet<QString> ids;
    for (int i = 0; i < 100; ++i) {
        const QString id = ProbeClient::newRunId();
        QVERIFY2(ProtocolLimits::isIdentifier(id), qPrintable(id));
        ids.insert(id);
    }
    QCOMPARE(ids.size(), 100);
}

void tst_ProbeClient::cancelSendsCancel()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QString error;
    QVERIFY(!client.cancel(QStringLiteral("r1"), &error));
    QCOMPARE(error, QStringLiteral("no run \"r1\" in flight"));
    QVERIFY(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/"))));
    QVERIFY(client.cancel(QStringLiteral("r1")));
    QTRY_COMPARE(probe.frameTypes().last(), QStringLiteral("cancel"));
    QCOMPARE(probe.frames.last().value(u"runId").toString(), QStringLiteral("r1"));
    // The run is over only when the probe says so.
    QCOMPARE(client.runsInFlight(), QList<QString> { QStringLiteral("r1") });
    QSignalSpy done(&client, &ProbeClient::done);
    probe.send(
        DoneMessage { QStringLiteral("r1"), false, LoadError { LoadError::Kind::Cancelled, {} }, {}, {}, {}, {} });
    QVERIFY(done.wait());
    QCOMPARE(qvariant_cast<DoneMessage>(done.at(0).at(1)).error->kind, LoadError::Kind::Cancelled);
}

void tst_ProbeClient::dropMidRunEndsEveryRunOnce()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QStringList events;
    QList<DoneMessage> dones;
    connect(&client, &ProbeClient::done, &client, [&](const QString &runId, const DoneMessage &done) {
        events.append(QStringLiteral("done ") + runId);
        dones.append(done);
    });
    connect(&client, &ProbeClient::disconnected, &client,
        [&](int code) { events.append(QStringLiteral("disconnected ") + QString::number(code)); });
    const QUrl url(QStringLiteral("https://example.com/"));
    for (const char16_t *id : { u"r1", u"r2", u"r3" })
        QVERIFY(client.submit(QString::fromUtf16(id), url));
    probe.send(StatusMessage { QStringLiteral("r1"), RunState::Loading, {} });
    probe.send(DoneMessage { QStringLiteral("r2"), true, {}, {}, {}, {}, {} });
    QTRY_COMPARE(events.size(), 1);
    probe.abortCurrent();
    QTRY_COMPARE(events.size(), 4);
    QTest::qWait(100);
    QCOMPARE(events,
        (QStringList { QStringLiteral("done r2"), QStringLiteral("done r1"), QStringLiteral("done r3"),
            QStringLiteral("disconnected 1006") }));
    QVERIFY(dones.at(0).ok);
    for (const DoneMessage &lost : { dones.at(1), dones.at(2) }) {
        QVERIFY(!lost.ok);
        QCOMPARE(lost.error->kind, LoadError::Kind::ConnectionFailed);
        QVERIFY2(lost.error->message.startsWith(u"connection to the probe lost: the connection was lost"),
            qPrintable(lost.error->message));
    }
    QVERIFY(client.runsInFlight().isEmpty());
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
}

void tst_ProbeClient::reconnectDelays()
{
    const ProbeClient::ReconnectPolicy policy { 10, 500ms, 2.0, 3'000ms };
    QCOMPARE(policy.delayBefore(1), 500ms);
    QCOMPARE(policy.delayBefore(2), 1'000ms);
    QCOMPARE(policy.delayBefore(3), 2'000ms);
    QCOMPARE(policy.delayBefore(4), 3'000ms);
    QCOMPARE(policy.delayBefore(1000), 3'000ms);
    QCOMPARE(ProbeClient::ReconnectPolicy {}.maxAttempts, 0);
}

void tst_ProbeClient::reconnectsWithBackoff()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    client.setReconnectPolicy({ 5, 50ms, 2.0, 1'000ms });
    QVERIFY(connectReady(client, probe));
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QSignalSpy reconnecting(&client, &ProbeClient::reconnecting);

    probe.abortNextConnections = 1; // the first attempt fails too
    probe.abortCurrent();
    QVERIFY(ready.wait());
    QCOMPARE(client.state(), ProbeClient::State::Ready);
    QCOMPARE(reconnecting.size(), 2);
    QCOMPARE(reconnecting.at(0).at(0).toInt(), 1);
    QCOMPARE(qvariant_cast<std::chrono::milliseconds>(reconnecting.at(0).at(1)), 50ms);
    QCOMPARE(reconnecting.at(1).at(0).toInt(), 2);
    QCOMPARE(qvariant_cast<std::chrono::milliseconds>(reconnecting.at(1).at(1)), 100ms);
    QCOMPARE(disconnected.size(), 2);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1006);
    QCOMPARE(failed.size(), 1); // the attempt that was dropped
    QCOMPARE(probe.connectionCount, 3);
    // The new connection did its own handshake and works.
    QCOMPARE(probe.frameTypes().mid(probe.frames.size() - 2),
        (QStringList { QStringLiteral("auth"), QStringLiteral("hello") }));
    QVERIFY(client.submit(QStringLiteral("after"), QUrl(QStringLiteral("https://example.com/"))));
    QTRY_COMPARE(probe.frameTypes().last(), QStringLiteral("run"));

    // A later drop starts counting afresh.
    reconnecting.clear();
    probe.abortCurrent();
    QVERIFY(ready.wait());
    QCOMPARE(reconnecting.size(), 1);
    QCOMPARE(reconnecting.at(0).at(0).toInt(), 1);
}

void tst_ProbeClient::reconnectGivesUp()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    client.setReconnectPolicy({ 2, 20ms, 2.0, 1'000ms });
    QVERIFY(connectReady(client, probe));
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy reconnecting(&client, &ProbeClient::reconnecting);
    probe.abortNextConnections = 100;
    probe.abortCurrent();
    QTRY_COMPARE(failed.size(), 2);
    QVERIFY2(failed.at(1).at(0).toString().startsWith(u"gave up after 2 reconnection attempts: "),
        qPrintable(failed.at(1).at(0).toString()));
    QTest::qWait(200);
    QCOMPARE(reconnecting.size(), 2);
    QCOMPARE(probe.connectionCount, 3);
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
}

void tst_ProbeClient::noReconnectAfterAuthRefusal()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    client.setReconnectPolicy({ 5, 20ms, 2.0, 1'000ms });
    QVERIFY(connectReady(client, probe));
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QSignalSpy reconnecting(&client, &ProbeClient::reconnecting);
    probe.token = QStringLiteral("rotated");
    probe.abortCurrent();
    QTRY_COMPARE(disconnected.size(), 2);
    QCOMPARE(disconnected.at(1).at(0).toInt(), 4001);
    QTest::qWait(200);
    QCOMPARE(reconnecting.size(), 1);
    QCOMPARE(probe.connectionCount, 2);
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
}

void tst_ProbeClient::noReconnectAfterFirstAttemptFails()
{
    // Only a connection that once worked is reconnected: a wrong address fails once, for the caller to decide.
    FakeProbe probe;
    probe.abortNextConnections = 1;
    QVERIFY(probe.listen());
    ProbeClient client;
    client.setReconnectPolicy({ 5, 20ms, 2.0, 1'000ms });
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy reconnecting(&client, &ProbeClient::reconnecting);
    client.connectToProbe(probe.endpoint());
    QVERIFY(failed.wait());
    QTest::qWait(200);
    QCOMPARE(reconnecting.size(), 0);
    QCOMPARE(probe.connectionCount, 1);
}

void tst_ProbeClient::shedConnectionIsRetried()
{
    // A probe with too many connections waiting to authenticate sheds the oldest with 4003: not a refusal. The
    // client comes back after the delay the probe named, within the same attempt, and nobody hears of it.
    FakeProbe probe;
    probe.closeAtOnceCode = 4003;
    probe.closeAtOnceCount = 2;
    probe.closeAtOnceReason = RetryAfter::reason(200ms);
    QVERIFY(probe.listen());
    ProbeClient client;
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QElapsedTimer clock;
    clock.start();
    QVERIFY(connectReady(client, probe));
    QVERIFY2(clock.elapsed() >= 400, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(probe.connectionCount, 3);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(disconnected.size(), 0);

    // Not beyond the handshake deadline: a retry that would end after it ends the attempt with the probe's 4003.
    // (A delay far beyond the deadline, so that a slow machine cannot reach the deadline first.)
    FakeProbe full;
    full.closeAtOnceCode = 4003;
    full.closeAtOnceReason = RetryAfter::reason(30s);
    QVERIFY(full.listen());
    ProbeClient late;
    late.setHandshakeTimeout(5'000ms);
    QSignalSpy lateFailed(&late, &ProbeClient::failed);
    QSignalSpy lateDisconnected(&late, &ProbeClient::disconnected);
    late.connectToProbe(full.endpoint());
    QVERIFY(lateFailed.wait(10'000));
    QCOMPARE(lateFailed.at(0).at(0).toString(), QStringLiteral("the probe asked to be tried again later"));
    QCOMPARE(lateDisconnected.size(), 1);
    QCOMPARE(lateDisconnected.at(0).at(0).toInt(), 4003);
    QCOMPARE(full.connectionCount, 1);
}

void tst_ProbeClient::shedBeforeTheUpgradeIsRetried()
{
    // Before the upgrade a probe sheds with HTTP 503: the client retries that too, until its deadline.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost));
    int connections = 0;
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *socket = server.nextPendingConnection()) {
            ++connections;
            connect(socket, &QIODevice::readyRead, socket, [socket] {
                socket->write("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n");
                socket->disconnectFromHost();
            });
        }
    });
    ProbeClient client;
    client.setHandshakeTimeout(2'500ms);
    QSignalSpy failed(&client, &ProbeClient::failed);
    ProbeClient::Endpoint endpoint;
    endpoint.url = QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort()));
    endpoint.token = goodToken;
    client.connectToProbe(endpoint);
    QVERIFY(failed.wait(6'000));
    QVERIFY2(connections >= 2, qPrintable(QString::number(connections)));
    QCOMPARE(failed.size(), 1);
}

void tst_ProbeClient::shedAfterReadyReconnects()
{
    // A 4003 is never final: after ready() it is a drop like any other, reconnected after at least its delay.
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    client.setReconnectPolicy({ 3, 10ms, 2.0, 100ms });
    QVERIFY(connectReady(client, probe));
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy reconnecting(&client, &ProbeClient::reconnecting);
    probe.current->close(QWebSocketProtocol::CloseCode(4003), RetryAfter::reason(300ms));
    QVERIFY(ready.wait(5'000));
    QCOMPARE(reconnecting.size(), 1);
    QCOMPARE(qvariant_cast<std::chrono::milliseconds>(reconnecting.at(0).at(1)), 300ms);
    QCOMPARE(probe.connectionCount, 2);
}

void tst_ProbeClient::extraHeadersReachTheProbe()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    ProbeClient::Endpoint endpoint = probe.endpoint();
    endpoint.headers = { { "fly-force-instance-id", "e784079b449dd8" }, { "X-WorldSpeed-Test", "one two" } };
    QVERIFY(connectReady(client, probe, endpoint));
    QCOMPARE(probe.requests.size(), 1);
    const QNetworkRequest &request = probe.requests.first();
    QCOMPARE(request.rawHeader("fly-force-instance-id"), QByteArray("e784079b449dd8"));
    QCOMPARE(request.rawHeader("x-worldspeed-test"), QByteArray("one two"));

    // Headers cannot smuggle lines into the upgrade request.
    ProbeClient other;
    QSignalSpy failed(&other, &ProbeClient::failed);
    endpoint.headers = { { "x-evil", "a\r\nauthorization: b" } };
    other.connectToProbe(endpoint);
    QVERIFY(failed.wait());
    QCOMPARE(probe.connectionCount, 1);
}

void tst_ProbeClient::closeIsCleanAndFinal()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    client.setReconnectPolicy({ 5, 20ms, 2.0, 1'000ms });
    QVERIFY(connectReady(client, probe));
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QSignalSpy reconnecting(&client, &ProbeClient::reconnecting);
    QSignalSpy done(&client, &ProbeClient::done);
    QVERIFY(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/"))));
    client.close();
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1000);
    QCOMPARE(done.size(), 1);
    QCOMPARE(qvariant_cast<DoneMessage>(done.at(0).at(1)).error->kind, LoadError::Kind::Cancelled);
    QTRY_COMPARE(probe.closeCodes, QList<int> { 1000 });
    QTest::qWait(200);
    QCOMPARE(reconnecting.size(), 0);
    QCOMPARE(failed.size(), 0);
    QCOMPARE(probe.connectionCount, 1);
    client.close(); // twice is harmless
    QCOMPARE(disconnected.size(), 1);
}

void tst_ProbeClient::destructionClosesCleanly()
{
    FakeProbe probe;
    QVERIFY(probe.listen());
    auto client = std::make_unique<ProbeClient>();
    QVERIFY(connectReady(*client, probe));
    client.reset();
    QTRY_COMPARE(probe.closeCodes, QList<int> { 1000 });
}

void tst_ProbeClient::wss_data()
{
    QTest::addColumn<bool>("caSigned"); // else self-signed
    QTest::addColumn<QString>("pin"); // none, hex, HEX:WITH:COLONS, raw, wrong
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("reason");
    QTest::newRow("self-signed, pinned (hex)") << false << QStringLiteral("hex") << true << QString();
    QTest::newRow("self-signed, pinned (HEX:COLONS)") << false << QStringLiteral("colons") << true << QString();
    QTest::newRow("self-signed, pinned (raw)") << false << QStringLiteral("raw") << true << QString();
    QTest::newRow("self-signed, wrong pin") << false << QStringLiteral("wrong") << false
                                            << QStringLiteral("the probe's certificate does not match the pin");
    QTest::newRow("self-signed, no pin") << false << QStringLiteral("none") << false
                                         << QStringLiteral("the probe's TLS certificate was not accepted");
    QTest::newRow("trusted CA, no pin") << true << QStringLiteral("none") << true << QString();
    QTest::newRow("trusted CA, pinned") << true << QStringLiteral("hex") << true << QString();
    QTest::newRow("trusted CA, wrong pin")
        << true << QStringLiteral("wrong") << false << QStringLiteral("the probe's certificate does not match the pin");
}

void tst_ProbeClient::wss()
{
    QFETCH(bool, caSigned);
    QFETCH(QString, pin);
    QFETCH(bool, accepted);
    QFETCH(QString, reason);
    if (!QSslSocket::supportsSsl())
        QSKIP("Qt has no TLS backend here");
    static TestCertificates certificates;
    static const bool made = certificates.make();
    if (!made && certificates.error == u"the openssl command is not installed")
        QSKIP("the openssl command is not installed: cannot make a certificate for the wss tests");
    QVERIFY2(made, qPrintable(certificates.error));

    const QSslCertificate &certificate = caSigned ? certificates.leaf : certificates.selfSigned;
    QSslConfiguration serverTls = QSslConfiguration::defaultConfiguration();
    serverTls.setPeerVerifyMode(QSslSocket::VerifyNone);
    serverTls.setLocalCertificate(certificate);
    serverTls.setPrivateKey(caSigned ? certificates.leafKey : certificates.selfSignedKey);
    FakeProbe probe(QWebSocketServer::SecureMode);
    probe.setSslConfiguration(serverTls);
    QVERIFY(probe.listen());
    QCOMPARE(probe.url().scheme(), QStringLiteral("wss"));

    // "Trusted CA" means the client's default configuration trusts our test CA, as it would a public one.
    const QSslConfiguration originalDefault = QSslConfiguration::defaultConfiguration();
    const auto restore = qScopeGuard([&] { QSslConfiguration::setDefaultConfiguration(originalDefault); });
    if (caSigned) {
        QSslConfiguration trusting = originalDefault;
        trusting.addCaCertificate(certificates.ca);
        QSslConfiguration::setDefaultConfiguration(trusting);
    }

    ProbeClient::Endpoint endpoint = probe.endpoint();
    const QByteArray digest = certificate.digest(QCryptographicHash::Sha256);
    if (pin == u"hex")
        endpoint.pinnedCertificateSha256 = digest.toHex();
    else if (pin == u"colons")
        endpoint.pinnedCertificateSha256 = digest.toHex(':').toUpper();
    else if (pin == u"raw")
        endpoint.pinnedCertificateSha256 = digest;
    else if (pin == u"wrong")
        endpoint.pinnedCertificateSha256 = QCryptographicHash::hash("another certificate", QCryptographicHash::Sha256);

    ProbeClient client;
    client.setReconnectPolicy({ 3, 20ms, 2.0, 100ms });
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy failed(&client, &ProbeClient::failed);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    client.connectToProbe(endpoint);
    if (accepted) {
        QVERIFY2(ready.wait(), qPrintable(failed.isEmpty() ? QString() : failed.at(0).at(0).toString()));
        QCOMPARE(probe.frameTypes(), (QStringList { QStringLiteral("auth"), QStringLiteral("hello") }));
        return;
    }
    QVERIFY(failed.wait());
    QVERIFY2(failed.at(0).at(0).toString().startsWith(reason), qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(disconnected.size(), 1);
    QCOMPARE(disconnected.at(0).at(1).toString(), failed.at(0).at(0).toString());
    QTest::qWait(100);
    QCOMPARE(ready.size(), 0);
    // Refused during the TLS handshake: the probe never saw an upgrade request, let alone the token.
    QCOMPARE(probe.connectionCount, 0);
    QVERIFY(probe.frames.isEmpty());
}

QTEST_GUILESS_MAIN(tst_ProbeClient)
#include "tst_probeclient.moc"
