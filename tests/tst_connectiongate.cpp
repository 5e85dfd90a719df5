// ConnectionGate over real sockets on loopback: the caps and who is shed, the delay before a wrong token's refusal
// and none for the right one, the upgrade's checks and the limits before `auth`. No browser: the test simply keeps
// what the gate lets in.
#include "connectiongate.h"
#include "protocolpeer.h"
#include "rawwebsocket.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSslCertificate>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

#include <arpa/inet.h>
#include <future>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

using namespace std::chrono_literals;

namespace {

const QByteArray token = "gate-test-token-0123456789";

QByteArray authFrame(const QByteArray &tokenText)
{
    return R"({"v":1,"type":"auth","token":")" + tokenText + R"("})";
}

// A self-signed certificate for 127.0.0.1, made with the openssl command; nullopt (and why) when it cannot be.
std::optional<QSslConfiguration> selfSignedTls(QString *why)
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    QTemporaryDir dir;
    if (openssl.isEmpty() || !dir.isValid()) {
        *why = QStringLiteral("the openssl command is not installed");
        return std::nullopt;
    }
    QProcess process;
    process.setWorkingDirectory(dir.path());
    process.start(openssl,
        { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
            QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
            QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-days"), QStringLiteral("2"),
            QStringLiteral("-keyout"), QStringLiteral("key.pem"), QStringLiteral("-out"), QStringLiteral("cert.pem") });
    QFile cert(dir.filePath(QStringLiteral("cert.pem")));
    QFile key(dir.filePath(QStringLiteral("key.pem")));
    if (!process.waitForFinished(60'000) || process.exitCode() != 0 || !cert.open(QIODevice::ReadOnly)
        || !key.open(QIODevice::ReadOnly)) {
        *why = QStringLiteral("openssl failed: %1").arg(QString::fromLocal8Bit(process.readAllStandardError()));
        return std::nullopt;
    }
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setLocalCertificate(QSslCertificate(cert.readAll(), QSsl::Pem));
    tls.setPrivateKey(QSslKey(key.readAll(), QSsl::Ec, QSsl::Pem));
    tls.setPeerVerifyMode(QSslSocket::VerifyNone);
    return tls;
}

// A client as simple as most: blocking writes of a whole frame, then reads to the end. Its write fails if the
// other side resets the connection while it still sends, and it never gets to read the close frame then.
struct BlockingClient
{
    bool sentAll = false;
    int closeCode = -1;

    static BlockingClient run(quint16 port, const QByteArray &payload)
    {
        BlockingClient result;
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            return result;
        const QByteArray upgrade = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        QByteArray in;
        char buffer[65536];
        if (writeAll(fd, upgrade)) {
            while (!in.contains("\r\n\r\n")) {
                const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
                if (got <= 0)
                    break;
                in.append(buffer, got);
            }
        }
        in.remove(0, in.indexOf("\r\n\r\n") + 4);
        // A masked text frame with a zero key, so the payload goes out as it is.
        QByteArray frame("\x81\xff", 2);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame.append(char((quint64(payload.size()) >> shift) & 0xff));
        frame.append(QByteArray(4, '\0'));
        result.sentAll = writeAll(fd, frame) && writeAll(fd, payload);
        for (;;) {
            const ssize_t got = ::recv(fd, buffer, sizeof buffer, 0);
            if (got <= 0)
                break;
            in.append(buffer, got);
        }
        ::close(fd);
        // The close frame: opcode 8, a short payload that starts with the code.
        for (qsizetype i = 0; i + 3 < in.size();) {
            const int opcode = in.at(i) & 0x0f;
            qsizetype length = quint8(in.at(i + 1)) & 0x7f;
            qsizetype offset = 2;
            if (length == 126) {
                length = (quint8(in.at(i + 2)) << 8) | quint8(in.at(i + 3));
                offset = 4;
            }
            if (opcode == 0x8 && length >= 2 && i + offset + 1 < in.size())
                result.closeCode = (quint8(in.at(i + offset)) << 8) | quint8(in.at(i + offset + 1));
            i += offset + length;
        }
        return result;
    }

