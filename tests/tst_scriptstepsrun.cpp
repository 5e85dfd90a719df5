// A WebPageTest script that measures several steps, through `worldspeed-probe measure --script`: the real binary,
// real Chromium, and a site of the test's own. The login is unmeasured (logData 0); then page A (named with
// setEventName) and page B (reached by clicking A's link) are two steps of one run, each with exactly its own
// requests, in the JSON, the table and the HAR; the server's log proves which requests each step made. Over the
// protocol, a probe streams each step's frames, each naming its step.
#include "browsertestcase.h"
#include "childprocess.h"
#include "model/runresult.h"
#include "probeserver.h"
#include "protocolpeer.h"
#include "testwebserver.h"
#include "urlpolicy.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

using Outcome = ChildProcess::Outcome;

const QByteArray session = "sid=steps-session-99";
const QByteArray probeToken = "steps-token-0123456789abcdef";

std::optional<RunResult> firstRunOf(const QString &json, QString *problem)
{
    const QJsonObject run
        = QJsonDocument::fromJson(json.toUtf8()).object().value(QStringLiteral("runs")).toArray().first().toObject();
    return RunResult::fromJson(run, problem);
}

// The paths (with queries) a step requested, but the browser's own favicon fetches, which come when they come.
QStringList paths(const ViewResult &view)
{
    QStringList urls;
    for (const RequestTiming &request : view.requests)
        if (QUrl(request.url).path() != u"/favicon.ico")
            urls.append(QUrl(request.url).path()
                + (QUrl(request.url).hasQuery() ? u'?' + QUrl(request.url).query() : QString()));
    return urls;
}

} // namespace

class tst_ScriptStepsRun : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void twoStepsEachWithTheirOwnRequests();
    void aStepThatFailsEndsTheRunThere();
    void aProbeStreamsEachStepOverTheWire();
    void aProbeStillRefusesARepeatViewOfAScript();
    void aProbeSaysWhichStepFailed();

private:
    Outcome measure(const QStringList &arguments) const;
    QString writeScript(const QString &name, const QString &text) const;
    QString twoStepScript(const QString &secondStep) const;
    QStringList sessionPathsSince(qsizetype from) const;
    std::unique_ptr<ProbeServer> startProbe() const;

    TestWebServer m_server;
    QTemporaryDir m_dir;
};

