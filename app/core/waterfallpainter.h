#pragma once

#include "model/longtask.h"
#include "model/pagemetrics.h"
#include "model/requesttiming.h"
#include "theme.h"
#include "waterfallgeometry.h"

#include <QCoreApplication>
#include <QFont>
#include <QFontMetricsF>
#include <QList>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

class QPainter;
class QPaintDevice;

// The waterfall's pieces, painted with QPainter onto any device: the live WaterfallView paints its visible rows
// and its header through it, the PDF report whole lanes of a few rows. Where things go comes from the caller
// (WaterfallGeometry on screen, the report's layout on paper); what they look like is decided here, once.
//
// A request's bar is split into its phases in WaterfallGeometry's colours; a failed request has an outline and a
// label in the theme's error colour, an HTTP error (4xx, 5xx) a tinted row and that label; an unfinished one a dashed
// open end to the span's end. The page's first and largest contentful paint, DOMContentLoaded and load are vertical
// lines over the bars (and small triangles on an axis), dashed where they fall on one another.
// Lines and gaps are in `unit`s: one screen pixel on screen; the PDF passes what a pixel should be on paper.
// Text sizes come from the font, which the device's resolution scales.
class WaterfallPainter final
{
    Q_DECLARE_TR_FUNCTIONS(WaterfallPainter)

public:
    using Phase = WaterfallGeometry::Phase;
    using Marker = WaterfallGeometry::Marker;

    // Where one row's parts go.
    struct RowRects
    {
        QRectF row; // the whole row: its shading and the bars' height
        QRectF label; // the URL column; the status, when shown, takes its right end
        QRectF duration; // right of the bars; empty: not shown
        bool status = false; // the HTTP status (or "failed") after the label: for paper, where there is no tooltip
        bool durationAtBar = false; // paintRow()'s `duration` right of the bar, where it fits (no column)
    };

    // A lane that does not scroll: the PDF's slowest requests of one run.
    struct Lane
    {
        QList<RequestTiming> requests; // in the order of the rows
        QStringList durations; // per request, for the duration column
        std::optional<PageMetrics> metrics; // its markers; none for a run without measured metrics
        QList<LongTask> longTasks; // a main-thread row below the requests when there are any
        double spanMs = 1000; // the axis, from 0
    };
    struct LaneLayout
    {
        double axisHeight = 20;
        double rowHeight = 18;
        double labelWidth = 200;
        double durationWidth = 0; // 0: no duration column
    };

    // What a bar's colours say: its phases (DNS, connect, wait, …; the default), or the content type it loaded, as
    // WebPageTest draws it: the waiting before the first byte in a light tint of the type's colour, the download in
    // the colour itself.
    enum class Colouring { Phases, ContentTypes };

    // `device` sizes the text (nullptr: the screen); `unit` is a screen pixel on it.
    WaterfallPainter(const Theme &theme, const QFont &font, const QPaintDevice *device, double unit = 1);

    void setColouring(Colouring colouring) { m_colouring = colouring; }
    Colouring colouring() const { return m_colouring; }
    // A content type's colour (a WaterfallModel::typeCategory(): "Script", "Image", …), DevTools' hues; the tint is
    // the lighter one of the time before the first byte.
    static QColor typeColor(const QString &category, bool dark);
    static QColor typeTint(const QString &category, bool dark);

    // A row label made to fit: directories are elided before the host and the file name.
    static QString elideLabel(const QString &label, const QFontMetricsF &metrics, qreal width);
    // How labels are made to fit `width`; by default elideLabel() with this painter's font. The live view passes
    // its cache: most rows are painted many times while a page loads.
    void setLabelElider(std::function<QString(const QString &label, double width)> elider);
    // Where the axis' ticks go for a bar area `width` wide: at least 70 units apart.
    double tickStep(double spanMs, double width) const;

