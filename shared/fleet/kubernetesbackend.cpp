#include "kubernetesbackend.h"

#include "cleartextpolicy.h"
#include "kubernetesmanifests.h"
#include "kubernetespodstatus.h"
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

using P = JsonReader::Presence;

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

QString expandTemplate(
    QString text, const QString &podIp, const QString &podName, const QString &ns, const QString &region)
{
    text.replace(QStringLiteral("{podIP}"), podIp.contains(u':') ? u'[' + podIp + u']' : podIp);
    text.replace(QStringLiteral("{podName}"), podName);
    text.replace(QStringLiteral("{namespace}"), ns);
    text.replace(QStringLiteral("{region}"), region);
    return text;
}

void readInteger(JsonReader &reader, const QString &key, int min, int max, int *field)
{
    if (const auto value = reader.integer(key, P::Optional, min, max))
        *field = int(*value);
}

// The API server, the CA to trust for it, and its token.
void readApi(JsonReader &reader, KubernetesBackend::Settings &settings)
{
    settings.apiServer = QUrl(reader.string(QStringLiteral("apiServer"), P::Required, 2048));
    if (reader.ok()
        && (!settings.apiServer.isValid() || settings.apiServer.host().isEmpty()
            || (settings.apiServer.scheme() != u"https" && settings.apiServer.scheme() != u"http")))
        reader.fail(QStringLiteral("apiServer"), QStringLiteral("expected an https URL such as https://10.0.0.1:6443"));
    settings.caCertificatePem = reader.string(QStringLiteral("caCertificatePem"), P::Optional, 1 << 20);
    if (reader.ok() && !settings.caCertificatePem.isEmpty()) {
        QString why;
        if (KubernetesBackend::Settings::caCertificates(settings.caCertificatePem, &why).isEmpty())
            reader.fail(QStringLiteral("caCertificatePem"), why);
    }
    CloudApiClient::readSecurity(reader, QStringLiteral("API server token"), &settings);
    CloudApiClient::checkPlaintext(reader, QStringLiteral("apiServer"), settings.apiServer, settings.insecurePlaintext,
        QStringLiteral("API server token"));
}

// Where the pod goes and what it runs.
void readPod(JsonReader &reader, KubernetesBackend::Settings &settings)
{
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
}

// How clients reach the probe: its port, its TLS, and the endpoint, which must not carry the token unencrypted
// across the pod network unless the config says that network is safe.
void readEndpoint(JsonReader &reader, KubernetesBackend::Settings &settings)
{
    readInteger(reader, QStringLiteral("port"), 1, 65535, &settings.port);
    settings.probeTlsSecretName = reader.string(QStringLiteral("probeTlsSecretName"), P::Optional, 253);
    const QString pin = reader.string(QStringLiteral("probeCertificateSha256"), P::Optional, 128);
    static const QRegularExpression sha256Hex(QStringLiteral("^[0-9A-Fa-f]{64}$"));
    if (reader.ok() && !pin.isEmpty() && !sha256Hex.match(QString(pin).remove(u':')).hasMatch())
        reader.fail(QStringLiteral("probeCertificateSha256"), QStringLiteral("expected 64 hex digits (':' allowed)"));
    if (reader.ok() && !pin.isEmpty() && settings.probeTlsSecretName.isEmpty())
        reader.fail(QStringLiteral("probeCertificateSha256"), QStringLiteral("only applies with probeTlsSecretName"));
    settings.probeCertificateSha256 = pin.toLatin1();
    settings.endpointTemplate = QStringLiteral("%1://{podIP}:%2")
                                    .arg(settings.probeTlsSecretName.isEmpty() ? u"ws" : u"wss")
                                    .arg(settings.port);
    if (reader.has(QStringLiteral("endpointTemplate")))
        settings.endpointTemplate = reader.string(QStringLiteral("endpointTemplate"), P::Optional, 2048);
    const QUrl sample(expandTemplate(settings.endpointTemplate, QStringLiteral("10.0.0.1"), QStringLiteral("pod"),
        QStringLiteral("ns"), QStringLiteral("fra")));
    if (reader.ok()
        && (!sample.isValid() || (sample.scheme() != u"wss" && sample.scheme() != u"ws") || sample.host().isEmpty()))
        reader.fail(QStringLiteral("endpointTemplate"),
            QStringLiteral("expected a ws:// or wss:// URL, e.g. wss://{podIP}:8700"));
    if (reader.ok() && !CleartextPolicy::refusal(sample, settings.insecurePlaintext, {}, {}).isEmpty()) {
        reader.fail(QStringLiteral("endpointTemplate"),
            QStringLiteral(
                "%1 would carry each probe's token across the pod network unencrypted; give "
                "\"probeTlsSecretName\" (a kubernetes.io/tls Secret in the namespace, with "
                "\"probeCertificateSha256\" pinning its certificate) so that the probes serve wss://, or set "
                "\"%2\": true if the pod network is encrypted by other means (a service mesh, an "
                "encrypting CNI)")
                .arg(settings.endpointTemplate, QLatin1String(CleartextPolicy::configKey)));
    }
}

} // namespace