    static bool writeAll(int fd, const QByteArray &data)
    {
        for (qsizetype sent = 0; sent < data.size();) {
            const ssize_t n = ::send(fd, data.constData() + sent, size_t(data.size() - sent), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            sent += n;
        }
        return true;
    }
};

} // namespace

class tst_ConnectionGate : public QObject
{
    Q_OBJECT

private slots:
    void refusesWithoutValidAuth_data();
    void refusesWithoutValidAuth();
    void rightTokenGetsInThroughAFlood();
    void theOldestWaitingConnectionIsShed();
    void wrongTokensWaitLongerAndNeverLockOutTheRightOne();
    void upgradeWithOriginIsRefused_data();
    void upgradeWithOriginIsRefused();
    void upgradeRequestSizeIsBounded_data();
    void upgradeRequestSizeIsBounded();
    void oversizedFrameBeforeAuth_data();
    void oversizedFrameBeforeAuth();
    void oversizedFrameStillBeingSentIsNotReset();
    void invalidUtf8BeforeAuth();
    void deadlineRunsFromTheAccept();
    void tlsConnectionsAreCheckedToo();

private:
    // A gate on 127.0.0.1 that records the peer port of everything it lets in.
    void start(const ConnectionGate::Limits &limits = {}, std::optional<QSslConfiguration> tls = std::nullopt);
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_gate->serverPort())); }
    bool admits(ProtocolPeer &peer, int withinMs);

    std::unique_ptr<ConnectionGate> m_gate;
    QList<quint16> m_admitted;
};

void tst_ConnectionGate::start(const ConnectionGate::Limits &limits, std::optional<QSslConfiguration> tls)
{
    m_admitted.clear();
    m_gate = std::make_unique<ConnectionGate>(token, std::move(tls), limits);
    connect(m_gate.get(), &ConnectionGate::authenticated, this,
        [this](QWebSocket *socket) { m_admitted.append(socket->peerPort()); });
    QString error;
    QVERIFY2(m_gate->listen(QHostAddress::LocalHost, 0, &error), qPrintable(error));
}

bool tst_ConnectionGate::admits(ProtocolPeer &peer, int withinMs)
{
    QElapsedTimer clock;
    clock.start();
    peer.send(AuthMessage { QString::fromLatin1(token) });
    const quint16 port = peer.socket().localPort();
    while (!m_admitted.contains(port) && clock.elapsed() < withinMs)
        QTest::qWait(5);
    qInfo("the right token was let in after %lld ms", clock.elapsed());
    return m_admitted.contains(port);
}

