// The pool's checkout and growth: which runner a run goes to, when one more boots, the queue and its deadline, and
// what nextRunStart() foretells.
//
// RegionPool against a FakeBackend whose runners are scripted FakeProbes on loopback (PoolRig). Time is a
// ManualClock: every timeout, deadline, back-off and idle shutdown is checked to the millisecond by advancing it;
// QTRY_* and QSignalSpy::wait only cover the WebSocket hops between the pool's ProbeClients and the fake probes.

#include "fleet/poolrun.h"
#include "fleet/regionpool.h"
#include "poolrig.h"
#include "poolrunlog.h"

#include <QSignalSpy>
#include <QTest>

class tst_RegionPoolCheckout : public QObject
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
};

void tst_RegionPoolCheckout::validate_data()
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

void tst_RegionPoolCheckout::validate()
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

void tst_RegionPoolCheckout::invalidOptionsFailEveryRun()
{
    PoolOptions options;
    options.min = 1;
    options.max = 0;
    QTest::ignoreMessage(QtWarningMsg, "the pool for fra is not usable: max must be 1 or more, not 0");
    PoolRig rig(options);
    QCOMPARE(rig.pool->configError(), QStringLiteral("max must be 1 or more, not 0"));
    PoolRunLog log(rig.pool->submit(PoolRig::pageUrl));
    QCOMPARE(log.dones.size(), 0); // never from inside submit()
    QTRY_COMPARE(log.dones.size(), 1);
    QCOMPARE(log.error(), QStringLiteral("the pool for fra is not usable: max must be 1 or more, not 0"));
    QVERIFY(rig.backend.boots.isEmpty());
}

void tst_RegionPoolCheckout::growsOnDemand()
{
    PoolOptions options;
    options.max = 3;
    PoolRig rig(options);
    QVERIFY(rig.backend.boots.isEmpty()); // min 0: nothing runs until there is work

    PoolRun *first = rig.pool->submit(PoolRig::pageUrl);
    PoolRunLog a(first);
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
    PoolRun *second = rig.pool->submit(PoolRig::pageUrl);
    PoolRunLog b(second);
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
    PoolRun *third = rig.pool->submit(PoolRig::pageUrl);
    PoolRunLog c(third);
    QCOMPARE(rig.backend.boots.size(), 2);
    FakeProbe *two = rig.bootReady(QStringLiteral("fra-2"));
    QVERIFY(two);
    QTRY_COMPARE(two->runIds(), QStringList { third->id() });
    QVERIFY(third->cold());

    // A free runner takes a new run at once, warm: no Queued status, no boot.
    QVERIFY(one->finishRun(second->id()));
    QTRY_COMPARE(b.dones.size(), 1);
    PoolRun *fourth = rig.pool->submit(PoolRig::pageUrl);
    PoolRunLog d(fourth);
    QCOMPARE(fourth->runnerId(), QStringLiteral("fra-1"));
    QVERIFY(!fourth->cold());
    QTRY_COMPARE(d.statuses.size(), 1);
    QCOMPARE(d.state(0), RunState::Loading);
    QCOMPARE(rig.backend.boots.size(), 2);
}

void tst_RegionPoolCheckout::noOverBootWhileBooting_data()
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

