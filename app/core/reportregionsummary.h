#pragma once

#include "regioncatalog.h"
#include "testrecord.h"

#include <QList>
#include <QString>

#include <optional>

// INTERIM — what the PDF report says about one region, moved unchanged out of pdfreport.cpp. It is one of the
// copies of "a region's ok runs, medians and failure" that the shared region summary replaces; until then the
// report's parts (ReportContent) read it from here and nowhere else.
struct ReportRegionSummary
{
    enum class Status { Measured, Failed, NoResult };

    QString code;
    QString name; // "Frankfurt (fra)"
    QString city; // for the chart; "" when unknown
    std::optional<RegionCatalog::Region> place;
    Status status = Status::NoResult;
    std::optional<PageMetrics> median;
    int runs = 0;
    int okRuns = 0;
    QString failure; // why the last failing run failed

    // One per region of the test, in the test's order.
    static QList<ReportRegionSummary> summarize(const TestRecord &test, const RegionCatalog &catalog);
};
