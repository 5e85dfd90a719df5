// A script's measured steps, from a real measurement to everything the app shows of them. `worldspeed-probe measure
// --script` (the real binary, real Chromium, a site of the test's own) logs in unmeasured and measures two steps,
// twice; its JSON (RunResult::fromJson) becomes the app's record of a test in two regions. Then: the history keeps
// the steps exactly (schema 6), the region table has a row per step with that step's medians, the waterfall a
// block per step with only its step's requests under a header naming the step, and the PDF report a row and a
// waterfall block per step. The same test without its later steps shows as a test of one page always has.
//
// With WORLDSPEED_SCREENSHOT_DIR set, the rendered waterfall and the PDF's pages are kept there as PNG files.
#include "childprocess.h"
#include "filmstripview.h"
#include "historyfixtures.h"
#include "model/runresult.h"
#include "pdfreport.h"
#include "regioncatalog.h"
#include "regionmodel.h"
#include "regionsummary.h"
#include "regiontableview.h"
#include "screenshotview.h"
#include "testwebserver.h"
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QApplication>
#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QVBoxLayout>

namespace {

const QByteArray session = "sid=app-steps-7";

// A run as the app records it from the fleet (RunRecorder), from the probe's RunResult: every step that the probe
// reported ran to its end, so its final metrics came.
RegionRun regionRunOf(const RunResult &result, int index)
{
    RegionRun run;
    run.index = index;
    run.firstView = result.firstView;
    run.stepName = result.stepName;
    run.laterSteps = result.laterSteps;
    for (const StepResult &step : result.laterSteps)
        run.laterStepMeasured.append(step.view.ok());
    run.finished = true;
    run.firstViewMeasured = true;
    run.cold = result.browserStartMs.has_value();
    run.browserStartMs = result.browserStartMs;
    run.cpuBenchmarkIndex = result.cpuBenchmarkIndex;
    run.cpuSlowdownRate = result.cpuSlowdownRate;
    run.warnings = result.warnings;
    return run;
}

QStringList urlsOf(const QList<RequestTiming> &requests)
{
    QStringList urls;
    for (const RequestTiming &request : requests)
        urls.append(request.url);
    urls.sort();
    return urls;
}

QString run(const QString &program, const QStringList &arguments, bool *ok)
{
    QProcess process;
    process.start(program, arguments);
    *ok = process.waitForFinished(60'000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    return QString::fromUtf8(process.readAllStandardOutput());
}

QString keptDir()
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        QDir().mkpath(dir);
    return dir;
}

QList<RegionCatalog::Region> placesOf(const QStringList &codes)
{
    QList<RegionCatalog::Region> places;
    for (const QString &code : codes)
        places.append(RegionCatalog::builtIn().find(code).value_or(RegionCatalog::Region { code, {}, {}, {}, 0, 0 }));
    return places;
}

} // namespace

class tst_ScriptStepsApp : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void historyKeepsTheSteps();
    void regionTableHasARowPerStep();
    void aSortedTableKeepsStepsUnderTheirRegion();
    void waterfallHasABlockPerStep();
    void pdfHasARowAndABlockPerStep();
    void filmstripAndScreenshotPerStep();
    void oneStepLooksAsBefore();

private:
    TestRecord oneStep() const;

    TestWebServer m_server;
    QTemporaryDir m_dir;
    QList<RunResult> m_runs;
    TestRecord m_test;
    QString m_pageB;
};

