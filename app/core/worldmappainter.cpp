#include "worldmappainter.h"

#include "loadtimescale.h"
#include "model/displayformat.h"
#include "worldmap.h"

#include <QFontMetricsF>
#include <QLinearGradient>
#include <QLocale>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace {

constexpr double scaleMaxMs = 5000; // the colour scale's end: everything slower is as red

// Painting order: quiet markers first, so finished and failing ones stay on top in crowded places.
int paintRank(WorldMapPainter::State state)
{
    switch (state) {
    case WorldMapPainter::State::Idle:
        return 0;
    case WorldMapPainter::State::Booting:
    case WorldMapPainter::State::Loading:
        return 1;
    case WorldMapPainter::State::Done:
    case WorldMapPainter::State::Error:
        return 2;
    }
    return 0;
}

} // namespace

WorldMapPainter::WorldMapPainter(const Theme &theme, const QTransform &transform, double unit)
    : m_colors(colorsOf(theme))
    , m_transform(transform)
    , m_unit(unit)
{ }

WorldMapPainter::Colors WorldMapPainter::colorsOf(const Theme &theme)
{
    Colors c;
    const QColor window = theme.window();
    const QColor text = theme.windowText();
    // A hint of the highlight colour makes the sea read as sea without fighting the markers.
    c.ocean = Theme::mix(Theme::mix(theme.base(), theme.alternateBase(), 0.5), theme.highlight(), 0.07);
    c.land = Theme::mix(window, text, 0.2);
    c.border = Theme::mix(c.land, c.ocean, 0.6);
    c.grid = Theme::mix(c.ocean, text, 0.07);
    c.rim = Theme::mix(c.ocean, text, 0.25);
    c.halo = Theme::withAlpha(c.ocean, 0.85);
    c.idle = Theme::mix(window, text, 0.55);
    c.text = text;
    // The outline in the text colour separates a disc from land, sea and neighbours for any eyes.
    c.outline = Theme::withAlpha(text, 0.85);
    c.labelBox = Theme::withAlpha(theme.base(), 0.85);
    c.selection = theme.highlight();
    // The states' own colours are data, like the load-time scale: the same on every map.
    const Theme paper = Theme::paper();
    c.booting = paper.mark(Theme::Tone::Warning);
    c.loading = paper.mark(Theme::Tone::Busy);
    c.failed = paper.mark(Theme::Tone::Error);
    return c;
}

QTransform WorldMapPainter::fit(const QRectF &rect)
{
    const QRectF world = WorldMap::bounds();
    const double scale = std::max(0.0, std::min(rect.width() / world.width(), rect.height() / world.height()));
    const QPointF centre = rect.center();
    return QTransform(
        scale, 0, 0, -scale, centre.x() - world.center().x() * scale, centre.y() + world.center().y() * scale);
}

double WorldMapPainter::markerRadius(const QTransform &transform, double unit)
{
    return std::clamp(transform.m11() * 0.03, 4.0 * unit, 9.0 * unit);
}

QString WorldMapPainter::legendTick(double ms)
{
    return ms == 0 ? QStringLiteral("0") : QLocale().toString(ms / 1000.0, 'g', 3) + QStringLiteral(" s");
}

double WorldMapPainter::markerReach(double radius, double unit)
{
    return radius * 1.6 + 6 * unit;
}

void WorldMapPainter::paintBackground(QPainter &painter) const
{
    const double u = m_unit;
    const WorldMap &map = WorldMap::builtIn();
    // Paths are mapped here rather than through the painter's transform, so pens stay in device units whatever
    // the map's scale (on screen and on paper alike).
    const QPainterPath sphere = m_transform.map(WorldMap::sphereOutline());
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.fillPath(sphere, m_colors.ocean);
    painter.strokePath(m_transform.map(WorldMap::graticule(30)), QPen(m_colors.grid, 0.8 * u));
    painter.fillPath(m_transform.map(map.land()), m_colors.land);
    QPen borderPen(m_colors.border, 0.7 * u);
    borderPen.setJoinStyle(Qt::RoundJoin);
    for (const WorldMap::Country &country : map.countries())
        painter.strokePath(m_transform.map(country.path), borderPen);
    painter.strokePath(sphere, QPen(m_colors.rim, u));
    painter.restore();
}

void WorldMapPainter::ring(
    QPainter &painter, const QPointF &centre, double radius, const QColor &color, double width) const
{
    // A halo in the sea's colour under every ring keeps it readable on land, on sea and next to neighbours.
    painter.setBrush(Qt::NoBrush);
    painter.setPen(QPen(m_colors.halo, width + 2.4 * m_unit));
    painter.drawEllipse(centre, radius, radius);
    painter.setPen(QPen(color, width));
    painter.drawEllipse(centre, radius, radius);
}

