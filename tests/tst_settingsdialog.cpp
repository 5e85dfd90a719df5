// SettingsDialog offscreen with an in-memory keychain (and one that refuses every write): the fleet config's JSON
// checked as it is typed, token rows saved to the keychain and never to the settings or the config file, the
// Chrome path checked. Set WORLDSPEED_SCREENSHOT_DIR to keep light and dark screenshots of each tab.

#include "appsettings.h"
#include "darkpalette.h"
#include "memorysecretstore.h"
#include "panelfixtures.h"
#include "settingsdialog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

namespace {

// A keychain that refuses every write, as a locked one does.
class LockedSecretStore final : public SecretStore
{
public:
    void read(const QString &, QObject *context, std::function<void(const Result &)> done) override
    {
        QMetaObject::invokeMethod(
            context,
            [done = std::move(done)] {
                done(Result { std::nullopt, QStringLiteral("the keychain is locked") });
            },
            Qt::QueuedConnection);
    }
    void write(const QString &, const QString &, QObject *context, std::function<void(const QString &)> done) override
    {
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done(QStringLiteral("the keychain is locked")); },
            Qt::QueuedConnection);
    }
    void remove(const QString &, QObject *context, std::function<void(const QString &)> done) override
    {
        QMetaObject::invokeMethod(
            context, [done = std::move(done)] { done({}); }, Qt::QueuedConnection);
    }
};

// Two regions whose backends name four secrets, one of them twice.
QByteArray configWithSecrets()
{
    // Single quotes for readability (and for moc, which does not follow raw string literals).
    return QByteArray("{\n"
                      "  'version': 1,\n"
                      "  'regions': [\n"
                      "    { 'code': 'home-lab', 'name': 'Home lab', 'latitude': 48.86, 'longitude': 2.35,\n"
                      "      'backend': { 'type': 'static', 'probes': [\n"
                      "        { 'url': 'ws://10.0.0.7:8700', 'tokenSecret': 'probe-home-1' },\n"
                      "        { 'url': 'ws://10.0.0.8:8700', 'tokenSecret': 'probe-home-2' } ] },\n"
                      "      'pool': { 'min': 0, 'max': 2 } },\n"
                      "    { 'code': 'syd', 'name': 'Sydney', 'latitude': -33.87, 'longitude': 151.21,\n"
                      "      'backend': { 'type': 'fly', 'app': 'worldspeed-probes', 'region': 'syd',\n"
                      "        'image': 'registry.fly.io/worldspeed-probe:0.1.0', 'tokenSecret': 'fly-api', "
                      "'probeTokenSecret': 'fly-probe' } },\n"
                      "    { 'code': 'nrt', 'name': 'Tokyo', 'latitude': 35.68, 'longitude': 139.69,\n"
                      "      'backend': { 'type': 'fly', 'app': 'worldspeed-probes', 'region': 'nrt',\n"
                      "        'image': 'registry.fly.io/worldspeed-probe:0.1.0', 'tokenSecret': 'fly-api', "
                      "'probeTokenSecret': 'fly-probe' } }\n"
                      "  ]\n"
                      "}\n")
        .replace('\'', '"');
}

} // namespace

class tst_SettingsDialog : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void settingsInvalidJsonDisablesOk();
    void settingsTokenRowsSaveToTheKeychain();
    void settingsTokenErrorIsShown();
    void settingsChromePathMustBeExecutable();
    void settingsChooseFileAndSave();

    void screenshots();
};

void tst_SettingsDialog::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_settingsdialog"));
}

