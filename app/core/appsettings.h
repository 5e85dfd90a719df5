#pragma once

#include "settingvalue.h"

#include <QByteArray>
#include <QDir>
#include <QList>
#include <QSettings>
#include <QStringList>

// The settings of the desktop app that outlive a session, each declared once with its key, type and default. The
// desktop app writes them; worldspeed-cli reads the ones that shape a test as the app runs it (chromePath). Made
// for the moment it is needed, as QSettings is: every instance reads and writes the same file.
class AppSettings final
{
    Q_DISABLE_COPY_MOVE(AppSettings)

    // First, so that it is there before the settings below that refer to it.
    QSettings m_settings;

public:
    // The app's own: QSettings' native place for the organization and application names that
    // AppEnvironment::nameApplication gives (on Linux ~/.config/WorldSpeed/WorldSpeed.conf).
    AppSettings();
    // An INI file instead: on Linux, where the app's own file is INI too, a test writes the app's settings for a
    // program it starts with another XDG_CONFIG_HOME.
    explicit AppSettings(const QString &iniFileName);
    ~AppSettings();

    QString fileName() const { return m_settings.fileName(); }

    // Settings › Local probes: the Chrome that local probes start when their fleet config names none; empty:
    // found automatically.
    SettingValue<QString> chromePath { m_settings, QStringLiteral("local/chromePath") };

    // The test form as the user last started it.
    SettingValue<QString> testUrl { m_settings, QStringLiteral("test/url") };
    SettingValue<QString> testProfile { m_settings, QStringLiteral("test/profile"), QStringLiteral("Native") };
    SettingValue<int> testRuns { m_settings, QStringLiteral("test/runs"), 1 };
    SettingValue<bool> testRepeatView { m_settings, QStringLiteral("test/repeatView"), false };
    SettingValue<bool> testScreenshot { m_settings, QStringLiteral("test/screenshot"), false };
    SettingValue<bool> testFilmstrip { m_settings, QStringLiteral("test/filmstrip"), false };
    SettingValue<QString> testDevice { m_settings, QStringLiteral("test/device"), QStringLiteral("desktop") };
    SettingValue<int> testCpuSlowdown { m_settings, QStringLiteral("test/cpuSlowdown"), 0 }; // 0: the device's
    // The slowdown is relative to the reference machine (LoadOptions::cpuSlowdownRelative).
    SettingValue<bool> testCpuRelative { m_settings, QStringLiteral("test/cpuRelative"), false };
    // The Test settings panel's, as JSON, never with a secret value: see TestSettingsPanel::rememberable().
    SettingValue<QString> testSettings { m_settings, QStringLiteral("test/settings") };
    // The regions the user picked; those the fleet no longer has are dropped when read.
    SettingValue<QStringList> testRegions { m_settings, QStringLiteral("test/regions") };

    // The waterfall's layout, as the index of its choice in the waterfall's tool bar.
    SettingValue<int> waterfallLayout { m_settings, QStringLiteral("waterfall/layout"), 0 };
    // View › Colour the waterfall by content type: bars in the colour of what they loaded, not of their phases.
    SettingValue<bool> waterfallByContentType { m_settings, QStringLiteral("waterfall/byContentType"), false };
    // The main window as it was closed (WindowLayoutKeeper): its size and place, each splitter's state, the open tab.
    SettingValue<QByteArray> windowGeometry { m_settings, QStringLiteral("window/geometry") };
    SettingValue<QList<QByteArray>> windowSplitters { m_settings, QStringLiteral("window/splitters") };
    SettingValue<int> windowTab { m_settings, QStringLiteral("window/tab"), 0 };
    // Where the last export went (CSV, HAR, PDF), where the next one is offered.
    SettingValue<QString> exportDirectory { m_settings, QStringLiteral("export/lastDir"), QDir::homePath() };
};
