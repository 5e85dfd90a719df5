// Fleet and MultiRegionRun: one run fanned out to several regions, each with its own FakeBackend and scripted
// FakeProbes on loopback, and a ManualClock for the pools' timers.

#include "fakebackend.h"
#include "fakeprobe.h"
#include "fleet/fleet.h"
#include "fleet/multiregionrun.h"
#include "fleet/poolrun.h"
#include "fleet/regionpool.h"
#include "manualclock.h"

#include <QSignalSpy>
#include <QTest>

#include <memory>

namespace {

const QUrl pageUrl(QStringLiteral("https://example.com/"));

// A Fleet of three regions, each with its fake backend, on a manual clock.
struct Rig
{
    Rig()
        : pools(std::make_unique<Fleet>(&clock))
    { }

    FakeBackend &backend(const QString &region)
    {
        if (region == u"fra")
            return fra;
        if (region == u"iad")
            return iad;
        return syd;
    }

    // Boots the region's first runner and waits until its probe has the region's run.
    FakeProbe *bootAndRun(const QString &region, const QString &runId)
    {
        FakeProbe *probe = backend(region).completeBoot(region + QStringLiteral("-1"));
        if (!probe || !QTest::qWaitFor([&] { return probe->hasRun(runId); }, 5000))
            return nullptr;
        return probe;
    }

    ManualClock clock;
    FakeBackend fra { QStringLiteral("fra") };
    FakeBackend iad { QStringLiteral("iad") };
    FakeBackend syd { QStringLiteral("syd") };
    std::unique_ptr<Fleet> pools; // declared last: goes first
};

struct TestLog
{
    explicit TestLog(MultiRegionRun *test)
        : statuses(test, &MultiRegionRun::regionStatus)
        , requests(test, &MultiRegionRun::requestFinished)
        , metrics(test, &MultiRegionRun::metrics)
        , dones(test, &MultiRegionRun::regionDone)
        , finished(test, &MultiRegionRun::finished)
    { }

    // The regions, in the order their regionDone came.
    QStringList doneRegions() const
    {
        QStringList regions;
        for (const QList<QVariant> &args : dones)
            regions.append(args.at(0).toString());
        return regions;
    }
    DoneMessage done(const QString &region) const
    {
        for (const QList<QVariant> &args : dones) {
            if (args.at(0).toString() == region)
                return qvariant_cast<DoneMessage>(args.at(1));
        }
        return {};
    }

    QSignalSpy statuses;
    QSignalSpy requests;
    QSignalSpy metrics;
    QSignalSpy dones;
    QSignalSpy finished;
};

} // namespace

class tst_Fleet : public QObject
{
    Q_OBJECT

private slots:
    void addRegionRefusesBadInput_data();
    void addRegionRefusesBadInput();
    void fansOutToRegions();
    void unknownRegion();
    void noKnownRegionsAtAll_data();
    void noKnownRegionsAtAll();
    void cancelEndsEveryRegion();
    void deletingATestCancelsItsRuns();
    void systemClockByDefault();
};

void tst_Fleet::addRegionRefusesBadInput_data()
{
    QTest::addColumn<QString>("region");
    QTest::addColumn<int>("max");
    QTest::addColumn<bool>("withBackend");
    QTest::addColumn<QString>("error");
    QTest::newRow("a region that exists")
        << QStringLiteral("fra") << 1 << true << QStringLiteral("region fra has a pool already");
    QTest::newRow("not an identifier")
        << QStringLiteral("fra west") << 1 << true
        << QStringLiteral("region \"fra west\" is not 1–64 characters of A–Z, a–z, 0–9, '_' and '-'");
    QTest::newRow("invalid options") << QStringLiteral("iad") << 0 << true
                                     << QStringLiteral("region iad: max must be 1 or more, not 0");
    QTest::newRow("no backend") << QStringLiteral("iad") << 1 << false << QStringLiteral("region iad has no backend");
}

void tst_Fleet::addRegionRefusesBadInput()
{
    QFETCH(QString, region);
    QFETCH(int, max);
    QFETCH(bool, withBackend);
    QFETCH(QString, error);
    Rig fleet;
    QVERIFY(fleet.pools->addRegion(QStringLiteral("fra"), {}, &fleet.fra));
    PoolOptions options;
    options.max = max;
    QString why;
    QVERIFY(!fleet.pools->addRegion(region, options, withBackend ? &fleet.iad : nullptr, &why));
    QCOMPARE(why, error);
    QCOMPARE(fleet.pools->regions(), QStringList { QStringLiteral("fra") });
}

