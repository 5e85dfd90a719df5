#include "mainwindow.h"

#include "appenvironment.h"
#include "appsettings.h"
#include "comparisonmodel.h"
#include "csvexporter.h"
#include "filmstripview.h"
#include "fleet/configuredfleet.h"
#include "fleetpanel.h"
#include "harexporter.h"
#include "historymodel.h"
#include "historypanel.h"
#include "historystore.h"
#include "metricschartview.h"
#include "model/connectivityprofile.h"
#include "model/deviceprofile.h"
#include "model/pagemetric.h"
#include "pdfreport.h"
#include "regionmodel.h"
#include "regionpicker.h"
#include "runcontroller.h"
#include "runrecorder.h"
#include "settingsdialog.h"
#include "theme.h"
#include "trendchartview.h"
#include "waterfallmodel.h"
#include "waterfallview.h"
#include "worldmapview.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

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
    // The fleet as worldspeed-cli builds it too, with the Chrome chosen in the settings.
    const AppSettings settings;
    if (m_services.fleetConfig)
        return AppEnvironment::withAppSettings(*m_services.fleetConfig, settings);
    const auto load
        = AppEnvironment::loadFleetConfig(m_services.fleetConfigPath, AppEnvironment::FleetLoading::FallBack, settings);
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
    m_fleet = ConfiguredFleet::create(fleetConfig(), m_services.secrets, &error);
    if (!m_fleet) {
        m_fleetError = tr("The fleet could not be set up: %1").arg(error);
        m_fleet = ConfiguredFleet::create(FleetConfig::defaultConfig(), m_services.secrets, &error);
    }
    const QList<RegionCatalog::Region> regions = fleetRegions();
    m_regionModel->setRegions(regions);
    m_controller = new RunController(m_fleet->fleet(), this);
    m_recorder = new RunRecorder(m_controller, m_services.history, this);
    connectRun();
    m_fleetPanel->setFleet(m_fleet->fleet());
    if (m_trendChart)
        m_trendChart->setRegions(regions);

    // The regions to test: what the user chose last time, if the fleet still has them; else all of them.
    QStringList remembered = AppSettings().testRegions.value();
    const QStringList available = m_regionModel->regionCodes();
    remembered.erase(
        std::remove_if(remembered.begin(), remembered.end(), [&](const QString &c) { return !available.contains(c); }),
        remembered.end());
    setSelectedRegions(remembered.isEmpty() ? available : remembered);
    if (!m_fleetError.isEmpty())
        statusBar()->showMessage(m_fleetError);
}

