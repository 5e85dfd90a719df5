#include "testrecord.h"

const ViewResult *RegionRun::view(RunView which) const
{
    if (which == RunView::First)
        return &firstView;
    return repeatView ? &*repeatView : nullptr;
}

std::optional<PageMetrics> TestRecord::medianMetrics(const QString &region, RunView view) const
{
    const auto it = results.constFind(region);
    if (it == results.cend())
        return std::nullopt;
    QList<PageMetrics> observed;
    for (const RegionRun &run : it->runs) {
        const ViewResult *result = run.view(view);
        if (run.ok() && result && run.measured(view))
            observed.append(result->metrics);
    }
    if (observed.isEmpty())
        return std::nullopt;
    return PageMetrics::median(observed);
}

RunResult TestRecord::runResult(const RegionRun &run) const
{
    RunResult result;
    result.url = url;
    result.options = options;
    result.browserStartMs = run.browserStartMs;
    result.firstView = run.firstView;
    result.repeatView = run.repeatView;
    if (run.error && !result.firstView.error)
        result.firstView.error = run.error;
    return result;
}
