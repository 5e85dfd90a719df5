// The Fleet editor in Settings as a person uses it, against the real keychain (a throwaway gnome-keyring through
// with-keyring.sh) and a real worldspeed-probe on loopback: regions are added in forms, the JSON follows, a token
// goes to the keychain and never into the config, and "Test connection" greets the probe or says why not.
#include "fleet/keychainsecretstore.h"
#include "fleeteditor.h"
#include "probeprocess.h"
#include "regionform.h"
#include "settingsdialog.h"
#include "statuslabel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QTreeWidget>

#include <functional>

namespace {

// Runs `fill` on the form the editor opens next, while its exec() runs; `fill` ends by accepting or rejecting it.
void onNextForm(FleetEditor *editor, std::function<void(RegionForm *)> fill)
{
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection = QObject::connect(editor, &FleetEditor::formOpened, editor, [connection, fill](RegionForm *form) {
        QObject::disconnect(*connection);
        QTimer::singleShot(0, form, [form, fill] {
            fill(form);
            // A check that failed inside `fill` returned early: close the form, or its exec() never ends.
            if (QTest::currentTestFailed() && form->isVisible())
                form->reject();
        });
    });
}

std::optional<QString> readKeychain(KeychainSecretStore &keychain, const QString &key)
{
    std::optional<QString> value;
    bool answered = false;
    QObject context;
    keychain.read(key, &context, [&](const SecretStore::Result &result) {
        value = result.value;
        answered = true;
    });
    if (!QTest::qWaitFor([&] { return answered; }, 10'000))
        qWarning("the keychain did not answer");
    return value;
}

void saveShot(QWidget *widget, const QString &name)
{
    // For a person to look at, when asked for (as tst_dailyuse does).
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name));
}

} // namespace

class tst_FleetEditor : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void addsALocalRegionAndTheJsonFollows();
    void addsYourOwnProbeWithItsTokenInTheKeychain();
    void formRefusesBadInputWithTheReason();
    void removeKeepsTheLastRegion();
};

void tst_FleetEditor::initTestCase()
{
    QVERIFY2(qEnvironmentVariable("WORLDSPEED_THROWAWAY_KEYRING") == u"1", "run through tests/with-keyring.sh");
}

void tst_FleetEditor::addsALocalRegionAndTheJsonFollows()
{
    QTemporaryDir dir;
    KeychainSecretStore keychain;
    SettingsDialog dialog(FleetConfig::defaultConfig(), dir.filePath(QStringLiteral("fleet.json")), &keychain);
    dialog.show();
    dialog.editButton()->click(); // the JSON in view, to see it follow
    FleetEditor *editor = dialog.fleetEditor();
    QVERIFY(editor);
    onNextForm(editor, [](RegionForm *form) {
        form->kindCombo()->setCurrentIndex(RegionForm::Local);
        // A city from the catalog places it and names it.
        const int tokyo = form->placeCombo()->findData(QStringLiteral("nrt"));
        QVERIFY(tokyo > 0);
        form->placeCombo()->setCurrentIndex(tokyo);
        emit form->placeCombo()->activated(tokyo);
        QCOMPARE(form->codeEdit()->text(), QStringLiteral("nrt"));
        QVERIFY(std::abs(form->latitudeSpin()->value() - 35.7) < 1);
        form->codeEdit()->setText(QStringLiteral("laptop2"));
        QVERIFY2(form->problem().isEmpty(), qPrintable(form->problem()));
        QVERIFY(!form->tokenEdit()->parentWidget()->isEnabled()); // a local region has no token
        QTest::mouseClick(form->okButton(), Qt::LeftButton);
    });
    QTest::mouseClick(editor->addButton(), Qt::LeftButton);

    QCOMPARE(dialog.regionList()->topLevelItemCount(), 2);
    QCOMPARE(dialog.regionList()->topLevelItem(1)->text(FleetEditor::CodeColumn), QStringLiteral("laptop2"));
    QCOMPARE(dialog.regionList()->topLevelItem(1)->text(FleetEditor::BackendColumn), QStringLiteral("This computer"));
    QCOMPARE(dialog.fleetConfig().regions.size(), 2);
    QCOMPARE(dialog.fleetConfig().regions.at(1).backendType, QStringLiteral("local"));
    QVERIFY(dialog.jsonEditor()->toPlainText().contains(u"\"laptop2\""));
    QVERIFY(dialog.okButton()->isEnabled());

    // And the other way: the JSON edited by hand shows in the list.
    QString json = dialog.jsonEditor()->toPlainText();
    json.replace(QStringLiteral("\"laptop2\""), QStringLiteral("\"laptop3\""));
    dialog.jsonEditor()->setPlainText(json);
    QCOMPARE(dialog.regionList()->topLevelItem(1)->text(FleetEditor::CodeColumn), QStringLiteral("laptop3"));
}

