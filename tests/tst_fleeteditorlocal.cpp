// "Test connection" for a region on this computer, driven through the Fleet editor's form as a person would: it
// starts a real local worldspeed-probe (the one beside the app, as the fleet would), greets it over the protocol,
// shows its version and stops it again.
#include "fleet/fleetconfig.h"
#include "fleeteditor.h"
#include "memorysecretstore.h"
#include "regionform.h"
#include "statuslabel.h"

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QPushButton>
#include <QTest>

class tst_FleetEditorLocal : public QObject
{
    Q_OBJECT

private slots:
    void testConnectionStartsALocalProbe();
};

void tst_FleetEditorLocal::testConnectionStartsALocalProbe()
{
    MemorySecretStore secrets;
    RegionForm form(FleetConfig::defaultConfig().regions, &secrets);
    form.show();
    QVERIFY(QTest::qWaitForWindowExposed(&form));
    form.kindCombo()->setCurrentIndex(RegionForm::Local);
    form.codeEdit()->setText(QStringLiteral("desk"));
    form.nameEdit()->setText(QStringLiteral("My desk"));
    QVERIFY2(form.problem().isEmpty(), qPrintable(form.problem()));
    QVERIFY(form.testButton()->isEnabled());
    QTest::mouseClick(form.testButton(), Qt::LeftButton);
    QVERIFY(!form.testButton()->isEnabled()); // while it boots and greets
    QVERIFY(QTest::qWaitFor([&] { return form.testButton()->isEnabled(); }, 60'000));
    const QString status = form.testStatusLabel()->text();
    QVERIFY2(status.startsWith(u"Connected: worldspeed-probe "), qPrintable(status));
    QVERIFY2(status.contains(QStringLiteral(WORLDSPEED_VERSION)), qPrintable(status));
    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty())
        form.grab().save(QDir(keep).filePath(QStringLiteral("fleet-editor-local-test-connection.png")));
}

QTEST_MAIN(tst_FleetEditorLocal)
#include "tst_fleeteditorlocal.moc"
