#include "csvexporter.h"
#include "harexporter.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QTemporaryDir>
#include <QTest>

#include <clocale>
#include <optional>

namespace {

// A strict RFC 4180 reader: every record ends with CRLF, a quoted field may hold anything with quotes doubled,
// an unquoted one no quote, CR or LF. nullopt on anything else.
std::optional<QList<QStringList>> parseCsv(const QByteArray &bytes)
{
    const QString text = QString::fromUtf8(bytes);
    QList<QStringList> records;
    QStringList record;
    QString field;
    qsizetype i = 0;
    const qsizetype n = text.size();
    if (n == 0)
        return records;
    while (i < n) {
        if (text.at(i) == u'"') {
            ++i;
            for (;;) {
                if (i >= n)
                    return std::nullopt; // unterminated
                if (text.at(i) == u'"') {
                    if (i + 1 < n && text.at(i + 1) == u'"') {
                        field += u'"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                field += text.at(i++);
            }
        } else {
            while (i < n && text.at(i) != u',' && text.at(i) != u'\r') {
                if (text.at(i) == u'"' || text.at(i) == u'\n')
                    return std::nullopt;
                field += text.at(i++);
            }
        }
        if (i >= n)
            return std::nullopt; // a record must end with CRLF
        if (text.at(i) == u',') {
            record.append(field);
            field.clear();
            ++i;
            continue;
        }
        if (text.at(i) != u'\r' || i + 1 >= n || text.at(i + 1) != u'\n')
            return std::nullopt;
        record.append(field);
        field.clear();
        records.append(record);
        record.clear();
        i += 2;
    }
    return records;
}

QString num(std::optional<double> value)
{
    return value ? QString::number(*value, 'f', QLocale::FloatingPointShortest) : QString();
}

RequestTiming request(const QString &id, const QString &url, double startMs, bool failed)
{
    RequestTiming r;
    r.id = id;
    r.url = url;
    r.method = QStringLiteral("GET");
    r.resourceType = failed ? QStringLiteral("Script") : QStringLiteral("Document");
    r.startMs = startMs;
    r.durationMs = 1234.5;
    if (failed) {
        r.outcome = RequestTiming::Outcome::Failed;
        r.failureText = QStringLiteral("net::ERR_NAME_NOT_RESOLVED");
    } else {
        r.outcome = RequestTiming::Outcome::Finished;
        r.status = 200;
        r.protocol = QStringLiteral("h2");
        r.remoteIp = QStringLiteral("[2001:db8::1]");
        r.mimeType = QStringLiteral("text/html");
        r.encodedBytes = 1'500'000;
        r.headerBytes = 300;
        r.decodedBytes = 4'000'000;
        r.phases = { std::nullopt, 12.25, 20.0, 30.0, 0.5, 1000.0, 141.75 };
    }
    return r;
}

// Two regions: fra with two runs (the second with a repeat view), gru with a failed run whose metrics are partial
// and one that never reported metrics at all.
TestRecord sampleRecord()
{
    TestRecord t;
    t.id = 7;
    t.url = QStringLiteral("https://example.com/search?q=\"fast\",cheap&lang=ü");
    t.runsPerRegion = 2;
    t.regions = { QStringLiteral("fra"), QStringLiteral("gru") };
    t.startedAt = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);

    RegionRecord fra;
    fra.state = RunState::Complete;
    for (int index = 1; index <= 2; ++index) {
        RegionRun run;
        run.index = index;
        run.finished = true;
        run.firstViewMeasured = true;
        run.firstView.url = t.url;
        run.firstView.startedAt = t.startedAt.addSecs(index * 10);
        PageMetrics &m = run.firstView.metrics;
        m.documentStatus = 200;
        m.ttfbMs = 100.25 * index;
        m.firstContentfulPaintMs = 1234.5 * index;
        m.largestContentfulPaintMs = index == 1 ? std::optional<double>(1500.0) : std::nullopt;
        m.domContentLoadedMs = 1600.0;
        m.loadMs = 2000.5 + index;
        m.fullyLoadedMs = 3000.0;
        m.cumulativeLayoutShift = 0.05;
        m.requestCount = 2;
        m.totalEncodedBytes = 1'500'000;
        m.totalDecodedBytes = 4'000'000;
        run.firstView.requests = { request(QStringLiteral("1"), t.url, 0.5, false),
            request(QStringLiteral("2"), QStringLiteral("https://cdn.example/a.js?x=1,2"), 250.0, true) };
        if (index == 2) {
            ViewResult repeat;
            repeat.url = t.url;
            repeat.startedAt = t.startedAt.addSecs(25);
            repeat.metrics.loadMs = 800.0;
            repeat.metrics.requestCount = 1;
            repeat.requests = { request(QStringLiteral("3"), t.url, 0.0, false) };
            run.repeatView = repeat;
            run.repeatViewMeasured = true;
        }
        fra.runs.append(run);
    }
    t.results.insert(QStringLiteral("fra"), fra);

    RegionRecord gru;
    gru.state = RunState::Error;
    RegionRun failed;
    failed.index = 1;
    failed.finished = true;
    failed.firstViewMeasured = true;
    failed.firstView.url = t.url;
    failed.firstView.metrics.ttfbMs = 900.0; // nothing else arrived before the timeout
    failed.error = LoadError { LoadError::Kind::Timeout, QStringLiteral("no load event, after 60 s:\n\"gave up\"") };
    failed.firstView.requests = { request(QStringLiteral("1"), t.url, 0.0, false) };
    gru.runs.append(failed);
    RegionRun lost; // the app stopped before metrics or done came
    lost.index = 2;
    lost.firstView.url = t.url;
    lost.firstView.requests = { request(QStringLiteral("1"), t.url, 0.0, true) };
    gru.runs.append(lost);
    t.results.insert(QStringLiteral("gru"), gru);
    return t;
}

// The region CSV's metric fields for a run's view, as the record has them.
QStringList expectedMetrics(const std::optional<PageMetrics> &m)
{
    if (!m)
        return QStringList(18, QString());
    return { m->documentStatus ? QString::number(*m->documentStatus) : QString(), num(m->ttfbMs),
        num(m->firstContentfulPaintMs), num(m->largestContentfulPaintMs), num(m->domContentLoadedMs), num(m->loadMs),
        num(m->fullyLoadedMs), num(m->firstVisualChangeMs), num(m->speedIndexMs), num(m->visualComplete85Ms),
        num(m->visualComplete99Ms), num(m->lastVisualChangeMs), num(m->totalBlockingTimeMs), num(m->longestTaskMs),
        num(m->cumulativeLayoutShift), num(m->longTaskCount), QString::number(m->requestCount),
        QString::number(m->totalEncodedBytes) };
}

} // namespace

class tst_CsvExporter : public QObject
{
    Q_OBJECT

private slots:
    void cleanup();
    void quoting_data();
    void quoting();
    void formulasAreNeutralised_data();
    void formulasAreNeutralised();
    void hostileRequestFieldsAreNeutralised();
    void regionsRoundTrip();
    void requestsRoundTrip();
    void absentIsEmpty();
    void decimalPointWhateverTheLocale();
    void writesFiles();
    void harPerRegion();
    void scriptStepsHaveRowsOfTheirOwn();
};

void tst_CsvExporter::cleanup()
{
    QLocale::setDefault(QLocale::c());
    std::setlocale(LC_ALL, "C");
}

void tst_CsvExporter::quoting_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("field");
    QTest::newRow("plain") << QStringLiteral("abc") << QStringLiteral("abc");
    QTest::newRow("empty") << QString() << QString();
    QTest::newRow("comma") << QStringLiteral("a,b") << QStringLiteral("\"a,b\"");
    QTest::newRow("quote") << QStringLiteral("say \"hi\"") << QStringLiteral("\"say \"\"hi\"\"\"");
    QTest::newRow("lf") << QStringLiteral("a\nb") << QStringLiteral("\"a\nb\"");
    QTest::newRow("cr") << QStringLiteral("a\rb") << QStringLiteral("\"a\rb\"");
    QTest::newRow("spaces stay") << QStringLiteral(" a ") << QStringLiteral(" a ");
    QTest::newRow("unicode") << QStringLiteral("São Paulo ü 例") << QStringLiteral("São Paulo ü 例");
}

