#include "harschema.h"
#include "model/harbuilder.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <optional>

namespace {

RequestPhases phases(std::optional<double> blocked, std::optional<double> dns, std::optional<double> connect,
    std::optional<double> ssl, std::optional<double> send, std::optional<double> wait, std::optional<double> receive)
{
    return RequestPhases { blocked, dns, connect, ssl, send, wait, receive };
}

RequestTiming request(QString id, QString url, QString type, double startMs, RequestPhases p)
{
    RequestTiming r;
    r.id = std::move(id);
    r.url = std::move(url);
    r.method = QStringLiteral("GET");
    r.resourceType = std::move(type);
    r.startMs = startMs;
    r.phases = p;
    r.durationMs = p.sum();
    r.outcome = RequestTiming::Outcome::Finished;
    return r;
}

const QDateTime firstStart = QDateTime::fromString(QStringLiteral("2024-03-01T12:00:00.000Z"), Qt::ISODateWithMs);
const QDateTime repeatStart = QDateTime::fromString(QStringLiteral("2024-03-01T12:00:05.500Z"), Qt::ISODateWithMs);

// Two runs: the first with a redirect hop, a TLS document, a reused connection, a failed and an unfinished request,
// a POST, and a repeat view that timed out before load; the second without a start time or any page timing.
QList<RunResult> sampleRuns()
{
    RunResult run;
    run.url = QStringLiteral("http://example.com/");
    run.browserVersion = QStringLiteral("HeadlessChrome/120.0.6099.109");

    ViewResult &first = run.firstView;
    first.url = run.url;
    first.finalUrl = QStringLiteral("https://example.com/?a=1&b=two%20words&a=3");
    first.startedAt = firstStart;
    first.metrics.domContentLoadedMs = 250.5;
    first.metrics.loadMs = 400.25;
    first.metrics.firstContentfulPaintMs = 180;
    first.metrics.speedIndexMs = 420.5;
    first.metrics.firstVisualChangeMs = 175;
    first.metrics.visualComplete85Ms = 500;
    first.metrics.visualComplete99Ms = 600;
    first.metrics.lastVisualChangeMs = 650;

    RequestTiming redirect = request(
        QStringLiteral("1"), run.url, QStringLiteral("Document"), 0, phases(1, 10, 20, std::nullopt, 0.5, 30, 0.25));
    redirect.status = 301;
    redirect.statusText = QStringLiteral("Moved Permanently");
    redirect.protocol = QStringLiteral("http/1.1");
    redirect.remoteIp = QStringLiteral("93.184.216.34");
    redirect.redirectUrl = first.finalUrl;
    redirect.encodedBytes = 180;
    redirect.headerBytes = 180;
    redirect.decodedBytes = 0;
    redirect.responseHeaders = { { QStringLiteral("Location"), first.finalUrl } };
    first.requests << redirect;

    RequestTiming document = request(QStringLiteral("1.1"), first.finalUrl, QStringLiteral("Document"), 62,
        phases(0.5, std::nullopt, 15, 25, 0.2, 40, 5));
    document.status = 200;
    document.statusText = QStringLiteral("OK");
    document.protocol = QStringLiteral("h2");
    document.remoteIp = QStringLiteral("[2606:2800:220:1:248:1893:25c8:1946]");
    document.mimeType = QStringLiteral("text/html");
    document.encodedBytes = 5300;
    document.headerBytes = 300;
    document.decodedBytes = 20000;
    document.priority = QStringLiteral("VeryHigh");
    document.requestHeaders = { { QStringLiteral("Cookie"), QStringLiteral("sid=abc; theme=dark") } };
    document.responseHeaders = { { QStringLiteral("content-encoding"), QStringLiteral("gzip") },
        { QStringLiteral("set-cookie"), QStringLiteral("pref=1; Path=/; HttpOnly; Secure\nlang=en") } };
    first.requests << document;

    RequestTiming reused = request(QStringLiteral("2"), QStringLiteral("https://example.com/style.css"),
        QStringLiteral("Stylesheet"), 120, phases(2, std::nullopt, std::nullopt, std::nullopt, 0.1, 20, 3));
    reused.status = 200;
    reused.protocol = QStringLiteral("h2");
    reused.mimeType = QStringLiteral("text/css");
    reused.encodedBytes = 1200;
    reused.headerBytes = 100;
    reused.decodedBytes = 4000;
    reused.initiator = { QStringLiteral("parser"), QStringLiteral("https://example.com/"), 7 };
    first.requests << reused;

    RequestTiming failed
        = request(QStringLiteral("3"), QStringLiteral("https://cdn.invalid/missing.js"), QStringLiteral("Script"), 125,
            phases(1, 100, std::nullopt, std::nullopt, std::nullopt, std::nullopt, std::nullopt));
    failed.outcome = RequestTiming::Outcome::Failed;
    failed.failureText = QStringLiteral("net::ERR_NAME_NOT_RESOLVED");
    first.requests << failed;

    RequestTiming unfinished = request(QStringLiteral("4"), QStringLiteral("https://example.com/slow.jpg"),
        QStringLiteral("Image"), 300.4, phases(1, std::nullopt, std::nullopt, std::nullopt, 0.1, 50, std::nullopt));
    unfinished.outcome = RequestTiming::Outcome::Unfinished;
    unfinished.durationMs.reset();
    first.requests << unfinished;

    RequestTiming report = request(QStringLiteral("5"), QStringLiteral("https://example.com/csp"),
        QStringLiteral("CSPViolationReport"), 390, phases(0.3, std::nullopt, std::nullopt, std::nullopt, 1, 4, 0));
    report.method = QStringLiteral("POST");
    report.status = 204;
    report.protocol = QStringLiteral("h2");
    first.requests << report;

    ViewResult repeat;
    repeat.url = run.url;
    repeat.startedAt = repeatStart;
    repeat.metrics.domContentLoadedMs = 100;
    repeat.error = LoadError { LoadError::Kind::Timeout, QStringLiteral("no load event within 60 s") };
    RequestTiming cached = request(QStringLiteral("1"), first.finalUrl, QStringLiteral("Document"), 0,
        phases(0.1, std::nullopt, std::nullopt, std::nullopt, 0.1, 5, 1));
    cached.status = 200;
    cached.protocol = QStringLiteral("h2");
    repeat.requests << cached;
    run.repeatView = repeat;

    RunResult second;
    second.url = QStringLiteral("https://example.org/");
    second.browserVersion = QStringLiteral("Chrome/121.0.0.0"); // the log names the first run's browser
    second.firstView.url = second.url;
    second.firstView.error = LoadError { LoadError::Kind::BrowserCrashed, QStringLiteral("gone") };
    second.firstView.requests << request(QStringLiteral("1"), second.url, QStringLiteral("Document"), 3,
        phases(std::nullopt, 2, std::nullopt, 4, 0, 5, 6));
    return { run, second };
}

QJsonObject buildLog(const QList<RunResult> &runs)
{
    HarBuilder builder(QStringLiteral("0.1.0"));
    for (const RunResult &run : runs)
        builder.addRun(run);
    return builder.document().value(u"log").toObject();
}

QList<const ViewResult *> viewsOf(const QList<RunResult> &runs)
{
    QList<const ViewResult *> views;
    for (const RunResult &run : runs) {
        views << &run.firstView;
        if (run.repeatView)
            views << &*run.repeatView;
    }
    return views;
}

double number(const QJsonObject &json, QStringView path)
{
    QJsonValue value = json;
    for (const QStringView key : path.split(u'.'))
        value = value.toObject().value(key);
    return value.toDouble(std::nan(""));
}

} // namespace

