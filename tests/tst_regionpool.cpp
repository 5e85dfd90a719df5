// RegionPool against a FakeBackend whose runners are scripted FakeProbes on loopback. Time is a ManualClock: every
// timeout, deadline, back-off and idle shutdown is checked to the millisecond by advancing it; QTRY_* and
// QSignalSpy::wait only cover the WebSocket hops between the pool's ProbeClients and the fake probes.

#include "fakebackend.h"
#include "fakeprobe.h"
#include "fleet/poolrun.h"
#include "fleet/regionpool.h"
#include "fleet/staticbackend.h"
#include "manualclock.h"
#include "memorysecretstore.h"

#include <QPointer>
#include <QSignalSpy>
#include <QTest>

#include <memory>
#include <vector>

namespace {

const QUrl pageUrl(QStringLiteral("https://example.com/"));
constexpr qint64 oneHourMs = 3'600'000;

// One pool in region "fra", its fake backend and a manual clock.
struct Rig
{
    explicit Rig(const PoolOptions &options)
        : pool(std::make_unique<RegionPool>(QStringLiteral("fra"), options, &backend, &clock))
    { }

    std::optional<RunnerInfo> runner(const QString &id) const
    {
        const QList<RunnerInfo> runners = pool->runners();
        for (const RunnerInfo &info : runners) {
            if (info.id == id)
                return info;
        }
        return std::nullopt;
    }

    QStringList runnerIds() const
    {
        QStringList ids;
        const QList<RunnerInfo> runners = pool->runners();
        for (const RunnerInfo &info : runners)
            ids.append(info.id);
        return ids;
    }

    // Completes the runner's boot and waits until the pool has the probe's hello; null if it did not come.
    FakeProbe *bootReady(const QString &id, int capacity = 4)
    {
        FakeProbe *probe = backend.completeBoot(id, capacity);
        if (!probe)
            return nullptr;
        const bool ready = QTest::qWaitFor(
            [&] {
                const std::optional<RunnerInfo> info = runner(id);
                return info && info->state == RunnerInfo::Ready;
            },
            5000);
        return ready ? probe : nullptr;
    }

    ManualClock clock;
    FakeBackend backend { QStringLiteral("fra") };
    std::unique_ptr<RegionPool> pool; // declared last: goes first
};

// Everything one run emitted.
struct RunLog
{
    explicit RunLog(PoolRun *run)
        : run(run)
        , statuses(run, &PoolRun::status)
        , requests(run, &PoolRun::requestFinished)
        , metrics(run, &PoolRun::metrics)
        , dones(run, &PoolRun::done)
    { }

    DoneMessage done(qsizetype i = 0) const { return qvariant_cast<DoneMessage>(dones.at(i).at(0)); }
    QString error() const
    {
        const DoneMessage end = done();
        return end.error ? end.error->message : QString();
    }
    LoadError::Kind kind() const
    {
        const DoneMessage end = done();
        return end.error ? end.error->kind : LoadError::Kind::Other;
    }
    RunState state(qsizetype i) const { return qvariant_cast<RunState>(statuses.at(i).at(0)); }
    QString detail(qsizetype i) const { return statuses.at(i).at(1).toString(); }
    QStringList details() const
    {
        QStringList list;
        for (qsizetype i = 0; i < statuses.size(); ++i)
            list.append(detail(i));
        return list;
    }

    QPointer<PoolRun> run;
    QSignalSpy statuses;
    QSignalSpy requests;
    QSignalSpy metrics;
    QSignalSpy dones;
};

} // namespace

class tst_RegionPool : public QObject
{
    Q_OBJECT

private slots:
    void validate_data();
    void validate();
    void invalidOptionsFailEveryRun();

    void growsOnDemand();
    void noOverBootWhileBooting_data();
    void noOverBootWhileBooting();
    void capacityIsCappedByTheProbe();
    void queueIsFifoWithADeadline();
    void maxIsRespected();
    void nextRunStartFollowsCheckout();
    void nextRunStartOfSingleUseAndUnusablePools();

    void idleShutdownAtExactlyIdleTime();
    void minRunners_data();
    void minRunners();
    void extraRunnersIdleDownToMin();
    void minRunnerIsReplacedWhenItDies();

    void bootFailureRetriesWithBackoff();
    void refusedBootFailsTheWaitingRunsAtOnce();
    void stopsRetryingWhenDemandIsGone_data();
    void stopsRetryingWhenDemandIsGone();
    void minBootFailureRetries();
    void bootTimeout_data();
    void bootTimeout();
    void unreachableProbeIsABootFailure();

    void deadRunnerFailsOnlyItsRuns_data();
    void deadRunnerFailsOnlyItsRuns();
    void singleUse();
    void runTimeout();
    void cancelQueued();
    void cancelRunning();
    void deletingARunCancelsIt();
    void shutdownFailsEverythingAndStopsRunners();

    void exactlyOneDone_data();
    void exactlyOneDone();
};

void tst_RegionPool::validate_data()
{
    QTest::addColumn<QString>("field");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("error");
    QTest::newRow("defaults") << QString() << qint64(0) << QString();
    QTest::newRow("min below 0") << QStringLiteral("min") << qint64(-1)
                                 << QStringLiteral("min must be 0 or more, not -1");
    QTest::newRow("max 0") << QStringLiteral("max") << qint64(0) << QStringLiteral("max must be 1 or more, not 0");
    QTest::newRow("min above max") << QStringLiteral("min") << qint64(2)
                                   << QStringLiteral("min (2) must not be more than max (1)");
    QTest::newRow("maxConcurrency 0") << QStringLiteral("maxConcurrency") << qint64(0)
                                      << QStringLiteral("maxConcurrency must be 1 … 1024, not 0");
    QTest::newRow("maxConcurrency 1025") << QStringLiteral("maxConcurrency") << qint64(1025)
                                         << QStringLiteral("maxConcurrency must be 1 … 1024, not 1025");
    QTest::newRow("single use, 2 at once")
        << QStringLiteral("singleUseConcurrency") << qint64(2)
        << QStringLiteral("a single-use runner takes one run, so maxConcurrency must be 1, not 2");
    QTest::newRow("idle below 0") << QStringLiteral("idleShutdownAfterMs") << qint64(-1)
                                  << QStringLiteral("idleShutdownAfterMs must be 0 or more, not -1");
    QTest::newRow("idle 0 is fine") << QStringLiteral("idleShutdownAfterMs") << qint64(0) << QString();
    QTest::newRow("min idle below 0") << QStringLiteral("minIdleShutdownAfterMs") << qint64(-5)
                                      << QStringLiteral("minIdleShutdownAfterMs must be 0 or more, not -5");
    QTest::newRow("boot timeout 0") << QStringLiteral("bootTimeoutMs") << qint64(0)
                                    << QStringLiteral("bootTimeoutMs must be more than 0, not 0");
    QTest::newRow("run timeout 0") << QStringLiteral("runTimeoutMs") << qint64(0)
                                   << QStringLiteral("runTimeoutMs must be more than 0, not 0");
    QTest::newRow("checkout timeout below 0") << QStringLiteral("checkoutTimeoutMs") << qint64(-1)
                                              << QStringLiteral("checkoutTimeoutMs must be more than 0, not -1");
}

