#pragma once

// What the history's tests share: requests and metrics of every shape, a sample test with the awkward cases, a test
// whose runs the list and trend must count as RegionSummary does, feeding a record to a store frame by frame as
// RunController does, and a raw SQLite connection for what the store does not expose.

#include "historystore.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>

inline QString historyPath(const QTemporaryDir &dir)
{
    return dir.filePath(QStringLiteral("history.sqlite"));
}

inline RequestTiming request(const QString &id, const QString &url, double startMs, int variant)
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

inline PageMetrics metrics(double base, bool complete)
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
inline TestRecord sampleRecord()
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
            if (index == 1) { // run 2 as from a probe that predates the CPU benchmark
                run.cpuBenchmarkIndex = 612.4 + static_cast<double>(r);
                run.cpuSlowdownRate = 4.9;
            }
            const double base = 100.0 * static_cast<double>(r + 1) + index;
            run.firstView.url = t.url;
            run.firstView.finalUrl = t.url + QStringLiteral("#final");
            run.firstView.metrics = metrics(base, !(code == u"syd" && index == 2));
            run.firstViewMeasured = true;
            for (int i = 0; i < 3; ++i) {
                run.firstView.requests.append(request(QStringLiteral("%1.%2").arg(index).arg(i),
                    i == 1 ? QStringLiteral("https://例え.jp/ü?a=1,2") : t.url, 10.0 * i + 0.125, i));
            }
            if (index == 1) {
                run.firstView.screenshotPng = QByteArray("\x89PNG\r\n\x1a\n", 8) + code.toUtf8();
                const QByteArray jpeg = QByteArray("\xff\xd8\xff", 3) + code.toUtf8();
                run.firstView.filmstrip.frames = { { 0, jpeg }, { base, jpeg + "1" }, { base * 2, jpeg + "2" } };
                // The main thread's row, and what the probe cut: the run's own warnings and a view's.
                run.firstView.longTasks = { { base + 0.5, 51.25 }, { base * 3, 180 } };
                run.warnings = { QStringLiteral("first view: 7 requests beyond the first 5000 were not recorded") };
                run.firstView.warnings = { QStringLiteral("the probe refused 1 connection(s) the page tried to open: "
                                                          "ü.example:443") };
            }
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
inline qint64 feed(HistoryStore &store, const TestRecord &t, bool finish = true)
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
                    ok = ok && store.setMetrics(id, code, run.index, which, *view);
            }
            if (!run.stepName.isEmpty())
                ok = ok && store.setStepName(id, code, run.index, run.stepName);
            for (qsizetype step = 1; step < run.stepCount(); ++step) {
                for (const RequestTiming &r : run.stepView(step).requests)
                    ok = ok && store.addStepRequest(id, code, run.index, step, r);
                ok = ok
                    && store.setStep(id, code, run.index, step, run.laterSteps.at(step - 1), run.stepMeasured(step));
            }
            if (run.cpuBenchmarkIndex || run.cpuSlowdownRate)
                ok = ok && store.setRunCpu(id, code, run.index, run.cpuBenchmarkIndex, run.cpuSlowdownRate);
            if (!run.warnings.isEmpty())
                ok = ok && store.setRunWarnings(id, code, run.index, run.warnings);
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
inline TestRecord awkwardRecord(double shift)
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
inline QByteArray describe(const TestRecord &t)
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
            QJsonArray stepsMeasured;
            for (const bool measured : run.laterStepMeasured)
                stepsMeasured.append(measured);
            r.insert(QStringLiteral("laterStepMeasured"), stepsMeasured);
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
inline bool adoptStoredTimes(TestRecord &expected, const TestRecord &loaded, const QDateTime &before, QString *why)
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
            // A later step's start is estimated as a view's is, or absent for a step whose frames said nothing of it.
            for (qsizetype k = 0; k < it->runs[i].laterSteps.size() && k < stored.runs.at(i).laterSteps.size(); ++k) {
                const QDateTime start = stored.runs.at(i).laterSteps.at(k).view.startedAt;
                if (start.isValid() && (start < before.addSecs(-60) || start > after)) {
                    *why = QStringLiteral("%1 run %2 step %3: start estimate outside the test's time")
                               .arg(it.key())
                               .arg(it->runs[i].index)
                               .arg(k + 2);
                    return false;
                }
                it->runs[i].laterSteps[k].view.startedAt = start;
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
