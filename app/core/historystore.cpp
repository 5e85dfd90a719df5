#include "historystore.h"

#include "historyrows.h"
#include "historyschema.h"

#include <QHash>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>

#include <algorithm>
#include <array>
#include <atomic>
#include <initializer_list>

namespace {

using Rows = HistoryRows;

std::atomic<int> connectionCounter { 0 };

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

// Qt Sql binds a null QString as NULL; the statements turn that into '' where a column holds text that may be
// empty (coalesce(?, '')).
void bind(QSqlQuery &query, const QVariantList &values)
{
    int position = 0;
    for (const QVariant &value : values)
        query.bindValue(position++, value);
}

// Finishes a cached statement however the caller leaves, so no read stays open across a commit.
struct Finish
{
    QSqlQuery &query;
    ~Finish() { query.finish(); }
};

// Which run (or step) a write that failed was of.
QString ofRun(qint64 testId, const QString &region, int runIndex, std::optional<qsizetype> step = {})
{
    const QString run = QStringLiteral("test %1, region %2, run %3").arg(testId).arg(region).arg(runIndex);
    return step ? run % QStringLiteral(", step %1").arg(HistoryRows::stepNumber(*step)) : run;
}

} // namespace

HistoryStore::HistoryStore(QString path, Durability durability)
    : m_path(std::move(path))
    , m_durability(durability)
    , m_connectionName(QStringLiteral("worldspeed-history-%1").arg(connectionCounter.fetch_add(1)))
{ }

HistoryStore::~HistoryStore()
{
    m_statements.clear();
    if (m_db.isValid()) {
        m_db.close();
        m_db = QSqlDatabase();
        QSqlDatabase::removeDatabase(m_connectionName);
    }
}

bool HistoryStore::fail(const QString &what, const QSqlError &error)
{
    return fail(what % u": " % error.text());
}

bool HistoryStore::fail(const QString &what)
{
    m_lastError = what;
    qCWarning(lcHistory).noquote() << m_path << what;
    return false;
}

QSqlQuery &HistoryStore::statement(const QString &sql)
{
    auto &query = m_statements[sql];
    if (!query) {
        query = std::make_unique<QSqlQuery>(m_db);
        query->setForwardOnly(true);
        if (!query->prepare(sql))
            qCWarning(lcHistory).noquote() << "cannot prepare" << sql << query->lastError().text();
    }
    return *query;
}

bool HistoryStore::exec(QSqlQuery &query, const QString &what)
{
    if (!query.exec())
        return fail(what, query.lastError());
    return true;
}

template<typename Body> bool HistoryStore::transact(const QString &what, Body &&body)
{
    m_lastError.clear();
    if (!m_open)
        return fail(what % u": the history is not open");
    if (!m_db.transaction())
        return fail(what, m_db.lastError());
    if (!body()) {
        m_db.rollback();
        return false;
    }
    if (!m_db.commit()) {
        fail(what, m_db.lastError());
        m_db.rollback();
        return false;
    }
    return true;
}

bool HistoryStore::open()
{
    if (m_open)
        return true;
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return fail(QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));
    if (QString error; m_path != u":memory:" && !HistorySchema::makePrivate(m_path, &error))
        return fail(error);
    if (!m_db.isValid()) {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        m_db.setDatabaseName(m_path);
        // Another instance of the app may hold the write lock for a moment.
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    }
    if (!m_db.open())
        return fail(u"cannot open the history \"" % m_path % u'"', m_db.lastError());

    QString error;
    if (!HistorySchema::prepare(m_db, m_path, m_durability == Durability::PowerLoss, &error)
        || !HistorySchema::migrate(m_db, m_path, &error)) {
        fail(error);
        m_statements.clear();
        m_db.close();
        return false;
    }
    m_open = true;
    return true;
}