void tst_SettingsDialog::settingsInvalidJsonDisablesOk()
{
    QTemporaryDir dir;
    MemorySecretStore secrets;
    const FleetConfig initial = FleetConfig::defaultConfig();
    SettingsDialog dialog(initial, dir.filePath(QStringLiteral("fleet.json")), &secrets);
    QVERIFY(dialog.okButton()->isEnabled());
    QVERIFY(dialog.isConfigValid());
    QVERIFY(!dialog.jsonEditor()->isVisible());
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.editButton()->click();
    QVERIFY(dialog.jsonEditor()->isVisible());
    QVERIFY(dialog.jsonEditor()->toPlainText().contains(QStringLiteral("\"regions\"")));

    // A field out of range: OK off, the error with its field path under the editor.
    QString text = dialog.jsonEditor()->toPlainText();
    QJsonObject json = initial.toJson();
    QJsonArray regions = json.value(QStringLiteral("regions")).toArray();
    QJsonObject region = regions.at(0).toObject();
    QJsonObject pool = region.value(QStringLiteral("pool")).toObject();
    pool.insert(QStringLiteral("max"), 0);
    region.insert(QStringLiteral("pool"), pool);
    regions.replace(0, region);
    json.insert(QStringLiteral("regions"), regions);
    dialog.jsonEditor()->setPlainText(QString::fromUtf8(QJsonDocument(json).toJson()));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.configStatusLabel()->text().startsWith(QStringLiteral("regions[0].pool.max: ")),
        qPrintable(dialog.configStatusLabel()->text()));
    QVERIFY(dialog.configStatusLabel()->isVisible());

    // Not JSON at all: the line and column.
    dialog.jsonEditor()->setPlainText(QStringLiteral("{\n  \"version\": 1,\n  \"regions\": [ oops ]\n}"));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.configStatusLabel()->text().contains(QStringLiteral("line 3")),
        qPrintable(dialog.configStatusLabel()->text()));
    QCOMPARE(dialog.jsonEditor()->extraSelections().size(), 1);

    // An inline token is refused, naming the field and not the value.
    dialog.jsonEditor()->setPlainText(
        QString::fromUtf8(configWithSecrets())
            .replace(QStringLiteral("\"tokenSecret\": \"fly-api\""), QStringLiteral("\"token\": \"hunter2\"")));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY2(dialog.configStatusLabel()->text().startsWith(QStringLiteral("regions[1].backend.token: ")),
        qPrintable(dialog.configStatusLabel()->text()));
    QVERIFY(!dialog.configStatusLabel()->text().contains(QStringLiteral("hunter2")));

    // Valid again: OK on, the regions listed, and the dialog's config is the text's.
    dialog.jsonEditor()->setPlainText(QString::fromUtf8(configWithSecrets()));
    QVERIFY(dialog.okButton()->isEnabled());
    QVERIFY(dialog.jsonEditor()->extraSelections().isEmpty());
    QCOMPARE(dialog.fleetConfig().regions.size(), 3);
    QVERIFY(dialog.fleetConfigChanged());
    QCOMPARE(dialog.regionList()->topLevelItemCount(), 3);
    QCOMPARE(dialog.regionList()->topLevelItem(1)->text(0), QStringLiteral("syd"));
    QVERIFY(dialog.configStatusLabel()->text().contains(QStringLiteral("3 regions")));
}

