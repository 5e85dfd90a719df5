// The waterfall's painter, into images: the bars are where the scale puts them in their phases' colours, a failed
// request is outlined and labelled in the theme's error colour, the markers are lines at their times, every other
// row is shaded, a dark theme gets the dark colours. Also the labels' elision, which keeps host and file name.

#include "darkpalette.h"
#include "waterfallpainter.h"

#include <QDir>
#include <QGuiApplication>
#include <QImage>
#include <QPainter>
#include <QTest>

namespace {

using Phase = WaterfallGeometry::Phase;
using Marker = WaterfallGeometry::Marker;

bool near(const QColor &a, const QColor &b, int tolerance = 10)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

int countColour(const QImage &image, const QRectF &rect, const QColor &color)
{
    int count = 0;
    const QRect pixels = rect.toAlignedRect().intersected(image.rect());
    for (int y = pixels.top(); y <= pixels.bottom(); ++y) {
        for (int x = pixels.left(); x <= pixels.right(); ++x)
            count += near(image.pixelColor(x, y), color, 6);
    }
    return count;
}

RequestTiming request(const QString &path, double startMs, double dns, double wait, double receive)
{
    RequestTiming r;
    r.id = path;
    r.url = QStringLiteral("https://example.com") + path;
    r.status = 200;
    r.startMs = startMs;
    if (dns > 0)
        r.phases.dns = dns;
    r.phases.wait = wait;
    r.phases.receive = receive;
    r.durationMs = r.phases.sum();
    r.outcome = RequestTiming::Outcome::Finished;
    return r;
}

// Three requests on a 1000 ms axis: the document (DNS 100, wait 200, receive 100 from 0), a script (wait 300 from
// 400) and an image that failed (DNS 50 from 500).
WaterfallPainter::Lane threeRequests()
{
    WaterfallPainter::Lane lane;
    lane.requests.append(request(QStringLiteral("/"), 0, 100, 200, 100));
    lane.requests.append(request(QStringLiteral("/app.js"), 400, 0, 300, 0));
    RequestTiming failed = request(QStringLiteral("/pixel.gif"), 500, 50, 0, 0);
    failed.phases.wait.reset();
    failed.phases.receive.reset();
    failed.durationMs = 50;
    failed.status.reset();
    failed.outcome = RequestTiming::Outcome::Failed;
    lane.requests.append(failed);
    lane.durations = { QStringLiteral("400 ms"), QStringLiteral("300 ms"), QStringLiteral("50 ms") };
    PageMetrics metrics;
    metrics.firstContentfulPaintMs = 450;
    metrics.loadMs = 800;
    lane.metrics = metrics;
    lane.spanMs = 1000;
    return lane;
}

struct Painted
{
    QImage image;
    QRectF bars;
    WaterfallScale scale;
    WaterfallPainter::LaneLayout layout;
};

Painted paintLane(const Theme &theme, const WaterfallPainter::Lane &lane)
{
    Painted p;
    p.image = QImage(900, 180, QImage::Format_RGB32);
    p.image.fill(theme.base());
    p.layout.axisHeight = 20;
    p.layout.rowHeight = 30;
    p.layout.labelWidth = 200;
    p.layout.durationWidth = 60;
    const QRectF rect(10, 10, 880, WaterfallPainter::laneHeight(p.layout, WaterfallPainter::rowCount(lane)));
    p.bars = WaterfallPainter::laneBars(rect, p.layout, WaterfallPainter::rowCount(lane));
    p.scale = { p.bars.left(), p.bars.width() / lane.spanMs };
    QPainter painter(&p.image);
    WaterfallPainter(theme, QGuiApplication::font(), &p.image).paintLane(painter, rect, lane, p.layout);
    return p;
}

QPoint at(const Painted &p, double ms, int row)
{
    return QPoint(int(p.scale.x(ms)), int(p.bars.top() + (row + 0.5) * p.layout.rowHeight));
}

} // namespace

class tst_WaterfallPainter : public QObject
{
    Q_OBJECT

private slots:
    void barsFollowTheScaleInPhaseColours();
    void failedRequestsAreOutlinedInTheErrorColour();
    void blockedRequestsAreGreyedNotRed();
    void markersAreLinesAtTheirTimes();
    void everyOtherRowIsShaded();
    void darkThemeGetsDarkColours();
    void legendShowsEveryPhase();
    void laneGeometry();
    void mainThreadRowShowsTheLongTasks();
    void labelsKeepHostAndFileName();
};

