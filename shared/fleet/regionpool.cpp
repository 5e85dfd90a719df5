#include "regionpool.h"

#include "backend.h"
#include "model/displayformat.h"
#include "poolrun.h"

#include <QLoggingCategory>
#include <QMetaObject>

#include <algorithm>

Q_LOGGING_CATEGORY(lcRegionPool, "worldspeed.regionpool", QtWarningMsg)

RegionPool::RegionPool(
    const QString &region, const PoolOptions &options, Backend *backend, Clock *clock, QObject *parent)
    : QObject(parent)
    , m_region(region)
    , m_options(options)
    , m_backend(backend)
    , m_clock(clock)
    , m_minTarget(options.min)
{
    Q_ASSERT(clock);
    m_configError = options.validate();
    if (m_configError.isEmpty() && !ProtocolLimits::isIdentifier(region)) {
        m_configError = QStringLiteral("region \"%1\" is not 1–64 characters of A–Z, a–z, 0–9, '_' and '-'")
                            .arg(region.left(ProtocolLimits::maxIdentifierLength + 1));
    }
    if (m_configError.isEmpty() && !backend)
        m_configError = QStringLiteral("no backend for region %1").arg(region);
    if (m_configError.isEmpty() && !clock)
        m_configError = QStringLiteral("no clock for region %1").arg(region);
    if (!m_configError.isEmpty()) {
        qCWarning(lcRegionPool).noquote() << "the pool for" << region << "is not usable:" << m_configError;
        return;
    }
    connect(backend, &Backend::booted, this, &RegionPool::onBooted);
    connect(backend, &Backend::bootFailed, this,
        [this](const QString &id, const QString &reason) { bootFailure(id, reason); });
    connect(backend, &Backend::bootRefused, this,
        [this](const QString &id, const QString &reason) { bootFailure(id, reason, true); });
    connect(backend, &Backend::lost, this, &RegionPool::runnerDied);
    pump();
}

RegionPool::~RegionPool()
{
    // Runs are children and die after this body: they must not call back into a half-destroyed pool.
    const QList<PoolRun *> runs = findChildren<PoolRun *>(QString(), Qt::FindDirectChildrenOnly);
    for (PoolRun *run : runs)
        run->m_pool = nullptr;
    if (m_clock && m_retryTimer)
        m_clock->cancel(m_retryTimer);
    for (const auto &runner : m_runners) {
        if (runner->client)
            runner->client->disconnect(this); // closes cleanly when it dies with us, and tells nobody
        if (m_clock) {
            m_clock->cancel(runner->bootTimer);
            m_clock->cancel(runner->idleTimer);
        }
        if (m_backend)
            m_backend->stop(runner->id);
    }
}

PoolRun *RegionPool::submit(const QUrl &url, const LoadOptions &options)
{
    auto *run = new PoolRun(this, ProbeClient::newRunId(), url, options);
    run->m_submitSequence = ++m_sequence;

    std::optional<LoadError> refused;
    if (!m_configError.isEmpty())
        refused = LoadError { LoadError::Kind::Other,
            QStringLiteral("the pool for %1 is not usable: %2").arg(m_region, m_configError) };
    else if (m_shutDown)
        refused = LoadError { LoadError::Kind::Cancelled, QStringLiteral("the pool is shutting down") };
    else
        refused = run->refusal();
    if (refused) {
        run->m_phase = PoolRun::Phase::Ending;
        failLater(run, refused->kind, refused->message);
        return run;
    }

    m_queue.append(run);
    run->m_deadlineTimer = m_clock->callAfter(m_options.checkoutTimeoutMs, run, [this, run] { onQueueDeadline(run); });
    pump();
    if (run->m_phase == PoolRun::Phase::Queued) {
        // On the event loop, so the caller has connected to it; and only if it is still waiting then.
        QMetaObject::invokeMethod(
            run,
            [this, run] {
                if (run->m_phase == PoolRun::Phase::Queued)
                    reportQueued(run, queuedDetail());
            },
            Qt::QueuedConnection);
    }
    return run;
}

