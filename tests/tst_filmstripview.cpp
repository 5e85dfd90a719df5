// The filmstrip under the waterfall: a strip per lane that has one, on the waterfall's own time axis (a slot shows
// what the page showed at its time), and a cursor that follows the mouse over the waterfall. Set
// WORLDSPEED_SCREENSHOT_DIR to keep screenshots of both layouts.
#include "filmstripview.h"
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QBuffer>
#include <QDir>
#include <QPainter>
#include <QTest>
#include <QVBoxLayout>

namespace {

const QColor painted(0x20, 0x30, 0x60);

QByteArray jpegOf(const QImage &image)
{
    QByteArray jpeg;
    QBuffer buffer(&jpeg);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "JPEG", 80);
    return jpeg;
}

// Blank until `paintMs`, then painted whole.
Filmstrip blankThenPainted(double paintMs)
{
    QImage blank(160, 90, QImage::Format_RGB32);
    blank.fill(Qt::white);
    QImage full = blank;
    full.fill(painted);
    Filmstrip strip;
    strip.frames = { { 0, jpegOf(blank) }, { paintMs, jpegOf(full) } };
    return strip;
}

RegionRun runOf(double paintMs, bool withFilmstrip)
{
    RegionRun run;
    run.index = 1;
    run.finished = true;
    run.firstViewMeasured = true;
    run.firstView.url = QStringLiteral("https://example.com/");
    RequestTiming document;
    document.id = QStringLiteral("1");
    document.url = run.firstView.url;
    document.resourceType = QStringLiteral("Document");
    document.status = 200;
    document.startMs = 0;
    document.durationMs = 1800;
    document.phases.wait = 1800;
    document.outcome = RequestTiming::Outcome::Finished;
    run.firstView.requests = { document };
    run.firstView.metrics.loadMs = 1900;
    if (withFilmstrip)
        run.firstView.filmstrip = blankThenPainted(paintMs);
    return run;
}

TestRecord testOf()
{
    TestRecord test;
    test.id = 3;
    test.url = QStringLiteral("https://example.com/");
    test.regions = { QStringLiteral("fra"), QStringLiteral("iad"), QStringLiteral("syd") };
    const double paints[] = { 100, 300, 0 };
    for (int i = 0; i < 3; ++i) {
        RegionRecord record;
        record.state = RunState::Complete;
        record.runs = { runOf(paints[i], i < 2) }; // syd was measured without a filmstrip
        test.results.insert(test.regions.at(i), record);
    }
    return test;
}

bool isPainted(const QColor &color)
{
    return std::abs(color.red() - painted.red()) < 30 && std::abs(color.blue() - painted.blue()) < 30;
}

} // namespace

class tst_FilmstripView : public QObject
{
    Q_OBJECT

private slots:
    void stripsFollowTheWaterfallsAxis_data();
    void stripsFollowTheWaterfallsAxis();
    void cursorFollowsTheMouseOverTheWaterfall();
    void noFilmstripNoStrip();
    void screenshots();
};

void tst_FilmstripView::stripsFollowTheWaterfallsAxis_data()
{
    QTest::addColumn<WaterfallGeometry::LayoutMode>("mode");
    QTest::newRow("side by side") << WaterfallGeometry::LayoutMode::SideBySide;
    QTest::newRow("stacked") << WaterfallGeometry::LayoutMode::Stacked;
}

