#include "blockingtime.h"

#include <QTest>

// Total Blocking Time and the long-task figures, on task lists whose answer is known.
class TestBlockingTime final : public QObject
{
    Q_OBJECT

private slots:
    void sumsTheExcessOverFiftyMs();
    void clipsToTheWindow();
    void shortTasksAreIgnored();
    void noLongTasksIsZeroNotAbsent();
    void withoutFirstPaintThereIsNoWindow();
};

void TestBlockingTime::sumsTheExcessOverFiftyMs()
{
    const auto metrics = BlockingTime::compute({ { 200, 120 }, { 500, 80 }, { 900, 250 } }, 100.0, 3000.0);
    QCOMPARE(metrics.totalBlockingTimeMs, std::optional<double>(70 + 30 + 200));
    QCOMPARE(metrics.longTaskCount, 3);
    QCOMPARE(metrics.longestTaskMs, std::optional<double>(250));
}

void TestBlockingTime::clipsToTheWindow()
{
    // Starts 100 ms before FCP: 200 ms of it are in the window → 150 ms blocking. One past the window's end counts
    // only its part inside (60 ms → 10 ms), one after the end not at all.
    const auto metrics = BlockingTime::compute({ { 400, 300 }, { 940, 200 }, { 1200, 400 } }, 500.0, 1000.0);
    QCOMPARE(metrics.totalBlockingTimeMs, std::optional<double>(150 + 10));
    QCOMPARE(metrics.longTaskCount, 2);
    QCOMPARE(metrics.longestTaskMs, std::optional<double>(300));
}

void TestBlockingTime::shortTasksAreIgnored()
{
    const auto metrics = BlockingTime::compute({ { 200, 49.9 }, { 300, 50 } }, 100.0, 1000.0);
    QCOMPARE(metrics.longTaskCount, 1);
    QCOMPARE(metrics.totalBlockingTimeMs, std::optional<double>(0));
}

void TestBlockingTime::noLongTasksIsZeroNotAbsent()
{
    // The page was watched and never blocked: a true zero. The longest task does not exist.
    const auto metrics = BlockingTime::compute({}, 100.0, 1000.0);
    QCOMPARE(metrics.totalBlockingTimeMs, std::optional<double>(0));
    QCOMPARE(metrics.longTaskCount, 0);
    QVERIFY(!metrics.longestTaskMs);
}

void TestBlockingTime::withoutFirstPaintThereIsNoWindow()
{
    const auto metrics = BlockingTime::compute({ { 200, 120 } }, std::nullopt, 1000.0);
    QVERIFY(!metrics.totalBlockingTimeMs);
    QCOMPARE(metrics.longTaskCount, 1);
}

QTEST_GUILESS_MAIN(TestBlockingTime)
#include "tst_blockingtime.moc"
