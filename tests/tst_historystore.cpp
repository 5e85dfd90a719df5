// HistoryStore against real SQLite files in temporary folders: a test fed frame by frame reads back whole, absent
// stays absent, the list and the trend count as RegionSummary does, refused frames leave nothing behind, and the
// file is private and keeps no URL's user info. The schema's migrations are tst_historyschema's, surviving a kill
// tst_historydurability's.

#include "historyfixtures.h"
#include "regionsummary.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTest>

#include <memory>
#include <sys/stat.h>
#include <sys/types.h>

class tst_HistoryStore : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip();
    void absentStaysAbsent();
    void stepsRoundTrip();
    void refusesAStepBeforeTheOneBeforeIt();
    void listTrendRemove();
    void listAndTrendAgreeWithRegionSummary();
    void refusesFramesOfUnknownRegions();
    void historyIsPrivate();
    void userInfoIsNotStored();
};

void tst_HistoryStore::roundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistoryStore store(historyPath(dir));
    QVERIFY2(store.open(), qPrintable(store.lastError()));

    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    TestRecord expected = sampleRecord();
    const qint64 id = feed(store, expected);
    QVERIFY2(id > 0, qPrintable(store.lastError()));

    const auto loaded = store.load(id);
    QVERIFY2(loaded, qPrintable(store.lastError()));
    QCOMPARE(loaded->id, id);
    QVERIFY(loaded->startedAt >= before);
    QVERIFY(loaded->finishedAt >= loaded->startedAt);
    QCOMPARE(loaded->startedAt.timeSpec(), Qt::UTC);
    QString why;
    QVERIFY2(adoptStoredTimes(expected, *loaded, before, &why), qPrintable(why));
    QCOMPARE(describe(*loaded), describe(expected));
    QVERIFY(*loaded == expected);

    // The helpers on the loaded record.
    const auto median = loaded->medianMetrics(QStringLiteral("iad"));
    QVERIFY(median);
    QCOMPARE(median->loadMs, 200.0 + 1 + 400); // the failed run 2 is left out
    QCOMPARE(loaded->medianMetrics(QStringLiteral("fra"))->loadMs, (101.0 + 400 + 102.0 + 400) / 2);
    QVERIFY(!loaded->medianMetrics(QStringLiteral("nowhere")));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no such test")));
    QVERIFY(!store.load(id + 1000));
    QVERIFY(store.lastError().contains(u"no such test"));
}

void tst_HistoryStore::absentStaysAbsent()
{
    QTemporaryDir dir;
    HistoryStore store(historyPath(dir));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const qint64 id
        = store.beginTest(QStringLiteral("https://blank.example/"), LoadOptions {}, { QStringLiteral("fra") }, 2);
    QVERIFY(id > 0);
    PageMetrics bare; // a blank page: nothing painted, no load event before the timeout
    bare.ttfbMs = 12.0;
    RequestTiming unfinished;
    unfinished.id = QStringLiteral("1");
    unfinished.url = QStringLiteral("https://blank.example/");
    unfinished.startMs = 0;
    QVERIFY(store.addRequest(id, QStringLiteral("fra"), 1, RunView::First, unfinished));
    QVERIFY(store.setMetrics(id, QStringLiteral("fra"), 1, RunView::First, bare, {}, {}));
    QVERIFY(store.finishRun(id, QStringLiteral("fra"), 1, false, std::nullopt, false, std::nullopt));
    // Run 2 started (a request came) but the app stopped before its metrics and done.
    QVERIFY(store.addRequest(id, QStringLiteral("fra"), 2, RunView::First, unfinished));

    const auto loaded = store.load(id);
    QVERIFY(loaded);
    QVERIFY(!loaded->finishedAt.isValid());
    const RegionRecord fra = loaded->region(QStringLiteral("fra"));
    QCOMPARE(fra.runs.size(), 2);
    const RegionRun &one = fra.runs.at(0);
    QCOMPARE(one.firstView.metrics, bare);
    QVERIFY(!one.firstView.metrics.loadMs);
    QVERIFY(!one.firstView.metrics.documentStatus);
    QVERIFY(!one.browserStartMs);
    QVERIFY(!one.cpuBenchmarkIndex && !one.cpuSlowdownRate);
    QVERIFY(!one.repeatView);
    QVERIFY(one.firstView.screenshotPng.isEmpty());
    QCOMPARE(one.firstView.requests, QList<RequestTiming> { unfinished });
    QVERIFY(!one.firstView.requests.first().durationMs);
    QVERIFY(!one.firstView.requests.first().status);
    // A failed run without a reason still says it failed.
    QVERIFY(one.error);
    QCOMPARE(one.error->kind, LoadError::Kind::Other);
    const RegionRun &two = fra.runs.at(1);
    QVERIFY(!two.finished);
    QVERIFY(!two.firstViewMeasured);
    QVERIFY(!two.ok());
    QVERIFY(!loaded->medianMetrics(QStringLiteral("fra")));
}

