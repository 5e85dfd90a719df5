// A WebPageTest script that measures two steps, through `worldspeed-cli run` over a real local fleet (the build's
// probe, real Chromium) against a site of the test's own: the login (logData 0) posts a form that sets a session
// cookie; then "home" and "account" (reached by clicking home's link, served only with the session) are two steps of
// one run. The JSON, the HAR, the CSV and the table each have both steps, each with exactly its own requests (the
// server's log proves which requests each step made), none of the login's; a budget that step 2 fails names step 2;
// and a header's secret value, sent with every request, is in none of the outputs nor the saved history.
#include "childprocess.h"
#include "fleet/fleetconfig.h"
#include "localfleet.h"
#include "strictcsv.h"
#include "testwebserver.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

namespace {

using Outcome = ChildProcess::Outcome;

const QByteArray session = "fleet-steps-session=s-5521";
const QByteArray secret = "steps-header-secret-7734";

QJsonObject firstRunOf(const QJsonObject &document)
{
    return document.value(QStringLiteral("regions"))
        .toArray()
        .first()
        .toObject()
        .value(QStringLiteral("runs"))
        .toArray()
        .first()
        .toObject();
}

// The paths (with queries) of a view's requests, but the browser's own favicon fetches, which come when they come.
QStringList pathsOf(const QJsonArray &requests)
{
    QStringList paths;
    for (const QJsonValue &request : requests) {
        const QUrl url(request.toObject().value(QStringLiteral("url")).toString());
        if (url.path() != u"/favicon.ico")
            paths.append(url.path() + (url.hasQuery() ? u'?' + url.query() : QString()));
    }
    paths.sort();
    return paths;
}

} // namespace

class tst_ScriptStepsFleet : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    // In this order: the first runs the test that the next two read, and the last reads them all.
    void eachStepHasItsOwnRequests();
    void theBudgetNamesTheStepThatFails();
    void theHarHasAPagePerStep();
    void csvAndTableHaveRowsPerStep();
    void theSecretIsInNoOutput();
    void oneStepStillRuns();

private:
    Outcome run(const QString &scriptText, const QStringList &more);
    // The paths (with queries) the server served with the login's session since request `from`, sorted.
    // of the page at `path` or of its assets (`/asset?…&page=NAME`).
    QStringList sessionPathsSince(qsizetype from, const QString &path, const QString &name) const;

    QString script() const;
    static QStringList secretHeader();
    QString harDir() const { return m_dir.filePath(QStringLiteral("har")); }
    QString database() const { return m_dir.filePath(QStringLiteral("history.sqlite")); }
    QStringList homePaths() const
    {
        return sessionPathsSince(m_before, QStringLiteral("/fleet-home"), QStringLiteral("home"));
    }
    QStringList accountPaths() const
    {
        return sessionPathsSince(m_before, QStringLiteral("/fleet-account"), QStringLiteral("account"));
    }

    TestWebServer m_server;
    QTemporaryDir m_dir;
    QString m_fleetPath;
    qsizetype m_before = 0; // the server's log before the JSON run
    Outcome m_json;
    Outcome m_csv;
    Outcome m_table;
    QByteArray m_harBytes;
};

void tst_ScriptStepsFleet::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_CLI_EXE)).isExecutable());
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    m_server.route(QStringLiteral("/fleet-a"),
        TestWebServer::Response { 200, "text/html", "<!doctype html><title>A</title><p>A</p>", 0, 0, {} });
    m_server.route(QStringLiteral("/fleet-b"),
        TestWebServer::Response { 200, "text/html", "<!doctype html><title>B</title><p>B</p>", 0, 0, {} });
    TestWebServer::Response login;
    login.body = "<!doctype html><title>log in</title><link rel=stylesheet href=\"/asset?type=css&size=50&page=login\">"
                 "<form id=login method=post action=/fleet-session><input name=user></form>";
    m_server.route(QStringLiteral("/fleet-login"), login);
    m_server.route(QStringLiteral("/fleet-session"), [](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        if (request.body.contains("user=alice"))
            response.headers = { { "Set-Cookie", session + "; Path=/; HttpOnly" } };
        response.body = "<!doctype html><title>welcome</title><p>welcome</p>";
        return response;
    });
    // Both measured pages need the session. The account page's image takes 1.5 s, so its load event comes after
    // 1.5 s whatever the machine: a budget of 1 s fails step 2 for certain.
    const auto behindLogin = [](const QByteArray &body) {
        return [body](const TestWebServer::Request &request) {
            TestWebServer::Response response;
            const bool in = request.headers.value("cookie").contains(session);
            response.status = in ? 200 : 403;
            response.body = in ? body : QByteArray("<p>log in first</p>");
            return response;
        };
    };
    m_server.route(QStringLiteral("/fleet-home"),
        behindLogin("<!doctype html><title>home</title><img src=\"/asset?type=png&size=200&page=home\">"
                    "<a id=toaccount href=/fleet-account>account</a>"));
    m_server.route(QStringLiteral("/fleet-account"),
        behindLogin("<!doctype html><title>account</title>"
                    "<img src=\"/asset?type=png&size=300&page=account&delay=1500\"><p>account</p>"));
    m_fleetPath = m_dir.filePath(QStringLiteral("fleet.json"));
    QString error;
    QVERIFY2(localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE)).save(m_fleetPath, &error), qPrintable(error));
}

