// What a view measured, as the shared model carries it (RequestTiming, PageMetrics, ViewResult, RunResult): every
// one survives toJson → text → fromJson unchanged, an unobserved metric stays absent (never 0), every decode error
// names the field it is about, and medians count only the runs that observed a metric. How a page is loaded
// (LoadOptions, LoadError, ConnectivityProfile) is tst_loadconditions'.

#include "decodeerrortable.h"
#include "jsontext.h"
#include "model/loaderror.h"
#include "model/loadoptions.h"
#include "model/pagemetrics.h"
#include "model/requesttiming.h"
#include "model/runresult.h"
#include "model/viewresult.h"

#include <QJsonDocument>
#include <QTest>

#include <cmath>

namespace {

RequestTiming fullRequest()
{
    RequestTiming t;
    t.id = QStringLiteral("1000.7");
    t.url = QStringLiteral("https://example.com/app.js?v=3");
    t.method = QStringLiteral("GET");
    t.resourceType = QStringLiteral("Script");
    t.status = 200;
    t.statusText = QStringLiteral("OK");
    t.protocol = QStringLiteral("h2");
    t.remoteIp = QStringLiteral("2001:db8::1");
    t.remotePort = 443;
    t.mimeType = QStringLiteral("application/javascript");
    t.encodedBytes = 12'345;
    t.headerBytes = 345;
    t.decodedBytes = 40'960;
    t.startMs = 12.375;
    t.durationMs = 88.125;
    t.phases = { 1.5, 10.25, 20.5, 30.75, 0.125, 20.0, 5.0 };
    t.outcome = RequestTiming::Outcome::Finished;
    t.priority = QStringLiteral("High");
    t.requestHeaders = { { QStringLiteral("Accept"), QStringLiteral("*/*") } };
    t.responseHeaders = { { QStringLiteral("Content-Type"), QStringLiteral("application/javascript") },
        { QStringLiteral("Cache-Control"), QStringLiteral("max-age=60") } };
    return t;
}

PageMetrics fullMetrics()
{
    PageMetrics m;
    m.documentStatus = 200;
    m.ttfbMs = 41.5;
    m.firstContentfulPaintMs = 120.25;
    m.largestContentfulPaintMs = 250.0;
    m.domContentLoadedMs = 180.0;
    m.loadMs = 310.75;
    m.fullyLoadedMs = 2330.0;
    m.cumulativeLayoutShift = 0.0625;
    m.requestCount = 17;
    m.totalEncodedBytes = 512'000;
    m.totalDecodedBytes = 1'600'000;
    return m;
}

ViewResult fullView()
{
    ViewResult v;
    v.url = QStringLiteral("http://example.com/");
    v.finalUrl = QStringLiteral("https://example.com/");
    v.startedAt = QDateTime(QDate(2025, 3, 4), QTime(5, 6, 7, 890), Qt::UTC);
    v.metrics = fullMetrics();
    RequestTiming redirect;
    redirect.id = QStringLiteral("1000.1");
    redirect.url = v.url;
    redirect.status = 301;
    redirect.redirectUrl = v.finalUrl;
    redirect.startMs = 0;
    redirect.durationMs = 12;
    redirect.outcome = RequestTiming::Outcome::Finished;
    v.requests = { redirect, fullRequest() };
    v.screenshotPng = QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16);
    v.warnings = { QStringLiteral("the page used more than 256 host names: 3 more were not looked up") };
    return v;
}

} // namespace

class tst_TimingModel : public QObject
{
    Q_OBJECT

private slots:
    void requestTimingRoundTrip_data();
    void requestTimingRoundTrip();
    void pageMetricsRoundTrip_data();
    void pageMetricsRoundTrip();
    void viewResultRoundTrip_data();
    void viewResultRoundTrip();
    void runResultRoundTrip_data();
    void runResultRoundTrip();

    void absentMetricsStayAbsent();
    void absentPhasesStayAbsent();
    void nullReadsAsAbsent();
    void unknownFieldsAreIgnored();

    void decodeErrors_data();
    void decodeErrors();

    void median_data();
    void median();

    void phasesSumAndEnd();
};

