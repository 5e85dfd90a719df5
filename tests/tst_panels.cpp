// The side panels, offscreen: the metrics chart of the current test, the history trend, the fleet panel against a
// FakeBackend's pool, and the settings dialog with an in-memory keychain. Set WORLDSPEED_SCREENSHOT_DIR to keep
// light and dark screenshots of each.

#include "appsettings.h"
#include "darkpalette.h"
#include "fakebackend.h"
#include "fakeprobe.h"
#include "fleet/fleet.h"
#include "fleet/poolrun.h"
#include "fleetpanel.h"
#include "manualclock.h"
#include "memorysecretstore.h"
#include "metricschartview.h"
#include "regionmodel.h"
#include "settingsdialog.h"
#include "trendchartview.h"

#include <QBarSet>
#include <QChart>
#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>
#include <QTreeWidget>

namespace {

QList<RegionCatalog::Region> someRegions(const QStringList &codes)
{
    const RegionCatalog catalog = RegionCatalog::builtIn();
    QList<RegionCatalog::Region> regions;
    for (const QString &code : codes)
        regions.append(catalog.find(code).value());
    return regions;
}

PageMetrics metrics(
    std::optional<double> ttfb, std::optional<double> fcp, std::optional<double> lcp, std::optional<double> load)
{
    PageMetrics m;
    m.documentStatus = 200;
    m.ttfbMs = ttfb;
    m.firstContentfulPaintMs = fcp;
    m.largestContentfulPaintMs = lcp;
    m.domContentLoadedMs = load ? std::optional<double>(*load * 0.8) : std::nullopt;
    m.loadMs = load;
    m.requestCount = 42;
    m.totalEncodedBytes = 512'000;
    return m;
}

// A one-run test of `codes`, running, as the region model reads it.
TestRecord startTest(RegionModel &model, const QStringList &codes)
{
    TestRecord test;
    test.regions = codes;
    test.running = true;
    for (const QString &code : codes)
        test.results.insert(code, RegionRecord {});
    model.setTest(test);
    return test;
}

// The region's run ended with these first-view numbers.
void finishWith(RegionModel &model, TestRecord &test, const QString &code, const PageMetrics &metrics)
{
    RegionRun run;
    run.finished = true;
    run.firstView.metrics = metrics;
    run.firstViewMeasured = true;
    test.results[code].runs = { run };
    model.updateRegion(test, code);
}

bool near(const QColor &a, const QColor &b, int tolerance = 16)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

void save(const QImage &image, const QString &name)
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QVERIFY(image.save(QDir(dir).filePath(name)));
}

// A keychain that refuses every write, as a locked one does.
class LockedSecretStore final : public SecretStore
{
public:
    void read(const QString &, QObject *context, std::function<void(const Result &)> done) override
    {
        QMetaObject::invokeMethod(
            context,
            [done = std::move(done)] {
                done(Result { std::nullopt, QStringLiteral("the keychain is locked") });
            },
            Qt::QueuedConnection);
    }
    void write(const QString &, const QString &, QObject *context, std::function<void(const QString &)> done) override
    {
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done(QStringLiteral("the keychain is locked")); },
            Qt::QueuedConnection);
    }
    void remove(const QString &, QObject *context, std::function<void(const QString &)> done) override
    {
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done({}); }, Qt::QueuedConnection);
    }
};

