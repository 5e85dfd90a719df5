#include "cloudapiclient.h"

#include "model/jsonreader.h"
#include "secretstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QSslCertificate>
#include <QSslSocket>

#include <algorithm>
#include <utility>

namespace {

CloudApiClient::Answer answerOf(QNetworkReply *reply)
{
    CloudApiClient::Answer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.body = reply->readAll();
    answer.reasonPhrase = reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString();
    answer.networkError = reply->errorString();
    answer.tlsFailure = reply->error() == QNetworkReply::SslHandshakeFailedError;
    return answer;
}

} // namespace

QJsonObject CloudApiClient::Answer::json() const
{
    return QJsonDocument::fromJson(body).object();
}

CloudApiClient::Boot::Boot(const QString &id, QObject *parent)
    : QObject(parent)
    , id(id)
{
    deadline.setSingleShot(true);
    nextTry.setSingleShot(true);
}

CloudApiClient::Boot::~Boot()
{
    dropReply();
}

QString CloudApiClient::Boot::succeed()
{
    phase = Phase::Booted;
    deadline.stop();
    return std::exchange(probeToken, QString());
}

bool CloudApiClient::Boot::end()
{
    deadline.stop();
    nextTry.stop();
    probeToken.clear();
    if (phase == Phase::Creating && reply && !abandoned) {
        abandoned = true;
        return false;
    }
    dropReply();
    return true;
}

void CloudApiClient::Boot::dropReply()
{
    if (!reply)
        return;
    QNetworkReply *doomed = reply;
    reply = nullptr;
    doomed->disconnect(this);
    doomed->abort();
    doomed->deleteLater();
}

CloudApiClient::Answer CloudApiClient::Boot::takeAnswer()
{
    QNetworkReply *finished = reply;
    reply = nullptr;
    if (!finished)
        return {};
    finished->deleteLater();
    return answerOf(finished);
}

QString CloudApiClient::Boot::redacted(QString text) const
{
    for (const QString &token : { apiToken, probeToken }) {
        // A token this short would be replaced inside ordinary words; real ones are far longer.
        if (token.size() >= 4)
            text.replace(token, QStringLiteral("[redacted]"));
    }
    return text;
}

CloudApiClient::CloudApiClient(QNetworkAccessManager *nam, SecretStore *secrets, Settings settings)
    : m_nam(nam)
    , m_secrets(secrets)
    , m_settings(std::move(settings))
{ }

void CloudApiClient::start(
    Boot *boot, int timeoutMs, std::function<void()> create, std::function<void(const QString &)> failed) const
{
    const auto missing = [](const QString &what, const QString &key, const SecretStore::Result &result) {
        if (!result.error.isEmpty())
            return QStringLiteral("cannot read the %1 \"%2\" from the secret store: %3").arg(what, key, result.error);
        return QStringLiteral("no %1: the secret store holds nothing under \"%2\"").arg(what, key);
    };
    boot->deadline.start(timeoutMs);
    // The boot is the context of both reads: once it is gone, neither answer is heard.
    m_secrets->read(m_settings.tokenSecret, boot,
        [this, boot, create = std::move(create), failed = std::move(failed), missing](const SecretStore::Result &api) {
            if (!api.value || api.value->isEmpty())
                return failed(missing(m_settings.tokenName, m_settings.tokenSecret, api));
            boot->apiToken = api.value->trimmed();
            m_secrets->read(m_settings.probeTokenSecret, boot,
                [this, boot, create, failed, missing](const SecretStore::Result &probe) {
                    if (!probe.value || probe.value->isEmpty())
                        return failed(missing(QStringLiteral("probe token"), m_settings.probeTokenSecret, probe));
                    boot->probeToken = probe.value->trimmed();
                    boot->phase = Boot::Phase::Creating;
                    create();
                });
        });
}

void CloudApiClient::trustOnly(const QList<QSslCertificate> &caCertificates)
{
    // setCaCertificates() also stops Qt from loading the system's roots on demand.
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    tls.setCaCertificates(caCertificates);
    tls.setPeerVerifyMode(QSslSocket::VerifyPeer);
    m_tls.emplace(tls);
}

QUrl CloudApiClient::url(const QString &path, const QUrlQuery &query) const
{
    QUrl url = m_settings.base;
    QString basePath = url.path();
    while (basePath.endsWith(u'/'))
        basePath.chop(1);
    url.setPath(basePath + path);
    url.setQuery(query);
    return url;
}

