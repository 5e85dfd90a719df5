// KubernetesBackend against a fake Kubernetes API server on 127.0.0.1. The fake follows the documented core/v1
// Pod and Secret API (POST /api/v1/namespaces/{ns}/pods and …/secrets, GET and DELETE …/pods/{name}, DELETE
// …/secrets/{name}, failures as Status objects {"kind": "Status", "message", "reason", "code"}, pod
// status.phase / podIP / conditions / containerStatuses, Secret data base64, and the kubelet's
// CreateContainerConfigError for a container whose secretKeyRef names no Secret); it is NOT a real cluster,
// which these tests never contact. A "Running" pod is a real worldspeed-probe on loopback, started with the token
// of its Secret and reached through the endpoint the backend returns.

#include "containerimage.h"
#include "fakeapiserver.h"
#include "fleet/kubernetesbackend.h"
#include "fleet/probeclient.h"
#include "memorysecretstore.h"
#include "probeprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

namespace {

const QString apiToken = QStringLiteral("k8s-sa-token-0123456789abcdef");
const QString podsPath = QStringLiteral("/api/v1/namespaces/worldspeed/pods");
const QString secretsPath = QStringLiteral("/api/v1/namespaces/worldspeed/secrets");
const QByteArray pin = "3f0a11223344556677889900aabbccddeeff00112233445566778899aabbccdd";

using Answer = FakeApiServer::Answer;

// A Status object, as the API server answers a request it refuses.
Answer status(int code, const QString &reason, const QString &message)
{
    return Answer { code,
        { { QStringLiteral("kind"), QStringLiteral("Status") }, { QStringLiteral("apiVersion"), QStringLiteral("v1") },
            { QStringLiteral("metadata"), QJsonObject {} }, { QStringLiteral("status"), QStringLiteral("Failure") },
            { QStringLiteral("message"), message }, { QStringLiteral("reason"), reason },
            { QStringLiteral("code"), code } } };
}

QJsonObject condition(const QString &type, bool isTrue, const QString &reason = {}, const QString &message = {})
{
    QJsonObject c { { QStringLiteral("type"), type },
        { QStringLiteral("status"), isTrue ? QStringLiteral("True") : QStringLiteral("False") } };
    if (!reason.isEmpty())
        c.insert(QStringLiteral("reason"), reason);
    if (!message.isEmpty())
        c.insert(QStringLiteral("message"), message);
    return c;
}

QJsonObject pending()
{
    return { { QStringLiteral("phase"), QStringLiteral("Pending") },
        { QStringLiteral("conditions"), QJsonArray { condition(QStringLiteral("PodScheduled"), true) } } };
}

QJsonObject running(bool ready)
{
    return { { QStringLiteral("phase"), QStringLiteral("Running") },
        { QStringLiteral("podIP"), QStringLiteral("127.0.0.1") },
        { QStringLiteral("conditions"),
            QJsonArray { condition(QStringLiteral("PodScheduled"), true),
                condition(QStringLiteral("ContainersReady"), ready), condition(QStringLiteral("Ready"), ready) } },
        { QStringLiteral("containerStatuses"),
            QJsonArray {
                QJsonObject { { QStringLiteral("name"), QStringLiteral("probe") }, { QStringLiteral("ready"), ready },
                    { QStringLiteral("state"), QJsonObject { { QStringLiteral("running"), QJsonObject {} } } } } } } };
}

QJsonObject waiting(const QString &reason, const QString &message)
{
    return { { QStringLiteral("phase"), QStringLiteral("Pending") },
        { QStringLiteral("conditions"), QJsonArray { condition(QStringLiteral("PodScheduled"), true) } },
        { QStringLiteral("containerStatuses"),
            QJsonArray {
                QJsonObject { { QStringLiteral("name"), QStringLiteral("probe") }, { QStringLiteral("ready"), false },
                    { QStringLiteral("state"),
                        QJsonObject { { QStringLiteral("waiting"),
                            QJsonObject { { QStringLiteral("reason"), reason },
                                { QStringLiteral("message"), message } } } } } } } } };
}

// The pods of a namespace: POST makes one (after `createAnswers`, answered in order), GET shows it going
// through `statuses` (the last one stays), DELETE removes it.
// The Secrets of the namespace: POST makes one (409 AlreadyExists when it exists), DELETE removes it.
// `onCreate` sees each one made.
struct FakeSecrets
{
    QHash<QString, QJsonObject> secrets;
    std::function<void(const QJsonObject &)> onCreate;

    // The token a pod's Secret holds (data.token, base64), empty when there is no such Secret.
    QString tokenOf(const QString &name) const
    {
        return QString::fromUtf8(QByteArray::fromBase64(secrets.value(name)
                                                            .value(QStringLiteral("data"))
                                                            .toObject()
                                                            .value(QStringLiteral("token"))
                                                            .toString()
                                                            .toLatin1()));
    }

