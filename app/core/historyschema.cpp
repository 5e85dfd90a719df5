#include "historyschema.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

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
        { 3,
            {
                // Filmstrip::toJson, compact; NULL when the view has none.
                QStringLiteral("ALTER TABLE views ADD COLUMN filmstrip TEXT"),
            } },
        { 4,
            {
                // The probe's CPU benchmark index and the throttling rate the run had; NULL from older probes.
                QStringLiteral("ALTER TABLE runs ADD COLUMN cpu_benchmark_index REAL"),
                QStringLiteral("ALTER TABLE runs ADD COLUMN cpu_slowdown_rate REAL"),
            } },
        { 5,
            {
                // A view's main-thread long tasks (LongTask::toJson) and what the probe cut or refused while it
                // loaded (Warnings::toJson); a run's warnings. Compact JSON; NULL when there are none.
                QStringLiteral("ALTER TABLE views ADD COLUMN long_tasks TEXT"),
                QStringLiteral("ALTER TABLE views ADD COLUMN warnings TEXT"),
                QStringLiteral("ALTER TABLE runs ADD COLUMN warnings TEXT"),
            } },
        { 6,
            {
                // A script that measures several steps (RegionRun's): step 1 is the run's first view, as in every
                // run, and its setEventName is step_name (NULL: unnamed). Steps 2… are rows of `steps`, numbered as
                // WebPageTest numbers them, each a view as `views` keeps one plus its name, its URL (each step
                // loads a page of its own) and its error; metrics NULL until its final frame came. Their requests
                // are in step_requests, as a view's are in `requests`. A new table rather than more `views` rows:
                // that table's CHECK allows only 'first' and 'repeat', and SQLite cannot change a CHECK in place.
                QStringLiteral("ALTER TABLE runs ADD COLUMN step_name TEXT"),
                QStringLiteral("CREATE TABLE steps ("
                               " test_id INTEGER NOT NULL,"
                               " region TEXT NOT NULL,"
                               " run_index INTEGER NOT NULL,"
                               " step INTEGER NOT NULL CHECK (step >= 2),"
                               " name TEXT NOT NULL DEFAULT '',"
                               " url TEXT NOT NULL DEFAULT '',"
                               " started_at INTEGER," // estimated, ms since the epoch
                               " final_url TEXT NOT NULL DEFAULT '',"
                               " metrics TEXT," // PageMetrics::toJson; NULL until the metrics frame came
                               " ttfb_ms REAL, fcp_ms REAL, lcp_ms REAL, load_ms REAL,"
                               " screenshot BLOB,"
                               " filmstrip TEXT,"
                               " long_tasks TEXT,"
                               " warnings TEXT,"
                               " error TEXT," // LoadError::toJson; NULL for none
                               " PRIMARY KEY (test_id, region, run_index, step),"
                               " FOREIGN KEY (test_id, region, run_index)"
                               "  REFERENCES runs(test_id, region, run_index) ON DELETE CASCADE)"),
                QStringLiteral("CREATE TABLE step_requests ("
                               " id INTEGER PRIMARY KEY,"
                               " test_id INTEGER NOT NULL,"
                               " region TEXT NOT NULL,"
                               " run_index INTEGER NOT NULL,"
                               " step INTEGER NOT NULL,"
                               " start_ms REAL NOT NULL,"
                               " json TEXT NOT NULL," // RequestTiming::toJson
                               " FOREIGN KEY (test_id, region, run_index, step)"
                               "  REFERENCES steps(test_id, region, run_index, step) ON DELETE CASCADE)"),
                QStringLiteral(
                    "CREATE INDEX step_requests_by_step ON step_requests(test_id, region, run_index, step, start_ms)"),
            } },
    };
    return all;
}

} // namespace

bool HistorySchema::makePrivate(const QString &path, QString *error)
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

bool HistorySchema::pragma(QSqlDatabase &db, const QString &sql, QString *error, QVariant *result)
{
    QSqlQuery query(db);
    if (!query.exec(sql)) {
        *error = u"cannot run " % sql % u": " % query.lastError().text();
        return false;
    }
    if (result)
        *result = query.next() ? query.value(0) : QVariant();
    return true;
}

bool HistorySchema::prepare(QSqlDatabase &db, const QString &path, bool powerLossSafe, QString *error)
{
    // foreign_keys is per connection and does nothing inside a transaction, so it is set first, then checked.
    QVariant value;
    if (!pragma(db, QStringLiteral("PRAGMA foreign_keys = ON"), error)
        || !pragma(db, QStringLiteral("PRAGMA foreign_keys"), error, &value))
        return false;
    if (value.toInt() != 1) {
        *error = QStringLiteral("this SQLite cannot enforce foreign keys");
        return false;
    }
    // A file a newer version wrote is left exactly as it is, journal mode included.
    if (!pragma(db, QStringLiteral("PRAGMA user_version"), error, &value))
        return false;
    if (value.toInt() > version) {
        *error = QStringLiteral("the history \"%1\" was written by a newer WorldSpeed (schema %2); this one reads "
                                "schema %3 and older")
                     .arg(path)
                     .arg(value.toInt())
                     .arg(version);
        return false;
    }
    if (!pragma(db, QStringLiteral("PRAGMA journal_mode = WAL"), error, &value))
        return false;
    if (value.toString().compare(u"wal", Qt::CaseInsensitive) != 0) {
        // Some file systems (network shares) cannot do WAL; the rollback journal is as safe, only slower.
        qCWarning(lcHistory).noquote() << path << "is in journal mode" << value.toString() << "instead of WAL";
    }
    return pragma(db,
        powerLossSafe ? QStringLiteral("PRAGMA synchronous = FULL") : QStringLiteral("PRAGMA synchronous = NORMAL"),
        error);
}

bool HistorySchema::migrate(QSqlDatabase &db, const QString &path, QString *error)
{
    QVariant value;
    if (!pragma(db, QStringLiteral("PRAGMA user_version"), error, &value))
        return false;
    const int current = value.toInt();
    for (const Migration &migration : migrations()) {
        if (migration.version <= current)
            continue;
        if (!apply(db, migration.version, migration.statements, error))
            return false;
        if (current > 0)
            qCInfo(lcHistory).noquote() << path << "migrated to schema" << migration.version;
    }
    return true;
}

bool HistorySchema::apply(QSqlDatabase &db, int version, const QStringList &statements, QString *error)
{
    const QString what = QStringLiteral("cannot migrate the history to schema %1").arg(version);
    if (!db.transaction()) {
        *error = what % u": " % db.lastError().text();
        return false;
    }
    const auto body = [&] {
        // Another instance may have migrated the file since it was read.
        QVariant now;
        if (!pragma(db, QStringLiteral("PRAGMA user_version"), error, &now))
            return false;
        if (now.toInt() >= version)
            return true;
        QSqlQuery query(db);
        for (const QString &sql : statements) {
            if (!query.exec(sql)) {
                *error = what % u": " % sql % u": " % query.lastError().text();
                return false;
            }
        }
        // user_version is transactional: a migration that fails half-way leaves the file at the old version.
        return pragma(db, QStringLiteral("PRAGMA user_version = %1").arg(version), error);
    };
    if (!body()) {
        db.rollback();
        return false;
    }
    if (!db.commit()) {
        *error = what % u": " % db.lastError().text();
        db.rollback();
        return false;
    }
    return true;
}
