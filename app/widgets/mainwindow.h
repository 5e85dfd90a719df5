#pragma once

#include "fleet/fleetconfig.h"
#include "regioncatalog.h"

#include <QDialog>
#include <QMainWindow>
#include <QPointer>

#include <memory>

class ConfiguredFleet;
class FleetPanel;
class MetricsChartView;
class TrendChartView;
class HistoryModel;
class HistoryStore;
class QCheckBox;
class QComboBox;

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QTabWidget;
class QToolButton;
class RegionModel;
class RunController;
class SecretStore;
class WaterfallModel;
struct TestRecord;
class WaterfallView;
class WorldMapView;

// The window a user sees: the URL form on top, the world map and the region table side by side, and below them
// the live waterfall and the history. Nothing here measures or stores anything itself; it wires the core
// (RunController, the models, HistoryStore, the fleet) to the views.
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
    QLineEdit *urlField() const { return m_url; }
    QPushButton *goButton() const { return m_go; }
    QLabel *urlError() const { return m_urlError; }
    RegionModel *regionModel() const { return m_regionModel; }
    WaterfallModel *waterfallModel() const { return m_waterfallModel; }
    WorldMapView *worldMap() const { return m_map; }
    WaterfallView *waterfallView() const { return m_waterfall; }
    RunController *controller() const { return m_controller; }
    HistoryModel *historyModel() const { return m_historyModel; }
    QStringList selectedRegions() const { return m_selected; }
    void setSelectedRegions(const QStringList &codes);
    QString statusText() const;
    QString fleetError() const { return m_fleetError; }
    FleetPanel *fleetPanel() const { return m_fleetPanel; }
    MetricsChartView *metricsChart() const { return m_metricsChart; }
    QTabWidget *tabs() const { return m_tabs; }
    QTableView *historyView() const { return m_historyView; }
    QPushButton *compareButton() const { return m_compare; }
    QDialog *comparison() const { return m_comparison; }

public slots:
    void startTest();
    void cancelTest();

private:
    void buildUi();
    void buildMenus();
    void loadFleet();
    void updateMap(int row);
    void updateRegionButton();
    void exportCsv();
    void exportHar();
    void exportPdf();
    void openSettings();
    void openSelectedHistory();
    void deleteSelectedHistory();
    void compareSelectedHistory();
    void fillWaterfall(WaterfallModel *model, const TestRecord &test) const;
    void chooseRegions();
    void showAbout();
    QString askDirectory(const QString &title);
    QList<RegionCatalog::Region> fleetRegions() const;

    Services m_services;
    std::unique_ptr<ConfiguredFleet> m_fleet;
    QString m_fleetError;
    QStringList m_selected;
    qint64 m_shownTest = -1;

    RegionModel *m_regionModel;
    WaterfallModel *m_waterfallModel;
    HistoryModel *m_historyModel = nullptr;
    RunController *m_controller = nullptr;

    QLineEdit *m_url = nullptr;
    QLabel *m_urlError = nullptr;
    QPushButton *m_go = nullptr;
    QPushButton *m_cancel = nullptr;
    QToolButton *m_regionsButton = nullptr;
    QComboBox *m_profile = nullptr;
    QSpinBox *m_runs = nullptr;
    QCheckBox *m_repeatView = nullptr;
    QCheckBox *m_screenshot = nullptr;
    WorldMapView *m_map = nullptr;
    QTableView *m_table = nullptr;
    QSortFilterProxyModel *m_sortedRegions = nullptr;
    WaterfallView *m_waterfall = nullptr;
    QTabWidget *m_tabs = nullptr;
    QTableView *m_historyView = nullptr;
    QPushButton *m_compare = nullptr;
    QPointer<QDialog> m_comparison;
    MetricsChartView *m_metricsChart = nullptr;
    TrendChartView *m_trendChart = nullptr;
    FleetPanel *m_fleetPanel = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_progress = nullptr;
};
