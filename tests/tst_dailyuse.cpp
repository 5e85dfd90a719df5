// The desktop app as a daily tool (issue 14): what a test measured is all reachable — every run and view in the
// waterfall with its screenshot, the form and the region table showing exactly the shown test — with tests from a
// real history (SQLite), without a browser: what is checked here is what the window does with a test it has.
#include "appsettings.h"
#include "comparisondialog.h"
#include "fleet/fleetconfig.h"
#include "historyfixtures.h"
#include "historypanel.h"
#include "historystore.h"
#include "mainwindow.h"
#include "memorysecretstore.h"
#include "regionmodel.h"
#include "runpicker.h"
#include "screenshotview.h"
#include "waterfallmodel.h"
#include "waterfallview.h"
#include "worldmapview.h"

#include <QAction>
#include <QApplication>
#include <QBuffer>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

namespace {

QByteArray png(const QColor &colour)
{
    QImage image(64, 40, QImage::Format_RGB32);
    image.fill(colour);
    QByteArray bytes;
    QBuffer buffer(&bytes);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return bytes;
}

// A run of `requests` requests whose first view loaded in `loadMs`, with a screenshot of its own colour, and a
// repeat view of one request.
RegionRun run(int index, double loadMs, int requests, const QColor &colour)
{
    RegionRun r;
    r.index = index;
    r.finished = true;
    r.firstView.metrics = metrics(0, true);
    r.firstView.metrics.loadMs = loadMs;
    r.firstView.metrics.fullyLoadedMs = loadMs + 100;
    r.firstView.metrics.requestCount = requests;
    r.firstViewMeasured = true;
    r.firstView.screenshotPng = png(colour);
    for (int i = 0; i < requests; ++i)
        r.firstView.requests.append(request(
            QStringLiteral("%1.%2").arg(index).arg(i), QStringLiteral("https://example.com/r%1").arg(i), 10.0 * i, 0));
    ViewResult repeat;
    repeat.requests.append(request(QStringLiteral("r%1").arg(index), QStringLiteral("https://example.com/"), 0, 0));
    repeat.metrics = metrics(50, true);
    repeat.metrics.requestCount = 1;
    repeat.screenshotPng = png(Qt::black);
    r.repeatView = repeat;
    r.repeatViewMeasured = true;
    return r;
}

} // namespace

class tst_DailyUse : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void everyRunAndViewIsShownWithItsScreenshot();
    void openingATestRestoresItsSettings();
    void tableShowsExactlyTheShownRegions();
    void longFailureKeepsTheMetricColumnsInView();
    void settingsKeepTheShownTest();
    void keyboardWalk();
    void compareSharesOneTimeScale();
    void mistypedSchemeGetsTheRightSuggestion();

private:
    MainWindow::Services services();
    // Three runs with a repeat view in fra (loads 900, 300, 500 ms: run 3 is the median) and syd.
    qint64 storeThreeRuns();
    void open(MainWindow &window, qint64 id);
    void screenshot(QWidget *widget, const QString &name);

    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_history;
    MemorySecretStore m_secrets;
};

MainWindow::Services tst_DailyUse::services()
{
    // Two regions on this computer; nothing here starts them.
    FleetConfig config = FleetConfig::defaultConfig();
    RegionConfig fra = config.regions.first();
    fra.code = QStringLiteral("fra");
    config.regions.append(fra);
    MainWindow::Services s;
    s.history = m_history.get();
    s.secrets = &m_secrets;
    s.fleetConfig = config;
    return s;
}

void tst_DailyUse::screenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name));
}

void tst_DailyUse::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedDailyUseTests"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_history = std::make_unique<HistoryStore>(historyPath(m_dir));
    QVERIFY(m_history->open());
}

qint64 tst_DailyUse::storeThreeRuns()
{
    TestRecord t;
    t.url = QStringLiteral("https://example.com/");
    t.options.profile = QStringLiteral("Cable");
    t.options.repeatView = true;
    t.options.screenshot = true;
    t.runsPerRegion = 3;
    t.regions = { QStringLiteral("fra"), QStringLiteral("syd") };
    RegionRecord fra;
    fra.state = RunState::Complete;
    fra.runs = { run(1, 900, 4, Qt::red), run(2, 300, 5, Qt::green), run(3, 500, 6, Qt::blue) };
    RegionRecord syd = fra;
    t.results.insert(QStringLiteral("fra"), fra);
    t.results.insert(QStringLiteral("syd"), syd);
    return feed(*m_history, t);
}

void tst_DailyUse::open(MainWindow &window, qint64 id)
{
    QVERIFY(window.historyPanel());
    emit window.historyPanel()->openRequested(id);
}

