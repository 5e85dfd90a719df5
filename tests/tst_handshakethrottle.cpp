// HandshakeThrottle on a clock the test drives: delays per address block, forgetting, and its bound.
#include "handshakethrottle.h"

#include <QTest>

using namespace std::chrono_literals;

class tst_HandshakeThrottle : public QObject
{
    Q_OBJECT

private slots:
    void delayDoublesUpToItsCap();
    void blocks_data();
    void blocks();
    void oldFailuresNoLongerCount();
    void pruneForgetsBlocksThatNeverReturn();
    void boundedInSize();
};

void tst_HandshakeThrottle::delayDoublesUpToItsCap()
{
    HandshakeThrottle throttle({ 60'000ms, 250ms, 5'000ms, 16 });
    const QHostAddress address(QStringLiteral("203.0.113.7"));
    const QList<std::chrono::milliseconds> expected { 250ms, 500ms, 1'000ms, 2'000ms, 4'000ms, 5'000ms, 5'000ms };
    for (qsizetype i = 0; i < expected.size(); ++i)
        QCOMPARE(throttle.noteFailure(address, qint64(i) * 10), expected.at(i));
    QCOMPARE(throttle.recentFailures(address, 100), 7);
    QCOMPARE(throttle.size(), 1);
}

void tst_HandshakeThrottle::blocks_data()
{
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("second");
    QTest::addColumn<bool>("sameBlock");
    QTest::newRow("same IPv4") << QStringLiteral("203.0.113.7") << QStringLiteral("203.0.113.7") << true;
    QTest::newRow("next IPv4") << QStringLiteral("203.0.113.7") << QStringLiteral("203.0.113.8") << false;
    QTest::newRow("same IPv6 /64") << QStringLiteral("2001:db8:1:2::1") << QStringLiteral("2001:db8:1:2:ffff:1:2:3")
                                   << true;
    QTest::newRow("next IPv6 /64") << QStringLiteral("2001:db8:1:2::1") << QStringLiteral("2001:db8:1:3::1") << false;
    QTest::newRow("IPv4-mapped") << QStringLiteral("::ffff:203.0.113.7") << QStringLiteral("203.0.113.7") << true;
}

void tst_HandshakeThrottle::blocks()
{
    QFETCH(QString, first);
    QFETCH(QString, second);
    QFETCH(bool, sameBlock);
    QCOMPARE(
        HandshakeThrottle::blockOf(QHostAddress(first)) == HandshakeThrottle::blockOf(QHostAddress(second)), sameBlock);
    HandshakeThrottle throttle;
    throttle.noteFailure(QHostAddress(first), 0);
    QCOMPARE(throttle.recentFailures(QHostAddress(second), 1), sameBlock ? 1 : 0);
    // A host that rotates its address within its /64 is slowed down all the same.
    QCOMPARE(throttle.noteFailure(QHostAddress(second), 2), sameBlock ? 500ms : 250ms);
}

void tst_HandshakeThrottle::oldFailuresNoLongerCount()
{
    HandshakeThrottle throttle({ 1'000ms, 250ms, 5'000ms, 16 });
    const QHostAddress address(QStringLiteral("198.51.100.1"));
    QCOMPARE(throttle.noteFailure(address, 0), 250ms);
    QCOMPARE(throttle.noteFailure(address, 500), 500ms);
    QCOMPARE(throttle.recentFailures(address, 1'500), 2); // the window runs from the last failure
    QCOMPARE(throttle.recentFailures(address, 1'501), 0);
    QCOMPARE(throttle.noteFailure(address, 2'000), 250ms);
}

void tst_HandshakeThrottle::pruneForgetsBlocksThatNeverReturn()
{
    HandshakeThrottle throttle({ 1'000ms, 250ms, 5'000ms, 64 });
    for (int i = 1; i <= 10; ++i)
        throttle.noteFailure(QHostAddress(QStringLiteral("192.0.2.%1").arg(i)), i * 100);
    QCOMPARE(throttle.size(), 10);
    throttle.prune(1'000);
    QCOMPARE(throttle.size(), 10);
    throttle.prune(1'550); // those whose last failure was at 100 … 500 ms are past the window
    QCOMPARE(throttle.size(), 5);
    throttle.prune(60'000);
    QCOMPARE(throttle.size(), 0);
}

void tst_HandshakeThrottle::boundedInSize()
{
    HandshakeThrottle throttle({ 60'000ms, 250ms, 5'000ms, 4 });
    for (int i = 1; i <= 10; ++i) {
        throttle.noteFailure(QHostAddress(QStringLiteral("192.0.2.%1").arg(i)), i);
        QVERIFY(throttle.size() <= 4);
    }
    // The blocks heard from least recently made room.
    QCOMPARE(throttle.recentFailures(QHostAddress(QStringLiteral("192.0.2.1")), 20), 0);
    QCOMPARE(throttle.recentFailures(QHostAddress(QStringLiteral("192.0.2.6")), 20), 0);
    for (int i = 7; i <= 10; ++i)
        QCOMPARE(throttle.recentFailures(QHostAddress(QStringLiteral("192.0.2.%1").arg(i)), 20), 1);
}

QTEST_GUILESS_MAIN(tst_HandshakeThrottle)
#include "tst_handshakethrottle.moc"
