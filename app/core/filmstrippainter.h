#pragma once

#include "model/filmstrip.h"
#include "theme.h"

#include <QCoreApplication>
#include <QFont>
#include <QImage>
#include <QList>
#include <QRectF>

#include <optional>

class QPainter;
class QPaintDevice;

// A filmstrip on a time axis, painted with QPainter onto any device: under each waterfall lane in the window
// (FilmstripView) and as a row per region in the PDF report. The axis is the caller's, `originX` being 0 ms, so the
// strip lines up with the waterfall above it.
//
// The strip is a row of slots at round times (every 100 ms, 200 ms, 500 ms, 1 s, … whichever leaves room for a
// thumbnail), from 0 ms to the span's end, each starting at its time's x. A slot shows what was on screen at its
// time (the last frame at or before it, as WebPageTest's filmstrip does) with that time under it; a slot whose picture
// differs from the one before is outlined in the highlight colour, so the changes stand out. An optional cursor is a
// vertical line at its time.
class FilmstripPainter final
{
    Q_DECLARE_TR_FUNCTIONS(FilmstripPainter)

public:
    // At least this many slots over the span, the thumbnails made smaller if need be.
    static constexpr int minSlots = 5;

    // The frames decoded once, for painting many times; those that do not decode are left out.
    struct Frames
    {
        QList<double> timesMs;
        QList<QImage> images;
        bool isEmpty() const { return images.isEmpty(); }
        // Width over height of the pictures; 16:9 when there are none.
        double aspect() const;
        // The frame on screen at `ms`: the last at or before it; -1 before the first.
        qsizetype frameAt(double ms) const;
    };
    static Frames decode(const Filmstrip &strip);

    struct Axis
    {
        double originX = 0; // x of 0 ms
        double pxPerMs = 1;
        double spanMs = 1000; // slots go up to here
    };

    FilmstripPainter(const Theme &theme, const QFont &font, const QPaintDevice *device, double unit);

    // The time between slots for an axis of pxPerMs whose slots need slotWidth each.
    static double slotMs(double pxPerMs, double slotWidth);
    // The height a strip of thumbnails `thumbnailHeight` high takes, its time labels included.
    double height(double thumbnailHeight) const;
    void paint(QPainter &painter, const QRectF &rect, const Frames &frames, const Axis &axis,
        std::optional<double> cursorMs = std::nullopt) const;

private:
    Theme m_theme;
    QFont m_font;
    const QPaintDevice *m_device;
    double m_unit;
};