void tst_DailyUse::everyRunAndViewIsShownWithItsScreenshot()
{
    const qint64 id = storeThreeRuns();
    QVERIFY(id >= 0);
    MainWindow window(services());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    open(window, id);
    RunPicker *picker = window.runPicker();
    QVERIFY(picker->runChoice()->isVisibleTo(&window));
    QVERIFY(picker->viewChoice()->isVisibleTo(&window));
    QCOMPARE(picker->runChoice()->count(), 4); // the median run, then runs 1–3

    // By default each region's median run by load time, as WebPageTest shows it: run 3 (500 ms) of 900, 300, 500.
    WaterfallModel *waterfall = window.waterfallModel();
    QCOMPARE(picker->runIndex(), WaterfallModel::RepresentativeRun);
    QCOMPARE(waterfall->shownRun(0), 2);
    QCOMPARE(waterfall->requestCount(0), 6);
    ScreenshotView *shot = window.screenshotView();
    QVERIFY(shot->isVisibleTo(&window));
    QCOMPARE(shot->image().pixelColor(10, 10), QColor(Qt::blue));
    QVERIFY2(shot->caption().contains(u"run 3 (median)"), qPrintable(shot->caption()));
    QTest::qWait(200);
    screenshot(&window, QStringLiteral("dailyuse-median-run.png"));

    // Any run, and its repeat view.
    picker->runChoice()->setCurrentIndex(picker->runChoice()->findData(0));
    QCOMPARE(waterfall->shownRun(0), 0);
    QCOMPARE(waterfall->requestCount(0), 4);
    QCOMPARE(shot->image().pixelColor(10, 10), QColor(Qt::red));
    picker->viewChoice()->setCurrentIndex(1);
    QCOMPARE(waterfall->view(), RunView::Repeat);
    QCOMPARE(waterfall->requestCount(0), 1);
    QCOMPARE(shot->image().pixelColor(10, 10), QColor(Qt::black));
    QVERIFY2(shot->caption().contains(u"repeat view"), qPrintable(shot->caption()));
    QTest::qWait(200);
    screenshot(&window, QStringLiteral("dailyuse-run1-repeat.png"));

    // The screenshot follows the region chosen in the table.
    auto *table = window.findChild<QTableView *>(QStringLiteral("regionTable"));
    picker->viewChoice()->setCurrentIndex(0);
    const int sydRow = window.regionModel()->rowOf(QStringLiteral("syd"));
    QVERIFY(sydRow >= 0);
    table->selectRow(sydRow);
    QVERIFY2(shot->caption().contains(u"syd"), qPrintable(shot->caption()));

    // The table's counts say what they count: medians over the runs, not the waterfall's one run.
    const int requests = RegionModel::columnOf(PageMetric::Id::Requests);
    QVERIFY(window.regionModel()
                ->headerData(requests, Qt::Horizontal, Qt::ToolTipRole)
                .toString()
                .contains(u"median over the region's ok runs"));
}

void tst_DailyUse::openingATestRestoresItsSettings()
{
    const qint64 id = storeThreeRuns();
    MainWindow window(services());
    window.show();
    window.profileChoice()->setCurrentText(QStringLiteral("3G"));
    window.runsChoice()->setValue(1);
    window.repeatViewChoice()->setChecked(false);
    window.screenshotChoice()->setChecked(false);
    open(window, id);
    QCOMPARE(window.profileChoice()->currentText(), QStringLiteral("Cable"));
    QCOMPARE(window.runsChoice()->value(), 3);
    QVERIFY(window.repeatViewChoice()->isChecked());
    QVERIFY(window.screenshotChoice()->isChecked());
    QCOMPARE(window.selectedRegions(), QStringList { QStringLiteral("fra") }); // syd is not in this fleet

    // A one-run test has no run to pick: the picker hides its choices, and shows run 1 of the new test.
    TestRecord single;
    single.url = QStringLiteral("https://example.com/");
    single.regions = { QStringLiteral("fra") };
    RegionRecord fra;
    fra.state = RunState::Complete;
    fra.runs = { run(1, 700, 2, Qt::yellow) };
    single.results.insert(QStringLiteral("fra"), fra);
    const qint64 singleId = feed(*m_history, single);
    open(window, singleId);
    QVERIFY(!window.runPicker()->runChoice()->isVisibleTo(&window));
    QVERIFY(!window.runPicker()->viewChoice()->isVisibleTo(&window));
    QVERIFY(!window.screenshotView()->isVisibleTo(&window));
    QCOMPARE(window.waterfallModel()->requestCount(0), 2);
}