class TestHarBuilder : public QObject
{
    Q_OBJECT

private slots:
    void followsTheHar12Schema()
    {
        HarBuilder builder(QStringLiteral("0.1.0"));
        for (const RunResult &run : sampleRuns())
            builder.addRun(run);
        const QJsonObject document = builder.document();
        QVERIFY(document.value(u"log").isObject());
        HarSchema schema;
        schema.log(document.value(u"log").toObject());
        QVERIFY2(schema.errors.isEmpty(), qPrintable(schema.errors.join(u'\n')));

        // An empty builder is a valid HAR too (DevTools imports it as nothing).
        HarSchema empty;
        empty.log(HarBuilder(QStringLiteral("0.1.0")).document().value(u"log").toObject());
        QVERIFY2(empty.errors.isEmpty(), qPrintable(empty.errors.join(u'\n')));
    }

    // The checker above is only worth something if it fails on the mistakes it is there to catch.
    void schemaCatchesMistakes()
    {
        HarBuilder builder(QStringLiteral("0.1.0"));
        builder.addRun(sampleRuns().constFirst());
        QJsonObject log = builder.document().value(u"log").toObject();
        QJsonArray entries = log.value(u"entries").toArray();
        QJsonObject entry = entries.at(0).toObject();
        entry.insert(QStringLiteral("startedDateTime"), QStringLiteral("2024-03-01T12:00:00Z")); // no ms
        QJsonObject timings = entry.value(u"timings").toObject();
        timings.insert(QStringLiteral("send"), -1); // not allowed for send
        entry.insert(QStringLiteral("timings"), timings);
        QJsonObject response = entry.value(u"response").toObject();
        response.insert(QStringLiteral("status"), QStringLiteral("200")); // wrong type
        QJsonObject content = response.value(u"content").toObject();
        content.remove(QStringLiteral("mimeType")); // required
        response.insert(QStringLiteral("content"), content);
        entry.insert(QStringLiteral("response"), response);
        entry.remove(QStringLiteral("cache")); // required
        entries.replace(0, entry);
        log.insert(QStringLiteral("entries"), entries);

        HarSchema schema;
        schema.log(log);
        QCOMPARE(schema.errors.size(), 5);
        QVERIFY2(schema.errors.join(u'\n').contains(u"entries[0].response.content.mimeType is missing"),
            qPrintable(schema.errors.join(u'\n')));
    }

