#pragma once

#include "model/jsonreader.h"

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>
#include <QUrlQuery>

#include <functional>
#include <optional>

class QJsonObject;
class QNetworkAccessManager;
class QNetworkReply;
class QNetworkRequest;
class QSslCertificate;
class SecretStore;

// The fields both cloud backends' Settings hold under the same names and types, which CloudApiClient reads and fills
// in by those names so that both backends take them alike: the secret store's key of the API token, whether clear
// text off loopback is allowed, the boot timeout, and the retries of answers worth retrying.
template<typename S>
concept CloudBackendSettings = requires(S &settings, QString *text, int *number, bool *flag)
{
    text = &settings.tokenSecret;
    flag = &settings.insecurePlaintext;
    number = &settings.bootTimeoutMs;
    number = &settings.maxRetries;
    number = &settings.retryInitialDelayMs;
    number = &settings.retryMaxDelayMs;
};

// How the cloud backends (FlyBackend, KubernetesBackend) talk to their provider's REST API, kept in one place so
// that both treat tokens, failures and retries alike: JSON requests with a bearer token that never follow a
// redirect (it would carry the token wherever it points) and never go unencrypted off loopback unless the fleet
// config allows it, each failed answer's reason in the API's own words, the tokens kept out of every message, and
// answers worth asking again retried with exponential back-off. Each boot mints its runner's own probe token
// (RunnerToken). What an API's URLs, payloads and statuses mean stays in its backend.
class CloudApiClient final
{
public:
    // A request that gets no answer at all within this long is treated like a dropped connection.
    static constexpr int requestTimeoutMs = 30'000;
    // The most of a provider's message that is quoted to the user.
    static constexpr qsizetype maxMessageLength = 500;

    struct Settings
    {
        QUrl base; // the API's root: request paths are appended to its path
        // Where the API's JSON error bodies keep their reason, in the order to look.
        QStringList messageKeys;
        QString tokenSecret; // the secret store's key of the API token
        QString tokenName; // what that token is, for messages ("Fly API token")
        bool insecurePlaintext = false; // an http:// base that is not loopback is allowed (CleartextPolicy)
        // Answers worth retrying are retried this many times, after retryInitialDelayMs, doubling up to
        // retryMaxDelayMs.
        int maxRetries = 0;
        int retryInitialDelayMs = 0;
        int retryMaxDelayMs = 0;
    };

    // The settings of a backend's client: what the backend's own settings say, and what its API is like.
    template<CloudBackendSettings BackendSettings>
    static Settings settingsFor(
        const BackendSettings &backend, const QUrl &base, const QStringList &messageKeys, const QString &tokenName)
    {
        return { .base = base,
            .messageKeys = messageKeys,
            .tokenSecret = backend.tokenSecret,
            .tokenName = tokenName,
            .insecurePlaintext = backend.insecurePlaintext,
            .maxRetries = backend.maxRetries,
            .retryInitialDelayMs = backend.retryInitialDelayMs,
            .retryMaxDelayMs = backend.retryMaxDelayMs };
    }

    // A finished request, read out of its reply.
    struct Answer
    {
        int status = 0; // the HTTP status; 0: no answer at all
        QByteArray body;
        QString reasonPhrase;
        QString networkError;
        // The server's certificate could not be verified, which will not get better by asking again.
        bool tlsFailure = false;

        bool ok() const { return status >= 200 && status < 300; }
        QJsonObject json() const;
    };

    // One runner's boot through the API: its tokens, the one request it has in flight, its deadline and its
    // retries. Each backend's runner derives from it and adds what names its machine or pod. Destroying it aborts
    // the request and cancels the secret store's answers (it is their context).
    class Boot : public QObject
    {
    public:
        enum class Phase { ReadingSecrets, Creating, Starting, Booted };

        Boot(const QString &id, QObject *parent);
        ~Boot() override;

        // The boot has succeeded: its deadline is stopped, and the probe token handed over (it keeps no copy).
        QString succeed();
        // Ends the boot for whoever waited for it: no deadline and no next try any more, no probe token kept, and
        // the request in flight aborted. False while a create request is in flight instead, which may still make a
        // machine or pod: the boot is then only abandoned, to hear that answer and clean up what it made.
        bool end();
        // Aborts the request in flight, if any: its answer is never heard.
        void dropReply();
        // The answer of the request that has just finished; its reply goes away later.
        Answer takeAnswer();
        // `text` with both tokens replaced, also in base64, for anything that is logged or shown.
        QString redacted(QString text) const;

