// FleetPanel offscreen against a FakeBackend's pool on a manual clock: regions and runners as the pool reports
// them, boots that fail in the backend's words, problems kept newest first. Set WORLDSPEED_SCREENSHOT_DIR to keep
// light and dark screenshots.

#include "darkpalette.h"
#include "fakebackend.h"
#include "fakeprobe.h"
#include "fleet/fleet.h"
#include "fleet/poolrun.h"
#include "fleetpanel.h"
#include "manualclock.h"
#include "panelfixtures.h"

#include <QLabel>
#include <QTest>
#include <QTreeWidget>

namespace {

// The region's problems, newest first: the lost runner, then the boot that failed for `bootFailure`; the newest
// in full under the tree until the user selects another.
void checkProblems(FleetPanel &panel, QTreeWidgetItem *region, const QString &bootFailure)
{
    QTreeWidgetItem *problems = nullptr;
    for (int i = 0; i < region->childCount(); ++i) {
        if (region->child(i)->text(FleetPanel::NameColumn).startsWith(QStringLiteral("Problems")))
            problems = region->child(i);
    }
    QVERIFY(problems);
    QCOMPARE(problems->childCount(), 2);
    QCOMPARE(problems->child(0)->text(FleetPanel::StateColumn), QStringLiteral("runner lost"));
    QCOMPARE(problems->child(1)->text(FleetPanel::StateColumn), QStringLiteral("boot failed"));
    QVERIFY(!problems->child(0)->text(FleetPanel::NameColumn).isEmpty()); // the time
    // Under the tree, in full: the newest problem, or the row the user selected.
    QVERIFY2(panel.detailsLabel()->text().startsWith(QStringLiteral("Latest problem, ")),
        qPrintable(panel.detailsLabel()->text()));
    QVERIFY(panel.detailsLabel()->text().contains(
        QStringLiteral("Frankfurt (fra): fra-3 went away: machine destroyed by the provider")));
    problems->child(1)->setSelected(true);
    QVERIFY(panel.detailsLabel()->text().contains(bootFailure));
    QVERIFY(!panel.detailsLabel()->text().startsWith(QStringLiteral("Latest problem")));
}

} // namespace

class tst_FleetPanel : public QObject
{
    Q_OBJECT

private slots:
    void fleetPanelFollowsThePool();
    void fleetPanelShowsConfigErrors();
    void screenshots();
};

void tst_FleetPanel::fleetPanelFollowsThePool()
{
    ManualClock clock;
    FakeBackend backend(QStringLiteral("fra"));
    Fleet fleet(&clock);
    PoolOptions options;
    options.max = 2;
    options.maxConcurrency = 2;
    options.idleShutdownAfterMs = 60'000;
    RegionPool *pool = fleet.addRegion(QStringLiteral("fra"), options, &backend);
    QVERIFY(pool);

    FleetPanel panel;
    panel.setRemovedLinger(100);
    panel.setFleet(&fleet);
    QTreeWidgetItem *region = panel.regionItem(QStringLiteral("fra"));
    QVERIFY(region);
    QCOMPARE(region->text(FleetPanel::NameColumn), QStringLiteral("Frankfurt (fra)"));
    QCOMPARE(region->text(FleetPanel::StateColumn), QStringLiteral("no runners"));
    QVERIFY2(
        region->text(FleetPanel::DetailColumn).contains(QStringLiteral("fake backend · 0–2 runners · 2 runs each")),
        qPrintable(region->text(FleetPanel::DetailColumn)));

    // A run boots a runner.
    PoolRun *run = pool->submit(QUrl(QStringLiteral("https://example.com/")));
    QTRY_COMPARE(backend.booting(), QStringList { QStringLiteral("fra-1") });
    QTRY_VERIFY(panel.runnerItem(QStringLiteral("fra"), QStringLiteral("fra-1")));
    QCOMPARE(panel.runnerItem(QStringLiteral("fra"), QStringLiteral("fra-1"))->text(FleetPanel::StateColumn),
        QStringLiteral("booting"));
    QTRY_VERIFY2(region->text(FleetPanel::StateColumn).contains(QStringLiteral("1 queued")), qPrintable(panel.text()));
    QVERIFY2(
        region->text(FleetPanel::StartColumn).startsWith(QStringLiteral("next run: cold")), qPrintable(panel.text()));

    // Its boot fails: the reason is shown, in the backend's words, and the runner as failed.
    const QString reason = QStringLiteral("quota exceeded in fra: the organization may run 3 machines at most");
    QVERIFY(backend.failBoot(QStringLiteral("fra-1"), reason));
    QTRY_VERIFY2(panel.text().contains(reason), qPrintable(panel.text()));
    QVERIFY(panel.text().contains(QStringLiteral("fra-1 did not start: ") + reason));
    QVERIFY(panel.text().contains(QStringLiteral("Problems (1)")));
    QCOMPARE(panel.runnerItem(QStringLiteral("fra"), QStringLiteral("fra-1"))->text(FleetPanel::StateColumn),
        QStringLiteral("failed"));
    // ... and the failed runner goes after a while; the problem stays.
    QTRY_VERIFY(!panel.runnerItem(QStringLiteral("fra"), QStringLiteral("fra-1")));
    QVERIFY(panel.text().contains(reason));

    // The pool retries after its back-off; this boot comes up and takes the run.
    clock.advance(RegionPool::bootRetryInitialMs);
    QTRY_COMPARE(backend.booting(), QStringList { QStringLiteral("fra-2") });
    clock.advance(800); // the boot takes 0.8 s
    FakeProbe *probe = backend.completeBoot(QStringLiteral("fra-2"), 2);
    QVERIFY(probe);
    QTRY_COMPARE(probe->openRuns().size(), 1);
    QTreeWidgetItem *runner = panel.runnerItem(QStringLiteral("fra"), QStringLiteral("fra-2"));
    QVERIFY(runner);
    QTRY_COMPARE(runner->text(FleetPanel::StateColumn), QStringLiteral("busy 1/2"));
    QCOMPARE(runner->text(FleetPanel::StartColumn), QStringLiteral("booted in 800 ms"));
    QVERIFY(run->cold());
    QVERIFY2(region->text(FleetPanel::StateColumn).startsWith(QStringLiteral("1 busy")), qPrintable(panel.text()));
    QVERIFY2(
        region->text(FleetPanel::StartColumn).startsWith(QStringLiteral("next run: hot")), qPrintable(panel.text()));

    // The run ends: the runner is idle.
    QVERIFY(probe->finishRun(probe->openRuns().constFirst()));
    QTRY_COMPARE(runner->text(FleetPanel::StateColumn), QStringLiteral("idle"));
    QCOMPARE(region->text(FleetPanel::StateColumn), QStringLiteral("1 idle"));

    // Idle long enough, it is stopped: shown as stopped for a moment, then gone.
    clock.advance(options.idleShutdownAfterMs);
    QTRY_COMPARE(backend.stops, (QStringList { QStringLiteral("fra-1"), QStringLiteral("fra-2") }));
    QCOMPARE(runner->text(FleetPanel::StateColumn), QStringLiteral("stopped"));
    QCOMPARE(region->text(FleetPanel::StateColumn), QStringLiteral("no runners"));
    QTRY_VERIFY(!panel.runnerItem(QStringLiteral("fra"), QStringLiteral("fra-2")));

    // A runner that goes away while ready is a problem too.
    PoolRun *second = pool->submit(QUrl(QStringLiteral("https://example.com/")));
    QTRY_COMPARE(backend.booting(), QStringList { QStringLiteral("fra-3") });
    FakeProbe *third = backend.completeBoot(QStringLiteral("fra-3"), 2);
    QVERIFY(third);
    QTRY_COMPARE(third->openRuns().size(), 1);
    backend.lose(QStringLiteral("fra-3"), QStringLiteral("machine destroyed by the provider"));
    QTRY_VERIFY2(panel.text().contains(QStringLiteral("fra-3 went away")), qPrintable(panel.text()));
    QVERIFY(panel.text().contains(QStringLiteral("Problems (2)")));
    checkProblems(panel, region, reason);
    delete run;
    delete second;
}