void tst_FleetEditor::addsYourOwnProbeWithItsTokenInTheKeychain()
{
    const QString token = QStringLiteral("own-probe-token-0123456789abcdef");
    ProbeProcess probe;
    QVERIFY(probe.start(QStringLiteral(WORLDSPEED_PROBE_EXE), token));

    QTemporaryDir dir;
    const QString configPath = dir.filePath(QStringLiteral("fleet.json"));
    KeychainSecretStore keychain;
    SettingsDialog dialog(FleetConfig::defaultConfig(), configPath, &keychain);
    dialog.resize(900, 600);
    dialog.show();
    FleetEditor *editor = dialog.fleetEditor();

    QString connected;
    QString refused;
    onNextForm(editor, [&](RegionForm *form) {
        form->kindCombo()->setCurrentIndex(RegionForm::OwnProbe);
        form->codeEdit()->setText(QStringLiteral("lab"));
        form->nameEdit()->setText(QStringLiteral("Home lab"));
        form->urlEdit()->setText(probe.endpoint().toString());
        QCOMPARE(form->tokenNameEdit()->text(), QStringLiteral("probe-lab"));
        QCOMPARE(form->tokenEdit()->echoMode(), QLineEdit::Password);

        // A wrong token: the probe refuses it, and the form says so.
        form->tokenEdit()->setText(QStringLiteral("not-the-token"));
        QVERIFY2(form->problem().isEmpty(), qPrintable(form->problem()));
        QTest::mouseClick(form->testButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return form->testButton()->isEnabled(); }, 30'000));
        refused = form->testStatusLabel()->text();

        // The right one: connected, with the probe's version and browser.
        form->tokenEdit()->setText(token);
        QTest::mouseClick(form->testButton(), Qt::LeftButton);
        QVERIFY(QTest::qWaitFor([&] { return form->testButton()->isEnabled(); }, 30'000));
        connected = form->testStatusLabel()->text();
        saveShot(form, QStringLiteral("fleet-editor-add-own-probe.png"));
        // Tested, not saved: the keychain has nothing yet.
        QVERIFY(!readKeychain(keychain, QStringLiteral("probe-lab")));
        QTest::mouseClick(form->okButton(), Qt::LeftButton);
    });
    QTest::mouseClick(editor->addButton(), Qt::LeftButton);

    QVERIFY2(refused.contains(u"token"), qPrintable(refused));
    QVERIFY2(connected.startsWith(u"Connected: worldspeed-probe "), qPrintable(connected));
    QVERIFY2(connected.contains(u"run"), qPrintable(connected));

    // The region is in the config, naming its token; the token is in the keychain and nowhere in the JSON.
    QCOMPARE(dialog.regionList()->topLevelItemCount(), 2);
    const RegionConfig *lab = dialog.fleetConfig().region(QStringLiteral("lab"));
    QVERIFY(lab);
    QCOMPARE(lab->backendType, QStringLiteral("static"));
    const QJsonObject first = lab->backendSettings.value(QStringLiteral("probes")).toArray().at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("tokenSecret")).toString(), QStringLiteral("probe-lab"));
    QCOMPARE(first.value(QStringLiteral("url")).toString(), probe.endpoint().toString());
    QVERIFY(!dialog.jsonEditor()->toPlainText().contains(token));
    QCOMPARE(readKeychain(keychain, QStringLiteral("probe-lab")), token);
    saveShot(&dialog, QStringLiteral("settings-fleet-after-add.png"));

    dialog.accept();
    QFile saved(configPath);
    QVERIFY(saved.open(QIODevice::ReadOnly));
    const QByteArray text = saved.readAll();
    QVERIFY(text.contains("probe-lab"));
    QVERIFY(!text.contains(token.toUtf8()));
}

