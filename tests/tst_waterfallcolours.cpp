// The waterfall's colours as an option: bars by content type (DevTools' hues, WebPageTest's light-then-dark split at
// the first byte) instead of by phase, in the painter the window and the PDF share; the legend follows, and on screen
// it names the pending rows' hatching, whose tooltip says the request is still loading. Checked by pixels.
#include "historyfixtures.h"
#include "regioncatalog.h"
#include "reportcontent.h"
#include "reportlayout.h"
#include "requestdetailsview.h"
#include "theme.h"
#include "waterfallpainter.h"
#include "waterfallview.h"

#include <QApplication>
#include <QPainter>
#include <QTest>

namespace {

bool near(const QColor &a, const QColor &b, int tolerance = 6)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

RequestTiming request(const QString &path, const QString &type, double startMs, double wait, double receive)
{
    RequestTiming r;
    r.id = path;
    r.url = QStringLiteral("https://example.com") + path;
    r.resourceType = type;
    r.status = 200;
    r.startMs = startMs;
    r.phases.wait = wait;
    r.phases.receive = receive;
    r.durationMs = r.phases.sum();
    r.outcome = RequestTiming::Outcome::Finished;
    return r;
}

struct Painted
{
    QImage image;
    QRectF bars;
    WaterfallScale scale;
    WaterfallPainter::LaneLayout layout;

    QColor at(double ms, int row) const
    {
        return image.pixelColor(int(scale.x(ms)), int(bars.top() + (row + 0.5) * layout.rowHeight));
    }
};

// The document waits 0–300 ms and downloads 300–400; the script waits 400–600 and downloads 600–900.
Painted paint(WaterfallPainter::Colouring colouring, const Theme &theme)
{
    WaterfallPainter::Lane lane;
    lane.requests = { request(QStringLiteral("/"), QStringLiteral("Document"), 0, 300, 100),
        request(QStringLiteral("/app.js"), QStringLiteral("Script"), 400, 200, 300) };
    lane.durations = { QStringLiteral("400 ms"), QStringLiteral("500 ms") };
    lane.spanMs = 1000;
    Painted p;
    p.image = QImage(900, 120, QImage::Format_RGB32);
    p.image.fill(theme.base());
    p.layout.rowHeight = 30;
    p.layout.labelWidth = 150;
    const QRectF rect(10, 10, 880, WaterfallPainter::laneHeight(p.layout, 2));
    p.bars = WaterfallPainter::laneBars(rect, p.layout, 2);
    p.scale = { p.bars.left(), p.bars.width() / lane.spanMs };
    QPainter painter(&p.image);
    WaterfallPainter waterfall(theme, QGuiApplication::font(), &p.image);
    waterfall.setColouring(colouring);
    waterfall.paintLane(painter, rect, lane, p.layout);
    return p;
}

QImage legend(WaterfallPainter::Colouring colouring, bool pending)
{
    QImage image(1400, 24, QImage::Format_RGB32);
    const Theme theme = Theme::paper();
    image.fill(theme.base());
    QPainter painter(&image);
    WaterfallPainter waterfall(theme, QGuiApplication::font(), &image);
    waterfall.setColouring(colouring);
    waterfall.paintLegend(painter, QRectF(4, 0, 1390, 24), pending);
    return image;
}

int countColour(const QImage &image, const QColor &colour)
{
    int count = 0;
    for (int y = 0; y < image.height(); ++y) {
        for (int x = 0; x < image.width(); ++x)
            count += near(image.pixelColor(x, y), colour, 2) ? 1 : 0;
    }
    return count;
}

} // namespace

class tst_WaterfallColours : public QObject
{
    Q_OBJECT

private slots:
    void barsByPhaseByDefault();
    void barsByContentType_data();
    void barsByContentType();
    void legendFollowsTheColouring();
    void pendingRowsAreInTheLegendAndSayTheyAreLoading();
    void reportWaterfallsFollowTheChoice();
};

void tst_WaterfallColours::barsByPhaseByDefault()
{
    const bool dark = false;
    const Painted p = paint(WaterfallPainter::Colouring::Phases, Theme::paper());
    QVERIFY(near(p.at(350, 0), WaterfallGeometry::phaseColor(WaterfallGeometry::Phase::Receive, dark)));
    QVERIFY(near(p.at(750, 1), WaterfallGeometry::phaseColor(WaterfallGeometry::Phase::Receive, dark)));
}

void tst_WaterfallColours::barsByContentType_data()
{
    QTest::addColumn<bool>("dark");
    QTest::newRow("light") << false;
    QTest::newRow("dark") << true;
}

