#pragma once

#include "fakeprobe.h"
#include "fleet/backend.h"

#include <QHash>
#include <QPointer>
#include <QStringList>

// A Backend whose runners come up only when the test says so: completeBoot() starts a FakeProbe for the runner
// and answers booted(); failBoot() answers bootFailed(). kill() drops a booted runner's connections, lose()
// reports it lost. Every boot() and stop() is recorded, in order. Never answers from inside boot().
class FakeBackend final : public Backend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FakeBackend)

public:
    explicit FakeBackend(const QString &region, QObject *parent = nullptr);

    QString kind() const override { return QStringLiteral("fake"); }
    void boot(const QString &runnerId) override;
    void stop(const QString &runnerId) override;
    int limit() const override { return m_limit; }
    void setLimit(int limit) { m_limit = limit; }

    // Starts a FakeProbe for a runner that is booting and answers booted(); null (and nothing answered) when the
    // runner is not booting or the probe cannot listen.
    FakeProbe *completeBoot(const QString &runnerId, int capacity = 4);
    // Answers bootFailed(); false when the runner is not booting.
    bool failBoot(const QString &runnerId, const QString &reason);
    // Drops the runner's connections without a close frame; false without a probe.
    bool kill(const QString &runnerId);
    // Answers lost().
    void lose(const QString &runnerId, const QString &reason);

    FakeProbe *probe(const QString &runnerId) const { return m_probes.value(runnerId).data(); }
    // Booting: boot() called, no answer yet, not stopped.
    QStringList booting() const;

    QStringList boots; // every boot() in order
    QStringList stops; // every stop() in order

private:
    QString m_region;
    int m_limit = -1;
    QStringList m_booting;
    QHash<QString, QPointer<FakeProbe>> m_probes;
};