void tst_RegionPool::validate()
{
    QFETCH(QString, field);
    QFETCH(qint64, value);
    QFETCH(QString, error);
    PoolOptions options;
    if (field == u"min")
        options.min = int(value);
    else if (field == u"max")
        options.max = int(value);
    else if (field == u"maxConcurrency")
        options.maxConcurrency = int(value);
    else if (field == u"singleUseConcurrency") {
        options.singleUse = true;
        options.maxConcurrency = int(value);
    } else if (field == u"idleShutdownAfterMs")
        options.idleShutdownAfterMs = value;
    else if (field == u"minIdleShutdownAfterMs")
        options.minIdleShutdownAfterMs = value;
    else if (field == u"bootTimeoutMs")
        options.bootTimeoutMs = value;
    else if (field == u"runTimeoutMs")
        options.runTimeoutMs = value;
    else if (field == u"checkoutTimeoutMs")
        options.checkoutTimeoutMs = value;
    QCOMPARE(options.validate(), error);
}

void tst_RegionPool::invalidOptionsFailEveryRun()
{
    PoolOptions options;
    options.min = 1;
    options.max = 0;
    QTest::ignoreMessage(QtWarningMsg, "the pool for fra is not usable: max must be 1 or more, not 0");
    Rig rig(options);
    QCOMPARE(rig.pool->configError(), QStringLiteral("max must be 1 or more, not 0"));
    RunLog log(rig.pool->submit(pageUrl));
    QCOMPARE(log.dones.size(), 0); // never from inside submit()
    QTRY_COMPARE(log.dones.size(), 1);
    QCOMPARE(log.error(), QStringLiteral("the pool for fra is not usable: max must be 1 or more, not 0"));
    QVERIFY(rig.backend.boots.isEmpty());
}

void tst_RegionPool::growsOnDemand()
{
    PoolOptions options;
    options.max = 3;
    Rig rig(options);
    QVERIFY(rig.backend.boots.isEmpty()); // min 0: nothing runs until there is work

    PoolRun *first = rig.pool->submit(pageUrl);
    RunLog a(first);
    QCOMPARE(rig.backend.boots, QStringList { QStringLiteral("fra-1") });
    QCOMPARE(rig.pool->queueLength(), 1);
    QCOMPARE(a.statuses.size(), 0); // not from inside submit()
    QTRY_COMPARE(a.statuses.size(), 1);
    QCOMPARE(a.state(0), RunState::Queued);
    QCOMPARE(a.detail(0), QStringLiteral("starting a probe"));
    QVERIFY(first->waitingForProbeStart());

    FakeProbe *one = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(one);
    QTRY_COMPARE(one->runIds(), QStringList { first->id() });
    QCOMPARE(rig.pool->queueLength(), 0);
    QVERIFY(first->cold());
    QCOMPARE(first->runnerId(), QStringLiteral("fra-1"));
    QTRY_COMPARE(a.statuses.size(), 2);
    QCOMPARE(a.state(1), RunState::Loading); // the probe's own, forwarded

    // Busy: a second run boots a second runner.
    PoolRun *second = rig.pool->submit(pageUrl);
    RunLog b(second);
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));

    QVERIFY(one->finishRun(first->id()));
    QTRY_COMPARE(a.dones.size(), 1);
    QVERIFY(a.done().ok);
    QCOMPARE(a.done().runId, first->id());
    QCOMPARE(a.requests.size(), 1);
    QCOMPARE(
        qvariant_cast<RequestTiming>(a.requests.at(0).at(1)).url, QStringLiteral("https://example.com/fra/app.css"));
    QCOMPARE(a.metrics.size(), 1);
    QCOMPARE(qvariant_cast<MetricsMessage>(a.metrics.at(0).at(1)).metrics.loadMs, std::optional<double>(321.5));
    QVERIFY(first->isFinished());

    // fra-1 came free before fra-2 was up: the waiting run takes it (it waited for a busy runner, not a boot).
    QCOMPARE(second->runnerId(), QStringLiteral("fra-1"));
    QVERIFY(!second->cold());
    QTRY_VERIFY(one->hasRun(second->id()));

    // Busy again, and fra-2 still boots: a third run waits for fra-2 without booting another.
    PoolRun *third = rig.pool->submit(pageUrl);
    RunLog c(third);
    QCOMPARE(rig.backend.boots.size(), 2);
    FakeProbe *two = rig.bootReady(QStringLiteral("fra-2"));
    QVERIFY(two);
    QTRY_COMPARE(two->runIds(), QStringList { third->id() });
    QVERIFY(third->cold());

    // A free runner takes a new run at once, warm: no Queued status, no boot.
    QVERIFY(one->finishRun(second->id()));
    QTRY_COMPARE(b.dones.size(), 1);
    PoolRun *fourth = rig.pool->submit(pageUrl);
    RunLog d(fourth);
    QCOMPARE(fourth->runnerId(), QStringLiteral("fra-1"));
    QVERIFY(!fourth->cold());
    QTRY_COMPARE(d.statuses.size(), 1);
    QCOMPARE(d.state(0), RunState::Loading);
    QCOMPARE(rig.backend.boots.size(), 2);
}

void tst_RegionPool::noOverBootWhileBooting_data()
{
    QTest::addColumn<int>("waiters");
    QTest::addColumn<int>("concurrency");
    QTest::addColumn<int>("max");
    QTest::addColumn<int>("boots");
    QTest::newRow("1 waiter") << 1 << 1 << 10 << 1;
    QTest::newRow("4 waiters, 1 each") << 4 << 1 << 10 << 4;
    QTest::newRow("4 waiters, 4 each") << 4 << 4 << 10 << 1;
    QTest::newRow("5 waiters, 2 each") << 5 << 2 << 10 << 3;
    QTest::newRow("8 waiters, 4 each") << 8 << 4 << 10 << 2;
    QTest::newRow("9 waiters, 4 each") << 9 << 4 << 10 << 3;
    QTest::newRow("5 waiters, 2 each, max 2") << 5 << 2 << 2 << 2;
    QTest::newRow("10 waiters, 3 each, max 1") << 10 << 3 << 1 << 1;
}

