#include "runresult.h"

#include "jsonreader.h"
#include "testscript.h"
#include "warnings.h"

#include <algorithm>

bool RunResult::ok() const
{
    return firstView.ok() && (!repeatView || repeatView->ok())
        && std::all_of(laterSteps.cbegin(), laterSteps.cend(), [](const StepResult &step) { return step.view.ok(); });
}

const ViewResult &RunResult::stepView(qsizetype index) const
{
    return index <= 0 ? firstView : laterSteps.at(index - 1).view;
}

QString RunResult::stepLabel(qsizetype index) const
{
    return index <= 0 ? StepResult::label(stepName, firstView) : laterSteps.at(index - 1).label();
}

void RunResult::warn(const QString &warning)
{
    Warnings::add(warnings, warning);
}

QJsonObject RunResult::toJson() const
{
    QJsonObject json;
    json.insert(QStringLiteral("url"), url);
    json.insert(QStringLiteral("options"), options.toJson());
    if (!browserVersion.isEmpty())
        json.insert(QStringLiteral("browserVersion"), browserVersion);
    if (browserStartMs)
        json.insert(QStringLiteral("browserStartMs"), *browserStartMs);
    if (cpuBenchmarkIndex)
        json.insert(QStringLiteral("cpuBenchmarkIndex"), *cpuBenchmarkIndex);
    if (cpuSlowdownRate)
        json.insert(QStringLiteral("cpuSlowdownRate"), *cpuSlowdownRate);
    json.insert(QStringLiteral("firstView"), firstView.toJson());
    if (repeatView)
        json.insert(QStringLiteral("repeatView"), repeatView->toJson());
    // Only a script's run has these: every other run's JSON is as it was before steps.
    if (!stepName.isEmpty())
        json.insert(QStringLiteral("stepName"), stepName);
    if (!laterSteps.isEmpty()) {
        QJsonArray steps;
        for (const StepResult &step : laterSteps)
            steps.append(step.toJson());
        json.insert(QStringLiteral("laterSteps"), steps);
    }
    if (!warnings.isEmpty())
        json.insert(QStringLiteral("warnings"), Warnings::toJson(warnings));
    return json;
}

std::optional<RunResult> RunResult::fromJson(const QJsonObject &json, QString *error)
{
    using P = JsonReader::Presence;
    JsonReader r(json);
    RunResult run;
    QString nested;
    run.url = r.string(QStringLiteral("url"), P::Required, 64 * 1024);
    if (auto options = LoadOptions::fromJson(r.object(QStringLiteral("options")), &nested))
        run.options = *options;
    else if (r.ok())
        r.fail(QStringLiteral("options"), nested);
    run.browserVersion = r.string(QStringLiteral("browserVersion"), P::Optional, 256);
    run.browserStartMs = r.number(QStringLiteral("browserStartMs"), P::Optional, 0, 3600e3);
    run.cpuBenchmarkIndex
        = r.number(QStringLiteral("cpuBenchmarkIndex"), P::Optional, 0, LoadOptions::maxCpuBenchmarkIndex);
    run.cpuSlowdownRate = r.number(QStringLiteral("cpuSlowdownRate"), P::Optional, 1, LoadOptions::maxCpuSlowdown);
    if (auto view = ViewResult::fromJson(r.object(QStringLiteral("firstView"), P::Required), &nested))
        run.firstView = std::move(*view);
    else if (r.ok())
        r.fail(QStringLiteral("firstView"), nested);
    if (r.has(QStringLiteral("repeatView"))) {
        if (auto view = ViewResult::fromJson(r.object(QStringLiteral("repeatView")), &nested))
            run.repeatView = std::move(*view);
        else if (r.ok())
            r.fail(QStringLiteral("repeatView"), nested);
    }
    run.stepName = r.string(QStringLiteral("stepName"), P::Optional, TestScript::maxStepNameLength);
    const QJsonArray steps = r.array(QStringLiteral("laterSteps"), P::Optional, TestScript::maxSteps - 1);
    for (qsizetype i = 0; i < steps.size() && r.ok(); ++i) {
        if (auto step = StepResult::fromJson(steps.at(i).toObject(), &nested))
            run.laterSteps.append(std::move(*step));
        else
            r.fail(QStringLiteral("laterSteps[%1]").arg(i), nested);
    }
    run.warnings = Warnings::fromJson(r, QStringLiteral("warnings"));
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return run;
}