QList<RunnerInfo> RegionPool::runners() const
{
    QList<RunnerInfo> list;
    list.reserve(qsizetype(m_runners.size()));
    for (const auto &runner : m_runners)
        list.append(runner->info());
    return list;
}

void RegionPool::shutdown()
{
    if (m_shutDown)
        return;
    m_shutDown = true;
    m_clock->cancel(std::exchange(m_retryTimer, 0));

    // Queued runs first, then those on probes, each in the order they came.
    QList<QPointer<PoolRun>> ending = PoolRun::endingInOrder(std::exchange(m_queue, {}));
    QList<PoolRun *> running;
    QStringList runnerIds;
    for (const auto &runner : m_runners) {
        runnerIds.append(runner->id);
        running += runner->heldRuns();
    }
    ending += PoolRun::endingInOrder(running);
    for (const QString &id : std::as_const(runnerIds))
        dropRunner(id, RunnerInfo::Stopping);
    reportQueueLength();
    for (const QPointer<PoolRun> &run : std::as_const(ending)) {
        if (run)
            failRun(run, LoadError::Kind::Cancelled, QStringLiteral("the pool is shutting down"));
    }
}

// The run handles' side ----------------------------------------------------------------------------------------

void RegionPool::cancelRun(PoolRun *run)
{
    const auto phase = run->m_phase;
    run->m_phase = PoolRun::Phase::Ending;
    if (phase == PoolRun::Phase::Queued) {
        m_queue.removeOne(run);
        pump(); // the demand it made may be gone
    } else if (phase == PoolRun::Phase::Running) {
        if (PoolRunner *runner = findRunner(run->m_runnerId))
            runner->abandon(run->id());
    }
    failRun(run, LoadError::Kind::Cancelled, QStringLiteral("cancelled"));
}

void RegionPool::forgetRun(PoolRun *run)
{
    m_clock->cancel(std::exchange(run->m_deadlineTimer, 0));
    m_clock->cancel(std::exchange(run->m_runTimer, 0));
    const auto phase = std::exchange(run->m_phase, PoolRun::Phase::Finished);
    if (phase == PoolRun::Phase::Queued) {
        m_queue.removeOne(run);
        pump();
    } else if (phase == PoolRun::Phase::Running) {
        if (PoolRunner *runner = findRunner(run->m_runnerId))
            runner->abandon(run->id());
    }
}

// Checkout and growth ------------------------------------------------------------------------------------------

void RegionPool::pump()
{
    if (m_shutDown || !m_configError.isEmpty()) {
        reportQueueLength();
        return;
    }
    // A slot of a signal emitted below may submit or cancel: that asks for another round, not a nested one.
    if (m_pumping) {
        m_pumpAgain = true;
        return;
    }
    m_pumping = true;
    do {
        m_pumpAgain = false;
        assignQueued();
        bootForDemand();
    } while (m_pumpAgain && !m_shutDown);
    m_pumping = false;
    reportQueueLength();
}

void RegionPool::assignQueued()
{
    while (!m_queue.isEmpty() && !m_shutDown) {
        PoolRunner *runner = pickRunner();
        if (!runner)
            return;
        startRun(runner, m_queue.takeFirst());
    }
}

PoolRunner *RegionPool::pickRunner() const
{
    // The ready runner with the fewest active runs, among those with room; the oldest on a tie.
    PoolRunner *best = nullptr;
    for (const auto &runner : m_runners) {
        if (!runner->takesRuns(m_options.singleUse))
            continue;
        if (!best || runner->runs.size() < best->runs.size())
            best = runner.get();
    }
    return best;
}

