// The world map's painter, into images: the world fitted into a rectangle, sea and land in the theme's colours,
// each marker's glyph at its projected place in its state's colour, labels clear of markers and of each other,
// and the load-time scale from green to red.

#include "darkpalette.h"
#include "loadtimescale.h"
#include "worldmap.h"
#include "worldmappainter.h"

#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QTest>

namespace {

using State = WorldMapPainter::State;

bool near(const QColor &a, const QColor &b, int tolerance = 12)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

QColor pixel(const QImage &image, const QPointF &pos)
{
    return image.pixelColor(pos.toPoint());
}

WorldMapPainter::Marker marker(const QString &code, double lon, double lat, State state,
    std::optional<double> loadMs = std::nullopt, const QString &name = {})
{
    WorldMapPainter::Marker m;
    m.code = code;
    m.projected = WorldMap::project(lon, lat);
    m.state = state;
    m.loadMs = loadMs;
    m.name = name;
    return m;
}

} // namespace

class tst_WorldMapPainter : public QObject
{
    Q_OBJECT

private slots:
    void legendTicksAreShortAndAlike();
    void fitCentresTheWorld_data();
    void fitCentresTheWorld();
    void seaAndLandFollowTheTheme();
    void markersAtTheirPlacesInTheirColours();
    void markerSizeFollowsTheMap();
    void labelsAvoidMarkersAndEachOther();
    void loadScaleRunsFromGoodToPoor();
    void narrowLoadScaleKeepsItsLabelsApart();
};

void tst_WorldMapPainter::fitCentresTheWorld_data()
{
    QTest::addColumn<QRectF>("rect");
    QTest::newRow("wide") << QRectF(0, 0, 900, 300);
    QTest::newRow("tall") << QRectF(0, 0, 400, 700);
    QTest::newRow("offset") << QRectF(100, 50, 600, 400);
}

void tst_WorldMapPainter::fitCentresTheWorld()
{
    QFETCH(QRectF, rect);
    const QTransform t = WorldMapPainter::fit(rect);
    QCOMPARE(t.m11(), -t.m22()); // one scale both ways, y flipped to point down
    const QRectF world = t.mapRect(WorldMap::bounds());
    QVERIFY(std::abs(world.center().x() - rect.center().x()) < 1e-9);
    QVERIFY(std::abs(world.center().y() - rect.center().y()) < 1e-9);
    QVERIFY(rect.adjusted(-1e-9, -1e-9, 1e-9, 1e-9).contains(world));
    QVERIFY(std::abs(world.width() - rect.width()) < 1e-6 || std::abs(world.height() - rect.height()) < 1e-6);
    // North up, east right.
    QVERIFY(t.map(WorldMap::project(0, 60)).y() < t.map(WorldMap::project(0, -30)).y());
    QVERIFY(t.map(WorldMap::project(100, 0)).x() > t.map(WorldMap::project(-50, 0)).x());
}

void tst_WorldMapPainter::seaAndLandFollowTheTheme()
{
    for (const bool dark : { false, true }) {
        const Theme theme = dark ? Theme(darkPalette()) : Theme::paper();
        QImage image(800, 420, QImage::Format_RGB32);
        image.fill(theme.window());
        const WorldMapPainter map(theme, WorldMapPainter::fit(QRectF(image.rect())));
        {
            QPainter painter(&image);
            map.paintBackground(painter);
        }
        const QColor land = pixel(image, map.transform().map(WorldMap::project(22, 2))); // central Africa
        const QColor atlantic = pixel(image, map.transform().map(WorldMap::project(-35, -10)));
        const QColor pacific = pixel(image, map.transform().map(WorldMap::project(-140, -5)));
        QVERIFY(near(atlantic, pacific, 2));
        QVERIFY2(!near(land, atlantic, 20), qPrintable(land.name() + u' ' + atlantic.name()));
        if (dark)
            QVERIFY(atlantic.lightness() < 80);
        else
            QVERIFY(atlantic.lightness() > 200);
        // Outside the sphere the map paints nothing: the corner keeps the window's colour.
        QCOMPARE(image.pixelColor(1, 1), theme.window());
    }
}

