// `worldspeed-cli` as a script meets it: the real binary, a fleet file of one local region (real worldspeed-probe,
// real Chromium), the test web server, a history database of the test's own. Set WORLDSPEED_SCREENSHOT_DIR to keep
// the PDF report it writes.
#include "appsettings.h"
#include "childprocess.h"
#include "csvexporter.h"
#include "fleet/fleetconfig.h"
#include "historystore.h"
#include "localfleet.h"
#include "testwebserver.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

using Outcome = ChildProcess::Outcome;

// RFC 4180 as CSV.md states it: quoted fields may hold commas, quotes (doubled) and line breaks; rows end in CRLF.
QList<QStringList> parseCsv(const QString &text, QString *problem)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == u',') {
            row.append(field);
            field.clear();
            fieldStarted = false;
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            row.append(field);
            rows.append(row);
            row.clear();
            field.clear();
            fieldStarted = false;
            ++i;
        } else if (c == u'\n' || c == u'\r') {
            *problem = QStringLiteral("a bare line break at offset %1").arg(i);
            return {};
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted || fieldStarted || !row.isEmpty())
        *problem = QStringLiteral("the last row does not end in CRLF");
    return rows;
}

QHash<QString, QString> record(const QStringList &header, const QStringList &row)
{
    QHash<QString, QString> fields;
    for (qsizetype i = 0; i < header.size() && i < row.size(); ++i)
        fields.insert(header.at(i), row.at(i));
    return fields;
}

QJsonObject readJsonFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void tableByDefault();
    void jsonFollowsTheSchema();
    void csvOnStdout();
    void budgetPasses();
    void budgetExceeded();
    void finishAtTheLoadEvent();
    void harFilesPerRegion();
    void pdfReport();
    void pdfToAMissingDirectory();
    void badArguments_data();
    void badArguments();
    void regionFailure();
    void fleetProblems_data();
    void fleetProblems();
    void saveThenHistoryAndExport();
    void damagedHistory();
    void progressOnATerminal();
    void chromeFromTheAppsSettings();
    void scriptLogsInThenMeasures();

private:
    // Runs the CLI as a child process while this thread keeps serving HTTP for its browser.
    Outcome cli(const QStringList &arguments, int timeoutMs = 120'000);
    QStringList runArguments(const QString &path = QStringLiteral("/page")) const;

    TestWebServer m_server;
    QTemporaryDir m_dir;
    QString m_fleetPath;
};

Outcome tst_Cli::cli(const QStringList &arguments, int timeoutMs)
{
    return ChildProcess::run(QStringLiteral(WORLDSPEED_CLI_EXE), arguments, timeoutMs);
}

QStringList tst_Cli::runArguments(const QString &path) const
{
    return { QStringLiteral("run"), m_server.url(path).toString(), QStringLiteral("--fleet"), m_fleetPath };
}

void tst_Cli::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_CLI_EXE)).isExecutable());
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    TestWebServer::Response page;
    page.body = "<!doctype html><title>cli</title><h1>measure me</h1>"
                "<link rel=stylesheet href=\"/asset?type=css&delay=50&size=1000\">"
                "<img src=\"/asset?type=png&delay=100&size=4000\">";
    m_server.route(QStringLiteral("/page"), page);

    // One region, this computer, with the build's probe.
    const FleetConfig config = localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE));
    m_fleetPath = m_dir.filePath(QStringLiteral("fleet.json"));
    QString error;
    QVERIFY2(config.save(m_fleetPath, &error), qPrintable(error));
}

void tst_Cli::tableByDefault()
{
    const Outcome o = cli(runArguments());
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(m_server.url(QStringLiteral("/page")).toString()), qPrintable(o.out));
    QVERIFY2(o.out.contains(u"TTFB") && o.out.contains(u"Load"), qPrintable(o.out));
    QVERIFY2(o.out.contains(u"Device   desktop (1366×768), CPU slowdown 1×"), qPrintable(o.out));
    const QStringList lines = o.out.split(u'\n');
    const auto local
        = std::find_if(lines.begin(), lines.end(), [](const QString &line) { return line.startsWith(u"local "); });
    QVERIFY2(local != lines.end(), qPrintable(o.out));
    QVERIFY2(local->contains(u"1/1") && local->contains(u" 200 "), qPrintable(*local));
    // stderr is a pipe here: no progress, and nothing else when all went well.
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
}

