// RegionModel under QAbstractItemModelTester: states and medians read from a TestRecord as it grows (the live
// path) or whole (a stored test); its metric columns are the metric table's, and absent reads "—", never 0.
#include "model/displayformat.h"
#include "regionmodel.h"
#include "testrecord.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

using Id = PageMetric::Id;

int column(Id metric)
{
    return RegionModel::columnOf(metric);
}

QList<RegionCatalog::Region> threeRegions()
{
    return { { QStringLiteral("fra"), QStringLiteral("Frankfurt"), QStringLiteral("Germany"), QStringLiteral("Europe"),
                 50.1, 8.7 },
        { QStringLiteral("syd"), QStringLiteral("Sydney"), QStringLiteral("Australia"), QStringLiteral("Oceania"),
            -33.9, 151.2 },
        { QStringLiteral("iad"), QStringLiteral("Ashburn"), QStringLiteral("United States"),
            QStringLiteral("North America"), 39.0, -77.5 } };
}

PageMetrics metrics(double load, std::optional<double> lcp = std::nullopt)
{
    PageMetrics m;
    m.documentStatus = 200;
    m.ttfbMs = load / 10;
    m.loadMs = load;
    m.largestContentfulPaintMs = lcp;
    m.requestCount = 10;
    m.totalEncodedBytes = 2048;
    return m;
}

// A live test of `codes`, as RunRecorder starts it.
TestRecord liveTest(const QStringList &codes, int runs)
{
    TestRecord test;
    test.url = QStringLiteral("https://example.com/");
    test.runsPerRegion = runs;
    test.regions = codes;
    test.running = true;
    for (const QString &code : codes)
        test.results.insert(code, RegionRecord {});
    return test;
}

RegionRun &runOf(TestRecord &test, const QString &code, int index)
{
    QList<RegionRun> &runs = test.results[code].runs;
    for (RegionRun &run : runs) {
        if (run.index == index)
            return run;
    }
    RegionRun run;
    run.index = index;
    runs.append(run);
    return runs.last();
}

void setState(TestRecord &test, const QString &code, RunState state, bool probeStarting = false)
{
    test.results[code].state = state;
    test.results[code].probeStarting = probeStarting;
}

void measure(TestRecord &test, const QString &code, int index, RunView view, const PageMetrics &metrics)
{
    RegionRun &run = runOf(test, code, index);
    if (view == RunView::First) {
        run.firstView.metrics = metrics;
        run.firstViewMeasured = true;
    } else {
        run.repeatView = ViewResult {};
        run.repeatView->metrics = metrics;
        run.repeatViewMeasured = true;
    }
}

void finish(TestRecord &test, const QString &code, int index, std::optional<LoadError> error = std::nullopt)
{
    RegionRun &run = runOf(test, code, index);
    run.finished = true;
    run.error = error;
}

} // namespace

class tst_RegionModel : public QObject
{
    Q_OBJECT

private slots:
    void statesFollowTheFrames();
    void medianOverRuns();
    void failedRegion();
    void sortRoleIsNumeric();
    void metricColumnsAreTheMetricTable();
    void onlyMeasuredMetricsAreWorthAColumn();
    void warningsMarkTheRegion();
    void stepRowsFollowTheLiveRecord();
};

