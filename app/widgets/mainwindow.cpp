#include "mainwindow.h"

#include "appenvironment.h"
#include "appsettings.h"
#include "comparisonmodel.h"
#include "csvexporter.h"
#include "fleet/configuredfleet.h"
#include "fleetpanel.h"
#include "harexporter.h"
#include "historymodel.h"
#include "historystore.h"
#include "metricschartview.h"
#include "model/connectivityprofile.h"
#include "pdfreport.h"
#include "regionmodel.h"
#include "regionpicker.h"
#include "runcontroller.h"
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
#include <QFormLayout>
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

namespace {

WorldMapView::State mapState(RegionModel::Phase phase)
{
    switch (phase) {
    case RegionModel::Phase::Idle:
    case RegionModel::Phase::Queued:
        return WorldMapView::State::Idle;
    case RegionModel::Phase::Booting:
    case RegionModel::Phase::StartingBrowser:
        return WorldMapView::State::Booting;
    case RegionModel::Phase::Loading:
        return WorldMapView::State::Loading;
    case RegionModel::Phase::Complete:
        return WorldMapView::State::Done;
    case RegionModel::Phase::Failed:
        break;
    }
    return WorldMapView::State::Error;
}

QString formatMs(std::optional<double> ms)
{
    return ms ? QStringLiteral("%1 ms").arg(*ms, 0, 'f', 0) : QStringLiteral("—");
}

} // namespace

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
    // The controller's test and the fleet's probes go before the models they feed.
    delete m_controller;
    m_fleet.reset();
}

QList<RegionCatalog::Region> MainWindow::fleetRegions() const
{
    return m_fleet ? RegionCatalog::fleetRegions(m_fleet->config()) : QList<RegionCatalog::Region>();
}

