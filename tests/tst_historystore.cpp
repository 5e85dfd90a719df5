#include "historystore.h"
#include "regionsummary.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <vector>

namespace {

const QString writerArgument = QStringLiteral("--frame-writer");

RequestTiming request(const QString &id, const QString &url, double startMs, int variant)
{
    RequestTiming r;
    r.id = id;
    r.url = url;
    r.method = QStringLiteral("GET");
    r.startMs = startMs;
    r.priority = QStringLiteral("High");
    switch (variant % 3) {
    case 0: // a new TLS connection
        r.resourceType = QStringLiteral("Document");
        r.status = 200;
        r.statusText = QStringLiteral("OK");
        r.protocol = QStringLiteral("h2");
        r.remoteIp = QStringLiteral("203.0.113.7");
        r.remotePort = 443;
        r.mimeType = QStringLiteral("text/html");
        r.encodedBytes = 10'240;
        r.headerBytes = 240;
        r.decodedBytes = 40'960;
        r.durationMs = 120.25;
        r.phases = { 1.5, 10.0, 20.0, 30.5, 0.25, 50.0, 8.0 };
        r.outcome = RequestTiming::Outcome::Finished;
        r.responseHeaders = { { QStringLiteral("content-type"), QStringLiteral("text/html; charset=utf-8") } };
        break;
    case 1: // a reused connection: no dns, connect or ssl, which stay absent
        r.resourceType = QStringLiteral("Image");
        r.status = 304;
        r.protocol = QStringLiteral("http/1.1");
        r.remoteIp = QStringLiteral("[2001:db8::1]");
        r.mimeType = QStringLiteral("image/png");
        r.encodedBytes = 180;
        r.durationMs = 14.0;
        r.phases.blocked = 2.0;
        r.phases.send = 0.5;
        r.phases.wait = 11.0;
        r.phases.receive = 0.5;
        r.outcome = RequestTiming::Outcome::Finished;
        r.fromCache = true;
        break;
    default: // failed before any response
        r.resourceType = QStringLiteral("Script");
        r.durationMs = 3.0;
        r.outcome = RequestTiming::Outcome::Failed;
        r.failureText = QStringLiteral("net::ERR_CONNECTION_REFUSED");
        break;
    }
    return r;
}

PageMetrics metrics(double base, bool complete)
{
    PageMetrics m;
    m.documentStatus = 200;
    m.ttfbMs = base + 0.5;
    m.firstContentfulPaintMs = base + 100;
    m.domContentLoadedMs = base + 150.75;
    m.loadMs = base + 400;
    m.fullyLoadedMs = base + 900;
    if (complete) {
        m.largestContentfulPaintMs = base + 200;
        m.cumulativeLayoutShift = 0.0125;
    }
    m.requestCount = 3;
    m.totalEncodedBytes = 10'600;
    m.totalDecodedBytes = 41'000;
    return m;
}

// 3 regions × 2 runs × first and repeat views, with the awkward cases: metrics the browser did not report, a
// failed run with partial metrics and no repeat view, a repeat view whose metrics never came, a screenshot.
TestRecord sampleRecord()
{
    TestRecord t;
    t.url = QStringLiteral("https://example.com/a,b?q=\"x\"&u=ü");
    t.options.timeoutMs = 30'000;
    t.options.profile = QStringLiteral("Cable");
    t.options.repeatView = true;
    t.options.screenshot = true;
    t.runsPerRegion = 2;
    t.regions = { QStringLiteral("fra"), QStringLiteral("iad"), QStringLiteral("syd") };
    for (qsizetype r = 0; r < t.regions.size(); ++r) {
        const QString code = t.regions.at(r);
        RegionRecord region;
        region.state = RunState::Complete;
        for (int index = 1; index <= 2; ++index) {
            RegionRun run;
            run.index = index;
            run.finished = true;
            run.cold = index == 1;
            if (run.cold)
                run.browserStartMs = 812.5 + static_cast<double>(r);
            const double base = 100.0 * static_cast<double>(r + 1) + index;
            run.firstView.url = t.url;
            run.firstView.finalUrl = t.url + QStringLiteral("#final");
            run.firstView.metrics = metrics(base, !(code == u"syd" && index == 2));
            run.firstViewMeasured = true;
            for (int i = 0; i < 3; ++i) {
                run.firstView.requests.append(request(QStringLiteral("%1.%2").arg(index).arg(i),
                    i == 1 ? QStringLiteral("https://例え.jp/ü?a=1,2") : t.url, 10.0 * i + 0.125, i));
            }
            if (index == 1)
                run.firstView.screenshotPng = QByteArray("\x89PNG\r\n\x1a\n", 8) + code.toUtf8();
            if (code == u"iad" && index == 2) {
                run.error = LoadError { LoadError::Kind::Timeout, QStringLiteral("no load event within 30 s") };
                run.firstView.metrics.loadMs.reset();
                run.firstView.metrics.fullyLoadedMs.reset();
                region.state = RunState::Error;
                region.detail = QStringLiteral("1 of 2 runs failed");
            } else {
                ViewResult repeat;
                repeat.url = t.url;
                repeat.requests.append(request(QStringLiteral("r%1").arg(index), t.url, 0.0, 1));
                if (code == u"fra" && index == 2) {
                    // the repeat view's metrics frame never came
                } else {
                    repeat.finalUrl = run.firstView.finalUrl;
                    repeat.metrics = metrics(base / 2, true);
                    repeat.metrics.requestCount = 1;
                    run.repeatViewMeasured = true;
                }
                run.repeatView = repeat;
            }
            region.runs.append(run);
        }
        t.results.insert(code, region);
    }
    return t;
}

// Sends a record to the store frame by frame, as RunController will.
qint64 feed(HistoryStore &store, const TestRecord &t, bool finish = true)
{
    const qint64 id = store.beginTest(t.url, t.options, t.regions, t.runsPerRegion);
    if (id < 0)
        return -1;
    for (const QString &code : t.regions) {
        const RegionRecord region = t.region(code);
        bool ok = store.setRegionState(id, code, RunState::Loading, QStringLiteral("run 1 of 2"));
        for (const RegionRun &run : region.runs) {
            for (const RunView which : { RunView::First, RunView::Repeat }) {
                const ViewResult *view = run.view(which);
                if (!view)
                    continue;
                for (const RequestTiming &r : view->requests)
                    ok = ok && store.addRequest(id, code, run.index, which, r);
                if (run.measured(which))
                    ok = ok
                        && store.setMetrics(
                            id, code, run.index, which, view->metrics, view->finalUrl, view->screenshotPng);
            }
            if (run.finished)
                ok = ok && store.finishRun(id, code, run.index, !run.error, run.error, run.cold, run.browserStartMs);
        }
        ok = ok && store.setRegionState(id, code, region.state, region.detail);
        if (!ok)
            return -1;
    }
    if (finish && !store.finishTest(id))
        return -1;
    return id;
}

// The runs the history's list and trend must count as RegionSummary does, in one region each: a page that answered
// 500 with its numbers, a cancelled run, a run the app never saw end, views whose metrics never came, loads the
// browser did not report, an even number of ok runs, and no ok run at all.
TestRecord awkwardRecord(double shift)
{
    TestRecord t;
    t.url = QStringLiteral("https://awkward.example/");
    t.runsPerRegion = 4;
    const auto run = [&](int index, std::optional<double> load, std::optional<LoadError> error, bool measured) {
        RegionRun r;
        r.index = index;
        r.finished = true;
        r.error = error;
        r.firstView.url = t.url;
        r.firstView.metrics = metrics(100.0 * index + shift, index % 2 == 0);
        r.firstView.metrics.loadMs = load;
        r.firstViewMeasured = measured;
        return r;
    };
    const LoadError http { LoadError::Kind::HttpError, QStringLiteral("HTTP 500") };
    const LoadError cancelled { LoadError::Kind::Cancelled, QStringLiteral("cancelled") };
    RegionRun open = run(4, 50 + shift, std::nullopt, true);
    open.finished = false;
    const QList<std::pair<QString, QList<RegionRun>>> regions {
        { QStringLiteral("ams"),
            { run(1, 900 + shift, std::nullopt, true), run(2, 300, http, true), run(3, 700 + shift, std::nullopt, true),
                run(4, 100, cancelled, true) } },
        { QStringLiteral("bom"), { run(1, 2000 + shift, std::nullopt, true), open } },
        { QStringLiteral("cdg"),
            { run(1, std::nullopt, std::nullopt, true), run(2, 1200 + shift, std::nullopt, true),
                run(3, 999, std::nullopt, false) } },
        { QStringLiteral("dfw"), { run(1, 400, http, true), run(2, std::nullopt, cancelled, false) } },
        { QStringLiteral("ewr"), { run(1, std::nullopt, std::nullopt, true) } },
        { QStringLiteral("fra"), {} },
    };
    for (const auto &[code, runs] : regions) {
        t.regions.append(code);
        RegionRecord region;
        region.runs = runs;
        t.results.insert(code, region);
    }
    return t;
}

// Everything in a record as text, so a failed comparison shows where the two differ.
QByteArray describe(const TestRecord &t)
{
    QJsonObject json { { QStringLiteral("id"), t.id }, { QStringLiteral("url"), t.url },
        { QStringLiteral("label"), t.label }, { QStringLiteral("options"), t.options.toJson() },
        { QStringLiteral("runsPerRegion"), t.runsPerRegion },
        { QStringLiteral("regions"), QJsonArray::fromStringList(t.regions) },
        { QStringLiteral("startedAt"), t.startedAt.toString(Qt::ISODateWithMs) },
        { QStringLiteral("finishedAt"), t.finishedAt.toString(Qt::ISODateWithMs) } };
    QJsonObject results;
    for (auto it = t.results.cbegin(); it != t.results.cend(); ++it) {
        QJsonArray runs;
        for (const RegionRun &run : it->runs) {
            RunResult result = t.runResult(run);
            QJsonObject r = result.toJson();
            r.insert(QStringLiteral("index"), run.index);
            r.insert(QStringLiteral("finished"), run.finished);
            r.insert(QStringLiteral("cold"), run.cold);
            r.insert(QStringLiteral("measured"),
                QJsonArray { run.firstViewMeasured, run.repeatViewMeasured, run.firstView.error.has_value() });
            runs.append(r);
        }
        results.insert(it.key(),
            QJsonObject { { QStringLiteral("state"), runStateName(it->state) },
                { QStringLiteral("detail"), it->detail }, { QStringLiteral("runs"), runs } });
    }
    json.insert(QStringLiteral("results"), results);
    return QJsonDocument(json).toJson(QJsonDocument::Indented);
}

// What the store adds that a caller cannot know beforehand: the id, the times, and each view's estimated start,
// which must lie between the test's start (less the furthest offset a frame reported) and now.
bool adoptStoredTimes(TestRecord &expected, const TestRecord &loaded, const QDateTime &before, QString *why)
{
    expected.id = loaded.id;
    expected.startedAt = loaded.startedAt;
    expected.finishedAt = loaded.finishedAt;
    const QDateTime after = QDateTime::currentDateTimeUtc();
    for (auto it = expected.results.begin(); it != expected.results.end(); ++it) {
        const RegionRecord stored = loaded.region(it.key());
        for (qsizetype i = 0; i < it->runs.size() && i < stored.runs.size(); ++i) {
            for (const RunView which : { RunView::First, RunView::Repeat }) {
                const ViewResult *from = stored.runs.at(i).view(which);
                auto &run = it->runs[i];
                ViewResult *to
                    = which == RunView::First ? &run.firstView : (run.repeatView ? &*run.repeatView : nullptr);
                if (!from || !to)
                    continue;
                if (!from->startedAt.isValid() || from->startedAt < before.addSecs(-60) || from->startedAt > after) {
                    *why = QStringLiteral("%1 run %2: start estimate %3 outside [%4, %5]")
                               .arg(it.key())
                               .arg(run.index)
                               .arg(from->startedAt.toString(Qt::ISODateWithMs), before.toString(Qt::ISODateWithMs),
                                   after.toString(Qt::ISODateWithMs));
                    return false;
                }
                to->startedAt = from->startedAt;
            }
        }
    }
    return true;
}

// A raw connection for what the store does not expose: a v1 file, integrity checks, row counts.
class RawDatabase
{
public:
    explicit RawDatabase(const QString &path)
        : m_name(QStringLiteral("raw-%1").arg(++s_count))
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), m_name);
        db.setDatabaseName(path);
        db.open();
    }
    ~RawDatabase()
    {
        {
            QSqlDatabase db = QSqlDatabase::database(m_name, false);
            db.close();
        }
        QSqlDatabase::removeDatabase(m_name);
    }
    Q_DISABLE_COPY_MOVE(RawDatabase)

    bool exec(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        query.prepare(sql);
        for (qsizetype i = 0; i < values.size(); ++i)
            query.bindValue(static_cast<int>(i), values.at(i));
        if (!query.exec()) {
            qWarning().noquote() << sql << query.lastError().text();
            return false;
        }
        return true;
    }
    QVariant value(const QString &sql, const QVariantList &values = {})
    {
        QSqlQuery query(QSqlDatabase::database(m_name, false));
        query.prepare(sql);
        for (qsizetype i = 0; i < values.size(); ++i)
            query.bindValue(static_cast<int>(i), values.at(i));
        if (!query.exec() || !query.next())
            return {};
        return query.value(0);
    }

