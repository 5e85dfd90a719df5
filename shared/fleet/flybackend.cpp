#include "flybackend.h"

#include "cleartextpolicy.h"
#include "model/displayformat.h"
#include "model/jsonreader.h"
#include "protocol/message.h"

#include <QJsonArray>
#include <QLoggingCategory>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QUrlQuery>

#include <algorithm>

Q_LOGGING_CATEGORY(lcFly, "worldspeed.fleet.fly", QtInfoMsg)

namespace {

// Where the machine's own token is written inside it (`config.files`), for the probe's --token-file: the path the
// probe's container image reads by default (packaging/container/entrypoint.sh; tst_flybackendsettings checks they
// agree).
const QString tokenFile = QStringLiteral("/run/secrets/worldspeed-probe-token");
// Fly's proxy gives up on a wait request after a minute, and so does flyctl.
constexpr int maxWaitSeconds = 60;

bool isRetryable(int status)
{
    // As FLAME's Fly backend: 429 rate limited, 412 no capacity, 409 the chosen host ran out of capacity, 422 no
    // capacity for the volume. Plus what says nothing about the request: 5xx and no answer at all (status 0).
    return status == 409 || status == 412 || status == 422 || CloudApiClient::isRetryable(status);
}

bool isMachineId(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9]{1,64}$"));
    return pattern.match(text).hasMatch();
}

QString expandTemplate(QString text, const QString &app, const QString &region, const QString &machineId)
{
    text.replace(QStringLiteral("{app}"), app);
    text.replace(QStringLiteral("{region}"), region);
    text.replace(QStringLiteral("{machineId}"), machineId);
    return text;
}

} // namespace

// One boot, and the machine once Fly has made one. Owned by the backend.
class FlyBackend::Runner final : public CloudApiClient::Boot
{
public:
    using Boot::Boot;

    QString machineId;
    QString instanceId;
    void (FlyBackend::*nextStep)(Runner *) = nullptr; // what nextTry does
};

