#pragma once

#include "poolrun.h"
#include "protocol/message.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>

class PoolRun;

// One page test fanned out to several regions (Fleet::submit): every region's frames, with the region
// attached, and finished() once every region has its regionDone(). A region without a pool gets its regionDone()
// with an error on the event loop; the others run as usual.
//
// It holds the regions' PoolRuns (run()) until it is deleted; deleting it cancels the regions still running.
class MultiRegionRun final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MultiRegionRun)

public:
    ~MultiRegionRun() override;

    // The regions asked for, without duplicates, in the order given.
    QStringList regions() const { return m_regions; }
    // The region's run; null for a region without a pool.
    PoolRun *run(const QString &region) const { return m_runs.value(region).data(); }
    bool isFinished() const { return m_finished; }

    // Cancels every region still running; each ends with its regionDone() (kind cancelled), then finished().
    void cancel();

signals:
    void regionStatus(const QString &region, RunState state, const QString &detail);
    // `step` as in ProbeClient's signals: the script's measured step, 1 without one.
    void requestFinished(const QString &region, RunView view, const RequestTiming &request, int step);
    void requestsStarted(const QString &region, RunView view, const QList<RequestTiming> &requests, int step);
    void metrics(const QString &region, RunView view, const MetricsMessage &metrics);
    void regionDone(const QString &region, const DoneMessage &done);
    void finished();

private:
    friend class Fleet;

    explicit MultiRegionRun(QObject *parent);
    void addRegion(const QString &region, PoolRun *run);
    void addFailedRegion(const QString &region, const QString &message);
    // After the last region was added: a test of no regions at all finishes on the event loop.
    void start();
    void onRegionDone(const QString &region, const DoneMessage &done);

    QStringList m_regions;
    QHash<QString, QPointer<PoolRun>> m_runs;
    QSet<QString> m_pending;
    bool m_finished = false;
};
