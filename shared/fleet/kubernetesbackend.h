#pragma once

#include "backend.h"
#include "cloudapiclient.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;
class QSslCertificate;
class SecretStore;

// Runners as Kubernetes pods (core/v1 Pod and Secret API): one pod per runner, `restartPolicy: Never`, pinned to
// the region's nodes with a nodeSelector (or one cluster per region: leave the key empty), reached on its pod IP.
// The pod is ready when the image's health check passes (the probe answers on its port and a browser starts;
// packaging/container/health.sh), run by the kubelet as the readiness probe; the probe ends itself
// after --parent-grace without a client and --idle-shutdown, and the pod then stays Succeeded (it uses no node
// any more) until stop() deletes it. A pod the scheduler cannot place yet (Unschedulable) is waited for until the
// boot timeout, as a cluster autoscaler may add a node for it; the timeout's message then gives the reason.
//
// Every pod gets a token of its own (RunnerToken) in a Secret of its own, named like the pod, created before it
// and mounted as the file the image's entry point reads (/run/secrets/worldspeed-probe-token), so that the token is
// in no pod spec and no environment; the Secret is deleted with the pod. That needs the rights to create and delete
// Secrets in the namespace besides pods. The pod runs locked down: the image's uid 10001, no privilege escalation,
// no capabilities, a read-only root file system with an emptyDir for /tmp (Chrome's profile and scratch files),
// and the image's seccomp profile as the node's Localhost profile worldspeed-probe.json: the runtime's default
// refuses Chrome's sandbox the chroot it needs (packaging/README.md, "Chrome's sandbox in containers").
//
// The token must not cross the pod network in clear text: with probeTlsSecretName (a kubernetes.io/tls Secret
// the user provides) the probe serves wss:// with that certificate and the endpoint pins it
// (probeCertificateSha256), as no CA signs a pod IP; otherwise a ws:// endpoint off loopback needs
// "insecurePlaintext": true, for pod networks that encrypt by other means (a service mesh, an encrypting CNI).
// Neither token is ever logged, and both are removed from any message this class emits.
class KubernetesBackend final : public Backend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KubernetesBackend)

public:
    struct Settings
    {
        QUrl apiServer; // https://host:6443
        QString caCertificatePem; // optional: PEM text or a file path; when set, the only CA trusted
        QString tokenSecret; // SecretStore key of the service account's bearer token
        bool insecurePlaintext = false; // allow http:// and ws:// off loopback (CleartextPolicy)
        // Optional: a kubernetes.io/tls Secret in the namespace (tls.crt, tls.key) the probe serves wss:// with.
        QString probeTlsSecretName;
        // SHA-256 of that certificate (64 hex digits, ':' allowed), pinned by the client instead of a CA check.
        QByteArray probeCertificateSha256;
        QString namespaceName = QStringLiteral("default");
        QString image;
        // Optional: a PodTemplateSpec ({"metadata": …, "spec": …}) the pod is built on. What this backend sets
        // (restartPolicy, labels, nodeSelector, security contexts, the "probe" container's image, command, args,
        // token env, volumes and port) wins; lists of named items (containers, env, ports, volumes) are merged by
        // name, other lists replaced.
        QJsonObject podTemplate;
        QString nodeSelectorKey = QStringLiteral("topology.kubernetes.io/region"); // empty: no nodeSelector
        QString nodeSelectorValue; // empty: region
        QString region; // the region code the probe reports, and the labels carry
        // {podIP}, {podName}, {namespace}, {region}; fromJson's default is ws:// or, with probeTlsSecretName,
        // wss://{podIP}:{port}.
        QString endpointTemplate = QStringLiteral("ws://{podIP}:8700");
        int port = 8700; // the probe's port in the container
        int parentGraceSeconds = 60;
        int idleShutdownSeconds = 300;
        int pollIntervalMs = 1000;
        int bootTimeoutMs = 180'000; // from boot() to the pod being ready; image pulls take time
        // Answers worth retrying (429, 5xx, no answer) when creating the pod: this many times, doubling from
        // retryInitialDelayMs up to retryMaxDelayMs, never past the boot deadline.
        int maxRetries = 5;
        int retryInitialDelayMs = 500;
        int retryMaxDelayMs = 8'000;

        // Every field by its name above; apiServer, image, region and tokenSecret are required,
        // bootTimeoutSeconds stands for bootTimeoutMs. Nullopt with *error naming the field when one is wrong (a
        // CA file that cannot be read or holds no certificate included, a token that would travel unencrypted).
        static std::optional<Settings> fromJson(const QJsonObject &json, QString *error);
        // The certificates of caCertificatePem (text or file); empty with *error set when there are none.
        static QList<QSslCertificate> caCertificates(const QString &pemOrPath, QString *error);
    };

    // `secrets` and `nam` are not owned and must outlive this backend.
    KubernetesBackend(Settings settings, SecretStore *secrets, QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~KubernetesBackend() override;

    QString kind() const override { return QStringLiteral("kubernetes"); }
    void boot(const QString &runnerId) override;
    void stop(const QString &runnerId) override;

    const Settings &settings() const { return m_settings; }
    // The pod boot() creates for a runner: the pod template with what this backend sets laid over it. Its token
    // comes from the Secret of the same name.
    QJsonObject podFor(const QString &runnerId, const QString &podName) const;

private:
    class Runner;

    void createTokenSecret(Runner *runner);
    void onTokenSecretCreated(Runner *runner);
    void createPod(Runner *runner);
    void onCreated(Runner *runner);
    // Whether a create answer is worth another try: retries it and says true, or says false.
    bool retryCreate(Runner *runner, const CloudApiClient::Answer &answer, const QString &message);
    void poll(Runner *runner);
    void onPolled(Runner *runner);
    void onPollFailed(Runner *runner, const CloudApiClient::Answer &answer);
    // False, with the runner failed, when the pod found existing is somebody else's.
    bool checkOwner(Runner *runner, const QJsonObject &pod);
    // Refused: the boot cannot work until the user acts (Backend::bootRefused), e.g. no API token.
    enum class Failure { Transient, Refused };
    void fail(Runner *runner, const QString &reason, Failure failure = Failure::Transient);
    void deletePod(const QString &podName, const QString &apiToken);
    void deleteTokenSecret(const QString &name, const QString &apiToken);
    void forget(Runner *runner);
    QUrl podsUrl(const QString &podName = {}) const;
    QUrl secretsUrl(const QString &name = {}) const;

    Settings m_settings;
    CloudApiClient m_api;
    QString m_tlsError; // the CA could not be loaded: every boot fails with this
    QHash<QString, Runner *> m_runners; // owned (children)
};
