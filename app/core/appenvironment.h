#pragma once

#include "fleet/fleetconfig.h"
#include "regioncatalog.h"

#include <QCoreApplication>
#include <QString>

#include <optional>

class AppSettings;

// What the desktop app and worldspeed-cli both start from, so they see the same things: the application's names
// (which decide where QStandardPaths and QSettings look), the history database and the fleet config where the app
// keeps them, the fleet config as the app measures from it (the file, else this computer, with the app's settings
// applied), and the region catalog that names and places its regions. It holds nothing itself; each answer is
// read from the environment when asked.
class AppEnvironment final
{
    Q_DECLARE_TR_FUNCTIONS(AppEnvironment)

public:
    // Organization and application "WorldSpeed" and the version, on the QCoreApplication: both mains call it before
    // anything else looks for a path or a setting.
    static void nameApplication();
    // The app's: <AppDataLocation>/history.sqlite and <AppConfigLocation>/fleet.json, under those names
    // (e.g. ~/.local/share/WorldSpeed/WorldSpeed/history.sqlite, ~/.config/WorldSpeed/WorldSpeed/fleet.json).
    static QString databasePath();
    static QString fleetConfigPath();

    // What a fleet config file that is missing or does not load leads to.
    enum class FleetLoading {
        FallBack, // the app: this computer's fleet either way; a file that does not load also gives an error to show
        Strict, // worldspeed-cli: a missing file is this computer's fleet, one that does not load an error
        Named, // worldspeed-cli --fleet FILE: the file must load
    };
    struct FleetLoad
    {
        std::optional<FleetConfig> config; // nullopt only when not falling back
        QString error; // why the file was not used; empty when it was, or was missing where that is allowed
    };
    // The fleet config at `path` as `loading` says, as it is written: what Settings edits and saves back.
    static FleetLoad loadFleetConfig(const QString &path, FleetLoading loading);
    // `config` as the app measures from it: local regions that name no Chrome start the one chosen in the app's
    // Settings › Local probes (AppSettings::chromePath), if any. What a region's own config says wins. Only the
    // fleet that starts probes gets it: written back into the file, the choice would outlive the setting.
    static FleetConfig withAppSettings(FleetConfig config, const AppSettings &settings);

    // The built-in catalog with the fleet's regions added (named and placed as its config says), as the map, the
    // region picker and the PDF report place and name them.
    static RegionCatalog regionCatalog(const FleetConfig &config);
};
