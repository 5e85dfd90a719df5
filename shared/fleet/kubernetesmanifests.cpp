#include "kubernetesmanifests.h"

#include <QJsonArray>

#include <algorithm>

const QString KubernetesManifests::runnerAnnotation = QStringLiteral("worldspeed.io/runner-id");

namespace {

const QString tokenKey = QStringLiteral("token");
const QString containerName = QStringLiteral("probe");
// What the probe's container image (packaging/container) expects; tst_kubernetesbackendsettings reads them from its
// files.
// The token file its entry point looks for, the numeric user it runs as, its health check, and the seccomp profile
// (packaging/container/seccomp.json) that lets Chrome's sandbox work with every capability dropped: installed on
// each node as <kubelet's seccomp folder>/worldspeed-probe.json (packaging/README.md).
const QString tokenVolume = QStringLiteral("probe-token");
const QString tokenDirectory = QStringLiteral("/run/secrets");
const QString tokenFileName = QStringLiteral("worldspeed-probe-token");
constexpr int imageUser = 10001;
const QString healthCommand = QStringLiteral("worldspeed-probe-health");
const QString seccompProfile = QStringLiteral("worldspeed-probe.json");
const QString tlsVolume = QStringLiteral("probe-tls");
const QString tlsDirectory = QStringLiteral("/etc/worldspeed-probe/tls");
const QString scratchVolume = QStringLiteral("tmp");

// A label value: at most 63 of [A-Za-z0-9_.-], starting and ending with a letter or digit.
QString labelValue(const QString &text)
{
    QString out;
    for (const QChar c : text) {
        const bool ok = c.isLetterOrNumber() && c.unicode() < 128;
        out += ok || c == u'-' || c == u'_' || c == u'.' ? c : QChar(u'-');
    }
    out = out.left(63);
    const auto edge = [](QChar c) { return !(c.isLetterOrNumber() && c.unicode() < 128); };
    while (!out.isEmpty() && edge(out.front()))
        out.remove(0, 1);
    while (!out.isEmpty() && edge(out.back()))
        out.chop(1);
    return out;
}

bool isNamedList(const QJsonArray &array)
{
    return std::all_of(array.begin(), array.end(), [](const QJsonValue &item) {
        return item.isObject() && item.toObject().value(QStringLiteral("name")).isString();
    });
}

// `overlay` laid over `base`: objects key by key, lists of named items by name, anything else replaced.
QJsonValue merged(const QJsonValue &base, const QJsonValue &overlay)
{
    if (base.isObject() && overlay.isObject()) {
        QJsonObject result = base.toObject();
        const QJsonObject top = overlay.toObject();
        for (auto it = top.begin(); it != top.end(); ++it)
            result.insert(it.key(), merged(result.value(it.key()), it.value()));
        return result;
    }
    if (base.isArray() && overlay.isArray() && isNamedList(base.toArray()) && isNamedList(overlay.toArray())) {
        QJsonArray result = base.toArray();
        for (const QJsonValue &item : overlay.toArray()) {
            const QString name = item.toObject().value(QStringLiteral("name")).toString();
            const auto same = std::find_if(result.begin(), result.end(), [&](const QJsonValue &existing) {
                return existing.toObject().value(QStringLiteral("name")).toString() == name;
            });
            if (same == result.end())
                result.append(item);
            else
                *same = merged(*same, item);
        }
        return result;
    }
    return overlay.isUndefined() ? base : overlay;
}

QJsonObject named(const QString &name, const QJsonObject &fields)
{
    QJsonObject object = fields;
    object.insert(QStringLiteral("name"), name);
    return object;
}

} // namespace