    void namesCreatorAndBrowser()
    {
        const QJsonObject log = buildLog(sampleRuns());
        QCOMPARE(log.value(u"version").toString(), QStringLiteral("1.2"));
        QCOMPARE(log.value(u"creator").toObject().value(u"name").toString(), QStringLiteral("WorldSpeed"));
        QCOMPARE(log.value(u"creator").toObject().value(u"version").toString(), QStringLiteral("0.1.0"));
        QCOMPARE(log.value(u"browser").toObject().value(u"name").toString(), QStringLiteral("HeadlessChrome"));
        QCOMPARE(log.value(u"browser").toObject().value(u"version").toString(), QStringLiteral("120.0.6099.109"));

        RunResult noBrowser = sampleRuns().constFirst();
        noBrowser.browserVersion.clear();
        QVERIFY(!buildLog({ noBrowser }).contains(u"browser")); // optional, and better absent than made up
    }

    void onePagePerView()
    {
        const QJsonArray pages = buildLog(sampleRuns()).value(u"pages").toArray();
        QCOMPARE(pages.size(), 3);
        const QJsonObject first = pages.at(0).toObject();
        const QJsonObject repeat = pages.at(1).toObject();
        const QJsonObject second = pages.at(2).toObject();
        QCOMPARE(first.value(u"id").toString(), QStringLiteral("page_1"));
        QCOMPARE(repeat.value(u"id").toString(), QStringLiteral("page_1_repeat"));
        QCOMPARE(second.value(u"id").toString(), QStringLiteral("page_2"));
        QCOMPARE(first.value(u"title").toString(), QStringLiteral("http://example.com/"));
        QCOMPARE(first.value(u"startedDateTime").toString(), QStringLiteral("2024-03-01T12:00:00.000Z"));
        QCOMPARE(repeat.value(u"startedDateTime").toString(), QStringLiteral("2024-03-01T12:00:05.500Z"));
        // No start time known: the epoch, rather than a made-up "now".
        QCOMPARE(second.value(u"startedDateTime").toString(), QStringLiteral("1970-01-01T00:00:00.000Z"));

        QCOMPARE(number(first, u"pageTimings.onContentLoad"), 250.5);
        QCOMPARE(number(first, u"pageTimings.onLoad"), 400.25);
        QCOMPARE(number(first, u"pageTimings._firstContentfulPaint"), 180.0);
        QVERIFY(!first.value(u"pageTimings").toObject().contains(u"_largestContentfulPaint"));
        QCOMPARE(number(repeat, u"pageTimings.onContentLoad"), 100.0);
        QCOMPARE(number(repeat, u"pageTimings.onLoad"), -1.0); // absent, per the spec
        QCOMPARE(number(second, u"pageTimings.onContentLoad"), -1.0);
        QCOMPARE(number(second, u"pageTimings.onLoad"), -1.0);
        QVERIFY(repeat.value(u"_error").toString().contains(u"no load event"));
        QVERIFY(!first.contains(u"_error"));
        // The filmstrip's metrics under WebPageTest's page field names, and none where no filmstrip was taken.
        QCOMPARE(first.value(u"_SpeedIndex").toDouble(), 420.5);
        QCOMPARE(first.value(u"_render").toDouble(), 175.0);
        QCOMPARE(first.value(u"_visualComplete85").toDouble(), 500.0);
        QCOMPARE(first.value(u"_visualComplete99").toDouble(), 600.0);
        QCOMPARE(first.value(u"_lastVisualChange").toDouble(), 650.0);
        QVERIFY(!repeat.contains(u"_SpeedIndex"));
        QVERIFY(!repeat.contains(u"_render"));
    }

