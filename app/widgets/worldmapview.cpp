#include "worldmapview.h"

#include "regionmodel.h"
#include "theme.h"
#include "worldmap.h"

#include <QHelpEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>

#include <algorithm>
#include <cmath>
#include <utility>

namespace {

constexpr int frameIntervalMs = 33; // ~30 fps, only while something moves
constexpr double margin = 6; // around the world, in logical pixels

bool isAnimated(WorldMapView::State state)
{
    return state == WorldMapView::State::Booting || state == WorldMapView::State::Loading;
}

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
    // A marker per region: a script's later steps have rows of their own in the table, not places on the map.
    QList<RegionCatalog::Region> regions;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->index(row, 0).data(RegionModel::StepRole).toInt() == 0)
            regions.append(m_model->index(row, 0).data(RegionModel::PlaceRole).value<RegionCatalog::Region>());
    }
    setRegions(regions);
    for (int row = 0; row < m_model->rowCount(); ++row)
        readRow(row);
}

void WorldMapView::readRow(int row)
{
    const QModelIndex index = m_model->index(row, 0);
    if (index.data(RegionModel::StepRole).toInt() != 0)
        return;
    const auto phase = static_cast<RegionModel::Phase>(index.data(RegionModel::PhaseRole).toInt());
    const QVariant loadMs = index.data(RegionModel::LoadMsRole);
    // A time on the map is a result, or the load time of a run that is past its load event: only a region whose
    // runs are over shows one, or one whose page has loaded and is finishing.
    const bool done
        = loadMs.isValid() && (phase == RegionModel::Phase::Complete || index.data(RegionModel::AtLoadRole).toBool());
    setRegionState(index.data(RegionModel::RegionCodeRole).toString(),
        done ? WorldMapView::State::Done : mapState(phase),
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
    return WorldMapPainter::markerRadius(mapTransform());
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
    return WorldMapPainter::fit(QRectF(rect()).adjusted(margin, margin, -margin, -margin));
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
    const double reach = WorldMapPainter::markerReach(markerRadius());
    const QPointF centre = mapTransform().map(marker.projected);
    return { centre - QPointF(reach, reach), QSizeF(2 * reach, 2 * reach) };
}

void WorldMapView::renderBackground()
{
    const double dpr = devicePixelRatioF();
    m_background = QPixmap((QSizeF(size()) * dpr).toSize());
    m_background.setDevicePixelRatio(dpr);
    const Theme theme(palette());
    m_background.fill(theme.window());
    QPainter painter(&m_background);
    WorldMapPainter(theme, mapTransform()).paintBackground(painter);
}

QList<WorldMapPainter::Marker> WorldMapView::paintedMarkers() const
{
    QList<WorldMapPainter::Marker> markers;
    markers.reserve(m_markers.size());
    for (const Marker &marker : m_markers) {
        WorldMapPainter::Marker painted;
        painted.code = marker.region.code;
        painted.projected = marker.projected;
        painted.state = marker.state;
        painted.loadMs = marker.loadMs;
        painted.selected = marker.region.code == m_selected;
        markers.append(painted);
    }
    return markers;
}

QFont WorldMapView::labelFont() const
{
    QFont font = this->font();
    font.setPointSizeF(font.pointSizeF() * 0.85);
    return font;
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

    const WorldMapPainter map(Theme(palette()), mapTransform());
    const QList<WorldMapPainter::Marker> markers = paintedMarkers();
    const double phase = m_clock.isValid() ? m_clock.elapsed() / 1000.0 : 0;
    map.paintMarkers(painter, markers, markerRadius(), phase);
    // Only times: the city is in the tooltip, and a live map has no room for names.
    map.paintLabels(painter, markers, markerRadius(), labelFont(), QRectF(rect()), { legendRect() });
    paintLegend(painter, map);
}

QList<QPointF> WorldMapView::legendStatePositions(double width) const
{
    // The states flow left to right and wrap onto a second line when the box would be wider than `width`: a map in
    // a small window keeps its whole legend.
    const QFontMetricsF metrics(labelFont());
    const double pad = 10;
    QList<QPointF> positions;
    double x = pad;
    double line = 0;
    for (const QString &name : legendStateNames()) {
        const double step = legendGlyphSpan() + 10 + metrics.horizontalAdvance(name);
        if (x > pad && x + step > width - pad + 10) {
            x = pad;
            ++line;
        }
        positions.append(QPointF(x, line * metrics.height() * 1.5));
        x += step;
    }
    return positions;
}

QRectF WorldMapView::legendRect() const
{
    const QRectF full = legendRect(false);
    return fitsLegend(full) ? full : legendRect(true);
}

bool WorldMapView::isLegendCompact() const
{
    return !fitsLegend(legendRect(false));
}

bool WorldMapView::fitsLegend(const QRectF &box) const
{
    // Too small a map to spare the corner: the legend would cover most of it.
    return box.top() >= height() / 3.0 && box.right() <= width() - 8;
}

QRectF WorldMapView::legendRect(bool compact) const
{
    const QFontMetricsF metrics(labelFont());
    if (compact) // the load-time scale alone: its title, its bar and the bar's labels
        return { QPointF(8, height() - 8 - (metrics.height() * 2 + 26)), QSizeF(180, metrics.height() * 2 + 26) };
    double statesWidth = 0;
    for (const QString &name : legendStateNames())
        statesWidth += legendGlyphSpan() + 10 + metrics.horizontalAdvance(name);
    // As wide as one line of states needs, at most half the map (less than that hides too much of it).
    const double width = std::clamp(statesWidth + 10, 180.0, std::max(180.0, this->width() / 2.0));
    const QList<QPointF> states = legendStatePositions(width);
    const double extraLines = states.isEmpty() ? 0 : states.last().y();
    const QSizeF size(width, metrics.height() * 3 + 36 + extraLines);
    return { QPointF(8, height() - 8 - size.height()), size };
}

bool WorldMapView::isLegendShown() const
{
    return fitsLegend(legendRect());
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

void WorldMapView::paintLegend(QPainter &painter, const WorldMapPainter &map) const
{
    if (!isLegendShown())
        return;
    const QRectF box = legendRect();
    const Theme theme(palette());
    const QFont font = labelFont();
    const QFontMetricsF metrics(font);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setFont(font);
    painter.setPen(QPen(Theme::withAlpha(theme.windowText(), 0.2), 1));
    painter.setBrush(Theme::withAlpha(theme.window(), 0.88));
    painter.drawRoundedRect(box.adjusted(0.5, 0.5, -0.5, -0.5), 5, 5);

    const double pad = 10;
    painter.setPen(theme.windowText());
    painter.drawText(QPointF(box.left() + pad, box.top() + 6 + metrics.ascent()), tr("Load time"));
    map.paintLoadScale(
        painter, QRectF(box.left() + pad, box.top() + 8 + metrics.height(), box.width() - 2 * pad, 9), font);

    if (isLegendCompact()) { // the states' glyphs are the map's own; the colours are what a small map must explain
        painter.restore();
        return;
    }
    // The other states, with the glyphs the map uses, at a fixed phase so the legend never moves.
    const double top = box.top() + 8 + metrics.height() + 9 + 10 + metrics.height() * 1.5;
    const QStringList names = legendStateNames();
    const QList<QPointF> positions = legendStatePositions(box.width());
    const State states[] = { State::Idle, State::Booting, State::Loading, State::Error };
    for (qsizetype i = 0; i < names.size(); ++i) {
        const double x = box.left() + positions.at(i).x();
        const double y = top + positions.at(i).y();
        map.paintMarker(painter, QPointF(x + legendGlyphSpan() / 2, y), states[i], std::nullopt, markerRadius(),
            WorldMapPainter::pulsePeriodS * 0.25);
        painter.setPen(theme.windowText());
        painter.drawText(QPointF(x + legendGlyphSpan() + 4, y - metrics.height() / 2 + metrics.ascent()), names.at(i));
    }
    painter.restore();
}