void RegionPool::startRun(PoolRunner *runner, PoolRun *run)
{
    m_clock->cancel(std::exchange(run->m_deadlineTimer, 0));
    m_clock->cancel(std::exchange(runner->idleTimer, 0));
    run->m_runnerId = runner->id;
    run->m_cold = runner->readySequence > run->m_submitSequence;
    ++runner->taken;
    QString error;
    if (!runner->client->submit(run->id(), run->url(), run->options(), &error)) {
        // Not expected: the runner is ready and submit() checked the run as the probe would.
        run->m_phase = PoolRun::Phase::Ending;
        failLater(run, LoadError::Kind::Other,
            QStringLiteral("the probe %1 in %2 did not take the run: %3").arg(runner->id, m_region, error));
        if (runner->runs.isEmpty())
            armIdleTimer(runner);
        return;
    }
    run->m_phase = PoolRun::Phase::Running;
    runner->runs.insert(run->id(), run);
    run->m_runTimer = m_clock->callAfter(m_options.runTimeoutMs, run, [this, run] { onRunTimeout(run); });
    emit runnerChanged(runner->info());
}

void RegionPool::bootForDemand()
{
    if (!m_backend)
        return;
    if (!hasDemand()) {
        // Nothing waits any more: a pending retry is dropped and the back-off starts afresh next time.
        m_clock->cancel(std::exchange(m_retryTimer, 0));
        m_retryDelayMs = bootRetryInitialMs;
        return;
    }
    if (m_retryTimer)
        return; // backing off after a failed boot
    const int limit = runnerLimit();
    while (!m_shutDown && int(m_runners.size()) < limit && minHolderCount() < m_minTarget)
        bootRunner(true);
    // Each booting runner will absorb up to perRunnerConcurrency() of the waiting runs.
    const qsizetype absorb = perRunnerConcurrency();
    while (!m_shutDown && int(m_runners.size()) < limit && bootingCount() * absorb < m_queue.size())
        bootRunner(false);
}

void RegionPool::bootRunner(bool holdsMinSlot)
{
    auto runner = std::make_unique<PoolRunner>();
    const QString id = QStringLiteral("%1-%2").arg(m_region).arg(m_nextRunnerNumber++);
    runner->id = id;
    runner->holdsMinSlot = holdsMinSlot;
    runner->bootStartedMs = m_clock->nowMs();
    runner->bootTimer = m_clock->callAfter(m_options.bootTimeoutMs, this, [this, id] {
        if (PoolRunner *late = findRunner(id)) {
            late->bootTimer = 0;
            bootFailure(id,
                QStringLiteral("the probe %1 in %2 did not come up within %3")
                    .arg(id, m_region, DisplayFormat::duration(m_options.bootTimeoutMs)));
        }
    });
    m_runners.push_back(std::move(runner));
    qCDebug(lcRegionPool) << "booting" << id;
    m_backend->boot(id);
    if (const PoolRunner *booting = findRunner(id))
        emit runnerChanged(booting->info());
}

// A runner's life ----------------------------------------------------------------------------------------------

void RegionPool::onBooted(const QString &runnerId, const ProbeClient::Endpoint &endpoint)
{
    PoolRunner *runner = findRunner(runnerId);
    if (!runner || runner->state != RunnerInfo::Booting || runner->client)
        return; // not ours, or no longer wanted
    const QString id = runnerId;
    const auto unreachable = [this, id](const QString &reason) {
        bootFailure(id, QStringLiteral("could not reach the probe %1 in %2: %3").arg(id, m_region, reason));
    };
    PoolRunner::Events events;
    events.ready = [this, id](const HelloMessage &hello) { onRunnerReady(id, hello); };
    events.unreachable = [this, id, unreachable](const QString &reason) {
        const PoolRunner *r = findRunner(id);
        if (r && r->state == RunnerInfo::Booting)
            unreachable(reason);
    };
    events.disconnected = [this, id, unreachable](const QString &reason) {
        const PoolRunner *r = findRunner(id);
        if (r && r->state == RunnerInfo::Ready)
            runnerDied(id, reason);
        else if (r)
            unreachable(reason);
    };
    events.done = [this, id](const QString &runId, const DoneMessage &done) { onRunDone(id, runId, done); };
    // The boot timer is the deadline that counts.
    runner->connectProbe(this, endpoint, std::chrono::milliseconds(m_options.bootTimeoutMs), m_options.pendingRequests,
        std::move(events));
}

