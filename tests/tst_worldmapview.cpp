#include "darkpalette.h"
#include "loadtimescale.h"
#include "regionmodel.h"
#include "worldmap.h"
#include "worldmapview.h"

#include <QDir>
#include <QImage>
#include <QSignalSpy>
#include <QTest>

// The map view, offscreen. Set WORLDSPEED_SCREENSHOT_DIR to keep light and dark screenshots of a busy map.
class tst_WorldMapView : public QObject
{
    Q_OBJECT

private slots:
    void markersLandOnTheProjection();
    void clickOnMarkerEmitsItsCode();
    void resizeKeepsAspect_data();
    void resizeKeepsAspect();
    void animatesOnlyWhileSomethingMoves();
    void selectionRing();
    void colourScale();
    void screenshots();
    void markersFollowTheRegionModel();

private:
    static QList<RegionCatalog::Region> someRegions(const QStringList &codes);
    static void showcase(WorldMapView &view);
    static QColor pixel(const QImage &image, const QPointF &pos);
    static bool near(const QColor &a, const QColor &b, int tolerance = 12);
};

QList<RegionCatalog::Region> tst_WorldMapView::someRegions(const QStringList &codes)
{
    const RegionCatalog catalog = RegionCatalog::builtIn();
    QList<RegionCatalog::Region> regions;
    for (const QString &code : codes)
        regions.append(catalog.find(code).value());
    return regions;
}

QColor tst_WorldMapView::pixel(const QImage &image, const QPointF &pos)
{
    const QPointF device = pos * image.devicePixelRatio();
    return image.pixelColor(int(device.x()), int(device.y()));
}

bool tst_WorldMapView::near(const QColor &a, const QColor &b, int tolerance)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

void tst_WorldMapView::markersLandOnTheProjection()
{
    WorldMapView view;
    view.resize(1200, 650);
    view.setRegions(someRegions({ QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("gru"),
        QStringLiteral("sea"), QStringLiteral("arn"), QStringLiteral("mad") }));
    view.setRegionState(QStringLiteral("fra"), WorldMapView::State::Done, 420);
    view.setRegionState(QStringLiteral("syd"), WorldMapView::State::Done, 5200);
    view.setRegionState(QStringLiteral("gru"), WorldMapView::State::Done, 2500);
    view.setRegionState(QStringLiteral("sea"), WorldMapView::State::Error);
    const QImage image = view.grab().toImage();

    const auto at = [&](double lon, double lat) { return view.mapTransform().map(WorldMap::project(lon, lat)); };
    const RegionCatalog catalog = RegionCatalog::builtIn();
    for (const QString &code : { QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("gru") }) {
        const auto region = catalog.find(code).value();
        const QPointF pos = at(region.longitude, region.latitude);
        QCOMPARE(view.markerPosition(code).value(), pos);
        const QColor expected = LoadTimeScale::color(code == u"fra" ? 420 : code == u"syd" ? 5200 : 2500);
        QVERIFY2(near(pixel(image, pos), expected), qPrintable(code + u' ' + pixel(image, pos).name()));
        // The disc is small: two radii away is the map again.
        QVERIFY(!near(pixel(image, pos + QPointF(2.5 * view.markerRadius(), 0)), expected));
    }
    // The error cross is red in its middle.
    const QPointF sea = view.markerPosition(QStringLiteral("sea")).value();
    QVERIFY2(pixel(image, sea).red() > 180 && pixel(image, sea).green() < 80, qPrintable(pixel(image, sea).name()));

    // North is up and east is right on screen.
    QVERIFY(view.markerPosition(QStringLiteral("arn"))->y() < view.markerPosition(QStringLiteral("mad"))->y());
    QVERIFY(view.markerPosition(QStringLiteral("syd"))->y() > view.markerPosition(QStringLiteral("fra"))->y());
    QVERIFY(view.markerPosition(QStringLiteral("syd"))->x() > view.markerPosition(QStringLiteral("gru"))->x());

    // The map's own colours: land in central Africa, sea in the middle of the Atlantic and Pacific differ.
    const QColor land = pixel(image, at(22, 2));
    const QColor atlantic = pixel(image, at(-35, -10));
    const QColor pacific = pixel(image, at(-140, -5)); // off the equator's graticule line
    QVERIFY(near(atlantic, pacific, 2));
    QVERIFY2(!near(land, atlantic, 20), qPrintable(land.name() + u' ' + atlantic.name()));
}