qint64 HistoryStore::beginTest(const QString &url, const LoadOptions &options, const QStringList &regions,
    int runsPerRegion, const QDateTime &startedAt)
{
    qint64 id = -1;
    const QString what = u"cannot store the test of " % url;
    if (regions.isEmpty() || runsPerRegion < 1) {
        fail(what % u": a test needs at least one region and one run");
        return -1;
    }
    const bool stored = transact(what, [&] {
        QSqlQuery &test = statement(QStringLiteral(
            "INSERT INTO tests (url, options, runs_per_region, started_at) VALUES (coalesce(?, ''), ?, ?, ?)"));
        const Finish finishTest { test };
        bind(test,
            { Rows::storedUrl(url), Rows::compactJson(options.toJson()), runsPerRegion,
                startedAt.isValid() ? startedAt.toMSecsSinceEpoch() : nowMs() });
        if (!exec(test, what))
            return false;
        id = test.lastInsertId().toLongLong();
        QSqlQuery &region = statement(QStringLiteral("INSERT INTO regions (test_id, code, position) VALUES (?, ?, ?)"));
        const Finish finishRegion { region };
        for (qsizetype i = 0; i < regions.size(); ++i) {
            bind(region, { id, regions.at(i), static_cast<int>(i) });
            if (!exec(region, what % u", region " % regions.at(i)))
                return false;
        }
        return true;
    });
    return stored ? id : -1;
}

bool HistoryStore::ensureView(
    qint64 testId, const QString &region, int runIndex, RunView view, std::optional<qint64> startedAt)
{
    const QString what
        = QStringLiteral("cannot store run %1 of test %2 in region %3").arg(runIndex).arg(testId).arg(region);
    QSqlQuery &run = statement(
        QStringLiteral("INSERT INTO runs (test_id, region, run_index) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"));
    const Finish finishRun { run };
    bind(run, { testId, region, runIndex });
    if (!exec(run, what))
        return false;
    QSqlQuery &row = statement(QStringLiteral(
        "INSERT INTO views (test_id, region, run_index, view, started_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (test_id, region, run_index, view) DO UPDATE SET"
        " started_at = coalesce(min(started_at, excluded.started_at), started_at, excluded.started_at)"));
    const Finish finishRow { row };
    bind(row, { testId, region, runIndex, runViewName(view), Rows::nullable(startedAt) });
    return exec(row, what);
}

bool HistoryStore::addRequest(
    qint64 testId, const QString &region, int runIndex, RunView view, const RequestTiming &request)
{
    const QString what
        = QStringLiteral("cannot store a request of test %1, region %2, run %3").arg(testId).arg(region).arg(runIndex);
    return transact(what, [&] {
        const auto started
            = Rows::startBound(request.endMs() ? request.endMs() : std::optional<double>(request.startMs));
        if (!ensureView(testId, region, runIndex, view, started))
            return false;
        QSqlQuery &insert = statement(QStringLiteral(
            "INSERT INTO requests (test_id, region, run_index, view, start_ms, json) VALUES (?, ?, ?, ?, ?, ?)"));
        const Finish finish { insert };
        bind(insert, { testId, region, runIndex, runViewName(view), request.startMs, Rows::requestJson(request) });
        return exec(insert, what);
    });
}

bool HistoryStore::setMetrics(qint64 testId, const QString &region, int runIndex, RunView view,
    const PageMetrics &metrics, const QString &finalUrl, const QByteArray &screenshotPng, const Filmstrip &filmstrip)
{
    ViewResult result;
    result.metrics = metrics;
    result.finalUrl = finalUrl;
    result.screenshotPng = screenshotPng;
    result.filmstrip = filmstrip;
    return setMetrics(testId, region, runIndex, view, result);
}

bool HistoryStore::setMetrics(
    qint64 testId, const QString &region, int runIndex, RunView view, const ViewResult &result)
{
    const QString what = u"cannot store the metrics of " % ofRun(testId, region, runIndex);
    const PageMetrics &metrics = result.metrics;
    return transact(what, [&] {
        if (!ensureView(testId, region, runIndex, view, Rows::startBound(Rows::latestMetric(metrics))))
            return false;
        QSqlQuery &update
            = statement(QStringLiteral("UPDATE views SET final_url = coalesce(?, ''), metrics = ?,"
                                       " ttfb_ms = ?, fcp_ms = ?, lcp_ms = ?, load_ms = ?, screenshot = ?,"
                                       " filmstrip = ?, long_tasks = ?, warnings = ?"
                                       " WHERE test_id = ? AND region = ? AND run_index = ? AND view = ?"));
        const Finish finish { update };
        bind(update, Rows::viewColumns(result, true) + QVariantList { testId, region, runIndex, runViewName(view) });
        return exec(update, what);
    });
}

