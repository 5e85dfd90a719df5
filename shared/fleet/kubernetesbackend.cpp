#include "kubernetesbackend.h"

#include "model/displayformat.h"
#include "model/jsonreader.h"
#include "protocol/message.h"

#include <QFile>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSslCertificate>

#include <algorithm>

Q_LOGGING_CATEGORY(lcKubernetes, "worldspeed.fleet.kubernetes", QtInfoMsg)

namespace {

const QString tokenVariable = QStringLiteral("WORLDSPEED_PROBE_TOKEN");
const QString containerName = QStringLiteral("probe");
const QString runnerAnnotation = QStringLiteral("worldspeed.io/runner-id");
constexpr qsizetype maxMessageLength = CloudApiClient::maxMessageLength;

// Waiting reasons after which the container will not start without someone changing the pod or the registry.
bool isFatalWaitingReason(const QString &reason)
{
    static const QStringList fatal { QStringLiteral("ErrImagePull"), QStringLiteral("ImagePullBackOff"),
        QStringLiteral("InvalidImageName"), QStringLiteral("ErrImageNeverPull"),
        QStringLiteral("CreateContainerConfigError"), QStringLiteral("CreateContainerError"),
        QStringLiteral("RunContainerError") };
    return fatal.contains(reason);
}

// A DNS-1123 label fragment: lower-case letters, digits and '-', not starting or ending with '-'.
QString dnsFragment(const QString &text, qsizetype maxLength)
{
    QString out;
    for (const QChar c : text.toLower()) {
        const bool ok = (c >= u'a' && c <= u'z') || (c >= u'0' && c <= u'9');
        out += ok ? c : QChar(u'-');
    }
    out = out.left(maxLength);
    while (out.startsWith(u'-'))
        out.remove(0, 1);
    while (out.endsWith(u'-'))
        out.chop(1);
    return out;
}

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

QString expandTemplate(
    QString text, const QString &podIp, const QString &podName, const QString &ns, const QString &region)
{
    text.replace(QStringLiteral("{podIP}"), podIp.contains(u':') ? u'[' + podIp + u']' : podIp);
    text.replace(QStringLiteral("{podName}"), podName);
    text.replace(QStringLiteral("{namespace}"), ns);
    text.replace(QStringLiteral("{region}"), region);
    return text;
}

// Why a container that ended did: "Error, exit code 2: …".
QString terminationOf(const QJsonObject &status)
{
    QStringList parts;
    const QJsonArray containers = status.value(QStringLiteral("containerStatuses")).toArray();
    for (const QJsonValue &container : containers) {
        const QJsonObject terminated = container.toObject()
                                           .value(QStringLiteral("state"))
                                           .toObject()
                                           .value(QStringLiteral("terminated"))
                                           .toObject();
        if (terminated.isEmpty())
            continue;
        QString part = terminated.value(QStringLiteral("reason")).toString(QStringLiteral("terminated"));
        part += QStringLiteral(", exit code %1").arg(terminated.value(QStringLiteral("exitCode")).toInt());
        const QString message = terminated.value(QStringLiteral("message")).toString().simplified();
        if (!message.isEmpty())
            part += QStringLiteral(": ") + message.left(maxMessageLength);
        parts.append(part);
    }
    return parts.join(QStringLiteral("; "));
}

} // namespace

// One boot, and the pod once it is asked for. Owned by the backend.
class KubernetesBackend::Runner final : public CloudApiClient::Boot
{
public:
    using Boot::Boot;

    QString podName; // chosen before the create request, so that a retried create finds its own pod
    bool podRequested = false; // a create request has been sent: the pod may exist
    bool ownerUnchecked = false; // the pod was found existing: check it is ours before using (or deleting) it
};

QList<QSslCertificate> KubernetesBackend::Settings::caCertificates(const QString &pemOrPath, QString *error)
{
    QByteArray pem = pemOrPath.toUtf8();
    if (!pemOrPath.contains(QStringLiteral("-----BEGIN"))) {
        QFile file(pemOrPath);
        if (!file.open(QIODevice::ReadOnly)) {
            if (error)
                *error = QStringLiteral("cannot read %1: %2").arg(pemOrPath, file.errorString());
            return {};
        }
        pem = file.read(1 << 20);
    }
    const QList<QSslCertificate> certificates = QSslCertificate::fromData(pem, QSsl::Pem);
    if (certificates.isEmpty() && error)
        *error = QStringLiteral("holds no PEM certificate");
    return certificates;
}

