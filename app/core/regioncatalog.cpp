#include "regioncatalog.h"

#include "fleet/fleetconfig.h"
#include "model/jsonreader.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

RegionCatalog RegionCatalog::builtIn()
{
    QFile file(QStringLiteral(":/worldspeed/regions.json"));
    QString error;
    std::optional<RegionCatalog> catalog;
    if (file.open(QIODevice::ReadOnly))
        catalog = fromJson(file.readAll(), &error);
    // The table is part of the binary: failing to read it is a build mistake, not a user's.
    Q_ASSERT_X(catalog, "RegionCatalog::builtIn", qPrintable(error));
    return catalog.value_or(RegionCatalog {});
}

std::optional<RegionCatalog> RegionCatalog::fromJson(const QByteArray &json, QString *error)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject()) {
        if (error)
            *error = QStringLiteral("not a JSON object: %1").arg(parseError.errorString());
        return std::nullopt;
    }
    JsonReader r(document.object());
    RegionCatalog catalog;
    const QJsonArray regions = r.array(QStringLiteral("regions"), JsonReader::Presence::Required, 10'000);
    for (qsizetype i = 0; i < regions.size() && r.ok(); ++i) {
        JsonReader item = r.child(regions.at(i).toObject(), QStringLiteral("regions[%1]").arg(i));
        Region region;
        region.code = item.string(QStringLiteral("code"), JsonReader::Presence::Required, 64);
        region.city = item.string(QStringLiteral("city"), JsonReader::Presence::Required, 256);
        region.country = item.string(QStringLiteral("country"), JsonReader::Presence::Optional, 256);
        region.continent = item.string(QStringLiteral("continent"), JsonReader::Presence::Optional, 64);
        region.latitude = item.number(QStringLiteral("latitude"), JsonReader::Presence::Required, -90, 90).value_or(0);
        region.longitude
            = item.number(QStringLiteral("longitude"), JsonReader::Presence::Required, -180, 180).value_or(0);
        r.adopt(item);
        catalog.add(region);
    }
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return catalog;
}

QList<RegionCatalog::Region> RegionCatalog::fleetRegions(const FleetConfig &config)
{
    QList<Region> regions;
    const RegionCatalog catalog = builtIn();
    for (const RegionConfig &regionConfig : config.regions) {
        Region region;
        region.code = regionConfig.code;
        region.city = regionConfig.name.isEmpty() ? regionConfig.code : regionConfig.name;
        region.latitude = regionConfig.latitude;
        region.longitude = regionConfig.longitude;
        const auto known = catalog.find(regionConfig.code);
        region.continent = known ? known->continent : tr("Other");
        region.country = known ? known->country : QString();
        regions.append(region);
    }
    return regions;
}

std::optional<RegionCatalog::Region> RegionCatalog::find(const QString &code) const
{
    for (const Region &region : m_regions) {
        if (region.code == code)
            return region;
    }
    return std::nullopt;
}

QStringList RegionCatalog::continents() const
{
    QStringList order { QStringLiteral("Local"), QStringLiteral("Europe"), QStringLiteral("North America"),
        QStringLiteral("South America"), QStringLiteral("Africa"), QStringLiteral("Asia"), QStringLiteral("Oceania") };
    QStringList present;
    for (const QString &continent : order) {
        if (std::any_of(m_regions.begin(), m_regions.end(), [&](const Region &r) { return r.continent == continent; }))
            present.append(continent);
    }
    for (const Region &region : m_regions) {
        if (!present.contains(region.continent))
            present.append(region.continent);
    }
    return present;
}

void RegionCatalog::add(const Region &region)
{
    for (Region &existing : m_regions) {
        if (existing.code == region.code) {
            existing = region;
            return;
        }
    }
    m_regions.append(region);
}