void tst_CsvExporter::quoting()
{
    QFETCH(QString, text);
    QFETCH(QString, field);
    QCOMPARE(CsvExporter::field(text), field);
    // And the reader gives the text back.
    const auto parsed = parseCsv((field + QStringLiteral(",x\r\n")).toUtf8());
    QVERIFY(parsed);
    QCOMPARE(parsed->value(0).value(0), text);
}

void tst_CsvExporter::formulasAreNeutralised_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("field");
    QTest::newRow("equals") << QStringLiteral("=1+1") << QStringLiteral("'=1+1");
    QTest::newRow("plus") << QStringLiteral("+cmd") << QStringLiteral("'+cmd");
    QTest::newRow("minus") << QStringLiteral("-2+3") << QStringLiteral("'-2+3");
    QTest::newRow("at") << QStringLiteral("@SUM(A1)") << QStringLiteral("'@SUM(A1)");
    QTest::newRow("tab") << QStringLiteral("\t=1") << QStringLiteral("'\t=1");
    QTest::newRow("cr, quoted too") << QStringLiteral("\r=1") << QStringLiteral("\"'\r=1\"");
    QTest::newRow("with a comma") << QStringLiteral("=HYPERLINK(\"http://x\",\"y\")")
                                  << QStringLiteral("\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    QTest::newRow("negative number") << QStringLiteral("-1.5") << QStringLiteral("-1.5");
    QTest::newRow("plus number") << QStringLiteral("+3") << QStringLiteral("+3");
    QTest::newRow("inside is fine") << QStringLiteral("a=b") << QStringLiteral("a=b");
}

