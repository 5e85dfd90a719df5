// What the desktop app and worldspeed-cli both start from: the app's settings (each key as the app has always
// written it, typed, with its default), the paths under the app's names, the fleet config as the app falls back and
// as the CLI insists, the Chrome chosen in the settings applied to local regions, and the region catalog.
#include "appenvironment.h"
#include "appsettings.h"

#include <QFile>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

using FleetLoading = AppEnvironment::FleetLoading;

const QByteArray goodFleet = R"({"version":1,"regions":[
    {"code":"lab","name":"Lab","latitude":10,"longitude":20,"backend":{"type":"local"}},
    {"code":"fra","latitude":50.1,"longitude":8.7,"backend":{"type":"local","chromePath":"/opt/own/chrome"}},
    {"code":"home","latitude":1,"longitude":2,"backend":{"type":"static","probes":[{"url":"ws://10.0.0.7:8700","tokenSecret":"home-1"}]}}]})";
const QByteArray badFleet
    = R"({"version":1,"regions":[{"code":"x","latitude":91,"longitude":0,"backend":{"type":"local"}}]})";

QString chromeOf(const FleetConfig &config, const QString &code)
{
    for (const RegionConfig &region : config.regions) {
        if (region.code == code)
            return region.backendSettings.value(QStringLiteral("chromePath")).toString();
    }
    return QStringLiteral("(no region %1)").arg(code);
}

} // namespace

class tst_AppEnvironment : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void settingKeysStayTheApps();
    void settingsDefaultsThenStored();
    void removedSettingIsItsDefaultAgain();
    void pathsUnderTheAppsNames();
    void fleetLoading_data();
    void fleetLoading();
    void chromeFromTheSettings();
    void regionCatalogAddsTheFleets();

private:
    QString writeFile(const QString &name, const QByteArray &content);

    QTemporaryDir m_dir;
};