// One boot, and the Secret and pod once they are asked for. Owned by the backend.
class KubernetesBackend::Runner final : public CloudApiClient::Boot
{
public:
    using Boot::Boot;

    QString podName; // also the Secret's; chosen before the create requests, so that a retry finds its own
    bool secretRequested = false; // a create request for the token Secret has been sent: it may exist
    bool secretCreated = false; // the API server said so
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
        QLatin1String(CleartextPolicy::configKey), QStringLiteral("probeTlsSecretName"),
        QStringLiteral("probeCertificateSha256"), QStringLiteral("namespaceName"), QStringLiteral("image"),
        QStringLiteral("podTemplate"), QStringLiteral("nodeSelectorKey"), QStringLiteral("nodeSelectorValue"),
        QStringLiteral("region"), QStringLiteral("endpointTemplate"), QStringLiteral("port"),
        QStringLiteral("parentGraceSeconds"), QStringLiteral("idleShutdownSeconds"), QStringLiteral("pollIntervalMs"),
        QStringLiteral("bootTimeoutSeconds"), QStringLiteral("maxRetries"), QStringLiteral("retryInitialDelayMs"),
        QStringLiteral("retryMaxDelayMs") };
    JsonReader reader(json);
    reader.allowOnly(known, QStringLiteral("a Kubernetes backend setting"));
    Settings settings;
    readApi(reader, settings);
    readPod(reader, settings);
    readEndpoint(reader, settings);
    // 0 would turn the probe's own shutdown off, and with it what ends a pod nobody talks to.
    readInteger(reader, QStringLiteral("parentGraceSeconds"), 1, 24 * 3600, &settings.parentGraceSeconds);
    readInteger(reader, QStringLiteral("idleShutdownSeconds"), 0, 7 * 24 * 3600, &settings.idleShutdownSeconds);
    readInteger(reader, QStringLiteral("pollIntervalMs"), 50, 60'000, &settings.pollIntervalMs);
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
    // Pods and Secrets still there are deleted on the way out; those requests belong to the network manager, which
    // outlives us. One whose create answer has not come yet is left: a pod ends itself after the parent grace, and
    // its Secret then opens nothing.
    for (Runner *runner : std::as_const(m_runners)) {
        const bool createInFlight = runner->phase == Runner::Phase::Creating && runner->reply;
        if (runner->podRequested && !createInFlight)
            deletePod(runner->podName, runner->apiToken);
        if (runner->secretRequested && (runner->secretCreated || !createInFlight))
            deleteTokenSecret(runner->podName, runner->apiToken);
    }
}

QJsonObject KubernetesBackend::podFor(const QString &runnerId, const QString &podName) const
{
    return KubernetesManifests::pod(m_settings, runnerId, podName);
}

