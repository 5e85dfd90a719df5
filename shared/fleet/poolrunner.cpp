#include "poolrunner.h"

#include "poolrun.h"

RunnerInfo PoolRunner::info() const
{
    RunnerInfo info;
    info.id = id;
    info.state = state;
    info.active = int(runs.size());
    info.capacity = state == RunnerInfo::Ready ? capacity : 0;
    info.bootMs = bootMs;
    info.lastError = lastError;
    return info;
}

bool PoolRunner::takesRuns(bool singleUse) const
{
    return state == RunnerInfo::Ready && runs.size() < capacity && !(singleUse && taken > 0);
}

QList<PoolRun *> PoolRunner::heldRuns() const
{
    QList<PoolRun *> held;
    for (const QPointer<PoolRun> &run : runs) {
        if (run)
            held.append(run);
    }
    return held;
}

PoolRun *PoolRunner::liveRun(const QString &runId) const
{
    PoolRun *run = runs.value(runId).data();
    return run && run->m_phase == PoolRun::Phase::Running ? run : nullptr;
}

void PoolRunner::abandon(const QString &runId)
{
    if (!runs.contains(runId))
        return;
    runs[runId] = nullptr;
    if (client)
        client->cancel(runId);
}

void PoolRunner::connectProbe(QObject *pool, const ProbeClient::Endpoint &endpoint,
    std::chrono::milliseconds handshakeTimeout, bool pendingRequests, Events events)
{
    auto *probe = new ProbeClient(pool);
    probe->setPendingRequests(pendingRequests);
    client = probe;
    probe->setHandshakeTimeout(std::max(handshakeTimeout, ProbeClient::defaultHandshakeTimeout));
    QObject::connect(probe, &ProbeClient::ready, pool, events.ready);
    QObject::connect(probe, &ProbeClient::failed, pool, events.unreachable);
    QObject::connect(probe, &ProbeClient::disconnected, pool,
        [disconnected = events.disconnected](int, const QString &reason) { disconnected(reason); });
    // The frames go straight to their runs. The pool disconnects all of these before this runner goes.
    QObject::connect(
        probe, &ProbeClient::status, pool, [this](const QString &runId, RunState state, const QString &detail) {
            if (PoolRun *run = liveRun(runId))
                emit run->status(state, detail);
        });
    QObject::connect(probe, &ProbeClient::requestFinished, pool,
        [this](const QString &runId, RunView view, const RequestTiming &request, int step) {
            if (PoolRun *run = liveRun(runId))
                emit run->requestFinished(view, request, step);
        });
    QObject::connect(probe, &ProbeClient::requestsStarted, pool,
        [this](const QString &runId, RunView view, const QList<RequestTiming> &requests, int step) {
            if (PoolRun *run = liveRun(runId))
                emit run->requestsStarted(view, requests, step);
        });
    QObject::connect(
        probe, &ProbeClient::metrics, pool, [this](const QString &runId, RunView view, const MetricsMessage &metrics) {
            if (PoolRun *run = liveRun(runId))
                emit run->metrics(view, metrics);
        });
    QObject::connect(
        probe, &ProbeClient::done, pool, [probe, done = events.done](const QString &runId, const DoneMessage &message) {
            // A dropped connection ends its runs here first; disconnected() follows, and the runs fail there with
            // words about the probe rather than the socket.
            if (probe->isReady())
                done(runId, message);
        });
    probe->connectToProbe(endpoint);
}

void PoolRunner::closeProbe(QObject *pool)
{
    if (ProbeClient *probe = std::exchange(client, nullptr)) {
        probe->disconnect(pool);
        probe->close();
        probe->deleteLater();
    }
}
