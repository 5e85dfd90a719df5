#pragma once

#include "loadoptions.h"
#include "stepresult.h"
#include "viewresult.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

class JsonReader;

// A measured run of one URL: its first view and, when asked for, its repeat view.
//
// Steps: a script may measure several pages in one run (WebPageTest's steps, numbered from 1). Step 1 is firstView
// (and stepName), where every run has kept its page; steps 2… are laterSteps. So a one-step run, which is every run
// without such a script, is the same value, the same JSON and the same history row as before steps existed, and a
// reader that knows nothing of steps still reads step 1 as the run's page. Code that shows steps goes through
// stepCount() / stepView() / stepLabel(), which treat all steps alike.
struct RunResult
{
    QString url;
    LoadOptions options;
    QString browserVersion; // e.g. "Chrome/156.0.8078.79"
    std::optional<double> browserStartMs; // present when this run had to start the browser (a cold start)
    // The probe's CPU speed (its CpuBenchmark index, higher is faster) and the CPU throttling rate it applied to
    // the page (1: none): with a relative slowdown that rate follows from the index. Absent from probes before them.
    std::optional<double> cpuBenchmarkIndex;
    std::optional<double> cpuSlowdownRate;
    ViewResult firstView;
    std::optional<ViewResult> repeatView;
    QString stepName; // step 1's setEventName; empty when unnamed (always, for a run without a script)
    QList<StepResult> laterSteps; // steps 2… of a script that measures several; empty otherwise
    // What the probe cut or left out of the run as a whole (a page of too many requests, a URL or header over the
    // protocol's size); model/warnings.h.
    QStringList warnings;

    void warn(const QString &warning); // Warnings::add

    bool ok() const;
    qsizetype stepCount() const { return 1 + laterSteps.size(); }
    // Step `index` (0-based; step 1 is index 0): its measured view, and what to call it (StepResult::label).
    const ViewResult &stepView(qsizetype index) const;
    QString stepLabel(qsizetype index) const;
    QJsonObject toJson() const;
    static std::optional<RunResult> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const RunResult &, const RunResult &) = default;
};
