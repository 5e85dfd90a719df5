#include "waterfallgeometry.h"

#include <algorithm>
#include <cmath>

QList<WaterfallGeometry::PhaseRect> WaterfallGeometry::phaseRects(
    const RequestTiming &request, const WaterfallScale &scale, double top, double height)
{
    const RequestPhases &p = request.phases;
    const std::pair<Phase, std::optional<double>> phases[]
        = { { Phase::Blocked, p.blocked }, { Phase::Dns, p.dns }, { Phase::Connect, p.connect }, { Phase::Ssl, p.ssl },
              { Phase::Send, p.send }, { Phase::Wait, p.wait }, { Phase::Receive, p.receive } };
    QList<PhaseRect> rects;
    double at = request.startMs;
    const auto add = [&](Phase phase, double durationMs) {
        rects.append({ phase, at, durationMs, QRectF(scale.x(at), top, durationMs * scale.pxPerMs, height) });
        at += durationMs;
    };
    for (const auto &[phase, duration] : phases) {
        if (duration && *duration > 0)
            add(phase, *duration);
    }
    if (request.durationMs) {
        const double rest = request.startMs + *request.durationMs - at;
        if (rest > 1e-6)
            add(Phase::Unaccounted, rest);
    }
    return rects;
}

std::optional<QRectF> WaterfallGeometry::openEndRect(
    const RequestTiming &request, const WaterfallScale &scale, double endMs, double top, double height)
{
    if (request.outcome != RequestTiming::Outcome::Unfinished || request.durationMs)
        return std::nullopt;
    const double from = request.startMs + request.phases.sum();
    if (endMs <= from)
        return std::nullopt;
    return QRectF(scale.x(from), top, (endMs - from) * scale.pxPerMs, height);
}

QString WaterfallGeometry::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Blocked:
        return QStringLiteral("Blocked");
    case Phase::Dns:
        return QStringLiteral("DNS");
    case Phase::Connect:
        return QStringLiteral("Connect");
    case Phase::Ssl:
        return QStringLiteral("SSL");
    case Phase::Send:
        return QStringLiteral("Send");
    case Phase::Wait:
        return QStringLiteral("Wait");
    case Phase::Receive:
        return QStringLiteral("Receive");
    case Phase::Unaccounted:
        return QStringLiteral("Other");
    }
    return {};
}

QColor WaterfallGeometry::phaseColor(Phase phase, bool dark)
{
    // DevTools' network palette (NetworkOverview.js): blocking #AAAAAA, DNS #009688, connecting #FF9800,
    // SSL #9C27B0, waiting #00C853, receiving #03A9F4. DevTools draws sending blue-grey; we draw it a lighter
    // green than waiting, so send + wait read as one "request on the wire" stretch. On a dark base the same
    // hues, lighter, keep their contrast.
    switch (phase) {
    case Phase::Blocked:
        return dark ? QColor(0x8a, 0x8a, 0x8a) : QColor(0xaa, 0xaa, 0xaa);
    case Phase::Dns:
        return dark ? QColor(0x26, 0xa6, 0x9a) : QColor(0x00, 0x96, 0x88);
    case Phase::Connect:
        return dark ? QColor(0xff, 0xa7, 0x26) : QColor(0xff, 0x98, 0x00);
    case Phase::Ssl:
        return dark ? QColor(0xc0, 0x6c, 0xd8) : QColor(0x9c, 0x27, 0xb0);
    case Phase::Send:
        return dark ? QColor(0xae, 0xd5, 0x81) : QColor(0x8b, 0xc3, 0x4a);
    case Phase::Wait:
        return dark ? QColor(0x2e, 0xd0, 0x6e) : QColor(0x00, 0xc8, 0x53);
    case Phase::Receive:
        return dark ? QColor(0x4f, 0xc3, 0xf7) : QColor(0x03, 0xa9, 0xf4);
    case Phase::Unaccounted:
        return dark ? QColor(0x60, 0x60, 0x60) : QColor(0xcc, 0xcc, 0xcc);
    }
    return {};
}

QColor WaterfallGeometry::markerColor(Marker marker, bool dark)
{
    switch (marker) {
    case Marker::FirstContentfulPaint:
        return dark ? QColor(0x81, 0xc9, 0x95) : QColor(0x1e, 0x8e, 0x3e);
    case Marker::LargestContentfulPaint:
        return dark ? QColor(0xfd, 0xd6, 0x63) : QColor(0xb0, 0x60, 0x00);
    case Marker::DomContentLoaded:
        return dark ? QColor(0x8a, 0xb4, 0xf8) : QColor(0x1a, 0x73, 0xe8);
    case Marker::Load:
        return dark ? QColor(0xf2, 0x8b, 0x82) : QColor(0xd9, 0x30, 0x25);
    }
    return {};
}

double WaterfallGeometry::tickStep(double spanMs, double widthPx, double minPx)
{
    if (!(spanMs > 0) || !(widthPx > 0))
        return 1;
    const double raw = spanMs * minPx / widthPx;
    const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
    for (const double m : { 1.0, 2.0, 5.0 }) {
        if (m * magnitude >= raw)
            return m * magnitude;
    }
    return 10 * magnitude;
}

double WaterfallGeometry::spanFor(double maxEndMs)
{
    double span = 100;
    while (span < maxEndMs && std::isfinite(maxEndMs))
        span *= 1.25;
    return span;
}

