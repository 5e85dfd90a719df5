#include "worldmapview.h"

#include "loadtimescale.h"
#include "regionmodel.h"
#include "worldmap.h"

#include <QHelpEvent>
#include <QLinearGradient>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

namespace {

constexpr int frameIntervalMs = 33; // ~30 fps, only while something moves
constexpr double margin = 6; // around the world, in logical pixels
constexpr double pulsePeriodS = 1.2; // Booting
constexpr double spinPeriodS = 1.0; // Loading

const QColor bootingColor(0xf0, 0x9a, 0x0a);
const QColor loadingColor(0x2f, 0x7f, 0xe0);
const QColor errorColor(0xd7, 0x19, 0x1c);

QColor mix(const QColor &a, const QColor &b, double t)
{
    const auto channel = [t](double x, double y) { return x + (y - x) * t; };
    return QColor::fromRgbF(float(channel(a.redF(), b.redF())), float(channel(a.greenF(), b.greenF())),
        float(channel(a.blueF(), b.blueF())), float(channel(a.alphaF(), b.alphaF())));
}

QColor withAlpha(QColor color, double alpha)
{
    color.setAlphaF(float(alpha));
    return color;
}

bool isAnimated(WorldMapView::State state)
{
    return state == WorldMapView::State::Booting || state == WorldMapView::State::Loading;
}

// Painting order: quiet markers first, so finished and failing ones stay on top in crowded places.
int paintRank(WorldMapView::State state)
{
    switch (state) {
    case WorldMapView::State::Idle:
        return 0;
    case WorldMapView::State::Booting:
    case WorldMapView::State::Loading:
        return 1;
    case WorldMapView::State::Done:
    case WorldMapView::State::Error:
        return 2;
    }
    return 0;
}

struct MapColors
{
    QColor window, text, ocean, land, border, grid, rim, halo, idle, labelHalo;

    explicit MapColors(const QPalette &palette)
    {
        window = palette.color(QPalette::Window);
        text = palette.color(QPalette::WindowText);
        // A hint of the highlight colour makes the sea read as sea without fighting the markers.
        ocean = mix(mix(palette.color(QPalette::Base), palette.color(QPalette::AlternateBase), 0.5),
            palette.color(QPalette::Highlight), 0.07);
        land = mix(window, text, 0.2);
        border = mix(land, ocean, 0.6);
        grid = mix(ocean, text, 0.07);
        rim = mix(ocean, text, 0.25);
        halo = withAlpha(ocean, 0.85);
        idle = mix(window, text, 0.55);
        labelHalo = withAlpha(palette.color(QPalette::Base), 0.9);
    }
};

} // namespace

WorldMapView::WorldMapView(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true); // the pointing hand over markers
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Expanding);
    setAttribute(Qt::WA_OpaquePaintEvent); // the background pixmap covers every pixel
    m_animation.setInterval(frameIntervalMs);
    connect(&m_animation, &QTimer::timeout, this, &WorldMapView::animationTick);
    setRegions(RegionCatalog::builtIn().regions());
}

WorldMapView::~WorldMapView() = default;

void WorldMapView::setRegions(const QList<RegionCatalog::Region> &regions)
{
    m_markers.clear();
    m_markers.reserve(regions.size());
    for (const RegionCatalog::Region &region : regions)
        m_markers.append(Marker { region, WorldMap::project(region.longitude, region.latitude), State::Idle, {}, {} });
    if (!marker(m_selected))
        m_selected.clear();
    updateAnimation();
    update();
}

QList<RegionCatalog::Region> WorldMapView::regions() const
{
    QList<RegionCatalog::Region> result;
    result.reserve(m_markers.size());
    for (const Marker &marker : m_markers)
        result.append(marker.region);
    return result;
}

void WorldMapView::setRegionState(
    const QString &code, State state, std::optional<double> loadMs, const QString &toolTip)
{
    // The map shows what it knows about: a region without coordinates has no place on it.
    const auto it
        = std::find_if(m_markers.begin(), m_markers.end(), [&](const Marker &m) { return m.region.code == code; });
    if (it == m_markers.end())
        return;
    it->state = state;
    it->loadMs = loadMs;
    it->toolTip = toolTip;
    updateAnimation();
    update();
}