void tst_SettingsDialog::settingsTokenRowsSaveToTheKeychain()
{
    QTemporaryDir dir;
    MemorySecretStore secrets;
    secrets.secrets.insert(QStringLiteral("fly-api"), QStringLiteral("already-there"));
    QString error;
    const FleetConfig config = FleetConfig::fromJson(configWithSecrets(), &error).value();
    QCOMPARE(SettingsDialog::secretUses(config).size(), 4);
    QCOMPARE(SettingsDialog::secretUses(config).at(0).name, QStringLiteral("fly-api"));
    QCOMPARE(SettingsDialog::secretUses(config).at(0).fields,
        (QStringList { QStringLiteral("syd: backend.tokenSecret"), QStringLiteral("nrt: backend.tokenSecret") }));
    QCOMPARE(SettingsDialog::secretUses(config).at(2).fields,
        QStringList { QStringLiteral("home-lab: backend.probes[0].tokenSecret") });

    SettingsDialog dialog(config, dir.filePath(QStringLiteral("fleet.json")), &secrets);
    QCOMPARE(dialog.tokenNames(),
        (QStringList { QStringLiteral("fly-api"), QStringLiteral("fly-probe"), QStringLiteral("probe-home-1"),
            QStringLiteral("probe-home-2") }));
    // What the keychain has is said, without showing it.
    QTRY_COMPARE(
        dialog.tokenStatusLabel(QStringLiteral("fly-api"))->text(), QStringLiteral("stored in the system keychain"));
    QTRY_COMPARE(
        dialog.tokenStatusLabel(QStringLiteral("fly-probe"))->text(), QStringLiteral("not in the keychain yet"));
    QVERIFY(dialog.tokenEdit(QStringLiteral("fly-api"))->text().isEmpty());
    QCOMPARE(dialog.tokenEdit(QStringLiteral("fly-api"))->echoMode(), QLineEdit::Password);

    QLineEdit *edit = dialog.tokenEdit(QStringLiteral("fly-probe"));
    QPushButton *save = dialog.tokenSaveButton(QStringLiteral("fly-probe"));
    QVERIFY(!save->isEnabled()); // nothing typed
    QTest::keyClicks(edit, QStringLiteral("s3cret-probe-token"));
    QVERIFY(save->isEnabled());
    save->click();
    QTRY_COMPARE(secrets.secrets.value(QStringLiteral("fly-probe")), QStringLiteral("s3cret-probe-token"));
    QTRY_COMPARE(
        dialog.tokenStatusLabel(QStringLiteral("fly-probe"))->text(), QStringLiteral("stored in the system keychain"));
    QVERIFY(edit->text().isEmpty());

    // Tokens never reach the settings or the config file.
    dialog.accept();
    QSettings settings;
    for (const QString &key : settings.allKeys())
        QVERIFY(!settings.value(key).toString().contains(QStringLiteral("s3cret")));
    QFile file(dir.filePath(QStringLiteral("fleet.json")));
    if (file.open(QIODevice::ReadOnly))
        QVERIFY(!file.readAll().contains("s3cret"));

    // Editing the config adds and removes rows; typed text stays with its name.
    SettingsDialog again(config, dir.filePath(QStringLiteral("fleet.json")), &secrets);
    again.tokenEdit(QStringLiteral("probe-home-1"))->setText(QStringLiteral("typed"));
    again.jsonEditor()->setPlainText(QString::fromUtf8(configWithSecrets())
                                         .replace(QStringLiteral("\"fly-probe\""), QStringLiteral("\"fly-probe-2\"")));
    QVERIFY(again.tokenNames().contains(QStringLiteral("fly-probe-2")));
    QVERIFY(!again.tokenNames().contains(QStringLiteral("fly-probe")));
    QCOMPARE(again.tokenEdit(QStringLiteral("probe-home-1"))->text(), QStringLiteral("typed"));
}

void tst_SettingsDialog::settingsTokenErrorIsShown()
{
    QTemporaryDir dir;
    LockedSecretStore secrets;
    QString error;
    const FleetConfig config = FleetConfig::fromJson(configWithSecrets(), &error).value();
    SettingsDialog dialog(config, dir.filePath(QStringLiteral("fleet.json")), &secrets);
    QTRY_VERIFY(dialog.tokenStatusLabel(QStringLiteral("fly-api"))->text().contains(QStringLiteral("locked")));
    dialog.tokenEdit(QStringLiteral("fly-api"))->setText(QStringLiteral("x"));
    dialog.tokenSaveButton(QStringLiteral("fly-api"))->click();
    QTRY_COMPARE(dialog.tokenStatusLabel(QStringLiteral("fly-api"))->text(),
        QStringLiteral("Not saved: the keychain is locked"));
    QCOMPARE(dialog.tokenEdit(QStringLiteral("fly-api"))->text(), QStringLiteral("x")); // kept, to try again
    QVERIFY(dialog.tokenSaveButton(QStringLiteral("fly-api"))->isEnabled());

    // Without a store at all the rows say so.
    SettingsDialog none(config, dir.filePath(QStringLiteral("fleet.json")), nullptr);
    QVERIFY(none.tokenStatusLabel(QStringLiteral("fly-api"))->text().contains(QStringLiteral("No keychain")));
    none.tokenEdit(QStringLiteral("fly-api"))->setText(QStringLiteral("x"));
    QVERIFY(!none.tokenSaveButton(QStringLiteral("fly-api"))->isEnabled());
}

