#include "pdfreport.h"

#include "loadtimescale.h"
#include "metricsbarchart.h"
#include "model/datasize.h"
#include "regionsummary.h"
#include "waterfallgeometry.h"
#include "waterfallmodel.h"
#include "worldmap.h"

#include <QFontMetricsF>
#include <QGuiApplication>
#include <QLinearGradient>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QSaveFile>

#include <algorithm>
#include <functional>
#include <set>

namespace {

constexpr int resolution = 300; // dots per inch
constexpr int slowestCount = 10;

double mm(double millimetres)
{
    return millimetres * resolution / 25.4;
}

double pt(double points)
{
    return points * resolution / 72.0;
}

// Paper colours: the report is printed, so it is light whatever the app's theme.
const QColor inkColor(0x20, 0x21, 0x24);
const QColor mutedColor(0x5f, 0x63, 0x68);
const QColor ruleColor(0xda, 0xdc, 0xe0);
const QColor headerFill(0xf1, 0xf3, 0xf4);
const QColor stripeFill(0xf8, 0xf9, 0xfa);
const QColor failColor(0xc5, 0x22, 0x1f);
const QColor oceanColor(0xee, 0xf3, 0xf8);
const QColor landColor(0xd4, 0xd8, 0xdd);
const QColor gridColor(0xdc, 0xe3, 0xea);
const QColor noResultColor(0x9a, 0xa0, 0xa6);

QFont reportFont(double points, bool bold = false)
{
    QFont font = QGuiApplication::font();
    font.setPointSizeF(points);
    font.setBold(bold);
    return font;
}

QString formatMs(std::optional<double> ms)
{
    if (!ms)
        return QStringLiteral("–");
    if (*ms >= 10'000)
        return QStringLiteral("%1 s").arg(*ms / 1000.0, 0, 'f', 1);
    return QStringLiteral("%1 ms").arg(QLocale().toString(*ms, 'f', 0));
}

QString placeName(const QString &code, const std::optional<RegionCatalog::Region> &place)
{
    if (!place || place->city.isEmpty())
        return code;
    return QStringLiteral("%1 (%2)").arg(place->city, code);
}

// What the report says about one region: its summary, and where it is.
struct ReportRegion : RegionSummary
{
    QString name; // "Frankfurt (fra)"
    QString city; // for the chart; "" when unknown
    std::optional<RegionCatalog::Region> place;
};

QList<ReportRegion> summarize(const TestRecord &test, const RegionCatalog &catalog)
{
    QList<ReportRegion> regions;
    for (const RegionSummary &summary : RegionSummary::of(test)) {
        ReportRegion region;
        static_cast<RegionSummary &>(region) = summary;
        region.place = catalog.find(summary.code);
        region.name = placeName(summary.code, region.place);
        region.city = region.place ? region.place->city : QString();
        if (region.status == RegionSummary::Status::NoResult && region.failure.isEmpty())
            region.failure = region.detail.isEmpty() ? QObject::tr("no result") : region.detail;
        regions.append(region);
    }
    return regions;
}

// A piece of the report that is never cut across pages.
struct Block
{
    double height = 0;
    double spaceBefore = 0; // dropped at the top of a page
    bool keepWithNext = false; // a heading: moves to the next page with the block after it
    int repeatHeader = -1; // a table row: the block to draw again above it when it starts a page
    std::function<void(QPainter &, const QRectF &)> paint;
};

struct Placement
{
    int page = 0;
    int block = 0;
    double top = 0;
};

class ReportLayout
{
public:
    ReportLayout(
        const TestRecord &test, const RegionCatalog &catalog, QPaintDevice *device, double width, double height)
        : m_test(test)
        , m_regions(summarize(test, catalog))
        , m_device(device)
        , m_width(width)
        , m_height(height)
    { }

    void build();
    QList<Placement> paginate(int *pages) const;
    const QList<Block> &blocks() const { return m_blocks; }

private:
    QFontMetricsF metrics(const QFont &font) const { return QFontMetricsF(font, m_device); }
    double textHeight(const QFont &font, const QString &text, double width, int flags = Qt::TextWordWrap) const;
    void addHeading(const QString &text, const QString &note = {});
    void addTitle();
    void addMap();
    void addTable();
    void addChart();
    void addWaterfalls();
    void paintMap(QPainter &painter, const QRectF &rect) const;
    void paintMapLegend(QPainter &painter, const QRectF &rect) const;
    void paintPhaseLegend(QPainter &painter, const QRectF &rect) const;

    const TestRecord &m_test;
    QList<ReportRegion> m_regions;
    QPaintDevice *m_device;
    double m_width;
    double m_height;
    QList<Block> m_blocks;
};

double ReportLayout::textHeight(const QFont &font, const QString &text, double width, int flags) const
{
    return metrics(font).boundingRect(QRectF(0, 0, width, 1e6), flags, text).height();
}

void ReportLayout::addHeading(const QString &text, const QString &note)
{
    const QFont font = reportFont(13, true);
    const QFont small = reportFont(8);
    const double titleHeight = metrics(font).height();
    const double noteHeight = note.isEmpty() ? 0 : textHeight(small, note, m_width) + mm(0.8);
    Block block;
    block.spaceBefore = mm(6);
    block.height = titleHeight + noteHeight + mm(2.5);
    block.keepWithNext = true;
    block.paint = [=](QPainter &painter, const QRectF &rect) {
        painter.setFont(font);
        painter.setPen(inkColor);
        painter.drawText(
            QRectF(rect.left(), rect.top(), rect.width(), titleHeight), Qt::AlignLeft | Qt::AlignVCenter, text);
        if (!note.isEmpty()) {
            painter.setFont(small);
            painter.setPen(mutedColor);
            painter.drawText(QRectF(rect.left(), rect.top() + titleHeight + mm(0.8), rect.width(), noteHeight),
                Qt::TextWordWrap, note);
        }
        painter.setPen(QPen(ruleColor, pt(0.75)));
        const double y = rect.bottom() - mm(1.2);
        painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y));
    };
    m_blocks.append(block);
}