void KubernetesBackend::boot(const QString &runnerId)
{
    if (m_runners.contains(runnerId) || !m_tlsError.isEmpty()) {
        const bool refused = !m_tlsError.isEmpty(); // a CA file that does not load will not by waiting
        const QString reason
            = refused ? m_tlsError : QStringLiteral("runner %1 is already booting or booted").arg(runnerId);
        // Never answer from inside the call.
        QMetaObject::invokeMethod(
            this,
            [this, runnerId, reason, refused] {
                if (refused)
                    emit bootRefused(runnerId, reason);
                else
                    emit bootFailed(runnerId, reason);
            },
            Qt::QueuedConnection);
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
        if (runner->phase != Runner::Phase::Creating)
            poll(runner);
        else if (runner->secretCreated)
            createPod(runner);
        else
            createTokenSecret(runner);
    });
    m_api.start(
        runner, m_settings.bootTimeoutMs, [this, runner] { createTokenSecret(runner); },
        [this, runner](const QString &reason) { fail(runner, reason, Failure::Refused); });
}

QUrl KubernetesBackend::secretsUrl(const QString &name) const
{
    QString path = QStringLiteral("/api/v1/namespaces/%1/secrets").arg(m_settings.namespaceName);
    if (!name.isEmpty())
        path += u'/' + name;
    return m_api.url(path);
}

void KubernetesBackend::createTokenSecret(Runner *runner)
{
    const QJsonObject secret
        = KubernetesManifests::tokenSecret(m_settings, runner->id, runner->podName, runner->probeToken);
    runner->secretRequested = true;
    runner->reply = m_api.post(secretsUrl(), runner->apiToken, secret);
    connect(runner->reply, &QNetworkReply::finished, runner, [this, runner] { onTokenSecretCreated(runner); });
}

void KubernetesBackend::onTokenSecretCreated(Runner *runner)
{
    const CloudApiClient::Answer answer = runner->takeAnswer();
    // 409 AlreadyExists: an earlier attempt made it, its answer lost (our retry, or the network manager's own resend
    // after a dropped connection). Somebody else's it cannot be: the name has 40 random bits under our prefix, and
    // reading Secrets to check would need rights over every Secret of the namespace.
    const bool exists
        = answer.status == 409 && answer.json().value(QStringLiteral("reason")).toString() == u"AlreadyExists";
    const bool created = answer.ok() || exists;
    if (runner->abandoned) {
        runner->secretRequested = created || CloudApiClient::isRetryable(answer.status) || runner->retries > 0;
        forget(runner);
        return;
    }
    if (created) {
        runner->secretCreated = true;
        runner->retries = 0;
        runner->lastProblem.clear();
        createPod(runner);
        return;
    }
    const QString message = runner->redacted(m_api.messageOf(answer));
    if (answer.tlsFailure) {
        runner->secretRequested = runner->retries > 0;
        fail(runner,
            QStringLiteral("cannot trust the Kubernetes API server at %1: %2")
                .arg(m_settings.apiServer.host(), message));
        return;
    }
    if (retryCreate(runner, answer, message))
        return;
    const bool retryable = CloudApiClient::isRetryable(answer.status);
    if (runner->retries == 0 && !retryable)
        runner->secretRequested = false; // refused at once: nothing of ours to delete
    if (retryable) {
        fail(runner,
            QStringLiteral("Kubernetes could not create the token Secret for a pod in %1 after %2: %3")
                .arg(m_settings.region, CloudApiClient::attempts(runner->retries + 1), message));
        return;
    }
    fail(runner,
        QStringLiteral("Kubernetes refused to create the token Secret for a pod in %1: %2")
            .arg(m_settings.region, message));
}

