#pragma once

#include "model/requesttiming.h"

#include <QColor>
#include <QList>
#include <QPointF>
#include <QRectF>
#include <QSizeF>
#include <QString>

#include <optional>

// Milliseconds from navigation start → x in pixels, and back.
struct WaterfallScale
{
    double originX = 0; // x of 0 ms
    double pxPerMs = 1;

    double x(double ms) const { return originX + ms * pxPerMs; }
    double ms(double x) const { return pxPerMs > 0 ? (x - originX) / pxPerMs : 0; }
};

// Where everything of the waterfall goes, without a widget: WaterfallView paints and hit-tests through this, and
// tests check it directly. All rectangles are in viewport coordinates (the scroll offset applied).
//
// The viewport has a fixed header at the top (the legend, then, side by side, each lane's title, then the time
// axis) and the scrolled rows below it. Side by side, lanes are equal columns (at least minLaneWidth wide,
// scrolled horizontally when they do not fit), each with its own URL column and bar area; stacked, lanes are
// blocks one below the other, each a title band and its rows, sharing one URL column and one bar area. Either
// way every lane's bar area has the same width and the same scale: one time axis for all.
class WaterfallGeometry final
{
public:
    enum class LayoutMode { SideBySide, Stacked };

    // A request's bar is split into these, in this order; Unaccounted is the part of durationMs the phases do
    // not explain (a request served from memory cache has no phases at all).
    enum class Phase { Blocked, Dns, Connect, Ssl, Send, Wait, Receive, Unaccounted };
    struct PhaseRect
    {
        Phase phase = Phase::Blocked;
        double startMs = 0;
        double durationMs = 0;
        QRectF rect;
    };
    // The page's moments drawn across the bars.
    enum class Marker { FirstContentfulPaint, LargestContentfulPaint, DomContentLoaded, Load };
    // Which request a point is on; lane and row are -1 when it is on none.
    struct Hit
    {
        int lane = -1;
        int row = -1;
        bool isValid() const { return lane >= 0 && row >= 0; }
    };

    // Layout inputs; the view fills them from its font, size, scroll bars and model.
    LayoutMode mode = LayoutMode::SideBySide;
    QSizeF viewport;
    QPointF scroll; // horizontal scroll only side by side
    QList<int> rowCounts; // per lane
    double spanMs = 1000; // the time the bar areas show, from 0
    double rowHeight = 18;
    double legendHeight = 20;
    double axisHeight = 20;
    double laneTitleHeight = 22;
    double laneGap = 8; // between lanes side by side, below each stacked
    // Three lanes side by side fit the waterfall of a 1024-px window (about 750 px there, lanes of about 245 px
    // with a bar area of 135 px); a lane this narrow still has a bar area of 110 px beside its URL column.
    double minLaneWidth = 220;
    double padding = 6; // around bar areas, so bars at 0 and at the span's end stay visible

    // The phases of a request as contiguous rectangles from startMs: each one present, in order; a phase that did
    // not happen has none. Finished or failed: they end at startMs + durationMs (an Unaccounted rect fills any
    // gap). Unfinished: they end where the known phases end.
    static QList<PhaseRect> phaseRects(
        const RequestTiming &request, const WaterfallScale &scale, double top, double height);
    // An unfinished request's open end: from where its known phases end to endMs; nothing for others.
    static std::optional<QRectF> openEndRect(
        const RequestTiming &request, const WaterfallScale &scale, double endMs, double top, double height);
    static QString phaseName(Phase phase);
    // The waterfall's colours, the window's and the PDF report's alike.
    static QColor phaseColor(Phase phase, bool dark);
    static QColor markerColor(Marker marker, bool dark);

    // A "nice" tick step (1, 2 or 5 × 10^n ms) so that ticks are at least minPx apart over widthPx for spanMs.
    static double tickStep(double spanMs, double widthPx, double minPx);
    // The axis span for a latest end: 100 ms × 1.25^n, the smallest that holds it, so that a live waterfall
    // rescales in steps (like DevTools) rather than on every request.
    static double spanFor(double maxEndMs);

    int laneCount() const { return static_cast<int>(rowCounts.size()); }
    double headerHeight() const;
    double laneWidth() const;
    double labelWidth() const; // the URL column, in each lane
    // The whole lane: side by side, its column (header included); stacked, its title band and rows.
    QRectF laneRect(int lane) const;
    QRectF laneTitleRect(int lane) const;
    // Where the lane's rows are (may extend beyond the viewport).
    QRectF rowsRect(int lane) const;
    QRectF rowRect(int lane, int row) const;
    QRectF labelRect(int lane, int row) const;
    // The x range the bars use, for the lane; the scale maps [0, spanMs] onto it.
    QRectF barArea(int lane) const;
    WaterfallScale scale(int lane) const;
    QRectF axisRect(int lane) const; // in the header, above the bar area
    // The rows of the lane that intersect the visible rows area: [first, last], or first > last for none.
    std::pair<int, int> visibleRows(int lane) const;
    // Content size including the header, for the scroll bars.
    QSizeF contentSize() const;
    Hit hitTest(const QPointF &point) const;

private:
    double stackedTop(int lane) const; // content y of a stacked lane's title
};
