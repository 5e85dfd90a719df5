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
    void thePagesReportIsCheckedNotTrusted();
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

void TestBlockingTime::thePagesReportIsCheckedNotTrusted()
{
    const QJsonArray entries { QJsonArray { 10, 60 }, QJsonArray { 20 }, QStringLiteral("x"), QJsonArray { -5, 80 },
        QJsonArray { 30, QStringLiteral("70") }, QJsonArray { 40, 1e300 }, QJsonArray { 50, 55, 1 },
        QJsonArray { 100.5, 75.25 } };
    const QList<BlockingTime::Task> tasks = BlockingTime::tasksFromJson(entries);
    QCOMPARE(tasks.size(), 2);
    QCOMPARE(tasks[0].startMs, 10.0);
    QCOMPARE(tasks[1].durationMs, 75.25);
    QJsonArray many;
    for (int i = 0; i < BlockingTime::maxTasks + 5; ++i)
        many.append(QJsonArray { i, 60 });
    QCOMPARE(BlockingTime::tasksFromJson(many).size(), BlockingTime::maxTasks);
}

QTEST_GUILESS_MAIN(TestBlockingTime)
#include "tst_blockingtime.moc"
