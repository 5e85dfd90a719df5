// RegionSummary: the one count of a region's runs, medians, representative run and failure that the table, the
// map, the CLI, the PDF and the history share. Data-driven over the cases that made the copies drift: failed,
// cancelled and unfinished runs, views without metrics, even counts, no ok run at all.
#include "regionsummary.h"

#include <QTest>

namespace {

const QString fra = QStringLiteral("fra");

PageMetrics metrics(std::optional<double> load, std::optional<double> ttfb = std::nullopt, int requests = 10)
{
    PageMetrics m;
    m.documentStatus = 200;
    m.loadMs = load;
    m.ttfbMs = ttfb;
    m.requestCount = requests;
    return m;
}

RegionRun okRun(int index, const PageMetrics &first)
{
    RegionRun run;
    run.index = index;
    run.finished = true;
    run.firstView.metrics = first;
    run.firstViewMeasured = true;
    return run;
}

RegionRun failedRun(int index, LoadError::Kind kind, const QString &message)
{
    RegionRun run;
    run.index = index;
    run.finished = true;
    run.error = LoadError { kind, message };
    return run;
}

TestRecord testOf(const QList<RegionRun> &runs, int runsPerRegion, bool running = false)
{
    TestRecord test;
    test.url = QStringLiteral("https://example.com/");
    test.runsPerRegion = runsPerRegion;
    test.regions = { fra };
    test.running = running;
    RegionRecord region;
    region.state = running ? RunState::Loading : RunState::Complete;
    region.runs = runs;
    test.results.insert(fra, region);
    return test;
}

} // namespace

class tst_RegionSummary : public QObject
{
    Q_OBJECT

private slots:
    void progressMovesAndCancelIsNeutral();
    void failedBootSaysWhyAtOnce();
    void counts_data();
    void counts();
    void evenCountAveragesTheMiddleTwo();
    void unmeasuredViewsAreLeftOut();
    void stepsHaveTheirOwnMedians();
    void noOkRun();
    void liveRegionFollowsItsState_data();
    void liveRegionFollowsItsState();
    void unfinishedRunOfAStoppedTest();
    void loadTimeShowsFromTheLoadEvent();
    void regionNotInTheTest();
    void medianMetricsIsTheSummarys();
};

void tst_RegionSummary::counts_data()
{
    QTest::addColumn<QList<RegionRun>>("runs");
    QTest::addColumn<int>("okRuns");
    QTest::addColumn<std::optional<double>>("medianLoad");
    QTest::addColumn<QString>("failure");
    QTest::addColumn<RegionSummary::Status>("status");
    QTest::addColumn<int>("representative");

    const RegionRun a = okRun(1, metrics(900));
    const RegionRun b = okRun(2, metrics(700));
    const RegionRun c = okRun(3, metrics(1500));
    QTest::newRow("all ok") << QList<RegionRun> { a, b, c } << 3 << std::optional<double>(900) << QString()
                            << RegionSummary::Status::Measured << 1;
    // A page that answered 500 still has numbers, but its run failed: they are not in the medians.
    RegionRun http = failedRun(2, LoadError::Kind::HttpError, QStringLiteral("HTTP 500"));
    http.firstView.metrics = metrics(100);
    http.firstViewMeasured = true;
    QTest::newRow("one failed") << QList<RegionRun> { a, http, c } << 2 << std::optional<double>(1200)
                                << QStringLiteral("HTTP 500") << RegionSummary::Status::Measured << 1;
    const RegionRun cancelled = failedRun(3, LoadError::Kind::Cancelled, QString());
    QTest::newRow("cancelled, no message: its kind")
        << QList<RegionRun> { a, b, cancelled } << 2 << std::optional<double>(800) << QStringLiteral("cancelled")
        << RegionSummary::Status::Measured << 2;
    QTest::newRow("no run") << QList<RegionRun> {} << 0 << std::optional<double>() << QString()
                            << RegionSummary::Status::NoResult << 0;
}

