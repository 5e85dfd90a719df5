#include "pooldescription.h"

#include "fleet/backend.h"
#include "fleet/regionpool.h"
#include "model/displayformat.h"

#include <QLocale>
#include <QStringList>

QString PoolDescription::runnerState(const RunnerInfo &runner)
{
    switch (runner.state) {
    case RunnerInfo::Booting:
        return tr("booting");
    case RunnerInfo::Ready:
        if (runner.active == 0)
            return tr("idle");
        return tr("busy %1/%2").arg(runner.active).arg(runner.capacity);
    case RunnerInfo::Stopping:
        return tr("stopping");
    case RunnerInfo::Failed:
        return tr("failed");
    }
    return {};
}

QString PoolDescription::runners(const RunnerCounts &counts)
{
    QStringList parts;
    if (counts.busy)
        parts.append(tr("%1 busy").arg(counts.busy));
    if (counts.idle)
        parts.append(tr("%1 idle").arg(counts.idle));
    if (counts.booting)
        parts.append(tr("%1 booting").arg(counts.booting));
    if (parts.isEmpty())
        parts.append(tr("no runners"));
    if (counts.queued > 0)
        parts.append(tr("%n queued", nullptr, counts.queued));
    return parts.join(QStringLiteral(", "));
}

QString PoolDescription::setup(const RegionPool &pool)
{
    const PoolOptions options = pool.options();
    const int perRunner = pool.perRunnerConcurrency();
    const QString kind = pool.backend() ? pool.backend()->kind() : tr("no");
    const QString runners = options.min == options.max
        ? (options.max == 1 ? tr("1 runner") : tr("%1 runners").arg(options.max))
        : tr("%1–%2 runners").arg(options.min).arg(options.max);
    QString text = tr("%1 backend · %2 · %3")
                       .arg(kind, runners, perRunner == 1 ? tr("1 run each") : tr("%1 runs each").arg(perRunner));
    if (options.singleUse)
        text += QStringLiteral(" · ") + tr("single use");
    return text;
}

QString PoolDescription::nextRun(const RegionPool &pool, std::optional<qint64> lastBootMs, QString *why)
{
    const QString bootTime = lastBootMs ? DisplayFormat::duration(double(*lastBootMs), QLocale()) : QString();
    const QString lastBoot = lastBootMs ? tr(" (last boot took %1)").arg(bootTime) : QString();
    QString next;
    switch (pool.nextRunStart()) {
    case RegionPool::NextRunStart::Hot:
        next = tr("next run: hot");
        *why = tr("A ready runner has a free slot: the next run starts at once.");
        break;
    case RegionPool::NextRunStart::Cold:
        next = tr("next run: cold");
        *why = tr("No free slot: the next run waits for a runner to boot%1, and its time includes it.").arg(lastBoot);
        break;
    case RegionPool::NextRunStart::Waits:
        next = tr("next run: waits");
        *why = tr("All %1 runners are busy and the pool is at its maximum: the next run waits for a slot.")
                   .arg(pool.runnerLimit());
        break;
    case RegionPool::NextRunStart::Fails:
        return {};
    }
    if (lastBootMs)
        next += QStringLiteral(" · ") + tr("boot %1").arg(bootTime);
    return next;
}
