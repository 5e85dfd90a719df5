#pragma once

#include "clock.h"
#include "model/loadoptions.h"
#include "protocol/message.h"

#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>

#include <optional>

class RegionPool;

// One run in one region's pool, from RegionPool::submit() to its done(). While it waits for a runner it emits
// status(Queued, "waiting for a runner" or "starting a probe"); once on a probe it streams that probe's frames.
// It ends with exactly one done(): the probe's, or one the pool makes (queue deadline, run timeout, the probe
// went away, cancel, shutdown). Nothing is emitted after done().
class PoolRun final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PoolRun)

public:
    // Deleting a run that has not ended cancels it, without a done().
    ~PoolRun() override;

    // The run id on the wire; also DoneMessage::runId of its done().
    QString id() const { return m_id; }
    QString region() const { return m_region; }
    QUrl url() const { return m_url; }
    LoadOptions options() const { return m_options; }
    // True when it waited for a runner to boot (so its timing includes a cold start of the fleet).
    bool cold() const { return m_cold; }
    // While queued: whether what it waits for is a probe being started (rather than a busy one to free up), as of
    // its latest status(Queued). The app shows the region as booting then.
    bool waitingForProbeStart() const { return m_waitingForProbeStart; }
    // The runner it was handed to; empty while queued or if it never got one.
    QString runnerId() const { return m_runnerId; }
    bool isFinished() const { return m_phase == Phase::Finished; }
    std::optional<DoneMessage> result() const { return m_result; }

    // Ends the run with done(ok = false, kind cancelled) at once; a probe running it is told to stop.
    void cancel();

signals:
    void status(RunState state, const QString &detail);
    // `step` as in ProbeClient's signals: the script's measured step, 1 without one.
    void requestFinished(RunView view, const RequestTiming &request, int step);
    // Started and not ended yet: live state only, replaced by each one's requestFinished().
    void requestsStarted(RunView view, const QList<RequestTiming> &requests, int step);
    void metrics(RunView view, const MetricsMessage &metrics);
    void done(const DoneMessage &done);

private:
    friend class RegionPool;
    friend struct PoolRunner;

    enum class Phase {
        Queued, // waiting for a runner
        Running, // on a probe
        Ending, // neither any more, and its done() is on its way (cancel() does nothing)
        Finished,
    };

    PoolRun(RegionPool *pool, const QString &id, const QUrl &url, const LoadOptions &options);
    void finish(const DoneMessage &done);
    // Marks the runs as ending, in the order they were submitted, for the pool to fail once it is consistent again
    // (a run deleted meanwhile drops out of the list).
    static QList<QPointer<PoolRun>> endingInOrder(QList<PoolRun *> runs);
    // The runs as they are, for a loop whose signals may delete some of them (those drop out as null).
    static QList<QPointer<PoolRun>> guarded(const QList<PoolRun *> &runs);
    // What the probe would refuse about this run (its URL, its options), found before it waits for a runner.
    std::optional<LoadError> refusal() const;

    QPointer<RegionPool> m_pool;
    const QString m_id;
    const QString m_region;
    const QUrl m_url;
    const LoadOptions m_options;
    Phase m_phase = Phase::Queued;
    bool m_cold = false;
    bool m_waitingForProbeStart = false;
    QString m_runnerId;
    quint64 m_submitSequence = 0;
    Clock::TimerId m_deadlineTimer = 0;
    Clock::TimerId m_runTimer = 0;
    std::optional<DoneMessage> m_result;
};