void tst_DailyUse::tableShowsExactlyTheShownRegions()
{
    MainWindow window(services());
    window.show();
    QCOMPARE(window.regionModel()->regionCodes(), (QStringList { QStringLiteral("local"), QStringLiteral("fra") }));
    // Unticked in the picker: gone from the table, the map and the charts (they all read the region model).
    window.setSelectedRegions({ QStringLiteral("fra") });
    QCOMPARE(window.regionModel()->regionCodes(), QStringList { QStringLiteral("fra") });
    // A stored test shows its own regions, placed by the built-in table when the fleet does not have them.
    open(window, storeThreeRuns());
    QCOMPARE(window.regionModel()->regionCodes(), (QStringList { QStringLiteral("fra"), QStringLiteral("syd") }));
    QCOMPARE(window.regionModel()->phase(QStringLiteral("syd")), RegionModel::Phase::Complete);
    QVERIFY(!window.regionModel()->region(1).city.isEmpty());
}

void tst_DailyUse::longFailureKeepsTheMetricColumnsInView()
{
    TestRecord t;
    t.url = QStringLiteral("https://example.com/");
    t.regions = { QStringLiteral("fra"), QStringLiteral("syd") };
    RegionRecord fra;
    fra.state = RunState::Complete;
    fra.runs = { run(1, 700, 2, Qt::yellow) };
    t.results.insert(QStringLiteral("fra"), fra);
    RegionRecord syd;
    syd.state = RunState::Error;
    RegionRun failed;
    failed.finished = true;
    const QString why
        = QStringLiteral("cannot read the Fly API token \"fly-token\" from the secret store: ") + QString(200, u'x');
    failed.error = LoadError { LoadError::Kind::Other, why };
    syd.runs = { failed };
    t.results.insert(QStringLiteral("syd"), syd);
    MainWindow window(services());
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    open(window, feed(*m_history, t));
    QCoreApplication::processEvents();
    auto *table = window.findChild<QTableView *>(QStringLiteral("regionTable"));
    const int sydRow = window.regionModel()->rowOf(QStringLiteral("syd"));
    const QModelIndex state = window.regionModel()->index(sydRow, RegionModel::StateColumn);
    const QString shown = state.data().toString();
    QVERIFY2(shown.size() <= 48 && shown.endsWith(QChar(0x2026)), qPrintable(shown));
    QCOMPARE(state.data(Qt::ToolTipRole).toString(), why);
    // The successful region's load is on screen beside the failure.
    const int load = table->horizontalHeader()->visualIndex(RegionModel::columnOf(PageMetric::Id::Load));
    QVERIFY(table->columnViewportPosition(RegionModel::columnOf(PageMetric::Id::Load)) >= 0);
    QVERIFY2(table->columnViewportPosition(RegionModel::columnOf(PageMetric::Id::Load)) < table->viewport()->width(),
        qPrintable(QString::number(load)));
    // The address stays readable in a small window: an address of 40 characters fits its field.
    QVERIFY2(window.urlField()->width() >= window.urlField()->fontMetrics().horizontalAdvance(
                 QStringLiteral("https://shop.example.com/products/sale")),
        qPrintable(QString::number(window.urlField()->width())));
    QTest::qWait(200);
    screenshot(&window, QStringLiteral("dailyuse-long-failure-1024x700.png"));
}

void tst_DailyUse::settingsKeepTheShownTest()
{
    const qint64 id = storeThreeRuns();
    MainWindow window(services());
    window.show();
    open(window, id);
    QAction *settings = nullptr;
    for (QAction *action : window.findChildren<QAction *>()) {
        if (action->text().startsWith(u"&Settings"))
            settings = action;
    }
    QVERIFY(settings);
    QTimer::singleShot(0, &window, [] {
        if (auto *dialog = qobject_cast<QDialog *>(QApplication::activeModalWidget()))
            dialog->done(QDialog::Accepted); // OK, without asking the dialog to check its pages
    });
    settings->trigger();
    // After OK the views and the status line still speak of the same test.
    QVERIFY2(window.statusText().startsWith(u"Showing the test of"), qPrintable(window.statusText()));
    QCOMPARE(window.regionModel()->regionCodes(), (QStringList { QStringLiteral("fra"), QStringLiteral("syd") }));
    QCOMPARE(window.regionModel()->phase(QStringLiteral("fra")), RegionModel::Phase::Complete);
    QCOMPARE(window.waterfallModel()->laneCount(), 2);
}