void tst_Fleet::fansOutToRegions()
{
    Rig fleet;
    const QStringList regions { QStringLiteral("fra"), QStringLiteral("iad"), QStringLiteral("syd") };
    for (const QString &region : regions) {
        RegionPool *pool = fleet.pools->addRegion(region, {}, &fleet.backend(region));
        QVERIFY(pool);
        QCOMPARE(fleet.pools->pool(region), pool);
        QCOMPARE(pool->region(), region);
    }
    QCOMPARE(fleet.pools->regions(), regions);

    MultiRegionRun *test = fleet.pools->submit(pageUrl, {}, regions + QStringList { QStringLiteral("fra") });
    TestLog log(test);
    QCOMPARE(test->regions(), regions); // the duplicate dropped
    for (const QString &region : regions) {
        QCOMPARE(fleet.backend(region).boots, QStringList { region + QStringLiteral("-1") });
        QVERIFY(test->run(region));
        QCOMPARE(test->run(region)->region(), region);
    }

    QHash<QString, FakeProbe *> probes;
    for (const QString &region : regions) {
        probes.insert(region, fleet.bootAndRun(region, test->run(region)->id()));
        QVERIFY2(probes.value(region), qPrintable(region));
        // Each region's run went to that region's probe, and only there.
        QCOMPARE(probes.value(region)->runIds(), QStringList { test->run(region)->id() });
    }

    const QStringList order { QStringLiteral("syd"), QStringLiteral("fra"), QStringLiteral("iad") };
    for (qsizetype i = 0; i < order.size(); ++i) {
        const QString &region = order.at(i);
        QVERIFY(probes.value(region)->finishRun(test->run(region)->id()));
        QTRY_COMPARE(log.dones.size(), i + 1);
        QCOMPARE(log.doneRegions().last(), region);
        QCOMPARE(log.finished.size(), i + 1 == order.size() ? 1 : 0);
        QCOMPARE(test->isFinished(), i + 1 == order.size());
    }
    QTest::qWait(50);
    QCOMPARE(log.finished.size(), 1);
    QCOMPARE(log.dones.size(), 3);

    // Every frame carries the region it came from.
    for (const QString &region : regions) {
        const DoneMessage done = log.done(region);
        QVERIFY(done.ok);
        QCOMPARE(done.runId, test->run(region)->id());
        QVERIFY(test->run(region)->cold());
    }
    QCOMPARE(log.requests.size(), 3);
    for (const QList<QVariant> &args : std::as_const(log.requests)) {
        const QString region = args.at(0).toString();
        QCOMPARE(qvariant_cast<RunView>(args.at(1)), RunView::First);
        QCOMPARE(
            qvariant_cast<RequestTiming>(args.at(2)).url, QStringLiteral("https://example.com/%1/app.css").arg(region));
    }
    QCOMPARE(log.metrics.size(), 3);
    for (const QList<QVariant> &args : std::as_const(log.metrics)) {
        const QString region = args.at(0).toString();
        const auto metrics = qvariant_cast<MetricsMessage>(args.at(2));
        QCOMPARE(metrics.finalUrl, QStringLiteral("https://example.com/%1/").arg(region));
        QCOMPARE(metrics.runId, test->run(region)->id());
    }
    // Per region: queued (starting a probe), then the probe's loading and complete.
    for (const QString &region : regions) {
        QList<RunState> states;
        for (const QList<QVariant> &args : std::as_const(log.statuses)) {
            if (args.at(0).toString() == region)
                states.append(qvariant_cast<RunState>(args.at(1)));
        }
        QCOMPARE(states, (QList<RunState> { RunState::Queued, RunState::Loading, RunState::Complete }));
    }
}

void tst_Fleet::unknownRegion()
{
    Rig fleet;
    QVERIFY(fleet.pools->addRegion(QStringLiteral("fra"), {}, &fleet.fra));
    MultiRegionRun *test = fleet.pools->submit(pageUrl, {}, { QStringLiteral("mars"), QStringLiteral("fra") });
    TestLog log(test);
    QCOMPARE(log.dones.size(), 0); // never from inside submit()
    QVERIFY(!test->run(QStringLiteral("mars")));
    QTRY_COMPARE(log.dones.size(), 1);
    QCOMPARE(log.doneRegions(), QStringList { QStringLiteral("mars") });
    const DoneMessage mars = log.done(QStringLiteral("mars"));
    QVERIFY(!mars.ok);
    QCOMPARE(mars.error->kind, LoadError::Kind::Other);
    QCOMPARE(mars.error->message, QStringLiteral("no probes are configured for region \"mars\""));
    QCOMPARE(log.finished.size(), 0);

    // The known region runs as usual.
    FakeProbe *probe = fleet.bootAndRun(QStringLiteral("fra"), test->run(QStringLiteral("fra"))->id());
    QVERIFY(probe);
    QVERIFY(probe->finishRun(test->run(QStringLiteral("fra"))->id()));
    QTRY_COMPARE(log.finished.size(), 1);
    QCOMPARE(log.doneRegions(), (QStringList { QStringLiteral("mars"), QStringLiteral("fra") }));
    QVERIFY(log.done(QStringLiteral("fra")).ok);
    QTest::qWait(50);
    QCOMPARE(log.finished.size(), 1);
}

