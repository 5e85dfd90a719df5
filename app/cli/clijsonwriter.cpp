#include "clijsonwriter.h"

#include "fleet/fleetconfig.h"
#include "regioncatalog.h"
#include "regionsummary.h"
#include "runreport.h"

#include <QJsonArray>

namespace {

QJsonValue isoOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
}

QJsonObject viewJson(const ViewResult &view, bool measured)
{
    QJsonObject json = view.toJson();
    json.remove(QStringLiteral("screenshotPng")); // a picture in a table of numbers helps nobody
    json.remove(QStringLiteral("filmstrip")); // nor do pictures; its numbers are in the metrics
    // Zero requests and bytes of a view whose metrics never came are not a measurement.
    if (!measured)
        json.insert(QStringLiteral("metrics"), QJsonValue::Null);
    return json;
}

QJsonValue viewJson(const RegionRun &run, RunView which)
{
    const ViewResult *view = run.view(which);
    return view ? QJsonValue(viewJson(*view, run.measured(which))) : QJsonValue(QJsonValue::Null);
}

QJsonObject runJson(const RegionRun &run)
{
    QJsonObject json {
        { QStringLiteral("index"), run.index },
        { QStringLiteral("finished"), run.finished },
        { QStringLiteral("ok"), run.ok() },
        { QStringLiteral("cold"), run.cold },
        { QStringLiteral("browserStartMs"),
            run.browserStartMs ? QJsonValue(*run.browserStartMs) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("cpuBenchmarkIndex"),
            run.cpuBenchmarkIndex ? QJsonValue(*run.cpuBenchmarkIndex) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("cpuSlowdownRate"),
            run.cpuSlowdownRate ? QJsonValue(*run.cpuSlowdownRate) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("error"), run.error ? QJsonValue(run.error->toJson()) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("firstView"), viewJson(run, RunView::First) },
        { QStringLiteral("repeatView"), viewJson(run, RunView::Repeat) },
    };
    // A script's steps as `worldspeed-probe measure --json` writes them (RunResult's): step 1 is firstView, named
    // stepName; steps 2… are laterSteps. Neither is written for a run of one unnamed step, whose JSON is unchanged.
    if (!run.stepName.isEmpty())
        json.insert(QStringLiteral("stepName"), run.stepName);
    if (!run.laterSteps.isEmpty()) {
        QJsonArray steps;
        for (qsizetype index = 1; index < run.stepCount(); ++index) {
            steps.append(QJsonObject { { QStringLiteral("name"), run.laterSteps.at(index - 1).name },
                { QStringLiteral("firstView"), viewJson(run.stepView(index), run.stepMeasured(index)) } });
        }
        json.insert(QStringLiteral("laterSteps"), steps);
    }
    return json;
}

QJsonValue metricsOrNull(const std::optional<PageMetrics> &metrics)
{
    return metrics ? QJsonValue(metrics->toJson()) : QJsonValue(QJsonValue::Null);
}

QJsonValue loadJson(const std::optional<RegionLoad> &load)
{
    return load ? QJsonValue(QJsonObject {
               { QStringLiteral("region"), load->region }, { QStringLiteral("medianLoadMs"), load->medianLoadMs } })
                : QJsonValue(QJsonValue::Null);
}