bool HistoryStore::ensureStep(
    qint64 testId, const QString &region, int runIndex, qsizetype step, std::optional<qint64> startedAt)
{
    const QString what = u"cannot store " % ofRun(testId, region, runIndex, step);
    // A step is stored only after the one before it (the first view, then each later step), so a run's steps read
    // back without a gap.
    if (step < 1)
        return fail(what % u": step 1 is the run's first view");
    if (!ensureView(testId, region, runIndex, RunView::First, std::nullopt))
        return false;
    QSqlQuery &row = statement(QStringLiteral(
        "INSERT INTO steps (test_id, region, run_index, step, started_at) SELECT ?, ?, ?, ?, ?"
        " WHERE ? = 2 OR EXISTS (SELECT 1 FROM steps WHERE test_id = ? AND region = ? AND run_index = ?"
        " AND step = ? - 1) ON CONFLICT (test_id, region, run_index, step) DO UPDATE SET"
        " started_at = coalesce(min(started_at, excluded.started_at), started_at, excluded.started_at)"));
    const Finish finishRow { row };
    const int number = Rows::stepNumber(step);
    bind(
        row, { testId, region, runIndex, number, Rows::nullable(startedAt), number, testId, region, runIndex, number });
    if (!exec(row, what))
        return false;
    return row.numRowsAffected() == 1 || fail(what % u": the step before it was never stored");
}

bool HistoryStore::setStepName(qint64 testId, const QString &region, int runIndex, const QString &name)
{
    const QString what = u"cannot store the step name of " % ofRun(testId, region, runIndex);
    return transact(what, [&] {
        QSqlQuery &upsert = statement(QStringLiteral("INSERT INTO runs (test_id, region, run_index, step_name)"
                                                     " VALUES (?, ?, ?, nullif(?, '')) ON CONFLICT"
                                                     " (test_id, region, run_index) DO UPDATE SET"
                                                     " step_name = excluded.step_name"));
        const Finish finish { upsert };
        bind(upsert, { testId, region, runIndex, name });
        return exec(upsert, what);
    });
}

bool HistoryStore::addStepRequest(
    qint64 testId, const QString &region, int runIndex, qsizetype step, const RequestTiming &request)
{
    const QString what = u"cannot store a request of " % ofRun(testId, region, runIndex, step);
    return transact(what, [&] {
        const auto started
            = Rows::startBound(request.endMs() ? request.endMs() : std::optional<double>(request.startMs));
        if (!ensureStep(testId, region, runIndex, step, started))
            return false;
        QSqlQuery &insert = statement(QStringLiteral("INSERT INTO step_requests (test_id, region, run_index, step,"
                                                     " start_ms, json) VALUES (?, ?, ?, ?, ?, ?)"));
        const Finish finish { insert };
        bind(insert, { testId, region, runIndex, Rows::stepNumber(step), request.startMs, Rows::requestJson(request) });
        return exec(insert, what);
    });
}

bool HistoryStore::setStep(
    qint64 testId, const QString &region, int runIndex, qsizetype step, const StepResult &result, bool measured)
{
    const QString what = u"cannot store the result of " % ofRun(testId, region, runIndex, step);
    const ViewResult &view = result.view;
    return transact(what, [&] {
        if (!ensureStep(testId, region, runIndex, step,
                measured ? Rows::startBound(Rows::latestMetric(view.metrics)) : std::nullopt))
            return false;
        QSqlQuery &update = statement(QStringLiteral(
            "UPDATE steps SET final_url = coalesce(?, ''), metrics = ?, ttfb_ms = ?, fcp_ms = ?, lcp_ms = ?,"
            " load_ms = ?, screenshot = ?, filmstrip = ?, long_tasks = ?, warnings = ?, name = coalesce(?, ''),"
            " url = coalesce(?, ''), error = ? WHERE test_id = ? AND region = ? AND run_index = ? AND step = ?"));
        const Finish finish { update };
        bind(update,
            Rows::viewColumns(view, measured)
                + QVariantList { result.name, Rows::storedUrl(view.url), Rows::errorJson(view.error), testId, region,
                    runIndex, Rows::stepNumber(step) });
        return exec(update, what);
    });
}