double WaterfallGeometry::headerHeight() const
{
    return legendHeight + axisHeight + (mode == LayoutMode::SideBySide ? laneTitleHeight : 0);
}

double WaterfallGeometry::laneWidth() const
{
    if (mode == LayoutMode::Stacked)
        return viewport.width();
    const int lanes = std::max(1, laneCount());
    return std::max(minLaneWidth, (viewport.width() - (lanes - 1) * laneGap) / lanes);
}

double WaterfallGeometry::labelWidth() const
{
    if (mode == LayoutMode::Stacked)
        return std::clamp(viewport.width() * 0.22, 100.0, 280.0);
    // Below 300 px a lane keeps 96 px for its URLs (elided) and "Main thread"; the bars take the rest.
    return std::clamp(laneWidth() * 0.32, 96.0, 200.0);
}

double WaterfallGeometry::stackedTop(int lane) const
{
    double y = 0;
    for (int i = 0; i < lane && i < laneCount(); ++i)
        y += laneTitleHeight + rowCounts.at(i) * rowHeight + laneGap;
    return y;
}

QRectF WaterfallGeometry::laneRect(int lane) const
{
    if (mode == LayoutMode::SideBySide)
        return { lane * (laneWidth() + laneGap) - scroll.x(), 0, laneWidth(), viewport.height() };
    const int rows = lane >= 0 && lane < laneCount() ? rowCounts.at(lane) : 0;
    return { 0, headerHeight() + stackedTop(lane) - scroll.y(), viewport.width(), laneTitleHeight + rows * rowHeight };
}

QRectF WaterfallGeometry::laneTitleRect(int lane) const
{
    const QRectF whole = laneRect(lane);
    if (mode == LayoutMode::SideBySide)
        return { whole.x(), legendHeight, whole.width(), laneTitleHeight };
    return { whole.x(), whole.y(), whole.width(), laneTitleHeight };
}

QRectF WaterfallGeometry::rowsRect(int lane) const
{
    const QRectF whole = laneRect(lane);
    const int rows = lane >= 0 && lane < laneCount() ? rowCounts.at(lane) : 0;
    const double top = mode == LayoutMode::SideBySide ? headerHeight() - scroll.y() : whole.y() + laneTitleHeight;
    return { whole.x(), top, whole.width(), rows * rowHeight };
}

QRectF WaterfallGeometry::rowRect(int lane, int row) const
{
    const QRectF rows = rowsRect(lane);
    return { rows.x(), rows.y() + row * rowHeight, rows.width(), rowHeight };
}

QRectF WaterfallGeometry::labelRect(int lane, int row) const
{
    const QRectF whole = rowRect(lane, row);
    return { whole.x() + padding, whole.y(), labelWidth() - padding, whole.height() };
}

QRectF WaterfallGeometry::barArea(int lane) const
{
    const QRectF rows = rowsRect(lane);
    const double left = rows.x() + labelWidth() + padding;
    return { left, rows.y(), std::max(1.0, rows.width() - labelWidth() - 2 * padding), rows.height() };
}

WaterfallScale WaterfallGeometry::scale(int lane) const
{
    const QRectF area = barArea(lane);
    return { area.x(), spanMs > 0 ? area.width() / spanMs : 1 };
}

QRectF WaterfallGeometry::axisRect(int lane) const
{
    const QRectF area = barArea(lane);
    return { area.x(), headerHeight() - axisHeight, area.width(), axisHeight };
}

std::pair<int, int> WaterfallGeometry::visibleRows(int lane) const
{
    if (lane < 0 || lane >= laneCount() || rowHeight <= 0)
        return { 0, -1 };
    const QRectF whole = laneRect(lane);
    if (whole.right() < 0 || whole.left() > viewport.width())
        return { 0, -1 };
    const double top = rowsRect(lane).y();
    const int first = std::max(0, static_cast<int>(std::floor((headerHeight() - top) / rowHeight)));
    const int last
        = std::min(rowCounts.at(lane), static_cast<int>(std::ceil((viewport.height() - top) / rowHeight))) - 1;
    return { first, last };
}

QSizeF WaterfallGeometry::contentSize() const
{
    if (mode == LayoutMode::SideBySide) {
        const int lanes = laneCount();
        const int rows = lanes ? *std::max_element(rowCounts.cbegin(), rowCounts.cend()) : 0;
        return { lanes * laneWidth() + std::max(0, lanes - 1) * laneGap, headerHeight() + rows * rowHeight + padding };
    }
    return { viewport.width(), headerHeight() + stackedTop(laneCount()) };
}

WaterfallGeometry::Hit WaterfallGeometry::hitTest(const QPointF &point) const
{
    if (point.y() < headerHeight() || point.y() >= viewport.height() || point.x() < 0 || point.x() >= viewport.width())
        return {};
    for (int lane = 0; lane < laneCount(); ++lane) {
        const QRectF rows = rowsRect(lane);
        if (point.x() < rows.left() || point.x() >= rows.right() || point.y() < rows.top()
            || point.y() >= rows.bottom())
            continue;
        const int row = static_cast<int>(std::floor((point.y() - rows.top()) / rowHeight));
        if (row >= 0 && row < rowCounts.at(lane))
            return { lane, row };
    }
    return {};
}
