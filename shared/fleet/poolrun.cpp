#include "poolrun.h"

#include "regionpool.h"

#include <algorithm>

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

QList<QPointer<PoolRun>> PoolRun::endingInOrder(QList<PoolRun *> runs)
{
    std::sort(runs.begin(), runs.end(),
        [](const PoolRun *a, const PoolRun *b) { return a->m_submitSequence < b->m_submitSequence; });
    QList<QPointer<PoolRun>> ending;
    for (PoolRun *run : std::as_const(runs)) {
        run->m_phase = Phase::Ending; // cancel() is a no-op from here
        ending.append(run);
    }
    return ending;
}

QList<QPointer<PoolRun>> PoolRun::guarded(const QList<PoolRun *> &runs)
{
    QList<QPointer<PoolRun>> guarded;
    guarded.reserve(runs.size());
    for (PoolRun *run : runs)
        guarded.append(run);
    return guarded;
}

std::optional<LoadError> PoolRun::refusal() const
{
    if (!m_url.isValid() || m_url.isEmpty()) {
        return LoadError {
            LoadError::Kind::InvalidUrl,
            QStringLiteral("not a valid URL: %1").arg(m_url.isEmpty() ? QStringLiteral("empty") : m_url.errorString())
        };
    }
    // The probe's own checks, so a bad run fails now instead of after waiting for a runner.
    const RunMessage check { m_id, m_url.toString(QUrl::FullyEncoded), m_options };
    QString error;
    if (RunMessage::fromJson(check.toJson(), &error))
        return std::nullopt;
    return LoadError { error.startsWith(u"url") ? LoadError::Kind::InvalidUrl : LoadError::Kind::Other,
        QStringLiteral("the probe would refuse this run: %1").arg(error) };
}