void tst_SettingsDialog::settingsChromePathMustBeExecutable()
{
    QTemporaryDir dir;
    AppSettings().chromePath.remove();
    SettingsDialog dialog(FleetConfig::defaultConfig(), dir.filePath(QStringLiteral("fleet.json")), nullptr);
    QVERIFY(dialog.chromePathEdit()->text().isEmpty());
    QVERIFY(dialog.okButton()->isEnabled()); // empty: found automatically

    dialog.chromePathEdit()->setText(dir.filePath(QStringLiteral("missing")));
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY(dialog.chromePathStatusLabel()->text().contains(QStringLiteral("no file")));

    const QString plain = dir.filePath(QStringLiteral("chrome.txt"));
    QFile file(plain);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("#!/bin/sh\n");
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    dialog.chromePathEdit()->setText(plain);
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY(dialog.chromePathStatusLabel()->text().contains(QStringLiteral("not executable")));

    dialog.chromePathEdit()->setText(dir.path());
    QVERIFY(!dialog.okButton()->isEnabled());
    QVERIFY(dialog.chromePathStatusLabel()->text().contains(QStringLiteral("folder")));

    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner));
    dialog.chromePathEdit()->setText(plain);
    QVERIFY(dialog.okButton()->isEnabled());
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QCOMPARE(AppSettings().chromePath.value(), plain);

    SettingsDialog reopened(FleetConfig::defaultConfig(), dir.filePath(QStringLiteral("fleet.json")), nullptr);
    QCOMPARE(reopened.chromePathEdit()->text(), plain);
    AppSettings().chromePath.remove();
}

void tst_SettingsDialog::settingsChooseFileAndSave()
{
    QTemporaryDir dir;
    const QString other = dir.filePath(QStringLiteral("other.json"));
    QFile file(other);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(configWithSecrets());
    file.close();
    const QString target = dir.filePath(QStringLiteral("config/fleet.json"));

    MemorySecretStore secrets;
    SettingsDialog dialog(FleetConfig::defaultConfig(), target, &secrets);
    QVERIFY(!dialog.fleetConfigChanged());
    QVERIFY(!dialog.loadConfigFile(dir.filePath(QStringLiteral("missing.json"))));
    QVERIFY(dialog.configStatusLabel()->text().contains(QStringLiteral("missing.json")));
    QVERIFY(dialog.loadConfigFile(other));
    QVERIFY(dialog.fleetConfigChanged());
    QCOMPARE(dialog.tokenNames().size(), 4);
    QVERIFY(dialog.jsonEditor()->toPlainText().contains(QStringLiteral("home-lab")));
    dialog.accept();
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QString error;
    const std::optional<FleetConfig> saved = FleetConfig::load(target, &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(*saved, dialog.fleetConfig());
}

void tst_SettingsDialog::screenshots()
{
    QTemporaryDir dir;
    MemorySecretStore secrets;
    secrets.secrets.insert(QStringLiteral("fly-api"), QStringLiteral("x"));
    QString error;
    SettingsDialog dialog(FleetConfig::fromJson(configWithSecrets(), &error).value(),
        dir.filePath(QStringLiteral("fleet.json")), &secrets);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    dialog.editButton()->click();
    dialog.jsonEditor()->setPlainText(
        dialog.jsonEditor()->toPlainText().replace(QStringLiteral("\"max\": 2"), QStringLiteral("\"max\": 0")));
    QVERIFY(!dialog.okButton()->isEnabled());
    QTest::qWait(50);

    const auto shoot = [&](const QString &suffix) {
        dialog.tabs()->setCurrentIndex(0);
        save(dialog.grab().toImage(), QStringLiteral("settings-fleet-%1.png").arg(suffix));
        dialog.tabs()->setCurrentIndex(1);
        QTRY_VERIFY(!dialog.tokenStatusLabel(QStringLiteral("fly-probe"))->text().contains(QStringLiteral("Checking")));
        save(dialog.grab().toImage(), QStringLiteral("settings-tokens-%1.png").arg(suffix));
        dialog.tabs()->setCurrentIndex(2);
        save(dialog.grab().toImage(), QStringLiteral("settings-local-%1.png").arg(suffix));
    };
    shoot(QStringLiteral("light"));
    dialog.setPalette(darkPalette());
    QTest::qWait(50);
    shoot(QStringLiteral("dark"));
    if (qEnvironmentVariableIsEmpty("WORLDSPEED_SCREENSHOT_DIR"))
        QSKIP("WORLDSPEED_SCREENSHOT_DIR is not set; not saving screenshots");
}

QTEST_MAIN(tst_SettingsDialog)
#include "tst_settingsdialog.moc"