void ReportLayout::addTitle()
{
    const QFont title = reportFont(20, true);
    const QFont urlFont = reportFont(11);
    const QFont keyFont = reportFont(9, true);
    const QFont valueFont = reportFont(9);
    const QLocale locale;

    const QString heading = m_test.label.isEmpty() ? QObject::tr("Page speed report") : m_test.label;
    QStringList keys;
    QStringList values;
    const auto add = [&](const QString &key, const QString &value) {
        keys.append(key);
        values.append(value);
    };
    QString when = m_test.startedAt.isValid() ? locale.toString(m_test.startedAt.toLocalTime(), QLocale::LongFormat)
                                              : QObject::tr("unknown");
    if (m_test.startedAt.isValid() && m_test.finishedAt.isValid()) {
        const qint64 seconds = m_test.startedAt.secsTo(m_test.finishedAt);
        when += QStringLiteral(" · ")
            + (seconds < 120 ? QObject::tr("took %1 s").arg(seconds) : QObject::tr("took %1 min").arg(seconds / 60));
    } else if (!m_test.finishedAt.isValid()) {
        when += QStringLiteral(" · ") + QObject::tr("did not finish");
    }
    add(QObject::tr("Tested"), when);
    add(QObject::tr("Connection"), m_test.options.profile);
    add(QObject::tr("Runs"),
        QObject::tr("%n per region", nullptr, m_test.runsPerRegion) + QStringLiteral(" · ")
            + (m_test.options.repeatView ? QObject::tr("first and repeat view") : QObject::tr("first view only"))
            + QStringLiteral(" · ") + QObject::tr("timeout %1 s").arg(m_test.options.timeoutMs / 1000));
    int measured = 0;
    int failed = 0;
    for (const ReportRegion &region : std::as_const(m_regions)) {
        measured += region.status == RegionSummary::Status::Measured;
        failed += region.status == RegionSummary::Status::Failed;
    }
    QString regionLine
        = (m_regions.size() == 1 ? QObject::tr("1 region") : QObject::tr("%1 regions").arg(m_regions.size()));
    regionLine += QStringLiteral(" · ") + QObject::tr("%1 measured").arg(measured);
    if (failed)
        regionLine += QStringLiteral(" · ") + QObject::tr("%1 failed").arg(failed);
    add(QObject::tr("Regions"), regionLine);
    add(QObject::tr("Numbers"), QObject::tr("medians over each region's successful runs, first view"));

    const double keyWidth = mm(28);
    const double titleHeight = textHeight(title, heading, m_width);
    const double urlHeight = textHeight(urlFont, m_test.url, m_width, Qt::TextWrapAnywhere);
    QList<double> rowHeights;
    double rowsHeight = 0;
    for (const QString &value : std::as_const(values)) {
        const double h = textHeight(valueFont, value, m_width - keyWidth) + mm(1.2);
        rowHeights.append(h);
        rowsHeight += h;
    }
    Block block;
    block.height = titleHeight + mm(1.5) + urlHeight + mm(4) + rowsHeight;
    block.paint = [=, this](QPainter &painter, const QRectF &rect) {
        double y = rect.top();
        painter.setPen(inkColor);
        painter.setFont(title);
        painter.drawText(QRectF(rect.left(), y, rect.width(), titleHeight), Qt::TextWordWrap, heading);
        y += titleHeight + mm(1.5);
        painter.setFont(urlFont);
        painter.setPen(QColor(0x1a, 0x0d, 0xab));
        painter.drawText(QRectF(rect.left(), y, rect.width(), urlHeight), Qt::TextWrapAnywhere, m_test.url);
        y += urlHeight + mm(4);
        for (qsizetype i = 0; i < keys.size(); ++i) {
            painter.setFont(keyFont);
            painter.setPen(mutedColor);
            painter.drawText(
                QRectF(rect.left(), y, keyWidth, rowHeights.at(i)), Qt::AlignLeft | Qt::AlignTop, keys.at(i));
            painter.setFont(valueFont);
            painter.setPen(inkColor);
            painter.drawText(QRectF(rect.left() + keyWidth, y, rect.width() - keyWidth, rowHeights.at(i)),
                Qt::TextWordWrap, values.at(i));
            y += rowHeights.at(i);
        }
    };
    m_blocks.append(block);
}

// The map ---------------------------------------------------------------------------------------------------------

QTransform mapTransform(const QRectF &rect)
{
    const QRectF bounds = WorldMap::bounds();
    const double scale = std::min(rect.width() / bounds.width(), rect.height() / bounds.height());
    QTransform transform;
    transform.translate(rect.center().x(), rect.center().y());
    transform.scale(scale, -scale); // y north on the map, south on paper
    transform.translate(-bounds.center().x(), -bounds.center().y());
    return transform;
}

void ReportLayout::addMap()
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
    m_blocks.append(block);
}