void tst_CsvExporter::formulasAreNeutralised()
{
    QFETCH(QString, text);
    QFETCH(QString, field);
    QCOMPARE(CsvExporter::field(text), field);
    const auto parsed = parseCsv((field + QStringLiteral(",x\r\n")).toUtf8());
    QVERIFY(parsed);
    QCOMPARE(parsed->value(0).value(0), CsvExporter::neutralised(text));
}

void tst_CsvExporter::hostileRequestFieldsAreNeutralised()
{
    // What a page controls: the method of a fetch() and the MIME type its server sends.
    TestRecord test;
    test.id = 7;
    test.url = QStringLiteral("https://example.com/");
    test.regions = { QStringLiteral("fra") };
    RegionRun run;
    run.finished = true;
    RequestTiming request;
    request.id = QStringLiteral("1");
    request.url = QStringLiteral("https://example.com/x");
    request.method = QStringLiteral("=cmd|' /C calc'!A0");
    request.mimeType = QStringLiteral("@SUM(1+1)*cmd|' /C calc'!A0");
    request.outcome = RequestTiming::Outcome::Finished;
    run.firstView.requests.append(request);
    RegionRecord region;
    region.state = RunState::Complete;
    region.runs = { run };
    test.results.insert(QStringLiteral("fra"), region);
    const auto rows = parseCsv(CsvExporter::requestsCsv(test));
    QVERIFY(rows && rows->size() == 2);
    const QStringList header = rows->at(0);
    const QStringList row = rows->at(1);
    QCOMPARE(row.at(header.indexOf(QStringLiteral("method"))), u'\'' + request.method);
    QCOMPARE(row.at(header.indexOf(QStringLiteral("mime"))), u'\'' + request.mimeType);
}

