#include "waterfallpainter.h"

#include "model/displayformat.h"
#include "waterfallmodel.h"

#include <QHash>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>

namespace {

struct MarkerValue
{
    WaterfallGeometry::Marker marker;
    std::optional<double> ms;
};

QList<MarkerValue> markersOf(const PageMetrics &metrics)
{
    return { { WaterfallGeometry::Marker::FirstContentfulPaint, metrics.firstContentfulPaintMs },
        { WaterfallGeometry::Marker::LargestContentfulPaint, metrics.largestContentfulPaintMs },
        { WaterfallGeometry::Marker::DomContentLoaded, metrics.domContentLoadedMs },
        { WaterfallGeometry::Marker::Load, metrics.loadMs } };
}

// On a pixel's centre, so that a one-pixel line on screen is one crisp pixel.
double crisp(double x)
{
    return std::round(x) + 0.5;
}

} // namespace

WaterfallPainter::WaterfallPainter(const Theme &theme, const QFont &font, const QPaintDevice *device, double unit)
    : m_theme(theme)
    , m_font(font)
    , m_metrics(font, device)
    , m_unit(unit)
{
    m_elide = [this](const QString &label, double width) { return elideLabel(label, m_metrics, width); };
}

void WaterfallPainter::setLabelElider(std::function<QString(const QString &, double)> elider)
{
    m_elide = std::move(elider);
}

QString WaterfallPainter::elideLabel(const QString &label, const QFontMetricsF &metrics, qreal width)
{
    if (metrics.horizontalAdvance(label) <= width)
        return label;
    // What names a resource is its host (when the label has one) and its file name; directories go first.
    const qsizetype query = label.indexOf(u'?');
    const qsizetype lastSlash = label.left(query < 0 ? label.size() : query).lastIndexOf(u'/');
    const qsizetype firstSlash = label.indexOf(u'/');
    if (lastSlash > firstSlash && firstSlash >= 0) {
        const QString head = label.left(firstSlash) + u'/' + QChar(0x2026) + u'/'; // "host/…/" or "/…/"
        const QString tail = label.mid(lastSlash + 1);
        const qreal rest = width - metrics.horizontalAdvance(head);
        if (metrics.horizontalAdvance(tail) <= rest)
            return head + tail;
        if (rest >= metrics.horizontalAdvance(QStringLiteral("abcdefgh")))
            return head + metrics.elidedText(tail, Qt::ElideMiddle, rest);
    }
    return metrics.elidedText(label, Qt::ElideMiddle, width);
}

double WaterfallPainter::tickStep(double spanMs, double width) const
{
    return WaterfallGeometry::tickStep(spanMs, width, 70 * m_unit);
}

QColor WaterfallPainter::typeColor(const QString &category, bool dark)
{
    // DevTools' hues for its resource types, a little lighter on a dark background.
    static const QHash<QString, std::pair<QColor, QColor>> colours {
        { QStringLiteral("Document"), { QColor(0x1a, 0x73, 0xe8), QColor(0x66, 0x9d, 0xf6) } },
        { QStringLiteral("Stylesheet"), { QColor(0x9c, 0x27, 0xb0), QColor(0xc5, 0x8a, 0xf9) } },
        { QStringLiteral("Script"), { QColor(0xe3, 0x74, 0x00), QColor(0xf2, 0x99, 0x00) } },
        { QStringLiteral("Image"), { QColor(0x18, 0x80, 0x38), QColor(0x5b, 0xb9, 0x74) } },
        { QStringLiteral("Font"), { QColor(0x00, 0x89, 0x7b), QColor(0x4d, 0xb6, 0xac) } },
        { QStringLiteral("XHR/Fetch"), { QColor(0xc5, 0x22, 0x1f), QColor(0xee, 0x67, 0x5c) } },
    };
    const auto found = colours.constFind(category);
    const std::pair<QColor, QColor> pair
        = found == colours.cend() ? std::pair(QColor(0x80, 0x86, 0x8b), QColor(0x9a, 0xa0, 0xa6)) : *found;
    return dark ? pair.second : pair.first;
}

QColor WaterfallPainter::typeTint(const QString &category, bool dark)
{
    return Theme::mix(typeColor(category, dark), dark ? QColor(0x20, 0x21, 0x24) : QColor(Qt::white), 0.55);
}

void WaterfallPainter::paintPendingFill(QPainter &painter, const QRectF &bar) const
{
    QColor fill = m_theme.muted();
    fill.setAlphaF(0.35);
    painter.fillRect(bar, fill);
    painter.fillRect(bar, QBrush(m_theme.muted(), Qt::BDiagPattern));
}

