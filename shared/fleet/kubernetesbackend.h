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

// Runners as Kubernetes pods (core/v1 Pod API): one pod per runner, `restartPolicy: Never`, pinned to the
// region's nodes with a nodeSelector (or one cluster per region: leave the key empty), reached on its pod IP.
// The pod is ready when the kubelet's TCP readiness check on the probe's port passes; the probe ends itself
// after --parent-grace without a client and --idle-shutdown, and the pod then stays Succeeded (it uses no node
// any more) until stop() deletes it. A pod the scheduler cannot place yet (Unschedulable) is waited for until the
// boot timeout, as a cluster autoscaler may add a node for it; the timeout's message then gives the reason.
//
// The probe token is put in the pod's env as a plain value, which anyone who can read pods in the namespace
// can see. A real deployment should keep it in a Secret and reference it (env[].valueFrom.secretKeyRef) through
// podTemplate; this backend creates no Secrets so that it needs no rights beyond pods. Neither token is ever
// logged, and both are removed from any message this class emits.
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
        QString probeTokenSecret; // SecretStore key of the probe's token
        QString namespaceName = QStringLiteral("default");
        QString image;
        // Optional: a PodTemplateSpec ({"metadata": …, "spec": …}) the pod is built on. What this backend sets
        // (restartPolicy, labels, nodeSelector, the "probe" container's image, command, args, token env and
        // port) wins; lists of named items (containers, env, ports, volumes) are merged by name, other lists
        // replaced.
        QJsonObject podTemplate;
        QString nodeSelectorKey = QStringLiteral("topology.kubernetes.io/region"); // empty: no nodeSelector
        QString nodeSelectorValue; // empty: region
        QString region; // the region code the probe reports, and the labels carry
        QString endpointTemplate = QStringLiteral("ws://{podIP}:8700"); // {podIP}, {podName}, {namespace}, {region}
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

        // Every field by its name above; apiServer, image, region, tokenSecret and probeTokenSecret are
        // required, bootTimeoutSeconds stands for bootTimeoutMs. Nullopt with *error naming the field when one
        // is wrong (a CA file that cannot be read or holds no certificate included).
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
    // The pod boot() creates for a runner: the pod template with what this backend sets laid over it.
    QJsonObject podFor(const QString &runnerId, const QString &podName, const QString &probeToken) const;

private:
    class Runner;

    void createPod(Runner *runner);
    void onCreated(Runner *runner);
    void poll(Runner *runner);
    void onPolled(Runner *runner);
    void fail(Runner *runner, const QString &reason);
    void deletePod(const QString &podName, const QString &apiToken);
    void forget(Runner *runner);
    QUrl podsUrl(const QString &podName = {}) const;

    Settings m_settings;
    CloudApiClient m_api;
    QString m_tlsError; // the CA could not be loaded: every boot fails with this
    QHash<QString, Runner *> m_runners; // owned (children)
};
