#include "runcontroller.h"

#include "fleet/fleet.h"
#include "fleet/multiregionrun.h"

RunController::RunController(Fleet *fleet, QObject *parent)
    : QObject(parent)
    , m_fleet(fleet)
{ }

RunController::~RunController()
{
    delete m_current.data(); // cancels what is still running
}

bool RunController::start(const Request &request, QString *error)
{
    if (m_running) {
        if (error)
            *error = tr("A test is already running");
        return false;
    }
    if (request.regions.isEmpty()) {
        if (error)
            *error = tr("Choose at least one region");
        return false;
    }
    for (const QString &region : request.regions) {
        if (!m_fleet->pool(region)) {
            if (error)
                *error = tr("There is no probe pool for region %1 in the fleet configuration").arg(region);
            return false;
        }
    }
    m_request = request;
    m_request.runs = std::clamp(request.runs, 1, 100);
    m_running = true;
    m_cancelled = false;
    emit started(m_request);
    emit progress(0, static_cast<int>(m_request.regions.size()));
    startRun(1);
    return true;
}

void RunController::startRun(int run)
{
    m_run = run;
    m_regionsDone = 0;
    MultiRegionRun *test = m_fleet->submit(m_request.url, m_request.options, m_request.regions);
    m_current = test;
    connect(test, &MultiRegionRun::regionStatus, this,
        [this, test](const QString &region, RunState state, const QString &detail) {
            const PoolRun *poolRun = test->run(region);
            emit regionState(
                region, state, detail, state == RunState::Queued && poolRun && poolRun->waitingForProbeStart());
        });
    connect(test, &MultiRegionRun::requestFinished, this,
        [this, run](const QString &region, RunView view, const RequestTiming &request, int step) {
            emit requestFinished(region, run, view, request, step);
        });
    connect(test, &MultiRegionRun::requestsStarted, this,
        [this, run](const QString &region, RunView view, const QList<RequestTiming> &requests, int step) {
            emit requestsStarted(region, run, view, requests, step);
        });
    connect(test, &MultiRegionRun::metrics, this,
        [this, run](const QString &region, RunView view, const MetricsMessage &metrics) {
            if (metrics.provisional) {
                emit viewLoaded(region, run, view, metrics.metrics, metrics.step);
                return;
            }
            emit viewMeasured(region, run, view, metrics.metrics, metrics.finalUrl, metrics.screenshotPng,
                metrics.filmstrip, metrics.longTasks, metrics.warnings, metrics.step, metrics.stepName);
        });
    connect(test, &MultiRegionRun::regionDone, this, [this, test, run](const QString &region, const DoneMessage &done) {
        const PoolRun *poolRun = test->run(region);
        // The protocol keeps ok and error apart; a run's end is one thing: failed with a reason, or not.
        std::optional<LoadError> error;
        if (!done.ok)
            error = done.error.value_or(LoadError { LoadError::Kind::Other, tr("the run failed without a reason") });
        emit runCpu(region, run, done.cpuBenchmarkIndex, done.cpuSlowdownRate);
        if (!done.warnings.isEmpty())
            emit runWarnings(region, run, done.warnings);
        emit runFinished(region, run, error, poolRun && poolRun->cold(), done.browserStartMs);
        ++m_regionsDone;
        // A region is done when its last run is.
        emit progress(run == m_request.runs ? m_regionsDone : 0, static_cast<int>(m_request.regions.size()));
    });
    connect(test, &MultiRegionRun::finished, this, &RunController::onRunFinished);
}

void RunController::onRunFinished()
{
    if (m_current)
        m_current->deleteLater();
    m_current = nullptr;
    if (!m_cancelled && m_run < m_request.runs) {
        startRun(m_run + 1);
        return;
    }
    m_running = false;
    emit progress(static_cast<int>(m_request.regions.size()), static_cast<int>(m_request.regions.size()));
    emit finished();
}

void RunController::cancel()
{
    if (!m_running)
        return;
    m_cancelled = true;
    if (m_current)
        m_current->cancel(); // each region ends with its done, then finished() → onRunFinished
}