void tst_WorldMapView::clickOnMarkerEmitsItsCode()
{
    WorldMapView view;
    view.resize(1200, 650);
    view.setRegions(someRegions({ QStringLiteral("fra"), QStringLiteral("ams"), QStringLiteral("nrt") }));
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy clicked(&view, &WorldMapView::regionClicked);

    QTest::mouseClick(&view, Qt::LeftButton, {}, view.markerPosition(QStringLiteral("nrt"))->toPoint());
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.takeFirst().at(0).toString(), QStringLiteral("nrt"));

    // Neighbours: the nearer one wins.
    const QPointF fra = *view.markerPosition(QStringLiteral("fra"));
    const QPointF ams = *view.markerPosition(QStringLiteral("ams"));
    QTest::mouseClick(&view, Qt::LeftButton, {}, (fra + (ams - fra) * 0.2).toPoint());
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.takeFirst().at(0).toString(), QStringLiteral("fra"));

    // The open Pacific has no region; a press that leaves the marker before release is no click.
    QTest::mouseClick(&view, Qt::LeftButton, {}, view.mapTransform().map(WorldMap::project(-150, -10)).toPoint());
    QTest::mousePress(&view, Qt::LeftButton, {}, view.markerPosition(QStringLiteral("nrt"))->toPoint());
    QTest::mouseRelease(&view, Qt::LeftButton, {}, view.mapTransform().map(WorldMap::project(-150, -10)).toPoint());
    QCOMPARE(clicked.size(), 0);
    QCOMPARE(view.regionAt(view.mapTransform().map(WorldMap::project(-150, -10))), QString());
}

void tst_WorldMapView::resizeKeepsAspect_data()
{
    QTest::addColumn<QSize>("size");
    QTest::newRow("screenshot") << QSize(1200, 650);
    QTest::newRow("wide") << QSize(900, 300);
    QTest::newRow("tall") << QSize(400, 700);
    QTest::newRow("small") << QSize(240, 130);
    QTest::newRow("large") << QSize(2400, 1300);
}

void tst_WorldMapView::resizeKeepsAspect()
{
    QFETCH(QSize, size);
    WorldMapView view;
    view.resize(size);
    const QTransform transform = view.mapTransform();
    QCOMPARE(transform.m11(), -transform.m22()); // same scale both ways, y flipped to point down
    QCOMPARE(transform.m12(), 0.0);
    QCOMPARE(transform.m21(), 0.0);
    const QRectF world = transform.mapRect(WorldMap::bounds());
    QVERIFY(std::abs(world.width() / world.height() - WorldMap::bounds().width() / WorldMap::bounds().height()) < 1e-9);
    // Fitted: inside the widget, centred, and touching it on one pair of sides (less the margin).
    QVERIFY(QRectF(QPointF(0, 0), QSizeF(size)).contains(world));
    QVERIFY(std::abs(world.center().x() - size.width() / 2.0) < 1e-9);
    QVERIFY(std::abs(world.center().y() - size.height() / 2.0) < 1e-9);
    QVERIFY(size.width() - world.width() < 20 || size.height() - world.height() < 20);
    // The picture follows: the widget's centre is the map's (0, 0), which is sea in the Gulf of Guinea.
    const QImage image = view.grab().toImage();
    QCOMPARE(image.size(), size * image.devicePixelRatio());
    QVERIFY(view.heightForWidth(size.width()) > 0);
}