void ReportLayout::paintMap(QPainter &painter, const QRectF &rect) const
{
    const WorldMap &world = WorldMap::builtIn();
    const QTransform transform = mapTransform(rect);
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    // Paths are mapped to paper units here, so pens are in dots rather than scaled with the projection.
    painter.setPen(QPen(QColor(0xb8, 0xc2, 0xcc), pt(0.6)));
    painter.setBrush(oceanColor);
    painter.drawPath(transform.map(WorldMap::sphereOutline()));
    painter.setPen(QPen(gridColor, pt(0.3)));
    painter.setBrush(Qt::NoBrush);
    painter.drawPath(transform.map(WorldMap::graticule(30)));
    painter.setPen(Qt::NoPen);
    painter.setBrush(landColor);
    painter.drawPath(transform.map(world.land()));
    painter.setPen(QPen(QColor(0xf4, 0xf5, 0xf6), pt(0.3)));
    painter.setBrush(Qt::NoBrush);
    for (const WorldMap::Country &country : world.countries())
        painter.drawPath(transform.map(country.path));

    // Markers: quiet ones first, so measured and failed ones stay on top where regions crowd.
    const double radius = mm(1.7);
    QList<const ReportRegion *> order;
    for (const ReportRegion &region : m_regions) {
        if (region.place)
            order.append(&region);
    }
    std::stable_sort(order.begin(), order.end(), [](const ReportRegion *a, const ReportRegion *b) {
        return (a->status == RegionSummary::Status::NoResult) > (b->status == RegionSummary::Status::NoResult);
    });
    QList<QRectF> taken; // markers and labels already drawn
    QList<std::pair<const ReportRegion *, QPointF>> positions;
    for (const ReportRegion *region : std::as_const(order)) {
        const QPointF at = transform.map(WorldMap::project(region->place->longitude, region->place->latitude));
        positions.append({ region, at });
        taken.append(QRectF(at.x() - radius, at.y() - radius, 2 * radius, 2 * radius));
        // A plain double with a flag: GCC 12 at -O2 takes an optional<double> copied out of another optional for
        // "maybe uninitialized" here, which -Werror turns into a failed build.
        const bool hasLoad = region->median && region->median->loadMs.has_value();
        const double loadMs = hasLoad ? *region->median->loadMs : 0.0;
        if (region->status == RegionSummary::Status::Failed) {
            painter.setPen(QPen(Qt::white, pt(3.2), Qt::SolidLine, Qt::RoundCap));
            const double r = radius * 0.8;
            painter.drawLine(at + QPointF(-r, -r), at + QPointF(r, r));
            painter.drawLine(at + QPointF(-r, r), at + QPointF(r, -r));
            painter.setPen(QPen(failColor, pt(1.6), Qt::SolidLine, Qt::RoundCap));
            painter.drawLine(at + QPointF(-r, -r), at + QPointF(r, r));
            painter.drawLine(at + QPointF(-r, r), at + QPointF(r, -r));
        } else if (region->status == RegionSummary::Status::Measured && hasLoad) {
            painter.setPen(QPen(Qt::white, pt(1)));
            painter.setBrush(LoadTimeScale::color(loadMs));
            painter.drawEllipse(at, radius, radius);
            painter.setPen(QPen(QColor(0, 0, 0, 90), pt(0.4)));
            painter.setBrush(Qt::NoBrush);
            painter.drawEllipse(at, radius + pt(0.5), radius + pt(0.5));
        } else {
            painter.setPen(QPen(noResultColor, pt(1.2)));
            painter.setBrush(Qt::white);
            painter.drawEllipse(at, radius * 0.8, radius * 0.8);
        }
    }

    // Labels where they fit: right, left, above or below the marker; none where all four collide.
    const QFont labelFont = reportFont(7);
    const QFont timeFont = reportFont(7, true);
    const QFontMetricsF cityMetrics = metrics(labelFont);
    const QFontMetricsF timeMetrics = metrics(timeFont);
    painter.setPen(Qt::NoPen);
    for (const auto &[region, at] : std::as_const(positions)) {
        const QString city = region->place->city.isEmpty() ? region->code : region->place->city;
        // A plain double with a flag: GCC 12 at -O2 takes an optional<double> copied out of another optional for
        // "maybe uninitialized" here, which -Werror turns into a failed build.
        const bool hasLoad = region->median && region->median->loadMs.has_value();
        const double loadMs = hasLoad ? *region->median->loadMs : 0.0;
        const QString time = region->status == RegionSummary::Status::Failed ? QObject::tr("failed")
            : hasLoad                                                        ? LoadTimeScale::label(loadMs)
                                                                             : QString();
        const double gap = mm(0.6);
        const double cityWidth = cityMetrics.horizontalAdvance(city);
        const double timeWidth = time.isEmpty() ? 0 : timeMetrics.horizontalAdvance(QStringLiteral(" ") + time);
        const QSizeF size(cityWidth + timeWidth + 2 * gap, cityMetrics.height() + gap);
        const QList<QPointF> candidates {
            { at.x() + radius + mm(0.8), at.y() - size.height() / 2 },
            { at.x() - radius - mm(0.8) - size.width(), at.y() - size.height() / 2 },
            { at.x() - size.width() / 2, at.y() - radius - mm(0.6) - size.height() },
            { at.x() - size.width() / 2, at.y() + radius + mm(0.6) },
        };
        for (const QPointF &candidate : candidates) {
            const QRectF box(candidate, size);
            if (!rect.contains(box))
                continue;
            if (std::any_of(taken.cbegin(), taken.cend(), [&](const QRectF &other) { return other.intersects(box); }))
                continue;
            taken.append(box);
            painter.setPen(Qt::NoPen);
            painter.setBrush(QColor(255, 255, 255, 210));
            painter.drawRoundedRect(box, mm(0.6), mm(0.6));
            painter.setFont(labelFont);
            painter.setPen(inkColor);
            const QRectF inner = box.adjusted(gap, 0, -gap, 0);
            painter.drawText(inner, Qt::AlignLeft | Qt::AlignVCenter, city);
            if (!time.isEmpty()) {
                painter.setFont(timeFont);
                painter.setPen(region->status == RegionSummary::Status::Failed ? failColor : inkColor);
                painter.drawText(inner, Qt::AlignRight | Qt::AlignVCenter, time);
            }
            break;
        }
    }
    painter.restore();
}

