#include "kubernetesmanifests.h"

#include <QJsonArray>

#include <algorithm>

const QString KubernetesManifests::runnerAnnotation = QStringLiteral("worldspeed.io/runner-id");

namespace {

const QString tokenVariable = QStringLiteral("WORLDSPEED_PROBE_TOKEN");
const QString tokenKey = QStringLiteral("token");
const QString containerName = QStringLiteral("probe");
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

QJsonObject KubernetesManifests::container(const KubernetesBackend::Settings &s, const QString &name)
{
    QJsonArray mounts { named(scratchVolume, { { QStringLiteral("mountPath"), QStringLiteral("/tmp") } }) };
    if (!s.probeTlsSecretName.isEmpty()) {
        mounts.append(
            named(tlsVolume, { { QStringLiteral("mountPath"), tlsDirectory }, { QStringLiteral("readOnly"), true } }));
    }
    const QJsonObject tokenRef { { QStringLiteral("secretKeyRef"),
        QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("key"), tokenKey } } } };
    return {
        { QStringLiteral("name"), containerName },
        { QStringLiteral("image"), s.image },
        // The command too: the probe's container image starts `worldspeed-probe serve --listen …` by itself, and
        // args alone would be appended to that.
        { QStringLiteral("command"), QJsonArray { QStringLiteral("worldspeed-probe") } },
        { QStringLiteral("args"), arguments(s) },
        // The token from the pod's own Secret, never in the spec; the probe drops it from the environment that
        // Chrome inherits.
        { QStringLiteral("env"),
            QJsonArray { named(tokenVariable, { { QStringLiteral("valueFrom"), tokenRef } }),
                named(QStringLiteral("TMPDIR"), { { QStringLiteral("value"), QStringLiteral("/tmp") } }) } },
        { QStringLiteral("ports"),
            QJsonArray { named(containerName,
                { { QStringLiteral("containerPort"), s.port },
                    { QStringLiteral("protocol"), QStringLiteral("TCP") } }) } },
        { QStringLiteral("volumeMounts"), mounts },
        // Chrome needs none of what is dropped here: its sandbox makes user namespaces, which need no capability,
        // and it writes only under TMPDIR (the emptyDir) and /dev/shm.
        { QStringLiteral("securityContext"),
            QJsonObject { { QStringLiteral("allowPrivilegeEscalation"), false },
                { QStringLiteral("readOnlyRootFilesystem"), true }, { QStringLiteral("runAsNonRoot"), true },
                { QStringLiteral("capabilities"),
                    QJsonObject { { QStringLiteral("drop"), QJsonArray { QStringLiteral("ALL") } } } } } },
        // Ready once the probe accepts connections, so that booted() never races its startup. A bare TCP connect
        // is not a client to the probe: it neither counts against the parent grace nor as a failed login.
        { QStringLiteral("readinessProbe"),
            QJsonObject { { QStringLiteral("tcpSocket"), QJsonObject { { QStringLiteral("port"), s.port } } },
                { QStringLiteral("periodSeconds"), 1 } } },
    };
}

QJsonObject KubernetesManifests::pod(const KubernetesBackend::Settings &s, const QString &runnerId, const QString &name)
{
    QJsonArray volumes { named(scratchVolume, { { QStringLiteral("emptyDir"), QJsonObject {} } }) };
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
            QJsonObject { { QStringLiteral("runAsNonRoot"), true },
                { QStringLiteral("seccompProfile"),
                    QJsonObject { { QStringLiteral("type"), QStringLiteral("RuntimeDefault") } } } } },
        { QStringLiteral("containers"), QJsonArray { container(s, name) } },
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