Outcome tst_ScriptStepsRun::measure(const QStringList &arguments) const
{
    return ChildProcess::run(QStringLiteral(WORLDSPEED_PROBE_EXE),
        QStringList { QStringLiteral("measure") } + arguments, 180'000, QProcessEnvironment::systemEnvironment());
}

QString tst_ScriptStepsRun::writeScript(const QString &name, const QString &text) const
{
    QFile file(m_dir.filePath(name));
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write(text.toUtf8());
    return file.fileName();
}

QString tst_ScriptStepsRun::twoStepScript(const QString &secondStep) const
{
    return QStringLiteral("// log in: not measured\n"
                          "logData\t0\n"
                          "navigate\t%1\n"
                          "setValue\tname=user\talice\n"
                          "submitForm\tid=login\n"
                          "// two measured steps\n"
                          "logData\t1\n"
                          "setEventName\tPage A\n"
                          "navigate\t%2\n"
                          "%3\n")
        .arg(m_server.url(QStringLiteral("/steps-login")).toString(),
            m_server.url(QStringLiteral("/steps-a")).toString(), secondStep);
}

// The paths (with queries) the server was asked for, with the login's session, since request `from`.
QStringList tst_ScriptStepsRun::sessionPathsSince(qsizetype from) const
{
    QStringList seen;
    for (const TestWebServer::Request &request : m_server.requests().mid(from)) {
        if (request.headers.value("cookie").contains(session) && request.path != u"/favicon.ico")
            seen.append(QString::fromUtf8(request.target));
    }
    return seen;
}

// A probe of the build's own on loopback, as the fleet runs it; null when it cannot listen.
std::unique_ptr<ProbeServer> tst_ScriptStepsRun::startProbe() const
{
    ProbeServer::Options options;
    options.token = probeToken;
    options.region = QStringLiteral("test");
    options.policy = std::make_shared<UrlPolicy>(true);
    options.chrome = BrowserTest::chromeOptions();
    auto server = std::make_unique<ProbeServer>(options);
    QString error;
    if (!server->listen(&error)) {
        qWarning() << error;
        return nullptr;
    }
    return server;
}

void tst_ScriptStepsRun::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_PROBE_EXE)).isExecutable());
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    TestWebServer::Response login;
    login.body = "<!doctype html><title>log in</title><link rel=stylesheet href=\"/asset?type=css&size=50&login=1\">"
                 "<form id=login method=post action=/steps-session><input name=user></form>";
    m_server.route(QStringLiteral("/steps-login"), login);
    m_server.route(QStringLiteral("/steps-session"), [](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        response.headers = { { "Set-Cookie", session + "; Path=/; HttpOnly" } };
        response.status = request.body.contains("user=alice") ? 200 : 403;
        response.body = "<!doctype html><title>welcome</title><p>welcome</p>";
        return response;
    });
    // Each page needs the session, and has an asset of its own: which step asked for what is in the server's log.
    const auto behindLogin = [](const QByteArray &body) {
        return [body](const TestWebServer::Request &request) {
            TestWebServer::Response response;
            if (!request.headers.value("cookie").contains(session)) {
                response.status = 403;
                response.body = "<p>log in first</p>";
                return response;
            }
            response.body = body;
            return response;
        };
    };
    m_server.route(QStringLiteral("/steps-a"),
        behindLogin("<!doctype html><title>A</title><img src=\"/asset?type=png&size=200&page=a\">"
                    "<a id=tob href=/steps-b>to B</a>"));
    m_server.route(QStringLiteral("/steps-b"),
        behindLogin("<!doctype html><title>B</title><link rel=stylesheet href=\"/asset?type=css&size=80&page=b\">"
                    "<p>B</p>"));
}