void ReportLayout::paintMapLegend(QPainter &painter, const QRectF &rect) const
{
    painter.save();
    painter.setRenderHint(QPainter::Antialiasing);
    const QFont font = reportFont(7);
    painter.setFont(font);
    const QFontMetricsF fm = metrics(font);
    const double barHeight = mm(2);
    const double maxMs = 5000;
    double x = rect.left();
    painter.setPen(mutedColor);
    const QString title = QObject::tr("Median load time");
    painter.drawText(QPointF(x, rect.top() + barHeight), title);
    x += fm.horizontalAdvance(title) + mm(3);
    const QRectF bar(x, rect.top(), mm(60), barHeight);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int i = 0; i <= 20; ++i)
        gradient.setColorAt(i / 20.0, LoadTimeScale::color(maxMs * i / 20.0));
    painter.setPen(Qt::NoPen);
    painter.setBrush(gradient);
    painter.drawRect(bar);
    painter.setPen(QPen(mutedColor, pt(0.5)));
    for (const double ms : { 0.0, 1000.0, 2500.0, 4000.0, 5000.0 }) {
        const double tx = bar.left() + bar.width() * ms / maxMs;
        painter.drawLine(QPointF(tx, bar.bottom()), QPointF(tx, bar.bottom() + mm(0.8)));
        const QString label = ms == maxMs ? QStringLiteral("5 s+")
            : ms == 0                     ? QStringLiteral("0")
                                          : QStringLiteral("%1 s").arg(QLocale().toString(ms / 1000.0, 'g', 2));
        const double w = fm.horizontalAdvance(label);
        painter.drawText(
            QPointF(std::min(tx - w / 2, bar.right() + mm(4) - w), bar.bottom() + mm(0.8) + fm.ascent()), label);
    }
    x = bar.right() + mm(10);
    // The failed cross and the no-result ring.
    const double cy = rect.top() + barHeight / 2;
    const double r = mm(1.1);
    painter.setPen(QPen(failColor, pt(1.4), Qt::SolidLine, Qt::RoundCap));
    painter.drawLine(QPointF(x - r, cy - r), QPointF(x + r, cy + r));
    painter.drawLine(QPointF(x - r, cy + r), QPointF(x + r, cy - r));
    painter.setPen(mutedColor);
    const QString failedText = QObject::tr("failed");
    painter.drawText(QPointF(x + r + mm(1.2), cy + fm.ascent() / 2 - fm.descent() / 2), failedText);
    x += r + mm(1.2) + fm.horizontalAdvance(failedText) + mm(6);
    painter.setPen(QPen(noResultColor, pt(1.2)));
    painter.setBrush(Qt::white);
    painter.drawEllipse(QPointF(x, cy), r, r);
    painter.setPen(mutedColor);
    painter.drawText(QPointF(x + r + mm(1.2), cy + fm.ascent() / 2 - fm.descent() / 2), QObject::tr("no load time"));
    painter.restore();
}

// The table -------------------------------------------------------------------------------------------------------