// A script's steps: step 1's name, and each later step with everything a first view keeps (requests, metrics,
// screenshot, filmstrip, long tasks, warnings), its own URL and name, an error, and one whose metrics never came.
void tst_HistoryStore::stepsRoundTrip()
{
    QTemporaryDir dir;
    HistoryStore store(historyPath(dir));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    TestRecord expected = sampleRecord();
    RegionRecord &fra = expected.results[QStringLiteral("fra")];
    for (RegionRun &run : fra.runs) {
        run.repeatView.reset(); // a script has no repeat view
        run.repeatViewMeasured = false;
        run.stepName = run.index == 1 ? QStringLiteral("log in") : QString();
        StepResult account { QStringLiteral("account"), {} };
        account.view.url = QStringLiteral("https://example.com/account");
        account.view.finalUrl = account.view.url + QStringLiteral("?welcome");
        account.view.metrics = metrics(50.0 * run.index, run.index == 1);
        account.view.requests = { request(QStringLiteral("s2.0"), account.view.url, 0.5, 0),
            request(QStringLiteral("s2.1"), QStringLiteral("https://cdn.example/a.png"), 12.25, 1) };
        account.view.screenshotPng = QByteArray("\x89PNG\r\n\x1a\nstep2", 13);
        account.view.filmstrip.frames = { { 0, QByteArray("\xff\xd8\xff-2", 5) } };
        account.view.longTasks = { { 80, 64.5 } };
        account.view.warnings = { QStringLiteral("the probe refused 1 connection(s) the page tried to open: x:443") };
        StepResult unnamed; // named by its page; its metrics never came, and it failed
        unnamed.view.url = QStringLiteral("https://example.com/orders");
        unnamed.view.requests = { request(QStringLiteral("s3.0"), unnamed.view.url, 1, 2) };
        unnamed.view.error = LoadError { LoadError::Kind::Timeout, QStringLiteral("step 3 did not load in 30 s") };
        run.laterSteps = { account, unnamed };
        run.laterStepMeasured = { true, false };
    }
    const qint64 id = feed(store, expected);
    QVERIFY2(id > 0, qPrintable(store.lastError()));
    const auto loaded = store.load(id);
    QVERIFY2(loaded, qPrintable(store.lastError()));
    QString why;
    QVERIFY2(adoptStoredTimes(expected, *loaded, before, &why), qPrintable(why));
    QCOMPARE(describe(*loaded), describe(expected));
    QVERIFY(*loaded == expected);
    const RegionRun run = loaded->region(QStringLiteral("fra")).runs.first(); // region() answers a copy
    QCOMPARE(run.stepCount(), 3);
    QCOMPARE(run.stepLabel(0), QStringLiteral("log in"));
    QCOMPARE(run.stepLabel(2), QStringLiteral("https://example.com/orders"));
    QVERIFY(run.laterSteps.first().view.startedAt.isValid());
    // The other regions' runs, without a script, have no steps.
    QCOMPARE(loaded->region(QStringLiteral("iad")).runs.first().stepCount(), 1);

    // Deleting the test deletes its steps and their requests.
    QVERIFY(store.remove(id));
    RawDatabase raw(historyPath(dir));
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM steps")).toInt(), 0);
    QCOMPARE(raw.value(QStringLiteral("SELECT count(*) FROM step_requests")).toInt(), 0);
}

