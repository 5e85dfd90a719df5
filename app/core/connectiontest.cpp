#include "connectiontest.h"

#include "fleet/backend.h"
#include "fleet/configuredfleet.h"
#include "fleet/fleet.h"
#include "fleet/regionpool.h"
#include "fleet/secretstore.h"

#include <QHash>
#include <QTimer>

namespace {

// The tokens the form holds, in front of the keychain: a test must not need the token saved first, and must not
// save it either (the user may still cancel the form).
class OverlaySecretStore final : public SecretStore
{
public:
    OverlaySecretStore(QHash<QString, QString> typed, SecretStore *below)
        : m_typed(std::move(typed))
        , m_below(below)
    { }

    void read(const QString &key, QObject *context, std::function<void(const Result &)> done) override
    {
        if (m_typed.contains(key) || !m_below) {
            const Result result { m_typed.contains(key) ? std::optional<QString>(m_typed.value(key)) : std::nullopt,
                m_below ? QString() : QStringLiteral("no keychain is available") };
            QMetaObject::invokeMethod(
                context, [done = std::move(done), result] { done(result); }, Qt::QueuedConnection);
            return;
        }
        m_below->read(key, context, std::move(done));
    }
    void write(const QString &, const QString &, QObject *context, std::function<void(const QString &)> done) override
    {
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done(QStringLiteral("a connection test writes no token")); },
            Qt::QueuedConnection);
    }
    void remove(const QString &key, QObject *context, std::function<void(const QString &)> done) override
    {
        write(key, {}, context, std::move(done));
    }

private:
    QHash<QString, QString> m_typed;
    SecretStore *m_below;
};

} // namespace

ConnectionTest::ConnectionTest(SecretStore *secrets, QObject *parent)
    : QObject(parent)
    , m_secrets(secrets)
{ }

ConnectionTest::~ConnectionTest()
{
    delete m_client;
    if (m_backend && m_booted)
        m_backend->stop(m_runnerId);
}

QString ConnectionTest::describe(const HelloMessage &hello)
{
    QStringList parts;
    parts.append(QStringLiteral("%1 %2").arg(hello.software, hello.version).trimmed());
    parts.append(hello.browserVersion.isEmpty() ? tr("browser not started yet") : hello.browserVersion);
    parts.append(hello.capacity == 1 ? tr("1 run at once") : tr("%1 runs at once").arg(hello.capacity));
    return parts.join(QStringLiteral(", "));
}

void ConnectionTest::start(const RegionConfig &region, const QHash<QString, QString> &typedTokens)
{
    if (m_running)
        return;
    m_running = true;
    m_booted = false;
    const int attempt = ++m_attempt;
    m_fleet.reset(); // before the store its backend reads from
    m_overlay = std::make_unique<OverlaySecretStore>(typedTokens, m_secrets);

    // The region alone, with a pool that boots nothing by itself: the test asks its backend for the one runner.
    FleetConfig config;
    RegionConfig alone = region;
    alone.pool.min = 0;
    config.regions = { alone };
    QString error;
    m_fleet = ConfiguredFleet::create(config, m_overlay.get(), &error);
    RegionPool *pool = m_fleet ? m_fleet->fleet()->pool(region.code) : nullptr;
    m_backend = pool ? pool->backend() : nullptr;
    if (!m_backend) {
        QTimer::singleShot(0, this, [this, error] { finish(false, error); });
        return;
    }
    m_runnerId = QStringLiteral("connection-test");
    connect(m_backend, &Backend::booted, this, &ConnectionTest::onBooted);
    connect(m_backend, &Backend::bootFailed, this, [this](const QString &runnerId, const QString &reason) {
        if (runnerId == m_runnerId)
            finish(false, tr("The probe did not start: %1").arg(reason));
    });
    // The pool's own boot deadline bounds the test too, so a backend that never answers is reported.
    QTimer::singleShot(int(std::min<qint64>(region.pool.bootTimeoutMs, 600'000)), this, [this, attempt] {
        if (m_running && attempt == m_attempt)
            finish(false, tr("No answer within the boot timeout."));
    });
    emit progress(m_backend->kind() == u"static" ? tr("Reaching the probe…") : tr("Starting a probe…"));
    m_backend->boot(m_runnerId);
}

void ConnectionTest::onBooted(const QString &runnerId, const ProbeClient::Endpoint &endpoint)
{
    if (runnerId != m_runnerId || !m_running)
        return;
    m_booted = true;
    emit progress(tr("Greeting the probe at %1…").arg(endpoint.url.toDisplayString()));
    m_client = new ProbeClient(this);
    connect(m_client, &ProbeClient::ready, this,
        [this](const HelloMessage &hello) { finish(true, describe(hello), hello); });
    connect(m_client, &ProbeClient::failed, this,
        [this](const QString &reason) { finish(false, tr("The probe did not answer: %1").arg(reason)); });
    m_client->connectToProbe(endpoint);
}

void ConnectionTest::finish(bool ok, const QString &text, const HelloMessage &hello)
{
    if (!m_running)
        return;
    m_running = false;
    if (m_client) {
        m_client->disconnect(this);
        m_client->deleteLater();
        m_client = nullptr;
    }
    if (m_backend && m_booted)
        m_backend->stop(m_runnerId);
    m_booted = false;
    // The fleet stays until the next test or this object goes: this may run inside one of its backend's signals.
    emit finished(Outcome { ok, text, hello });
}