    void entriesMatchTheInput()
    {
        const QList<RunResult> runs = sampleRuns();
        const QJsonObject log = buildLog(runs);
        const QJsonArray entries = log.value(u"entries").toArray();
        QSet<QString> pageIds;
        for (const QJsonValue &page : log.value(u"pages").toArray())
            pageIds << page.toObject().value(u"id").toString();

        const QList<const ViewResult *> views = viewsOf(runs);
        const QStringList viewPageIds { QStringLiteral("page_1"), QStringLiteral("page_1_repeat"),
            QStringLiteral("page_2") };
        const QList<QDateTime> viewStarts { firstStart, repeatStart, QDateTime::fromMSecsSinceEpoch(0, Qt::UTC) };
        qsizetype index = 0;
        for (qsizetype v = 0; v < views.size(); ++v) {
            for (const RequestTiming &input : views.at(v)->requests) {
                QVERIFY(index < entries.size());
                const QJsonObject entry = entries.at(index++).toObject();
                const QString pageref = entry.value(u"pageref").toString();
                QVERIFY2(pageIds.contains(pageref), qPrintable(pageref));
                QCOMPARE(pageref, viewPageIds.at(v));
                QCOMPARE(entry.value(u"request").toObject().value(u"url").toString(), input.url);
                QCOMPARE(QDateTime::fromString(entry.value(u"startedDateTime").toString(), Qt::ISODateWithMs),
                    viewStarts.at(v).addMSecs(std::llround(input.startMs)));

                const QJsonObject timings = entry.value(u"timings").toObject();
                const RequestPhases &p = input.phases;
                QCOMPARE(timings.value(u"blocked").toDouble(), p.blocked.value_or(-1));
                QCOMPARE(timings.value(u"dns").toDouble(), p.dns.value_or(-1));
                QCOMPARE(timings.value(u"ssl").toDouble(), p.ssl.value_or(-1));
                // HAR's connect includes the TLS handshake; ours does not.
                const double connect = p.ssl ? p.connect.value_or(0) + *p.ssl : p.connect.value_or(-1);
                QCOMPARE(timings.value(u"connect").toDouble(), connect);
                QCOMPARE(timings.value(u"send").toDouble(), p.send.value_or(0));
                QCOMPARE(timings.value(u"wait").toDouble(), p.wait.value_or(0));
                QCOMPARE(timings.value(u"receive").toDouble(), p.receive.value_or(0));

                // time is the sum of the phases that happened, with ssl counted once (inside connect)...
                double sum = 0;
                for (const auto key : { u"blocked", u"dns", u"connect", u"send", u"wait", u"receive" })
                    sum += std::max(0.0, timings.value(key).toDouble());
                const double time = entry.value(u"time").toDouble();
                QVERIFY2(std::abs(time - sum) < 1e-9, qPrintable(QStringLiteral("%1 != %2").arg(time).arg(sum)));
                // ...which is the request's own duration when it has one.
                QVERIFY(std::abs(time - p.sum()) < 1e-9);
                if (input.durationMs)
                    QVERIFY(std::abs(time - *input.durationMs) < 1e-9);
            }
        }
        QCOMPARE(index, entries.size());
        QCOMPARE(entries.size(), 8);
    }