void tst_CsvExporter::regionsRoundTrip()
{
    TestRecord t = sampleRecord();
    t.options.test.headers = { { QStringLiteral("X-Key"), QStringLiteral("csv-secret-81"), {}, false },
        { QStringLiteral("X-Flag"), QStringLiteral("on"), {}, true } };
    t.options.test.cookies
        = { { QStringLiteral("sid"), QStringLiteral("csv-secret-82"), QStringLiteral("example.com") } };
    t.options.test.block = { QStringLiteral("ads.js") };
    const QString settings
        = QStringLiteral("Header X-Key: ••• | Header X-Flag: on | Cookie sid=•••; domain=example.com | Block ads.js");
    const QByteArray bytes = CsvExporter::regionsCsv(t);
    QVERIFY(!bytes.contains("csv-secret-8"));
    // The URL with its comma and quotes, quoted as RFC 4180 says, in UTF-8.
    QVERIFY(bytes.contains("\"https://example.com/search?q=\"\"fast\"\",cheap&lang=\xc3\xbc\""));
    QVERIFY(!bytes.startsWith("\xef\xbb\xbf")); // no byte order mark
    const auto rows = parseCsv(bytes);
    QVERIFY(rows);
    QCOMPARE(rows->first(), CsvExporter::regionsHeader());
    const qsizetype columns = CsvExporter::regionsHeader().size();
    QCOMPARE(columns, 27);

    QList<QStringList> expected;
    for (const QString &code : t.regions) {
        bool anyRepeat = false;
        for (const RegionRun &run : t.region(code).runs) {
            for (const RunView which : { RunView::First, RunView::Repeat }) {
                const ViewResult *view = run.view(which);
                if (!view)
                    continue;
                anyRepeat = anyRepeat || which == RunView::Repeat;
                const auto metrics = run.measured(which) ? std::optional(view->metrics) : std::nullopt;
                QString error;
                if (run.error)
                    error = LoadError::kindName(run.error->kind) + QStringLiteral(": ") + run.error->message;
                expected.append(
                    QStringList { QStringLiteral("7"), t.url, code, QString::number(run.index), runViewName(which) }
                    + expectedMetrics(metrics) + QStringList { error, settings, QStringLiteral("1"), QString() });
            }
        }
        expected.append(
            QStringList { QStringLiteral("7"), t.url, code, QStringLiteral("median"), QStringLiteral("first") }
            + expectedMetrics(t.medianMetrics(code))
            + QStringList { QString(), settings, QStringLiteral("1"), QString() });
        if (anyRepeat)
            expected.append(
                QStringList { QStringLiteral("7"), t.url, code, QStringLiteral("median"), QStringLiteral("repeat") }
                + expectedMetrics(t.medianMetrics(code, RunView::Repeat))
                + QStringList { QString(), settings, QStringLiteral("1"), QString() });
    }
    // fra: 2 first views + 1 repeat + 2 medians; gru: 2 first views + 1 median.
    QCOMPARE(rows->size() - 1, 8);
    QCOMPARE(rows->mid(1), expected);
    for (const QStringList &row : *rows)
        QCOMPARE(row.size(), columns);

    // Spot checks against the record itself rather than through the helpers above.
    const QStringList fra1 = rows->at(1);
    QCOMPARE(fra1.at(2), QStringLiteral("fra"));
    QCOMPARE(fra1.at(6).toDouble(), 100.25);
    QCOMPARE(fra1.at(7), QStringLiteral("1234.5"));
    QCOMPARE(fra1.at(22), QStringLiteral("1500000"));
    const QStringList fraMedian = rows->at(4);
    QCOMPARE(fraMedian.at(3), QStringLiteral("median"));
    QCOMPARE(fraMedian.at(10).toDouble(), (2001.5 + 2002.5) / 2);
    QCOMPARE(fraMedian.at(8), QStringLiteral("1500")); // only run 1 saw an LCP
    const QStringList gruFailed = rows->at(6);
    QCOMPARE(gruFailed.at(23), QStringLiteral("timeout: no load event, after 60 s:\n\"gave up\""));
}

