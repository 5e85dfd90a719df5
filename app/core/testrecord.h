#pragma once

#include "model/loaderror.h"
#include "model/loadoptions.h"
#include "model/pagemetrics.h"
#include "model/runresult.h"
#include "model/viewresult.h"
#include "protocol/message.h"

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

// One run of the page in one region, as the app received it frame by frame. The views' url is the test's;
// their startedAt is an estimate (see HistoryStore), since no frame carries the navigation's wall-clock time.
struct RegionRun
{
    int index = 1; // counts from 1, as the UI and the exports show it
    ViewResult firstView;
    std::optional<ViewResult> repeatView; // present once any frame of the repeat view arrived
    // A script that measures several steps (RunResult's): step 1 is firstView, named stepName; steps 2… are
    // laterSteps, each present once any frame of it arrived, and laterStepMeasured[k] says whether the final metrics
    // of laterSteps[k] did (the two lists have the same length). Empty for every run without such a script.
    QString stepName;
    QList<StepResult> laterSteps;
    QList<bool> laterStepMeasured;
    std::optional<LoadError> error; // present exactly when the run ended and failed
    bool cold = false; // this run had to start the browser
    std::optional<double> browserStartMs;
    // The probe's CPU benchmark index and the CPU throttling rate the run had (RunResult's); absent from old probes.
    std::optional<double> cpuBenchmarkIndex;
    std::optional<double> cpuSlowdownRate;
    // What the probe cut or left out of the run as a whole (RunResult::warnings); its views have their own.
    QStringList warnings;
    // Whether `done` arrived, and which views' `metrics` did. A run the app lost half-way has neither, and its
    // PageMetrics' zero request count must not be read as "measured zero requests".
    bool finished = false;
    bool firstViewMeasured = false;
    bool repeatViewMeasured = false;
    // Live only, never stored: the first view's metrics as of its load event, until its final ones arrive or the
    // run ends. Not a result: RegionSummary shows it only while nothing final is known.
    std::optional<PageMetrics> firstViewAtLoad;

    bool ok() const { return finished && !error; }
    // nullptr for a repeat view that never started.
    const ViewResult *view(RunView which) const;
    bool measured(RunView which) const { return which == RunView::First ? firstViewMeasured : repeatViewMeasured; }
    // Steps as RunResult counts them (index 0 is step 1, the first view): how many there are, each one's view,
    // whether its final metrics arrived, and what to call it (StepResult::label).
    qsizetype stepCount() const { return 1 + laterSteps.size(); }
    const ViewResult &stepView(qsizetype index) const;
    bool stepMeasured(qsizetype index) const;
    QString stepLabel(qsizetype index) const;
    // The run's warnings and its views' and steps', each once (a repeat view's list repeats the first view's).
    QStringList allWarnings() const;
    friend bool operator==(const RegionRun &, const RegionRun &) = default;
};

// What one region did in a test: where its progress got to, and its runs in index order.
struct RegionRecord
{
    RunState state = RunState::Queued;
    QString detail;
    // Live only, never stored: Queued because a probe is being started for it (the next run is a cold start).
    bool probeStarting = false;
    QList<RegionRun> runs;

    // The run with this index (counting from 1), or nullptr.
    const RegionRun *run(int index) const;
    // What the probe cut or left out in any of the runs, each warning once; when there are several runs, each says
    // which ("Runs 1, 3: …"), since a number in it may be one run's only.
    QStringList warnings() const;
    friend bool operator==(const RegionRecord &, const RegionRecord &) = default;
};

// One test as the app keeps it: a URL measured in several regions, a number of runs each.
struct TestRecord
{
    qint64 id = -1;
    QString url;
    QString label; // the user's name for the test; empty unless given
    LoadOptions options;
    int runsPerRegion = 1;
    QStringList regions; // codes, in the order the user picked them
    QDateTime startedAt; // UTC
    QDateTime finishedAt; // UTC; invalid while the test runs, or when the app stopped before it ended
    QMap<QString, RegionRecord> results; // by region code; every code in `regions` has one
    // Live only, never stored: frames may still arrive (RunRecorder's record of the test it is running). A test
    // read from the history is never running, so a run of it that did not end was stopped half-way.
    bool running = false;

    RegionRecord region(const QString &code) const { return results.value(code); }
    // RegionSummary's median: each metric's median over the region's ok runs whose view was measured; nullopt
    // when there is none, so an absent median is never shown as zero requests or bytes.
    std::optional<PageMetrics> medianMetrics(const QString &region, RunView view = RunView::First) const;
    // A run as the shared model and HarBuilder know it; a run's error becomes its first view's error when the
    // view has none of its own.
    RunResult runResult(const RegionRun &run) const;
    friend bool operator==(const TestRecord &, const TestRecord &) = default;
};