void tst_RegionSummary::counts()
{
    QFETCH(QList<RegionRun>, runs);
    QFETCH(int, okRuns);
    QFETCH(std::optional<double>, medianLoad);
    QFETCH(QString, failure);
    QFETCH(RegionSummary::Status, status);
    QFETCH(int, representative);
    const RegionSummary summary = RegionSummary::of(testOf(runs, 3), fra);
    QCOMPARE(summary.code, fra);
    const int count = int(runs.size());
    QCOMPARE(summary.runs, count);
    QCOMPARE(summary.okRuns, okRuns);
    QCOMPARE(summary.failedRuns(), count - okRuns);
    QCOMPARE(summary.allOk(), count > 0 && okRuns == count);
    QCOMPARE(summary.median ? summary.median->loadMs : std::nullopt, medianLoad);
    QCOMPARE(summary.failure, failure);
    QCOMPARE(summary.status, status);
    QCOMPARE(summary.representativeRun.value_or(0), representative);
}

void tst_RegionSummary::evenCountAveragesTheMiddleTwo()
{
    const TestRecord test = testOf({ okRun(1, metrics(400, 40)), okRun(2, metrics(1000, 10)),
                                       okRun(3, metrics(600, std::nullopt)), okRun(4, metrics(800, 30)) },
        4);
    const RegionSummary summary = RegionSummary::of(test, fra);
    QCOMPARE(summary.median->loadMs, 700.0); // (600 + 800) / 2
    QCOMPARE(summary.median->ttfbMs, 30.0); // three observed it: the middle one
    // The representative run is a real run: the lower middle by load time.
    QCOMPARE(summary.representativeRun, std::optional<int>(3));
    QCOMPARE(summary.phase, RegionSummary::Phase::Complete);
    QCOMPARE(summary.stateText(), QStringLiteral("200 Complete"));
}

void tst_RegionSummary::unmeasuredViewsAreLeftOut()
{
    RegionRun lost = okRun(2, metrics(5000));
    lost.firstViewMeasured = false; // its metrics never came: the zero request count is not a measurement
    lost.firstView.metrics = PageMetrics {};
    RegionRun withRepeat = okRun(1, metrics(900));
    withRepeat.repeatView = ViewResult {};
    withRepeat.repeatView->metrics = metrics(300);
    withRepeat.repeatViewMeasured = true;
    const RegionSummary summary = RegionSummary::of(testOf({ withRepeat, lost }, 2), fra);
    QCOMPARE(summary.okRuns, 2);
    QCOMPARE(summary.median->loadMs, 900.0);
    QCOMPARE(summary.median->requestCount, 10);
    QCOMPARE(summary.repeatViewMedian->loadMs, 300.0);
    QCOMPARE(summary.medianOf(RunView::Repeat), summary.repeatViewMedian);
    QCOMPARE(summary.representativeRun, std::optional<int>(1));

    // No view measured at all: no median, rather than one of zeros.
    RegionRun bare = okRun(1, {});
    bare.firstViewMeasured = false;
    const RegionSummary none = RegionSummary::of(testOf({ bare }, 1), fra);
    QCOMPARE(none.okRuns, 1);
    QVERIFY(!none.median);
    QVERIFY(!none.repeatViewMedian);
    QCOMPARE(none.stateText(), QStringLiteral("Complete"));
}

