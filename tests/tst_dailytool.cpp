// The desktop app as a daily tool (issue 14), the parts a person notices without a browser running: a small window
// that still shows everything, a keyboard-only walk through the window, and the form's CPU setting relative to the
// reference machine, remembered and restored with a stored test (real SQLite history).
#include "appsettings.h"
#include "darkpalette.h"
#include "fleet/fleetconfig.h"
#include "historyfixtures.h"
#include "historymodel.h"
#include "historypanel.h"
#include "historystore.h"
#include "localfleet.h"
#include "mainwindow.h"
#include "memorysecretstore.h"
#include "metricschartview.h"
#include "regionmodel.h"
#include "runrecorder.h"
#include "testform.h"
#include "testsettingspanel.h"
#include "testwebserver.h"
#include "waterfallmodel.h"
#include "waterfallview.h"
#include "worldmapview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QSplitter>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

class tst_DailyTool : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void smallWindowShowsEverything_data();
    void smallWindowShowsEverything();
    void cpuRelativeIsSentRememberedAndRestored();
    void tabWalksTheWindowInOrder();
    void keysRunAndCancelATest();
    void colourByContentTypeIsAViewChoice();
    void regionWithoutTokenEndsEarlyInShortWords();

private:
    MainWindow::Services services();
    // Three regions with every metric the table has a column for.
    qint64 storeWideTest();
    void screenshot(QWidget *widget, const QString &name);

    TestWebServer m_web;
    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_history;
    MemorySecretStore m_secrets;
};

MainWindow::Services tst_DailyTool::services()
{
    // Three regions on this computer; nothing here starts them.
    FleetConfig config = FleetConfig::defaultConfig();
    for (const QString &code : { QStringLiteral("fra"), QStringLiteral("syd") }) {
        RegionConfig region = config.regions.first();
        region.code = code;
        config.regions.append(region);
    }
    MainWindow::Services s;
    s.history = m_history.get();
    s.secrets = &m_secrets;
    s.fleetConfig = config;
    return s;
}

void tst_DailyTool::screenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name));
}

void tst_DailyTool::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedDailyToolTests"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    QVERIFY(m_web.listen());
    TestWebServer::Response hanging; // a page that never loads: only Esc ends its test
    hanging.mode = TestWebServer::Response::Mode::Hang;
    m_web.route(QStringLiteral("/slow"), hanging);
    m_history = std::make_unique<HistoryStore>(historyPath(m_dir));
    QVERIFY(m_history->open());
}

qint64 tst_DailyTool::storeWideTest()
{
    TestRecord t = sampleRecord();
    t.regions = { QStringLiteral("fra"), QStringLiteral("local"), QStringLiteral("syd") };
    const RegionRecord iad = t.results.take(QStringLiteral("iad"));
    t.results.insert(QStringLiteral("local"), iad);
    for (RegionRecord &region : t.results) {
        for (RegionRun &run : region.runs) {
            run.firstView.screenshotPng.clear(); // the sample's are not images
            run.firstView.filmstrip = {};
            run.firstView.metrics.speedIndexMs = 1234.5;
            run.firstView.metrics.totalBlockingTimeMs = 350;
        }
    }
    return feed(*m_history, t);
}

void tst_DailyTool::smallWindowShowsEverything_data()
{
    QTest::addColumn<QSize>("size");
    QTest::addColumn<bool>("dark");
    QTest::newRow("1024x700") << QSize(1024, 700) << false;
    QTest::newRow("1024x700 dark") << QSize(1024, 700) << true;
    QTest::newRow("1400x900") << QSize(1400, 900) << false;
}

