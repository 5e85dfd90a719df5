// KubernetesBackend booting pods: a real probe reached through a Running pod, pods that cannot start, refused and
// retried creates, timeouts, unschedulable pods, and the pods and Secrets it deletes (and those it leaves alone).
//
// The fake (tests/support/fakekubernetes) follows the documented core/v1 Pod and Secret API; it is NOT a real
// cluster, which these tests never contact. A "Running" pod is a real worldspeed-probe on loopback, started with the
// token of its Secret and reached through the endpoint the backend returns.

#include "containerimage.h"
#include "fakeapiserver.h"
#include "fakekubernetes.h"
#include "fleet/kubernetesbackend.h"
#include "fleet/probeclient.h"
#include "kubernetesfixture.h"
#include "probeprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace FakeKubernetes;

class tst_KubernetesBackendBoot : public QObject, private KubernetesFixture
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void bootReachesARealProbe();
    void podsThatCannotStartFail_data();
    void podsThatCannotStartFail();
    void refusedCreatesFailWithTheStatusMessage_data();
    void refusedCreatesFailWithTheStatusMessage();
    void createIsRetriedAndFindsItsOwnPod_data();
    void createIsRetriedAndFindsItsOwnPod();
    void someoneElsesPodIsLeftAlone();
    void bootTimeout();
    void unschedulableWaitsForANode();
    void unschedulableUntilTheDeadline();
    void podDeletedWhileStarting();
    void stopWhileCreatingDeletesThePod();
    void missingSecretsFail();
    void destroyingTheBackendDeletesItsPods();

private:
    // bootReachesARealProbe's check of the one pod create request: the documented Pod API, named like the token
    // Secret `secretName`, locked to its region, the token (`token`) mounted from that Secret and in no spec.
    void checkPodCreate(const QString &token, const QString &secretName);
};

void tst_KubernetesBackendBoot::init()
{
    QVERIFY(startApi());
}

void tst_KubernetesBackendBoot::cleanup()
{
    stopApi();
}

void tst_KubernetesBackendBoot::checkPodCreate(const QString &token, const QString &secretName)
{
    const auto creates = m_api->requestsUnder("POST", podsPath);
    QCOMPARE(creates.size(), 1);
    QCOMPARE(creates.at(0).path, podsPath);
    QCOMPARE(creates.at(0).headers.value("authorization"), QByteArray("Bearer " + apiToken.toUtf8()));
    QVERIFY(creates.at(0).headers.value("content-type").startsWith("application/json"));
    const QJsonObject pod = creates.at(0).json();
    QCOMPARE(pod.value(QStringLiteral("apiVersion")).toString(), QStringLiteral("v1"));
    QCOMPARE(pod.value(QStringLiteral("kind")).toString(), QStringLiteral("Pod"));
    QVERIFY(!creates.at(0).body.contains(token.toUtf8())); // the token is in no pod spec
    const QJsonObject metadata = pod.value(QStringLiteral("metadata")).toObject();
    const QString name = metadata.value(QStringLiteral("name")).toString();
    QCOMPARE(secretName, name);
    QVERIFY2(QRegularExpression(QStringLiteral("^worldspeed-probe-fra-[0-9a-f]{10}$")).match(name).hasMatch(),
        qPrintable(name));
    QCOMPARE(metadata.value(QStringLiteral("namespace")).toString(), QStringLiteral("worldspeed"));
    QCOMPARE(metadata.value(QStringLiteral("labels")).toObject(),
        (QJsonObject { { QStringLiteral("app.kubernetes.io/name"), QStringLiteral("worldspeed-probe") },
            { QStringLiteral("worldspeed.io/region"), QStringLiteral("fra") },
            { QStringLiteral("worldspeed.io/runner"), QStringLiteral("r1") } }));
    const QJsonObject spec = pod.value(QStringLiteral("spec")).toObject();
    QCOMPARE(spec.value(QStringLiteral("restartPolicy")).toString(), QStringLiteral("Never"));
    QCOMPARE(spec.value(QStringLiteral("nodeSelector")).toObject(),
        (QJsonObject { { QStringLiteral("topology.kubernetes.io/region"), QStringLiteral("fra") } }));
    const QJsonArray containers = spec.value(QStringLiteral("containers")).toArray();
    QCOMPARE(containers.size(), 1);
    const QJsonObject container = containers.at(0).toObject();
    QCOMPARE(container.value(QStringLiteral("image")).toString(), QStringLiteral("ghcr.io/example/worldspeed-probe:1"));
    // Only args: the image's entry point runs them (packaging/container/entrypoint.sh).
    QVERIFY(!container.contains(QStringLiteral("command")));
    QCOMPARE(container.value(QStringLiteral("args")).toArray(),
        (QJsonArray { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:8700"),
            QStringLiteral("--region"), QStringLiteral("fra"), QStringLiteral("--parent-grace"), QStringLiteral("60"),
            QStringLiteral("--idle-shutdown"), QStringLiteral("300"), QStringLiteral("--insecure-plaintext") }));
    // The token reaches the pod as a file of its Secret, not through the environment.
    QVERIFY(!creates.at(0).body.contains("WORLDSPEED_PROBE_TOKEN"));
    QVERIFY(spec.value(QStringLiteral("volumes"))
                .toArray()
                .contains(QJsonObject { { QStringLiteral("name"), QStringLiteral("probe-token") },
                    { QStringLiteral("secret"),
                        QJsonObject { { QStringLiteral("secretName"), name },
                            { QStringLiteral("items"),
                                QJsonArray { QJsonObject { { QStringLiteral("key"), QStringLiteral("token") },
                                    { QStringLiteral("path"), QStringLiteral("worldspeed-probe-token") } } } },
                            { QStringLiteral("defaultMode"), 0440 } } } }));
}