QJsonObject KubernetesManifests::metadata(
    const KubernetesBackend::Settings &settings, const QString &runnerId, const QString &name)
{
    const QJsonObject labels {
        { QStringLiteral("app.kubernetes.io/name"), QStringLiteral("worldspeed-probe") },
        { QStringLiteral("worldspeed.io/region"), labelValue(settings.region) },
        { QStringLiteral("worldspeed.io/runner"), labelValue(runnerId) },
    };
    return { { QStringLiteral("name"), name }, { QStringLiteral("namespace"), settings.namespaceName },
        { QStringLiteral("labels"), labels },
        // The whole id: a label value is limited to 63 characters of a smaller alphabet.
        { QStringLiteral("annotations"), QJsonObject { { runnerAnnotation, runnerId } } } };
}

QJsonArray KubernetesManifests::arguments(const KubernetesBackend::Settings &s)
{
    QJsonArray args { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("0.0.0.0:%1").arg(s.port),
        QStringLiteral("--region"), s.region, QStringLiteral("--parent-grace"), QString::number(s.parentGraceSeconds),
        QStringLiteral("--idle-shutdown"), QString::number(s.idleShutdownSeconds) };
    if (!s.probeTlsSecretName.isEmpty()) {
        args << QStringLiteral("--tls-cert") << QString(tlsDirectory + QStringLiteral("/tls.crt"))
             << QStringLiteral("--tls-key") << QString(tlsDirectory + QStringLiteral("/tls.key"));
    } else {
        // Settings::fromJson lets this through only with "insecurePlaintext" or a loopback endpoint.
        args << QStringLiteral("--insecure-plaintext");
    }
    return args;
}

QJsonObject KubernetesManifests::container(const KubernetesBackend::Settings &s)
{
    QJsonArray mounts { named(scratchVolume, { { QStringLiteral("mountPath"), QStringLiteral("/tmp") } }),
        named(tokenVolume, { { QStringLiteral("mountPath"), tokenDirectory }, { QStringLiteral("readOnly"), true } }) };
    if (!s.probeTlsSecretName.isEmpty()) {
        mounts.append(
            named(tlsVolume, { { QStringLiteral("mountPath"), tlsDirectory }, { QStringLiteral("readOnly"), true } }));
    }
    const QJsonObject health { { QStringLiteral("exec"),
        QJsonObject { { QStringLiteral("command"), QJsonArray { healthCommand } } } } };
    QJsonObject readiness = health;
    // The first check also starts a browser (a second or two); later ones only ask the probe (health.sh).
    readiness.insert(QStringLiteral("periodSeconds"), 2);
    readiness.insert(QStringLiteral("timeoutSeconds"), 45);
    QJsonObject liveness = health;
    liveness.insert(QStringLiteral("initialDelaySeconds"), 30);
    liveness.insert(QStringLiteral("periodSeconds"), 30);
    liveness.insert(QStringLiteral("timeoutSeconds"), 45);
    liveness.insert(QStringLiteral("failureThreshold"), 3);
    return {
        { QStringLiteral("name"), containerName },
        { QStringLiteral("image"), s.image },
        // Only args: the image's entry point adds `--listen 0.0.0.0:8700` (replaced by the one here), finds the
        // token file, checks that Chrome's sandbox can work and records the address for the health check.
        { QStringLiteral("args"), arguments(s) },
        // The token is a file from the pod's own Secret (tokenVolume), never in the spec or the environment.
        { QStringLiteral("env"),
            QJsonArray { named(QStringLiteral("TMPDIR"), { { QStringLiteral("value"), QStringLiteral("/tmp") } }) } },
        { QStringLiteral("ports"),
            QJsonArray { named(containerName,
                { { QStringLiteral("containerPort"), s.port },
                    { QStringLiteral("protocol"), QStringLiteral("TCP") } }) } },
        { QStringLiteral("volumeMounts"), mounts },
        // Chrome needs none of what is dropped here: its sandbox makes user namespaces, which need no capability
        // (the pod's seccomp profile lets it chroot inside them), and it writes only under TMPDIR and /dev/shm.
        { QStringLiteral("securityContext"),
            QJsonObject { { QStringLiteral("allowPrivilegeEscalation"), false },
                { QStringLiteral("readOnlyRootFilesystem"), true }, { QStringLiteral("runAsNonRoot"), true },
                { QStringLiteral("runAsUser"), imageUser }, { QStringLiteral("runAsGroup"), imageUser },
                { QStringLiteral("capabilities"),
                    QJsonObject { { QStringLiteral("drop"), QJsonArray { QStringLiteral("ALL") } } } } } },
        // Ready once the probe answers a WebSocket upgrade and a browser has started, so that booted() never races
        // its startup nor hands out a probe whose browser cannot run. The check is no client to the probe: it
        // neither counts against the parent grace nor as a failed login.
        { QStringLiteral("readinessProbe"), readiness },
        { QStringLiteral("livenessProbe"), liveness },
    };
}

