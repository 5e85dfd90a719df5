#include "model/deviceprofile.h"

#include <QTest>

// The devices a page can be loaded as: presets by their sources' figures, and custom sizes.
class TestDeviceProfile final : public QObject
{
    Q_OBJECT

private slots:
    void desktopIsTheDefault();
    void lighthousesMobileDevice();
    void applePresetsSendNoClientHints();
    void namesAreCaseInsensitive();
    void customSizes_data();
    void customSizes();
    void badSpecsSayWhy_data();
    void badSpecsSayWhy();
    void userAgentIsNeverHeadless();
};

void TestDeviceProfile::desktopIsTheDefault()
{
    const DeviceProfile &desktop = DeviceProfile::desktop();
    QCOMPARE(desktop.name, QStringLiteral("desktop"));
    QCOMPARE(desktop.width, 1366);
    QCOMPARE(desktop.height, 768);
    QCOMPARE(desktop.pixelRatio, 1.0);
    QVERIFY(!desktop.mobile);
    QVERIFY(!desktop.defaultCpuSlowdown);
    QVERIFY(desktop.isDesktopDefault());
    QCOMPARE(DeviceProfile().width, desktop.width);
}

void TestDeviceProfile::lighthousesMobileDevice()
{
    QString error;
    const auto moto = DeviceProfile::parse(u"moto-g-power", &error);
    QVERIFY2(moto, qPrintable(error));
    QCOMPARE(moto->width, 412);
    QCOMPARE(moto->height, 823);
    QCOMPARE(moto->pixelRatio, 1.75);
    QVERIFY(moto->mobile);
    QCOMPARE(moto->defaultCpuSlowdown, std::optional<int>(4));
    QCOMPARE(moto->platform, QStringLiteral("Android"));
    QVERIFY(moto->userAgent(QStringLiteral("156.0.0.0")).contains(QStringLiteral("Chrome/156.0.0.0 Mobile")));
    QCOMPARE(moto->describe(), QStringLiteral("412×823 @1.75×, mobile"));
}

void TestDeviceProfile::applePresetsSendNoClientHints()
{
    for (const QString &name : { QStringLiteral("iphone-12-pro"), QStringLiteral("ipad-air") }) {
        const auto device = DeviceProfile::parse(name, nullptr);
        QVERIFY(device);
        QVERIFY(device->mobile);
        QVERIFY(device->platform.isEmpty()); // Safari sends no User-Agent client hints
        QVERIFY(device->userAgent(QStringLiteral("1")).contains(QStringLiteral("Safari/604.1")));
    }
    QCOMPARE(DeviceProfile::parse(u"iphone-12-pro", nullptr)->width, 390);
    QCOMPARE(DeviceProfile::parse(u"iphone-12-pro", nullptr)->pixelRatio, 3.0);
    QCOMPARE(DeviceProfile::parse(u"ipad-air", nullptr)->height, 1180);
}

void TestDeviceProfile::namesAreCaseInsensitive()
{
    QCOMPARE(DeviceProfile::parse(u" Moto-G-Power ", nullptr)->name, QStringLiteral("moto-g-power"));
    QCOMPARE(DeviceProfile::presetNames(),
        (QStringList { QStringLiteral("desktop"), QStringLiteral("moto-g-power"), QStringLiteral("iphone-12-pro"),
            QStringLiteral("ipad-air") }));
}

void TestDeviceProfile::customSizes_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<int>("width");
    QTest::addColumn<int>("height");
    QTest::addColumn<double>("ratio");
    QTest::addColumn<bool>("mobile");
    QTest::addColumn<QString>("name");
    QTest::newRow("plain") << "1920x1080" << 1920 << 1080 << 1.0 << false << "1920x1080";
    QTest::newRow("ratio") << "1280x800@2" << 1280 << 800 << 2.0 << false << "1280x800@2";
    QTest::newRow("phone") << "360x640@2.625,mobile" << 360 << 640 << 2.625 << true << "360x640@2.625,mobile";
    QTest::newRow("mobile, ratio 1") << "360X640,MOBILE" << 360 << 640 << 1.0 << true << "360x640,mobile";
}

void TestDeviceProfile::customSizes()
{
    QFETCH(QString, spec);
    QString error;
    const auto device = DeviceProfile::parse(spec, &error);
    QVERIFY2(device, qPrintable(error));
    QTEST(device->width, "width");
    QTEST(device->height, "height");
    QTEST(device->pixelRatio, "ratio");
    QTEST(device->mobile, "mobile");
    QTEST(device->name, "name");
    // The normalised name parses back to the same device, so only the name needs to travel.
    QCOMPARE(DeviceProfile::parse(device->name, nullptr), device);
    QCOMPARE(device->platform, device->mobile ? QStringLiteral("Android") : QStringLiteral("Linux"));
}

void TestDeviceProfile::badSpecsSayWhy_data()
{
    QTest::addColumn<QString>("spec");
    QTest::addColumn<QString>("reason");
    QTest::newRow("unknown") << "nokia-3310"
                             << "unknown device \"nokia-3310\"";
    QTest::newRow("empty") << ""
                           << "unknown device";
    QTest::newRow("zero") << "0x640"
                          << "width and height must be 1 to 10000";
    QTest::newRow("huge") << "99999x10"
                          << "width and height must be 1 to 10000";
    QTest::newRow("ratio 0") << "360x640@0"
                             << "pixel ratio";
    QTest::newRow("ratio 9") << "360x640@9"
                             << "pixel ratio";
    QTest::newRow("negative") << "-360x640"
                              << "unknown device";
    QTest::newRow("trailing") << "360x640,tablet"
                              << "unknown device";
}

void TestDeviceProfile::badSpecsSayWhy()
{
    QFETCH(QString, spec);
    QFETCH(QString, reason);
    QString error;
    QVERIFY(!DeviceProfile::parse(spec, &error));
    QVERIFY2(error.contains(reason), qPrintable(error));
}

void TestDeviceProfile::userAgentIsNeverHeadless()
{
    for (const DeviceProfile &device : DeviceProfile::presets()) {
        const QString agent = device.userAgent(QStringLiteral("156.0.8078.73"));
        QVERIFY2(!agent.contains(QStringLiteral("Headless")), qPrintable(agent));
        QVERIFY2(!agent.contains(QStringLiteral("{chrome}")), qPrintable(agent));
        QVERIFY(agent.startsWith(QStringLiteral("Mozilla/5.0 (")));
    }
}

QTEST_GUILESS_MAIN(TestDeviceProfile)
#include "tst_deviceprofile.moc"
