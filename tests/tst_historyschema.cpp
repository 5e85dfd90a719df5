// The history's schema (HistorySchema) on real SQLite files: a file the first release wrote migrates to the
// current version and keeps everything, and a file a newer version wrote is refused and left as it is.

#include "historyfixtures.h"

#include <QRegularExpression>
#include <QTest>

namespace {

QString compact(const QJsonObject &json)
{
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

// Schema v1 exactly as the first release wrote it. Never edit this: it is the file a user of that release has.
QStringList v1Schema()
{
    return {
        QStringLiteral("CREATE TABLE tests ("
                       " id INTEGER PRIMARY KEY AUTOINCREMENT,"
                       " url TEXT NOT NULL,"
                       " options TEXT NOT NULL,"
                       " runs_per_region INTEGER NOT NULL,"
                       " started_at INTEGER NOT NULL,"
                       " finished_at INTEGER)"),
        QStringLiteral("CREATE TABLE regions ("
                       " test_id INTEGER NOT NULL REFERENCES tests(id) ON DELETE CASCADE,"
                       " code TEXT NOT NULL,"
                       " position INTEGER NOT NULL,"
                       " state TEXT NOT NULL DEFAULT 'queued',"
                       " detail TEXT NOT NULL DEFAULT '',"
                       " PRIMARY KEY (test_id, code))"),
        QStringLiteral("CREATE TABLE runs ("
                       " test_id INTEGER NOT NULL,"
                       " region TEXT NOT NULL,"
                       " run_index INTEGER NOT NULL,"
                       " finished INTEGER NOT NULL DEFAULT 0,"
                       " ok INTEGER,"
                       " error TEXT,"
                       " cold INTEGER NOT NULL DEFAULT 0,"
                       " browser_start_ms REAL,"
                       " PRIMARY KEY (test_id, region, run_index),"
                       " FOREIGN KEY (test_id, region) REFERENCES regions(test_id, code) ON DELETE CASCADE)"),
        QStringLiteral("CREATE TABLE views ("
                       " test_id INTEGER NOT NULL,"
                       " region TEXT NOT NULL,"
                       " run_index INTEGER NOT NULL,"
                       " view TEXT NOT NULL CHECK (view IN ('first', 'repeat')),"
                       " started_at INTEGER,"
                       " final_url TEXT NOT NULL DEFAULT '',"
                       " metrics TEXT,"
                       " ttfb_ms REAL, fcp_ms REAL, lcp_ms REAL, load_ms REAL,"
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
                       " json TEXT NOT NULL,"
                       " FOREIGN KEY (test_id, region, run_index, view)"
                       "  REFERENCES views(test_id, region, run_index, view) ON DELETE CASCADE)"),
        QStringLiteral("CREATE INDEX requests_by_view ON requests(test_id, region, run_index, view, start_ms)"),
        QStringLiteral("PRAGMA user_version = 1"),
    };
}

// What versions 2 to 4 added, exactly as they shipped: with v1Schema(), the file the release before long tasks and
// warnings were kept wrote. Never edit these either.
QStringList v4Schema()
{
    QStringList statements = v1Schema();
    statements.removeLast(); // its user_version
    statements << QStringLiteral("ALTER TABLE tests ADD COLUMN label TEXT NOT NULL DEFAULT ''")
               << QStringLiteral("CREATE INDEX tests_by_url ON tests(url, started_at)")
               << QStringLiteral("CREATE INDEX tests_by_start ON tests(started_at)")
               << QStringLiteral("ALTER TABLE views ADD COLUMN filmstrip TEXT")
               << QStringLiteral("ALTER TABLE runs ADD COLUMN cpu_benchmark_index REAL")
               << QStringLiteral("ALTER TABLE runs ADD COLUMN cpu_slowdown_rate REAL")
               << QStringLiteral("PRAGMA user_version = 4");
    return statements;
}

// What version 5 added, exactly as it shipped: with v4Schema(), the file the release before steps were kept wrote.
// Never edit this either.
QStringList v5Schema()
{
    QStringList statements = v4Schema();
    statements.removeLast(); // its user_version
    statements << QStringLiteral("ALTER TABLE views ADD COLUMN long_tasks TEXT")
               << QStringLiteral("ALTER TABLE views ADD COLUMN warnings TEXT")
               << QStringLiteral("ALTER TABLE runs ADD COLUMN warnings TEXT")
               << QStringLiteral("PRAGMA user_version = 5");
    return statements;
}

} // namespace

class tst_HistorySchema : public QObject
{
    Q_OBJECT

private slots:
    void migratesV1ToV2();
    void migratesV4ToV5();
    void migratesV5ToV6();
    void refusesNewerSchema();
};

// A file the first release wrote opens with everything in it, and gains what later versions added.
void tst_HistorySchema::migratesV1ToV2()
{
    QTemporaryDir dir;
    const QString path = historyPath(dir);
    const RequestTiming stored = request(QStringLiteral("7"), QStringLiteral("https://v1.example/"), 1.5, 0);
    const PageMetrics v1Metrics = metrics(100, false);
    LoadOptions options;
    options.profile = QStringLiteral("DSL");
    {
        RawDatabase v1(path);
        for (const QString &sql : v1Schema())
            QVERIFY(v1.exec(sql));
        QVERIFY(v1.exec(QStringLiteral("INSERT INTO tests (id, url, options, runs_per_region, started_at, finished_at)"
                                       " VALUES (42, 'https://v1.example/', ?, 1, 1700000000000, 1700000060000)"),
            { compact(options.toJson()) }));
        QVERIFY(v1.exec(QStringLiteral("INSERT INTO regions (test_id, code, position, state) VALUES (42, 'fra', 0, "
                                       "'complete'), (42, 'gru', 1, 'error')")));
        QVERIFY(v1.exec(QStringLiteral("INSERT INTO runs (test_id, region, run_index, finished, ok, cold, "
                                       "browser_start_ms) VALUES (42, 'fra', 1, 1, 1, 1, 640.5)")));
        QVERIFY(v1.exec(QStringLiteral("INSERT INTO views (test_id, region, run_index, view, started_at, final_url,"
                                       " metrics, ttfb_ms, fcp_ms, lcp_ms, load_ms) VALUES (42, 'fra', 1, 'first',"
                                       " 1700000001000, 'https://v1.example/home', ?, ?, ?, NULL, ?)"),
            { compact(v1Metrics.toJson()), *v1Metrics.ttfbMs, *v1Metrics.firstContentfulPaintMs, *v1Metrics.loadMs }));
        QVERIFY(v1.exec(QStringLiteral("INSERT INTO requests (test_id, region, run_index, view, start_ms, json) VALUES"
                                       " (42, 'fra', 1, 'first', 1.5, ?)"),
            { compact(stored.toJson()) }));
    }

    {
        HistoryStore store(path);
        QVERIFY2(store.open(), qPrintable(store.lastError()));
        const auto loaded = store.load(42);
        QVERIFY2(loaded, qPrintable(store.lastError()));
        QCOMPARE(loaded->url, QStringLiteral("https://v1.example/"));
        QCOMPARE(loaded->label, QString());
        QCOMPARE(loaded->options, options);
        QCOMPARE(loaded->regions, (QStringList { QStringLiteral("fra"), QStringLiteral("gru") }));
        QCOMPARE(loaded->startedAt, QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC));
        QCOMPARE(loaded->finishedAt, QDateTime::fromMSecsSinceEpoch(1'700'000'060'000, Qt::UTC));
        QCOMPARE(loaded->region(QStringLiteral("gru")).state, RunState::Error);
        const RegionRun run = loaded->region(QStringLiteral("fra")).runs.value(0);
        QVERIFY(run.ok());
        QCOMPARE(run.browserStartMs, 640.5);
        QCOMPARE(run.firstView.metrics, v1Metrics);
        QCOMPARE(run.firstView.finalUrl, QStringLiteral("https://v1.example/home"));
        QCOMPARE(run.firstView.startedAt, QDateTime::fromMSecsSinceEpoch(1'700'000'001'000, Qt::UTC));
        QCOMPARE(run.firstView.requests, QList<RequestTiming> { stored });
        QCOMPARE(store.list().value(0).fastest, (RegionLoad { QStringLiteral("fra"), *v1Metrics.loadMs }));
        // v2's column works on the migrated file, and new tests continue the old ids.
        QVERIFY(store.setLabel(42, QStringLiteral("from v1")));
        QCOMPARE(store.load(42)->label, QStringLiteral("from v1"));
        QCOMPARE(
            store.beginTest(QStringLiteral("https://v2.example/"), LoadOptions {}, { QStringLiteral("fra") }, 1), 43);
    }

