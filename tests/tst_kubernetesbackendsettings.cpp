// KubernetesBackend's settings and what they make: the settings JSON, the pod it creates (the template merged
// under what it sets, locked down, as the container image expects, the probe's TLS mounted and pinned), and whom it
// trusts (only the given CA; no plaintext off loopback).
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

class tst_KubernetesBackendSettings : public QObject, private KubernetesFixture
{
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void cleanup();
    void settingsFromJson_data();
    void settingsFromJson();
    void podTemplateIsMergedUnderWhatWeSet();
    void podsAreLockedDown();
    void podsMatchTheContainerImage();
    void probeTlsIsMountedAndPinned();
    void trustsOnlyTheGivenCa();
    void plaintextOffLoopbackIsRefused_data();
    void plaintextOffLoopbackIsRefused();
};

void tst_KubernetesBackendSettings::initTestCase()
{
    QVERIFY2(m_certificates.make(), qPrintable(m_certificates.error));
}

void tst_KubernetesBackendSettings::init()
{
    QVERIFY(startApi());
}

void tst_KubernetesBackendSettings::cleanup()
{
    stopApi();
}

void tst_KubernetesBackendSettings::settingsFromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid

    const QByteArray minimal = R"("apiServer": "https://10.0.0.1:6443", "tokenSecret": "k8s-token",
        "probeTlsSecretName": "probe-tls", "probeCertificateSha256": ")"
        + pin + R"(", "image": "ghcr.io/example/worldspeed-probe:1", "region": "fra")";
    const auto jsonString = [](const QString &text) {
        return QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact).mid(1).chopped(1);
    };
    const QByteArray caPath = jsonString(m_certificates.path(QStringLiteral("self.crt")));
    const QByteArray caText = jsonString(QString::fromLatin1(m_certificates.contents(QStringLiteral("self.crt"))));
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

void tst_KubernetesBackendSettings::settingsFromJson()
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

void tst_KubernetesBackendSettings::podTemplateIsMergedUnderWhatWeSet()
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

void tst_KubernetesBackendSettings::podsAreLockedDown()
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

void tst_KubernetesBackendSettings::podsMatchTheContainerImage()
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

void tst_KubernetesBackendSettings::probeTlsIsMountedAndPinned()
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

void tst_KubernetesBackendSettings::trustsOnlyTheGivenCa()
{
    FakeApiServer tlsApi;
    QVERIFY(tlsApi.listen(m_certificates.selfSigned, m_certificates.selfSignedKey));
    auto cluster = std::make_shared<FakeCluster>();
    tlsApi.setHandler([cluster](const FakeApiServer::Request &request) { return cluster->handle(request); });
    KubernetesBackend::Settings s = settings();
    s.apiServer = tlsApi.url();

    // The API server's own CA (here: its self-signed certificate), as a file.
    s.caCertificatePem = m_certificates.path(QStringLiteral("self.crt"));
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
    s.caCertificatePem = QString::fromLatin1(m_certificates.contents(QStringLiteral("ca.crt")));
    KubernetesBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r2"));
    QVERIFY(failed.wait(10'000));
    const QString reason = failed.at(0).at(1).toString();
    QVERIFY2(
        reason.startsWith(QStringLiteral("cannot trust the Kubernetes API server at 127.0.0.1: ")), qPrintable(reason));
    QCOMPARE(int(tlsApi.requests().size()), before);
}

void tst_KubernetesBackendSettings::plaintextOffLoopbackIsRefused_data()
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

void tst_KubernetesBackendSettings::plaintextOffLoopbackIsRefused()
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

QTEST_GUILESS_MAIN(tst_KubernetesBackendSettings)
#include "tst_kubernetesbackendsettings.moc"