void tst_FilmstripView::stripsFollowTheWaterfallsAxis()
{
    QFETCH(WaterfallGeometry::LayoutMode, mode);
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    WaterfallModel model;
    const TestRecord test = testOf();
    model.setTest(test);
    auto *waterfall = new WaterfallView(&window);
    waterfall->setModel(&model);
    waterfall->setLayoutMode(mode);
    auto *strips = new FilmstripView(waterfall, &window);
    strips->setTest(test);
    layout->addWidget(waterfall, 1);
    layout->addWidget(strips);
    window.resize(1400, 500);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY(strips->isVisible());
    QCOMPARE(strips->stripCount(), 2); // syd has none
    // Laid out by now: the strips follow the waterfall's geometry after its first paint.
    QTRY_VERIFY(strips->width() > 1000 && waterfall->layoutGeometry().laneCount() == 3);
    QTest::qWait(50);
    const QImage image = strips->grab().toImage();
    const WaterfallGeometry g = waterfall->layoutGeometry();
    const int dx = waterfall->viewport()->mapTo(&window, QPoint(0, 0)).x() - strips->mapTo(&window, QPoint(0, 0)).x();
    const int rowHeight = mode == WaterfallGeometry::LayoutMode::Stacked ? strips->height() / 2 : 0;
    // In each lane the strip starts blank, and the painted page shows in a slot at or after the paint on the
    // waterfall's own axis for that lane, never before it.
    const double paints[] = { 100, 300 };
    for (int lane = 0; lane < 2; ++lane) {
        const WaterfallScale scale = g.scale(lane);
        const int y = lane * rowHeight + 12; // in the thumbnails, which narrow lanes make smaller
        const int start = int(scale.x(0)) + dx;
        QVERIFY2(!isPainted(image.pixelColor(start + 10, y)), qPrintable(QString::number(lane)));
        int first = -1;
        for (int x = start; x < int(g.barArea(lane).right()) + dx && first < 0; ++x) {
            if (isPainted(image.pixelColor(x, y)))
                first = x;
        }
        QVERIFY2(first >= 0, qPrintable(QStringLiteral("lane %1 shows no painted frame").arg(lane)));
        QVERIFY2(first >= int(scale.x(paints[lane])) + dx - 1,
            qPrintable(QStringLiteral("lane %1 painted at x %2, before %3 ms").arg(lane).arg(first).arg(paints[lane])));
    }
}

void tst_FilmstripView::cursorFollowsTheMouseOverTheWaterfall()
{
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    WaterfallModel model;
    const TestRecord test = testOf();
    model.setTest(test);
    auto *waterfall = new WaterfallView(&window);
    waterfall->setModel(&model);
    auto *strips = new FilmstripView(waterfall, &window);
    strips->setTest(test);
    layout->addWidget(waterfall, 1);
    layout->addWidget(strips);
    window.resize(1400, 500);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const WaterfallGeometry g = waterfall->layoutGeometry();
    const WaterfallScale scale = g.scale(1);
    const QPoint at(int(scale.x(700)), int(g.rowsRect(1).top()) + 5);
    QTest::mouseMove(waterfall->viewport(), at);
    QTRY_VERIFY(strips->cursorMs());
    QVERIFY2(std::abs(*strips->cursorMs() - scale.ms(at.x())) < 0.01, qPrintable(QString::number(*strips->cursorMs())));
    // Off the bars, there is no time to point at.
    QTest::mouseMove(waterfall->viewport(), QPoint(2, at.y()));
    QTRY_VERIFY(!strips->cursorMs());
}

void tst_FilmstripView::noFilmstripNoStrip()
{
    QWidget window;
    auto *layout = new QVBoxLayout(&window);
    WaterfallModel model;
    TestRecord test = testOf();
    for (RegionRecord &record : test.results)
        record.runs.first().firstView.filmstrip = {};
    model.setTest(test);
    auto *waterfall = new WaterfallView(&window);
    waterfall->setModel(&model);
    auto *strips = new FilmstripView(waterfall, &window);
    strips->setTest(test);
    layout->addWidget(waterfall, 1);
    layout->addWidget(strips);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QCOMPARE(strips->stripCount(), 0);
    QVERIFY(!strips->isVisible());
}

void tst_FilmstripView::screenshots()
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("set WORLDSPEED_SCREENSHOT_DIR to save screenshots");
    QVERIFY(QDir().mkpath(dir));
    for (const auto mode : { WaterfallGeometry::LayoutMode::SideBySide, WaterfallGeometry::LayoutMode::Stacked }) {
        QWidget window;
        auto *layout = new QVBoxLayout(&window);
        WaterfallModel model;
        const TestRecord test = testOf();
        model.setTest(test);
        auto *waterfall = new WaterfallView(&window);
        waterfall->setModel(&model);
        waterfall->setLayoutMode(mode);
        auto *strips = new FilmstripView(waterfall, &window);
        strips->setTest(test);
        layout->addWidget(waterfall, 1);
        layout->addWidget(strips);
        window.resize(1400, 520);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const WaterfallScale scale = waterfall->layoutGeometry().scale(0);
        QTest::mouseMove(waterfall->viewport(), QPoint(int(scale.x(650)), 80));
        QTRY_VERIFY(strips->cursorMs());
        QTest::qWait(50);
        const QString file = QDir(dir).filePath(mode == WaterfallGeometry::LayoutMode::Stacked
                ? QStringLiteral("filmstrip-stacked.png")
                : QStringLiteral("filmstrip-side-by-side.png"));
        QVERIFY2(window.grab().save(file), qPrintable(file));
    }
}

QTEST_MAIN(tst_FilmstripView)
#include "tst_filmstripview.moc"