// Steps are stored in order, so a run's steps read back without a gap: step 3 before step 2 is refused, and
// nothing of it is kept.
void tst_HistoryStore::refusesAStepBeforeTheOneBeforeIt()
{
    QTemporaryDir dir;
    HistoryStore store(historyPath(dir));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const qint64 id
        = store.beginTest(QStringLiteral("https://steps.example/"), LoadOptions {}, { QStringLiteral("fra") }, 1);
    StepResult third { QStringLiteral("third"), {} };
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("step before it was never stored")));
    QVERIFY(!store.setStep(id, QStringLiteral("fra"), 1, 2, third, false));
    QVERIFY2(store.lastError().contains(u"step 3"), qPrintable(store.lastError()));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("step 1 is the run's first view")));
    QVERIFY(!store.addStepRequest(id, QStringLiteral("fra"), 1, 0, RequestTiming {}));
    QVERIFY(store.setStep(id, QStringLiteral("fra"), 1, 1, StepResult { QStringLiteral("second"), {} }, false));
    QVERIFY(store.setStep(id, QStringLiteral("fra"), 1, 2, third, false));
    const auto loaded = store.load(id);
    QVERIFY2(loaded, qPrintable(store.lastError()));
    const RegionRun run = loaded->region(QStringLiteral("fra")).runs.value(0);
    QCOMPARE(run.stepCount(), 3);
    QCOMPARE(run.stepLabel(2), QStringLiteral("third"));
    QCOMPARE(run.laterStepMeasured, (QList<bool> { false, false }));
}

void tst_HistoryStore::listTrendRemove()
{
    QTemporaryDir dir;
    HistoryStore store(historyPath(dir));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    QVERIFY(store.list().isEmpty());

    const TestRecord sample = sampleRecord();
    const qint64 first = feed(store, sample);
    QTest::qWait(5); // distinct start times
    TestRecord other = sample;
    other.url = QStringLiteral("https://other.example/");
    other.regions = { QStringLiteral("syd") };
    other.results = { { QStringLiteral("syd"), sample.region(QStringLiteral("syd")) } };
    const qint64 second = feed(store, other);
    QTest::qWait(5);
    TestRecord faster = sample;
    for (RegionRecord &region : faster.results) {
        for (RegionRun &run : region.runs) {
            if (run.firstView.metrics.loadMs)
                *run.firstView.metrics.loadMs -= 50;
        }
    }
    const qint64 third = feed(store, faster);
    QVERIFY(first > 0 && second > 0 && third > 0);
    QVERIFY2(store.setLabel(third, QStringLiteral("after the CDN change")), qPrintable(store.lastError()));

    const QList<TestSummary> all = store.list();
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.at(0).id, third); // newest first
    QCOMPARE(all.at(1).id, second);
    QCOMPARE(all.at(2).id, first);
    QCOMPARE(all.at(0).label, QStringLiteral("after the CDN change"));
    QCOMPARE(all.at(2).url, sample.url);
    QCOMPARE(all.at(2).regions, sample.regions);
    QVERIFY(all.at(2).finishedAt.isValid());
    // fra: runs 1 and 2 load at 501 and 502; iad only run 1 (run 2 failed) at 601; syd at 701 and 702.
    QCOMPARE(all.at(2).fastest, (RegionLoad { QStringLiteral("fra"), 501.5 }));
    QCOMPARE(all.at(2).slowest, (RegionLoad { QStringLiteral("syd"), 701.5 }));
    QCOMPARE(all.at(1).fastest, all.at(1).slowest);
    QCOMPARE(all.at(0).fastest, (RegionLoad { QStringLiteral("fra"), 451.5 }));

    const QList<TrendPoint> trend = store.trend(sample.url, QStringLiteral("syd"));
    QCOMPARE(trend.size(), 2);
    QCOMPARE(trend.at(0).testId, first); // oldest first
    QCOMPARE(trend.at(1).testId, third);
    QVERIFY(trend.at(0).startedAt < trend.at(1).startedAt);
    QCOMPARE(trend.at(0).runs, 2);
    QCOMPARE(trend.at(0).median.loadMs, 701.5);
    QCOMPARE(trend.at(1).median.loadMs, 651.5);
    QCOMPARE(trend.at(0).median.ttfbMs, 301.5 + 0.5);
    QCOMPARE(trend.at(0).median.firstContentfulPaintMs, 401.5);
    QCOMPARE(trend.at(0).median.largestContentfulPaintMs, 501.0); // only run 1 observed it
    QCOMPARE(store.trend(sample.url, QStringLiteral("iad")).at(0).runs, 1);
    QVERIFY(store.trend(sample.url, QStringLiteral("nowhere")).isEmpty());
    QVERIFY(store.trend(QStringLiteral("https://never.example/"), QStringLiteral("fra")).isEmpty());

    QVERIFY2(store.remove(first), qPrintable(store.lastError()));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no such test")));
    QVERIFY(!store.load(first));
    QCOMPARE(store.list().size(), 2);
    QCOMPARE(store.trend(sample.url, QStringLiteral("syd")).size(), 1);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no such test")));
    QVERIFY(!store.remove(first));
    QVERIFY(store.load(third));

    RawDatabase raw(historyPath(dir));
    for (const QString &table :
        { QStringLiteral("regions"), QStringLiteral("runs"), QStringLiteral("views"), QStringLiteral("requests") }) {
        QCOMPARE(raw.value(u"SELECT count(*) FROM " % table % u" WHERE test_id = ?", { first }).toInt(), 0);
        QVERIFY(raw.value(u"SELECT count(*) FROM " % table % u" WHERE test_id = ?", { third }).toInt() > 0);
    }
}