QJsonObject KubernetesManifests::pod(const KubernetesBackend::Settings &s, const QString &runnerId, const QString &name)
{
    // The token Secret as the one file the image's entry point looks for, readable by the probe's group only.
    const QJsonObject tokenSecret { { QStringLiteral("secretName"), name },
        { QStringLiteral("items"),
            QJsonArray {
                QJsonObject { { QStringLiteral("key"), tokenKey }, { QStringLiteral("path"), tokenFileName } } } },
        { QStringLiteral("defaultMode"), 0440 } };
    QJsonArray volumes { named(scratchVolume, { { QStringLiteral("emptyDir"), QJsonObject {} } }),
        named(tokenVolume, { { QStringLiteral("secret"), tokenSecret } }) };
    if (!s.probeTlsSecretName.isEmpty()) {
        volumes.append(named(tlsVolume,
            { { QStringLiteral("secret"), QJsonObject { { QStringLiteral("secretName"), s.probeTlsSecretName } } } }));
    }
    QJsonObject spec {
        // Never: a probe that ended itself stays ended; restarting it would undo its self-shutdown.
        { QStringLiteral("restartPolicy"), QStringLiteral("Never") },
        // The probe never talks to the API server.
        { QStringLiteral("automountServiceAccountToken"), false },
        { QStringLiteral("securityContext"),
            QJsonObject { { QStringLiteral("runAsNonRoot"), true }, { QStringLiteral("runAsUser"), imageUser },
                { QStringLiteral("runAsGroup"), imageUser },
                // Secret volumes' files belong to this group, so the probe's user can read its token.
                { QStringLiteral("fsGroup"), imageUser },
                { QStringLiteral("seccompProfile"),
                    QJsonObject { { QStringLiteral("type"), QStringLiteral("Localhost") },
                        { QStringLiteral("localhostProfile"), seccompProfile } } } } },
        { QStringLiteral("containers"), QJsonArray { container(s) } },
        { QStringLiteral("volumes"), volumes },
    };
    if (!s.nodeSelectorKey.isEmpty())
        spec.insert(QStringLiteral("nodeSelector"),
            QJsonObject { { s.nodeSelectorKey, s.nodeSelectorValue.isEmpty() ? s.region : s.nodeSelectorValue } });
    const QJsonObject generated {
        { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("kind"), QStringLiteral("Pod") },
        { QStringLiteral("metadata"), metadata(s, runnerId, name) },
        { QStringLiteral("spec"), spec },
    };
    return merged(s.podTemplate, generated).toObject();
}

QJsonObject KubernetesManifests::tokenSecret(
    const KubernetesBackend::Settings &s, const QString &runnerId, const QString &name, const QString &token)
{
    return {
        { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("kind"), QStringLiteral("Secret") },
        { QStringLiteral("metadata"), metadata(s, runnerId, name) },
        { QStringLiteral("type"), QStringLiteral("Opaque") },
        // Nobody changes it while its pod lives.
        { QStringLiteral("immutable"), true },
        { QStringLiteral("data"), QJsonObject { { tokenKey, QString::fromLatin1(token.toUtf8().toBase64()) } } },
    };
}