WorldMapView::State WorldMapView::regionState(const QString &code) const
{
    const Marker *m = marker(code);
    return m ? m->state : State::Idle;
}

void WorldMapView::resetRegionStates()
{
    for (Marker &marker : m_markers) {
        marker.state = State::Idle;
        marker.loadMs.reset();
        marker.toolTip.clear();
    }
    updateAnimation();
    update();
}

// ---- where the markers come from: the region model ----

namespace {

WorldMapView::State mapState(RegionModel::Phase phase)
{
    switch (phase) {
    case RegionModel::Phase::Idle:
    case RegionModel::Phase::Queued:
        return WorldMapView::State::Idle;
    case RegionModel::Phase::Booting:
    case RegionModel::Phase::StartingBrowser:
        return WorldMapView::State::Booting;
    case RegionModel::Phase::Loading:
        return WorldMapView::State::Loading;
    case RegionModel::Phase::Complete:
        return WorldMapView::State::Done;
    case RegionModel::Phase::Failed:
        break;
    }
    return WorldMapView::State::Error;
}

} // namespace

void WorldMapView::setModel(QAbstractItemModel *model)
{
    if (m_model)
        disconnect(m_model, nullptr, this, nullptr);
    m_model = model;
    if (!model)
        return;
    connect(model, &QAbstractItemModel::modelReset, this, &WorldMapView::readMarkers);
    connect(model, &QAbstractItemModel::rowsInserted, this, &WorldMapView::readMarkers);
    connect(model, &QAbstractItemModel::rowsRemoved, this, &WorldMapView::readMarkers);
    connect(model, &QAbstractItemModel::rowsMoved, this, &WorldMapView::readMarkers);
    connect(model, &QAbstractItemModel::dataChanged, this, [this](const QModelIndex &from, const QModelIndex &to) {
        for (int row = from.row(); row <= to.row(); ++row)
            readRow(row);
    });
    readMarkers();
}

void WorldMapView::readMarkers()
{
    QList<RegionCatalog::Region> regions;
    for (int row = 0; row < m_model->rowCount(); ++row)
        regions.append(m_model->index(row, 0).data(RegionModel::PlaceRole).value<RegionCatalog::Region>());
    setRegions(regions);
    for (int row = 0; row < m_model->rowCount(); ++row)
        readRow(row);
}

void WorldMapView::readRow(int row)
{
    const QModelIndex index = m_model->index(row, 0);
    const auto phase = static_cast<RegionModel::Phase>(index.data(RegionModel::PhaseRole).toInt());
    const QVariant loadMs = index.data(RegionModel::LoadMsRole);
    // A time on the map is a result: only a region whose runs are over shows one.
    const bool done = phase == RegionModel::Phase::Complete && loadMs.isValid();
    setRegionState(index.data(RegionModel::RegionCodeRole).toString(), mapState(phase),
        done ? std::optional<double>(loadMs.toDouble()) : std::nullopt,
        index.data(RegionModel::SummaryRole).toString());
}

void WorldMapView::setSelectedRegion(const QString &code)
{
    const QString selected = marker(code) ? code : QString();
    if (selected == m_selected)
        return;
    m_selected = selected;
    update();
}

std::optional<QPointF> WorldMapView::markerPosition(const QString &code) const
{
    const Marker *m = marker(code);
    if (!m)
        return std::nullopt;
    return mapTransform().map(m->projected);
}

QString WorldMapView::regionAt(const QPointF &pos) const
{
    // A finger-friendly target even where markers are small, but never further than the nearest marker.
    const double reach = std::max(markerRadius() + 3, 8.0);
    QString best;
    double bestDistance = reach * reach;
    for (const Marker &marker : m_markers) {
        const QPointF d = mapTransform().map(marker.projected) - pos;
        const double distance = QPointF::dotProduct(d, d);
        if (distance <= bestDistance) {
            bestDistance = distance;
            best = marker.region.code;
        }
    }
    return best;
}

double WorldMapView::markerRadius() const
{
    return std::clamp(mapTransform().m11() * 0.03, 4.0, 9.0);
}

