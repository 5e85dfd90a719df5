#pragma once

#include "model/pagemetric.h"
#include "regioncatalog.h"
#include "reportlayout.h"
#include "reportregionsummary.h"
#include "reportwaterfalls.h"
#include "testrecord.h"

#include <QFont>
#include <QFontMetricsF>
#include <QList>
#include <QString>

class QPaintDevice;
class Theme;

// What the PDF report says, as blocks for ReportLayout: the title with the test's settings; the world map
// (WorldMapPainter) with its legend; the table of medians per region (failures with their reason; a row per step
// of a script that measures several); the timings
// chart (MetricsBarChart); then ReportWaterfalls' section: per region the slowest requests of its median run. Each
// block measures its text with the device's fonts, so heights are exact before anything is painted.
//
// Lengths are in the device's dots at `resolution`; mm() and pt() convert. The paper is light whatever the app's
// theme (Theme::paper()). The blocks' painters refer to this object: it outlives the painting.
class ReportContent final
{
    Q_DISABLE_COPY_MOVE(ReportContent)

public:
    static constexpr int resolution = 300; // dots per inch
    static double mm(double millimetres) { return millimetres * resolution / 25.4; }
    static double pt(double points) { return points * resolution / 72.0; }
    // What a screen pixel is on paper, for the painters' lines and gaps.
    static double unit() { return pt(0.5); }
    static QFont font(double points, bool bold = false);
    // The light theme every block paints with.
    static const Theme &paper();

    // The report of `test`, for a column `width` wide on pages `height` high (footer excluded).
    ReportContent(
        const TestRecord &test, const RegionCatalog &catalog, const QPaintDevice *device, double width, double height);

    // The waterfalls' colours, as the window shows them (before build()).
    void setWaterfallColouring(WaterfallPainter::Colouring colouring) { m_waterfalls.setColouring(colouring); }
    // Appends every block, in reading order.
    void build(ReportLayout &layout);

private:
    QFontMetricsF metrics(const QFont &font) const { return QFontMetricsF(font, m_device); }
    double textHeight(const QFont &font, const QString &text, double width, int flags = Qt::TextWordWrap) const;
    QList<std::pair<QString, QString>> settingRows() const;
    void addTitle();
    void addHeading(const QString &text, const QString &note = {});
    void addMap();
    void paintMap(QPainter &painter, const QRectF &rect) const;
    void paintMapLegend(QPainter &painter, const QRectF &rect) const;
    void addTable();
    // A metric's cell in the region's row: its median, formatted; empty without numbers.
    static QString cellText(const ReportRegionSummary &region, const PageMetric &metric);
    // A metric's cell in a later step's row: the step's median, formatted; missing when no run measured it.
    static QString stepCellText(const std::optional<PageMetrics> &median, const PageMetric &metric);
    // The region's name in its row: with step 1's number and name when its runs measured several steps.
    static QString rowName(const ReportRegionSummary &region);
    // The metrics the table has columns for: those at least one region measured (all of them when none did). A
    // column of dashes would only take the width the others need.
    QList<PageMetric> tableMetrics() const;
    int addTableHeader(const QList<double> &widths);
    void addTableRow(int index, const QList<double> &widths, int header);
    // The row of a later step (`step` from 1) of region `index`'s runs, under the region's row: that step's medians.
    void addStepRow(int index, int step, const QList<double> &widths, int header);
    void addChart();

    const TestRecord &m_test;
    QList<ReportRegionSummary> m_regions;
    const QPaintDevice *m_device;
    double m_width;
    double m_height;
    ReportLayout *m_layout = nullptr; // while build() runs
    ReportWaterfalls m_waterfalls;
    double m_tablePoints = 8; // the results table's type size: smaller when its columns need it
};
