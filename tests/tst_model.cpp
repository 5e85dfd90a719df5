// The shared value types: every one survives toJson → text → fromJson unchanged, an unobserved metric stays
// absent (never 0), and every decode error names the field it is about.

#include "model/connectivityprofile.h"
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

char *jsonText(const QJsonObject &json)
{
    return qstrdup(QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
}

// Through real JSON text, not just QJsonObject, so number formatting is part of every round trip.
QJsonObject viaText(const QJsonObject &json)
{
    return QJsonDocument::fromJson(QJsonDocument(json).toJson(QJsonDocument::Compact)).object();
}

QJsonObject parse(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("test fixture is not JSON: %s (%s)", text.constData(), qPrintable(error.errorString()));
    return document.object();
}

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
    return v;
}

const QList<LoadError::Kind> allKinds {
    LoadError::Kind::InvalidUrl,
    LoadError::Kind::DnsFailure,
    LoadError::Kind::ConnectionFailed,
    LoadError::Kind::TlsFailure,
    LoadError::Kind::Timeout,
    LoadError::Kind::HttpError,
    LoadError::Kind::BadResponse,
    LoadError::Kind::BrowserUnavailable,
    LoadError::Kind::BrowserCrashed,
    LoadError::Kind::Cancelled,
    LoadError::Kind::Refused,
    LoadError::Kind::Other,
};

// One decoder per struct name, so the error table below can list rows for all of them.
std::optional<QString> decodeError(const QString &type, const QJsonObject &json)
{
    QString error;
    bool ok = false;
    if (type == u"RequestTiming")
        ok = RequestTiming::fromJson(json, &error).has_value();
    else if (type == u"PageMetrics")
        ok = PageMetrics::fromJson(json, &error).has_value();
    else if (type == u"ViewResult")
        ok = ViewResult::fromJson(json, &error).has_value();
    else if (type == u"RunResult")
        ok = RunResult::fromJson(json, &error).has_value();
    else if (type == u"LoadOptions")
        ok = LoadOptions::fromJson(json, &error).has_value();
    else if (type == u"LoadError")
        ok = LoadError::fromJson(json, &error).has_value();
    else
        qFatal("no decoder for %s", qPrintable(type));
    if (ok)
        return std::nullopt;
    return error;
}

} // namespace

// QCOMPARE prints these on failure: the JSON a value would be sent as.
char *toString(const RequestTiming &value)
{
    return jsonText(value.toJson());
}
char *toString(const PageMetrics &value)
{
    return jsonText(value.toJson());
}
char *toString(const ViewResult &value)
{
    return jsonText(value.toJson());
}
char *toString(const RunResult &value)
{
    return jsonText(value.toJson());
}
char *toString(const LoadOptions &value)
{
    return jsonText(value.toJson());
}
char *toString(const LoadError &value)
{
    return jsonText(value.toJson());
}

class tst_Model : public QObject
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
    void loadOptionsRoundTrip_data();
    void loadOptionsRoundTrip();
    void loadErrorRoundTrip_data();
    void loadErrorRoundTrip();

    void absentMetricsStayAbsent();
    void absentPhasesStayAbsent();
    void nullReadsAsAbsent();
    void unknownFieldsAreIgnored();
    void unknownLoadErrorKindIsOther();
    void profileNameIsCanonicalised();

    void decodeErrors_data();
    void decodeErrors();

    void median_data();
    void median();

    void byName_data();
    void byName();
    void profileNumbers();

    void kindOfNetError_data();
    void kindOfNetError();
    void kindNamesRoundTrip();

    void phasesSumAndEnd();
};

void tst_Model::requestTimingRoundTrip_data()
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

    RequestTiming unicode = minimal;
    unicode.url = QStringLiteral("https://例え.jp/パス?q=ü");
    unicode.responseHeaders = { { QStringLiteral("X-Empty"), QString() } };
    QTest::newRow("non-ASCII url, empty header value") << unicode;
}