void MainWindow::connectRun()
{
    // The models read the recorder's live test, as they read a stored one (showTest()).
    connect(m_recorder, &RunRecorder::testStarted, this, [this](const TestRecord &test) {
        m_shownTest = test.id;
        m_regionModel->setTest(test);
        m_waterfallModel->setTest(test);
        m_filmstripView->setTest(test);
        m_go->setEnabled(false);
        m_cancel->setEnabled(true);
        m_progress->setVisible(true);
    });
    connect(m_recorder, &RunRecorder::regionChanged, m_regionModel,
        [this](const QString &region) { m_regionModel->updateRegion(m_recorder->test(), region); });
    // The waterfall counts runs from 0.
    connect(m_recorder, &RunRecorder::requestAdded, m_waterfallModel,
        [this](const QString &region, int run, RunView view, const RequestTiming &request) {
            m_waterfallModel->addRequest(region, run - 1, view, request);
        });
    connect(m_recorder, &RunRecorder::viewMeasured, m_waterfallModel,
        [this](const QString &region, int run, RunView view, const PageMetrics &metrics) {
            m_waterfallModel->setPageMetrics(region, run - 1, view, metrics);
            m_filmstripView->setTest(m_recorder->test());
        });
    connect(m_controller, &RunController::progress, this, [this](int done, int total) {
        m_progress->setMaximum(total);
        m_progress->setValue(done);
        m_status->setText(m_controller->isRunning() ? tr("%1 of %2 regions done").arg(done).arg(total)
                                                    : tr("Done: %1 regions").arg(total));
    });
    connect(m_recorder, &RunRecorder::testFinished, this, [this](const TestRecord &test) {
        m_regionModel->setTest(test);
        m_go->setEnabled(true);
        m_cancel->setEnabled(false);
        m_progress->setVisible(false);
        m_status->setText(tr("Test finished: %1 regions").arg(test.regions.size()));
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
    updateRegionButton();
}

void MainWindow::updateRegionButton()
{
    if (!m_regionsButton)
        return;
    m_regionsButton->setText(m_selected.size() == 1 ? tr("Region: %1").arg(m_selected.first())
                                                    : tr("Regions: %1 selected").arg(m_selected.size()));
}

void MainWindow::buildUi()
{
    auto *central = new QWidget(this);
    auto *layout = new QVBoxLayout(central);
    buildForm(central, layout);

    // The map and the table side by side, the waterfall and history below.
    auto *vertical = new QSplitter(Qt::Vertical, central);
    vertical->addWidget(buildRegionsPane(vertical));
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
}

void MainWindow::buildForm(QWidget *parent, QVBoxLayout *layout)
{
    // The form: address, Go, and the options a test takes.
    auto *form = new QHBoxLayout;
    m_url = new QLineEdit(parent);
    m_url->setPlaceholderText(tr("https://example.com/"));
    m_url->setClearButtonEnabled(true);
    m_url->setObjectName(QStringLiteral("url"));
    m_go = new QPushButton(tr("Go"), parent);
    m_go->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), parent);
    m_cancel->setEnabled(false);
    m_regionsButton = new QToolButton(parent);
    m_regionsButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_profile = new QComboBox(parent);
    m_profile->addItems(ConnectivityProfile::names());
    m_profile->setToolTip(tr("Network to emulate (WebPageTest's profiles)"));
    m_device = new QComboBox(parent);
    m_device->setObjectName(QStringLiteral("device"));
    m_device->setEditable(true);
    m_device->setInsertPolicy(QComboBox::NoInsert);
    for (const DeviceProfile &device : DeviceProfile::presets())
        m_device->addItem(device.name);
    m_device->setToolTip(tr("Device to load the page as: a preset, or type WIDTHxHEIGHT[@DPR][,mobile]"));
    m_cpuSlowdown = new QSpinBox(parent);
    m_cpuSlowdown->setObjectName(QStringLiteral("cpuSlowdown"));
    m_cpuSlowdown->setRange(0, LoadOptions::maxCpuSlowdown);
    m_cpuSlowdown->setPrefix(tr("CPU: "));
    m_cpuSlowdown->setSuffix(QStringLiteral("×"));
    m_cpuSlowdown->setSpecialValueText(tr("CPU: device's"));
    m_cpuSlowdown->setToolTip(tr("Slow the page's CPU down this many times; \"device's\": the device's own default "
                                 "(4× for moto-g-power, as Lighthouse's mobile setting, else none)"));
    m_runs = new QSpinBox(parent);
    m_runs->setRange(1, 9);
    m_runs->setPrefix(tr("Runs: "));
    m_repeatView = new QCheckBox(tr("Repeat view"), parent);
    m_screenshot = new QCheckBox(tr("Screenshot"), parent);
    m_recordFilmstrip = new QCheckBox(tr("Filmstrip"), parent);
    m_recordFilmstrip->setObjectName(QStringLiteral("filmstrip"));
    m_recordFilmstrip->setToolTip(tr("Record how the first view paints, for Speed Index and the visual change times"));
    form->addWidget(m_url, 1);
    form->addWidget(m_go);
    form->addWidget(m_cancel);
    form->addWidget(m_regionsButton);
    form->addWidget(m_profile);
    form->addWidget(m_device);
    form->addWidget(m_cpuSlowdown);
    form->addWidget(m_runs);
    form->addWidget(m_repeatView);
    form->addWidget(m_screenshot);
    form->addWidget(m_recordFilmstrip);
    layout->addLayout(form);
    m_urlError = new QLabel(parent);
    m_urlError->setObjectName(QStringLiteral("urlError"));
    QPalette errorPalette = m_urlError->palette();
    errorPalette.setColor(QPalette::WindowText, Theme(errorPalette).error());
    m_urlError->setPalette(errorPalette);
    m_urlError->setVisible(false);
    layout->addWidget(m_urlError);

    const AppSettings settings;
    m_url->setText(settings.testUrl.value());
    m_profile->setCurrentText(settings.testProfile.value());
    m_device->setCurrentText(settings.testDevice.value());
    m_cpuSlowdown->setValue(settings.testCpuSlowdown.value());
    m_runs->setValue(settings.testRuns.value());
    m_repeatView->setChecked(settings.testRepeatView.value());
    m_screenshot->setChecked(settings.testScreenshot.value());
    m_recordFilmstrip->setChecked(settings.testFilmstrip.value());

    connect(m_url, &QLineEdit::returnPressed, this, &MainWindow::startTest);
    connect(m_url, &QLineEdit::textChanged, this, [this] { m_urlError->setVisible(false); });
    connect(m_go, &QPushButton::clicked, this, &MainWindow::startTest);
    connect(m_cancel, &QPushButton::clicked, this, &MainWindow::cancelTest);
    connect(m_regionsButton, &QToolButton::clicked, this, &MainWindow::chooseRegions);
}

