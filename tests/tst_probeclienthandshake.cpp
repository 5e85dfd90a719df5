// ProbeClient's handshake against a scripted probe on loopback: auth and hello, the close codes and versions that
// end it, the endpoints it refuses before connecting, and TLS (a CA chain or a pinned certificate). The probe does
// exactly what each test needs, including the wrong things; the real probe server has its own tests that use this
// client.

#include "fleet/probeclient.h"
#include "protocol/codec.h"
#include "protocol/message.h"
#include "protocoltext.h"
#include "scriptedprobe.h"
#include "testcertificates.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QSslConfiguration>
#include <QSslSocket>
#include <QTest>
#include <QWebSocket>

using namespace std::chrono_literals;

class tst_ProbeClientHandshake : public QObject
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
    void extraHeadersReachTheProbe();
    void wss_data();
    void wss();
};

void tst_ProbeClientHandshake::handshake()
{
    ScriptedProbe probe;
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
    QCOMPARE(probe.frames.at(0).value(u"token").toString(), ScriptedProbe::goodToken);
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

void tst_ProbeClientHandshake::wrongTokenIsRefused()
{
    ScriptedProbe probe;
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

void tst_ProbeClientHandshake::closeCodesAreNamed_data()
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

void tst_ProbeClientHandshake::closeCodesAreNamed()
{
    QFETCH(int, code);
    QFETCH(QString, reason);
    QCOMPARE(ProbeClient::closeCodeDescription(code).left(reason.indexOf(u':')), reason.left(reason.indexOf(u':')));

    ScriptedProbe probe;
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

void tst_ProbeClientHandshake::versionOutsideOurRangeFails()
{
    ScriptedProbe probe;
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

void tst_ProbeClientHandshake::unreadableHelloFails()
{
    ScriptedProbe probe;
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

void tst_ProbeClientHandshake::handshakeTimeout()
{
    ScriptedProbe probe;
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

void tst_ProbeClientHandshake::invalidEndpointFails_data()
{
    QTest::addColumn<QUrl>("url");
    QTest::addColumn<QString>("token");
    QTest::addColumn<QByteArray>("pin");
    QTest::addColumn<QString>("reason");
    const QUrl ws(QStringLiteral("ws://127.0.0.1:9/"));
    const QUrl wss(QStringLiteral("wss://127.0.0.1:9/"));
    QTest::newRow("http url") << QUrl(QStringLiteral("http://127.0.0.1:9/")) << ScriptedProbe::goodToken << QByteArray()
                              << QStringLiteral("not a ws:// or wss:// URL");
    QTest::newRow("empty token") << ws << QString() << QByteArray() << QStringLiteral("the token must be");
    QTest::newRow("pin on ws") << ws << ScriptedProbe::goodToken << QByteArray(64, 'a')
                               << QStringLiteral("a certificate pin needs a wss:// URL");
    QTest::newRow("short pin") << wss << ScriptedProbe::goodToken << QByteArray("abcd")
                               << QStringLiteral("the certificate pin is neither");
}

void tst_ProbeClientHandshake::invalidEndpointFails()
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

void tst_ProbeClientHandshake::cleartextOnlyOnLoopback_data()
{
    QTest::addColumn<QUrl>("url");
    // Host names under .invalid never resolve (RFC 6761), so that even a client that did not refuse would send
    // nothing anywhere but to its own resolver. (Addresses are CleartextPolicy's, checked without a socket in
    // tst_staticbackend.)
    QTest::newRow("name") << QUrl(QStringLiteral("ws://probe.invalid:8700/"));
    QTest::newRow("localhost look-alike") << QUrl(QStringLiteral("ws://localhost.invalid:8700/"));
}

void tst_ProbeClientHandshake::cleartextOnlyOnLoopback()
{
    // ws:// off loopback would hand the token to anyone on the path: refused before a socket is opened, with
    // the host and the fix in the reason.
    QFETCH(QUrl, url);
    ProbeClient client;
    QSignalSpy failed(&client, &ProbeClient::failed);
    ProbeClient::Endpoint endpoint;
    endpoint.url = url;
    endpoint.token = ScriptedProbe::goodToken;
    client.connectToProbe(endpoint);
    // Checked before the event loop runs: nothing was opened, so nothing can have been sent.
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
    QVERIFY(failed.wait());
    const QString reason = failed.at(0).at(0).toString();
    QVERIFY2(reason.startsWith(QStringLiteral("refusing ws://%1:8700: the probe token would cross the network to %1 "
                                              "unencrypted; use a wss:// URL, or set \"insecurePlaintext\": true")
                                   .arg(url.host())),
        qPrintable(reason));
    QVERIFY2(!reason.contains(ScriptedProbe::goodToken), qPrintable(reason));
}

void tst_ProbeClientHandshake::cleartextToLocalhostIsAllowed()
{
    // Loopback by name too: the traffic stays on this machine.
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    ProbeClient::Endpoint endpoint = probe.endpoint();
    endpoint.url.setHost(QStringLiteral("localhost"));
    QVERIFY(connectReady(client, probe, endpoint));
}

void tst_ProbeClientHandshake::extraHeadersReachTheProbe()
{
    ScriptedProbe probe;
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

void tst_ProbeClientHandshake::wss_data()
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

void tst_ProbeClientHandshake::wss()
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
    ScriptedProbe probe(QWebSocketServer::SecureMode);
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

QTEST_GUILESS_MAIN(tst_ProbeClientHandshake)
#include "tst_probeclienthandshake.moc"