bool HistoryStore::finishRun(qint64 testId, const QString &region, int runIndex, bool ok,
    const std::optional<LoadError> &error, bool cold, std::optional<double> browserStartMs)
{
    const QString what
        = QStringLiteral("cannot store the end of test %1, region %2, run %3").arg(testId).arg(region).arg(runIndex);
    std::optional<LoadError> stored;
    if (!ok)
        stored
            = error.value_or(LoadError { LoadError::Kind::Other, QStringLiteral("the run failed without a reason") });
    return transact(what, [&] {
        QSqlQuery &upsert = statement(QStringLiteral(
            "INSERT INTO runs (test_id, region, run_index, finished, ok, error, cold, browser_start_ms)"
            " VALUES (?, ?, ?, 1, ?, ?, ?, ?) ON CONFLICT (test_id, region, run_index) DO UPDATE SET finished = 1,"
            " ok = excluded.ok, error = excluded.error, cold = excluded.cold,"
            " browser_start_ms = excluded.browser_start_ms"));
        const Finish finish { upsert };
        bind(upsert,
            { testId, region, runIndex, ok ? 1 : 0, Rows::errorJson(stored), cold ? 1 : 0,
                Rows::nullable(browserStartMs) });
        return exec(upsert, what);
    });
}

bool HistoryStore::setRunCpu(qint64 testId, const QString &region, int runIndex,
    std::optional<double> cpuBenchmarkIndex, std::optional<double> cpuSlowdownRate)
{
    const QString what
        = QStringLiteral("cannot store the CPU of test %1, region %2, run %3").arg(testId).arg(region).arg(runIndex);
    return transact(what, [&] {
        QSqlQuery &upsert = statement(QStringLiteral(
            "INSERT INTO runs (test_id, region, run_index, cpu_benchmark_index, cpu_slowdown_rate) VALUES (?, ?, ?, ?, "
            "?)"
            " ON CONFLICT (test_id, region, run_index) DO UPDATE SET"
            " cpu_benchmark_index = excluded.cpu_benchmark_index, cpu_slowdown_rate = excluded.cpu_slowdown_rate"));
        const Finish finish { upsert };
        bind(upsert, { testId, region, runIndex, Rows::nullable(cpuBenchmarkIndex), Rows::nullable(cpuSlowdownRate) });
        return exec(upsert, what);
    });
}

bool HistoryStore::setRunWarnings(qint64 testId, const QString &region, int runIndex, const QStringList &warnings)
{
    const QString what = u"cannot store the warnings of " % ofRun(testId, region, runIndex);
    return transact(what, [&] {
        QSqlQuery &upsert = statement(QStringLiteral("INSERT INTO runs (test_id, region, run_index, warnings)"
                                                     " VALUES (?, ?, ?, ?) ON CONFLICT (test_id, region, run_index)"
                                                     " DO UPDATE SET warnings = excluded.warnings"));
        const Finish finish { upsert };
        bind(upsert, { testId, region, runIndex, Rows::warningsJson(warnings) });
        return exec(upsert, what);
    });
}

bool HistoryStore::setRegionState(qint64 testId, const QString &region, RunState state, const QString &detail)
{
    const QString what = QStringLiteral("cannot store the state of region %1 in test %2").arg(region).arg(testId);
    return transact(what, [&] {
        QSqlQuery &update = statement(
            QStringLiteral("UPDATE regions SET state = ?, detail = coalesce(?, '') WHERE test_id = ? AND code = ?"));
        const Finish finish { update };
        bind(update, { runStateName(state), detail, testId, region });
        if (!exec(update, what))
            return false;
        return update.numRowsAffected() == 1 || fail(what % u": no such test or region");
    });
}

bool HistoryStore::finishTest(qint64 testId, const QDateTime &finishedAt)
{
    const QString what = QStringLiteral("cannot store the end of test %1").arg(testId);
    return transact(what, [&] {
        QSqlQuery &update = statement(QStringLiteral("UPDATE tests SET finished_at = ? WHERE id = ?"));
        const Finish finish { update };
        bind(update, { finishedAt.isValid() ? finishedAt.toMSecsSinceEpoch() : nowMs(), testId });
        if (!exec(update, what))
            return false;
        return update.numRowsAffected() == 1 || fail(what % u": no such test");
    });
}