QWidget *MainWindow::buildRegionsPane(QWidget *parent)
{
    auto *top = new QSplitter(Qt::Horizontal, parent);
    m_map = new WorldMapView(top);
    m_map->setModel(m_regionModel); // its markers follow the table
    m_table = new QTableView(top);
    m_table->setObjectName(QStringLiteral("regionTable"));
    m_sortedRegions = new QSortFilterProxyModel(this);
    m_sortedRegions->setSourceModel(m_regionModel);
    m_sortedRegions->setSortRole(RegionModel::SortRole);
    m_table->setModel(m_sortedRegions);
    m_table->setSortingEnabled(true);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setWordWrap(false);
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
            m_map->setSelectedRegion(
                source.isValid() ? m_regionModel->data(source, RegionModel::RegionCodeRole).toString() : QString());
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
    waterfallBar->addWidget(layoutChoice);
    waterfallBar->addWidget(typeChoice);
    waterfallBar->addStretch();
    m_waterfall = new WaterfallView(waterfallPage);
    m_waterfall->setModel(m_waterfallModel);
    waterfallLayout->addLayout(waterfallBar);
    waterfallLayout->addWidget(m_waterfall, 1);
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
    charts->addWidget(m_metricsChart);
    if (m_services.history) {
        m_trendChart = new TrendChartView(charts);
        m_trendChart->setHistory(m_services.history);
        charts->addWidget(m_trendChart);
    }
    return charts;
}

void MainWindow::buildMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *csv = file->addAction(tr("Export &CSV…"), this, &MainWindow::exportCsv);
    QAction *har = file->addAction(tr("Export &HAR…"), this, &MainWindow::exportHar);
    QAction *pdf = file->addAction(tr("Export &PDF report…"), this, &MainWindow::exportPdf);
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::closeAllWindows);
    QToolBar *toolbar = addToolBar(tr("Export"));
    toolbar->setObjectName(QStringLiteral("exportToolbar"));
    toolbar->addAction(csv);
    toolbar->addAction(har);
    toolbar->addAction(pdf);
    QMenu *tools = menuBar()->addMenu(tr("&Tools"));
    tools->addAction(tr("&Settings…"), QKeySequence::Preferences, this, &MainWindow::openSettings);
    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About WorldSpeed"), this, &MainWindow::showAbout);
}

void MainWindow::updateMetricColumns()
{
    // The sorting proxy keeps the source's columns as they are.
    for (const PageMetric &metric : PageMetric::all())
        m_table->setColumnHidden(RegionModel::columnOf(metric.id), !m_regionModel->isWorthAColumn(metric.id));
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
    QString error;
    const auto url = RunController::parseUrl(m_url->text(), &error);
    if (!url) {
        m_urlError->setText(error);
        m_urlError->setVisible(true);
        m_url->setFocus();
        return;
    }
    const auto device = DeviceProfile::parse(m_device->currentText(), &error);
    if (!device) {
        m_urlError->setText(error);
        m_urlError->setVisible(true);
        m_device->setFocus();
        return;
    }
    RunController::Request request;
    request.url = *url;
    request.options.profile = m_profile->currentText();
    request.options.device = device->name;
    if (m_cpuSlowdown->value() > 0)
        request.options.cpuSlowdown = m_cpuSlowdown->value();
    request.options.repeatView = m_repeatView->isChecked();
    request.options.screenshot = m_screenshot->isChecked();
    request.options.filmstrip = m_recordFilmstrip->isChecked();
    request.regions = m_selected;
    request.runs = m_runs->value();
    if (!m_controller->start(request, &error)) {
        m_urlError->setText(error);
        m_urlError->setVisible(true);
        return;
    }
    AppSettings settings;
    settings.testUrl.setValue(m_url->text());
    settings.testProfile.setValue(m_profile->currentText());
    settings.testDevice.setValue(device->name);
    settings.testCpuSlowdown.setValue(m_cpuSlowdown->value());
    settings.testRuns.setValue(m_runs->value());
    settings.testRepeatView.setValue(m_repeatView->isChecked());
    settings.testScreenshot.setValue(m_screenshot->isChecked());
    settings.testFilmstrip.setValue(m_recordFilmstrip->isChecked());
}