void RegionPool::onRunnerReady(const QString &runnerId, const HelloMessage &hello)
{
    PoolRunner *runner = findRunner(runnerId);
    if (!runner || runner->state != RunnerInfo::Booting)
        return;
    m_clock->cancel(std::exchange(runner->bootTimer, 0));
    runner->state = RunnerInfo::Ready;
    runner->bootMs = m_clock->nowMs() - runner->bootStartedMs;
    runner->capacity = std::min(perRunnerConcurrency(), hello.capacity);
    runner->readySequence = ++m_sequence;
    m_retryDelayMs = bootRetryInitialMs;
    m_lastBootError.clear();
    qCDebug(lcRegionPool) << runnerId << "ready after" << *runner->bootMs << "ms, capacity" << runner->capacity;
    emit runnerChanged(runner->info());
    pump();
    if (PoolRunner *ready = findRunner(runnerId); ready && ready->state == RunnerInfo::Ready && ready->runs.isEmpty())
        armIdleTimer(ready);
}

void RegionPool::onRunDone(const QString &runnerId, const QString &runId, const DoneMessage &done)
{
    PoolRunner *runner = findRunner(runnerId);
    if (!runner)
        return;
    const auto it = runner->runs.find(runId);
    if (it == runner->runs.end())
        return;
    const QPointer<PoolRun> run = it.value();
    runner->runs.erase(it);
    if (run)
        m_clock->cancel(std::exchange(run->m_runTimer, 0));
    if (runner->runs.isEmpty() && m_options.singleUse) {
        stopRunner(runnerId);
    } else {
        if (runner->runs.isEmpty())
            armIdleTimer(runner);
        emit runnerChanged(runner->info());
    }
    pump();
    if (run && run->m_phase == PoolRun::Phase::Running)
        finishRun(run, done);
}

void RegionPool::onQueueDeadline(PoolRun *run)
{
    run->m_deadlineTimer = 0;
    if (run->m_phase != PoolRun::Phase::Queued)
        return;
    run->m_phase = PoolRun::Phase::Ending;
    m_queue.removeOne(run);
    QString message = QStringLiteral("no runner free in %1 within %2")
                          .arg(m_region, DisplayFormat::duration(m_options.checkoutTimeoutMs));
    if (!m_lastBootError.isEmpty())
        message += QStringLiteral(" (the last probe failed to start: %1)").arg(m_lastBootError);
    pump(); // the demand it made may be gone
    failRun(run, LoadError::Kind::Timeout, message);
}

void RegionPool::onRunTimeout(PoolRun *run)
{
    run->m_runTimer = 0;
    if (run->m_phase != PoolRun::Phase::Running)
        return;
    if (PoolRunner *runner = findRunner(run->m_runnerId))
        runner->abandon(run->id()); // as for a cancel
    failRun(run, LoadError::Kind::Timeout,
        QStringLiteral("timed out after %1: the probe %2 in %3 sent no result")
            .arg(DisplayFormat::duration(m_options.runTimeoutMs), run->m_runnerId, m_region));
}

void RegionPool::onIdle(const QString &runnerId)
{
    PoolRunner *runner = findRunner(runnerId);
    if (!runner)
        return;
    runner->idleTimer = 0;
    if (runner->state != RunnerInfo::Ready || !runner->runs.isEmpty())
        return;
    // A min runner that idles down (minIdleShutdownAfterMs) is not replaced: the pool may now shrink below min.
    if (runner->holdsMinSlot)
        m_minTarget = std::max(0, m_minTarget - 1);
    qCDebug(lcRegionPool) << runnerId << "idle: stopping";
    stopRunner(runnerId);
    pump();
}

