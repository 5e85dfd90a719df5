// HandshakeCheck: the gate's decisions on an unauthenticated connection's bytes, without sockets (tst_connectiongate
// drives the same decisions over real ones; tests/fuzz/fuzz_handshake.cpp throws arbitrary bytes at them).
#include "handshakecheck.h"

#include <QTest>

namespace {

const QByteArray token = QByteArrayLiteral("s3cr3t-token");
const QByteArray request = QByteArrayLiteral("GET / HTTP/1.1\r\nHost: 127.0.0.1:7300\r\nUpgrade: websocket\r\n"
                                             "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");

} // namespace

class tst_HandshakeCheck : public QObject
{
    Q_OBJECT

private slots:
    void upgradeRequest_data();
    void upgradeRequest();
    void firstFrame_data();
    void firstFrame();
    void tooLargeFrameCarriesItsError();
    void constantTimeEquals();
};

void tst_HandshakeCheck::upgradeRequest_data()
{
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<qsizetype>("limit");
    QTest::addColumn<HandshakeCheck::Upgrade>("verdict");
    using U = HandshakeCheck::Upgrade;
    QTest::newRow("a client's request") << request + "\r\n" << qsizetype(8192) << U::Acceptable;
    QTest::newRow("the first frame already behind it")
        << request + "\r\n{\"type\":\"auth\"}" << qsizetype(8192) << U::Acceptable;
    QTest::newRow("not ended yet") << request << qsizetype(8192) << U::Incomplete;
    QTest::newRow("not ended at the limit") << QByteArray(64, 'a') << qsizetype(64) << U::TooLarge;
    QTest::newRow("ends just past the limit") << QByteArray(62, 'a') + "\r\n\r\n" << qsizetype(64) << U::TooLarge;
    QTest::newRow("ends at the limit") << QByteArray(60, 'a') + "\r\n\r\n" << qsizetype(64) << U::Acceptable;
    QTest::newRow("Origin") << request + "Origin: https://attacker.example\r\n\r\n" << qsizetype(8192) << U::HasOrigin;
    QTest::newRow("origin, any case and spacing") << request + " oRiGiN\t: x\r\n\r\n"
                                                  << qsizetype(8192) << U::HasOrigin;
    QTest::newRow("the drafts' header") << request + "Sec-WebSocket-Origin: http://a\r\n\r\n"
                                        << qsizetype(8192) << U::HasOrigin;
    QTest::newRow("Origin in the request line is no header")
        << QByteArray("GET /Origin: HTTP/1.1\r\nHost: x\r\n\r\n") << qsizetype(8192) << U::Acceptable;
    QTest::newRow("Origin after the header is a frame's business") << request + "\r\nOrigin: x\r\n\r\n"
                                                                   << qsizetype(8192) << U::Acceptable;
    QTest::newRow("a header named like Origin") << request + "X-Origin: x\r\n\r\n" << qsizetype(8192) << U::Acceptable;
}

void tst_HandshakeCheck::upgradeRequest()
{
    QFETCH(QByteArray, head);
    QFETCH(qsizetype, limit);
    QFETCH(HandshakeCheck::Upgrade, verdict);
    QCOMPARE(HandshakeCheck::upgradeRequest(head, limit), verdict);
}

void tst_HandshakeCheck::firstFrame_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<HandshakeCheck::FirstFrame::Kind>("kind");
    using K = HandshakeCheck::FirstFrame::Kind;
    QTest::newRow("right token") << QStringLiteral(R"({"type":"auth","v":1,"token":"s3cr3t-token"})")
                                 << K::Authenticated;
    QTest::newRow("wrong token") << QStringLiteral(R"({"type":"auth","v":1,"token":"s3cr3t-tokeN"})") << K::WrongToken;
    QTest::newRow("a prefix of the token")
        << QStringLiteral(R"({"type":"auth","v":1,"token":"s3cr3t"})") << K::WrongToken;
    QTest::newRow("hello first") << QStringLiteral(R"({"type":"hello","v":1,"role":"client"})") << K::NotAuth;
    QTest::newRow("not JSON") << QStringLiteral("GET / HTTP/1.1") << K::NotAuth;
    QTest::newRow("empty") << QString() << K::NotAuth;
    QTest::newRow("over 8 KiB") << QStringLiteral(R"({"type":"auth","v":1,"token":"%1"})").arg(QString(9000, u'a'))
                                << K::TooLarge;
}

void tst_HandshakeCheck::firstFrame()
{
    QFETCH(QString, text);
    QFETCH(HandshakeCheck::FirstFrame::Kind, kind);
    QCOMPARE(HandshakeCheck::firstFrame(text, token).kind, kind);
}

void tst_HandshakeCheck::tooLargeFrameCarriesItsError()
{
    const auto verdict = HandshakeCheck::firstFrame(QString(9000, u'x'), token);
    QCOMPARE(verdict.kind, HandshakeCheck::FirstFrame::Kind::TooLarge);
    QCOMPARE(verdict.error.code, ProtocolError::frameTooLarge);
    QVERIFY(!verdict.error.message.isEmpty());
}

void tst_HandshakeCheck::constantTimeEquals()
{
    QVERIFY(HandshakeCheck::constantTimeEquals(token, token));
    QVERIFY(!HandshakeCheck::constantTimeEquals(token + 'x', token));
    QVERIFY(!HandshakeCheck::constantTimeEquals(token.chopped(1), token));
    QVERIFY(!HandshakeCheck::constantTimeEquals({}, token));
    QVERIFY2(!HandshakeCheck::constantTimeEquals({}, {}), "an empty expected token matches nothing");
}

QTEST_GUILESS_MAIN(tst_HandshakeCheck)
#include "tst_handshakecheck.moc"
