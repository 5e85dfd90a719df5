#include "runresult.h"

#include "jsonreader.h"
#include "warnings.h"

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
    run.warnings = Warnings::fromJson(r, QStringLiteral("warnings"));
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return run;
}