void tst_Fleet::noKnownRegionsAtAll_data()
{
    QTest::addColumn<QStringList>("regions");
    QTest::newRow("none asked for") << QStringList();
    QTest::newRow("only unknown ones") << QStringList { QStringLiteral("mars"), QStringLiteral("venus") };
}

void tst_Fleet::noKnownRegionsAtAll()
{
    QFETCH(QStringList, regions);
    Rig fleet;
    MultiRegionRun *test = fleet.pools->submit(pageUrl, {}, regions);
    TestLog log(test);
    QCOMPARE(log.finished.size(), 0);
    QTRY_COMPARE(log.finished.size(), 1);
    QCOMPARE(log.doneRegions(), regions);
    QTest::qWait(50);
    QCOMPARE(log.finished.size(), 1);
}

void tst_Fleet::cancelEndsEveryRegion()
{
    Rig fleet;
    QVERIFY(fleet.pools->addRegion(QStringLiteral("fra"), {}, &fleet.fra));
    QVERIFY(fleet.pools->addRegion(QStringLiteral("iad"), {}, &fleet.iad));
    MultiRegionRun *test = fleet.pools->submit(pageUrl, {}, { QStringLiteral("fra"), QStringLiteral("iad") });
    TestLog log(test);
    // fra is running on its probe; iad still waits for its runner to boot.
    FakeProbe *probe = fleet.bootAndRun(QStringLiteral("fra"), test->run(QStringLiteral("fra"))->id());
    QVERIFY(probe);
    test->cancel();
    QCOMPARE(log.doneRegions(), (QStringList { QStringLiteral("fra"), QStringLiteral("iad") }));
    for (const QString &region : { QStringLiteral("fra"), QStringLiteral("iad") })
        QCOMPARE(log.done(region).error->kind, LoadError::Kind::Cancelled);
    QCOMPARE(log.finished.size(), 1);
    QTRY_COMPARE(probe->cancels(), QStringList { test->run(QStringLiteral("fra"))->id() });
    test->cancel(); // again: nothing
    QTest::qWait(50);
    QCOMPARE(log.dones.size(), 2);
    QCOMPARE(log.finished.size(), 1);
}

void tst_Fleet::deletingATestCancelsItsRuns()
{
    Rig fleet;
    RegionPool *pool = fleet.pools->addRegion(QStringLiteral("fra"), {}, &fleet.fra);
    QVERIFY(pool);
    MultiRegionRun *test = fleet.pools->submit(pageUrl, {}, { QStringLiteral("fra") });
    const QString runId = test->run(QStringLiteral("fra"))->id();
    FakeProbe *probe = fleet.bootAndRun(QStringLiteral("fra"), runId);
    QVERIFY(probe);
    delete test;
    QTRY_COMPARE(probe->cancels(), QStringList { runId });
    QTRY_COMPARE(pool->runners().value(0).active, 0);
}

void tst_Fleet::systemClockByDefault()
{
    // No clock given: the fleet's own SystemClock runs the pools' real timers.
    FakeBackend backend(QStringLiteral("fra"));
    Fleet fleet;
    QVERIFY(fleet.clock());
    PoolOptions options;
    options.checkoutTimeoutMs = 50;
    QVERIFY(fleet.addRegion(QStringLiteral("fra"), options, &backend));
    MultiRegionRun *test = fleet.submit(pageUrl, {}, { QStringLiteral("fra") });
    QSignalSpy finished(test, &MultiRegionRun::finished);
    QSignalSpy dones(test, &MultiRegionRun::regionDone);
    QVERIFY(finished.wait(5000));
    QCOMPARE(qvariant_cast<DoneMessage>(dones.at(0).at(1)).error->message,
        QStringLiteral("no runner free in fra within 50 ms"));
}

QTEST_GUILESS_MAIN(tst_Fleet)
#include "tst_fleet.moc"
