#pragma once

#include "backend.h"

#include <QHash>
#include <QJsonObject>
#include <QList>

#include <optional>

class SecretStore;

// Probes the user already runs (on their own servers): "booting" a runner means handing out the address of a
// probe no other runner of this pool is using; the pool's connection then is the real start. Their tokens come
// from the keychain by reference.
class StaticBackend final : public Backend
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StaticBackend)

public:
    struct Probe
    {
        QUrl url; // ws:// or wss://
        QString tokenSecret; // key in the SecretStore
        QByteArray pinnedCertificateSha256; // optional, hex
        bool insecurePlaintext = false; // a ws:// url that is not loopback is allowed (CleartextPolicy)
    };
    struct Settings
    {
        QList<Probe> probes;
        static std::optional<Settings> fromJson(const QJsonObject &json, QString *error);
    };

    StaticBackend(Settings settings, SecretStore *secrets, QObject *parent = nullptr);

    QString kind() const override { return QStringLiteral("static"); }
    void boot(const QString &runnerId) override;
    void stop(const QString &runnerId) override;
    int limit() const override { return static_cast<int>(m_settings.probes.size()); }

private:
    Settings m_settings;
    SecretStore *m_secrets;
    QHash<QString, int> m_assigned; // runner → index into probes
};