QSize WorldMapView::sizeHint() const
{
    return { 820, heightForWidth(820) };
}

QSize WorldMapView::minimumSizeHint() const
{
    return { 240, heightForWidth(240) };
}

int WorldMapView::heightForWidth(int width) const
{
    const QRectF world = WorldMap::bounds();
    return int(std::lround((width - 2 * margin) * world.height() / world.width() + 2 * margin));
}

bool WorldMapView::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const Marker *m = marker(regionAt(help->pos()));
        if (!m) {
            QToolTip::hideText();
            event->ignore();
            return true;
        }
        QString text = m->toolTip;
        if (text.isEmpty())
            text = m->region.city.isEmpty() ? m->region.code : tr("%1 (%2)").arg(m->region.city, m->region.code);
        QToolTip::showText(help->globalPos(), text, this, markerBounds(*m).toAlignedRect());
        return true;
    }
    return QWidget::event(event);
}

void WorldMapView::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::PaletteChange || event->type() == QEvent::StyleChange
        || event->type() == QEvent::FontChange) {
        m_background = QPixmap();
        update();
    }
    QWidget::changeEvent(event);
}

void WorldMapView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    updateAnimation();
}

void WorldMapView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    updateAnimation();
}

void WorldMapView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mousePressEvent(event);
    m_pressed = regionAt(event->position());
    event->accept();
}

void WorldMapView::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return QWidget::mouseReleaseEvent(event);
    const QString pressed = std::exchange(m_pressed, QString());
    if (!pressed.isEmpty() && regionAt(event->position()) == pressed)
        emit regionClicked(pressed);
    event->accept();
}

void WorldMapView::mouseMoveEvent(QMouseEvent *event)
{
    if (regionAt(event->position()).isEmpty())
        unsetCursor();
    else
        setCursor(Qt::PointingHandCursor);
    QWidget::mouseMoveEvent(event);
}

const WorldMapView::Marker *WorldMapView::marker(const QString &code) const
{
    if (code.isEmpty())
        return nullptr;
    const auto it
        = std::find_if(m_markers.begin(), m_markers.end(), [&](const Marker &m) { return m.region.code == code; });
    return it == m_markers.end() ? nullptr : &*it;
}

QTransform WorldMapView::mapTransform() const
{
    // From the size on every call: a hidden widget gets no resize events, yet tests and callers ask it where a
    // marker would be.
    const QRectF world = WorldMap::bounds();
    const double scale
        = std::max(0.0, std::min((width() - 2 * margin) / world.width(), (height() - 2 * margin) / world.height()));
    // Centre the world; y flips because the projection's y points north and the screen's points down.
    return QTransform(
        scale, 0, 0, -scale, width() / 2.0 - world.center().x() * scale, height() / 2.0 + world.center().y() * scale);
}

void WorldMapView::updateAnimation()
{
    const bool needed = isVisible()
        && std::any_of(m_markers.begin(), m_markers.end(), [](const Marker &m) { return isAnimated(m.state); });
    if (needed && !m_animation.isActive()) {
        if (!m_clock.isValid())
            m_clock.start();
        m_animation.start();
    } else if (!needed && m_animation.isActive()) {
        m_animation.stop();
        update(); // the last frame may have caught a ring mid-pulse
    }
}

void WorldMapView::animationTick()
{
    // Only the moving markers need repainting; the map under them comes from the cached background.
    QRegion dirty;
    for (const Marker &marker : m_markers) {
        if (isAnimated(marker.state))
            dirty += markerBounds(marker).toAlignedRect();
    }
    update(dirty);
}

QRectF WorldMapView::markerBounds(const Marker &marker) const
{
    const double reach = markerRadius() * 1.6 + 6; // pulse, selection ring and halo
    const QPointF centre = mapTransform().map(marker.projected);
    return { centre - QPointF(reach, reach), QSizeF(2 * reach, 2 * reach) };
}

