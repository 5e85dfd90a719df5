#pragma once

#include "theme.h"

#include <QCoreApplication>
#include <QFont>
#include <QList>
#include <QObject>
#include <QPointF>
#include <QRectF>
#include <QString>
#include <QTransform>

#include <optional>

class QPainter;

// The world map with a marker per region, painted with QPainter onto any device: the live WorldMapView paints
// through it, and so does the PDF report. The land (WorldMap, Natural Earth in Equal Earth) sits on a sea in the
// theme's colours; a marker says what a region is doing, in colours that are the same in every theme (like the
// load-time scale, they are data): a grey ring while idle, an amber breathing ring while booting, a blue spinning
// arc while loading, a disc in its load time's colour (LoadTimeScale) when done, a red cross when it failed. Every
// marker has a halo in the sea's colour, so it reads on land, on sea and next to its neighbours.
//
// Coordinates: fit() maps WorldMap's projected units into a rectangle; every length is given in device units or
// in `unit`s (a screen pixel: 1 on screen, the PDF's own on paper).
class WorldMapPainter final
{
    Q_GADGET
    Q_DECLARE_TR_FUNCTIONS(WorldMapPainter)

public:
    enum class State {
        Idle, // hollow grey ring
        Booting, // cold start: amber pulsing ring
        Loading, // blue ring with a spinning arc
        Done, // disc coloured by load time (LoadTimeScale)
        Error, // red cross
    };
    Q_ENUM(State)

    struct Marker
    {
        QString code;
        QPointF projected; // WorldMap units
        State state = State::Idle;
        std::optional<double> loadMs; // the disc's colour and label when Done
        QString name; // the label's name ("Frankfurt"); "" labels only a time or a failure
        bool labelFailure = false; // an Error marker's label says "failed"
        bool selected = false; // a ring in the highlight colour
    };

    static constexpr double pulsePeriodS = 1.2; // Booting
    static constexpr double spinPeriodS = 1.0; // Loading

    WorldMapPainter(const Theme &theme, const QTransform &transform, double unit = 1);

    // The whole world in `rect`, centred, aspect kept; y flipped, as the projection's points north.
    static QTransform fit(const QRectF &rect);
    // A marker's size on a map drawn with `transform`: it grows with the map, within 4 and 9 units.
    static double markerRadius(const QTransform &transform, double unit = 1);
    // How far a marker's paint reaches from its centre (pulse, selection ring, halo).
    static double markerReach(double radius, double unit = 1);
    // A mark of the load-time legend's scale: as short as it can be ("0", "1 s", "2.5 s"), all in one style.
    static QString legendTick(double ms);

    const QTransform &transform() const { return m_transform; }
    QPointF position(const Marker &marker) const { return m_transform.map(marker.projected); }

    // The sea (the sphere's outline), the graticule every 30°, the land and the borders, the sphere's rim.
    void paintBackground(QPainter &painter) const;
    // One marker at `centre`; `phaseS` (seconds) sets the pulse and the spin.
    void paintMarker(QPainter &painter, const QPointF &centre, State state, std::optional<double> loadMs, double radius,
        double phaseS = 0, bool selected = false) const;
    // All of them, quiet ones first (the selected one last), so finished and failed ones stay on top in crowds.
    void paintMarkers(QPainter &painter, const QList<Marker> &markers, double radius, double phaseS = 0) const;
    // Labels where they fit inside `bounds`, clear of every marker, of `avoid` and of each other: right, left,
    // above or below the marker; none where all four collide (the tooltip, or the table, says it). Failures and
    // the slowest first, as those are the ones worth reading. Returns the boxes drawn.
    QList<QRectF> paintLabels(QPainter &painter, const QList<Marker> &markers, double radius, const QFont &font,
        const QRectF &bounds, const QList<QRectF> &avoid = {}) const;
    // The load-time colour scale in `bar`, from 0 to 5 s, with its ticks and their labels below it; returns where
    // the labels went (the ends always; a tick between them only where its label has room).
    QList<QRectF> paintLoadScale(QPainter &painter, const QRectF &bar, const QFont &font) const;

private:
    struct Colors
    {
        QColor ocean, land, border, grid, rim, halo, idle, text, outline, labelBox, selection;
        QColor booting, loading, failed;
    };
    static Colors colorsOf(const Theme &theme);
    void ring(QPainter &painter, const QPointF &centre, double radius, const QColor &color, double width) const;

    Colors m_colors;
    QTransform m_transform;
    double m_unit;
};