void tst_ScriptStepsApp::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    TestWebServer::Response login;
    login.body = "<!doctype html><title>log in</title><form id=login method=post action=/app-session>"
                 "<input name=user></form>";
    m_server.route(QStringLiteral("/app-login"), login);
    m_server.route(QStringLiteral("/app-session"), [](const TestWebServer::Request &) {
        TestWebServer::Response response;
        response.headers = { { "Set-Cookie", session + "; Path=/; HttpOnly" } };
        response.body = "<!doctype html><title>welcome</title><p>welcome</p>";
        return response;
    });
    const auto behindLogin = [](const QByteArray &body) {
        return [body](const TestWebServer::Request &request) {
            TestWebServer::Response response;
            response.status = request.headers.value("cookie").contains(session) ? 200 : 403;
            response.body = response.status == 200 ? body : QByteArray("<p>log in first</p>");
            return response;
        };
    };
    // Each page has assets of its own, so which step asked for what shows in its waterfall.
    m_server.route(QStringLiteral("/app-a"),
        behindLogin("<!doctype html><title>A</title><img src=\"/asset?type=png&size=200&page=a\">"
                    "<script src=\"/asset?type=js&size=300&page=a\"></script><a id=tob href=/app-b>to B</a>"));
    m_server.route(QStringLiteral("/app-b"),
        behindLogin("<!doctype html><title>B</title><link rel=stylesheet href=\"/asset?type=css&size=80&page=b\">"
                    "<p>B</p>"));
    m_pageB = m_server.url(QStringLiteral("/app-b")).toString();

    QFile script(m_dir.filePath(QStringLiteral("steps.wpt")));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write(QStringLiteral("logData\t0\nnavigate\t%1\nsetValue\tname=user\talice\nsubmitForm\tid=login\n"
                                "logData\t1\nsetEventName\tPage A\nnavigate\t%2\nclickAndWait\tid=tob\n")
                     .arg(m_server.url(QStringLiteral("/app-login")).toString(),
                         m_server.url(QStringLiteral("/app-a")).toString())
                     .toUtf8());
    script.close();
    // Each step's view runs to fully loaded: finished at its load event, a page this small can be done before
    // Chrome's first screencast frame, and its filmstrip is then rightly empty.
    const ChildProcess::Outcome measured = ChildProcess::run(QStringLiteral(WORLDSPEED_PROBE_EXE),
        { QStringLiteral("measure"), QStringLiteral("--json"), QStringLiteral("--runs"), QStringLiteral("2"),
            QStringLiteral("--filmstrip"), QStringLiteral("--script"), script.fileName() },
        240'000);
    QVERIFY2(measured.exitCode == 0, qPrintable(measured.err));
    const QJsonArray runs
        = QJsonDocument::fromJson(measured.out.toUtf8()).object().value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 2);
    for (const QJsonValue &json : runs) {
        QString problem;
        const auto result = RunResult::fromJson(json.toObject(), &problem);
        QVERIFY2(result, qPrintable(problem));
        QCOMPARE(result->stepCount(), 2);
        // Each step has its own filmstrip, as a first view has.
        QVERIFY(!result->firstView.filmstrip.isEmpty());
        QVERIFY(!result->laterSteps.first().view.filmstrip.isEmpty());
        m_runs.append(*result);
    }

    m_test.url = m_runs.first().firstView.url;
    m_test.options = m_runs.first().options;
    m_test.runsPerRegion = 2;
    m_test.regions = { QStringLiteral("fra"), QStringLiteral("syd") };
    m_test.startedAt = QDateTime::currentDateTimeUtc();
    m_test.finishedAt = m_test.startedAt.addSecs(30);
    for (const QString &code : std::as_const(m_test.regions)) {
        RegionRecord region;
        region.state = RunState::Complete;
        for (int i = 0; i < m_runs.size(); ++i)
            region.runs.append(regionRunOf(m_runs.at(i), i + 1));
        m_test.results.insert(code, region);
    }
}

// The same test as a test of one page: its runs without their later steps and step name.
TestRecord tst_ScriptStepsApp::oneStep() const
{
    TestRecord test = m_test;
    for (RegionRecord &region : test.results) {
        for (RegionRun &run : region.runs) {
            run.stepName.clear();
            run.laterSteps.clear();
            run.laterStepMeasured.clear();
        }
    }
    return test;
}

void tst_ScriptStepsApp::historyKeepsTheSteps()
{
    HistoryStore store(historyPath(m_dir));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    TestRecord expected = m_test;
    const qint64 id = feed(store, expected);
    QVERIFY2(id > 0, qPrintable(store.lastError()));
    const auto loaded = store.load(id);
    QVERIFY2(loaded, qPrintable(store.lastError()));
    QString why;
    QVERIFY2(adoptStoredTimes(expected, *loaded, before, &why), qPrintable(why));
    QCOMPARE(describe(*loaded), describe(expected));
    QVERIFY(*loaded == expected);
    const RegionRun run = loaded->region(QStringLiteral("syd")).runs.at(1);
    QCOMPARE(run.stepLabel(0), QStringLiteral("Page A"));
    QCOMPARE(run.stepLabel(1), m_pageB);
    QCOMPARE(run.stepView(1).requests, m_runs.at(1).laterSteps.first().view.requests);
}

