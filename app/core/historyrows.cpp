#include "historyrows.h"

#include "model/jsonreader.h"
#include "model/pagemetric.h"
#include "model/warnings.h"

#include <QJsonDocument>
#include <QUrl>

#include <cmath>

const QList<HistoryRows::Reader> &HistoryRows::testReaders()
{
    static const QList<Reader> readers {
        { QStringLiteral(
              "SELECT url, label, options, runs_per_region, started_at, finished_at FROM tests WHERE id = ?"),
            &readTest, true },
        { QStringLiteral("SELECT code, state, detail FROM regions WHERE test_id = ? ORDER BY position"), &readRegion,
            false },
        { QStringLiteral("SELECT region, run_index, finished, ok, error, cold, browser_start_ms, cpu_benchmark_index,"
                         " cpu_slowdown_rate, warnings, step_name FROM runs WHERE test_id = ?"
                         " ORDER BY region, run_index"),
            &readRun, false },
        { QStringLiteral(
              "SELECT region, run_index, view, started_at, final_url, metrics, screenshot, filmstrip, long_tasks,"
              " warnings FROM views WHERE test_id = ?"),
            &readView, false },
        { QStringLiteral("SELECT region, run_index, view, json FROM requests WHERE test_id = ?"
                         " ORDER BY region, run_index, view, start_ms, id"),
            &readRequest, false },
        { QStringLiteral("SELECT region, run_index, step, name, url, started_at, final_url, metrics, screenshot,"
                         " filmstrip, long_tasks, warnings, error FROM steps WHERE test_id = ?"
                         " ORDER BY region, run_index, step"),
            &readStep, false },
        { QStringLiteral("SELECT region, run_index, step, json FROM step_requests WHERE test_id = ?"
                         " ORDER BY region, run_index, step, start_ms, id"),
            &readStepRequest, false },
    };
    return readers;
}

