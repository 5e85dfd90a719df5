#pragma once

#include "regioncatalog.h"
#include "regionsummary.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// What the PDF report says about one region: the region's summary, counted as everywhere else (RegionSummary),
// and where the region is, for the map, the table and the chart.
struct ReportRegionSummary : RegionSummary
{
    QString name; // "Frankfurt (fra)"
    QString city; // for the chart; "" when unknown
    std::optional<RegionCatalog::Region> place;
    QStringList warnings; // what the probe cut or left out of its runs (RegionRecord::warnings)
    // A script that measures several steps: what each step is called (RegionRun::stepLabel; steps[0] is step 1,
    // whose numbers are the region's own) and each later step's medians (RegionSummary::medianOfStep), index k - 1
    // for step k + 1. Both empty for a test of one step.
    QStringList stepLabels;
    QList<std::optional<PageMetrics>> laterStepMedians;

    // One per region of the test, in the test's order.
    static QList<ReportRegionSummary> summarize(const TestRecord &test, const RegionCatalog &catalog);
};