    RawDatabase migrated(path);
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA user_version")).toInt(), HistoryStore::schemaVersion);
    QCOMPARE(migrated
                 .value(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
                                       "('tests_by_url', 'tests_by_start')"))
                 .toInt(),
        2);
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA journal_mode")).toString(), QStringLiteral("wal"));

    // Opening a current file again migrates nothing and keeps everything.
    HistoryStore again(path);
    QVERIFY(again.open());
    QCOMPARE(again.list().size(), 2);
}

// A file of the release before long tasks and warnings were kept: its tests read back as they were, with no long
// tasks and no warnings (not known then, so none are made up), and new ones keep theirs.
void tst_HistorySchema::migratesV4ToV5()
{
    QTemporaryDir dir;
    const QString path = historyPath(dir);
    const PageMetrics v4Metrics = metrics(200, true);
    const QByteArray jpeg("\xff\xd8\xff-v4", 6);
    Filmstrip strip;
    strip.frames = { { 0, jpeg }, { 250, jpeg } };
    {
        RawDatabase v4(path);
        for (const QString &sql : v4Schema())
            QVERIFY(v4.exec(sql));
        QVERIFY(v4.exec(QStringLiteral("INSERT INTO tests (id, url, options, runs_per_region, started_at, finished_at,"
                                       " label) VALUES (7, 'https://v4.example/', ?, 1, 1700000000000, 1700000060000,"
                                       " 'before long tasks')"),
            { compact(LoadOptions {}.toJson()) }));
        QVERIFY(v4.exec(QStringLiteral("INSERT INTO regions (test_id, code, position, state) VALUES (7, 'fra', 0, "
                                       "'complete')")));
        QVERIFY(
            v4.exec(QStringLiteral("INSERT INTO runs (test_id, region, run_index, finished, ok, cold,"
                                   " cpu_benchmark_index, cpu_slowdown_rate) VALUES (7, 'fra', 1, 1, 1, 0, 640, 4)")));
        QVERIFY(v4.exec(QStringLiteral("INSERT INTO views (test_id, region, run_index, view, started_at, final_url,"
                                       " metrics, load_ms, filmstrip) VALUES (7, 'fra', 1, 'first', 1700000001000,"
                                       " 'https://v4.example/', ?, ?, ?)"),
            { compact(v4Metrics.toJson()), *v4Metrics.loadMs,
                QString::fromUtf8(QJsonDocument(strip.toJson()).toJson(QJsonDocument::Compact)) }));
    }

    HistoryStore store(path);
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const auto old = store.load(7);
    QVERIFY2(old, qPrintable(store.lastError()));
    QCOMPARE(old->label, QStringLiteral("before long tasks"));
    const RegionRun run = old->region(QStringLiteral("fra")).runs.value(0);
    QVERIFY(run.ok());
    QCOMPARE(run.cpuSlowdownRate, std::optional<double>(4));
    QCOMPARE(run.firstView.metrics, v4Metrics);
    QCOMPARE(run.firstView.filmstrip, strip);
    QVERIFY(run.firstView.longTasks.isEmpty());
    QVERIFY(run.firstView.warnings.isEmpty());
    QVERIFY(run.warnings.isEmpty());

    // The migrated file keeps a new test's long tasks and warnings, the view's and the run's.
    const qint64 id
        = store.beginTest(QStringLiteral("https://v5.example/"), LoadOptions {}, { QStringLiteral("fra") }, 1);
    QCOMPARE(id, 8);
    ViewResult view;
    view.metrics = v4Metrics;
    view.longTasks = { { 120, 75.5 }, { 400, 260 } };
    view.warnings = { QStringLiteral("the probe refused 2 connection(s) the page tried to open: a, b") };
    const QStringList runWarnings { QStringLiteral("first view: 3 requests had a URL, header or text over the "
                                                   "protocol's limits, cut to them") };
    QVERIFY(store.setMetrics(id, QStringLiteral("fra"), 1, RunView::First, view));
    QVERIFY(store.setRunWarnings(id, QStringLiteral("fra"), 1, runWarnings));
    QVERIFY(store.finishRun(id, QStringLiteral("fra"), 1, true, std::nullopt, false, std::nullopt));
    const auto kept = store.load(id);
    QVERIFY2(kept, qPrintable(store.lastError()));
    const RegionRun keptRun = kept->region(QStringLiteral("fra")).runs.value(0);
    QCOMPARE(keptRun.firstView.longTasks, view.longTasks);
    QCOMPARE(keptRun.firstView.warnings, view.warnings);
    QCOMPARE(keptRun.warnings, runWarnings);
    QCOMPARE(kept->runResult(keptRun).warnings, runWarnings);

    RawDatabase migrated(path);
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA user_version")).toInt(), HistoryStore::schemaVersion);
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));

    // A column the store did not write (a damaged file) is refused with what is wrong, not read as none.
    QVERIFY(migrated.exec(QStringLiteral("UPDATE views SET long_tasks = '[[1]]' WHERE test_id = 8")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("long tasks of a view are not valid")));
    QVERIFY(!store.load(id));
    QVERIFY(migrated.exec(QStringLiteral("UPDATE views SET long_tasks = NULL, warnings = '[1]' WHERE test_id = 8")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("warnings of a view are not valid")));
    QVERIFY(!store.load(id));
}