std::optional<double> HistoryRows::optionalDouble(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

std::optional<qint64> HistoryRows::startBound(std::optional<double> offsetMs)
{
    if (!offsetMs || !std::isfinite(*offsetMs) || *offsetMs < 0)
        return std::nullopt;
    return QDateTime::currentMSecsSinceEpoch() - static_cast<qint64>(std::llround(*offsetMs));
}

std::optional<double> HistoryRows::latestMetric(const PageMetrics &m)
{
    std::optional<double> latest;
    for (const PageMetric::Id id : PageMetric::durations()) {
        const std::optional<double> value = PageMetric::get(id).value(m);
        if (value && (!latest || *value > *latest))
            latest = value;
    }
    return latest;
}

QDateTime HistoryRows::utcFromMs(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

QString HistoryRows::compactJson(const QJsonObject &json)
{
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

std::optional<QJsonObject> HistoryRows::parseObject(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

QString HistoryRows::storedUrl(const QString &url)
{
    const QUrl parsed(url);
    if (!parsed.isValid() || parsed.userInfo().isEmpty())
        return url;
    return parsed.adjusted(QUrl::RemoveUserInfo).toString();
}

QString HistoryRows::requestJson(const RequestTiming &request)
{
    RequestTiming kept = request;
    kept.url = storedUrl(kept.url);
    kept.redirectUrl = storedUrl(kept.redirectUrl);
    return compactJson(kept.toJson());
}

QVariant HistoryRows::errorJson(const std::optional<LoadError> &error)
{
    return error ? QVariant(compactJson(error->toJson())) : QVariant(QMetaType::fromType<QString>());
}

QVariant HistoryRows::longTasksJson(const QList<LongTask> &tasks)
{
    if (tasks.isEmpty())
        return QVariant(QMetaType::fromType<QString>());
    return QString::fromUtf8(QJsonDocument(LongTask::toJson(tasks)).toJson(QJsonDocument::Compact));
}

QVariant HistoryRows::warningsJson(const QStringList &warnings)
{
    if (warnings.isEmpty())
        return QVariant(QMetaType::fromType<QString>());
    return QString::fromUtf8(QJsonDocument(Warnings::toJson(warnings)).toJson(QJsonDocument::Compact));
}

std::optional<QStringList> HistoryRows::warnings(const QVariant &column, QString *error)
{
    if (column.isNull())
        return QStringList();
    const QJsonDocument document = QJsonDocument::fromJson(column.toString().toUtf8());
    if (!document.isArray()) {
        *error = QStringLiteral("its warnings are not a JSON array");
        return std::nullopt;
    }
    // Within the same limits as the protocol's: Warnings reads them from an object, so they go in one.
    JsonReader reader(QJsonObject { { QStringLiteral("warnings"), document.array() } });
    const QStringList read = Warnings::fromJson(reader, QStringLiteral("warnings"));
    if (!reader.ok()) {
        *error = reader.error();
        return std::nullopt;
    }
    return read;
}

std::optional<PageMetrics> HistoryRows::metrics(const QString &json, QString *error)
{
    const auto object = parseObject(json);
    return object ? PageMetrics::fromJson(*object, error) : std::nullopt;
}

RegionRun *HistoryRows::runOf(TestRecord &record, const QString &region, int index)
{
    auto it = record.results.find(region);
    if (it == record.results.end())
        return nullptr;
    for (RegionRun &run : it->runs) {
        if (run.index == index)
            return &run;
    }
    return nullptr;
}

std::optional<LoadOptions> HistoryRows::loadOptions(const QString &json)
{
    const auto object = parseObject(json);
    QString ignored;
    return object ? LoadOptions::fromJson(*object, &ignored) : std::nullopt;
}

bool HistoryRows::readTest(const QSqlQuery &row, TestRecord &record, QString *error)
{
    record.url = row.value(0).toString();
    record.label = row.value(1).toString();
    const auto optionsJson = parseObject(row.value(2).toString());
    const auto options = optionsJson ? LoadOptions::fromJson(*optionsJson, error) : std::nullopt;
    if (!options) {
        *error = u"its options are not valid: " % *error;
        return false;
    }
    record.options = *options;
    record.runsPerRegion = row.value(3).toInt();
    record.startedAt = utcFromMs(row.value(4));
    record.finishedAt = utcFromMs(row.value(5));
    return true;
}

bool HistoryRows::readRegion(const QSqlQuery &row, TestRecord &record, QString *)
{
    const QString code = row.value(0).toString();
    RegionRecord region;
    region.state = runStateFromName(row.value(1).toString()).value_or(RunState::Error);
    region.detail = row.value(2).toString();
    record.regions.append(code);
    record.results.insert(code, region);
    return true;
}

bool HistoryRows::readRun(const QSqlQuery &row, TestRecord &record, QString *error)
{
    RegionRun run;
    run.index = row.value(1).toInt();
    run.firstView.url = record.url;
    run.finished = row.value(2).toBool();
    if (!row.value(4).isNull()) {
        const auto errorJson = parseObject(row.value(4).toString());
        run.error = errorJson ? LoadError::fromJson(*errorJson, error) : std::nullopt;
        if (!run.error) {
            *error = u"the error of a run is not valid: " % *error;
            return false;
        }
    }
    run.cold = row.value(5).toBool();
    run.browserStartMs = optionalDouble(row.value(6));
    run.cpuBenchmarkIndex = optionalDouble(row.value(7));
    run.cpuSlowdownRate = optionalDouble(row.value(8));
    const auto warned = warnings(row.value(9), error);
    if (!warned) {
        *error = u"the warnings of a run are not valid: " % *error;
        return false;
    }
    run.warnings = *warned;
    run.stepName = row.value(10).toString();
    record.results[row.value(0).toString()].runs.append(run);
    return true;
}

bool HistoryRows::readView(const QSqlQuery &row, TestRecord &record, QString *error)
{
    RegionRun *run = runOf(record, row.value(0).toString(), row.value(1).toInt());
    const auto which = runViewFromName(row.value(2).toString());
    if (!run || !which) {
        *error = QStringLiteral("a view does not belong to any run");
        return false;
    }
    if (*which == RunView::Repeat) {
        run->repeatView = ViewResult {};
        run->repeatView->url = record.url;
    }
    ViewResult &view = *which == RunView::Repeat ? *run->repeatView : run->firstView;
    view.startedAt = utcFromMs(row.value(3));
    return readViewColumns(
        row, 4, view, *which == RunView::Repeat ? &run->repeatViewMeasured : &run->firstViewMeasured, error);
}

bool HistoryRows::readViewColumns(const QSqlQuery &row, int first, ViewResult &view, bool *measured, QString *error)
{
    view.finalUrl = row.value(first).toString();
    *measured = !row.value(first + 1).isNull();
    if (*measured) {
        const auto read = metrics(row.value(first + 1).toString(), error);
        if (!read) {
            *error = u"the metrics of a view are not valid: " % *error;
            return false;
        }
        view.metrics = *read;
    }
    view.screenshotPng = row.value(first + 2).toByteArray();
    if (!row.value(first + 3).isNull()) {
        QString problem;
        const auto strip
            = Filmstrip::fromJson(QJsonDocument::fromJson(row.value(first + 3).toString().toUtf8()).array(), &problem);
        if (!strip) {
            *error = u"the filmstrip of a view is not valid: " % problem;
            return false;
        }
        view.filmstrip = *strip;
    }
    if (!row.value(first + 4).isNull()) {
        const QJsonDocument json = QJsonDocument::fromJson(row.value(first + 4).toString().toUtf8());
        QString problem = QStringLiteral("not a JSON array");
        const auto tasks = json.isArray() ? LongTask::fromJson(json.array(), &problem) : std::nullopt;
        if (!tasks) {
            *error = u"the long tasks of a view are not valid: " % problem;
            return false;
        }
        view.longTasks = *tasks;
    }
    const auto warned = warnings(row.value(first + 5), error);
    if (!warned) {
        *error = u"the warnings of a view are not valid: " % *error;
        return false;
    }
    view.warnings = *warned;
    return true;
}

QVariantList HistoryRows::viewColumns(const ViewResult &view, bool measured)
{
    const PageMetrics &m = view.metrics;
    const auto nullText = QVariant(QMetaType::fromType<QString>());
    const auto nullDouble = QVariant(QMetaType::fromType<double>());
    return { storedUrl(view.finalUrl), measured ? QVariant(compactJson(m.toJson())) : nullText,
        measured ? nullable(m.ttfbMs) : nullDouble, measured ? nullable(m.firstContentfulPaintMs) : nullDouble,
        measured ? nullable(m.largestContentfulPaintMs) : nullDouble, measured ? nullable(m.loadMs) : nullDouble,
        view.screenshotPng.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(view.screenshotPng),
        view.filmstrip.isEmpty()
            ? nullText
            : QVariant(QString::fromUtf8(QJsonDocument(view.filmstrip.toJson()).toJson(QJsonDocument::Compact))),
        longTasksJson(view.longTasks), warningsJson(view.warnings) };
}

bool HistoryRows::readRequest(const QSqlQuery &row, TestRecord &record, QString *error)
{
    RegionRun *run = runOf(record, row.value(0).toString(), row.value(1).toInt());
    const auto which = runViewFromName(row.value(2).toString());
    ViewResult *view = run && which ? (*which == RunView::Repeat ? &*run->repeatView : &run->firstView) : nullptr;
    return appendRequest(row.value(3), view, error);
}

bool HistoryRows::appendRequest(const QVariant &column, ViewResult *view, QString *error)
{
    if (!view) {
        *error = QStringLiteral("a request does not belong to any view");
        return false;
    }
    const auto json = parseObject(column.toString());
    auto request = json ? RequestTiming::fromJson(*json, error) : std::nullopt;
    if (!request) {
        *error = u"a request is not valid: " % *error;
        return false;
    }
    view->requests.append(std::move(*request));
    return true;
}

// Steps come in order (the query sorts them), and a run's steps are numbered 2, 3, … without a gap: the store
// writes a step only after the one before it.
bool HistoryRows::readStep(const QSqlQuery &row, TestRecord &record, QString *error)
{
    RegionRun *run = runOf(record, row.value(0).toString(), row.value(1).toInt());
    if (!run || row.value(2).toInt() != stepNumber(run->stepCount())) {
        *error = QStringLiteral("a step does not belong to any run, or does not follow the one before it");
        return false;
    }
    StepResult step;
    step.name = row.value(3).toString();
    step.view.url = row.value(4).toString();
    step.view.startedAt = utcFromMs(row.value(5));
    bool measured = false;
    if (!readViewColumns(row, 6, step.view, &measured, error))
        return false;
    if (!row.value(12).isNull()) {
        const auto errorJson = parseObject(row.value(12).toString());
        step.view.error = errorJson ? LoadError::fromJson(*errorJson, error) : std::nullopt;
        if (!step.view.error) {
            *error = u"the error of a step is not valid: " % *error;
            return false;
        }
    }
    run->laterSteps.append(step);
    run->laterStepMeasured.append(measured);
    return true;
}

bool HistoryRows::readStepRequest(const QSqlQuery &row, TestRecord &record, QString *error)
{
    RegionRun *run = runOf(record, row.value(0).toString(), row.value(1).toInt());
    const qsizetype index = row.value(2).toInt() - 1;
    ViewResult *view = run && index >= 1 && index < run->stepCount() ? &run->laterSteps[index - 1].view : nullptr;
    return appendRequest(row.value(3), view, error);
}