void tst_RegionModel::statesFollowTheFrames()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRegions(threeRegions());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), 2 + int(PageMetric::all().size()));
    QCOMPARE(model.stateText(QStringLiteral("fra")), QStringLiteral("Idle"));
    const QString fra = QStringLiteral("fra");
    TestRecord test = liveTest({ fra, QStringLiteral("syd") }, 1);
    model.setTest(test);
    QCOMPARE(model.stateText(fra), QStringLiteral("Waiting for a probe"));
    // A region the test does not have stays idle.
    QCOMPARE(model.phase(QStringLiteral("iad")), RegionModel::Phase::Idle);
    setState(test, fra, RunState::Queued, true);
    model.updateRegion(test, fra);
    QCOMPARE(model.phase(fra), RegionModel::Phase::Booting);
    setState(test, fra, RunState::StartingBrowser);
    model.updateRegion(test, fra);
    QCOMPARE(model.stateText(fra), QStringLiteral("Starting browser"));
    setState(test, fra, RunState::Loading);
    model.updateRegion(test, fra);
    QCOMPARE(model.stateText(fra), QStringLiteral("Loading page"));
    measure(test, fra, 1, RunView::First, metrics(800));
    setState(test, fra, RunState::Complete);
    model.updateRegion(test, fra);
    QCOMPARE(model.phase(fra), RegionModel::Phase::Loading); // until the run's end arrives
    finish(test, fra, 1);
    model.updateRegion(test, fra);
    QCOMPARE(model.stateText(fra), QStringLiteral("200 Complete"));
    QCOMPARE(model.data(model.index(0, column(Id::Load))).toString(), QStringLiteral("800 ms"));
    // Not observed: the missing marker, not "0 ms"; CLS too.
    QCOMPARE(model.data(model.index(0, column(Id::Lcp))).toString(), DisplayFormat::missing());
    QCOMPARE(model.data(model.index(0, column(Id::Cls))).toString(), DisplayFormat::missing());
    QVERIFY(!model.data(model.index(0, column(Id::Lcp)), RegionModel::SortRole).isValid());
    QVERIFY(!model.data(model.index(0, column(Id::Cls)), RegionModel::SortRole).isValid());
    // Other regions untouched: nothing measured yet, nothing said yet.
    QCOMPARE(model.data(model.index(1, column(Id::Load))).toString(), QString());
    // The map's roles: where the region is, and its summary.
    QCOMPARE(model.data(model.index(0, 0), RegionModel::PlaceRole).value<RegionCatalog::Region>().city,
        QStringLiteral("Frankfurt"));
    QVERIFY(model.data(model.index(0, 0), RegionModel::SummaryRole).toString().contains(u"Load 800 ms"));
    QCOMPARE(model.data(model.index(0, 0), RegionModel::LoadMsRole).toDouble(), 800.0);

    // A stored test, or the live one once over, read whole: the same rows.
    test.running = false;
    RegionModel stored;
    stored.setRegions(threeRegions());
    stored.setTest(test);
    QCOMPARE(stored.stateText(fra), QStringLiteral("200 Complete"));
    QCOMPARE(stored.median(fra), model.median(fra));
    // syd never started: in a test that is over, it failed.
    QCOMPARE(stored.phase(QStringLiteral("syd")), RegionModel::Phase::Failed);
}

void tst_RegionModel::medianOverRuns()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRegions(threeRegions());
    const QString syd = QStringLiteral("syd");
    TestRecord test = liveTest({ syd }, 3);
    model.setTest(test);
    const QList<double> loads { 900, 700, 1500 };
    for (int run = 1; run <= 3; ++run) {
        measure(test, syd, run, RunView::First,
            metrics(loads.at(run - 1), run == 1 ? std::optional<double>(600) : std::nullopt));
        measure(test, syd, run, RunView::Repeat, metrics(10)); // repeat views are not in the table
        finish(test, syd, run);
        model.updateRegion(test, syd);
        if (run < 3)
            QVERIFY(model.stateText(syd).contains(QStringLiteral("(run %1 of 3)").arg(run + 1)));
    }
    QCOMPARE(model.median(syd).loadMs, 900.0);
    QCOMPARE(model.median(syd).largestContentfulPaintMs, 600.0); // observed once: that one
    QCOMPARE(model.phase(syd), RegionModel::Phase::Complete);
}