void tst_ScriptStepsRun::twoStepsEachWithTheirOwnRequests()
{
    const QString script
        = writeScript(QStringLiteral("steps.wpt"), twoStepScript(QStringLiteral("clickAndWait\tid=tob")));
    const QString har = m_dir.filePath(QStringLiteral("steps.har"));
    const qsizetype before = m_server.requests().size();
    const Outcome json
        = measure({ QStringLiteral("--json"), QStringLiteral("--har"), har, QStringLiteral("--script"), script });
    QVERIFY2(json.exitCode == 0, qPrintable(json.err));
    // The server saw A and its asset, then B and its asset, each once, all with the login's session.
    QCOMPARE(sessionPathsSince(before),
        QStringList({ QStringLiteral("/steps-a"), QStringLiteral("/asset?type=png&size=200&page=a"),
            QStringLiteral("/steps-b"), QStringLiteral("/asset?type=css&size=80&page=b") }));

    QString problem;
    const auto run = firstRunOf(json.out, &problem);
    QVERIFY2(run, qPrintable(problem));
    QCOMPARE(run->stepCount(), 2);
    // Step 1 is where a run's page always was, named by setEventName; step 2 is named by the page it loaded.
    const QString a = m_server.url(QStringLiteral("/steps-a")).toString();
    const QString b = m_server.url(QStringLiteral("/steps-b")).toString();
    QCOMPARE(run->stepName, QStringLiteral("Page A"));
    QCOMPARE(run->stepLabel(0), QStringLiteral("Page A"));
    QCOMPARE(run->firstView.url, a);
    QCOMPARE(run->laterSteps.first().view.url, b);
    QCOMPARE(run->stepLabel(1), b);
    // Each step has exactly its own requests: none of the login's, none of the other step's.
    const QStringList stepA { QStringLiteral("/steps-a"), QStringLiteral("/asset?type=png&size=200&page=a") };
    const QStringList stepB { QStringLiteral("/steps-b"), QStringLiteral("/asset?type=css&size=80&page=b") };
    QVERIFY2(paths(run->stepView(0)) == stepA, qPrintable(paths(run->stepView(0)).join(u' ')));
    QVERIFY2(paths(run->stepView(1)) == stepB, qPrintable(paths(run->stepView(1)).join(u' ')));
    for (qsizetype step = 0; step < 2; ++step) {
        QVERIFY(run->stepView(step).ok());
        QCOMPARE(run->stepView(step).metrics.documentStatus, 200);
        QVERIFY(run->stepView(step).metrics.loadMs.has_value());
    }
    const QJsonObject document = QJsonDocument::fromJson(json.out.toUtf8()).object();
    QVERIFY(document.contains(QStringLiteral("median")));
    QCOMPARE(document.value(QStringLiteral("medianLaterSteps")).toArray().size(), 1);

    // The HAR has a page per step, each with its own entries.
    QFile harFile(har);
    QVERIFY(harFile.open(QIODevice::ReadOnly));
    const QJsonObject log = QJsonDocument::fromJson(harFile.readAll()).object().value(QStringLiteral("log")).toObject();
    const QJsonArray pages = log.value(QStringLiteral("pages")).toArray();
    QCOMPARE(pages.size(), 2);
    QCOMPARE(pages.at(0).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("page_1"));
    QCOMPARE(pages.at(0).toObject().value(QStringLiteral("title")).toString(), QStringLiteral("Page A"));
    QCOMPARE(pages.at(1).toObject().value(QStringLiteral("id")).toString(), QStringLiteral("page_1_step2"));
    QCOMPARE(pages.at(1).toObject().value(QStringLiteral("_step")).toInt(), 2);
    QHash<QString, QStringList> entries;
    for (const QJsonValue &entry : log.value(QStringLiteral("entries")).toArray())
        entries[entry[QStringLiteral("pageref")].toString()].append(
            entry[QStringLiteral("request")][QStringLiteral("url")].toString());
    // Each page has exactly its step's entries.
    for (qsizetype step = 0; step < 2; ++step) {
        QStringList urls;
        for (const RequestTiming &request : run->stepView(step).requests)
            urls.append(request.url);
        QCOMPARE(entries.value(step == 0 ? QStringLiteral("page_1") : QStringLiteral("page_1_step2")), urls);
    }

    // The table: each step named, a row of metrics and a list of requests per step.
    const Outcome table = measure({ QStringLiteral("--script"), script });
    QVERIFY2(table.exitCode == 0, qPrintable(table.err));
    QVERIFY2(table.out.contains(u"Step 1   Page A\n") && table.out.contains(QStringLiteral("Step 2   ") + b + u'\n'),
        qPrintable(table.out));
    QVERIFY2(table.out.contains(u"\n1 s1     200") && table.out.contains(u"\n1 s2     200"), qPrintable(table.out));
    QVERIFY2(table.out.contains(u"Requests of run 1, step 2"), qPrintable(table.out));
    QVERIFY2(table.out.contains(u"measuring line 9 (navigate ") && table.out.contains(u"line 10 (clickAndWait id=tob)"),
        qPrintable(table.out));
    QVERIFY2(!table.out.contains(u"login=1"), qPrintable(table.out));
}