void ReportLayout::addTable()
{
    const QFont headFont = reportFont(8, true);
    const QFont cellFont = reportFont(8);
    const QFont noteFont = reportFont(7);
    const QStringList headers { QObject::tr("Region"), QObject::tr("TTFB"), QObject::tr("FCP"), QObject::tr("LCP"),
        QObject::tr("DCL"), QObject::tr("Load"), QObject::tr("Fully loaded"), QObject::tr("Requests"),
        QObject::tr("Bytes") };
    // The region column gets what the eight numbers leave.
    const double numberWidth
        = std::max(mm(17), metrics(cellFont).horizontalAdvance(QStringLiteral("00,000 ms")) + mm(2.5));
    QList<double> widths { m_width - 8 * numberWidth };
    for (int i = 0; i < 8; ++i)
        widths.append(numberWidth);
    const double pad = mm(1.2);
    const auto columnRect = [widths](const QRectF &row, int first, int last) {
        double x = row.left();
        for (int i = 0; i < first; ++i)
            x += widths.at(i);
        double w = 0;
        for (int i = first; i <= last; ++i)
            w += widths.at(i);
        return QRectF(x, row.top(), w, row.height());
    };

    double headHeight = 0;
    for (int i = 0; i < headers.size(); ++i)
        headHeight = std::max(headHeight, textHeight(headFont, headers.at(i), widths.at(i) - 2 * pad));
    headHeight += 2 * pad;
    Block header;
    header.spaceBefore = 0;
    header.height = headHeight;
    header.keepWithNext = true;
    header.paint = [=](QPainter &painter, const QRectF &rect) {
        painter.fillRect(rect, headerFill);
        painter.setFont(headFont);
        painter.setPen(inkColor);
        for (int i = 0; i < headers.size(); ++i) {
            const QRectF cell = columnRect(rect, i, i).adjusted(pad, pad, -pad, -pad);
            painter.drawText(
                cell, (i == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignBottom | Qt::TextWordWrap, headers.at(i));
        }
        painter.setPen(QPen(mutedColor, pt(0.75)));
        painter.drawLine(rect.bottomLeft(), rect.bottomRight());
    };
    const int headerIndex = int(m_blocks.size());
    m_blocks.append(header);

    const QLocale locale;
    for (qsizetype r = 0; r < m_regions.size(); ++r) {
        const ReportRegion &region = m_regions.at(r);
        const bool stripe = r % 2 == 1;
        QStringList cells { region.name };
        QString note;
        bool noteIsFailure = false;
        if (region.status == RegionSummary::Status::Measured && region.median) {
            const PageMetrics &m = *region.median;
            cells << formatMs(m.ttfbMs) << formatMs(m.firstContentfulPaintMs) << formatMs(m.largestContentfulPaintMs)
                  << formatMs(m.domContentLoadedMs) << formatMs(m.loadMs) << formatMs(m.fullyLoadedMs)
                  << locale.toString(m.requestCount) << DataSize::text(m.totalEncodedBytes, locale);
            if (region.okRuns < region.runs) {
                note = QObject::tr("%1 of %2 runs failed").arg(region.runs - region.okRuns).arg(region.runs);
                if (!region.failure.isEmpty())
                    note += QStringLiteral(": ") + region.failure;
                noteIsFailure = true;
            }
        } else {
            note = (region.status == RegionSummary::Status::Failed ? QObject::tr("Failed: %1")
                                                                   : QObject::tr("No result: %1"))
                       .arg(region.failure);
            noteIsFailure = region.status == RegionSummary::Status::Failed;
        }
        const bool spanning = cells.size() == 1; // no numbers: the note takes their columns
        const double regionHeight = textHeight(cellFont, region.name, widths.at(0) - 2 * pad);
        double height = regionHeight;
        double noteHeight = 0;
        const double noteWidth = spanning ? m_width - widths.at(0) - 2 * pad : m_width - widths.at(0) - 2 * pad;
        if (!note.isEmpty())
            noteHeight = textHeight(spanning ? cellFont : noteFont, note, noteWidth);
        if (spanning)
            height = std::max(height, noteHeight);
        else if (!note.isEmpty())
            height = std::max(height, metrics(cellFont).height() + mm(0.5) + noteHeight);
        height += 2 * pad;

        Block row;
        row.height = height;
        row.repeatHeader = headerIndex;
        row.paint = [=, this](QPainter &painter, const QRectF &rect) {
            if (stripe)
                painter.fillRect(rect, stripeFill);
            painter.setPen(inkColor);
            painter.setFont(cellFont);
            painter.drawText(columnRect(rect, 0, 0).adjusted(pad, pad, -pad, -pad), Qt::TextWordWrap, cells.at(0));
            const double lineHeight = metrics(cellFont).height();
            for (int i = 1; i < cells.size(); ++i) {
                const QRectF cell = columnRect(rect, i, i).adjusted(pad, pad, -pad, -pad);
                const bool absent = cells.at(i) == u"–";
                painter.setPen(absent ? mutedColor : inkColor);
                painter.drawText(QRectF(cell.left(), cell.top(), cell.width(), lineHeight),
                    Qt::AlignRight | Qt::AlignVCenter, cells.at(i));
            }
            if (!note.isEmpty()) {
                const QRectF span = columnRect(rect, 1, 8).adjusted(pad, pad, -pad, -pad);
                painter.setPen(noteIsFailure ? failColor : mutedColor);
                if (spanning) {
                    painter.setFont(cellFont);
                    painter.drawText(span, Qt::TextWordWrap, note);
                } else {
                    painter.setFont(noteFont);
                    painter.drawText(QRectF(span.left(), span.top() + lineHeight + mm(0.5), span.width(), noteHeight),
                        Qt::TextWordWrap | Qt::AlignLeft, note);
                }
            }
            painter.setPen(QPen(ruleColor, pt(0.5)));
            painter.drawLine(rect.bottomLeft(), rect.bottomRight());
        };
        m_blocks.append(row);
    }
}

// The chart -------------------------------------------------------------------------------------------------------

void ReportLayout::addChart()
{
    using Metric = MetricsBarChart::Metric;
    QList<MetricsBarChart::RegionValues> values;
    double max = 0;
    for (const ReportRegion &region : std::as_const(m_regions)) {
        MetricsBarChart::RegionValues v { region.code, region.city, {} };
        if (region.status == RegionSummary::Status::Measured && region.median) {
            v.ms[int(Metric::Ttfb)] = region.median->ttfbMs;
            v.ms[int(Metric::Fcp)] = region.median->firstContentfulPaintMs;
            v.ms[int(Metric::Lcp)] = region.median->largestContentfulPaintMs;
            v.ms[int(Metric::Load)] = region.median->loadMs;
        }
        for (const std::optional<double> &ms : v.ms)
            max = std::max(max, ms.value_or(0));
        values.append(v);
    }
    // A chart per ten regions, all on one scale: more groups than that leave no room for their names.
    constexpr qsizetype perChart = 10;
    const qsizetype charts = std::max<qsizetype>(1, (values.size() + perChart - 1) / perChart);
    const qsizetype size = (values.size() + charts - 1) / std::max<qsizetype>(1, charts);
    const QFont font = reportFont(8);
    for (qsizetype first = 0; first < std::max<qsizetype>(1, values.size()); first += std::max<qsizetype>(1, size)) {
        MetricsBarChart chart;
        chart.setFont(font);
        chart.setLegendVisible(first == 0);
        chart.setAxisAtLeastMs(max);
        chart.setValues(values.mid(first, size));
        Block block;
        block.spaceBefore = mm(3);
        block.height = std::min(m_width * (charts > 1 ? 0.36 : 0.48), m_height * 0.4);
        block.paint = [chart](QPainter &painter, const QRectF &rect) { chart.paint(painter, rect); };
        m_blocks.append(block);
        if (values.isEmpty())
            break;
    }
}

// The waterfalls --------------------------------------------------------------------------------------------------

void ReportLayout::paintPhaseLegend(QPainter &painter, const QRectF &rect) const
{
    using Phase = WaterfallGeometry::Phase;
    const QFont font = reportFont(7);
    painter.save();
    painter.setFont(font);
    const QFontMetricsF fm = metrics(font);
    double x = rect.left();
    const double swatch = mm(2.2);
    const double cy = rect.center().y();
    for (const Phase phase :
        { Phase::Blocked, Phase::Dns, Phase::Connect, Phase::Ssl, Phase::Send, Phase::Wait, Phase::Receive }) {
        painter.fillRect(QRectF(x, cy - swatch / 2, swatch, swatch), WaterfallGeometry::phaseColor(phase, false));
        x += swatch + mm(0.8);
        const QString name = WaterfallGeometry::phaseName(phase);
        painter.setPen(mutedColor);
        painter.drawText(QPointF(x, cy + fm.ascent() / 2 - fm.descent() / 2), name);
        x += fm.horizontalAdvance(name) + mm(3);
    }
    using Marker = WaterfallGeometry::Marker;
    const std::pair<Marker, QString> markers[] = { { Marker::FirstContentfulPaint, QObject::tr("FCP") },
        { Marker::DomContentLoaded, QObject::tr("DCL") }, { Marker::Load, QObject::tr("Load") } };
    x += mm(2);
    for (const auto &[marker, name] : markers) {
        painter.setPen(QPen(WaterfallGeometry::markerColor(marker, false), pt(1)));
        painter.drawLine(QPointF(x + swatch / 2, cy - swatch), QPointF(x + swatch / 2, cy + swatch));
        x += swatch + mm(0.5);
        painter.setPen(mutedColor);
        painter.drawText(QPointF(x, cy + fm.ascent() / 2 - fm.descent() / 2), name);
        x += fm.horizontalAdvance(name) + mm(3);
    }
    painter.restore();
}

void ReportLayout::addWaterfalls()
{
    {
        Block legend;
        legend.height = mm(5);
        legend.keepWithNext = true;
        legend.paint = [this](QPainter &painter, const QRectF &rect) { paintPhaseLegend(painter, rect); };
        m_blocks.append(legend);
    }
    const QFont titleFont = reportFont(9.5, true);
    const QFont subFont = reportFont(7);
    const QFont rowFont = reportFont(6.5);
    const double titleHeight = metrics(titleFont).height();
    const double subHeight = metrics(subFont).height();
    const double rowHeight = std::max(mm(4.2), metrics(rowFont).height() * 1.3);
    const double axisHeight = metrics(rowFont).height() + mm(1);
    const double labelWidth = m_width * 0.36;
    const double durationWidth = mm(14);

    for (const ReportRegion &region : std::as_const(m_regions)) {
        const RegionRecord record = m_test.region(region.code);
        const RegionRun *run = region.representativeRun ? record.run(*region.representativeRun) : nullptr;
        QList<RequestTiming> slowest = run ? run->firstView.requests : QList<RequestTiming>();
        const auto duration
            = [](const RequestTiming &request) { return request.durationMs.value_or(request.phases.sum()); };
        std::stable_sort(slowest.begin(), slowest.end(),
            [&](const RequestTiming &a, const RequestTiming &b) { return duration(a) > duration(b); });
        const qsizetype total = slowest.size();
        if (slowest.size() > slowestCount)
            slowest.resize(slowestCount);
        // Shown in start order, so the bars still read as a waterfall.
        std::stable_sort(slowest.begin(), slowest.end(),
            [](const RequestTiming &a, const RequestTiming &b) { return a.startMs < b.startMs; });
        const PageMetrics metrics = run ? run->firstView.metrics : PageMetrics {};
        const bool measured = run && run->firstViewMeasured;

        QString subtitle;
        if (!run) {
            subtitle = QObject::tr("No run: %1").arg(region.failure);
        } else if (total == 0) {
            subtitle = region.failure.isEmpty()
                ? QObject::tr("No requests were recorded.")
                : QObject::tr("Failed before any request was recorded: %1").arg(region.failure);
        } else {
            subtitle = m_test.runsPerRegion > 1 ? QObject::tr("Run %1 of %2").arg(run->index).arg(m_test.runsPerRegion)
                                                : QObject::tr("The run");
            if (measured && metrics.loadMs)
                subtitle += QStringLiteral(" · ") + QObject::tr("load %1").arg(formatMs(metrics.loadMs));
            subtitle += QStringLiteral(" · ")
                + (total > slowestCount
                        ? QObject::tr("the %1 slowest of %2 requests").arg(slowestCount).arg(total)
                        : (total == 1 ? QObject::tr("its only request") : QObject::tr("all %1 requests").arg(total)));
            if (!run->ok() && !region.failure.isEmpty())
                subtitle += QStringLiteral(" · ") + QObject::tr("failed: %1").arg(region.failure);
        }

        double spanMs = 0;
        for (const RequestTiming &request : std::as_const(slowest))
            spanMs = std::max(spanMs, request.startMs + duration(request));
        if (measured) {
            for (const std::optional<double> &marker :
                { metrics.firstContentfulPaintMs, metrics.domContentLoadedMs, metrics.loadMs })
                spanMs = std::max(spanMs, marker.value_or(0));
        }
        spanMs = WaterfallGeometry::spanFor(std::max(spanMs, 1.0));

        Block block;
        block.spaceBefore = mm(4);
        block.height
            = titleHeight + subHeight + mm(1.5) + (slowest.isEmpty() ? 0 : axisHeight + slowest.size() * rowHeight);
        const QString title = region.name;
        const bool failed = region.status == RegionSummary::Status::Failed;
        block.paint = [=, this](QPainter &painter, const QRectF &rect) {
            painter.save();
            double y = rect.top();
            painter.setFont(titleFont);
            painter.setPen(inkColor);
            painter.drawText(
                QRectF(rect.left(), y, rect.width(), titleHeight), Qt::AlignLeft | Qt::AlignVCenter, title);
            y += titleHeight;
            painter.setFont(subFont);
            painter.setPen(failed ? failColor : mutedColor);
            painter.drawText(QRectF(rect.left(), y, rect.width(), subHeight), Qt::AlignLeft | Qt::AlignVCenter,
                QFontMetricsF(subFont, m_device).elidedText(subtitle, Qt::ElideRight, rect.width()));
            y += subHeight + mm(1.5);
            if (slowest.isEmpty()) {
                painter.restore();
                return;
            }

            const QRectF bars(rect.left() + labelWidth, y + axisHeight, rect.width() - labelWidth - durationWidth,
                slowest.size() * rowHeight);
            const WaterfallScale scale { bars.left(), bars.width() / spanMs };
            // The axis: ticks and grid lines.
            const double step = WaterfallGeometry::tickStep(spanMs, bars.width(), mm(16));
            painter.setFont(rowFont);
            const QFontMetricsF fm(rowFont, m_device);
            for (double ms = 0; ms <= spanMs + 1e-6; ms += step) {
                const double x = scale.x(ms);
                painter.setPen(QPen(ruleColor, pt(0.4)));
                painter.drawLine(QPointF(x, bars.top()), QPointF(x, bars.bottom()));
                const QString label = WaterfallGeometry::tickLabel(ms, step, spanMs);
                const double w = fm.horizontalAdvance(label);
                painter.setPen(mutedColor);
                painter.drawText(QPointF(std::clamp(x - w / 2, bars.left(), bars.right() - w), y + fm.ascent()), label);
            }
            painter.setRenderHint(QPainter::Antialiasing, false);
            for (qsizetype i = 0; i < slowest.size(); ++i) {
                const RequestTiming &request = slowest.at(i);
                const double top = bars.top() + i * rowHeight;
                if (i % 2 == 1)
                    painter.fillRect(QRectF(rect.left(), top, rect.width(), rowHeight), stripeFill);
                const QString label = WaterfallModel::shortLabel(request.url);
                const QString status = request.outcome == RequestTiming::Outcome::Failed ? QObject::tr("failed")
                    : request.status ? QString::number(*request.status)
                                     : QString();
                const QString statusText = status.isEmpty() ? QString() : QStringLiteral("  ") + status;
                painter.setPen(request.outcome == RequestTiming::Outcome::Failed ? failColor : inkColor);
                const double statusWidth = fm.horizontalAdvance(statusText);
                const QRectF labelRect(rect.left() + mm(1), top, labelWidth - mm(3) - statusWidth, rowHeight);
                painter.drawText(labelRect, Qt::AlignLeft | Qt::AlignVCenter,
                    fm.elidedText(label, Qt::ElideMiddle, labelRect.width()));
                painter.setPen(mutedColor);
                painter.drawText(QRectF(labelRect.right(), top, statusWidth, rowHeight),
                    Qt::AlignRight | Qt::AlignVCenter, statusText);

                const double barTop = top + rowHeight * 0.22;
                const double barHeight = rowHeight * 0.56;
                for (const WaterfallGeometry::PhaseRect &phase :
                    WaterfallGeometry::phaseRects(request, scale, barTop, barHeight))
                    painter.fillRect(phase.rect, WaterfallGeometry::phaseColor(phase.phase, false));
                if (request.outcome == RequestTiming::Outcome::Failed) {
                    const double end = request.startMs + duration(request);
                    painter.setPen(QPen(failColor, pt(0.8)));
                    painter.setBrush(Qt::NoBrush);
                    painter.drawRect(QRectF(scale.x(request.startMs), barTop,
                        std::max(pt(1), (end - request.startMs) * scale.pxPerMs), barHeight));
                }
                painter.setPen(inkColor);
                painter.drawText(QRectF(bars.right(), top, durationWidth, rowHeight), Qt::AlignRight | Qt::AlignVCenter,
                    formatMs(duration(request)));
            }
            painter.setRenderHint(QPainter::Antialiasing);
            if (measured) {
                using Marker = WaterfallGeometry::Marker;
                const std::pair<Marker, std::optional<double>> markers[]
                    = { { Marker::FirstContentfulPaint, metrics.firstContentfulPaintMs },
                          { Marker::DomContentLoaded, metrics.domContentLoadedMs }, { Marker::Load, metrics.loadMs } };
                for (const auto &[marker, ms] : markers) {
                    if (!ms)
                        continue;
                    painter.setPen(QPen(WaterfallGeometry::markerColor(marker, false), pt(0.9)));
                    painter.drawLine(QPointF(scale.x(*ms), bars.top()), QPointF(scale.x(*ms), bars.bottom()));
                }
            }
            painter.restore();
        };
        m_blocks.append(block);
    }
}

void ReportLayout::build()
{
    addTitle();
    addHeading(QObject::tr("Where it was measured"));
    addMap();
    addHeading(QObject::tr("Results by region"),
        QObject::tr("Medians over each region's successful runs (first view). – : not measured. TTFB: time to first "
                    "byte; FCP/LCP: first/largest contentful paint; DCL: DOMContentLoaded."));
    addTable();
    addHeading(QObject::tr("Timings"));
    addChart();
    addHeading(QObject::tr("Slowest requests"),
        QObject::tr(
            "Per region, the slowest requests of its median run, in the order they started, with their phases."));
    addWaterfalls();
}

QList<Placement> ReportLayout::paginate(int *pages) const
{
    QList<Placement> placements;
    int page = 0;
    double y = 0;
    for (int i = 0; i < m_blocks.size(); ++i) {
        const Block &block = m_blocks.at(i);
        // A heading needs the block after it on the same page (and that one the next, if it is a heading too).
        double needed = (y > 0 ? block.spaceBefore : 0) + block.height;
        for (int j = i; j + 1 < m_blocks.size() && m_blocks.at(j).keepWithNext; ++j)
            needed += m_blocks.at(j + 1).spaceBefore + m_blocks.at(j + 1).height;
        const bool fits = y + needed <= m_height + 1e-6;
        if (!fits && y > 0) {
            ++page;
            y = 0;
            if (block.repeatHeader >= 0) {
                placements.append(Placement { page, block.repeatHeader, y });
                y += m_blocks.at(block.repeatHeader).height;
            }
        }
        if (y > 0)
            y += block.spaceBefore;
        placements.append(Placement { page, i, y });
        y += block.height;
    }
    *pages = page + 1;
    return placements;
}

} // namespace