void tst_DailyUse::keyboardWalk()
{
    MainWindow window(services());
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    const auto action = [&](const QString &name) { return window.findChild<QAction *>(name); };
    // The shortcuts are in the menu, where a person finds them.
    QVERIFY(action(QStringLiteral("addressAction")));
    QCOMPARE(action(QStringLiteral("addressAction"))->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_L));
    QCOMPARE(action(QStringLiteral("runAction"))->shortcut(), QKeySequence(Qt::Key_F5));
    QCOMPARE(action(QStringLiteral("cancelAction"))->shortcut(), QKeySequence(Qt::Key_Escape));
    for (const QString &name :
        { QStringLiteral("addressAction"), QStringLiteral("runAction"), QStringLiteral("cancelAction") })
        QVERIFY(!action(name)->associatedObjects().isEmpty());

    // Ctrl+L from anywhere to the address, its text selected to type over.
    window.goButton()->setFocus();
    window.urlField()->setText(QStringLiteral("https://example.com/"));
    QTest::keyClick(window.goButton(), Qt::Key_L, Qt::ControlModifier);
    QTRY_VERIFY(window.urlField()->hasFocus());
    QCOMPARE(window.urlField()->selectedText(), QStringLiteral("https://example.com/"));

    // Tab goes through the region table, not into each of its cells.
    auto *table = window.findChild<QTableView *>(QStringLiteral("regionTable"));
    QVERIFY(window.regionModel()->rowCount() > 1);
    table->setFocus();
    QTRY_VERIFY(table->hasFocus());
    QTest::keyClick(table, Qt::Key_Tab);
    QVERIFY(!table->hasFocus());

    // Exports wait for a test to export, and say so by being greyed out.
    QAction *csv = nullptr;
    for (QAction *candidate : window.findChildren<QAction *>()) {
        if (candidate->text().startsWith(u"Export &CSV"))
            csv = candidate;
    }
    QVERIFY(csv);
    QVERIFY(!csv->isEnabled());
    open(window, storeThreeRuns());
    QVERIFY(csv->isEnabled());
    // History: Open and Delete act on one selected test, Compare on two; with nothing selected they are greyed
    // out rather than doing nothing when pressed.
    auto *openButton = window.historyPanel()->findChild<QPushButton *>(QStringLiteral("openTest"));
    QVERIFY(openButton);
    window.historyView()->clearSelection();
    QVERIFY(!openButton->isEnabled());
    QVERIFY(!window.compareButton()->isEnabled());
    window.historyView()->selectRow(0);
    QVERIFY(openButton->isEnabled());
    // The custom widgets say what they are to a screen reader.
    QVERIFY(!window.worldMap()->accessibleName().isEmpty());
    QVERIFY(!window.waterfallView()->accessibleName().isEmpty());
}

void tst_DailyUse::compareSharesOneTimeScale()
{
    // A fast Native test and a slow 2G one of the same page.
    const auto test = [](const QString &profile, double loadMs) {
        TestRecord t;
        t.url = QStringLiteral("https://example.com/");
        t.options.profile = profile;
        t.regions = { QStringLiteral("fra") };
        RegionRecord fra;
        fra.state = RunState::Complete;
        fra.runs = { run(1, loadMs, 3, Qt::gray) };
        t.results.insert(QStringLiteral("fra"), fra);
        return t;
    };
    ComparisonDialog dialog(test(QStringLiteral("Native"), 900), test(QStringLiteral("2G"), 6000));
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    auto *a = dialog.findChild<WaterfallView *>(QStringLiteral("waterfallA"));
    auto *b = dialog.findChild<WaterfallView *>(QStringLiteral("waterfallB"));
    QVERIFY(a && b);
    QCOMPARE(a->layoutGeometry().spanMs, b->layoutGeometry().spanMs);
    QVERIFY(a->layoutGeometry().spanMs >= 6000);
    // Each side says how it was measured.
    bool named = false;
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        named = named || (label->text().contains(u"Native") && label->text().contains(u"2G"));
    QVERIFY(named);
    QTest::qWait(200);
    screenshot(&dialog, QStringLiteral("dailyuse-compare-2g-native.png"));
}

void tst_DailyUse::mistypedSchemeGetsTheRightSuggestion()
{
    MainWindow window(services());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const int waterfallTop = window.waterfallView()->mapTo(&window, QPoint(0, 0)).y();
    window.urlField()->setText(QStringLiteral("htp:/x.example"));
    QTest::keyClick(window.urlField(), Qt::Key_Return);
    QVERIFY(window.urlError()->isVisible());
    QVERIFY2(
        window.urlError()->text().contains(u"Did you mean http://x.example"), qPrintable(window.urlError()->text()));
    QCoreApplication::processEvents();
    // The message has its line already: nothing below it moves.
    QCOMPARE(window.waterfallView()->mapTo(&window, QPoint(0, 0)).y(), waterfallTop);
    window.urlField()->setText(QStringLiteral("https//x.example/a"));
    QTest::keyClick(window.urlField(), Qt::Key_Return);
    QVERIFY2(
        window.urlError()->text().contains(u"Did you mean https://x.example/a"), qPrintable(window.urlError()->text()));
}

QTEST_MAIN(tst_DailyUse)
#include "tst_dailyuse.moc"