void tst_TimingModel::requestTimingRoundTrip_data()
{
    QTest::addColumn<RequestTiming>("timing");

    RequestTiming minimal;
    minimal.id = QStringLiteral("1");
    minimal.url = QStringLiteral("https://example.com/");
    QTest::newRow("minimal, unfinished") << minimal;

    QTest::newRow("full") << fullRequest();

    RequestTiming reused = fullRequest();
    reused.phases.dns.reset();
    reused.phases.connect.reset();
    reused.phases.ssl.reset();
    QTest::newRow("reused connection: no dns, connect, ssl") << reused;

    RequestTiming failed = fullRequest();
    failed.outcome = RequestTiming::Outcome::Failed;
    failed.failureText = QStringLiteral("net::ERR_CONNECTION_REFUSED");
    failed.status.reset();
    failed.encodedBytes.reset();
    failed.decodedBytes.reset();
    failed.headerBytes.reset();
    failed.responseHeaders.clear();
    QTest::newRow("failed") << failed;

    RequestTiming cached = fullRequest();
    cached.fromCache = true;
    cached.encodedBytes = 0; // a real 0 (nothing on the wire) must stay 0, not become absent
    QTest::newRow("from cache, zero bytes") << cached;

    RequestTiming early = minimal;
    early.startMs = -3.5; // a redirect hop's request may start before the final document's navigation start
    early.durationMs = 0;
    early.redirectUrl = QStringLiteral("https://example.com/next");
    QTest::newRow("negative start, zero duration") << early;

    RequestTiming parsed = fullRequest();
    parsed.initiator = { QStringLiteral("parser"), QStringLiteral("https://example.com/page.html"), 12 };
    QTest::newRow("initiator: parser at a line") << parsed;
    RequestTiming other = minimal;
    other.initiator.type = QStringLiteral("other"); // no URL, no line: only what asked
    QTest::newRow("initiator: other") << other;

    RequestTiming unicode = minimal;
    unicode.url = QStringLiteral("https://例え.jp/パス?q=ü");
    unicode.responseHeaders = { { QStringLiteral("X-Empty"), QString() } };
    QTest::newRow("non-ASCII url, empty header value") << unicode;
}