std::optional<FlyBackend::Settings> FlyBackend::Settings::fromJson(const QJsonObject &json, QString *error)
{
    static const QStringList known { QStringLiteral("kind"), QStringLiteral("apiBase"), QStringLiteral("app"),
        QStringLiteral("region"), QStringLiteral("image"), QStringLiteral("cpuKind"), QStringLiteral("cpus"),
        QStringLiteral("memoryMb"), QStringLiteral("tokenSecret"), QStringLiteral("probeTokenSecret"),
        QLatin1String(CleartextPolicy::configKey), QStringLiteral("parentGraceSeconds"),
        QStringLiteral("idleShutdownSeconds"), QStringLiteral("endpointTemplate"), QStringLiteral("port"),
        QStringLiteral("bootTimeoutSeconds"), QStringLiteral("maxRetries"), QStringLiteral("retryInitialDelayMs"),
        QStringLiteral("retryMaxDelayMs") };
    using P = JsonReader::Presence;
    JsonReader reader(json);
    reader.allowOnly(known, QStringLiteral("a Fly backend setting"));

    Settings settings;
    const auto integer = [&](const QString &key, int min, int max, int *field) {
        if (const auto value = reader.integer(key, P::Optional, min, max))
            *field = int(*value);
    };
    if (reader.has(QStringLiteral("apiBase"))) {
        const QUrl url(reader.string(QStringLiteral("apiBase")));
        if (reader.ok()
            && (!url.isValid() || (url.scheme() != u"https" && url.scheme() != u"http") || url.host().isEmpty()))
            reader.fail(QStringLiteral("apiBase"), QStringLiteral("expected an http(s) URL"));
        settings.apiBase = url;
    }
    settings.app = reader.string(QStringLiteral("app"), P::Required, 63);
    static const QRegularExpression appName(QStringLiteral("^[a-z0-9][a-z0-9-]*$"));
    if (reader.ok() && !appName.match(settings.app).hasMatch())
        reader.fail(QStringLiteral("app"), QStringLiteral("a Fly app name is lower-case letters, digits and -"));
    settings.region = reader.string(QStringLiteral("region"), P::Required, ProtocolLimits::maxIdentifierLength);
    if (reader.ok() && !ProtocolLimits::isIdentifier(settings.region))
        reader.fail(QStringLiteral("region"), QStringLiteral("expected a region code such as fra"));
    settings.image = reader.string(QStringLiteral("image"), P::Required, 1024);
    if (reader.ok() && (settings.image.isEmpty() || settings.image.contains(QRegularExpression(QStringLiteral("\\s")))))
        reader.fail(QStringLiteral("image"), QStringLiteral("expected an image reference"));
    if (reader.has(QStringLiteral("cpuKind"))) {
        settings.cpuKind = reader.string(QStringLiteral("cpuKind"));
        if (reader.ok() && settings.cpuKind != u"shared" && settings.cpuKind != u"performance")
            reader.fail(QStringLiteral("cpuKind"), QStringLiteral("expected \"shared\" or \"performance\""));
    }
    integer(QStringLiteral("cpus"), 1, 64, &settings.cpus);
    integer(QStringLiteral("memoryMb"), 256, 1 << 20, &settings.memoryMb);
    CloudApiClient::readSecurity(reader, QStringLiteral("Fly API token"), &settings);
    CloudApiClient::checkPlaintext(reader, QStringLiteral("apiBase"), settings.apiBase, settings.insecurePlaintext,
        QStringLiteral("Fly API token"));
    // 0 would turn the probe's own shutdown off, and with it what ends a machine nobody talks to.
    integer(QStringLiteral("parentGraceSeconds"), 1, 24 * 3600, &settings.parentGraceSeconds);
    integer(QStringLiteral("idleShutdownSeconds"), 0, 7 * 24 * 3600, &settings.idleShutdownSeconds);
    if (reader.has(QStringLiteral("endpointTemplate"))) {
        settings.endpointTemplate = reader.string(QStringLiteral("endpointTemplate"), P::Optional, 2048);
        const QUrl sample(expandTemplate(
            settings.endpointTemplate, QStringLiteral("app"), QStringLiteral("fra"), QStringLiteral("m1")));
        if (reader.ok()
            && (!sample.isValid() || (sample.scheme() != u"wss" && sample.scheme() != u"ws")
                || sample.host().isEmpty()))
            reader.fail(QStringLiteral("endpointTemplate"),
                QStringLiteral("expected a ws:// or wss:// URL, e.g. wss://{app}.fly.dev"));
        CloudApiClient::checkPlaintext(reader, QStringLiteral("endpointTemplate"), sample, settings.insecurePlaintext,
            QStringLiteral("probe token"));
    }
    integer(QStringLiteral("port"), 1, 65535, &settings.port);
    return CloudApiClient::finishSettings(reader, std::move(settings), error);
}

QUrl FlyBackend::Settings::endpointFor(const QString &machineId) const
{
    return QUrl(expandTemplate(endpointTemplate, app, region, machineId));
}

FlyBackend::FlyBackend(Settings settings, SecretStore *secrets, QNetworkAccessManager *nam, QObject *parent)
    : Backend(parent)
    , m_settings(std::move(settings))
    // The Machines API words its errors as {"error": "…"}; "message" is read too, should an answer use that.
    , m_api(nam, secrets,
          CloudApiClient::settingsFor(m_settings, m_settings.apiBase,
              { QStringLiteral("error"), QStringLiteral("message") }, QStringLiteral("Fly API token")))
{ }

FlyBackend::~FlyBackend()
{
    // Machines still up are destroyed on the way out; those requests belong to the network manager, which
    // outlives us. A machine whose create answer has not come yet ends itself after the parent grace.
    for (Runner *runner : std::as_const(m_runners)) {
        if (!runner->machineId.isEmpty())
            destroyMachine(runner->machineId, runner->apiToken);
    }
}

void FlyBackend::boot(const QString &runnerId)
{
    if (m_runners.contains(runnerId)) {
        // Never answer from inside the call.
        QMetaObject::invokeMethod(
            this,
            [this, runnerId] {
                emit bootFailed(runnerId, QStringLiteral("runner %1 is already booting or booted").arg(runnerId));
            },
            Qt::QueuedConnection);
        return;
    }
    auto *runner = new Runner(runnerId, this);
    m_runners.insert(runnerId, runner);
    connect(&runner->deadline, &QTimer::timeout, runner, [this, runner] {
        QString reason = QStringLiteral("the Fly machine in %1 did not start within %2")
                             .arg(m_settings.region, DisplayFormat::duration(m_settings.bootTimeoutMs));
        if (!runner->lastProblem.isEmpty())
            reason += QStringLiteral(" (last answer: %1)").arg(runner->lastProblem);
        fail(runner, reason);
    });
    connect(&runner->nextTry, &QTimer::timeout, runner, [this, runner] { (this->*runner->nextStep)(runner); });
    m_api.start(
        runner, m_settings.bootTimeoutMs, [this, runner] { createMachine(runner); },
        [this, runner](const QString &reason) { fail(runner, reason, Failure::Refused); });
}

