#pragma once

#include <QCoreApplication>
#include <QList>
#include <QString>

#include <optional>

struct FleetConfig;

// The cities a region code stands for, with where they are on the map. The table ships in the app's resources;
// a fleet config may add regions of its own with their own names and coordinates.
class RegionCatalog final
{
    Q_DECLARE_TR_FUNCTIONS(RegionCatalog)

public:
    struct Region
    {
        QString code;
        QString city;
        QString country;
        QString continent;
        double latitude = 0;
        double longitude = 0;
    };

    // The table built into the app.
    static RegionCatalog builtIn();
    // Parses a table in the resources' format; on error returns nullopt and says why.
    static std::optional<RegionCatalog> fromJson(const QByteArray &json, QString *error);
    // A fleet config's regions as the app lists them: named (by their code when unnamed) and placed as the config
    // says, on the continent and in the country the built-in table gives their code ("Other" where it has none).
    static QList<Region> fleetRegions(const FleetConfig &config);

    const QList<Region> &regions() const { return m_regions; }
    std::optional<Region> find(const QString &code) const;
    // Continents in the order a picker shows them.
    QStringList continents() const;
    void add(const Region &region); // replaces one with the same code

private:
    QList<Region> m_regions;
};