void tst_WorldMapView::animatesOnlyWhileSomethingMoves()
{
    WorldMapView view;
    view.resize(800, 420);
    view.setRegions(someRegions({ QStringLiteral("fra"), QStringLiteral("nrt") }));
    QVERIFY(!view.isAnimating());
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QVERIFY(!view.isAnimating());

    view.setRegionState(QStringLiteral("fra"), WorldMapView::State::Loading);
    QVERIFY(view.isAnimating());
    view.setRegionState(QStringLiteral("nrt"), WorldMapView::State::Booting);
    view.setRegionState(QStringLiteral("fra"), WorldMapView::State::Done, 900);
    QVERIFY(view.isAnimating()); // Tokyo still booting
    view.setRegionState(QStringLiteral("nrt"), WorldMapView::State::Error);
    QVERIFY(!view.isAnimating());

    // Hidden, nothing to see: no timer, and it comes back with the widget.
    view.setRegionState(QStringLiteral("nrt"), WorldMapView::State::Loading);
    QVERIFY(view.isAnimating());
    view.hide();
    QVERIFY(!view.isAnimating());
    view.show();
    QVERIFY(view.isAnimating());

    // While animating, frames keep coming; afterwards they stop.
    struct PaintCounter : QObject
    {
        int paints = 0;
        bool eventFilter(QObject *, QEvent *event) override
        {
            if (event->type() == QEvent::Paint)
                ++paints;
            return false;
        }
    } counter;
    view.installEventFilter(&counter);
    QTest::qWait(400);
    QVERIFY2(counter.paints >= 4, qPrintable(QString::number(counter.paints)));
    view.resetRegionStates();
    QVERIFY(!view.isAnimating());
    QTest::qWait(50); // the one repaint that clears the last frame
    counter.paints = 0;
    QTest::qWait(300);
    QCOMPARE(counter.paints, 0);
}

void tst_WorldMapView::selectionRing()
{
    WorldMapView view;
    view.resize(1200, 650);
    view.setRegions(someRegions({ QStringLiteral("nrt") }));
    const QPointF nrt = *view.markerPosition(QStringLiteral("nrt"));
    const QPointF onRing = nrt + QPointF(view.markerRadius() + 4.5, 0);
    const QColor before = pixel(view.grab().toImage(), onRing);

    view.setSelectedRegion(QStringLiteral("nrt"));
    QCOMPARE(view.selectedRegion(), QStringLiteral("nrt"));
    const QColor highlight = view.palette().color(QPalette::Highlight);
    QVERIFY2(near(pixel(view.grab().toImage(), onRing), highlight, 40),
        qPrintable(pixel(view.grab().toImage(), onRing).name()));
    QVERIFY(!near(before, highlight, 40));

    view.setSelectedRegion(QStringLiteral("nowhere"));
    QCOMPARE(view.selectedRegion(), QString());
    QCOMPARE(pixel(view.grab().toImage(), onRing), before);
}

