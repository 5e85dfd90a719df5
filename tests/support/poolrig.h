#pragma once

#include "fakebackend.h"
#include "fakeprobe.h"
#include "fleet/regionpool.h"
#include "manualclock.h"

#include <QList>
#include <QStringList>
#include <QTest>

#include <memory>
#include <optional>

// One RegionPool in region "fra" for the pool's tests, with its FakeBackend (whose runners are FakeProbes) and a
// ManualClock, and ways to look at its runners.
struct PoolRig
{
    // The page every run asks for (the fake probes never load it), and a timeout that never comes by itself.
    static inline const QUrl pageUrl { QStringLiteral("https://example.com/") };
    static constexpr qint64 oneHourMs = 3'600'000;

    explicit PoolRig(const PoolOptions &options)
        : pool(std::make_unique<RegionPool>(QStringLiteral("fra"), options, &backend, &clock))
    { }

    std::optional<RunnerInfo> runner(const QString &id) const
    {
        const QList<RunnerInfo> runners = pool->runners();
        for (const RunnerInfo &info : runners) {
            if (info.id == id)
                return info;
        }
        return std::nullopt;
    }

    QStringList runnerIds() const
    {
        QStringList ids;
        const QList<RunnerInfo> runners = pool->runners();
        for (const RunnerInfo &info : runners)
            ids.append(info.id);
        return ids;
    }

    // Completes the runner's boot and waits until the pool has the probe's hello; null if it did not come.
    FakeProbe *bootReady(const QString &id, int capacity = 4)
    {
        FakeProbe *probe = backend.completeBoot(id, capacity);
        if (!probe)
            return nullptr;
        const bool ready = QTest::qWaitFor(
            [&] {
                const std::optional<RunnerInfo> info = runner(id);
                return info && info->state == RunnerInfo::Ready;
            },
            5000);
        return ready ? probe : nullptr;
    }

    ManualClock clock;
    FakeBackend backend { QStringLiteral("fra") };
    std::unique_ptr<RegionPool> pool; // declared last: goes first
};