void WorldMapView::renderBackground()
{
    const double dpr = devicePixelRatioF();
    m_background = QPixmap((QSizeF(size()) * dpr).toSize());
    m_background.setDevicePixelRatio(dpr);
    const MapColors colors(palette());
    m_background.fill(colors.window);

    QPainter painter(&m_background);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setTransform(mapTransform());
    const WorldMap &map = WorldMap::builtIn();
    const QPainterPath sphere = WorldMap::sphereOutline();
    painter.fillPath(sphere, colors.ocean);
    // Cosmetic pens keep lines one width on screen whatever the map's scale.
    QPen gridPen(colors.grid, 0.8);
    gridPen.setCosmetic(true);
    painter.strokePath(WorldMap::graticule(30), gridPen);
    painter.fillPath(map.land(), colors.land);
    QPen borderPen(colors.border, 0.7);
    borderPen.setCosmetic(true);
    borderPen.setJoinStyle(Qt::RoundJoin);
    for (const WorldMap::Country &country : map.countries())
        painter.strokePath(country.path, borderPen);
    QPen rimPen(colors.rim, 1.0);
    rimPen.setCosmetic(true);
    painter.strokePath(sphere, rimPen);
}

void WorldMapView::paintEvent(QPaintEvent *event)
{
    // The cached map goes stale with the size (resizing), the palette (changeEvent clears it) and the screen's
    // device pixel ratio (moving to another monitor), which Qt 6.4 tells no widget about.
    if (m_background.isNull() || m_background.devicePixelRatio() != devicePixelRatioF()
        || m_background.deviceIndependentSize() != QSizeF(size()))
        renderBackground();
    QPainter painter(this);
    painter.setClipRegion(event->region());
    painter.drawPixmap(0, 0, m_background);
    painter.setRenderHint(QPainter::Antialiasing);

    const double phase = m_clock.isValid() ? m_clock.elapsed() / 1000.0 : 0;
    QList<const Marker *> order;
    order.reserve(m_markers.size());
    for (const Marker &marker : m_markers)
        order.append(&marker);
    std::stable_sort(order.begin(), order.end(), [this](const Marker *a, const Marker *b) {
        const int rankA = paintRank(a->state) + (a->region.code == m_selected ? 10 : 0);
        const int rankB = paintRank(b->state) + (b->region.code == m_selected ? 10 : 0);
        return rankA < rankB;
    });
    for (const Marker *marker : order)
        paintMarker(painter, *marker, phase);
    paintLabels(painter);
    paintLegend(painter);
}

void WorldMapView::paintMarker(QPainter &painter, const Marker &marker, double phase) const
{
    const MapColors colors(palette());
    const QPointF centre = mapTransform().map(marker.projected);
    const double r = markerRadius();
    const auto ring = [&](double radius, const QColor &color, double width) {
        // A halo in the sea's colour under every ring keeps it readable on land, on sea and next to neighbours.
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(colors.halo, width + 2.4));
        painter.drawEllipse(centre, radius, radius);
        painter.setPen(QPen(color, width));
        painter.drawEllipse(centre, radius, radius);
    };

    switch (marker.state) {
    case State::Idle:
        ring(r * 0.8, colors.idle, 1.5);
        break;
    case State::Booting: {
        // A slow breath: a soft disc swells and fades around a steady ring.
        const double t = 0.5 - 0.5 * std::cos(2 * std::numbers::pi * phase / pulsePeriodS);
        painter.setPen(Qt::NoPen);
        painter.setBrush(withAlpha(bootingColor, 0.45 * (1 - t)));
        painter.drawEllipse(centre, r * (0.9 + 0.7 * t), r * (0.9 + 0.7 * t));
        ring(r * 0.85, bootingColor, 2.2);
        break;
    }
    case State::Loading: {
        const double radius = r * 0.9;
        ring(radius, withAlpha(loadingColor, 0.5), 2.2);
        const QRectF box(centre - QPointF(radius, radius), QSizeF(2 * radius, 2 * radius));
        const int start = int(std::lround(-360.0 * std::fmod(phase / spinPeriodS, 1.0) * 16)); // clockwise
        QPen arc(loadingColor, 2.6);
        arc.setCapStyle(Qt::RoundCap);
        painter.setPen(arc);
        painter.setBrush(Qt::NoBrush);
        painter.drawArc(box, start, 130 * 16);
        break;
    }
    case State::Done: {
        const QColor fill = LoadTimeScale::color(marker.loadMs.value_or(0));
        // The outline in the text colour separates the disc from land, sea and neighbours for any eyes.
        painter.setPen(QPen(colors.halo, 3.2));
        painter.setBrush(Qt::NoBrush);
        painter.drawEllipse(centre, r, r);
        painter.setPen(QPen(withAlpha(colors.text, 0.85), 1.3));
        painter.setBrush(fill);
        painter.drawEllipse(centre, r, r);
        break;
    }
    case State::Error: {
        const double arm = r * 0.8;
        QPainterPath cross;
        cross.moveTo(centre + QPointF(-arm, -arm));
        cross.lineTo(centre + QPointF(arm, arm));
        cross.moveTo(centre + QPointF(arm, -arm));
        cross.lineTo(centre + QPointF(-arm, arm));
        QPen outline(withAlpha(colors.text, 0.85), 5.0);
        outline.setCapStyle(Qt::RoundCap);
        painter.strokePath(cross, outline);
        QPen pen(errorColor, 2.8);
        pen.setCapStyle(Qt::RoundCap);
        painter.strokePath(cross, pen);
        break;
    }
    }

    if (marker.region.code == m_selected) {
        const double radius = r + 4.5;
        painter.setBrush(Qt::NoBrush);
        painter.setPen(QPen(colors.halo, 5));
        painter.drawEllipse(centre, radius, radius);
        painter.setPen(QPen(palette().color(QPalette::Highlight), 2.5));
        painter.drawEllipse(centre, radius, radius);
    }
}

