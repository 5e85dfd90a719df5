#include "reportcontent.h"

#include "metricsbarchart.h"
#include "model/displayformat.h"
#include "theme.h"
#include "worldmap.h"
#include "worldmappainter.h"

#include <QGuiApplication>
#include <QPainter>

#include <algorithm>

namespace {

using Block = ReportLayout::Block;
using Status = ReportRegionSummary::Status;

} // namespace

const Theme &ReportContent::paper()
{
    static const Theme theme = Theme::paper();
    return theme;
}

QFont ReportContent::font(double points, bool bold)
{
    QFont font = QGuiApplication::font();
    font.setPointSizeF(points);
    font.setBold(bold);
    return font;
}

ReportContent::ReportContent(
    const TestRecord &test, const RegionCatalog &catalog, const QPaintDevice *device, double width, double height)
    : m_test(test)
    , m_regions(ReportRegionSummary::summarize(test, catalog))
    , m_device(device)
    , m_width(width)
    , m_height(height)
    , m_waterfalls(test, device, width)
{ }

void ReportContent::build(ReportLayout &layout)
{
    m_layout = &layout;
    addTitle();
    addHeading(QObject::tr("Where it was measured"));
    addMap();
    addHeading(QObject::tr("Results by region"),
        QObject::tr("Medians over each region's successful runs (first view). %1 : not measured. TTFB: time to "
                    "first byte; FCP/LCP: first/largest contentful paint; DCL: DOMContentLoaded; CLS: cumulative "
                    "layout shift.")
            .arg(DisplayFormat::missing()));
    addTable();
    addHeading(QObject::tr("Timings"));
    addChart();
    addHeading(QObject::tr("Slowest requests"),
        QObject::tr(
            "Per region, the slowest requests of its median run, in the order they started, with their phases."));
    m_waterfalls.build(layout, m_regions);
    m_layout = nullptr;
}

double ReportContent::textHeight(const QFont &font, const QString &text, double width, int flags) const
{
    return metrics(font).boundingRect(QRectF(0, 0, width, 1e6), flags, text).height();
}

// The title ------------------------------------------------------------------------------------------------------

QList<std::pair<QString, QString>> ReportContent::settingRows() const
{
    const QLocale locale;
    QList<std::pair<QString, QString>> rows;
    QString when = m_test.startedAt.isValid() ? locale.toString(m_test.startedAt.toLocalTime(), QLocale::LongFormat)
                                              : QObject::tr("unknown");
    if (m_test.startedAt.isValid() && m_test.finishedAt.isValid()) {
        // To the second, like the start time it follows.
        const qint64 seconds = m_test.startedAt.secsTo(m_test.finishedAt);
        when += QStringLiteral(" · ") + QObject::tr("took %1").arg(DisplayFormat::duration(seconds * 1000.0, locale));
    } else if (!m_test.finishedAt.isValid()) {
        when += QStringLiteral(" · ") + QObject::tr("did not finish");
    }
    rows.append({ QObject::tr("Tested"), when });
    rows.append({ QObject::tr("Connection"), m_test.options.profile });
    rows.append({ QObject::tr("Device"), m_test.options.describeDevice() });
    rows.append({ QObject::tr("Runs"),
        QObject::tr("%n per region", nullptr, m_test.runsPerRegion) + QStringLiteral(" · ")
            + (m_test.options.repeatView ? QObject::tr("first and repeat view") : QObject::tr("first view only"))
            + QStringLiteral(" · ")
            + QObject::tr("timeout %1").arg(DisplayFormat::duration(m_test.options.timeoutMs, locale)) });
    // What the test set and blocked, one line each, header and cookie values masked as they are in the history.
    const QStringList settings = m_test.options.test.describe();
    for (qsizetype i = 0; i < settings.size(); ++i)
        rows.append({ i == 0 ? QObject::tr("Test settings") : QString(), settings.at(i) });
    int measured = 0;
    int failed = 0;
    for (const ReportRegionSummary &region : std::as_const(m_regions)) {
        measured += region.status == Status::Measured;
        failed += region.status == Status::Failed;
    }
    QString regionLine
        = (m_regions.size() == 1 ? QObject::tr("1 region") : QObject::tr("%1 regions").arg(m_regions.size()));
    regionLine += QStringLiteral(" · ") + QObject::tr("%1 measured").arg(measured);
    if (failed)
        regionLine += QStringLiteral(" · ") + QObject::tr("%1 failed").arg(failed);
    rows.append({ QObject::tr("Regions"), regionLine });
    rows.append({ QObject::tr("Numbers"), QObject::tr("medians over each region's successful runs, first view") });
    return rows;
}

