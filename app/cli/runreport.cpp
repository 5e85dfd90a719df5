#include "runreport.h"

#include <algorithm>

RunReport RunReport::evaluate(const TestRecord &test, const Budget &budget)
{
    RunReport report;
    report.test = test;
    report.regions = RegionSummary::of(test);
    report.budget = budget;
    for (const RegionSummary &region : std::as_const(report.regions))
        report.checks.append({ region.code, budget.evaluate(test.region(region.code)) });
    return report;
}

bool RunReport::anyRegionFailed() const
{
    return !std::all_of(regions.begin(), regions.end(), [](const RegionSummary &region) { return region.allOk(); });
}

bool RunReport::budgetPasses() const
{
    return std::all_of(
        checks.begin(), checks.end(), [](const RegionChecks &region) { return Budget::passes(region.checks); });
}