void WaterfallPainter::paintLegend(QPainter &painter, const QRectF &rect, bool pending) const
{
    const double u = m_unit;
    const bool dark = m_theme.isDark();
    painter.save();
    painter.setFont(m_font);
    double x = rect.left();
    const double mid = rect.center().y();
    const double swatch = std::round(m_metrics.height() * 0.6);
    const double baseline = mid + m_metrics.ascent() / 2 - u;
    const auto entry = [&](const QString &name) {
        x += swatch + 4 * u;
        painter.setPen(m_theme.text());
        painter.drawText(QPointF(x, baseline), name);
        x += m_metrics.horizontalAdvance(name) + 12 * u;
    };
    if (m_colouring == Colouring::ContentTypes) {
        for (const QString &category : WaterfallModel::typeCategories()) {
            painter.fillRect(QRectF(x, mid - swatch / 2, swatch, swatch), typeColor(category, dark));
            entry(category);
        }
    } else {
        for (const Phase phase :
            { Phase::Blocked, Phase::Dns, Phase::Connect, Phase::Ssl, Phase::Send, Phase::Wait, Phase::Receive }) {
            painter.fillRect(QRectF(x, mid - swatch / 2, swatch, swatch), WaterfallGeometry::phaseColor(phase, dark));
            entry(WaterfallGeometry::phaseName(phase));
        }
    }
    const std::pair<Marker, QString> markers[]
        = { { Marker::FirstContentfulPaint, tr("FCP") }, { Marker::LargestContentfulPaint, tr("LCP") },
              { Marker::DomContentLoaded, tr("DCL") }, { Marker::Load, tr("Load") } };
    for (const auto &[marker, name] : markers) {
        painter.setPen(QPen(WaterfallGeometry::markerColor(marker, dark), 2 * u));
        painter.drawLine(QPointF(x + u, mid - swatch / 2 - u), QPointF(x + u, mid + swatch / 2 + u));
        x += 6 * u;
        painter.setPen(m_theme.text());
        painter.drawText(QPointF(x, baseline), name);
        x += m_metrics.horizontalAdvance(name) + 12 * u;
    }
    if (pending) {
        paintPendingFill(painter, QRectF(x, mid - swatch / 2, swatch * 1.6, swatch));
        x += swatch * 0.6;
        entry(tr("loading"));
    }
    painter.restore();
}

void WaterfallPainter::paintAxis(
    QPainter &painter, const QRectF &axis, const WaterfallScale &scale, double spanMs, double right) const
{
    const double u = m_unit;
    const double step = tickStep(spanMs, axis.width());
    painter.save();
    painter.setFont(m_font);
    painter.setPen(QPen(m_theme.muted(), u));
    double labelsEnd = -1e9;
    for (double ms = 0; ms <= spanMs + 1e-9; ms += step) {
        const double tx = crisp(scale.x(ms));
        painter.drawLine(QPointF(tx, axis.bottom() - 4 * u), QPointF(tx, axis.bottom()));
        const QString label = DisplayFormat::axisTick(ms, step, spanMs);
        const double width = m_metrics.horizontalAdvance(label);
        // Labels sit right of their tick; the last one goes left of it when it would leave the lane, unless that
        // is where the previous label is.
        const double lx = tx + 3 * u + width > right ? tx - 3 * u - width : tx + 3 * u;
        if (lx < labelsEnd + 12 * u)
            continue;
        painter.drawText(QPointF(lx, axis.bottom() - 5 * u), label);
        labelsEnd = lx + width;
    }
    painter.restore();
}

void WaterfallPainter::paintAxisMarkers(
    QPainter &painter, const QRectF &axis, const WaterfallScale &scale, const PageMetrics &metrics) const
{
    const double u = m_unit;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    for (const MarkerValue &marker : markersOf(metrics)) {
        if (!marker.ms)
            continue;
        const double mx = crisp(scale.x(*marker.ms));
        QPainterPath triangle;
        triangle.moveTo(mx - 4 * u, axis.bottom() - 6 * u);
        triangle.lineTo(mx + 4 * u, axis.bottom() - 6 * u);
        triangle.lineTo(mx, axis.bottom());
        triangle.closeSubpath();
        painter.fillPath(triangle, WaterfallGeometry::markerColor(marker.marker, m_theme.isDark()));
    }
    painter.restore();
}

void WaterfallPainter::paintGrid(
    QPainter &painter, const WaterfallScale &scale, double spanMs, double width, double top, double bottom) const
{
    if (bottom <= top)
        return;
    const double step = tickStep(spanMs, width);
    painter.setPen(QPen(m_theme.rule(), m_unit));
    for (double ms = 0; ms <= spanMs + 1e-9; ms += step) {
        const double x = crisp(scale.x(ms));
        painter.drawLine(QPointF(x, top), QPointF(x, bottom));
    }
}

