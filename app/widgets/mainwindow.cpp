#include "mainwindow.h"

#include "appenvironment.h"
#include "appsettings.h"
#include "comparisonmodel.h"
#include "filmstripview.h"
#include "firststartpanel.h"
#include "fleet/configuredfleet.h"
#include "fleetpanel.h"
#include "historymodel.h"
#include "historypanel.h"
#include "historystore.h"
#include "metricschartview.h"
#include "model/connectivityprofile.h"
#include "model/deviceprofile.h"
#include "model/pagemetric.h"
#include "model/testscript.h"
#include "regionmodel.h"
#include "regionpicker.h"
#include "regiontableview.h"
#include "requestdetailsview.h"
#include "runcontroller.h"
#include "runpicker.h"
#include "runrecorder.h"
#include "screenshotview.h"
#include "settingsdialog.h"
#include "testexports.h"
#include "testform.h"
#include "testsettingspanel.h"
#include "theme.h"
#include "trendchartview.h"
#include "waterfallmodel.h"
#include "waterfallview.h"
#include "windowlayoutkeeper.h"
#include "worldmapview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QVBoxLayout>

#include <algorithm>

MainWindow::MainWindow(Services services, QWidget *parent)
    : QMainWindow(parent)
    , m_services(std::move(services))
    , m_regionModel(new RegionModel(this))
    , m_waterfallModel(new WaterfallModel(this))
{
    setWindowTitle(tr("WorldSpeed"));
    if (m_services.history) {
        m_historyModel = new HistoryModel(m_services.history, this);
        m_historyModel->refresh(); // what earlier sessions kept is listed from the start
    }
    m_exports = new TestExports(m_services.history, this);
    connect(m_exports, &TestExports::written, this,
        [this](const QString &message) { statusBar()->showMessage(message, 8000); });
    buildUi();
    buildMenus();
    loadFleet();
}

MainWindow::~MainWindow()
{
    // The controller's test and the fleet's probes go before the recorder and the models they feed.
    delete m_controller;
    delete m_recorder;
    m_fleet.reset();
}

QList<RegionCatalog::Region> MainWindow::fleetRegions() const
{
    return m_fleet ? RegionCatalog::fleetRegions(m_fleet->config()) : QList<RegionCatalog::Region>();
}

FleetConfig MainWindow::fleetConfig()
{
    if (m_services.fleetConfig)
        return *m_services.fleetConfig;
    const auto load
        = AppEnvironment::loadFleetConfig(m_services.fleetConfigPath, AppEnvironment::FleetLoading::FallBack);
    m_fleetError = load.error;
    return *load.config; // falling back, there always is one
}

void MainWindow::loadFleet()
{
    delete m_controller;
    m_controller = nullptr;
    delete m_recorder;
    m_recorder = nullptr;
    m_fleet.reset();
    m_fleetError.clear();
    QString error;
    // The fleet as worldspeed-cli builds it too, with the Chrome chosen in the settings.
    const AppSettings settings;
    m_writtenFleetConfig = fleetConfig();
    m_fleet = ConfiguredFleet::create(
        AppEnvironment::withAppSettings(m_writtenFleetConfig, settings), m_services.secrets, &error);
    if (!m_fleet) {
        m_fleetError = tr("The fleet could not be set up: %1").arg(error);
        m_writtenFleetConfig = FleetConfig::defaultConfig();
        m_fleet = ConfiguredFleet::create(
            AppEnvironment::withAppSettings(m_writtenFleetConfig, settings), m_services.secrets, &error);
    }
    const QList<RegionCatalog::Region> regions = fleetRegions();
    m_controller = new RunController(m_fleet->fleet(), this);
    m_recorder = new RunRecorder(m_controller, m_services.history, this);
    connectRun();
    m_fleetPanel->setFleet(m_fleet->fleet());
    m_firstStart->setConfig(m_writtenFleetConfig); // it saves what it places: the config as written
    if (m_trendChart)
        m_trendChart->setRegions(regions);

    // The regions to test: what the user chose last time, if the fleet still has them; else all of them.
    QStringList remembered = AppSettings().testRegions.value();
    QStringList available;
    for (const RegionCatalog::Region &region : regions)
        available.append(region.code);
    remembered.erase(
        std::remove_if(remembered.begin(), remembered.end(), [&](const QString &c) { return !available.contains(c); }),
        remembered.end());
    m_shownTest = -1;
    m_exports->setTest(-1, AppEnvironment::regionCatalog(m_fleet->config()));
    setSelectedRegions(remembered.isEmpty() ? available : remembered);
    if (!m_fleetError.isEmpty())
        statusBar()->showMessage(m_fleetError);
}