void tst_Cli::jsonFollowsTheSchema()
{
    const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
    const Outcome o = cli(runArguments()
        + QStringList { QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--runs"),
            QStringLiteral("3"), QStringLiteral("--repeat-view"), QStringLiteral("--profile"), QStringLiteral("cable"),
            QStringLiteral("--timeout"), QStringLiteral("30"), QStringLiteral("--device"),
            QStringLiteral("iphone-12-pro") });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    QJsonParseError parseError;
    const QJsonObject json = QJsonDocument::fromJson(o.out.toUtf8(), &parseError).object();
    QVERIFY2(parseError.error == QJsonParseError::NoError, qPrintable(parseError.errorString()));

    QCOMPARE(json.value(QStringLiteral("schema")).toString(), QStringLiteral("worldspeed-cli/1"));
    QVERIFY(json.value(QStringLiteral("testId")).isNull()); // not saved
    QCOMPARE(json.value(QStringLiteral("url")).toString(), m_server.url(QStringLiteral("/page")).toString());
    const QDateTime started
        = QDateTime::fromString(json.value(QStringLiteral("startedAt")).toString(), Qt::ISODateWithMs);
    QVERIFY(started.isValid() && started >= before && started <= QDateTime::currentDateTimeUtc());
    QVERIFY(QDateTime::fromString(json.value(QStringLiteral("finishedAt")).toString(), Qt::ISODateWithMs).isValid());
    const QJsonObject options = json.value(QStringLiteral("options")).toObject();
    QCOMPARE(options.value(QStringLiteral("runs")).toInt(), 3);
    QCOMPARE(options.value(QStringLiteral("repeatView")).toBool(), true);
    QCOMPARE(options.value(QStringLiteral("profile")).toString(), QStringLiteral("Cable"));
    QCOMPARE(options.value(QStringLiteral("timeoutMs")).toInt(), 30'000);
    QCOMPARE(options.value(QStringLiteral("device")).toString(), QStringLiteral("iphone-12-pro"));
    QCOMPARE(options.value(QStringLiteral("cpuSlowdown")).toInt(), 1);
    QCOMPARE(options.value(QStringLiteral("cpuSlowdownRelative")), QJsonValue(false));
    // The page was loaded as that phone: the probe got the option and applied it.
    bool sawIPhone = false;
    for (const TestWebServer::Request &request : m_server.requests())
        sawIPhone = sawIPhone || request.headers.value("user-agent").contains("iPhone OS");
    QVERIFY(sawIPhone);
    QCOMPARE(options.value(QStringLiteral("regions")).toArray(), QJsonArray { QStringLiteral("local") });

    const QJsonArray regions = json.value(QStringLiteral("regions")).toArray();
    QCOMPARE(regions.size(), 1);
    const QJsonObject region = regions.first().toObject();
    QCOMPARE(region.value(QStringLiteral("code")).toString(), QStringLiteral("local"));
    QCOMPARE(region.value(QStringLiteral("name")).toString(), QStringLiteral("This computer"));
    QCOMPARE(region.value(QStringLiteral("ok")).toBool(), true);
    QVERIFY(region.value(QStringLiteral("error")).isNull());
    QCOMPARE(region.value(QStringLiteral("budget")).toArray(), QJsonArray {});
    const QJsonArray runs = region.value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 3);
    QList<double> loads;
    for (qsizetype i = 0; i < runs.size(); ++i) {
        const QJsonObject run = runs.at(i).toObject();
        QCOMPARE(run.value(QStringLiteral("index")).toInt(), i + 1);
        QCOMPARE(run.value(QStringLiteral("ok")).toBool(), true);
        QVERIFY(run.value(QStringLiteral("error")).isNull());
        // The probe measured its CPU at start and says so with every run, with the rate it applied (none here).
        QVERIFY2(run.value(QStringLiteral("cpuBenchmarkIndex")).toDouble() > 0, qPrintable(o.out));
        QCOMPARE(run.value(QStringLiteral("cpuSlowdownRate")).toDouble(), 1.0);
        const QJsonObject first = run.value(QStringLiteral("firstView")).toObject();
        const QJsonObject metrics = first.value(QStringLiteral("metrics")).toObject();
        QCOMPARE(metrics.value(QStringLiteral("documentStatus")).toInt(), 200);
        QVERIFY(metrics.value(QStringLiteral("loadMs")).toDouble() >= 100);
        QCOMPARE(first.value(QStringLiteral("requests")).toArray().size(),
            metrics.value(QStringLiteral("requestCount")).toInt());
        QVERIFY(!first.contains(QStringLiteral("screenshotPng")));
        QVERIFY(run.value(QStringLiteral("repeatView")).toObject().value(QStringLiteral("metrics")).isObject());
        loads.append(metrics.value(QStringLiteral("loadMs")).toDouble());
    }
    std::sort(loads.begin(), loads.end());
    const QJsonObject median = region.value(QStringLiteral("median")).toObject();
    QCOMPARE(median.value(QStringLiteral("loadMs")).toDouble(), loads.at(1));
    QVERIFY(median.value(QStringLiteral("requestCount")).toInt() >= 3); // the page, its css and png, maybe a favicon
    QVERIFY(region.value(QStringLiteral("medianRepeatView")).toObject().contains(QStringLiteral("loadMs")));

    const QJsonObject budget = json.value(QStringLiteral("budget")).toObject();
    QCOMPARE(budget.value(QStringLiteral("pass")).toBool(), true);
    QCOMPARE(budget.value(QStringLiteral("limits")).toArray(), QJsonArray {});
}

void tst_Cli::csvOnStdout()
{
    const Outcome o = cli(runArguments() + QStringList { QStringLiteral("--format"), QStringLiteral("csv") });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    QString problem;
    const QList<QStringList> rows = parseCsv(o.out, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rows.size(), 3); // header, run 1, median
    QCOMPARE(rows.first(), CsvExporter::regionsHeader());
    const auto run = record(rows.first(), rows.at(1));
    QCOMPARE(run.value(QStringLiteral("test_id")), QStringLiteral("0")); // not saved
    QCOMPARE(run.value(QStringLiteral("region")), QStringLiteral("local"));
    QCOMPARE(run.value(QStringLiteral("run")), QStringLiteral("1"));
    QCOMPARE(run.value(QStringLiteral("view")), QStringLiteral("first"));
    QCOMPARE(run.value(QStringLiteral("status")), QStringLiteral("200"));
    bool ok = false;
    QVERIFY(run.value(QStringLiteral("requests")).toInt(&ok) >= 3 && ok);
    QVERIFY(run.value(QStringLiteral("load_ms")).toDouble(&ok) >= 100 && ok);
    QVERIFY(run.value(QStringLiteral("error")).isEmpty());
    const auto median = record(rows.first(), rows.at(2));
    QCOMPARE(median.value(QStringLiteral("run")), QStringLiteral("median"));
    QCOMPARE(median.value(QStringLiteral("load_ms")), run.value(QStringLiteral("load_ms")));
}