void MainWindow::loadFleet()
{
    delete m_controller;
    m_controller = nullptr;
    m_fleet.reset();
    m_fleetError.clear();
    // The fleet as worldspeed-cli builds it too, with the Chrome chosen in the settings.
    const AppSettings settings;
    FleetConfig config;
    if (m_services.fleetConfig) {
        config = AppEnvironment::withAppSettings(*m_services.fleetConfig, settings);
    } else {
        const auto load = AppEnvironment::loadFleetConfig(
            m_services.fleetConfigPath, AppEnvironment::FleetLoading::FallBack, settings);
        config = *load.config; // falling back, there always is one
        m_fleetError = load.error;
    }
    QString error;
    m_fleet = ConfiguredFleet::create(config, m_services.secrets, &error);
    if (!m_fleet) {
        m_fleetError = tr("The fleet could not be set up: %1").arg(error);
        m_fleet = ConfiguredFleet::create(FleetConfig::defaultConfig(), m_services.secrets, &error);
    }
    const QList<RegionCatalog::Region> regions = fleetRegions();
    m_regionModel->setRegions(regions);
    m_map->setRegions(regions);
    m_controller = new RunController(m_fleet->autoscaler(), m_regionModel, m_waterfallModel, m_services.history, this);
    m_fleetPanel->setAutoscaler(m_fleet->autoscaler());
    if (m_trendChart)
        m_trendChart->setRegions(regions);
    connect(m_controller, &RunController::progress, this, [this](int done, int total) {
        m_progress->setMaximum(total);
        m_progress->setValue(done);
        m_status->setText(m_controller->isRunning() ? tr("%1 of %2 regions done").arg(done).arg(total)
                                                    : tr("Done: %1 regions").arg(total));
    });
    connect(m_controller, &RunController::started, this, [this](qint64 testId) {
        m_shownTest = testId;
        m_go->setEnabled(false);
        m_cancel->setEnabled(true);
        m_progress->setVisible(true);
    });
    connect(m_controller, &RunController::finished, this, [this](qint64 testId) {
        m_go->setEnabled(true);
        m_cancel->setEnabled(false);
        m_progress->setVisible(false);
        m_status->setText(tr("Test finished: %1 regions").arg(m_controller->request().regions.size()));
        if (m_historyModel)
            m_historyModel->refresh();
        if (m_trendChart) {
            m_trendChart->setUrl(m_controller->request().url.toString());
            m_trendChart->refresh();
        }
        Q_UNUSED(testId);
    });

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

    // The form: address, Go, and the options a test takes.
    auto *form = new QHBoxLayout;
    m_url = new QLineEdit(central);
    m_url->setPlaceholderText(tr("https://example.com/"));
    m_url->setClearButtonEnabled(true);
    m_url->setObjectName(QStringLiteral("url"));
    m_go = new QPushButton(tr("Go"), central);
    m_go->setDefault(true);
    m_cancel = new QPushButton(tr("Cancel"), central);
    m_cancel->setEnabled(false);
    m_regionsButton = new QToolButton(central);
    m_regionsButton->setToolButtonStyle(Qt::ToolButtonTextOnly);
    m_profile = new QComboBox(central);
    m_profile->addItems(ConnectivityProfile::names());
    m_profile->setToolTip(tr("Network to emulate (WebPageTest's profiles)"));
    m_runs = new QSpinBox(central);
    m_runs->setRange(1, 9);
    m_runs->setPrefix(tr("Runs: "));
    m_repeatView = new QCheckBox(tr("Repeat view"), central);
    m_screenshot = new QCheckBox(tr("Screenshot"), central);
    form->addWidget(m_url, 1);
    form->addWidget(m_go);
    form->addWidget(m_cancel);
    form->addWidget(m_regionsButton);
    form->addWidget(m_profile);
    form->addWidget(m_runs);
    form->addWidget(m_repeatView);
    form->addWidget(m_screenshot);
    layout->addLayout(form);
    m_urlError = new QLabel(central);
    m_urlError->setObjectName(QStringLiteral("urlError"));
    QPalette errorPalette = m_urlError->palette();
    errorPalette.setColor(QPalette::WindowText, Theme(errorPalette).error());
    m_urlError->setPalette(errorPalette);
    m_urlError->setVisible(false);
    layout->addWidget(m_urlError);

    const AppSettings settings;
    m_url->setText(settings.testUrl.value());
    m_profile->setCurrentText(settings.testProfile.value());
    m_runs->setValue(settings.testRuns.value());
    m_repeatView->setChecked(settings.testRepeatView.value());
    m_screenshot->setChecked(settings.testScreenshot.value());

    connect(m_url, &QLineEdit::returnPressed, this, &MainWindow::startTest);
    connect(m_url, &QLineEdit::textChanged, this, [this] { m_urlError->setVisible(false); });
    connect(m_go, &QPushButton::clicked, this, &MainWindow::startTest);
    connect(m_cancel, &QPushButton::clicked, this, &MainWindow::cancelTest);
    connect(m_regionsButton, &QToolButton::clicked, this, &MainWindow::chooseRegions);

    // The map and the table side by side, the waterfall and history below.
    auto *vertical = new QSplitter(Qt::Vertical, central);
    auto *top = new QSplitter(Qt::Horizontal, vertical);
    m_map = new WorldMapView(top);
    m_table = new QTableView(top);
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
    top->addWidget(m_map);
    top->addWidget(m_table);
    // The map keeps its aspect ratio, so extra width is better spent on the table's columns.
    top->setStretchFactor(0, 1);
    top->setStretchFactor(1, 1);
    top->setSizes({ 540, 860 });

    m_tabs = new QTabWidget(vertical);
    // The waterfall with its two choices: lanes side by side or stacked, and which kinds of request to show.
    auto *waterfallPage = new QWidget(m_tabs);
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
    connect(layoutChoice, &QComboBox::currentIndexChanged, this, [this, layoutChoice] {
        m_waterfall->setLayoutMode(static_cast<WaterfallView::LayoutMode>(layoutChoice->currentData().toInt()));
        AppSettings().waterfallLayout.setValue(layoutChoice->currentIndex());
    });
    connect(typeChoice, &QComboBox::currentIndexChanged, this, [this, typeChoice] {
        const QString category = typeChoice->currentData().toString();
        m_waterfallModel->setTypeFilter(category.isEmpty() ? QSet<QString> {} : QSet<QString> { category });
    });
    layoutChoice->setCurrentIndex(AppSettings().waterfallLayout.value());
    m_tabs->addTab(waterfallPage, tr("Waterfall"));
    auto *charts = new QSplitter(Qt::Horizontal, m_tabs);
    m_metricsChart = new MetricsChartView(charts);
    m_metricsChart->setModel(m_regionModel);
    charts->addWidget(m_metricsChart);
    if (m_services.history) {
        m_trendChart = new TrendChartView(charts);
        m_trendChart->setHistory(m_services.history);
        charts->addWidget(m_trendChart);
    }
    m_tabs->addTab(charts, tr("Charts"));
    if (m_historyModel) {
        auto *history = new QWidget(m_tabs);
        auto *historyLayout = new QVBoxLayout(history);
        m_historyView = new QTableView(history);
        m_historyView->setModel(m_historyModel);
        m_historyView->setSelectionBehavior(QAbstractItemView::SelectRows);
        m_historyView->setSelectionMode(QAbstractItemView::ExtendedSelection);
        m_historyView->verticalHeader()->hide();
        m_historyView->horizontalHeader()->setStretchLastSection(true);
        auto *buttons = new QHBoxLayout;
        auto *open = new QPushButton(tr("Open"), history);
        auto *remove = new QPushButton(tr("Delete"), history);
        m_compare = new QPushButton(tr("Compare two…"), history);
        m_compare->setEnabled(false);
        buttons->addWidget(open);
        buttons->addWidget(m_compare);
        buttons->addWidget(remove);
        buttons->addStretch();
        historyLayout->addWidget(m_historyView);
        historyLayout->addLayout(buttons);
        connect(open, &QPushButton::clicked, this, &MainWindow::openSelectedHistory);
        connect(m_historyView, &QTableView::doubleClicked, this, &MainWindow::openSelectedHistory);
        connect(remove, &QPushButton::clicked, this, &MainWindow::deleteSelectedHistory);
        connect(m_compare, &QPushButton::clicked, this, &MainWindow::compareSelectedHistory);
        connect(m_historyView->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            [this] { m_compare->setEnabled(m_historyView->selectionModel()->selectedRows().size() == 2); });
        m_tabs->addTab(history, tr("History"));
    }
    m_fleetPanel = new FleetPanel(m_tabs);
    m_fleetPanel->setCatalog(RegionCatalog::builtIn());
    m_tabs->addTab(m_fleetPanel, tr("Fleet"));
    vertical->addWidget(top);
    vertical->addWidget(m_tabs);
    vertical->setStretchFactor(0, 2);
    vertical->setStretchFactor(1, 3);
    layout->addWidget(vertical, 1);
    setCentralWidget(central);

    // The map follows the table; a click on either selects the region in both.
    connect(
        m_regionModel, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
            for (int row = from.row(); row <= to.row(); ++row)
                updateMap(row);
        });
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

    m_status = new QLabel(tr("Ready"), this);
    m_progress = new QProgressBar(this);
    m_progress->setMaximumWidth(200);
    m_progress->setVisible(false);
    statusBar()->addWidget(m_status, 1);
    statusBar()->addPermanentWidget(m_progress);
    resize(1400, 900);
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