void MainWindow::connectRun()
{
    // The models read the recorder's live test, as they read a stored one (showTest()).
    connect(m_recorder, &RunRecorder::testStarted, this, [this](const TestRecord &test) {
        m_shownTest = test.id;
        m_cancelling = false;
        showTest(test);
        m_waterfall->setWaiting(true);
        m_form->setRunning(true);
        m_progress->setVisible(true);
        updateProgress();
    });
    connect(m_recorder, &RunRecorder::regionChanged, this, [this](const QString &region) {
        m_regionModel->updateRegion(m_recorder->test(), region);
        // A run's end may make another run the region's median: the waterfall's "median run" follows.
        const auto median = m_regionModel->summary(region).representativeRun;
        m_waterfallModel->setRepresentativeRun(region, median ? std::optional<int>(*median - 1) : std::nullopt);
        // A script's later steps: their blocks follow the record (their requests are not streamed one by one).
        m_waterfallModel->updateSteps(m_recorder->test(), region);
        updateProgress();
    });
    // The waterfall counts runs from 0.
    connect(m_recorder, &RunRecorder::requestAdded, m_waterfallModel,
        [this](const QString &region, int run, RunView view, const RequestTiming &request, int step) {
            if (step > 1)
                return; // a script's later step is not step 1's view: its requests are not this lane's
            m_waterfallModel->addRequest(region, run - 1, view, request);
        });
    // Pending requests are live state: straight from the controller, never through the recorder and its history.
    connect(m_controller, &RunController::requestsStarted, m_waterfallModel,
        [this](const QString &region, int run, RunView view, const QList<RequestTiming> &requests, int step) {
            if (step > 1)
                return;
            m_waterfallModel->addStarted(region, run - 1, view, requests);
        });
    connect(m_controller, &RunController::runFinished, m_waterfallModel,
        [this](const QString &region, int run) { m_waterfallModel->endLive(region, run - 1); });
    connect(m_controller, &RunController::finished, m_waterfallModel, &WaterfallModel::endAllLive);
    connect(m_recorder, &RunRecorder::viewMeasured, m_waterfallModel,
        [this](const QString &region, int run, RunView view, const PageMetrics &metrics, int step) {
            if (step > 1)
                return;
            m_waterfallModel->setPageMetrics(region, run - 1, view, metrics);
            const auto record = m_recorder->test().results.constFind(region);
            const RegionRun *measured = record == m_recorder->test().results.cend() ? nullptr : record->run(run);
            if (const ViewResult *result = measured ? measured->view(view) : nullptr) {
                m_waterfallModel->setScreenshot(region, run - 1, view, result->screenshotPng);
                m_waterfallModel->setLongTasks(region, run - 1, view, result->longTasks);
            }
            m_filmstripView->setTest(m_recorder->test());
        });
    connect(m_recorder, &RunRecorder::testFinished, this, [this](const TestRecord &test) {
        m_regionModel->setTest(test);
        m_form->setRunning(false);
        m_progress->setVisible(false);
        m_waterfall->setWaiting(false);
        const int regions = static_cast<int>(test.regions.size());
        int done = 0;
        int failed = 0;
        for (const RegionSummary &region : RegionSummary::of(test)) {
            done += region.okRuns == region.runsPerRegion ? 1 : 0;
            failed += region.okRuns == 0 ? 1 : 0;
        }
        if (m_cancelling) {
            m_status->setText(tr("Test cancelled: %1 of %2 regions finished every run").arg(done).arg(regions));
        } else {
            const QString finished
                = regions == 1 ? tr("Test finished: 1 region") : tr("Test finished: %1 regions").arg(regions);
            m_status->setText(failed == 0 ? finished : tr("%1, %2 failed").arg(finished).arg(failed));
        }
        m_cancelling = false;
        if (m_historyModel)
            m_historyModel->refresh();
        if (m_trendChart) {
            m_trendChart->setUrl(test.url);
            m_trendChart->refresh();
        }
    });
}

