// How ProbeClient's connection to a scripted probe on loopback ends and comes back: reconnection with back-off and
// when it gives up, a probe shedding the connection (4003, or HTTP 503 before the upgrade), and close() and the
// destructor closing cleanly.

#include "fleet/probeclient.h"
#include "protocol/codec.h"
#include "protocol/message.h"
#include "scriptedprobe.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>

using namespace std::chrono_literals;

class tst_ProbeClientConnection : public QObject
{
    Q_OBJECT

private slots:
    void reconnectDelays();
    void reconnectsWithBackoff();
    void reconnectGivesUp();
    void noReconnectAfterAuthRefusal();
    void noReconnectAfterFirstAttemptFails();
    void shedConnectionIsRetried();
    void shedBeforeTheUpgradeIsRetried();
    void shedAfterReadyReconnects();
    void closeIsCleanAndFinal();
    void destructionClosesCleanly();
};

void tst_ProbeClientConnection::reconnectDelays()
{
    const ProbeClient::ReconnectPolicy policy { 10, 500ms, 2.0, 3'000ms };
    QCOMPARE(policy.delayBefore(1), 500ms);
    QCOMPARE(policy.delayBefore(2), 1'000ms);
    QCOMPARE(policy.delayBefore(3), 2'000ms);
    QCOMPARE(policy.delayBefore(4), 3'000ms);
    QCOMPARE(policy.delayBefore(1000), 3'000ms);
    QCOMPARE(ProbeClient::ReconnectPolicy {}.maxAttempts, 0);
}

void tst_ProbeClientConnection::reconnectsWithBackoff()
{
    ScriptedProbe probe;
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

void tst_ProbeClientConnection::reconnectGivesUp()
{
    ScriptedProbe probe;
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

void tst_ProbeClientConnection::noReconnectAfterAuthRefusal()
{
    ScriptedProbe probe;
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

void tst_ProbeClientConnection::noReconnectAfterFirstAttemptFails()
{
    // Only a connection that once worked is reconnected: a wrong address fails once, for the caller to decide.
    ScriptedProbe probe;
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

void tst_ProbeClientConnection::shedConnectionIsRetried()
{
    // A probe with too many connections waiting to authenticate sheds the oldest with 4003: not a refusal. The
    // client comes back after the delay the probe named, within the same attempt, and nobody hears of it.
    ScriptedProbe probe;
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
    ScriptedProbe full;
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

void tst_ProbeClientConnection::shedBeforeTheUpgradeIsRetried()
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
    endpoint.token = ScriptedProbe::goodToken;
    client.connectToProbe(endpoint);
    QVERIFY(failed.wait(6'000));
    QVERIFY2(connections >= 2, qPrintable(QString::number(connections)));
    QCOMPARE(failed.size(), 1);
}

void tst_ProbeClientConnection::shedAfterReadyReconnects()
{
    // A 4003 is never final: after ready() it is a drop like any other, reconnected after at least its delay.
    ScriptedProbe probe;
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

void tst_ProbeClientConnection::closeIsCleanAndFinal()
{
    ScriptedProbe probe;
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

void tst_ProbeClientConnection::destructionClosesCleanly()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    auto client = std::make_unique<ProbeClient>();
    QVERIFY(connectReady(*client, probe));
    client.reset();
    QTRY_COMPARE(probe.closeCodes, QList<int> { 1000 });
}

QTEST_GUILESS_MAIN(tst_ProbeClientConnection)
#include "tst_probeclientconnection.moc"
