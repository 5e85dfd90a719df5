// FlyBackend booting machines: a real probe reached through a started machine, answers that are retried (and how
// often), refusals, timeouts, a machine that stops, and the machines it destroys; never an answer from inside a call.
//
// The fake (tests/support/flyfixture) follows the documented Machines API; it is NOT the real service, which these
// tests never contact. A "started" machine is a real worldspeed-probe on loopback, started with the token its create
// request carried and reached through the endpoint the backend returns.

#include "containerimage.h"
#include "fakeapiserver.h"
#include "fleet/flybackend.h"
#include "fleet/probeclient.h"
#include "flyfixture.h"
#include "probeprocess.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include <functional>
#include <memory>

using namespace FakeFly;

class tst_FlyBackendBoot : public QObject, private FlyFixture
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void bootReachesARealProbe();
    void retryableAnswersAreRetried();
    void waitTimeoutsAndNotFoundAreWaitedThrough();
    void refusalsFailWithFlysMessage_data();
    void refusalsFailWithFlysMessage();
    void retriesAreBounded();
    void bootTimeout();
    void machineThatStopsFailsEarly();
    void stopWhileCreatingDestroysTheMachine();
    void destroyingTheBackendDestroysItsMachines();
    void answersNeverComeFromInsideTheCall();

private:
    // bootReachesARealProbe's check of the one create request: the documented Machines API, the probe's command,
    // checks and service, and its token (`token`) as a file of the machine's own config and nowhere else.
    void checkMachineCreate(const QString &token);
};

void tst_FlyBackendBoot::init()
{
    QVERIFY(startApi());
}

void tst_FlyBackendBoot::cleanup()
{
    stopApi();
}

void tst_FlyBackendBoot::checkMachineCreate(const QString &token)
{
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
            { QStringLiteral("raw_value"), QString::fromLatin1(token.toUtf8().toBase64()) },
            { QStringLiteral("mode"), 0444 } } }));
    QVERIFY(!create.body.contains(token.toUtf8()));
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
}

void tst_FlyBackendBoot::bootReachesARealProbe()
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
    checkMachineCreate(endpoint.token);
    if (QTest::currentTestFailed())
        return;

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

void tst_FlyBackendBoot::retryableAnswersAreRetried()
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

void tst_FlyBackendBoot::waitTimeoutsAndNotFoundAreWaitedThrough()
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

void tst_FlyBackendBoot::refusalsFailWithFlysMessage_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("message");
    QTest::newRow("400") << 400 << QStringLiteral("invalid config.guest.memory_mb, minimum required 256 MB");
    QTest::newRow("401") << 401 << QStringLiteral("You must be authenticated to view this.");
    QTest::newRow("403") << 403 << QStringLiteral("unauthorized");
    QTest::newRow("404") << 404 << QStringLiteral("app not found");
}

void tst_FlyBackendBoot::refusalsFailWithFlysMessage()
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

void tst_FlyBackendBoot::retriesAreBounded()
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

void tst_FlyBackendBoot::bootTimeout()
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

void tst_FlyBackendBoot::machineThatStopsFailsEarly()
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

void tst_FlyBackendBoot::stopWhileCreatingDestroysTheMachine()
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

void tst_FlyBackendBoot::destroyingTheBackendDestroysItsMachines()
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

void tst_FlyBackendBoot::answersNeverComeFromInsideTheCall()
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

QTEST_GUILESS_MAIN(tst_FlyBackendBoot)
#include "tst_flybackendboot.moc"