// A script's later steps: each step's median is over the ok runs that measured that step, never mixed with step 1's
// and never a zero for a step whose metrics did not come.
void tst_RegionSummary::stepsHaveTheirOwnMedians()
{
    const auto withSteps = [](int index, double first, std::optional<double> second) {
        RegionRun run = okRun(index, metrics(first));
        run.stepName = QStringLiteral("login");
        StepResult step { QStringLiteral("account"), {} };
        step.view.metrics = metrics(second.value_or(0.0));
        run.laterSteps.append(step);
        run.laterStepMeasured.append(second.has_value());
        return run;
    };
    const RegionRecord record { RunState::Complete, {}, false,
        { withSteps(1, 900, 300), withSteps(2, 1000, std::nullopt), withSteps(3, 1100, 500) } };
    QCOMPARE(RegionSummary::stepCountOf(record), 2);
    QCOMPARE(RegionSummary::medianOfStep(record, 0)->loadMs, 1000.0);
    QCOMPARE(RegionSummary::medianOfStep(record, 0), RegionSummary::medianOf(record, RunView::First));
    QCOMPARE(RegionSummary::medianOfStep(record, 1)->loadMs, 400.0); // runs 1 and 3; run 2 never measured it
    QVERIFY(!RegionSummary::medianOfStep(record, 2));

    const RegionRun &run = record.runs.first();
    QCOMPARE(run.stepCount(), 2);
    QCOMPARE(run.stepLabel(0), QStringLiteral("login"));
    QCOMPARE(run.stepLabel(1), QStringLiteral("account"));
    QVERIFY(run.stepMeasured(1));
    QVERIFY(!record.runs.at(1).stepMeasured(1));
    QVERIFY(!run.stepMeasured(2));

    TestRecord test = testOf(record.runs, 3);
    const RunResult result = test.runResult(run);
    QCOMPARE(result.stepCount(), 2);
    QCOMPARE(result.stepName, QStringLiteral("login"));
    QCOMPARE(result.stepView(1).metrics.loadMs, 300.0);
}

void tst_RegionSummary::noOkRun()
{
    RegionRun partial = failedRun(1, LoadError::Kind::Timeout, QStringLiteral("the page did not load in 60 s"));
    partial.firstView.requests.resize(3);
    const RegionRun dns = failedRun(2, LoadError::Kind::DnsFailure, QStringLiteral("net::ERR_NAME_NOT_RESOLVED"));
    const RegionSummary summary = RegionSummary::of(testOf({ partial, dns }, 2), fra);
    QCOMPARE(summary.okRuns, 0);
    QVERIFY(!summary.median);
    QCOMPARE(summary.status, RegionSummary::Status::Failed);
    QCOMPARE(summary.phase, RegionSummary::Phase::Failed);
    // The failure is the latest's; the first error is kept for who reports the first.
    QCOMPARE(summary.lastError->kind, LoadError::Kind::DnsFailure);
    QCOMPARE(summary.firstError->kind, LoadError::Kind::Timeout);
    QCOMPARE(summary.stateText(), QStringLiteral("Failed: net::ERR_NAME_NOT_RESOLVED"));
    // No ok run to show: the waterfall shows the run that got furthest.
    QCOMPARE(summary.representativeRun, std::optional<int>(1));

    // The region's own error, when no run says why (its probe never came up).
    TestRecord test = testOf({}, 1);
    test.results[fra].state = RunState::Error;
    test.results[fra].detail = QStringLiteral("no probe could be started");
    const RegionSummary region = RegionSummary::of(test, fra);
    QCOMPARE(region.failure, QStringLiteral("no probe could be started"));
    QCOMPARE(region.status, RegionSummary::Status::Failed);
    QVERIFY(!region.representativeRun);
}

void tst_RegionSummary::liveRegionFollowsItsState_data()
{
    QTest::addColumn<RunState>("state");
    QTest::addColumn<bool>("probeStarting");
    QTest::addColumn<bool>("latestRunOpen");
    QTest::addColumn<RegionSummary::Phase>("phase");
    QTest::addColumn<QString>("text");
    QTest::newRow("queued") << RunState::Queued << false << false << RegionSummary::Phase::Queued
                            << QStringLiteral("Waiting for a probe (run 2 of 3)");
    QTest::newRow("booting") << RunState::Queued << true << false << RegionSummary::Phase::Booting
                             << QStringLiteral("Starting a probe (run 2 of 3)");
    QTest::newRow("browser") << RunState::StartingBrowser << false << true << RegionSummary::Phase::StartingBrowser
                             << QStringLiteral("Starting browser (run 2 of 3)");
    QTest::newRow("loading") << RunState::Loading << false << true << RegionSummary::Phase::Loading
                             << QStringLiteral("Loading page (run 2 of 3)");
    // The probe said complete, the run's end is on its way.
    QTest::newRow("complete, end to come") << RunState::Complete << false << true << RegionSummary::Phase::Loading
                                           << QStringLiteral("Loading page (run 2 of 3)");
    // The run ended; the next is to come.
    QTest::newRow("between runs") << RunState::Complete << false << false << RegionSummary::Phase::Queued
                                  << QStringLiteral("Waiting for a probe (run 2 of 3)");
}

