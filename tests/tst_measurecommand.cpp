// `worldspeed-probe measure` as a person or a script meets it: the real binary, real Chromium, the test server.
#include "childprocess.h"
#include "chromeprocess.h"
#include "model/pagemetric.h"
#include "model/runresult.h"
#include "profilefolders.h"
#include "testwebserver.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/time.h>

namespace {

using Outcome = ChildProcess::Outcome;

} // namespace

class tst_MeasureCommand : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void tableByDefault();
    void warningsUnderTheTable();
    void jsonWithRunsAndMedian();
    void harAndScreenshotFiles();
    void asAPhone();
    void exitCodes_data();
    void exitCodes();
    void killedProbesFolderIsSweptByTheNext();
    void testSettingsAndNoSecretLeaves();
    void secretWithoutASource();

private:
    // Runs the probe on a worker process while this thread keeps serving HTTP for it.
    Outcome measure(const QStringList &arguments, int timeoutMs = 120'000,
        const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());

    TestWebServer m_server;
    QTemporaryDir m_dir;
};

Outcome tst_MeasureCommand::measure(const QStringList &arguments, int timeoutMs, const QProcessEnvironment &environment)
{
    return ChildProcess::run(QStringLiteral(WORLDSPEED_PROBE_EXE),
        QStringList { QStringLiteral("measure") } + arguments, timeoutMs, environment);
}

void tst_MeasureCommand::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_PROBE_EXE)).isExecutable());
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    TestWebServer::Response page;
    page.body = "<!doctype html><title>cli</title><h1>measure me</h1>"
                "<link rel=stylesheet href=\"/asset?type=css&delay=100&size=1000\">"
                "<img src=\"/asset?type=png&delay=200&size=4000\">";
    m_server.route(QStringLiteral("/page"), page);
    m_server.route(QStringLiteral("/missing"), TestWebServer::Response { 404, "text/html", "<p>no</p>", 0, 0, {} });
    m_server.route(QStringLiteral("/error"), TestWebServer::Response { 500, "text/html", "<p>oops</p>", 0, 0, {} });
    TestWebServer::Response hang;
    hang.mode = TestWebServer::Response::Mode::Hang;
    m_server.route(QStringLiteral("/hang"), hang);
    TestWebServer::Response garbage;
    garbage.mode = TestWebServer::Response::Mode::Garbage;
    m_server.route(QStringLiteral("/garbage"), garbage);
}

void tst_MeasureCommand::tableByDefault()
{
    const Outcome o = measure({ m_server.url(QStringLiteral("/page")).toString() });
    QCOMPARE(o.exitCode, 0);
    QVERIFY2(
        o.out.contains(u"TTFB") && o.out.contains(u"Load") && o.out.contains(u"Requests of run 1"), qPrintable(o.out));
    QVERIFY2(o.out.contains(u"/asset?type=png&delay=200&size=4000"), qPrintable(o.out));
    QVERIFY(o.out.contains(u"Chrome/"));
    QVERIFY2(o.out.contains(u"Device   desktop (1366×768), CPU slowdown 1×"), qPrintable(o.out));
    // Every column's label stands apart from the one before it ("TBTLongest task" once ran together).
    const QStringList lines = o.out.split(u'\n');
    const auto header
        = std::find_if(lines.begin(), lines.end(), [](const QString &l) { return l.startsWith(u"Run "); });
    QVERIFY2(header != lines.end(), qPrintable(o.out));
    for (const PageMetric &metric : PageMetric::all())
        QVERIFY2(header->contains(u' ' + metric.label()), qPrintable(*header));
    QVERIFY2(!o.out.contains(u"Warnings"), qPrintable(o.out)); // nothing to warn of, no section
    // Nothing but results on stdout, nothing at all on stderr when all went well (Chrome's own noise stays out).
    QVERIFY2(o.err.trimmed().isEmpty(), qPrintable(o.err));
}

void tst_MeasureCommand::warningsUnderTheTable()
{
    // A page that opens an alert: the probe answers it, and the table's reader is told, under the table.
    TestWebServer::Response asks;
    asks.body = "<!doctype html><title>asks</title><script>alert('hi')</script><p>after";
    m_server.route(QStringLiteral("/asks"), asks);
    const Outcome o = measure({ m_server.url(QStringLiteral("/asks")).toString() });
    QCOMPARE(o.exitCode, 0);
    QVERIFY2(o.out.contains(u"\nWarnings\n  run 1: the page opened a JavaScript alert dialog"), qPrintable(o.out));
}

