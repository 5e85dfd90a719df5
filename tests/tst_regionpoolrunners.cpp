// The pool's runners' lives: idle shutdown, the `min` runners, boots that fail or time out and their back-off, and a
// runner that dies.
//
// RegionPool against a FakeBackend whose runners are scripted FakeProbes on loopback (PoolRig). Time is a
// ManualClock: every timeout, deadline, back-off and idle shutdown is checked to the millisecond by advancing it;
// QTRY_* and QSignalSpy::wait only cover the WebSocket hops between the pool's ProbeClients and the fake probes.

#include "fleet/poolrun.h"
#include "fleet/regionpool.h"
#include "fleet/staticbackend.h"
#include "memorysecretstore.h"
#include "poolrig.h"
#include "poolrunlog.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

class tst_RegionPoolRunners : public QObject
{
    Q_OBJECT

private slots:
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
};

void tst_RegionPoolRunners::idleShutdownAtExactlyIdleTime()
{
    PoolOptions options;
    options.max = 1;
    options.idleShutdownAfterMs = 30'000;
    PoolRig rig(options);
    QSignalSpy removed(rig.pool.get(), &RegionPool::runnerRemoved);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    FakeProbe *probe = rig.bootReady(QStringLiteral("fra-1"));
    QVERIFY(probe);
    QTRY_VERIFY(probe->hasRun(a.run->id()));
    QVERIFY(probe->finishRun(a.run->id()));
    QTRY_COMPARE(a.dones.size(), 1);

    // A run 20 s into the idle time starts it again from that run's end.
    rig.clock.advance(20'000);
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl));
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
    rig.pool->submit(PoolRig::pageUrl);
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
}

void tst_RegionPoolRunners::minRunners_data()
{
    QTest::addColumn<int>("min");
    QTest::addColumn<qint64>("minIdle"); // -1: unset
    QTest::addColumn<qint64>("stopsAfter"); // -1: never
    QTest::newRow("min 1 stays") << 1 << qint64(-1) << qint64(-1);
    QTest::newRow("min 2 stay") << 2 << qint64(-1) << qint64(-1);
    QTest::newRow("min 1, min idle 5 s") << 1 << qint64(5000) << qint64(5000);
    QTest::newRow("min 2, min idle 90 s") << 2 << qint64(90'000) << qint64(90'000);
}

void tst_RegionPoolRunners::minRunners()
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
    PoolRig rig(options);
    QCOMPARE(rig.backend.boots.size(), min); // at start, without any run
    QCOMPARE(rig.pool->runners().size(), min);
    const QStringList ids = rig.backend.boots;
    for (const QString &id : ids)
        QVERIFY(rig.bootReady(id));

    if (stopsAfter < 0) {
        rig.clock.advance(PoolRig::oneHourMs);
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
    rig.clock.advance(PoolRig::oneHourMs);
    QCOMPARE(rig.backend.boots, ids);
}

void tst_RegionPoolRunners::extraRunnersIdleDownToMin()
{
    PoolOptions options;
    options.min = 1;
    options.max = 2;
    options.idleShutdownAfterMs = 1000;
    PoolRig rig(options);
    QVERIFY(rig.bootReady(QStringLiteral("fra-1")));
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    QCOMPARE(a.run->runnerId(), QStringLiteral("fra-1"));
    QVERIFY(!a.run->cold()); // the min runner was up already
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl));
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
    rig.clock.advance(PoolRig::oneHourMs);
    QCOMPARE(rig.runnerIds(), QStringList { QStringLiteral("fra-1") });
    QCOMPARE(rig.backend.boots.size(), 2);
}

void tst_RegionPoolRunners::minRunnerIsReplacedWhenItDies()
{
    PoolOptions options;
    options.min = 1;
    PoolRig rig(options);
    QVERIFY(rig.bootReady(QStringLiteral("fra-1")));
    QVERIFY(rig.backend.kill(QStringLiteral("fra-1")));
    QTRY_COMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QCOMPARE(rig.backend.stops, QStringList { QStringLiteral("fra-1") });
    QVERIFY(rig.bootReady(QStringLiteral("fra-2")));
    rig.clock.advance(PoolRig::oneHourMs);
    QCOMPARE(rig.runnerIds(), QStringList { QStringLiteral("fra-2") });
}

