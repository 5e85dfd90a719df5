#include "poolrun.h"

#include "regionpool.h"

PoolRun::PoolRun(RegionPool *pool, const QString &id, const QUrl &url, const LoadOptions &options)
    : QObject(pool)
    , m_pool(pool)
    , m_id(id)
    , m_region(pool->region())
    , m_url(url)
    , m_options(options)
{ }

PoolRun::~PoolRun()
{
    if (m_pool && (m_phase == Phase::Queued || m_phase == Phase::Running))
        m_pool->forgetRun(this);
}

void PoolRun::cancel()
{
    if (m_pool && (m_phase == Phase::Queued || m_phase == Phase::Running))
        m_pool->cancelRun(this);
}

void PoolRun::finish(const DoneMessage &done)
{
    if (m_phase == Phase::Finished)
        return;
    m_phase = Phase::Finished;
    m_result = done;
    emit this->done(done);
}
