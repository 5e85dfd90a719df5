// FlyBackend against a fake Fly Machines API on 127.0.0.1. The fake follows the documented API
// (https://fly.io/docs/machines/api/: POST /v1/apps/{app}/machines, GET …/machines/{id}/wait?state=started,
// GET …/machines/{id}, DELETE …/machines/{id}?force=true, errors as {"error": "…"}, a machine's files as
// config.files[] {guest_path, raw_value (base64), mode}); it is NOT the real service, which these tests never
// contact. A "started" machine is a real worldspeed-probe on loopback, started with the token its create request
// carried and reached through the endpoint the backend returns.

#include "containerimage.h"
#include "fakeapiserver.h"
#include "fleet/flybackend.h"
#include "fleet/probeclient.h"
#include "fleet/secretstore.h"
#include "probeprocess.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include <functional>
#include <memory>

namespace {

const QString apiToken = QStringLiteral("fly-api-token-0123456789abcdef");
const QString tokenFile = QStringLiteral("/run/secrets/worldspeed-probe-token");

// The token a create request gives its machine: the file at tokenFile in its config, base64 as the API wants it.
QString machineToken(const QJsonObject &createBody)
{
    const QJsonArray files
        = createBody.value(QStringLiteral("config")).toObject().value(QStringLiteral("files")).toArray();
    for (const QJsonValue &file : files) {
        if (file.toObject().value(QStringLiteral("guest_path")).toString() == tokenFile)
            return QString::fromUtf8(
                QByteArray::fromBase64(file.toObject().value(QStringLiteral("raw_value")).toString().toLatin1()));
    }
    return {};
}

// Secrets in a hash, answering on the event loop as a keychain does; `failure` makes every read fail.
class TestSecrets final : public SecretStore
{
public:
    QHash<QString, QString> values;
    QString failure;

    void read(const QString &key, QObject *context, std::function<void(const Result &)> done) override
    {
        Result result;
        if (!failure.isEmpty())
            result.error = failure;
        else if (values.contains(key))
            result.value = values.value(key);
        QMetaObject::invokeMethod(
            context, [done = std::move(done), result] { done(result); }, Qt::QueuedConnection);
    }
    void write(
        const QString &key, const QString &value, QObject *context, std::function<void(const QString &)> done) override
    {
        values.insert(key, value);
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done({}); }, Qt::QueuedConnection);
    }
    void remove(const QString &key, QObject *context, std::function<void(const QString &)> done) override
    {
        values.remove(key);
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done({}); }, Qt::QueuedConnection);
    }
};

using Answer = FakeApiServer::Answer;

Answer error(int status, const QString &message)
{
    return Answer { status, { { QStringLiteral("error"), message } } };
}

QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    capturedLog.append(message);
    if (previousHandler)
        previousHandler(type, context, message);
}

} // namespace

class tst_FlyBackend : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void settingsFromJson_data();
    void settingsFromJson();
    void bootReachesARealProbe();
    void retryableAnswersAreRetried();
    void waitTimeoutsAndNotFoundAreWaitedThrough();
    void refusalsFailWithFlysMessage_data();
    void refusalsFailWithFlysMessage();
    void retriesAreBounded();
    void bootTimeout();
    void machineThatStopsFailsEarly();
    void missingSecretsFail_data();
    void missingSecretsFail();
    void stopWhileCreatingDestroysTheMachine();
    void destroyingTheBackendDestroysItsMachines();
    void answersNeverComeFromInsideTheCall();
    void tokensAreNeverLogged();
    void eachMachineGetsItsOwnToken();
    void machinesMatchTheContainerImage();
    void plaintextOffLoopbackIsRefused_data();
    void plaintextOffLoopbackIsRefused();
    void plaintextApiIsNotUsed();

private:
    FlyBackend::Settings settings() const;
    // A fake whose POST makes machine m1 (after `refusals`, answered in order), which is then started;
    // `onCreate` sees each create request's body that makes it.
    void scriptMachine(
        QList<Answer> refusals = {}, QList<Answer> waits = {}, std::function<void(const QJsonObject &)> onCreate = {});

    std::unique_ptr<FakeApiServer> m_api;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    TestSecrets m_secrets;
};