void tst_WorldMapPainter::markersAtTheirPlacesInTheirColours()
{
    const Theme paper = Theme::paper();
    QImage image(1200, 650, QImage::Format_RGB32);
    image.fill(Qt::white);
    const WorldMapPainter map(paper, WorldMapPainter::fit(QRectF(image.rect())));
    const double radius = 8;
    const QList<WorldMapPainter::Marker> markers { marker(QStringLiteral("fra"), 8.7, 50.1, State::Done, 420),
        marker(QStringLiteral("syd"), 151.2, -33.9, State::Done, 5200),
        marker(QStringLiteral("sea"), -122.3, 47.6, State::Error),
        marker(QStringLiteral("gru"), -46.6, -23.5, State::Idle) };
    {
        QPainter painter(&image);
        map.paintBackground(painter);
    }
    const QImage background = image.copy();
    {
        QPainter painter(&image);
        map.paintMarkers(painter, markers, radius);
    }
    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty())
        QVERIFY(QDir().mkpath(keep) && image.save(QDir(keep).filePath(QStringLiteral("worldmappainter.png"))));
    for (const int i : { 0, 1 }) {
        const QPointF at = map.position(markers.at(i));
        const QColor expected = LoadTimeScale::color(*markers.at(i).loadMs);
        QVERIFY2(near(pixel(image, at), expected), qPrintable(markers.at(i).code + u' ' + pixel(image, at).name()));
        QVERIFY(!near(pixel(image, at + QPointF(2.5 * radius, 0)), expected));
    }
    // The cross is red in its middle; the idle ring is hollow, the map shows through it.
    const QPointF sea = map.position(markers.at(2));
    QVERIFY2(near(pixel(image, sea), paper.mark(Theme::Tone::Error), 30), qPrintable(pixel(image, sea).name()));
    const QPointF gru = map.position(markers.at(3));
    QCOMPARE(pixel(image, gru), pixel(background, gru));
    QVERIFY(!near(pixel(image, gru + QPointF(radius * 0.8, 0)), pixel(background, gru), 30));
}

void tst_WorldMapPainter::markerSizeFollowsTheMap()
{
    QCOMPARE(WorldMapPainter::markerRadius(WorldMapPainter::fit(QRectF(0, 0, 240, 130))), 4.0);
    QCOMPARE(WorldMapPainter::markerRadius(WorldMapPainter::fit(QRectF(0, 0, 4000, 2000))), 9.0);
    const double middle = WorldMapPainter::markerRadius(WorldMapPainter::fit(QRectF(0, 0, 1200, 650)));
    QVERIFY(middle > 4 && middle < 9);
    // On paper a unit is bigger, and so is everything measured in it.
    QCOMPARE(WorldMapPainter::markerRadius(WorldMapPainter::fit(QRectF(0, 0, 240, 130)), 2.0), 8.0);
}

void tst_WorldMapPainter::labelsAvoidMarkersAndEachOther()
{
    const Theme paper = Theme::paper();
    QImage image(1200, 650, QImage::Format_RGB32);
    image.fill(Qt::white);
    const QRectF bounds(image.rect());
    const WorldMapPainter map(paper, WorldMapPainter::fit(bounds));
    const double radius = 7;
    // Europe's crowd, a failure among them, and one lonely marker.
    const QList<WorldMapPainter::Marker> markers {
        marker(QStringLiteral("fra"), 8.7, 50.1, State::Done, 420, QStringLiteral("Frankfurt")),
        marker(QStringLiteral("ams"), 4.9, 52.4, State::Done, 610, QStringLiteral("Amsterdam")),
        marker(QStringLiteral("cdg"), 2.3, 48.9, State::Error, std::nullopt, QStringLiteral("Paris")),
        marker(QStringLiteral("lhr"), -0.1, 51.5, State::Done, 3900, QStringLiteral("London")),
        marker(QStringLiteral("syd"), 151.2, -33.9, State::Done, 1200, QStringLiteral("Sydney")),
    };
    const QRectF legend(8, 500, 250, 140);
    QList<QRectF> boxes;
    {
        QPainter painter(&image);
        map.paintMarkers(painter, markers, radius);
        boxes = map.paintLabels(painter, markers, radius, QGuiApplication::font(), bounds, { legend });
    }
    QVERIFY(!boxes.isEmpty());
    for (qsizetype i = 0; i < boxes.size(); ++i) {
        QVERIFY(bounds.contains(boxes.at(i)));
        QVERIFY(!boxes.at(i).intersects(legend));
        for (const WorldMapPainter::Marker &m : markers) {
            const QPointF c = map.position(m);
            QVERIFY(!boxes.at(i).intersects(QRectF(c - QPointF(radius, radius), QSizeF(2 * radius, 2 * radius))));
        }
        for (qsizetype j = i + 1; j < boxes.size(); ++j)
            QVERIFY(!boxes.at(i).intersects(boxes.at(j)));
    }
    // Sydney has room: its label is beside it. The failure and the slowest get their labels before the others.
    const QPointF syd = map.position(markers.at(4));
    QVERIFY(std::any_of(boxes.cbegin(), boxes.cend(),
        [&](const QRectF &box) { return std::abs(box.center().y() - syd.y()) < 1 && box.left() > syd.x(); }));
    const QPointF paris = map.position(markers.at(2));
    const QPointF london = map.position(markers.at(3));
    QVERIFY(QLineF(boxes.at(0).center(), paris).length() < 120);
    QVERIFY(QLineF(boxes.at(1).center(), london).length() < 120);
}

