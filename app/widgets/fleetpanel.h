#pragma once

#include "fleet/fleet.h"
#include "fleet/regionpool.h"
#include "pooldescription.h"
#include "regioncatalog.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QPointer>
#include <QString>
#include <QTimer>
#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

class QLabel;
class QTreeWidget;
class QTreeWidgetItem;

// The fleet as it is right now, per region of a Fleet: the pool (backend kind, min … max runners, runs per
// runner, queue length, whether the next run starts hot or cold), its runners (booting, idle, busy n/m, stopping,
// failed; boot time) and what went wrong (boot failures and lost runners, newest first, with the time), all live
// from the pools' signals.
//
// A run is cold when it had to wait for a runner to boot (its time includes the boot); hot when a ready runner
// had a free slot. The region row says which the next run would be (RegionPool::nextRunStart()), and each runner
// how long its boot took. The words are PoolDescription's; the panel keeps the rows, their colours and the problems.
// Runners the pool let go stay a few seconds, greyed, so a failure or an idle shutdown is seen, then go.
class FleetPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetPanel)

public:
    enum Column { NameColumn, StateColumn, StartColumn, DetailColumn, ColumnCount };
    static constexpr int maxProblemsPerRegion = 20;
    static constexpr int defaultRemovedLingerMs = 8'000;

    explicit FleetPanel(QWidget *parent = nullptr);
    ~FleetPanel() override;

    // Not owned. Shows the regions it has now; call refresh() after adding regions to it.
    void setFleet(Fleet *fleet);
    Fleet *fleet() const { return m_fleet; }
    // Where region codes get their city names from; the built-in catalog by default.
    void setCatalog(const RegionCatalog &catalog);
    // Reads the fleet's regions again; keeps what is known of regions still there (their problems).
    void refresh();
    // How long a runner the pool let go stays listed.
    void setRemovedLinger(int ms) { m_removedLingerMs = ms; }

    QTreeWidget *tree() const { return m_tree; }
    // Under the tree: the selected row in full (problems are long), else the newest problem of the fleet.
    QLabel *detailsLabel() const { return m_details; }
    QTreeWidgetItem *regionItem(const QString &region) const;
    QTreeWidgetItem *runnerItem(const QString &region, const QString &runnerId) const;
    // Everything shown, one line per row, columns separated by " | ", children indented: for tests and "copy".
    QString text() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    struct Problem
    {
        QDateTime at;
        QString kind; // "boot failed", "runner lost"
        QString text;
    };
    struct RunnerRow
    {
        RunnerInfo info;
        QTreeWidgetItem *item = nullptr;
        QElapsedTimer seen; // since it was first seen booting
        bool removed = false;
    };
    struct Region
    {
        QString code;
        QPointer<RegionPool> pool;
        QTreeWidgetItem *item = nullptr;
        QTreeWidgetItem *problemsItem = nullptr;
        QList<QString> runnerOrder;
        QHash<QString, RunnerRow> runners;
        QList<Problem> problems; // newest first
        std::optional<qint64> lastBootMs;
        QString lastFailedBoot; // the runner whose boot just failed, for the bootFailed() that follows
        QList<QMetaObject::Connection> connections;
    };

    // What a region's runners are doing; the ones the pool let go, and stopping or failed ones, do not count.
    static PoolDescription::RunnerCounts runnerCounts(const Region &region);

    Region *region(const QString &code) const;
    Region *regionOf(const RegionPool *pool) const;
    void addRegion(RegionPool *pool);
    void removeRegion(const QString &code);
    void onRunnerChanged(RegionPool *pool, const RunnerInfo &runner);
    void onRunnerRemoved(RegionPool *pool, const QString &runnerId);
    void onBootFailed(RegionPool *pool, const QString &reason);
    void addProblem(Region &region, const QString &kind, const QString &text);
    void forgetRunner(const QString &code, const QString &runnerId);
    void updateRegionItem(Region &region);
    void updateRunnerItem(RunnerRow &row);
    void updateProblemsItem(Region &region);
    void updateEmptyState();
    void tick(); // the boot clocks of booting runners
    void updateDetails();
    QString regionName(const QString &code) const;

    QPointer<Fleet> m_fleet;
    RegionCatalog m_catalog;
    QTreeWidget *m_tree;
    QLabel *m_details;
    QTreeWidgetItem *m_emptyItem = nullptr;
    std::vector<std::unique_ptr<Region>> m_regions;
    QTimer m_tick;
    int m_removedLingerMs = defaultRemovedLingerMs;
    QMetaObject::Connection m_fleetDestroyed;
};
