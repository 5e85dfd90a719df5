#pragma once

// The fleet the app's and the CLI's end-to-end tests run: the default config's one region, this computer, with the
// build's own probe (not one found on PATH) and Chromium without QUIC (loopback test servers speak TCP only).

#include "fleet/fleetconfig.h"

#include <QJsonArray>
#include <QString>

inline FleetConfig localFleetConfig(const QString &probeExecutable)
{
    FleetConfig config = FleetConfig::defaultConfig();
    config.regions[0].backendSettings.insert(QStringLiteral("probePath"), probeExecutable);
    config.regions[0].backendSettings.insert(
        QStringLiteral("chromeArguments"), QJsonArray { QStringLiteral("--disable-quic") });
    return config;
}
