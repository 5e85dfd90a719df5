// The settings dialog's token rows against the real secret service: what a person types and saves is in the
// system keychain (and nowhere else), and the dialog says it is stored when opened again.
#include "fleet/keychainsecretstore.h"
#include "settingsdialog.h"

#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

namespace {

FleetConfig configNaming(const QString &secret)
{
    QString error;
    // Built without a raw string literal: moc in Qt 6.4 misreads those inside macros.
    const QByteArray json
        = QByteArray("{\"version\":1,\"regions\":[{\"code\":\"home\",\"latitude\":1,\"longitude\":2,"
                     "\"backend\":{\"type\":\"static\",\"probes\":[{\"url\":\"wss://probe.example:8700\","
                     "\"tokenSecret\":\"")
        + secret.toUtf8() + QByteArray("\"}]}}]}");
    return FleetConfig::fromJson(json, &error).value();
}

} // namespace

class tst_SettingsKeychain : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void tokenRoundTripThroughTheDialog();
};

void tst_SettingsKeychain::initTestCase()
{
    // with-keyring.sh sets this: never write into somebody's real keyring.
    QVERIFY2(qEnvironmentVariable("WORLDSPEED_THROWAWAY_KEYRING") == u"1", "run through tests/with-keyring.sh");
}

void tst_SettingsKeychain::tokenRoundTripThroughTheDialog()
{
    const QString secret = QStringLiteral("settings-test-token");
    const QString value = QStringLiteral("tok-ΩΩ-0123456789abcdef");
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString configPath = dir.filePath(QStringLiteral("fleet.json"));
    KeychainSecretStore keychain;
    {
        SettingsDialog dialog(configNaming(secret), configPath, &keychain);
        dialog.show();
        QVERIFY(dialog.tokenNames().contains(secret));
        QLineEdit *edit = dialog.tokenEdit(secret);
        QVERIFY(edit);
        QCOMPARE(edit->echoMode(), QLineEdit::Password);
        edit->setText(value);
        QTest::mouseClick(dialog.tokenSaveButton(secret), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(dialog.tokenStatusLabel(secret)->text().contains(u"keychain"), 10'000);
        QVERIFY(edit->text().isEmpty()); // not left lying in the field
        dialog.accept();
    }
    // In the real keychain, as QtKeychain stores it.
    std::optional<QString> read;
    bool answered = false;
    QObject context;
    keychain.read(secret, &context, [&](const SecretStore::Result &result) {
        read = result.value;
        answered = true;
    });
    QTRY_VERIFY_WITH_TIMEOUT(answered, 10'000);
    QCOMPARE(read, value);
    QProcess lookup;
    lookup.start(QStringLiteral("secret-tool"),
        { QStringLiteral("lookup"), QStringLiteral("user"), secret, QStringLiteral("server"),
            QStringLiteral("WorldSpeed") });
    QVERIFY(lookup.waitForFinished(10'000));
    QCOMPARE(QString::fromUtf8(lookup.readAllStandardOutput()).trimmed(), value);
    // Not in the settings file, not in the config file.
    QSettings settings;
    settings.sync();
    QFile settingsFile(settings.fileName());
    if (settingsFile.open(QIODevice::ReadOnly))
        QVERIFY(!settingsFile.readAll().contains(value.toUtf8()));
    QFile config(configPath);
    if (config.open(QIODevice::ReadOnly))
        QVERIFY(!config.readAll().contains(value.toUtf8()));

    // Opened again, the dialog knows the token is stored.
    SettingsDialog again(configNaming(secret), configPath, &keychain);
    again.show();
    QTRY_VERIFY_WITH_TIMEOUT(again.tokenStatusLabel(secret)->text().contains(u"stored", Qt::CaseInsensitive), 10'000);
}

QTEST_MAIN(tst_SettingsKeychain)
#include "tst_settingskeychain.moc"
