#include "blockingtime.h"

#include <algorithm>
#include <cmath>

QList<BlockingTime::Task> BlockingTime::tasksFromJson(const QJsonArray &entries)
{
    constexpr double dayMs = 24.0 * 3600 * 1000;
    QList<Task> tasks;
    for (const QJsonValue &entry : entries) {
        if (tasks.size() >= maxTasks)
            break;
        const QJsonArray pair = entry.toArray();
        if (pair.size() != 2 || !pair[0].isDouble() || !pair[1].isDouble())
            continue;
        const double start = pair[0].toDouble();
        const double duration = pair[1].toDouble();
        if (!std::isfinite(start) || !std::isfinite(duration) || start < 0 || duration < 0 || start > dayMs
            || duration > dayMs)
            continue;
        tasks.append({ start, duration });
    }
    return tasks;
}

QList<BlockingTime::Task> BlockingTime::counted(
    const QList<Task> &tasks, std::optional<double> windowEndMs, qsizetype limit)
{
    QList<Task> kept;
    for (const Task &task : tasks) {
        if (task.durationMs >= longTaskMs && (!windowEndMs || task.startMs < *windowEndMs))
            kept.append(task);
    }
    std::stable_sort(kept.begin(), kept.end(), [](const Task &a, const Task &b) { return a.startMs < b.startMs; });
    if (kept.size() > limit)
        kept.resize(limit);
    return kept;
}

BlockingTime::Metrics BlockingTime::compute(
    const QList<Task> &tasks, std::optional<double> firstContentfulPaintMs, std::optional<double> windowEndMs)
{
    Metrics metrics;
    double blocking = 0;
    for (const Task &task : tasks) {
        if (task.durationMs < longTaskMs)
            continue;
        if (windowEndMs && task.startMs >= *windowEndMs)
            continue;
        ++metrics.longTaskCount;
        metrics.longestTaskMs = std::max(metrics.longestTaskMs.value_or(0), task.durationMs);
        if (!firstContentfulPaintMs || !windowEndMs)
            continue;
        const double start = std::max(task.startMs, *firstContentfulPaintMs);
        const double end = std::min(task.startMs + task.durationMs, *windowEndMs);
        blocking += std::max(0.0, end - start - longTaskMs);
    }
    if (firstContentfulPaintMs && windowEndMs)
        metrics.totalBlockingTimeMs = blocking;
    return metrics;
}
