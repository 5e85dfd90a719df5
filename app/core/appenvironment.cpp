#include "appenvironment.h"

#include "appsettings.h"

#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>

void AppEnvironment::nameApplication()
{
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeed"));
    QCoreApplication::setApplicationName(QStringLiteral("WorldSpeed"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WORLDSPEED_VERSION));
}

QString AppEnvironment::databasePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("history.sqlite"));
}

QString AppEnvironment::fleetConfigPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
        .filePath(QStringLiteral("fleet.json"));
}

AppEnvironment::FleetLoad AppEnvironment::loadFleetConfig(const QString &path, FleetLoading loading)
{
    FleetLoad result;
    // No file is no fleet of one's own yet: this computer, unless the file was named.
    if (loading != FleetLoading::Named && !QFileInfo::exists(path)) {
        result.config = FleetConfig::defaultConfig();
        return result;
    }
    QString error;
    if (const auto loaded = FleetConfig::load(path, &error)) {
        result.config = *loaded;
    } else if (loading == FleetLoading::FallBack) {
        // The app still has this computer to measure from, and says why it is not the user's fleet.
        result.config = FleetConfig::defaultConfig();
        result.error = tr("The fleet configuration could not be read, so this computer is used instead: %1").arg(error);
    } else {
        // A script would rather stop than measure from somewhere it did not ask for.
        result.error = error;
    }
    return result;
}

FleetConfig AppEnvironment::withAppSettings(FleetConfig config, const AppSettings &settings)
{
    const QString chromePath = settings.chromePath.value();
    if (chromePath.isEmpty())
        return config;
    for (RegionConfig &region : config.regions) {
        if (region.backendType == u"local" && !region.backendSettings.contains(QStringLiteral("chromePath")))
            region.backendSettings.insert(QStringLiteral("chromePath"), chromePath);
    }
    return config;
}

RegionCatalog AppEnvironment::regionCatalog(const FleetConfig &config)
{
    RegionCatalog catalog = RegionCatalog::builtIn();
    for (const RegionCatalog::Region &region : RegionCatalog::fleetRegions(config))
        catalog.add(region);
    return catalog;
}