void tst_RegionPool::noOverBootWhileBooting()
{
    QFETCH(int, waiters);
    QFETCH(int, concurrency);
    QFETCH(int, max);
    QFETCH(int, boots);
    QCOMPARE(boots, std::min((waiters + concurrency - 1) / concurrency, max)); // the rule, spelled out

    PoolOptions options;
    options.max = max;
    options.maxConcurrency = concurrency;
    options.checkoutTimeoutMs = oneHourMs;
    Rig rig(options);
    QList<PoolRun *> runs;
    for (int i = 0; i < waiters; ++i)
        runs.append(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots.size(), boots);
    QCOMPARE(rig.pool->queueLength(), waiters);

    // Nothing more boots while they are pending, short of the boot timeout.
    rig.clock.advance(options.bootTimeoutMs - 1);
    QCOMPARE(rig.backend.boots.size(), boots);

    // Each runner that comes up takes the next `concurrency` waiters, in order; still no more boots.
    const QStringList booted = rig.backend.boots;
    int taken = 0;
    for (const QString &id : booted) {
        FakeProbe *probe = rig.bootReady(id, concurrency);
        QVERIFY2(probe, qPrintable(id));
        const int expected = std::min(concurrency, waiters - taken);
        QTRY_COMPARE(probe->runIds().size(), expected);
        for (int i = 0; i < expected; ++i)
            QCOMPARE(probe->runIds().at(i), runs.at(taken + i)->id());
        taken += expected;
    }
    QCOMPARE(rig.backend.boots.size(), boots);
    QCOMPARE(rig.pool->queueLength(), waiters - taken);
}

void tst_RegionPool::capacityIsCappedByTheProbe()
{
    PoolOptions options;
    options.max = 2;
    options.maxConcurrency = 8;
    Rig rig(options);
    QSignalSpy changed(rig.pool.get(), &RegionPool::runnerChanged);
    QList<PoolRun *> runs;
    for (int i = 0; i < 3; ++i)
        runs.append(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots, QStringList { QStringLiteral("fra-1") }); // one booting runner absorbs 8
    QCOMPARE(changed.size(), 1);
    const auto booting = qvariant_cast<RunnerInfo>(changed.at(0).at(0));
    QCOMPARE(booting.id, QStringLiteral("fra-1"));
    QCOMPARE(booting.state, RunnerInfo::Booting);
    QCOMPARE(booting.capacity, 0);
    QVERIFY(!booting.bootMs);

    rig.clock.advance(1500);
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"), 2); // the probe says it takes only 2
    QVERIFY(probe);
    const auto ready = qvariant_cast<RunnerInfo>(changed.at(1).at(0));
    QCOMPARE(ready.state, RunnerInfo::Ready);
    QCOMPARE(ready.capacity, 2);
    QCOMPARE(ready.bootMs, std::optional<qint64>(1500));
    QTRY_COMPARE(probe->runIds().size(), 2);
    // The third still waits, and now a second runner boots for it.
    QCOMPARE(rig.pool->queueLength(), 1);
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    const QList<RunnerInfo> runners = rig.pool->runners();
    QCOMPARE(runners.size(), 2);
    QCOMPARE(runners.at(0).active, 2);
    QCOMPARE(runners.at(0).capacity, 2);
    QCOMPARE(runners.at(1).state, RunnerInfo::Booting);
}

void tst_RegionPool::queueIsFifoWithADeadline()
{
    PoolOptions options;
    options.max = 1;
    Rig rig(options); // checkoutTimeoutMs: the default 120 s
    QSignalSpy lengths(rig.pool.get(), &RegionPool::queueLengthChanged);
    PoolRun *a = rig.pool->submit(pageUrl);
    RunLog logA(a);
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_COMPARE(probe->runIds(), QStringList { a->id() });

    RunLog b(rig.pool->submit(pageUrl)); // due at 120 s
    rig.clock.advance(2000);
    RunLog c(rig.pool->submit(pageUrl)); // due at 122 s
    rig.clock.advance(2000);
    RunLog d(rig.pool->submit(pageUrl)); // due at 124 s
    QCOMPARE(rig.pool->queueLength(), 3);
    QCOMPARE(rig.backend.boots.size(), 1); // at max: they wait
    QTRY_COMPARE(d.statuses.size(), 1);
    QCOMPARE(d.detail(0), QStringLiteral("waiting for a runner"));
    QVERIFY(!d.run->waitingForProbeStart());

    rig.clock.advance(120'000 - 4000 - 1);
    QCOMPARE(b.dones.size() + c.dones.size() + d.dones.size(), 0);
    rig.clock.advance(1);
    QCOMPARE(b.dones.size(), 1);
    QVERIFY(!b.done().ok);
    QCOMPARE(b.kind(), LoadError::Kind::Timeout);
    QCOMPARE(b.error(), QStringLiteral("no runner free in fra within 120 s"));
    QCOMPARE(b.run->runnerId(), QString());
    QCOMPARE(c.dones.size(), 0);
    QCOMPARE(d.dones.size(), 0);
    QCOMPARE(rig.pool->queueLength(), 2);

    // The others keep their order.
    QVERIFY(probe->finishRun(a->id()));
    QTRY_COMPARE(probe->runIds(), (QStringList { a->id(), c.run->id() }));
    QVERIFY(!c.run->cold()); // it waited for a busy runner, not for a boot
    QVERIFY(probe->finishRun(c.run->id()));
    QTRY_COMPARE(probe->runIds(), (QStringList { a->id(), c.run->id(), d.run->id() }));
    QTRY_COMPARE(c.dones.size(), 1);
    QVERIFY(c.done().ok);
    QCOMPARE(rig.pool->queueLength(), 0);
    QCOMPARE(lengths.size(), 8);
    QList<int> reported;
    for (const QList<QVariant> &args : std::as_const(lengths))
        reported.append(args.at(0).toInt());
    QCOMPARE(reported, (QList<int> { 1, 0, 1, 2, 3, 2, 1, 0 }));
}

void tst_RegionPool::maxIsRespected()
{
    PoolOptions options;
    options.max = 2;
    Rig rig(options);
    QList<PoolRun *> runs;
    for (int i = 0; i < 5; ++i)
        runs.append(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    FakeProbe *one = rig.bootReady(QStringLiteral("fra-1"));
    FakeProbe *two = rig.bootReady(QStringLiteral("fra-2"));
    QVERIFY(one && two);
    QTRY_COMPARE(one->runIds(), QStringList { runs.at(0)->id() });
    QTRY_COMPARE(two->runIds(), QStringList { runs.at(1)->id() });
    QCOMPARE(rig.pool->queueLength(), 3);
    rig.clock.advance(60'000);
    QCOMPARE(rig.backend.boots.size(), 2);
    QVERIFY(one->finishRun(runs.at(0)->id()));
    QTRY_COMPARE(one->runIds(), (QStringList { runs.at(0)->id(), runs.at(2)->id() }));
    QCOMPARE(rig.backend.boots.size(), 2);
    QCOMPARE(rig.pool->runners().size(), 2);

    // A backend's own limit caps max further.
    PoolOptions wide;
    wide.max = 3;
    Rig limited(wide);
    limited.backend.setLimit(1);
    for (int i = 0; i < 3; ++i)
        limited.pool->submit(pageUrl);
    QCOMPARE(limited.backend.boots, QStringList { QStringLiteral("fra-1") });
}

void tst_RegionPool::nextRunStartFollowsCheckout()
{
    using Start = RegionPool::NextRunStart;
    PoolOptions options;
    options.max = 2;
    options.maxConcurrency = 2;
    Rig rig(options);
    QCOMPARE(rig.pool->runnerLimit(), 2);
    QCOMPARE(rig.pool->perRunnerConcurrency(), 2);
    // No runner: a run boots one.
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);
    RunLog a(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots, QStringList { QStringLiteral("fra-1") });
    // The boot under way has room for a second run: cold too, and no second boot.
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);
    RunLog b(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots.size(), 1);
    // A third does not fit in it, and the pool is below max: cold, with a boot of its own.
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);
    RunLog c(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    // fra-2's boot has room for one more.
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);
    RunLog d(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots.size(), 2);
    // At the limit, with both boots' room taken: the next one waits.
    QCOMPARE(rig.pool->nextRunStart(), Start::Waits);

    FakeProbe *one = rig.bootReady(QStringLiteral("fra-1"), 2);
    QVERIFY(one);
    QTRY_COMPARE(one->runIds(), (QStringList { a.run->id(), b.run->id() }));
    QCOMPARE(rig.pool->nextRunStart(), Start::Waits); // c and d fill fra-2
    FakeProbe *two = rig.bootReady(QStringLiteral("fra-2"), 2);
    QVERIFY(two);
    QTRY_COMPARE(two->runIds(), (QStringList { c.run->id(), d.run->id() }));
    QVERIFY(a.run->cold() && b.run->cold() && c.run->cold() && d.run->cold());

    // Every slot taken at the limit: waits, and queues without a boot.
    QCOMPARE(rig.pool->nextRunStart(), Start::Waits);
    RunLog e(rig.pool->submit(pageUrl));
    QCOMPARE(rig.pool->queueLength(), 1);
    QCOMPARE(rig.backend.boots.size(), 2);
    // A run ends: e takes its slot, on a runner that was ready before it came, so the next still waits.
    QVERIFY(one->finishRun(a.run->id()));
    QTRY_COMPARE(rig.pool->queueLength(), 0);
    QVERIFY(!e.run->cold());
    QCOMPARE(rig.pool->nextRunStart(), Start::Waits);
    // Another ends: a free slot, and the run submitted now starts at once, hot.
    QVERIFY(one->finishRun(b.run->id()));
    QTRY_COMPARE(rig.pool->nextRunStart(), Start::Hot);
    RunLog f(rig.pool->submit(pageUrl));
    QCOMPARE(rig.pool->queueLength(), 0);
    QVERIFY(!f.run->cold());
    QTRY_COMPARE(one->runIds(), (QStringList { a.run->id(), b.run->id(), e.run->id(), f.run->id() }));
    QCOMPARE(rig.pool->nextRunStart(), Start::Waits);

    // The backend's own limit is the pool's.
    PoolOptions wide;
    wide.max = 3;
    Rig limited(wide);
    limited.backend.setLimit(1);
    QCOMPARE(limited.pool->runnerLimit(), 1);
    limited.pool->submit(pageUrl);
    QCOMPARE(limited.pool->nextRunStart(), Start::Waits);
}