QNetworkRequest CloudApiClient::request(const QUrl &url, const QString &token, int timeoutMs) const
{
    QNetworkRequest request(url);
    request.setRawHeader("Authorization", "Bearer " + token.toUtf8());
    request.setRawHeader("Accept", "application/json");
    // A redirect would carry the bearer token to wherever it points; neither API redirects.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    request.setTransferTimeout(timeoutMs);
    if (m_tls)
        request.setSslConfiguration(*m_tls);
    return request;
}

QNetworkReply *CloudApiClient::get(const QUrl &url, const QString &token, int timeoutMs) const
{
    return m_nam->get(request(url, token, timeoutMs));
}

QNetworkReply *CloudApiClient::post(const QUrl &url, const QString &token, const QJsonObject &body) const
{
    QNetworkRequest post = request(url, token, requestTimeoutMs);
    post.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    return m_nam->post(post, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

void CloudApiClient::deleteResource(
    const QUrl &url, const QString &token, std::function<void(const Answer &)> done) const
{
    QNetworkReply *reply = m_nam->deleteResource(request(url, token, requestTimeoutMs));
    QObject::connect(reply, &QNetworkReply::finished, reply, [reply, done = std::move(done)] {
        reply->deleteLater();
        done(answerOf(reply));
    });
}

QString CloudApiClient::messageOf(const Answer &answer) const
{
    const QJsonObject json = answer.json();
    QString message;
    for (const QString &key : m_settings.messageKeys) {
        if (message.isEmpty())
            message = json.value(key).toString();
    }
    const QByteArray body = answer.body.trimmed();
    if (message.isEmpty() && answer.status != 0 && !body.startsWith('{') && !body.startsWith('<'))
        message = QString::fromUtf8(answer.body).simplified();
    if (message.isEmpty() && answer.status != 0)
        message = QStringLiteral("HTTP %1 %2").arg(answer.status).arg(answer.reasonPhrase).trimmed();
    if (message.isEmpty())
        message = answer.networkError;
    if (message.size() > maxMessageLength)
        message = message.left(maxMessageLength) + u'…';
    return message;
}

bool CloudApiClient::retryLater(Boot *boot) const
{
    if (boot->retries >= m_settings.maxRetries)
        return false;
    // The shift stops at 30 so that it cannot overflow; the cap has long applied by then.
    const double delay = double(m_settings.retryInitialDelayMs) * double(1LL << std::min(boot->retries, 30));
    ++boot->retries;
    boot->nextTry.start(int(std::min(delay, double(m_settings.retryMaxDelayMs))));
    return true;
}

bool CloudApiClient::isRetryable(int status)
{
    return status == 0 || status == 429 || status >= 500;
}

void CloudApiClient::readSecretKeys(
    JsonReader &reader, const QString &tokenName, QString *tokenSecret, QString *probeTokenSecret)
{
    *tokenSecret = reader.string(QStringLiteral("tokenSecret"), JsonReader::Presence::Required, 256);
    if (reader.ok() && tokenSecret->isEmpty())
        reader.fail(QStringLiteral("tokenSecret"), QStringLiteral("names the secret holding the %1").arg(tokenName));
    *probeTokenSecret = reader.string(QStringLiteral("probeTokenSecret"), JsonReader::Presence::Required, 256);
    if (reader.ok() && probeTokenSecret->isEmpty())
        reader.fail(QStringLiteral("probeTokenSecret"), QStringLiteral("names the secret holding the probe token"));
}

void CloudApiClient::readTimeouts(
    JsonReader &reader, int *bootTimeoutMs, int *maxRetries, int *retryInitialDelayMs, int *retryMaxDelayMs)
{
    const auto integer = [&reader](const QString &key, int min, int max, int *field) {
        if (const auto value = reader.integer(key, JsonReader::Presence::Optional, min, max))
            *field = int(*value);
    };
    int bootTimeoutSeconds = *bootTimeoutMs / 1000;
    integer(QStringLiteral("bootTimeoutSeconds"), 1, 3600, &bootTimeoutSeconds);
    *bootTimeoutMs = bootTimeoutSeconds * 1000;
    integer(QStringLiteral("maxRetries"), 0, 100, maxRetries);
    integer(QStringLiteral("retryInitialDelayMs"), 0, 60'000, retryInitialDelayMs);
    integer(QStringLiteral("retryMaxDelayMs"), 0, 600'000, retryMaxDelayMs);
}

QString CloudApiClient::attempts(int count)
{
    return count == 1 ? QStringLiteral("1 attempt") : QStringLiteral("%1 attempts").arg(count);
}