void tst_Cli::budgetPasses()
{
    const Outcome o = cli(runArguments()
        + QStringList { QStringLiteral("--budget"), QStringLiteral("load=60s,requests=80,bytes=10MB,ttfb=30s") });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    QVERIFY2(o.out.contains(u"Budget   passed"), qPrintable(o.out));
    QVERIFY2(o.out.contains(QRegularExpression(QStringLiteral(R"(pass  requests \d+, within the limit of 80)"))),
        qPrintable(o.out));
}

void tst_Cli::finishAtTheLoadEvent()
{
    // The page keeps a request open after its load event that the server never answers: waiting for fully loaded
    // would take the whole --timeout. At the load event, the run is done, and fully loaded is absent, not 0.
    TestWebServer::Response page;
    page.body = "<!doctype html><h1>busy after load</h1>"
                "<script>addEventListener('load', () => fetch('/cli-never'))</script>";
    m_server.route(QStringLiteral("/busy"), page);
    TestWebServer::Response never;
    never.mode = TestWebServer::Response::Mode::Hang;
    m_server.route(QStringLiteral("/cli-never"), never);
    const Outcome o = cli(runArguments(QStringLiteral("/busy"))
        + QStringList { QStringLiteral("--finish-at"), QStringLiteral("load"), QStringLiteral("--format"),
            QStringLiteral("json"), QStringLiteral("--budget"), QStringLiteral("load=60s") });
    QVERIFY2(o.exitCode == 0, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    const QJsonObject json = QJsonDocument::fromJson(o.out.toUtf8()).object();
    QCOMPARE(json.value(u"options").toObject().value(u"finishAt").toString(), QStringLiteral("load"));
    const QJsonObject region = json.value(u"regions").toArray().first().toObject();
    const QJsonObject median = region.value(u"median").toObject();
    QVERIFY2(median.value(u"loadMs").isDouble(), qPrintable(o.out));
    QVERIFY2(!median.contains(u"fullyLoadedMs"), qPrintable(o.out));
    const QJsonObject firstView = region.value(u"runs").toArray().first().toObject().value(u"firstView").toObject();
    const QJsonObject metrics = firstView.value(u"metrics").toObject();
    QVERIFY2(metrics.value(u"loadMs").isDouble() && !metrics.contains(u"fullyLoadedMs"), qPrintable(o.out));

    // The default still waits for fully loaded (here capped by the time limit), and says so.
    const Outcome full = cli(runArguments(QStringLiteral("/busy"))
        + QStringList {
            QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--timeout"), QStringLiteral("3") });
    QVERIFY2(full.exitCode == 0, qPrintable(QStringLiteral("exit %1: %2").arg(full.exitCode).arg(full.err)));
    const QJsonObject fullJson = QJsonDocument::fromJson(full.out.toUtf8()).object();
    QCOMPARE(fullJson.value(u"options").toObject().value(u"finishAt").toString(), QStringLiteral("fully-loaded"));
    const QJsonObject fullRegion = fullJson.value(u"regions").toArray().first().toObject();
    QVERIFY2(fullRegion.value(u"median").toObject().value(u"fullyLoadedMs").isDouble(), qPrintable(full.out));
}

void tst_Cli::budgetExceeded()
{
    const Outcome o = cli(runArguments()
        + QStringList { QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--budget"),
            QStringLiteral("load=1ms,requests=80") });
    QVERIFY2(o.exitCode == 3, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    // The failing item is named with what was measured and what was allowed; the one that held is not.
    QVERIFY2(
        o.err.contains(QRegularExpression(
            QStringLiteral(R"(^worldspeed-cli: budget exceeded in local: load \d+(\.\d)? ms, over the limit of 1 ms$)"),
            QRegularExpression::MultilineOption)),
        qPrintable(o.err));
    QVERIFY2(!o.err.contains(u"requests"), qPrintable(o.err));

    const QJsonObject json = QJsonDocument::fromJson(o.out.toUtf8()).object();
    QCOMPARE(json.value(QStringLiteral("budget")).toObject().value(QStringLiteral("pass")).toBool(), false);
    const QJsonArray limits = json.value(QStringLiteral("budget")).toObject().value(QStringLiteral("limits")).toArray();
    QCOMPARE(limits.size(), 2);
    const QJsonArray checks
        = json.value(QStringLiteral("regions")).toArray().first().toObject().value(QStringLiteral("budget")).toArray();
    QCOMPARE(checks.size(), 2);
    const QJsonObject load = checks.at(0).toObject();
    QCOMPARE(load.value(QStringLiteral("metric")).toString(), QStringLiteral("load"));
    QCOMPARE(load.value(QStringLiteral("limit")).toDouble(), 1.0);
    QVERIFY(load.value(QStringLiteral("actual")).toDouble() > 1.0);
    QCOMPARE(load.value(QStringLiteral("unit")).toString(), QStringLiteral("ms"));
    QCOMPARE(load.value(QStringLiteral("pass")).toBool(), false);
    const QJsonObject requests = checks.at(1).toObject();
    QVERIFY(requests.value(QStringLiteral("actual")).toDouble() >= 3.0);
    QCOMPARE(requests.value(QStringLiteral("pass")).toBool(), true);
}

void tst_Cli::harFilesPerRegion()
{
    const QString dir = m_dir.filePath(QStringLiteral("har/nested"));
    const Outcome o
        = cli(runArguments() + QStringList { QStringLiteral("--har"), dir, QStringLiteral("--repeat-view") });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    const QString path = QDir(dir).filePath(QStringLiteral("local.har"));
    QVERIFY2(o.out.contains(path), qPrintable(o.out));
    const QJsonObject log = readJsonFile(path).value(QStringLiteral("log")).toObject();
    QCOMPARE(log.value(QStringLiteral("version")).toString(), QStringLiteral("1.2"));
    QCOMPARE(log.value(QStringLiteral("creator")).toObject().value(QStringLiteral("name")).toString().isEmpty(), false);
    QCOMPARE(log.value(QStringLiteral("pages")).toArray().size(), 2); // first and repeat view
    const QJsonArray entries = log.value(QStringLiteral("entries")).toArray();
    QVERIFY(entries.size() >= 6);
    for (const QJsonValue &entry : entries) {
        const QJsonObject e = entry.toObject();
        QVERIFY(e.value(QStringLiteral("request"))
                    .toObject()
                    .value(QStringLiteral("url"))
                    .toString()
                    .startsWith(u"http://"));
        QVERIFY(e.value(QStringLiteral("timings")).isObject());
        QVERIFY(
            QDateTime::fromString(e.value(QStringLiteral("startedDateTime")).toString(), Qt::ISODateWithMs).isValid());
    }
}

// With --pdf the CLI starts Qt's GUI layer, which warns once where XDG_RUNTIME_DIR is not set (app/cli/README.md
// says so); ctest sets it, a plain run of this test may not. That line alone is forgiven.
static QString withoutRuntimeDirWarning(QString err)
{
    static const QRegularExpression warning(QStringLiteral("^QStandardPaths: XDG_RUNTIME_DIR not set[^\n]*\n"));
    return err.remove(warning);
}

void tst_Cli::pdfReport()
{
    // As on a CI machine: no display, and no platform plugin chosen. The CLI picks one that needs neither.
    QProcessEnvironment headless = QProcessEnvironment::systemEnvironment();
    for (const QString &name :
        { QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("DISPLAY"), QStringLiteral("WAYLAND_DISPLAY") })
        headless.remove(name);
    const QString path = m_dir.filePath(QStringLiteral("report.pdf"));
    const Outcome o = ChildProcess::run(QStringLiteral(WORLDSPEED_CLI_EXE),
        runArguments() + QStringList { QStringLiteral("--pdf"), path }, 120'000, headless);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(withoutRuntimeDirWarning(o.err).isEmpty(), qPrintable(o.err));
    QVERIFY2(o.out.contains(u"PDF      " + QDir::toNativeSeparators(path)), qPrintable(o.out));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray pdf = file.readAll();
    QVERIFY2(pdf.startsWith("%PDF-"), pdf.left(16).constData());
    QVERIFY2(pdf.trimmed().endsWith("%%EOF"), pdf.right(16).constData());
    // Page objects, not the page tree ("/Type /Pages").
    int pages = 0;
    for (auto match = QRegularExpression(QStringLiteral("/Type\\s*/Page(?!s)")).globalMatch(QString::fromLatin1(pdf));
         match.hasNext(); match.next())
        ++pages;
    QVERIFY2(pages > 0, qPrintable(QString::number(pages)));
    // Nothing left beside it: QSaveFile wrote it whole, under its name.
    QCOMPARE(QDir(m_dir.path()).entryList({ QStringLiteral("report.pdf*") }, QDir::Files),
        QStringList { QStringLiteral("report.pdf") });
    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty()) {
        QVERIFY(QDir().mkpath(keep));
        QFile::remove(QDir(keep).filePath(QStringLiteral("cli-report.pdf")));
        QVERIFY(QFile::copy(path, QDir(keep).filePath(QStringLiteral("cli-report.pdf"))));
    }

    const QString pdfinfo = QStandardPaths::findExecutable(QStringLiteral("pdfinfo"));
    if (pdfinfo.isEmpty())
        return; // the bytes above are the check; poppler only confirms them where it is installed
    const Outcome info = ChildProcess::run(pdfinfo, { path }, 30'000);
    QCOMPARE(info.exitCode, 0);
    QVERIFY2(info.out.contains(QRegularExpression(QStringLiteral("Pages:\\s+%1\\n").arg(pages))), qPrintable(info.out));
}

void tst_Cli::pdfToAMissingDirectory()
{
    const QString path = m_dir.filePath(QStringLiteral("no/such/dir/report.pdf"));
    const Outcome o = cli(runArguments() + QStringList { QStringLiteral("--pdf"), path });
    QVERIFY2(o.exitCode == 6, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(
        withoutRuntimeDirWarning(o.err).startsWith(u"worldspeed-cli: cannot write " + path + u": "), qPrintable(o.err));
    // The test itself went fine, and its results are still printed; only the PDF is missing.
    const QStringList lines = o.out.split(u'\n');
    QVERIFY2(std::any_of(lines.begin(), lines.end(),
                 [](const QString &line) { return line.startsWith(u"local ") && line.contains(u"1/1"); }),
        qPrintable(o.out));
    QVERIFY2(!o.out.contains(u"PDF "), qPrintable(o.out));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("no"))));
}

void tst_Cli::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("withUsage");

    const QString url = m_server.url(QStringLiteral("/page")).toString();
    const QStringList fleet { QStringLiteral("--fleet"), m_fleetPath };
    QTest::newRow("no command") << QStringList {} << QStringLiteral("worldspeed-cli: no command given") << true;
    QTest::newRow("unknown command") << QStringList { QStringLiteral("measure") }
                                     << QStringLiteral("worldspeed-cli: unknown command \"measure\"") << true;
    QTest::newRow("unknown option") << QStringList { QStringLiteral("run"), QStringLiteral("--frobnicate"), url }
                                    << QStringLiteral("worldspeed-cli run: Unknown option 'frobnicate'") << true;
    QTest::newRow("no url") << QStringList { QStringLiteral("run") } + fleet
                            << QStringLiteral("worldspeed-cli run: give exactly one URL") << true;
    QTest::newRow("not http") << QStringList { QStringLiteral("run"), QStringLiteral("ftp://example.com/") } + fleet
                              << QStringLiteral("Only http:// and https://") << true;
    QTest::newRow("bad budget") << QStringList { QStringLiteral("run"), url, QStringLiteral("--budget"),
        QStringLiteral("load=fast") }
            + fleet << QStringLiteral("worldspeed-cli run: --budget: budget item \"load=fast\": \"fast\" is not a time")
                                << true;
    QTest::newRow("bad format") << QStringList { QStringLiteral("run"), url, QStringLiteral("--format"),
        QStringLiteral("xml") }
            + fleet << QStringLiteral("worldspeed-cli run: unknown format \"xml\" (one of table, json, csv)")
                                << true;
    QTest::newRow("unknown region") << QStringList { QStringLiteral("run"), url, QStringLiteral("--regions"),
        QStringLiteral("local,mars") }
            + fleet << QStringLiteral("worldspeed-cli run: unknown region \"mars\"; the fleet has local")
                                    << true;
    QTest::newRow("bad runs") << QStringList { QStringLiteral("run"), url, QStringLiteral("--runs"),
        QStringLiteral("0") }
            + fleet << QStringLiteral("--runs must be a whole number from 1 to 100")
                              << true;
    QTest::newRow("bad profile") << QStringList { QStringLiteral("run"), url, QStringLiteral("--profile"),
        QStringLiteral("5G") }
            + fleet << QStringLiteral("unknown profile \"5G\"")
                                 << true;
    QTest::newRow("database without save") << QStringList { QStringLiteral("run"), url, QStringLiteral("--database"),
        m_dir.filePath(QStringLiteral("x.sqlite")) }
            + fleet << QStringLiteral("worldspeed-cli run: --database is where --save keeps the test")
                                           << true;
    QTest::newRow("pdf without a file") << QStringList { QStringLiteral("run"), url, QStringLiteral("--pdf"),
        QString() }
            + fleet << QStringLiteral("worldspeed-cli run: --pdf needs a file")
                                        << true;
    QTest::newRow("history bad format") << QStringList { QStringLiteral("history"), QStringLiteral("--format"),
        QStringLiteral("xml") } << QStringLiteral("worldspeed-cli history: unknown format \"xml\"")
                                        << true;
    QTest::newRow("export without output") << QStringList { QStringLiteral("export"), QStringLiteral("1") }
                                           << QStringLiteral("worldspeed-cli export: --output DIR is required") << true;
    QTest::newRow("export bad id") << QStringList { QStringLiteral("export"), QStringLiteral("abc"),
        QStringLiteral("--output"), m_dir.path() }
                                   << QStringLiteral("worldspeed-cli export: \"abc\" is not a test id") << true;
}

void tst_Cli::badArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QFETCH(bool, withUsage);
    const Outcome o = cli(arguments, 30'000);
    QVERIFY2(o.exitCode == 2, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(o.err.startsWith(message) || o.err.contains(message), qPrintable(o.err));
    QCOMPARE(o.err.contains(u"Usage: worldspeed-cli"), withUsage);
    QVERIFY2(o.out.isEmpty(), qPrintable(o.out));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("r.pdf"))));
}

