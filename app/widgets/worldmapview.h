#pragma once

#include "regioncatalog.h"
#include "worldmappainter.h"

#include <QElapsedTimer>
#include <QPixmap>
#include <QPointer>
#include <QTimer>
#include <QTransform>
#include <QWidget>

#include <optional>

class QAbstractItemModel;

// The world map that lights up region by region while a page loads: Natural Earth land in Equal Earth, one marker
// per region at its city, a time beside each finished one, a legend in the corner. WorldMapPainter draws it all
// (the PDF report's map too) in the colours of a Theme from the widget's palette, so light and dark themes both
// work. A timer (~30 fps) runs only while a region is booting or loading and the widget is visible.
class WorldMapView final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorldMapView)

public:
    // Idle, Booting, Loading, Done (with the time as a label), Error: what a marker shows.
    using State = WorldMapPainter::State;

    explicit WorldMapView(QWidget *parent = nullptr);
    ~WorldMapView() override;

    // Reads the markers from a RegionModel, one per row, and follows its changes: where each region is
    // (PlaceRole), its code, its phase, its median load once complete, and its summary as the tool tip. Not owned;
    // null leaves the markers to setRegions() and setRegionState().
    void setModel(QAbstractItemModel *model);
    QAbstractItemModel *model() const { return m_model; }
    // The legend is painted: not on a map too small to spare it the corner (it wraps, then keeps only the
    // load-time scale, before it gives up).
    bool isLegendShown() const;
    // Only the load-time scale, without the states: the map is too small for the whole legend.
    bool isLegendCompact() const;

    // Replaces the markers (all Idle); by default the built-in RegionCatalog's.
    void setRegions(const QList<RegionCatalog::Region> &regions);
    QList<RegionCatalog::Region> regions() const;

    // `toolTip` is shown when the pointer rests on the marker; an empty one shows the city's name.
    void setRegionState(
        const QString &code, State state, std::optional<double> loadMs = std::nullopt, const QString &toolTip = {});
    State regionState(const QString &code) const;
    void resetRegionStates(); // all Idle, no times, no tooltips

    void setSelectedRegion(const QString &code); // "" selects none
    QString selectedRegion() const { return m_selected; }

    // Projected units (WorldMap, y north) to widget coordinates: the world fitted and centred, aspect kept.
    QTransform mapTransform() const;
    // Where a region's marker is drawn in widget coordinates; nullopt for an unknown code.
    std::optional<QPointF> markerPosition(const QString &code) const;
    // The region whose marker is under `pos` (the nearest if several are), or "".
    QString regionAt(const QPointF &pos) const;
    double markerRadius() const;
    bool isAnimating() const { return m_animation.isActive(); }

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;
    bool hasHeightForWidth() const override { return true; }
    int heightForWidth(int width) const override;

signals:
    void regionClicked(const QString &code);

protected:
    bool event(QEvent *event) override;
    void paintEvent(QPaintEvent *event) override;
    void changeEvent(QEvent *event) override;
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    struct Marker
    {
        RegionCatalog::Region region;
        QPointF projected; // in WorldMap units
        State state = State::Idle;
        std::optional<double> loadMs;
        QString toolTip;
    };

    const Marker *marker(const QString &code) const;
    void readMarkers(); // every marker from m_model
    void readRow(int row); // one marker's state from m_model
    void updateAnimation();
    void animationTick();
    QRectF markerBounds(const Marker &marker) const;
    void renderBackground();
    QList<WorldMapPainter::Marker> paintedMarkers() const;
    QFont labelFont() const;
    void paintLegend(QPainter &painter, const WorldMapPainter &map) const;
    QRectF legendRect() const;
    QRectF legendRect(bool compact) const;
    bool fitsLegend(const QRectF &box) const;
    // Where each state's glyph goes in a legend `width` wide, from its first state's line.
    QList<QPointF> legendStatePositions(double width) const;
    double legendGlyphSpan() const;
    static QStringList legendStateNames();

    QPointer<QAbstractItemModel> m_model;
    QList<Marker> m_markers;
    QString m_selected;
    QString m_pressed; // the marker a press started on, clicked on release over the same one
    QPixmap m_background; // ocean, land and borders at the current size, palette and device pixel ratio
    QTimer m_animation;
    QElapsedTimer m_clock; // the phase of the pulse and spin
};