void WaterfallPainter::paintRowBackground(QPainter &painter, const QRectF &row, int index, bool selected) const
{
    if (selected)
        painter.fillRect(row, Theme::mix(m_theme.base(), m_theme.highlight(), 0.35));
    else if (index % 2 == 1)
        painter.fillRect(row, m_theme.alternateBase());
}

QString WaterfallPainter::statusText(const RequestTiming &request) const
{
    // The user's own block first: it is a failure to Chrome, but not one to show in red.
    if (request.blocked)
        return tr("blocked");
    if (request.outcome == RequestTiming::Outcome::Failed)
        return tr("failed");
    return request.status ? QString::number(*request.status) : QString();
}

QRectF WaterfallPainter::paintPhases(QPainter &painter, const RequestTiming &request, const WaterfallScale &scale,
    double top, double height, bool blocked) const
{
    const double u = m_unit;
    const bool dark = m_theme.isDark();
    const QList<WaterfallGeometry::PhaseRect> phases = WaterfallGeometry::phaseRects(request, scale, top, height);
    QRectF whole(scale.x(request.startMs), top, 0, height);
    const bool byType = m_colouring == Colouring::ContentTypes;
    const QString category = byType ? WaterfallModel::typeCategory(request.resourceType) : QString();
    for (const WaterfallGeometry::PhaseRect &phase : phases) {
        if (!blocked) {
            const QColor colour = !byType       ? WaterfallGeometry::phaseColor(phase.phase, dark)
                : phase.phase == Phase::Receive ? typeColor(category, dark)
                                                : typeTint(category, dark);
            painter.fillRect(phase.rect, colour);
        }
        whole.setRight(phase.rect.right());
    }
    if (whole.width() < u) {
        // Too short to see; one pixel still says "here".
        whole.setWidth(u);
        painter.fillRect(whole,
            byType                 ? typeColor(category, dark)
                : phases.isEmpty() ? WaterfallGeometry::phaseColor(Phase::Unaccounted, dark)
                                   : WaterfallGeometry::phaseColor(phases.constLast().phase, dark));
    }
    return whole;
}

void WaterfallPainter::paintRow(QPainter &painter, const RequestTiming &request, const QString &label,
    const RowRects &rects, const WaterfallScale &scale, double spanMs, const QString &requestDuration) const
{
    const double u = m_unit;
    const bool dark = m_theme.isDark();
    // A request the test's settings blocked was never sent: greyed out, not an error (a refusal of the probe's URL
    // policy is, and stays red).
    const bool blocked = request.blocked;
    const bool failed = request.outcome == RequestTiming::Outcome::Failed && !blocked;
    // Without a status column, the word goes where the duration would (a blocked request's duration is no timing).
    const QString duration = blocked && !rects.status ? tr("blocked") : requestDuration;
    // An HTTP error is an answer, but not the one the page wanted: its row is tinted, as WebPageTest does, and its
    // label is in the error colour, as in DevTools.
    const bool httpError = request.status && *request.status >= 400;
    if (httpError) {
        QColor tint = m_theme.error();
        tint.setAlphaF(dark ? 0.22 : 0.12);
        painter.fillRect(rects.row, tint);
    }
    QRectF labelRect = rects.label;
    if (rects.status) {
        const QString status = statusText(request);
        const double width = status.isEmpty() ? 0 : m_metrics.horizontalAdvance(QStringLiteral("  ") + status);
        labelRect.setRight(labelRect.right() - width);
        painter.setPen(m_theme.muted());
        painter.drawText(QRectF(labelRect.right(), labelRect.top(), width, labelRect.height()),
            Qt::AlignRight | Qt::AlignVCenter, status);
    }
    if (blocked) {
        QColor grey = m_theme.muted();
        grey.setAlphaF(dark ? 0.16 : 0.10);
        painter.fillRect(rects.row, grey);
    }
    painter.setPen(blocked ? m_theme.muted() : failed || httpError ? m_theme.error() : m_theme.text());
    painter.drawText(labelRect, Qt::AlignVCenter | Qt::AlignLeft, m_elide(label, labelRect.width()));
    if (!rects.duration.isEmpty() && !duration.isEmpty()) {
        painter.setPen(m_theme.text());
        painter.drawText(rects.duration, Qt::AlignRight | Qt::AlignVCenter, duration);
    }

    const double inset = std::max(3 * u, std::round(rects.row.height() * 0.22));
    const double top = rects.row.top() + inset;
    const double height = rects.row.height() - 2 * inset;
    const QRectF whole = paintPhases(painter, request, scale, top, height, blocked);
    if (blocked) {
        // Hatched, not filled: no phase of it happened on the network.
        painter.fillRect(whole, m_theme.base());
        painter.fillRect(whole, QBrush(m_theme.muted(), Qt::BDiagPattern));
        painter.setPen(QPen(m_theme.muted(), u));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(whole);
    }
    if (failed) {
        painter.setPen(QPen(m_theme.error(), 1.5 * u));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(whole.adjusted(-u, -u, u, u));
    }
    if (rects.durationAtBar && !duration.isEmpty()) {
        // DevTools' and WebPageTest's label at the bar's end, where it fits. Its width is estimated, not measured:
        // this runs for every visible row of every frame while a page streams in.
        const double width = double(duration.size()) * m_metrics.averageCharWidth();
        const double x = whole.right() + 4 * u;
        if (x + width <= rects.row.right()) {
            painter.setPen(m_theme.muted());
            painter.drawText(QRectF(x, rects.row.top(), rects.row.right() - x, rects.row.height()),
                Qt::AlignLeft | Qt::AlignVCenter, duration);
        }
    }
    if (const auto open = WaterfallGeometry::openEndRect(request, scale, spanMs, top, height)) {
        // Dashed top and bottom edges and no right edge: the request was still going when the load ended.
        painter.setPen(QPen(m_theme.text(), u, Qt::DashLine));
        painter.drawLine(open->topLeft(), open->topRight());
        painter.drawLine(open->bottomLeft(), open->bottomRight());
        painter.drawLine(open->topLeft(), open->bottomLeft());
    }
}