void tst_TimingModel::requestTimingRoundTrip()
{
    QFETCH(RequestTiming, timing);
    QString error;
    const auto decoded = RequestTiming::fromJson(viaText(timing.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, timing);
    QVERIFY(error.isEmpty());
}

void tst_TimingModel::pageMetricsRoundTrip_data()
{
    QTest::addColumn<PageMetrics>("metrics");
    QTest::newRow("nothing observed") << PageMetrics {};
    QTest::newRow("full") << fullMetrics();

    PageMetrics blank;
    blank.documentStatus = 204;
    blank.ttfbMs = 3;
    blank.domContentLoadedMs = 5;
    blank.loadMs = 6;
    blank.requestCount = 1;
    QTest::newRow("blank page: no paints") << blank;

    PageMetrics zeros;
    zeros.cumulativeLayoutShift = 0.0; // no layout shift is a measurement, not an absence
    zeros.ttfbMs = 0.0;
    QTest::newRow("observed zeros") << zeros;

    PageMetrics huge = fullMetrics();
    huge.totalEncodedBytes = (qint64(1) << 53) - 1; // largest integer JSON carries exactly
    huge.fullyLoadedMs = 24.0 * 3600 * 1000;
    QTest::newRow("limits") << huge;
}

void tst_TimingModel::pageMetricsRoundTrip()
{
    QFETCH(PageMetrics, metrics);
    QString error;
    const auto decoded = PageMetrics::fromJson(viaText(metrics.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, metrics);
}

void tst_TimingModel::viewResultRoundTrip_data()
{
    QTest::addColumn<ViewResult>("view");

    ViewResult minimal;
    minimal.url = QStringLiteral("https://example.com/");
    QTest::newRow("minimal") << minimal;
    QTest::newRow("full") << fullView();

    ViewResult timedOut = fullView();
    timedOut.metrics.loadMs.reset();
    timedOut.metrics.fullyLoadedMs.reset();
    timedOut.requests.last().durationMs.reset();
    timedOut.requests.last().outcome = RequestTiming::Outcome::Unfinished;
    timedOut.error = LoadError { LoadError::Kind::Timeout, QStringLiteral("no load event within 60 s") };
    timedOut.screenshotPng.clear();
    QTest::newRow("timed out, keeps partial waterfall") << timedOut;
}

void tst_TimingModel::viewResultRoundTrip()
{
    QFETCH(ViewResult, view);
    QString error;
    const auto decoded = ViewResult::fromJson(viaText(view.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, view);
    QCOMPARE(decoded->ok(), !view.error.has_value());
}

void tst_TimingModel::runResultRoundTrip_data()
{
    QTest::addColumn<RunResult>("run");

    RunResult cold;
    cold.url = QStringLiteral("https://example.com/");
    cold.browserVersion = QStringLiteral("Chrome/156.0.8078.79");
    cold.browserStartMs = 640.5;
    cold.firstView = fullView();
    QTest::newRow("first view, cold browser") << cold;

    RunResult repeat = cold;
    repeat.browserStartMs.reset();
    repeat.options.repeatView = true;
    repeat.options.screenshot = true;
    repeat.options.profile = QStringLiteral("3G Fast");
    repeat.options.timeoutMs = 30'000;
    repeat.repeatView = fullView();
    repeat.repeatView->error = LoadError { LoadError::Kind::BrowserCrashed, QStringLiteral("renderer gone") };
    QTest::newRow("with a failed repeat view") << repeat;
}

void tst_TimingModel::runResultRoundTrip()
{
    QFETCH(RunResult, run);
    QString error;
    const auto decoded = RunResult::fromJson(viaText(run.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, run);
    QCOMPARE(decoded->ok(), run.ok());
    QCOMPARE(decoded->repeatView.has_value(), run.repeatView.has_value());
}

void tst_TimingModel::absentMetricsStayAbsent()
{
    PageMetrics metrics;
    metrics.loadMs = 300;
    const QJsonObject json = metrics.toJson();
    for (const char16_t *key : { u"documentStatus", u"ttfbMs", u"firstContentfulPaintMs", u"largestContentfulPaintMs",
             u"domContentLoadedMs", u"fullyLoadedMs", u"cumulativeLayoutShift" })
        QVERIFY2(!json.contains(QString::fromUtf16(key)), qPrintable(QString::fromUtf16(key)));
    QCOMPARE(json.value(u"loadMs").toDouble(), 300.0);

    const auto decoded = PageMetrics::fromJson(viaText(json), nullptr);
    QVERIFY(decoded);
    QVERIFY(!decoded->documentStatus.has_value());
    QVERIFY(!decoded->ttfbMs.has_value());
    QVERIFY(!decoded->firstContentfulPaintMs.has_value());
    QVERIFY(!decoded->largestContentfulPaintMs.has_value());
    QVERIFY(!decoded->domContentLoadedMs.has_value());
    QVERIFY(!decoded->fullyLoadedMs.has_value());
    QVERIFY(!decoded->cumulativeLayoutShift.has_value());
    QCOMPARE(decoded->loadMs, std::optional<double>(300));
}

void tst_TimingModel::absentPhasesStayAbsent()
{
    RequestTiming timing;
    timing.id = QStringLiteral("7");
    timing.url = QStringLiteral("http://example.com/");
    timing.phases.wait = 0; // an observed 0 ms wait (a cache hit) is kept
    timing.phases.receive = 4;
    const QJsonObject json = timing.toJson();
    const QJsonObject phases = json.value(u"phases").toObject();
    QCOMPARE(phases.keys(), QStringList({ QStringLiteral("receive"), QStringLiteral("wait") }));
    QVERIFY(!json.contains(u"status"));
    QVERIFY(!json.contains(u"durationMs"));
    QVERIFY(!json.contains(u"encodedBytes"));
    QVERIFY(!json.contains(u"initiator")); // unknown, as from a probe that predates it

    const auto decoded = RequestTiming::fromJson(viaText(json), nullptr);
    QVERIFY(decoded);
    QVERIFY(!decoded->phases.dns.has_value());
    QVERIFY(!decoded->phases.connect.has_value());
    QVERIFY(!decoded->phases.ssl.has_value());
    QCOMPARE(decoded->phases.wait, std::optional<double>(0));
    QVERIFY(!decoded->status.has_value());
    QVERIFY(!decoded->durationMs.has_value());
    QVERIFY(!decoded->endMs().has_value());
    QVERIFY(!decoded->encodedBytes.has_value());
    QVERIFY(!decoded->initiator.isKnown());
}

void tst_TimingModel::nullReadsAsAbsent()
{
    // Other tools write null for "not measured"; it must not turn into 0.
    const auto decoded
        = PageMetrics::fromJson(parse(R"({"loadMs":null,"firstContentfulPaintMs":null,"ttfbMs":12})"), nullptr);
    QVERIFY(decoded);
    QVERIFY(!decoded->loadMs.has_value());
    QVERIFY(!decoded->firstContentfulPaintMs.has_value());
    QCOMPARE(decoded->ttfbMs, std::optional<double>(12));
}

void tst_TimingModel::unknownFieldsAreIgnored()
{
    QJsonObject json = fullRequest().toJson();
    json.insert(QStringLiteral("addedInVersion9"), QJsonObject { { QStringLiteral("x"), 1 } });
    QJsonObject phases = json.value(u"phases").toObject();
    phases.insert(QStringLiteral("quic"), 3);
    json.insert(QStringLiteral("phases"), phases);
    QString error;
    const auto decoded = RequestTiming::fromJson(json, &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, fullRequest());
}

void tst_TimingModel::decodeErrors_data()
{
    // Each row: the struct, JSON it must refuse, and the start of the error (the field's path, then why).
    DecodeErrorTable::addColumns();
    const auto row = DecodeErrorTable::row;
    // RequestTiming
    row("request: id missing", "RequestTiming", R"({"url":"u","startMs":0})", "id: is required");
    row("request: url missing", "RequestTiming", R"({"id":"1","startMs":0})", "url: is required");
    row("request: startMs missing", "RequestTiming", R"({"id":"1","url":"u"})", "startMs: is required");
    row("request: url is a number", "RequestTiming", R"({"id":"1","url":5,"startMs":0})", "url: expected a string");
    row("request: id too long", "RequestTiming",
        qPrintable(QStringLiteral(R"({"id":"%1","url":"u","startMs":0})").arg(QString(257, u'x'))),
        "id: longer than 256 characters");
    row("request: status above 999", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"status":1000})",
        "status: 1000 is outside 0");
    row("request: status is text", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"status":"200"})",
        "status: expected an integer");
    row("request: port above 65535", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"remotePort":65536})",
        "remotePort: 65536 is outside");
    row("request: fractional bytes", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"encodedBytes":1.5})",
        "encodedBytes: expected an integer");
    row("request: negative bytes", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"decodedBytes":-1})",
        "decodedBytes: -1 is outside");
    row("request: bytes beyond 2^53", "RequestTiming",
        R"({"id":"1","url":"u","startMs":0,"encodedBytes":18014398509481984})", "encodedBytes: expected an integer");
    row("request: negative duration", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"durationMs":-1})",
        "durationMs: -1 is outside");
    row("request: dns is text", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"phases":{"dns":"4"}})",
        "phases.dns: expected a number");
    row("request: negative ssl", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"phases":{"ssl":-2}})",
        "phases.ssl: -2 is outside");
    row("request: phases is an array", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"phases":[]})",
        "phases: expected an object");
    row("request: unknown outcome", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"outcome":"exploded"})",
        "outcome: unknown outcome \"exploded\"");
    row("request: fromCache is a string", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"fromCache":"yes"})",
        "fromCache: expected true or false");
    row("request: header is not an object", "RequestTiming",
        R"({"id":"1","url":"u","startMs":0,"responseHeaders":["Server: x"]})", "responseHeaders.");
    row("request: header without name", "RequestTiming",
        R"({"id":"1","url":"u","startMs":0,"requestHeaders":[{"value":"v"}]})", "requestHeaders.name: is required");
    row("request: initiator is text", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"initiator":"parser"})",
        "initiator: expected an object");
    row("request: initiator without type", "RequestTiming",
        R"({"id":"1","url":"u","startMs":0,"initiator":{"url":"u","line":3}})", "initiator.type: is required");
    row("request: initiator type empty", "RequestTiming", R"({"id":"1","url":"u","startMs":0,"initiator":{"type":""}})",
        "initiator.type: must not be empty");
    row("request: initiator url is a number", "RequestTiming",
        R"({"id":"1","url":"u","startMs":0,"initiator":{"type":"script","url":7}})",
        "initiator.url: expected a string");
    row("request: initiator line 0 (lines count from 1)", "RequestTiming",
        R"({"id":"1","url":"u","startMs":0,"initiator":{"type":"parser","url":"u","line":0}})",
        "initiator.line: 0 is outside");
    row("request: initiator line is text", "RequestTiming",
        R"({"id":"1","url":"u","startMs":0,"initiator":{"type":"parser","url":"u","line":"12"}})",
        "initiator.line: expected an integer");
    // PageMetrics
    row("metrics: load is text", "PageMetrics", R"({"loadMs":"fast"})", "loadMs: expected a number");
    row("metrics: negative fcp", "PageMetrics", R"({"firstContentfulPaintMs":-0.5})",
        "firstContentfulPaintMs: -0.5 is outside");
    row("metrics: lcp beyond a day", "PageMetrics", R"({"largestContentfulPaintMs":86400001})",
        "largestContentfulPaintMs: 8.64e+07 is outside");
    row("metrics: status 1000", "PageMetrics", R"({"documentStatus":1000})", "documentStatus: 1000 is outside");
    row("metrics: negative request count", "PageMetrics", R"({"requestCount":-1})", "requestCount: -1 is outside");
    row("metrics: bool bytes", "PageMetrics", R"({"totalEncodedBytes":true})",
        "totalEncodedBytes: expected an integer");
    // ViewResult
    row("view: url missing", "ViewResult", R"({"metrics":{}})", "url: is required");
    row("view: metrics missing", "ViewResult", R"({"url":"u"})", "metrics: is required");
    row("view: bad metric inside", "ViewResult", R"({"url":"u","metrics":{"loadMs":"x"}})",
        "metrics: loadMs: expected a number");
    row("view: second request bad", "ViewResult",
        R"({"url":"u","metrics":{},"requests":[{"id":"1","url":"a","startMs":0},{"id":"2","startMs":0}]})",
        "requests[1]: url: is required");
    row("view: screenshot not base64", "ViewResult", R"({"url":"u","metrics":{},"screenshotPng":"%%%"})",
        "screenshotPng: not base64");
    row("view: startedAt not a date", "ViewResult", R"({"url":"u","metrics":{},"startedAt":"yesterday"})",
        "startedAt: not an ISO 8601 date and time");
    row("view: error without kind", "ViewResult", R"({"url":"u","metrics":{},"error":{"message":"m"}})",
        "error: kind: is required");
    // RunResult
    row("run: url missing", "RunResult", R"({"firstView":{"url":"u","metrics":{}}})", "url: is required");
    row("run: firstView missing", "RunResult", R"({"url":"u"})", "firstView: is required");
    row("run: bad options", "RunResult",
        R"({"url":"u","options":{"timeoutMs":5},"firstView":{"url":"u","metrics":{}}})",
        "options: timeoutMs: 5 is outside");
    row("run: bad repeat view", "RunResult",
        R"({"url":"u","firstView":{"url":"u","metrics":{}},"repeatView":{"metrics":{}}})",
        "repeatView: url: is required");
    row("run: browserStartMs negative", "RunResult",
        R"({"url":"u","firstView":{"url":"u","metrics":{}},"browserStartMs":-1})", "browserStartMs: -1 is outside");
}