private:
    static inline int s_count = 0;
    QString m_name;
};

QString compact(const QJsonObject &json)
{
    return QString::fromUtf8(QJsonDocument(json).toJson(QJsonDocument::Compact));
}

// The durability test's frames: group g is one run of one region, in 13 frames: a status, ten requests, metrics,
// done. Both the writer (child) and the checker (parent) derive everything from the frame number.
const QStringList writerRegions { QStringLiteral("fra"), QStringLiteral("iad"), QStringLiteral("syd") };
constexpr int framesPerRun = 13;

struct Frame
{
    int group;
    int step;
    QString region;
    int runIndex;
};

Frame frameAt(int i)
{
    const int group = i / framesPerRun;
    return { group, i % framesPerRun, writerRegions.at(group % 3), group / 3 + 1 };
}

bool writeFrame(HistoryStore &store, qint64 testId, int i)
{
    const Frame f = frameAt(i);
    if (f.step == 0)
        return store.setRegionState(testId, f.region, RunState::Loading, QStringLiteral("run %1").arg(f.runIndex));
    if (f.step <= 10) {
        return store.addRequest(testId, f.region, f.runIndex, RunView::First,
            request(QStringLiteral("%1-%2").arg(f.group).arg(f.step), QStringLiteral("https://example.com/%1").arg(i),
                f.step * 10.0, f.step));
    }
    if (f.step == 11) {
        PageMetrics m = metrics(f.group, true);
        m.loadMs = f.group + 0.5;
        return store.setMetrics(testId, f.region, f.runIndex, RunView::First, m, {}, {});
    }
    return store.finishRun(testId, f.region, f.runIndex, true, std::nullopt, f.runIndex == 1, std::nullopt);
}