void FlyBackend::createMachine(Runner *runner)
{
    const Settings &s = m_settings;
    // Plain WebSocket inside the machine: Fly's proxy holds the TLS (the 443 service below) and reaches the machine
    // over Fly's encrypted private network.
    const QJsonArray command { QStringLiteral("serve"), QStringLiteral("--listen"),
        QStringLiteral("0.0.0.0:%1").arg(s.port), QStringLiteral("--insecure-plaintext"),
        QStringLiteral("--token-file"), tokenFile, QStringLiteral("--region"), s.region,
        QStringLiteral("--parent-grace"), QString::number(s.parentGraceSeconds), QStringLiteral("--idle-shutdown"),
        QString::number(s.idleShutdownSeconds) };
    const QJsonObject config {
        { QStringLiteral("image"), s.image },
        { QStringLiteral("guest"),
            QJsonObject { { QStringLiteral("cpu_kind"), s.cpuKind }, { QStringLiteral("cpus"), s.cpus },
                { QStringLiteral("memory_mb"), s.memoryMb } } },
        // The machine's own token as a file of its own config, not in its env (see the class comment). Readable by
        // the probe's non-root user; nothing else runs in the machine.
        { QStringLiteral("files"),
            QJsonArray { QJsonObject { { QStringLiteral("guest_path"), tokenFile },
                { QStringLiteral("raw_value"), QString::fromLatin1(runner->probeToken.toUtf8().toBase64()) },
                { QStringLiteral("mode"), 0444 } } } },
        { QStringLiteral("auto_destroy"), true },
        { QStringLiteral("restart"), QJsonObject { { QStringLiteral("policy"), QStringLiteral("no") } } },
        // Only cmd: the image's entry point runs it (packaging/container/entrypoint.sh), after checking that
        // Chrome's sandbox can work in this machine, as the image's non-root user. A Firecracker machine has its
        // own kernel and no container seccomp profile, so the sandbox's namespaces and chroot need no setting here.
        { QStringLiteral("init"), QJsonObject { { QStringLiteral("cmd"), command } } },
        // Fly's machine checks are TCP or HTTP only; the image's own check (a WebSocket upgrade and a browser
        // start) cannot be asked for. The entry point refuses to start where the browser's sandbox cannot work.
        { QStringLiteral("checks"),
            QJsonObject { { QStringLiteral("probe"),
                QJsonObject { { QStringLiteral("type"), QStringLiteral("tcp") }, { QStringLiteral("port"), s.port },
                    { QStringLiteral("interval"), QStringLiteral("15s") },
                    { QStringLiteral("timeout"), QStringLiteral("10s") },
                    { QStringLiteral("grace_period"), QStringLiteral("30s") } } } } },
        { QStringLiteral("services"),
            QJsonArray { QJsonObject {
                { QStringLiteral("ports"),
                    QJsonArray { QJsonObject { { QStringLiteral("port"), 443 },
                        { QStringLiteral("handlers"),
                            QJsonArray { QStringLiteral("tls"), QStringLiteral("http") } } } } },
                { QStringLiteral("protocol"), QStringLiteral("tcp") },
                { QStringLiteral("internal_port"), s.port },
            } } },
        // So that `fly machines list` shows whose a machine is, should one ever outlive its parent.
        { QStringLiteral("metadata"),
            QJsonObject { { QStringLiteral("worldspeed_runner"), runner->id },
                { QStringLiteral("worldspeed_region"), s.region } } },
    };
    const QJsonObject body { { QStringLiteral("region"), s.region }, { QStringLiteral("config"), config } };

    runner->reply = m_api.post(m_api.url(QStringLiteral("/v1/apps/%1/machines").arg(s.app)), runner->apiToken, body);
    connect(runner->reply, &QNetworkReply::finished, runner, [this, runner] { onCreated(runner); });
}