void tst_ScriptStepsApp::regionTableHasARowPerStep()
{
    RegionModel model;
    model.setRegions(placesOf(m_test.regions));
    model.setTest(m_test);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.regionCodes(), m_test.regions);
    QCOMPARE(model.rowOf(QStringLiteral("syd")), 2);
    const auto cell = [&model](int row, int column) { return model.index(row, column).data().toString(); };
    QCOMPARE(cell(0, RegionModel::RegionColumn), QStringLiteral("Frankfurt (fra) · 1 Page A"));
    QCOMPARE(cell(1, RegionModel::RegionColumn), QStringLiteral("Frankfurt · 2 ") + m_pageB);
    QCOMPARE(cell(2, RegionModel::RegionColumn), QStringLiteral("Sydney (syd) · 1 Page A"));
    QCOMPARE(model.index(1, 0).data(RegionModel::StepRole).toInt(), 1);
    QCOMPARE(model.index(1, 0).data(RegionModel::RegionCodeRole).toString(), QStringLiteral("fra"));
    QCOMPARE(model.index(0, 0).data(RegionModel::StepRole).toInt(), 0);
    QVERIFY(cell(1, RegionModel::StateColumn).isEmpty());

    // Each step's row has that step's medians over the two runs, worked out here from the probe's own numbers.
    const int load = RegionModel::columnOf(PageMetric::Id::Load);
    const int requests = RegionModel::columnOf(PageMetric::Id::Requests);
    const PageMetric &loadMetric = PageMetric::get(PageMetric::Id::Load);
    for (qsizetype step = 0; step < 2; ++step) {
        const double expected
            = (*m_runs.at(0).stepView(step).metrics.loadMs + *m_runs.at(1).stepView(step).metrics.loadMs) / 2;
        QCOMPARE(model.index(int(step), load).data(RegionModel::LoadMsRole).toDouble(), expected);
        QCOMPARE(cell(int(step), load), loadMetric.format(expected, QLocale()));
        QCOMPARE(cell(int(step) + 2, load), loadMetric.format(expected, QLocale()));
    }
    // Step 2's requests are B's, not A's: the two rows' counts are each their own step's.
    QCOMPARE(cell(1, requests),
        PageMetric::get(PageMetric::Id::Requests)
            .format(*RegionSummary::medianOfStep(m_test.region(QStringLiteral("fra")), 1), QLocale()));
    // Page A has one asset more than page B, so the two steps' counts differ.
    QCOMPARE(model.index(0, requests).data(RegionModel::SortRole).toInt(),
        model.index(1, requests).data(RegionModel::SortRole).toInt()); // a step's row sorts as its region's
    QCOMPARE(RegionSummary::medianOfStep(m_test.region(QStringLiteral("fra")), 0)->requestCount,
        RegionSummary::medianOfStep(m_test.region(QStringLiteral("fra")), 1)->requestCount + 1);

    // The table as the window shows it, kept as a PNG to look at.
    RegionTableView table;
    table.setModel(&model);
    table.resize(1100, 200);
    table.show();
    QVERIFY(QTest::qWaitForWindowExposed(&table));
    table.fitColumns();
    if (const QString dir = keptDir(); !dir.isEmpty())
        QVERIFY(table.grab().save(QDir(dir).filePath(QStringLiteral("region-table-steps.png"))));
}

// Sorted by any column, a step's row stays right under its region's.
void tst_ScriptStepsApp::aSortedTableKeepsStepsUnderTheirRegion()
{
    RegionModel model;
    model.setRegions(placesOf(m_test.regions));
    TestRecord test = m_test;
    // Sydney slower in step 1 (its region row), faster in step 2: a sort by load must not interleave them.
    for (RegionRun &run : test.results[QStringLiteral("syd")].runs) {
        *run.firstView.metrics.loadMs += 5000;
        run.laterSteps.first().view.metrics.loadMs = 1;
    }
    model.setTest(test);
    QSortFilterProxyModel sorted;
    sorted.setSourceModel(&model);
    sorted.setSortRole(RegionModel::SortRole);
    for (const Qt::SortOrder order : { Qt::DescendingOrder, Qt::AscendingOrder }) {
        sorted.sort(RegionModel::columnOf(PageMetric::Id::Load), order);
        QStringList codes;
        QList<int> steps;
        for (int row = 0; row < sorted.rowCount(); ++row) {
            codes.append(sorted.index(row, 0).data(RegionModel::RegionCodeRole).toString());
            steps.append(sorted.index(row, 0).data(RegionModel::StepRole).toInt());
        }
        const QString first = order == Qt::DescendingOrder ? QStringLiteral("syd") : QStringLiteral("fra");
        const QString second = order == Qt::DescendingOrder ? QStringLiteral("fra") : QStringLiteral("syd");
        QCOMPARE(codes, (QStringList { first, first, second, second }));
        QCOMPARE(steps, (QList<int> { 0, 1, 0, 1 }));
    }
}