void tst_Model::requestTimingRoundTrip()
{
    QFETCH(RequestTiming, timing);
    QString error;
    const auto decoded = RequestTiming::fromJson(viaText(timing.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, timing);
    QVERIFY(error.isEmpty());
}

void tst_Model::pageMetricsRoundTrip_data()
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

void tst_Model::pageMetricsRoundTrip()
{
    QFETCH(PageMetrics, metrics);
    QString error;
    const auto decoded = PageMetrics::fromJson(viaText(metrics.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, metrics);
}

void tst_Model::viewResultRoundTrip_data()
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

void tst_Model::viewResultRoundTrip()
{
    QFETCH(ViewResult, view);
    QString error;
    const auto decoded = ViewResult::fromJson(viaText(view.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, view);
    QCOMPARE(decoded->ok(), !view.error.has_value());
}

void tst_Model::runResultRoundTrip_data()
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

void tst_Model::runResultRoundTrip()
{
    QFETCH(RunResult, run);
    QString error;
    const auto decoded = RunResult::fromJson(viaText(run.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, run);
    QCOMPARE(decoded->ok(), run.ok());
    QCOMPARE(decoded->repeatView.has_value(), run.repeatView.has_value());
}

void tst_Model::loadOptionsRoundTrip_data()
{
    QTest::addColumn<LoadOptions>("options");
    QTest::newRow("defaults") << LoadOptions {};
    QTest::newRow("everything set") << LoadOptions { 1000, QStringLiteral("Dial"), true, true,
        QStringLiteral("360x640@2,mobile"), 20 };
    QTest::newRow("longest timeout") << LoadOptions { LoadOptions::maxTimeoutMs, QStringLiteral("3G Slow"), false, true,
        QStringLiteral("desktop"), {} };
}

void tst_Model::loadOptionsRoundTrip()
{
    QFETCH(LoadOptions, options);
    QString error;
    const auto decoded = LoadOptions::fromJson(viaText(options.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, options);
}

void tst_Model::loadErrorRoundTrip_data()
{
    QTest::addColumn<LoadError>("loadError");
    for (LoadError::Kind kind : allKinds) {
        const QString name = LoadError::kindName(kind);
        QTest::newRow(qPrintable(name)) << LoadError { kind, QStringLiteral("because of ") + name };
    }
    QTest::newRow("empty message") << LoadError { LoadError::Kind::Cancelled, QString() };
}

void tst_Model::loadErrorRoundTrip()
{
    QFETCH(LoadError, loadError);
    QString error;
    const auto decoded = LoadError::fromJson(viaText(loadError.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, loadError);
}

void tst_Model::absentMetricsStayAbsent()
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

void tst_Model::absentPhasesStayAbsent()
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
}

void tst_Model::nullReadsAsAbsent()
{
    // Other tools write null for "not measured"; it must not turn into 0.
    const auto decoded
        = PageMetrics::fromJson(parse(R"({"loadMs":null,"firstContentfulPaintMs":null,"ttfbMs":12})"), nullptr);
    QVERIFY(decoded);
    QVERIFY(!decoded->loadMs.has_value());
    QVERIFY(!decoded->firstContentfulPaintMs.has_value());
    QCOMPARE(decoded->ttfbMs, std::optional<double>(12));
}

void tst_Model::unknownFieldsAreIgnored()
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

void tst_Model::unknownLoadErrorKindIsOther()
{
    // A newer probe may name a kind this build does not know: keep the message, call the kind "other".
    const auto decoded = LoadError::fromJson(parse(R"({"kind":"quantum-failure","message":"m"})"), nullptr);
    QVERIFY(decoded);
    QCOMPARE(LoadError::kindName(decoded->kind), QStringLiteral("other"));
    QCOMPARE(decoded->message, QStringLiteral("m"));
}

void tst_Model::profileNameIsCanonicalised()
{
    const auto decoded = LoadOptions::fromJson(parse(R"({"profile":"3gfast"})"), nullptr);
    QVERIFY(decoded);
    QCOMPARE(decoded->profile, QStringLiteral("3G Fast"));
    QCOMPARE(decoded->timeoutMs, LoadOptions::defaultTimeoutMs);
    QCOMPARE(decoded->repeatView, false);
}

void tst_Model::decodeErrors_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected"); // the start of the error: the field's path, then why

    const auto row = [](const char *name, const char *type, const char *json, const char *expected) {
        QTest::newRow(name) << QString::fromLatin1(type) << QByteArray(json) << QString::fromUtf8(expected);
    };
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
    // LoadOptions
    row("options: timeout too short", "LoadOptions", R"({"timeoutMs":999})", "timeoutMs: 999 is outside 1000");
    row("options: timeout too long", "LoadOptions", R"({"timeoutMs":600001})", "timeoutMs: 600001 is outside");
    row("options: unknown profile", "LoadOptions", R"({"profile":"5G"})", "profile: unknown profile \"5G\"");
    row("options: profile is a number", "LoadOptions", R"({"profile":3})", "profile: expected a string");
    row("options: repeatView is a number", "LoadOptions", R"({"repeatView":1})", "repeatView: expected true or false");
    // LoadError
    row("error: kind missing", "LoadError", R"({"message":"m"})", "kind: is required");
    row("error: kind is a number", "LoadError", R"({"kind":4})", "kind: expected a string");
    row("error: message is an object", "LoadError", R"({"kind":"timeout","message":{}})", "message: expected a string");
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

void tst_Model::decodeErrors()
{
    QFETCH(QString, type);
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    const std::optional<QString> error = decodeError(type, parse(json));
    QVERIFY2(error.has_value(), "decoded although the input is invalid");
    QVERIFY2(error->startsWith(expected), qPrintable(QStringLiteral("error was: ") + *error));
}

void tst_Model::median_data()
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

void tst_Model::median()
{
    QFETCH(QList<PageMetrics>, runs);
    QFETCH(PageMetrics, expected);
    QCOMPARE(PageMetrics::median(runs), expected);
}

void tst_Model::byName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("canonical"); // empty: not found
    QTest::addColumn<double>("downKbps");

    QTest::newRow("exact") << QStringLiteral("3G Fast") << QStringLiteral("3G Fast") << 1600.0;
    QTest::newRow("lower case with space") << QStringLiteral("3g fast") << QStringLiteral("3G Fast") << 1600.0;
    QTest::newRow("no space, mixed case") << QStringLiteral("3GFast") << QStringLiteral("3G Fast") << 1600.0;
    QTest::newRow("3G is not 3G Fast") << QStringLiteral("3g") << QStringLiteral("3G") << 1600.0;
    QTest::newRow("native") << QStringLiteral("NATIVE") << QStringLiteral("Native") << 0.0;
    QTest::newRow("cable") << QStringLiteral("cable") << QStringLiteral("Cable") << 5000.0;
    QTest::newRow("unknown") << QStringLiteral("5G") << QString() << 0.0;
    QTest::newRow("dash is not a space") << QStringLiteral("3G-Fast") << QString() << 0.0;
    QTest::newRow("empty") << QString() << QString() << 0.0;
}

void tst_Model::byName()
{
    QFETCH(QString, name);
    QFETCH(QString, canonical);
    QFETCH(double, downKbps);
    const auto profile = ConnectivityProfile::byName(name);
    QCOMPARE(profile.has_value(), !canonical.isEmpty());
    if (profile) {
        QCOMPARE(profile->name, canonical);
        QCOMPARE(profile->downKbps, downKbps);
    }
}

void tst_Model::profileNumbers()
{
    const QStringList names = ConnectivityProfile::names();
    QCOMPARE(names.size(), ConnectivityProfile::all().size());
    QVERIFY(names.contains(QStringLiteral("Native")));
    QVERIFY(names.contains(QStringLiteral("3G Slow")));

    const auto native = ConnectivityProfile::byName(QStringLiteral("Native"));
    QVERIFY(native);
    QVERIFY(native->isNative());
    QCOMPARE(native->downBytesPerSecond(), -1.0); // -1: unthrottled for Network.emulateNetworkConditions

    const auto cable = ConnectivityProfile::byName(QStringLiteral("Cable"));
    QVERIFY(cable);
    QVERIFY(!cable->isNative());
    QCOMPARE(cable->downBytesPerSecond(), 625'000.0); // 5000 kbit/s
    QCOMPARE(cable->upBytesPerSecond(), 125'000.0);
    QCOMPARE(cable->rttMs, 28.0);

    // Every profile but Native throttles, and every name resolves to itself.
    for (const ConnectivityProfile &profile : ConnectivityProfile::all()) {
        QCOMPARE(profile.isNative(), profile.name == u"Native");
        const auto again = ConnectivityProfile::byName(profile.name);
        QVERIFY(again);
        QCOMPARE(again->name, profile.name);
    }
}

void tst_Model::kindOfNetError_data()
{
    QTest::addColumn<QString>("netError");
    QTest::addColumn<QString>("kind"); // compared by wire name, so a failure prints words

    const auto row = [](const char *netError, const char *kind) {
        QTest::newRow(netError) << QString::fromLatin1(netError) << QString::fromLatin1(kind);
    };
    row("net::ERR_NAME_NOT_RESOLVED", "dns-failure");
    row("net::ERR_NAME_RESOLUTION_FAILED", "dns-failure");
    row("net::ERR_DNS_TIMED_OUT", "dns-failure");
    row("net::ERR_CONNECTION_REFUSED", "connection-failed");
    row("net::ERR_CONNECTION_RESET", "connection-failed");
    row("net::ERR_CONNECTION_CLOSED", "connection-failed");
    row("net::ERR_ADDRESS_UNREACHABLE", "connection-failed");
    row("net::ERR_INTERNET_DISCONNECTED", "connection-failed");
    row("net::ERR_CONNECTION_TIMED_OUT", "timeout");
    row("net::ERR_TIMED_OUT", "timeout");
    row("net::ERR_CERT_AUTHORITY_INVALID", "tls-failure");
    row("net::ERR_CERT_DATE_INVALID", "tls-failure");
    row("net::ERR_SSL_PROTOCOL_ERROR", "tls-failure");
    row("net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH", "tls-failure");
    row("net::ERR_EMPTY_RESPONSE", "bad-response");
    row("net::ERR_INVALID_HTTP_RESPONSE", "bad-response");
    row("net::ERR_CONTENT_LENGTH_MISMATCH", "bad-response");
    row("net::ERR_ABORTED", "cancelled");
    row("net::ERR_INVALID_URL", "invalid-url");
    row("net::ERR_UNKNOWN_URL_SCHEME", "invalid-url");
    row("net::ERR_BLOCKED_BY_CLIENT", "other");
    row("", "other");
}

void tst_Model::kindOfNetError()
{
    QFETCH(QString, netError);
    QFETCH(QString, kind);
    QCOMPARE(LoadError::kindName(LoadError::kindOfNetError(netError)), kind);
}

void tst_Model::kindNamesRoundTrip()
{
    QStringList seen;
    for (LoadError::Kind kind : allKinds) {
        const QString name = LoadError::kindName(kind);
        QVERIFY2(!seen.contains(name), qPrintable(name));
        seen.append(name);
        const auto back = LoadError::kindFromName(name);
        QVERIFY(back);
        QVERIFY(*back == kind);
    }
    QVERIFY(!LoadError::kindFromName(QStringLiteral("Timeout"))); // wire names are exact, lower case
    QVERIFY(!LoadError::kindFromName(QString()));
}

void tst_Model::phasesSumAndEnd()
{
    const RequestTiming timing = fullRequest();
    QCOMPARE(timing.phases.sum(), 1.5 + 10.25 + 20.5 + 30.75 + 0.125 + 20.0 + 5.0);
    QCOMPARE(timing.endMs(), std::optional<double>(12.375 + 88.125));
    QCOMPARE(RequestPhases {}.sum(), 0.0);
}

QTEST_GUILESS_MAIN(tst_Model)
#include "tst_model.moc"
