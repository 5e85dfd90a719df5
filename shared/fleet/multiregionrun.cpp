#include "multiregionrun.h"

#include "poolrun.h"

#include <QMetaObject>

MultiRegionRun::MultiRegionRun(QObject *parent)
    : QObject(parent)
{ }

MultiRegionRun::~MultiRegionRun()
{
    // Deleting a run that has not ended cancels it at its pool, quietly.
    for (const QPointer<PoolRun> &run : std::as_const(m_runs))
        delete run.data();
}

void MultiRegionRun::addRegion(const QString &region, PoolRun *run)
{
    m_regions.append(region);
    m_runs.insert(region, run);
    m_pending.insert(region);
    connect(run, &PoolRun::status, this,
        [this, region](RunState state, const QString &detail) { emit regionStatus(region, state, detail); });
    connect(run, &PoolRun::requestFinished, this, [this, region](RunView view, const RequestTiming &request, int step) {
        emit requestFinished(region, view, request, step);
    });
    connect(run, &PoolRun::requestsStarted, this,
        [this, region](RunView view, const QList<RequestTiming> &requests, int step) {
            emit requestsStarted(region, view, requests, step);
        });
    connect(run, &PoolRun::metrics, this,
        [this, region](RunView view, const MetricsMessage &page) { emit metrics(region, view, page); });
    connect(run, &PoolRun::done, this, [this, region](const DoneMessage &done) { onRegionDone(region, done); });
}

void MultiRegionRun::addFailedRegion(const QString &region, const QString &message)
{
    m_regions.append(region);
    m_pending.insert(region);
    DoneMessage done;
    done.ok = false;
    done.error = LoadError { LoadError::Kind::Other, message };
    QMetaObject::invokeMethod(
        this, [this, region, done] { onRegionDone(region, done); }, Qt::QueuedConnection);
}

void MultiRegionRun::start()
{
    if (m_regions.isEmpty()) {
        QMetaObject::invokeMethod(
            this,
            [this] {
                if (!m_finished) {
                    m_finished = true;
                    emit finished();
                }
            },
            Qt::QueuedConnection);
    }
}

void MultiRegionRun::cancel()
{
    const QPointer<MultiRegionRun> self(this);
    const QStringList regions = m_regions;
    for (const QString &region : regions) {
        if (!self)
            return;
        if (PoolRun *run = m_runs.value(region); run && m_pending.contains(region))
            run->cancel();
    }
}

void MultiRegionRun::onRegionDone(const QString &region, const DoneMessage &done)
{
    if (!m_pending.remove(region))
        return;
    const QPointer<MultiRegionRun> self(this);
    emit regionDone(region, done);
    if (!self || !m_pending.isEmpty() || m_finished)
        return;
    m_finished = true;
    emit finished();
}