void MainWindow::setSelectedRegions(const QStringList &codes)
{
    m_selected = codes;
    m_form->setRegions(codes);
    // Before any test the table and the map show what Go would test; a shown test keeps its own regions.
    if (m_shownTest < 0 && !(m_controller && m_controller->isRunning()))
        showRegions(codes);
}

void MainWindow::showRegions(const QStringList &codes)
{
    const QList<RegionCatalog::Region> fleet = fleetRegions();
    const RegionCatalog builtIn = RegionCatalog::builtIn();
    QList<RegionCatalog::Region> shown;
    for (const QString &code : codes) {
        const auto inFleet = std::find_if(
            fleet.cbegin(), fleet.cend(), [&](const RegionCatalog::Region &r) { return r.code == code; });
        // A stored test's region may have left the fleet since; the built-in table still places it.
        if (inFleet != fleet.cend())
            shown.append(*inFleet);
        else
            shown.append(builtIn.find(code).value_or(RegionCatalog::Region { code, {}, {}, {}, 0, 0 }));
    }
    if (shown.size() != m_regionModel->regionCodes().size()
        || !std::equal(shown.cbegin(), shown.cend(), m_regionModel->regionCodes().cbegin(),
            [](const RegionCatalog::Region &r, const QString &code) { return r.code == code; }))
        m_regionModel->setRegions(shown);
}

void MainWindow::showTest(const TestRecord &test)
{
    showRegions(test.regions);
    m_regionModel->setTest(test);
    m_waterfallModel->setTest(test);
    m_waterfall->setWaiting(false);
    m_filmstripView->setTest(test);
    m_runPicker->setTest(test);
    m_screenshotView->setVisible(test.options.screenshot);
    m_exports->setTest(test.id, AppEnvironment::regionCatalog(m_fleet->config()));
}

void MainWindow::updateProgress()
{
    const TestRecord &test = m_recorder->test();
    double done = 0;
    int over = 0;
    for (const RegionSummary &region : RegionSummary::of(test)) {
        done += region.doneRuns();
        over += region.isOver() ? 1 : 0;
    }
    const int runs = static_cast<int>(test.regions.size()) * std::max(1, test.runsPerRegion);
    // Per cent of all runs, so that the bar moves with each stage of each run.
    m_progress->setMaximum(100);
    m_progress->setValue(runs > 0 ? static_cast<int>(100 * done / runs) : 0);
    if (test.running)
        m_status->setText(tr("%1 of %2 regions done").arg(over).arg(test.regions.size()));
}

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    m_form = new TestForm(m_services.secrets, central);
    connect(m_form, &TestForm::submitted, this, &MainWindow::launch);
    connect(m_form, &TestForm::cancelRequested, this, &MainWindow::cancelTest);
    connect(m_form, &TestForm::regionsRequested, this, &MainWindow::chooseRegions);
    layout->addWidget(m_form);

    m_firstStart = new FirstStartPanel(central);
    connect(m_firstStart, &FirstStartPanel::addRegionRequested, this, &MainWindow::addRegion);
    connect(m_firstStart, &FirstStartPanel::placed, this, &MainWindow::applyFleetConfig);
    layout->addWidget(m_firstStart);

    // The map and the table side by side, the waterfall and history below.
    auto *vertical = new QSplitter(Qt::Vertical, central);
    vertical->setObjectName(QStringLiteral("paneSplitter"));
    QSplitter *regionsPane = buildRegionsPane(vertical);
    vertical->addWidget(regionsPane);
    m_tabs = new QTabWidget(vertical);
    m_tabs->addTab(buildWaterfallPage(m_tabs), tr("Waterfall"));
    m_tabs->addTab(buildChartsPage(m_tabs), tr("Charts"));
    if (m_historyModel) {
        m_historyPanel = new HistoryPanel(m_services.history, m_historyModel, m_tabs);
        connect(m_historyPanel, &HistoryPanel::openRequested, this, &MainWindow::openTest);
        m_tabs->addTab(m_historyPanel, tr("History"));
    }
    m_fleetPanel = new FleetPanel(m_tabs);
    m_fleetPanel->setCatalog(RegionCatalog::builtIn());
    m_tabs->addTab(m_fleetPanel, tr("Fleet"));
    vertical->addWidget(m_tabs);
    vertical->setStretchFactor(0, 2);
    vertical->setStretchFactor(1, 3);
    layout->addWidget(vertical, 1);
    setCentralWidget(central);

    m_status = new QLabel(tr("Ready"), this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(200);
    m_progress->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    resize(1400, 900);
    m_layoutKeeper = new WindowLayoutKeeper(this, { vertical, regionsPane }, m_tabs, size());
}