void tst_MeasureCommand::jsonWithRunsAndMedian()
{
    const Outcome o = measure({ QStringLiteral("--json"), QStringLiteral("--runs"), QStringLiteral("3"),
        m_server.url(QStringLiteral("/page")).toString() });
    QCOMPARE(o.exitCode, 0);
    QJsonParseError error;
    const QJsonObject json = QJsonDocument::fromJson(o.out.toUtf8(), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
    const QJsonArray runs = json.value(QStringLiteral("runs")).toArray();
    QCOMPARE(runs.size(), 3);
    QList<double> loads;
    for (const QJsonValue &run : runs) {
        QString problem;
        const auto parsed = RunResult::fromJson(run.toObject(), &problem);
        QVERIFY2(parsed, qPrintable(problem));
        QVERIFY(parsed->firstView.ok());
        QVERIFY(parsed->firstView.metrics.loadMs >= 200);
        QCOMPARE(parsed->firstView.requests.size(), parsed->firstView.metrics.requestCount);
        loads.append(*parsed->firstView.metrics.loadMs);
    }
    std::sort(loads.begin(), loads.end());
    const QJsonObject median = json.value(QStringLiteral("median")).toObject();
    QCOMPARE(median.value(QStringLiteral("loadMs")).toDouble(), loads.at(1));
}

void tst_MeasureCommand::asAPhone()
{
    const Outcome o = measure({ QStringLiteral("--device"), QStringLiteral("moto-g-power"), QStringLiteral("--json"),
        m_server.url(QStringLiteral("/page")).toString() });
    QCOMPARE(o.exitCode, 0);
    const QJsonObject options = QJsonDocument::fromJson(o.out.toUtf8())
                                    .object()
                                    .value(QStringLiteral("runs"))
                                    .toArray()
                                    .first()
                                    .toObject()
                                    .value(QStringLiteral("options"))
                                    .toObject();
    QCOMPARE(options.value(QStringLiteral("device")).toString(), QStringLiteral("moto-g-power"));
    QVERIFY(!options.contains(QStringLiteral("cpuSlowdown"))); // the device's default: not asked for
    bool sawPhone = false;
    for (const TestWebServer::Request &request : m_server.requests())
        sawPhone = sawPhone || request.headers.value("user-agent").contains("moto g power");
    QVERIFY(sawPhone);

    const Outcome table = measure({ QStringLiteral("--device=390x844@3,mobile"), QStringLiteral("--cpu-slowdown=2"),
        m_server.url(QStringLiteral("/page")).toString() });
    QCOMPARE(table.exitCode, 0);
    QVERIFY2(
        table.out.contains(u"Device   390x844@3,mobile (390×844 @3×, mobile), CPU slowdown 2×"), qPrintable(table.out));
}

void tst_MeasureCommand::harAndScreenshotFiles()
{
    const QString har = m_dir.filePath(QStringLiteral("run.har"));
    const QString png = m_dir.filePath(QStringLiteral("shot.png"));
    const Outcome o = measure({ QStringLiteral("--har"), har, QStringLiteral("--screenshot"), png,
        QStringLiteral("--repeat-view"), m_server.url(QStringLiteral("/page")).toString() });
    QCOMPARE(o.exitCode, 0);
    QFile harFile(har);
    QVERIFY(harFile.open(QIODevice::ReadOnly));
    const QJsonObject log = QJsonDocument::fromJson(harFile.readAll()).object().value(QStringLiteral("log")).toObject();
    QCOMPARE(log.value(QStringLiteral("version")).toString(), QStringLiteral("1.2"));
    QCOMPARE(log.value(QStringLiteral("pages")).toArray().size(), 2); // first and repeat view
    QVERIFY(log.value(QStringLiteral("entries")).toArray().size() >= 6);
    QFile pngFile(png);
    QVERIFY(pngFile.open(QIODevice::ReadOnly));
    QVERIFY(pngFile.readAll().startsWith("\x89PNG"));
}

void tst_MeasureCommand::exitCodes_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("message");

    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        closedPort = probe.serverPort();
    }
    const QString base = m_server.url(QStringLiteral("/")).toString();
    QTest::newRow("no url") << QStringList {} << 2 << QStringLiteral("exactly one URL");
    QTest::newRow("not http") << QStringList { QStringLiteral("ftp://example.com/") } << 2
                              << QStringLiteral("not an http");
    QTest::newRow("bad option") << QStringList { QStringLiteral("--runs"), QStringLiteral("zero"), base } << 2
                                << QStringLiteral("--runs");
    QTest::newRow("bad profile") << QStringList { QStringLiteral("--profile"), QStringLiteral("5G"), base } << 2
                                 << QStringLiteral("unknown profile");
    QTest::newRow("bad device") << QStringList { QStringLiteral("--device"), QStringLiteral("toaster"), base } << 2
                                << QStringLiteral("--device: unknown device \"toaster\"");
    QTest::newRow("bad cpu slowdown") << QStringList { QStringLiteral("--cpu-slowdown=0"), base } << 2
                                      << QStringLiteral("--cpu-slowdown must be a whole number from 1 to 20");
    QTest::newRow("dns") << QStringList { QStringLiteral("http://nonexistent.invalid/") } << 3
                         << QStringLiteral("ERR_NAME_NOT_RESOLVED");
    QTest::newRow("refused") << QStringList { QStringLiteral("http://127.0.0.1:%1/").arg(closedPort) } << 4
                             << QStringLiteral("ERR_CONNECTION_REFUSED");
    // TLS spoken to a server that only speaks plain HTTP: the handshake fails.
    QTest::newRow("tls") << QStringList { QStringLiteral("https://127.0.0.1:%1/page").arg(m_server.port()) } << 5
                         << QStringLiteral("ERR_SSL");
    QTest::newRow("timeout") << QStringList { QStringLiteral("--timeout"), QStringLiteral("2"),
        m_server.url(QStringLiteral("/hang")).toString() }
                             << 6 << QStringLiteral("did not finish loading within 2 s");
    QTest::newRow("404") << QStringList { m_server.url(QStringLiteral("/missing")).toString() } << 7
                         << QStringLiteral("HTTP 404");
    QTest::newRow("500") << QStringList { m_server.url(QStringLiteral("/error")).toString() } << 7
                         << QStringLiteral("HTTP 500");
    QTest::newRow("no chrome") << QStringList { QStringLiteral("--chrome"), QStringLiteral("/nonexistent/chrome"),
        base } << 8 << QStringLiteral("Chrome not found at /nonexistent/chrome");
    QTest::newRow("garbage") << QStringList { m_server.url(QStringLiteral("/garbage")).toString() } << 10
                             << QStringLiteral("ERR_");
}

