#pragma once

#include "model/pagemetric.h"
#include "model/pagemetrics.h"
#include "regioncatalog.h"
#include "regionsummary.h"

#include <QAbstractTableModel>
#include <QList>

struct TestRecord;

// One row per region of the fleet, read from a TestRecord: where the region stands in the test (waiting,
// starting a browser, loading, done, failed) and its numbers, as its RegionSummary counts them — the medians over
// its ok runs. The metric columns are the metric table's (PageMetric::all()), in its order, after the region and
// its state. A cell stays empty while the region has no numbers yet; once it has them (or ended without any) a
// metric no ok run observed reads DisplayFormat::missing(), never 0. A stored test and a live one take the same
// path: a snapshot (setTest()), then, while it runs, updateRegion() for each region whose record changed.
//
// A test whose script measures several steps has a row per step under each region: the region's own row is step 1
// (its numbers are the first view's, as for every test, and its name says the step: "Frankfurt (fra) · 1 log in"),
// then a row for each later step ("Frankfurt · 2 account") with that step's medians (RegionSummary::medianOfStep).
// Those rows sort with their region (by the region's figures) and say which step they are (StepRole); rowOf(),
// regionCodes() and summary() are of regions. A one-step test has exactly a row per region, as before steps.
//
// A region whose runs the probe cut short to stay within its limits (too many requests, a URL or header too long)
// has a warning sign after its name, the warnings in the name's tool tip and in its summary: its numbers are of
// what was recorded, and whoever reads them must know that.
class RegionModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegionModel)

public:
    enum Column {
        RegionColumn,
        StateColumn,
        FirstMetricColumn, // then one column per PageMetric, in the table's order
    };
    static int columnOf(PageMetric::Id metric);
    // The metric a column shows; nullopt for the region and state columns.
    static std::optional<PageMetric::Id> metricAt(int column);
    static int columnTotal();
    using Phase = RegionSummary::Phase;
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers as numbers, absent last
        RegionCodeRole,
        PhaseRole, // int(Phase)
        LoadMsRole, // the median load (or, with AtLoadRole, the load so far), or an invalid QVariant
        PlaceRole, // RegionCatalog::Region: the city and where it is
        SummaryRole, // rich text: the region's name, state and main medians, for a tool tip
        AtLoadRole, // bool: the numbers shown are the latest run's as of its load event, while it finishes
        WarningsRole, // QStringList: what the probe cut or left out of the region's runs (RegionRecord::warnings)
        StepRole, // int: 0 for a region's row, else the index (RegionRun::stepView) of the later step it shows
    };

    explicit RegionModel(QObject *parent = nullptr);

    void setRegions(const QList<RegionCatalog::Region> &regions);
    QStringList regionCodes() const;
    int rowOf(const QString &code) const;
    RegionCatalog::Region region(int row) const;

    // Every row as the test has it; a region the test does not have is Idle.
    void setTest(const TestRecord &test);
    // The row of one region of `test` again, after its record changed.
    void updateRegion(const TestRecord &test, const QString &code);

    RegionSummary summary(const QString &code) const;
    Phase phase(const QString &code) const;
    QString stateText(const QString &code) const;
    // The first views' medians; every metric absent when there is none.
    PageMetrics median(const QString &code) const;
    // Whether a column of this metric would say anything: true while no region has numbers yet, then only when
    // some region's median has the metric. A view hides the others rather than show a column of dashes.
    bool isWorthAColumn(PageMetric::Id metric) const;
    // What the state cell shows of a state text: at most a few words, ending in "…" when cut (its tool tip has all).
    static QString shortStateText(const QString &text);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row
    {
        RegionCatalog::Region region;
        RegionSummary summary;
        QStringList warnings;
        // A test of several steps: the step the row shows (0: the region's row, step 1), its name (stepLabel), and
        // for a later step its medians.
        qsizetype step = 0;
        qsizetype stepCount = 1;
        QString stepLabel;
        std::optional<PageMetrics> stepMedian;

        const std::optional<PageMetrics> &shown() const { return step > 0 ? stepMedian : summary.shown(); }
    };
    static QVariant metricData(const Row &row, const PageMetric &metric, int role);
    static QString warningsText(const Row &row);
    // Brings the rows after a region's row to one per later step of its runs; returns the region's last row.
    int syncSteps(int regionRow, const TestRecord &test);
    int regionRowOf(int row) const;

    QString name(const Row &row) const;
    QString summaryText(const Row &row) const;

    QList<Row> m_rows;
};
