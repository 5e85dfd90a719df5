#pragma once

#include "model/longtask.h"

#include <QJsonArray>
#include <QList>

#include <optional>

// Main-thread blocking from the page's long tasks (the Long Tasks API reports every task of 50 ms or more).
//
// Total Blocking Time is Σ (duration − 50 ms) over the long tasks, each first clipped to a window that starts at
// first contentful paint, as Lighthouse clips it. Lighthouse ends the window at Time to Interactive, which needs a
// 5 s quiet period after the load and a network model; we end it at the end of the load we observed (the fully
// loaded time, or the load event when the network never went quiet), so a task after that does not count. For a page
// that is quiet before our window ends both agree; for a page still busy after it, ours is the smaller number.
class BlockingTime final
{
public:
    static constexpr double longTaskMs = LongTask::thresholdMs;

    using Task = LongTask;

    struct Metrics
    {
        std::optional<double> totalBlockingTimeMs; // absent without a first contentful paint or a window end
        int longTaskCount = 0; // every long task from navigation start to the window's end
        std::optional<double> longestTaskMs; // absent when there was none
    };

    // The page's own report, [[startTime, duration], …]: entries that are not two finite, non-negative numbers
    // (a page can write anything there) are dropped, and at most maxTasks are kept.
    static constexpr qsizetype maxTasks = 10'000;
    static QList<Task> tasksFromJson(const QJsonArray &entries);

    // Tasks shorter than 50 ms are ignored (the API does not report them; a test may).
    static Metrics compute(
        const QList<Task> &tasks, std::optional<double> firstContentfulPaintMs, std::optional<double> windowEndMs);
    // The long tasks that count (the same as compute()'s longTaskCount), in the order they ran, at most `limit`.
    static QList<Task> counted(const QList<Task> &tasks, std::optional<double> windowEndMs, qsizetype limit);
};
