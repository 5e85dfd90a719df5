#include "loadoptions.h"

#include "connectivityprofile.h"
#include "jsonreader.h"

QJsonObject LoadOptions::toJson() const
{
    return QJsonObject {
        { QStringLiteral("timeoutMs"), timeoutMs },
        { QStringLiteral("profile"), profile },
        { QStringLiteral("repeatView"), repeatView },
        { QStringLiteral("screenshot"), screenshot },
    };
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
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return o;
}