void tst_AppEnvironment::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QString tst_AppEnvironment::writeFile(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != content.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void tst_AppEnvironment::settingKeysStayTheApps()
{
    // The keys users' settings files already hold: renaming one would forget what they chose.
    AppSettings settings(m_dir.filePath(QStringLiteral("keys.conf")));
    QCOMPARE(settings.chromePath.key(), QStringLiteral("local/chromePath"));
    QCOMPARE(settings.testUrl.key(), QStringLiteral("test/url"));
    QCOMPARE(settings.testProfile.key(), QStringLiteral("test/profile"));
    QCOMPARE(settings.testRuns.key(), QStringLiteral("test/runs"));
    QCOMPARE(settings.testRepeatView.key(), QStringLiteral("test/repeatView"));
    QCOMPARE(settings.testScreenshot.key(), QStringLiteral("test/screenshot"));
    QCOMPARE(settings.testRegions.key(), QStringLiteral("test/regions"));
    QCOMPARE(settings.waterfallLayout.key(), QStringLiteral("waterfall/layout"));
    QCOMPARE(settings.exportDirectory.key(), QStringLiteral("export/lastDir"));
}

void tst_AppEnvironment::settingsDefaultsThenStored()
{
    const QString file = m_dir.filePath(QStringLiteral("stored.conf"));
    {
        AppSettings settings(file);
        QCOMPARE(settings.chromePath.value(), QString());
        QCOMPARE(settings.testUrl.value(), QString());
        QCOMPARE(settings.testProfile.value(), QStringLiteral("Native"));
        QCOMPARE(settings.testRuns.value(), 1);
        QCOMPARE(settings.testRepeatView.value(), false);
        QCOMPARE(settings.testScreenshot.value(), false);
        QCOMPARE(settings.testRegions.value(), QStringList());
        QCOMPARE(settings.waterfallLayout.value(), 0);
        QCOMPARE(settings.exportDirectory.value(), QDir::homePath());

        settings.chromePath.setValue(QStringLiteral("/opt/chrome"));
        settings.testUrl.setValue(QStringLiteral("https://example.com/"));
        settings.testProfile.setValue(QStringLiteral("3G Fast"));
        settings.testRuns.setValue(5);
        settings.testRepeatView.setValue(true);
        settings.testScreenshot.setValue(true);
        settings.testRegions.setValue({ QStringLiteral("fra"), QStringLiteral("syd") });
        settings.waterfallLayout.setValue(2);
        settings.exportDirectory.setValue(m_dir.path());
    }
    // Read back from the file by another instance, each with its type.
    AppSettings again(file);
    QCOMPARE(again.chromePath.value(), QStringLiteral("/opt/chrome"));
    QCOMPARE(again.testUrl.value(), QStringLiteral("https://example.com/"));
    QCOMPARE(again.testProfile.value(), QStringLiteral("3G Fast"));
    QCOMPARE(again.testRuns.value(), 5);
    QCOMPARE(again.testRepeatView.value(), true);
    QCOMPARE(again.testScreenshot.value(), true);
    QCOMPARE(again.testRegions.value(), (QStringList { QStringLiteral("fra"), QStringLiteral("syd") }));
    QCOMPARE(again.waterfallLayout.value(), 2);
    QCOMPARE(again.exportDirectory.value(), m_dir.path());
    // Under the keys a plain QSettings on the file sees.
    const QSettings raw(file, QSettings::IniFormat);
    QCOMPARE(raw.value(QStringLiteral("test/runs")).toInt(), 5);
    QCOMPARE(raw.value(QStringLiteral("local/chromePath")).toString(), QStringLiteral("/opt/chrome"));
}

void tst_AppEnvironment::removedSettingIsItsDefaultAgain()
{
    const QString file = m_dir.filePath(QStringLiteral("removed.conf"));
    AppSettings settings(file);
    settings.chromePath.setValue(QStringLiteral("/opt/chrome"));
    settings.testProfile.setValue(QStringLiteral("DSL"));
    settings.chromePath.remove();
    settings.testProfile.remove();
    QCOMPARE(settings.chromePath.value(), QString());
    QCOMPARE(settings.testProfile.value(), settings.testProfile.defaultValue());
    QCOMPARE(settings.testProfile.defaultValue(), QStringLiteral("Native"));
    settings.testRuns.setValue(3); // another key stays
    QCOMPARE(QSettings(file, QSettings::IniFormat).allKeys(), QStringList { QStringLiteral("test/runs") });
}

void tst_AppEnvironment::pathsUnderTheAppsNames()
{
    AppEnvironment::nameApplication();
    QCOMPARE(QCoreApplication::organizationName(), QStringLiteral("WorldSpeed"));
    QCOMPARE(QCoreApplication::applicationName(), QStringLiteral("WorldSpeed"));
    QCOMPARE(QCoreApplication::applicationVersion(), QStringLiteral(WORLDSPEED_VERSION));
    // Where the app has always kept them (README.md of app/cli names them for people).
    QCOMPARE(AppEnvironment::databasePath(),
        QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation)
            + QStringLiteral("/WorldSpeed/WorldSpeed/history.sqlite"));
    QCOMPARE(AppEnvironment::fleetConfigPath(),
        QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
            + QStringLiteral("/WorldSpeed/WorldSpeed/fleet.json"));
#ifdef Q_OS_LINUX
    // And the settings where worldspeed-cli looks for the app's: the file the app writes.
    QCOMPARE(AppSettings().fileName(),
        QStandardPaths::writableLocation(QStandardPaths::GenericConfigLocation)
            + QStringLiteral("/WorldSpeed/WorldSpeed.conf"));
#endif
}

void tst_AppEnvironment::fleetLoading_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<FleetLoading>("loading");
    QTest::addColumn<QString>("expectedRegions"); // codes, or "none"
    QTest::addColumn<QString>("error"); // what the message says; empty: none

    const QString missing = m_dir.filePath(QStringLiteral("missing.json"));
    const QString bad = writeFile(QStringLiteral("bad.json"), badFleet);
    const QString good = writeFile(QStringLiteral("good.json"), goodFleet);
    // FleetConfig::load names the file, then the field.
    const QString badReason = bad + QStringLiteral(": regions[0].latitude: 91 is outside -90");
    const QString fallBack
        = QStringLiteral("The fleet configuration could not be read, so this computer is used instead: ");

    QTest::newRow("app, no file") << missing << FleetLoading::FallBack << QStringLiteral("local") << QString();
    QTest::newRow("app, bad file") << bad << FleetLoading::FallBack << QStringLiteral("local") << fallBack + badReason;
    QTest::newRow("app, good file") << good << FleetLoading::FallBack << QStringLiteral("lab,fra,home") << QString();
    QTest::newRow("cli, no file") << missing << FleetLoading::Strict << QStringLiteral("local") << QString();
    QTest::newRow("cli, bad file") << bad << FleetLoading::Strict << QStringLiteral("none") << badReason;
    QTest::newRow("cli, good file") << good << FleetLoading::Strict << QStringLiteral("lab,fra,home") << QString();
    QTest::newRow("cli --fleet, no file") << missing << FleetLoading::Named << QStringLiteral("none")
                                          << QStringLiteral("cannot read the fleet config %1: ").arg(missing);
    QTest::newRow("cli --fleet, bad file") << bad << FleetLoading::Named << QStringLiteral("none") << badReason;
    QTest::newRow("cli --fleet, good file")
        << good << FleetLoading::Named << QStringLiteral("lab,fra,home") << QString();
}