bool HistoryStore::setLabel(qint64 testId, const QString &label)
{
    const QString what = QStringLiteral("cannot label test %1").arg(testId);
    return transact(what, [&] {
        QSqlQuery &update = statement(QStringLiteral("UPDATE tests SET label = coalesce(?, '') WHERE id = ?"));
        const Finish finish { update };
        bind(update, { label, testId });
        if (!exec(update, what))
            return false;
        return update.numRowsAffected() == 1 || fail(what % u": no such test");
    });
}

bool HistoryStore::remove(qint64 testId)
{
    const QString what = QStringLiteral("cannot remove test %1").arg(testId);
    return transact(what, [&] {
        // Regions, runs, views, steps and their requests go with it (ON DELETE CASCADE).
        QSqlQuery &erase = statement(QStringLiteral("DELETE FROM tests WHERE id = ?"));
        const Finish finish { erase };
        bind(erase, { testId });
        if (!exec(erase, what))
            return false;
        return erase.numRowsAffected() == 1 || fail(what % u": no such test");
    });
}

std::optional<TestRecord> HistoryStore::load(qint64 testId)
{
    const QString what = QStringLiteral("cannot read test %1").arg(testId);
    TestRecord record;
    record.id = testId;
    // One read transaction, so a test is never seen half-way through a write of another connection.
    const bool read = transact(what, [&] {
        for (const HistoryRows::Reader &reader : HistoryRows::testReaders()) {
            QSqlQuery &query = statement(reader.sql);
            const Finish finish { query };
            bind(query, { testId });
            if (!exec(query, what))
                return false;
            bool any = false;
            while (query.next()) {
                QString error;
                if (!reader.read(query, record, &error))
                    return fail(what % u": " % error);
                any = true;
            }
            if (reader.required && !any)
                return fail(what % u": no such test");
        }
        return true;
    });
    if (!read)
        return std::nullopt;
    return record;
}

QList<TestSummary> HistoryStore::list()
{
    QList<TestSummary> summaries;
    const QString what = QStringLiteral("cannot list the history");
    const bool read = transact(what, [&] {
        QHash<qint64, qsizetype> rowOf;
        QSqlQuery &tests = statement(
            QStringLiteral("SELECT id, url, label, started_at, finished_at, options, runs_per_region FROM tests"
                           " ORDER BY started_at DESC, id DESC"));
        const Finish finishTests { tests };
        if (!exec(tests, what))
            return false;
        while (tests.next()) {
            TestSummary summary;
            summary.id = tests.value(0).toLongLong();
            summary.url = tests.value(1).toString();
            summary.label = tests.value(2).toString();
            summary.startedAt = Rows::utcFromMs(tests.value(3));
            summary.finishedAt = Rows::utcFromMs(tests.value(4));
            summary.options = Rows::loadOptions(tests.value(5).toString());
            summary.runsPerRegion = tests.value(6).toInt();
            rowOf.insert(summary.id, summaries.size());
            summaries.append(summary);
        }

        QSqlQuery &regions = statement(QStringLiteral("SELECT test_id, code FROM regions ORDER BY test_id, position"));
        const Finish finishRegions { regions };
        if (!exec(regions, what))
            return false;
        while (regions.next()) {
            if (const auto row = rowOf.constFind(regions.value(0).toLongLong()); row != rowOf.cend())
                summaries[*row].regions.append(regions.value(1).toString());
        }

        if (!readOutcomes(summaries, rowOf, what))
            return false;

        // Load times of the ok, measured first views, grouped by test and region.
        QSqlQuery &loads = statement(QStringLiteral(
            "SELECT v.test_id, v.region, v.load_ms FROM views v JOIN runs r ON r.test_id = v.test_id"
            " AND r.region = v.region AND r.run_index = v.run_index WHERE v.view = 'first' AND r.finished = 1"
            " AND r.ok = 1 AND v.metrics IS NOT NULL AND v.load_ms IS NOT NULL ORDER BY v.test_id, v.region"));
        const Finish finishLoads { loads };
        if (!exec(loads, what))
            return false;
        QHash<qint64, QMap<QString, QList<PageMetrics>>> observed;
        while (loads.next()) {
            PageMetrics metrics;
            metrics.loadMs = loads.value(2).toDouble();
            observed[loads.value(0).toLongLong()][loads.value(1).toString()].append(metrics);
        }
        for (auto test = observed.cbegin(); test != observed.cend(); ++test) {
            const auto row = rowOf.constFind(test.key());
            if (row == rowOf.cend())
                continue;
            TestSummary &summary = summaries[*row];
            for (auto region = test->cbegin(); region != test->cend(); ++region) {
                const RegionLoad load { region.key(), PageMetrics::median(region.value()).loadMs.value_or(0) };
                if (!summary.fastest || load.medianLoadMs < summary.fastest->medianLoadMs)
                    summary.fastest = load;
                if (!summary.slowest || load.medianLoadMs > summary.slowest->medianLoadMs)
                    summary.slowest = load;
            }
        }
        return true;
    });
    return read ? summaries : QList<TestSummary> {};
}