QSplitter *MainWindow::buildRegionsPane(QWidget *parent)
{
    auto *top = new QSplitter(Qt::Horizontal, parent);
    top->setObjectName(QStringLiteral("regionsSplitter"));
    m_map = new WorldMapView(top);
    m_map->setAccessibleName(tr("World map of the test's regions"));
    m_map->setModel(m_regionModel); // its markers follow the table
    m_table = new RegionTableView(top);
    m_table->setObjectName(QStringLiteral("regionTable"));
    m_table->setAccessibleName(tr("Each region's state and timings"));
    m_sortedRegions = new QSortFilterProxyModel(this);
    m_sortedRegions->setSourceModel(m_regionModel);
    m_sortedRegions->setSortRole(RegionModel::SortRole);
    m_table->setModel(m_sortedRegions);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    connect(m_regionModel, &QAbstractItemModel::dataChanged, this, &MainWindow::updateMetricColumns);
    connect(m_regionModel, &QAbstractItemModel::modelReset, this, &MainWindow::updateMetricColumns);
    top->addWidget(m_map);
    top->addWidget(m_table);
    // The map keeps its aspect ratio, so extra width is better spent on the table's columns.
    top->setStretchFactor(0, 1);
    top->setStretchFactor(1, 1);
    top->setSizes({ 540, 860 });

    // A click on the map or in the table selects the region in both.
    connect(m_map, &WorldMapView::regionClicked, this, [this](const QString &code) {
        const int row = m_regionModel->rowOf(code);
        if (row >= 0)
            m_table->selectRow(m_sortedRegions->mapFromSource(m_regionModel->index(row, 0)).row());
        m_map->setSelectedRegion(code);
    });
    connect(
        m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex &current) {
            const QModelIndex source = m_sortedRegions->mapToSource(current);
            const QString code
                = source.isValid() ? m_regionModel->data(source, RegionModel::RegionCodeRole).toString() : QString();
            m_map->setSelectedRegion(code);
            // A step's row shows that step's screenshot.
            m_screenshotView->setRegion(
                code, source.isValid() ? m_regionModel->data(source, RegionModel::StepRole).toInt() : 0);
        });
    return top;
}

QWidget *MainWindow::buildWaterfallPage(QWidget *parent)
{
    // The waterfall with its two choices: lanes side by side or stacked, and which kinds of request to show.
    auto *waterfallPage = new QWidget(parent);
    auto *waterfallLayout = new QVBoxLayout(waterfallPage);
    waterfallLayout->setContentsMargins(0, 0, 0, 0);
    auto *waterfallBar = new QHBoxLayout;
    auto *layoutChoice = new QComboBox(waterfallPage);
    layoutChoice->setObjectName(QStringLiteral("waterfallLayout"));
    layoutChoice->addItem(tr("Regions side by side"), static_cast<int>(WaterfallView::LayoutMode::SideBySide));
    layoutChoice->addItem(tr("Regions stacked"), static_cast<int>(WaterfallView::LayoutMode::Stacked));
    auto *typeChoice = new QComboBox(waterfallPage);
    typeChoice->setObjectName(QStringLiteral("waterfallTypes"));
    typeChoice->addItem(tr("All requests"));
    for (const QString &category : WaterfallModel::typeCategories())
        typeChoice->addItem(category, category);
    m_runPicker = new RunPicker(waterfallPage);
    waterfallBar->addWidget(m_runPicker);
    waterfallBar->addWidget(layoutChoice);
    waterfallBar->addWidget(typeChoice);
    waterfallBar->addStretch();
    // The waterfall, the selected request's details below it, the screenshot of the page load beside them.
    auto *split = new QSplitter(Qt::Horizontal, waterfallPage);
    m_waterfall = new WaterfallView(split);
    m_waterfall->setAccessibleName(tr("Waterfall of the page's requests"));
    m_waterfall->setModel(m_waterfallModel);
    m_screenshotView = new ScreenshotView(split);
    m_screenshotView->setModel(m_waterfallModel);
    m_screenshotView->setVisible(false);
    split->addWidget(RequestDetailsView::placeBelow(m_waterfall, split));
    split->addWidget(m_screenshotView);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 1);
    split->setSizes({ 1000, 320 }); // a screenshot one can recognise the page in
    waterfallLayout->addLayout(waterfallBar);
    waterfallLayout->addWidget(split, 1);
    connect(m_runPicker, &RunPicker::viewChosen, m_waterfallModel, &WaterfallModel::setView);
    m_filmstripView = new FilmstripView(m_waterfall, waterfallPage);
    waterfallLayout->addWidget(m_filmstripView);
    connect(layoutChoice, &QComboBox::currentIndexChanged, this, [this, layoutChoice] {
        m_waterfall->setLayoutMode(static_cast<WaterfallView::LayoutMode>(layoutChoice->currentData().toInt()));
        AppSettings().waterfallLayout.setValue(layoutChoice->currentIndex());
    });
    connect(typeChoice, &QComboBox::currentIndexChanged, this, [this, typeChoice] {
        const QString category = typeChoice->currentData().toString();
        m_waterfallModel->setTypeFilter(category.isEmpty() ? QSet<QString> {} : QSet<QString> { category });
    });
    layoutChoice->setCurrentIndex(AppSettings().waterfallLayout.value());
    return waterfallPage;
}