// Two regions whose backends name four secrets, one of them twice.
QByteArray configWithSecrets()
{
    // Single quotes for readability (and for moc, which does not follow raw string literals).
    return QByteArray("{\n"
                      "  'version': 1,\n"
                      "  'regions': [\n"
                      "    { 'code': 'home-lab', 'name': 'Home lab', 'latitude': 48.86, 'longitude': 2.35,\n"
                      "      'backend': { 'type': 'static', 'probes': [\n"
                      "        { 'url': 'ws://10.0.0.7:8700', 'tokenSecret': 'probe-home-1' },\n"
                      "        { 'url': 'ws://10.0.0.8:8700', 'tokenSecret': 'probe-home-2' } ] },\n"
                      "      'pool': { 'min': 0, 'max': 2 } },\n"
                      "    { 'code': 'syd', 'name': 'Sydney', 'latitude': -33.87, 'longitude': 151.21,\n"
                      "      'backend': { 'type': 'fly', 'app': 'worldspeed-probes', 'region': 'syd',\n"
                      "        'image': 'registry.fly.io/worldspeed-probe:0.1.0', 'tokenSecret': 'fly-api', "
                      "'probeTokenSecret': 'fly-probe' } },\n"
                      "    { 'code': 'nrt', 'name': 'Tokyo', 'latitude': 35.68, 'longitude': 139.69,\n"
                      "      'backend': { 'type': 'fly', 'app': 'worldspeed-probes', 'region': 'nrt',\n"
                      "        'image': 'registry.fly.io/worldspeed-probe:0.1.0', 'tokenSecret': 'fly-api', "
                      "'probeTokenSecret': 'fly-probe' } }\n"
                      "  ]\n"
                      "}\n")
        .replace('\'', '"');
}

} // namespace

class tst_Panels : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void metricsChartHasOneBarSetPerMetric();
    void metricsChartShowsAbsentValuesAsGaps();
    void metricsChartFollowsThePalette();

    void trendChartSplitsLinesAtGaps();
    void trendChartReadsTheHistory();

    void fleetPanelFollowsThePool();
    void fleetPanelShowsConfigErrors();

    void settingsInvalidJsonDisablesOk();
    void settingsTokenRowsSaveToTheKeychain();
    void settingsTokenErrorIsShown();
    void settingsChromePathMustBeExecutable();
    void settingsChooseFileAndSave();

    void screenshots();
};

void tst_Panels::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_panels"));
}

// MetricsChartView ------------------------------------------------------------------------------------------------

void tst_Panels::metricsChartHasOneBarSetPerMetric()
{
    RegionModel model;
    const QStringList codes { QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("gru") };
    model.setRegions(someRegions(codes));
    TestRecord test = startTest(model, codes);
    finishWith(model, test, QStringLiteral("fra"), metrics(80, 400, 900, 1200));
    finishWith(model, test, QStringLiteral("syd"), metrics(310, std::nullopt, std::nullopt, 2600));

    MetricsChartView view;
    view.setModel(&model);
    QCOMPARE(view.barSets().size(), MetricsChartView::metricCount);
    QStringList names;
    for (QBarSet *set : view.barSets()) {
        names.append(set->label());
        QCOMPARE(set->count(), 3);
    }
    QCOMPARE(names,
        (QStringList { QStringLiteral("TTFB"), QStringLiteral("First contentful paint"),
            QStringLiteral("Largest contentful paint"), QStringLiteral("Load") }));
    QCOMPARE(view.categories(),
        (QStringList { QStringLiteral("Frankfurt"), QStringLiteral("Sydney"), QStringLiteral("São Paulo") }));

    using Metric = MetricsChartView::Metric;
    QCOMPARE(view.barSet(Metric::Load)->at(0), 1200.0);
    QCOMPARE(view.barSet(Metric::Ttfb)->at(1), 310.0);
    QCOMPARE(view.value(Metric::Load, 1), std::optional<double>(2600));
    // Absent: a gap, not a measured 0.
    QCOMPARE(view.value(Metric::Fcp, 1), std::nullopt);
    QCOMPARE(view.value(Metric::Lcp, 1), std::nullopt);
    for (const Metric metric : MetricsChartView::metrics)
        QCOMPARE(view.value(metric, 2), std::nullopt);
    QVERIFY(view.axisMaxMs() >= 2600);

    // dataChanged updates the bars in place.
    finishWith(model, test, QStringLiteral("gru"), metrics(200, 700, 1500, 4100));
    QCOMPARE(view.value(Metric::Load, 2), std::optional<double>(4100));
    QCOMPARE(view.barSet(Metric::Load)->at(2), 4100.0);
    QVERIFY(view.axisMaxMs() >= 4100);
    // A new test clears them again.
    startTest(model, codes);
    QCOMPARE(view.value(Metric::Load, 0), std::nullopt);
    QCOMPARE(view.barSet(Metric::Load)->at(0), 0.0);
    // And a new set of regions rebuilds the categories.
    model.setRegions(someRegions({ QStringLiteral("nrt") }));
    QCOMPARE(view.categories(), QStringList { QStringLiteral("Tokyo") });
    QCOMPARE(view.barSet(Metric::Ttfb)->count(), 1);
}