    Answer handle(const FakeApiServer::Request &request)
    {
        if (request.method == "POST" && request.path == secretsPath) {
            const QJsonObject secret = request.json();
            const QString name
                = secret.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString();
            if (secrets.contains(name))
                return status(
                    409, QStringLiteral("AlreadyExists"), QStringLiteral("secrets \"%1\" already exists").arg(name));
            secrets.insert(name, secret);
            if (onCreate)
                onCreate(secret);
            return Answer { 201, secret };
        }
        const QString name = request.path.mid(secretsPath.size() + 1);
        if (request.method == "DELETE" && secrets.remove(name) > 0)
            return Answer { 200, { { QStringLiteral("kind"), QStringLiteral("Status") } } };
        return status(404, QStringLiteral("NotFound"), QStringLiteral("secrets \"%1\" not found").arg(name));
    }
};

// The secretKeyRef names of a pod's containers.
QStringList referencedSecrets(const QJsonObject &pod)
{
    QStringList names;
    const QJsonArray containers
        = pod.value(QStringLiteral("spec")).toObject().value(QStringLiteral("containers")).toArray();
    for (const QJsonValue &container : containers) {
        for (const QJsonValue &env : container.toObject().value(QStringLiteral("env")).toArray()) {
            const QString name = env.toObject()
                                     .value(QStringLiteral("valueFrom"))
                                     .toObject()
                                     .value(QStringLiteral("secretKeyRef"))
                                     .toObject()
                                     .value(QStringLiteral("name"))
                                     .toString();
            if (!name.isEmpty())
                names.append(name);
        }
    }
    return names;
}

struct FakeCluster
{
    QList<Answer> createAnswers;
    QList<QJsonObject> statuses { pending(), running(false), running(true) };
    QHash<QString, QJsonObject> pods;
    FakeSecrets secrets;
    bool createEvenWhenRefusing = false; // a create that fails (dropped answer) but made the pod all the same

    Answer handle(const FakeApiServer::Request &request)
    {
        if (request.path.startsWith(secretsPath))
            return secrets.handle(request);
        if (request.method == "POST" && request.path == podsPath) {
            QJsonObject pod = request.json();
            const QString name
                = pod.value(QStringLiteral("metadata")).toObject().value(QStringLiteral("name")).toString();
            if (pods.contains(name))
                return status(
                    409, QStringLiteral("AlreadyExists"), QStringLiteral("pods \"%1\" already exists").arg(name));
            if (!createAnswers.isEmpty()) {
                const Answer answer = createAnswers.takeFirst();
                if (createEvenWhenRefusing && answer.mode == Answer::Mode::Drop)
                    pods.insert(name, pod);
                return answer;
            }
            pods.insert(name, pod);
            pod.insert(
                QStringLiteral("status"), QJsonObject { { QStringLiteral("phase"), QStringLiteral("Pending") } });
            return Answer { 201, pod };
        }
        const QString name = request.path.mid(podsPath.size() + 1);
        if (!request.path.startsWith(podsPath + u'/') || !pods.contains(name))
            return status(404, QStringLiteral("NotFound"), QStringLiteral("pods \"%1\" not found").arg(name));
        QJsonObject pod = pods.value(name);
        if (request.method == "GET") {
            pod.insert(QStringLiteral("status"), statuses.size() > 1 ? statuses.takeFirst() : statuses.value(0));
            // What the kubelet does when a container's secretKeyRef names no Secret.
            for (const QString &secret : referencedSecrets(pod)) {
                if (!secrets.secrets.contains(secret))
                    pod.insert(QStringLiteral("status"),
                        waiting(QStringLiteral("CreateContainerConfigError"),
                            QStringLiteral("secret \"%1\" not found").arg(secret)));
            }
            return Answer { 200, pod };
        }
        if (request.method == "DELETE") {
            pods.remove(name);
            return Answer { 200, pod };
        }
        return status(405, QStringLiteral("MethodNotAllowed"), QStringLiteral("not allowed"));
    }
};

// Two throwaway self-signed certificates for 127.0.0.1, made with the openssl CLI: the API server's, and
// another that did not sign it.
struct TestCertificates
{
    QTemporaryDir dir;
    QSslCertificate server;
    QSslKey serverKey;
    QSslCertificate other;
    QString error;