void tst_WaterfallPainter::barsFollowTheScaleInPhaseColours()
{
    const Painted p = paintLane(Theme::paper(), threeRequests());
    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty())
        QVERIFY(QDir().mkpath(keep) && p.image.save(QDir(keep).filePath(QStringLiteral("waterfallpainter.png"))));
    // The document: DNS over its first 100 ms, then wait, then receive; nothing after its end.
    QVERIFY(near(p.image.pixelColor(at(p, 50, 0)), WaterfallGeometry::phaseColor(Phase::Dns, false)));
    QVERIFY(near(p.image.pixelColor(at(p, 200, 0)), WaterfallGeometry::phaseColor(Phase::Wait, false)));
    QVERIFY(near(p.image.pixelColor(at(p, 350, 0)), WaterfallGeometry::phaseColor(Phase::Receive, false)));
    QVERIFY(!near(p.image.pixelColor(at(p, 420, 0)), WaterfallGeometry::phaseColor(Phase::Receive, false)));
    // The script only waits, from 400 to 700 ms.
    QVERIFY(!near(p.image.pixelColor(at(p, 380, 1)), WaterfallGeometry::phaseColor(Phase::Wait, false)));
    QVERIFY(near(p.image.pixelColor(at(p, 550, 1)), WaterfallGeometry::phaseColor(Phase::Wait, false)));
    QVERIFY(!near(p.image.pixelColor(at(p, 720, 1)), WaterfallGeometry::phaseColor(Phase::Wait, false)));
    // Bars stay right of the label column and left of the duration column.
    const QColor wait = WaterfallGeometry::phaseColor(Phase::Wait, false);
    QCOMPARE(countColour(p.image, QRectF(0, p.bars.top(), p.bars.left() - 1, p.bars.height()), wait), 0);
    QCOMPARE(countColour(p.image, QRectF(p.bars.right() + 1, p.bars.top(), 100, p.bars.height()), wait), 0);
}

void tst_WaterfallPainter::failedRequestsAreOutlinedInTheErrorColour()
{
    const Theme paper = Theme::paper();
    const Painted p = paintLane(paper, threeRequests());
    // Its DNS bar is there, with the error colour's outline just around it and its label in that colour.
    QVERIFY(near(p.image.pixelColor(at(p, 525, 2)), WaterfallGeometry::phaseColor(Phase::Dns, false)));
    const QRectF row(
        p.scale.x(495), p.bars.top() + 2 * p.layout.rowHeight, p.scale.x(555) - p.scale.x(495), p.layout.rowHeight);
    QVERIFY(countColour(p.image, row, paper.error()) > 20);
    // Text is antialiased: its label's darkest pixels are red rather than ink.
    const QRectF label(10, row.top(), p.layout.labelWidth / 2, row.height());
    int red = 0;
    for (int y = int(label.top()); y < int(label.bottom()); ++y) {
        for (int x = int(label.left()); x < int(label.right()); ++x) {
            const QColor c = p.image.pixelColor(x, y);
            red += c.red() - c.green() > 80;
        }
    }
    QVERIFY2(red > 5, qPrintable(QString::number(red)));
    // The requests that did not fail have no error colour anywhere in their rows.
    const QRectF others(10, p.bars.top(), 880, 2 * p.layout.rowHeight);
    QCOMPARE(countColour(p.image, others, paper.error()), 0);
}

void tst_WaterfallPainter::blockedRequestsAreGreyedNotRed()
{
    // The failed image of threeRequests(), but blocked by the test's settings: to Chrome a failure, to the user a
    // choice. Its row has no error colour and no phase colour, its bar is hatched in the muted colour, and it says
    // "blocked".
    const Theme paper = Theme::paper();
    WaterfallPainter::Lane lane = threeRequests();
    lane.requests[2].blocked = true;
    lane.requests[2].failureText = QStringLiteral("blocked by --block pixel.gif");
    const Painted p = paintLane(paper, lane);
    const QRectF row(10, p.bars.top() + 2 * p.layout.rowHeight, 880, p.layout.rowHeight);
    QCOMPARE(countColour(p.image, row, paper.error()), 0);
    QCOMPARE(countColour(p.image, row, WaterfallGeometry::phaseColor(Phase::Dns, false)), 0);
    const QRectF bar(p.scale.x(500), row.top(), p.scale.x(550) - p.scale.x(500), row.height());
    QVERIFY(countColour(p.image, bar, paper.muted()) > 20);
    const WaterfallPainter painter(paper, QGuiApplication::font(), &p.image);
    QCOMPARE(painter.statusText(lane.requests[2]), QStringLiteral("blocked"));
    QCOMPARE(painter.statusText(threeRequests().requests[2]), QStringLiteral("failed"));
}

