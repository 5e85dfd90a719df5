// How `worldspeed-cli run` measures: budgets that pass or are exceeded, --finish-at, the Chrome of the app's
// settings, and a script that logs in before the page it measures.
//
// The real binary, a fleet file of one local region (real worldspeed-probe, real Chromium), the test web server
// (CliFixture), a history database of the test's own.

#include "appsettings.h"
#include "clifixture.h"
#include "csvexporter.h"
#include "fleet/fleetconfig.h"
#include "historystore.h"
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

class tst_CliRun : public QObject, private CliFixture
{
    Q_OBJECT

private slots:
    void initTestCase();
    void budgetPasses();
    void budgetExceeded();
    void finishAtTheLoadEvent();
    void chromeFromTheAppsSettings();
    void scriptLogsInThenMeasures();
};

void tst_CliRun::initTestCase()
{
    setUpCli();
}

void tst_CliRun::budgetPasses()
{
    const Outcome o = cli(runArguments()
        + QStringList { QStringLiteral("--budget"), QStringLiteral("load=60s,requests=80,bytes=10MB,ttfb=30s") });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    QVERIFY2(o.out.contains(u"Budget   passed"), qPrintable(o.out));
    QVERIFY2(o.out.contains(QRegularExpression(QStringLiteral(R"(pass  requests \d+, within the limit of 80)"))),
        qPrintable(o.out));
}

void tst_CliRun::budgetExceeded()
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

void tst_CliRun::finishAtTheLoadEvent()
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

void tst_CliRun::chromeFromTheAppsSettings()
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

void tst_CliRun::scriptLogsInThenMeasures()
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
    // The page's own requests; Chromium may or may not ask for /favicon.ico after the load, which is not the page's.
    QStringList urls;
    for (const QJsonValue &request : first.value(QStringLiteral("requests")).toArray()) {
        const QString url = request.toObject().value(QStringLiteral("url")).toString();
        if (!url.endsWith(u"/favicon.ico"))
            urls.append(url);
    }
    QVERIFY2(urls.size() == 2, qPrintable(urls.join(u' ')));
    for (const QString &url : std::as_const(urls))
        QVERIFY2(url.contains(u"cli-account"), qPrintable(url));

    const Outcome csv = cli(arguments + QStringList { QStringLiteral("csv") });
    QVERIFY2(csv.exitCode == 0, qPrintable(csv.err));
    QString problem;
    const QList<QStringList> rows = StrictCsv::parse(csv.out, &problem);
    QVERIFY2(problem.isEmpty() && rows.size() == 3, qPrintable(csv.out));
    QCOMPARE(StrictCsv::record(rows.first(), rows.at(1)).value(QStringLiteral("url")), account);
    QCOMPARE(StrictCsv::record(rows.first(), rows.at(2)).value(QStringLiteral("url")), account);
}

QTEST_GUILESS_MAIN(tst_CliRun)
#include "tst_clirun.moc"
