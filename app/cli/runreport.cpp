#include "runreport.h"

#include <algorithm>

RunReport RunReport::evaluate(const TestRecord &test, const Budget &budget)
{
    RunReport report;
    report.test = test;
    report.budget = budget;
    for (const QString &code : test.regions)
        report.checks.append({ code, budget.evaluate(test.medianMetrics(code)) });
    return report;
}

bool RunReport::anyRegionFailed() const
{
    return !std::all_of(
        test.regions.begin(), test.regions.end(), [this](const QString &code) { return regionOk(test, code); });
}

bool RunReport::budgetPasses() const
{
    return std::all_of(
        checks.begin(), checks.end(), [](const RegionChecks &region) { return Budget::passes(region.checks); });
}

bool RunReport::regionOk(const TestRecord &test, const QString &region)
{
    const QList<RegionRun> runs = test.region(region).runs;
    return !runs.isEmpty() && std::all_of(runs.begin(), runs.end(), [](const RegionRun &run) { return run.ok(); });
}

std::optional<LoadError> RunReport::firstError(const RegionRecord &region)
{
    for (const RegionRun &run : region.runs) {
        if (run.error)
            return run.error;
    }
    return std::nullopt;
}
