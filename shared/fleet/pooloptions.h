#pragma once

#include <QString>
#include <QtGlobal>

#include <optional>

// How one region's pool grows and shrinks (after Phoenix FLAME's pool); RegionPool says what each one does.
struct PoolOptions
{
    int min = 0; // runners booted at start and kept
    int max = 1; // runners at once, booting included (a backend's limit() caps it further)
    int maxConcurrency = 1; // runs per runner; the probe's hello capacity caps it further
    qint64 idleShutdownAfterMs = 30'000; // a runner without runs is stopped this long after its last run ended
    std::optional<qint64> minIdleShutdownAfterMs; // the same for the `min` runners; unset: they never idle down
    qint64 bootTimeoutMs = 60'000; // from backend boot() to the probe's hello
    qint64 runTimeoutMs = 180'000; // from handing a run to a probe to its done
    qint64 checkoutTimeoutMs = 120'000; // how long a run may wait in the queue for a runner
    bool singleUse = false; // a runner takes one run and is stopped after it
    // Its probes are asked for `started` frames, the live waterfall's pending rows. A caller that shows no live
    // waterfall (the command line) does not ask: the probe would send them all for nothing.
    bool pendingRequests = true;

    // Empty when the options make sense, else what is wrong, in words for a config file's author.
    QString validate() const;
    friend bool operator==(const PoolOptions &, const PoolOptions &) = default;
};