void tst_ScriptStepsRun::aStepThatFailsEndsTheRunThere()
{
    // Step 2 clicks an element page A does not have: step 1 stands as measured, step 2 is in the result with its
    // error, and the command says which step failed.
    const QString script
        = writeScript(QStringLiteral("fails.wpt"), twoStepScript(QStringLiteral("clickAndWait\tid=nowhere")));
    const Outcome json = measure({ QStringLiteral("--json"), QStringLiteral("--script"), script });
    QVERIFY2(json.exitCode != 0, qPrintable(json.out));
    QVERIFY2(json.err.contains(u"step 2: line 10 (clickAndWait id=nowhere): no element on "), qPrintable(json.err));
    QString problem;
    const auto run = firstRunOf(json.out, &problem);
    QVERIFY2(run, qPrintable(problem));
    QCOMPARE(run->stepCount(), 2);
    QVERIFY(run->stepView(0).ok());
    QCOMPARE(paths(run->stepView(0)).size(), 2);
    QVERIFY(!run->stepView(1).ok());
    QVERIFY(run->stepView(1).requests.isEmpty());
}

void tst_ScriptStepsRun::aProbeStreamsEachStepOverTheWire()
{
    // A raw client gets both steps of one run: every `request`, `started` and `metrics` frame says which step it is
    // of (step 1 by leaving `step` out, as every frame before steps did), each step's requests are its own, and the
    // provisional metrics at each step's load event name the step too. The probe's hello lists the capability.
    std::unique_ptr<ProbeServer> server = startProbe();
    QVERIFY(server);
    ProtocolPeer peer;
    QVERIFY(peer.open(server->endpoint()) && peer.handshake(probeToken, 10'000, { QStringLiteral("started") }));
    RunMessage run;
    run.runId = QStringLiteral("steps-1");
    run.url = m_server.url(QStringLiteral("/steps-login")).toString();
    run.options.test.script = twoStepScript(QStringLiteral("clickAndWait\tid=tob"));
    peer.send(run);
    QVERIFY(peer.waitForDone(run.runId, 120'000));

    const QString b = m_server.url(QStringLiteral("/steps-b")).toString();
    bool advertised = false;
    QMap<int, QStringList> requested; // step → the paths of its request frames
    QMap<int, QStringList> announced; // step → the paths of its started frames
    QMap<int, const MetricsMessage *> measured;
    QList<int> provisionalSteps;
    for (const auto &received : peer.received()) {
        if (const auto *hello = as<HelloMessage>(received.message))
            advertised = hello->capabilities.contains(QStringLiteral("script-steps"));
        if (const auto *request = as<RequestMessage>(received.message)) {
            QCOMPARE(request->view, RunView::First);
            if (QUrl(request->request.url).path() != u"/favicon.ico")
                requested[request->step].append(QUrl(request->request.url).path());
        }
        if (const auto *started = as<StartedMessage>(received.message)) {
            for (const RequestTiming &request : started->requests)
                announced[started->step].append(QUrl(request.url).path());
        }
        if (const auto *metrics = as<MetricsMessage>(received.message)) {
            if (metrics->provisional)
                provisionalSteps.append(metrics->step);
            else
                measured.insert(metrics->step, metrics);
        }
        if (const auto *done = as<DoneMessage>(received.message))
            QVERIFY2(done->ok, qPrintable(describe(received.message)));
    }
    QVERIFY(advertised);
    QCOMPARE(requested.keys(), QList<int>({ 1, 2 }));
    // In the order they ended (a document's frame waits for its navigation start), so as sets.
    for (QStringList &paths : requested)
        paths.sort();
    QCOMPARE(requested.value(1), QStringList({ QStringLiteral("/asset"), QStringLiteral("/steps-a") }));
    QCOMPARE(requested.value(2), QStringList({ QStringLiteral("/asset"), QStringLiteral("/steps-b") }));
    // Whatever went out as pending went out under its own step (none of the login's).
    for (auto it = announced.cbegin(); it != announced.cend(); ++it) {
        for (const QString &path : it.value())
            QVERIFY2(path == u"/favicon.ico" || requested.value(it.key()).contains(path), qPrintable(path));
    }
    QCOMPARE(measured.keys(), QList<int>({ 1, 2 }));
    QCOMPARE(measured.value(1)->stepName, QStringLiteral("Page A"));
    QCOMPARE(measured.value(2)->stepName, QString());
    QCOMPARE(measured.value(2)->finalUrl, b);
    QCOMPARE(measured.value(2)->metrics.documentStatus, 200);
    QVERIFY2(provisionalSteps.contains(2), qPrintable(QString::number(provisionalSteps.size())));
    // Step 1's frames are today's: no `step` on the wire.
    for (const auto &received : peer.received()) {
        if (const auto *request = as<RequestMessage>(received.message); request && request->step == 1)
            QVERIFY(!messageToJson(received.message).contains(QStringLiteral("step")));
    }
}

void tst_ScriptStepsRun::aProbeStillRefusesARepeatViewOfAScript()
{
    // What a script cannot have is still refused at once, in words, with nothing loaded: a repeat view.
    std::unique_ptr<ProbeServer> server = startProbe();
    QVERIFY(server);
    ProtocolPeer peer;
    QVERIFY(peer.open(server->endpoint()) && peer.handshake(probeToken));
    RunMessage run;
    run.runId = QStringLiteral("steps-2");
    run.url = m_server.url(QStringLiteral("/steps-login")).toString();
    QJsonObject frame = run.toJson();
    QJsonObject runOptions = run.options.toJson(TestSettings::Secrets::Included);
    runOptions.insert(QStringLiteral("script"), twoStepScript(QStringLiteral("clickAndWait\tid=tob")));
    runOptions.insert(QStringLiteral("repeatView"), true);
    frame.insert(QStringLiteral("options"), runOptions);
    frame.insert(QStringLiteral("v"), 1);
    frame.insert(QStringLiteral("type"), QStringLiteral("run"));
    const qsizetype before = m_server.requests().size();
    peer.sendRaw(QString::fromUtf8(QJsonDocument(frame).toJson(QJsonDocument::Compact)));
    QVERIFY(peer.waitFor([](const Message &message) { return as<ErrorMessage>(message) != nullptr; }, 30'000));
    const ErrorMessage *refusal = nullptr;
    for (const auto &received : peer.received()) {
        if (const auto *message = as<ErrorMessage>(received.message))
            refusal = message;
    }
    QVERIFY(refusal);
    QCOMPARE(refusal->code, ProtocolError::invalidMessage.toString());
    QVERIFY2(refusal->message.contains(u"a script's run has no repeat view"), qPrintable(refusal->message));
    QCOMPARE(m_server.requests().size(), before);
}

void tst_ScriptStepsRun::aProbeSaysWhichStepFailed()
{
    // Step 2 clicks what page A does not have: over the wire, step 1's frames came, and the run's error says it
    // was step 2 that failed (the `done` error, which is all a client hears of a step that loaded nothing).
    std::unique_ptr<ProbeServer> server = startProbe();
    QVERIFY(server);
    ProtocolPeer peer;
    QVERIFY(peer.open(server->endpoint()) && peer.handshake(probeToken));
    RunMessage run;
    run.runId = QStringLiteral("steps-3");
    run.url = m_server.url(QStringLiteral("/steps-login")).toString();
    run.options.test.script = twoStepScript(QStringLiteral("clickAndWait\tid=nowhere"));
    peer.send(run);
    QVERIFY(peer.waitForDone(run.runId, 120'000));
    const DoneMessage *done = nullptr;
    int stepOneMetrics = 0;
    for (const auto &received : peer.received()) {
        if (const auto *metrics = as<MetricsMessage>(received.message); metrics && !metrics->provisional)
            stepOneMetrics += metrics->step == 1 ? 1 : 0;
        if (const auto *message = as<DoneMessage>(received.message))
            done = message;
    }
    QCOMPARE(stepOneMetrics, 1);
    QVERIFY(done && !done->ok && done->error);
    QVERIFY2(done->error->message.startsWith(u"step 2: line 10 (clickAndWait id=nowhere): no element on "),
        qPrintable(done->error->message));
}

QTEST_GUILESS_MAIN(tst_ScriptStepsRun)
#include "tst_scriptstepsrun.moc"