    bool make()
    {
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty()) {
            error = QStringLiteral("the openssl command is not installed");
            return false;
        }
        for (const QString &name : { QStringLiteral("server"), QStringLiteral("other") }) {
            QProcess process;
            process.setWorkingDirectory(dir.path());
            process.setProcessChannelMode(QProcess::MergedChannels);
            process.start(openssl,
                { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                    QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                    QStringLiteral("-nodes"), QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                    QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                    QStringLiteral("subjectAltName=IP:127.0.0.1"), QStringLiteral("-keyout"),
                    name + QStringLiteral(".key"), QStringLiteral("-out"), name + QStringLiteral(".crt") });
            if (!process.waitForFinished(60'000) || process.exitCode() != 0) {
                error = QString::fromLocal8Bit(process.readAll());
                return false;
            }
        }
        server = QSslCertificate(contents(QStringLiteral("server.crt")), QSsl::Pem);
        serverKey = QSslKey(contents(QStringLiteral("server.key")), QSsl::Ec, QSsl::Pem);
        other = QSslCertificate(contents(QStringLiteral("other.crt")), QSsl::Pem);
        if (server.isNull() || serverKey.isNull() || other.isNull()) {
            error = QStringLiteral("openssl wrote files Qt cannot read");
            return false;
        }
        return true;
    }
    QString path(const QString &name) const { return dir.filePath(name); }
    QByteArray contents(const QString &name) const
    {
        QFile file(dir.filePath(name));
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
};

} // namespace

class tst_KubernetesBackend : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();

    void settingsFromJson_data();
    void settingsFromJson();
    void bootReachesARealProbe();
    void podTemplateIsMergedUnderWhatWeSet();
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
    void trustsOnlyTheGivenCa();
    void plaintextOffLoopbackIsRefused_data();
    void plaintextOffLoopbackIsRefused();
    void podsAreLockedDown();
    void podsMatchTheContainerImage();
    void probeTlsIsMountedAndPinned();

private:
    KubernetesBackend::Settings settings() const;
    void serve(std::shared_ptr<FakeCluster> cluster);

    TestCertificates m_certificates;
    std::unique_ptr<FakeApiServer> m_api;
    std::unique_ptr<QNetworkAccessManager> m_nam;
    MemorySecretStore m_secrets;
};

void tst_KubernetesBackend::initTestCase()
{
    QVERIFY2(m_certificates.make(), qPrintable(m_certificates.error));
}

void tst_KubernetesBackend::init()
{
    m_api = std::make_unique<FakeApiServer>();
    QVERIFY(m_api->listen());
    m_nam = std::make_unique<QNetworkAccessManager>();
    m_secrets.secrets = { { QStringLiteral("k8s-token"), apiToken } };
}

void tst_KubernetesBackend::cleanup()
{
    m_nam.reset();
    m_api.reset();
}

KubernetesBackend::Settings tst_KubernetesBackend::settings() const
{
    KubernetesBackend::Settings s;
    s.apiServer = m_api->url();
    s.tokenSecret = QStringLiteral("k8s-token");
    s.namespaceName = QStringLiteral("worldspeed");
    s.image = QStringLiteral("ghcr.io/example/worldspeed-probe:1");
    s.region = QStringLiteral("fra");
    s.endpointTemplate = QStringLiteral("ws://{podIP}:1/");
    s.pollIntervalMs = 50;
    s.bootTimeoutMs = 10'000;
    s.retryInitialDelayMs = 10;
    s.retryMaxDelayMs = 40;
    return s;
}

void tst_KubernetesBackend::serve(std::shared_ptr<FakeCluster> cluster)
{
    m_api->setHandler([cluster](const FakeApiServer::Request &request) { return cluster->handle(request); });
}

