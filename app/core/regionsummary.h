#pragma once

#include "model/loaderror.h"
#include "model/pagemetrics.h"
#include "testrecord.h"

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

// What one region did in a test, counted the one way that every view of a test counts it: the region table and
// the map, the CLI's table and JSON, the PDF report, and the history's list and trend (whose SQL keeps the same
// rule for speed; tst_historystore compares the two on the same stored tests).
//
//   - A run is ok when it ended without an error (RegionRun::ok()). One that failed, was cancelled or never ended
//     is not; while the test is running (TestRecord::running) one that has not ended yet is in progress instead.
//   - Each metric's median is over the ok runs whose view was measured (PageMetrics::median: the mean of the two
//     middle values for an even count); absent when there is no such run, so that it is never shown as zero.
//     A page that answered 4xx/5xx failed its run, and its numbers are not in the medians.
//   - The representative run, the one a waterfall shows, is the median of those runs by load time (the lower
//     middle for an even count); when no run is ok, the run that recorded the most requests (a partial load).
//   - The failure is the last failed run's error, else the region's own error detail, else — in a test that is
//     over — that a run never ended.
struct RegionSummary
{
    Q_DECLARE_TR_FUNCTIONS(RegionSummary)

public:
    // Where the region stands, for a person watching the test.
    enum class Phase { Idle, Queued, Booting, StartingBrowser, Loading, Complete, Failed };
    // What it came to: numbers (some run ok), a failure with its reason, or nothing at all.
    enum class Status { Measured, Failed, NoResult };

    QString code;
    Phase phase = Phase::Idle; // Idle: the region is not in the test
    Status status = Status::NoResult;
    int runsPerRegion = 1; // the test's
    int runs = 0; // recorded, ended or not
    int finishedRuns = 0;
    int okRuns = 0;
    int medianRuns = 0; // the ok runs whose first view was measured: what `median` is over
    std::optional<PageMetrics> median; // of the first views
    std::optional<PageMetrics> repeatViewMedian;
    // While the region is loading and has no median yet: its latest run's first view as of the load event
    // (RegionRun::firstViewAtLoad), shown until the final numbers come. Never counted as a result.
    std::optional<PageMetrics> atLoad;
    std::optional<int> representativeRun; // its RegionRun::index; none when the region has no run
    std::optional<LoadError> firstError; // of the first run that failed (the CLI reports this one)
    std::optional<LoadError> lastError; // of the latest run that failed
    QString failure; // why, in words; empty when nothing failed
    QString detail; // the region's latest progress detail

    static RegionSummary of(const TestRecord &test, const QString &code);
    // One per region of the test, in its order.
    static QList<RegionSummary> of(const TestRecord &test);
    // Each metric's median over the ok runs whose `view` was measured; nullopt when there is none.
    static std::optional<PageMetrics> medianOf(const RegionRecord &record, RunView view);
    // The same for a script's measured step (0-based, RegionRun::stepView): over the ok runs that measured it.
    static std::optional<PageMetrics> medianOfStep(const RegionRecord &record, qsizetype step);
    // The most steps any of the region's runs has (1 for a run without a script that measures several).
    static qsizetype stepCountOf(const RegionRecord &record);

    const std::optional<PageMetrics> &medianOf(RunView view) const
    {
        return view == RunView::First ? median : repeatViewMedian;
    }
    // Every recorded run ended and loaded the page, and there is one.
    bool allOk() const { return runs > 0 && okRuns == runs; }
    int failedRuns() const { return runs - okRuns; } // in a test that is over
    // What the region's row and marker show: the median, else the figures as of the load event, else nothing.
    const std::optional<PageMetrics> &shown() const { return median ? median : atLoad; }
    // "Loading page (run 2 of 3)", "Loaded, finishing…", "200 Complete", "Failed: net::ERR_NAME_NOT_RESOLVED", …
    // Whether a region's detail or failure says its probe has no token (the keychain lacks it).
    static bool lacksToken(const QString &text);
    QString stateText() const;
    // How much of its part of the test the region has done, in runs (0 … runsPerRegion): its ended runs and a
    // share of the current one by where it stands, so that a progress bar moves while a single page loads. A region
    // that is over has done all of its runs, failed or not.
    double doneRuns() const;
    bool isOver() const { return phase == Phase::Complete || phase == Phase::Failed; }
};