void tst_FleetEditor::formRefusesBadInputWithTheReason()
{
    KeychainSecretStore keychain;
    const FleetConfig config = FleetConfig::defaultConfig();
    RegionForm form(config.regions, &keychain);
    form.show();
    form.kindCombo()->setCurrentIndex(RegionForm::OwnProbe);
    form.codeEdit()->setText(QStringLiteral("local")); // the default region's code
    form.urlEdit()->setText(QStringLiteral("wss://probe.example.net:8700"));
    QVERIFY2(form.problem().contains(u"duplicate"), qPrintable(form.problem()));
    QVERIFY(!form.okButton()->isEnabled());
    QVERIFY(!form.testButton()->isEnabled());

    form.codeEdit()->setText(QStringLiteral("lab"));
    QVERIFY2(form.problem().isEmpty(), qPrintable(form.problem()));
    // The token would cross the network in clear text: refused, with the way out named.
    form.urlEdit()->setText(QStringLiteral("ws://10.0.0.7:8700"));
    QVERIFY2(form.problem().contains(u"insecurePlaintext"), qPrintable(form.problem()));
    QVERIFY(!form.okButton()->isEnabled());
    form.plaintextCheck()->setChecked(true);
    QVERIFY2(form.problem().isEmpty(), qPrintable(form.problem()));

    form.codeEdit()->setText(QStringLiteral("fr a"));
    QVERIFY2(form.problem().contains(u"identifier"), qPrintable(form.problem()));
    QCOMPARE(form.statusLabel()->text(), form.problem());

    // A cloud region says what it lacks.
    form.codeEdit()->setText(QStringLiteral("syd"));
    form.kindCombo()->setCurrentIndex(RegionForm::Fly);
    QVERIFY2(!form.problem().isEmpty(), "a Fly region without app or image");
    form.appEdit()->setText(QStringLiteral("worldspeed-probes"));
    form.cloudRegionEdit()->setText(QStringLiteral("syd"));
    form.imageEdit()->setText(QStringLiteral("worldspeed-probe:0.1.0"));
    QVERIFY2(form.problem().isEmpty(), qPrintable(form.problem()));
    QCOMPARE(form.region().backendSettings.value(QStringLiteral("tokenSecret")).toString(), QStringLiteral("fly-syd"));
}

void tst_FleetEditor::removeKeepsTheLastRegion()
{
    KeychainSecretStore keychain;
    FleetEditor editor(&keychain);
    FleetConfig config = FleetConfig::defaultConfig();
    editor.setConfig(config);
    editor.list()->setCurrentItem(editor.list()->topLevelItem(0));
    QVERIFY(editor.editButton()->isEnabled());
    QVERIFY(!editor.removeButton()->isEnabled()); // a fleet needs a region

    RegionConfig second = config.regions.at(0);
    second.code = QStringLiteral("other");
    config.regions.append(second);
    editor.setConfig(config);
    editor.list()->setCurrentItem(editor.list()->topLevelItem(0));
    QVERIFY(editor.removeButton()->isEnabled());
    FleetConfig announced;
    connect(&editor, &FleetEditor::configEdited, this, [&](const FleetConfig &edited) { announced = edited; });
    editor.removeButton()->click();
    QCOMPARE(announced.regions.size(), 1);
    QCOMPARE(announced.regions.at(0).code, QStringLiteral("other"));
    QCOMPARE(editor.list()->topLevelItemCount(), 1);
}

QTEST_MAIN(tst_FleetEditor)
#include "tst_fleeteditor.moc"