void tst_WaterfallColours::barsByContentType()
{
    QFETCH(bool, dark);
    QPalette palette;
    if (dark) {
        palette.setColor(QPalette::Base, QColor(0x1d, 0x1f, 0x21));
        palette.setColor(QPalette::Text, QColor(0xe6, 0xe6, 0xe6));
        palette.setColor(QPalette::Window, QColor(0x2b, 0x2b, 0x2b));
        palette.setColor(QPalette::WindowText, QColor(0xe6, 0xe6, 0xe6));
    }
    const Theme theme = dark ? Theme(palette) : Theme::paper();
    QCOMPARE(theme.isDark(), dark);
    const Painted p = paint(WaterfallPainter::Colouring::ContentTypes, theme);
    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty())
        p.image.save(QDir(keep).filePath(QStringLiteral("waterfall-by-type-%1.png").arg(dark ? u"dark" : u"light")));
    // The document's download in the document's colour, its wait in the tint; the script's likewise in its own.
    const QString document = QStringLiteral("Document");
    const QString script = QStringLiteral("Script");
    QVERIFY(near(p.at(350, 0), WaterfallPainter::typeColor(document, dark)));
    QVERIFY(near(p.at(150, 0), WaterfallPainter::typeTint(document, dark)));
    QVERIFY(near(p.at(750, 1), WaterfallPainter::typeColor(script, dark)));
    QVERIFY(near(p.at(500, 1), WaterfallPainter::typeTint(script, dark)));
    // Told apart: a script does not look like a document, nor a download like a wait.
    QVERIFY(!near(WaterfallPainter::typeColor(document, dark), WaterfallPainter::typeColor(script, dark), 40));
    QVERIFY(!near(WaterfallPainter::typeColor(script, dark), WaterfallPainter::typeTint(script, dark), 30));
}

void tst_WaterfallColours::legendFollowsTheColouring()
{
    const QImage phases = legend(WaterfallPainter::Colouring::Phases, false);
    const QImage types = legend(WaterfallPainter::Colouring::ContentTypes, false);
    const QColor receive = WaterfallGeometry::phaseColor(WaterfallGeometry::Phase::Receive, false);
    const QColor image = WaterfallPainter::typeColor(QStringLiteral("Image"), false);
    QVERIFY(countColour(phases, receive) > 20);
    QCOMPARE(countColour(phases, image), 0);
    QVERIFY(countColour(types, image) > 20);
    QCOMPARE(countColour(types, receive), 0);
}

void tst_WaterfallColours::pendingRowsAreInTheLegendAndSayTheyAreLoading()
{
    // The hatched swatch comes after the markers, on screen only (the PDF has no pending rows).
    const QImage without = legend(WaterfallPainter::Colouring::Phases, false);
    const QImage with = legend(WaterfallPainter::Colouring::Phases, true);
    const QColor base = Theme::paper().base();
    const auto rightmost = [&](const QImage &image) {
        int right = 0;
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x)
                right = image.pixelColor(x, y) == base ? right : std::max(right, x);
        }
        return right;
    };
    QVERIFY(rightmost(with) > rightmost(without) + 30);
    RequestTiming loading = request(QStringLiteral("/slow.jpg"), QStringLiteral("Image"), 100, 0, 0);
    loading.phases = {};
    loading.durationMs = 0;
    loading.outcome = RequestTiming::Outcome::Unfinished;
    const QString live = RequestDetailsView::detailsText(QStringLiteral("fra"), loading, true);
    QVERIFY2(live.contains(u"still loading") && !live.contains(u"unfinished"), qPrintable(live));
    // A stored one never ended: that is what it says.
    QVERIFY(RequestDetailsView::detailsText(QStringLiteral("fra"), loading).contains(u"unfinished"));
}

void tst_WaterfallColours::reportWaterfallsFollowTheChoice()
{
    // The PDF's blocks, painted at its resolution: its legend and lanes use the same painter and the same choice.
    const TestRecord test = sampleRecord();
    const auto paintReport = [&](WaterfallPainter::Colouring colouring) {
        QImage page(1800, 100, QImage::Format_RGB32);
        const int dotsPerMetre = qRound(ReportContent::resolution / 0.0254);
        page.setDotsPerMeterX(dotsPerMetre);
        page.setDotsPerMeterY(dotsPerMetre);
        ReportContent content(test, RegionCatalog::builtIn(), &page, 1800, 2600);
        content.setWaterfallColouring(colouring);
        ReportLayout layout;
        content.build(layout);
        int documentPixels = 0;
        for (const ReportLayout::Block &block : layout.blocks()) {
            if (!block.paint || block.height < 1)
                continue;
            QImage image(1800, int(std::ceil(block.height)), QImage::Format_RGB32);
            image.setDotsPerMeterX(dotsPerMetre);
            image.setDotsPerMeterY(dotsPerMetre);
            image.fill(Qt::white);
            QPainter painter(&image);
            block.paint(painter, QRectF(0, 0, 1800, block.height));
            painter.end();
            documentPixels += countColour(image, WaterfallPainter::typeTint(QStringLiteral("Document"), false));
        }
        return documentPixels;
    };
    // The document's wait in the document's tint: only when the report colours by type.
    const int phases = paintReport(WaterfallPainter::Colouring::Phases);
    const int types = paintReport(WaterfallPainter::Colouring::ContentTypes);
    QVERIFY2(types > phases + 100, qPrintable(QStringLiteral("%1 vs %2").arg(types).arg(phases)));
}

QTEST_MAIN(tst_WaterfallColours)
#include "tst_waterfallcolours.moc"