void tst_CsvExporter::requestsRoundTrip()
{
    const TestRecord t = sampleRecord();
    const auto rows = parseCsv(CsvExporter::requestsCsv(t));
    QVERIFY(rows);
    QCOMPARE(rows->first(), CsvExporter::requestsHeader());
    QCOMPARE(rows->first().size(), 25);

    QList<QStringList> expected;
    for (const QString &code : t.regions) {
        for (const RegionRun &run : t.region(code).runs) {
            for (const RunView which : { RunView::First, RunView::Repeat }) {
                const ViewResult *view = run.view(which);
                if (!view)
                    continue;
                for (const RequestTiming &r : view->requests) {
                    const auto i64 = [](std::optional<qint64> v) { return v ? QString::number(*v) : QString(); };
                    expected.append({ code, QString::number(run.index), runViewName(which), r.id, r.url, r.method,
                        r.resourceType, r.status ? QString::number(*r.status) : QString(), r.protocol, r.remoteIp,
                        r.mimeType, i64(r.encodedBytes), i64(r.decodedBytes), num(r.startMs), num(r.durationMs),
                        num(r.phases.blocked), num(r.phases.dns), num(r.phases.connect), num(r.phases.ssl),
                        num(r.phases.send), num(r.phases.wait), num(r.phases.receive),
                        RequestTiming::outcomeName(r.outcome), r.failureText, QStringLiteral("1") });
                }
            }
        }
    }
    QCOMPARE(rows->size() - 1, 7); // fra 2 + 2 + 1 repeat, gru 1 + 1
    QCOMPARE(rows->mid(1), expected);
    const QStringList script = rows->at(2);
    QCOMPARE(script.at(4), QStringLiteral("https://cdn.example/a.js?x=1,2"));

    // The same request blocked by the test's settings is "blocked", not "failed", and says by which setting.
    TestRecord blocked = t;
    RequestTiming &request = blocked.results[QStringLiteral("fra")].runs[0].firstView.requests[1];
    request.blocked = true;
    request.failureText = QStringLiteral("blocked by --block a.js");
    const auto blockedRows = parseCsv(CsvExporter::requestsCsv(blocked));
    QVERIFY(blockedRows);
    QCOMPARE(blockedRows->at(2).at(22), QStringLiteral("blocked"));
    QCOMPARE(blockedRows->at(2).at(23), QStringLiteral("blocked by --block a.js"));
    QCOMPARE(script.at(22), QStringLiteral("failed"));
    QCOMPARE(script.at(23), QStringLiteral("net::ERR_NAME_NOT_RESOLVED"));
    const QStringList document = rows->at(1);
    QCOMPARE(document.at(9), QStringLiteral("[2001:db8::1]"));
    QCOMPARE(document.at(15), QString()); // blocked was not observed
    QCOMPARE(document.at(16), QStringLiteral("12.25"));
    QCOMPARE(document.at(21), QStringLiteral("141.75"));
}

void tst_CsvExporter::absentIsEmpty()
{
    const TestRecord t = sampleRecord();
    const auto rows = parseCsv(CsvExporter::regionsCsv(t));
    QVERIFY(rows);
    // gru run 1: only TTFB came; every other metric is empty, not 0.
    const QStringList failed = rows->at(6);
    QCOMPARE(failed.at(2), QStringLiteral("gru"));
    QCOMPARE(failed.at(3), QStringLiteral("1"));
    QCOMPARE(failed.at(5), QString());
    QCOMPARE(failed.at(6), QStringLiteral("900"));
    for (int column = 7; column <= 12; ++column)
        QVERIFY2(failed.at(column).isEmpty(), qPrintable(CsvExporter::regionsHeader().at(column)));
    // gru run 2: no metrics frame, so even the request count and bytes are unknown.
    const QStringList lost = rows->at(7);
    QCOMPARE(lost.at(3), QStringLiteral("2"));
    for (int column = 5; column <= 15; ++column)
        QVERIFY2(lost.at(column).isEmpty(), qPrintable(CsvExporter::regionsHeader().at(column)));
    // gru has no ok run, so its median row is empty too.
    const QStringList median = rows->at(8);
    QCOMPARE(median.at(3), QStringLiteral("median"));
    for (int column = 5; column <= 15; ++column)
        QVERIFY2(median.at(column).isEmpty(), qPrintable(CsvExporter::regionsHeader().at(column)));
    QCOMPARE(CsvExporter::number(std::optional<double>()), QString());
    QCOMPARE(CsvExporter::number(std::optional<qint64>()), QString());
    QCOMPARE(CsvExporter::number(std::optional<double>(0.0)), QStringLiteral("0")); // a measured 0 stays 0
}

