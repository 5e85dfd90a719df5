#pragma once

#include "model/deviceprofile.h"

#include <QJsonObject>
#include <QList>
#include <QString>

// The DevTools commands that make a page load as a device on a slower CPU: viewport and pixel ratio, touch (which
// also makes the primary pointer coarse), the device's user agent with matching User-Agent client hints, and CPU
// throttling. Every run gets them, the desktop too, so the headless browser's own user agent ("HeadlessChrome",
// which sites treat as a bot) is never sent.
class DeviceEmulation final
{
public:
    struct Command
    {
        QString method;
        QJsonObject params;
        friend bool operator==(const Command &, const Command &) = default;
    };

    // `browserProduct`: Browser.getVersion's product, "HeadlessChrome/156.0.8078.73". `userAgent`: the test's own,
    // sent instead of the device's, and then without client hints (they would describe another browser).
    DeviceEmulation(
        DeviceProfile device, double cpuSlowdown, const QString &browserProduct, const QString &userAgent = {});

    // For the page's own session, before it navigates.
    QList<Command> pageCommands() const;
    // For every frame and worker attached to the page: they make requests of their own, with the user agent.
    QList<Command> childCommands() const;

    // "156.0.8078.73" from a product string; the whole string when it has no version.
    static QString chromeVersion(const QString &browserProduct);

private:
    QJsonObject userAgentOverride() const;

    DeviceProfile m_device;
    double m_cpuSlowdown; // the throttling rate; 1 is none
    QString m_chromeVersion;
    QString m_userAgent;
};