void RegionPool::armIdleTimer(PoolRunner *runner)
{
    m_clock->cancel(std::exchange(runner->idleTimer, 0));
    if (m_shutDown)
        return;
    const std::optional<qint64> after
        = runner->holdsMinSlot ? m_options.minIdleShutdownAfterMs : std::optional(m_options.idleShutdownAfterMs);
    if (!after)
        return;
    const QString id = runner->id;
    runner->idleTimer = m_clock->callAfter(*after, this, [this, id] { onIdle(id); });
}

void RegionPool::bootFailure(const QString &runnerId, const QString &reason, bool refused)
{
    PoolRunner *runner = findRunner(runnerId);
    if (!runner || runner->state != RunnerInfo::Booting)
        return;
    runner->lastError = reason;
    dropRunner(runnerId, RunnerInfo::Failed);
    m_lastBootError = reason;
    qCInfo(lcRegionPool) << "boot of" << runnerId << "failed:" << reason;
    emit bootFailed(reason);
    if (m_shutDown || !m_configError.isEmpty())
        return;
    if (refused) {
        // Another boot would be refused the same way: no retry. Runs that no other runner can take fail now
        // with the reason, rather than after the checkout timeout; the next run submitted tries again.
        m_retryDelayMs = bootRetryInitialMs;
        if (m_runners.empty())
            failQueued(QStringLiteral("the probe cannot start: %1").arg(reason));
        return;
    }
    if (!hasDemand()) {
        m_retryDelayMs = bootRetryInitialMs;
        return;
    }
    if (m_retryTimer)
        return; // a retry is planned already
    const qint64 delay = m_retryDelayMs;
    m_retryDelayMs = std::min(m_retryDelayMs * 2, bootRetryMaxMs);
    m_retryTimer = m_clock->callAfter(delay, this, [this] {
        m_retryTimer = 0;
        pump();
    });
    const QString detail
        = QStringLiteral("starting a probe failed: %1; retrying in %2").arg(reason, DisplayFormat::duration(delay));
    for (const QPointer<PoolRun> &run : PoolRun::guarded(m_queue)) {
        if (run && run->m_phase == PoolRun::Phase::Queued)
            reportQueued(run, detail);
    }
}

void RegionPool::runnerDied(const QString &runnerId, const QString &reason)
{
    PoolRunner *runner = findRunner(runnerId);
    if (!runner)
        return;
    if (runner->state == RunnerInfo::Booting) {
        bootFailure(runnerId, reason);
        return;
    }
    runner->lastError = reason;
    const QList<QPointer<PoolRun>> ending = PoolRun::endingInOrder(runner->heldRuns());
    qCInfo(lcRegionPool) << runnerId << "went away:" << reason;
    dropRunner(runnerId, RunnerInfo::Failed);
    pump(); // replaces it if there is demand
    const QString message = QStringLiteral("the probe in %1 went away: %2").arg(m_region, reason);
    for (const QPointer<PoolRun> &run : std::as_const(ending)) {
        if (run)
            failRun(run, LoadError::Kind::ConnectionFailed, message);
    }
}

void RegionPool::stopRunner(const QString &runnerId)
{
    dropRunner(runnerId, RunnerInfo::Stopping);
}

void RegionPool::dropRunner(const QString &runnerId, RunnerInfo::State finalState)
{
    const auto it
        = std::find_if(m_runners.begin(), m_runners.end(), [&](const auto &runner) { return runner->id == runnerId; });
    if (it == m_runners.end())
        return;
    const std::unique_ptr<PoolRunner> runner = std::move(*it);
    m_runners.erase(it);
    m_clock->cancel(std::exchange(runner->bootTimer, 0));
    m_clock->cancel(std::exchange(runner->idleTimer, 0));
    runner->state = finalState;
    runner->closeProbe(this);
    if (m_backend)
        m_backend->stop(runnerId);
    emit runnerChanged(runner->info());
    emit runnerRemoved(runnerId);
}

// Helpers ------------------------------------------------------------------------------------------------------

