#pragma once

#include "model/loaderror.h"
#include "model/pagemetrics.h"
#include "protocol/message.h"
#include "regioncatalog.h"

#include <QAbstractTableModel>
#include <QHash>
#include <QList>

#include <optional>

// One row per region of the current test: where it stands (waiting, starting a browser, loading, done, failed)
// and its numbers — the median over its runs when there are several. A metric no run observed stays empty.
class RegionModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegionModel)

public:
    enum Column {
        RegionColumn,
        StateColumn,
        TtfbColumn,
        FcpColumn,
        LcpColumn,
        DclColumn,
        LoadColumn,
        FullyLoadedColumn,
        RequestsColumn,
        BytesColumn,
        ColumnCount
    };
    enum class Phase { Idle, Queued, Booting, StartingBrowser, Loading, Complete, Failed };
    enum Role {
        SortRole = Qt::UserRole + 1, // numbers as numbers, absent last
        RegionCodeRole,
        PhaseRole, // int(Phase)
        LoadMsRole, // the median load, or an invalid QVariant
    };

    explicit RegionModel(QObject *parent = nullptr);

    void setRegions(const QList<RegionCatalog::Region> &regions);
    QStringList regionCodes() const;
    int rowOf(const QString &code) const;
    RegionCatalog::Region region(int row) const;

    // A new test: every region waits again, numbers cleared.
    void beginTest(int runsPerRegion);
    void setStatus(const QString &code, RunState state, const QString &detail, bool probeStarting);
    void addMetrics(const QString &code, int runIndex, RunView view, const PageMetrics &metrics);
    void finishRun(const QString &code, int runIndex, const DoneMessage &done);

    Phase phase(const QString &code) const;
    QString stateText(const QString &code) const;
    // The first views' metrics, median over the runs that observed each.
    PageMetrics median(const QString &code) const;
    int runsDone(const QString &code) const;
    int regionsFinished() const; // every run ended, well or not

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    static QString headerToolTip(int section);
    struct Row
    {
        RegionCatalog::Region region;
        Phase phase = Phase::Idle;
        QString detail;
        QHash<int, PageMetrics> firstViews; // by run index
        int runsDone = 0;
        int okRuns = 0;
        std::optional<LoadError> lastError;
    };

    void changed(int row);

    QList<Row> m_rows;
    int m_runsPerRegion = 1;
};
