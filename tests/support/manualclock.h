#pragma once

#include "fleet/clock.h"

#include <QList>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

// A Clock that moves only when a test says so. advance(ms) runs every callback that falls due on the way, in
// time order (ties in the order they were scheduled), with nowMs() set to each one's due time; a callback that
// schedules another runs it too if it falls due within the same advance. A callback whose context was destroyed
// is dropped. Zero-delay callbacks run on the next advance(), advance(0) included.
class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'000'000);

    qint64 nowMs() const override { return m_nowMs; }
    TimerId callAfter(qint64 delayMs, QObject *context, std::function<void()> callback) override;
    void cancel(TimerId id) override;

    void advance(qint64 ms);
    // Callbacks scheduled, not cancelled and whose context is alive.
    int pendingCount() const;
    // When the next of those falls due.
    std::optional<qint64> nextDueMs() const;

private:
    struct Entry
    {
        TimerId id = 0;
        qint64 dueMs = 0;
        bool hasContext = false;
        QPointer<QObject> context;
        std::function<void()> callback;

        bool alive() const { return !hasContext || context; }
    };

    qint64 m_nowMs;
    TimerId m_nextId = 1;
    QList<Entry> m_entries;
};