    // The phases' (or content types') swatches, then the markers' lines, each with its name, from the left of
    // `rect`, centred on it; with `pending`, last a pending row's hatched swatch ("loading").
    void paintLegend(QPainter &painter, const QRectF &rect, bool pending = false) const;
    // Tick marks on the bottom edge of `axis` and their labels above it, right of each tick; the last goes left
    // of its tick when it would pass `right`. A label that would run into the previous one is left out.
    void paintAxis(
        QPainter &painter, const QRectF &axis, const WaterfallScale &scale, double spanMs, double right) const;
    // The markers as small triangles pointing down at the bottom edge of `axis`.
    void paintAxisMarkers(
        QPainter &painter, const QRectF &axis, const WaterfallScale &scale, const PageMetrics &metrics) const;
    // Vertical lines at the axis' ticks, from `top` to `bottom`, on the bar area `width` wide.
    void paintGrid(
        QPainter &painter, const WaterfallScale &scale, double spanMs, double width, double top, double bottom) const;
    // Under a row: the selection's tint, or the shading of every other (odd) row.
    void paintRowBackground(QPainter &painter, const QRectF &row, int index, bool selected) const;
    // The label (and status, duration), the phase bars, a failed request's outline, an unfinished one's open end.
    void paintRow(QPainter &painter, const RequestTiming &request, const QString &label, const RowRects &rects,
        const WaterfallScale &scale, double spanMs, const QString &duration = {}) const;
    // The markers as lines from `top` to `bottom`.
    void paintMarkers(
        QPainter &painter, const PageMetrics &metrics, const WaterfallScale &scale, double top, double bottom) const;

    // The main thread's row: "Main thread" in the label column and each long task as a bar over its time, its first
    // 50 ms paler than the rest, which is what blocked the page (the part Total Blocking Time adds up).
    void paintMainThread(
        QPainter &painter, const QList<LongTask> &tasks, const RowRects &rects, const WaterfallScale &scale) const;
    // The main-thread row's tooltip at `ms`: the tasks within `toleranceMs` of it; empty when there are none.
    static QString mainThreadToolTip(const QList<LongTask> &tasks, double ms, double toleranceMs);
    // A lane's rows: its requests, and the main thread's when it had long tasks.
    static qsizetype rowCount(const Lane &lane);

    static double laneHeight(const LaneLayout &layout, qsizetype rows);
    // The bars of a lane in `rect`: right of the label column, left of the duration column, below the axis.
    static QRectF laneBars(const QRectF &rect, const LaneLayout &layout, qsizetype rows);
    // A whole lane in `rect`: the axis on top, then a row per request, the markers over them.
    void paintLane(QPainter &painter, const QRectF &rect, const Lane &lane, const LaneLayout &layout) const;

    // A pending bar's hatched fill in `bar`, as paintPendingRow() and the legend draw it.
    void paintPendingFill(QPainter &painter, const QRectF &bar) const;
    // A live row whose request has started and not ended: its label quieter, its bar from its start to `untilMs` (the
    // lane's clock) striped in the muted colour with a solid leading edge, so it reads as "still going" and never as
    // a phase. `abandoned`: its run ended first; the bar stopped at `untilMs` and ends in an error-coloured cross.
    void paintPendingRow(QPainter &painter, const RequestTiming &request, const QString &label, const RowRects &rects,
        const WaterfallScale &scale, double untilMs, bool abandoned) const;

    // What a row's status column says: "blocked" (by the test's settings), "failed", or the HTTP status.
    QString statusText(const RequestTiming &request) const;

private:
    // A request's bar in `top`..`height`: its phases in their (or its content type's) colours, one pixel when too
    // short to see; a blocked one's only measured, not filled. Where the whole bar went.
    QRectF paintPhases(QPainter &painter, const RequestTiming &request, const WaterfallScale &scale, double top,
        double height, bool blocked) const;

    Theme m_theme;
    QFont m_font;
    QFontMetricsF m_metrics;
    double m_unit;
    Colouring m_colouring = Colouring::Phases;
    std::function<QString(const QString &, double)> m_elide;
};