void tst_KubernetesBackend::settingsFromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid

    const QByteArray minimal = R"("apiServer": "https://10.0.0.1:6443", "tokenSecret": "k8s-token",
        "probeTlsSecretName": "probe-tls", "probeCertificateSha256": ")"
        + pin + R"(", "image": "ghcr.io/example/worldspeed-probe:1", "region": "fra")";
    const auto jsonString = [](const QString &text) {
        return QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    };
    const QByteArray caPath = jsonString(m_certificates.path(QStringLiteral("server.crt")));
    const QByteArray caText = jsonString(QString::fromLatin1(m_certificates.contents(QStringLiteral("server.crt"))));
    QTest::newRow("minimal") << QByteArray("{" + minimal + "}") << QString();
    QTest::newRow("everything") << QByteArray("{" + minimal + R"(, "namespaceName": "probes", "nodeSelectorKey": "",
        "endpointTemplate": "wss://{podIP}:9000", "port": 9000, "parentGraceSeconds": 30, "idleShutdownSeconds": 0,
        "pollIntervalMs": 500, "bootTimeoutSeconds": 60, "podTemplate": {"spec": {"priorityClassName": "low"}}})")
                                << QString();
    QTest::newRow("CA file") << QByteArray("{" + minimal + R"(, "caCertificatePem": )" + caPath + "}") << QString();
    QTest::newRow("CA text") << QByteArray("{" + minimal + R"(, "caCertificatePem": )" + caText + "}") << QString();
    QTest::newRow("CA missing file") << QByteArray("{" + minimal + R"(, "caCertificatePem": "/nonexistent/ca.crt"})")
                                     << QStringLiteral("caCertificatePem: cannot read /nonexistent/ca.crt");
    QTest::newRow("CA garbage") << QByteArray(
        "{" + minimal + R"(, "caCertificatePem": "-----BEGIN CERTIFICATE-----\nnope\n-----END CERTIFICATE-----"})")
                                << QStringLiteral("caCertificatePem: holds no PEM certificate");
    QTest::newRow("no api server") << QByteArray(R"({"tokenSecret": "a", "image": "i", "region": "fra"})")
                                   << QStringLiteral("apiServer: is required");
    QTest::newRow("api server") << QByteArray("{" + QByteArray(minimal).replace("https://10.0.0.1:6443", "10.0.0.1")
        + "}") << QStringLiteral("apiServer: ");
    QTest::newRow("no image") << QByteArray(R"({"apiServer": "https://k", "tokenSecret": "a", "region": "fra"})")
                              << QStringLiteral("image: is required");
    QTest::newRow("namespace") << QByteArray("{" + minimal + R"(, "namespaceName": "Not_A_Namespace"})")
                               << QStringLiteral("namespaceName: ");
    QTest::newRow("pod template") << QByteArray("{" + minimal + R"(, "podTemplate": {"containers": []}})")
                                  << QStringLiteral("podTemplate: ");
    QTest::newRow("endpoint") << QByteArray("{" + minimal + R"(, "endpointTemplate": "http://{podIP}:8700"})")
                              << QStringLiteral("endpointTemplate: ");
    QTest::newRow("poll") << QByteArray("{" + minimal + R"(, "pollIntervalMs": 1})")
                          << QStringLiteral("pollIntervalMs: ");
    QTest::newRow("typo") << QByteArray("{" + minimal + R"(, "namespace": "x"})")
                          << QStringLiteral("namespace: is not a Kubernetes backend setting");
    QTest::newRow("shared probe token") << QByteArray("{" + minimal + R"(, "probeTokenSecret": "probe-fra"})")
                                        << QStringLiteral("probeTokenSecret: is no longer used");
    QTest::newRow("pin") << QByteArray("{" + QByteArray(minimal).replace(pin, "abc") + "}")
                         << QStringLiteral("probeCertificateSha256: expected 64 hex digits");
}

void tst_KubernetesBackend::settingsFromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QJsonParseError parseError;
    const QJsonObject object = QJsonDocument::fromJson(json, &parseError).object();
    QVERIFY2(parseError.error == QJsonParseError::NoError,
        qPrintable(parseError.errorString() + u' ' + QString::fromUtf8(json)));
    QString why;
    const auto parsed = KubernetesBackend::Settings::fromJson(object, &why);
    if (error.isEmpty()) {
        QVERIFY2(parsed, qPrintable(why));
        QCOMPARE(parsed->apiServer, QUrl(QStringLiteral("https://10.0.0.1:6443")));
        if (object.contains(QStringLiteral("namespaceName"))) {
            QCOMPARE(parsed->namespaceName, QStringLiteral("probes"));
            QCOMPARE(parsed->nodeSelectorKey, QString());
            QCOMPARE(parsed->bootTimeoutMs, 60'000);
            QCOMPARE(parsed->podTemplate.value(QStringLiteral("spec"))
                         .toObject()
                         .value(QStringLiteral("priorityClassName"))
                         .toString(),
                QStringLiteral("low"));
        } else {
            QCOMPARE(parsed->namespaceName, QStringLiteral("default"));
            QCOMPARE(parsed->nodeSelectorKey, QStringLiteral("topology.kubernetes.io/region"));
            // With the probe's TLS, wss:// on the pod IP, the certificate pinned.
            QCOMPARE(parsed->endpointTemplate, QStringLiteral("wss://{podIP}:8700"));
            QCOMPARE(parsed->probeCertificateSha256, pin);
        }
        return;
    }
    QVERIFY(!parsed);
    QVERIFY2(why.startsWith(error), qPrintable(why));
}

void tst_KubernetesBackend::bootReachesARealProbe()
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
    const auto creates = m_api->requestsUnder("POST", podsPath);
    QCOMPARE(creates.size(), 1);
    QCOMPARE(creates.at(0).path, podsPath);
    QCOMPARE(creates.at(0).headers.value("authorization"), QByteArray("Bearer " + apiToken.toUtf8()));
    QVERIFY(creates.at(0).headers.value("content-type").startsWith("application/json"));
    const QJsonObject pod = creates.at(0).json();
    QCOMPARE(pod.value(QStringLiteral("apiVersion")).toString(), QStringLiteral("v1"));
    QCOMPARE(pod.value(QStringLiteral("kind")).toString(), QStringLiteral("Pod"));
    QVERIFY(!creates.at(0).body.contains(endpoint.token.toUtf8())); // the token is in no pod spec
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

void tst_KubernetesBackend::podTemplateIsMergedUnderWhatWeSet()
{
    KubernetesBackend::Settings s = settings();
    s.nodeSelectorKey = QStringLiteral("cloud.example.com/zone-group");
    s.nodeSelectorValue = QStringLiteral("eu-central-1");
    s.podTemplate = QJsonDocument::fromJson(R"({
        "metadata": {"labels": {"team": "perf"}, "annotations": {"owner": "qa"}},
        "spec": {
            "restartPolicy": "Always",
            "serviceAccountName": "probe",
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "probes", "effect": "NoSchedule"}],
            "containers": [
                {"name": "probe", "image": "overridden", "resources": {"limits": {"cpu": "2", "memory": "2Gi"}},
                 "env": [{"name": "TZ", "value": "UTC"}]},
                {"name": "sidecar", "image": "busybox"}
            ]
        }})")
                        .object();
    KubernetesBackend backend(s, &m_secrets, m_nam.get());
    const QJsonObject pod = backend.podFor(QStringLiteral("r_1"), QStringLiteral("worldspeed-probe-fra-0123456789"));
    const QJsonObject metadata = pod.value(QStringLiteral("metadata")).toObject();
    QCOMPARE(metadata.value(QStringLiteral("labels")).toObject().value(QStringLiteral("team")).toString(),
        QStringLiteral("perf"));
    QCOMPARE(
        metadata.value(QStringLiteral("labels")).toObject().value(QStringLiteral("worldspeed.io/runner")).toString(),
        QStringLiteral("r_1"));
    QCOMPARE(metadata.value(QStringLiteral("annotations")).toObject().value(QStringLiteral("owner")).toString(),
        QStringLiteral("qa"));
    QCOMPARE(metadata.value(QStringLiteral("annotations"))
                 .toObject()
                 .value(QStringLiteral("worldspeed.io/runner-id"))
                 .toString(),
        QStringLiteral("r_1"));
    const QJsonObject spec = pod.value(QStringLiteral("spec")).toObject();
    QCOMPARE(spec.value(QStringLiteral("restartPolicy")).toString(), QStringLiteral("Never"));
    QCOMPARE(spec.value(QStringLiteral("serviceAccountName")).toString(), QStringLiteral("probe"));
    QCOMPARE(spec.value(QStringLiteral("tolerations")).toArray().size(), 1);
    QCOMPARE(spec.value(QStringLiteral("nodeSelector")).toObject(),
        (QJsonObject { { QStringLiteral("cloud.example.com/zone-group"), QStringLiteral("eu-central-1") } }));
    const QJsonArray containers = spec.value(QStringLiteral("containers")).toArray();
    QCOMPARE(containers.size(), 2);
    const QJsonObject probe = containers.at(0).toObject();
    QCOMPARE(probe.value(QStringLiteral("name")).toString(), QStringLiteral("probe"));
    QCOMPARE(probe.value(QStringLiteral("image")).toString(), s.image);
    QCOMPARE(probe.value(QStringLiteral("resources"))
                 .toObject()
                 .value(QStringLiteral("limits"))
                 .toObject()
                 .value(QStringLiteral("cpu"))
                 .toString(),
        QStringLiteral("2"));
    const QJsonArray env = probe.value(QStringLiteral("env")).toArray();
    QCOMPARE(env.size(), 2);
    QCOMPARE(env.at(0).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("TZ"));
    QCOMPARE(env.at(1).toObject().value(QStringLiteral("name")).toString(), QStringLiteral("TMPDIR"));
    QCOMPARE(containers.at(1).toObject().value(QStringLiteral("image")).toString(), QStringLiteral("busybox"));

    // No key: no nodeSelector at all (a cluster of its own per region).
    s.nodeSelectorKey.clear();
    s.podTemplate = {};
    KubernetesBackend plain(s, &m_secrets, m_nam.get());
    QVERIFY(!plain.podFor(QStringLiteral("r1"), QStringLiteral("p"))
                 .value(QStringLiteral("spec"))
                 .toObject()
                 .contains(QStringLiteral("nodeSelector")));
}

