#include "testrecord.h"

#include "regionsummary.h"

#include <QObject>

#include <algorithm>

const ViewResult *RegionRun::view(RunView which) const
{
    if (which == RunView::First)
        return &firstView;
    return repeatView ? &*repeatView : nullptr;
}

const ViewResult &RegionRun::stepView(qsizetype index) const
{
    return index <= 0 ? firstView : laterSteps.at(index - 1).view;
}

bool RegionRun::stepMeasured(qsizetype index) const
{
    return index <= 0 ? firstViewMeasured : laterStepMeasured.value(index - 1, false);
}

QString RegionRun::stepLabel(qsizetype index) const
{
    return index <= 0 ? StepResult::label(stepName, firstView) : laterSteps.at(index - 1).label();
}

QStringList RegionRun::allWarnings() const
{
    QStringList all = warnings;
    QList<const ViewResult *> views { &firstView, repeatView ? &*repeatView : nullptr };
    for (const StepResult &step : laterSteps)
        views.append(&step.view);
    for (const ViewResult *view : views) {
        if (!view)
            continue;
        for (const QString &warning : view->warnings) {
            if (!all.contains(warning))
                all.append(warning);
        }
    }
    return all;
}

QStringList RegionRecord::warnings() const
{
    QStringList texts; // in the order they first came
    QList<QStringList> runsOf;
    for (const RegionRun &run : runs) {
        for (const QString &warning : run.allWarnings()) {
            qsizetype at = texts.indexOf(warning);
            if (at < 0) {
                at = texts.size();
                texts.append(warning);
                runsOf.append(QStringList());
            }
            runsOf[at].append(QString::number(run.index));
        }
    }
    if (runs.size() <= 1)
        return texts;
    QStringList said;
    for (qsizetype i = 0; i < texts.size(); ++i) {
        const QString which = runsOf.at(i).size() == 1 ? QObject::tr("Run %1").arg(runsOf.at(i).constFirst())
                                                       : QObject::tr("Runs %1").arg(runsOf.at(i).join(u", "));
        said.append(which + u": " + texts.at(i));
    }
    return said;
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
    result.stepName = run.stepName;
    result.laterSteps = run.laterSteps;
    result.warnings = run.warnings;
    if (run.error && !result.firstView.error)
        result.firstView.error = run.error;
    return result;
}
