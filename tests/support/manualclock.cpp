#include "manualclock.h"

#include <algorithm>

ManualClock::ManualClock(qint64 startMs)
    : m_nowMs(startMs)
{ }

Clock::TimerId ManualClock::callAfter(qint64 delayMs, QObject *context, std::function<void()> callback)
{
    Entry entry;
    entry.id = m_nextId++;
    entry.dueMs = m_nowMs + std::max<qint64>(0, delayMs);
    entry.hasContext = context != nullptr;
    entry.context = context;
    entry.callback = std::move(callback);
    m_entries.append(std::move(entry));
    return m_entries.last().id;
}

void ManualClock::cancel(TimerId id)
{
    m_entries.removeIf([id](const Entry &entry) { return entry.id == id; });
}

void ManualClock::advance(qint64 ms)
{
    const qint64 target = m_nowMs + std::max<qint64>(0, ms);
    for (;;) {
        // The earliest due entry; ids grow, so the lower id wins a tie.
        auto next = m_entries.end();
        for (auto it = m_entries.begin(); it != m_entries.end(); ++it) {
            if (it->dueMs <= target
                && (next == m_entries.end() || it->dueMs < next->dueMs
                    || (it->dueMs == next->dueMs && it->id < next->id))) {
                next = it;
            }
        }
        if (next == m_entries.end())
            break;
        Entry entry = std::move(*next);
        m_entries.erase(next);
        m_nowMs = std::max(m_nowMs, entry.dueMs);
        if (entry.alive())
            entry.callback();
    }
    m_nowMs = target;
}

int ManualClock::pendingCount() const
{
    return int(std::count_if(m_entries.cbegin(), m_entries.cend(), [](const Entry &entry) { return entry.alive(); }));
}

std::optional<qint64> ManualClock::nextDueMs() const
{
    std::optional<qint64> due;
    for (const Entry &entry : m_entries) {
        if (entry.alive() && (!due || entry.dueMs < *due))
            due = entry.dueMs;
    }
    return due;
}