PoolRunner *RegionPool::findRunner(const QString &runnerId) const
{
    for (const auto &runner : m_runners) {
        if (runner->id == runnerId)
            return runner.get();
    }
    return nullptr;
}

int RegionPool::bootingCount() const
{
    return int(std::count_if(
        m_runners.cbegin(), m_runners.cend(), [](const auto &runner) { return runner->state == RunnerInfo::Booting; }));
}

int RegionPool::minHolderCount() const
{
    return int(
        std::count_if(m_runners.cbegin(), m_runners.cend(), [](const auto &runner) { return runner->holdsMinSlot; }));
}

int RegionPool::runnerLimit() const
{
    const int backendLimit = m_backend ? m_backend->limit() : -1;
    return backendLimit >= 0 ? std::min(m_options.max, backendLimit) : m_options.max;
}

int RegionPool::perRunnerConcurrency() const
{
    return m_options.singleUse ? 1 : m_options.maxConcurrency;
}

int RegionPool::freeSlots() const
{
    int free = 0;
    for (const auto &runner : m_runners) {
        if (runner->takesRuns(m_options.singleUse))
            free += runner->capacity - int(runner->runs.size());
    }
    return free;
}

RegionPool::NextRunStart RegionPool::nextRunStart() const
{
    if (!m_configError.isEmpty() || m_shutDown || !m_backend)
        return NextRunStart::Fails;
    // The queue is FIFO: the runs already in it take the free slots, and the boots' room, first.
    const qsizetype ahead = m_queue.size();
    if (freeSlots() > ahead)
        return NextRunStart::Hot;
    // As bootForDemand() decides: the boots under way absorb perRunnerConcurrency() waiting runs each, and while
    // the pool is below its limit, one more boots for runs they cannot absorb (after the back-off, if one runs).
    if (qsizetype(bootingCount()) * perRunnerConcurrency() > ahead || int(m_runners.size()) < runnerLimit())
        return NextRunStart::Cold;
    return NextRunStart::Waits;
}

bool RegionPool::hasDemand() const
{
    return !m_queue.isEmpty() || minHolderCount() < m_minTarget;
}

void RegionPool::reportQueued(PoolRun *run, const QString &detail)
{
    run->m_waitingForProbeStart = bootingCount() > 0 || m_retryTimer != 0;
    emit run->status(RunState::Queued, detail);
}

QString RegionPool::queuedDetail() const
{
    return bootingCount() > 0 || m_retryTimer ? QStringLiteral("starting a probe")
                                              : QStringLiteral("waiting for a runner");
}

void RegionPool::reportQueueLength()
{
    if (m_queue.size() == m_reportedQueueLength)
        return;
    m_reportedQueueLength = int(m_queue.size());
    emit queueLengthChanged(m_reportedQueueLength);
}

void RegionPool::finishRun(PoolRun *run, const DoneMessage &done)
{
    m_clock->cancel(std::exchange(run->m_deadlineTimer, 0));
    m_clock->cancel(std::exchange(run->m_runTimer, 0));
    run->finish(done);
}

void RegionPool::failRun(PoolRun *run, LoadError::Kind kind, const QString &message)
{
    finishRun(run, DoneMessage { run->id(), false, LoadError { kind, message }, std::nullopt, {}, {}, {} });
}

void RegionPool::failQueued(const QString &message)
{
    const QList<QPointer<PoolRun>> waiting = PoolRun::guarded(std::exchange(m_queue, {}));
    reportQueueLength();
    for (const QPointer<PoolRun> &run : std::as_const(waiting)) {
        if (run && run->m_phase == PoolRun::Phase::Queued)
            failRun(run, LoadError::Kind::Other, message);
    }
}

void RegionPool::failLater(PoolRun *run, LoadError::Kind kind, const QString &message)
{
    QMetaObject::invokeMethod(
        run, [this, run, kind, message] { failRun(run, kind, message); }, Qt::QueuedConnection);
}