QString frameMissing(const TestRecord &t, int i)
{
    const Frame f = frameAt(i);
    const RegionRecord region = t.region(f.region);
    const auto run = std::find_if(
        region.runs.cbegin(), region.runs.cend(), [&](const RegionRun &r) { return r.index == f.runIndex; });
    const QString where
        = QStringLiteral("frame %1 (%2 run %3 step %4)").arg(i).arg(f.region).arg(f.runIndex).arg(f.step);
    if (f.step == 0) {
        const int shown = region.detail.mid(4).toInt();
        return region.state != RunState::Loading || shown < f.runIndex ? where : QString();
    }
    if (run == region.runs.cend())
        return where;
    if (f.step <= 10) {
        const QString id = QStringLiteral("%1-%2").arg(f.group).arg(f.step);
        const bool found = std::any_of(run->firstView.requests.cbegin(), run->firstView.requests.cend(),
            [&](const RequestTiming &r) { return r.id == id; });
        return found ? QString() : where;
    }
    if (f.step == 11)
        return run->firstViewMeasured && run->firstView.metrics.loadMs == f.group + 0.5 ? QString() : where;
    return run->finished && run->ok() ? QString() : where;
}

// The child: writes frames as fast as it can and acknowledges each one on stdout after the call returned.
int runFrameWriter(const QString &path)
{
    HistoryStore store(path);
    if (!store.open()) {
        std::fprintf(stderr, "%s\n", qPrintable(store.lastError()));
        return 2;
    }
    const qint64 id = store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {}, writerRegions, 1000);
    if (id < 0)
        return 3;
    std::printf("test %lld\n", static_cast<long long>(id));
    std::fflush(stdout);
    for (int i = 0; i < 100'000; ++i) { // bounded, in case the parent never kills it
        if (!writeFrame(store, id, i)) {
            std::fprintf(stderr, "%s\n", qPrintable(store.lastError()));
            return 4;
        }
        std::printf("%d\n", i);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace

class tst_HistoryStore : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip();
    void absentStaysAbsent();
    void listTrendRemove();
    void listAndTrendAgreeWithRegionSummary();
    void refusesFramesOfUnknownRegions();
    void migratesV1ToV2();
    void refusesNewerSchema();
    void historyIsPrivate();
    void userInfoIsNotStored();
    void reopenAfterCleanClose();
    void survivesSigkill_data();
    void survivesSigkill();
    void perFrameCost();

private:
    QString dbPath(const QTemporaryDir &dir) const { return dir.filePath(QStringLiteral("history.sqlite")); }
};

