#include "configuredfleet.h"

#include "flybackend.h"
#include "kubernetesbackend.h"
#include "localbackend.h"
#include "staticbackend.h"

#include <QNetworkAccessManager>

ConfiguredFleet::ConfiguredFleet(FleetConfig config, Clock *clock)
    : m_config(std::move(config))
    , m_network(new QNetworkAccessManager(this))
    , m_fleet(std::make_unique<Fleet>(clock))
{ }

ConfiguredFleet::~ConfiguredFleet()
{
    m_fleet.reset(); // pools stop their runners while the backends are still there
    m_backends.clear();
}

PoolOptions ConfiguredFleet::poolOptions(const PoolSettings &settings)
{
    PoolOptions options;
    options.min = settings.min;
    options.max = settings.max;
    options.maxConcurrency = settings.maxConcurrency;
    options.idleShutdownAfterMs = settings.idleShutdownAfterMs;
    options.minIdleShutdownAfterMs = settings.minIdleShutdownAfterMs;
    options.bootTimeoutMs = settings.bootTimeoutMs;
    options.runTimeoutMs = settings.runTimeoutMs;
    options.checkoutTimeoutMs = settings.checkoutTimeoutMs;
    options.singleUse = settings.singleUse;
    return options;
}

std::unique_ptr<ConfiguredFleet> ConfiguredFleet::create(
    const FleetConfig &config, SecretStore *secrets, QString *error, Clock *clock, PendingRequests pending)
{
    std::unique_ptr<ConfiguredFleet> fleet(new ConfiguredFleet(config, clock));
    for (qsizetype i = 0; i < config.regions.size(); ++i) {
        const RegionConfig &region = config.regions.at(i);
        const QString where = QStringLiteral("regions[%1] (%2).backend").arg(i).arg(region.code);
        QString problem;
        std::unique_ptr<Backend> backend;
        if (region.backendType == u"local") {
            QJsonObject json = region.backendSettings;
            if (!json.contains(QStringLiteral("region")))
                json.insert(QStringLiteral("region"), region.code);
            if (auto settings = LocalBackend::Settings::fromJson(json, &problem)) {
                // A local probe's capacity is the pool's per-runner concurrency unless the config says otherwise.
                if (!region.backendSettings.contains(QStringLiteral("maxConcurrency")))
                    settings->maxConcurrency = region.pool.maxConcurrency;
                backend = std::make_unique<LocalBackend>(*settings);
            }
        } else if (region.backendType == u"static") {
            if (auto settings = StaticBackend::Settings::fromJson(region.backendSettings, &problem))
                backend = std::make_unique<StaticBackend>(*settings, secrets);
        } else if (region.backendType == u"fly") {
            if (auto settings = FlyBackend::Settings::fromJson(region.backendSettings, &problem))
                backend = std::make_unique<FlyBackend>(*settings, secrets, fleet->m_network);
        } else if (region.backendType == u"kubernetes") {
            if (auto settings = KubernetesBackend::Settings::fromJson(region.backendSettings, &problem))
                backend = std::make_unique<KubernetesBackend>(*settings, secrets, fleet->m_network);
        } else {
            problem = QStringLiteral("unknown backend type \"%1\"").arg(region.backendType);
        }
        if (!backend) {
            if (error)
                *error = where + QStringLiteral(": ") + problem;
            return nullptr;
        }
        QString poolError;
        PoolOptions options = poolOptions(region.pool);
        options.pendingRequests = pending == PendingRequests::Asked;
        if (!fleet->m_fleet->addRegion(region.code, options, backend.get(), &poolError)) {
            if (error)
                *error = QStringLiteral("regions[%1] (%2).pool: %3").arg(i).arg(region.code, poolError);
            return nullptr;
        }
        fleet->m_backends.push_back(std::move(backend));
    }
    return fleet;
}