void tst_RegionSummary::liveRegionFollowsItsState()
{
    QFETCH(RunState, state);
    QFETCH(bool, probeStarting);
    QFETCH(bool, latestRunOpen);
    QFETCH(RegionSummary::Phase, phase);
    QFETCH(QString, text);
    QList<RegionRun> runs { okRun(1, metrics(900)) };
    if (latestRunOpen) {
        RegionRun open;
        open.index = 2;
        runs.append(open);
    }
    TestRecord test = testOf(runs, 3, true);
    test.results[fra].state = state;
    test.results[fra].probeStarting = probeStarting;
    const RegionSummary summary = RegionSummary::of(test, fra);
    QCOMPARE(summary.phase, phase);
    QCOMPARE(summary.stateText(), text);
    // Numbers of the runs that ended show at once.
    QCOMPARE(summary.median->loadMs, 900.0);
    QVERIFY(summary.failure.isEmpty());
}

void tst_RegionSummary::loadTimeShowsFromTheLoadEvent()
{
    // The only run is past its load event: its figures then are shown, and said to be still finishing…
    RegionRun open;
    open.firstViewAtLoad = metrics(700);
    TestRecord test = testOf({ open }, 1, true);
    RegionSummary summary = RegionSummary::of(test, fra);
    QCOMPARE(summary.phase, RegionSummary::Phase::Loading);
    QCOMPARE(summary.stateText(), QStringLiteral("Loaded, finishing…"));
    QVERIFY(summary.atLoad);
    QCOMPARE(summary.shown()->loadMs, 700.0);
    // …but they are no result: nothing is measured, nothing in the median.
    QCOMPARE(summary.status, RegionSummary::Status::NoResult);
    QVERIFY(!summary.median);
    QCOMPARE(summary.medianRuns, 0);

    // An ended run's median is the region's number; the next run's load event does not replace it.
    RegionRun second = open;
    second.index = 2;
    test = testOf({ okRun(1, metrics(900)), second }, 2, true);
    summary = RegionSummary::of(test, fra);
    QVERIFY(!summary.atLoad);
    QCOMPARE(summary.shown()->loadMs, 900.0);
    QCOMPARE(summary.stateText(), QStringLiteral("Loading page (run 2 of 2)"));

    // Once the test is over, figures from a load event that never got their final ones are not shown.
    test = testOf({ open }, 1, false);
    summary = RegionSummary::of(test, fra);
    QVERIFY(!summary.atLoad);
    QVERIFY(!summary.shown());
}

void tst_RegionSummary::unfinishedRunOfAStoppedTest()
{
    RegionRun open;
    open.index = 2;
    open.firstView.metrics = metrics(100);
    open.firstViewMeasured = true; // measured, but the app stopped before its end
    const TestRecord test = testOf({ okRun(1, metrics(900)), open }, 2);
    const RegionSummary summary = RegionSummary::of(test, fra);
    QCOMPARE(summary.runs, 2);
    QCOMPARE(summary.finishedRuns, 1);
    QCOMPARE(summary.failedRuns(), 1);
    QCOMPARE(summary.median->loadMs, 900.0);
    QCOMPARE(summary.failure, QStringLiteral("the run did not end"));
    QCOMPARE(summary.phase, RegionSummary::Phase::Complete);

    const RegionSummary alone = RegionSummary::of(testOf({ open }, 1), fra);
    QCOMPARE(alone.phase, RegionSummary::Phase::Failed);
    QCOMPARE(alone.stateText(), QStringLiteral("Failed: the run did not end"));
    // While the test runs, the same run is in progress.
    const RegionSummary live = RegionSummary::of(testOf({ open }, 1, true), fra);
    QCOMPARE(live.phase, RegionSummary::Phase::Loading);
    QVERIFY(live.failure.isEmpty());
}