Outcome tst_ScriptStepsFleet::run(const QString &scriptText, const QStringList &more)
{
    const QString path = m_dir.filePath(QStringLiteral("script.wpt"));
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(scriptText.toUtf8());
    file.close();
    return ChildProcess::run(QStringLiteral(WORLDSPEED_CLI_EXE),
        QStringList { QStringLiteral("run"), QStringLiteral("--script"), path, QStringLiteral("--fleet"), m_fleetPath }
            + more,
        180'000);
}

QStringList tst_ScriptStepsFleet::sessionPathsSince(qsizetype from, const QString &path, const QString &name) const
{
    QStringList seen;
    for (const TestWebServer::Request &request : m_server.requests().mid(from)) {
        const bool ofPage = request.path == path || request.query.queryItemValue(QStringLiteral("page")) == name;
        if (request.headers.value("cookie").contains(session) && ofPage)
            seen.append(QString::fromUtf8(request.target));
    }
    seen.sort();
    return seen;
}

QString tst_ScriptStepsFleet::script() const
{
    return QStringLiteral("// log in: not measured\n"
                          "logData\t0\n"
                          "navigate\t%1\n"
                          "setValue\tname=user\talice\n"
                          "submitForm\tid=login\n"
                          "logData\t1\n"
                          "setEventName\thome\n"
                          "navigate\t%2\n"
                          "setEventName\taccount\n"
                          "clickAndWait\tid=toaccount\n")
        .arg(m_server.url(QStringLiteral("/fleet-login")).toString(),
            m_server.url(QStringLiteral("/fleet-home")).toString());
}

QStringList tst_ScriptStepsFleet::secretHeader()
{
    return { QStringLiteral("--header"), QStringLiteral("X-Steps-Key: ") + QString::fromLatin1(secret) };
}

void tst_ScriptStepsFleet::eachStepHasItsOwnRequests()
{
    // JSON, HAR and a budget of 1 s, kept in a history of the test's own (the slots below read what this run left).
    m_before = m_server.requests().size();
    m_json = run(script(),
        secretHeader()
            + QStringList { QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--har"), harDir(),
                QStringLiteral("--budget"), QStringLiteral("load=1000ms"), QStringLiteral("--save"),
                QStringLiteral("--database"), database() });
    QVERIFY2(!m_json.out.isEmpty(), qPrintable(m_json.err));
    // The header reached the server with every measured request, and the account page was served with the session.
    bool accountServed = false;
    for (const TestWebServer::Request &request : m_server.requests().mid(m_before)) {
        if (request.path == u"/fleet-home" || request.path == u"/fleet-account")
            QCOMPARE(request.headers.value("x-steps-key"), secret);
        accountServed
            = accountServed || (request.path == u"/fleet-account" && request.headers.value("cookie").contains(session));
    }
    QVERIFY(accountServed);

    const QJsonObject document = QJsonDocument::fromJson(m_json.out.toUtf8()).object();
    const QJsonObject runJson = firstRunOf(document);
    QCOMPARE(runJson.value(QStringLiteral("stepName")).toString(), QStringLiteral("home"));
    const QJsonArray laterSteps = runJson.value(QStringLiteral("laterSteps")).toArray();
    QCOMPARE(laterSteps.size(), 1);
    QCOMPARE(laterSteps.first().toObject().value(QStringLiteral("name")).toString(), QStringLiteral("account"));
    const QJsonObject first = runJson.value(QStringLiteral("firstView")).toObject();
    const QJsonObject second = laterSteps.first().toObject().value(QStringLiteral("firstView")).toObject();
    QCOMPARE(
        first.value(QStringLiteral("finalUrl")).toString(), m_server.url(QStringLiteral("/fleet-home")).toString());
    QCOMPARE(
        second.value(QStringLiteral("finalUrl")).toString(), m_server.url(QStringLiteral("/fleet-account")).toString());
    QCOMPARE(second.value(QStringLiteral("metrics")).toObject().value(QStringLiteral("documentStatus")).toInt(), 200);
    // Each step has exactly the requests the server served it, none of the login's nor the other step's.
    QCOMPARE(homePaths().size(), 2);
    QCOMPARE(accountPaths().size(), 2);
    QCOMPARE(pathsOf(first.value(QStringLiteral("requests")).toArray()), homePaths());
    QCOMPARE(pathsOf(second.value(QStringLiteral("requests")).toArray()), accountPaths());
    // The login's page, its asset and its form's post were loaded, and are in neither step.
    QStringList loginPaths;
    for (const TestWebServer::Request &request : m_server.requests().mid(m_before)) {
        if (request.path == u"/fleet-login" || request.path == u"/fleet-session"
            || request.query.queryItemValue(QStringLiteral("page")) == u"login")
            loginPaths.append(request.path);
    }
    QCOMPARE(loginPaths.size(), 3);
    QVERIFY(!m_json.out.contains(u"page=login") && !m_json.out.contains(u"fleet-session"));
    const QJsonObject region = document.value(QStringLiteral("regions")).toArray().first().toObject();
    QCOMPARE(region.value(QStringLiteral("medianLaterSteps")).toArray().size(), 1);
}

void tst_ScriptStepsFleet::theBudgetNamesTheStepThatFails()
{
    // The budget holds for every step; step 2 takes over 1.5 s to load, so it fails, and says which step it is.
    QVERIFY(!m_json.out.isEmpty());
    QCOMPARE(m_json.exitCode, 3); // CliExitCode::BudgetExceeded
    QVERIFY2(m_json.err.contains(QRegularExpression(QStringLiteral(
                 "budget exceeded in local: step 2 \\(account\\): load [0-9.]+ ms, over the limit of 1000 ms"))),
        qPrintable(m_json.err));
    const QJsonObject region = QJsonDocument::fromJson(m_json.out.toUtf8())
                                   .object()
                                   .value(QStringLiteral("regions"))
                                   .toArray()
                                   .first()
                                   .toObject();
    bool step2Failed = false;
    for (const QJsonValue &check : region.value(QStringLiteral("budget")).toArray()) {
        if (check.toObject().value(QStringLiteral("step")).toInt() == 2)
            step2Failed = !check.toObject().value(QStringLiteral("pass")).toBool();
    }
    QVERIFY(step2Failed);
}

void tst_ScriptStepsFleet::theHarHasAPagePerStep()
{
    // A page per step, each with exactly its step's entries.
    const QStringList hars = QDir(harDir()).entryList({ QStringLiteral("*.har") }, QDir::Files);
    QCOMPARE(hars.size(), 1);
    QFile harFile(QDir(harDir()).filePath(hars.first()));
    QVERIFY(harFile.open(QIODevice::ReadOnly));
    m_harBytes = harFile.readAll();
    const QJsonObject log = QJsonDocument::fromJson(m_harBytes).object().value(QStringLiteral("log")).toObject();
    const QJsonArray pages = log.value(QStringLiteral("pages")).toArray();
    QCOMPARE(pages.size(), 2);
    QCOMPARE(pages.at(0).toObject().value(QStringLiteral("title")).toString(), QStringLiteral("home"));
    QCOMPARE(pages.at(1).toObject().value(QStringLiteral("title")).toString(), QStringLiteral("account"));
    QCOMPARE(pages.at(1).toObject().value(QStringLiteral("_step")).toInt(), 2);
    QHash<QString, QJsonArray> entries;
    for (const QJsonValue &entry : log.value(QStringLiteral("entries")).toArray()) {
        const QJsonObject request = entry[QStringLiteral("request")].toObject();
        entries[entry[QStringLiteral("pageref")].toString()].append(request);
    }
    QCOMPARE(pathsOf(entries.value(pages.at(0)[QStringLiteral("id")].toString())), homePaths());
    QCOMPARE(pathsOf(entries.value(pages.at(1)[QStringLiteral("id")].toString())), accountPaths());
}

void tst_ScriptStepsFleet::csvAndTableHaveRowsPerStep()
{
    // CSV: a row per step, with its step, then a median row per step.
    m_csv = run(script(), secretHeader() + QStringList { QStringLiteral("--format"), QStringLiteral("csv") });
    QVERIFY2(m_csv.exitCode == 0, qPrintable(m_csv.err));
    QString problem;
    const QList<QStringList> rows = StrictCsv::parse(m_csv.out, &problem);
    QVERIFY2(problem.isEmpty() && rows.size() == 5, qPrintable(m_csv.out));
    const auto cell = [&rows](qsizetype row, const QString &column) {
        return StrictCsv::record(rows.first(), rows.at(row)).value(column);
    };
    QCOMPARE(cell(1, QStringLiteral("step")), QStringLiteral("1"));
    QCOMPARE(cell(1, QStringLiteral("url")), m_server.url(QStringLiteral("/fleet-home")).toString());
    QCOMPARE(cell(2, QStringLiteral("step")), QStringLiteral("2"));
    QCOMPARE(cell(2, QStringLiteral("step_name")), QStringLiteral("account"));
    QCOMPARE(cell(2, QStringLiteral("url")), m_server.url(QStringLiteral("/fleet-account")).toString());
    QCOMPARE(cell(2, QStringLiteral("status")), QStringLiteral("200"));
    QCOMPARE(cell(4, QStringLiteral("run")), QStringLiteral("median"));
    QCOMPARE(cell(4, QStringLiteral("step")), QStringLiteral("2"));

    // The table: each step named, a row per step, as `worldspeed-probe measure` labels them.
    m_table = run(script(), secretHeader());
    QVERIFY2(m_table.exitCode == 0, qPrintable(m_table.err));
    QVERIFY2(m_table.out.contains(u"Step 1   home\n") && m_table.out.contains(u"Step 2   account\n"),
        qPrintable(m_table.out));
    QVERIFY2(m_table.out.contains(u"\nlocal s1 ") && m_table.out.contains(u"\nlocal s2 "), qPrintable(m_table.out));
}

void tst_ScriptStepsFleet::theSecretIsInNoOutput()
{
    // The header's value is a secret: in no output, no HAR, no history.
    QVERIFY(!m_json.out.isEmpty() && !m_harBytes.isEmpty() && !m_csv.out.isEmpty() && !m_table.out.isEmpty());
    QFile history(database());
    QVERIFY(history.open(QIODevice::ReadOnly));
    for (const QByteArray &output : { m_json.out.toUtf8(), m_json.err.toUtf8(), m_harBytes, m_csv.out.toUtf8(),
             m_csv.err.toUtf8(), m_table.out.toUtf8(), m_table.err.toUtf8(), history.readAll() })
        QVERIFY2(!output.contains(secret), output.left(2000).constData());
}

void tst_ScriptStepsFleet::oneStepStillRuns()
{
    const Outcome o = run(QStringLiteral("logData\t0\nnavigate\t%1\nlogData\t1\nnavigate\t%2\n")
                              .arg(m_server.url(QStringLiteral("/fleet-a")).toString(),
                                  m_server.url(QStringLiteral("/fleet-b")).toString()),
        { QStringLiteral("--format"), QStringLiteral("json") });
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(m_server.url(QStringLiteral("/fleet-b")).toString()), qPrintable(o.out));
    // A script of one unnamed step writes no step fields: its JSON is what it was before steps.
    const QJsonObject run = firstRunOf(QJsonDocument::fromJson(o.out.toUtf8()).object());
    QVERIFY(!run.contains(QStringLiteral("laterSteps")));
    QVERIFY(!run.contains(QStringLiteral("stepName")));
}

QTEST_GUILESS_MAIN(tst_ScriptStepsFleet)
#include "tst_scriptstepsfleet.moc"