void tst_ScriptStepsApp::waterfallHasABlockPerStep()
{
    WaterfallModel model;
    model.setTest(m_test);
    model.setView(WaterfallModel::RepresentativeRun, RunView::First);
    QCOMPARE(model.laneCount(), 4);
    QCOMPARE(model.laneOf(QStringLiteral("syd")), 2);
    const RegionSummary fra = RegionSummary::of(m_test, QStringLiteral("fra"));
    QVERIFY(fra.representativeRun);
    const RegionRun &median = *m_test.region(QStringLiteral("fra")).run(*fra.representativeRun);
    for (int lane = 0; lane < 2; ++lane) {
        QCOMPARE(model.region(lane), QStringLiteral("fra"));
        QCOMPARE(model.step(lane), lane);
        QCOMPARE(model.shownRun(lane), *fra.representativeRun - 1);
        // Each block has exactly its step's requests, none of the other step's.
        QList<RequestTiming> shown;
        for (int row = 0; row < model.requestCount(lane); ++row)
            shown.append(*model.request(lane, row));
        QCOMPARE(urlsOf(shown), urlsOf(median.stepView(lane).requests));
        QCOMPARE(model.pageMetrics(lane), std::optional<PageMetrics>(median.stepView(lane).metrics));
    }
    QCOMPARE(model.laneTitle(0), QStringLiteral("fra · Step 1: Page A"));
    QCOMPARE(model.laneTitle(1), QStringLiteral("fra · Step 2: ") + m_pageB);
    bool stepB = false;
    for (int row = 0; row < model.requestCount(1); ++row) {
        QVERIFY2(!model.request(1, row)->url.contains(u"page=a"), qPrintable(model.request(1, row)->url));
        stepB = stepB || model.request(1, row)->url.contains(u"page=b");
    }
    QVERIFY(stepB);
    // Time 0 of a step's block is that step's navigation: its document starts at the block's start.
    QVERIFY(model.request(1, 0)->url.startsWith(m_pageB));
    QVERIFY(model.request(1, 0)->startMs < *median.stepView(1).metrics.loadMs);

    // The widget: each step's block under its header. Kept as a PNG to look at.
    WaterfallView view;
    view.setModel(&model);
    view.resize(1200, 760);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    for (const auto mode : { WaterfallView::LayoutMode::SideBySide, WaterfallView::LayoutMode::Stacked }) {
        view.setLayoutMode(mode);
        const QImage shot = view.grab().toImage();
        QVERIFY(!shot.isNull());
        const QString name = mode == WaterfallView::LayoutMode::Stacked ? QStringLiteral("waterfall-steps-stacked.png")
                                                                        : QStringLiteral("waterfall-steps.png");
        if (const QString dir = keptDir(); !dir.isEmpty())
            QVERIFY(shot.save(QDir(dir).filePath(name)));
    }
}

void tst_ScriptStepsApp::pdfHasARowAndABlockPerStep()
{
    PdfReport report(m_test, RegionCatalog::builtIn());
    report.setPageSize(QPageSize(QPageSize::A4));
    const QString path = m_dir.filePath(QStringLiteral("steps.pdf"));
    QString error;
    QVERIFY2(report.write(path, &error), qPrintable(error));
    if (QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty())
        QSKIP("poppler-utils (pdftotext, pdftoppm) is not installed");
    bool ok = false;
    // In the order drawn (-raw), not as laid out: a narrow column wraps a cell over lines, and how narrow depends on
    // the widths of the figures beside it ("76 ms" or "106 ms"); read by layout, the wrapped words of a cell end up
    // after the rest of its row.
    const QString text
        = run(QStringLiteral("pdftotext"), { QStringLiteral("-raw"), path, QStringLiteral("-") }, &ok).simplified();
    QVERIFY(ok);
    // The table: step 1 on the region's row, step 2 on its own; the waterfalls: a block per step and region.
    for (const QString &line : { QStringLiteral("Frankfurt (fra) · 1 Page A"), QStringLiteral("Frankfurt · 2 "),
             QStringLiteral("Sydney (syd) · 1 Page A"), QStringLiteral("Sydney · 2 "),
             QStringLiteral("Frankfurt (fra) · Step 1: Page A"), QStringLiteral("Frankfurt (fra) · Step 2: "),
             QStringLiteral("Sydney (syd) · Step 2: ") })
        QVERIFY2(text.contains(line), qPrintable(line + QStringLiteral(" is not in:\n") + text));
    QVERIFY2(QString(text).remove(u' ').count(u"/app-b") >= 4, qPrintable(text));
    // Each step's block has its own filmstrip.
    QCOMPARE(text.count(u"Filmstrip · Speed Index"), 4);
    if (const QString dir = keptDir(); !dir.isEmpty()) {
        run(QStringLiteral("pdftoppm"),
            { QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("80"), path,
                QDir(dir).filePath(QStringLiteral("report-steps")) },
            &ok);
        QVERIFY(ok);
    }
}

