#pragma once

#include "fleet/fleetconfig.h"
#include "regioncatalog.h"
#include "runcontroller.h"
#include "testform.h"

#include <QMainWindow>

#include <memory>

class ConfiguredFleet;
class FleetPanel;
class FirstStartPanel;
class MetricsChartView;
class TrendChartView;
class HistoryModel;
class HistoryPanel;
class HistoryStore;
class QAction;
class QCheckBox;
class QComboBox;
class QDialog;

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QSplitter;
class QTableView;
class QTabWidget;
class QToolButton;
class QVBoxLayout;
class RegionModel;
class RegionTableView;
class RunPicker;
class RunRecorder;
class ScreenshotView;
class SecretStore;
class TestExports;
class TestForm;
class TestSettingsPanel;
class WaterfallModel;
struct TestRecord;
class FilmstripView;
class WaterfallView;
class WindowLayoutKeeper;
class WorldMapView;

// The window a user sees: the URL form on top, the world map and the region table side by side, and below them
// the live waterfall and the history. Nothing here measures or stores anything itself; it wires the core
// (RunController, RunRecorder, the models, HistoryStore, the fleet) to the views. A running test and one opened
// from the history reach the models the same way: as a TestRecord.
class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    struct Services
    {
        HistoryStore *history = nullptr; // not owned
        SecretStore *secrets = nullptr; // not owned
        QString fleetConfigPath; // where the fleet config lives (it may not exist: then the default is used)
        std::optional<FleetConfig> fleetConfig; // overrides the file, e.g. for tests
    };

    explicit MainWindow(Services services, QWidget *parent = nullptr);
    ~MainWindow() override;

    // For tests and for the command line: the parts a person would click.
    TestForm *testForm() const { return m_form; }
    QLineEdit *urlField() const { return m_form->urlField(); }
    QPushButton *goButton() const { return m_form->goButton(); }
    QLabel *urlError() const { return m_form->errorLine(); }
    RegionModel *regionModel() const { return m_regionModel; }
    WaterfallModel *waterfallModel() const { return m_waterfallModel; }
    WorldMapView *worldMap() const { return m_map; }
    WaterfallView *waterfallView() const { return m_waterfall; }
    RunController *controller() const { return m_controller; }
    RunRecorder *recorder() const { return m_recorder; }
    HistoryModel *historyModel() const { return m_historyModel; }
    QStringList selectedRegions() const { return m_selected; }
    void setSelectedRegions(const QStringList &codes);
    QString statusText() const;
    QString fleetError() const { return m_fleetError; }
    FleetPanel *fleetPanel() const { return m_fleetPanel; }
    MetricsChartView *metricsChart() const { return m_metricsChart; }
    QTabWidget *tabs() const { return m_tabs; }
    // Its size, place, splits and tab as the user left them (the app does this before showing it; tests need not).
    WindowLayoutKeeper *layoutKeeper() const { return m_layoutKeeper; }
    HistoryPanel *historyPanel() const { return m_historyPanel; } // null without a history
    QTableView *historyView() const;
    QPushButton *compareButton() const;
    QDialog *comparison() const;
    RunPicker *runPicker() const { return m_runPicker; }
    ScreenshotView *screenshotView() const { return m_screenshotView; }
    QProgressBar *progressBar() const { return m_progress; }
    QComboBox *profileChoice() const { return m_form->profileChoice(); }
    QSpinBox *runsChoice() const { return m_form->runsChoice(); }
    QCheckBox *repeatViewChoice() const { return m_form->repeatViewChoice(); }
    QCheckBox *screenshotChoice() const { return m_form->screenshotChoice(); }
    TestSettingsPanel *testSettingsPanel() const { return m_form->testSettings(); }
    QPushButton *testSettingsButton() const { return m_form->testSettingsButton(); }

public slots:
    void startTest();
    void cancelTest();

private:
    void buildUi();
    QSplitter *buildRegionsPane(QWidget *parent);
    QWidget *buildWaterfallPage(QWidget *parent);
    QWidget *buildChartsPage(QWidget *parent);
    void buildMenus();
    // Starts the form's `request` in the chosen regions and has the form remember it.
    void launch(RunController::Request request);
    // The fleet config as written: the file's, the default when there is none or it does not load (m_fleetError
    // says so). The fleet that runs gets the Chrome chosen in the settings on top; Settings edits this one.
    FleetConfig fleetConfig();
    void loadFleet();
    void connectRun();
    // The region table, map and charts show exactly these regions (the shown test's, or before any the chosen).
    void showRegions(const QStringList &codes);
    // Every view reads `test` (live or stored) from scratch.
    void showTest(const TestRecord &test);
    // The progress bar and the status line, from the live test: runs done of all runs, with a share of each
    // running one.
    void updateProgress();
    // Hides the region table's metric columns that no region measured (RegionModel::isWorthAColumn).
    void updateMetricColumns();
    // The test the window shows, as stored; nullopt (after telling the user, under `title`) when there is none.
    void openSettings(bool addRegion = false);
    // Settings with the form for a new region open (the first-start panel's button).
    void addRegion();
    // The first-start panel placed this computer: the config saved and the fleet rebuilt on it.
    void applyFleetConfig(const FleetConfig &config);
    // Shows a stored test the way a live one is shown, unless a test is running.
    void openTest(qint64 testId);
    void chooseRegions();
    void showAbout();
    QList<RegionCatalog::Region> fleetRegions() const;

    Services m_services;
    std::unique_ptr<ConfiguredFleet> m_fleet;
    FleetConfig m_writtenFleetConfig; // m_fleet's config before the app's settings were applied
    QString m_fleetError;
    QStringList m_selected;
    qint64 m_shownTest = -1;
    bool m_cancelling = false; // the user cancelled the running test
    TestExports *m_exports = nullptr;

    RegionModel *m_regionModel;
    WaterfallModel *m_waterfallModel;
    HistoryModel *m_historyModel = nullptr;
    RunController *m_controller = nullptr;
    RunRecorder *m_recorder = nullptr;

    TestForm *m_form = nullptr;
    WorldMapView *m_map = nullptr;
    RegionTableView *m_table = nullptr;
    QSortFilterProxyModel *m_sortedRegions = nullptr;
    WaterfallView *m_waterfall = nullptr;
    RunPicker *m_runPicker = nullptr;
    ScreenshotView *m_screenshotView = nullptr;
    FilmstripView *m_filmstripView = nullptr;
    QTabWidget *m_tabs = nullptr;
    WindowLayoutKeeper *m_layoutKeeper = nullptr;
    HistoryPanel *m_historyPanel = nullptr;
    MetricsChartView *m_metricsChart = nullptr;
    TrendChartView *m_trendChart = nullptr;
    FleetPanel *m_fleetPanel = nullptr;
    FirstStartPanel *m_firstStart = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
};