void tst_DailyTool::smallWindowShowsEverything()
{
    QFETCH(QSize, size);
    QFETCH(bool, dark);
    const qint64 id = storeWideTest();
    MainWindow window(services());
    if (dark)
        window.setPalette(darkPalette());
    window.resize(size);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *table = window.findChild<QTableView *>(QStringLiteral("regionTable"));
    QVERIFY(table);
    // Before any test: the columns every test fills, in view.
    QTRY_VERIFY(!table->horizontalScrollBar()->isVisible());
    QVERIFY(!table->isColumnHidden(RegionModel::columnOf(PageMetric::Id::FullyLoaded)));
    QCOMPARE(window.size(), size); // nothing made the window wider than asked
    emit window.historyPanel()->openRequested(id);
    QTest::qWait(200);
    screenshot(&window,
        QStringLiteral("dailytool-%1x%2%3.png")
            .arg(size.width())
            .arg(size.height())
            .arg(dark ? QStringLiteral("-dark") : QString()));
    int columns = 0;
    for (int c = 0; c < table->model()->columnCount(); ++c)
        columns += table->isColumnHidden(c) ? 0 : 1;
    QVERIFY2(columns >= 10, qPrintable(QString::number(columns))); // a test with many metrics, as the issue's
    // Every column in view: no scrolling sideways to see a region's fully loaded time.
    QTRY_VERIFY2(!table->horizontalScrollBar()->isVisible(),
        qPrintable(QStringLiteral("%1 > %2").arg(table->horizontalHeader()->length()).arg(table->viewport()->width())));
    const int fully = RegionModel::columnOf(PageMetric::Id::FullyLoaded);
    QVERIFY(table->columnViewportPosition(fully) + table->columnWidth(fully) <= table->viewport()->width());
    // Each number fits its column; a header too long for its column is elided, and its tool tip says it in full.
    for (int c = 0; c < table->model()->columnCount(); ++c) {
        if (table->isColumnHidden(c))
            continue;
        for (int row = 0; row < table->model()->rowCount(); ++row) {
            const QModelIndex index = table->model()->index(row, c);
            if (c == RegionModel::StateColumn || c == RegionModel::RegionColumn)
                continue; // elided on purpose when they must, in full in their tool tips
            const int needed = table->fontMetrics().horizontalAdvance(index.data().toString());
            QVERIFY2(needed < table->columnWidth(c),
                qPrintable(QStringLiteral("column %1: %2 needs %3 of %4")
                               .arg(c)
                               .arg(index.data().toString())
                               .arg(needed)
                               .arg(table->columnWidth(c))));
        }
        QVERIFY(!table->model()->headerData(c, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    }
    QVERIFY(window.worldMap()->isLegendShown());
    // The three regions' waterfalls side by side, all in view: the lanes share the width instead of scrolling
    // sideways, and each keeps a bar area wide enough to read its bars.
    WaterfallView *waterfall = window.waterfallView();
    QCOMPARE(waterfall->layoutMode(), WaterfallView::LayoutMode::SideBySide);
    QCOMPARE(waterfall->model()->laneCount(), 3);
    QTRY_VERIFY2(!waterfall->horizontalScrollBar()->isVisible(),
        qPrintable(QStringLiteral("lanes %1 px wide in %2 px")
                       .arg(waterfall->layoutGeometry().laneWidth())
                       .arg(waterfall->viewport()->width())));
    const WaterfallGeometry lanes = waterfall->layoutGeometry();
    QVERIFY(lanes.laneRect(2).right() <= waterfall->viewport()->width());
    QVERIFY2(lanes.barArea(2).width() >= 120, qPrintable(QString::number(lanes.barArea(2).width())));
    // The CPU choice says "device's" in full.
    auto *cpu = window.testForm()->cpuSlowdownChoice();
    QVERIFY(cpu->width() >= cpu->fontMetrics().horizontalAdvance(cpu->specialValueText()));
}

void tst_DailyTool::cpuRelativeIsSentRememberedAndRestored()
{
    {
        TestForm form(&m_secrets);
        QList<RunController::Request> submitted;
        connect(&form, &TestForm::submitted, this, [&](const RunController::Request &r) { submitted.append(r); });
        form.urlField()->setText(QStringLiteral("https://example.com/"));
        form.cpuSlowdownChoice()->setValue(3);
        form.cpuRelativeChoice()->setChecked(true);
        form.submit();
        QCOMPARE(submitted.size(), 1);
        const RunController::Request request = submitted.first();
        QCOMPARE(request.options.cpuSlowdown, std::optional<int>(3));
        QVERIFY(request.options.cpuSlowdownRelative);
        form.remember(request);
    }
    {
        // The next session's form offers it again.
        TestForm again(&m_secrets);
        QVERIFY(again.cpuRelativeChoice()->isChecked());
        QCOMPARE(again.cpuSlowdownChoice()->value(), 3);
        AppSettings().testCpuRelative.setValue(false);
        AppSettings().testCpuSlowdown.setValue(0);
    }
    // A stored test that had it: the history names it, and reopening it puts it back in the form.
    TestRecord t = sampleRecord();
    t.options.cpuSlowdown = 2;
    t.options.cpuSlowdownRelative = true;
    const qint64 id = feed(*m_history, t);
    MainWindow window(services());
    QVERIFY(!window.testForm()->cpuRelativeChoice()->isChecked());
    const QString device
        = window.historyModel()->index(0, HistoryModel::DeviceColumn).data().toString(); // newest first
    QVERIFY2(device.contains(u"CPU 2× of the reference"), qPrintable(device));
    emit window.historyPanel()->openRequested(id);
    QVERIFY(window.testForm()->cpuRelativeChoice()->isChecked());
    QCOMPARE(window.testForm()->cpuSlowdownChoice()->value(), 2);
}

void tst_DailyTool::tabWalksTheWindowInOrder()
{
    MainWindow window(services());
    window.resize(1024, 700);
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    TestForm *form = window.testForm();
    auto *table = window.findChild<QTableView *>(QStringLiteral("regionTable"));
    QVERIFY(window.regionModel()->rowCount() > 1);
    form->urlField()->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(form->urlField()->hasFocus());
    // Tab only, from the address, until it comes back there.
    QList<QWidget *> walk { form->urlField() };
    bool back = false;
    for (int step = 0; step < 60 && !back; ++step) {
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Tab);
        QWidget *now = QApplication::focusWidget();
        QVERIFY(now);
        QVERIFY2(now->isVisible() && now->isEnabled(), now->metaObject()->className());
        back = now == form->urlField();
        if (!back)
            walk.append(now);
    }
    QVERIFY2(back, "Tab never came back to the address: a trap");
    // The form as the eye reads it (Cancel is disabled with no test running, so it is skipped).
    QList<QWidget *> formOrder;
    formOrder << form->urlField() << form->goButton() << form->regionsButton() << form->profileChoice()
              << form->deviceChoice() << form->cpuSlowdownChoice() << form->cpuRelativeChoice() << form->runsChoice()
              << form->repeatViewChoice() << form->screenshotChoice() << form->filmstripChoice()
              << form->testSettingsButton();
    QCOMPARE(walk.mid(0, formOrder.size()), formOrder);
    // Then the region table, one stop however many cells it has; then the tabs and the waterfall.
    QCOMPARE(walk.count(table), 1);
    QCOMPARE(walk.indexOf(table), formOrder.size());
    const qsizetype tabBar = walk.indexOf(window.tabs()->tabBar());
    QVERIFY(tabBar > walk.indexOf(table));
    QVERIFY(walk.indexOf(window.waterfallView()) > tabBar);
    // Shift+Tab from the address goes back to where the walk ended.
    QTest::keyClick(form->urlField(), Qt::Key_Backtab);
    QCOMPARE(QApplication::focusWidget(), walk.last());

    // Focus on Go can be seen: the button looks different with it.
    form->urlField()->setFocus(Qt::TabFocusReason);
    QTRY_VERIFY(form->urlField()->hasFocus());
    const QImage unfocused = form->goButton()->grab().toImage();
    QTest::keyClick(form->urlField(), Qt::Key_Tab);
    QTRY_VERIFY(form->goButton()->hasFocus());
    QVERIFY(form->goButton()->grab().toImage() != unfocused);
    QTest::qWait(100);
    screenshot(&window, QStringLiteral("dailytool-focus-on-go.png"));

    // Ctrl+T opens the test settings from anywhere.
    QTest::keyClick(form->goButton(), Qt::Key_T, Qt::ControlModifier);
    QTRY_VERIFY(window.testSettingsPanel()->isVisible());
    window.testSettingsPanel()->reject();
    // The custom widgets say what they are to a screen reader.
    for (QWidget *custom :
        std::initializer_list<QWidget *> { window.worldMap(), window.waterfallView(), window.metricsChart(), table })
        QVERIFY2(!custom->accessibleName().isEmpty(), custom->metaObject()->className());
}

void tst_DailyTool::keysRunAndCancelATest()
{
    // A real local probe: F5 starts the test, Esc cancels it while it starts or loads.
    MainWindow::Services s = services();
    s.fleetConfig = localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE));
    MainWindow window(s);
    window.show();
    QApplication::setActiveWindow(&window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    window.urlField()->setText(m_web.url(QStringLiteral("/slow")).toString());
    QAction *run = window.findChild<QAction *>(QStringLiteral("runAction"));
    QAction *cancel = window.findChild<QAction *>(QStringLiteral("cancelAction"));
    QVERIFY(run && cancel);
    // Shown in the Test menu with their keys.
    QCOMPARE(run->shortcut(), QKeySequence(Qt::Key_F5));
    QCOMPARE(cancel->shortcut(), QKeySequence(Qt::Key_Escape));
    QCOMPARE(window.findChild<QAction *>(QStringLiteral("testSettingsAction"))->shortcut(),
        QKeySequence(Qt::CTRL | Qt::Key_T));
    QVERIFY(window.menuBar()->actions().size() >= 3);
    QTest::keyClick(window.urlField(), Qt::Key_F5);
    QVERIFY2(window.controller()->isRunning(), qPrintable(window.urlError()->text()));
    QTest::keyClick(window.urlField(), Qt::Key_Escape);
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 60'000);
    QVERIFY2(window.statusText().startsWith(u"Test cancelled"), qPrintable(window.statusText()));
    // Cancelled is the user's doing, not a failure of the region's.
    const QString state = window.regionModel()->stateText(QStringLiteral("local"));
    QVERIFY2(!state.startsWith(u"Failed"), qPrintable(state));
    const qint64 first = window.recorder()->testId();
    // F5 again: the same test again, a new one in the history.
    QTest::keyClick(window.urlField(), Qt::Key_F5);
    QVERIFY(window.controller()->isRunning());
    QVERIFY(window.recorder()->testId() != first);
    QTest::keyClick(window.urlField(), Qt::Key_Escape);
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 60'000);
}