void tst_WaterfallPainter::markersAreLinesAtTheirTimes()
{
    const Painted p = paintLane(Theme::paper(), threeRequests());
    const QColor load = WaterfallGeometry::markerColor(Marker::Load, false);
    const QColor fcp = WaterfallGeometry::markerColor(Marker::FirstContentfulPaint, false);
    // Load at 800 ms, on every row (over the bars too); nowhere else in the bars.
    for (int row = 0; row < 3; ++row) {
        const QPoint point = at(p, 800, row);
        QVERIFY2(countColour(p.image, QRectF(point.x() - 2, point.y() - 5, 5, 10), load) >= 5,
            qPrintable(QString::number(row)));
    }
    QCOMPARE(countColour(
                 p.image, QRectF(p.bars.left(), p.bars.top(), p.scale.x(780) - p.bars.left(), p.bars.height()), load),
        0);
    QVERIFY(countColour(p.image, QRectF(p.scale.x(450) - 2, p.bars.top(), 5, p.bars.height()), fcp) >= 20);
    // No DCL marker: the run did not report one.
    QCOMPARE(countColour(p.image, p.bars, WaterfallGeometry::markerColor(Marker::DomContentLoaded, false)), 0);
}

void tst_WaterfallPainter::everyOtherRowIsShaded()
{
    const Theme paper = Theme::paper();
    const Painted p = paintLane(paper, threeRequests());
    // Left of the labels, where nothing else is painted: the second row shaded, the first and third not.
    const auto shade = [&](int row) { return p.image.pixelColor(12, at(p, 0, row).y()); };
    QVERIFY(near(shade(1), paper.alternateBase(), 1));
    QVERIFY(near(shade(0), paper.base(), 1));
    QVERIFY(near(shade(2), paper.base(), 1));
}

void tst_WaterfallPainter::darkThemeGetsDarkColours()
{
    const Theme dark(darkPalette());
    QVERIFY(dark.isDark());
    const Painted p = paintLane(dark, threeRequests());
    QVERIFY(near(p.image.pixelColor(at(p, 200, 0)), WaterfallGeometry::phaseColor(Phase::Wait, true)));
    QVERIFY(!near(p.image.pixelColor(at(p, 200, 0)), WaterfallGeometry::phaseColor(Phase::Wait, false)));
    QVERIFY(countColour(p.image, p.bars, WaterfallGeometry::markerColor(Marker::Load, true)) > 0);
    QVERIFY(countColour(p.image, p.bars, dark.error()) > 0);
    QCOMPARE(countColour(p.image, p.bars, Theme::paper().error()), 0);
}

void tst_WaterfallPainter::legendShowsEveryPhase()
{
    QImage image(900, 30, QImage::Format_RGB32);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        WaterfallPainter(Theme::paper(), QGuiApplication::font(), &image).paintLegend(painter, QRectF(6, 0, 890, 30));
    }
    double previous = -1;
    for (const Phase phase :
        { Phase::Blocked, Phase::Dns, Phase::Connect, Phase::Ssl, Phase::Send, Phase::Wait, Phase::Receive }) {
        // Each swatch is a square of its colour on the middle line, left to right in the phases' order.
        int first = -1;
        for (int x = 0; x < image.width() && first < 0; ++x) {
            if (near(image.pixelColor(x, 15), WaterfallGeometry::phaseColor(phase, false), 2))
                first = x;
        }
        QVERIFY2(first > previous, qPrintable(WaterfallGeometry::phaseName(phase)));
        previous = first;
    }
    for (const Marker marker : { Marker::FirstContentfulPaint, Marker::DomContentLoaded, Marker::Load })
        QVERIFY(
            countColour(image, QRectF(previous, 0, 900 - previous, 30), WaterfallGeometry::markerColor(marker, false))
            > 0);
}

