#pragma once

#include "regionpool.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <memory>

class Backend;
class Clock;
class MultiRegionRun;

// The fleet: one RegionPool per region, and tests fanned out to several regions at once (FLAME's multicall).
// Backends are the caller's (FleetConfig builds them) and must outlive the fleet; pools and multi-region runs are its
// children.
class Fleet final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Fleet)

public:
    // `clock` is not owned and must outlive the fleet; null: a SystemClock of its own.
    explicit Fleet(Clock *clock = nullptr, QObject *parent = nullptr);
    // Deletes its tests and pools (stopping every runner) before its own clock goes.
    ~Fleet() override;

    // Null, with *error set, for a region that exists already, a bad region name, invalid options or no backend.
    RegionPool *addRegion(
        const QString &region, const PoolOptions &options, Backend *backend, QString *error = nullptr);
    RegionPool *pool(const QString &region) const;
    // In the order added.
    QStringList regions() const;
    Clock *clock() const { return m_clock; }

    // One run of `url` in each of `regions` (duplicates ignored). The handle is a child of the fleet:
    // delete it when done with it.
    MultiRegionRun *submit(const QUrl &url, const LoadOptions &options, const QStringList &regions);

    // Shuts every pool down (see RegionPool::shutdown()).
    void shutdown();

private:
    std::unique_ptr<Clock> m_ownedClock;
    Clock *m_clock;
    QList<std::pair<QString, RegionPool *>> m_pools; // children
};