void WaterfallPainter::paintMarkers(
    QPainter &painter, const PageMetrics &metrics, const WaterfallScale &scale, double top, double bottom) const
{
    if (bottom <= top)
        return;
    QList<double> drawn;
    for (const MarkerValue &marker : markersOf(metrics)) {
        if (!marker.ms)
            continue;
        const double x = crisp(scale.x(*marker.ms));
        QPen pen(WaterfallGeometry::markerColor(marker.marker, m_theme.isDark()), 1.5 * m_unit);
        // A marker on (or next to) one already drawn is dashed, so that both colours stay visible: FCP and DCL
        // often fall within a pixel of each other.
        if (std::any_of(drawn.cbegin(), drawn.cend(), [&](double other) { return std::abs(other - x) < 3 * m_unit; })) {
            pen.setDashPattern({ 3, 3 });
            pen.setDashOffset(3.0 * double(drawn.size()));
        }
        painter.setPen(pen);
        painter.drawLine(QPointF(x, top), QPointF(x, bottom));
        drawn.append(x);
    }
}

double WaterfallPainter::laneHeight(const LaneLayout &layout, qsizetype rows)
{
    return rows > 0 ? layout.axisHeight + double(rows) * layout.rowHeight : 0;
}

QRectF WaterfallPainter::laneBars(const QRectF &rect, const LaneLayout &layout, qsizetype rows)
{
    return { rect.left() + layout.labelWidth, rect.top() + layout.axisHeight,
        std::max(1.0, rect.width() - layout.labelWidth - layout.durationWidth), double(rows) * layout.rowHeight };
}

void WaterfallPainter::paintMainThread(
    QPainter &painter, const QList<LongTask> &tasks, const RowRects &rects, const WaterfallScale &scale) const
{
    painter.setPen(m_theme.text());
    QFont bold = m_font;
    bold.setBold(true);
    painter.save();
    painter.setFont(bold);
    painter.drawText(rects.label, Qt::AlignVCenter | Qt::AlignLeft, m_elide(tr("Main thread"), rects.label.width()));
    painter.restore();
    const double inset = std::max(3 * m_unit, std::round(rects.row.height() * 0.22));
    const double top = rects.row.top() + inset;
    const double height = rects.row.height() - 2 * inset;
    // The error tone: a long task is the page not answering its user. Its first 50 ms are allowed (pale).
    QColor blocking = m_theme.error();
    QColor allowed = blocking;
    allowed.setAlphaF(0.35);
    for (const LongTask &task : tasks) {
        const double start = scale.x(task.startMs);
        const double allowedEnd = scale.x(task.startMs + std::min(task.durationMs, 50.0));
        const double end = std::max(scale.x(task.endMs()), start + m_unit);
        painter.fillRect(QRectF(start, top, allowedEnd - start, height), allowed);
        if (end > allowedEnd)
            painter.fillRect(QRectF(allowedEnd, top, end - allowedEnd, height), blocking);
    }
}

