// The pool's runs to their end: single-use runners, the run timeout, cancel and delete, shutdown, and exactly one
// done() whatever ends a run.
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

class tst_RegionPoolRuns : public QObject
{
    Q_OBJECT

private slots:
    void singleUse();
    void runTimeout();
    void cancelQueued();
    void cancelRunning();
    void deletingARunCancelsIt();
    void shutdownFailsEverythingAndStopsRunners();
    void exactlyOneDone_data();
    void exactlyOneDone();
};

void tst_RegionPoolRuns::singleUse()
{
    PoolOptions options;
    options.max = 1;
    options.singleUse = true;
    PoolRig rig(options);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl));
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
    PoolRig three(wide);
    for (int i = 0; i < 3; ++i)
        three.pool->submit(PoolRig::pageUrl);
    QCOMPARE(three.backend.boots.size(), 3);
}

void tst_RegionPoolRuns::runTimeout()
{
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = PoolRig::oneHourMs; // b waits longer than the default allows
    PoolRig rig(options); // runTimeoutMs: the default 180 s
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl));
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

void tst_RegionPoolRuns::cancelQueued()
{
    PoolOptions options;
    options.max = 1;
    options.idleShutdownAfterMs = 10'000;
    PoolRig rig(options);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl));
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

void tst_RegionPoolRuns::cancelRunning()
{
    PoolOptions options;
    options.max = 1;
    PoolRig rig(options);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl));
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

void tst_RegionPoolRuns::deletingARunCancelsIt()
{
    PoolOptions options;
    options.max = 1;
    PoolRig rig(options);
    PoolRun *a = rig.pool->submit(PoolRig::pageUrl);
    PoolRun *queued = rig.pool->submit(PoolRig::pageUrl);
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

void tst_RegionPoolRuns::shutdownFailsEverythingAndStopsRunners()
{
    PoolOptions options;
    options.max = 2;
    PoolRig rig(options);
    QSignalSpy removed(rig.pool.get(), &RegionPool::runnerRemoved);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_VERIFY(probe->hasRun(a.run->id()));
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl)); // fra-2 boots for it
    QCOMPARE(rig.backend.boots.size(), 2);

    rig.pool->shutdown();
    for (const PoolRunLog *log : { &a, &b }) {
        QCOMPARE(log->dones.size(), 1);
        QCOMPARE(log->kind(), LoadError::Kind::Cancelled);
        QCOMPARE(log->error(), QStringLiteral("the pool is shutting down"));
    }
    QCOMPARE(rig.backend.stops, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QCOMPARE(removed.size(), 2);
    QVERIFY(rig.pool->runners().isEmpty());
    QCOMPARE(rig.pool->queueLength(), 0);

    PoolRunLog c(rig.pool->submit(PoolRig::pageUrl));
    QCOMPARE(c.dones.size(), 0);
    QTRY_COMPARE(c.dones.size(), 1);
    QCOMPARE(c.error(), QStringLiteral("the pool is shutting down"));
    rig.clock.advance(PoolRig::oneHourMs);
    QCOMPARE(rig.backend.boots.size(), 2);
}

void tst_RegionPoolRuns::exactlyOneDone_data()
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

void tst_RegionPoolRuns::exactlyOneDone()
{
    QFETCH(QString, path);
    QFETCH(QString, kind);
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = 5000;
    options.runTimeoutMs = 10'000;
    PoolRig rig(options);
    const QStringList onARunner { QStringLiteral("completes"), QStringLiteral("error"),
        QStringLiteral("cancel-running"), QStringLiteral("dropped"), QStringLiteral("lost"),
        QStringLiteral("run-timeout"), QStringLiteral("shutdown-running") };

    if (path == u"after-shutdown")
        rig.pool->shutdown();
    LoadOptions loadOptions;
    if (path == u"invalid-options")
        loadOptions.timeoutMs = 5;
    const QUrl url = path == u"invalid-url" ? QUrl() : PoolRig::pageUrl;
    PoolRunLog log(rig.pool->submit(url, loadOptions));
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
    rig.clock.advance(PoolRig::oneHourMs);
    QTest::qWait(100);
    log.run->cancel();
    rig.pool->shutdown();
    QTest::qWait(20);
    QCOMPARE(log.dones.size(), 1);
}

QTEST_GUILESS_MAIN(tst_RegionPoolRuns)
#include "tst_regionpoolruns.moc"
