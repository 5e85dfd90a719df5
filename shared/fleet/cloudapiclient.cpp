#include "cloudapiclient.h"

#include "cleartextpolicy.h"
#include "model/jsonreader.h"
#include "runnertoken.h"
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
        if (token.size() < 4)
            continue;
        text.replace(token, QStringLiteral("[redacted]"));
        // Also as the request carried it where an API wants base64 (a Fly file, a Kubernetes Secret).
        text.replace(QString::fromLatin1(token.toUtf8().toBase64()), QStringLiteral("[redacted]"));
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
    const QString refusal = CleartextPolicy::refusal(m_settings.base, m_settings.insecurePlaintext,
        u"the " + m_settings.tokenName, QStringLiteral("in this region's backend"));
    if (!refusal.isEmpty()) {
        // Not even the secret store is asked: the token is not going anywhere.
        QMetaObject::invokeMethod(
            boot, [failed, refusal] { failed(refusal); }, Qt::QueuedConnection);
        return;
    }
    boot->deadline.start(timeoutMs);
    // The boot is the context of the read: once it is gone, the answer is not heard.
    m_secrets->read(m_settings.tokenSecret, boot,
        [this, boot, create = std::move(create), failed = std::move(failed), missing](const SecretStore::Result &api) {
            if (!api.value || api.value->isEmpty())
                return failed(missing(m_settings.tokenName, m_settings.tokenSecret, api));
            boot->apiToken = api.value->trimmed();
            boot->probeToken = RunnerToken::mint();
            boot->phase = Boot::Phase::Creating;
            create();
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

void CloudApiClient::readSecurityKeys(
    JsonReader &reader, const QString &tokenName, QString *tokenSecret, bool *insecurePlaintext)
{
    *tokenSecret = reader.string(QStringLiteral("tokenSecret"), JsonReader::Presence::Required, 256);
    if (reader.ok() && tokenSecret->isEmpty())
        reader.fail(QStringLiteral("tokenSecret"), QStringLiteral("names the secret holding the %1").arg(tokenName));
    if (reader.ok() && reader.has(QStringLiteral("probeTokenSecret"))) {
        reader.fail(QStringLiteral("probeTokenSecret"),
            QStringLiteral("is no longer used: every machine or pod now gets a token of its own, made when it starts; "
                           "remove this setting"));
    }
    *insecurePlaintext = reader.boolean(QLatin1String(CleartextPolicy::configKey), *insecurePlaintext);
}

void CloudApiClient::checkPlaintext(
    JsonReader &reader, const QString &key, const QUrl &url, bool insecurePlaintext, const QString &tokenName)
{
    if (!reader.ok())
        return;
    const QString refusal
        = CleartextPolicy::refusal(url, insecurePlaintext, u"the " + tokenName, QStringLiteral("in this backend"));
    if (!refusal.isEmpty())
        reader.fail(key, refusal);
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
