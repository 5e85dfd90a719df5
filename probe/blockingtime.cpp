#include "blockingtime.h"

#include <algorithm>

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