void MainWindow::cancelTest()
{
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

QString MainWindow::askDirectory(const QString &title)
{
    AppSettings settings;
    const QString last = settings.exportDirectory.value();
    const QString dir = QFileDialog::getExistingDirectory(this, title, last);
    if (!dir.isEmpty())
        settings.exportDirectory.setValue(dir);
    return dir;
}

std::optional<TestRecord> MainWindow::shownTest(const QString &title)
{
    // Exports read the stored test, which has what the live record leaves out (each view's start time).
    if (!m_services.history || m_shownTest < 0) {
        QMessageBox::information(this, title, tr("Run or open a test first."));
        return std::nullopt;
    }
    return m_services.history->load(m_shownTest);
}

void MainWindow::exportCsv()
{
    const auto test = shownTest(tr("Export CSV"));
    const QString dir = test ? askDirectory(tr("Export CSV to")) : QString();
    if (dir.isEmpty())
        return;
    QString error;
    const QStringList files = CsvExporter::writeFiles(*test, dir, &error);
    if (files.isEmpty())
        QMessageBox::warning(this, tr("Export CSV"), error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(files.join(QStringLiteral(", "))), 8000);
}

void MainWindow::exportHar()
{
    const auto test = shownTest(tr("Export HAR"));
    const QString dir = test ? askDirectory(tr("Export HAR files to")) : QString();
    if (dir.isEmpty())
        return;
    QString error;
    const QStringList files = HarExporter::writeRegions(*test, dir, QStringLiteral(WORLDSPEED_VERSION), &error);
    if (files.isEmpty())
        QMessageBox::warning(this, tr("Export HAR"), error);
    else
        statusBar()->showMessage(
            tr("Wrote %n HAR file(s) to %1", nullptr, static_cast<int>(files.size())).arg(dir), 8000);
}

void MainWindow::exportPdf()
{
    const auto test = shownTest(tr("Export PDF"));
    if (!test)
        return;
    AppSettings settings;
    const QString last = settings.exportDirectory.value();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export PDF report"),
        QDir(last).filePath(QStringLiteral("worldspeed-%1.pdf").arg(test->id)), tr("PDF (*.pdf)"));
    if (path.isEmpty())
        return;
    settings.exportDirectory.setValue(QFileInfo(path).absolutePath());
    PdfReport report(*test, m_fleet ? AppEnvironment::regionCatalog(m_fleet->config()) : RegionCatalog::builtIn());
    QString error;
    if (!report.write(path, &error))
        QMessageBox::warning(this, tr("Export PDF"), error);
    else
        statusBar()->showMessage(tr("Wrote %1").arg(path), 8000);
}

void MainWindow::openSettings()
{
    if (m_controller->isRunning()) {
        QMessageBox::information(this, tr("Settings"), tr("Wait for the running test to finish, or cancel it."));
        return;
    }
    SettingsDialog dialog(m_fleet->config(), m_services.fleetConfigPath, m_services.secrets, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    if (dialog.fleetConfigChanged())
        m_services.fleetConfig = dialog.fleetConfig();
    loadFleet(); // new regions, backends or Chrome: a fresh fleet
}

void MainWindow::openTest(qint64 testId)
{
    if (!m_services.history || m_controller->isRunning())
        return;
    const auto test = m_services.history->load(testId);
    if (!test)
        return;
    // A stored test takes the path a live one takes: the models read its record.
    m_shownTest = testId;
    m_url->setText(test->url);
    m_regionModel->setTest(*test);
    m_waterfallModel->setTest(*test);
    m_filmstripView->setTest(*test);
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