        const QString id;
        Phase phase = Phase::ReadingSecrets;
        QString apiToken;
        QString probeToken;
        QPointer<QNetworkReply> reply; // the request in flight
        QTimer deadline; // the whole boot's
        QTimer nextTry; // the next attempt or poll; what it does is the backend's
        int retries = 0;
        QString lastProblem; // the latest answer waited through, for the timeout's message
        bool abandoned = false; // nobody waits for it any more; only a resource it may still get needs cleaning up
    };

    // `nam` and `secrets` are not owned and must outlive this client.
    CloudApiClient(QNetworkAccessManager *nam, SecretStore *secrets, Settings settings);

    // Starts `boot`: its deadline of `timeoutMs`, reading its API token (trimmed) and minting its probe token. Then
    // the boot is Creating and `create` follows; or `failed` hears, on the event loop, why not: the API token is
    // missing, or the API's base URL would carry it unencrypted off loopback.
    void start(
        Boot *boot, int timeoutMs, std::function<void()> create, std::function<void(const QString &)> failed) const;

    // Trusts these CAs and no others (not the system's) from now on.
    void trustOnly(const QList<QSslCertificate> &caCertificates);

    QUrl url(const QString &path, const QUrlQuery &query = {}) const;
    QNetworkReply *get(const QUrl &url, const QString &token, int timeoutMs = requestTimeoutMs) const;
    QNetworkReply *post(const QUrl &url, const QString &token, const QJsonObject &body) const;
    // A DELETE whose reply the network manager owns, so that it is still sent while a backend is being destroyed;
    // `done` hears its answer.
    void deleteResource(const QUrl &url, const QString &token, std::function<void(const Answer &)> done) const;

    // The reason a failed answer gives: the first of messageKeys in its JSON body, else the body's text, else the
    // HTTP status, else the network error; at most maxMessageLength long.
    QString messageOf(const Answer &answer) const;
    // Starts boot->nextTry after the next back-off delay and counts the retry; false, with nothing started, once
    // maxRetries are used up.
    bool retryLater(Boot *boot) const;

    // What says nothing about the request itself: 429 rate limited, 5xx, and no answer at all.
    static bool isRetryable(int status);

    // "1 attempt", "3 attempts".
    static QString attempts(int count);

    // A backend's settings keys of the fields in CloudBackendSettings, with the same names and limits for both, so
    // that a fleet config means the same by them for either. A key that is absent keeps its field's default.
    //
    // "tokenSecret" (the secret store's key of the API token, which `tokenName` names), required, and
    // "insecurePlaintext" (CleartextPolicy::configKey). "probeTokenSecret", which named one token shared by every
    // runner, is refused with a word on why it is gone.
    template<CloudBackendSettings BackendSettings>
    static void readSecurity(JsonReader &reader, const QString &tokenName, BackendSettings *settings)
    {
        readSecurityKeys(reader, tokenName, &settings->tokenSecret, &settings->insecurePlaintext);
    }
    // Fails `key` when `url` would carry the token `tokenName` unencrypted off loopback without "insecurePlaintext".
    static void checkPlaintext(
        JsonReader &reader, const QString &key, const QUrl &url, bool insecurePlaintext, const QString &tokenName);
    // How both backends' settings end: "bootTimeoutSeconds" (into bootTimeoutMs), "maxRetries",
    // "retryInitialDelayMs" and "retryMaxDelayMs", then `settings`, or nullopt with *error set to the first problem
    // `reader` met.
    template<CloudBackendSettings BackendSettings>
    static std::optional<BackendSettings> finishSettings(JsonReader &reader, BackendSettings settings, QString *error)
    {
        readTimeouts(reader, &settings.bootTimeoutMs, &settings.maxRetries, &settings.retryInitialDelayMs,
            &settings.retryMaxDelayMs);
        if (!reader.ok()) {
            if (error)
                *error = reader.error();
            return std::nullopt;
        }
        return settings;
    }

private:
    static void readSecurityKeys(
        JsonReader &reader, const QString &tokenName, QString *tokenSecret, bool *insecurePlaintext);
    static void readTimeouts(
        JsonReader &reader, int *bootTimeoutMs, int *maxRetries, int *retryInitialDelayMs, int *retryMaxDelayMs);
    QNetworkRequest request(const QUrl &url, const QString &token, int timeoutMs) const;

    QNetworkAccessManager *m_nam;
    SecretStore *m_secrets;
    Settings m_settings;
    std::optional<QSslConfiguration> m_tls; // set by trustOnly()
};
