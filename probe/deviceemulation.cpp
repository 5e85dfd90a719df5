#include "deviceemulation.h"

#include <QJsonArray>

DeviceEmulation::DeviceEmulation(
    DeviceProfile device, double cpuSlowdown, const QString &browserProduct, const QString &userAgent)
    : m_device(std::move(device))
    , m_cpuSlowdown(cpuSlowdown)
    , m_chromeVersion(chromeVersion(browserProduct))
    , m_userAgent(userAgent)
{ }

QString DeviceEmulation::chromeVersion(const QString &browserProduct)
{
    const qsizetype slash = browserProduct.lastIndexOf(u'/');
    return slash < 0 ? browserProduct : browserProduct.mid(slash + 1);
}

QJsonObject DeviceEmulation::userAgentOverride() const
{
    QJsonObject params { { QStringLiteral("userAgent"),
                             m_userAgent.isEmpty() ? m_device.userAgent(m_chromeVersion) : m_userAgent },
        { QStringLiteral("platform"), m_device.navigatorPlatform } };
    if (m_device.platform.isEmpty() || !m_userAgent.isEmpty())
        return params; // a browser that sends no client hints (Safari): none are made up
    const QString major = m_chromeVersion.section(u'.', 0, 0);
    // The brand list as Chromium itself builds it: the engine and one deliberately odd "not a brand" entry.
    const auto brands = [](const QString &engine, const QString &grease) {
        return QJsonArray { QJsonObject { { QStringLiteral("brand"), QStringLiteral("Chromium") },
                                { QStringLiteral("version"), engine } },
            QJsonObject {
                { QStringLiteral("brand"), QStringLiteral("Not_A Brand") }, { QStringLiteral("version"), grease } } };
    };
    params.insert(QStringLiteral("userAgentMetadata"),
        QJsonObject {
            { QStringLiteral("brands"), brands(major, QStringLiteral("24")) },
            { QStringLiteral("fullVersionList"), brands(m_chromeVersion, QStringLiteral("24.0.0.0")) },
            { QStringLiteral("platform"), m_device.platform },
            { QStringLiteral("platformVersion"), m_device.platformVersion },
            { QStringLiteral("architecture"), m_device.mobile ? QString() : QStringLiteral("x86") },
            { QStringLiteral("model"), m_device.model },
            { QStringLiteral("mobile"), m_device.mobile },
            { QStringLiteral("bitness"), m_device.mobile ? QString() : QStringLiteral("64") },
            { QStringLiteral("wow64"), false },
        });
    return params;
}

QList<DeviceEmulation::Command> DeviceEmulation::pageCommands() const
{
    QList<Command> commands {
        { QStringLiteral("Emulation.setDeviceMetricsOverride"),
            { { QStringLiteral("width"), m_device.width }, { QStringLiteral("height"), m_device.height },
                { QStringLiteral("deviceScaleFactor"), m_device.pixelRatio },
                { QStringLiteral("mobile"), m_device.mobile }, { QStringLiteral("screenWidth"), m_device.width },
                { QStringLiteral("screenHeight"), m_device.height } } },
        { QStringLiteral("Emulation.setUserAgentOverride"), userAgentOverride() },
    };
    if (m_device.mobile) {
        commands.append({ QStringLiteral("Emulation.setTouchEmulationEnabled"),
            { { QStringLiteral("enabled"), true }, { QStringLiteral("maxTouchPoints"), 5 } } });
    }
    if (m_cpuSlowdown > 1) {
        commands.append(
            { QStringLiteral("Emulation.setCPUThrottlingRate"), { { QStringLiteral("rate"), m_cpuSlowdown } } });
    }
    return commands;
}

QList<DeviceEmulation::Command> DeviceEmulation::childCommands() const
{
    return { { QStringLiteral("Network.setUserAgentOverride"), userAgentOverride() } };
}
