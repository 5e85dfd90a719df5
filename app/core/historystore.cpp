#include "historystore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSqlError>
#include <QUrl>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <initializer_list>

Q_LOGGING_CATEGORY(lcHistory, "worldspeed.history")

namespace {

// Each version's statements, applied in order to bring a file from the version before. A shipped version is
// never edited: a change is a new version (tst_historystore keeps a copy of v1 to check that).
struct Migration
{
    int version;
    QStringList statements;
};

const QList<Migration> &migrations()
{
    static const QList<Migration> all {
        { 1,
            {
                QStringLiteral("CREATE TABLE tests ("
                               " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                               " url TEXT NOT NULL,"
                               " options TEXT NOT NULL," // LoadOptions::toJson
                               " runs_per_region INTEGER NOT NULL,"
                               " started_at INTEGER NOT NULL," // ms since the epoch
                               " finished_at INTEGER)"),
                QStringLiteral("CREATE TABLE regions ("
                               " test_id INTEGER NOT NULL REFERENCES tests(id) ON DELETE CASCADE,"
                               " code TEXT NOT NULL,"
                               " position INTEGER NOT NULL,"
                               " state TEXT NOT NULL DEFAULT 'queued'," // runStateName
                               " detail TEXT NOT NULL DEFAULT '',"
                               " PRIMARY KEY (test_id, code))"),
                QStringLiteral("CREATE TABLE runs ("
                               " test_id INTEGER NOT NULL,"
                               " region TEXT NOT NULL,"
                               " run_index INTEGER NOT NULL,"
                               " finished INTEGER NOT NULL DEFAULT 0,"
                               " ok INTEGER,"
                               " error TEXT," // LoadError::toJson
                               " cold INTEGER NOT NULL DEFAULT 0,"
                               " browser_start_ms REAL,"
                               " PRIMARY KEY (test_id, region, run_index),"
                               " FOREIGN KEY (test_id, region) REFERENCES regions(test_id, code) ON DELETE CASCADE)"),
                QStringLiteral("CREATE TABLE views ("
                               " test_id INTEGER NOT NULL,"
                               " region TEXT NOT NULL,"
                               " run_index INTEGER NOT NULL,"
                               " view TEXT NOT NULL CHECK (view IN ('first', 'repeat')),"
                               " started_at INTEGER," // estimated, ms since the epoch
                               " final_url TEXT NOT NULL DEFAULT '',"
                               " metrics TEXT," // PageMetrics::toJson; NULL until the metrics frame came
                               " ttfb_ms REAL, fcp_ms REAL, lcp_ms REAL, load_ms REAL," // copies for list/trend
                               " screenshot BLOB,"
                               " PRIMARY KEY (test_id, region, run_index, view),"
                               " FOREIGN KEY (test_id, region, run_index)"
                               "  REFERENCES runs(test_id, region, run_index) ON DELETE CASCADE)"),
                QStringLiteral("CREATE TABLE requests ("
                               " id INTEGER PRIMARY KEY,"
                               " test_id INTEGER NOT NULL,"
                               " region TEXT NOT NULL,"
                               " run_index INTEGER NOT NULL,"
                               " view TEXT NOT NULL,"
                               " start_ms REAL NOT NULL,"
                               " json TEXT NOT NULL," // RequestTiming::toJson
                               " FOREIGN KEY (test_id, region, run_index, view)"
                               "  REFERENCES views(test_id, region, run_index, view) ON DELETE CASCADE)"),
                QStringLiteral("CREATE INDEX requests_by_view ON requests(test_id, region, run_index, view, start_ms)"),
            } },
        { 2,
            {
                QStringLiteral("ALTER TABLE tests ADD COLUMN label TEXT NOT NULL DEFAULT ''"),
                // list() reads newest first, trend() one URL's tests in time order.
                QStringLiteral("CREATE INDEX tests_by_url ON tests(url, started_at)"),
                QStringLiteral("CREATE INDEX tests_by_start ON tests(started_at)"),
            } },
    };
    return all;
}

std::atomic<int> connectionCounter { 0 };

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

template<typename T> QVariant nullable(const std::optional<T> &value)
{
    return value ? QVariant::fromValue(*value) : QVariant(QMetaType::fromType<T>());
}

std::optional<double> optionalDouble(const QVariant &value)
{
    if (value.isNull())
        return std::nullopt;
    return value.toDouble();
}

QDateTime utcFromMs(const QVariant &value)
{
    if (value.isNull())
        return {};
    return QDateTime::fromMSecsSinceEpoch(value.toLongLong(), Qt::UTC);
}

QString compactJson(const QJsonObject &json)
{
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

std::optional<QJsonObject> parseObject(const QString &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text.toUtf8(), &error);
    if (!document.isObject())
        return std::nullopt;
    return document.object();
}

// Qt Sql binds a null QString as NULL; the statements turn that into '' where a column holds text that may be
// empty (coalesce(?, '')).
void bind(QSqlQuery &query, std::initializer_list<QVariant> values)
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

// The navigation started no later than a frame's arrival minus how far into the page load the frame reports.
std::optional<qint64> startBound(std::optional<double> offsetMs)
{
    if (!offsetMs || !std::isfinite(*offsetMs) || *offsetMs < 0)
        return std::nullopt;
    return nowMs() - static_cast<qint64>(std::llround(*offsetMs));
}

std::optional<double> latestMetric(const PageMetrics &m)
{
    std::optional<double> latest;
    for (const auto &value : { m.ttfbMs, m.firstContentfulPaintMs, m.largestContentfulPaintMs, m.domContentLoadedMs,
             m.loadMs, m.fullyLoadedMs }) {
        if (value && (!latest || *value > *latest))
            latest = value;
    }
    return latest;
}

// A URL as the history keeps it: without a user name or password, which a URL like https://user:secret@host/
// carries in clear and which the history would otherwise hand on to every export and report.
QString withoutUserInfo(const QString &url)
{
    const QUrl parsed(url);
    if (!parsed.isValid() || parsed.userInfo().isEmpty())
        return url;
    return parsed.adjusted(QUrl::RemoveUserInfo).toString();
}

// The history and its folder are the user's alone: URLs tested, internal host names, screenshots of pages.
bool makePrivate(const QString &path, QString *error)
{
    const QFileInfo file(path);
    QDir folder = file.absoluteDir();
    if (!folder.exists()) {
        if (!QDir().mkpath(folder.absolutePath())) {
            *error = u"cannot create the folder \"" % folder.absolutePath() % u'"';
            return false;
        }
        QFile::setPermissions(
            folder.absolutePath(), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    constexpr QFileDevice::Permissions ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
    if (!file.exists()) {
        // Created here with the final permissions, so there is no moment when another user could open it; SQLite
        // gives its -wal and -shm files the database's permissions.
        QFile create(path);
        if (!create.open(QIODevice::WriteOnly | QIODevice::NewOnly, ownerOnly) && !file.exists()) {
            *error = u"cannot create the history \"" % path % u"\": " % create.errorString();
            return false;
        }
        return true;
    }
    if ((QFile::permissions(path) & ~(ownerOnly | QFileDevice::ReadUser | QFileDevice::WriteUser)) != 0)
        QFile::setPermissions(path, ownerOnly);
    return true;
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

bool HistoryStore::pragma(const QString &sql, QVariant *result)
{
    QSqlQuery query(m_db);
    if (!query.exec(sql))
        return fail(u"cannot run " % sql, query.lastError());
    if (result)
        *result = query.next() ? query.value(0) : QVariant();
    return true;
}

bool HistoryStore::open()
{
    if (m_open)
        return true;
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return fail(QStringLiteral("the Qt SQLite driver (QSQLITE) is not installed"));
    if (QString error; m_path != u":memory:" && !makePrivate(m_path, &error))
        return fail(error);
    if (!m_db.isValid()) {
        m_db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_connectionName);
        m_db.setDatabaseName(m_path);
        // Another instance of the app may hold the write lock for a moment.
        m_db.setConnectOptions(QStringLiteral("QSQLITE_BUSY_TIMEOUT=5000"));
    }
    if (!m_db.open())
        return fail(u"cannot open the history \"" % m_path % u'"', m_db.lastError());

    const auto closeWith = [this](bool) {
        m_statements.clear();
        m_db.close();
        return false;
    };
    // foreign_keys is per connection and does nothing inside a transaction, so it is set first, then checked.
    QVariant value;
    if (!pragma(QStringLiteral("PRAGMA foreign_keys = ON")) || !pragma(QStringLiteral("PRAGMA foreign_keys"), &value))
        return closeWith(false);
    if (value.toInt() != 1)
        return closeWith(fail(QStringLiteral("this SQLite cannot enforce foreign keys")));
    // A file a newer version wrote is left exactly as it is, journal mode included.
    if (!pragma(QStringLiteral("PRAGMA user_version"), &value))
        return closeWith(false);
    if (value.toInt() > schemaVersion)
        return closeWith(
            fail(QStringLiteral("the history \"%1\" was written by a newer WorldSpeed (schema %2); this one "
                                "reads schema %3 and older")
                     .arg(m_path)
                     .arg(value.toInt())
                     .arg(schemaVersion)));
    if (!pragma(QStringLiteral("PRAGMA journal_mode = WAL"), &value))
        return closeWith(false);
    if (value.toString().compare(u"wal", Qt::CaseInsensitive) != 0) {
        // Some file systems (network shares) cannot do WAL; the rollback journal is as safe, only slower.
        qCWarning(lcHistory).noquote() << m_path << "is in journal mode" << value.toString() << "instead of WAL";
    }
    const QString synchronous = m_durability == Durability::PowerLoss ? QStringLiteral("PRAGMA synchronous = FULL")
                                                                      : QStringLiteral("PRAGMA synchronous = NORMAL");
    if (!pragma(synchronous))
        return closeWith(false);
    m_open = true;
    if (!migrate()) {
        m_open = false;
        return closeWith(false);
    }
    return true;
}

bool HistoryStore::migrate()
{
    QVariant value;
    if (!pragma(QStringLiteral("PRAGMA user_version"), &value))
        return false;
    const int current = value.toInt();
    for (const Migration &migration : migrations()) {
        if (migration.version <= current)
            continue;
        const QString what = QStringLiteral("cannot migrate the history to schema %1").arg(migration.version);
        const bool migrated = transact(what, [&] {
            // Another instance may have migrated the file since it was read above.
            QVariant now;
            if (!pragma(QStringLiteral("PRAGMA user_version"), &now))
                return false;
            if (now.toInt() >= migration.version)
                return true;
            QSqlQuery query(m_db);
            for (const QString &sql : migration.statements) {
                if (!query.exec(sql))
                    return fail(what % u": " % sql, query.lastError());
            }
            // user_version is transactional: a migration that fails half-way leaves the file at the old version.
            return pragma(QStringLiteral("PRAGMA user_version = %1").arg(migration.version));
        });
        if (!migrated)
            return false;
        if (current > 0)
            qCInfo(lcHistory).noquote() << m_path << "migrated to schema" << migration.version;
    }
    return true;
}

qint64 HistoryStore::beginTest(
    const QString &url, const LoadOptions &options, const QStringList &regions, int runsPerRegion)
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
        bind(test, { withoutUserInfo(url), compactJson(options.toJson()), runsPerRegion, nowMs() });
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
    bind(row, { testId, region, runIndex, runViewName(view), nullable(startedAt) });
    return exec(row, what);
}

bool HistoryStore::addRequest(
    qint64 testId, const QString &region, int runIndex, RunView view, const RequestTiming &request)
{
    const QString what
        = QStringLiteral("cannot store a request of test %1, region %2, run %3").arg(testId).arg(region).arg(runIndex);
    return transact(what, [&] {
        const auto started = startBound(request.endMs() ? request.endMs() : std::optional<double>(request.startMs));
        if (!ensureView(testId, region, runIndex, view, started))
            return false;
        QSqlQuery &insert = statement(QStringLiteral(
            "INSERT INTO requests (test_id, region, run_index, view, start_ms, json) VALUES (?, ?, ?, ?, ?, ?)"));
        const Finish finish { insert };
        RequestTiming kept = request;
        kept.url = withoutUserInfo(kept.url);
        kept.redirectUrl = withoutUserInfo(kept.redirectUrl);
        bind(insert, { testId, region, runIndex, runViewName(view), request.startMs, compactJson(kept.toJson()) });
        return exec(insert, what);
    });
}

bool HistoryStore::setMetrics(qint64 testId, const QString &region, int runIndex, RunView view,
    const PageMetrics &metrics, const QString &finalUrl, const QByteArray &screenshotPng)
{
    const QString what = QStringLiteral("cannot store the metrics of test %1, region %2, run %3")
                             .arg(testId)
                             .arg(region)
                             .arg(runIndex);
    return transact(what, [&] {
        if (!ensureView(testId, region, runIndex, view, startBound(latestMetric(metrics))))
            return false;
        QSqlQuery &update
            = statement(QStringLiteral("UPDATE views SET final_url = coalesce(?, ''), metrics = ?,"
                                       " ttfb_ms = ?, fcp_ms = ?, lcp_ms = ?, load_ms = ?, screenshot = ?"
                                       " WHERE test_id = ? AND region = ? AND run_index = ? AND view = ?"));
        const Finish finish { update };
        bind(update,
            { withoutUserInfo(finalUrl), compactJson(metrics.toJson()), nullable(metrics.ttfbMs),
                nullable(metrics.firstContentfulPaintMs), nullable(metrics.largestContentfulPaintMs),
                nullable(metrics.loadMs),
                screenshotPng.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(screenshotPng), testId,
                region, runIndex, runViewName(view) });
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
            { testId, region, runIndex, ok ? 1 : 0,
                stored ? QVariant(compactJson(stored->toJson())) : QVariant(QMetaType::fromType<QString>()),
                cold ? 1 : 0, nullable(browserStartMs) });
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

bool HistoryStore::finishTest(qint64 testId)
{
    const QString what = QStringLiteral("cannot store the end of test %1").arg(testId);
    return transact(what, [&] {
        QSqlQuery &update = statement(QStringLiteral("UPDATE tests SET finished_at = ? WHERE id = ?"));
        const Finish finish { update };
        bind(update, { nowMs(), testId });
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
        // Regions, runs, views and requests go with it (ON DELETE CASCADE).
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
    // One read transaction, so a test is never seen half-way through a write of another connection.
    const bool read = transact(what, [&] {
        QSqlQuery &test = statement(QStringLiteral(
            "SELECT url, label, options, runs_per_region, started_at, finished_at FROM tests WHERE id = ?"));
        const Finish finishTest { test };
        bind(test, { testId });
        if (!exec(test, what))
            return false;
        if (!test.next())
            return fail(what % u": no such test");
        record.id = testId;
        record.url = test.value(0).toString();
        record.label = test.value(1).toString();
        QString error;
        const auto optionsJson = parseObject(test.value(2).toString());
        const auto options = optionsJson ? LoadOptions::fromJson(*optionsJson, &error) : std::nullopt;
        if (!options)
            return fail(what % u": its options are not valid: " % error);
        record.options = *options;
        record.runsPerRegion = test.value(3).toInt();
        record.startedAt = utcFromMs(test.value(4));
        record.finishedAt = utcFromMs(test.value(5));

        QSqlQuery &regions
            = statement(QStringLiteral("SELECT code, state, detail FROM regions WHERE test_id = ? ORDER BY position"));
        const Finish finishRegions { regions };
        bind(regions, { testId });
        if (!exec(regions, what))
            return false;
        while (regions.next()) {
            const QString code = regions.value(0).toString();
            RegionRecord region;
            region.state = runStateFromName(regions.value(1).toString()).value_or(RunState::Error);
            region.detail = regions.value(2).toString();
            record.regions.append(code);
            record.results.insert(code, region);
        }

        const auto runOf = [&record](const QString &region, int index) -> RegionRun * {
            auto it = record.results.find(region);
            if (it == record.results.end())
                return nullptr;
            for (RegionRun &run : it->runs) {
                if (run.index == index)
                    return &run;
            }
            return nullptr;
        };

        QSqlQuery &runs = statement(QStringLiteral(
            "SELECT region, run_index, finished, ok, error, cold, browser_start_ms FROM runs WHERE test_id = ?"
            " ORDER BY region, run_index"));
        const Finish finishRuns { runs };
        bind(runs, { testId });
        if (!exec(runs, what))
            return false;
        while (runs.next()) {
            RegionRun run;
            run.index = runs.value(1).toInt();
            run.firstView.url = record.url;
            run.finished = runs.value(2).toBool();
            if (!runs.value(4).isNull()) {
                const auto errorJson = parseObject(runs.value(4).toString());
                run.error = errorJson ? LoadError::fromJson(*errorJson, &error) : std::nullopt;
                if (!run.error)
                    return fail(what % u": the error of a run is not valid: " % error);
            }
            run.cold = runs.value(5).toBool();
            run.browserStartMs = optionalDouble(runs.value(6));
            record.results[runs.value(0).toString()].runs.append(run);
        }

        QSqlQuery &views = statement(QStringLiteral(
            "SELECT region, run_index, view, started_at, final_url, metrics, screenshot FROM views WHERE test_id = ?"));
        const Finish finishViews { views };
        bind(views, { testId });
        if (!exec(views, what))
            return false;
        while (views.next()) {
            RegionRun *run = runOf(views.value(0).toString(), views.value(1).toInt());
            const auto which = runViewFromName(views.value(2).toString());
            if (!run || !which)
                return fail(what % u": a view does not belong to any run");
            if (*which == RunView::Repeat) {
                run->repeatView = ViewResult {};
                run->repeatView->url = record.url;
            }
            ViewResult &view = *which == RunView::Repeat ? *run->repeatView : run->firstView;
            view.startedAt = utcFromMs(views.value(3));
            view.finalUrl = views.value(4).toString();
            if (!views.value(5).isNull()) {
                const auto metricsJson = parseObject(views.value(5).toString());
                const auto metrics = metricsJson ? PageMetrics::fromJson(*metricsJson, &error) : std::nullopt;
                if (!metrics)
                    return fail(what % u": the metrics of a view are not valid: " % error);
                view.metrics = *metrics;
                (*which == RunView::Repeat ? run->repeatViewMeasured : run->firstViewMeasured) = true;
            }
            view.screenshotPng = views.value(6).toByteArray();
        }

        QSqlQuery &requests
            = statement(QStringLiteral("SELECT region, run_index, view, json FROM requests WHERE test_id = ?"
                                       " ORDER BY region, run_index, view, start_ms, id"));
        const Finish finishRequests { requests };
        bind(requests, { testId });
        if (!exec(requests, what))
            return false;
        while (requests.next()) {
            RegionRun *run = runOf(requests.value(0).toString(), requests.value(1).toInt());
            const auto which = runViewFromName(requests.value(2).toString());
            ViewResult *view
                = run && which ? (*which == RunView::Repeat ? &*run->repeatView : &run->firstView) : nullptr;
            if (!view)
                return fail(what % u": a request does not belong to any view");
            const auto json = parseObject(requests.value(3).toString());
            auto request = json ? RequestTiming::fromJson(*json, &error) : std::nullopt;
            if (!request)
                return fail(what % u": a request is not valid: " % error);
            view->requests.append(std::move(*request));
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
        QSqlQuery &tests = statement(QStringLiteral(
            "SELECT id, url, label, started_at, finished_at FROM tests ORDER BY started_at DESC, id DESC"));
        const Finish finishTests { tests };
        if (!exec(tests, what))
            return false;
        while (tests.next()) {
            TestSummary summary;
            summary.id = tests.value(0).toLongLong();
            summary.url = tests.value(1).toString();
            summary.label = tests.value(2).toString();
            summary.startedAt = utcFromMs(tests.value(3));
            summary.finishedAt = utcFromMs(tests.value(4));
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

QList<TrendPoint> HistoryStore::trend(const QString &url, const QString &region)
{
    QList<TrendPoint> points;
    const QString what = u"cannot read the trend of " % url % u" in " % region;
    const bool read = transact(what, [&] {
        QSqlQuery &query = statement(
            QStringLiteral("SELECT t.id, t.started_at, v.metrics FROM tests t JOIN views v ON v.test_id = t.id"
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
            const PageMetrics median = PageMetrics::median(runs);
            point.runs = static_cast<int>(runs.size());
            point.loadMs = median.loadMs;
            point.ttfbMs = median.ttfbMs;
            point.firstContentfulPaintMs = median.firstContentfulPaintMs;
            point.largestContentfulPaintMs = median.largestContentfulPaintMs;
            points.append(point);
            runs.clear();
        };
        while (query.next()) {
            const qint64 id = query.value(0).toLongLong();
            if (id != point.testId) {
                flush();
                point = TrendPoint {};
                point.testId = id;
                point.startedAt = utcFromMs(query.value(1));
            }
            QString error;
            const auto json = parseObject(query.value(2).toString());
            const auto metrics = json ? PageMetrics::fromJson(*json, &error) : std::nullopt;
            if (!metrics)
                return fail(what % QStringLiteral(": the metrics of test %1 are not valid: ").arg(id) % error);
            runs.append(*metrics);
        }
        flush();
        return true;
    });
    return read ? points : QList<TrendPoint> {};
}