void tst_KubernetesBackendBoot::bootReachesARealProbe()
{
    // The pod's probe starts with the token of the pod's Secret, as the kubelet would hand it over.
    ProbeProcess probe;
    const quint16 port = ProbeProcess::freePort();
    QVERIFY(port > 0);
    bool probeStarted = false;
    auto cluster = std::make_shared<FakeCluster>();
    cluster->secrets.onCreate = [&](const QJsonObject &secret) {
        const QByteArray token = QByteArray::fromBase64(
            secret.value(QStringLiteral("data")).toObject().value(QStringLiteral("token")).toString().toLatin1());
        probeStarted = probe.start(QStringLiteral(WORLDSPEED_PROBE_EXE), QString::fromUtf8(token), port);
    };
    serve(cluster);
    KubernetesBackend::Settings s = settings();
    s.endpointTemplate = QStringLiteral("ws://{podIP}:%1").arg(port);
    KubernetesBackend backend(s, &m_secrets, m_nam.get());
    QCOMPARE(backend.kind(), QStringLiteral("kubernetes"));
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
    QVERIFY(endpoint.headers.isEmpty());

    // The token Secret first, as the Secret API documents it: the pod's own, named like it, the token base64.
    const auto secretCreates = m_api->requestsUnder("POST", secretsPath);
    QCOMPARE(secretCreates.size(), 1);
    QCOMPARE(secretCreates.at(0).headers.value("authorization"), QByteArray("Bearer " + apiToken.toUtf8()));
    const QJsonObject secret = secretCreates.at(0).json();
    QCOMPARE(secret.value(QStringLiteral("kind")).toString(), QStringLiteral("Secret"));
    QCOMPARE(secret.value(QStringLiteral("type")).toString(), QStringLiteral("Opaque"));
    const QString secretName
        = secret.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString();
    QCOMPARE(cluster->secrets.tokenOf(secretName), endpoint.token);
    QVERIFY(m_api->requests().first().path == secretsPath); // before the pod that needs it

    // The create request, as the Pod API documents it.
    checkPodCreate(endpoint.token, secretName);
    if (QTest::currentTestFailed())
        return;
    const QString &name = secretName;

    // Polled until Running, with an IP, and Ready.
    const auto polls = m_api->requestsUnder("GET", podsPath + u'/' + name);
    QCOMPARE(polls.size(), 3);
    for (const FakeApiServer::Request &poll : polls)
        QCOMPARE(poll.headers.value("authorization"), QByteArray("Bearer " + apiToken.toUtf8()));

    // The endpoint reaches the probe: handshake with the token it carries.
    QString problem;
    QVERIFY2(probe.greets(endpoint, &problem), qPrintable(problem));

    backend.stop(QStringLiteral("r1"));
    QVERIFY(QTest::qWaitFor([&] { return !m_api->requestsUnder("DELETE", podsPath).isEmpty(); }, 5'000));
    const auto deletes = m_api->requestsUnder("DELETE", podsPath);
    QCOMPARE(deletes.size(), 1);
    QCOMPARE(deletes.at(0).path, podsPath + u'/' + name);
    QCOMPARE(deletes.at(0).headers.value("authorization"), QByteArray("Bearer " + apiToken.toUtf8()));
    QVERIFY(cluster->pods.isEmpty());
    // The token Secret goes with its pod.
    QVERIFY(QTest::qWaitFor([&] { return cluster->secrets.secrets.isEmpty(); }, 5'000));
    QCOMPARE(m_api->requestsUnder("DELETE", secretsPath).at(0).path, secretsPath + u'/' + name);
    backend.stop(QStringLiteral("r1"));
    QTest::qWait(100);
    QCOMPARE(m_api->requestsUnder("DELETE", podsPath).size(), 1);
}

void tst_KubernetesBackendBoot::podsThatCannotStartFail_data()
{
    QTest::addColumn<QJsonObject>("podStatus");
    QTest::addColumn<QString>("reason"); // %1: the pod's name

    QTest::newRow("ErrImagePull")
        << waiting(QStringLiteral("ErrImagePull"),
               QStringLiteral("rpc error: code = NotFound desc = failed to pull and unpack image "
                              "\"ghcr.io/example/worldspeed-probe:1\": not found"))
        << QStringLiteral("Kubernetes cannot start the probe pod %1 in fra: ErrImagePull: rpc error: code = NotFound "
                          "desc = failed to pull and unpack image \"ghcr.io/example/worldspeed-probe:1\": not found");
    QTest::newRow("ImagePullBackOff") << waiting(
        QStringLiteral("ImagePullBackOff"), QStringLiteral("Back-off pulling image \"ghcr.io/x\""))
                                      << QStringLiteral("Kubernetes cannot start the probe pod %1 in fra: "
                                                        "ImagePullBackOff: Back-off pulling image \"ghcr.io/x\"");
    QTest::newRow("InvalidImageName") << waiting(
        QStringLiteral("InvalidImageName"), QStringLiteral("couldn't parse image reference \"UPPER\""))
                                      << QStringLiteral("Kubernetes cannot start the probe pod %1 in fra: "
                                                        "InvalidImageName: couldn't parse image reference \"UPPER\"");
    QTest::newRow("Failed")
        << QJsonObject { { QStringLiteral("phase"), QStringLiteral("Failed") },
               { QStringLiteral("reason"), QStringLiteral("OutOfmemory") },
               { QStringLiteral("message"), QStringLiteral("Pod Node didn't have enough resource: memory") } }
        << QStringLiteral(
               "the probe pod %1 in fra failed before it was reached: Pod Node didn't have enough resource: memory");
    QTest::newRow("exited") << QJsonObject { { QStringLiteral("phase"), QStringLiteral("Succeeded") },
        { QStringLiteral("containerStatuses"),
            QJsonArray { QJsonObject { { QStringLiteral("name"), QStringLiteral("probe") },
                { QStringLiteral("state"),
                    QJsonObject { { QStringLiteral("terminated"),
                        QJsonObject { { QStringLiteral("reason"), QStringLiteral("Completed") },
                            { QStringLiteral("exitCode"), 0 } } } } } } } } }
                            << QStringLiteral(
                                   "the probe pod %1 in fra exited before it was reached: Completed, exit code 0");
}

void tst_KubernetesBackendBoot::podsThatCannotStartFail()
{
    QFETCH(QJsonObject, podStatus);
    QFETCH(QString, reason);
    auto cluster = std::make_shared<FakeCluster>();
    cluster->statuses = { pending(), podStatus };
    serve(cluster);
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    const QString name = m_api->requestsUnder("POST", podsPath)
                             .at(0)
                             .json()
                             .value(QStringLiteral("metadata"))
                             .toObject()
                             .value(QStringLiteral("name"))
                             .toString();
    QCOMPARE(failed.at(0).at(1).toString(), reason.arg(name));
    // The pod that will not start is deleted.
    QVERIFY(QTest::qWaitFor([&] { return cluster->pods.isEmpty(); }, 5'000));
    QCOMPARE(m_api->requestsUnder("DELETE", podsPath).at(0).path, podsPath + u'/' + name);
    QCOMPARE(booted.count(), 0);
}

void tst_KubernetesBackendBoot::refusedCreatesFailWithTheStatusMessage_data()
{
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("statusReason");
    QTest::addColumn<QString>("message");
    QTest::newRow("quota")
        << 403 << QStringLiteral("Forbidden")
        << QStringLiteral("pods \"worldspeed-probe-fra-0\" is forbidden: exceeded quota: compute-resources, requested: "
                          "pods=1, used: pods=4, limited: pods=4");
    QTest::newRow("invalid")
        << 422 << QStringLiteral("Invalid")
        << QStringLiteral("Pod \"worldspeed-probe-fra-0\" is invalid: spec.containers[0].image: Required value");
    QTest::newRow("unauthorized") << 401 << QStringLiteral("Unauthorized") << QStringLiteral("Unauthorized");
}

void tst_KubernetesBackendBoot::refusedCreatesFailWithTheStatusMessage()
{
    QFETCH(int, code);
    QFETCH(QString, statusReason);
    QFETCH(QString, message);
    auto cluster = std::make_shared<FakeCluster>();
    cluster->createAnswers = { status(code, statusReason, message) };
    serve(cluster);
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    QCOMPARE(failed.at(0).at(1).toString(), QStringLiteral("Kubernetes refused to create a pod in fra: ") + message);
    QTest::qWait(100);
    QCOMPARE(m_api->requestsUnder("POST", podsPath).size(), 1); // not retried
    QCOMPARE(m_api->requestsUnder("DELETE", podsPath).size(), 0); // and no pod of ours to delete
    QVERIFY(QTest::qWaitFor([&] { return cluster->secrets.secrets.isEmpty(); }, 5'000)); // its Secret goes
}

void tst_KubernetesBackendBoot::createIsRetriedAndFindsItsOwnPod_data()
{
    QTest::addColumn<QList<int>>("createAnswers"); // status codes; 0: the connection is dropped
    QTest::addColumn<bool>("droppedCreatesThePod");
    QTest::newRow("5xx and 429") << QList<int> { 500, 429 } << false;
    // Twice: the network manager sends once more by itself after a dropped connection.
    QTest::newRow("connection dropped") << QList<int> { 0, 0 } << false;
    // The pod was made but the answer lost: the next attempt's 409 AlreadyExists means "yours is there".
    QTest::newRow("answer lost") << QList<int> { 0 } << true;
    QTest::newRow("errors, then answer lost") << QList<int> { 500, 429, 0 } << true;
}

void tst_KubernetesBackendBoot::createIsRetriedAndFindsItsOwnPod()
{
    QFETCH(QList<int>, createAnswers);
    QFETCH(bool, droppedCreatesThePod);
    auto cluster = std::make_shared<FakeCluster>();
    for (int code : createAnswers) {
        cluster->createAnswers.append(code == 0
                ? Answer { 0, {}, 0, Answer::Mode::Drop }
                : status(code, code == 429 ? QStringLiteral("TooManyRequests") : QStringLiteral("InternalError"),
                    QStringLiteral("try again")));
    }
    cluster->createEvenWhenRefusing = droppedCreatesThePod;
    serve(cluster);
    // And a 503 while polling is polled through.
    auto inner = m_api->handler();
    auto answered503 = std::make_shared<bool>(false);
    m_api->setHandler([inner, answered503](const FakeApiServer::Request &request) {
        if (request.method == "GET" && !*answered503) {
            *answered503 = true;
            return status(503, QStringLiteral("ServiceUnavailable"),
                QStringLiteral("the server is currently unable to handle the request"));
        }
        return inner(request);
    });
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY2(booted.wait(10'000), failed.isEmpty() ? "no answer" : qPrintable(failed.at(0).at(1).toString()));
    QCOMPARE(failed.count(), 0);
    const auto creates = m_api->requestsUnder("POST", podsPath);
    QCOMPARE(creates.size(), createAnswers.size() + 1);
    QCOMPARE(cluster->pods.size(), 1);
    // Every attempt asked for the same pod.
    for (const FakeApiServer::Request &create : creates)
        QCOMPARE(create.body, creates.at(0).body);
    QVERIFY(*answered503);
}

void tst_KubernetesBackendBoot::someoneElsesPodIsLeftAlone()
{
    // A 409 AlreadyExists for a pod that is not this runner's (its annotation says so): fail, and do not delete it.
    auto cluster = std::make_shared<FakeCluster>();
    serve(cluster);
    auto inner = m_api->handler();
    m_api->setHandler([inner, cluster](const FakeApiServer::Request &request) {
        if (request.method == "POST") {
            QJsonObject foreign = request.json();
            QJsonObject metadata = foreign.value(QStringLiteral("metadata")).toObject();
            metadata.insert(QStringLiteral("annotations"),
                QJsonObject { { QStringLiteral("worldspeed.io/runner-id"), QStringLiteral("other") } });
            foreign.insert(QStringLiteral("metadata"), metadata);
            cluster->pods.insert(metadata.value(QStringLiteral("name")).toString(), foreign);
        }
        return inner(request);
    });
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    const QString name = cluster->pods.keys().value(0);
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral(
            "Kubernetes refused to create a pod in fra: a pod named %1 that is not this runner's exists already")
            .arg(name));
    QTest::qWait(100);
    QCOMPARE(cluster->pods.size(), 1);
    QCOMPARE(m_api->requestsUnder("DELETE", podsPath).size(), 0);
}

void tst_KubernetesBackendBoot::bootTimeout()
{
    auto cluster = std::make_shared<FakeCluster>();
    cluster->statuses = { pending() };
    serve(cluster);
    KubernetesBackend::Settings s = settings();
    s.bootTimeoutMs = 1'200;
    s.pollIntervalMs = 100;
    KubernetesBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    QElapsedTimer clock;
    clock.start();
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(elapsed >= 1'100 && elapsed < 4'000, qPrintable(QString::number(elapsed)));
    const QString name = cluster->pods.isEmpty() ? QString() : cluster->pods.keys().first();
    QVERIFY(!name.isEmpty());
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral("the probe pod %1 in fra was not ready within 1.20 s (last seen: phase Pending)").arg(name));
    QVERIFY(QTest::qWaitFor([&] { return cluster->pods.isEmpty(); }, 5'000));
    QCOMPARE(booted.count(), 0);
}

void tst_KubernetesBackendBoot::unschedulableWaitsForANode()
{
    // What a cluster autoscaler does for a pending pod: a node comes up, the pod is scheduled and runs.
    auto cluster = std::make_shared<FakeCluster>();
    cluster->statuses = { pending(), unschedulablePod(), unschedulablePod(), unschedulablePod(), running(true) };
    serve(cluster);
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    QCOMPARE(failed.count(), 0);
}

void tst_KubernetesBackendBoot::unschedulableUntilTheDeadline()
{
    auto cluster = std::make_shared<FakeCluster>();
    cluster->statuses = { unschedulablePod() };
    serve(cluster);
    KubernetesBackend::Settings s = settings();
    s.bootTimeoutMs = 1'000;
    KubernetesBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    const QString name = cluster->pods.isEmpty() ? QString() : cluster->pods.keys().first();
    QVERIFY(!name.isEmpty());
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral("the probe pod %1 in fra was not ready within 1 s (last seen: phase Pending, unschedulable: "
                       "0/3 nodes are available: 3 Insufficient cpu.)")
            .arg(name));
    QVERIFY(QTest::qWaitFor([&] { return cluster->pods.isEmpty(); }, 5'000)); // and the pod is deleted
}

void tst_KubernetesBackendBoot::podDeletedWhileStarting()
{
    auto cluster = std::make_shared<FakeCluster>();
    cluster->statuses = { pending() };
    serve(cluster);
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(QTest::qWaitFor([&] { return !cluster->pods.isEmpty(); }, 5'000));
    const QString name = cluster->pods.keys().first();
    cluster->pods.clear(); // someone ran kubectl delete
    QVERIFY(failed.wait(5'000));
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral("the probe pod %1 in fra was deleted before it was ready").arg(name));
}

void tst_KubernetesBackendBoot::stopWhileCreatingDeletesThePod()
{
    auto cluster = std::make_shared<FakeCluster>();
    serve(cluster);
    auto inner = m_api->handler();
    m_api->setHandler([inner](const FakeApiServer::Request &request) {
        Answer answer = inner(request);
        if (request.method == "POST" && request.path == podsPath)
            answer.delayMs = 300;
        return answer;
    });
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(QTest::qWaitFor([&] { return !m_api->requestsUnder("POST", podsPath).isEmpty(); }, 5'000));
    backend.stop(QStringLiteral("r1"));
    // The create was already on its way: the pod it makes is deleted once it exists, and its Secret with it.
    QVERIFY(QTest::qWaitFor([&] { return !m_api->requestsUnder("DELETE", podsPath).isEmpty(); }, 5'000));
    QVERIFY(QTest::qWaitFor([&] { return cluster->secrets.secrets.isEmpty(); }, 5'000));
    QTest::qWait(100);
    QVERIFY(cluster->pods.isEmpty());
    QCOMPARE(booted.count(), 0);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(m_api->requestsUnder("GET", podsPath).size(), 0);
}

void tst_KubernetesBackendBoot::missingSecretsFail()
{
    serve(std::make_shared<FakeCluster>());
    m_secrets.secrets.remove(QStringLiteral("k8s-token"));
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootRefused); // waiting would not help: the pool does not retry
    backend.boot(QStringLiteral("r1"));
    QCOMPARE(failed.count(), 0); // never from inside the call
    QVERIFY(failed.wait(5'000));
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral("no Kubernetes API token: the secret store holds nothing under \"k8s-token\""));
    QCOMPARE(m_api->requests().size(), 0);
}

void tst_KubernetesBackendBoot::destroyingTheBackendDeletesItsPods()
{
    auto cluster = std::make_shared<FakeCluster>();
    serve(cluster);
    auto backend = std::make_unique<KubernetesBackend>(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(backend.get(), &Backend::booted);
    backend->boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    QCOMPARE(cluster->pods.size(), 1);
    backend.reset();
    QVERIFY(QTest::qWaitFor([&] { return cluster->pods.isEmpty(); }, 5'000));
    QVERIFY(QTest::qWaitFor([&] { return cluster->secrets.secrets.isEmpty(); }, 5'000));
}

QTEST_GUILESS_MAIN(tst_KubernetesBackendBoot)
#include "tst_kubernetesbackendboot.moc"
