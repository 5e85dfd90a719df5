#include "testrecord.h"

#include "regionsummary.h"

#include <algorithm>

const ViewResult *RegionRun::view(RunView which) const
{
    if (which == RunView::First)
        return &firstView;
    return repeatView ? &*repeatView : nullptr;
}

const RegionRun *RegionRecord::run(int index) const
{
    const auto found
        = std::find_if(runs.cbegin(), runs.cend(), [index](const RegionRun &run) { return run.index == index; });
    return found == runs.cend() ? nullptr : &*found;
}

std::optional<PageMetrics> TestRecord::medianMetrics(const QString &region, RunView view) const
{
    const auto it = results.constFind(region);
    if (it == results.cend())
        return std::nullopt;
    return RegionSummary::medianOf(*it, view);
}

RunResult TestRecord::runResult(const RegionRun &run) const
{
    RunResult result;
    result.url = url;
    result.options = options;
    result.browserStartMs = run.browserStartMs;
    result.cpuBenchmarkIndex = run.cpuBenchmarkIndex;
    result.cpuSlowdownRate = run.cpuSlowdownRate;
    result.firstView = run.firstView;
    result.repeatView = run.repeatView;
    if (run.error && !result.firstView.error)
        result.firstView.error = run.error;
    return result;
}