// A file of the release before a script's steps were kept: its tests read back exactly as they were written, with
// one step each and no step name (not known then, so none is made up), and new tests keep their steps.
void tst_HistorySchema::migratesV5ToV6()
{
    QTemporaryDir dir;
    const QString path = historyPath(dir);
    TestRecord expected;
    expected.id = 9;
    expected.url = QStringLiteral("https://v5.example/");
    expected.label = QStringLiteral("before steps");
    expected.regions = { QStringLiteral("fra") };
    expected.startedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);
    expected.finishedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'060'000, Qt::UTC);
    RegionRun run;
    run.finished = true;
    run.firstViewMeasured = true;
    run.warnings = { QStringLiteral("first view: 7 requests beyond the first 5000 were not recorded") };
    run.firstView.url = expected.url;
    run.firstView.finalUrl = expected.url;
    run.firstView.startedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'001'000, Qt::UTC);
    run.firstView.metrics = metrics(300, true);
    run.firstView.requests = { request(QStringLiteral("1"), expected.url, 0.5, 0) };
    run.firstView.longTasks = { { 120, 75.5 } };
    run.firstView.warnings = { QStringLiteral("the probe refused 1 connection(s) the page tried to open: a:443") };
    expected.results.insert(QStringLiteral("fra"), RegionRecord { RunState::Complete, {}, false, { run } });
    {
        RawDatabase v5(path);
        for (const QString &sql : v5Schema())
            QVERIFY(v5.exec(sql));
        QVERIFY(v5.exec(QStringLiteral("INSERT INTO tests (id, url, options, runs_per_region, started_at, finished_at,"
                                       " label) VALUES (9, ?, ?, 1, 1700000000000, 1700000060000, ?)"),
            { expected.url, compact(LoadOptions {}.toJson()), expected.label }));
        QVERIFY(v5.exec(QStringLiteral("INSERT INTO regions (test_id, code, position, state) VALUES (9, 'fra', 0, "
                                       "'complete')")));
        QVERIFY(v5.exec(QStringLiteral("INSERT INTO runs (test_id, region, run_index, finished, ok, cold, warnings)"
                                       " VALUES (9, 'fra', 1, 1, 1, 0, ?)"),
            { QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(run.warnings)).toJson()) }));
        QVERIFY(v5.exec(QStringLiteral("INSERT INTO views (test_id, region, run_index, view, started_at, final_url,"
                                       " metrics, load_ms, long_tasks, warnings) VALUES (9, 'fra', 1, 'first',"
                                       " 1700000001000, ?, ?, ?, ?, ?)"),
            { expected.url, compact(run.firstView.metrics.toJson()), *run.firstView.metrics.loadMs,
                QString::fromUtf8(QJsonDocument(LongTask::toJson(run.firstView.longTasks)).toJson()),
                QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(run.firstView.warnings)).toJson()) }));
        QVERIFY(v5.exec(QStringLiteral("INSERT INTO requests (test_id, region, run_index, view, start_ms, json) VALUES"
                                       " (9, 'fra', 1, 'first', 0.5, ?)"),
            { compact(run.firstView.requests.first().toJson()) }));
    }

    HistoryStore store(path);
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const auto old = store.load(9);
    QVERIFY2(old, qPrintable(store.lastError()));
    QCOMPARE(describe(*old), describe(expected));
    QVERIFY(*old == expected);
    const RegionRun oldRun = old->region(QStringLiteral("fra")).runs.value(0);
    QCOMPARE(oldRun.stepCount(), 1);
    QVERIFY(oldRun.stepName.isEmpty());

    // The migrated file keeps a new test's steps: step 1's name, and step 2 with its requests and metrics.
    const qint64 id
        = store.beginTest(QStringLiteral("https://v6.example/login"), LoadOptions {}, { QStringLiteral("fra") }, 1);
    QCOMPARE(id, 10);
    StepResult account { QStringLiteral("account"), {} };
    account.view.url = QStringLiteral("https://v6.example/account");
    account.view.metrics = metrics(120, true);
    account.view.requests = { request(QStringLiteral("2.1"), account.view.url, 0.25, 1) };
    QVERIFY(store.setMetrics(id, QStringLiteral("fra"), 1, RunView::First, run.firstView));
    QVERIFY(store.setStepName(id, QStringLiteral("fra"), 1, QStringLiteral("log in")));
    QVERIFY(store.addStepRequest(id, QStringLiteral("fra"), 1, 1, account.view.requests.first()));
    QVERIFY(store.setStep(id, QStringLiteral("fra"), 1, 1, account, true));
    QVERIFY(store.finishRun(id, QStringLiteral("fra"), 1, true, std::nullopt, false, std::nullopt));
    const auto kept = store.load(id);
    QVERIFY2(kept, qPrintable(store.lastError()));
    const RegionRun keptRun = kept->region(QStringLiteral("fra")).runs.value(0);
    QCOMPARE(keptRun.stepName, QStringLiteral("log in"));
    QCOMPARE(keptRun.stepCount(), 2);
    QCOMPARE(keptRun.stepLabel(1), QStringLiteral("account"));
    QCOMPARE(keptRun.stepView(1).requests, account.view.requests);
    QCOMPARE(keptRun.stepView(1).metrics, account.view.metrics);
    QVERIFY(keptRun.stepMeasured(1));

    RawDatabase migrated(path);
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA user_version")).toInt(), HistoryStore::schemaVersion);
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
    QCOMPARE(migrated.value(QStringLiteral("PRAGMA foreign_key_check")), QVariant());

    // A step row the store did not write (a damaged file: a gap in the numbering) is refused, not read as none.
    QVERIFY(migrated.exec(QStringLiteral("UPDATE steps SET step = 3 WHERE test_id = 10")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("does not follow the one before it")));
    QVERIFY(!store.load(id));
}

void tst_HistorySchema::refusesNewerSchema()
{
    QTemporaryDir dir;
    {
        RawDatabase future(historyPath(dir));
        QVERIFY(future.exec(QStringLiteral("CREATE TABLE tests (id INTEGER PRIMARY KEY, hologram BLOB)")));
        QVERIFY(future.exec(QStringLiteral("PRAGMA user_version = 99")));
    }
    HistoryStore store(historyPath(dir));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("newer WorldSpeed")));
    QVERIFY(!store.open());
    QVERIFY2(store.lastError().contains(u"schema 99"), qPrintable(store.lastError()));
    QVERIFY(!store.isOpen());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not open")));
    QCOMPARE(store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {}, { QStringLiteral("fra") }, 1), -1);
    RawDatabase untouched(historyPath(dir));
    QCOMPARE(untouched.value(QStringLiteral("PRAGMA user_version")).toInt(), 99);
}

QTEST_GUILESS_MAIN(tst_HistorySchema)
#include "tst_historyschema.moc"
