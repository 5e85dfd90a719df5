// A WebPageTest script through `worldspeed-probe measure --script`: the real binary, real Chromium, and a site of the
// test's own whose account page is served only with the session its login form sets. The login is unmeasured
// (logData 0); the result is the page behind it, with its requests only; the password, a secret, goes nowhere.
#include "childprocess.h"
#include "model/runresult.h"
#include "testwebserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

using Outcome = ChildProcess::Outcome;

const QByteArray password = "script-pass-word-57";
const QByteArray session = "sid=session-4711";

// measure --json's first run's first view.
QJsonObject firstViewOf(const QString &json)
{
    return QJsonDocument::fromJson(json.toUtf8())
        .object()
        .value(QStringLiteral("runs"))
        .toArray()
        .first()
        .toObject()
        .value(QStringLiteral("firstView"))
        .toObject();
}

// The page's own requests: Chromium may or may not ask for /favicon.ico after the load, which is not the page's.
QStringList pageRequestUrls(const QList<RequestTiming> &requests)
{
    QStringList urls;
    for (const RequestTiming &request : requests) {
        if (!request.url.endsWith(u"/favicon.ico"))
            urls.append(request.url);
    }
    return urls;
}

QStringList pageRequestUrls(const QJsonArray &requests)
{
    QStringList urls;
    for (const QJsonValue &request : requests) {
        const QString url = request.toObject().value(QStringLiteral("url")).toString();
        if (!url.endsWith(u"/favicon.ico"))
            urls.append(url);
    }
    return urls;
}

} // namespace

class tst_ScriptRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void logsInThenMeasuresThePageBehind();
    void measuredStepThatClicks();
    void commandsReachThePageAndTheServer();
    void badScriptNamesItsLine();

private:
    Outcome measure(const QStringList &arguments) const;
    QString writeScript(const QString &name, const QString &text) const;
    int accountHits() const;

    TestWebServer m_server;
    QTemporaryDir m_dir;
};

Outcome tst_ScriptRun::measure(const QStringList &arguments) const
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("WS_SCRIPT_PASSWORD"), QString::fromUtf8(password));
    return ChildProcess::run(QStringLiteral(WORLDSPEED_PROBE_EXE),
        QStringList { QStringLiteral("measure"), QStringLiteral("--secret=PASSWORD=env:WS_SCRIPT_PASSWORD") }
            + arguments,
        120'000, environment);
}

QString tst_ScriptRun::writeScript(const QString &name, const QString &text) const
{
    QFile file(m_dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(text.toUtf8());
    return file.fileName();
}

int tst_ScriptRun::accountHits() const
{
    int hits = 0;
    for (const TestWebServer::Request &request : m_server.requests())
        hits += request.path == u"/account" && request.headers.value("cookie").contains(session) ? 1 : 0;
    return hits;
}

void tst_ScriptRun::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_PROBE_EXE)).isExecutable());
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    TestWebServer::Response login;
    login.body = "<!doctype html><title>log in</title><link rel=stylesheet href=\"/asset?type=css&size=50&login=1\">"
                 "<form id=login method=post action=/session><input name=user><input type=password id=password "
                 "name=password></form>";
    m_server.route(QStringLiteral("/login"), login);
    // The session is set only for the right password, as the login's answer.
    m_server.route(QStringLiteral("/session"), [](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        if (request.method != "POST" || !request.body.contains("user=alice")
            || !request.body.contains(QByteArray("password=" + password))) {
            response.status = 403;
            response.body = "<p>wrong password</p>";
            return response;
        }
        response.headers = { { "Set-Cookie", session + "; Path=/; HttpOnly" } };
        response.body = "<!doctype html><title>welcome</title><a id=go href=/account>My account</a>";
        return response;
    });
    m_server.route(QStringLiteral("/account"), [](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        if (!request.headers.value("cookie").contains(session)) {
            response.status = 403;
            response.body = "<p>log in first</p>";
            return response;
        }
        response.body = "<!doctype html><title>account</title><h1>your account</h1>"
                        "<img src=\"/asset?type=png&size=300&account=1\">";
        return response;
    });
}