void tst_FlyBackend::init()
{
    m_api = std::make_unique<FakeApiServer>();
    QVERIFY(m_api->listen());
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_secrets.values = { { QStringLiteral("fly-token"), apiToken } };
    m_secrets.failure.clear();
}

void tst_FlyBackend::cleanup()
{
    m_nam.reset();
    m_api.reset();
}

FlyBackend::Settings tst_FlyBackend::settings() const
{
    FlyBackend::Settings s;
    s.apiBase = m_api->url();
    s.app = QStringLiteral("worldspeed-test");
    s.region = QStringLiteral("fra");
    s.image = QStringLiteral("registry.fly.io/worldspeed-probe:1");
    s.tokenSecret = QStringLiteral("fly-token");
    s.endpointTemplate = QStringLiteral("ws://127.0.0.1:1/");
    s.retryInitialDelayMs = 10;
    s.retryMaxDelayMs = 40;
    s.bootTimeoutMs = 10'000;
    return s;
}

void tst_FlyBackend::scriptMachine(
    QList<Answer> refusals, QList<Answer> waits, std::function<void(const QJsonObject &)> onCreate)
{
    auto createAnswers = std::make_shared<QList<Answer>>(std::move(refusals));
    auto waitAnswers = std::make_shared<QList<Answer>>(std::move(waits));
    m_api->setHandler([createAnswers, waitAnswers, onCreate](const FakeApiServer::Request &request) -> Answer {
        const QString machines = QStringLiteral("/v1/apps/worldspeed-test/machines");
        if (request.method == "POST" && request.path == machines) {
            if (!createAnswers->isEmpty())
                return createAnswers->takeFirst();
            if (onCreate)
                onCreate(request.json());
            return Answer { 200,
                { { QStringLiteral("id"), QStringLiteral("m1") },
                    { QStringLiteral("instance_id"), QStringLiteral("i1") },
                    { QStringLiteral("state"), QStringLiteral("created") },
                    { QStringLiteral("region"), QStringLiteral("fra") } } };
        }
        if (request.method == "GET" && request.path == machines + QStringLiteral("/m1/wait")) {
            if (!waitAnswers->isEmpty())
                return waitAnswers->takeFirst();
            return Answer { 200, { { QStringLiteral("ok"), true } } };
        }
        if (request.method == "GET" && request.path == machines + QStringLiteral("/m1"))
            return Answer { 200,
                { { QStringLiteral("id"), QStringLiteral("m1") },
                    { QStringLiteral("state"), QStringLiteral("starting") } } };
        if (request.method == "DELETE" && request.path == machines + QStringLiteral("/m1"))
            return Answer { 200, { { QStringLiteral("ok"), true } } };
        return error(404, QStringLiteral("not found"));
    });
}