void tst_KubernetesBackend::podsThatCannotStartFail_data()
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

void tst_KubernetesBackend::podsThatCannotStartFail()
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

void tst_KubernetesBackend::refusedCreatesFailWithTheStatusMessage_data()
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

void tst_KubernetesBackend::refusedCreatesFailWithTheStatusMessage()
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

void tst_KubernetesBackend::createIsRetriedAndFindsItsOwnPod_data()
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

void tst_KubernetesBackend::createIsRetriedAndFindsItsOwnPod()
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

void tst_KubernetesBackend::someoneElsesPodIsLeftAlone()
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

void tst_KubernetesBackend::bootTimeout()
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

QJsonObject unschedulablePod()
{
    return QJsonObject { { QStringLiteral("phase"), QStringLiteral("Pending") },
        { QStringLiteral("conditions"),
            QJsonArray { condition(QStringLiteral("PodScheduled"), false, QStringLiteral("Unschedulable"),
                QStringLiteral("0/3 nodes are available: 3 Insufficient cpu.")) } } };
}

void tst_KubernetesBackend::unschedulableWaitsForANode()
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

void tst_KubernetesBackend::unschedulableUntilTheDeadline()
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

void tst_KubernetesBackend::podDeletedWhileStarting()
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

void tst_KubernetesBackend::stopWhileCreatingDeletesThePod()
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