void tst_HistoryStore::roundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistoryStore store(dbPath(dir));
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
    HistoryStore store(dbPath(dir));
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

void tst_HistoryStore::listTrendRemove()
{
    QTemporaryDir dir;
    HistoryStore store(dbPath(dir));
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
    QCOMPARE(trend.at(0).loadMs, 701.5);
    QCOMPARE(trend.at(1).loadMs, 651.5);
    QCOMPARE(trend.at(0).ttfbMs, 301.5 + 0.5);
    QCOMPARE(trend.at(0).firstContentfulPaintMs, 401.5);
    QCOMPARE(trend.at(0).largestContentfulPaintMs, 501.0); // only run 1 observed it
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

    RawDatabase raw(dbPath(dir));
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
    HistoryStore store(dbPath(dir));
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
            point.loadMs = region.median->loadMs;
            point.ttfbMs = region.median->ttfbMs;
            point.firstContentfulPaintMs = region.median->firstContentfulPaintMs;
            point.largestContentfulPaintMs = region.median->largestContentfulPaintMs;
            expected.append(point);
        }
        QCOMPARE(store.trend(url, code), expected);
    }
    QCOMPARE(store.trend(url, QStringLiteral("ams")).constFirst().runs, 2);
    QCOMPARE(store.trend(url, QStringLiteral("cdg")).constFirst().runs, 2); // run 3's metrics never came
    QVERIFY(store.trend(url, QStringLiteral("dfw")).isEmpty());
    QVERIFY(!store.trend(url, QStringLiteral("ewr")).constFirst().loadMs);
}