void FlyBackend::onCreated(Runner *runner)
{
    const CloudApiClient::Answer answer = runner->takeAnswer();
    if (answer.ok()) {
        const QJsonObject machine = answer.json();
        const QString id = machine.value(QStringLiteral("id")).toString();
        if (!isMachineId(id)) {
            if (!runner->abandoned)
                fail(runner,
                    QStringLiteral("Fly created a machine in %1 but its answer names none").arg(m_settings.region));
            else
                forget(runner);
            return;
        }
        runner->machineId = id;
        runner->instanceId = machine.value(QStringLiteral("instance_id")).toString();
        if (runner->abandoned) {
            destroyMachine(id, runner->apiToken);
            forget(runner);
            return;
        }
        qCInfo(lcFly) << "created machine" << id << "in" << m_settings.region << "for runner" << runner->id;
        runner->phase = Runner::Phase::Starting;
        runner->retries = 0;
        runner->lastProblem.clear();
        waitForStart(runner);
        return;
    }
    if (runner->abandoned) {
        forget(runner);
        return;
    }
    const QString message = runner->redacted(m_api.messageOf(answer));
    if (answer.tlsFailure) {
        fail(runner,
            QStringLiteral("cannot trust the Fly Machines API at %1: %2").arg(m_settings.apiBase.host(), message));
        return;
    }
    if (isRetryable(answer.status)) {
        runner->lastProblem = message;
        qCInfo(lcFly) << "creating a machine in" << m_settings.region << "answered" << answer.status
                      << "- retrying:" << message;
        if (!retryLater(runner, &FlyBackend::createMachine)) {
            fail(runner,
                QStringLiteral("Fly could not create a machine in %1 after %2: %3")
                    .arg(m_settings.region, CloudApiClient::attempts(runner->retries + 1), message));
        }
        return;
    }
    fail(runner, QStringLiteral("Fly refused to create a machine in %1: %2").arg(m_settings.region, message));
}

void FlyBackend::waitForStart(Runner *runner)
{
    const qint64 remainingMs = runner->deadline.remainingTime();
    const int seconds = int(std::clamp<qint64>(remainingMs / 1000, 1, maxWaitSeconds));
    QUrlQuery query;
    if (!runner->instanceId.isEmpty())
        query.addQueryItem(QStringLiteral("instance_id"), runner->instanceId);
    query.addQueryItem(QStringLiteral("state"), QStringLiteral("started"));
    query.addQueryItem(QStringLiteral("timeout"), QString::number(seconds));
    const QUrl url
        = m_api.url(QStringLiteral("/v1/apps/%1/machines/%2/wait").arg(m_settings.app, runner->machineId), query);
    runner->reply = m_api.get(url, runner->apiToken, seconds * 1000 + CloudApiClient::requestTimeoutMs);
    connect(runner->reply, &QNetworkReply::finished, runner, [this, runner] { onWaited(runner); });
}

void FlyBackend::onWaited(Runner *runner)
{
    const CloudApiClient::Answer answer = runner->takeAnswer();
    if (answer.status == 200) {
        ProbeClient::Endpoint endpoint;
        endpoint.url = m_settings.endpointFor(runner->machineId);
        endpoint.headers.append({ QByteArrayLiteral("fly-force-instance-id"), runner->machineId.toLatin1() });
        endpoint.token = runner->succeed();
        endpoint.insecurePlaintext = m_settings.insecurePlaintext;
        qCInfo(lcFly) << "machine" << runner->machineId << "in" << m_settings.region << "started";
        emit booted(runner->id, endpoint);
        return;
    }
    const QString message = runner->redacted(m_api.messageOf(answer));
    if (answer.tlsFailure) {
        fail(runner,
            QStringLiteral("cannot trust the Fly Machines API at %1: %2").arg(m_settings.apiBase.host(), message));
        return;
    }
    if (answer.status == 408) {
        // The wait itself timed out: ask what the machine is doing, in case it will never start.
        runner->lastProblem = QStringLiteral("the machine had not started yet");
        checkState(runner);
        return;
    }
    // 404: the API is eventually consistent, and a machine just made may not be visible to every server yet.
    if (answer.status == 404 || isRetryable(answer.status)) {
        runner->lastProblem = message;
        if (!retryLater(runner, &FlyBackend::waitForStart))
            fail(runner,
                QStringLiteral("the Fly machine %1 in %2 did not start: %3")
                    .arg(runner->machineId, m_settings.region, message));
        return;
    }
    fail(runner,
        QStringLiteral("the Fly machine %1 in %2 did not start: %3")
            .arg(runner->machineId, m_settings.region, message));
}