void tst_Panels::metricsChartShowsAbsentValuesAsGaps()
{
    RegionModel model;
    const QStringList codes { QStringLiteral("fra"), QStringLiteral("syd") };
    model.setRegions(someRegions(codes));
    TestRecord test = startTest(model, codes);
    finishWith(model, test, QStringLiteral("fra"), metrics(600, 900, 1500, 2000));
    finishWith(model, test, QStringLiteral("syd"), metrics(700, std::nullopt, 1400, 2100));

    MetricsChartView view;
    view.setModel(&model);
    view.resize(800, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage image = view.viewport()->grab().toImage();

    // The FCP bar of each region, a little above the axis: Frankfurt's is there, Sydney's is a gap.
    using Metric = MetricsChartView::Metric;
    const auto barPoint = [&](int region, Metric metric) {
        const double width = 0.8 / MetricsChartView::metricCount; // QBarSeries::barWidth() / sets
        const double x = region - 0.4 + width * (int(metric) + 0.5);
        const QPointF scene = view.chart()->mapToScene(view.chart()->mapToPosition(QPointF(x, 200)));
        return view.mapFromScene(scene) * image.devicePixelRatio();
    };
    const QColor fcp = MetricsBarChart::metricColor(Metric::Fcp, false);
    const QPoint there = barPoint(0, Metric::Fcp);
    const QPoint gap = barPoint(1, Metric::Fcp);
    QVERIFY2(near(image.pixelColor(there), fcp), qPrintable(image.pixelColor(there).name()));
    QVERIFY2(!near(image.pixelColor(gap), fcp), qPrintable(image.pixelColor(gap).name()));
    // The gap is the plot's background, not a bar of another colour either.
    QVERIFY2(near(image.pixelColor(gap), view.palette().color(QPalette::Window), 24),
        qPrintable(image.pixelColor(gap).name()));
    // Sydney's LCP next to it is drawn.
    const QPoint lcp = barPoint(1, Metric::Lcp);
    QVERIFY2(near(image.pixelColor(lcp), MetricsBarChart::metricColor(Metric::Lcp, false)),
        qPrintable(image.pixelColor(lcp).name()));

    // Too narrow for the cities: the groups are named by their codes, and by their cities again when wide.
    QCOMPARE(view.categories(), (QStringList { QStringLiteral("Frankfurt"), QStringLiteral("Sydney") }));
    view.resize(160, 300);
    QTRY_COMPARE(view.categories(), (QStringList { QStringLiteral("fra"), QStringLiteral("syd") }));
    QCOMPARE(view.value(Metric::Lcp, 1), std::optional<double>(1400));
    view.resize(800, 400);
    QTRY_COMPARE(view.categories(), (QStringList { QStringLiteral("Frankfurt"), QStringLiteral("Sydney") }));
}

void tst_Panels::metricsChartFollowsThePalette()
{
    MetricsChartView view;
    view.setValues({ { QStringLiteral("fra"), QStringLiteral("Frankfurt"), { 100, 400, 800, 1200 } } });
    QCOMPARE(view.chart()->theme(), QChart::ChartThemeLight);
    QCOMPARE(view.barSet(MetricsChartView::Metric::Load)->color(),
        MetricsBarChart::metricColor(MetricsChartView::Metric::Load, false));
    view.setPalette(darkPalette());
    QCOMPARE(view.chart()->theme(), QChart::ChartThemeDark);
    QCOMPARE(view.barSet(MetricsChartView::Metric::Load)->color(),
        MetricsBarChart::metricColor(MetricsChartView::Metric::Load, true));
    QCOMPARE(view.chart()->backgroundBrush().color(), darkPalette().color(QPalette::Window));
    // Each metric keeps its own colour, in both themes.
    for (const bool dark : { false, true }) {
        QSet<QRgb> colours;
        for (const MetricsChartView::Metric metric : MetricsChartView::metrics)
            colours.insert(MetricsBarChart::metricColor(metric, dark).rgb());
        QCOMPARE(colours.size(), MetricsChartView::metricCount);
    }
}

// TrendChartView --------------------------------------------------------------------------------------------------

void tst_Panels::trendChartSplitsLinesAtGaps()
{
    TrendChartView view;
    view.setRegions(someRegions({ QStringLiteral("fra"), QStringLiteral("syd") }));
    QCOMPARE(view.regionChooser()->count(), 2);
    QCOMPARE(view.region(), QStringLiteral("fra"));
    const QDateTime start = QDateTime(QDate(2024, 5, 1), QTime(9, 0), Qt::UTC);
    QList<TrendPoint> points;
    for (int i = 0; i < 6; ++i) {
        TrendPoint point;
        point.testId = i + 1;
        point.startedAt = start.addDays(i * 2);
        point.runs = 3;
        point.loadMs = 1800 + 150 * i;
        point.ttfbMs = 120 + 10 * i;
        point.largestContentfulPaintMs = 1500 + 100 * i;
        if (i != 3)
            point.firstContentfulPaintMs = 700 + 40 * i; // test 4 did not observe it
        points.append(point);
    }
    view.setTrend(points);
    using Metric = TrendChartView::Metric;
    QCOMPARE(view.series(Metric::Load).size(), 1);
    QCOMPARE(view.series(Metric::Load).constFirst()->count(), 6);
    // FCP breaks at the missing test instead of dipping to 0.
    const QList<QLineSeries *> fcp = view.series(Metric::Fcp);
    QCOMPARE(fcp.size(), 2);
    QCOMPARE(fcp.at(0)->count(), 3);
    QCOMPARE(fcp.at(1)->count(), 2);
    for (QLineSeries *series : fcp) {
        for (const QPointF &p : series->points())
            QVERIFY(p.y() > 0);
    }
    QVERIFY(view.message().isEmpty());
    view.setTrend({});
    QVERIFY(!view.message().isEmpty());
}

void tst_Panels::trendChartReadsTheHistory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistoryStore history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.lastError()));
    const QString url = QStringLiteral("https://example.com/");
    const QStringList regions { QStringLiteral("fra"), QStringLiteral("syd") };
    for (int i = 0; i < 3; ++i) {
        const qint64 id = history.beginTest(url, LoadOptions {}, regions, 1);
        QVERIFY2(id >= 0, qPrintable(history.lastError()));
        for (const QString &region : regions) {
            QVERIFY(history.setMetrics(id, region, 1, RunView::First,
                metrics(100 + i, 500 + i, 900 + i, (region == u"fra" ? 1000 : 2000) + 10 * i), url, {}));
            QVERIFY(history.finishRun(id, region, 1, true, std::nullopt, false, std::nullopt));
        }
        QVERIFY(history.finishTest(id));
    }

    TrendChartView view;
    view.setRegions(someRegions(regions));
    view.setHistory(&history);
    QVERIFY(!view.message().isEmpty()); // no URL yet
    view.setUrl(url);
    QCOMPARE(view.points().size(), 3);
    QCOMPARE(view.points().constLast().loadMs, std::optional<double>(1020));
    QSignalSpy changed(&view, &TrendChartView::regionChanged);
    view.regionChooser()->setCurrentIndex(1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(view.region(), QStringLiteral("syd"));
    QCOMPARE(view.points().constLast().loadMs, std::optional<double>(2020));
    view.setUrl(QStringLiteral("https://example.org/never"));
    QVERIFY(view.points().isEmpty());
    QVERIFY(view.message().contains(QStringLiteral("Sydney")));
}