void tst_CsvExporter::decimalPointWhateverTheLocale()
{
    const QByteArray before = CsvExporter::regionsCsv(sampleRecord());
    QLocale::setDefault(QLocale(QLocale::German, QLocale::Germany));
    if (!std::setlocale(LC_ALL, "de_DE.UTF-8"))
        qInfo("the C library has no de_DE locale here; QLocale's German is still tested");
    QCOMPARE(QLocale().toString(1234.5), QStringLiteral("1.234,5")); // the default really changed
    const QByteArray regions = CsvExporter::regionsCsv(sampleRecord());
    QCOMPARE(regions, before);
    QVERIFY(regions.contains(",1234.5,"));
    QVERIFY(!regions.contains("1234,5"));
    QCOMPARE(CsvExporter::number(std::optional<double>(1234567.25)), QStringLiteral("1234567.25"));
    QCOMPARE(CsvExporter::number(std::optional<double>(0.0001)), QStringLiteral("0.0001"));
    QVERIFY(CsvExporter::requestsCsv(sampleRecord()).contains(",1234.5,"));
}

void tst_CsvExporter::writesFiles()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const TestRecord t = sampleRecord();
    QString error;
    const QStringList paths = CsvExporter::writeFiles(t, dir.path(), &error);
    QVERIFY2(paths.size() == 2, qPrintable(error));
    QCOMPARE(paths.at(0), dir.filePath(QStringLiteral("7-regions.csv")));
    QCOMPARE(paths.at(1), dir.filePath(QStringLiteral("7-requests.csv")));
    QFile regions(paths.at(0));
    QVERIFY(regions.open(QIODevice::ReadOnly));
    QCOMPARE(regions.readAll(), CsvExporter::regionsCsv(t));
    QFile requests(paths.at(1));
    QVERIFY(requests.open(QIODevice::ReadOnly));
    QCOMPARE(requests.readAll(), CsvExporter::requestsCsv(t));

    QVERIFY(CsvExporter::writeFiles(t, dir.filePath(QStringLiteral("missing/dir")), &error).isEmpty());
    QVERIFY(error.contains(u"7-regions.csv"));
}

void tst_CsvExporter::harPerRegion()
{
    QTemporaryDir dir;
    const TestRecord t = sampleRecord();
    QString error;
    const QStringList paths = HarExporter::writeRegions(t, dir.path(), QStringLiteral("0.1.0"), &error);
    QVERIFY2(paths.size() == t.regions.size(), qPrintable(error));
    for (qsizetype i = 0; i < t.regions.size(); ++i) {
        const QString code = t.regions.at(i);
        QCOMPARE(paths.at(i), dir.filePath(QStringLiteral("7-") + code + QStringLiteral(".har")));
        QFile file(paths.at(i));
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonParseError parseError;
        const QJsonDocument har = QJsonDocument::fromJson(file.readAll(), &parseError);
        QVERIFY2(har.isObject(), qPrintable(parseError.errorString()));
        const QJsonObject log = har.object().value(u"log").toObject();
        QCOMPARE(log.value(u"version").toString(), QStringLiteral("1.2"));
        qsizetype requests = 0;
        qsizetype views = 0;
        for (const RegionRun &run : t.region(code).runs) {
            requests += run.firstView.requests.size() + (run.repeatView ? run.repeatView->requests.size() : 0);
            views += run.repeatView ? 2 : 1;
        }
        QCOMPARE(log.value(u"entries").toArray().size(), requests);
        QCOMPARE(log.value(u"pages").toArray().size(), views);
        for (const QJsonValue entry : log.value(u"entries").toArray())
            QVERIFY(entry.toObject().value(u"pageref").toString().startsWith(u"page_"));
    }
    // The failed run's error shows on its page.
    QFile gru(paths.at(1));
    QVERIFY(gru.open(QIODevice::ReadOnly));
    const QJsonArray pages
        = QJsonDocument::fromJson(gru.readAll()).object().value(u"log").toObject().value(u"pages").toArray();
    QVERIFY(pages.at(0).toObject().value(u"_error").toString().startsWith(u"timeout: "));

    TestRecord hostile = t;
    hostile.regions = { QStringLiteral("../escape") };
    QVERIFY(HarExporter::writeRegions(hostile, dir.path(), QStringLiteral("0.1.0"), &error).isEmpty());
    QVERIFY(error.contains(u"../escape"));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("../7-../escape.har"))));
}