void tst_WorldMapPainter::loadScaleRunsFromGoodToPoor()
{
    QImage image(400, 60, QImage::Format_RGB32);
    image.fill(Qt::white);
    const QRectF bar(20, 10, 300, 12);
    {
        QPainter painter(&image);
        WorldMapPainter(Theme::paper(), QTransform()).paintLoadScale(painter, bar, QGuiApplication::font());
    }
    const int y = int(bar.center().y());
    QVERIFY(near(image.pixelColor(int(bar.left()) + 4, y), LoadTimeScale::color(0)));
    QVERIFY(near(image.pixelColor(int(bar.left() + bar.width() * 0.5), y), LoadTimeScale::color(2500)));
    QVERIFY(near(image.pixelColor(int(bar.right()) - 4, y), LoadTimeScale::color(5000)));
    // The tick labels are below the bar, inside its width.
    bool text = false;
    for (int x = 0; x < image.width(); ++x) {
        for (int ty = int(bar.bottom()) + 5; ty < image.height(); ++ty)
            text = text || image.pixelColor(x, ty).lightness() < 128;
    }
    QVERIFY(text);
    for (int ty = int(bar.bottom()) + 5; ty < image.height(); ++ty) {
        QVERIFY(image.pixelColor(int(bar.left()) - 3, ty).lightness() > 200);
        QVERIFY(image.pixelColor(int(bar.right()) + 3, ty).lightness() > 200);
    }
}

// On a small window's map the scale is a few dozen pixels wide: its labels must not run into each other, and the
// ends (0 and 5 s+) always say what the scale spans.
void tst_WorldMapPainter::narrowLoadScaleKeepsItsLabelsApart()
{
    QImage image(400, 60, QImage::Format_RGB32);
    const auto labelsAt = [&image](double width) {
        image.fill(Qt::white);
        QPainter painter(&image);
        return WorldMapPainter(Theme::paper(), QTransform())
            .paintLoadScale(painter, QRectF(20, 10, width, 12), QGuiApplication::font());
    };
    QCOMPARE(labelsAt(360).size(), 5); // room for every tick
    for (const double width : { 150.0, 110.0, 80.0, 60.0 }) {
        const QList<QRectF> labels = labelsAt(width);
        QVERIFY2(labels.size() >= 2 && labels.size() < 5, qPrintable(QString::number(width)));
        QCOMPARE(labels.at(0).left(), 20.0); // "0" at the left end
        QCOMPARE(labels.at(1).right(), 20.0 + width); // "5 s+" at the right end
        for (qsizetype i = 0; i < labels.size(); ++i) {
            for (qsizetype j = i + 1; j < labels.size(); ++j)
                QVERIFY2(!labels.at(i).intersects(labels.at(j)), qPrintable(QString::number(width)));
        }
    }
}

void tst_WorldMapPainter::legendTicksAreShortAndAlike()
{
    // Scale marks, not measurements: "2.50 s" beside "1 s" read as two styles.
    QCOMPARE(WorldMapPainter::legendTick(0), QStringLiteral("0"));
    QCOMPARE(WorldMapPainter::legendTick(1000), QStringLiteral("1 s"));
    QCOMPARE(WorldMapPainter::legendTick(2500), QStringLiteral("2.5 s"));
    QCOMPARE(WorldMapPainter::legendTick(LoadTimeScale::poorMs), QStringLiteral("4 s"));
}

QTEST_MAIN(tst_WorldMapPainter)
#include "tst_worldmappainter.moc"