void tst_ScriptRun::logsInThenMeasuresThePageBehind()
{
    // As WebPageTest writes it: tabs, comments, logData 0 for the login.
    const QString script = writeScript(QStringLiteral("login.wpt"),
        QStringLiteral("// log in first: not measured\n"
                       "logData\t0\n"
                       "navigate\t%1\n"
                       "setValue\tname=user\talice\n"
                       "setValue\tid=password\t${secret:PASSWORD}\n"
                       "submitForm\tid=login\n"
                       "\n"
                       "// the page behind the login\n"
                       "logData\t1\n"
                       "navigate\t%2\n")
            .arg(m_server.url(QStringLiteral("/login")).toString(),
                m_server.url(QStringLiteral("/account")).toString()));
    const QString har = m_dir.filePath(QStringLiteral("script.har"));
    const int hitsBefore = accountHits();
    const Outcome json
        = measure({ QStringLiteral("--json"), QStringLiteral("--har"), har, QStringLiteral("--script"), script });
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    QCOMPARE(accountHits(), hitsBefore + 1);

    const QJsonObject run = QJsonDocument::fromJson(json.out.toUtf8())
                                .object()
                                .value(QStringLiteral("runs"))
                                .toArray()
                                .first()
                                .toObject();
    QString problem;
    const auto parsed = RunResult::fromJson(run, &problem);
    QVERIFY2(parsed, qPrintable(problem));
    // The result names the measured page, and has its requests only: nothing of the login.
    const QString account = m_server.url(QStringLiteral("/account")).toString();
    QCOMPARE(parsed->firstView.url, account);
    QCOMPARE(parsed->firstView.metrics.documentStatus, 200);
    const QStringList urls = pageRequestUrls(parsed->firstView.requests);
    QCOMPARE(urls.size(), 2);
    QCOMPARE(urls.first(), account);
    QVERIFY(urls.last().contains(u"account=1"));
    QVERIFY(parsed->firstView.metrics.loadMs.has_value());

    const Outcome table = measure({ QStringLiteral("--script"), script });
    QVERIFY2(table.exitCode == 0, qPrintable(table.err));
    QVERIFY2(table.out.contains(QStringLiteral("Step     ") + account), qPrintable(table.out));
    QVERIFY2(table.out.contains(u"Setting  Script of 7 commands, measuring line 10 (navigate "), qPrintable(table.out));
    QVERIFY2(!table.out.contains(u"login=1") && !table.out.contains(u"/session"), qPrintable(table.out));

    // The password reached the server, and nothing the command wrote.
    QFile harFile(har);
    QVERIFY(harFile.open(QIODevice::ReadOnly));
    const QByteArray harText = harFile.readAll();
    QVERIFY(harText.contains(QByteArray("\"title\": \"" + account.toUtf8() + '"')));
    for (const QByteArray &output :
        { json.out.toUtf8(), json.err.toUtf8(), table.out.toUtf8(), table.err.toUtf8(), harText })
        QVERIFY2(!output.contains(password), output.constData());
}

void tst_ScriptRun::measuredStepThatClicks()
{
    // The measured step is a click on the welcome page's link, written with spaces: the result is named by the
    // page it loaded.
    const QString script = writeScript(QStringLiteral("click.wpt"),
        QStringLiteral("logData 0\n"
                       "navigate %1\n"
                       "setValue name=user alice\n"
                       "setValue name=password ${secret:PASSWORD}\n"
                       "submitForm id=login\n"
                       "logData 1\n"
                       "clickAndWait innerText=My account\n")
            .arg(m_server.url(QStringLiteral("/login")).toString()));
    const Outcome json = measure({ QStringLiteral("--json"), QStringLiteral("--script"), script });
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    const QJsonObject view = firstViewOf(json.out);
    QCOMPARE(view.value(QStringLiteral("url")).toString(), m_server.url(QStringLiteral("/account")).toString());
    const QJsonArray stepRequests = view.value(QStringLiteral("requests")).toArray();
    QVERIFY2(pageRequestUrls(stepRequests).size() == 2, QJsonDocument(stepRequests).toJson().constData());
    QVERIFY(!json.out.contains(QString::fromUtf8(password)) && !json.err.contains(QString::fromUtf8(password)));
}

