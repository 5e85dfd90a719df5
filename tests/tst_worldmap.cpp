#include "worldmap.h"

#include <QTest>

// Expected values are computed from the formulas of Šavrič, Patterson & Jenny (2018), "The Equal Earth map
// projection", IJGIS 33(3), by hand and cross-checked with d3-geo's independent geoEqualEarthRaw — never copied
// from this implementation's output.
class tst_WorldMap : public QObject
{
    Q_OBJECT

private slots:
    void knownPoints_data();
    void knownPoints();
    void symmetry();
    void bounds();
    void builtInMap();
    void countryContainsItsCity_data();
    void countryContainsItsCity();
    void errorsSayWhere();
};

void tst_WorldMap::knownPoints_data()
{
    QTest::addColumn<double>("longitude");
    QTest::addColumn<double>("latitude");
    QTest::addColumn<double>("x");
    QTest::addColumn<double>("y");
    QTest::newRow("origin") << 0.0 << 0.0 << 0.0 << 0.0;
    // x = 2√3·π / (3·A1) on the equator at 180°.
    QTest::newRow("equator 180E") << 180.0 << 0.0 << 2.706630 << 0.0;
    // θ = 60° at the pole: y = A1θ + A2θ³ + A3θ⁷ + A4θ⁹.
    QTest::newRow("north pole") << 0.0 << 90.0 << 0.0 << 1.317363;
    // The pole is a line, not a point: its end at 180°.
    QTest::newRow("pole line end") << 180.0 << 90.0 << 1.603589 << 1.317363;
    QTest::newRow("90E 45N") << 90.0 << 45.0 << 1.159854 << 0.860231;
    QTest::newRow("120W 30S") << -120.0 << -30.0 << -1.687801 << -0.592935;
}

void tst_WorldMap::knownPoints()
{
    QFETCH(double, longitude);
    QFETCH(double, latitude);
    QFETCH(double, x);
    QFETCH(double, y);
    const QPointF p = WorldMap::project(longitude, latitude);
    QVERIFY2(std::abs(p.x() - x) < 1e-5, qPrintable(QString::number(p.x(), 'f', 7)));
    QVERIFY2(std::abs(p.y() - y) < 1e-5, qPrintable(QString::number(p.y(), 'f', 7)));
}

void tst_WorldMap::symmetry()
{
    for (double lon = -180; lon <= 180; lon += 15) {
        for (double lat = -90; lat <= 90; lat += 15) {
            const QPointF p = WorldMap::project(lon, lat);
            QCOMPARE(WorldMap::project(-lon, lat), QPointF(-p.x(), p.y()));
            QCOMPARE(WorldMap::project(lon, -lat), QPointF(p.x(), -p.y()));
            // North is up in projected units, east is right.
            if (lat > 0)
                QVERIFY(p.y() > 0);
            if (lon > 0)
                QVERIFY(p.x() > 0);
        }
    }
    // Parallels are straight: y depends on latitude only.
    QCOMPARE(WorldMap::project(-170, 40).y(), WorldMap::project(33, 40).y());
}

void tst_WorldMap::bounds()
{
    const QRectF bounds = WorldMap::bounds();
    QVERIFY(std::abs(bounds.right() - 2.70663) < 1e-4);
    QVERIFY(std::abs(bounds.left() + 2.70663) < 1e-4);
    QVERIFY(std::abs(bounds.top() + 1.31736) < 1e-4);
    QVERIFY(std::abs(bounds.bottom() - 1.31736) < 1e-4);
    // The paper: the equator is about 2.05 times as long as the central meridian.
    QVERIFY(std::abs(bounds.width() / bounds.height() - 2.05) < 0.01);
    // Everything on the sphere lands inside.
    for (double lon = -180; lon <= 180; lon += 5) {
        for (double lat = -90; lat <= 90; lat += 5) {
            const QPointF p = WorldMap::project(lon, lat);
            QVERIFY(std::abs(p.x()) <= bounds.right() + 1e-9 && std::abs(p.y()) <= bounds.bottom() + 1e-9);
        }
    }
    QVERIFY(std::abs(WorldMap::sphereOutline().boundingRect().width() - bounds.width()) < 1e-3);
}

