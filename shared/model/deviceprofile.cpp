#include "deviceprofile.h"

#include <QLocale>
#include <QRegularExpression>

namespace {

const QString chromeOnAndroid
    = QStringLiteral("Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/{chrome} Mobile Safari/537.36");
const QString genericAndroid = QStringLiteral("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like "
                                              "Gecko) Chrome/{chrome} Mobile Safari/537.36");
const QString chromeOnLinux
    = QStringLiteral("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{chrome} "
                     "Safari/537.36");

DeviceProfile makeDesktop()
{
    DeviceProfile d;
    d.name = QStringLiteral("desktop");
    d.userAgentTemplate = chromeOnLinux;
    d.navigatorPlatform = QStringLiteral("Linux x86_64");
    d.platform = QStringLiteral("Linux");
    return d;
}

DeviceProfile makeMotoGPower()
{
    DeviceProfile d;
    d.name = QStringLiteral("moto-g-power");
    d.width = 412;
    d.height = 823;
    d.pixelRatio = 1.75;
    d.mobile = true;
    d.userAgentTemplate = chromeOnAndroid;
    d.navigatorPlatform = QStringLiteral("Linux armv81");
    d.platform = QStringLiteral("Android");
    d.platformVersion = QStringLiteral("11.0");
    d.model = QStringLiteral("moto g power (2022)");
    d.defaultCpuSlowdown = 4;
    return d;
}

DeviceProfile makeIPhone()
{
    DeviceProfile d;
    d.name = QStringLiteral("iphone-12-pro");
    d.width = 390;
    d.height = 844;
    d.pixelRatio = 3;
    d.mobile = true;
    d.userAgentTemplate = QStringLiteral("Mozilla/5.0 (iPhone; CPU iPhone OS 14_7_1 like Mac OS X) "
                                         "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/14.1.2 Mobile/15E148 "
                                         "Safari/604.1");
    d.navigatorPlatform = QStringLiteral("iPhone");
    return d;
}

DeviceProfile makeIPad()
{
    DeviceProfile d;
    d.name = QStringLiteral("ipad-air");
    d.width = 820;
    d.height = 1180;
    d.pixelRatio = 2;
    d.mobile = true;
    d.userAgentTemplate = QStringLiteral("Mozilla/5.0 (iPad; CPU OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
                                         "like Gecko) Version/13.0.4 Mobile/15E148 Safari/604.1");
    d.navigatorPlatform = QStringLiteral("iPad");
    return d;
}

} // namespace

const QList<DeviceProfile> &DeviceProfile::presets()
{
    static const QList<DeviceProfile> list { makeDesktop(), makeMotoGPower(), makeIPhone(), makeIPad() };
    return list;
}

const DeviceProfile &DeviceProfile::desktop()
{
    return presets().first();
}

QStringList DeviceProfile::presetNames()
{
    QStringList names;
    for (const DeviceProfile &preset : presets())
        names.append(preset.name);
    return names;
}

std::optional<DeviceProfile> DeviceProfile::parse(QStringView text, QString *error)
{
    const QString wanted = text.trimmed().toString().toLower();
    for (const DeviceProfile &preset : presets()) {
        if (preset.name == wanted)
            return preset;
    }

    static const QRegularExpression custom(QStringLiteral("^(\\d{1,5})x(\\d{1,5})(?:@(\\d+(?:\\.\\d+)?))?(,mobile)?$"));
    const QRegularExpressionMatch match = custom.match(wanted);
    if (!match.hasMatch()) {
        if (error) {
            *error = tr("unknown device \"%1\": use one of %2, or WIDTHxHEIGHT[@DPR][,mobile] such as 390x844@3,mobile")
                         .arg(text.toString(), presetNames().join(QStringLiteral(", ")));
        }
        return std::nullopt;
    }
    DeviceProfile device;
    device.width = match.captured(1).toInt();
    device.height = match.captured(2).toInt();
    device.pixelRatio = match.hasCaptured(3) ? match.captured(3).toDouble() : 1.0;
    device.mobile = match.hasCaptured(4);
    if (device.width < 1 || device.height < 1 || device.width > maxSide || device.height > maxSide) {
        if (error)
            *error = tr("device \"%1\": width and height must be 1 to %2 pixels").arg(text.toString()).arg(maxSide);
        return std::nullopt;
    }
    if (device.pixelRatio <= 0 || device.pixelRatio > maxPixelRatio) {
        if (error) {
            *error = tr("device \"%1\": the pixel ratio must be above 0 and at most %2")
                         .arg(text.toString())
                         .arg(maxPixelRatio);
        }
        return std::nullopt;
    }
    device.userAgentTemplate = device.mobile ? genericAndroid : chromeOnLinux;
    device.platform = device.mobile ? QStringLiteral("Android") : QStringLiteral("Linux");
    device.navigatorPlatform = device.mobile ? QStringLiteral("Linux armv81") : QStringLiteral("Linux x86_64");
    device.name = QStringLiteral("%1x%2").arg(device.width).arg(device.height);
    if (device.pixelRatio != 1.0)
        device.name += u'@' + QString::number(device.pixelRatio);
    if (device.mobile)
        device.name += QStringLiteral(",mobile");
    return device;
}

QString DeviceProfile::userAgent(const QString &chromeVersion) const
{
    QString agent = userAgentTemplate;
    return agent.replace(QStringLiteral("{chrome}"), chromeVersion);
}

QString DeviceProfile::describe() const
{
    const QLocale locale;
    QString text = QStringLiteral("%1×%2").arg(width).arg(height);
    if (pixelRatio != 1.0)
        text += QStringLiteral(" @%1×").arg(locale.toString(pixelRatio));
    if (mobile)
        text += QStringLiteral(", ") + tr("mobile");
    return text;
}
