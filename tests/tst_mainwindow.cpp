// The desktop app as a person uses it: type a URL, press Go, watch the map, the table and the waterfall fill
// while the page loads, see the result — with real local probes, real Chromium and the test web server.
#include "appsettings.h"
#include "comparisonmodel.h"
#include "darkpalette.h"
#include "filmstripview.h"
#include "fleet/fleetconfig.h"
#include "fleetpanel.h"
#include "historymodel.h"
#include "historystore.h"
#include "localfleet.h"
#include "mainwindow.h"
#include "memorysecretstore.h"
#include "metricschartview.h"
#include "model/deviceprofile.h"
#include "regionmodel.h"
#include "runcontroller.h"
#include "runrecorder.h"
#include "testwebserver.h"
#include "waterfallmodel.h"
#include "waterfallview.h"
#include "worldmapview.h"

#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

class tst_MainWindow : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void badUrlIsExplainedInline_data();
    void badUrlIsExplainedInline();
    void runsATestFromTheUrlField();
    void historySurvivesARestart();
    void comparesTwoTests();
    // These add tests to the history: after the ones that count it.
    void badDeviceIsExplainedInline();
    void deviceChoiceIsRememberedAndStored();

private:
    void screenshot(QWidget *widget, const QString &name);
    MainWindow::Services services();

    TestWebServer m_web;
    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_history;
    MemorySecretStore m_secrets;
};

void tst_MainWindow::screenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name));
}

MainWindow::Services tst_MainWindow::services()
{
    const FleetConfig config = localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE));
    MainWindow::Services s;
    s.history = m_history.get();
    s.secrets = &m_secrets;
    s.fleetConfig = config;
    return s;
}

void tst_MainWindow::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedTests"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_history = std::make_unique<HistoryStore>(m_dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY(m_history->open());
    QVERIFY(m_web.listen());
    TestWebServer::Response page;
    page.body = "<!doctype html><title>gui</title><h1>WorldSpeed GUI test</h1>"
                "<link rel=stylesheet href=\"/asset?type=css&size=2000&delay=100\">"
                "<script src=\"/asset?type=js&size=3000&delay=200\"></script>"
                "<img src=\"/asset?type=png&size=5000&delay=300\"><img src=\"/asset?type=png&size=4000&delay=400&b=1\">"
                "<img src=\"/asset?type=png&size=6000&delay=2500&slow=1\">";
    m_web.route(QStringLiteral("/page"), page);
}

void tst_MainWindow::badUrlIsExplainedInline_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("message");
    QTest::newRow("empty") << QString() << QStringLiteral("Enter the address");
    QTest::newRow("ftp") << QStringLiteral("ftp://example.com/") << QStringLiteral("Only http:// and https://");
    QTest::newRow("spaces") << QStringLiteral("my site") << QStringLiteral("no spaces");
    QTest::newRow("no dot") << QStringLiteral("example") << QStringLiteral("not a full host name");
}

void tst_MainWindow::badUrlIsExplainedInline()
{
    QFETCH(QString, text);
    QFETCH(QString, message);
    MainWindow window(services());
    window.show();
    window.urlField()->setText(text);
    QTest::keyClick(window.urlField(), Qt::Key_Return);
    QVERIFY(window.urlError()->isVisible());
    QVERIFY2(window.urlError()->text().contains(message), qPrintable(window.urlError()->text()));
    QVERIFY(!window.controller()->isRunning());
    // Typing again clears the message.
    QTest::keyClick(window.urlField(), Qt::Key_A);
    QVERIFY(!window.urlError()->isVisible());
}

void tst_MainWindow::badDeviceIsExplainedInline()
{
    MainWindow window(services());
    window.show();
    auto *device = window.findChild<QComboBox *>(QStringLiteral("device"));
    QVERIFY(device);
    QCOMPARE(device->count(), DeviceProfile::presets().size());
    device->setCurrentText(QStringLiteral("400by800"));
    window.urlField()->setText(m_web.url(QStringLiteral("/page")).toString());
    QTest::keyClick(window.urlField(), Qt::Key_Return);
    QVERIFY(window.urlError()->isVisible());
    QVERIFY2(window.urlError()->text().contains(u"unknown device \"400by800\""), qPrintable(window.urlError()->text()));
    QVERIFY(!window.controller()->isRunning());
}