QWidget *MainWindow::buildChartsPage(QWidget *parent)
{
    auto *charts = new QSplitter(Qt::Horizontal, parent);
    m_metricsChart = new MetricsChartView(charts);
    m_metricsChart->setModel(m_regionModel);
    m_metricsChart->setAccessibleName(tr("Chart of each region's timings"));
    charts->addWidget(m_metricsChart);
    if (m_services.history) {
        m_trendChart = new TrendChartView(charts);
        m_trendChart->setHistory(m_services.history);
        m_trendChart->setAccessibleName(tr("Chart of this address's load times over earlier tests"));
        charts->addWidget(m_trendChart);
    }
    return charts;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addActions(m_exports->actions());
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);
    QToolBar *toolbar = addToolBar(tr("Export"));
    toolbar->setObjectName(QStringLiteral("exportToolbar"));
    toolbar->addActions(m_exports->actions());
    // The keys a browser has taught: Ctrl+L to the address, F5 to load again, Esc to stop.
    QMenu *test = menuBar()->addMenu(tr("&Test"));
    QAction *address = test->addAction(tr("Go to the &address"), QKeySequence(Qt::CTRL | Qt::Key_L), this, [this] {
        m_form->urlField()->setFocus(Qt::ShortcutFocusReason);
        m_form->urlField()->selectAll();
    });
    address->setObjectName(QStringLiteral("addressAction"));
    QAction *run = test->addAction(tr("&Run the test"), QKeySequence(Qt::Key_F5), this, &MainWindow::startTest);
    run->setObjectName(QStringLiteral("runAction"));
    QAction *cancel
        = test->addAction(tr("&Cancel the test"), QKeySequence(Qt::Key_Escape), this, &MainWindow::cancelTest);
    cancel->setObjectName(QStringLiteral("cancelAction"));
    QAction *testSettings = test->addAction(
        tr("Test &settings…"), QKeySequence(Qt::CTRL | Qt::Key_T), m_form->testSettings(), &QDialog::open);
    testSettings->setObjectName(QStringLiteral("testSettingsAction"));
    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *byType = view->addAction(tr("Colour the waterfall by content &type"));
    byType->setObjectName(QStringLiteral("colourByTypeAction"));
    byType->setCheckable(true);
    connect(byType, &QAction::toggled, this, [this](bool on) {
        m_waterfall->setColouring(on ? WaterfallPainter::Colouring::ContentTypes : WaterfallPainter::Colouring::Phases);
        AppSettings().waterfallByContentType.setValue(on);
    });
    byType->setChecked(AppSettings().waterfallByContentType.value());
    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(tr("&Settings…"), QKeySequence::Preferences, this, [this] { openSettings(); });
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About WorldSpeed"), this, &MainWindow::showAbout);
}