void ReportContent::addTitle()
{
    const QFont title = font(20, true);
    const QFont urlFont = font(11);
    const QFont keyFont = font(9, true);
    const QFont valueFont = font(9);
    const QString heading = m_test.label.isEmpty() ? QObject::tr("Page speed report") : m_test.label;
    const QList<std::pair<QString, QString>> rows = settingRows();
    const double keyWidth = mm(28);
    const double titleHeight = textHeight(title, heading, m_width);
    const double urlHeight = textHeight(urlFont, m_test.url, m_width, Qt::TextWrapAnywhere);
    QList<double> rowHeights;
    double rowsHeight = 0;
    for (const auto &row : rows) {
        rowHeights.append(textHeight(valueFont, row.second, m_width - keyWidth) + mm(1.2));
        rowsHeight += rowHeights.constLast();
    }
    Block block;
    block.height = titleHeight + mm(1.5) + urlHeight + mm(4) + rowsHeight;
    block.paint = [=, this](QPainter &painter, const QRectF &rect) {
        double y = rect.top();
        painter.setPen(paper().text());
        painter.setFont(title);
        painter.drawText(QRectF(rect.left(), y, rect.width(), titleHeight), Qt::TextWordWrap, heading);
        y += titleHeight + mm(1.5);
        painter.setFont(urlFont);
        painter.setPen(paper().link());
        painter.drawText(QRectF(rect.left(), y, rect.width(), urlHeight), Qt::TextWrapAnywhere, m_test.url);
        y += urlHeight + mm(4);
        for (qsizetype i = 0; i < rows.size(); ++i) {
            painter.setFont(keyFont);
            painter.setPen(paper().muted());
            painter.drawText(
                QRectF(rect.left(), y, keyWidth, rowHeights.at(i)), Qt::AlignLeft | Qt::AlignTop, rows.at(i).first);
            painter.setFont(valueFont);
            painter.setPen(paper().text());
            painter.drawText(QRectF(rect.left() + keyWidth, y, rect.width() - keyWidth, rowHeights.at(i)),
                Qt::TextWordWrap, rows.at(i).second);
            y += rowHeights.at(i);
        }
    };
    m_layout->append(block);
}

void ReportContent::addHeading(const QString &text, const QString &note)
{
    const QFont headingFont = font(13, true);
    const QFont small = font(8);
    const double titleHeight = metrics(headingFont).height();
    const double noteHeight = note.isEmpty() ? 0 : textHeight(small, note, m_width) + mm(0.8);
    Block block;
    block.spaceBefore = mm(6);
    block.height = titleHeight + noteHeight + mm(2.5);
    block.keepWithNext = true;
    block.paint = [=](QPainter &painter, const QRectF &rect) {
        painter.setFont(headingFont);
        painter.setPen(paper().text());
        painter.drawText(
            QRectF(rect.left(), rect.top(), rect.width(), titleHeight), Qt::AlignLeft | Qt::AlignVCenter, text);
        if (!note.isEmpty()) {
            painter.setFont(small);
            painter.setPen(paper().muted());
            painter.drawText(QRectF(rect.left(), rect.top() + titleHeight + mm(0.8), rect.width(), noteHeight),
                Qt::TextWordWrap, note);
        }
        painter.setPen(QPen(paper().rule(), pt(0.75)));
        const double y = rect.bottom() - mm(1.2);
        painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y));
    };
    m_layout->append(block);
}