void tst_MainWindow::deviceChoiceIsRememberedAndStored()
{
    {
        MainWindow window(services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *device = window.findChild<QComboBox *>(QStringLiteral("device"));
        auto *cpu = window.findChild<QSpinBox *>(QStringLiteral("cpuSlowdown"));
        QVERIFY(device && cpu);
        // Typed as a person would, in capitals; stored as the device's own name.
        device->setCurrentText(QStringLiteral("412X823@1.75,Mobile"));
        cpu->setValue(2);
        auto *filmstrip = window.findChild<QCheckBox *>(QStringLiteral("filmstrip"));
        QVERIFY(filmstrip);
        filmstrip->setChecked(true);
        window.urlField()->setText(m_web.url(QStringLiteral("/page")).toString());
        QTest::mouseClick(window.goButton(), Qt::LeftButton);
        QVERIFY2(!window.urlError()->isVisible(), qPrintable(window.urlError()->text()));
        QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 60'000);
        const auto stored = m_history->load(window.recorder()->testId());
        QVERIFY(stored);
        QCOMPARE(stored->options.device, QStringLiteral("412x823@1.75,mobile"));
        QCOMPARE(stored->options.cpuSlowdown, std::optional<int>(2));
        // The filmstrip went all the way: asked of the probe, recorded, stored, and shown under the waterfall.
        QVERIFY(stored->options.filmstrip);
        const RegionRun *run = stored->results.first().run(1);
        QVERIFY(run);
        QVERIFY(!run->firstView.filmstrip.isEmpty());
        QVERIFY(run->firstView.metrics.speedIndexMs);
        auto *strips = window.findChild<FilmstripView *>(QStringLiteral("filmstripView"));
        QVERIFY(strips);
        QTRY_COMPARE(strips->stripCount(), 1);
        QVERIFY(!strips->isHidden()); // shown whenever its tab is
    }
    MainWindow again(services());
    QCOMPARE(
        again.findChild<QComboBox *>(QStringLiteral("device"))->currentText(), QStringLiteral("412x823@1.75,mobile"));
    QCOMPARE(again.findChild<QSpinBox *>(QStringLiteral("cpuSlowdown"))->value(), 2);
    QVERIFY(again.findChild<QCheckBox *>(QStringLiteral("filmstrip"))->isChecked());
    // Back to the defaults for the tests that follow.
    again.findChild<QComboBox *>(QStringLiteral("device"))->setCurrentText(QStringLiteral("desktop"));
    again.findChild<QSpinBox *>(QStringLiteral("cpuSlowdown"))->setValue(0);
    AppSettings settings;
    settings.testDevice.setValue(QStringLiteral("desktop"));
    settings.testCpuSlowdown.setValue(0);
    settings.testFilmstrip.setValue(false);
}

void tst_MainWindow::runsATestFromTheUrlField()
{
    MainWindow window(services());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(window.fleetError().isEmpty(), qPrintable(window.fleetError()));
    QCOMPARE(window.selectedRegions(), QStringList { QStringLiteral("local") });

    window.urlField()->setText(m_web.url(QStringLiteral("/page")).toString());
    QTest::mouseClick(window.goButton(), Qt::LeftButton);
    QVERIFY(window.controller()->isRunning());
    QVERIFY(!window.goButton()->isEnabled());

    // While the page is still loading (its last image takes 2.5 s), rows are already in the waterfall.
    RegionModel *regions = window.regionModel();
    QTRY_VERIFY_WITH_TIMEOUT(window.waterfallModel()->rowCount(window.waterfallModel()->index(0, 0)) >= 3, 60'000);
    QCOMPARE(regions->phase(QStringLiteral("local")), RegionModel::Phase::Loading);
    QCOMPARE(regions->stateText(QStringLiteral("local")), QStringLiteral("Loading page"));
    QCOMPARE(window.worldMap()->regionState(QStringLiteral("local")), WorldMapView::State::Loading);
    QVERIFY(window.statusText().contains(u"0 of 1 regions done"));
    // The bar moves with the run's stages, not only when a region is done.
    QVERIFY2(window.progressBar()->value() > 0, qPrintable(QString::number(window.progressBar()->value())));
    QTest::qWait(300); // let the view paint what arrived
    screenshot(&window, QStringLiteral("mainwindow-loading.png"));

    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 60'000);
    QCOMPARE(regions->phase(QStringLiteral("local")), RegionModel::Phase::Complete);
    QCOMPARE(regions->stateText(QStringLiteral("local")), QStringLiteral("200 Complete"));
    const PageMetrics m = regions->median(QStringLiteral("local"));
    QVERIFY2(m.loadMs && *m.loadMs >= 2500, qPrintable(QString::number(m.loadMs.value_or(-1))));
    QVERIFY(m.ttfbMs && m.firstContentfulPaintMs && m.domContentLoadedMs);
    QCOMPARE(m.requestCount, window.waterfallModel()->rowCount(window.waterfallModel()->index(0, 0)));
    // The table shows the metrics the region measured and no column of dashes (this page has no long task).
    auto *table = window.findChild<QTableView *>(QStringLiteral("regionTable"));
    QVERIFY(table);
    for (const PageMetric &metric : PageMetric::all()) {
        QCOMPARE(table->isColumnHidden(RegionModel::columnOf(metric.id)), !regions->isWorthAColumn(metric.id));
        QCOMPARE(regions->isWorthAColumn(metric.id), metric.value(m).has_value());
    }
    QVERIFY(!table->isColumnHidden(RegionModel::columnOf(PageMetric::Id::Load)));
    const QModelIndex loadCell = regions->index(0, RegionModel::columnOf(PageMetric::Id::Load));
    QVERIFY(regions->data(loadCell).toString().endsWith(u" ms") || regions->data(loadCell).toString().endsWith(u" s"));
    QCOMPARE(window.worldMap()->regionState(QStringLiteral("local")), WorldMapView::State::Done);
    QVERIFY(window.goButton()->isEnabled());
    QVERIFY(window.statusText().contains(u"finished"));
    QTest::qWait(300);
    screenshot(&window, QStringLiteral("mainwindow-complete.png"));
    // The chart has the region's bars, the fleet panel its runner.
    QVERIFY(window.metricsChart()->value(PageMetric::Id::Load, 0));
    QVERIFY2(window.fleetPanel()->text().contains(u"local"), qPrintable(window.fleetPanel()->text()));
    window.tabs()->setCurrentIndex(1);
    QTest::qWait(200);
    screenshot(&window, QStringLiteral("mainwindow-charts.png"));
    window.tabs()->setCurrentWidget(window.fleetPanel());
    QTest::qWait(200);
    screenshot(&window, QStringLiteral("mainwindow-fleet.png"));
    window.tabs()->setCurrentIndex(0);
    // Dark palette: everything must stay readable.
    const QPalette dark = darkPalette();
    const QPalette light = QApplication::palette();
    QApplication::setPalette(dark);
    QTest::qWait(300);
    screenshot(&window, QStringLiteral("mainwindow-dark.png"));
    QApplication::setPalette(light);

    // The test was kept, frame by frame.
    window.historyModel()->refresh();
    QCOMPARE(window.historyModel()->rowCount(), 1);
    const auto stored = m_history->load(window.recorder()->testId());
    QVERIFY(stored);
    QCOMPARE(stored->region(QStringLiteral("local")).runs.size(), 1);
    QCOMPARE(stored->region(QStringLiteral("local")).runs.first().firstView.requests.size(), m.requestCount);
}

void tst_MainWindow::historySurvivesARestart()
{
    // A new window on the same database (an app restart) lists the test from before.
    MainWindow window(services());
    QCOMPARE(window.historyModel()->rowCount(), 1);
}

void tst_MainWindow::comparesTwoTests()
{
    // A second test of the same page, then the two side by side.
    MainWindow window(services());
    window.show();
    window.urlField()->setText(m_web.url(QStringLiteral("/page")).toString());
    QTest::mouseClick(window.goButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 60'000);
    QCOMPARE(window.historyModel()->rowCount(), 2);
    QTableView *history = window.historyView();
    history->selectAll();
    QVERIFY(window.compareButton()->isEnabled());
    QTest::mouseClick(window.compareButton(), Qt::LeftButton);
    QVERIFY(window.comparison());
    auto *table = window.comparison()->findChild<QTableView *>(QStringLiteral("comparisonTable"));
    QVERIFY(table);
    auto *model = qobject_cast<ComparisonModel *>(table->model());
    QVERIFY(model);
    QCOMPARE(model->regions(), QStringList { QStringLiteral("local") });
    const auto a = model->value(QStringLiteral("local"), ComparisonModel::Metric::Load, false);
    const auto b = model->value(QStringLiteral("local"), ComparisonModel::Metric::Load, true);
    QVERIFY(a && b && *a >= 2500 && *b >= 2500);
    QCOMPARE(model->difference(QStringLiteral("local"), ComparisonModel::Metric::Load), *b - *a);
    QTest::qWait(300);
    screenshot(window.comparison(), QStringLiteral("comparison.png"));
}

QTEST_MAIN(tst_MainWindow)
#include "tst_mainwindow.moc"
