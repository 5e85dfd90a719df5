#pragma once

#include "testsettings.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

// What a caller asks of one measured run.
struct LoadOptions
{
    static constexpr int defaultTimeoutMs = 60'000;
    static constexpr int maxTimeoutMs = 10 * 60'000;
    static constexpr int maxCpuSlowdown = 20;

    int timeoutMs = defaultTimeoutMs;
    QString profile = QStringLiteral("Native"); // a ConnectivityProfile name
    bool repeatView = false;
    bool screenshot = false;
    QString device = QStringLiteral("desktop"); // a DeviceProfile's normalised name
    std::optional<int> cpuSlowdown; // 1-20; absent: the device's default, else none
    // The reference machine's CpuBenchmark index (probe/CPUBENCHMARK.md): a fixed number, not a machine anyone owns.
    static constexpr double referenceCpuBenchmarkIndex = 500;
    static constexpr double maxCpuBenchmarkIndex = 1e7; // what a reader accepts: far above any CPU's
    // When a view ends: once the network has been quiet after the load event (fully loaded, the default), or at the
    // load event itself, for callers that budget on load-time metrics only (no fully loaded, no long tasks then).
    enum class FinishAt { FullyLoaded, Load };
    FinishAt finishAt = FinishAt::FullyLoaded;
    static QString finishAtName(FinishAt finishAt); // "fully-loaded", "load"
    static std::optional<FinishAt> finishAtNamed(const QString &name);
    TestSettings test {}; // headers, cookies, user agent, basic auth, blocking
    bool filmstrip = false; // record the first view's filmstrip and derive Speed Index and visual change times
    // cpuSlowdown is relative to the reference machine (referenceCpuBenchmarkIndex): "N times slower than it",
    // whatever CPU the probe has, so that regions on different hardware run the page at the same speed.
    bool cpuSlowdownRelative = false;

    // The slowdown the probe applies: the one asked for, else the device's default, else 1 (none).
    int effectiveCpuSlowdown() const;
    // The throttling rate a probe whose CpuBenchmark index is `ownIndex` applies: effectiveCpuSlowdown(), or when
    // relative, effectiveCpuSlowdown() × ownIndex / referenceCpuBenchmarkIndex clamped to 1-maxCpuSlowdown and
    // rounded to two decimals (a probe without an index applies the plain slowdown).
    double cpuSlowdownRate(std::optional<double> ownIndex) const;
    // For people, as the text outputs state it: "moto-g-power (412×823 @1.75×, mobile), CPU slowdown 4×".
    QString describeDevice() const;
    // The options a probe must understand to honour these, by their `hello` capability names ("device",
    // "cpu-slowdown", "filmstrip"); empty for options every probe has always honoured. A client sends a run only
    // to a probe that lists them all, so an older probe never silently measures something else.
    QStringList requiredCapabilities() const;
    // Every capability this build's options have: what a probe built from it honours.
    static QStringList capabilities();

    // The options added after the first protocol version go on the wire only when they differ from the default,
    // so a run that asks nothing new reads the same to every probe. The test settings' secrets are masked unless
    // `secrets` is Included, which only a run sent to a probe is.
    QJsonObject toJson(TestSettings::Secrets secrets = TestSettings::Secrets::Masked) const;
    // Validates ranges and that the profile and the device exist.
    static std::optional<LoadOptions> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const LoadOptions &, const LoadOptions &) = default;
};
