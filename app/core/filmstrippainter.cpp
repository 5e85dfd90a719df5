#include "filmstrippainter.h"

#include "model/displayformat.h"

#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

double FilmstripPainter::Frames::aspect() const
{
    for (const QImage &image : images) {
        if (image.height() > 0)
            return double(image.width()) / image.height();
    }
    return 16.0 / 9.0;
}

qsizetype FilmstripPainter::Frames::frameAt(double ms) const
{
    const auto after = std::upper_bound(timesMs.begin(), timesMs.end(), ms);
    return (after - timesMs.begin()) - 1;
}

FilmstripPainter::Frames FilmstripPainter::decode(const Filmstrip &strip)
{
    Frames frames;
    for (const Filmstrip::Frame &frame : strip.frames) {
        QImage image = QImage::fromData(frame.jpeg, "JPEG");
        if (image.isNull())
            continue;
        frames.timesMs.append(frame.timeMs);
        frames.images.append(std::move(image));
    }
    return frames;
}

FilmstripPainter::FilmstripPainter(const Theme &theme, const QFont &font, const QPaintDevice *device, double unit)
    : m_theme(theme)
    , m_font(font)
    , m_device(device)
    , m_unit(unit)
{ }

double FilmstripPainter::slotMs(double pxPerMs, double slotWidth)
{
    // 1, 2 or 5 × 10^n ms, as the waterfall's ticks, so the slots' times read as round numbers.
    for (double decade = 1;; decade *= 10) {
        for (const double step : { 1.0, 2.0, 5.0 }) {
            if (step * decade * pxPerMs >= slotWidth || decade > 1e8)
                return step * decade;
        }
    }
}

double FilmstripPainter::height(double thumbnailHeight) const
{
    return thumbnailHeight + QFontMetricsF(m_font, m_device).height() + 2 * m_unit;
}

void FilmstripPainter::paint(
    QPainter &painter, const QRectF &rect, const Frames &frames, const Axis &axis, std::optional<double> cursorMs) const
{
    if (frames.isEmpty() || axis.pxPerMs <= 0)
        return;
    const double labelHeight = QFontMetricsF(m_font, m_device).height();
    double thumbHeight = std::max(1.0, rect.height() - labelHeight - 2 * m_unit);
    double thumbWidth = thumbHeight * frames.aspect();
    // A narrow lane still gets a few slots: smaller thumbnails rather than one.
    const double fewest = (axis.spanMs * axis.pxPerMs) / minSlots - 3 * m_unit;
    if (thumbWidth > fewest) {
        thumbWidth = std::max(8 * m_unit, fewest);
        thumbHeight = thumbWidth / frames.aspect();
    }
    const double intervalMs = slotMs(axis.pxPerMs, thumbWidth + 3 * m_unit);
    const double endX = std::min(rect.right(), axis.originX + axis.spanMs * axis.pxPerMs + thumbWidth);
    painter.save();
    painter.setClipRect(rect);
    painter.setFont(m_font);
    qsizetype shown = -2;
    for (double ms = 0; axis.originX + ms * axis.pxPerMs + thumbWidth <= endX + 0.5; ms += intervalMs) {
        const double x = axis.originX + ms * axis.pxPerMs;
        const qsizetype index = frames.frameAt(ms);
        const QRectF thumb(x, rect.top() + m_unit, thumbWidth, thumbHeight);
        if (index >= 0)
            painter.drawImage(thumb, frames.images.at(index));
        else
            painter.fillRect(thumb, Qt::white); // before the first frame: the blank page
        const bool changed = index != shown && shown != -2;
        shown = index;
        painter.setPen(QPen(changed ? m_theme.highlight() : m_theme.rule(), changed ? 2 * m_unit : m_unit));
        painter.setBrush(Qt::NoBrush);
        painter.drawRect(thumb);
        painter.setPen(changed ? m_theme.text() : m_theme.muted());
        painter.drawText(
            QRectF(x, thumb.bottom() + m_unit, thumbWidth, labelHeight), Qt::AlignCenter, DisplayFormat::duration(ms));
    }
    if (cursorMs) {
        const double x = axis.originX + *cursorMs * axis.pxPerMs;
        painter.setPen(QPen(m_theme.link(), m_unit));
        painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()));
    }
    painter.restore();
}
