#pragma once

#include "budget.h"
#include "regionsummary.h"
#include "testrecord.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// A finished `worldspeed-cli run` as its outputs tell it: the test, where it was kept, each region's medians
// against the budget, and the files written beside it. The table, the JSON, stderr and the exit code all read
// this one account.
struct RunReport
{
    struct RegionChecks
    {
        QString region;
        QList<Budget::Check> checks;
    };

    TestRecord test;
    QList<RegionSummary> regions; // RegionSummary::of(test): a region passed when all its runs loaded the page
    QString savedIn; // the history database that keeps the test (--save); empty when it was not kept
    Budget budget;
    QList<RegionChecks> checks; // per region, in the test's order
    QStringList harFiles;
    QString pdfFile;

    // The test's regions' medians evaluated against `budget`.
    static RunReport evaluate(const TestRecord &test, const Budget &budget);
    bool anyRegionFailed() const;
    bool budgetPasses() const;
};