    void describesEachKindOfRequest()
    {
        const QJsonArray entries = buildLog(sampleRuns()).value(u"entries").toArray();
        const auto entry = [&](int i) { return entries.at(i).toObject(); };
        const auto response = [&](int i) { return entry(i).value(u"response").toObject(); };
        const auto request = [&](int i) { return entry(i).value(u"request").toObject(); };

        // the redirect hop
        QCOMPARE(response(0).value(u"status").toInt(), 301);
        QCOMPARE(response(0).value(u"statusText").toString(), QStringLiteral("Moved Permanently"));
        QCOMPARE(
            response(0).value(u"redirectURL").toString(), QStringLiteral("https://example.com/?a=1&b=two%20words&a=3"));
        QCOMPARE(response(0).value(u"httpVersion").toString(), QStringLiteral("HTTP/1.1"));
        QCOMPARE(response(0).value(u"bodySize").toDouble(), 0.0);
        QCOMPARE(entry(0).value(u"serverIPAddress").toString(), QStringLiteral("93.184.216.34"));
        QCOMPARE(entry(0).value(u"timings").toObject().value(u"connect").toDouble(), 20.0); // no ssl: as is

        // the TLS document: sizes, query string, cookies, protocol, address without brackets
        checkTlsDocument(entry(1));
        if (QTest::currentTestFailed())
            return;

        // the reused connection: no dns, connect or ssl
        QCOMPARE(number(entry(2), u"timings.dns"), -1.0);
        QCOMPARE(number(entry(2), u"timings.connect"), -1.0);
        QCOMPARE(number(entry(2), u"timings.ssl"), -1.0);
        QCOMPARE(entry(2).value(u"_resourceType").toString(), QStringLiteral("stylesheet"));
        // who asked for it, in WebPageTest's fields; the line as people count, from 1
        QCOMPARE(entry(2).value(u"_initiator_type").toString(), QStringLiteral("parser"));
        QCOMPARE(entry(2).value(u"_initiator").toString(), QStringLiteral("https://example.com/"));
        QCOMPARE(entry(2).value(u"_initiator_line").toInt(), 7);
        // not known: not there
        QVERIFY(!entry(3).contains(u"_initiator_type") && !entry(3).contains(u"_initiator"));

        // the failed request: still there, status 0, and why
        QCOMPARE(response(3).value(u"status").toInt(), 0);
        QCOMPARE(response(3).value(u"httpVersion").toString(), QString());
        QCOMPARE(response(3).value(u"bodySize").toDouble(), -1.0);
        QCOMPARE(response(3).value(u"headersSize").toDouble(), -1.0);
        QCOMPARE(number(response(3), u"content.size"), 0.0);
        QCOMPARE(response(3).value(u"content").toObject().value(u"mimeType").toString(), QStringLiteral("x-unknown"));
        QVERIFY(!response(3).value(u"content").toObject().contains(u"compression"));
        QCOMPARE(entry(3).value(u"_error").toString(), QStringLiteral("net::ERR_NAME_NOT_RESOLVED"));
        QCOMPARE(number(entry(3), u"time"), 101.0);
        QVERIFY(!entry(3).contains(u"serverIPAddress"));

        // the unfinished one, which had no response yet, says it did not finish
        QCOMPARE(response(4).value(u"status").toInt(), 0);
        QVERIFY(entry(4).value(u"_error").toString().startsWith(u"unfinished"));
        QCOMPARE(number(entry(4), u"timings.receive"), 0.0);
        QCOMPARE(entry(4).value(u"startedDateTime").toString(), QStringLiteral("2024-03-01T12:00:00.300Z"));

        // a POST whose body we did not record, and DevTools' spelling of CDP's resource type
        QCOMPARE(request(5).value(u"method").toString(), QStringLiteral("POST"));
        QCOMPARE(request(5).value(u"bodySize").toDouble(), -1.0);
        QCOMPARE(entry(5).value(u"_resourceType").toString(), QStringLiteral("csp-violation-report"));
        QVERIFY(!entry(5).contains(u"_error"));

        // a TLS request whose connect was not reported still counts the handshake once
        QCOMPARE(number(entry(7), u"timings.connect"), 4.0);
        QCOMPARE(number(entry(7), u"timings.ssl"), 4.0);
        QCOMPARE(number(entry(7), u"timings.blocked"), -1.0);
        QCOMPARE(number(entry(7), u"time"), 17.0);
    }

    void ignoresImpossiblePhases()
    {
        RunResult run = sampleRuns().constFirst();
        RequestTiming &r = run.firstView.requests[0];
        r.phases.blocked = -5; // treated as not observed, never subtracted from time
        r.phases.dns = std::nan("");
        const QJsonObject entry = buildLog({ run }).value(u"entries").toArray().at(0).toObject();
        QCOMPARE(number(entry, u"timings.blocked"), -1.0);
        QCOMPARE(number(entry, u"timings.dns"), -1.0);
        QCOMPARE(number(entry, u"time"), 50.75);
        HarSchema schema;
        schema.log(buildLog({ run }));
        QVERIFY2(schema.errors.isEmpty(), qPrintable(schema.errors.join(u'\n')));
    }

