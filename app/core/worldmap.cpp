#include "worldmap.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cmath>
#include <numbers>

namespace {

// Equal Earth's polynomial coefficients, from the paper.
constexpr double A1 = 1.340264;
constexpr double A2 = -0.081106;
constexpr double A3 = 0.000893;
constexpr double A4 = 0.003796;
const double M = std::sqrt(3.0) / 2.0;

constexpr double degrees = std::numbers::pi / 180.0;

// Edges longer than this (in degrees) get intermediate points, so a long edge along a meridian bends as the
// projection bends it instead of cutting straight across.
constexpr double maxEdgeDegrees = 2.0;
constexpr int maxItemsPerList = 1 << 20;

// Adds one ring to `path`; returns an error text or "" when fine.
QString addRing(QPainterPath &path, const QJsonArray &ring)
{
    if (ring.size() < 6 || ring.size() % 2 != 0 || ring.size() > maxItemsPerList)
        return QStringLiteral("a ring needs an even number of at least 6 coordinates, has %1").arg(ring.size());
    QPointF previous;
    const qsizetype points = ring.size() / 2;
    for (qsizetype i = 0; i <= points; ++i) {
        const qsizetype at = (i % points) * 2; // back to the first point to close the ring
        const QJsonValue lon = ring.at(at);
        const QJsonValue lat = ring.at(at + 1);
        if (!lon.isDouble() || !lat.isDouble())
            return QStringLiteral("coordinate %1 is not a number").arg(at);
        const QPointF lonLat(lon.toDouble(), lat.toDouble());
        if (std::abs(lonLat.x()) > 180 || std::abs(lonLat.y()) > 90)
            return QStringLiteral("coordinate %1 is outside [-180, 180] x [-90, 90]").arg(at);
        if (i == 0) {
            path.moveTo(WorldMap::project(lonLat));
        } else {
            const double span = std::max(std::abs(lonLat.x() - previous.x()), std::abs(lonLat.y() - previous.y()));
            // An edge along a pole is a straight line in Equal Earth, however long.
            const bool alongPole = std::abs(lonLat.y()) == 90 && lonLat.y() == previous.y();
            const int steps = alongPole ? 1 : std::max(1, int(std::ceil(span / maxEdgeDegrees)));
            for (int s = 1; s <= steps; ++s)
                path.lineTo(WorldMap::project(previous + (lonLat - previous) * (double(s) / steps)));
        }
        previous = lonLat;
    }
    path.closeSubpath();
    return {};
}

// Adds a list of polygons (each a list of rings: outer ring, then holes) to `path`.
QString addPolygons(QPainterPath &path, const QJsonValue &value)
{
    if (!value.isArray())
        return QStringLiteral("expected a list of polygons");
    const QJsonArray polygons = value.toArray();
    for (qsizetype p = 0; p < polygons.size(); ++p) {
        if (!polygons.at(p).isArray() || polygons.at(p).toArray().isEmpty())
            return QStringLiteral("[%1]: expected a non-empty list of rings").arg(p);
        const QJsonArray rings = polygons.at(p).toArray();
        for (qsizetype r = 0; r < rings.size(); ++r) {
            const QString error = addRing(path, rings.at(r).toArray());
            if (!error.isEmpty())
                return QStringLiteral("[%1][%2]: %3").arg(p).arg(r).arg(error);
        }
    }
    return {};
}

} // namespace

const WorldMap &WorldMap::builtIn()
{
    static const WorldMap map = [] {
        QFile file(QStringLiteral(":/worldspeed/world-110m.json"));
        QString error;
        std::optional<WorldMap> parsed;
        if (file.open(QIODevice::ReadOnly))
            parsed = fromJson(file.readAll(), &error);
        else
            error = file.errorString();
        // The map is part of the binary: failing to read it is a build mistake, not a user's.
        Q_ASSERT_X(parsed, "WorldMap::builtIn", qPrintable(error));
        return parsed.value_or(WorldMap {});
    }();
    return map;
}

std::optional<WorldMap> WorldMap::fromJson(const QByteArray &json, QString *error)
{
    const auto fail = [error](const QString &why) -> std::optional<WorldMap> {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject())
        return fail(QStringLiteral("not a JSON object: %1").arg(parseError.errorString()));
    const QJsonObject root = document.object();

    WorldMap map;
    const QJsonValue countries = root.value(QStringLiteral("countries"));
    if (!countries.isArray())
        return fail(QStringLiteral("countries: expected a list"));
    const QJsonArray countryList = countries.toArray();
    for (qsizetype i = 0; i < countryList.size(); ++i) {
        const QJsonObject item = countryList.at(i).toObject();
        Country country;
        country.id = item.value(QStringLiteral("id")).toString();
        country.name = item.value(QStringLiteral("name")).toString();
        if (country.name.isEmpty())
            return fail(QStringLiteral("countries[%1].name: expected a non-empty string").arg(i));
        country.path.setFillRule(Qt::OddEvenFill);
        const QString why = addPolygons(country.path, item.value(QStringLiteral("polygons")));
        if (!why.isEmpty())
            return fail(QStringLiteral("countries[%1].polygons%2").arg(i).arg(why));
        map.m_countries.append(country);
    }

    map.m_land.setFillRule(Qt::OddEvenFill);
    const QString why = addPolygons(map.m_land, root.value(QStringLiteral("land")));
    if (!why.isEmpty())
        return fail(QStringLiteral("land%1").arg(why));
    return map;
}

const WorldMap::Country *WorldMap::country(const QString &name) const
{
    for (const Country &country : m_countries) {
        if (country.name == name)
            return &country;
    }
    return nullptr;
}

QPointF WorldMap::project(double longitude, double latitude)
{
    const double lambda = longitude * degrees;
    const double theta = std::asin(M * std::sin(latitude * degrees));
    const double theta2 = theta * theta;
    const double theta6 = theta2 * theta2 * theta2;
    const double x = lambda * std::cos(theta) / (M * (A1 + 3 * A2 * theta2 + theta6 * (7 * A3 + 9 * A4 * theta2)));
    const double y = theta * (A1 + A2 * theta2 + theta6 * (A3 + A4 * theta2));
    return { x, y };
}

QRectF WorldMap::bounds()
{
    const double right = project(180, 0).x();
    const double top = project(0, 90).y();
    return QRectF(QPointF(-right, -top), QPointF(right, top));
}

QPainterPath WorldMap::sphereOutline()
{
    QPainterPath path;
    path.moveTo(project(180, -90));
    for (int lat = -89; lat <= 90; ++lat)
        path.lineTo(project(180, lat));
    for (int lat = 90; lat >= -90; --lat)
        path.lineTo(project(-180, lat));
    path.closeSubpath();
    return path;
}

QPainterPath WorldMap::graticule(double stepDegrees)
{
    QPainterPath path;
    if (stepDegrees <= 0)
        return path;
    // Meridians stop short of the poles, where they would all meet in a smudge.
    for (double lon = -180 + stepDegrees; lon < 180 - 1e-9; lon += stepDegrees) {
        path.moveTo(project(lon, -80));
        for (int lat = -79; lat <= 80; ++lat)
            path.lineTo(project(lon, lat));
    }
    // Parallels are straight lines in Equal Earth.
    for (double lat = -90 + stepDegrees; lat < 90 - 1e-9; lat += stepDegrees) {
        path.moveTo(project(-180, lat));
        path.lineTo(project(180, lat));
    }
    return path;
}