void WorldMapView::paintLabels(QPainter &painter) const
{
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 0.85);
    const QFontMetricsF metrics(font);
    const double r = markerRadius();
    const MapColors colors(palette());

    // Greedy placement: the slowest first (the ones worth reading), each on the first side of its marker that
    // overlaps neither another label nor a marker. One that fits nowhere is left to the tooltip.
    QList<const Marker *> done;
    for (const Marker &marker : m_markers) {
        if (marker.state == State::Done && marker.loadMs)
            done.append(&marker);
    }
    std::stable_sort(
        done.begin(), done.end(), [](const Marker *a, const Marker *b) { return *a->loadMs > *b->loadMs; });
    QList<QRectF> taken { legendRect() };
    QList<QRectF> markerBoxes;
    for (const Marker &marker : m_markers) {
        const QPointF c = mapTransform().map(marker.projected);
        const double reach = marker.region.code == m_selected ? r + 6 : r; // the selection ring
        markerBoxes.append(QRectF(c - QPointF(reach, reach), QSizeF(2 * reach, 2 * reach)));
    }

    for (const Marker *marker : done) {
        const QString text = LoadTimeScale::label(*marker->loadMs);
        const QSizeF size(metrics.horizontalAdvance(text) + 2, metrics.height());
        const QPointF c = mapTransform().map(marker->projected);
        const double gap = (marker->region.code == m_selected ? r + 6 : r) + 3; // clear of its own rings
        const QList<QRectF> candidates {
            QRectF(QPointF(c.x() + gap, c.y() - size.height() / 2), size), // right
            QRectF(QPointF(c.x() - gap - size.width(), c.y() - size.height() / 2), size), // left
            QRectF(QPointF(c.x() - size.width() / 2, c.y() - gap - size.height()), size), // above
            QRectF(QPointF(c.x() - size.width() / 2, c.y() + gap), size), // below
        };
        for (const QRectF &candidate : candidates) {
            if (!rect().toRectF().contains(candidate))
                continue;
            const auto overlaps = [&](const QRectF &box) { return box.intersects(candidate); };
            if (std::any_of(taken.begin(), taken.end(), overlaps)
                || std::any_of(markerBoxes.begin(), markerBoxes.end(), overlaps))
                continue;
            taken.append(candidate);
            QPainterPath path;
            path.addText(candidate.left() + 1, candidate.top() + metrics.ascent(), font, text);
            painter.setBrush(Qt::NoBrush);
            painter.setPen(QPen(colors.labelHalo, 3, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
            painter.drawPath(path);
            painter.setPen(Qt::NoPen);
            painter.setBrush(colors.text);
            painter.drawPath(path);
            break;
        }
    }
}

QRectF WorldMapView::legendRect() const
{
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 0.85);
    const QFontMetricsF metrics(font);
    double statesWidth = 0;
    for (const QString &name : legendStateNames())
        statesWidth += legendGlyphSpan() + 10 + metrics.horizontalAdvance(name);
    const QSizeF size(std::max(200.0, statesWidth + 10), metrics.height() * 3 + 36);
    return { QPointF(8, height() - 8 - size.height()), size };
}

