#include "metricsbarchart.h"

#include "model/displayformat.h"

#include <QFontMetricsF>
#include <QHash>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace {

constexpr double emptyAxisMaxMs = 1000;
constexpr double barShare = 0.8; // of a group's width; the rest is air between groups

// Paper colours.
const QColor inkColor(0x20, 0x21, 0x24);
const QColor mutedColor(0x5f, 0x63, 0x68);
const QColor gridColor(0xda, 0xdc, 0xe0);
const QColor axisColor(0x9a, 0xa0, 0xa6);

// A round top for the value axis: 1, 2, 2.5 or 5 × 10^n at or above the value.
double niceCeiling(double value)
{
    if (!(value > 0))
        return emptyAxisMaxMs;
    const double magnitude = std::pow(10.0, std::floor(std::log10(value)));
    for (const double step : { 1.0, 2.0, 2.5, 5.0, 10.0 }) {
        if (value <= step * magnitude)
            return step * magnitude;
    }
    return 10 * magnitude;
}

QFont scaled(QFont font, double factor)
{
    if (font.pointSizeF() > 0)
        font.setPointSizeF(font.pointSizeF() * factor);
    else if (font.pixelSize() > 0)
        font.setPixelSize(std::max(1, int(std::lround(font.pixelSize() * factor))));
    return font;
}

double widest(const QStringList &texts, const QFont &font, const QPaintDevice *device)
{
    const QFontMetricsF metrics(font, device);
    double width = 0;
    for (const QString &text : texts)
        width = std::max(width, metrics.horizontalAdvance(text));
    return width;
}

} // namespace

int MetricsBarChart::indexOf(PageMetric::Id metric)
{
    const auto drawn = metrics();
    const auto it = std::find(drawn.begin(), drawn.end(), metric);
    return it == drawn.end() ? -1 : int(it - drawn.begin());
}

MetricsBarChart::RegionValues MetricsBarChart::RegionValues::of(
    const QString &code, const QString &city, const std::optional<PageMetrics> &median)
{
    RegionValues values { code, city, {} };
    if (median) {
        for (int i = 0; i < metricCount; ++i)
            values.ms[i] = PageMetric::get(metrics()[i]).value(*median);
    }
    return values;
}

std::optional<double> MetricsBarChart::RegionValues::value(PageMetric::Id metric) const
{
    const int index = indexOf(metric);
    return index < 0 ? std::nullopt : ms[index];
}

QString MetricsBarChart::metricName(PageMetric::Id metric)
{
    switch (metric) {
    case PageMetric::Id::Fcp:
        return tr("First contentful paint");
    case PageMetric::Id::Lcp:
        return tr("Largest contentful paint");
    default:
        return PageMetric::get(metric).label();
    }
}

QColor MetricsBarChart::metricColor(PageMetric::Id metric, bool dark)
{
    // FCP and Load share their hues with the waterfall's markers (green, red), so the two views read alike; TTFB
    // purple and LCP orange stay apart from both, also for the common red-green colour blindness (lightness
    // differs). Dark variants are lighter so the bars keep their contrast on a dark plot. The metrics the charts
    // do not draw get a neutral grey.
    switch (metric) {
    case PageMetric::Id::Ttfb:
        return dark ? QColor(0xc5, 0x8a, 0xf9) : QColor(0x81, 0x3d, 0xd6);
    case PageMetric::Id::Fcp:
        return dark ? QColor(0x81, 0xc9, 0x95) : QColor(0x1e, 0x8e, 0x3e);
    case PageMetric::Id::Lcp:
        return dark ? QColor(0xfc, 0xb0, 0x5e) : QColor(0xe8, 0x71, 0x0a);
    case PageMetric::Id::Load:
        return dark ? QColor(0xf2, 0x8b, 0x82) : QColor(0xd9, 0x30, 0x25);
    default:
        return dark ? QColor(0xbd, 0xc1, 0xc6) : QColor(0x5f, 0x63, 0x68);
    }
}