// One region of the test document; `budgetPasses` is cleared when its checks fail.
QJsonObject regionJson(const TestRecord &test, const RegionSummary &summary, const QHash<QString, QString> &names,
    const Budget &budget, bool &budgetPasses)
{
    const QString &code = summary.code;
    QJsonArray runs;
    for (const RegionRun &run : test.region(code).runs)
        runs.append(runJson(run));
    QJsonArray checks;
    const QList<Budget::Check> evaluated = budget.evaluate(test.region(code));
    for (const Budget::Check &check : evaluated)
        checks.append(check.toJson());
    budgetPasses = budgetPasses && Budget::passes(evaluated);
    const std::optional<LoadError> &error = summary.firstError;
    QJsonObject json {
        { QStringLiteral("code"), code },
        { QStringLiteral("name"), names.value(code, code) },
        { QStringLiteral("ok"), summary.allOk() },
        { QStringLiteral("error"), error ? QJsonValue(error->toJson()) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("runs"), runs },
        { QStringLiteral("median"), metricsOrNull(summary.median) },
        { QStringLiteral("budget"), checks },
    };
    if (test.options.repeatView)
        json.insert(QStringLiteral("medianRepeatView"), metricsOrNull(summary.repeatViewMedian));
    // Each later step's median over the runs that measured it (null for one no run did), as `measure` writes it.
    const RegionRecord record = test.region(code);
    if (const qsizetype steps = RegionSummary::stepCountOf(record); steps > 1) {
        QJsonArray later;
        for (qsizetype index = 1; index < steps; ++index)
            later.append(metricsOrNull(RegionSummary::medianOfStep(record, index)));
        json.insert(QStringLiteral("medianLaterSteps"), later);
    }
    return json;
}

} // namespace

QJsonObject CliJsonWriter::test(
    const TestRecord &test, bool saved, const QHash<QString, QString> &names, const Budget &budget)
{
    QJsonObject options = test.options.toJson();
    options.insert(QStringLiteral("runs"), test.runsPerRegion);
    // Always stated here (the wire leaves defaults out): a script must not have to know the defaults.
    options.insert(QStringLiteral("device"), test.options.device);
    options.insert(QStringLiteral("cpuSlowdown"), test.options.effectiveCpuSlowdown());
    options.insert(QStringLiteral("cpuSlowdownRelative"), test.options.cpuSlowdownRelative);
    options.insert(QStringLiteral("finishAt"), LoadOptions::finishAtName(test.options.finishAt));
    options.insert(QStringLiteral("regions"), QJsonArray::fromStringList(test.regions));

    QJsonArray regions;
    bool budgetPasses = true;
    for (const RegionSummary &summary : RegionSummary::of(test))
        regions.append(regionJson(test, summary, names, budget, budgetPasses));

    return QJsonObject {
        { QStringLiteral("schema"), testSchema },
        { QStringLiteral("testId"), saved ? QJsonValue(test.id) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("url"), test.url },
        { QStringLiteral("label"), test.label },
        { QStringLiteral("startedAt"), isoOrNull(test.startedAt) },
        { QStringLiteral("finishedAt"), isoOrNull(test.finishedAt) },
        { QStringLiteral("options"), options },
        { QStringLiteral("regions"), regions },
        { QStringLiteral("budget"),
            QJsonObject { { QStringLiteral("pass"), budgetPasses }, { QStringLiteral("limits"), budget.toJson() } } },
    };
}

QJsonObject CliJsonWriter::history(const QList<TestSummary> &tests, const QString &databasePath)
{
    QJsonArray array;
    for (const TestSummary &test : tests) {
        array.append(QJsonObject {
            { QStringLiteral("id"), test.id },
            { QStringLiteral("url"), test.url },
            { QStringLiteral("label"), test.label },
            { QStringLiteral("startedAt"), isoOrNull(test.startedAt) },
            { QStringLiteral("finishedAt"), isoOrNull(test.finishedAt) },
            { QStringLiteral("regions"), QJsonArray::fromStringList(test.regions) },
            { QStringLiteral("fastest"), loadJson(test.fastest) },
            { QStringLiteral("slowest"), loadJson(test.slowest) },
        });
    }
    return QJsonObject { { QStringLiteral("schema"), historySchema }, { QStringLiteral("database"), databasePath },
        { QStringLiteral("tests"), array } };
}

QHash<QString, QString> CliJsonWriter::regionNames(const FleetConfig &config)
{
    QHash<QString, QString> names;
    const RegionCatalog catalog = RegionCatalog::builtIn();
    for (const RegionCatalog::Region &region : catalog.regions())
        names.insert(region.code, region.city);
    for (const RegionConfig &region : config.regions) {
        if (!region.name.isEmpty() && (region.name != region.code || !names.contains(region.code)))
            names.insert(region.code, region.name);
    }
    return names;
}