void tst_FlyBackend::settingsFromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid

    const QByteArray minimal = R"("app": "ws-app", "region": "fra", "image": "registry.fly.io/p:1",
        "tokenSecret": "fly-token")";
    QTest::newRow("minimal") << QByteArray("{" + minimal + "}") << QString();
    QTest::newRow("everything") << QByteArray(
        "{" + minimal + R"(, "apiBase": "https://api.machines.dev", "cpuKind": "performance",
        "cpus": 2, "memoryMb": 2048, "parentGraceSeconds": 30, "idleShutdownSeconds": 0,
        "endpointTemplate": "wss://{app}.fly.dev/", "port": 9000, "bootTimeoutSeconds": 90, "maxRetries": 3})")
                                << QString();
    QTest::newRow("no app") << QByteArray(R"({"region": "fra", "image": "i", "tokenSecret": "a"})")
                            << QStringLiteral("app: is required");
    QTest::newRow("bad app") << QByteArray(
        R"({"app": "Not An App", "region": "fra", "image": "i", "tokenSecret": "a"})")
                             << QStringLiteral("app: ");
    QTest::newRow("no image") << QByteArray(R"({"app": "a", "region": "fra", "tokenSecret": "a"})")
                              << QStringLiteral("image: is required");
    QTest::newRow("no token secret") << QByteArray(R"({"app": "a", "region": "fra", "image": "i"})")
                                     << QStringLiteral("tokenSecret: is required");
    QTest::newRow("bad region") << QByteArray("{" + QByteArray(minimal).replace("\"fra\"", "\"f r a\"") + "}")
                                << QStringLiteral("region: ");
    QTest::newRow("cpu kind") << QByteArray("{" + minimal + R"(, "cpuKind": "gpu"})") << QStringLiteral("cpuKind: ");
    QTest::newRow("cpus text") << QByteArray("{" + minimal + R"(, "cpus": "two"})")
                               << QStringLiteral("cpus: expected an integer");
    QTest::newRow("memory") << QByteArray("{" + minimal + R"(, "memoryMb": 16})") << QStringLiteral("memoryMb: ");
    QTest::newRow("no parent grace") << QByteArray("{" + minimal + R"(, "parentGraceSeconds": 0})")
                                     << QStringLiteral("parentGraceSeconds: ");
    QTest::newRow("endpoint") << QByteArray("{" + minimal + R"(, "endpointTemplate": "https://{app}.fly.dev"})")
                              << QStringLiteral("endpointTemplate: ");
    QTest::newRow("api base") << QByteArray("{" + minimal + R"(, "apiBase": "ftp://x"})")
                              << QStringLiteral("apiBase: ");
    QTest::newRow("typo") << QByteArray("{" + minimal + R"(, "memoryMB": 2048})")
                          << QStringLiteral("memoryMB: is not a Fly backend setting");
    // One token for every machine is gone: each gets its own.
    QTest::newRow("shared probe token") << QByteArray("{" + minimal + R"(, "probeTokenSecret": "probe-fra"})")
                                        << QStringLiteral("probeTokenSecret: is no longer used");
}

void tst_FlyBackend::settingsFromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QJsonParseError parseError;
    const QJsonObject object = QJsonDocument::fromJson(json, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QString why;
    const auto parsed = FlyBackend::Settings::fromJson(object, &why);
    if (error.isEmpty()) {
        QVERIFY2(parsed, qPrintable(why));
        QCOMPARE(parsed->app, QStringLiteral("ws-app"));
        QCOMPARE(parsed->endpointFor(QStringLiteral("m9")).host(), QStringLiteral("ws-app.fly.dev"));
        if (object.contains(QStringLiteral("cpus"))) {
            QCOMPARE(parsed->cpus, 2);
            QCOMPARE(parsed->cpuKind, QStringLiteral("performance"));
            QCOMPARE(parsed->bootTimeoutMs, 90'000);
            QCOMPARE(parsed->idleShutdownSeconds, 0);
        } else {
            QCOMPARE(parsed->cpuKind, QStringLiteral("shared"));
            QCOMPARE(parsed->apiBase, QUrl(QStringLiteral("https://api.machines.dev")));
            QCOMPARE(parsed->endpointFor(QStringLiteral("m9")), QUrl(QStringLiteral("wss://ws-app.fly.dev")));
        }
        return;
    }
    QVERIFY(!parsed);
    QVERIFY2(why.startsWith(error), qPrintable(why));
}

void tst_FlyBackend::bootReachesARealProbe()
{
    // The machine's probe starts with the token the create request carried, as Fly's machine would.
    ProbeProcess probe;
    const quint16 port = ProbeProcess::freePort();
    QVERIFY(port > 0);
    bool probeStarted = false;
    scriptMachine({}, {}, [&](const QJsonObject &create) {
        probeStarted = probe.start(QStringLiteral(WORLDSPEED_PROBE_EXE), machineToken(create), port);
    });
    FlyBackend::Settings s = settings();
    s.endpointTemplate = QStringLiteral("ws://127.0.0.1:%1").arg(port);
    FlyBackend backend(s, &m_secrets, m_nam.get());
    QCOMPARE(backend.kind(), QStringLiteral("fly"));
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);

    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(booted.at(0).at(0).toString(), QStringLiteral("r1"));
    QVERIFY(probeStarted);
    const auto endpoint = booted.at(0).at(1).value<ProbeClient::Endpoint>();
    QCOMPARE(endpoint.url, probe.endpoint());
    QCOMPARE(endpoint.token.size(), 43); // 256 random bits, base64url
    QVERIFY(!endpoint.insecurePlaintext);
    QCOMPARE(endpoint.headers.size(), 1);
    QCOMPARE(endpoint.headers.at(0).first, QByteArray("fly-force-instance-id"));
    QCOMPARE(endpoint.headers.at(0).second, QByteArray("m1"));

    // The create request, as the Machines API documents it.
    const auto creates = m_api->requestsFor("POST", QStringLiteral("/v1/apps/worldspeed-test/machines"));
    QCOMPARE(creates.size(), 1);
    const FakeApiServer::Request &create = creates.at(0);
    QCOMPARE(create.headers.value("authorization"), QByteArray("Bearer " + apiToken.toUtf8()));
    QVERIFY(create.headers.value("content-type").startsWith("application/json"));
    const QJsonObject body = create.json();
    QCOMPARE(body.value(QStringLiteral("region")).toString(), QStringLiteral("fra"));
    const QJsonObject config = body.value(QStringLiteral("config")).toObject();
    QCOMPARE(config.value(QStringLiteral("image")).toString(), QStringLiteral("registry.fly.io/worldspeed-probe:1"));
    QCOMPARE(config.value(QStringLiteral("guest")).toObject(),
        (QJsonObject { { QStringLiteral("cpu_kind"), QStringLiteral("shared") }, { QStringLiteral("cpus"), 1 },
            { QStringLiteral("memory_mb"), 1024 } }));
    // The token is a file of this machine's own config, not in its environment (nor an app secret, which every
    // machine of the app would get).
    QVERIFY(!config.contains(QStringLiteral("env")));
    QCOMPARE(config.value(QStringLiteral("files")).toArray(),
        (QJsonArray { QJsonObject { { QStringLiteral("guest_path"), tokenFile },
            { QStringLiteral("raw_value"), QString::fromLatin1(endpoint.token.toUtf8().toBase64()) },
            { QStringLiteral("mode"), 0444 } } }));
    QVERIFY(!create.body.contains(endpoint.token.toUtf8()));
    QCOMPARE(config.value(QStringLiteral("auto_destroy")), QJsonValue(true));
    QCOMPARE(config.value(QStringLiteral("restart")).toObject(),
        (QJsonObject { { QStringLiteral("policy"), QStringLiteral("no") } }));
    const QJsonObject init = config.value(QStringLiteral("init")).toObject();
    QCOMPARE(init.value(QStringLiteral("cmd")).toArray(),
        (QJsonArray { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:8700"),
            QStringLiteral("--insecure-plaintext"), QStringLiteral("--token-file"), tokenFile,
            QStringLiteral("--region"), QStringLiteral("fra"), QStringLiteral("--parent-grace"), QStringLiteral("60"),
            QStringLiteral("--idle-shutdown"), QStringLiteral("300") }));
    QVERIFY(!init.contains(QStringLiteral("entrypoint"))); // the image's entry point runs cmd
    QCOMPARE(config.value(QStringLiteral("checks")).toObject(),
        (QJsonObject { { QStringLiteral("probe"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("tcp") }, { QStringLiteral("port"), 8700 },
                { QStringLiteral("interval"), QStringLiteral("15s") },
                { QStringLiteral("timeout"), QStringLiteral("10s") },
                { QStringLiteral("grace_period"), QStringLiteral("30s") } } } }));
    const QJsonArray services = config.value(QStringLiteral("services")).toArray();
    QCOMPARE(services.size(), 1);
    const QJsonObject service = services.at(0).toObject();
    QCOMPARE(service.value(QStringLiteral("protocol")).toString(), QStringLiteral("tcp"));
    QCOMPARE(service.value(QStringLiteral("internal_port")).toInt(), 8700);
    QCOMPARE(service.value(QStringLiteral("ports")).toArray(),
        (QJsonArray { QJsonObject { { QStringLiteral("port"), 443 },
            { QStringLiteral("handlers"), QJsonArray { QStringLiteral("tls"), QStringLiteral("http") } } } }));

    // The wait for the machine to start.
    const auto waits = m_api->requestsFor("GET", QStringLiteral("/v1/apps/worldspeed-test/machines/m1/wait"));
    QCOMPARE(waits.size(), 1);
    QCOMPARE(waits.at(0).query.queryItemValue(QStringLiteral("state")), QStringLiteral("started"));
    QCOMPARE(waits.at(0).query.queryItemValue(QStringLiteral("instance_id")), QStringLiteral("i1"));
    const int timeout = waits.at(0).query.queryItemValue(QStringLiteral("timeout")).toInt();
    QVERIFY2(timeout >= 1 && timeout <= 60, qPrintable(QString::number(timeout)));
    QCOMPARE(waits.at(0).headers.value("authorization"), QByteArray("Bearer " + apiToken.toUtf8()));

    // The endpoint reaches the probe: handshake with the token it carries.
    QString problem;
    QVERIFY2(probe.greets(endpoint, &problem), qPrintable(problem));

    // stop(): the probe ends itself, but the machine is destroyed too, as a backstop.
    backend.stop(QStringLiteral("r1"));
    QVERIFY(QTest::qWaitFor(
        [&] { return !m_api->requestsFor("DELETE", QStringLiteral("/v1/apps/worldspeed-test/machines/m1")).isEmpty(); },
        5'000));
    const auto deletes = m_api->requestsFor("DELETE", QStringLiteral("/v1/apps/worldspeed-test/machines/m1"));
    QCOMPARE(deletes.size(), 1);
    QCOMPARE(deletes.at(0).query.queryItemValue(QStringLiteral("force")), QStringLiteral("true"));
    QCOMPARE(deletes.at(0).headers.value("authorization"), QByteArray("Bearer " + apiToken.toUtf8()));
    // Stopping again, or something unknown, does nothing.
    backend.stop(QStringLiteral("r1"));
    backend.stop(QStringLiteral("nobody"));
    QTest::qWait(100);
    QCOMPARE(m_api->requestsFor("DELETE", QStringLiteral("/v1/apps/worldspeed-test/machines/m1")).size(), 1);
}

void tst_FlyBackend::retryableAnswersAreRetried()
{
    // What FLAME retries (429 rate limited, 412 and 409 no capacity, 422 no capacity for the volume), 5xx, and
    // connections dropped without an answer (two: the network manager sends once more by itself).
    const Answer drop { 0, {}, 0, Answer::Mode::Drop };
    scriptMachine({ drop, drop, error(409, QStringLiteral("insufficient resources")),
        error(412, QStringLiteral("no capacity in fra")),
        error(422, QStringLiteral("could not reserve resource for machine")),
        error(429, QStringLiteral("rate limit exceeded")), error(500, QStringLiteral("internal error")),
        error(503, QStringLiteral("unavailable")) });
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    QCOMPARE(failed.count(), 0);
    const auto creates = m_api->requestsFor("POST", QStringLiteral("/v1/apps/worldspeed-test/machines"));
    QCOMPARE(creates.size(), 9);
    for (const FakeApiServer::Request &create : creates)
        QCOMPARE(create.body, creates.at(0).body);
}

void tst_FlyBackend::waitTimeoutsAndNotFoundAreWaitedThrough()
{
    // 408: the wait's own timeout (the machine is still starting); 404: not yet visible to that API server.
    scriptMachine({ Answer { 0, {}, 0, Answer::Mode::Drop } },
        { error(408, QStringLiteral("deadline_exceeded: machine did not reach state started")),
            error(404, QStringLiteral("machine not found")), error(502, QStringLiteral("bad gateway")) });
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    QCOMPARE(failed.count(), 0);
    QCOMPARE(m_api->requestsFor("GET", QStringLiteral("/v1/apps/worldspeed-test/machines/m1/wait")).size(), 4);
    // After the 408 it looked at the machine's state before waiting again.
    QCOMPARE(m_api->requestsFor("GET", QStringLiteral("/v1/apps/worldspeed-test/machines/m1")).size(), 1);
}

void tst_FlyBackend::refusalsFailWithFlysMessage_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("400") << 400 << QStringLiteral("invalid config.guest.memory_mb, minimum required 256 MB");
    QTest::newRow("401") << 401 << QStringLiteral("You must be authenticated to view this.");
    QTest::newRow("403") << 403 << QStringLiteral("unauthorized");
    QTest::newRow("404") << 404 << QStringLiteral("app not found");
}

void tst_FlyBackend::refusalsFailWithFlysMessage()
{
    QFETCH(int, status);
    QFETCH(QString, message);
    scriptMachine({ error(status, message) });
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.at(0).at(0).toString(), QStringLiteral("r1"));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("Fly refused to create a machine in fra: ") + message);
    QTest::qWait(100);
    QCOMPARE(booted.count(), 0);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(m_api->requests().size(), 1); // not retried, and no machine to destroy
}

