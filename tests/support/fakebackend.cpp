#include "fakebackend.h"

FakeBackend::FakeBackend(const QString &region, QObject *parent)
    : Backend(parent)
    , m_region(region)
{ }

void FakeBackend::boot(const QString &runnerId)
{
    boots.append(runnerId);
    m_booting.append(runnerId);
}

void FakeBackend::stop(const QString &runnerId)
{
    stops.append(runnerId);
    m_booting.removeAll(runnerId);
    // Like a stopped machine: its probe goes away, but stays readable for the test.
    if (FakeProbe *probe = m_probes.value(runnerId))
        probe->shutDown();
}

FakeProbe *FakeBackend::completeBoot(const QString &runnerId, int capacity)
{
    if (!m_booting.contains(runnerId))
        return nullptr;
    auto *probe = new FakeProbe(runnerId, m_region, capacity, this);
    if (!probe->listen()) {
        delete probe;
        return nullptr;
    }
    m_booting.removeAll(runnerId);
    m_probes.insert(runnerId, probe);
    emit booted(runnerId, probe->endpoint());
    return probe;
}

bool FakeBackend::failBoot(const QString &runnerId, const QString &reason)
{
    if (!m_booting.removeAll(runnerId))
        return false;
    emit bootFailed(runnerId, reason);
    return true;
}

bool FakeBackend::kill(const QString &runnerId)
{
    FakeProbe *probe = m_probes.value(runnerId);
    if (!probe)
        return false;
    probe->kill();
    return true;
}

void FakeBackend::lose(const QString &runnerId, const QString &reason)
{
    if (FakeProbe *probe = m_probes.value(runnerId))
        probe->shutDown();
    emit lost(runnerId, reason);
}

QStringList FakeBackend::booting() const
{
    return m_booting;
}