void tst_HistoryStore::refusesFramesOfUnknownRegions()
{
    QTemporaryDir dir;
    HistoryStore store(dbPath(dir));
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

// Schema v1 exactly as the first release wrote it. Never edit this: it is the file a user of that release has.
void tst_HistoryStore::migratesV1ToV2()
{
    QTemporaryDir dir;
    const QString path = dbPath(dir);
    const RequestTiming stored = request(QStringLiteral("7"), QStringLiteral("https://v1.example/"), 1.5, 0);
    const PageMetrics v1Metrics = metrics(100, false);
    LoadOptions options;
    options.profile = QStringLiteral("DSL");
    {
        RawDatabase v1(path);
        const QStringList schema {
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
        for (const QString &sql : schema)
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

void tst_HistoryStore::refusesNewerSchema()
{
    QTemporaryDir dir;
    {
        RawDatabase future(dbPath(dir));
        QVERIFY(future.exec(QStringLiteral("CREATE TABLE tests (id INTEGER PRIMARY KEY, hologram BLOB)")));
        QVERIFY(future.exec(QStringLiteral("PRAGMA user_version = 99")));
    }
    HistoryStore store(dbPath(dir));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("newer WorldSpeed")));
    QVERIFY(!store.open());
    QVERIFY2(store.lastError().contains(u"schema 99"), qPrintable(store.lastError()));
    QVERIFY(!store.isOpen());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("not open")));
    QCOMPARE(store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {}, { QStringLiteral("fra") }, 1), -1);
    RawDatabase untouched(dbPath(dir));
    QCOMPARE(untouched.value(QStringLiteral("PRAGMA user_version")).toInt(), 99);
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
    auto owned = std::make_unique<HistoryStore>(dbPath(dir));
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