void tst_RegionPool::nextRunStartOfSingleUseAndUnusablePools()
{
    using Start = RegionPool::NextRunStart;
    PoolOptions options;
    options.max = 1;
    options.singleUse = true;
    Rig rig(options);
    QCOMPARE(rig.pool->perRunnerConcurrency(), 1);
    RunLog a(rig.pool->submit(pageUrl));
    FakeProbe *one = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(one);
    QTRY_COMPARE(one->runIds(), QStringList { a.run->id() });
    // The runner says it could take 4, but it has had its run: the next waits for the pool to make room.
    QCOMPARE(rig.pool->nextRunStart(), Start::Waits);
    QVERIFY(one->finishRun(a.run->id()));
    QTRY_COMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);

    rig.pool->shutdown();
    QCOMPARE(rig.pool->nextRunStart(), Start::Fails);

    PoolOptions invalid;
    invalid.max = 0;
    QTest::ignoreMessage(QtWarningMsg, "the pool for fra is not usable: max must be 1 or more, not 0");
    Rig unusable(invalid);
    QCOMPARE(unusable.pool->nextRunStart(), Start::Fails);
}

void tst_RegionPool::idleShutdownAtExactlyIdleTime()
{
    PoolOptions options;
    options.max = 1;
    options.idleShutdownAfterMs = 30'000;
    Rig rig(options);
    QSignalSpy removed(rig.pool.get(), &RegionPool::runnerRemoved);
    RunLog a(rig.pool->submit(pageUrl));
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_VERIFY(probe->hasRun(a.run->id()));
    QVERIFY(probe->finishRun(a.run->id()));
    QTRY_COMPARE(a.dones.size(), 1);

    // A run 20 s into the idle time starts it again from that run's end.
    rig.clock.advance(20'000);
    RunLog b(rig.pool->submit(pageUrl));
    QCOMPARE(b.run->runnerId(), QStringLiteral("fra-1"));
    rig.clock.advance(20'000);
    QVERIFY(rig.backend.stops.isEmpty());
    QTRY_VERIFY(probe->hasRun(b.run->id()));
    QVERIFY(probe->finishRun(b.run->id()));
    QTRY_COMPARE(b.dones.size(), 1);

    rig.clock.advance(29'999);
    QVERIFY(rig.backend.stops.isEmpty());
    QCOMPARE(rig.runnerIds(), QStringList { QStringLiteral("fra-1") });
    QCOMPARE(removed.size(), 0);
    rig.clock.advance(1);
    QCOMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.at(0).at(0).toString(), QStringLiteral("fra-1"));
    QVERIFY(rig.pool->runners().isEmpty());
    QTRY_VERIFY(probe->isShutDown());

    // The next run boots afresh.
    rig.pool->submit(pageUrl);
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
}

void tst_RegionPool::minRunners_data()
{
    QTest::addColumn<int>("min");
    QTest::addColumn<qint64>("minIdle"); // -1: unset
    QTest::addColumn<qint64>("stopsAfter"); // -1: never
    QTest::newRow("min 1 stays") << 1 << qint64(-1) << qint64(-1);
    QTest::newRow("min 2 stay") << 2 << qint64(-1) << qint64(-1);
    QTest::newRow("min 1, min idle 5 s") << 1 << qint64(5000) << qint64(5000);
    QTest::newRow("min 2, min idle 90 s") << 2 << qint64(90'000) << qint64(90'000);
}

void tst_RegionPool::minRunners()
{
    QFETCH(int, min);
    QFETCH(qint64, minIdle);
    QFETCH(qint64, stopsAfter);
    PoolOptions options;
    options.min = min;
    options.max = 3;
    options.idleShutdownAfterMs = 1000; // for the others
    if (minIdle >= 0)
        options.minIdleShutdownAfterMs = minIdle;
    Rig rig(options);
    QCOMPARE(rig.backend.boots.size(), min); // at start, without any run
    QCOMPARE(rig.pool->runners().size(), min);
    const QStringList ids = rig.backend.boots;
    for (const QString &id : ids)
        QVERIFY(rig.bootReady(id));

    if (stopsAfter < 0) {
        rig.clock.advance(oneHourMs);
        QVERIFY(rig.backend.stops.isEmpty());
        QCOMPARE(rig.runnerIds(), ids);
        return;
    }
    rig.clock.advance(stopsAfter - 1);
    QVERIFY(rig.backend.stops.isEmpty());
    rig.clock.advance(1);
    QCOMPARE(rig.backend.stops, ids);
    QVERIFY(rig.pool->runners().isEmpty());
    // Not replaced: min runners that idled down leave the pool at zero until work comes.
    rig.clock.advance(oneHourMs);
    QCOMPARE(rig.backend.boots, ids);
}

void tst_RegionPool::extraRunnersIdleDownToMin()
{
    PoolOptions options;
    options.min = 1;
    options.max = 2;
    options.idleShutdownAfterMs = 1000;
    Rig rig(options);
    QVERIFY(rig.bootReady(QStringLiteral("fra-1")));
    RunLog a(rig.pool->submit(pageUrl));
    QCOMPARE(a.run->runnerId(), QStringLiteral("fra-1"));
    QVERIFY(!a.run->cold()); // the min runner was up already
    RunLog b(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    FakeProbe *two = rig.bootReady(QStringLiteral("fra-2"));
    QVERIFY(two);
    QTRY_VERIFY(two->hasRun(b.run->id()));
    QTRY_VERIFY(rig.backend.probe(QStringLiteral("fra-1"))->hasRun(a.run->id()));
    QVERIFY(rig.backend.probe(QStringLiteral("fra-1"))->finishRun(a.run->id()));
    QVERIFY(two->finishRun(b.run->id()));
    QTRY_COMPARE(a.dones.size() + b.dones.size(), 2);

    rig.clock.advance(999);
    QVERIFY(rig.backend.stops.isEmpty());
    rig.clock.advance(1);
    QCOMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-2") });
    rig.clock.advance(oneHourMs);
    QCOMPARE(rig.runnerIds(), QStringList { QStringLiteral("fra-1") });
    QCOMPARE(rig.backend.boots.size(), 2);
}

void tst_RegionPool::minRunnerIsReplacedWhenItDies()
{
    PoolOptions options;
    options.min = 1;
    Rig rig(options);
    QVERIFY(rig.bootReady(QStringLiteral("fra-1")));
    QVERIFY(rig.backend.kill(QStringLiteral("fra-1")));
    QTRY_COMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QCOMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    QVERIFY(rig.bootReady(QStringLiteral("fra-2")));
    rig.clock.advance(oneHourMs);
    QCOMPARE(rig.runnerIds(), QStringList { QStringLiteral("fra-2") });
}

void tst_RegionPool::bootFailureRetriesWithBackoff()
{
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = 10 * 60'000;
    Rig rig(options);
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    QSignalSpy changed(rig.pool.get(), &RegionPool::runnerChanged);
    RunLog a(rig.pool->submit(pageUrl));
    QTRY_COMPARE(a.statuses.size(), 1);

    const QList<qint64> delays { 1000, 2000, 4000, 8000, 16'000, 30'000, 30'000 };
    for (qsizetype i = 0; i < delays.size(); ++i) {
        const QString id = rig.backend.boots.last();
        const QString reason = QStringLiteral("quota exceeded in fra: attempt %1").arg(i + 1);
        QVERIFY(rig.backend.failBoot(id, reason));
        QCOMPARE(failures.size(), i + 1);
        QCOMPARE(failures.last().at(0).toString(), reason);
        // The panel saw it fail, with the reason, and go.
        const auto last = qvariant_cast<RunnerInfo>(changed.last().at(0));
        QCOMPARE(last.id, id);
        QCOMPARE(last.state, RunnerInfo::Failed);
        QCOMPARE(last.lastError, reason);
        QVERIFY(rig.pool->runners().isEmpty());
        // The waiting run hears of it.
        QCOMPARE(a.details().last(),
            QStringLiteral("starting a probe failed: %1; retrying in %2 s").arg(reason).arg(delays.at(i) / 1000));

        rig.clock.advance(delays.at(i) - 1);
        QCOMPARE(rig.backend.boots.size(), i + 1);
        rig.clock.advance(1);
        QCOMPARE(rig.backend.boots.size(), i + 2);
    }
    QCOMPARE(a.dones.size(), 0);

    // It comes up at last, and the back-off starts afresh.
    FakeProbe *probe = rig.bootReady(rig.backend.boots.last());
    QVERIFY(probe);
    QTRY_VERIFY(probe->hasRun(a.run->id()));
    RunLog b(rig.pool->submit(pageUrl)); // waits: at max
    QVERIFY(rig.backend.kill(rig.backend.boots.last()));
    QTRY_COMPARE(a.dones.size(), 1);
    QCOMPARE(rig.backend.boots.size(), delays.size() + 2); // a replacement for the waiting run
    QVERIFY(rig.backend.failBoot(rig.backend.boots.last(), QStringLiteral("still no quota")));
    rig.clock.advance(999);
    QCOMPARE(rig.backend.boots.size(), delays.size() + 2);
    rig.clock.advance(1);
    QCOMPARE(rig.backend.boots.size(), delays.size() + 3);
}

// A probe of the user's whose token is not in the keychain: waiting cannot bring it, so the run ends at once with
// the reason instead of after the two-minute checkout timeout, and nothing is retried. The next run tries again and
// finds the token the user has saved meanwhile. A real StaticBackend over a secret store without the token.
void tst_RegionPool::refusedBootFailsTheWaitingRunsAtOnce()
{
    FakeProbe probe(QStringLiteral("own-1"), QStringLiteral("fra"));
    QVERIFY(probe.listen());
    StaticBackend::Probe own;
    own.url = probe.url();
    own.tokenSecret = QStringLiteral("probe-fra");
    StaticBackend::Settings settings;
    settings.probes = { own };
    MemorySecretStore secrets;
    StaticBackend backend(settings, &secrets);
    ManualClock clock;
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = 120'000;
    RegionPool pool(QStringLiteral("fra"), options, &backend, &clock);
    QSignalSpy failures(&pool, &RegionPool::bootFailed);
    const qint64 start = clock.nowMs();

    RunLog a(pool.submit(pageUrl));
    QTRY_COMPARE(a.dones.size(), 1); // the manual clock did not move: no timeout ended it
    QVERIFY2(a.error().contains(u"no token") && a.error().contains(u"probe-fra"), qPrintable(a.error()));
    QCOMPARE(failures.size(), 1);
    QCOMPARE(pool.queueLength(), 0);
    QVERIFY(pool.runners().isEmpty());
    QCOMPARE(clock.nowMs(), start);
    clock.advance(oneHourMs); // no retry is planned
    QCOMPARE(failures.size(), 1);
    QVERIFY(pool.runners().isEmpty());

    secrets.secrets.insert(QStringLiteral("probe-fra"), probe.token);
    RunLog b(pool.submit(pageUrl));
    QTRY_VERIFY(probe.hasRun(b.run->id()));
    QCOMPARE(failures.size(), 1);
}

void tst_RegionPool::stopsRetryingWhenDemandIsGone_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("cancelled while booting") << QStringLiteral("cancel-booting");
    QTest::newRow("cancelled while a retry is pending") << QStringLiteral("cancel-retry");
    QTest::newRow("queue deadline while a retry is pending") << QStringLiteral("deadline");
}

void tst_RegionPool::stopsRetryingWhenDemandIsGone()
{
    QFETCH(QString, how);
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = 5000;
    Rig rig(options);
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    RunLog a(rig.pool->submit(pageUrl));
    const QString reason = QStringLiteral("no capacity in fra");
    if (how == u"cancel-booting") {
        a.run->cancel();
        QVERIFY(rig.backend.failBoot(QStringLiteral("fra-1"), reason));
    } else if (how == u"cancel-retry") {
        QVERIFY(rig.backend.failBoot(QStringLiteral("fra-1"), reason));
        a.run->cancel();
    } else {
        QVERIFY(rig.backend.failBoot(QStringLiteral("fra-1"), reason));
        rig.clock.advance(1000);
        QVERIFY(rig.backend.failBoot(QStringLiteral("fra-2"), reason));
        rig.clock.advance(2000);
        QVERIFY(rig.backend.failBoot(QStringLiteral("fra-3"), reason)); // next try would be at 7 s
        rig.clock.advance(1999);
        QCOMPARE(a.dones.size(), 0);
        rig.clock.advance(1);
        QCOMPARE(a.dones.size(), 1);
        QCOMPARE(a.error(),
            QStringLiteral("no runner free in fra within 5 s (the last probe failed to start: no capacity in fra)"));
    }
    QCOMPARE(a.dones.size(), 1);
    QVERIFY(!failures.isEmpty());
    const qsizetype boots = rig.backend.boots.size();
    rig.clock.advance(oneHourMs);
    QCOMPARE(rig.backend.boots.size(), boots);
    QVERIFY(rig.pool->runners().isEmpty());
}

void tst_RegionPool::minBootFailureRetries()
{
    PoolOptions options;
    options.min = 1;
    Rig rig(options);
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    QVERIFY(rig.backend.failBoot(QStringLiteral("fra-1"), QStringLiteral("image not found")));
    QCOMPARE(failures.size(), 1);
    rig.clock.advance(999);
    QCOMPARE(rig.backend.boots.size(), 1);
    rig.clock.advance(1);
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QVERIFY(rig.bootReady(QStringLiteral("fra-2")));
}

void tst_RegionPool::bootTimeout_data()
{
    QTest::addColumn<bool>("probeStarts"); // the backend answers, but the probe never says hello
    QTest::newRow("no answer from the backend") << false;
    QTest::newRow("no hello from the probe") << true;
}

void tst_RegionPool::bootTimeout()
{
    QFETCH(bool, probeStarts);
    PoolOptions options;
    options.max = 1;
    Rig rig(options); // bootTimeoutMs: the default 60 s
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    QSignalSpy removed(rig.pool.get(), &RegionPool::runnerRemoved);
    RunLog a(rig.pool->submit(pageUrl));
    if (probeStarts) {
        FakeProbe *probe = rig.backend.completeBoot(QStringLiteral("fra-1"));
        QVERIFY(probe);
        probe->answerHello = false;
        QTRY_COMPARE(probe->connectionCount(), 1);
        QTest::qWait(50);
        QCOMPARE(rig.runner(QStringLiteral("fra-1"))->state, RunnerInfo::Booting);
    }
    rig.clock.advance(59'999);
    QCOMPARE(failures.size(), 0);
    rig.clock.advance(1);
    QCOMPARE(failures.size(), 1);
    QCOMPARE(failures.at(0).at(0).toString(), QStringLiteral("the probe fra-1 in fra did not come up within 60 s"));
    QCOMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    QCOMPARE(removed.size(), 1);
    QVERIFY(rig.pool->runners().isEmpty());
    QCOMPARE(a.dones.size(), 0); // it still waits, for a retry
    rig.clock.advance(1000);
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QVERIFY(rig.bootReady(QStringLiteral("fra-2")));
    QTRY_COMPARE(a.run->runnerId(), QStringLiteral("fra-2"));
}

void tst_RegionPool::unreachableProbeIsABootFailure()
{
    PoolOptions options;
    Rig rig(options);
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    RunLog a(rig.pool->submit(pageUrl));
    FakeProbe *probe = rig.backend.completeBoot(QStringLiteral("fra-1"));
    QVERIFY(probe);
    probe->token = QStringLiteral("rotated"); // the endpoint still carries the old one
    QVERIFY(failures.wait());
    QCOMPARE(failures.at(0).at(0).toString(),
        QStringLiteral("could not reach the probe fra-1 in fra: the probe refused the token"));
    QCOMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    rig.clock.advance(1000);
    QCOMPARE(rig.backend.boots.size(), 2);
    QCOMPARE(a.dones.size(), 0);
}

void tst_RegionPool::deadRunnerFailsOnlyItsRuns_data()
{
    QTest::addColumn<bool>("dropped"); // else the backend reports it lost
    QTest::addColumn<bool>("demand"); // a run waits when it dies
    QTest::newRow("connection dropped, run waiting") << true << true;
    QTest::newRow("connection dropped, nothing waiting") << true << false;
    QTest::newRow("backend lost it, run waiting") << false << true;
    QTest::newRow("backend lost it, nothing waiting") << false << false;
}

void tst_RegionPool::deadRunnerFailsOnlyItsRuns()
{
    QFETCH(bool, dropped);
    QFETCH(bool, demand);
    PoolOptions options;
    options.max = 2;
    Rig rig(options);
    RunLog a(rig.pool->submit(pageUrl));
    RunLog b(rig.pool->submit(pageUrl));
    FakeProbe *one = rig.bootReady(QStringLiteral("fra-1"));
    FakeProbe *two = rig.bootReady(QStringLiteral("fra-2"));
    QVERIFY(one && two);
    QTRY_VERIFY(one->hasRun(a.run->id()) && two->hasRun(b.run->id()));
    std::unique_ptr<RunLog> c;
    if (demand)
        c = std::make_unique<RunLog>(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots.size(), 2);

    if (dropped)
        QVERIFY(rig.backend.kill(QStringLiteral("fra-1")));
    else
        rig.backend.lose(QStringLiteral("fra-1"), QStringLiteral("machine destroyed"));
    QTRY_COMPARE(a.dones.size(), 1);
    QVERIFY(!a.done().ok);
    QCOMPARE(a.kind(), LoadError::Kind::ConnectionFailed);
    if (dropped)
        QVERIFY2(a.error().startsWith(u"the probe in fra went away: the connection was lost"), qPrintable(a.error()));
    else
        QCOMPARE(a.error(), QStringLiteral("the probe in fra went away: machine destroyed"));
    QVERIFY(!rig.runner(QStringLiteral("fra-1")));
    QCOMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    // Replaced only when a run waits.
    QCOMPARE(rig.backend.boots.size(), demand ? 3 : 2);

    QTest::qWait(50);
    QCOMPARE(b.dones.size(), 0);
    QVERIFY(two->finishRun(b.run->id()));
    QTRY_COMPARE(b.dones.size(), 1);
    QVERIFY(b.done().ok);
    rig.clock.advance(10'000);
    QCOMPARE(rig.backend.boots.size(), demand ? 3 : 2);
    if (demand) {
        // fra-2 came free before fra-3 was up: the waiting run takes the free runner.
        QTRY_VERIFY(two->hasRun(c->run->id()));
        QCOMPARE(c->run->runnerId(), QStringLiteral("fra-2"));
        QCOMPARE(c->dones.size(), 0);
    }
}

void tst_RegionPool::singleUse()
{
    PoolOptions options;
    options.max = 1;
    options.singleUse = true;
    Rig rig(options);
    RunLog a(rig.pool->submit(pageUrl));
    RunLog b(rig.pool->submit(pageUrl));
    QCOMPARE(rig.backend.boots, QStringList { QStringLiteral("fra-1") });
    FakeProbe *one = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(one);
    QTRY_COMPARE(one->runIds(), QStringList { a.run->id() });
    QTest::qWait(50);
    QCOMPARE(one->runIds().size(), 1); // though it says it could take 4
    QCOMPARE(rig.pool->queueLength(), 1);

    QVERIFY(one->finishRun(a.run->id()));
    QTRY_COMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QTRY_COMPARE(a.dones.size(), 1);
    FakeProbe *two = rig.bootReady(QStringLiteral("fra-2"));
    QVERIFY(two);
    QTRY_COMPARE(two->runIds(), QStringList { b.run->id() });
    QVERIFY(two->finishRun(b.run->id()));
    QTRY_COMPARE(rig.backend.stops, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QVERIFY(rig.pool->runners().isEmpty());
    QCOMPARE(one->runIds().size(), 1);

    // Each booting single-use runner absorbs one waiter.
    PoolOptions wide = options;
    wide.max = 3;
    Rig three(wide);
    for (int i = 0; i < 3; ++i)
        three.pool->submit(pageUrl);
    QCOMPARE(three.backend.boots.size(), 3);
}

void tst_RegionPool::runTimeout()
{
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = oneHourMs; // b waits longer than the default allows
    Rig rig(options); // runTimeoutMs: the default 180 s
    RunLog a(rig.pool->submit(pageUrl));
    RunLog b(rig.pool->submit(pageUrl));
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_VERIFY(probe->hasRun(a.run->id()));

    rig.clock.advance(179'999);
    QCOMPARE(a.dones.size(), 0);
    rig.clock.advance(1);
    QCOMPARE(a.dones.size(), 1);
    QCOMPARE(a.kind(), LoadError::Kind::Timeout);
    QCOMPARE(a.error(), QStringLiteral("timed out after 180 s: the probe fra-1 in fra sent no result"));
    // The probe is told, and its slot stays taken until it confirms; then the next run gets it.
    QCOMPARE(rig.runner(QStringLiteral("fra-1"))->active, 1);
    QTRY_COMPARE(probe->cancels(), QStringList { a.run->id() });
    QTRY_VERIFY(probe->hasRun(b.run->id()));
    QTest::qWait(50);
    QCOMPARE(a.dones.size(), 1);
    // b had waited in the queue all that time: its own run time starts when it reached the probe.
    rig.clock.advance(179'999);
    QCOMPARE(b.dones.size(), 0);
}

void tst_RegionPool::cancelQueued()
{
    PoolOptions options;
    options.max = 1;
    options.idleShutdownAfterMs = 10'000;
    Rig rig(options);
    RunLog a(rig.pool->submit(pageUrl));
    RunLog b(rig.pool->submit(pageUrl));
    QCOMPARE(rig.pool->queueLength(), 2);
    b.run->cancel();
    QCOMPARE(b.dones.size(), 1);
    QCOMPARE(b.kind(), LoadError::Kind::Cancelled);
    QCOMPARE(b.error(), QStringLiteral("cancelled"));
    QCOMPARE(rig.pool->queueLength(), 1);
    a.run->cancel();
    QCOMPARE(a.dones.size(), 1);
    QCOMPARE(rig.pool->queueLength(), 0);
    b.run->cancel(); // again: nothing
    QCOMPARE(b.dones.size(), 1);

    // The runner that was booting for them comes up with nothing to do, and idles down.
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTest::qWait(50);
    QVERIFY(probe->runIds().isEmpty());
    rig.clock.advance(9'999);
    QVERIFY(rig.backend.stops.isEmpty());
    rig.clock.advance(1);
    QCOMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    QCOMPARE(a.statuses.size() + b.statuses.size(), 0); // cancelled before the queued status went out
}

void tst_RegionPool::cancelRunning()
{
    PoolOptions options;
    options.max = 1;
    Rig rig(options);
    RunLog a(rig.pool->submit(pageUrl));
    RunLog b(rig.pool->submit(pageUrl));
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_VERIFY(probe->hasRun(a.run->id()));
    a.run->cancel();
    QCOMPARE(a.dones.size(), 1); // at once
    QCOMPARE(a.kind(), LoadError::Kind::Cancelled);
    QCOMPARE(rig.runner(QStringLiteral("fra-1"))->active, 1); // until the probe confirms
    QTRY_COMPARE(probe->cancels(), QStringList { a.run->id() });
    QTRY_VERIFY(probe->hasRun(b.run->id()));
    QTest::qWait(50);
    QCOMPARE(a.dones.size(), 1);
}

void tst_RegionPool::deletingARunCancelsIt()
{
    PoolOptions options;
    options.max = 1;
    Rig rig(options);
    PoolRun *a = rig.pool->submit(pageUrl);
    PoolRun *queued = rig.pool->submit(pageUrl);
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_VERIFY(probe->hasRun(a->id()));
    delete queued;
    QCOMPARE(rig.pool->queueLength(), 0);
    const QString id = a->id();
    delete a;
    QTRY_COMPARE(probe->cancels(), QStringList { id });
    QTRY_COMPARE(rig.runner(QStringLiteral("fra-1"))->active, 0);
}

void tst_RegionPool::shutdownFailsEverythingAndStopsRunners()
{
    PoolOptions options;
    options.max = 2;
    Rig rig(options);
    QSignalSpy removed(rig.pool.get(), &RegionPool::runnerRemoved);
    RunLog a(rig.pool->submit(pageUrl));
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_VERIFY(probe->hasRun(a.run->id()));
    RunLog b(rig.pool->submit(pageUrl)); // fra-2 boots for it
    QCOMPARE(rig.backend.boots.size(), 2);

    rig.pool->shutdown();
    for (const RunLog *log : { &a, &b }) {
        QCOMPARE(log->dones.size(), 1);
        QCOMPARE(log->kind(), LoadError::Kind::Cancelled);
        QCOMPARE(log->error(), QStringLiteral("the pool is shutting down"));
    }
    QCOMPARE(rig.backend.stops, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QCOMPARE(removed.size(), 2);
    QVERIFY(rig.pool->runners().isEmpty());
    QCOMPARE(rig.pool->queueLength(), 0);

    RunLog c(rig.pool->submit(pageUrl));
    QCOMPARE(c.dones.size(), 0);
    QTRY_COMPARE(c.dones.size(), 1);
    QCOMPARE(c.error(), QStringLiteral("the pool is shutting down"));
    rig.clock.advance(oneHourMs);
    QCOMPARE(rig.backend.boots.size(), 2);
}

void tst_RegionPool::exactlyOneDone_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("kind"); // LoadError's wire name; empty for ok
    QTest::newRow("completes") << QStringLiteral("completes") << QString();
    QTest::newRow("the probe reports an error") << QStringLiteral("error") << QStringLiteral("http-error");
    QTest::newRow("queue deadline") << QStringLiteral("deadline") << QStringLiteral("timeout");
    QTest::newRow("boot keeps failing until the deadline")
        << QStringLiteral("boot-failures") << QStringLiteral("timeout");
    QTest::newRow("cancel while queued") << QStringLiteral("cancel-queued") << QStringLiteral("cancelled");
    QTest::newRow("cancel while running") << QStringLiteral("cancel-running") << QStringLiteral("cancelled");
    QTest::newRow("probe dropped") << QStringLiteral("dropped") << QStringLiteral("connection-failed");
    QTest::newRow("backend lost the runner") << QStringLiteral("lost") << QStringLiteral("connection-failed");
    QTest::newRow("run timeout") << QStringLiteral("run-timeout") << QStringLiteral("timeout");
    QTest::newRow("shutdown while queued") << QStringLiteral("shutdown-queued") << QStringLiteral("cancelled");
    QTest::newRow("shutdown while running") << QStringLiteral("shutdown-running") << QStringLiteral("cancelled");
    QTest::newRow("submitted after shutdown") << QStringLiteral("after-shutdown") << QStringLiteral("cancelled");
    QTest::newRow("invalid URL") << QStringLiteral("invalid-url") << QStringLiteral("invalid-url");
    QTest::newRow("invalid options") << QStringLiteral("invalid-options") << QStringLiteral("other");
}

void tst_RegionPool::exactlyOneDone()
{
    QFETCH(QString, path);
    QFETCH(QString, kind);
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = 5000;
    options.runTimeoutMs = 10'000;
    Rig rig(options);
    const QStringList onARunner { QStringLiteral("completes"), QStringLiteral("error"),
        QStringLiteral("cancel-running"), QStringLiteral("dropped"), QStringLiteral("lost"),
        QStringLiteral("run-timeout"), QStringLiteral("shutdown-running") };

    if (path == u"after-shutdown")
        rig.pool->shutdown();
    LoadOptions loadOptions;
    if (path == u"invalid-options")
        loadOptions.timeoutMs = 5;
    const QUrl url = path == u"invalid-url" ? QUrl() : pageUrl;
    RunLog log(rig.pool->submit(url, loadOptions));
    QCOMPARE(log.dones.size(), 0);
    FakeProbe *probe = nullptr;
    if (onARunner.contains(path)) {
        probe = rig.bootReady(QStringLiteral("fra-1"));
        QVERIFY(probe);
        QTRY_VERIFY(probe->hasRun(log.run->id()));
    }

    if (path == u"completes" || path == u"error") {
        QVERIFY(probe->finishRun(log.run->id(), path == u"completes"));
    } else if (path == u"deadline") {
        rig.clock.advance(5000);
    } else if (path == u"boot-failures") {
        for (int i = 0; i < 3; ++i) {
            QVERIFY(rig.backend.failBoot(rig.backend.boots.last(), QStringLiteral("no")));
            rig.clock.advance(1000 << i);
        }
        rig.clock.advance(5000);
    } else if (path == u"cancel-queued" || path == u"cancel-running") {
        log.run->cancel();
    } else if (path == u"dropped") {
        QVERIFY(rig.backend.kill(QStringLiteral("fra-1")));
    } else if (path == u"lost") {
        rig.backend.lose(QStringLiteral("fra-1"), QStringLiteral("gone"));
    } else if (path == u"run-timeout") {
        rig.clock.advance(10'000);
    } else if (path == u"shutdown-queued" || path == u"shutdown-running") {
        rig.pool->shutdown();
    }
    QTRY_COMPARE(log.dones.size(), 1);
    const DoneMessage done = log.done();
    QCOMPARE(done.ok, kind.isEmpty());
    QCOMPARE(done.error ? LoadError::kindName(done.error->kind) : QString(), kind);
    QCOMPARE(done.runId, log.run->id());
    QVERIFY(log.run->isFinished());
    QCOMPARE(log.run->result(), std::optional<DoneMessage>(done));

    // Whatever happens later adds nothing.
    rig.clock.advance(oneHourMs);
    QTest::qWait(100);
    log.run->cancel();
    rig.pool->shutdown();
    QTest::qWait(20);
    QCOMPARE(log.dones.size(), 1);
}

QTEST_GUILESS_MAIN(tst_RegionPool)
#include "tst_regionpool.moc"