// The map ---------------------------------------------------------------------------------------------------------

void ReportContent::addMap()
{
    const QRectF bounds = WorldMap::bounds();
    const double mapHeight = std::min(m_width * bounds.height() / bounds.width(), m_height * 0.45);
    const double legendHeight = mm(9);
    Block block;
    block.height = mapHeight + legendHeight;
    block.paint = [=, this](QPainter &painter, const QRectF &rect) {
        paintMap(painter, QRectF(rect.left(), rect.top(), rect.width(), mapHeight));
        paintMapLegend(
            painter, QRectF(rect.left(), rect.top() + mapHeight + mm(2), rect.width(), legendHeight - mm(2)));
    };
    m_layout->append(block);
}

void ReportContent::paintMap(QPainter &painter, const QRectF &rect) const
{
    using State = WorldMapPainter::State;
    QList<WorldMapPainter::Marker> markers;
    for (const ReportRegionSummary &region : m_regions) {
        if (!region.place)
            continue; // a region the catalog cannot place is in the table only
        WorldMapPainter::Marker marker;
        marker.code = region.code;
        marker.projected = WorldMap::project(region.place->longitude, region.place->latitude);
        marker.name = region.place->city.isEmpty() ? region.code : region.place->city;
        const bool hasLoad = region.median && region.median->loadMs.has_value();
        if (region.status == Status::Failed) {
            marker.state = State::Error;
            marker.labelFailure = true;
        } else if (region.status == Status::Measured && hasLoad) {
            marker.state = State::Done;
            marker.loadMs = region.median->loadMs;
        }
        markers.append(marker);
    }
    const WorldMapPainter map(paper(), WorldMapPainter::fit(rect), unit());
    const double radius = mm(1.7);
    map.paintBackground(painter);
    map.paintMarkers(painter, markers, radius);
    map.paintLabels(painter, markers, radius, font(7), rect);
}

void ReportContent::paintMapLegend(QPainter &painter, const QRectF &rect) const
{
    using State = WorldMapPainter::State;
    const WorldMapPainter map(paper(), QTransform(), unit());
    const QFont legendFont = font(7);
    const QFontMetricsF fm = metrics(legendFont);
    const double barHeight = mm(2);
    painter.save();
    painter.setFont(legendFont);
    painter.setPen(paper().muted());
    const QString title = QObject::tr("Median load time");
    painter.drawText(QPointF(rect.left(), rect.top() + barHeight), title);
    const QRectF bar(rect.left() + fm.horizontalAdvance(title) + mm(3), rect.top(), mm(60), barHeight);
    map.paintLoadScale(painter, bar, legendFont);

    // The failed cross and the no-result ring, as the map draws them.
    const double cy = bar.center().y();
    const double r = mm(1.4);
    const double baseline = cy + fm.ascent() / 2 - fm.descent() / 2;
    double x = bar.right() + mm(10);
    for (const auto &[state, name] :
        { std::pair { State::Error, QObject::tr("failed") }, std::pair { State::Idle, QObject::tr("no load time") } }) {
        map.paintMarker(painter, QPointF(x, cy), state, std::nullopt, r);
        painter.setFont(legendFont);
        painter.setPen(paper().muted());
        painter.drawText(QPointF(x + r + mm(1.2), baseline), name);
        x += r + mm(1.2) + fm.horizontalAdvance(name) + mm(6);
    }
    painter.restore();
}

// The table -------------------------------------------------------------------------------------------------------