void tst_FleetPanel::fleetPanelShowsConfigErrors()
{
    ManualClock clock;
    FakeBackend backend(QStringLiteral("lab"));
    Fleet fleet(&clock);
    QVERIFY(fleet.addRegion(QStringLiteral("lab"), PoolOptions {}, &backend));
    FleetPanel panel;
    panel.setFleet(&fleet);
    QCOMPARE(panel.regionItem(QStringLiteral("lab"))->text(FleetPanel::NameColumn), QStringLiteral("lab")); // no city
    QVERIFY(fleet.addRegion(QStringLiteral("fra"), PoolOptions {}, &backend));
    QVERIFY(!panel.regionItem(QStringLiteral("fra")));
    panel.refresh();
    QVERIFY(panel.regionItem(QStringLiteral("fra")));

    FleetPanel empty;
    QVERIFY(empty.text().contains(QStringLiteral("No regions")));
}

void tst_FleetPanel::screenshots()
{
    ManualClock clock;
    FakeBackend backend(QStringLiteral("fra"));
    FakeBackend flyBackend(QStringLiteral("syd"));
    Fleet fleet(&clock);
    PoolOptions options;
    options.max = 3;
    options.maxConcurrency = 2;
    RegionPool *fra = fleet.addRegion(QStringLiteral("fra"), options, &backend);
    RegionPool *syd = fleet.addRegion(QStringLiteral("syd"), options, &flyBackend);
    FleetPanel panel;
    panel.setFleet(&fleet);
    QList<PoolRun *> runs;
    for (int i = 0; i < 3; ++i)
        runs.append(fra->submit(QUrl(QStringLiteral("https://example.com/"))));
    runs.append(syd->submit(QUrl(QStringLiteral("https://example.com/"))));
    QTRY_COMPARE(backend.booting().size(), 2);
    clock.advance(740);
    QVERIFY(backend.completeBoot(QStringLiteral("fra-1"), 2));
    QTRY_COMPARE(flyBackend.booting().size(), 1);
    QVERIFY(flyBackend.failBoot(QStringLiteral("syd-1"),
        QStringLiteral("Fly Machines API answered 401 Unauthorized: check the token \"fly-api\" in the keychain")));
    QTRY_VERIFY(panel.text().contains(QStringLiteral("busy 2/2")));
    panel.resize(900, 320);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));

    save(panel.grab().toImage(), QStringLiteral("fleetpanel-light.png"));
    panel.setPalette(darkPalette());
    QTest::qWait(50);
    save(panel.grab().toImage(), QStringLiteral("fleetpanel-dark.png"));
    qDeleteAll(runs);
    if (qEnvironmentVariableIsEmpty("WORLDSPEED_SCREENSHOT_DIR"))
        QSKIP("WORLDSPEED_SCREENSHOT_DIR is not set; not saving screenshots");
}

QTEST_MAIN(tst_FleetPanel)
#include "tst_fleetpanel.moc"