void tst_Cli::regionFailure()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        closedPort = probe.serverPort();
    }
    const Outcome o = cli({ QStringLiteral("run"), QStringLiteral("http://127.0.0.1:%1/").arg(closedPort),
        QStringLiteral("--fleet"), m_fleetPath, QStringLiteral("--format"), QStringLiteral("json"),
        QStringLiteral("--budget"), QStringLiteral("load=60s") });
    QVERIFY2(o.exitCode == 4, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(o.err.contains(u"worldspeed-cli: local run 1: connection-failed: "), qPrintable(o.err));
    QVERIFY2(o.err.contains(u"budget exceeded in local: load not observed (limit 60000 ms)"), qPrintable(o.err));
    const QJsonObject region = QJsonDocument::fromJson(o.out.toUtf8())
                                   .object()
                                   .value(QStringLiteral("regions"))
                                   .toArray()
                                   .first()
                                   .toObject();
    QCOMPARE(region.value(QStringLiteral("ok")).toBool(), false);
    QCOMPARE(region.value(QStringLiteral("error")).toObject().value(QStringLiteral("kind")).toString(),
        QStringLiteral("connection-failed"));
    QVERIFY(region.value(QStringLiteral("median")).isNull());
    QVERIFY(
        region.value(QStringLiteral("budget")).toArray().first().toObject().value(QStringLiteral("actual")).isNull());
}