void tst_WorldMapView::colourScale()
{
    QCOMPARE(LoadTimeScale::color(0), LoadTimeScale::color(999));
    QCOMPARE(LoadTimeScale::color(4000), LoadTimeScale::color(60'000));
    const QColor good = LoadTimeScale::color(500);
    const QColor medium = LoadTimeScale::color(2500);
    const QColor poor = LoadTimeScale::color(4000);
    QVERIFY(good.green() > good.red()); // green
    QVERIFY(medium.red() > 200 && medium.green() > 150 && medium.blue() < 80); // yellow
    QVERIFY(poor.red() > 180 && poor.green() < 60); // red
    // From good to poor the hue only turns towards red.
    int previousHue = 360;
    for (int ms = 1000; ms <= 4000; ms += 250) {
        int hue = LoadTimeScale::color(ms).hslHue();
        if (hue > 300)
            hue -= 360; // red sits on both ends of the hue circle
        QVERIFY2(hue <= previousHue, qPrintable(QString::number(ms)));
        previousHue = hue;
    }
}

void tst_WorldMapView::showcase(WorldMapView &view)
{
    view.setRegions(someRegions({ QStringLiteral("sea"), QStringLiteral("iad"), QStringLiteral("gru"),
        QStringLiteral("lhr"), QStringLiteral("fra"), QStringLiteral("jnb"), QStringLiteral("bom"),
        QStringLiteral("sin"), QStringLiteral("nrt"), QStringLiteral("syd"), QStringLiteral("qro") }));
    using State = WorldMapView::State;
    view.setRegionState(QStringLiteral("iad"), State::Done, 640, QStringLiteral("Ashburn: 640 ms"));
    view.setRegionState(QStringLiteral("fra"), State::Done, 420);
    view.setRegionState(QStringLiteral("lhr"), State::Done, 1480);
    view.setRegionState(QStringLiteral("gru"), State::Done, 2550);
    view.setRegionState(QStringLiteral("bom"), State::Done, 3350);
    view.setRegionState(QStringLiteral("sin"), State::Done, 5120);
    view.setRegionState(QStringLiteral("nrt"), State::Loading);
    view.setRegionState(QStringLiteral("syd"), State::Booting);
    view.setRegionState(QStringLiteral("jnb"), State::Error);
    // sea, qro: idle
    view.setSelectedRegion(QStringLiteral("lhr"));
}

void tst_WorldMapView::screenshots()
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    WorldMapView view;
    view.resize(1200, 650);
    showcase(view);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QTest::qWait(200); // let the pulse and the spinner move away from their first frame
    const QImage light = view.grab().toImage();

    const QPalette dark = darkPalette();
    view.setPalette(dark);
    const QImage darkImage = view.grab().toImage();

    // The palette decides the sea: light on light, dark on dark.
    const QPointF pacific = view.mapTransform().map(WorldMap::project(-140, -5));
    QVERIFY(pixel(light, pacific).lightness() > 180);
    QVERIFY(pixel(darkImage, pacific).lightness() < 80);

    if (dir.isEmpty())
        QSKIP("WORLDSPEED_SCREENSHOT_DIR is not set; not saving screenshots");
    QVERIFY(QDir().mkpath(dir));
    QVERIFY(light.save(QDir(dir).filePath(QStringLiteral("worldmap-light.png"))));
    QVERIFY(darkImage.save(QDir(dir).filePath(QStringLiteral("worldmap-dark.png"))));
}

void tst_WorldMapView::markersFollowTheRegionModel()
{
    // The window's map reads RegionModel: its rows are the markers, its phases their states, its tool tips theirs.
    RegionModel model;
    model.setRegions(someRegions({ QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("gru") }));
    WorldMapView view;
    view.setModel(&model);
    QCOMPARE(view.regions().size(), 3);
    QCOMPARE(view.regions().at(1).city, QStringLiteral("Sydney"));
    QVERIFY(view.markerPosition(QStringLiteral("gru")));
    QVERIFY(!view.markerPosition(QStringLiteral("nrt")));

    TestRecord test;
    test.regions = { QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("gru") };
    test.running = true;
    for (const QString &code : test.regions)
        test.results.insert(code, RegionRecord {});
    test.results[QStringLiteral("fra")].state = RunState::Loading;
    test.results[QStringLiteral("syd")].probeStarting = true;
    RegionRun failed;
    failed.finished = true;
    failed.error = LoadError { LoadError::Kind::DnsFailure, QStringLiteral("net::ERR_NAME_NOT_RESOLVED") };
    test.results[QStringLiteral("gru")].runs = { failed };
    model.setTest(test);
    QCOMPARE(view.regionState(QStringLiteral("fra")), WorldMapView::State::Loading);
    QCOMPARE(view.regionState(QStringLiteral("syd")), WorldMapView::State::Booting);
    QCOMPARE(view.regionState(QStringLiteral("gru")), WorldMapView::State::Error);

    // One region's row changes: its marker follows.
    RegionRun done;
    done.finished = true;
    done.firstView.metrics.loadMs = 1234;
    done.firstViewMeasured = true;
    test.results[QStringLiteral("fra")].runs = { done };
    model.updateRegion(test, QStringLiteral("fra"));
    QCOMPARE(view.regionState(QStringLiteral("fra")), WorldMapView::State::Done);

    // A new set of regions replaces the markers.
    model.setRegions(someRegions({ QStringLiteral("nrt") }));
    QCOMPARE(view.regions().size(), 1);
    QCOMPARE(view.regionState(QStringLiteral("nrt")), WorldMapView::State::Idle);
    view.setModel(nullptr);
    model.setRegions(someRegions({ QStringLiteral("fra"), QStringLiteral("syd") }));
    QCOMPARE(view.regions().size(), 1); // no longer followed
}

QTEST_MAIN(tst_WorldMapView)
#include "tst_worldmapview.moc"