void MainWindow::updateMap(int row)
{
    const QString code = m_regionModel->data(m_regionModel->index(row, 0), RegionModel::RegionCodeRole).toString();
    const RegionModel::Phase phase = m_regionModel->phase(code);
    const PageMetrics m = m_regionModel->median(code);
    const QString tip
        = QStringLiteral("<b>%1</b><br>%2<br>TTFB %3 · FCP %4 · LCP %5<br>Load %6 · %7 requests")
              .arg(m_regionModel->data(m_regionModel->index(row, RegionModel::RegionColumn)).toString().toHtmlEscaped(),
                  m_regionModel->stateText(code).toHtmlEscaped(), formatMs(m.ttfbMs),
                  formatMs(m.firstContentfulPaintMs), formatMs(m.largestContentfulPaintMs), formatMs(m.loadMs))
              .arg(m.requestCount);
    m_map->setRegionState(code, mapState(phase), phase == RegionModel::Phase::Complete ? m.loadMs : std::nullopt, tip);
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
    RunController::Request request;
    request.url = *url;
    request.options.profile = m_profile->currentText();
    request.options.repeatView = m_repeatView->isChecked();
    request.options.screenshot = m_screenshot->isChecked();
    request.regions = m_selected;
    request.runs = m_runs->value();
    m_map->resetRegionStates();
    if (!m_controller->start(request, &error)) {
        m_urlError->setText(error);
        m_urlError->setVisible(true);
        return;
    }
    AppSettings settings;
    settings.testUrl.setValue(m_url->text());
    settings.testProfile.setValue(m_profile->currentText());
    settings.testRuns.setValue(m_runs->value());
    settings.testRepeatView.setValue(m_repeatView->isChecked());
    settings.testScreenshot.setValue(m_screenshot->isChecked());
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

void MainWindow::exportCsv()
{
    if (!m_services.history || m_shownTest < 0) {
        QMessageBox::information(this, tr("Export CSV"), tr("Run or open a test first."));
        return;
    }
    const auto test = m_services.history->load(m_shownTest);
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
    if (!m_services.history || m_shownTest < 0) {
        QMessageBox::information(this, tr("Export HAR"), tr("Run or open a test first."));
        return;
    }
    const auto test = m_services.history->load(m_shownTest);
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
    if (!m_services.history || m_shownTest < 0) {
        QMessageBox::information(this, tr("Export PDF"), tr("Run or open a test first."));
        return;
    }
    const auto test = m_services.history->load(m_shownTest);
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

void MainWindow::openSelectedHistory()
{
    if (!m_historyView || !m_services.history || m_controller->isRunning())
        return;
    const QModelIndex current = m_historyView->currentIndex();
    const auto id = current.isValid() ? m_historyModel->testId(current.row()) : std::nullopt;
    const auto test = id ? m_services.history->load(*id) : std::nullopt;
    if (!test)
        return;
    // Show a stored test the way it looked when it finished.
    m_shownTest = *id;
    m_url->setText(test->url);
    m_regionModel->beginTest(test->runsPerRegion);
    m_waterfallModel->clear();
    m_map->resetRegionStates();
    fillWaterfall(m_waterfallModel, *test);
    for (const QString &code : test->regions) {
        for (const RegionRun &run : test->region(code).runs) {
            const int index = run.index - 1; // the store counts runs from 1, the views from 0
            if (run.firstViewMeasured)
                m_regionModel->addMetrics(code, index, RunView::First, run.firstView.metrics);
            DoneMessage done;
            done.ok = run.ok();
            done.error = run.error;
            if (!done.ok && !done.error)
                done.error = LoadError { LoadError::Kind::Other, tr("the app stopped before this run ended") };
            m_regionModel->finishRun(code, index, done);
        }
    }
    m_tabs->setCurrentIndex(0);
    m_status->setText(
        tr("Showing the test of %1").arg(QLocale().toString(test->startedAt.toLocalTime(), QLocale::ShortFormat)));
}

void MainWindow::fillWaterfall(WaterfallModel *model, const TestRecord &test) const
{
    for (const QString &code : test.regions) {
        model->addLane(code);
        for (const RegionRun &run : test.region(code).runs) {
            for (const RequestTiming &request : run.firstView.requests)
                model->addRequest(code, run.index - 1, RunView::First, request);
            if (run.firstViewMeasured)
                model->setPageMetrics(code, run.index - 1, RunView::First, run.firstView.metrics);
        }
    }
    model->flushPending();
}

void MainWindow::compareSelectedHistory()
{
    if (!m_historyView || !m_services.history)
        return;
    QModelIndexList rows = m_historyView->selectionModel()->selectedRows();
    if (rows.size() != 2)
        return;
    std::sort(rows.begin(), rows.end(), [](const QModelIndex &x, const QModelIndex &y) { return x.row() > y.row(); });
    std::optional<TestRecord> tests[2];
    for (int i = 0; i < 2; ++i) {
        const auto id = m_historyModel->testId(rows.at(i).row());
        tests[i] = id ? m_services.history->load(*id) : std::nullopt;
        if (!tests[i])
            return;
    }
    // A: the older test, B: the newer, so B − A reads as "what changed since".
    if (tests[0]->startedAt > tests[1]->startedAt)
        std::swap(tests[0], tests[1]);
    delete m_comparison.data();
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(tr("Compare tests"));
    auto *layout = new QVBoxLayout(dialog);
    const auto describe = [](const TestRecord &t) {
        return QStringLiteral("%1 · %2").arg(
            QLocale().toString(t.startedAt.toLocalTime(), QLocale::ShortFormat), t.url);
    };
    layout->addWidget(new QLabel(
        tr("<b>A</b> %1<br><b>B</b> %2").arg(describe(*tests[0]).toHtmlEscaped(), describe(*tests[1]).toHtmlEscaped()),
        dialog));
    auto *model = new ComparisonModel(dialog);
    model->setTests(*tests[0], *tests[1]);
    auto *table = new QTableView(dialog);
    table->setObjectName(QStringLiteral("comparisonTable"));
    table->setModel(model);
    table->verticalHeader()->hide();
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    auto *waterfalls = new QSplitter(Qt::Horizontal, dialog);
    for (const TestRecord &test : { *tests[0], *tests[1] }) {
        auto *waterfallModel = new WaterfallModel(dialog);
        fillWaterfall(waterfallModel, test);
        auto *view = new WaterfallView(waterfalls);
        view->setModel(waterfallModel);
        view->setLayoutMode(WaterfallView::LayoutMode::Stacked);
        waterfalls->addWidget(view);
    }
    auto *split = new QSplitter(Qt::Vertical, dialog);
    split->addWidget(table);
    split->addWidget(waterfalls);
    layout->addWidget(split, 1);
    dialog->resize(1300, 800);
    m_comparison = dialog;
    dialog->show();
}

void MainWindow::deleteSelectedHistory()
{
    if (!m_historyView || !m_services.history)
        return;
    const QModelIndex current = m_historyView->currentIndex();
    const auto id = current.isValid() ? m_historyModel->testId(current.row()) : std::nullopt;
    if (!id)
        return;
    if (QMessageBox::question(this, tr("Delete test"), tr("Delete this test from the history?")) != QMessageBox::Yes)
        return;
    m_services.history->remove(*id);
    m_historyModel->refresh();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About WorldSpeed"),
        tr("<h3>WorldSpeed %1</h3><p>How fast a web page loads, in a real browser, from many regions of the world at "
           "once.</p><p>Map data: Made with Natural Earth (public domain).</p>")
            .arg(QStringLiteral(WORLDSPEED_VERSION)));
}