void tst_HistoryStore::reopenAfterCleanClose()
{
    QTemporaryDir dir;
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    TestRecord expected = sampleRecord();
    qint64 id = -1;
    {
        HistoryStore store(dbPath(dir));
        QVERIFY(store.open());
        // Two stores at once, on two files: each has its own named connection.
        HistoryStore other(dir.filePath(QStringLiteral("other.sqlite")));
        QVERIFY(other.open());
        QVERIFY(other.beginTest(expected.url, expected.options, expected.regions, 1) > 0);
        id = feed(store, expected, false);
        QVERIFY2(id > 0, qPrintable(store.lastError()));
    }
    // The last connection's close checkpoints the WAL into the main file.
    QVERIFY(!QFile::exists(dbPath(dir) + QStringLiteral("-wal")));

    HistoryStore reopened(dbPath(dir));
    QVERIFY2(reopened.open(), qPrintable(reopened.lastError()));
    auto loaded = reopened.load(id);
    QVERIFY(loaded);
    QVERIFY(!loaded->finishedAt.isValid());
    QString why;
    QVERIFY2(adoptStoredTimes(expected, *loaded, before, &why), qPrintable(why));
    QCOMPARE(describe(*loaded), describe(expected));
    QVERIFY(*loaded == expected);
    // And the test goes on where it stopped.
    QVERIFY(reopened.finishTest(id));
    QVERIFY(reopened.load(id)->finishedAt.isValid());
    QCOMPARE(reopened.list().size(), 1);
}

void tst_HistoryStore::survivesSigkill_data()
{
    QTest::addColumn<int>("target");
    QTest::newRow("first run") << 7;
    QTest::newRow("a few runs per region") << 5 * framesPerRun * 3 + 7;
    QTest::newRow("many runs") << 40 * framesPerRun + 11;
}