void tst_CsvExporter::scriptStepsHaveRowsOfTheirOwn()
{
    // A script that measured two steps: a row per step of the run and a median row per step, each with its step
    // and name; each request row says its step, and a step's requests are only its own.
    TestRecord t;
    t.id = 9;
    t.url = QStringLiteral("https://shop.test/login");
    t.options.test.script = QStringLiteral("navigate\thttps://shop.test/\nnavigate\thttps://shop.test/account\n");
    t.regions = { QStringLiteral("fra") };
    RegionRun run;
    run.finished = true;
    run.firstViewMeasured = true;
    run.stepName = QStringLiteral("home");
    run.firstView.url = QStringLiteral("https://shop.test/");
    run.firstView.finalUrl = QStringLiteral("https://shop.test/");
    run.firstView.metrics.loadMs = 400;
    run.firstView.requests = { request(QStringLiteral("1"), QStringLiteral("https://shop.test/"), 0, false) };
    StepResult account { QStringLiteral("account"), {} };
    account.view.url = QStringLiteral("https://shop.test/account");
    account.view.metrics.loadMs = 1200;
    account.view.requests = { request(QStringLiteral("2"), QStringLiteral("https://shop.test/account"), 0, false),
        request(QStringLiteral("3"), QStringLiteral("https://shop.test/account.js"), 20, false) };
    run.laterSteps = { account };
    run.laterStepMeasured = { true };
    t.results[QStringLiteral("fra")].runs = { run };

    const auto rows = parseCsv(CsvExporter::regionsCsv(t));
    QVERIFY(rows);
    QCOMPARE(rows->size(), 1 + 2 + 2); // header, two steps, two medians
    const QStringList header = rows->first();
    const auto cell = [&](qsizetype row, const char *column) {
        return rows->at(row).at(header.indexOf(QString::fromLatin1(column)));
    };
    QCOMPARE(cell(1, "step"), QStringLiteral("1"));
    QCOMPARE(cell(1, "step_name"), QStringLiteral("home"));
    QCOMPARE(cell(1, "load_ms"), QStringLiteral("400"));
    QCOMPARE(cell(2, "step"), QStringLiteral("2"));
    QCOMPARE(cell(2, "step_name"), QStringLiteral("account"));
    QCOMPARE(cell(2, "url"), QStringLiteral("https://shop.test/account"));
    QCOMPARE(cell(2, "load_ms"), QStringLiteral("1200"));
    QCOMPARE(cell(2, "view"), QStringLiteral("first"));
    QCOMPARE(cell(3, "run"), QStringLiteral("median"));
    QCOMPARE(cell(3, "step"), QStringLiteral("1"));
    QCOMPARE(cell(4, "run"), QStringLiteral("median"));
    QCOMPARE(cell(4, "step"), QStringLiteral("2"));
    QCOMPARE(cell(4, "load_ms"), QStringLiteral("1200"));

    const auto requests = parseCsv(CsvExporter::requestsCsv(t));
    QVERIFY(requests);
    QCOMPARE(requests->size(), 1 + 3);
    const qsizetype step = requests->first().indexOf(QStringLiteral("step"));
    const qsizetype id = requests->first().indexOf(QStringLiteral("id"));
    QCOMPARE(requests->at(1).at(step), QStringLiteral("1"));
    QCOMPARE(requests->at(1).at(id), QStringLiteral("1"));
    QCOMPARE(requests->at(2).at(step), QStringLiteral("2"));
    QCOMPARE(requests->at(3).at(step), QStringLiteral("2"));
    QCOMPARE(requests->at(3).at(id), QStringLiteral("3"));
}

QTEST_GUILESS_MAIN(tst_CsvExporter)
#include "tst_csvexporter.moc"
