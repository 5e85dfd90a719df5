#include "darkpalette.h"
#include "model/displayformat.h"
#include "requestdetailsview.h"
#include "waterfallgeometry.h"
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QApplication>
#include <QDir>
#include <QScrollBar>
#include <QSignalSpy>
#include <QTest>

#include <cmath>

using Phase = WaterfallGeometry::Phase;
using LayoutMode = WaterfallGeometry::LayoutMode;
using Marker = WaterfallGeometry::Marker;
Q_DECLARE_METATYPE(RequestPhases)

namespace {

RequestTiming finished(const QString &id, double startMs, RequestPhases phases)
{
    RequestTiming r;
    r.id = id;
    r.url = QStringLiteral("https://example.com/") + id;
    r.method = QStringLiteral("GET");
    r.resourceType = QStringLiteral("Script");
    r.status = 200;
    r.startMs = startMs;
    r.phases = phases;
    r.durationMs = phases.sum();
    r.outcome = RequestTiming::Outcome::Finished;
    return r;
}

// A page like a real one, as seen from a region whose round trip to the site takes rttMs: the document on a fresh
// TLS connection, then stylesheets and scripts it names, a font, images, two API calls, one request that fails
// and one still open when the load ends.
struct Page
{
    QList<RequestTiming> requests;
    PageMetrics metrics;
};

Page realisticPage(const QString &origin, double rttMs, double serverMs)
{
    Page page;
    int serial = 0;
    const auto add = [&](const QString &path, const QString &type, double start, bool newConnection, double waitMs,
                         double receiveMs, qint64 bytes) -> RequestTiming & {
        RequestTiming r;
        r.id = QString::number(++serial);
        r.url = (path.startsWith(u"http") ? QString() : origin) + path;
        r.method = QStringLiteral("GET");
        r.resourceType = type;
        r.status = 200;
        r.statusText = QStringLiteral("OK");
        r.protocol = QStringLiteral("h2");
        r.remoteIp = QStringLiteral("203.0.113.10");
        r.startMs = start;
        r.phases.blocked = 1.5 + (serial % 4) * 0.7;
        if (newConnection) {
            r.phases.dns = 4 + rttMs * 0.5;
            r.phases.connect = rttMs;
            r.phases.ssl = rttMs * 1.1;
        }
        r.phases.send = 0.3;
        r.phases.wait = waitMs + rttMs;
        r.phases.receive = receiveMs;
        r.durationMs = r.phases.sum();
        r.encodedBytes = bytes;
        r.decodedBytes = bytes * 3;
        r.outcome = RequestTiming::Outcome::Finished;
        page.requests.append(r);
        return page.requests.last();
    };
    const double parsed = *add(QStringLiteral("/"), QStringLiteral("Document"), 0, true, serverMs, 25, 38'000).endMs();
    const double css = parsed + 4;
    add(QStringLiteral("/static/css/site.css"), QStringLiteral("Stylesheet"), css, false, 20, 12, 24'000);
    add(QStringLiteral("/static/css/print.css"), QStringLiteral("Stylesheet"), css + 1, false, 15, 3, 2'000);
    add(QStringLiteral("https://cdn.example.net/fonts/inter.css"), QStringLiteral("Stylesheet"), css + 2, true, 10, 4,
        3'000);
    add(QStringLiteral("/static/js/vendor.8f3a1c.js"), QStringLiteral("Script"), css + 3, false, 30, 60, 180'000);
    add(QStringLiteral("/static/js/app.2b9d4e.js"), QStringLiteral("Script"), css + 4, false, 35, 40, 95'000);
    add(QStringLiteral("/static/js/analytics.js?v=3"), QStringLiteral("Script"), css + 5, false, 12, 8, 14'000);
    const double cssEnd = css + 2 + 4 + rttMs * 3.6 + 10 + rttMs + 4 + 6;
    const double fcp = cssEnd + 40;
    add(QStringLiteral("https://cdn.example.net/fonts/inter-var.woff2"), QStringLiteral("Font"), cssEnd + 2, false, 8,
        30, 98'000);
    const double images = parsed + 20;
    const QStringList imageNames { QStringLiteral("hero@2x.jpg"), QStringLiteral("logo.svg"),
        QStringLiteral("team/anna.jpg"), QStringLiteral("team/ben.jpg"), QStringLiteral("team/chloe.jpg"),
        QStringLiteral("product-shot-large.webp"), QStringLiteral("icons/sprite.png"),
        QStringLiteral("gallery/2024/summer-offsite-panorama-full-resolution.jpg"), QStringLiteral("badge.png"),
        QStringLiteral("footer-map.png") };
    for (int i = 0; i < imageNames.size(); ++i)
        add(u"/static/img/" + imageNames.at(i), QStringLiteral("Image"), images + i * 6, false, 10 + i * 3,
            15 + (i * 37) % 90, 20'000 + i * 9'000);
    const double dcl = *page.requests.at(4).endMs() + 30;
    add(QStringLiteral("/api/session"), QStringLiteral("XHR"), dcl + 5, false, 45, 2, 600);
    add(QStringLiteral("/api/recommendations?limit=12&locale=en-GB"), QStringLiteral("Fetch"), dcl + 8, false, 120, 6,
        4'200);
    add(QStringLiteral("/favicon.ico"), QStringLiteral("Other"), dcl + 20, false, 5, 1, 1'100);
    add(QStringLiteral("https://cdn.example.net/img/promo-banner.avif"), QStringLiteral("Image"), dcl + 25, false, 20,
        35, 41'000);
    // Plain http on a connection of its own: DNS and connect, no SSL.
    RequestTiming &plain = add(
        QStringLiteral("http://legacy.example.org/counter.gif"), QStringLiteral("Image"), dcl + 30, true, 5, 1, 43);
    plain.phases.ssl.reset();
    plain.protocol = QStringLiteral("http/1.1");
    plain.durationMs = plain.phases.sum();

    RequestTiming failed;
    failed.id = QString::number(++serial);
    failed.url = QStringLiteral("https://tracker.invalid/pixel.gif");
    failed.method = QStringLiteral("GET");
    failed.resourceType = QStringLiteral("Image");
    failed.startMs = dcl + 12;
    failed.phases.blocked = 2;
    failed.phases.dns = 35;
    failed.durationMs = 37;
    failed.outcome = RequestTiming::Outcome::Failed;
    failed.failureText = QStringLiteral("net::ERR_NAME_NOT_RESOLVED");
    page.requests.append(failed);

    RequestTiming open;
    open.id = QString::number(++serial);
    open.url = origin + QStringLiteral("/api/live-updates");
    open.method = QStringLiteral("GET");
    open.resourceType = QStringLiteral("EventSource");
    open.startMs = dcl + 40;
    open.phases.blocked = 1;
    open.phases.send = 0.2;
    open.phases.wait = 30 + rttMs;
    open.outcome = RequestTiming::Outcome::Unfinished;
    page.requests.append(open);

    double load = 0;
    for (const RequestTiming &r : std::as_const(page.requests)) {
        if (r.outcome != RequestTiming::Outcome::Unfinished)
            load = std::max(load, *r.endMs());
    }
    page.metrics.firstContentfulPaintMs = fcp;
    page.metrics.domContentLoadedMs = dcl;
    page.metrics.loadMs = load + 8;
    page.metrics.requestCount = static_cast<int>(page.requests.size());
    return page;
}

// Streams fra, syd and iad the way probes would: each region's requests in end order.
void fillThreeRegions(WaterfallModel &model)
{
    const std::tuple<QString, double, double> regions[]
        = { { QStringLiteral("fra"), 14, 60 }, { QStringLiteral("syd"), 290, 70 }, { QStringLiteral("iad"), 95, 55 } };
    for (const auto &[region, rtt, server] : regions) {
        model.addLane(region);
        Page page = realisticPage(QStringLiteral("https://www.example.com"), rtt, server);
        std::stable_sort(page.requests.begin(), page.requests.end(),
            [](const auto &a, const auto &b) { return a.endMs().value_or(1e9) < b.endMs().value_or(1e9); });
        for (const RequestTiming &r : std::as_const(page.requests))
            model.addRequest(region, 0, RunView::First, r);
        model.setPageMetrics(region, 0, RunView::First, page.metrics);
    }
    model.flushPending();
}

} // namespace

class tst_WaterfallView : public QObject
{
    Q_OBJECT

private slots:
    void phaseRects_data();
    void phaseRects();
    void absentPhasesHaveNoRect();
    void unfinishedHasAnOpenEnd();
    void ticks_data();
    void ticks();
    void spanGrowsInSteps();
    void sideBySideLanes();
    void stackedLanes();
    void visibleRowsOnly();
    void hitTesting_data();
    void hitTesting();
    void clickEmitsTheRequest();
    void rowsAppearWhileLoading();
    void detailsText();
    void errorsDurationsAndMarkersAreReadable();
    void pendingRowsGrowUntilTheirRunEnds();
    void screenshots();
};

void tst_WaterfallView::phaseRects_data()
{
    QTest::addColumn<RequestPhases>("phases");
    QTest::addColumn<double>("startMs");
    QTest::addColumn<double>("originX");
    QTest::addColumn<double>("pxPerMs");
    RequestPhases all;
    all.blocked = 2.5;
    all.dns = 20;
    all.connect = 31.2;
    all.ssl = 40.7;
    all.send = 0.4;
    all.wait = 120;
    all.receive = 57.3;
    RequestPhases reused; // a request on a connection already open
    reused.blocked = 1;
    reused.send = 0.2;
    reused.wait = 80;
    reused.receive = 12;
    RequestPhases plainHttp = all;
    plainHttp.ssl.reset();
    QTest::newRow("all phases") << all << 0.0 << 200.0 << 0.5;
    QTest::newRow("all phases, later, zoomed") << all << 1234.5 << 180.0 << 2.75;
    QTest::newRow("reused connection") << reused << 310.0 << 150.0 << 0.213;
    QTest::newRow("plain http") << plainHttp << 42.0 << 0.0 << 1.0;
}

void tst_WaterfallView::phaseRects()
{
    QFETCH(RequestPhases, phases);
    QFETCH(double, startMs);
    QFETCH(double, originX);
    QFETCH(double, pxPerMs);
    const RequestTiming request = finished(QStringLiteral("r"), startMs, phases);
    const WaterfallScale scale { originX, pxPerMs };
    const QList<WaterfallGeometry::PhaseRect> rects = WaterfallGeometry::phaseRects(request, scale, 10, 8);

    const std::pair<Phase, std::optional<double>> expected[] = { { Phase::Blocked, phases.blocked },
        { Phase::Dns, phases.dns }, { Phase::Connect, phases.connect }, { Phase::Ssl, phases.ssl },
        { Phase::Send, phases.send }, { Phase::Wait, phases.wait }, { Phase::Receive, phases.receive } };
    double phaseStart = startMs;
    qsizetype i = 0;
    for (const auto &[phase, duration] : expected) {
        if (!duration)
            continue;
        QVERIFY2(i < rects.size(), qPrintable(WaterfallGeometry::phaseName(phase)));
        const WaterfallGeometry::PhaseRect &rect = rects.at(i++);
        QCOMPARE(rect.phase, phase);
        // Left and width are the phase's start and duration through the scale (within a pixel).
        QVERIFY(std::abs(rect.rect.left() - (originX + phaseStart * pxPerMs)) < 1);
        QVERIFY(std::abs(rect.rect.width() - *duration * pxPerMs) < 1);
        QCOMPARE(rect.startMs, phaseStart);
        QCOMPARE(rect.durationMs, *duration);
        QCOMPARE(rect.rect.top(), 10.0);
        QCOMPARE(rect.rect.height(), 8.0);
        phaseStart += *duration;
    }
    QCOMPARE(rects.size(), i); // nothing more: no absent phase, no unaccounted rest
    for (qsizetype k = 1; k < rects.size(); ++k)
        QVERIFY(std::abs(rects.at(k).rect.left() - rects.at(k - 1).rect.right()) < 1e-9); // contiguous
    double total = 0;
    for (const auto &rect : rects)
        total += rect.rect.width();
    QVERIFY(std::abs(total - *request.durationMs * pxPerMs) < 1);
    QVERIFY(std::abs(rects.constLast().rect.right() - scale.x(*request.endMs())) < 1);
}

void tst_WaterfallView::absentPhasesHaveNoRect()
{
    const WaterfallScale scale { 0, 1 };
    RequestPhases waitOnly;
    waitOnly.wait = 30;
    auto rects = WaterfallGeometry::phaseRects(finished(QStringLiteral("w"), 5, waitOnly), scale, 0, 10);
    QCOMPARE(rects.size(), 1);
    QCOMPARE(rects.at(0).phase, Phase::Wait);
    QCOMPARE(rects.at(0).rect, QRectF(5, 0, 30, 10));

    // A request with a duration but no phases (from memory cache): one unaccounted stretch, nothing else.
    RequestTiming cached = finished(QStringLiteral("c"), 10, {});
    cached.durationMs = 4;
    rects = WaterfallGeometry::phaseRects(cached, scale, 0, 10);
    QCOMPARE(rects.size(), 1);
    QCOMPARE(rects.at(0).phase, Phase::Unaccounted);
    QCOMPARE(rects.at(0).rect, QRectF(10, 0, 4, 10));

    // Nothing known at all: no rectangle.
    RequestTiming nothing;
    nothing.startMs = 50;
    QVERIFY(WaterfallGeometry::phaseRects(nothing, scale, 0, 10).isEmpty());
    QVERIFY(!WaterfallGeometry::openEndRect(cached, scale, 1000, 0, 10));
}

void tst_WaterfallView::unfinishedHasAnOpenEnd()
{
    RequestTiming open;
    open.startMs = 100;
    open.phases.blocked = 10;
    open.phases.send = 1;
    open.phases.wait = 39; // still waiting for the first byte
    open.outcome = RequestTiming::Outcome::Unfinished;
    const WaterfallScale scale { 20, 0.5 };
    const auto rects = WaterfallGeometry::phaseRects(open, scale, 0, 10);
    QCOMPARE(rects.size(), 3);
    QCOMPARE(rects.constLast().rect.right(), scale.x(150));
    const auto openEnd = WaterfallGeometry::openEndRect(open, scale, 400, 0, 10);
    QVERIFY(openEnd);
    QCOMPARE(openEnd->left(), scale.x(150));
    QCOMPARE(openEnd->right(), scale.x(400));
    QVERIFY(!WaterfallGeometry::openEndRect(open, scale, 120, 0, 10)); // the axis ends before: nothing to draw
}

void tst_WaterfallView::ticks_data()
{
    QTest::addColumn<double>("spanMs");
    QTest::addColumn<double>("widthPx");
    QTest::addColumn<double>("step");
    QTest::addColumn<QString>("secondLabel");
    QTest::newRow("short page") << 400.0 << 400.0 << 100.0 << "100 ms";
    QTest::newRow("tiny") << 100.0 << 700.0 << 10.0 << "10 ms";
    QTest::newRow("seconds") << 3000.0 << 500.0 << 500.0 << "0.5 s";
    QTest::newRow("long") << 12000.0 << 600.0 << 2000.0 << "2 s";
    QTest::newRow("narrow") << 1500.0 << 150.0 << 1000.0 << "1 s";
}

void tst_WaterfallView::ticks()
{
    QFETCH(double, spanMs);
    QFETCH(double, widthPx);
    QFETCH(double, step);
    QFETCH(QString, secondLabel);
    const double got = WaterfallGeometry::tickStep(spanMs, widthPx, 70);
    QCOMPARE(got, step);
    QVERIFY(got * widthPx / spanMs >= 70); // far enough apart for their labels
    QCOMPARE(DisplayFormat::axisTick(0, got, spanMs), QStringLiteral("0"));
    QCOMPARE(DisplayFormat::axisTick(got, got, spanMs), secondLabel);
}

void tst_WaterfallView::spanGrowsInSteps()
{
    QCOMPARE(WaterfallGeometry::spanFor(0), 100.0);
    QCOMPARE(WaterfallGeometry::spanFor(100), 100.0);
    QCOMPARE(WaterfallGeometry::spanFor(101), 125.0);
    const double span = WaterfallGeometry::spanFor(2345);
    QVERIFY(span >= 2345 && span < 2345 * 1.25);
    QCOMPARE(WaterfallGeometry::spanFor(2300), span); // a little more does not rescale
}

void tst_WaterfallView::sideBySideLanes()
{
    WaterfallGeometry g;
    g.mode = LayoutMode::SideBySide;
    g.viewport = QSizeF(1200, 600);
    g.rowCounts = { 25, 40, 3 };
    g.spanMs = 2000;
    const double width = g.laneRect(0).width();
    for (int lane = 0; lane < 3; ++lane) {
        const QRectF rect = g.laneRect(lane);
        QCOMPARE(rect.top(), 0.0);
        QCOMPARE(rect.height(), 600.0);
        QCOMPARE(rect.width(), width);
        if (lane > 0)
            QVERIFY(rect.left() >= g.laneRect(lane - 1).right());
        QVERIFY(g.laneRect(lane).contains(g.barArea(lane).topLeft()));
        QVERIFY(g.barArea(lane).right() <= rect.right());
        // One time axis: the same scale in every lane, only shifted.
        QCOMPARE(g.scale(lane).pxPerMs, g.scale(0).pxPerMs);
        QCOMPARE(g.scale(lane).x(0) - rect.left(), g.scale(0).x(0) - g.laneRect(0).left());
        QCOMPARE(g.rowRect(lane, 0).top(), g.headerHeight());
    }
    QVERIFY(g.laneRect(2).right() <= 1200);
    QCOMPARE(g.contentSize().height(), g.headerHeight() + 40 * g.rowHeight + g.padding);

    // Too many lanes for the width: each keeps its minimum and the lanes scroll sideways.
    g.rowCounts = QList<int>(8, 10);
    QCOMPARE(g.laneWidth(), g.minLaneWidth);
    QVERIFY(g.contentSize().width() > 1200);
    g.scroll = QPointF(300, 0);
    QCOMPARE(g.laneRect(1).left(), g.minLaneWidth + g.laneGap - 300);
}

void tst_WaterfallView::stackedLanes()
{
    WaterfallGeometry g;
    g.mode = LayoutMode::Stacked;
    g.viewport = QSizeF(1000, 500);
    g.rowCounts = { 25, 40, 3 };
    g.spanMs = 2000;
    QCOMPARE(g.laneRect(0).top(), g.headerHeight());
    for (int lane = 0; lane < 3; ++lane) {
        const QRectF rect = g.laneRect(lane);
        QCOMPARE(rect.left(), 0.0);
        QCOMPARE(rect.width(), 1000.0);
        QCOMPARE(rect.height(), g.laneTitleHeight + g.rowCounts.at(lane) * g.rowHeight);
        if (lane > 0)
            QCOMPARE(rect.top(), g.laneRect(lane - 1).bottom() + g.laneGap);
        QCOMPARE(g.rowRect(lane, 0).top(), rect.top() + g.laneTitleHeight);
        // One axis: identical scale for every lane.
        QCOMPARE(g.scale(lane).originX, g.scale(0).originX);
        QCOMPARE(g.scale(lane).pxPerMs, g.scale(0).pxPerMs);
    }
    QCOMPARE(g.contentSize().height(), g.laneRect(2).bottom() + g.laneGap);
    g.scroll = QPointF(50, 100); // no sideways scrolling when stacked
    QCOMPARE(g.laneRect(0).left(), 0.0);
    QCOMPARE(g.laneRect(0).top(), g.headerHeight() - 100);
}

void tst_WaterfallView::visibleRowsOnly()
{
    WaterfallGeometry g;
    g.viewport = QSizeF(900, 400);
    g.rowCounts = { 5000, 2 };
    g.rowHeight = 20;
    const double rowsHeight = 400 - g.headerHeight();
    auto [first, last] = g.visibleRows(0);
    QCOMPARE(first, 0);
    QCOMPARE(last, static_cast<int>(std::ceil(rowsHeight / 20)) - 1);
    QCOMPARE(g.visibleRows(1), std::make_pair(0, 1));
    g.scroll = QPointF(0, 20 * 1000 + 5);
    std::tie(first, last) = g.visibleRows(0);
    QCOMPARE(first, 1000);
    QVERIFY(last - first <= rowsHeight / 20 + 1);
    QVERIFY(g.visibleRows(1).first > g.visibleRows(1).second); // lane 1 has scrolled out

    g.mode = LayoutMode::Stacked;
    g.scroll = QPointF(0, 0);
    QCOMPARE(g.visibleRows(0).first, 0);
    QVERIFY(g.visibleRows(1).first > g.visibleRows(1).second); // below 5000 rows of lane 0
}

void tst_WaterfallView::hitTesting_data()
{
    QTest::addColumn<LayoutMode>("mode");
    QTest::newRow("side by side") << LayoutMode::SideBySide;
    QTest::newRow("stacked") << LayoutMode::Stacked;
}

void tst_WaterfallView::hitTesting()
{
    QFETCH(LayoutMode, mode);
    WaterfallModel model;
    fillThreeRegions(model);
    WaterfallView view;
    view.setModel(&model);
    view.setLayoutMode(mode);
    view.resize(1200, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCOMPARE(view.layoutMode(), mode);

    const auto check = [&](int lane, int row) {
        // Scroll the row into view first: only what is in the viewport can be hit.
        QRectF rect = view.layoutGeometry().rowRect(lane, row);
        if (rect.top() < view.layoutGeometry().headerHeight() || rect.bottom() > view.viewport()->height()) {
            QScrollBar *bar = view.verticalScrollBar();
            bar->setValue(bar->value() + static_cast<int>(rect.top() - view.layoutGeometry().headerHeight()));
        }
        const WaterfallGeometry g = view.layoutGeometry();
        rect = g.rowRect(lane, row);
        QVERIFY(rect.top() >= g.headerHeight() && rect.bottom() <= g.viewport.height());
        for (const QPointF point : { rect.center(), rect.topLeft() + QPointF(g.padding + 1, 1),
                 QPointF(g.barArea(lane).right() - 1, rect.bottom() - 1) }) {
            const QModelIndex index = view.rowAt(point.toPoint());
            QVERIFY2(index.isValid(), qPrintable(QStringLiteral("lane %1 row %2").arg(lane).arg(row)));
            QCOMPARE(index.parent().row(), lane);
            QCOMPARE(index.row(), row);
            QCOMPARE(
                index.data(WaterfallModel::RequestTimingRole).value<RequestTiming>().id, model.request(lane, row)->id);
        }
    };
    for (int lane = 0; lane < 3; ++lane) {
        check(lane, 0);
        if (mode == LayoutMode::SideBySide)
            check(lane, 7);
    }
    // The header and the space after a lane's last row are no request.
    view.verticalScrollBar()->setValue(0);
    const WaterfallGeometry g = view.layoutGeometry();
    QVERIFY(!view.rowAt(QPoint(10, 5)).isValid());
    QVERIFY(!view.rowAt(g.rowsRect(0).topLeft().toPoint() - QPoint(0, 2)).isValid());
    if (mode == LayoutMode::SideBySide) {
        QVERIFY(!view.rowAt(QPointF(g.rowsRect(0).center().x(), g.rowsRect(0).bottom() + 3).toPoint()).isValid());
        QVERIFY(!view.rowAt(QPointF(g.laneRect(0).right() + g.laneGap / 2, 100).toPoint()).isValid());
    }

    // Scrolled down, points map to the rows now under them.
    view.verticalScrollBar()->setValue(view.verticalScrollBar()->maximum());
    QVERIFY(view.verticalScrollBar()->value() > 0);
    const int lastLane = mode == LayoutMode::SideBySide ? 0 : 2;
    check(lastLane, model.requestCount(lastLane) - 1);
}

void tst_WaterfallView::clickEmitsTheRequest()
{
    WaterfallModel model;
    fillThreeRegions(model);
    WaterfallView view;
    view.setModel(&model);
    view.resize(1200, 500);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QSignalSpy clicked(&view, &WaterfallView::requestClicked);
    const QPoint point = view.layoutGeometry().rowRect(1, 3).center().toPoint();
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, point);
    QCOMPARE(clicked.size(), 1);
    QCOMPARE(clicked.at(0).at(0).toString(), QStringLiteral("syd"));
    QCOMPARE(clicked.at(0).at(1).value<RequestTiming>(), *model.request(1, 3));
    QCOMPARE(view.selectedRow().parent().row(), 1);
    QCOMPARE(view.selectedRow().row(), 3);
    // Not on a row: nothing.
    QTest::mouseClick(view.viewport(), Qt::LeftButton, {}, QPoint(5, 5));
    QCOMPARE(clicked.size(), 1);
}

void tst_WaterfallView::rowsAppearWhileLoading()
{
    WaterfallModel model;
    WaterfallView view;
    view.setModel(&model);
    view.resize(900, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const Page page = realisticPage(QStringLiteral("https://www.example.com"), 40, 50);
    for (int i = 0; i < 10; ++i)
        model.addRequest(QStringLiteral("fra"), 0, RunView::First, page.requests.at(i));
    QTRY_COMPARE(view.layoutGeometry().rowCounts, QList<int>({ 10 }));
    QVERIFY(view.layoutGeometry().spanMs >= model.maxEndMs());
    for (int i = 10; i < page.requests.size(); ++i)
        model.addRequest(QStringLiteral("fra"), 0, RunView::First, page.requests.at(i));
    QTRY_COMPARE(view.layoutGeometry().rowCounts, QList<int>({ static_cast<int>(page.requests.size()) }));
    // Enough rows to scroll: the scroll bar follows the model without being told.
    QTRY_VERIFY(view.verticalScrollBar()->maximum() > 0);
    const QImage image = view.grab().toImage();
    QVERIFY(!image.isNull());
    // A bar was painted in a phase colour somewhere in the first row.
    const WaterfallGeometry g = view.layoutGeometry();
    const QRectF row = g.rowRect(0, 0);
    bool sawPhase = false;
    const QPoint offset = view.viewport()->mapTo(&view, QPoint(0, 0));
    for (int x = static_cast<int>(g.barArea(0).left()); x < g.barArea(0).right(); ++x) {
        const QColor c = image.pixelColor(QPoint(x, static_cast<int>(row.center().y())) + offset);
        if (c == WaterfallGeometry::phaseColor(Phase::Dns, false)
            || c == WaterfallGeometry::phaseColor(Phase::Wait, false))
            sawPhase = true;
    }
    QVERIFY(sawPhase);
    model.clear();
    QTRY_COMPARE(view.layoutGeometry().laneCount(), 0);
    QTRY_COMPARE(view.verticalScrollBar()->maximum(), 0);
}

void tst_WaterfallView::errorsDurationsAndMarkersAreReadable()
{
    // A 200 and a 404 of the same timing, and a page whose FCP and DCL fall on the same millisecond.
    WaterfallModel model;
    RequestPhases phases;
    phases.wait = 100;
    phases.receive = 20;
    RequestTiming ok = finished(QStringLiteral("ok.js"), 0, phases);
    RequestTiming missing = finished(QStringLiteral("missing.js"), 0, phases);
    missing.status = 404;
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, ok);
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, missing);
    PageMetrics m;
    m.firstContentfulPaintMs = 300;
    m.domContentLoadedMs = 300;
    m.largestContentfulPaintMs = 600;
    m.loadMs = 900;
    model.setPageMetrics(QStringLiteral("fra"), 0, RunView::First, m);
    model.flushPending();
    WaterfallView view;
    view.setModel(&model);
    view.setLayoutMode(LayoutMode::Stacked);
    view.resize(900, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    QCoreApplication::processEvents();
    const QImage image = view.viewport()->grab().toImage();
    const WaterfallGeometry g = view.layoutGeometry();
    const WaterfallScale scale = g.scale(0);
    const auto pixel = [&](double x, double y) { return image.pixelColor(static_cast<int>(x), static_cast<int>(y)); };
    const int okRow = model.request(0, 0)->status == 200 ? 0 : 1;
    const int errorRow = 1 - okRow;
    const QRectF okRect = g.rowRect(0, okRow);
    const QRectF errorRect = g.rowRect(0, errorRow);
    // The 404's row is tinted red (right of its bar, off the grid's ticks); the 200's stays grey.
    const double quiet = scale.x(770);
    const QColor okBackground = pixel(quiet, okRect.top() + 1);
    const QColor errorBackground = pixel(quiet, errorRect.top() + 1);
    QVERIFY2(std::abs(okBackground.red() - okBackground.blue()) < 6, qPrintable(okBackground.name()));
    QVERIFY2(errorBackground.red() - errorBackground.blue() > 10, qPrintable(errorBackground.name()));
    // The duration is written right of the bar: some text-coloured pixels in the 60 px after its end.
    int ink = 0;
    for (double x = scale.x(120) + 3; x < scale.x(120) + 60; ++x) {
        for (double y = okRect.top() + 2; y < okRect.bottom() - 2; ++y)
            ink += qGray(pixel(x, y).rgb()) < 160 ? 1 : 0;
    }
    QVERIFY2(ink > 5, qPrintable(QString::number(ink)));
    // LCP has its line; FCP and DCL on one x are both still there (one dashed over the other).
    const double below = g.rowsRect(0).bottom() - 2;
    bool sawLcp = false;
    for (int dx = -1; dx <= 1; ++dx)
        sawLcp = sawLcp
            || pixel(scale.x(600) + 0.5 + dx, below)
                == WaterfallGeometry::markerColor(Marker::LargestContentfulPaint, false);
    QVERIFY(sawLcp);
    bool sawFcp = false;
    bool sawDcl = false;
    for (double y = g.rowsRect(0).top(); y < g.rowsRect(0).bottom(); ++y) {
        for (int dx = -1; dx <= 1; ++dx) {
            const QColor c = pixel(scale.x(300) + 0.5 + dx, y);
            sawFcp = sawFcp || c == WaterfallGeometry::markerColor(Marker::FirstContentfulPaint, false);
            sawDcl = sawDcl || c == WaterfallGeometry::markerColor(Marker::DomContentLoaded, false);
        }
    }
    QVERIFY(sawFcp && sawDcl);
    // The lane's title gives the moments' times.
    const QString title = view.laneSummary(0, false);
    QVERIFY2(title.contains(u"FCP 300 ms") && title.contains(u"DCL 300 ms") && title.contains(u"LCP 600 ms"),
        qPrintable(title));
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        view.grab().save(dir + QStringLiteral("/waterfall-errors-markers.png"));
}

void tst_WaterfallView::pendingRowsGrowUntilTheirRunEnds()
{
    WaterfallModel model;
    double now = 100;
    model.setClock([&now] { return now; });
    RequestPhases phases;
    phases.wait = 80;
    phases.receive = 20;
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, finished(QStringLiteral("index.html"), 0, phases));
    RequestTiming image;
    image.id = QStringLiteral("hero.jpg");
    image.url = QStringLiteral("https://example.com/hero.jpg");
    image.resourceType = QStringLiteral("Image");
    image.startMs = 50;
    model.addStarted(QStringLiteral("fra"), 0, RunView::First, { image });
    model.flushPending();
    WaterfallView view;
    view.setModel(&model);
    view.setLayoutMode(LayoutMode::Stacked);
    view.resize(900, 300);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    // The pending bar's leading edge: the rightmost dark pixel on the middle line of its row, right of the labels.
    const auto barEnd = [&] {
        const QImage shot = view.viewport()->grab().toImage();
        const WaterfallGeometry g = view.layoutGeometry();
        const QRectF row = g.rowRect(0, 1);
        const QRectF bars = g.barArea(0);
        for (int x = std::min(int(bars.right()), shot.width()) - 1; x > int(bars.left()); --x) {
            if (qGray(shot.pixel(x, int(row.center().y()))) < 100)
                return std::pair(double(x), g.scale(0));
        }
        return std::pair(-1.0, g.scale(0));
    };
    const auto endsAt = [&](double ms) {
        const auto [x, scale] = barEnd();
        if (std::abs(x - scale.x(ms)) > 3)
            qInfo("bar ends at %f, expected %f", x, scale.x(ms));
        return std::abs(x - scale.x(ms)) <= 3;
    };
    QVERIFY(model.isPending(0, 1));
    now = 400;
    QTRY_VERIFY_WITH_TIMEOUT(endsAt(400), 10'000); // it grows with the clock, without a new frame
    now = 800;
    QTRY_VERIFY_WITH_TIMEOUT(endsAt(800), 10'000);
    QCOMPARE(model.requestCount(0), 2); // it grew; it did not move or multiply
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        view.grab().save(dir + QStringLiteral("/waterfall-pending.png"));

    // The run ends without the image's end: the bar stops where it was, and ends in an error-coloured cross.
    model.endLive(QStringLiteral("fra"), 0);
    now = 1600;
    QTRY_VERIFY_WITH_TIMEOUT(!model.hasPendingRows(), 10'000);
    QCoreApplication::processEvents();
    const QImage shot = view.viewport()->grab().toImage();
    const WaterfallGeometry g = view.layoutGeometry();
    const QRectF row = g.rowRect(0, 1);
    const double stopped = g.scale(0).x(800);
    QVERIFY2(g.spanMs < 1600, qPrintable(QString::number(g.spanMs)));
    int red = 0;
    for (int x = int(stopped) - 8; x <= int(stopped) + 8; ++x) {
        for (int y = int(row.top()); y < int(row.bottom()); ++y) {
            const QColor c = shot.pixelColor(x, y);
            red += c.red() - c.blue() > 60 && c.red() - c.green() > 60 ? 1 : 0;
        }
    }
    QVERIFY2(red > 4, qPrintable(QString::number(red)));
    QCOMPARE(model.abandonedAtMs(0, 1), std::optional<double>(800));
    if (!dir.isEmpty())
        view.grab().save(dir + QStringLiteral("/waterfall-abandoned.png"));
}

void tst_WaterfallView::detailsText()
{
    const Page page = realisticPage(QStringLiteral("https://www.example.com"), 40, 50);
    RequestTiming withHeaders = page.requests.at(0);
    withHeaders.priority = QStringLiteral("VeryHigh");
    withHeaders.responseHeaders = { { QStringLiteral("content-type"), QStringLiteral("text/html") } };
    withHeaders.requestHeaders = { { QStringLiteral("accept-language"), QStringLiteral("en") } };
    const QString document = RequestDetailsView::detailsText(QStringLiteral("fra"), withHeaders);
    // A click tells what DevTools' Headers and Timing tabs tell: priority and headers included.
    for (const QString &part : { QStringLiteral("GET"), QStringLiteral("VeryHigh"), QStringLiteral("Response headers"),
             QStringLiteral("content-type: text/html"), QStringLiteral("Request headers"),
             QStringLiteral("accept-language: en") })
        QVERIFY2(document.contains(part), qPrintable(part));
    for (const QString &part : { QStringLiteral("https://www.example.com/"), QStringLiteral("200 OK"),
             QStringLiteral("Document"), QStringLiteral("DNS"), QStringLiteral("Connect"), QStringLiteral("SSL"),
             QStringLiteral("Wait"), QStringLiteral("Receive"), QStringLiteral("fra"), QStringLiteral("kB") })
        QVERIFY2(document.contains(part), qPrintable(part));
    const RequestTiming &failed = page.requests.at(page.requests.size() - 2);
    QVERIFY(RequestDetailsView::detailsText(QStringLiteral("fra"), failed).contains(u"net::ERR_NAME_NOT_RESOLVED"));
    QVERIFY(!RequestDetailsView::detailsText(QStringLiteral("fra"), failed).contains(u"Connect"));
    QVERIFY(RequestDetailsView::detailsText(QStringLiteral("fra"), page.requests.constLast()).contains(u"unfinished"));
}

void tst_WaterfallView::screenshots()
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (dir.isEmpty())
        QSKIP("set WORLDSPEED_SCREENSHOT_DIR to save screenshots");
    QVERIFY(QDir().mkpath(dir));
    WaterfallModel model;
    fillThreeRegions(model);
    const std::pair<LayoutMode, QString> modes[] = { { LayoutMode::SideBySide, QStringLiteral("side-by-side") },
        { LayoutMode::Stacked, QStringLiteral("stacked") } };
    for (const auto &[mode, modeName] : modes) {
        for (const bool dark : { false, true }) {
            WaterfallView view;
            if (dark)
                view.setPalette(darkPalette());
            view.setModel(&model);
            view.setLayoutMode(mode);
            view.resize(mode == LayoutMode::SideBySide ? 1500 : 1100, 200);
            view.show();
            QVERIFY(QTest::qWaitForWindowExposed(&view));
            // Tall enough for every row, so the picture shows everything.
            const int height = static_cast<int>(std::ceil(view.layoutGeometry().contentSize().height())) + view.height()
                - view.viewport()->height();
            view.resize(view.width(), height);
            QCoreApplication::processEvents();
            const QString file = dir + QStringLiteral("/waterfall-%1-%2.png").arg(modeName, dark ? u"dark" : u"light");
            QVERIFY2(view.grab().save(file), qPrintable(file));
        }
    }
}

QTEST_MAIN(tst_WaterfallView)
#include "tst_waterfallview.moc"
