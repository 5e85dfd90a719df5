#pragma once

#include "backend.h"
#include "model/childprocessjob.h"

#include <QHash>
#include <QJsonObject>
#include <QStringList>

#include <optional>

class QProcess;

// Runners as `worldspeed-probe serve` processes on this machine: the embedded default. Each gets a fresh random
// token through its environment, listens on 127.0.0.1 with a port of its own choosing (read from its ready line),
// and runs in one-parent mode, so it stops itself when its pool's connection is gone — also when the app
// crashes. On Linux the kernel also sends it SIGTERM when the app dies (PR_SET_PDEATHSIG).
class LocalBackend final : public Backend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LocalBackend)

public:
    struct Settings
    {
        QString probePath; // empty: next to this program, then on PATH
        QString chromePath; // empty: the probe looks in the usual places
        QStringList chromeArguments;
        QString region = QStringLiteral("local");
        int maxConcurrency = 2; // per probe process
        int parentGraceSeconds = 10;
        int bootTimeoutMs = 30'000; // process start → ready line
        bool allowPrivateTargets = true; // it is the user's own machine: their intranet is what they test

        static std::optional<Settings> fromJson(const QJsonObject &json, QString *error);
    };

    explicit LocalBackend(Settings settings, QObject *parent = nullptr);
    ~LocalBackend() override;

    QString kind() const override { return QStringLiteral("local"); }
    void boot(const QString &runnerId) override;
    void stop(const QString &runnerId) override;

    // The probe executable this backend would start, or empty with the reason in *error.
    QString probeExecutable(QString *error = nullptr) const;
    qint64 processId(const QString &runnerId) const;

private:
    struct Runner
    {
        QProcess *process = nullptr;
        QString token;
        bool ready = false;
        bool stopping = false;
        QByteArray stdoutBuffer;
        QByteArray stderrTail;
    };

    void onReadyRead(const QString &runnerId);
    void onFinished(const QString &runnerId);

    Settings m_settings;
    QHash<QString, Runner> m_runners;
    ChildProcessJob m_job; // Windows: our probes, and their browsers, end when we do
};