void ReportContent::addTable()
{
    // A column per metric of the metric table, as wide as its widest cell or title; the region column gets the rest.
    // With many metrics (a filmstrip's and the main thread's too) the type gets smaller until the table fits.
    QList<double> widths;
    double numbers = 0;
    for (m_tablePoints = 8; m_tablePoints >= 5.5; m_tablePoints -= 0.5) {
        const QFont cellFont = font(m_tablePoints);
        const QFont headFont = font(m_tablePoints, true);
        const double pad = mm(1.2) * m_tablePoints / 8;
        widths = { 0 };
        numbers = 0;
        for (const PageMetric &metric : tableMetrics()) {
            // A title may wrap between its words ("Long / tasks"); its longest word sets the least width.
            double widest = 0;
            for (const QString &word : metric.label().split(u' '))
                widest = std::max(widest, metrics(headFont).horizontalAdvance(word));
            for (const ReportRegionSummary &region : std::as_const(m_regions)) {
                widest = std::max(widest, metrics(cellFont).horizontalAdvance(cellText(region, metric)));
                for (const std::optional<PageMetrics> &median : region.laterStepMedians)
                    widest = std::max(widest, metrics(cellFont).horizontalAdvance(stepCellText(median, metric)));
            }
            widths.append(std::max(mm(9) * m_tablePoints / 8, widest + 2 * pad));
            numbers += widths.last();
        }
        if (numbers + mm(24) <= m_width)
            break;
    }
    widths[0] = std::max(mm(24), m_width - numbers);
    const int header = addTableHeader(widths);
    for (int r = 0; r < m_regions.size(); ++r) {
        addTableRow(r, widths, header);
        for (int step = 1; step <= m_regions.at(r).laterStepMedians.size(); ++step)
            addStepRow(r, step, widths, header);
    }
}

QString ReportContent::stepCellText(const std::optional<PageMetrics> &median, const PageMetric &metric)
{
    // A step no ok run measured has no numbers, said as missing: its region's row says why.
    return metric.format(median ? metric.value(*median) : std::nullopt, QLocale());
}

QString ReportContent::rowName(const ReportRegionSummary &region)
{
    if (region.stepLabels.isEmpty())
        return region.name;
    return QStringLiteral("%1 · 1 %2").arg(region.name, region.stepLabels.constFirst());
}

QList<PageMetric> ReportContent::tableMetrics() const
{
    QList<PageMetric> observed;
    for (const PageMetric &metric : PageMetric::all()) {
        for (const ReportRegionSummary &region : m_regions) {
            const bool inAStep = std::any_of(region.laterStepMedians.cbegin(), region.laterStepMedians.cend(),
                [&metric](const std::optional<PageMetrics> &median) { return median && metric.value(*median); });
            if ((region.status == Status::Measured && region.median && metric.value(*region.median)) || inAStep) {
                observed.append(metric);
                break;
            }
        }
    }
    return observed.isEmpty() ? PageMetric::all() : observed;
}

QString ReportContent::cellText(const ReportRegionSummary &region, const PageMetric &metric)
{
    if (region.status != Status::Measured || !region.median)
        return {};
    return metric.format(*region.median, QLocale());
}

namespace {

QRectF columnRect(const QList<double> &widths, const QRectF &row, int first, int last)
{
    double x = row.left();
    for (int i = 0; i < first; ++i)
        x += widths.at(i);
    double w = 0;
    for (int i = first; i <= last; ++i)
        w += widths.at(i);
    return QRectF(x, row.top(), w, row.height());
}

// A region's or a step's row of the table: its stripe, its name (wrapped) and its numbers (right-aligned on the
// first line; an unmeasured one muted), as both rows show them.
void paintTableCells(QPainter &painter, const QRectF &rect, const Theme &paper, bool stripe, const QStringList &cells,
    const QList<double> &widths, const QFont &font, double pad, double lineHeight)
{
    if (stripe)
        painter.fillRect(rect, paper.alternateBase());
    painter.setFont(font);
    painter.setPen(paper.text());
    painter.drawText(columnRect(widths, rect, 0, 0).adjusted(pad, pad, -pad, -pad), Qt::TextWordWrap, cells.at(0));
    for (int i = 1; i < cells.size(); ++i) {
        const QRectF cell = columnRect(widths, rect, i, i).adjusted(pad, pad, -pad, -pad);
        painter.setPen(cells.at(i) == DisplayFormat::missing() ? paper.muted() : paper.text());
        painter.drawText(
            QRectF(cell.left(), cell.top(), cell.width(), lineHeight), Qt::AlignRight | Qt::AlignVCenter, cells.at(i));
    }
}

} // namespace