void WorldMapPainter::paintMarker(QPainter &painter, const QPointF &centre, State state, std::optional<double> loadMs,
    double r, double phaseS, bool selected) const
{
    const double u = m_unit;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    switch (state) {
    case State::Idle:
        ring(painter, centre, r * 0.8, m_colors.idle, 1.5 * u);
        break;
    case State::Booting: {
        // A slow breath: a soft disc swells and fades around a steady ring.
        const double t = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * phaseS / pulsePeriodS);
        painter.setPen(Qt::NoPen);
        painter.setBrush(Theme::withAlpha(m_colors.booting, 0.45 * (1 - t)));
        painter.drawEllipse(centre, r * (0.9 + 0.7 * t), r * (0.9 + 0.7 * t));
        ring(painter, centre, r * 0.85, m_colors.booting, 2.2 * u);
        break;
    }
    case State::Loading: {
        const double radius = r * 0.9;
        ring(painter, centre, radius, Theme::withAlpha(m_colors.loading, 0.5), 2.2 * u);
        const QRectF box(centre - QPointF(radius, radius), QSizeF(2 * radius, 2 * radius));
        const int start = int(std::lround(-360.0 * std::fmod(phaseS / spinPeriodS, 1.0) * 16)); // clockwise
        QPen arc(m_colors.loading, 2.6 * u);
        arc.setCapStyle(Qt::RoundCap);
        painter.setPen(arc);
        painter.setBrush(Qt::NoBrush);
        painter.drawArc(box, start, 130 * 16);
        break;
    }
    case State::Done:
        painter.setPen(QPen(m_colors.halo, 3.2 * u));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(centre, r, r);
        painter.setPen(QPen(m_colors.outline, 1.3 * u));
        painter.setBrush(LoadTimeScale::color(loadMs.value_or(0)));
        painter.drawEllipse(centre, r, r);
        break;
    case State::Error: {
        const double arm = r * 0.8;
        QPainterPath cross;
        cross.moveTo(centre + QPointF(-arm, -arm));
        cross.lineTo(centre + QPointF(arm, arm));
        cross.moveTo(centre + QPointF(arm, -arm));
        cross.lineTo(centre + QPointF(-arm, arm));
        painter.strokePath(cross, QPen(m_colors.outline, 5.0 * u, Qt::SolidLine, Qt::RoundCap));
        painter.strokePath(cross, QPen(m_colors.failed, 2.8 * u, Qt::SolidLine, Qt::RoundCap));
        break;
    }
    }
    if (selected) {
        const double radius = r + 4.5 * u;
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(m_colors.halo, 5 * u));
        painter.drawEllipse(centre, radius, radius);
        painter.setPen(QPen(m_colors.selection, 2.5 * u));
        painter.drawEllipse(centre, radius, radius);
    }
    painter.restore();
}

void WorldMapPainter::paintMarkers(QPainter &painter, const QList<Marker> &markers, double radius, double phaseS) const
{
    QList<const Marker *> order;
    order.reserve(markers.size());
    for (const Marker &marker : markers)
        order.append(&marker);
    std::stable_sort(order.begin(), order.end(), [](const Marker *a, const Marker *b) {
        return paintRank(a->state) + (a->selected ? 10 : 0) < paintRank(b->state) + (b->selected ? 10 : 0);
    });
    for (const Marker *marker : std::as_const(order))
        paintMarker(painter, position(*marker), marker->state, marker->loadMs, radius, phaseS, marker->selected);
}