void tst_Cli::fleetProblems_data()
{
    QTest::addColumn<QString>("fleetFile");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");

    QTest::newRow("missing") << m_dir.filePath(QStringLiteral("nope.json")) << QByteArray()
                             << QStringLiteral("cannot read the fleet config");
    QTest::newRow("invalid")
        << m_dir.filePath(QStringLiteral("bad.json"))
        << QByteArray(
               R"({"version":1,"regions":[{"code":"x","latitude":91,"longitude":0,"backend":{"type":"local"}}]})")
        << QStringLiteral("regions[0].latitude: 91 is outside -90");
    QTest::newRow("backend settings")
        << m_dir.filePath(QStringLiteral("backend.json"))
        << QByteArray(
               R"({"version":1,"regions":[{"code":"x","latitude":1,"longitude":0,"backend":{"type":"local","parentGraceSeconds":0}}]})")
        << QStringLiteral("the fleet could not be set up: regions[0] (x).backend: parentGraceSeconds");
}

void tst_Cli::fleetProblems()
{
    QFETCH(QString, fleetFile);
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    if (!content.isEmpty()) {
        QFile file(fleetFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    const Outcome o = cli({ QStringLiteral("run"), m_server.url(QStringLiteral("/page")).toString(),
                              QStringLiteral("--fleet"), fleetFile },
        30'000);
    QVERIFY2(o.exitCode == 5, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(o.err.startsWith(u"worldspeed-cli: ") && o.err.contains(message), qPrintable(o.err));
    QVERIFY(o.out.isEmpty());
}

void tst_Cli::saveThenHistoryAndExport()
{
    const QString database = m_dir.filePath(QStringLiteral("db/history.sqlite"));
    const QString url = m_server.url(QStringLiteral("/page?saved=1")).toString();
    const QStringList db { QStringLiteral("--database"), database };

    // Reading an empty history creates nothing.
    Outcome o = cli(QStringList { QStringLiteral("history") } + db, 30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.startsWith(u"No tests in the history"), qPrintable(o.out));
    QVERIFY(!QFileInfo::exists(database));

    o = cli(QStringList { QStringLiteral("run"), url, QStringLiteral("--fleet"), m_fleetPath, QStringLiteral("--save"),
                QStringLiteral("--format"), QStringLiteral("json") }
        + db);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    const QJsonObject saved = QJsonDocument::fromJson(o.out.toUtf8()).object();
    const qint64 testId = saved.value(QStringLiteral("testId")).toInteger(-1);
    QVERIFY(testId > 0);
    QVERIFY(QFileInfo::exists(database));

    o = cli(QStringList { QStringLiteral("history"), QStringLiteral("--format"), QStringLiteral("json") } + db, 30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QJsonObject history = QJsonDocument::fromJson(o.out.toUtf8()).object();
    QCOMPARE(history.value(QStringLiteral("schema")).toString(), QStringLiteral("worldspeed-cli-history/1"));
    const QJsonArray tests = history.value(QStringLiteral("tests")).toArray();
    QCOMPARE(tests.size(), 1);
    const QJsonObject test = tests.first().toObject();
    QCOMPARE(test.value(QStringLiteral("id")).toInteger(), testId);
    QCOMPARE(test.value(QStringLiteral("url")).toString(), url);
    QCOMPARE(test.value(QStringLiteral("regions")).toArray(), QJsonArray { QStringLiteral("local") });
    QCOMPARE(test.value(QStringLiteral("fastest")).toObject().value(QStringLiteral("region")).toString(),
        QStringLiteral("local"));
    QCOMPARE(test.value(QStringLiteral("fastest")).toObject().value(QStringLiteral("medianLoadMs")).toDouble(),
        saved.value(QStringLiteral("regions"))
            .toArray()
            .first()
            .toObject()
            .value(QStringLiteral("median"))
            .toObject()
            .value(QStringLiteral("loadMs"))
            .toDouble());

    o = cli(QStringList { QStringLiteral("history") } + db, 30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(QRegularExpression(
                 QStringLiteral(R"(^\s+%1\s.*local.*%2$)").arg(testId).arg(QRegularExpression::escape(url)),
                 QRegularExpression::MultilineOption)),
        qPrintable(o.out));

    o = cli(QStringList { QStringLiteral("history"), QStringLiteral("--format"), QStringLiteral("csv") } + db, 30'000);
    QString problem;
    const QList<QStringList> historyRows = parseCsv(o.out, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(historyRows.size(), 2);
    QCOMPARE(record(historyRows.first(), historyRows.at(1)).value(QStringLiteral("url")), url);

    const QString exportDir = m_dir.filePath(QStringLiteral("export"));
    o = cli(QStringList { QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv"),
                QStringLiteral("--output"), exportDir, QString::number(testId) }
            + db,
        30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    const QString regionsCsv = QDir(exportDir).filePath(QStringLiteral("%1-regions.csv").arg(testId));
    const QString requestsCsv = QDir(exportDir).filePath(QStringLiteral("%1-requests.csv").arg(testId));
    QCOMPARE(o.out, regionsCsv + u'\n' + requestsCsv + u'\n');
    QFile regionsFile(regionsCsv);
    QVERIFY(regionsFile.open(QIODevice::ReadOnly));
    const QList<QStringList> rows = parseCsv(QString::fromUtf8(regionsFile.readAll()), &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows.first(), CsvExporter::regionsHeader());
    QCOMPARE(record(rows.first(), rows.at(1)).value(QStringLiteral("test_id")), QString::number(testId));
    QCOMPARE(record(rows.first(), rows.at(1)).value(QStringLiteral("url")), url);
    QFile requestsFile(requestsCsv);
    QVERIFY(requestsFile.open(QIODevice::ReadOnly));
    const QList<QStringList> requestRows = parseCsv(QString::fromUtf8(requestsFile.readAll()), &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(requestRows.first(), CsvExporter::requestsHeader());
    QCOMPARE(requestRows.size(), 1 + record(rows.first(), rows.at(1)).value(QStringLiteral("requests")).toInt());

    // The same test as HAR and as the run's JSON.
    o = cli(QStringList { QStringLiteral("export"), QString::number(testId), QStringLiteral("--format"),
                QStringLiteral("har"), QStringLiteral("--output"), exportDir }
            + db,
        30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QString har = QDir(exportDir).filePath(QStringLiteral("%1-local.har").arg(testId));
    QCOMPARE(o.out, har + u'\n');
    QCOMPARE(readJsonFile(har).value(QStringLiteral("log")).toObject().value(QStringLiteral("version")).toString(),
        QStringLiteral("1.2"));
    o = cli(QStringList { QStringLiteral("export"), QString::number(testId), QStringLiteral("--format"),
                QStringLiteral("json"), QStringLiteral("--output"), exportDir, QStringLiteral("--fleet"), m_fleetPath }
            + db,
        30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QJsonObject exported = readJsonFile(QDir(exportDir).filePath(QStringLiteral("%1.json").arg(testId)));
    QCOMPARE(exported.value(QStringLiteral("regions")), saved.value(QStringLiteral("regions")));
    QCOMPARE(exported.value(QStringLiteral("testId")), saved.value(QStringLiteral("testId")));

    // A test that is not there is a usage error, and nothing is written.
    o = cli(QStringList { QStringLiteral("export"), QString::number(testId + 100), QStringLiteral("--output"),
                m_dir.filePath(QStringLiteral("none")) }
            + db,
        30'000);
    QCOMPARE(o.exitCode, 2);
    QVERIFY2(o.err.contains(QStringLiteral("no test %1 in").arg(testId + 100)), qPrintable(o.err));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("none"))));
}

void tst_Cli::damagedHistory()
{
    // A history whose header still reads but whose tables do not: `export` cannot tell whether the test is there,
    // so it is a history problem (5), as for `history`, not a usage error about a missing test (2).
    const QString database = m_dir.filePath(QStringLiteral("damaged/history.sqlite"));
    QVERIFY(QDir().mkpath(QFileInfo(database).path()));
    {
        HistoryStore store(database);
        QVERIFY(store.open());
        QVERIFY(store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {}, { QStringLiteral("local") }, 1)
            > 0);
    }
    QFile file(database);
    QVERIFY(file.open(QIODevice::ReadWrite));
    const qint64 pageSize = 4096;
    QVERIFY(file.size() > pageSize);
    QVERIFY(file.seek(pageSize));
    file.write(QByteArray(file.size() - pageSize, '\xab'));
    file.close();
    const QStringList db { QStringLiteral("--database"), database };

    Outcome o = cli(QStringList { QStringLiteral("history") } + db, 30'000);
    QVERIFY2(o.exitCode == 5, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    o = cli(QStringList { QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--output"),
                m_dir.filePath(QStringLiteral("damaged-export")) }
            + db,
        30'000);
    QVERIFY2(o.exitCode == 5, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    // It did open: the failure is in reading, which is what used to be taken for a missing test.
    QVERIFY2(o.err.contains(u"cannot list the history"), qPrintable(o.err));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("damaged-export"))));
}

void tst_Cli::progressOnATerminal()
{
    // util-linux `script` gives the child a pseudo-terminal, as a person's shell would.
    const QString script = QStandardPaths::findExecutable(QStringLiteral("script"));
    if (script.isEmpty())
        QSKIP("script(1) is not installed");
    QStringList command { QStringLiteral(WORLDSPEED_CLI_EXE) };
    command += runArguments();
    for (QString &word : command)
        word = u'\'' + word.replace(u'\'', QStringLiteral("'\\''")) + u'\'';
    const Outcome o = ChildProcess::run(
        script, { QStringLiteral("-qec"), command.join(u' '), QStringLiteral("/dev/null") }, 120'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.out + o.err));
    // Per region, as it moves on: waiting or starting, loading, done.
    const qsizetype waiting
        = o.out.indexOf(QRegularExpression(QStringLiteral(R"(local  (Waiting for|Starting) a probe)")));
    const qsizetype loading = o.out.indexOf(u"local  Loading page");
    const qsizetype done = o.out.indexOf(u"local  200 Complete");
    QVERIFY2(waiting >= 0 && loading > waiting && done > loading, qPrintable(o.out));
    QVERIFY2(o.out.indexOf(u"TTFB") > done, qPrintable(o.out)); // the results come after
}

void tst_Cli::chromeFromTheAppsSettings()
{
    // The Chrome chosen in the app's Settings: a wrapper that notes each start, then becomes the real Chromium.
    QString chromium;
    for (const char *name : { "chromium", "chromium-browser", "google-chrome", "google-chrome-stable" }) {
        if (chromium.isEmpty())
            chromium = QStandardPaths::findExecutable(QString::fromLatin1(name));
    }
    QVERIFY2(!chromium.isEmpty(), "no Chromium on PATH");
    const QString started = m_dir.filePath(QStringLiteral("chrome-started"));
    const QString wrapper = m_dir.filePath(QStringLiteral("chosen-chrome"));
    const auto quoted
        = [](QString path) -> QString { return u'\'' + path.replace(u'\'', QStringLiteral("'\\''")) + u'\''; };
    QFile script(wrapper);
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write(QStringLiteral("#!/bin/sh\necho started >> %1\nexec %2 \"$@\"\n")
                     .arg(quoted(started), quoted(chromium))
                     .toUtf8());
    script.close();
    QVERIFY(script.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));

    // The app's settings file where the app writes it, under a config folder of this test's own; the fleet's local
    // region names no Chrome of its own.
    const QString config = m_dir.filePath(QStringLiteral("app-config"));
    {
        AppSettings settings(config + QStringLiteral("/WorldSpeed/WorldSpeed.conf"));
        settings.chromePath.setValue(wrapper);
    }
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), config);
    const Outcome o = ChildProcess::run(QStringLiteral(WORLDSPEED_CLI_EXE),
        runArguments() + QStringList { QStringLiteral("--format"), QStringLiteral("json") }, 120'000, environment);
    QVERIFY2(o.exitCode == 0, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    const QJsonObject region = QJsonDocument::fromJson(o.out.toUtf8())
                                   .object()
                                   .value(QStringLiteral("regions"))
                                   .toArray()
                                   .first()
                                   .toObject();
    QCOMPARE(region.value(QStringLiteral("ok")).toBool(), true);
    QVERIFY(region.value(QStringLiteral("median")).toObject().value(QStringLiteral("loadMs")).toDouble() > 0);
    QFile log(started);
    QVERIFY2(log.open(QIODevice::ReadOnly), "the Chrome chosen in the app's settings was not started");
    QVERIFY(log.readAll().startsWith("started\n"));
}

void tst_Cli::scriptLogsInThenMeasures()
{
    // A WebPageTest script through the fleet: the login (logData 0) sets a session, the measured page needs it, and
    // the result has that page's requests only, named by it.
    const QByteArray session = "cli-session=s-8191";
    m_server.route(QStringLiteral("/cli-login"),
        TestWebServer::Response { 200, "text/html",
            "<!doctype html><form id=login method=post action=/cli-session><input name=user></form>", 0, 0, {} });
    m_server.route(QStringLiteral("/cli-session"), [session](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        if (request.body.contains("user=alice"))
            response.headers = { { "Set-Cookie", session + "; Path=/" } };
        response.body = "<p>welcome</p>";
        return response;
    });
    m_server.route(QStringLiteral("/cli-account"), [session](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        const bool in = request.headers.value("cookie").contains(session);
        response.status = in ? 200 : 403;
        response.body = in ? "<h1>account</h1><img src=\"/asset?type=png&size=200&cli-account=1\">" : "<p>no</p>";
        return response;
    });
    const QString account = m_server.url(QStringLiteral("/cli-account")).toString();
    QFile script(m_dir.filePath(QStringLiteral("login.wpt")));
    QVERIFY(script.open(QIODevice::WriteOnly));
    script.write(QStringLiteral("logData\t0\nnavigate\t%1\nsetValue\tname=user\talice\nsubmitForm\tid=login\n"
                                "logData\t1\nnavigate\t%2\n")
                     .arg(m_server.url(QStringLiteral("/cli-login")).toString(), account)
                     .toUtf8());
    script.close();
    const QStringList arguments { QStringLiteral("run"), QStringLiteral("--script"), script.fileName(),
        QStringLiteral("--fleet"), m_fleetPath, QStringLiteral("--format") };

    const Outcome json = cli(arguments + QStringList { QStringLiteral("json") });
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    const QJsonObject document = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QCOMPARE(document.value(QStringLiteral("url")).toString(), m_server.url(QStringLiteral("/cli-login")).toString());
    const QJsonObject first = document.value(QStringLiteral("regions"))
                                  .toArray()
                                  .first()
                                  .toObject()
                                  .value(QStringLiteral("runs"))
                                  .toArray()
                                  .first()
                                  .toObject()
                                  .value(QStringLiteral("firstView"))
                                  .toObject();
    QCOMPARE(first.value(QStringLiteral("finalUrl")).toString(), account);
    QCOMPARE(first.value(QStringLiteral("metrics")).toObject().value(QStringLiteral("documentStatus")).toInt(), 200);
    const QJsonArray requests = first.value(QStringLiteral("requests")).toArray();
    QCOMPARE(requests.size(), 2);
    for (const QJsonValue &request : requests)
        QVERIFY(request.toObject().value(QStringLiteral("url")).toString().contains(u"cli-account"));

    const Outcome csv = cli(arguments + QStringList { QStringLiteral("csv") });
    QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
    QString problem;
    const QList<QStringList> rows = parseCsv(csv.out, &problem);
    QVERIFY2(problem.isEmpty() && rows.size() == 3, qPrintable(csv.out));
    QCOMPARE(record(rows.first(), rows.at(1)).value(QStringLiteral("url")), account);
    QCOMPARE(record(rows.first(), rows.at(2)).value(QStringLiteral("url")), account);
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
