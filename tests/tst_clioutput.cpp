// What `worldspeed-cli run` writes: the table by default, JSON that follows its schema, CSV, HAR files per region, a
// PDF report, and progress on a terminal.
//
// The real binary, a fleet file of one local region (real worldspeed-probe, real Chromium), the test web server
// (CliFixture), a history database of the test's own. Set WORLDSPEED_SCREENSHOT_DIR to keep the PDF report it writes.

#include "appsettings.h"
#include "clifixture.h"
#include "csvexporter.h"
#include "fleet/fleetconfig.h"
#include "historystore.h"
#include "model/pagemetric.h"
#include "strictcsv.h"
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

// With --pdf the CLI starts Qt's GUI layer, which warns once where XDG_RUNTIME_DIR is not set (app/cli/README.md
// says so); ctest sets it, a plain run of this test may not. That line alone is forgiven.
static QString withoutRuntimeDirWarning(QString err)
{
    static const QRegularExpression warning(QStringLiteral("^QStandardPaths: XDG_RUNTIME_DIR not set[^\n]*\n"));
    return err.remove(warning);
}

class tst_CliOutput : public QObject, private CliFixture
{
    Q_OBJECT

private slots:
    void initTestCase();
    void tableByDefault();
    void warningsUnderTheTable();
    void jsonFollowsTheSchema();
    void csvOnStdout();
    void harFilesPerRegion();
    void pdfReport();
    void pdfToAMissingDirectory();
    void progressOnATerminal();
};

void tst_CliOutput::initTestCase()
{
    setUpCli();
}

void tst_CliOutput::tableByDefault()
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
    // Every column's label stands apart from the one before it ("TBTLongest task" once ran together).
    const auto header
        = std::find_if(lines.begin(), lines.end(), [](const QString &line) { return line.startsWith(u"Region "); });
    QVERIFY2(header != lines.end(), qPrintable(o.out));
    for (const PageMetric &metric : PageMetric::all())
        QVERIFY2(header->contains(u' ' + metric.label()), qPrintable(*header));
    QVERIFY2(!o.out.contains(u"Warnings"), qPrintable(o.out));
}

void tst_CliOutput::warningsUnderTheTable()
{
    // A page that opens an alert: its probe answers it, and the table's reader is told, under the table.
    TestWebServer::Response asks;
    asks.body = "<!doctype html><title>asks</title><script>alert('hi')</script><p>after";
    m_server.route(QStringLiteral("/asks"), asks);
    const Outcome o = cli(runArguments(QStringLiteral("/asks")));
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(
        o.out.contains(u"\nWarnings\n  local run 1: the page opened a JavaScript alert dialog"), qPrintable(o.out));
}

void tst_CliOutput::jsonFollowsTheSchema()
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

void tst_CliOutput::csvOnStdout()
{
    const Outcome o = cli(runArguments() + QStringList { QStringLiteral("--format"), QStringLiteral("csv") });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    QString problem;
    const QList<QStringList> rows = StrictCsv::parse(o.out, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rows.size(), 3); // header, run 1, median
    QCOMPARE(rows.first(), CsvExporter::regionsHeader());
    const auto run = StrictCsv::record(rows.first(), rows.at(1));
    QCOMPARE(run.value(QStringLiteral("test_id")), QStringLiteral("0")); // not saved
    QCOMPARE(run.value(QStringLiteral("region")), QStringLiteral("local"));
    QCOMPARE(run.value(QStringLiteral("run")), QStringLiteral("1"));
    QCOMPARE(run.value(QStringLiteral("view")), QStringLiteral("first"));
    QCOMPARE(run.value(QStringLiteral("status")), QStringLiteral("200"));
    bool ok = false;
    QVERIFY(run.value(QStringLiteral("requests")).toInt(&ok) >= 3 && ok);
    QVERIFY(run.value(QStringLiteral("load_ms")).toDouble(&ok) >= 100 && ok);
    QVERIFY(run.value(QStringLiteral("error")).isEmpty());
    const auto median = StrictCsv::record(rows.first(), rows.at(2));
    QCOMPARE(median.value(QStringLiteral("run")), QStringLiteral("median"));
    QCOMPARE(median.value(QStringLiteral("load_ms")), run.value(QStringLiteral("load_ms")));
}

void tst_CliOutput::harFilesPerRegion()
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

void tst_CliOutput::pdfReport()
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

void tst_CliOutput::pdfToAMissingDirectory()
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

void tst_CliOutput::progressOnATerminal()
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

QTEST_GUILESS_MAIN(tst_CliOutput)
#include "tst_clioutput.moc"