void tst_TimingModel::decodeErrors()
{
    DecodeErrorTable::check({ { QStringLiteral("RequestTiming"), &DecodeErrorTable::decoderOf<RequestTiming> },
        { QStringLiteral("PageMetrics"), &DecodeErrorTable::decoderOf<PageMetrics> },
        { QStringLiteral("ViewResult"), &DecodeErrorTable::decoderOf<ViewResult> },
        { QStringLiteral("RunResult"), &DecodeErrorTable::decoderOf<RunResult> } });
}

void tst_TimingModel::median_data()
{
    QTest::addColumn<QList<PageMetrics>>("runs");
    QTest::addColumn<PageMetrics>("expected");

    const auto loads = [](std::initializer_list<double> values) {
        QList<PageMetrics> runs;
        for (double value : values) {
            PageMetrics m;
            m.loadMs = value;
            runs.append(m);
        }
        return runs;
    };
    PageMetrics expected;
    expected.loadMs = 200;
    QTest::newRow("odd count") << loads({ 300, 100, 200 }) << expected;
    expected.loadMs = 250;
    QTest::newRow("even count averages the middle two") << loads({ 400, 100, 300, 200 }) << expected;
    expected.loadMs = 42;
    QTest::newRow("one run") << loads({ 42 }) << expected;

    // FCP seen in two of three runs (one blank), LCP in one: each median is over the runs that saw it.
    QList<PageMetrics> partial = loads({ 100, 200, 300 });
    partial[0].firstContentfulPaintMs = 50;
    partial[2].firstContentfulPaintMs = 70;
    partial[1].largestContentfulPaintMs = 90;
    PageMetrics partialExpected;
    partialExpected.loadMs = 200;
    partialExpected.firstContentfulPaintMs = 60;
    partialExpected.largestContentfulPaintMs = 90;
    QTest::newRow("observed in some runs") << partial << partialExpected;

    QList<PageMetrics> none(3);
    none[0].requestCount = 5;
    none[1].requestCount = 9;
    none[2].requestCount = 7;
    PageMetrics noneExpected;
    noneExpected.requestCount = 7;
    QTest::newRow("none observed stays absent") << none << noneExpected;

    QTest::newRow("no runs") << QList<PageMetrics> {} << PageMetrics {};

    // Long tasks: runs that watched the main thread and saw none (count 0, no longest) count as 0 for the longest,
    // so the median agrees with the count's; a run that did not watch stays out of both.
    const auto tasks = [](std::optional<double> count, std::optional<double> longest) {
        PageMetrics m;
        m.longTaskCount = count;
        m.longestTaskMs = longest;
        return m;
    };
    PageMetrics mostlyNone;
    mostlyNone.longTaskCount = 0;
    QTest::newRow("longest task: two of three runs had none")
        << QList<PageMetrics> { tasks(0, {}), tasks(1, 51), tasks(0, {}) } << mostlyNone;
    PageMetrics mostlySome;
    mostlySome.longTaskCount = 1;
    mostlySome.longestTaskMs = 60;
    QTest::newRow("longest task: one of three runs had none")
        << QList<PageMetrics> { tasks(0, {}), tasks(1, 60), tasks(2, 80) } << mostlySome;
    PageMetrics unwatched;
    unwatched.longTaskCount = 2;
    unwatched.longestTaskMs = 70;
    QTest::newRow("longest task: a run that did not watch is left out")
        << QList<PageMetrics> { tasks({}, {}), tasks(2, 70) } << unwatched;

    // A status is a category: of 200 and 404 take the lower middle (200), never a made-up 302.
    QList<PageMetrics> statuses(2);
    statuses[0].documentStatus = 404;
    statuses[1].documentStatus = 200;
    statuses[0].requestCount = 10;
    statuses[1].requestCount = 11;
    statuses[0].totalEncodedBytes = 1000;
    statuses[1].totalEncodedBytes = 2000;
    PageMetrics statusesExpected;
    statusesExpected.documentStatus = 200;
    statusesExpected.requestCount = 10; // integer counts round down
    statusesExpected.totalEncodedBytes = 1500;
    QTest::newRow("status and counts, even") << statuses << statusesExpected;
}

void tst_TimingModel::median()
{
    QFETCH(QList<PageMetrics>, runs);
    QFETCH(PageMetrics, expected);
    QCOMPARE(PageMetrics::median(runs), expected);
}

void tst_TimingModel::phasesSumAndEnd()
{
    const RequestTiming timing = fullRequest();
    QCOMPARE(timing.phases.sum(), 1.5 + 10.25 + 20.5 + 30.75 + 0.125 + 20.0 + 5.0);
    QCOMPARE(timing.endMs(), std::optional<double>(12.375 + 88.125));
    QCOMPARE(RequestPhases {}.sum(), 0.0);
}

QTEST_GUILESS_MAIN(tst_TimingModel)
#include "tst_timingmodel.moc"