void tst_WorldMap::builtInMap()
{
    const WorldMap &map = WorldMap::builtIn();
    QVERIFY2(map.countries().size() >= 170, qPrintable(QString::number(map.countries().size())));
    QVERIFY(!map.land().isEmpty());
    QVERIFY(map.country(QStringLiteral("Germany")));
    QVERIFY(map.country(QStringLiteral("Brazil")));
    QVERIFY(!map.country(QStringLiteral("Atlantis")));
    // The land covers the world, east to west and pole to pole (Antarctica reaches the pole line).
    const QRectF land = map.land().boundingRect();
    const QRectF world = WorldMap::bounds();
    QVERIFY(land.left() < world.left() * 0.95 && land.right() > world.right() * 0.95);
    QVERIFY(std::abs(land.top() - world.top()) < 1e-3);
    // No ring jumps across the antimeridian: Fiji and Russia stay small near 180°.
    for (const QString &name : { QStringLiteral("Fiji"), QStringLiteral("Russia"), QStringLiteral("Germany") }) {
        const QPainterPath &path = map.country(name)->path;
        for (int i = 1; i < path.elementCount(); ++i) {
            const QPainterPath::Element a = path.elementAt(i - 1);
            const QPainterPath::Element b = path.elementAt(i);
            if (b.isLineTo())
                QVERIFY2(std::abs(a.x - b.x) < 1.0, qPrintable(name));
        }
    }
    // The sea is not land.
    QVERIFY(!map.land().contains(WorldMap::project(-30, 0))); // mid-Atlantic
    QVERIFY(map.land().contains(WorldMap::project(20, 0))); // Congo basin
}

void tst_WorldMap::countryContainsItsCity_data()
{
    QTest::addColumn<QString>("country");
    QTest::addColumn<double>("longitude");
    QTest::addColumn<double>("latitude");
    QTest::newRow("Frankfurt") << QStringLiteral("Germany") << 8.68 << 50.11;
    QTest::newRow("São Paulo") << QStringLiteral("Brazil") << -46.63 << -23.55;
    QTest::newRow("Tokyo") << QStringLiteral("Japan") << 139.69 << 35.69;
    QTest::newRow("Sydney") << QStringLiteral("Australia") << 151.21 << -33.87;
    QTest::newRow("Anadyr") << QStringLiteral("Russia") << 177.5 << 64.73;
    // Chukotka east of the antimeridian, cut off the rest of Russia by the converter.
    QTest::newRow("Provideniya") << QStringLiteral("Russia") << -173.23 << 64.42;
    QTest::newRow("Atlanta") << QStringLiteral("United States of America") << -84.39 << 33.75;
}

void tst_WorldMap::countryContainsItsCity()
{
    QFETCH(QString, country);
    QFETCH(double, longitude);
    QFETCH(double, latitude);
    const WorldMap &map = WorldMap::builtIn();
    const QPointF city = WorldMap::project(longitude, latitude);
    QVERIFY(map.country(country)->path.contains(city));
    // …and no other country does.
    for (const WorldMap::Country &other : map.countries()) {
        if (other.name != country)
            QVERIFY2(!other.path.contains(city), qPrintable(other.name));
    }
}

void tst_WorldMap::errorsSayWhere()
{
    QString error;
    QVERIFY(!WorldMap::fromJson("[]", &error));
    QVERIFY(!WorldMap::fromJson(R"({"countries":[{"name":"X","polygons":[[[0,0,1,1]]]}],"land":[]})", &error));
    QVERIFY2(error.startsWith(u"countries[0].polygons[0][0]"), qPrintable(error));
    QVERIFY(!WorldMap::fromJson(R"({"countries":[{"name":"X","polygons":[[[0,0,1,1,200,0]]]}],"land":[]})", &error));
    QVERIFY2(error.contains(u"outside"), qPrintable(error));
    const auto tiny = WorldMap::fromJson(R"({"countries":[{"id":"1","name":"X","polygons":[[[0,0,10,0,10,10]]]}],
        "land":[[[0,0,10,0,10,10]]]})",
        &error);
    QVERIFY2(tiny, qPrintable(error));
    QCOMPARE(tiny->countries().size(), 1);
    QVERIFY(tiny->countries().first().path.contains(WorldMap::project(8, 2)));
}

QTEST_GUILESS_MAIN(tst_WorldMap)
#include "tst_worldmap.moc"