void tst_HistoryStore::survivesSigkill()
{
    QFETCH(int, target);
    QTemporaryDir dir;
    const QString path = dbPath(dir);
    QProcess writer;
    writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    writer.start(QCoreApplication::applicationFilePath(), { writerArgument, path });
    QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));

    // Read acknowledgements until enough frames are written, then kill the writer in the middle of its next ones.
    QByteArray output;
    QDeadlineTimer deadline(120'000);
    while (output.count('\n') < target + 1 && !deadline.hasExpired()) {
        if (!writer.waitForReadyRead(1000) && writer.state() != QProcess::Running)
            break;
        output += writer.readAllStandardOutput();
    }
    QVERIFY2(writer.state() == QProcess::Running, "the writer ended before it was killed");
    QCOMPARE(::kill(static_cast<pid_t>(writer.processId()), SIGKILL), 0);
    QVERIFY(writer.waitForFinished(10'000));
    QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
    output += writer.readAllStandardOutput();

    // Only whole lines count: a line is printed after the call that wrote the frame returned.
    const QList<QByteArray> lines = output.left(output.lastIndexOf('\n') + 1).split('\n');
    QVERIFY(lines.first().startsWith("test "));
    const qint64 id = lines.first().mid(5).toLongLong();
    int acknowledged = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines.at(i).isEmpty())
            continue;
        QCOMPARE(lines.at(i).toInt(), acknowledged);
        ++acknowledged;
    }
    QVERIFY(acknowledged >= target);
    qInfo("killed the writer after %d acknowledged frames", acknowledged);

    {
        RawDatabase raw(path);
        QCOMPARE(raw.value(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
        QCOMPARE(raw.value(QStringLiteral("PRAGMA foreign_key_check")), QVariant());
    }
    HistoryStore store(path);
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const auto loaded = store.load(id);
    QVERIFY2(loaded, qPrintable(store.lastError()));
    for (int i = 0; i < acknowledged; ++i) {
        const QString missing = frameMissing(*loaded, i);
        QVERIFY2(missing.isEmpty(), qPrintable(missing + QStringLiteral(" was acknowledged but is not stored")));
    }
    // At most the one frame in flight when the kill came was stored without an acknowledgement.
    int requests = 0;
    for (const RegionRecord &region : loaded->results) {
        for (const RegionRun &run : region.runs)
            requests += static_cast<int>(run.firstView.requests.size());
    }
    int acknowledgedRequests = 0;
    for (int i = 0; i < acknowledged; ++i)
        acknowledgedRequests += frameAt(i).step >= 1 && frameAt(i).step <= 10 ? 1 : 0;
    QVERIFY(requests == acknowledgedRequests || requests == acknowledgedRequests + 1);
}

// Not a benchmark with a bound, a number to watch: what one frame costs the GUI thread.
void tst_HistoryStore::perFrameCost()
{
    QTemporaryDir dir;
    const auto measure = [&](HistoryStore::Durability durability, const QString &file) -> std::pair<double, double> {
        HistoryStore store(dir.filePath(file), durability);
        if (!store.open())
            return { -1, -1 };
        const qint64 id = store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {},
            { QStringLiteral("fra"), QStringLiteral("iad") }, 100);
        constexpr int frames = 300;
        std::vector<qint64> costs;
        QElapsedTimer timer;
        for (int i = 0; i < frames; ++i) {
            const RequestTiming r = request(QString::number(i), QStringLiteral("https://example.com/%1").arg(i), i, i);
            timer.start();
            const bool ok = i % 30 == 29
                ? store.setMetrics(id, QStringLiteral("fra"), i / 30 + 1, RunView::First, metrics(i, true), {}, {})
                : store.addRequest(id, QStringLiteral("fra"), i / 30 + 1, RunView::First, r);
            costs.push_back(timer.nsecsElapsed());
            if (!ok)
                return { -1, -1 };
        }
        std::sort(costs.begin(), costs.end());
        double total = 0;
        for (const qint64 cost : costs)
            total += static_cast<double>(cost);
        return { total / frames / 1000.0, static_cast<double>(costs.at(frames / 2)) / 1000.0 };
    };
    const auto full = measure(HistoryStore::Durability::PowerLoss, QStringLiteral("full.sqlite"));
    const auto normal = measure(HistoryStore::Durability::ProcessCrash, QStringLiteral("normal.sqlite"));
    QVERIFY(full.first > 0 && normal.first > 0);
    qInfo("per-frame insert cost: synchronous=FULL mean %.0f µs, median %.0f µs; synchronous=NORMAL mean %.0f µs, "
          "median %.0f µs (300 frames: requests, every 30th a metrics frame)",
        full.first, full.second, normal.first, normal.second);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && QString::fromLocal8Bit(argv[1]) == writerArgument)
        return runFrameWriter(QString::fromLocal8Bit(argv[2]));
    tst_HistoryStore test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_historystore.moc"