void tst_WaterfallPainter::laneGeometry()
{
    WaterfallPainter::LaneLayout layout;
    layout.axisHeight = 20;
    layout.rowHeight = 30;
    layout.labelWidth = 200;
    layout.durationWidth = 60;
    QCOMPARE(WaterfallPainter::laneHeight(layout, 0), 0.0); // nothing to show: no axis either
    QCOMPARE(WaterfallPainter::laneHeight(layout, 3), 110.0);
    QCOMPARE(WaterfallPainter::laneBars(QRectF(10, 10, 880, 110), layout, 3), QRectF(210, 30, 620, 90));
}

void tst_WaterfallPainter::mainThreadRowShowsTheLongTasks()
{
    WaterfallPainter::Lane lane = threeRequests();
    QCOMPARE(WaterfallPainter::rowCount(lane), 3); // no long tasks, no main-thread row
    lane.longTasks = { { 100, 300 }, { 600, 120 } };
    QCOMPARE(WaterfallPainter::rowCount(lane), 4);
    const Theme theme(QGuiApplication::palette());
    const Painted p = paintLane(theme, lane);
    if (const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR"); !dir.isEmpty())
        p.image.save(QDir(dir).filePath(QStringLiteral("waterfallpainter-mainthread.png")));
    // Below the requests, each task over its time: the part beyond 50 ms (what blocked) in the error colour, its
    // first 50 ms paler, and nothing between the tasks.
    QVERIFY(near(p.image.pixelColor(at(p, 300, 3)), theme.error()));
    QVERIFY(near(p.image.pixelColor(at(p, 690, 3)), theme.error()));
    const QColor pale = p.image.pixelColor(at(p, 120, 3));
    QVERIFY(!near(pale, theme.error()) && !near(pale, p.image.pixelColor(at(p, 500, 3))));
    QVERIFY(!near(p.image.pixelColor(at(p, 500, 3)), theme.error()));
    QVERIFY(!near(p.image.pixelColor(at(p, 800, 3)), theme.error()));
    // The requests' rows are as they were.
    QVERIFY(near(p.image.pixelColor(at(p, 200, 0)), WaterfallGeometry::phaseColor(Phase::Wait, false)));
    // The tooltip names the task under the pointer, its length, start and blocking time; nothing between tasks.
    const QString tip = WaterfallPainter::mainThreadToolTip(lane.longTasks, 250, 2);
    QVERIFY2(
        tip.contains(u"Main thread") && tip.contains(u"300 ms") && tip.contains(u"100 ms") && tip.contains(u"250 ms"),
        qPrintable(tip));
    QVERIFY(WaterfallPainter::mainThreadToolTip(lane.longTasks, 500, 2).isEmpty());
}

void tst_WaterfallPainter::labelsKeepHostAndFileName()
{
    const QFontMetricsF metrics(QGuiApplication::font());
    const auto fits = [&](const QString &label, qreal width) -> QString {
        const QString elided = WaterfallPainter::elideLabel(label, metrics, width);
        [&] { QVERIFY2(metrics.horizontalAdvance(elided) <= width, qPrintable(elided)); }();
        return elided;
    };
    const QString path = QStringLiteral("/static/js/vendor/chunks/app.2b9d4e.js");
    QCOMPARE(fits(path, 1000), path);
    QCOMPARE(fits(path, metrics.horizontalAdvance(QStringLiteral("/…/app.2b9d4e.js")) + 1),
        QStringLiteral("/…/app.2b9d4e.js"));
    const QString cdn = QStringLiteral("cdn.example.net/fonts/v2/inter-var.woff2");
    QCOMPARE(fits(cdn, metrics.horizontalAdvance(QStringLiteral("cdn.example.net/…/inter-var.woff2")) + 1),
        QStringLiteral("cdn.example.net/…/inter-var.woff2"));
    // Narrower still: the file name is elided too, the host stays.
    const QString narrower = fits(cdn,
        metrics.horizontalAdvance(QStringLiteral("cdn.example.net/…/"))
            + metrics.horizontalAdvance(QStringLiteral("abcdefghij")));
    QVERIFY2(narrower.startsWith(u"cdn.example.net/…/") && narrower.endsWith(u"2"), qPrintable(narrower));
    // No directory to drop, or no room at all: plain middle elision.
    QVERIFY(fits(QStringLiteral("/a-very-long-single-file-name-for-sure.js"), 80).contains(QChar(0x2026)));
    fits(cdn, 30);
}

QTEST_MAIN(tst_WaterfallPainter)
#include "tst_waterfallpainter.moc"
