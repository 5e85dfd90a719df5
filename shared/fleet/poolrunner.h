#pragma once

#include "clock.h"
#include "probeclient.h"
#include "protocol/message.h"

#include <QHash>
#include <QPointer>
#include <QString>

#include <chrono>
#include <functional>
#include <optional>

class PoolRun;

// One runner as the fleet panel shows it.
struct RunnerInfo
{
    enum State { Booting, Ready, Stopping, Failed };

    QString id;
    State state = Booting;
    int active = 0; // runs handed to it and not yet done by the probe
    int capacity = 0; // min(maxConcurrency, the probe's capacity); 0 until it is ready
    std::optional<qint64> bootMs; // boot() to ready, once known
    QString lastError; // why it failed
};

// One runner of a RegionPool: a worldspeed-probe the pool started through its Backend, the connection to it, and
// the runs on it. The pool decides (checkout, idle shutdown, what a failure means); a runner keeps its own state,
// answers what checkout asks of it, and routes its probe's frames to the runs they belong to.
struct PoolRunner
{
    // What the probe's connection tells the pool, beyond the frames that go to the runs themselves.
    struct Events
    {
        std::function<void(const HelloMessage &hello)> ready;
        std::function<void(const QString &reason)> unreachable; // the connection failed before the hello
        std::function<void(const QString &reason)> disconnected;
        std::function<void(const QString &runId, const DoneMessage &done)> done; // only while the connection is up
    };

    QString id;
    RunnerInfo::State state = RunnerInfo::Booting;
    bool holdsMinSlot = false; // booted for `min`: minIdleShutdownAfterMs applies, and it is replaced
    ProbeClient *client = nullptr; // the pool's child; from the backend's booted() on
    // Runs on the probe until the probe's done. A null entry is a run whose caller already has its done
    // (cancelled, timed out): its slot stays taken until the probe confirms.
    QHash<QString, QPointer<PoolRun>> runs;
    int capacity = 0;
    int taken = 0; // runs ever handed to it (singleUse)
    qint64 bootStartedMs = 0;
    std::optional<qint64> bootMs;
    quint64 readySequence = 0; // the pool's sequence when it became ready
    Clock::TimerId bootTimer = 0;
    Clock::TimerId idleTimer = 0;
    QString lastError;

    RunnerInfo info() const;
    // Ready, with room, and (single-use) not used yet: checkout may hand it a run.
    bool takesRuns(bool singleUse) const;
    // The runs on it whose callers wait for their done.
    QList<PoolRun *> heldRuns() const;
    // The run, if the probe is still running it for a caller that waits for its frames.
    PoolRun *liveRun(const QString &runId) const;
    // Lets go of a run whose caller has its done already: the probe is told to stop, and its slot stays taken
    // until the probe's own done.
    void abandon(const QString &runId);

    // Makes the client, a child of `pool`, which is also the context of every connection, and connects to the
    // probe. The handshake timeout only backs up the pool's own boot deadline. `pendingRequests`: ask the probe for
    // `started` frames.
    void connectProbe(QObject *pool, const ProbeClient::Endpoint &endpoint, std::chrono::milliseconds handshakeTimeout,
        bool pendingRequests, Events events);
    // Closes the connection: nothing of it reaches `pool` any more, and the client is deleted on the event loop.
    void closeProbe(QObject *pool);
};