void tst_RegionPoolRunners::bootFailureRetriesWithBackoff()
{
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = 10 * 60'000;
    PoolRig rig(options);
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    QSignalSpy changed(rig.pool.get(), &RegionPool::runnerChanged);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
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
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl)); // waits: at max
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
void tst_RegionPoolRunners::refusedBootFailsTheWaitingRunsAtOnce()
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

    PoolRunLog a(pool.submit(PoolRig::pageUrl));
    QTRY_COMPARE(a.dones.size(), 1); // the manual clock did not move: no timeout ended it
    QVERIFY2(a.error().contains(u"no token") && a.error().contains(u"probe-fra"), qPrintable(a.error()));
    QCOMPARE(failures.size(), 1);
    QCOMPARE(pool.queueLength(), 0);
    QVERIFY(pool.runners().isEmpty());
    QCOMPARE(clock.nowMs(), start);
    clock.advance(PoolRig::oneHourMs); // no retry is planned
    QCOMPARE(failures.size(), 1);
    QVERIFY(pool.runners().isEmpty());

    secrets.secrets.insert(QStringLiteral("probe-fra"), probe.token);
    PoolRunLog b(pool.submit(PoolRig::pageUrl));
    QTRY_VERIFY(probe.hasRun(b.run->id()));
    QCOMPARE(failures.size(), 1);
}

void tst_RegionPoolRunners::stopsRetryingWhenDemandIsGone_data()
{
    QTest::addColumn<QString>("how");
    QTest::newRow("cancelled while booting") << QStringLiteral("cancel-booting");
    QTest::newRow("cancelled while a retry is pending") << QStringLiteral("cancel-retry");
    QTest::newRow("queue deadline while a retry is pending") << QStringLiteral("deadline");
}

void tst_RegionPoolRunners::stopsRetryingWhenDemandIsGone()
{
    QFETCH(QString, how);
    PoolOptions options;
    options.max = 1;
    options.checkoutTimeoutMs = 5000;
    PoolRig rig(options);
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
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
    rig.clock.advance(PoolRig::oneHourMs);
    QCOMPARE(rig.backend.boots.size(), boots);
    QVERIFY(rig.pool->runners().isEmpty());
}

void tst_RegionPoolRunners::minBootFailureRetries()
{
    PoolOptions options;
    options.min = 1;
    PoolRig rig(options);
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    QVERIFY(rig.backend.failBoot(QStringLiteral("fra-1"), QStringLiteral("image not found")));
    QCOMPARE(failures.size(), 1);
    rig.clock.advance(999);
    QCOMPARE(rig.backend.boots.size(), 1);
    rig.clock.advance(1);
    QCOMPARE(rig.backend.boots, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QVERIFY(rig.bootReady(QStringLiteral("fra-2")));
}

void tst_RegionPoolRunners::bootTimeout_data()
{
    QTest::addColumn<bool>("probeStarts"); // the backend answers, but the probe never says hello
    QTest::newRow("no answer from the backend") << false;
    QTest::newRow("no hello from the probe") << true;
}

void tst_RegionPoolRunners::bootTimeout()
{
    QFETCH(bool, probeStarts);
    PoolOptions options;
    options.max = 1;
    PoolRig rig(options); // bootTimeoutMs: the default 60 s
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    QSignalSpy removed(rig.pool.get(), &RegionPool::runnerRemoved);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
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

void tst_RegionPoolRunners::unreachableProbeIsABootFailure()
{
    PoolOptions options;
    PoolRig rig(options);
    QSignalSpy failures(rig.pool.get(), &RegionPool::bootFailed);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
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

void tst_RegionPoolRunners::deadRunnerFailsOnlyItsRuns_data()
{
    QTest::addColumn<bool>("dropped"); // else the backend reports it lost
    QTest::addColumn<bool>("demand"); // a run waits when it dies
    QTest::newRow("connection dropped, run waiting") << true << true;
    QTest::newRow("connection dropped, nothing waiting") << true << false;
    QTest::newRow("backend lost it, run waiting") << false << true;
    QTest::newRow("backend lost it, nothing waiting") << false << false;
}

void tst_RegionPoolRunners::deadRunnerFailsOnlyItsRuns()
{
    QFETCH(bool, dropped);
    QFETCH(bool, demand);
    PoolOptions options;
    options.max = 2;
    PoolRig rig(options);
    PoolRunLog a(rig.pool->submit(PoolRig::pageUrl));
    PoolRunLog b(rig.pool->submit(PoolRig::pageUrl));
    FakeProbe *one = rig.bootReady(QStringLiteral("fra-1"));
    FakeProbe *two = rig.bootReady(QStringLiteral("fra-2"));
    QVERIFY(one && two);
    QTRY_VERIFY(one->hasRun(a.run->id()) && two->hasRun(b.run->id()));
    std::unique_ptr<PoolRunLog> c;
    if (demand)
        c = std::make_unique<PoolRunLog>(rig.pool->submit(PoolRig::pageUrl));
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

QTEST_GUILESS_MAIN(tst_RegionPoolRunners)
#include "tst_regionpoolrunners.moc"