double MetricsBarChart::axisTopMs(const QList<RegionValues> &values, std::optional<double> atLeastMs)
{
    double max = atLeastMs.value_or(0);
    for (const RegionValues &region : values) {
        for (const std::optional<double> &ms : region.ms) {
            if (ms)
                max = std::max(max, *ms);
        }
    }
    return axisTopMs(max);
}

double MetricsBarChart::axisTopMs(double largestMs)
{
    // A little headroom, so the tallest bar does not touch the top.
    return niceCeiling(largestMs * 1.05);
}

int MetricsBarChart::tickCount(double topMs)
{
    const double leading = topMs / std::pow(10.0, std::floor(std::log10(topMs)));
    return std::abs(leading - 2.0) < 1e-9 ? 5 : 6;
}

QStringList MetricsBarChart::groupNames(const QList<RegionValues> &values, bool codes)
{
    QHash<QString, int> cityUse;
    for (const RegionValues &region : values)
        ++cityUse[region.city];
    QStringList names;
    for (const RegionValues &region : values) {
        names.append(region.city.isEmpty() || codes ? region.code
                : cityUse.value(region.city) > 1    ? QStringLiteral("%1 (%2)").arg(region.city, region.code)
                                                    : region.city);
    }
    return names;
}

MetricsBarChart::Layout MetricsBarChart::layout(const QRectF &rect, const QPaintDevice *device) const
{
    // Every length is in lines of the font, so the chart looks the same at any resolution.
    const QFontMetricsF fm(m_font, device);
    const double line = fm.height();
    Layout layout;
    double top = rect.top();

    if (m_legendVisible) {
        const double swatch = fm.ascent() * 0.8;
        double x = rect.left();
        double y = top;
        for (int i = 0; i < metricCount; ++i) {
            const double width = swatch + line * 0.35 + fm.horizontalAdvance(metricName(metrics()[i]));
            if (x > rect.left() && x + width > rect.right()) { // the next line
                x = rect.left();
                y += line;
            }
            layout.legendSwatches[i] = QRectF(x, y + (line - swatch) / 2, swatch, swatch);
            x += width + line * 1.2;
        }
        layout.legend = QRectF(rect.left(), top, rect.width(), y + line - top);
        top = layout.legend.bottom() + line * 0.9;
    }

    // The value axis' labels on the left, the top one half a line above the plot.
    const double max = axisMaxMs();
    const int ticks = tickCount(max);
    const double step = max / (ticks - 1);
    double labelWidth = 0;
    for (int i = 0; i < ticks; ++i)
        labelWidth = std::max(labelWidth, fm.horizontalAdvance(DisplayFormat::axisTick(i * step, step, max)));
    const double plotLeft = rect.left() + labelWidth + line * 0.5;
    const double plotTop = top + line / 2;
    const double plotBottom = rect.bottom() - line * 1.3; // the names below
    layout.plot
        = QRectF(plotLeft, plotTop, std::max(1.0, rect.right() - plotLeft), std::max(1.0, plotBottom - plotTop));

    // A few regions do not get bars as wide as the page: their groups are narrower, and centred.
    const qsizetype count = m_values.size();
    const double groupWidth = std::min(layout.plot.width() / double(std::max<qsizetype>(1, count)), line * 12);
    const double groupsLeft = layout.plot.center().x() - groupWidth * double(count) / 2;
    for (qsizetype i = 0; i < count; ++i) {
        const double left = groupsLeft + double(i) * groupWidth;
        layout.groups.append(QRectF(left, layout.plot.top(), groupWidth, layout.plot.height()));
        layout.names.append(QRectF(
            left, layout.plot.bottom() + line * 0.3, groupWidth, rect.bottom() - layout.plot.bottom() - line * 0.3));
    }

    // Cities where they fit, a little smaller if that is what it takes, else the codes; elided only at worst.
    const double room = groupWidth - line * 0.3;
    const QFont smaller = scaled(m_font, 0.8);
    layout.nameFont = m_font;
    layout.nameTexts = groupNames(m_values, false);
    if (widest(layout.nameTexts, m_font, device) > room) {
        if (widest(layout.nameTexts, smaller, device) <= room) {
            layout.nameFont = smaller;
        } else {
            layout.nameTexts = groupNames(m_values, true);
            if (widest(layout.nameTexts, m_font, device) > room)
                layout.nameFont = smaller;
        }
    }
    const QFontMetricsF nameMetrics(layout.nameFont, device);
    for (QString &name : layout.nameTexts)
        name = nameMetrics.elidedText(name, Qt::ElideRight, std::max(0.0, room));
    return layout;
}