void tst_FlyBackend::retriesAreBounded()
{
    FlyBackend::Settings s = settings();
    s.maxRetries = 3;
    m_api->setHandler([](const FakeApiServer::Request &) { return error(429, QStringLiteral("rate limit exceeded")); });
    FlyBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral("Fly could not create a machine in fra after 4 attempts: rate limit exceeded"));
    QCOMPARE(m_api->requests().size(), 4);
}

void tst_FlyBackend::bootTimeout()
{
    // The machine never starts: every wait ends with the API's 408 after a while, and the machine keeps
    // "starting".
    scriptMachine();
    auto script = m_api->handler();
    m_api->setHandler([script](const FakeApiServer::Request &request) {
        if (request.path.endsWith(QStringLiteral("/wait"))) {
            Answer answer = error(408, QStringLiteral("deadline_exceeded"));
            answer.delayMs = 150;
            return answer;
        }
        return script(request);
    });
    FlyBackend::Settings s = settings();
    s.bootTimeoutMs = 1'500;
    FlyBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    QElapsedTimer clock;
    clock.start();
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(elapsed >= 1'400 && elapsed < 4'000, qPrintable(QString::number(elapsed)));
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral(
            "the Fly machine in fra did not start within 1.50 s (last answer: the machine had not started yet)"));
    QCOMPARE(booted.count(), 0);
    // The machine that did not start in time is destroyed.
    QVERIFY(QTest::qWaitFor(
        [&] { return !m_api->requestsFor("DELETE", QStringLiteral("/v1/apps/worldspeed-test/machines/m1")).isEmpty(); },
        5'000));
}

void tst_FlyBackend::machineThatStopsFailsEarly()
{
    scriptMachine({}, { error(408, QStringLiteral("deadline_exceeded")) });
    auto script = m_api->handler();
    m_api->setHandler([script](const FakeApiServer::Request &request) {
        if (request.method == "GET" && request.path == QStringLiteral("/v1/apps/worldspeed-test/machines/m1"))
            return Answer { 200,
                { { QStringLiteral("id"), QStringLiteral("m1") },
                    { QStringLiteral("state"), QStringLiteral("stopped") } } };
        return script(request);
    });
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("the Fly machine m1 in fra is stopped instead of starting"));
    QVERIFY(QTest::qWaitFor(
        [&] { return !m_api->requestsFor("DELETE", QStringLiteral("/v1/apps/worldspeed-test/machines/m1")).isEmpty(); },
        5'000));
}

void tst_FlyBackend::missingSecretsFail_data()
{
    QTest::addColumn<QString>("removeKey");
    QTest::addColumn<QString>("storeFailure");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no api token") << QStringLiteral("fly-token") << QString()
                                  << QStringLiteral(
                                         "no Fly API token: the secret store holds nothing under \"fly-token\"");
    QTest::newRow("store locked")
        << QString() << QStringLiteral("the keychain is locked")
        << QStringLiteral("cannot read the Fly API token \"fly-token\" from the secret store: the keychain is locked");
}

void tst_FlyBackend::missingSecretsFail()
{
    QFETCH(QString, removeKey);
    QFETCH(QString, storeFailure);
    QFETCH(QString, reason);
    scriptMachine();
    m_secrets.values.remove(removeKey);
    m_secrets.failure = storeFailure;
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootRefused); // waiting would not help: the pool does not retry
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(5'000));
    QCOMPARE(failed.at(0).at(1).toString(), reason);
    QCOMPARE(m_api->requests().size(), 0);
}

void tst_FlyBackend::stopWhileCreatingDestroysTheMachine()
{
    scriptMachine();
    auto script = m_api->handler();
    m_api->setHandler([script](const FakeApiServer::Request &request) {
        Answer answer = script(request);
        if (request.method == "POST")
            answer.delayMs = 300;
        return answer;
    });
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(QTest::qWaitFor([&] { return !m_api->requests().isEmpty(); }, 5'000));
    backend.stop(QStringLiteral("r1"));
    // The create request was already on its way: the machine it makes is destroyed once Fly names it.
    QVERIFY(QTest::qWaitFor(
        [&] { return !m_api->requestsFor("DELETE", QStringLiteral("/v1/apps/worldspeed-test/machines/m1")).isEmpty(); },
        5'000));
    QTest::qWait(100);
    QCOMPARE(booted.count(), 0);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(m_api->requestsFor("GET", QStringLiteral("/v1/apps/worldspeed-test/machines/m1/wait")).size(), 0);
}

void tst_FlyBackend::destroyingTheBackendDestroysItsMachines()
{
    scriptMachine();
    auto backend = std::make_unique<FlyBackend>(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(backend.get(), &Backend::booted);
    backend->boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    backend.reset();
    QVERIFY(QTest::qWaitFor(
        [&] { return !m_api->requestsFor("DELETE", QStringLiteral("/v1/apps/worldspeed-test/machines/m1")).isEmpty(); },
        5'000));
}

void tst_FlyBackend::answersNeverComeFromInsideTheCall()
{
    scriptMachine();
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    backend.boot(QStringLiteral("r1")); // already booting
    QCOMPARE(failed.count(), 0);
    QVERIFY(failed.wait(5'000));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("runner r1 is already booting or booted"));
    QVERIFY(booted.wait(10'000));
    QCOMPARE(m_api->requestsFor("POST", QStringLiteral("/v1/apps/worldspeed-test/machines")).size(), 1);
}

void tst_FlyBackend::tokensAreNeverLogged()
{
    // An API that quotes the request back, both tokens included, the machine's also as the file carried it.
    auto machineTokens = std::make_shared<QStringList>();
    m_api->setHandler([machineTokens](const FakeApiServer::Request &request) {
        machineTokens->append(machineToken(request.json()));
        return error(400,
            QStringLiteral("invalid file with %1 (%2) for key %3")
                .arg(machineTokens->last(), QString::fromLatin1(machineTokens->last().toUtf8().toBase64()),
                    QString::fromLatin1(request.headers.value("authorization").mid(7))));
    });
    capturedLog.clear();
    previousHandler = qInstallMessageHandler(captureMessage);
    const auto restore = qScopeGuard([] { qInstallMessageHandler(previousHandler); });
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    QCOMPARE(machineTokens->size(), 1);
    const QString probeToken = machineTokens->first();
    QCOMPARE(probeToken.size(), 43);
    const QString reason = failed.at(0).at(1).toString();
    QCOMPARE(reason,
        QStringLiteral(
            "Fly refused to create a machine in fra: invalid file with [redacted] ([redacted]) for key [redacted]"));
    QVERIFY(!capturedLog.isEmpty());
    for (const QString &line : std::as_const(capturedLog)) {
        QVERIFY2(!line.contains(apiToken) && !line.contains(probeToken)
                && !line.contains(QString::fromLatin1(probeToken.toUtf8().toBase64())),
            qPrintable(line));
    }
}

void tst_FlyBackend::eachMachineGetsItsOwnToken()
{
    scriptMachine();
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    backend.boot(QStringLiteral("r1"));
    backend.boot(QStringLiteral("r2"));
    QTRY_COMPARE_WITH_TIMEOUT(booted.count(), 2, 10'000);
    const auto creates = m_api->requestsFor("POST", QStringLiteral("/v1/apps/worldspeed-test/machines"));
    QCOMPARE(creates.size(), 2);
    QHash<QString, QString> tokens; // runner → the token its endpoint carries
    for (const QList<QVariant> &boot : std::as_const(booted))
        tokens.insert(boot.at(0).toString(), boot.at(1).value<ProbeClient::Endpoint>().token);
    QCOMPARE(QSet<QString>({ machineToken(creates.at(0).json()), machineToken(creates.at(1).json()) }),
        QSet<QString>({ tokens.value(QStringLiteral("r1")), tokens.value(QStringLiteral("r2")) }));
    QVERIFY(tokens.value(QStringLiteral("r1")) != tokens.value(QStringLiteral("r2")));
    QCOMPARE(tokens.value(QStringLiteral("r1")).size(), 43);
}

void tst_FlyBackend::machinesMatchTheContainerImage()
{
    // The machine config asks the image for what the image's own files promise: the token where its entry point
    // looks, the port it listens on, and its own entry point and user (neither is overridden).
    QString error;
    const ContainerImage image = ContainerImage::fromSources(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    scriptMachine();
    const FlyBackend::Settings s = settings();
    QCOMPARE(s.port, image.port);
    FlyBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    const QJsonObject config = m_api->requestsFor("POST", QStringLiteral("/v1/apps/worldspeed-test/machines"))
                                   .at(0)
                                   .json()
                                   .value(QStringLiteral("config"))
                                   .toObject();
    const QJsonObject file = config.value(QStringLiteral("files")).toArray().at(0).toObject();
    QCOMPARE(file.value(QStringLiteral("guest_path")).toString(), image.tokenPath);
    QCOMPARE(file.value(QStringLiteral("mode")).toInt(), 0444); // the image's user is not root
    QVERIFY(image.uid > 0);
    const QJsonObject init = config.value(QStringLiteral("init")).toObject();
    QCOMPARE(init.keys(), QStringList { QStringLiteral("cmd") });
    QCOMPARE(
        init.value(QStringLiteral("cmd")).toArray().at(2).toString(), QStringLiteral("0.0.0.0:%1").arg(image.port));
    QCOMPARE(config.value(QStringLiteral("services")).toArray().at(0).toObject().value(QStringLiteral("internal_port")),
        image.port);
    QCOMPARE(config.value(QStringLiteral("checks"))
                 .toObject()
                 .value(QStringLiteral("probe"))
                 .toObject()
                 .value(QStringLiteral("port")),
        image.port);
}

void tst_FlyBackend::plaintextOffLoopbackIsRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid
    const QByteArray minimal = R"("app": "ws-app", "region": "fra", "image": "registry.fly.io/p:1",
        "tokenSecret": "fly-token")";
    QTest::newRow("api") << QByteArray("{" + minimal + R"(, "apiBase": "http://api.example.net:4280"})")
                         << QStringLiteral(
                                "apiBase: refusing http://api.example.net:4280: the Fly API token would cross the "
                                "network to api.example.net unencrypted; use a https:// URL, or set "
                                "\"insecurePlaintext\": true in this backend in the fleet config if the network "
                                "between is encrypted by other means");
    QTest::newRow("endpoint") << QByteArray("{" + minimal + R"(, "endpointTemplate": "ws://{app}.internal:8700"})")
                              << QStringLiteral(
                                     "endpointTemplate: refusing ws://app.internal:8700: the probe token would cross "
                                     "the network to app.internal unencrypted; use a wss:// URL, or set "
                                     "\"insecurePlaintext\": true in this backend in the fleet config if the network "
                                     "between is encrypted by other means");
    QTest::newRow("allowed") << QByteArray("{" + minimal + R"(, "apiBase": "http://api.example.net:4280",
        "endpointTemplate": "ws://{app}.internal:8700", "insecurePlaintext": true})")
                             << QString();
    QTest::newRow("loopback") << QByteArray("{" + minimal + R"(, "apiBase": "http://127.0.0.1:4280",
        "endpointTemplate": "ws://localhost:8700"})")
                              << QString();
}

void tst_FlyBackend::plaintextOffLoopbackIsRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QString why;
    const auto parsed = FlyBackend::Settings::fromJson(QJsonDocument::fromJson(json).object(), &why);
    QCOMPARE(why, error);
    QCOMPARE(parsed.has_value(), error.isEmpty());
    if (parsed) {
        QCOMPARE(parsed->insecurePlaintext, json.contains("insecurePlaintext"));
        QCOMPARE(parsed->endpointFor(QStringLiteral("m1")).scheme(), QStringLiteral("ws"));
    }
}

void tst_FlyBackend::plaintextApiIsNotUsed()
{
    // Settings made in code, past fromJson: the API client refuses too, before the secret store is even asked.
    // (.invalid never resolves, so a client that did not refuse would send nothing anywhere.)
    FlyBackend::Settings s = settings();
    s.apiBase = QUrl(QStringLiteral("http://api.invalid:4280"));
    FlyBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootRefused); // waiting would not help: the pool does not retry
    backend.boot(QStringLiteral("r1"));
    QCOMPARE(failed.count(), 0); // never from inside the call
    QVERIFY(failed.wait(5'000));
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral("refusing http://api.invalid:4280: the Fly API token would cross the network to api.invalid "
                       "unencrypted; use a https:// URL, or set \"insecurePlaintext\": true in this region's backend "
                       "in the fleet config if the network between is encrypted by other means"));
}

QTEST_GUILESS_MAIN(tst_FlyBackend)
#include "tst_flybackend.moc"
