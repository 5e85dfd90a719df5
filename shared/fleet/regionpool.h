#pragma once

#include "backend.h"
#include "clock.h"
#include "model/loadoptions.h"
#include "pooloptions.h"
#include "poolrunner.h"
#include "probeclient.h"
#include "protocol/message.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <memory>
#include <optional>
#include <vector>

class PoolRun;

// One region's elastic pool of runners (worldspeed-probes started through a Backend), with FLAME's semantics:
//
// Checkout, for the run at the head of the queue: take the ready runner with the fewest active runs; if it is
// below its capacity, the run goes there. Otherwise the run waits (FIFO, each with the checkout deadline), and one
// more runner boots while runners (booting + ready) < max, unless those already booting can absorb the waiting
// runs (each booting runner absorbs maxConcurrency of them). `min` runners boot at start and are kept (replaced
// when they fail) unless minIdleShutdownAfterMs is set.
//
// A boot that fails (the backend's bootFailed, the probe unreachable, or no hello within bootTimeoutMs) is
// reported with bootFailed() and retried after a back-off (1 s doubling to 30 s, through the Clock) while there
// is demand: queued runs, or fewer runners than `min`. No boot starts while a retry is pending. A boot the backend
// refuses (Backend::bootRefused: no token, say) is reported the same way but not retried, and when no other runner
// is up or booting the queued runs fail at once with its reason; the next run submitted boots again.
//
// A runner that goes away (its connection drops, or the backend reports it lost) fails only the runs it had,
// and is replaced if there is demand. A runner without runs is stopped idleShutdownAfterMs after its last run
// ended (or after it became ready); `min` runners only after minIdleShutdownAfterMs, if set, and are then not
// replaced.
//
// Every run handle ends with exactly one done(). All time goes through the Clock. The pool must outlive nothing
// it hands out: runs are its children. Do not delete the pool from inside one of its or its runs' signals.
class RegionPool final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RegionPool)

public:
    static constexpr qint64 bootRetryInitialMs = 1'000;
    static constexpr qint64 bootRetryMaxMs = 30'000;

    // `backend` and `clock` are not owned and must outlive the pool. Boots the `min` runners at once; call
    // runners() for them, since signals emitted from a constructor reach nobody. Invalid options (see
    // configError()) make a pool that boots nothing and fails every run with the reason.
    RegionPool(
        const QString &region, const PoolOptions &options, Backend *backend, Clock *clock, QObject *parent = nullptr);
    // Stops every runner at the backend; emits nothing (runs, its children, go with it).
    ~RegionPool() override;

    QString region() const { return m_region; }
    PoolOptions options() const { return m_options; }
    Backend *backend() const { return m_backend; }
    QString configError() const { return m_configError; }

    // Queues one run; the handle is a child of the pool (delete it when done with it; deleting it earlier
    // cancels it). It never emits from inside this call: an invalid URL or options end it with done() on the
    // event loop.
    PoolRun *submit(const QUrl &url, const LoadOptions &options = {});

    QList<RunnerInfo> runners() const;
    int queueLength() const { return int(m_queue.size()); }
    bool isShutDown() const { return m_shutDown; }

    // What a run submitted now would get, by the rules checkout and growth follow: a free slot on a ready runner
    // once the runs queued before it have theirs (Hot); a boot first, one under way with room for it or one the
    // pool starts (Cold: its time includes the boot); a slot of a busy runner, the pool being at its runner limit
    // (Waits); or its failure, the pool being unusable or shut down (Fails).
    enum class NextRunStart { Hot, Cold, Waits, Fails };
    NextRunStart nextRunStart() const;
    // How many runners the pool may have at once: `max`, capped by the backend's limit().
    int runnerLimit() const;
    // How many runs a runner takes at most before the probe's own capacity caps it: 1 when single-use.
    int perRunnerConcurrency() const;

    // Stops every runner and fails every queued and in-flight run ("the pool is shutting down"). Final: later
    // submissions fail the same way.
    void shutdown();

signals:
    void runnerChanged(const RunnerInfo &runner);
    void runnerRemoved(const QString &runnerId);
    void queueLengthChanged(int length);
    // A boot failed; `reason` is the backend's own words, or what went wrong on the way to the probe's hello.
    void bootFailed(const QString &reason);

private:
    friend class PoolRun;

    // The run handles' side.
    void cancelRun(PoolRun *run);
    void forgetRun(PoolRun *run); // from ~PoolRun

    void pump();
    void assignQueued();
    void bootForDemand();
    void bootRunner(bool holdsMinSlot);
    void startRun(PoolRunner *runner, PoolRun *run);
    PoolRunner *pickRunner() const;

    void onBooted(const QString &runnerId, const ProbeClient::Endpoint &endpoint);
    void onRunnerReady(const QString &runnerId, const HelloMessage &hello);
    void onRunDone(const QString &runnerId, const QString &runId, const DoneMessage &done);
    void onQueueDeadline(PoolRun *run);
    void onRunTimeout(PoolRun *run);
    void onIdle(const QString &runnerId);
    // `refused`: the backend said trying again cannot help (Backend::bootRefused).
    void bootFailure(const QString &runnerId, const QString &reason, bool refused = false);
    void runnerDied(const QString &runnerId, const QString &reason);
    void stopRunner(const QString &runnerId);
    // Takes the runner out: timers, client, backend stop, runnerRemoved().
    void dropRunner(const QString &runnerId, RunnerInfo::State finalState);
    void armIdleTimer(PoolRunner *runner);

    PoolRunner *findRunner(const QString &runnerId) const;
    int bootingCount() const;
    int minHolderCount() const;
    int freeSlots() const; // on ready runners that may take a run
    bool hasDemand() const;
    QString queuedDetail() const;
    void reportQueued(PoolRun *run, const QString &detail);
    void reportQueueLength();
    void finishRun(PoolRun *run, const DoneMessage &done);
    void failRun(PoolRun *run, LoadError::Kind kind, const QString &message);
    // Every queued run, now, with `message`.
    void failQueued(const QString &message);
    // The same on the event loop, for a run that must not end inside the call that made it.
    void failLater(PoolRun *run, LoadError::Kind kind, const QString &message);

    const QString m_region;
    const PoolOptions m_options;
    QPointer<Backend> m_backend;
    Clock *m_clock;
    QString m_configError;

    std::vector<std::unique_ptr<PoolRunner>> m_runners; // in boot order: ties in checkout go to the oldest
    QList<PoolRun *> m_queue; // FIFO
    int m_reportedQueueLength = 0;
    int m_minTarget = 0; // `min`, less the min runners that idled down (minIdleShutdownAfterMs)
    int m_nextRunnerNumber = 1;
    Clock::TimerId m_retryTimer = 0;
    qint64 m_retryDelayMs = bootRetryInitialMs;
    QString m_lastBootError; // since the last runner became ready
    quint64 m_sequence = 0; // orders submissions and runners becoming ready, for cold()
    bool m_shutDown = false;
    bool m_pumping = false;
    bool m_pumpAgain = false;
};