void tst_DailyTool::colourByContentTypeIsAViewChoice()
{
    const qint64 id = storeWideTest();
    {
        MainWindow window(services());
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QCOMPARE(window.waterfallView()->colouring(), WaterfallPainter::Colouring::Phases);
        auto *byType = window.findChild<QAction *>(QStringLiteral("colourByTypeAction"));
        QVERIFY(byType && byType->isCheckable());
        QVERIFY(window.menuBar()->actions().contains(qobject_cast<QMenu *>(byType->parent())->menuAction()));
        byType->trigger();
        QCOMPARE(window.waterfallView()->colouring(), WaterfallPainter::Colouring::ContentTypes);
        emit window.historyPanel()->openRequested(id);
        QTest::qWait(200);
        screenshot(&window, QStringLiteral("dailytool-waterfall-by-type.png"));
    }
    // Remembered.
    MainWindow again(services());
    QCOMPARE(again.waterfallView()->colouring(), WaterfallPainter::Colouring::ContentTypes);
    again.findChild<QAction *>(QStringLiteral("colourByTypeAction"))->trigger();
    QVERIFY(!AppSettings().waterfallByContentType.value());
}

void tst_DailyTool::regionWithoutTokenEndsEarlyInShortWords()
{
    // A Fly region whose API token is not in the keychain: its probe cannot start, which is known at once. Its API
    // is a closed loopback port, should anything try to reach it.
    MainWindow::Services s = services();
    QString error;
    const auto fly
        = FleetConfig::fromJson(QByteArrayLiteral(R"({"version":1,"regions":[{"code":"mel","latitude":-37.8,)"
                                                  R"("longitude":145.0,"backend":{"type":"fly","app":"a",)"
                                                  R"("region":"syd","image":"i","tokenSecret":"fly-token",)"
                                                  R"("apiBase":"http://127.0.0.1:9/"}}]})"),
            &error);
    QVERIFY2(fly, qPrintable(error));
    s.fleetConfig->regions.append(fly->regions.first());
    MainWindow window(s);
    window.resize(1024, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(window.fleetError().isEmpty(), qPrintable(window.fleetError()));
    window.setSelectedRegions({ QStringLiteral("mel") });
    QCOMPARE(window.waterfallView()->placeholderText(), QString()); // before any test it waits for nothing
    window.urlField()->setText(QStringLiteral("https://example.com/"));
    window.startTest();
    QVERIFY2(window.controller()->isRunning(), qPrintable(window.urlError()->text()));
    // It ends without waiting for a probe that cannot come, in words that say what to do; the details in a tool tip.
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 60'000);
    QCOMPARE(window.regionModel()->stateText(QStringLiteral("mel")), QStringLiteral("No token: open Settings"));
    const int row = window.regionModel()->rowOf(QStringLiteral("mel"));
    const QString tip = window.regionModel()->index(row, RegionModel::StateColumn).data(Qt::ToolTipRole).toString();
    QVERIFY2(tip.contains(u"fly-token"), qPrintable(tip));
    // The status line counts it as failed, and its empty waterfall no longer waits for requests.
    QCOMPARE(window.statusText(), QStringLiteral("Test finished: 1 region, 1 failed"));
    QCOMPARE(window.waterfallView()->placeholderText(), QStringLiteral("No requests"));
    QTest::qWait(100);
    screenshot(&window, QStringLiteral("dailytool-no-token-1024x700.png"));
}

QTEST_MAIN(tst_DailyTool)
#include "tst_dailytool.moc"