void MainWindow::updateMetricColumns()
{
    // Before any region has numbers, the timings every test measures stand for what is to come: all the columns a
    // filmstrip or a busy main thread may fill would not fit beside the map in a small window.
    const QStringList codes = m_regionModel->regionCodes();
    const bool numbers = std::any_of(
        codes.cbegin(), codes.cend(), [this](const QString &code) { return m_regionModel->summary(code).median; });
    using Id = PageMetric::Id;
    const QList<Id> placeholders { Id::Ttfb, Id::Fcp, Id::Lcp, Id::Dcl, Id::Load, Id::FullyLoaded, Id::Requests };
    // The sorting proxy keeps the source's columns as they are.
    for (const PageMetric &metric : PageMetric::all()) {
        const bool shown = numbers ? m_regionModel->isWorthAColumn(metric.id) : placeholders.contains(metric.id);
        m_table->setColumnHidden(RegionModel::columnOf(metric.id), !shown);
    }
    m_table->fitColumns();
}

QTableView *MainWindow::historyView() const
{
    return m_historyPanel ? m_historyPanel->view() : nullptr;
}

QPushButton *MainWindow::compareButton() const
{
    return m_historyPanel ? m_historyPanel->compareButton() : nullptr;
}

QDialog *MainWindow::comparison() const
{
    return m_historyPanel ? m_historyPanel->comparison() : nullptr;
}

QString MainWindow::statusText() const
{
    return m_status->text();
}

void MainWindow::startTest()
{
    m_form->submit();
}

void MainWindow::launch(RunController::Request request)
{
    request.regions = m_selected;
    QString error;
    if (!m_controller->start(request, &error))
        return m_form->showError(error);
    m_form->remember(request);
}

void MainWindow::cancelTest()
{
    if (!m_controller->isRunning())
        return;
    m_cancelling = true;
    m_controller->cancel();
}

void MainWindow::chooseRegions()
{
    RegionPicker picker(fleetRegions(), m_selected, this);
    if (picker.exec() != QDialog::Accepted)
        return;
    setSelectedRegions(picker.selectedCodes());
    AppSettings().testRegions.setValue(m_selected);
}

void MainWindow::addRegion()
{
    openSettings(true);
}

void MainWindow::applyFleetConfig(const FleetConfig &config)
{
    QString error;
    if (m_controller->isRunning() || !config.save(m_services.fleetConfigPath, &error)) {
        statusBar()->showMessage(error.isEmpty() ? tr("Wait for the running test to finish.") : error, 10'000);
        return;
    }
    m_services.fleetConfig = config;
    loadFleet();
}

void MainWindow::openSettings(bool addRegion)
{
    if (m_controller->isRunning()) {
        QMessageBox::information(this, tr("Settings"), tr("Wait for the running test to finish, or cancel it."));
        return;
    }
    SettingsDialog dialog(m_writtenFleetConfig, m_services.fleetConfigPath, m_services.secrets, this);
    if (addRegion)
        dialog.addRegionWhenShown();
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (dialog.fleetConfigChanged())
        m_services.fleetConfig = dialog.fleetConfig();
    const qint64 shown = m_shownTest;
    loadFleet(); // new regions, backends or Chrome: a fresh fleet
    // The shown test again, on the new fleet's regions, so that the status line and the views agree.
    if (shown >= 0)
        openTest(shown);
    else
        m_status->setText(tr("Ready"));
    statusBar()->showMessage(tr("Settings saved"), 5000);
}

void MainWindow::openTest(qint64 testId)
{
    if (!m_services.history || m_controller->isRunning())
        return;
    const auto test = m_services.history->load(testId);
    if (!test)
        return;
    // A stored test takes the path a live one takes: the models read its record. The form takes its settings, so
    // that Go tests the same again and nothing on screen speaks of another test.
    m_shownTest = testId;
    m_form->showSettingsOf(*test);
    QStringList regions = test->regions;
    const QList<RegionCatalog::Region> fleet = fleetRegions();
    regions.removeIf([&](const QString &code) {
        return std::none_of(
            fleet.cbegin(), fleet.cend(), [&](const RegionCatalog::Region &r) { return r.code == code; });
    });
    if (!regions.isEmpty())
        setSelectedRegions(regions);
    showTest(*test);
    m_tabs->setCurrentIndex(0);
    m_status->setText(
        tr("Showing the test of %1").arg(QLocale().toString(test->startedAt.toLocalTime(), QLocale::ShortFormat)));
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About WorldSpeed"),
        tr("<h3>WorldSpeed %1</h3><p>How fast a web page loads, in a real browser, from many regions of the world at "
           "once.</p><p>Map data: Made with Natural Earth (public domain).</p>")
            .arg(QStringLiteral(WORLDSPEED_VERSION)));
}