bool KubernetesBackend::retryCreate(Runner *runner, const CloudApiClient::Answer &answer, const QString &message)
{
    if (!CloudApiClient::isRetryable(answer.status) || !m_api.retryLater(runner))
        return false;
    runner->lastProblem = message;
    qCInfo(lcKubernetes) << "creating a pod in" << m_settings.region << "answered" << answer.status
                         << "- retrying:" << message;
    return true;
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
    const QJsonObject pod = podFor(runner->id, runner->podName);
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
    if (retryCreate(runner, answer, message))
        return;
    const bool retryable = CloudApiClient::isRetryable(status);
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

void KubernetesBackend::onPollFailed(Runner *runner, const CloudApiClient::Answer &answer)
{
    const QString where = QStringLiteral("the probe pod %1 in %2").arg(runner->podName, m_settings.region);
    const QString message = runner->redacted(m_api.messageOf(answer));
    if (CloudApiClient::isRetryable(answer.status) && !answer.tlsFailure) {
        runner->lastProblem = message;
        runner->nextTry.start(m_settings.pollIntervalMs);
    } else if (answer.status == 404) {
        fail(runner, QStringLiteral("%1 was deleted before it was ready").arg(where));
    } else {
        fail(runner, QStringLiteral("Kubernetes would not show %1: %2").arg(where, message));
    }
}

bool KubernetesBackend::checkOwner(Runner *runner, const QJsonObject &pod)
{
    if (!runner->ownerUnchecked)
        return true;
    const QString owner = pod.value(QStringLiteral("metadata"))
                              .toObject()
                              .value(QStringLiteral("annotations"))
                              .toObject()
                              .value(KubernetesManifests::runnerAnnotation)
                              .toString();
    if (owner != runner->id) {
        runner->podRequested = false; // somebody else's: leave it alone
        fail(runner,
            QStringLiteral(
                "Kubernetes refused to create a pod in %1: a pod named %2 that is not this runner's exists already")
                .arg(m_settings.region, runner->podName));
        return false;
    }
    runner->ownerUnchecked = false;
    return true;
}

void KubernetesBackend::onPolled(Runner *runner)
{
    const CloudApiClient::Answer answer = runner->takeAnswer();
    if (answer.status != 200)
        return onPollFailed(runner, answer);
    const QJsonObject pod = answer.json();
    if (!checkOwner(runner, pod))
        return;
    const QString where = QStringLiteral("the probe pod %1 in %2").arg(runner->podName, m_settings.region);
    const KubernetesPodStatus status(pod.value(QStringLiteral("status")).toObject());
    if (!status.fatalWaiting().isEmpty())
        return fail(runner, QStringLiteral("Kubernetes cannot start %1: %2").arg(where, status.fatalWaiting()));
    if (status.hasEnded()) {
        const QString why = status.endedReason();
        return fail(runner,
            QStringLiteral("%1 %2 before it was reached%3")
                .arg(where, status.endedVerb(), why.isEmpty() ? QString() : u": " + why));
    }
    if (status.isReachable()) {
        ProbeClient::Endpoint endpoint;
        endpoint.url = QUrl(expandTemplate(
            m_settings.endpointTemplate, status.podIp(), runner->podName, m_settings.namespaceName, m_settings.region));
        endpoint.pinnedCertificateSha256 = m_settings.probeCertificateSha256;
        endpoint.insecurePlaintext = m_settings.insecurePlaintext;
        endpoint.token = runner->succeed();
        qCInfo(lcKubernetes) << "pod" << runner->podName << "in" << m_settings.region << "ready at" << status.podIp();
        emit booted(runner->id, endpoint);
        return;
    }
    // Waited for until the boot deadline, whose message then says what it was waiting for.
    runner->lastProblem = status.progress();
    runner->nextTry.start(m_settings.pollIntervalMs);
}

void KubernetesBackend::fail(Runner *runner, const QString &reason, Failure failure)
{
    const QString id = runner->id;
    const QString why = runner->redacted(reason);
    qCWarning(lcKubernetes).noquote() << "runner" << id << "did not boot:" << why;
    forget(runner);
    if (failure == Failure::Refused)
        emit bootRefused(id, why);
    else
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
    // A create request in flight may still make the Secret or the pod: wait for its answer, only to delete them.
    if (!runner->end())
        return;
    if (runner->podRequested)
        deletePod(runner->podName, runner->apiToken);
    if (runner->secretRequested)
        deleteTokenSecret(runner->podName, runner->apiToken);
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

void KubernetesBackend::deleteTokenSecret(const QString &name, const QString &apiToken)
{
    m_api.deleteResource(secretsUrl(name), apiToken, [name](const CloudApiClient::Answer &answer) {
        if (answer.ok() || answer.status == 404)
            qCInfo(lcKubernetes) << "token Secret" << name << "deleted";
        else
            qCWarning(lcKubernetes) << "could not delete the token Secret" << name << "- status" << answer.status
                                    << answer.networkError << "; it opens only its pod's probe";
    });
}
