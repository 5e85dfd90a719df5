#include "loadoptions.h"

#include "connectivityprofile.h"
#include "deviceprofile.h"
#include "jsonreader.h"

#include <algorithm>
#include <cmath>

QJsonObject LoadOptions::toJson(TestSettings::Secrets secrets) const
{
    QJsonObject json {
        { QStringLiteral("timeoutMs"), timeoutMs },
        { QStringLiteral("profile"), profile },
        { QStringLiteral("repeatView"), repeatView },
        { QStringLiteral("screenshot"), screenshot },
    };
    if (device != DeviceProfile::desktop().name)
        json.insert(QStringLiteral("device"), device);
    if (cpuSlowdown)
        json.insert(QStringLiteral("cpuSlowdown"), *cpuSlowdown);
    if (cpuSlowdownRelative)
        json.insert(QStringLiteral("cpuSlowdownRelative"), true);
    if (finishAt != FinishAt::FullyLoaded)
        json.insert(QStringLiteral("finishAt"), finishAtName(finishAt));
    test.writeJson(json, secrets);
    if (filmstrip)
        json.insert(QStringLiteral("filmstrip"), true);
    return json;
}

QString LoadOptions::finishAtName(FinishAt finishAt)
{
    return finishAt == FinishAt::Load ? QStringLiteral("load") : QStringLiteral("fully-loaded");
}

std::optional<LoadOptions::FinishAt> LoadOptions::finishAtNamed(const QString &name)
{
    for (const FinishAt value : { FinishAt::FullyLoaded, FinishAt::Load }) {
        if (name == finishAtName(value))
            return value;
    }
    return std::nullopt;
}

int LoadOptions::effectiveCpuSlowdown() const
{
    if (cpuSlowdown)
        return *cpuSlowdown;
    if (const auto profile = DeviceProfile::parse(device, nullptr))
        return profile->defaultCpuSlowdown.value_or(1);
    return 1;
}

double LoadOptions::cpuSlowdownRate(std::optional<double> ownIndex) const
{
    const int slowdown = effectiveCpuSlowdown();
    if (!cpuSlowdownRelative || !ownIndex || !(*ownIndex > 0))
        return slowdown;
    const double rate = std::clamp(slowdown * *ownIndex / referenceCpuBenchmarkIndex, 1.0, double(maxCpuSlowdown));
    return std::round(rate * 100) / 100;
}

QString LoadOptions::describeDevice() const
{
    const DeviceProfile profile = DeviceProfile::parse(device, nullptr).value_or(DeviceProfile::desktop());
    return QStringLiteral("%1 (%2), CPU slowdown %3×%4")
        .arg(profile.name, profile.describe())
        .arg(effectiveCpuSlowdown())
        .arg(cpuSlowdownRelative ? QStringLiteral(" relative to the reference CPU") : QString());
}

QStringList LoadOptions::capabilities()
{
    return QStringList { QStringLiteral("device"), QStringLiteral("cpu-slowdown"),
        QStringLiteral("cpu-slowdown-relative"), QStringLiteral("finish-at"), QStringLiteral("filmstrip") }
    + TestSettings::capabilities();
}

QStringList LoadOptions::requiredCapabilities() const
{
    QStringList needed;
    if (device != DeviceProfile::desktop().name)
        needed.append(QStringLiteral("device"));
    if (effectiveCpuSlowdown() != 1)
        needed.append(QStringLiteral("cpu-slowdown"));
    // Relative, even a slowdown of 1 throttles a probe faster than the reference.
    if (cpuSlowdownRelative)
        needed.append(QStringLiteral("cpu-slowdown-relative"));
    if (finishAt != FinishAt::FullyLoaded)
        needed.append(QStringLiteral("finish-at"));
    if (filmstrip)
        needed.append(QStringLiteral("filmstrip"));
    return needed + test.requiredCapabilities();
}

std::optional<LoadOptions> LoadOptions::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    LoadOptions o;
    o.timeoutMs
        = static_cast<int>(r.integer(QStringLiteral("timeoutMs"), JsonReader::Presence::Optional, 1000, maxTimeoutMs)
                               .value_or(defaultTimeoutMs));
    if (r.has(QStringLiteral("profile"))) {
        const QString name = r.string(QStringLiteral("profile"), JsonReader::Presence::Optional, 64);
        if (auto profile = ConnectivityProfile::byName(name))
            o.profile = profile->name;
        else if (r.ok())
            r.fail(QStringLiteral("profile"), QStringLiteral("unknown profile \"%1\"").arg(name));
    }
    o.repeatView = r.boolean(QStringLiteral("repeatView"));
    o.screenshot = r.boolean(QStringLiteral("screenshot"));
    if (r.has(QStringLiteral("device"))) {
        const QString name = r.string(QStringLiteral("device"), JsonReader::Presence::Optional, 64);
        QString problem;
        if (const auto device = DeviceProfile::parse(name, &problem))
            o.device = device->name;
        else if (r.ok())
            r.fail(QStringLiteral("device"), problem);
    }
    if (const auto slowdown
        = r.integer(QStringLiteral("cpuSlowdown"), JsonReader::Presence::Optional, 1, maxCpuSlowdown))
        o.cpuSlowdown = static_cast<int>(*slowdown);
    o.cpuSlowdownRelative = r.boolean(QStringLiteral("cpuSlowdownRelative"));
    if (r.has(QStringLiteral("finishAt"))) {
        const QString name = r.string(QStringLiteral("finishAt"), JsonReader::Presence::Optional, 64);
        if (const auto finishAt = finishAtNamed(name))
            o.finishAt = *finishAt;
        else if (r.ok())
            r.fail(QStringLiteral("finishAt"), QStringLiteral("\"%1\" is not load or fully-loaded").arg(name));
    }
    TestSettings::readJson(r, o.test);
    o.filmstrip = r.boolean(QStringLiteral("filmstrip"));
    if (r.ok() && o.repeatView && !o.test.script.isEmpty())
        r.fail(QStringLiteral("repeatView"), QStringLiteral("a script's run has no repeat view"));
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return o;
}