void tst_AppEnvironment::fleetLoading()
{
    QFETCH(QString, path);
    QFETCH(FleetLoading, loading);
    QFETCH(QString, expectedRegions);
    QFETCH(QString, error);
    const AppEnvironment::FleetLoad load = AppEnvironment::loadFleetConfig(path, loading);
    QVERIFY2(error.isEmpty() ? load.error.isEmpty() : load.error.contains(error), qPrintable(load.error));
    if (expectedRegions == u"none") {
        QVERIFY(!load.config);
        return;
    }
    QVERIFY(load.config);
    QStringList codes;
    for (const RegionConfig &region : load.config->regions)
        codes.append(region.code);
    QCOMPARE(codes.join(u','), expectedRegions);
    if (expectedRegions == u"local")
        QCOMPARE(*load.config, FleetConfig::defaultConfig());
}

void tst_AppEnvironment::chromeFromTheSettings()
{
    const QString good = writeFile(QStringLiteral("chrome.json"), goodFleet);
    AppSettings settings(m_dir.filePath(QStringLiteral("chrome.conf")));

    // None chosen: every region as its config says.
    auto load = AppEnvironment::loadFleetConfig(good, FleetLoading::Named);
    QVERIFY(load.config);
    const FleetConfig written = *load.config;
    FleetConfig applied = AppEnvironment::withAppSettings(written, settings);
    QCOMPARE(chromeOf(applied, QStringLiteral("lab")), QString());
    QCOMPARE(chromeOf(applied, QStringLiteral("fra")), QStringLiteral("/opt/own/chrome"));

    // Chosen: local regions that name none start it; one that names its own keeps it; other backends have no
    // Chrome of ours to start. Loading gives the config as written, whatever the settings: it is what Settings
    // saves back, and the choice must not be written into the file.
    settings.chromePath.setValue(QStringLiteral("/opt/chosen/chromium"));
    for (const FleetLoading loading : { FleetLoading::FallBack, FleetLoading::Strict, FleetLoading::Named }) {
        load = AppEnvironment::loadFleetConfig(good, loading);
        QVERIFY(load.config);
        QVERIFY(*load.config == written);
        applied = AppEnvironment::withAppSettings(*load.config, settings);
        QCOMPARE(chromeOf(applied, QStringLiteral("lab")), QStringLiteral("/opt/chosen/chromium"));
        QCOMPARE(chromeOf(applied, QStringLiteral("fra")), QStringLiteral("/opt/own/chrome"));
        QVERIFY(!applied.regions.at(2).backendSettings.contains(QStringLiteral("chromePath")));
    }
    // This computer's fleet, when there is no file, starts it too.
    load = AppEnvironment::loadFleetConfig(m_dir.filePath(QStringLiteral("none.json")), FleetLoading::Strict);
    QVERIFY(load.config);
    QCOMPARE(chromeOf(*load.config, QStringLiteral("local")), QString());
    QCOMPARE(chromeOf(AppEnvironment::withAppSettings(*load.config, settings), QStringLiteral("local")),
        QStringLiteral("/opt/chosen/chromium"));
}

void tst_AppEnvironment::regionCatalogAddsTheFleets()
{
    QString error;
    const auto config = FleetConfig::fromJson(goodFleet, &error);
    QVERIFY2(config, qPrintable(error));
    const RegionCatalog catalog = AppEnvironment::regionCatalog(*config);
    const auto lab = catalog.find(QStringLiteral("lab"));
    QVERIFY(lab);
    QCOMPARE(lab->city, QStringLiteral("Lab"));
    QCOMPARE(lab->latitude, 10.0);
    QCOMPARE(lab->longitude, 20.0);
    // The fleet's own regions replace the built-in ones of the same code, placed where the config says.
    const auto fra = catalog.find(QStringLiteral("fra"));
    QVERIFY(fra);
    QCOMPARE(fra->latitude, 50.1);
    QVERIFY(!fra->country.isEmpty());
    // The rest of the built-in table stays.
    const RegionCatalog builtIn = RegionCatalog::builtIn();
    QVERIFY(builtIn.find(QStringLiteral("syd")));
    for (const RegionCatalog::Region &region : builtIn.regions())
        QVERIFY2(catalog.find(region.code), qPrintable(region.code));
    QCOMPARE(catalog.regions().size(), builtIn.regions().size() + 2); // lab and home are new
}

QTEST_GUILESS_MAIN(tst_AppEnvironment)
#include "tst_appenvironment.moc"
