#pragma once

#include "backend.h"
#include "cloudapiclient.h"

#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QUrl>

#include <optional>

class QNetworkAccessManager;
class SecretStore;

// Runners as Fly Machines (https://fly.io/docs/machines/api/): one machine per runner, created in the pool's
// region from the probe image, reached through the app's public hostname with `fly-force-instance-id` so that
// Fly's proxy routes the WebSocket to exactly that machine.
//
// A machine stops itself: the probe runs with --parent-grace (no client for that long, also before the first
// one, and it exits) and --idle-shutdown, the machine has `restart: no` and `auto_destroy: true`, so a probe
// that exits takes its machine with it. stop() still destroys the machine (DELETE ?force=true) as a backstop;
// a machine whose create answer was lost (a retried POST that had in fact succeeded) is never reached and ends
// itself after the parent grace.
//
// Every machine gets a token of its own (RunnerToken), written into the machine as a file (`config.files`, read by
// the probe with --token-file), not into its environment. Not as an app secret either: Fly hands an app's secrets
// to every machine of the app as environment variables, so each probe would hold all the others' tokens. The file
// is part of this machine's config alone and goes with it; who can read it through the API holds the Fly API
// token, which controls the machines anyway. Neither token is ever logged, and both are removed from any message
// this class emits.
//
// The probe serves plain WebSocket inside its machine (--insecure-plaintext): Fly's proxy terminates TLS on 443
// and reaches the machine over Fly's own encrypted private network. The endpoint clients use is wss://; a ws://
// endpointTemplate, or an http:// apiBase, off loopback needs "insecurePlaintext": true.
class FlyBackend final : public Backend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FlyBackend)

public:
    struct Settings
    {
        QUrl apiBase = QUrl(QStringLiteral("https://api.machines.dev"));
        QString app;
        QString region; // a Fly region code ("fra"); also the region the probe reports
        QString image; // an image whose `worldspeed-probe` is on PATH
        QString cpuKind = QStringLiteral("shared");
        int cpus = 1;
        int memoryMb = 1024;
        QString tokenSecret; // SecretStore key of the Fly API token
        bool insecurePlaintext = false; // allow http:// and ws:// off loopback (CleartextPolicy)
        int parentGraceSeconds = 60;
        int idleShutdownSeconds = 300;
        // Where clients reach a machine; {app}, {region} and {machineId} are replaced. A string, not a QUrl: a
        // QUrl cannot hold "{app}" in its host.
        QString endpointTemplate = QStringLiteral("wss://{app}.fly.dev");
        int port = 8700; // the probe's port inside the machine; Fly's proxy serves it on 443 with TLS
        // From boot() to the machine being started, API retries and waits included.
        int bootTimeoutMs = 120'000;
        // Answers worth retrying (429, 412, 409, 422 as FLAME does; 5xx; no answer) are retried this many times,
        // after retryInitialDelayMs, doubling up to retryMaxDelayMs, and never past the boot deadline.
        int maxRetries = 10;
        int retryInitialDelayMs = 500;
        int retryMaxDelayMs = 8'000;

        // Every field by its name above; app, region, image and tokenSecret are required,
        // bootTimeoutSeconds stands for bootTimeoutMs. Nullopt with *error naming the field when one is wrong.
        static std::optional<Settings> fromJson(const QJsonObject &json, QString *error);
        QUrl endpointFor(const QString &machineId) const;
    };

    // `secrets` and `nam` are not owned and must outlive this backend.
    FlyBackend(Settings settings, SecretStore *secrets, QNetworkAccessManager *nam, QObject *parent = nullptr);
    ~FlyBackend() override;

    QString kind() const override { return QStringLiteral("fly"); }
    void boot(const QString &runnerId) override;
    void stop(const QString &runnerId) override;

    const Settings &settings() const { return m_settings; }

private:
    class Runner;

    void createMachine(Runner *runner);
    void onCreated(Runner *runner);
    void waitForStart(Runner *runner);
    void onWaited(Runner *runner);
    void checkState(Runner *runner);
    void onChecked(Runner *runner);
    // Schedules `again` after the next back-off delay; false (and nothing scheduled) once retries or time run out.
    bool retryLater(Runner *runner, void (FlyBackend::*again)(Runner *));
    // Refused: the boot cannot work until the user acts (Backend::bootRefused), e.g. no API token.
    enum class Failure { Transient, Refused };
    void fail(Runner *runner, const QString &reason, Failure failure = Failure::Transient);
    void destroyMachine(const QString &machineId, const QString &apiToken);
    void forget(Runner *runner);

    Settings m_settings;
    CloudApiClient m_api;
    QHash<QString, Runner *> m_runners; // owned (children)
};