void tst_RegionSummary::regionNotInTheTest()
{
    const RegionSummary summary = RegionSummary::of(testOf({ okRun(1, metrics(900)) }, 1), QStringLiteral("syd"));
    QCOMPARE(summary.phase, RegionSummary::Phase::Idle);
    QCOMPARE(summary.stateText(), QStringLiteral("Idle"));
    QCOMPARE(summary.runs, 0);
    QVERIFY(!summary.median);
    QCOMPARE(RegionSummary::of(TestRecord {}).size(), 0);
}

void tst_RegionSummary::medianMetricsIsTheSummarys()
{
    const TestRecord test = testOf({ okRun(1, metrics(900)), okRun(2, metrics(500)),
                                       failedRun(3, LoadError::Kind::Timeout, QStringLiteral("slow")) },
        3);
    QCOMPARE(test.medianMetrics(fra), RegionSummary::of(test, fra).median);
    QCOMPARE(test.medianMetrics(fra, RunView::Repeat), RegionSummary::of(test, fra).repeatViewMedian);
    QCOMPARE(RegionSummary::of(test).constFirst().median->loadMs, 700.0);
}

void tst_RegionSummary::progressMovesAndCancelIsNeutral()
{
    // Three runs: none ended and the first loading is half a run done; one ended and the second loading, 1.5.
    TestRecord test = testOf({}, 3, true);
    test.results[fra].state = RunState::Queued;
    QCOMPARE(RegionSummary::of(test, fra).doneRuns(), 0.0);
    test.results[fra].state = RunState::StartingBrowser;
    const double starting = RegionSummary::of(test, fra).doneRuns();
    QVERIFY(starting > 0 && starting < 0.5);
    test.results[fra].state = RunState::Loading;
    QCOMPARE(RegionSummary::of(test, fra).doneRuns(), 0.5);
    test.results[fra].runs = { okRun(1, metrics(900)) };
    QCOMPARE(RegionSummary::of(test, fra).doneRuns(), 1.5);
    // Over, failed or not: all of its runs are done.
    const RegionSummary cancelled
        = RegionSummary::of(testOf({ failedRun(1, LoadError::Kind::Cancelled, QStringLiteral("cancelled")) }, 3), fra);
    QCOMPARE(cancelled.doneRuns(), 3.0);
    QVERIFY(cancelled.isOver());
    // Stopped by the user is not a failure of the page.
    QCOMPARE(cancelled.stateText(), QStringLiteral("Cancelled"));
}

void tst_RegionSummary::failedBootSaysWhyAtOnce()
{
    // The pool retries a boot that failed, and says why in the region's detail: the state says it too.
    TestRecord test = testOf({}, 1, true);
    RegionRecord &region = test.results[fra];
    region.state = RunState::Queued;
    region.probeStarting = true;
    QCOMPARE(RegionSummary::of(test, fra).stateText(), QStringLiteral("Starting a probe"));
    region.detail = QStringLiteral("starting a probe failed: machine quota exceeded; retrying in 1 s");
    QCOMPARE(RegionSummary::of(test, fra).stateText(), QStringLiteral("Probe did not start, retrying"));
    region.detail = QStringLiteral("starting a probe failed: no Fly API token: the secret store holds nothing under "
                                   "\"fly-token\"; retrying in 2 s");
    QCOMPARE(RegionSummary::of(test, fra).phase, RegionSummary::Phase::Booting);
    QCOMPARE(RegionSummary::of(test, fra).stateText(), QStringLiteral("No token: open Settings"));

    // The pool ends the run at once for it (RegionPool, Backend::bootRefused): the failed state says it as well.
    const RegionSummary failed = RegionSummary::of(testOf({ failedRun(1, LoadError::Kind::Other,
                                                              QStringLiteral("the probe cannot start: no token for "
                                                                             "wss://lab:8700 in the keychain (secret "
                                                                             "\"probe-lab\")")) },
                                                       1),
        fra);
    QCOMPARE(failed.stateText(), QStringLiteral("No token: open Settings"));
    QVERIFY(failed.failure.contains(u"probe-lab")); // the whole reason stays for the tool tip
}

QTEST_GUILESS_MAIN(tst_RegionSummary)
#include "tst_regionsummary.moc"