void tst_ConnectionGate::refusesWithoutValidAuth_data()
{
    QTest::addColumn<QString>("firstFrame");
    QTest::newRow("run before auth") << QString::fromUtf8(
        R"({"v":1,"type":"run","runId":"r1","url":"http://example.com/"})");
    QTest::newRow("wrong token") << QString::fromUtf8(R"({"v":1,"type":"auth","token":"not-the-token-at-all"})");
    QTest::newRow("token prefix") << QString::fromUtf8(R"({"v":1,"type":"auth","token":"gate-test-token"})");
    QTest::newRow("empty token") << QString::fromUtf8(R"({"v":1,"type":"auth","token":""})");
    QTest::newRow("garbage") << QStringLiteral("hello?");
}

void tst_ConnectionGate::refusesWithoutValidAuth()
{
    QFETCH(QString, firstFrame);
    start();
    ProtocolPeer peer;
    QVERIFY(peer.open(url()));
    peer.sendRaw(firstFrame);
    QVERIFY(peer.waitForClose(5'000));
    QCOMPARE(peer.closeCode(), 4001);
    QVERIFY(peer.received().isEmpty()); // not a word more than the close code
    QVERIFY(m_admitted.isEmpty());
}

void tst_ConnectionGate::rightTokenGetsInThroughAFlood()
{
    ConnectionGate::Limits limits;
    limits.maxUnauthenticated = 64;
    limits.maxUnauthenticatedPerBlock = 16;
    limits.throttle.window = 1'500ms;
    limits.throttle.maxBlocks = 8;
    limits.pruneInterval = 200ms;
    start(limits);

    // 300 connections that never say a word, half before the upgrade and half after it, a third of them from the
    // right token's own address, the rest from 20 others.
    std::vector<std::unique_ptr<RawWebSocket>> silent;
    for (int i = 0; i < 300; ++i) {
        auto raw = std::make_unique<RawWebSocket>();
        const QHostAddress from(
            i % 3 == 0 ? QStringLiteral("127.0.0.1") : QStringLiteral("127.0.1.%1").arg(1 + i % 20));
        QVERIFY(raw->connectTo(url(), from));
        if (i % 2 == 0)
            raw->sendUpgradeRequest();
        silent.push_back(std::move(raw));
        QVERIFY(m_gate->waitingCount() <= limits.maxUnauthenticated);
    }
    // A burst of 50 wrong tokens, from the same address and from 25 others (more than the throttle remembers).
    std::vector<std::unique_ptr<RawWebSocket>> wrong;
    for (int i = 0; i < 50; ++i) {
        auto raw = std::make_unique<RawWebSocket>();
        const QHostAddress from(
            i % 2 == 0 ? QStringLiteral("127.0.0.1") : QStringLiteral("127.0.2.%1").arg(1 + i % 25));
        QVERIFY(raw->connectTo(url(), from));
        QCOMPARE(raw->upgrade(), 101);
        raw->sendText(authFrame("wrong-token-" + QByteArray::number(i)));
        wrong.push_back(std::move(raw));
    }
    QTest::qWait(50);
    QVERIFY(m_gate->waitingCount() <= limits.maxUnauthenticated);
    QVERIFY(m_gate->trackedBlockCount() <= limits.throttle.maxBlocks);

    // During: the refusals are still waiting out their delays.
    {
        ProtocolPeer right;
        QVERIFY(right.open(url()));
        QVERIFY(admits(right, 1'000));
    }
    QVERIFY(m_gate->waitingCount() <= limits.maxUnauthenticated);
    QVERIFY(m_gate->trackedBlockCount() <= limits.throttle.maxBlocks);

    // After: every wrong token has had its 4001 (or was shed), and the failures are forgotten on the timer,
    // although none of those addresses came back.
    for (const auto &raw : wrong) {
        QVERIFY(raw->waitForClose(10'000));
        QVERIFY2(raw->closeCode() == 4001 || raw->closeCode() == 4003 || raw->isDisconnected(),
            qPrintable(QString::number(raw->closeCode())));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_gate->trackedBlockCount(), 0, 5'000);
    ProtocolPeer after;
    QVERIFY(after.open(url()));
    QVERIFY(admits(after, 1'000));
}

void tst_ConnectionGate::theOldestWaitingConnectionIsShed()
{
    ConnectionGate::Limits limits;
    limits.maxUnauthenticatedPerBlock = 2;
    limits.retryAfter = 1'500ms;
    start(limits);
    RawWebSocket a;
    RawWebSocket b;
    RawWebSocket c;
    QVERIFY(a.connectTo(url()) && a.upgrade() == 101);
    QVERIFY(b.connectTo(url()) && b.upgrade() == 101);
    QVERIFY(c.connectTo(url()) && c.upgrade() == 101); // the newcomer is let in; the oldest goes
    QVERIFY(a.waitForClose(5'000));
    QCOMPARE(a.closeCode(), 4003);
    QCOMPARE(a.closeReason(), QByteArray("retry-after-ms=1500"));
    QCOMPARE(b.closeCode(), -1);
    QVERIFY(!b.isDisconnected());
    QCOMPARE(m_gate->waitingCount(), 2);

    // Connections still in the upgrade count too, and hear it in HTTP when they are shed.
    RawWebSocket d;
    RawWebSocket e;
    RawWebSocket f;
    QVERIFY(d.connectTo(url()));
    QVERIFY(b.waitForClose(5'000));
    QCOMPARE(b.closeCode(), 4003);
    QVERIFY(e.connectTo(url()));
    QVERIFY(c.waitForClose(5'000));
    QCOMPARE(c.closeCode(), 4003);
    QVERIFY(f.connectTo(url()));
    QVERIFY(d.waitForDisconnected(5'000));
    QCOMPARE(d.responseStatus(), 503);
    QVERIFY2(d.responseHead().contains("Retry-After: 2\r\n"), d.responseHead().constData());
    QTRY_COMPARE(m_gate->waitingCount(), 2);
    // A right token among them still gets in.
    ProtocolPeer right;
    QVERIFY(right.open(url()));
    QVERIFY(admits(right, 1'000));
}

void tst_ConnectionGate::wrongTokensWaitLongerAndNeverLockOutTheRightOne()
{
    start();
    QElapsedTimer clock;
    // 250 ms, then 500 ms, then 1 s before each 4001.
    for (const int minimumMs : { 240, 490, 990 }) {
        ProtocolPeer peer;
        QVERIFY(peer.open(url()));
        clock.start();
        peer.send(AuthMessage { QStringLiteral("not-the-token-0123456789") });
        QVERIFY(peer.waitForClose(10'000));
        QCOMPARE(peer.closeCode(), 4001);
        QVERIFY(peer.received().isEmpty());
        qInfo("refused after %lld ms", clock.elapsed());
        QVERIFY(clock.elapsed() >= minimumMs);
        QVERIFY(clock.elapsed() < minimumMs + 2'000);
    }
    // Five more, waiting out 2 … 5 s; meanwhile the right token from the same address is in at once.
    std::vector<std::unique_ptr<ProtocolPeer>> wrong;
    for (int i = 0; i < 5; ++i) {
        wrong.push_back(std::make_unique<ProtocolPeer>());
        QVERIFY(wrong.back()->open(url()));
        wrong.back()->send(AuthMessage { QStringLiteral("not-the-token-0123456789") });
    }
    ProtocolPeer right;
    QVERIFY(right.open(url()));
    QVERIFY(admits(right, 300));
    for (const auto &peer : wrong) {
        QVERIFY(peer->waitForClose(10'000));
        QCOMPARE(peer->closeCode(), 4001);
    }
}

void tst_ConnectionGate::upgradeWithOriginIsRefused_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<int>("status");
    QTest::newRow("Origin") << QByteArray("Origin: https://attacker.example") << 403;
    QTest::newRow("lower case, null") << QByteArray("origin: null") << 403;
    QTest::newRow("draft header") << QByteArray("Sec-WebSocket-Origin: http://attacker.example") << 403;
    QTest::newRow("none") << QByteArray("X-Other: origin: x") << 101;
}

void tst_ConnectionGate::upgradeWithOriginIsRefused()
{
    QFETCH(QByteArray, header);
    QFETCH(int, status);
    start();
    RawWebSocket raw;
    QVERIFY(raw.connectTo(url()));
    QCOMPARE(raw.upgrade({ header }), status);
    if (status != 101) {
        QVERIFY(raw.waitForDisconnected(5'000));
        QTRY_COMPARE(m_gate->waitingCount(), 0);
    }
}

void tst_ConnectionGate::upgradeRequestSizeIsBounded_data()
{
    QTest::addColumn<int>("padding");
    QTest::addColumn<int>("status");
    QTest::newRow("6 KiB of headers") << 6 * 1024 << 101;
    QTest::newRow("9 KiB of headers") << 9 * 1024 << 431;
    QTest::newRow("1 MiB of headers") << 1024 * 1024 << 431;
}

void tst_ConnectionGate::upgradeRequestSizeIsBounded()
{
    QFETCH(int, padding);
    QFETCH(int, status);
    start();
    RawWebSocket raw;
    QVERIFY(raw.connectTo(url()));
    QCOMPARE(raw.upgrade({ "X-Padding: " + QByteArray(padding, 'a') }), status);
    if (status != 101)
        QVERIFY(raw.waitForDisconnected(5'000));
}

void tst_ConnectionGate::oversizedFrameBeforeAuth_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("answered");
    QTest::newRow("12 KiB: read, answered") << 12 * 1024 << true;
    QTest::newRow("64 KiB: stopped at its header") << 64 * 1024 << false;
    QTest::newRow("1 MiB: stopped at its header") << 1024 * 1024 << false;
}

void tst_ConnectionGate::oversizedFrameBeforeAuth()
{
    QFETCH(int, size);
    QFETCH(bool, answered);
    start();
    RawWebSocket raw;
    QVERIFY(raw.connectTo(url()));
    QCOMPARE(raw.upgrade(), 101);
    raw.sendText(authFrame(QByteArray(size, 'a')));
    QVERIFY(raw.waitForClose(5'000));
    QCOMPARE(raw.closeCode(), 1009);
    if (answered) {
        QCOMPARE(raw.texts().size(), 1);
        QVERIFY2(raw.texts().first().contains(R"("code":"frame-too-large")"), raw.texts().first().constData());
    }
    QVERIFY(m_admitted.isEmpty());
}

void tst_ConnectionGate::oversizedFrameStillBeingSentIsNotReset()
{
    // 32 MiB is more than the sockets' buffers hold: the client is still sending when the gate closes, having
    // refused the frame at its header. Closing with its rest unread would answer with a reset, which fails the
    // client's write ("connection reset", seen as 1006) before it reads the close frame; it must send it all and
    // read 1009.
    start();
    const quint16 port = m_gate->serverPort();
    auto client = std::async(
        std::launch::async, [port] { return BlockingClient::run(port, authFrame(QByteArray(32 * 1024 * 1024, 'a'))); });
    QTRY_VERIFY_WITH_TIMEOUT(client.wait_for(std::chrono::seconds(0)) == std::future_status::ready, 30'000);
    const BlockingClient result = client.get();
    QVERIFY2(result.sentAll, "the client's write was reset");
    QCOMPARE(result.closeCode, 1009);
    QVERIFY(m_admitted.isEmpty());
}

void tst_ConnectionGate::invalidUtf8BeforeAuth()
{
    start();
    RawWebSocket raw;
    QVERIFY(raw.connectTo(url()));
    QCOMPARE(raw.upgrade(), 101);
    raw.sendText(QByteArray("{\"v\":1,\"type\":\"auth\",\"token\":\"\xc3\x28\"}"));
    QVERIFY(raw.waitForClose(5'000));
    QCOMPARE(raw.closeCode(), 1007);
}

void tst_ConnectionGate::deadlineRunsFromTheAccept()
{
    ConnectionGate::Limits limits;
    limits.authTimeoutMs = 400;
    start(limits);
    RawWebSocket beforeUpgrade;
    RawWebSocket afterUpgrade;
    QElapsedTimer clock;
    clock.start();
    QVERIFY(beforeUpgrade.connectTo(url()));
    QVERIFY(afterUpgrade.connectTo(url()));
    QCOMPARE(afterUpgrade.upgrade(), 101);
    QVERIFY(beforeUpgrade.waitForDisconnected(5'000));
    QVERIFY(afterUpgrade.waitForClose(5'000));
    QCOMPARE(afterUpgrade.closeCode(), 4002);
    QVERIFY(clock.elapsed() < 3'000);
    QTRY_COMPARE(m_gate->waitingCount(), 0);
}

void tst_ConnectionGate::tlsConnectionsAreCheckedToo()
{
    QString why;
    auto tls = selfSignedTls(&why);
    if (!tls)
        QSKIP(qPrintable(why));
    ConnectionGate::Limits limits;
    limits.authTimeoutMs = 1'000;
    limits.maxUnauthenticatedPerBlock = 2;
    start(limits, tls);
    const QUrl secure(QStringLiteral("wss://127.0.0.1:%1").arg(m_gate->serverPort()));
    // A connection that never starts TLS is counted, and shed or timed out like any other.
    RawWebSocket silent;
    QVERIFY(silent.connectTo(url()));
    QTRY_COMPARE(m_gate->waitingCount(), 1);
    // The right token over TLS gets in.
    ProtocolPeer right;
    connect(&right.socket(), &QWebSocket::sslErrors, &right, [&right] { right.socket().ignoreSslErrors(); });
    QVERIFY(right.open(secure));
    QVERIFY(admits(right, 1'000));
    // A wrong one is refused.
    ProtocolPeer wrong;
    connect(&wrong.socket(), &QWebSocket::sslErrors, &wrong, [&wrong] { wrong.socket().ignoreSslErrors(); });
    QVERIFY(wrong.open(secure));
    wrong.send(AuthMessage { QStringLiteral("not-the-token-0123456789") });
    QVERIFY(wrong.waitForClose(5'000));
    QCOMPARE(wrong.closeCode(), 4001);
    QVERIFY(silent.waitForDisconnected(5'000));
}

QTEST_GUILESS_MAIN(tst_ConnectionGate)
#include "tst_connectiongate.moc"
