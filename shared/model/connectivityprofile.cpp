#include "connectivityprofile.h"

#include <QStringList>

const QList<ConnectivityProfile> &ConnectivityProfile::all()
{
    // WebPageTest's connectivity profiles (kbps down, kbps up, round-trip ms).
    static const QList<ConnectivityProfile> profiles {
        { QStringLiteral("Native"), 0, 0, 0 },
        { QStringLiteral("FIOS"), 20000, 5000, 4 },
        { QStringLiteral("Cable"), 5000, 1000, 28 },
        { QStringLiteral("DSL"), 1500, 384, 50 },
        { QStringLiteral("LTE"), 12000, 12000, 70 },
        { QStringLiteral("4G"), 9000, 9000, 170 },
        { QStringLiteral("3G Fast"), 1600, 768, 150 },
        { QStringLiteral("3G"), 1600, 768, 300 },
        { QStringLiteral("3G Slow"), 400, 400, 400 },
        { QStringLiteral("2G"), 280, 256, 800 },
        { QStringLiteral("Edge"), 240, 200, 840 },
        { QStringLiteral("Dial"), 49, 30, 120 },
    };
    return profiles;
}

std::optional<ConnectivityProfile> ConnectivityProfile::byName(const QString &name)
{
    const auto squeeze = [](QString text) { return text.remove(u' ').toLower(); };
    const QString wanted = squeeze(name);
    for (const ConnectivityProfile &profile : all()) {
        if (squeeze(profile.name) == wanted)
            return profile;
    }
    return std::nullopt;
}

QStringList ConnectivityProfile::names()
{
    QStringList list;
    for (const ConnectivityProfile &profile : all())
        list.append(profile.name);
    return list;
}