QList<QRectF> WorldMapPainter::paintLabels(QPainter &painter, const QList<Marker> &markers, double radius,
    const QFont &font, const QRectF &bounds, const QList<QRectF> &avoid) const
{
    const double u = m_unit;
    QFont bold = font;
    bold.setBold(true);
    const QFontMetricsF nameMetrics(font, painter.device());
    const QFontMetricsF valueMetrics(bold, painter.device());
    const auto reach = [&](const Marker &marker) { return marker.selected ? radius + 6 * u : radius; };

    struct Label
    {
        const Marker *marker;
        QString value;
    };
    QList<Label> labels;
    QList<QRectF> taken = avoid;
    for (const Marker &marker : markers) {
        const double r = reach(marker);
        taken.append(QRectF(position(marker) - QPointF(r, r), QSizeF(2 * r, 2 * r)));
        const bool failed = marker.state == State::Error && marker.labelFailure;
        const bool timed = marker.state == State::Done && marker.loadMs;
        const QString value = failed ? tr("failed")
            : timed                  ? DisplayFormat::duration(marker.loadMs, QLocale())
                                     : QString();
        if (!value.isEmpty() || !marker.name.isEmpty())
            labels.append({ &marker, value });
    }
    const auto weight = [](const Label &label) {
        if (label.marker->state == State::Error)
            return 1e12;
        return label.value.isEmpty() ? -1.0 : label.marker->loadMs.value_or(0);
    };
    std::stable_sort(
        labels.begin(), labels.end(), [&](const Label &a, const Label &b) { return weight(a) > weight(b); });

    QList<QRectF> drawn;
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    for (const Label &label : std::as_const(labels)) {
        const Marker &marker = *label.marker;
        const QString space = marker.name.isEmpty() || label.value.isEmpty() ? QString() : QStringLiteral(" ");
        const double nameWidth = nameMetrics.horizontalAdvance(marker.name + space);
        const QSizeF size(nameWidth + valueMetrics.horizontalAdvance(label.value) + 4 * u, nameMetrics.height());
        const QPointF c = position(marker);
        const double gap = reach(marker) + 3 * u; // clear of its own rings
        const QRectF candidates[] = {
            QRectF(QPointF(c.x() + gap, c.y() - size.height() / 2), size), // right
            QRectF(QPointF(c.x() - gap - size.width(), c.y() - size.height() / 2), size), // left
            QRectF(QPointF(c.x() - size.width() / 2, c.y() - gap - size.height()), size), // above
            QRectF(QPointF(c.x() - size.width() / 2, c.y() + gap), size), // below
        };
        for (const QRectF &box : candidates) {
            if (!bounds.contains(box) || std::any_of(taken.cbegin(), taken.cend(), [&](const QRectF &other) {
                    return other.intersects(box);
                }))
                continue;
            taken.append(box);
            drawn.append(box);
            painter.setPen(Qt::NoPen);
            painter.setBrush(m_colors.labelBox);
            painter.drawRoundedRect(box, 2 * u, 2 * u);
            const QRectF inner = box.adjusted(2 * u, 0, -2 * u, 0);
            painter.setPen(m_colors.text);
            painter.setFont(font);
            painter.drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, marker.name);
            painter.setFont(bold);
            painter.setPen(marker.state == State::Error ? m_colors.failed : m_colors.text);
            painter.drawText(inner, Qt::AlignRight | Qt::AlignVCenter, label.value);
            break;
        }
    }
    painter.restore();
    return drawn;
}

QList<QRectF> WorldMapPainter::paintLoadScale(QPainter &painter, const QRectF &bar, const QFont &font) const
{
    const double u = m_unit;
    const QFontMetricsF metrics(font, painter.device());
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setFont(font);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 20; ++i)
        gradient.setColorAt(i / 20.0, LoadTimeScale::color(scaleMaxMs * i / 20.0));
    painter.setPen(QPen(Theme::withAlpha(m_colors.text, 0.6), u));
    painter.setBrush(gradient);
    painter.drawRect(bar);
    // The ends first, then each tick between them whose label has room: on a narrow map "4 s" and "5 s+" would
    // run into each other; a tick without room keeps its line.
    const QList<double> ticks { 0.0, scaleMaxMs, LoadTimeScale::goodMs, LoadTimeScale::mediumMs,
        LoadTimeScale::poorMs };
    QList<QRectF> labels;
    for (const double ms : ticks) {
        const double x = bar.left() + bar.width() * ms / scaleMaxMs;
        painter.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 3 * u));
        const QString tick = legendTick(ms);
        const QString text = ms == scaleMaxMs ? tick + QStringLiteral("+") : tick;
        const double width = metrics.horizontalAdvance(text);
        const double left = std::clamp(x - width / 2, bar.left(), bar.right() - width);
        const QRectF box(left, bar.bottom() + 4 * u, width, metrics.height());
        const QRectF room = box.adjusted(-3 * u, 0, 3 * u, 0);
        if (std::any_of(
                labels.cbegin(), labels.cend(), [&room](const QRectF &other) { return other.intersects(room); }))
            continue;
        labels.append(box);
        painter.setPen(m_colors.text);
        painter.drawText(QPointF(left, box.top() + metrics.ascent()), text);
        painter.setPen(QPen(Theme::withAlpha(m_colors.text, 0.6), u));
    }
    painter.restore();
    return labels;
}