// FleetPanel ------------------------------------------------------------------------------------------------------

void tst_Panels::fleetPanelFollowsThePool()
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
    // Newest first.
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
    QVERIFY(panel.detailsLabel()->text().contains(reason));
    QVERIFY(!panel.detailsLabel()->text().startsWith(QStringLiteral("Latest problem")));
    delete run;
    delete second;
}

void tst_Panels::fleetPanelShowsConfigErrors()
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

// SettingsDialog --------------------------------------------------------------------------------------------------

void tst_Panels::settingsInvalidJsonDisablesOk()
{
    QTemporaryDir dir;
    MemorySecretStore secrets;
    const FleetConfig initial = FleetConfig::defaultConfig();
    SettingsDialog dialog(initial, dir.filePath(QStringLiteral("fleet.json")), &secrets);
    QVERIFY(dialog.okButton()->isEnabled());
    QVERIFY(dialog.isConfigValid());
    QVERIFY(!dialog.jsonEditor()->isVisible());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.editButton()->click();
    QVERIFY(dialog.jsonEditor()->isVisible());
    QVERIFY(dialog.jsonEditor()->toPlainText().contains(QStringLiteral("\"regions\"")));

    // A field out of range: OK off, the error with its field path under the editor.
    QString text = dialog.jsonEditor()->toPlainText();
    QJsonObject json = initial.toJson();
    QJsonArray regions = json.value(QStringLiteral("regions")).toArray();
    QJsonObject region = regions.at(0).toObject();
    QJsonObject pool = region.value(QStringLiteral("pool")).toObject();
    pool.insert(QStringLiteral("max"), 0);
    region.insert(QStringLiteral("pool"), pool);
    regions.replace(0, region);
    json.insert(QStringLiteral("regions"), regions);
    dialog.jsonEditor()->setPlainText(QString::fromUtf8(QJsonDocument(json).toJson()));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.configStatusLabel()->text().startsWith(QStringLiteral("regions[0].pool.max: ")),
        qPrintable(dialog.configStatusLabel()->text()));
    QVERIFY(dialog.configStatusLabel()->isVisible());

    // Not JSON at all: the line and column.
    dialog.jsonEditor()->setPlainText(QStringLiteral("{\n  \"version\": 1,\n  \"regions\": [ oops ]\n}"));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.configStatusLabel()->text().contains(QStringLiteral("line 3")),
        qPrintable(dialog.configStatusLabel()->text()));
    QCOMPARE(dialog.jsonEditor()->extraSelections().size(), 1);

    // An inline token is refused, naming the field and not the value.
    dialog.jsonEditor()->setPlainText(
        QString::fromUtf8(configWithSecrets())
            .replace(QStringLiteral("\"tokenSecret\": \"fly-api\""), QStringLiteral("\"token\": \"hunter2\"")));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.configStatusLabel()->text().startsWith(QStringLiteral("regions[1].backend.token: ")),
        qPrintable(dialog.configStatusLabel()->text()));
    QVERIFY(!dialog.configStatusLabel()->text().contains(QStringLiteral("hunter2")));

    // Valid again: OK on, the regions listed, and the dialog's config is the text's.
    dialog.jsonEditor()->setPlainText(QString::fromUtf8(configWithSecrets()));
    QVERIFY(dialog.okButton()->isEnabled());
    QVERIFY(dialog.jsonEditor()->extraSelections().isEmpty());
    QCOMPARE(dialog.fleetConfig().regions.size(), 3);
    QVERIFY(dialog.fleetConfigChanged());
    QCOMPARE(dialog.regionList()->topLevelItemCount(), 3);
    QCOMPARE(dialog.regionList()->topLevelItem(1)->text(0), QStringLiteral("syd"));
    QVERIFY(dialog.configStatusLabel()->text().contains(QStringLiteral("3 regions")));
}