QString WaterfallPainter::mainThreadToolTip(const QList<LongTask> &tasks, double ms, double toleranceMs)
{
    QStringList lines;
    for (const LongTask &task : tasks) {
        if (ms < task.startMs - toleranceMs || ms > task.endMs() + toleranceMs)
            continue;
        lines.append(tr("Long task of %1 at %2, blocking the page for %3")
                         .arg(DisplayFormat::duration(task.durationMs), DisplayFormat::duration(task.startMs),
                             DisplayFormat::duration(std::max(0.0, task.durationMs - 50))));
    }
    if (lines.isEmpty())
        return {};
    return tr("Main thread") + u'\n' + lines.join(u'\n');
}

qsizetype WaterfallPainter::rowCount(const Lane &lane)
{
    return lane.requests.size() + (lane.longTasks.isEmpty() ? 0 : 1);
}

void WaterfallPainter::paintLane(
    QPainter &painter, const QRectF &rect, const Lane &lane, const LaneLayout &layout) const
{
    if (lane.requests.isEmpty())
        return;
    const double pad = 6 * m_unit;
    const QRectF bars = laneBars(rect, layout, rowCount(lane));
    const WaterfallScale scale { bars.left(), bars.width() / lane.spanMs };
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing, false);
    painter.setFont(m_font);
    for (int i = 0; i < rowCount(lane); ++i)
        paintRowBackground(
            painter, QRectF(rect.left(), bars.top() + i * layout.rowHeight, rect.width(), layout.rowHeight), i, false);
    paintAxis(
        painter, QRectF(bars.left(), rect.top(), bars.width(), layout.axisHeight), scale, lane.spanMs, rect.right());
    paintGrid(painter, scale, lane.spanMs, bars.width(), bars.top(), bars.bottom());
    for (int i = 0; i < lane.requests.size(); ++i) {
        const RequestTiming &request = lane.requests.at(i);
        RowRects rects;
        rects.row = QRectF(rect.left(), bars.top() + i * layout.rowHeight, rect.width(), layout.rowHeight);
        rects.label = QRectF(rect.left() + pad, rects.row.top(), layout.labelWidth - 2 * pad, layout.rowHeight);
        rects.status = true;
        if (layout.durationWidth > 0)
            rects.duration = QRectF(bars.right(), rects.row.top(), layout.durationWidth, layout.rowHeight);
        paintRow(painter, request, WaterfallModel::shortLabel(request.url), rects, scale, lane.spanMs,
            lane.durations.value(i));
    }
    if (!lane.longTasks.isEmpty()) {
        RowRects rects;
        rects.row = QRectF(rect.left(), bars.bottom() - layout.rowHeight, rect.width(), layout.rowHeight);
        rects.label = QRectF(rect.left() + pad, rects.row.top(), layout.labelWidth - 2 * pad, layout.rowHeight);
        paintMainThread(painter, lane.longTasks, rects, scale);
    }
    if (lane.metrics)
        paintMarkers(painter, *lane.metrics, scale, bars.top(), bars.bottom());
    painter.restore();
}

void WaterfallPainter::paintPendingRow(QPainter &painter, const RequestTiming &request, const QString &label,
    const RowRects &rects, const WaterfallScale &scale, double untilMs, bool abandoned) const
{
    const double u = m_unit;
    painter.save();
    painter.setPen(abandoned ? m_theme.error() : m_theme.muted());
    painter.drawText(rects.label, Qt::AlignVCenter | Qt::AlignLeft, m_elide(label, rects.label.width()));
    const double inset = std::max(3 * u, std::round(rects.row.height() * 0.22));
    const double left = scale.x(request.startMs);
    const QRectF bar(
        left, rects.row.top() + inset, std::max(2 * u, scale.x(untilMs) - left), rects.row.height() - 2 * inset);
    paintPendingFill(painter, bar);
    if (abandoned) {
        // Stopped, not going: a cross where the bar ends, in the error colour.
        const double half = bar.height() / 2;
        const QPointF centre(bar.right(), bar.center().y());
        painter.setRenderHint(QPainter::Antialiasing);
        painter.setPen(QPen(m_theme.error(), 1.5 * u));
        painter.drawLine(centre + QPointF(-half, -half), centre + QPointF(half, half));
        painter.drawLine(centre + QPointF(-half, half), centre + QPointF(half, -half));
    } else {
        painter.fillRect(QRectF(bar.right() - 2 * u, bar.top(), 2 * u, bar.height()), m_theme.text());
    }
    painter.restore();
}
