#pragma once

#include "fleet/poolrunner.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

class RegionPool;

// How a region's pool and its runners read for people, in the fleet panel: a runner's state ("busy 2/4"), the
// region's runners by what they do ("1 busy, 2 idle, 1 queued"), the pool's setup ("fly backend · 1–3 runners ·
// 2 runs each") and whether the next run starts hot, cold or waits, with why. Only words: the pool decides (its
// public answers are read, its rules are not copied), and the panel decides colours and layout.
class PoolDescription final
{
    Q_DECLARE_TR_FUNCTIONS(PoolDescription)

public:
    // A region's runners as the panel lists them.
    struct RunnerCounts
    {
        int booting = 0;
        int idle = 0;
        int busy = 0;
        int queued = 0; // runs waiting for a slot
    };

    // "booting", "idle", "busy 2/4", "stopping", "failed".
    static QString runnerState(const RunnerInfo &runner);
    // "1 busy, 2 idle, 1 booting, 3 queued"; "no runners" when none is up or booting.
    static QString runners(const RunnerCounts &counts);
    // "fly backend · 1–3 runners · 2 runs each · single use".
    static QString setup(const RegionPool &pool);
    // "next run: cold · boot 2.14 s", with why in `why`; empty for a pool that fails every run.
    static QString nextRun(const RegionPool &pool, std::optional<qint64> lastBootMs, QString *why);
};