void tst_RegionModel::failedRegion()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRegions(threeRegions());
    const QString iad = QStringLiteral("iad");
    TestRecord test = liveTest({ iad }, 1);
    model.setTest(test);
    finish(test, iad, 1, LoadError { LoadError::Kind::DnsFailure, QStringLiteral("net::ERR_NAME_NOT_RESOLVED") });
    model.updateRegion(test, iad);
    QCOMPARE(model.phase(iad), RegionModel::Phase::Failed);
    QCOMPARE(model.stateText(iad), QStringLiteral("Failed: net::ERR_NAME_NOT_RESOLVED"));
    // Short column titles; each tool tip says what is measured.
    QCOMPARE(model.headerData(column(Id::FullyLoaded), Qt::Horizontal).toString(), QStringLiteral("Fully"));
    QCOMPARE(model.headerData(column(Id::Cls), Qt::Horizontal).toString(), QStringLiteral("CLS"));
    for (int section = 0; section < model.columnCount(); ++section)
        QVERIFY(!model.headerData(section, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    QCOMPARE(model.data(model.index(2, RegionModel::StateColumn), Qt::ToolTipRole).toString(),
        QStringLiteral("net::ERR_NAME_NOT_RESOLVED"));
    QCOMPARE(model.data(model.index(2, RegionModel::StateColumn)).toString(),
        QStringLiteral("Failed: net::ERR_NAME_NOT_RESOLVED"));
    // A long one is cut at a word in the cell, which keeps the metric columns in view.
    const QString longState
        = QStringLiteral("Failed: cannot read the probe token from the secret store: ") + QString(120, u'x');
    QCOMPARE(RegionModel::shortStateText(longState),
        QStringLiteral("Failed: cannot read the probe token from the") + QChar(0x2026));
    // Failed without numbers: not measured, and no count of 0 requests.
    QCOMPARE(model.data(model.index(2, column(Id::Requests))).toString(), DisplayFormat::missing());
    QVERIFY(!model.data(model.index(2, column(Id::Requests)), RegionModel::SortRole).isValid());
}

void tst_RegionModel::sortRoleIsNumeric()
{
    RegionModel model;
    model.setRegions(threeRegions());
    TestRecord test = liveTest({ QStringLiteral("fra"), QStringLiteral("syd") }, 1);
    measure(test, QStringLiteral("fra"), 1, RunView::First, metrics(12'000));
    finish(test, QStringLiteral("fra"), 1);
    measure(test, QStringLiteral("syd"), 1, RunView::First, metrics(900));
    finish(test, QStringLiteral("syd"), 1);
    model.setTest(test);
    QCOMPARE(model.data(model.index(0, column(Id::Load)), RegionModel::SortRole).toDouble(), 12'000.0);
    QCOMPARE(model.data(model.index(0, column(Id::Load))).toString(), QStringLiteral("12 s"));
    QVERIFY(model.data(model.index(0, column(Id::Load)), RegionModel::SortRole).toDouble()
        > model.data(model.index(1, column(Id::Load)), RegionModel::SortRole).toDouble());
    // Counts and bytes as DisplayFormat writes them, sorted as numbers.
    QCOMPARE(model.data(model.index(0, column(Id::Requests))).toString(), QStringLiteral("10"));
    QCOMPARE(model.data(model.index(0, column(Id::Bytes))).toString(), DisplayFormat::bytes(2048, QLocale()));
    QCOMPARE(model.data(model.index(0, column(Id::Bytes)), RegionModel::SortRole).toDouble(), 2048.0);
    QCOMPARE(model.data(model.index(0, 0), RegionModel::RegionCodeRole).toString(), QStringLiteral("fra"));
}

void tst_RegionModel::metricColumnsAreTheMetricTable()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRegions(threeRegions());
    QCOMPARE(RegionModel::metricAt(RegionModel::RegionColumn), std::nullopt);
    QCOMPARE(RegionModel::metricAt(RegionModel::StateColumn), std::nullopt);
    QCOMPARE(RegionModel::metricAt(model.columnCount()), std::nullopt);
    int expected = RegionModel::FirstMetricColumn;
    for (const PageMetric &metric : PageMetric::all()) {
        QCOMPARE(RegionModel::columnOf(metric.id), expected);
        QCOMPARE(RegionModel::metricAt(expected), std::optional<Id>(metric.id));
        QCOMPARE(model.headerData(expected, Qt::Horizontal).toString(), metric.label());
        const QString tip = model.headerData(expected, Qt::Horizontal, Qt::ToolTipRole).toString();
        QVERIFY2(
            tip.startsWith(metric.description()) && tip.contains(u"median over the region's ok runs"), qPrintable(tip));
        ++expected;
    }

    // A layout shift the runs observed is a score, shown and sorted as such; a measured 0 is a 0.
    TestRecord test = liveTest({ QStringLiteral("fra"), QStringLiteral("syd") }, 1);
    PageMetrics shifted = metrics(900);
    shifted.cumulativeLayoutShift = 0.125;
    measure(test, QStringLiteral("fra"), 1, RunView::First, shifted);
    finish(test, QStringLiteral("fra"), 1);
    PageMetrics stable = metrics(700);
    stable.cumulativeLayoutShift = 0;
    measure(test, QStringLiteral("syd"), 1, RunView::First, stable);
    finish(test, QStringLiteral("syd"), 1);
    model.setTest(test);
    QCOMPARE(model.data(model.index(0, column(Id::Cls))).toString(), QStringLiteral("0.125"));
    QCOMPARE(model.data(model.index(0, column(Id::Cls)), RegionModel::SortRole).toDouble(), 0.125);
    QCOMPARE(model.data(model.index(1, column(Id::Cls))).toString(), QStringLiteral("0"));
    QCOMPARE(model.data(model.index(1, column(Id::Cls)), RegionModel::SortRole).toDouble(), 0.0);
    // Every metric cell of a measured region says something: a number or the missing marker.
    for (int section = RegionModel::FirstMetricColumn; section < model.columnCount(); ++section)
        QVERIFY(!model.data(model.index(0, section)).toString().isEmpty());
}

void tst_RegionModel::onlyMeasuredMetricsAreWorthAColumn()
{
    RegionModel model;
    model.setRegions(threeRegions());
    const QString syd = QStringLiteral("syd");
    TestRecord test = liveTest({ syd }, 1);
    model.setTest(test);
    // Before any numbers every column stays: a table that grows columns as it fills would jump about.
    for (const PageMetric &metric : PageMetric::all())
        QVERIFY(model.isWorthAColumn(metric.id));
    measure(test, syd, 1, RunView::First, metrics(900, std::nullopt));
    finish(test, syd, 1);
    model.updateRegion(test, syd);
    QVERIFY(model.isWorthAColumn(PageMetric::Id::Load));
    QVERIFY(model.isWorthAColumn(PageMetric::Id::Requests));
    QVERIFY(!model.isWorthAColumn(PageMetric::Id::Lcp)); // nobody saw one: no column of dashes
    QVERIFY(!model.isWorthAColumn(PageMetric::Id::LongestTask));
}

// What the probe cut short marks the region's name and is said in its tool tip and summary: each warning once, with
// the runs it came from when there are several; a region without any is left as it was.
void tst_RegionModel::warningsMarkTheRegion()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model);
    model.setRegions(threeRegions());
    TestRecord test = liveTest({ QStringLiteral("fra"), QStringLiteral("syd") }, 2);
    const QString cut = QStringLiteral("first view: 1 requests had a URL, header or text over the protocol's limits, "
                                       "cut to them");
    const QString refused = QStringLiteral("the probe refused 1 connection(s) the page tried to open: <a>.example:443");
    runOf(test, QStringLiteral("fra"), 1).warnings = { cut };
    runOf(test, QStringLiteral("fra"), 2).warnings = { cut };
    runOf(test, QStringLiteral("fra"), 2).firstView.warnings = { refused };
    runOf(test, QStringLiteral("fra"), 2).repeatView = ViewResult {};
    runOf(test, QStringLiteral("fra"), 2).repeatView->warnings = { refused }; // a repeat view repeats the first's
    finish(test, QStringLiteral("fra"), 1);
    finish(test, QStringLiteral("fra"), 2);
    model.setTest(test);

    const QModelIndex fra = model.index(model.rowOf(QStringLiteral("fra")), RegionModel::RegionColumn);
    const QStringList expected { u"Runs 1, 2: " + cut, u"Run 2: " + refused };
    QCOMPARE(model.data(fra, RegionModel::WarningsRole).toStringList(), expected);
    QCOMPARE(model.data(fra).toString(), QStringLiteral("Frankfurt (fra) ") + QChar(0x26A0));
    const QString tip = model.data(fra, Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(expected.at(0)) && tip.contains(expected.at(1)), qPrintable(tip));
    const QString summary = model.data(fra, RegionModel::SummaryRole).toString();
    QVERIFY2(summary.contains(expected.at(1).toHtmlEscaped()), qPrintable(summary)); // rich text: escaped
    QVERIFY(!summary.contains(u"<a>"));

    // One run: no run numbers to tell apart. No warnings: no mark, no tool tip on the name.
    TestRecord one = liveTest({ QStringLiteral("fra"), QStringLiteral("syd") }, 1);
    runOf(one, QStringLiteral("fra"), 1).warnings = { cut };
    finish(one, QStringLiteral("fra"), 1);
    finish(one, QStringLiteral("syd"), 1);
    model.updateRegion(one, QStringLiteral("fra"));
    model.updateRegion(one, QStringLiteral("syd"));
    QCOMPARE(model.data(fra, RegionModel::WarningsRole).toStringList(), QStringList { cut });
    const QModelIndex syd = model.index(model.rowOf(QStringLiteral("syd")), RegionModel::RegionColumn);
    QCOMPARE(model.data(syd).toString(), QStringLiteral("Sydney (syd)"));
    QVERIFY(model.data(syd, Qt::ToolTipRole).isNull());
    QVERIFY(model.data(syd, RegionModel::WarningsRole).toStringList().isEmpty());
}

// A script's later steps get rows of their own under their region as the live record gains them (inserted, so a
// view keeps its place), each with that step's median; a step whose metrics never came reads missing once the
// region is over, and a record without steps again takes them away.
void tst_RegionModel::stepRowsFollowTheLiveRecord()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.setRegions(threeRegions());
    TestRecord test = liveTest({ QStringLiteral("fra"), QStringLiteral("syd") }, 2);
    model.setTest(test);
    QCOMPARE(model.rowCount(), 3);

    measure(test, QStringLiteral("fra"), 1, RunView::First, metrics(1000));
    runOf(test, QStringLiteral("fra"), 1).stepName = QStringLiteral("log in");
    StepResult account { QStringLiteral("account"), {} };
    account.view.metrics = metrics(300);
    runOf(test, QStringLiteral("fra"), 1).laterSteps = { account, StepResult { QStringLiteral("orders"), {} } };
    runOf(test, QStringLiteral("fra"), 1).laterStepMeasured = { true, false };
    finish(test, QStringLiteral("fra"), 1);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.updateRegion(test, QStringLiteral("fra"));
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(inserted.first().at(1).toInt(), 1);
    QCOMPARE(inserted.first().at(2).toInt(), 2);
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(
        model.regionCodes(), (QStringList { QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("iad") }));
    QCOMPARE(model.rowOf(QStringLiteral("syd")), 3);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("Frankfurt (fra) · 1 log in"));
    QCOMPARE(model.index(1, 0).data().toString(), QStringLiteral("Frankfurt · 2 account"));
    QCOMPARE(model.index(2, 0).data().toString(), QStringLiteral("Frankfurt · 3 orders"));
    QCOMPARE(model.index(3, 0).data().toString(), QStringLiteral("Sydney (syd)"));
    QCOMPARE(model.index(0, column(Id::Load)).data(RegionModel::LoadMsRole).toDouble(), 1000.0);
    QCOMPARE(model.index(1, column(Id::Load)).data(RegionModel::LoadMsRole).toDouble(), 300.0);
    // Step 3 was never measured: no number while the region runs, missing (never 0) once it is over.
    QVERIFY(!model.index(2, column(Id::Load)).data(RegionModel::LoadMsRole).isValid());
    QCOMPARE(model.index(2, column(Id::Load)).data().toString(), QString());
    setState(test, QStringLiteral("fra"), RunState::Complete);
    test.runsPerRegion = 1; // the region's runs are over
    model.updateRegion(test, QStringLiteral("fra"));
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.index(2, column(Id::Load)).data().toString(), DisplayFormat::missing());
    QCOMPARE(model.summary(QStringLiteral("fra")).median->loadMs, 1000.0);

    // The same regions with a test of one step: a row per region again.
    model.setTest(liveTest({ QStringLiteral("fra"), QStringLiteral("syd") }, 2));
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.index(0, 0).data().toString(), QStringLiteral("Frankfurt (fra)"));
}

QTEST_GUILESS_MAIN(tst_RegionModel)
#include "tst_regionmodel.moc"
