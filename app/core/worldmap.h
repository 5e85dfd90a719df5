#pragma once

#include <QList>
#include <QPainterPath>
#include <QPointF>
#include <QRectF>
#include <QString>

#include <optional>

// The world as the map draws it: Natural Earth 1:110m countries and land (resources/world-110m.json), projected
// once with the Equal Earth projection. Paths are in projected units of a unit sphere with y pointing NORTH (as in
// the paper); a view flips y when it maps them onto the screen.
class WorldMap final
{
public:
    struct Country
    {
        QString id; // ISO 3166-1 numeric, "" for the few Natural Earth areas without one
        QString name; // Natural Earth's short name ("Germany", "Bosnia and Herz.")
        QPainterPath path; // odd-even fill, so holes stay holes
    };

    // The map built into the app, parsed on first use and shared afterwards.
    static const WorldMap &builtIn();
    // Parses the resources' format (see resources/README.md); on error returns nullopt and says why.
    static std::optional<WorldMap> fromJson(const QByteArray &json, QString *error);

    const QList<Country> &countries() const { return m_countries; }
    const Country *country(const QString &name) const;
    // All land merged, without the borders between countries: the coastline.
    const QPainterPath &land() const { return m_land; }

    // Equal Earth (Šavrič, Patterson & Jenny 2018), forward, for a sphere of radius 1: degrees in, projected
    // units out, x east and y north. Longitude ±180 and latitude ±90 reach the extents in bounds().
    static QPointF project(double longitude, double latitude);
    static QPointF project(const QPointF &lonLat) { return project(lonLat.x(), lonLat.y()); }
    // The projected extent of the whole sphere: x in ±2.7066, y in ±1.3174.
    static QRectF bounds();
    // The outline of the whole sphere on the map (the ocean's shape), in projected units.
    static QPainterPath sphereOutline();
    // Meridians and parallels every `stepDegrees`, as open polylines in projected units.
    static QPainterPath graticule(double stepDegrees);

private:
    QList<Country> m_countries;
    QPainterPath m_land;
};