PdfReport::PdfReport(TestRecord test, RegionCatalog catalog)
    : m_test(std::move(test))
    , m_catalog(std::move(catalog))
{ }

QPageSize::PageSizeId PdfReport::pageSizeFor(QLocale::Territory territory)
{
    // CLDR supplemental data, paperSize "US-Letter".
    static const std::set<QLocale::Territory> letter { QLocale::UnitedStates, QLocale::Canada, QLocale::Mexico,
        QLocale::Belize, QLocale::Chile, QLocale::Colombia, QLocale::CostaRica, QLocale::Guatemala, QLocale::Nicaragua,
        QLocale::Panama, QLocale::Philippines, QLocale::PuertoRico, QLocale::ElSalvador, QLocale::Venezuela };
    return letter.count(territory) ? QPageSize::Letter : QPageSize::A4;
}

QPageSize PdfReport::pageSize() const
{
    return m_pageSize ? *m_pageSize : QPageSize(pageSizeFor(QLocale::system().territory()));
}

bool PdfReport::write(const QString &path, QString *error)
{
    m_pageCount = 0;
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = QObject::tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    QPdfWriter writer(&file);
    writer.setResolution(resolution);
    writer.setPageSize(pageSize());
    writer.setPageMargins(QMarginsF(16, 14, 16, 14), QPageLayout::Millimeter);
    writer.setTitle(QObject::tr("WorldSpeed: %1").arg(m_test.url));
    writer.setCreator(m_creator);

    const QRect paintRect = writer.pageLayout().paintRectPixels(resolution);
    const double footerHeight = mm(8);
    const double width = paintRect.width();
    const double height = paintRect.height() - footerHeight;

    ReportLayout layout(m_test, m_catalog, &writer, width, height);
    layout.build();
    int pages = 0;
    const QList<Placement> placements = layout.paginate(&pages);

    QPainter painter;
    if (!painter.begin(&writer)) {
        *error = QObject::tr("cannot start a PDF in %1").arg(path);
        return false;
    }
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setRenderHint(QPainter::TextAntialiasing);
    const QFont footerFont = reportFont(7);
    const QString footerLeft = QStringLiteral("WorldSpeed · ") + m_test.url;
    const QString date = m_test.startedAt.isValid()
        ? QLocale().toString(m_test.startedAt.toLocalTime(), QLocale::ShortFormat)
        : QString();
    int page = -1;
    const auto footer = [&](int number) {
        painter.save();
        const double top = height + mm(3);
        painter.setPen(QPen(ruleColor, pt(0.5)));
        painter.drawLine(QPointF(0, top), QPointF(width, top));
        painter.setFont(footerFont);
        painter.setPen(mutedColor);
        const QRectF line(0, top + mm(1), width, footerHeight - mm(3));
        const QString right = QObject::tr("Page %1 of %2").arg(number + 1).arg(pages);
        const QFontMetricsF fm(footerFont, &writer);
        const double rightWidth = fm.horizontalAdvance(right);
        const QString left = date.isEmpty() ? footerLeft : footerLeft + QStringLiteral(" · ") + date;
        painter.drawText(QRectF(line.left(), line.top(), line.width() - rightWidth - mm(6), line.height()),
            Qt::AlignLeft | Qt::AlignTop, fm.elidedText(left, Qt::ElideMiddle, line.width() - rightWidth - mm(6)));
        painter.drawText(line, Qt::AlignRight | Qt::AlignTop, right);
        painter.restore();
    };
    for (const Placement &placement : placements) {
        while (page < placement.page) {
            if (page >= 0) {
                footer(page);
                writer.newPage();
            }
            ++page;
        }
        const Block &block = layout.blocks().at(placement.block);
        painter.save();
        block.paint(painter, QRectF(0, placement.top, width, block.height));
        painter.restore();
    }
    footer(page);
    if (!painter.end()) {
        *error = QObject::tr("cannot finish the PDF %1").arg(path);
        return false;
    }
    if (!file.commit()) {
        *error = QObject::tr("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    m_pageCount = pages;
    return true;
}