double WorldMapView::legendGlyphSpan() const
{
    // A marker's rings and outline reach past its radius (most at the pulse's widest); on a small map the text
    // would run into them with only 2r of room.
    return 2 * markerRadius() * 1.7;
}

QStringList WorldMapView::legendStateNames()
{
    // In the order of the states they stand for: Idle, Booting, Loading, Error.
    return { tr("waiting"), tr("starting"), tr("loading"), tr("failed") };
}

void WorldMapView::paintLegend(QPainter &painter) const
{
    const QRectF box = legendRect();
    if (box.top() < height() / 2.0 || box.width() > width() / 2.0)
        return; // too small a map to spare the corner
    const MapColors colors(palette());
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 0.85);
    const QFontMetricsF metrics(font);
    painter.save();
    painter.setFont(font);
    painter.setPen(QPen(withAlpha(colors.text, 0.2), 1));
    painter.setBrush(withAlpha(colors.window, 0.88));
    painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);

    const double pad = 10;
    painter.setPen(colors.text);
    painter.drawText(QPointF(box.left() + pad, box.top() + 6 + metrics.ascent()), tr("Load time"));

    // The scale from 0 to 5 s, ticks where the colours change.
    constexpr double maxMs = 5000;
    const QRectF bar(box.left() + pad, box.top() + 8 + metrics.height(), box.width() - 2 * pad, 9);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    using Scale = LoadTimeScale;
    for (const double ms : { 0.0, Scale::goodMs, 1750.0, Scale::mediumMs, 3250.0, Scale::poorMs, maxMs })
        gradient.setColorAt(ms / maxMs, Scale::color(ms));
    painter.setPen(QPen(withAlpha(colors.text, 0.6), 1));
    painter.setBrush(gradient);
    painter.drawRect(bar);
    for (const double ms : { Scale::goodMs, Scale::mediumMs, Scale::poorMs }) {
        const double x = bar.left() + bar.width() * ms / maxMs;
        painter.drawLine(QPointF(x, bar.bottom()), QPointF(x, bar.bottom() + 3));
        const QString text = ms == Scale::mediumMs ? tr("2.5 s") : tr("%1 s").arg(ms / 1000);
        painter.drawText(QPointF(x - metrics.horizontalAdvance(text) / 2, bar.bottom() + 4 + metrics.ascent()), text);
    }

    // The other states, with the glyphs the map uses.
    const double y = bar.bottom() + 10 + metrics.height() * 1.5;
    double x = box.left() + pad;
    const QStringList names = legendStateNames();
    const State states[] = { State::Idle, State::Booting, State::Loading, State::Error };
    for (qsizetype i = 0; i < names.size(); ++i) {
        const State state = states[i];
        const QString &name = names.at(i);
        const QPointF centre(x + legendGlyphSpan() / 2, y);
        // Draw a stand-in marker through the same code, at a fixed phase so the legend never moves.
        Marker sample;
        sample.state = state;
        sample.projected = mapTransform().inverted().map(centre);
        painter.save();
        painter.setRenderHint(QPainter::Antialiasing);
        paintMarker(painter, sample, pulsePeriodS * 0.25);
        painter.restore();
        painter.setPen(colors.text);
        painter.drawText(QPointF(x + legendGlyphSpan() + 4, y - metrics.height() / 2 + metrics.ascent()), name);
        x += legendGlyphSpan() + 10 + metrics.horizontalAdvance(name);
    }
    painter.restore();
}