void FlyBackend::checkState(Runner *runner)
{
    const QUrl url = m_api.url(QStringLiteral("/v1/apps/%1/machines/%2").arg(m_settings.app, runner->machineId));
    runner->reply = m_api.get(url, runner->apiToken);
    connect(runner->reply, &QNetworkReply::finished, runner, [this, runner] { onChecked(runner); });
}

void FlyBackend::onChecked(Runner *runner)
{
    const CloudApiClient::Answer answer = runner->takeAnswer();
    if (answer.status == 200) {
        const QString state = answer.json().value(QStringLiteral("state")).toString();
        static const QStringList over { QStringLiteral("stopping"), QStringLiteral("stopped"),
            QStringLiteral("destroying"), QStringLiteral("destroyed"), QStringLiteral("failed"),
            QStringLiteral("suspended") };
        if (over.contains(state)) {
            fail(runner,
                QStringLiteral("the Fly machine %1 in %2 is %3 instead of starting")
                    .arg(runner->machineId, m_settings.region, state));
            return;
        }
        // started (the wait will say so at once), created, starting, replacing, …: wait again.
        waitForStart(runner);
        return;
    }
    const QString message = runner->redacted(m_api.messageOf(answer));
    if (!answer.tlsFailure && (answer.status == 404 || isRetryable(answer.status))) {
        runner->lastProblem = message;
        if (!retryLater(runner, &FlyBackend::checkState))
            fail(runner,
                QStringLiteral("the Fly machine %1 in %2 did not start: %3")
                    .arg(runner->machineId, m_settings.region, message));
        return;
    }
    fail(runner,
        QStringLiteral("the Fly machine %1 in %2 did not start: %3")
            .arg(runner->machineId, m_settings.region, message));
}

bool FlyBackend::retryLater(Runner *runner, void (FlyBackend::*again)(Runner *))
{
    runner->nextStep = again;
    return m_api.retryLater(runner);
}

void FlyBackend::fail(Runner *runner, const QString &reason, Failure failure)
{
    const QString id = runner->id;
    const QString why = runner->redacted(reason);
    if (!runner->machineId.isEmpty())
        destroyMachine(runner->machineId, runner->apiToken);
    qCWarning(lcFly).noquote() << "runner" << id << "did not boot:" << why;
    forget(runner);
    if (failure == Failure::Refused)
        emit bootRefused(id, why);
    else
        emit bootFailed(id, why);
}

void FlyBackend::stop(const QString &runnerId)
{
    Runner *runner = m_runners.value(runnerId);
    if (!runner)
        return;
    if (!runner->machineId.isEmpty())
        destroyMachine(runner->machineId, runner->apiToken);
    forget(runner);
}

void FlyBackend::forget(Runner *runner)
{
    if (m_runners.value(runner->id) == runner)
        m_runners.remove(runner->id);
    // A create request in flight may still make a machine: keep listening for its answer, only to destroy it.
    if (runner->end())
        runner->deleteLater();
}

void FlyBackend::destroyMachine(const QString &machineId, const QString &apiToken)
{
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("force"), QStringLiteral("true"));
    const QUrl url = m_api.url(QStringLiteral("/v1/apps/%1/machines/%2").arg(m_settings.app, machineId), query);
    const QString region = m_settings.region;
    m_api.deleteResource(url, apiToken, [machineId, region](const CloudApiClient::Answer &answer) {
        // 404: auto_destroy was quicker, which is the usual case once the probe has stopped itself.
        if (answer.ok() || answer.status == 404)
            qCInfo(lcFly) << "machine" << machineId << "in" << region << "destroyed";
        else
            qCWarning(lcFly) << "could not destroy machine" << machineId << "in" << region << "- status"
                             << answer.status << answer.networkError << "; it stops itself after its parent grace";
    });
}