std::optional<QRectF> MetricsBarChart::barRect(const Layout &layout, int region, PageMetric::Id metric) const
{
    if (region < 0 || region >= m_values.size() || region >= layout.groups.size())
        return std::nullopt;
    const std::optional<double> ms = m_values.at(region).value(metric);
    if (!ms)
        return std::nullopt;
    const QRectF group = layout.groups.at(region);
    const double width = group.width() * barShare / metricCount;
    const double left = group.left() + group.width() * (1 - barShare) / 2 + indexOf(metric) * width;
    const double max = axisMaxMs();
    // A measured 0 still shows, as a hairline: only a metric that was not observed has no bar.
    const double height = std::max(std::clamp(*ms, 0.0, max) / max * group.height(), group.height() / 250);
    return QRectF(left, group.bottom() - height, width, height);
}

void MetricsBarChart::paint(QPainter &painter, const QRectF &rect) const
{
    const Layout layout = this->layout(rect, painter.device());
    const QFontMetricsF fm(m_font, painter.device());
    const double line = fm.height();
    const double hairline = line / 20;
    painter.save();
    painter.setFont(m_font);

    if (m_legendVisible) {
        for (int i = 0; i < metricCount; ++i) {
            const PageMetric::Id metric = metrics()[i];
            const QRectF swatch = layout.legendSwatches[i];
            painter.fillRect(swatch, metricColor(metric, false));
            painter.setPen(inkColor);
            painter.drawText(
                QPointF(swatch.right() + line * 0.35, swatch.center().y() + (fm.ascent() - fm.descent()) / 2),
                metricName(metric));
        }
    }

    const QRectF plot = layout.plot;
    const double max = axisMaxMs();
    const int ticks = tickCount(max);
    const double step = max / (ticks - 1);
    for (int i = 1; i < ticks; ++i) {
        const double y = plot.bottom() - plot.height() * i / (ticks - 1);
        painter.setPen(QPen(gridColor, hairline));
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y));
    }
    painter.setPen(mutedColor);
    for (int i = 0; i < ticks; ++i) {
        const double y = plot.bottom() - plot.height() * i / (ticks - 1);
        painter.drawText(QRectF(rect.left(), y - line / 2, plot.left() - rect.left() - line * 0.5, line),
            Qt::AlignRight | Qt::AlignVCenter, DisplayFormat::axisTick(i * step, step, max));
    }

    for (int region = 0; region < m_values.size(); ++region) {
        bool any = false;
        for (const PageMetric::Id metric : metrics()) {
            if (const auto bar = barRect(layout, region, metric)) {
                painter.fillRect(*bar, metricColor(metric, false));
                any = true;
            }
        }
        if (!any) {
            // Said where its bars would be, so an empty group does not read as a fast region.
            const QRectF group = layout.groups.at(region);
            painter.setFont(layout.nameFont);
            painter.setPen(mutedColor);
            painter.drawText(QRectF(group.left(), group.bottom() - line * 2.4, group.width(), line * 2.2),
                Qt::AlignHCenter | Qt::AlignBottom | Qt::TextWordWrap, tr("not measured"));
        }
    }
    if (m_values.isEmpty()) {
        painter.setPen(mutedColor);
        painter.drawText(plot, Qt::AlignCenter, tr("Nothing was measured."));
    }

    painter.setPen(QPen(axisColor, hairline * 1.5));
    painter.drawLine(plot.bottomLeft(), plot.bottomRight());
    painter.setFont(layout.nameFont);
    painter.setPen(inkColor);
    for (qsizetype i = 0; i < layout.names.size(); ++i)
        painter.drawText(layout.names.at(i), Qt::AlignHCenter | Qt::AlignTop, layout.nameTexts.at(i));
    painter.restore();
}