std::optional<KubernetesBackend::Settings> KubernetesBackend::Settings::fromJson(
    const QJsonObject &json, QString *error)
{
    static const QStringList known { QStringLiteral("kind"), QStringLiteral("apiServer"),
        QStringLiteral("caCertificatePem"), QStringLiteral("tokenSecret"), QStringLiteral("probeTokenSecret"),
        QStringLiteral("namespaceName"), QStringLiteral("image"), QStringLiteral("podTemplate"),
        QStringLiteral("nodeSelectorKey"), QStringLiteral("nodeSelectorValue"), QStringLiteral("region"),
        QStringLiteral("endpointTemplate"), QStringLiteral("port"), QStringLiteral("parentGraceSeconds"),
        QStringLiteral("idleShutdownSeconds"), QStringLiteral("pollIntervalMs"), QStringLiteral("bootTimeoutSeconds"),
        QStringLiteral("maxRetries"), QStringLiteral("retryInitialDelayMs"), QStringLiteral("retryMaxDelayMs") };
    using P = JsonReader::Presence;
    JsonReader reader(json);
    reader.allowOnly(known, QStringLiteral("a Kubernetes backend setting"));

    Settings settings;
    const auto integer = [&](const QString &key, int min, int max, int *field) {
        if (const auto value = reader.integer(key, P::Optional, min, max))
            *field = int(*value);
    };
    settings.apiServer = QUrl(reader.string(QStringLiteral("apiServer"), P::Required, 2048));
    if (reader.ok()
        && (!settings.apiServer.isValid() || settings.apiServer.host().isEmpty()
            || (settings.apiServer.scheme() != u"https" && settings.apiServer.scheme() != u"http")))
        reader.fail(QStringLiteral("apiServer"), QStringLiteral("expected an https URL such as https://10.0.0.1:6443"));
    settings.caCertificatePem = reader.string(QStringLiteral("caCertificatePem"), P::Optional, 1 << 20);
    if (reader.ok() && !settings.caCertificatePem.isEmpty()) {
        QString why;
        if (caCertificates(settings.caCertificatePem, &why).isEmpty())
            reader.fail(QStringLiteral("caCertificatePem"), why);
    }
    CloudApiClient::readTokenSecrets(reader, QStringLiteral("API server token"), &settings);
    if (reader.has(QStringLiteral("namespaceName"))) {
        settings.namespaceName = reader.string(QStringLiteral("namespaceName"), P::Optional, 63);
        static const QRegularExpression dnsLabel(QStringLiteral("^[a-z0-9]([a-z0-9-]*[a-z0-9])?$"));
        if (reader.ok() && !dnsLabel.match(settings.namespaceName).hasMatch())
            reader.fail(QStringLiteral("namespaceName"),
                QStringLiteral("expected a namespace name (lower-case letters, digits, -)"));
    }
    settings.image = reader.string(QStringLiteral("image"), P::Required, 1024);
    if (reader.ok() && (settings.image.isEmpty() || settings.image.contains(QRegularExpression(QStringLiteral("\\s")))))
        reader.fail(QStringLiteral("image"), QStringLiteral("expected an image reference"));
    settings.podTemplate = reader.object(QStringLiteral("podTemplate"));
    for (auto it = settings.podTemplate.begin(); reader.ok() && it != settings.podTemplate.end(); ++it) {
        if ((it.key() != u"metadata" && it.key() != u"spec") || !it.value().isObject())
            reader.fail(QStringLiteral("podTemplate"),
                QStringLiteral("expected a PodTemplateSpec: {\"metadata\": {…}, \"spec\": {…}}"));
    }
    if (reader.has(QStringLiteral("nodeSelectorKey")))
        settings.nodeSelectorKey = reader.string(QStringLiteral("nodeSelectorKey"), P::Optional, 316);
    settings.nodeSelectorValue = reader.string(QStringLiteral("nodeSelectorValue"), P::Optional, 63);
    settings.region = reader.string(QStringLiteral("region"), P::Required, ProtocolLimits::maxIdentifierLength);
    if (reader.ok() && !ProtocolLimits::isIdentifier(settings.region))
        reader.fail(QStringLiteral("region"), QStringLiteral("expected a region code such as fra"));
    if (reader.has(QStringLiteral("endpointTemplate"))) {
        settings.endpointTemplate = reader.string(QStringLiteral("endpointTemplate"), P::Optional, 2048);
        const QUrl sample(expandTemplate(settings.endpointTemplate, QStringLiteral("10.0.0.1"), QStringLiteral("pod"),
            QStringLiteral("ns"), QStringLiteral("fra")));
        if (reader.ok()
            && (!sample.isValid() || (sample.scheme() != u"wss" && sample.scheme() != u"ws")
                || sample.host().isEmpty()))
            reader.fail(QStringLiteral("endpointTemplate"),
                QStringLiteral("expected a ws:// or wss:// URL, e.g. ws://{podIP}:8700"));
    }
    integer(QStringLiteral("port"), 1, 65535, &settings.port);
    // 0 would turn the probe's own shutdown off, and with it what ends a pod nobody talks to.
    integer(QStringLiteral("parentGraceSeconds"), 1, 24 * 3600, &settings.parentGraceSeconds);
    integer(QStringLiteral("idleShutdownSeconds"), 0, 7 * 24 * 3600, &settings.idleShutdownSeconds);
    integer(QStringLiteral("pollIntervalMs"), 50, 60'000, &settings.pollIntervalMs);
    return CloudApiClient::finishSettings(reader, std::move(settings), error);
}

KubernetesBackend::KubernetesBackend(
    Settings settings, SecretStore *secrets, QNetworkAccessManager *nam, QObject *parent)
    : Backend(parent)
    , m_settings(std::move(settings))
    // A Status object, the API server's answer to what it refuses, keeps its reason in "message".
    , m_api(nam, secrets,
          CloudApiClient::settingsFor(
              m_settings, m_settings.apiServer, { QStringLiteral("message") }, QStringLiteral("Kubernetes API token")))
{
    if (!m_settings.caCertificatePem.isEmpty()) {
        QString why;
        const QList<QSslCertificate> certificates = Settings::caCertificates(m_settings.caCertificatePem, &why);
        if (certificates.isEmpty())
            m_tlsError = QStringLiteral("the API server's CA certificate %1").arg(why);
        else
            m_api.trustOnly(certificates); // only this CA
    }
}

KubernetesBackend::~KubernetesBackend()
{
    // Pods still there are deleted on the way out; those requests belong to the network manager, which outlives
    // us. A pod whose create answer has not come yet ends itself after the parent grace.
    for (Runner *runner : std::as_const(m_runners)) {
        const bool createInFlight = runner->phase == Runner::Phase::Creating && runner->reply;
        if (runner->podRequested && !createInFlight)
            deletePod(runner->podName, runner->apiToken);
    }
}

QJsonObject KubernetesBackend::podFor(const QString &runnerId, const QString &podName, const QString &probeToken) const
{
    const Settings &s = m_settings;
    const QJsonArray args { QStringLiteral("serve"), QStringLiteral("--listen"),
        QStringLiteral("0.0.0.0:%1").arg(s.port), QStringLiteral("--region"), s.region,
        QStringLiteral("--parent-grace"), QString::number(s.parentGraceSeconds), QStringLiteral("--idle-shutdown"),
        QString::number(s.idleShutdownSeconds) };
    const QJsonObject container {
        { QStringLiteral("name"), containerName },
        { QStringLiteral("image"), s.image },
        // The command too: the probe's container image starts `worldspeed-probe serve --listen …` by itself, and
        // args alone would be appended to that.
        { QStringLiteral("command"), QJsonArray { QStringLiteral("worldspeed-probe") } },
        { QStringLiteral("args"), args },
        { QStringLiteral("env"),
            QJsonArray {
                QJsonObject { { QStringLiteral("name"), tokenVariable }, { QStringLiteral("value"), probeToken } } } },
        { QStringLiteral("ports"),
            QJsonArray {
                QJsonObject { { QStringLiteral("name"), containerName }, { QStringLiteral("containerPort"), s.port },
                    { QStringLiteral("protocol"), QStringLiteral("TCP") } } } },
        // Ready once the probe accepts connections, so that booted() never races its startup. A bare TCP connect
        // is not a client to the probe: it neither counts against the parent grace nor as a failed login.
        { QStringLiteral("readinessProbe"),
            QJsonObject { { QStringLiteral("tcpSocket"), QJsonObject { { QStringLiteral("port"), s.port } } },
                { QStringLiteral("periodSeconds"), 1 } } },
    };
    QJsonObject spec {
        // Never: a probe that ended itself stays ended; restarting it would undo its self-shutdown.
        { QStringLiteral("restartPolicy"), QStringLiteral("Never") },
        // The probe never talks to the API server.
        { QStringLiteral("automountServiceAccountToken"), false },
        { QStringLiteral("containers"), QJsonArray { container } },
    };
    if (!s.nodeSelectorKey.isEmpty())
        spec.insert(QStringLiteral("nodeSelector"),
            QJsonObject { { s.nodeSelectorKey, s.nodeSelectorValue.isEmpty() ? s.region : s.nodeSelectorValue } });
    const QJsonObject labels {
        { QStringLiteral("app.kubernetes.io/name"), QStringLiteral("worldspeed-probe") },
        { QStringLiteral("worldspeed.io/region"), labelValue(s.region) },
        { QStringLiteral("worldspeed.io/runner"), labelValue(runnerId) },
    };
    const QJsonObject generated {
        { QStringLiteral("apiVersion"), QStringLiteral("v1") },
        { QStringLiteral("kind"), QStringLiteral("Pod") },
        { QStringLiteral("metadata"),
            QJsonObject { { QStringLiteral("name"), podName }, { QStringLiteral("namespace"), s.namespaceName },
                { QStringLiteral("labels"), labels },
                // The whole id: a label value is limited to 63 characters of a smaller alphabet.
                { QStringLiteral("annotations"), QJsonObject { { runnerAnnotation, runnerId } } } } },
        { QStringLiteral("spec"), spec },
    };
    return merged(s.podTemplate, generated).toObject();
}

void KubernetesBackend::boot(const QString &runnerId)
{
    if (m_runners.contains(runnerId) || !m_tlsError.isEmpty()) {
        const QString reason = m_tlsError.isEmpty()
            ? QStringLiteral("runner %1 is already booting or booted").arg(runnerId)
            : m_tlsError;
        // Never answer from inside the call.
        QMetaObject::invokeMethod(
            this, [this, runnerId, reason] { emit bootFailed(runnerId, reason); }, Qt::QueuedConnection);
        return;
    }
    auto *runner = new Runner(runnerId, this);
    m_runners.insert(runnerId, runner);
    runner->podName = QStringLiteral("worldspeed-probe-%1-%2")
                          .arg(dnsFragment(m_settings.region, 20))
                          .arg(QRandomGenerator::global()->generate64() & 0xffffffffffULL, 10, 16, QChar(u'0'));
    connect(&runner->deadline, &QTimer::timeout, runner, [this, runner] {
        QString reason
            = QStringLiteral("the probe pod %1 in %2 was not ready within %3")
                  .arg(runner->podName, m_settings.region, DisplayFormat::duration(m_settings.bootTimeoutMs));
        if (!runner->lastProblem.isEmpty())
            reason += QStringLiteral(" (last seen: %1)").arg(runner->lastProblem);
        fail(runner, reason);
    });
    connect(&runner->nextTry, &QTimer::timeout, runner, [this, runner] {
        if (runner->phase == Runner::Phase::Creating)
            createPod(runner);
        else
            poll(runner);
    });
    m_api.start(
        runner, m_settings.bootTimeoutMs, [this, runner] { createPod(runner); },
        [this, runner](const QString &reason) { fail(runner, reason); });
}

QUrl KubernetesBackend::podsUrl(const QString &podName) const
{
    QString path = QStringLiteral("/api/v1/namespaces/%1/pods").arg(m_settings.namespaceName);
    if (!podName.isEmpty())
        path += u'/' + podName;
    return m_api.url(path);
}

void KubernetesBackend::createPod(Runner *runner)
{
    const QJsonObject pod = podFor(runner->id, runner->podName, runner->probeToken);
    runner->podRequested = true;
    runner->reply = m_api.post(podsUrl(), runner->apiToken, pod);
    connect(runner->reply, &QNetworkReply::finished, runner, [this, runner] { onCreated(runner); });
}

void KubernetesBackend::onCreated(Runner *runner)
{
    const CloudApiClient::Answer answer = runner->takeAnswer();
    const int status = answer.status;
    // 409 AlreadyExists: an earlier attempt did create the pod, its answer lost. That may be our own retry, or
    // the network manager's: it sends a request again by itself when the connection closes before an answer.
    // The name has 40 random bits, but the first poll still checks that the pod is this runner's.
    const bool exists = status == 409 && answer.json().value(QStringLiteral("reason")).toString() == u"AlreadyExists";
    const bool created = answer.ok() || exists;
    if (runner->abandoned) {
        // Delete what may exist: a pod made now, or by an earlier attempt whose answer was lost.
        runner->podRequested = created || CloudApiClient::isRetryable(status) || runner->retries > 0;
        forget(runner);
        return;
    }
    if (created) {
        qCInfo(lcKubernetes) << "created pod" << runner->podName << "in" << m_settings.namespaceName << "for runner"
                             << runner->id;
        runner->phase = Runner::Phase::Starting;
        runner->ownerUnchecked = exists;
        runner->lastProblem.clear();
        poll(runner);
        return;
    }
    const QString message = runner->redacted(m_api.messageOf(answer));
    if (answer.tlsFailure) {
        runner->podRequested = runner->retries > 0;
        fail(runner,
            QStringLiteral("cannot trust the Kubernetes API server at %1: %2")
                .arg(m_settings.apiServer.host(), message));
        return;
    }
    const bool retryable = CloudApiClient::isRetryable(status);
    if (retryable && m_api.retryLater(runner)) {
        runner->lastProblem = message;
        qCInfo(lcKubernetes) << "creating a pod in" << m_settings.region << "answered" << status
                             << "- retrying:" << message;
        return;
    }
    // Refused at the first attempt: there is no pod of ours to delete.
    if (!retryable && runner->retries == 0)
        runner->podRequested = false;
    if (retryable) {
        fail(runner,
            QStringLiteral("Kubernetes could not create a pod in %1 after %2: %3")
                .arg(m_settings.region, CloudApiClient::attempts(runner->retries + 1), message));
        return;
    }
    fail(runner, QStringLiteral("Kubernetes refused to create a pod in %1: %2").arg(m_settings.region, message));
}

void KubernetesBackend::poll(Runner *runner)
{
    runner->reply = m_api.get(podsUrl(runner->podName), runner->apiToken);
    connect(runner->reply, &QNetworkReply::finished, runner, [this, runner] { onPolled(runner); });
}

void KubernetesBackend::onPolled(Runner *runner)
{
    const CloudApiClient::Answer answer = runner->takeAnswer();
    const QString where = QStringLiteral("the probe pod %1 in %2").arg(runner->podName, m_settings.region);
    if (answer.status != 200) {
        const QString message = runner->redacted(m_api.messageOf(answer));
        if (CloudApiClient::isRetryable(answer.status) && !answer.tlsFailure) {
            runner->lastProblem = message;
            runner->nextTry.start(m_settings.pollIntervalMs);
        } else if (answer.status == 404) {
            fail(runner, QStringLiteral("%1 was deleted before it was ready").arg(where));
        } else {
            fail(runner, QStringLiteral("Kubernetes would not show %1: %2").arg(where, message));
        }
        return;
    }

    const QJsonObject pod = answer.json();
    if (runner->ownerUnchecked) {
        const QString owner = pod.value(QStringLiteral("metadata"))
                                  .toObject()
                                  .value(QStringLiteral("annotations"))
                                  .toObject()
                                  .value(runnerAnnotation)
                                  .toString();
        if (owner != runner->id) {
            runner->podRequested = false; // somebody else's: leave it alone
            fail(runner,
                QStringLiteral(
                    "Kubernetes refused to create a pod in %1: a pod named %2 that is not this runner's exists already")
                    .arg(m_settings.region, runner->podName));
            return;
        }
        runner->ownerUnchecked = false;
    }
    const QJsonObject podStatus = pod.value(QStringLiteral("status")).toObject();
    const QString phase = podStatus.value(QStringLiteral("phase")).toString();
    // A container that will not start: the image cannot be pulled, the config is wrong.
    for (const QString &key : { QStringLiteral("initContainerStatuses"), QStringLiteral("containerStatuses") }) {
        for (const QJsonValue &container : podStatus.value(key).toArray()) {
            const QJsonObject waiting = container.toObject()
                                            .value(QStringLiteral("state"))
                                            .toObject()
                                            .value(QStringLiteral("waiting"))
                                            .toObject();
            const QString reason = waiting.value(QStringLiteral("reason")).toString();
            if (isFatalWaitingReason(reason)) {
                const QString message
                    = waiting.value(QStringLiteral("message")).toString().simplified().left(maxMessageLength);
                fail(runner,
                    QStringLiteral("Kubernetes cannot start %1: %2%3")
                        .arg(where, reason, message.isEmpty() ? QString() : u": " + message));
                return;
            }
        }
    }
    bool readyKnown = false;
    bool ready = false;
    QString unschedulable;
    for (const QJsonValue &value : podStatus.value(QStringLiteral("conditions")).toArray()) {
        const QJsonObject condition = value.toObject();
        const QString type = condition.value(QStringLiteral("type")).toString();
        const bool isTrue = condition.value(QStringLiteral("status")).toString() == u"True";
        if (type == u"PodScheduled" && !isTrue
            && condition.value(QStringLiteral("reason")).toString() == u"Unschedulable") {
            // Not fatal: a cluster autoscaler adds a node for exactly such a pod, which takes minutes. Wait until
            // the boot deadline, whose message then carries the scheduler's reason.
            const QString message
                = condition.value(QStringLiteral("message")).toString().simplified().left(maxMessageLength);
            unschedulable
                = QStringLiteral("unschedulable: ") + (message.isEmpty() ? QStringLiteral("no reason given") : message);
        }
        if (type == u"Ready") {
            readyKnown = true;
            ready = isTrue;
        }
    }
    if (phase == u"Failed" || phase == u"Succeeded") {
        QString why = podStatus.value(QStringLiteral("message")).toString().simplified().left(maxMessageLength);
        const QString termination = terminationOf(podStatus);
        if (!termination.isEmpty())
            why = why.isEmpty() ? termination : why + QStringLiteral(" (") + termination + u')';
        fail(runner,
            QStringLiteral("%1 %2 before it was reached%3")
                .arg(where, phase == u"Failed" ? QStringLiteral("failed") : QStringLiteral("exited"),
                    why.isEmpty() ? QString() : u": " + why));
        return;
    }
    const QString podIp = podStatus.value(QStringLiteral("podIP")).toString();
    if (phase == u"Running" && !podIp.isEmpty() && (ready || !readyKnown)) {
        ProbeClient::Endpoint endpoint;
        endpoint.url = QUrl(expandTemplate(
            m_settings.endpointTemplate, podIp, runner->podName, m_settings.namespaceName, m_settings.region));
        endpoint.token = runner->succeed();
        qCInfo(lcKubernetes) << "pod" << runner->podName << "in" << m_settings.region << "ready at" << podIp;
        emit booted(runner->id, endpoint);
        return;
    }
    runner->lastProblem = phase.isEmpty() ? QStringLiteral("no phase yet") : QStringLiteral("phase %1").arg(phase);
    if (phase == u"Running")
        runner->lastProblem += QStringLiteral(", not ready");
    if (!unschedulable.isEmpty())
        runner->lastProblem += QStringLiteral(", ") + unschedulable;
    runner->nextTry.start(m_settings.pollIntervalMs);
}

void KubernetesBackend::fail(Runner *runner, const QString &reason)
{
    const QString id = runner->id;
    const QString why = runner->redacted(reason);
    qCWarning(lcKubernetes).noquote() << "runner" << id << "did not boot:" << why;
    forget(runner);
    emit bootFailed(id, why);
}

void KubernetesBackend::stop(const QString &runnerId)
{
    if (Runner *runner = m_runners.value(runnerId))
        forget(runner);
}

void KubernetesBackend::forget(Runner *runner)
{
    if (m_runners.value(runner->id) == runner)
        m_runners.remove(runner->id);
    // A create request in flight may still make the pod: wait for its answer, only to delete the pod.
    if (!runner->end())
        return;
    if (runner->podRequested)
        deletePod(runner->podName, runner->apiToken);
    runner->deleteLater();
}

void KubernetesBackend::deletePod(const QString &podName, const QString &apiToken)
{
    m_api.deleteResource(podsUrl(podName), apiToken, [podName](const CloudApiClient::Answer &answer) {
        if (answer.ok() || answer.status == 404)
            qCInfo(lcKubernetes) << "pod" << podName << "deleted";
        else
            qCWarning(lcKubernetes) << "could not delete pod" << podName << "- status" << answer.status
                                    << answer.networkError << "; its probe stops itself after the parent grace";
    });
}