int ReportContent::addTableHeader(const QList<double> &widths)
{
    const QFont headFont = font(m_tablePoints, true);
    QStringList headers { QObject::tr("Region") };
    for (const PageMetric &metric : tableMetrics())
        headers.append(metric.label());
    const double pad = mm(1.2) * m_tablePoints / 8;
    double headHeight = 0;
    for (int i = 0; i < headers.size(); ++i)
        headHeight = std::max(headHeight, textHeight(headFont, headers.at(i), widths.at(i) - 2 * pad));
    Block header;
    header.height = headHeight + 2 * pad;
    header.keepWithNext = true;
    header.paint = [=](QPainter &painter, const QRectF &rect) {
        painter.fillRect(rect, Theme::mix(paper().alternateBase(), paper().rule(), 0.25));
        painter.setFont(headFont);
        painter.setPen(paper().text());
        for (int i = 0; i < headers.size(); ++i) {
            const QRectF cell = columnRect(widths, rect, i, i).adjusted(pad, pad, -pad, -pad);
            painter.drawText(
                cell, (i == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignBottom | Qt::TextWordWrap, headers.at(i));
        }
        painter.setPen(QPen(paper().muted(), pt(0.75)));
        painter.drawLine(rect.bottomLeft(), rect.bottomRight());
    };
    return m_layout->append(header);
}

void ReportContent::addTableRow(int index, const QList<double> &widths, int header)
{
    const QFont cellFont = font(m_tablePoints);
    const QFont noteFont = font(std::min(7.0, m_tablePoints));
    const double pad = mm(1.2) * m_tablePoints / 8;
    const ReportRegionSummary &region = m_regions.at(index);
    const bool stripe = index % 2 == 1;
    QStringList cells { rowName(region) };
    QString note;
    bool noteIsFailure = false;
    if (region.status == Status::Measured && region.median) {
        for (const PageMetric &metric : tableMetrics())
            cells << cellText(region, metric);
        if (region.okRuns < region.runs) {
            note = QObject::tr("%1 of %2 runs failed").arg(region.runs - region.okRuns).arg(region.runs);
            if (!region.failure.isEmpty())
                note += QStringLiteral(": ") + region.failure;
            noteIsFailure = true;
        }
    } else {
        note = (region.status == Status::Failed ? QObject::tr("Failed: %1") : QObject::tr("No result: %1"))
                   .arg(region.failure);
        noteIsFailure = region.status == Status::Failed;
    }
    // Paper has no tool tip: what the probe cut short is said under the region's numbers.
    for (const QString &warning : region.warnings)
        note += (note.isEmpty() ? QString() : QStringLiteral("\n")) + QChar(0x26A0) + u' ' + warning;
    const bool spanning = cells.size() == 1; // no numbers: the note takes their columns
    const double lineHeight = metrics(cellFont).height();
    const double noteHeight
        = note.isEmpty() ? 0 : textHeight(spanning ? cellFont : noteFont, note, m_width - widths.at(0) - 2 * pad);
    double height = textHeight(cellFont, cells.at(0), widths.at(0) - 2 * pad);
    if (spanning)
        height = std::max(height, noteHeight);
    else if (!note.isEmpty())
        height = std::max(height, lineHeight + mm(0.5) + noteHeight);

    Block row;
    row.height = height + 2 * pad;
    row.repeatHeader = header;
    row.paint = [=](QPainter &painter, const QRectF &rect) {
        paintTableCells(painter, rect, paper(), stripe, cells, widths, cellFont, pad, lineHeight);
        if (!note.isEmpty()) {
            const QRectF span = columnRect(widths, rect, 1, int(widths.size()) - 1).adjusted(pad, pad, -pad, -pad);
            painter.setPen(noteIsFailure ? paper().error() : paper().muted());
            painter.setFont(spanning ? cellFont : noteFont);
            painter.drawText(
                spanning ? span : QRectF(span.left(), span.top() + lineHeight + mm(0.5), span.width(), noteHeight),
                Qt::TextWordWrap | Qt::AlignLeft, note);
        }
        painter.setPen(QPen(paper().rule(), pt(0.5)));
        painter.drawLine(rect.bottomLeft(), rect.bottomRight());
    };
    m_layout->append(row);
}

void ReportContent::addStepRow(int index, int step, const QList<double> &widths, int header)
{
    const QFont cellFont = font(m_tablePoints);
    const double pad = mm(1.2) * m_tablePoints / 8;
    const ReportRegionSummary &region = m_regions.at(index);
    const bool stripe = index % 2 == 1; // the region's stripe: its steps read as one group
    // The region shortly (the row above names it in full), the step's number and name.
    const QString name = QStringLiteral("%1 · %2 %3")
                             .arg(region.city.isEmpty() ? region.code : region.city)
                             .arg(step + 1)
                             .arg(region.stepLabels.value(step));
    QStringList cells { name };
    const std::optional<PageMetrics> &median = region.laterStepMedians.at(step - 1);
    for (const PageMetric &metric : tableMetrics())
        cells << stepCellText(median, metric);
    const double lineHeight = metrics(cellFont).height();
    Block row;
    row.height = std::max(lineHeight, textHeight(cellFont, name, widths.at(0) - 2 * pad)) + 2 * pad;
    row.repeatHeader = header;
    row.paint = [=](QPainter &painter, const QRectF &rect) {
        paintTableCells(painter, rect, paper(), stripe, cells, widths, cellFont, pad, lineHeight);
        painter.setPen(QPen(paper().rule(), pt(0.5)));
        painter.drawLine(rect.bottomLeft(), rect.bottomRight());
    };
    m_layout->append(row);
}

// The chart -------------------------------------------------------------------------------------------------------

void ReportContent::addChart()
{
    QList<MetricsBarChart::RegionValues> values;
    double max = 0;
    for (const ReportRegionSummary &region : std::as_const(m_regions)) {
        const auto v = MetricsBarChart::RegionValues::of(
            region.code, region.city, region.status == Status::Measured ? region.median : std::nullopt);
        for (const std::optional<double> &ms : v.ms)
            max = std::max(max, ms.value_or(0));
        values.append(v);
    }
    // A chart per ten regions, all on one scale: more groups than that leave no room for their names.
    constexpr qsizetype perChart = 10;
    const qsizetype charts = std::max<qsizetype>(1, (values.size() + perChart - 1) / perChart);
    const qsizetype size = (values.size() + charts - 1) / std::max<qsizetype>(1, charts);
    for (qsizetype first = 0; first < std::max<qsizetype>(1, values.size()); first += std::max<qsizetype>(1, size)) {
        MetricsBarChart chart;
        chart.setFont(font(8));
        chart.setLegendVisible(first == 0);
        chart.setAxisAtLeastMs(max);
        chart.setValues(values.mid(first, size));
        Block block;
        block.spaceBefore = mm(3);
        block.height = std::min(m_width * (charts > 1 ? 0.36 : 0.48), m_height * 0.4);
        block.paint = [chart](QPainter &painter, const QRectF &rect) { chart.paint(painter, rect); };
        m_layout->append(block);
        if (values.isEmpty())
            break;
    }
}