void tst_MeasureCommand::exitCodes()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, message);
    const Outcome o = measure(arguments, 60'000);
    QVERIFY2(o.exitCode == exitCode, qPrintable(QStringLiteral("exit %1, stderr: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(o.err.contains(message), qPrintable(o.err));
}

void tst_MeasureCommand::killedProbesFolderIsSweptByTheNext()
{
    // A temp folder of our own, short enough that the probe keeps Chrome's profile in it (not in /tmp).
    QTemporaryDir temp(QStringLiteral("/tmp/ws-sweep-XXXXXX"));
    QVERIFY(temp.isValid());
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TMPDIR"), temp.path());
    const auto profiles = [&] {
        return QDir(temp.path())
            .entryList({ QStringLiteral("worldspeed-chrome-*") }, QDir::Dirs | QDir::NoDotAndDotDot);
    };

    // A probe killed outright mid-load: its browser dies with it, its profile folder stays.
    QProcess probe;
    probe.setProcessEnvironment(environment);
    probe.start(QStringLiteral(WORLDSPEED_PROBE_EXE),
        { QStringLiteral("measure"), m_server.url(QStringLiteral("/hang")).toString() });
    QVERIFY(probe.waitForStarted(10'000));
    const qint64 probePid = probe.processId();
    const int hangsBefore = m_server.hits(QStringLiteral("/hang"));
    QTRY_VERIFY_WITH_TIMEOUT(m_server.hits(QStringLiteral("/hang")) > hangsBefore, 30'000);
    QCOMPARE(profiles().size(), 1);
    const QString abandoned = profiles().constFirst();
    QFile owner(QDir(temp.path()).filePath(abandoned + QStringLiteral("/owner.pid")));
    QVERIFY(owner.open(QIODevice::ReadOnly));
    QCOMPARE(owner.readAll().trimmed().toLongLong(), probePid);
    owner.close();
    probe.kill();
    QVERIFY(probe.waitForFinished(10'000));
    QCOMPARE(profiles(), QStringList { abandoned });

    // The next probe removes it before it makes its own, and removes its own when it is done.
    const Outcome o = measure({ m_server.url(QStringLiteral("/page")).toString() }, 120'000, environment);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QCOMPARE(profiles(), QStringList());

    // Folders that are not a gone probe's stay: a live process's, one without an owner yet, a stranger's.
    const QDir dir(temp.path());
    const auto folderWithOwner = [&](const QString &name, const QByteArray &pid) {
        QVERIFY(dir.mkpath(name));
        if (!pid.isEmpty()) {
            QFile file(dir.filePath(name + QStringLiteral("/owner.pid")));
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(pid);
        }
    };
    folderWithOwner(QStringLiteral("worldspeed-chrome-alive1"), QByteArray::number(QCoreApplication::applicationPid()));
    folderWithOwner(QStringLiteral("worldspeed-chrome-noown1"), {});
    folderWithOwner(QStringLiteral("worldspeed-chrome-junk01"), "not a pid");
    folderWithOwner(QStringLiteral("somebody-else"), QByteArray::number(probePid));
    QVERIFY(dir.mkpath(QStringLiteral("worldspeed-chrome-fresh1/profile/Default/Cache")));
    QCOMPARE(ProfileFolders::sweepAbandoned(temp.path()), 0);
    QCOMPARE(dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 5);

    // What Chrome's last helpers recreate after a removal: folders and the network service's files, no owner, no
    // browser. Once a minute old, it goes; an older probe's profile (no owner.pid, but a browser's
    // DevToolsActivePort) stays, as does a fresh folder.
    const auto touch = [&](const QString &path) {
        QVERIFY(dir.mkpath(QFileInfo(dir.filePath(path)).path()));
        QFile file(dir.filePath(path));
        QVERIFY(file.open(QIODevice::WriteOnly));
    };
    touch(QStringLiteral("worldspeed-chrome-litter/profile/Default/Reporting and NEL"));
    touch(QStringLiteral("worldspeed-chrome-oldrun/profile/DevToolsActivePort"));
    const QDateTime anHourAgo = QDateTime::currentDateTime().addSecs(-3600);
    for (const QString &name : { QStringLiteral("worldspeed-chrome-litter"), QStringLiteral("worldspeed-chrome-oldrun"),
             QStringLiteral("worldspeed-chrome-junk01") }) {
        const struct timeval times[2] = { { anHourAgo.toSecsSinceEpoch(), 0 }, { anHourAgo.toSecsSinceEpoch(), 0 } };
        QVERIFY(::utimes(QFile::encodeName(dir.filePath(name)).constData(), times) == 0);
    }
    QCOMPARE(ProfileFolders::sweepAbandoned(temp.path()), 1);
    QVERIFY(!dir.exists(QStringLiteral("worldspeed-chrome-litter")));
    QCOMPARE(dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot).size(), 6);
}

void tst_MeasureCommand::testSettingsAndNoSecretLeaves()
{
    // The page behind basic auth, with a header and a cookie it expects; its image and a third party's script are
    // blocked by the test.
    const QByteArray password = "pass-word-secret-91";
    const QByteArray credentials = "Basic " + QByteArray("tester:" + password).toBase64();
    const QString other = QStringLiteral("http://localhost:%1").arg(m_server.port());
    m_server.route(QStringLiteral("/private"), [credentials, other](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        if (request.headers.value("authorization") != credentials) {
            response.status = 401;
            response.headers = { { "WWW-Authenticate", "Basic realm=\"staging\"" } };
            response.body = "<p>who are you?</p>";
            return response;
        }
        response.body = "<!doctype html><title>private</title><h1>behind the login</h1>"
                        "<link rel=stylesheet href=\"/asset?type=css&size=100&private=1\">"
                        "<img src=\"/asset?type=png&size=100&private=2\">"
                        "<script src=\""
            + other.toUtf8() + "/asset?type=js&size=100&private=3\"></script>";
        return response;
    });
    QFile secretFile(m_dir.filePath(QStringLiteral("password")));
    QVERIFY(secretFile.open(QIODevice::WriteOnly));
    secretFile.write(password + '\n');
    secretFile.close();
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("WS_TEST_HEADER"), QStringLiteral("header-secret-92"));

    const QString har = m_dir.filePath(QStringLiteral("settings.har"));
    const QStringList settings { QStringLiteral("--header=X-Staging-Key: ${secret:hdr}"),
        QStringLiteral("--cookie=session=cookie-secret-93"), QStringLiteral("--basic-auth=tester:staging"),
        QStringLiteral("--secret=staging=file:") + secretFile.fileName(),
        QStringLiteral("--secret=hdr=env:WS_TEST_HEADER"), QStringLiteral("--block=type=png"),
        QStringLiteral("--block-domains=localhost"), QStringLiteral("--har"), har,
        m_server.url(QStringLiteral("/private")).toString() };
    const qsizetype before = m_server.requests().size();
    const Outcome json = measure(QStringList { QStringLiteral("--json") } + settings, 120'000, environment);
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    const Outcome table = measure(settings, 120'000, environment);
    QVERIFY2(table.exitCode == 0, qPrintable(table.err));

    // The server got the header, the cookie and the password, and never the blocked requests.
    bool sawPage = false;
    for (const TestWebServer::Request &request : m_server.requests().mid(before)) {
        QVERIFY2(
            !request.target.contains("private=2") && !request.target.contains("private=3"), request.target.constData());
        if (request.path == u"/private" && request.headers.value("authorization") == credentials) {
            sawPage = true;
            QCOMPARE(request.headers.value("x-staging-key"), QByteArray("header-secret-92"));
            QCOMPARE(request.headers.value("cookie"), QByteArray("session=cookie-secret-93"));
        }
    }
    QVERIFY(sawPage);
    const QJsonObject run = QJsonDocument::fromJson(json.out.toUtf8())
                                .object()
                                .value(QStringLiteral("runs"))
                                .toArray()
                                .first()
                                .toObject();
    QString problem;
    const auto parsed = RunResult::fromJson(run, &problem);
    QVERIFY2(parsed, qPrintable(problem));
    QCOMPARE(parsed->firstView.metrics.documentStatus, 200);
    int blocked = 0;
    for (const RequestTiming &request : parsed->firstView.requests)
        blocked += request.blocked ? 1 : 0;
    QCOMPARE(blocked, 2);
    QVERIFY2(table.out.contains(u"Setting  Header X-Staging-Key: •••") && table.out.contains(u"blocked"),
        qPrintable(table.out));

    // No secret, nor the credentials as they went on the wire, in anything the command wrote.
    QFile harFile(har);
    QVERIFY(harFile.open(QIODevice::ReadOnly));
    const QByteArray harText = harFile.readAll();
    QVERIFY(harText.contains("\"_blocked\": true"));
    const QList<QByteArray> outputs { json.out.toUtf8(), json.err.toUtf8(), table.out.toUtf8(), table.err.toUtf8(),
        harText };
    for (const QByteArray &secret : { password, QByteArray("header-secret-92"), QByteArray("cookie-secret-93"),
             QByteArray("tester:" + password).toBase64() }) {
        for (const QByteArray &output : outputs)
            QVERIFY2(!output.contains(secret),
                qPrintable(QStringLiteral("%1 in:\n%2").arg(QString::fromUtf8(secret), QString::fromUtf8(output))));
    }
}

void tst_MeasureCommand::secretWithoutASource()
{
    const Outcome o
        = measure({ QStringLiteral("--basic-auth=tester:staging"), m_server.url(QStringLiteral("/page")).toString() });
    QCOMPARE(o.exitCode, 2);
    QVERIFY2(
        o.err.contains(u"the options use the secret staging: say where it is with --secret staging=env:VARIABLE or "
                       u"--secret staging=file:PATH"),
        qPrintable(o.err));
}

QTEST_GUILESS_MAIN(tst_MeasureCommand)
#include "tst_measurecommand.moc"
