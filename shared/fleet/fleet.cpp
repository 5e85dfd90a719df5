#include "fleet.h"

#include "backend.h"
#include "clock.h"
#include "multiregionrun.h"
#include "poolrun.h"

Fleet::Fleet(Clock *clock, QObject *parent)
    : QObject(parent)
    , m_ownedClock(clock ? nullptr : std::make_unique<SystemClock>())
    , m_clock(clock ? clock : m_ownedClock.get())
{ }

Fleet::~Fleet()
{
    // Children would go after the members, so after our own clock, which the pools still use while dying.
    qDeleteAll(findChildren<MultiRegionRun *>(QString(), Qt::FindDirectChildrenOnly));
    for (const auto &[region, pool] : std::as_const(m_pools))
        delete pool;
    m_pools.clear();
}

RegionPool *Fleet::addRegion(const QString &region, const PoolOptions &options, Backend *backend, QString *error)
{
    const auto refuse = [error](const QString &why) -> RegionPool * {
        if (error)
            *error = why;
        return nullptr;
    };
    if (!ProtocolLimits::isIdentifier(region)) {
        return refuse(QStringLiteral("region \"%1\" is not 1–64 characters of A–Z, a–z, 0–9, '_' and '-'")
                          .arg(region.left(ProtocolLimits::maxIdentifierLength + 1)));
    }
    if (pool(region))
        return refuse(QStringLiteral("region %1 has a pool already").arg(region));
    if (!backend)
        return refuse(QStringLiteral("region %1 has no backend").arg(region));
    if (const QString invalid = options.validate(); !invalid.isEmpty())
        return refuse(QStringLiteral("region %1: %2").arg(region, invalid));
    auto *created = new RegionPool(region, options, backend, m_clock, this);
    m_pools.append({ region, created });
    return created;
}

RegionPool *Fleet::pool(const QString &region) const
{
    for (const auto &[name, pool] : m_pools) {
        if (name == region)
            return pool;
    }
    return nullptr;
}

QStringList Fleet::regions() const
{
    QStringList names;
    for (const auto &entry : m_pools)
        names.append(entry.first);
    return names;
}

MultiRegionRun *Fleet::submit(const QUrl &url, const LoadOptions &options, const QStringList &regions)
{
    auto *test = new MultiRegionRun(this);
    QStringList unique = regions;
    unique.removeDuplicates();
    for (const QString &region : std::as_const(unique)) {
        if (RegionPool *regionPool = pool(region))
            test->addRegion(region, regionPool->submit(url, options));
        else
            test->addFailedRegion(region, QStringLiteral("no probes are configured for region \"%1\"").arg(region));
    }
    test->start();
    return test;
}

void Fleet::shutdown()
{
    const auto pools = m_pools;
    for (const auto &entry : pools)
        entry.second->shutdown();
}