void tst_Panels::settingsTokenRowsSaveToTheKeychain()
{
    QTemporaryDir dir;
    MemorySecretStore secrets;
    secrets.secrets.insert(QStringLiteral("fly-api"), QStringLiteral("already-there"));
    QString error;
    const FleetConfig config = FleetConfig::fromJson(configWithSecrets(), &error).value();
    QCOMPARE(SettingsDialog::secretUses(config).size(), 4);
    QCOMPARE(SettingsDialog::secretUses(config).at(0).name, QStringLiteral("fly-api"));
    QCOMPARE(SettingsDialog::secretUses(config).at(0).fields,
        (QStringList { QStringLiteral("syd: backend.tokenSecret"), QStringLiteral("nrt: backend.tokenSecret") }));
    QCOMPARE(SettingsDialog::secretUses(config).at(2).fields,
        QStringList { QStringLiteral("home-lab: backend.probes[0].tokenSecret") });

    SettingsDialog dialog(config, dir.filePath(QStringLiteral("fleet.json")), &secrets);
    QCOMPARE(dialog.tokenNames(),
        (QStringList { QStringLiteral("fly-api"), QStringLiteral("fly-probe"), QStringLiteral("probe-home-1"),
            QStringLiteral("probe-home-2") }));
    // What the keychain has is said, without showing it.
    QTRY_COMPARE(
        dialog.tokenStatusLabel(QStringLiteral("fly-api"))->text(), QStringLiteral("stored in the system keychain"));
    QTRY_COMPARE(
        dialog.tokenStatusLabel(QStringLiteral("fly-probe"))->text(), QStringLiteral("not in the keychain yet"));
    QVERIFY(dialog.tokenEdit(QStringLiteral("fly-api"))->text().isEmpty());
    QCOMPARE(dialog.tokenEdit(QStringLiteral("fly-api"))->echoMode(), QLineEdit::Password);

    QLineEdit *edit = dialog.tokenEdit(QStringLiteral("fly-probe"));
    QPushButton *save = dialog.tokenSaveButton(QStringLiteral("fly-probe"));
    QVERIFY(!save->isEnabled()); // nothing typed
    QTest::keyClicks(edit, QStringLiteral("s3cret-probe-token"));
    QVERIFY(save->isEnabled());
    save->click();
    QTRY_COMPARE(secrets.secrets.value(QStringLiteral("fly-probe")), QStringLiteral("s3cret-probe-token"));
    QTRY_COMPARE(
        dialog.tokenStatusLabel(QStringLiteral("fly-probe"))->text(), QStringLiteral("stored in the system keychain"));
    QVERIFY(edit->text().isEmpty());

    // Tokens never reach the settings or the config file.
    dialog.accept();
    QSettings settings;
    for (const QString &key : settings.allKeys())
        QVERIFY(!settings.value(key).toString().contains(QStringLiteral("s3cret")));
    QFile file(dir.filePath(QStringLiteral("fleet.json")));
    if (file.open(QIODevice::ReadOnly))
        QVERIFY(!file.readAll().contains("s3cret"));

    // Editing the config adds and removes rows; typed text stays with its name.
    SettingsDialog again(config, dir.filePath(QStringLiteral("fleet.json")), &secrets);
    again.tokenEdit(QStringLiteral("probe-home-1"))->setText(QStringLiteral("typed"));
    again.jsonEditor()->setPlainText(QString::fromUtf8(configWithSecrets())
                                         .replace(QStringLiteral("\"fly-probe\""), QStringLiteral("\"fly-probe-2\"")));
    QVERIFY(again.tokenNames().contains(QStringLiteral("fly-probe-2")));
    QVERIFY(!again.tokenNames().contains(QStringLiteral("fly-probe")));
    QCOMPARE(again.tokenEdit(QStringLiteral("probe-home-1"))->text(), QStringLiteral("typed"));
}