void tst_RegionPoolCheckout::noOverBootWhileBooting()
{
    QFETCH(int, waiters);
    QFETCH(int, concurrency);
    QFETCH(int, max);
    QFETCH(int, boots);
    QCOMPARE(boots, std::min((waiters + concurrency - 1) / concurrency, max)); // the rule, spelled out

    PoolOptions options;
    options.max = max;
    options.maxConcurrency = concurrency;
    options.checkoutTimeoutMs = PoolRig::oneHourMs;
    PoolRig rig(options);
    QList<PoolRun *> runs;
    for (int i = 0; i < waiters; ++i)
        runs.append(rig.pool->submit(PoolRig::pageUrl));
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

void tst_RegionPoolCheckout::capacityIsCappedByTheProbe()
{
    PoolOptions options;
    options.max = 2;
    options.maxConcurrency = 8;
    PoolRig rig(options);
    QSignalSpy changed(rig.pool.get(), &RegionPool::runnerChanged);
    QList<PoolRun *> runs;
    for (int i = 0; i < 3; ++i)
        runs.append(rig.pool->submit(PoolRig::pageUrl));
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

void tst_RegionPoolCheckout::queueIsFifoWithADeadline()
{
    PoolOptions options;
    options.max = 1;
    PoolRig rig(options); // checkoutTimeoutMs: the default 120 s
    QSignalSpy lengths(rig.pool.get(), &RegionPool::queueLengthChanged);
    PoolRun *a = rig.pool->submit(PoolRig::pageUrl);
    PoolRunLog logA(a);
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_COMPARE(probe->runIds(), QStringList { a->id() });

    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl)); // due at 120 s
    rig.clock.advance(2000);
    PoolRunLog c(rig.pool->submit(PoolRig::pageUrl)); // due at 122 s
    rig.clock.advance(2000);
    PoolRunLog d(rig.pool->submit(PoolRig::pageUrl)); // due at 124 s
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

void tst_RegionPoolCheckout::maxIsRespected()
{
    PoolOptions options;
    options.max = 2;
    PoolRig rig(options);
    QList<PoolRun *> runs;
    for (int i = 0; i < 5; ++i)
        runs.append(rig.pool->submit(PoolRig::pageUrl));
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
    PoolRig limited(wide);
    limited.backend.setLimit(1);
    for (int i = 0; i < 3; ++i)
        limited.pool->submit(PoolRig::pageUrl);
    QCOMPARE(limited.backend.boots, QStringList { QStringLiteral("fra-1") });
}

void tst_RegionPoolCheckout::nextRunStartFollowsCheckout()
{
    using Start = RegionPool::NextRunStart;
    PoolOptions options;
    options.max = 2;
    options.maxConcurrency = 2;
    PoolRig rig(options);
    QCOMPARE(rig.pool->runnerLimit(), 2);
    QCOMPARE(rig.pool->perRunnerConcurrency(), 2);
    // No runner: a run boots one.
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    QCOMPARE(rig.backend.boots, QStringList { QStringLiteral("fra-1") });
    // The boot under way has room for a second run: cold too, and no second boot.
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl));
    QCOMPARE(rig.backend.boots.size(), 1);
    // A third does not fit in it, and the pool is below max: cold, with a boot of its own.
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);
    PoolRunLog c(rig.pool->submit(PoolRig::pageUrl));
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    // fra-2's boot has room for one more.
    QCOMPARE(rig.pool->nextRunStart(), Start::Cold);
    PoolRunLog d(rig.pool->submit(PoolRig::pageUrl));
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
    PoolRunLog e(rig.pool->submit(PoolRig::pageUrl));
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
    PoolRunLog f(rig.pool->submit(PoolRig::pageUrl));
    QCOMPARE(rig.pool->queueLength(), 0);
    QVERIFY(!f.run->cold());
    QTRY_COMPARE(one->runIds(), (QStringList { a.run->id(), b.run->id(), e.run->id(), f.run->id() }));
    QCOMPARE(rig.pool->nextRunStart(), Start::Waits);

    // The backend's own limit is the pool's.
    PoolOptions wide;
    wide.max = 3;
    PoolRig limited(wide);
    limited.backend.setLimit(1);
    QCOMPARE(limited.pool->runnerLimit(), 1);
    limited.pool->submit(PoolRig::pageUrl);
    QCOMPARE(limited.pool->nextRunStart(), Start::Waits);
}

void tst_RegionPoolCheckout::nextRunStartOfSingleUseAndUnusablePools()
{
    using Start = RegionPool::NextRunStart;
    PoolOptions options;
    options.max = 1;
    options.singleUse = true;
    PoolRig rig(options);
    QCOMPARE(rig.pool->perRunnerConcurrency(), 1);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
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
    PoolRig unusable(invalid);
    QCOMPARE(unusable.pool->nextRunStart(), Start::Fails);
}

QTEST_GUILESS_MAIN(tst_RegionPoolCheckout)
#include "tst_regionpoolcheckout.moc"
