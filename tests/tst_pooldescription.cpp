// The words the fleet panel shows for a pool and its runners, read from a real RegionPool over a FakeBackend whose
// runners are FakeProbes on loopback; time is a ManualClock, so a boot takes exactly as long as the test says.

#include "fakebackend.h"
#include "fakeprobe.h"
#include "fleet/poolrun.h"
#include "fleet/regionpool.h"
#include "manualclock.h"
#include "pooldescription.h"

#include <QRegularExpression>
#include <QTest>

#include <memory>

class tst_PoolDescription final : public QObject
{
    Q_OBJECT

private slots:
    void runnerStates_data();
    void runnerStates();
    void runnerCounts_data();
    void runnerCounts();
    void setup();
    void nextRunColdThenHot();
    void nextRunWaitsAtTheLimit();
    void nothingForAPoolThatFails();
};

void tst_PoolDescription::runnerStates_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<int>("active");
    QTest::addColumn<QString>("text");
    QTest::newRow("booting") << int(RunnerInfo::Booting) << 0 << QStringLiteral("booting");
    QTest::newRow("idle") << int(RunnerInfo::Ready) << 0 << QStringLiteral("idle");
    QTest::newRow("busy") << int(RunnerInfo::Ready) << 2 << QStringLiteral("busy 2/4");
    QTest::newRow("stopping") << int(RunnerInfo::Stopping) << 0 << QStringLiteral("stopping");
    QTest::newRow("failed") << int(RunnerInfo::Failed) << 0 << QStringLiteral("failed");
}

void tst_PoolDescription::runnerStates()
{
    QFETCH(int, state);
    QFETCH(int, active);
    QFETCH(QString, text);
    RunnerInfo runner;
    runner.id = QStringLiteral("fra-1");
    runner.state = RunnerInfo::State(state);
    runner.active = active;
    runner.capacity = 4;
    QCOMPARE(PoolDescription::runnerState(runner), text);
}

void tst_PoolDescription::runnerCounts_data()
{
    QTest::addColumn<int>("busy");
    QTest::addColumn<int>("idle");
    QTest::addColumn<int>("booting");
    QTest::addColumn<int>("queued");
    QTest::addColumn<QString>("text");
    QTest::newRow("none") << 0 << 0 << 0 << 0 << QStringLiteral("no runners");
    QTest::newRow("all kinds") << 1 << 2 << 1 << 3 << QStringLiteral("1 busy, 2 idle, 1 booting, 3 queued");
    QTest::newRow("queued with none up") << 0 << 0 << 0 << 1 << QStringLiteral("no runners, 1 queued");
}

void tst_PoolDescription::runnerCounts()
{
    QFETCH(int, busy);
    QFETCH(int, idle);
    QFETCH(int, booting);
    QFETCH(int, queued);
    QFETCH(QString, text);
    QCOMPARE(PoolDescription::runners({ booting, idle, busy, queued }), text);
}

void tst_PoolDescription::setup()
{
    ManualClock clock;
    FakeBackend backend(QStringLiteral("fra"));
    PoolOptions options;
    options.max = 2;
    options.maxConcurrency = 2;
    const RegionPool ranging(QStringLiteral("fra"), options, &backend, &clock);
    QCOMPARE(PoolDescription::setup(ranging), QStringLiteral("fake backend · 0–2 runners · 2 runs each"));

    options.min = 1;
    options.max = 1;
    options.singleUse = true;
    const RegionPool single(QStringLiteral("fra"), options, &backend, &clock);
    QCOMPARE(PoolDescription::setup(single), QStringLiteral("fake backend · 1 runner · 1 run each · single use"));
}

void tst_PoolDescription::nextRunColdThenHot()
{
    ManualClock clock;
    FakeBackend backend(QStringLiteral("fra"));
    PoolOptions options;
    options.max = 2;
    options.maxConcurrency = 2;
    RegionPool pool(QStringLiteral("fra"), options, &backend, &clock);

    // Nothing runs yet: the next run boots a runner, and nobody knows yet how long that takes.
    QString why;
    QCOMPARE(PoolDescription::nextRun(pool, std::nullopt, &why), QStringLiteral("next run: cold"));
    QVERIFY2(why.startsWith(QStringLiteral("No free slot")) && !why.contains(u"last boot"), qPrintable(why));

    // A run boots fra-1, which takes 2.14 s and comes up with a second slot free.
    std::unique_ptr<PoolRun> run(pool.submit(QUrl(QStringLiteral("https://example.com/"))));
    QTRY_COMPARE(backend.booting(), QStringList { QStringLiteral("fra-1") });
    clock.advance(2140);
    QVERIFY(backend.completeBoot(QStringLiteral("fra-1")));
    QTRY_VERIFY(!pool.runners().isEmpty() && pool.runners().constFirst().state == RunnerInfo::Ready);
    const std::optional<qint64> bootMs = pool.runners().constFirst().bootMs;
    QCOMPARE(bootMs, std::optional<qint64>(2140));
    QCOMPARE(PoolDescription::nextRun(pool, bootMs, &why), QStringLiteral("next run: hot · boot 2.14 s"));
    QCOMPARE(why, QStringLiteral("A ready runner has a free slot: the next run starts at once."));
}

void tst_PoolDescription::nextRunWaitsAtTheLimit()
{
    ManualClock clock;
    FakeBackend backend(QStringLiteral("fra"));
    PoolOptions options;
    options.max = 1;
    options.maxConcurrency = 1;
    RegionPool pool(QStringLiteral("fra"), options, &backend, &clock);
    std::unique_ptr<PoolRun> run(pool.submit(QUrl(QStringLiteral("https://example.com/"))));
    QTRY_COMPARE(backend.booting(), QStringList { QStringLiteral("fra-1") });

    // The one runner the pool may have is booting for the run already queued: a second run has to wait.
    QString why;
    QCOMPARE(PoolDescription::nextRun(pool, 800, &why), QStringLiteral("next run: waits · boot 800 ms"));
    QCOMPARE(
        why, QStringLiteral("All 1 runners are busy and the pool is at its maximum: the next run waits for a slot."));
}

void tst_PoolDescription::nothingForAPoolThatFails()
{
    ManualClock clock;
    PoolOptions options;
    options.min = 2;
    options.max = 1; // not a usable pool: every run fails
    FakeBackend backend(QStringLiteral("fra"));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("the pool for fra is not usable")));
    const RegionPool pool(QStringLiteral("fra"), options, &backend, &clock);
    QVERIFY(!pool.configError().isEmpty());
    QString why = QStringLiteral("untouched");
    QCOMPARE(PoolDescription::nextRun(pool, 1200, &why), QString());
    QCOMPARE(why, QStringLiteral("untouched"));
}

QTEST_GUILESS_MAIN(tst_PoolDescription)
#include "tst_pooldescription.moc"