void tst_Panels::settingsTokenErrorIsShown()
{
    QTemporaryDir dir;
    LockedSecretStore secrets;
    QString error;
    const FleetConfig config = FleetConfig::fromJson(configWithSecrets(), &error).value();
    SettingsDialog dialog(config, dir.filePath(QStringLiteral("fleet.json")), &secrets);
    QTRY_VERIFY(dialog.tokenStatusLabel(QStringLiteral("fly-api"))->text().contains(QStringLiteral("locked")));
    dialog.tokenEdit(QStringLiteral("fly-api"))->setText(QStringLiteral("x"));
    dialog.tokenSaveButton(QStringLiteral("fly-api"))->click();
    QTRY_COMPARE(dialog.tokenStatusLabel(QStringLiteral("fly-api"))->text(),
        QStringLiteral("Not saved: the keychain is locked"));
    QCOMPARE(dialog.tokenEdit(QStringLiteral("fly-api"))->text(), QStringLiteral("x")); // kept, to try again
    QVERIFY(dialog.tokenSaveButton(QStringLiteral("fly-api"))->isEnabled());

    // Without a store at all the rows say so.
    SettingsDialog none(config, dir.filePath(QStringLiteral("fleet.json")), nullptr);
    QVERIFY(none.tokenStatusLabel(QStringLiteral("fly-api"))->text().contains(QStringLiteral("No keychain")));
    none.tokenEdit(QStringLiteral("fly-api"))->setText(QStringLiteral("x"));
    QVERIFY(!none.tokenSaveButton(QStringLiteral("fly-api"))->isEnabled());
}