bool HistoryStore::readOutcomes(
    QList<TestSummary> &summaries, const QHash<qint64, qsizetype> &rowOf, const QString &what)
{
    // Per region: whether a run measured, whether one was cancelled, whether any ended.
    QSqlQuery &runs = statement(QStringLiteral(
        "SELECT test_id, region, MAX(finished = 1 AND ok = 1), MAX(error LIKE '%\"kind\":\"cancelled\"%'),"
        " MAX(finished) FROM runs GROUP BY test_id, region"));
    const Finish finish { runs };
    if (!exec(runs, what))
        return false;
    QHash<qint64, QHash<QString, std::array<bool, 3>>> ends;
    while (runs.next()) {
        ends[runs.value(0).toLongLong()][runs.value(1).toString()]
            = { runs.value(2).toInt() == 1, runs.value(3).toInt() == 1, runs.value(4).toInt() == 1 };
    }
    for (auto row = rowOf.cbegin(); row != rowOf.cend(); ++row) {
        TestSummary &summary = summaries[*row];
        const auto test = ends.value(row.key());
        for (const QString &region : std::as_const(summary.regions)) {
            const std::array<bool, 3> end = test.value(region, { false, false, false });
            if (end[0])
                ++summary.regionsMeasured;
            else if (end[1])
                ++summary.regionsCancelled;
            else if (end[2] || summary.finishedAt.isValid())
                ++summary.regionsFailed;
        }
    }
    return true;
}

QList<TrendPoint> HistoryStore::trend(const QString &url, const QString &region)
{
    QList<TrendPoint> points;
    const QString what = u"cannot read the trend of " % url % u" in " % region;
    const bool read = transact(what, [&] {
        QSqlQuery &query = statement(QStringLiteral(
            "SELECT t.id, t.started_at, v.metrics, t.options FROM tests t JOIN views v ON v.test_id = t.id"
            " JOIN runs r ON r.test_id = v.test_id AND r.region = v.region AND r.run_index = v.run_index"
            " WHERE t.url = ? AND v.region = ? AND v.view = 'first' AND r.finished = 1 AND r.ok = 1"
            " AND v.metrics IS NOT NULL ORDER BY t.started_at, t.id"));
        const Finish finish { query };
        bind(query, { url, region });
        if (!exec(query, what))
            return false;
        QList<PageMetrics> runs;
        TrendPoint point;
        const auto flush = [&] {
            if (runs.isEmpty())
                return;
            point.runs = static_cast<int>(runs.size());
            point.median = PageMetrics::median(runs);
            points.append(point);
            runs.clear();
        };
        while (query.next()) {
            const qint64 id = query.value(0).toLongLong();
            if (id != point.testId) {
                flush();
                point = TrendPoint {};
                point.testId = id;
                point.startedAt = Rows::utcFromMs(query.value(1));
                point.options = Rows::loadOptions(query.value(3).toString());
            }
            QString error;
            const auto metrics = Rows::metrics(query.value(2).toString(), &error);
            if (!metrics)
                return fail(what % QStringLiteral(": the metrics of test %1 are not valid: ").arg(id) % error);
            runs.append(*metrics);
        }
        flush();
        return true;
    });
    return read ? points : QList<TrendPoint> {};
}