void tst_HistoryStore::listAndTrendAgreeWithRegionSummary()
{
    // list() and trend() keep their rule in SQL, so as not to read every request of every test: here both are
    // compared with RegionSummary over the same stored tests.
    QTemporaryDir dir;
    HistoryStore store(historyPath(dir));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    QList<qint64> ids;
    for (const TestRecord &test : { awkwardRecord(0), sampleRecord(), awkwardRecord(-35), awkwardRecord(12.5) }) {
        ids.append(feed(store, test));
        QVERIFY2(ids.last() > 0, qPrintable(store.lastError()));
        QTest::qWait(3); // distinct start times
    }

    QHash<qint64, TestRecord> stored;
    for (const qint64 id : std::as_const(ids)) {
        const auto test = store.load(id);
        QVERIFY2(test, qPrintable(store.lastError()));
        stored.insert(id, *test);
    }
    const QList<TestSummary> listed = store.list();
    QCOMPARE(listed.size(), ids.size());
    for (const TestSummary &line : listed) {
        std::optional<RegionLoad> fastest;
        std::optional<RegionLoad> slowest;
        for (const RegionSummary &region : RegionSummary::of(stored.value(line.id))) {
            if (!region.median || !region.median->loadMs)
                continue;
            const RegionLoad load { region.code, *region.median->loadMs };
            if (!fastest || load.medianLoadMs < fastest->medianLoadMs)
                fastest = load;
            if (!slowest || load.medianLoadMs > slowest->medianLoadMs)
                slowest = load;
        }
        QCOMPARE(line.fastest, fastest);
        QCOMPARE(line.slowest, slowest);
    }
    // The awkward test's regions: ams over runs 1 and 3 only, bom over run 1, cdg over the one load run 2 saw.
    QCOMPARE(listed.constLast().fastest, (RegionLoad { QStringLiteral("ams"), 800 }));
    QCOMPARE(listed.constLast().slowest, (RegionLoad { QStringLiteral("bom"), 2000 }));

    const QString url = awkwardRecord(0).url;
    for (const QString &code : awkwardRecord(0).regions) {
        QList<TrendPoint> expected;
        for (const qint64 id : std::as_const(ids)) {
            const TestRecord &test = stored[id];
            const RegionSummary region = RegionSummary::of(test, code);
            if (test.url != url || !region.median)
                continue;
            TrendPoint point;
            point.testId = id;
            point.startedAt = test.startedAt;
            point.runs = region.medianRuns;
            point.median = *region.median;
            point.options = test.options; // the trend keeps apart tests of other settings
            expected.append(point);
        }
        QCOMPARE(store.trend(url, code), expected);
    }
    QCOMPARE(store.trend(url, QStringLiteral("ams")).constFirst().runs, 2);
    QCOMPARE(store.trend(url, QStringLiteral("cdg")).constFirst().runs, 2); // run 3's metrics never came
    QVERIFY(store.trend(url, QStringLiteral("dfw")).isEmpty());
    QVERIFY(!store.trend(url, QStringLiteral("ewr")).constFirst().median.loadMs);
}

