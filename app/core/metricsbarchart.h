#pragma once

#include "model/pagemetric.h"

#include <QColor>
#include <QCoreApplication>
#include <QFont>
#include <QList>
#include <QRectF>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

class QPaintDevice;
class QPainter;

// A test's medians as grouped bars, painted with QPainter onto any device (the PDF report's page, an image): one
// group per region, named under it, one bar per metric of metrics() (TTFB, FCP, LCP, Load); a value axis from 0
// to a round top with its ticks as DisplayFormat::axisTick writes them; the legend above. A metric a region did not
// observe has no bar, never one of 0. It is drawn for paper: light whatever the app's theme.
//
// The window's MetricsChartView (Qt Charts) shows the same metrics in the same colours on the same scale.
class MetricsBarChart final
{
    Q_DECLARE_TR_FUNCTIONS(MetricsBarChart)

public:
    // The timings it draws, in the legend's and each group's order: the ones that read on one time axis.
    static constexpr int metricCount = 4;
    static constexpr std::array<PageMetric::Id, metricCount> metrics()
    {
        return { PageMetric::Id::Ttfb, PageMetric::Id::Fcp, PageMetric::Id::Lcp, PageMetric::Id::Load };
    }
    // Where `metric` is in metrics(); -1 for a metric the chart does not draw.
    static int indexOf(PageMetric::Id metric);

    // One group of bars.
    struct RegionValues
    {
        QString code;
        QString city; // the group's name; the code when empty
        std::array<std::optional<double>, metricCount> ms; // in metrics() order

        // The region's values of metrics(), read from its medians; every one absent without medians.
        static RegionValues of(const QString &code, const QString &city, const std::optional<PageMetrics> &median);
        std::optional<double> value(PageMetric::Id metric) const;
    };

    // Where everything goes in a rectangle, in the painter's coordinates.
    struct Layout
    {
        QRectF legend; // empty without a legend
        std::array<QRectF, metricCount> legendSwatches; // in metrics() order; empty without a legend
        QRectF plot; // 0 ms at its bottom, axisMaxMs() at its top
        QList<QRectF> groups; // per region: its slice of the plot, the full plot height
        QList<QRectF> names; // per region, under its group
        QStringList nameTexts; // what the names say: cities, else codes where cities do not fit, elided at worst
        QFont nameFont;
    };

    // The legend's words: longer than PageMetric::label() where an abbreviation would need the table's note.
    static QString metricName(PageMetric::Id metric);
    // Each metric's colour, the same in every chart (the trend's lines too).
    static QColor metricColor(PageMetric::Id metric, bool dark);
    // The value axis' top: a round number (1, 2, 2.5 or 5 × 10^n ms) above the largest value, and above `atLeastMs`
    // if set, so that several charts of one test can share their scale. 1 s when there is nothing to show.
    static double axisTopMs(const QList<RegionValues> &values, std::optional<double> atLeastMs = std::nullopt);
    // The same for any time axis whose largest value is `largestMs` (0 or less: nothing to show).
    static double axisTopMs(double largestMs);
    // Ticks, 0 and the top included, at round steps for a top from axisTopMs(): 1 → 0.2, 2 → 0.5, 2.5 → 0.5, 5 → 1.
    static int tickCount(double topMs);
    // A name per group: its city, "City (code)" where two groups share a city, its code without a city or with
    // `codes`.
    static QStringList groupNames(const QList<RegionValues> &values, bool codes);

    void setValues(const QList<RegionValues> &values) { m_values = values; }
    const QList<RegionValues> &values() const { return m_values; }
    void setAxisAtLeastMs(std::optional<double> ms) { m_axisAtLeastMs = ms; }
    double axisMaxMs() const { return axisTopMs(m_values, m_axisAtLeastMs); }
    void setLegendVisible(bool visible) { m_legendVisible = visible; }
    bool isLegendVisible() const { return m_legendVisible; }
    // For every text; sizes in points scale with the device's resolution.
    void setFont(const QFont &font) { m_font = font; }
    QFont font() const { return m_font; }

    // `device` gives the text its size (nullptr: the screen's).
    Layout layout(const QRectF &rect, const QPaintDevice *device) const;
    // Where the bar of `metric` in group `region` is; nullopt for a metric the region did not observe.
    std::optional<QRectF> barRect(const Layout &layout, int region, PageMetric::Id metric) const;
    void paint(QPainter &painter, const QRectF &rect) const;

private:
    QList<RegionValues> m_values;
    std::optional<double> m_axisAtLeastMs;
    bool m_legendVisible = true;
    QFont m_font;
};