void tst_ScriptRun::commandsReachThePageAndTheServer()
{
    // The commands that change the test as the script goes (headers, cookies, user agent, blocks, viewport, device)
    // and those that work in the page (exec, setInnerText, waitFor, click, sleep), each seen where it lands: in the
    // requests the server gets, and in what the page reports back to it.
    TestWebServer::Response page;
    page.body = "<!doctype html><title>commands</title><p id=out></p>"
                "<a id=link href=# onclick=\"fetch('/echo?clicked=1'); return false\">click</a>"
                "<img src=\"/asset?type=png&size=10&blockme=1\">"
                "<img src=\"http://localhost:"
        + QByteArray::number(m_server.port()) + "/asset?type=png&size=10&third=1\">";
    m_server.route(QStringLiteral("/commands"), page);
    m_server.route(QStringLiteral("/echo"), TestWebServer::Response { 204, "text/plain", "", 0, 0, {} });
    m_server.route(QStringLiteral("/final"),
        TestWebServer::Response { 200, "text/html", "<!doctype html><p>final</p>", 0, 0, {} });
    const QString fetched = QStringLiteral("window.done = false; fetch('/echo?%1=' + screen.width).then(() => "
                                           "window.done = true)\nwaitFor\twindow.done === true\n");
    const QString script = writeScript(QStringLiteral("commands.wpt"),
        QStringLiteral("logData\t0\n"
                       "setHeader\tX-Flag: on\n"
                       "addHeader\tX-Flag: more\n"
                       "setCookie\t%1\tpre=cookie-1\n"
                       "setUserAgent\tScriptAgent/1.0\n"
                       "block\tblockme\n"
                       "blockDomains\tlocalhost\n"
                       "navigate\t%2\n"
                       "setInnerText\tid=out\thello\n"
                       "waitFor\tdocument.getElementById('out').innerText === 'hello'\n"
                       "setViewportSize\t500\t400\n"
                       "exec\t%3"
                       "click\tid=link\n"
                       "sleep\t1\n"
                       "emulateMobile\n"
                       "exec\t%4"
                       "resetHeaders\n"
                       "logData\t1\n"
                       "execAndWait\tlocation.href = '/final?text=' + document.getElementById('out').innerText\n")
            .arg(m_server.url().toString(), m_server.url(QStringLiteral("/commands")).toString(),
                fetched.arg(QStringLiteral("width")), fetched.arg(QStringLiteral("mobile"))));
    const qsizetype before = m_server.requests().size();
    const Outcome o = measure({ QStringLiteral("--json"), QStringLiteral("--script"), script });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));

    QHash<QString, TestWebServer::Request> seen;
    for (const TestWebServer::Request &request : m_server.requests().mid(before)) {
        QVERIFY2(
            !request.target.contains("blockme") && !request.target.contains("third=1"), request.target.constData());
        seen.insert(QString::fromUtf8(request.target), request);
    }
    const TestWebServer::Request commands = seen.value(QStringLiteral("/commands"));
    QCOMPARE(commands.headers.value("x-flag"), QByteArray("on, more"));
    QVERIFY(commands.headers.value("cookie").contains("pre=cookie-1"));
    QCOMPARE(commands.headers.value("user-agent"), QByteArray("ScriptAgent/1.0"));
    QVERIFY(seen.contains(QStringLiteral("/echo?width=500")));
    QVERIFY(seen.contains(QStringLiteral("/echo?clicked=1")));
    QVERIFY(seen.contains(QStringLiteral("/echo?mobile=412"))); // moto-g-power's viewport
    const TestWebServer::Request final = seen.value(QStringLiteral("/final?text=hello"));
    QCOMPARE(final.path, QStringLiteral("/final"));
    QVERIFY(!final.headers.contains("x-flag")); // resetHeaders
    QCOMPARE(final.headers.value("user-agent"), QByteArray("ScriptAgent/1.0"));

    const QJsonObject view = firstViewOf(o.out);
    QCOMPARE(
        view.value(QStringLiteral("url")).toString(), m_server.url(QStringLiteral("/final?text=hello")).toString());
    const QJsonArray requests = view.value(QStringLiteral("requests")).toArray();
    QVERIFY2(!requests.isEmpty(), qPrintable(o.out));
    for (const QJsonValue &request : requests)
        QVERIFY2(request.toObject().value(QStringLiteral("url")).toString().contains(u"/final"), qPrintable(o.out));
}

void tst_ScriptRun::badScriptNamesItsLine()
{
    const QString script = writeScript(
        QStringLiteral("bad.wpt"), QStringLiteral("navigate\thttp://a.test/\n// fine so far\nsetDnsName\ta\tb\n"));
    const Outcome o = measure({ QStringLiteral("--script"), script });
    QCOMPARE(o.exitCode, 2);
    QVERIFY2(o.err.contains(QStringLiteral("--script %1: line 3: unknown command \"setDnsName\"").arg(script)),
        qPrintable(o.err));
}

QTEST_GUILESS_MAIN(tst_ScriptRun)
#include "tst_scriptrun.moc"
