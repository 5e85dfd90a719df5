#pragma once

#include <QCoreApplication>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringView>

#include <optional>

// A device to load the page as: its viewport, pixel ratio, whether it is a phone or tablet (mobile layout and touch)
// and the user agent it sends. The presets carry the figures their sources publish: `desktop` is our long-standing
// 1366×768 desktop, `moto-g-power` is Lighthouse's default mobile device (and, like Lighthouse's mobile setting, slows
// the CPU 4× unless told otherwise), `iphone-12-pro` and `ipad-air` are Chrome DevTools' device presets of those
// names. Anything else is written `WIDTHxHEIGHT[@DPR][,mobile]`.
//
// The user agent is always a real browser's: the headless browser's own ("HeadlessChrome") is never sent, because
// sites serve it different pages. `{chrome}` in a template is replaced by the probe's Chromium version.
struct DeviceProfile
{
    Q_DECLARE_TR_FUNCTIONS(DeviceProfile)

public:
    static constexpr int maxSide = 10'000;
    static constexpr double maxPixelRatio = 5;

    QString name; // a preset's name, or the custom spec as normalised ("390x844@3,mobile")
    int width = 1366;
    int height = 768;
    double pixelRatio = 1;
    bool mobile = false; // mobile layout (meta viewport honoured), touch events, coarse pointer
    QString userAgentTemplate;
    QString navigatorPlatform; // navigator.platform as that device's browser reports it
    // User-Agent client hints, for the devices whose browser sends them (Chrome on Android and desktop; Safari
    // sends none, so the iOS presets leave platform empty).
    QString platform; // "Android", "Linux", empty for none
    QString platformVersion;
    QString model;
    std::optional<int> defaultCpuSlowdown; // the slowdown a preset implies when none is asked for

    static const QList<DeviceProfile> &presets();
    static const DeviceProfile &desktop();
    static QStringList presetNames();
    // A preset's name (case-insensitive) or WIDTHxHEIGHT[@DPR][,mobile]. Nullopt with a reason otherwise.
    static std::optional<DeviceProfile> parse(QStringView text, QString *error);

    bool isDesktopDefault() const { return name == desktop().name; }
    QString userAgent(const QString &chromeVersion) const;
    // For people: "412×823 @1.75×, mobile".
    QString describe() const;

    // On the wire only the name travels: both ends parse it, so a preset means the same figures everywhere.
    friend bool operator==(const DeviceProfile &, const DeviceProfile &) = default;
};