void tst_KubernetesBackend::missingSecretsFail()
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

void tst_KubernetesBackend::destroyingTheBackendDeletesItsPods()
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

void tst_KubernetesBackend::trustsOnlyTheGivenCa()
{
    FakeApiServer tlsApi;
    QVERIFY(tlsApi.listen(m_certificates.server, m_certificates.serverKey));
    auto cluster = std::make_shared<FakeCluster>();
    tlsApi.setHandler([cluster](const FakeApiServer::Request &request) { return cluster->handle(request); });
    KubernetesBackend::Settings s = settings();
    s.apiServer = tlsApi.url();

    // The API server's own CA (here: its self-signed certificate), as a file.
    s.caCertificatePem = m_certificates.path(QStringLiteral("server.crt"));
    {
        KubernetesBackend backend(s, &m_secrets, m_nam.get());
        QSignalSpy booted(&backend, &Backend::booted);
        QSignalSpy failed(&backend, &Backend::bootFailed);
        backend.boot(QStringLiteral("r1"));
        QVERIFY2(booted.wait(10'000), failed.isEmpty() ? "no answer" : qPrintable(failed.at(0).at(1).toString()));
        QCOMPARE(tlsApi.requestsUnder("POST", podsPath).size(), 1);
    }

    // Another CA, as PEM text: the handshake fails, nothing is sent, and it is not retried.
    m_nam = std::make_unique<QNetworkAccessManager>(); // no TLS session from above to resume
    const int before = int(tlsApi.requests().size());
    s.caCertificatePem = QString::fromLatin1(m_certificates.contents(QStringLiteral("other.crt")));
    KubernetesBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r2"));
    QVERIFY(failed.wait(10'000));
    const QString reason = failed.at(0).at(1).toString();
    QVERIFY2(
        reason.startsWith(QStringLiteral("cannot trust the Kubernetes API server at 127.0.0.1: ")), qPrintable(reason));
    QCOMPARE(int(tlsApi.requests().size()), before);
}

void tst_KubernetesBackend::plaintextOffLoopbackIsRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid
    QTest::addColumn<QString>("endpointTemplate");
    const QByteArray minimal = R"("apiServer": "https://10.0.0.1:6443", "tokenSecret": "k8s-token",
        "image": "ghcr.io/example/worldspeed-probe:1", "region": "fra")";
    // The default endpoint, ws:// on the pod IP, would carry the token across the pod network in clear text.
    QTest::newRow("default endpoint")
        << QByteArray("{" + minimal + "}")
        << QStringLiteral("endpointTemplate: ws://{podIP}:8700 would carry each probe's token across the pod network "
                          "unencrypted; give \"probeTlsSecretName\" (a kubernetes.io/tls Secret in the namespace, with "
                          "\"probeCertificateSha256\" pinning its certificate) so that the probes serve wss://, or set "
                          "\"insecurePlaintext\": true if the pod network is encrypted by other means (a service mesh, "
                          "an encrypting CNI)")
        << QString();
    QTest::newRow("allowed") << QByteArray("{" + minimal + R"(, "insecurePlaintext": true, "port": 9000})") << QString()
                             << QStringLiteral("ws://{podIP}:9000");
    QTest::newRow("probe TLS") << QByteArray("{" + minimal + R"(, "probeTlsSecretName": "probe-tls"})") << QString()
                               << QStringLiteral("wss://{podIP}:8700");
    QTest::newRow("port-forward") << QByteArray("{" + minimal + R"(, "endpointTemplate": "ws://127.0.0.1:8700"})")
                                  << QString() << QStringLiteral("ws://127.0.0.1:8700");
    QTest::newRow("api server") << QByteArray("{"
        + QByteArray(minimal).replace("https://10.0.0.1:6443", "http://10.0.0.1:8080")
        + R"(, "probeTlsSecretName": "probe-tls"})")
                                << QStringLiteral(
                                       "apiServer: refusing http://10.0.0.1:8080: the API server token would cross the "
                                       "network to 10.0.0.1 unencrypted; use a https:// URL, or set "
                                       "\"insecurePlaintext\": true in this backend in the fleet config if the network "
                                       "between is encrypted by other means")
                                << QString();
    QTest::newRow("api server on loopback")
        << QByteArray("{" + QByteArray(minimal).replace("https://10.0.0.1:6443", "http://127.0.0.1:8001")
               + R"(, "probeTlsSecretName": "probe-tls"})")
        << QString() << QStringLiteral("wss://{podIP}:8700");
}

void tst_KubernetesBackend::plaintextOffLoopbackIsRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QFETCH(QString, endpointTemplate);
    QString why;
    const auto parsed = KubernetesBackend::Settings::fromJson(QJsonDocument::fromJson(json).object(), &why);
    QCOMPARE(why, error);
    QCOMPARE(parsed.has_value(), error.isEmpty());
    if (parsed)
        QCOMPARE(parsed->endpointTemplate, endpointTemplate);
}

void tst_KubernetesBackend::podsAreLockedDown()
{
    KubernetesBackend backend(settings(), &m_secrets, m_nam.get());
    const QJsonObject spec
        = backend.podFor(QStringLiteral("r1"), QStringLiteral("p")).value(QStringLiteral("spec")).toObject();
    QCOMPARE(spec.value(QStringLiteral("securityContext")).toObject(),
        (QJsonObject { { QStringLiteral("runAsNonRoot"), true }, { QStringLiteral("runAsUser"), 10001 },
            { QStringLiteral("runAsGroup"), 10001 }, { QStringLiteral("fsGroup"), 10001 },
            { QStringLiteral("seccompProfile"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("Localhost") },
                    { QStringLiteral("localhostProfile"), QStringLiteral("worldspeed-probe.json") } } } }));
    const QJsonObject container = spec.value(QStringLiteral("containers")).toArray().at(0).toObject();
    QCOMPARE(container.value(QStringLiteral("securityContext")).toObject(),
        (QJsonObject { { QStringLiteral("allowPrivilegeEscalation"), false },
            { QStringLiteral("readOnlyRootFilesystem"), true }, { QStringLiteral("runAsNonRoot"), true },
            { QStringLiteral("runAsUser"), 10001 }, { QStringLiteral("runAsGroup"), 10001 },
            { QStringLiteral("capabilities"),
                QJsonObject { { QStringLiteral("drop"), QJsonArray { QStringLiteral("ALL") } } } } }));
    // The root file system is read-only: Chrome's profile and scratch files go to an emptyDir on /tmp.
    QCOMPARE(spec.value(QStringLiteral("volumes")).toArray().at(0).toObject(),
        (QJsonObject {
            { QStringLiteral("name"), QStringLiteral("tmp") }, { QStringLiteral("emptyDir"), QJsonObject {} } }));
    QCOMPARE(container.value(QStringLiteral("volumeMounts")).toArray().at(0).toObject(),
        (QJsonObject { { QStringLiteral("name"), QStringLiteral("tmp") },
            { QStringLiteral("mountPath"), QStringLiteral("/tmp") } }));
    QCOMPARE(container.value(QStringLiteral("env")).toArray(),
        (QJsonArray { QJsonObject { { QStringLiteral("name"), QStringLiteral("TMPDIR") },
            { QStringLiteral("value"), QStringLiteral("/tmp") } } }));
}

void tst_KubernetesBackend::podsMatchTheContainerImage()
{
    // The pod spec asks the image for what the image's own files promise: user, port, health check, token file,
    // and the seccomp profile that lets Chrome's sandbox work (installed on the nodes under the name used here).
    QString error;
    const ContainerImage image = ContainerImage::fromSources(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    KubernetesBackend::Settings s = settings();
    QCOMPARE(s.port, image.port);
    KubernetesBackend backend(s, &m_secrets, m_nam.get());
    const QJsonObject spec
        = backend.podFor(QStringLiteral("r1"), QStringLiteral("p")).value(QStringLiteral("spec")).toObject();
    const QJsonObject podSecurity = spec.value(QStringLiteral("securityContext")).toObject();
    QCOMPARE(podSecurity.value(QStringLiteral("runAsUser")).toInt(), image.uid);
    QCOMPARE(podSecurity.value(QStringLiteral("runAsGroup")).toInt(), image.gid);
    QCOMPARE(podSecurity.value(QStringLiteral("fsGroup")).toInt(), image.gid);
    QCOMPARE(podSecurity.value(QStringLiteral("seccompProfile")).toObject().value(QStringLiteral("localhostProfile")),
        QStringLiteral("worldspeed-probe.json"));
    QCOMPARE(image.seccompProfile, QStringLiteral("packaging/container/seccomp.json"));
    const QJsonObject container = spec.value(QStringLiteral("containers")).toArray().at(0).toObject();
    QCOMPARE(container.value(QStringLiteral("securityContext")).toObject().value(QStringLiteral("runAsUser")).toInt(),
        image.uid);
    QCOMPARE(container.value(QStringLiteral("ports")).toArray().at(0).toObject().value(QStringLiteral("containerPort")),
        image.port);
    QCOMPARE(container.value(QStringLiteral("args")).toArray().at(2).toString(),
        QStringLiteral("0.0.0.0:%1").arg(image.port));
    for (const QString &probe : { QStringLiteral("readinessProbe"), QStringLiteral("livenessProbe") }) {
        QCOMPARE(container.value(probe).toObject().value(QStringLiteral("exec")).toObject(),
            (QJsonObject { { QStringLiteral("command"), QJsonArray { image.healthCommand } } }));
    }
    // The token Secret's one item lands where the entry point looks for it.
    QString mountPath;
    for (const QJsonValue &mount : container.value(QStringLiteral("volumeMounts")).toArray()) {
        if (mount.toObject().value(QStringLiteral("name")).toString() == u"probe-token")
            mountPath = mount.toObject().value(QStringLiteral("mountPath")).toString();
    }
    QString itemPath;
    for (const QJsonValue &volume : spec.value(QStringLiteral("volumes")).toArray()) {
        if (volume.toObject().value(QStringLiteral("name")).toString() == u"probe-token")
            itemPath = volume.toObject()
                           .value(QStringLiteral("secret"))
                           .toObject()
                           .value(QStringLiteral("items"))
                           .toArray()
                           .at(0)
                           .toObject()
                           .value(QStringLiteral("path"))
                           .toString();
    }
    QCOMPARE(mountPath + u'/' + itemPath, image.tokenPath);
}

void tst_KubernetesBackend::probeTlsIsMountedAndPinned()
{
    // With the user's TLS Secret the probe serves wss:// with it, and the client pins its certificate.
    auto cluster = std::make_shared<FakeCluster>();
    serve(cluster);
    KubernetesBackend::Settings s = settings();
    s.probeTlsSecretName = QStringLiteral("probe-tls");
    s.probeCertificateSha256 = pin;
    s.endpointTemplate = QStringLiteral("wss://{podIP}:8700");
    KubernetesBackend backend(s, &m_secrets, m_nam.get());
    const QJsonObject spec
        = backend.podFor(QStringLiteral("r1"), QStringLiteral("p")).value(QStringLiteral("spec")).toObject();
    const QJsonObject container = spec.value(QStringLiteral("containers")).toArray().at(0).toObject();
    const QJsonArray args = container.value(QStringLiteral("args")).toArray();
    QVERIFY(!args.contains(QStringLiteral("--insecure-plaintext")));
    QCOMPARE(args.at(args.size() - 4).toString(), QStringLiteral("--tls-cert"));
    QCOMPARE(args.at(args.size() - 3).toString(), QStringLiteral("/etc/worldspeed-probe/tls/tls.crt"));
    QCOMPARE(args.at(args.size() - 2).toString(), QStringLiteral("--tls-key"));
    QCOMPARE(args.at(args.size() - 1).toString(), QStringLiteral("/etc/worldspeed-probe/tls/tls.key"));
    QVERIFY(spec.value(QStringLiteral("volumes"))
                .toArray()
                .contains(QJsonObject { { QStringLiteral("name"), QStringLiteral("probe-tls") },
                    { QStringLiteral("secret"),
                        QJsonObject { { QStringLiteral("secretName"), QStringLiteral("probe-tls") } } } }));
    QVERIFY(container.value(QStringLiteral("volumeMounts"))
                .toArray()
                .contains(QJsonObject { { QStringLiteral("name"), QStringLiteral("probe-tls") },
                    { QStringLiteral("mountPath"), QStringLiteral("/etc/worldspeed-probe/tls") },
                    { QStringLiteral("readOnly"), true } }));

    QSignalSpy booted(&backend, &Backend::booted);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    const auto endpoint = booted.at(0).at(1).value<ProbeClient::Endpoint>();
    QCOMPARE(endpoint.url, QUrl(QStringLiteral("wss://127.0.0.1:8700")));
    QCOMPARE(endpoint.pinnedCertificateSha256, pin);
}

QTEST_GUILESS_MAIN(tst_KubernetesBackend)
#include "tst_kubernetesbackend.moc"