void tst_Panels::settingsChromePathMustBeExecutable()
{
    QTemporaryDir dir;
    AppSettings().chromePath.remove();
    SettingsDialog dialog(FleetConfig::defaultConfig(), dir.filePath(QStringLiteral("fleet.json")), nullptr);
    QVERIFY(dialog.chromePathEdit()->text().isEmpty());
    QVERIFY(dialog.okButton()->isEnabled()); // empty: found automatically

    dialog.chromePathEdit()->setText(dir.filePath(QStringLiteral("missing")));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY(dialog.chromePathStatusLabel()->text().contains(QStringLiteral("no file")));

    const QString plain = dir.filePath(QStringLiteral("chrome.txt"));
    QFile file(plain);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("#!/bin/sh\n");
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    dialog.chromePathEdit()->setText(plain);
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY(dialog.chromePathStatusLabel()->text().contains(QStringLiteral("not executable")));

    dialog.chromePathEdit()->setText(dir.path());
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY(dialog.chromePathStatusLabel()->text().contains(QStringLiteral("folder")));

    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    dialog.chromePathEdit()->setText(plain);
    QVERIFY(dialog.okButton()->isEnabled());
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(AppSettings().chromePath.value(), plain);

    SettingsDialog reopened(FleetConfig::defaultConfig(), dir.filePath(QStringLiteral("fleet.json")), nullptr);
    QCOMPARE(reopened.chromePathEdit()->text(), plain);
    AppSettings().chromePath.remove();
}