void tst_HistoryStore::refusesFramesOfUnknownRegions()
{
    QTemporaryDir dir;
    HistoryStore store(historyPath(dir));
    QVERIFY(store.open());
    const qint64 id
        = store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {}, { QStringLiteral("fra") }, 1);
    QVERIFY(id > 0);
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("FOREIGN KEY")));
    QVERIFY(!store.addRequest(id, QStringLiteral("xyz"), 1, RunView::First, request(QStringLiteral("1"), {}, 0, 0)));
    QVERIFY2(store.lastError().contains(u"FOREIGN KEY"), qPrintable(store.lastError()));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no such test or region")));
    QVERIFY(!store.setRegionState(id, QStringLiteral("xyz"), RunState::Loading, {}));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("FOREIGN KEY")));
    QVERIFY(!store.finishRun(id + 1, QStringLiteral("fra"), 1, true, std::nullopt, false, std::nullopt));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("at least one region")));
    QCOMPARE(store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {}, {}, 1), -1);
    // The refused frames left nothing behind.
    QCOMPARE(store.load(id)->region(QStringLiteral("fra")).runs.size(), 0);
}

void tst_HistoryStore::historyIsPrivate()
{
    // A umask that would make a new file readable by everyone, as a desktop session often has.
    const mode_t previous = ::umask(022);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString folder = dir.filePath(QStringLiteral("new/WorldSpeed"));
    const QString path = folder + QStringLiteral("/history.sqlite");
    {
        HistoryStore store(path);
        QVERIFY2(store.open(), qPrintable(store.lastError()));
        QVERIFY(feed(store, sampleRecord()) > 0);
    }
    ::umask(previous);
    const auto others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
        | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    QCOMPARE(QFile::permissions(folder) & others, QFileDevice::Permissions());
    for (const QString &name : QDir(folder).entryList(QDir::Files)) // the database and its -wal, -shm
        QVERIFY2((QFile::permissions(folder + u'/' + name) & others) == 0, qPrintable(name));
    QVERIFY(QDir(folder).entryList(QDir::Files).contains(QStringLiteral("history.sqlite")));

    // A file an older version left readable is made private when opened.
    const QString old = dir.filePath(QStringLiteral("old.sqlite"));
    {
        QFile file(old);
        QVERIFY(file.open(QIODevice::WriteOnly));
    }
    QFile::setPermissions(old, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
    HistoryStore store(old);
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    QCOMPARE(QFile::permissions(old) & others, QFileDevice::Permissions());
}

void tst_HistoryStore::userInfoIsNotStored()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    auto owned = std::make_unique<HistoryStore>(historyPath(dir));
    HistoryStore &store = *owned;
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const QString secret = QStringLiteral("hunter2-secret");
    const QString url = QStringLiteral("https://alice:%1@example.com/private?q=1").arg(secret);
    const qint64 id = store.beginTest(url, LoadOptions {}, { QStringLiteral("fra") }, 1);
    QVERIFY2(id > 0, qPrintable(store.lastError()));
    RequestTiming request;
    request.id = QStringLiteral("1");
    request.url = url;
    request.redirectUrl = QStringLiteral("https://bob:%1@example.com/next").arg(secret);
    request.outcome = RequestTiming::Outcome::Finished;
    QVERIFY2(store.addRequest(id, QStringLiteral("fra"), 1, RunView::First, request), qPrintable(store.lastError()));
    QVERIFY2(store.setMetrics(id, QStringLiteral("fra"), 1, RunView::First, PageMetrics {}, url, {}),
        qPrintable(store.lastError()));
    const auto loaded = store.load(id);
    QVERIFY2(loaded, qPrintable(store.lastError()));
    QCOMPARE(loaded->url, QStringLiteral("https://example.com/private?q=1"));
    const ViewResult &view = loaded->region(QStringLiteral("fra")).runs.value(0).firstView;
    QCOMPARE(view.finalUrl, QStringLiteral("https://example.com/private?q=1"));
    QCOMPARE(view.requests.value(0).url, QStringLiteral("https://example.com/private?q=1"));
    QCOMPARE(view.requests.value(0).redirectUrl, QStringLiteral("https://example.com/next"));

    // Nothing of it is anywhere in the file.
    owned.reset(); // closed, its WAL checkpointed into the file
    for (const QString &name : QDir(dir.path()).entryList(QDir::Files)) {
        QFile file(dir.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY2(!file.readAll().contains(secret.toUtf8()), qPrintable(name));
    }
}

QTEST_GUILESS_MAIN(tst_HistoryStore)
#include "tst_historystore.moc"
