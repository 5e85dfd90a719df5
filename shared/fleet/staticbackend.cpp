#include "staticbackend.h"

#include "cleartextpolicy.h"
#include "model/jsonreader.h"
#include "secretstore.h"

std::optional<StaticBackend::Settings> StaticBackend::Settings::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    r.allowOnly({ QStringLiteral("probes") }, QStringLiteral("a static backend setting"));
    Settings s;
    const QJsonArray probes = r.array(QStringLiteral("probes"), JsonReader::Presence::Required, 1000);
    if (r.ok() && probes.isEmpty())
        r.fail(QStringLiteral("probes"), QStringLiteral("lists no probe"));
    for (qsizetype i = 0; i < probes.size() && r.ok(); ++i) {
        const QString key = QStringLiteral("probes[%1]").arg(i);
        JsonReader p = r.child(probes.at(i).toObject(), key);
        if (!probes.at(i).isObject())
            p.fail(QString(), QStringLiteral("expected an object"));
        p.allowOnly({ QStringLiteral("url"), QStringLiteral("tokenSecret"), QStringLiteral("pinnedCertificateSha256"),
                        QLatin1String(CleartextPolicy::configKey) },
            QStringLiteral("a probe setting"));
        Probe probe;
        const QString url = p.string(QStringLiteral("url"), JsonReader::Presence::Required, 2048);
        probe.url = QUrl(url, QUrl::StrictMode);
        if (p.ok()
            && (!probe.url.isValid() || (probe.url.scheme() != u"ws" && probe.url.scheme() != u"wss")
                || probe.url.host().isEmpty()))
            p.fail(QStringLiteral("url"), QStringLiteral("\"%1\" is not a ws:// or wss:// URL").arg(url));
        probe.insecurePlaintext = p.boolean(QLatin1String(CleartextPolicy::configKey));
        if (p.ok()) {
            const QString refusal = CleartextPolicy::refusal(probe.url, probe.insecurePlaintext,
                QStringLiteral("the probe token"), QStringLiteral("for this probe"));
            if (!refusal.isEmpty())
                p.fail(QStringLiteral("url"), refusal);
        }
        probe.tokenSecret = p.string(QStringLiteral("tokenSecret"), JsonReader::Presence::Required, 256);
        probe.pinnedCertificateSha256
            = p.string(QStringLiteral("pinnedCertificateSha256"), JsonReader::Presence::Optional, 128).toLatin1();
        r.adopt(p);
        s.probes.append(probe);
    }
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return s;
}

StaticBackend::StaticBackend(Settings settings, SecretStore *secrets, QObject *parent)
    : Backend(parent)
    , m_settings(std::move(settings))
    , m_secrets(secrets)
{ }

void StaticBackend::boot(const QString &runnerId)
{
    int free = -1;
    for (int i = 0; i < m_settings.probes.size() && free < 0; ++i) {
        if (!std::any_of(m_assigned.cbegin(), m_assigned.cend(), [i](int assigned) { return assigned == i; }))
            free = i;
    }
    if (free < 0 || m_assigned.contains(runnerId)) {
        const QString reason = free < 0
            ? QStringLiteral("all %1 configured probes are in use").arg(m_settings.probes.size())
            : QStringLiteral("runner %1 is already assigned").arg(runnerId);
        QMetaObject::invokeMethod(
            this, [this, runnerId, reason] { emit bootFailed(runnerId, reason); }, Qt::QueuedConnection);
        return;
    }
    m_assigned.insert(runnerId, free);
    const Probe probe = m_settings.probes.at(free);
    m_secrets->read(probe.tokenSecret, this, [this, runnerId, probe](const SecretStore::Result &token) {
        if (!m_assigned.contains(runnerId))
            return; // stopped while the keychain answered
        if (!token.value) {
            m_assigned.remove(runnerId);
            emit bootRefused(runnerId,
                token.error.isEmpty()
                    ? QStringLiteral("no token for %1 in the keychain (secret \"%2\")")
                          .arg(probe.url.toString(), probe.tokenSecret)
                    : QStringLiteral("cannot read the token for %1: %2").arg(probe.url.toString(), token.error));
            return;
        }
        ProbeClient::Endpoint endpoint;
        endpoint.url = probe.url;
        endpoint.token = *token.value;
        endpoint.pinnedCertificateSha256 = probe.pinnedCertificateSha256;
        endpoint.insecurePlaintext = probe.insecurePlaintext;
        emit booted(runnerId, endpoint);
    });
}

void StaticBackend::stop(const QString &runnerId)
{
    // The probe is the user's and keeps running; it only becomes free for another runner.
    m_assigned.remove(runnerId);
}