void tst_Panels::settingsChooseFileAndSave()
{
    QTemporaryDir dir;
    const QString other = dir.filePath(QStringLiteral("other.json"));
    QFile file(other);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(configWithSecrets());
    file.close();
    const QString target = dir.filePath(QStringLiteral("config/fleet.json"));

    MemorySecretStore secrets;
    SettingsDialog dialog(FleetConfig::defaultConfig(), target, &secrets);
    QVERIFY(!dialog.fleetConfigChanged());
    QVERIFY(!dialog.loadConfigFile(dir.filePath(QStringLiteral("missing.json"))));
    QVERIFY(dialog.configStatusLabel()->text().contains(QStringLiteral("missing.json")));
    QVERIFY(dialog.loadConfigFile(other));
    QVERIFY(dialog.fleetConfigChanged());
    QCOMPARE(dialog.tokenNames().size(), 4);
    QVERIFY(dialog.jsonEditor()->toPlainText().contains(QStringLiteral("home-lab")));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QString error;
    const std::optional<FleetConfig> saved = FleetConfig::load(target, &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(*saved, dialog.fleetConfig());
}

// Screenshots -----------------------------------------------------------------------------------------------------

void tst_Panels::screenshots()
{
    // The metrics chart of a busy test.
    RegionModel model;
    const QStringList codes { QStringLiteral("fra"), QStringLiteral("lhr"), QStringLiteral("iad"),
        QStringLiteral("gru"), QStringLiteral("bom"), QStringLiteral("sin"), QStringLiteral("nrt"),
        QStringLiteral("syd") };
    model.setRegions(someRegions(codes));
    TestRecord test = startTest(model, codes);
    const double loads[] = { 1150, 1320, 1700, 2900, 3400, 2500, 2300, 4200 };
    for (int i = 0; i < codes.size(); ++i) {
        if (i == 4)
            continue; // bom: nothing yet
        finishWith(model, test, codes.at(i),
            metrics(loads[i] * 0.12, i == 6 ? std::nullopt : std::optional<double>(loads[i] * 0.45), loads[i] * 0.7,
                loads[i]));
    }
    MetricsChartView chart;
    chart.setModel(&model);
    chart.resize(900, 380);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));

    TrendChartView trend;
    trend.setRegions(someRegions(codes));
    QList<TrendPoint> points;
    const QDateTime start = QDateTime(QDate(2024, 5, 1), QTime(9, 0), Qt::UTC);
    for (int i = 0; i < 9; ++i) {
        TrendPoint point;
        point.testId = i + 1;
        point.startedAt = start.addDays(i).addSecs(i * 1800);
        point.runs = 3;
        point.loadMs = 1900 + (i % 3) * 220 - i * 40;
        point.largestContentfulPaintMs = 1400 + (i % 2) * 180 - i * 25;
        if (i != 5)
            point.firstContentfulPaintMs = 620 + (i % 4) * 50;
        point.ttfbMs = 140 + (i % 3) * 15;
        points.append(point);
    }
    trend.setTrend(points);
    trend.resize(900, 380);
    trend.show();
    QVERIFY(QTest::qWaitForWindowExposed(&trend));

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

    QTemporaryDir dir;
    MemorySecretStore secrets;
    secrets.secrets.insert(QStringLiteral("fly-api"), QStringLiteral("x"));
    QString error;
    SettingsDialog dialog(FleetConfig::fromJson(configWithSecrets(), &error).value(),
        dir.filePath(QStringLiteral("fleet.json")), &secrets);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.editButton()->click();
    dialog.jsonEditor()->setPlainText(
        dialog.jsonEditor()->toPlainText().replace(QStringLiteral("\"max\": 2"), QStringLiteral("\"max\": 0")));
    QVERIFY(!dialog.okButton()->isEnabled());
    QTest::qWait(50);

    const auto shoot = [&](const QString &suffix) {
        save(chart.grab().toImage(), QStringLiteral("metricschart-%1.png").arg(suffix));
        save(trend.grab().toImage(), QStringLiteral("trendchart-%1.png").arg(suffix));
        save(panel.grab().toImage(), QStringLiteral("fleetpanel-%1.png").arg(suffix));
        dialog.tabs()->setCurrentIndex(0);
        save(dialog.grab().toImage(), QStringLiteral("settings-fleet-%1.png").arg(suffix));
        dialog.tabs()->setCurrentIndex(1);
        QTRY_VERIFY(!dialog.tokenStatusLabel(QStringLiteral("fly-probe"))->text().contains(QStringLiteral("Checking")));
        save(dialog.grab().toImage(), QStringLiteral("settings-tokens-%1.png").arg(suffix));
        dialog.tabs()->setCurrentIndex(2);
        save(dialog.grab().toImage(), QStringLiteral("settings-local-%1.png").arg(suffix));
    };
    shoot(QStringLiteral("light"));
    // The dark palette on the chart decides its theme and the bars' shades.
    const QImage lightChart = chart.grab().toImage();
    for (QWidget *widget : std::initializer_list<QWidget *> { &chart, &trend, &panel, &dialog })
        widget->setPalette(darkPalette());
    QTest::qWait(50); // the charts lay their legends out on the event loop
    const QImage darkChart = chart.grab().toImage();
    QVERIFY(lightChart.pixelColor(5, 5).lightness() > 180);
    QVERIFY(darkChart.pixelColor(5, 5).lightness() < 80);
    shoot(QStringLiteral("dark"));
    qDeleteAll(runs);
    if (qEnvironmentVariableIsEmpty("WORLDSPEED_SCREENSHOT_DIR"))
        QSKIP("WORLDSPEED_SCREENSHOT_DIR is not set; not saving screenshots");
}

QTEST_MAIN(tst_Panels)
#include "tst_panels.moc"