    void writesBytesAndFiles()
    {
        HarBuilder builder(QStringLiteral("0.1.0"));
        for (const RunResult &run : sampleRuns())
            builder.addRun(run);
        QJsonParseError parseError;
        const QJsonDocument parsed = QJsonDocument::fromJson(builder.toBytes(), &parseError);
        QCOMPARE(parseError.error, QJsonParseError::NoError);
        QCOMPARE(parsed.object(), builder.document());

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("run.har"));
        QString error;
        QVERIFY2(builder.writeToFile(path, &error), qPrintable(error));
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(QJsonDocument::fromJson(file.readAll()).object(), builder.document());

        const QString impossible = dir.filePath(QStringLiteral("no/such/dir/run.har"));
        QVERIFY(!builder.writeToFile(impossible, &error));
        QVERIFY2(error.contains(impossible), qPrintable(error));
        QVERIFY(!builder.writeToFile(impossible, nullptr)); // the reason is optional
    }

private:
    // describesEachKindOfRequest's checks of the TLS document's entry.
    static void checkTlsDocument(const QJsonObject &entry)
    {
        const QJsonObject doc = entry.value(u"response").toObject();
        const QJsonObject request = entry.value(u"request").toObject();
        QCOMPARE(doc.value(u"httpVersion").toString(), QStringLiteral("HTTP/2.0"));
        QCOMPARE(doc.value(u"headersSize").toDouble(), 300.0);
        QCOMPARE(doc.value(u"bodySize").toDouble(), 5000.0);
        QCOMPARE(doc.value(u"_transferSize").toDouble(), 5300.0);
        QCOMPARE(number(doc, u"content.size"), 20000.0);
        QCOMPARE(number(doc, u"content.compression"), 15000.0);
        QCOMPARE(doc.value(u"content").toObject().value(u"mimeType").toString(), QStringLiteral("text/html"));
        QCOMPARE(entry.value(u"serverIPAddress").toString(), QStringLiteral("2606:2800:220:1:248:1893:25c8:1946"));
        QCOMPARE(entry.value(u"_priority").toString(), QStringLiteral("VeryHigh"));
        QCOMPARE(entry.value(u"_resourceType").toString(), QStringLiteral("document"));
        QCOMPARE(number(entry, u"timings.connect"), 40.0);
        QCOMPARE(number(entry, u"timings.ssl"), 25.0);
        QCOMPARE(number(entry, u"time"), 85.7);
        const QJsonArray query = request.value(u"queryString").toArray();
        QCOMPARE(query.size(), 3);
        QCOMPARE(query.at(1).toObject().value(u"name").toString(), QStringLiteral("b"));
        QCOMPARE(query.at(1).toObject().value(u"value").toString(), QStringLiteral("two words"));
        QCOMPARE(query.at(2).toObject().value(u"value").toString(), QStringLiteral("3"));
        const QJsonArray sent = request.value(u"cookies").toArray();
        QCOMPARE(sent.size(), 2);
        QCOMPARE(sent.at(1).toObject().value(u"name").toString(), QStringLiteral("theme"));
        QCOMPARE(sent.at(1).toObject().value(u"value").toString(), QStringLiteral("dark"));
        const QJsonArray set = doc.value(u"cookies").toArray();
        QCOMPARE(set.size(), 2);
        QCOMPARE(set.at(0).toObject().value(u"name").toString(), QStringLiteral("pref"));
        QCOMPARE(set.at(0).toObject().value(u"path").toString(), QStringLiteral("/"));
        QCOMPARE(set.at(0).toObject().value(u"httpOnly").toBool(), true);
        QCOMPARE(set.at(0).toObject().value(u"secure").toBool(), true);
        QCOMPARE(set.at(1).toObject().value(u"name").toString(), QStringLiteral("lang"));
        QCOMPARE(request.value(u"headersSize").toDouble(), -1.0);
        QCOMPARE(request.value(u"bodySize").toDouble(), 0.0);
    }
};

QTEST_GUILESS_MAIN(TestHarBuilder)
#include "tst_harbuilder.moc"