// The filmstrip under each step's block is that step's; the screenshot pane shows the step a table row picks. The
// probe's JSON has no screenshots (measure writes one to a file), so the steps get a PNG each here.
void tst_ScriptStepsApp::filmstripAndScreenshotPerStep()
{
    TestRecord test = m_test;
    const auto png = [](Qt::GlobalColor colour) {
        QImage image(64, 48, QImage::Format_RGB32);
        image.fill(colour);
        QByteArray bytes;
        QBuffer buffer(&bytes);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "PNG");
        return bytes;
    };
    for (RegionRun &run : test.results[QStringLiteral("fra")].runs) {
        run.firstView.screenshotPng = png(Qt::blue);
        run.laterSteps.first().view.screenshotPng = png(Qt::red);
    }
    WaterfallModel model;
    model.setTest(test);
    model.setView(WaterfallModel::RepresentativeRun, RunView::First);
    ScreenshotView screenshot;
    screenshot.setModel(&model);
    screenshot.setRegion(QStringLiteral("fra"), 1);
    QCOMPARE(screenshot.image().pixelColor(10, 10), QColor(Qt::red));
    QVERIFY2(screenshot.caption().contains(u"Step 2"), qPrintable(screenshot.caption()));
    screenshot.setRegion(QStringLiteral("fra"));
    QCOMPARE(screenshot.image().pixelColor(10, 10), QColor(Qt::blue));
    screenshot.setRegion(QStringLiteral("syd"), 1);
    QVERIFY(screenshot.image().isNull());

    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    auto *waterfall = new WaterfallView(&window);
    waterfall->setModel(&model);
    waterfall->setLayoutMode(WaterfallView::LayoutMode::Stacked);
    auto *filmstrip = new FilmstripView(waterfall, &window);
    layout->addWidget(waterfall, 1);
    layout->addWidget(filmstrip);
    filmstrip->setTest(test);
    window.resize(1200, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    // A strip per block: each region's two steps.
    QCOMPARE(filmstrip->stripCount(), 4);
    if (const QString dir = keptDir(); !dir.isEmpty())
        QVERIFY(window.grab().save(QDir(dir).filePath(QStringLiteral("waterfall-steps-filmstrip.png"))));
}

// A test of one page: a row per region named as always, one lane per region titled by its region, and the PDF
// without a step anywhere.
void tst_ScriptStepsApp::oneStepLooksAsBefore()
{
    const TestRecord test = oneStep();
    RegionModel regions;
    regions.setRegions(placesOf(test.regions));
    regions.setTest(test);
    QCOMPARE(regions.rowCount(), 2);
    QCOMPARE(regions.index(0, 0).data().toString(), QStringLiteral("Frankfurt (fra)"));
    QCOMPARE(regions.index(1, 0).data().toString(), QStringLiteral("Sydney (syd)"));
    WaterfallModel waterfall;
    waterfall.setTest(test);
    QCOMPARE(waterfall.laneCount(), 2);
    QCOMPARE(waterfall.laneTitle(0), QStringLiteral("fra"));
    QCOMPARE(waterfall.laneTitle(1), QStringLiteral("syd"));

    PdfReport report(test, RegionCatalog::builtIn());
    const QString path = m_dir.filePath(QStringLiteral("one.pdf"));
    QString error;
    QVERIFY2(report.write(path, &error), qPrintable(error));
    if (QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty())
        QSKIP("poppler-utils (pdftotext) is not installed");
    bool ok = false;
    const QString text = run(QStringLiteral("pdftotext"), { path, QStringLiteral("-") }, &ok);
    QVERIFY(ok);
    QVERIFY2(!text.contains(u"Step ") && !text.contains(u"/app-b"), qPrintable(text));
    QVERIFY2(text.contains(u"Frankfurt (fra)"), qPrintable(text));
}

QTEST_MAIN(tst_ScriptStepsApp)
#include "tst_scriptstepsapp.moc"
