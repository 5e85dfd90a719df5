#pragma once

#include "fleet.h"
#include "fleetconfig.h"

#include <QObject>

#include <memory>
#include <vector>

class Backend;
class QNetworkAccessManager;
class SecretStore;

// A fleet as a FleetConfig describes it: one backend per region, built from the region's backend settings, and
// one pool per region in an Fleet. What the app and the command line run tests through.
class ConfiguredFleet final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConfiguredFleet)

public:
    // `secrets` is not owned and must outlive the fleet. `clock`: null for the system's.
    // Whether its probes send the requests that started and did not end yet (PoolOptions::pendingRequests).
    enum class PendingRequests { Asked, NotAsked };

    static std::unique_ptr<ConfiguredFleet> create(const FleetConfig &config, SecretStore *secrets, QString *error,
        Clock *clock = nullptr, PendingRequests pending = PendingRequests::Asked);
    ~ConfiguredFleet() override;

    const FleetConfig &config() const { return m_config; }
    Fleet *fleet() const { return m_fleet.get(); }
    static PoolOptions poolOptions(const PoolSettings &settings);

private:
    ConfiguredFleet(FleetConfig config, Clock *clock);

    FleetConfig m_config;
    QNetworkAccessManager *m_network = nullptr;
    std::vector<std::unique_ptr<Backend>> m_backends;
    std::unique_ptr<Fleet> m_fleet; // declared last: its pools go before the backends they use
};
