#include "pagemetric.h"

#include "displayformat.h"

namespace {

struct Row
{
    PageMetric metric;
    std::optional<double> PageMetrics::*member; // null for the request count and the bytes
    const char *label;
    const char *description;
};

// Labels and descriptions are marked for translation here and translated on the way out.
const QList<Row> &rows()
{
    using Id = PageMetric::Id;
    using Unit = PageMetric::Unit;
    static const QList<Row> table {
        { { Id::Ttfb, QStringLiteral("ttfbMs"), QStringLiteral("ttfb_ms"), QStringLiteral("ttfb"), Unit::Duration },
            &PageMetrics::ttfbMs, QT_TRANSLATE_NOOP("PageMetric", "TTFB"),
            QT_TRANSLATE_NOOP(
                "PageMetric", "Time to first byte: navigation start to the document's first response byte") },
        { { Id::Fcp, QStringLiteral("firstContentfulPaintMs"), QStringLiteral("fcp_ms"), QStringLiteral("fcp"),
              Unit::Duration },
            &PageMetrics::firstContentfulPaintMs, QT_TRANSLATE_NOOP("PageMetric", "FCP"),
            QT_TRANSLATE_NOOP("PageMetric", "First contentful paint: the first text or image on screen") },
        { { Id::Lcp, QStringLiteral("largestContentfulPaintMs"), QStringLiteral("lcp_ms"), QStringLiteral("lcp"),
              Unit::Duration },
            &PageMetrics::largestContentfulPaintMs, QT_TRANSLATE_NOOP("PageMetric", "LCP"),
            QT_TRANSLATE_NOOP("PageMetric", "Largest contentful paint: the largest text or image on screen") },
        { { Id::Dcl, QStringLiteral("domContentLoadedMs"), QStringLiteral("dcl_ms"), QStringLiteral("dcl"),
              Unit::Duration },
            &PageMetrics::domContentLoadedMs, QT_TRANSLATE_NOOP("PageMetric", "DCL"),
            QT_TRANSLATE_NOOP("PageMetric", "DOMContentLoaded: the document parsed, its deferred scripts run") },
        { { Id::Load, QStringLiteral("loadMs"), QStringLiteral("load_ms"), QStringLiteral("load"), Unit::Duration },
            &PageMetrics::loadMs, QT_TRANSLATE_NOOP("PageMetric", "Load"),
            QT_TRANSLATE_NOOP("PageMetric", "Load: the load event's end (loadEventEnd − navigationStart)") },
        { { Id::FullyLoaded, QStringLiteral("fullyLoadedMs"), QStringLiteral("fully_loaded_ms"),
              QStringLiteral("fully"), Unit::Duration },
            &PageMetrics::fullyLoadedMs, QT_TRANSLATE_NOOP("PageMetric", "Fully"),
            QT_TRANSLATE_NOOP("PageMetric", "Fully loaded: until the network has been quiet for 2 s") },
        { { Id::FirstVisualChange, QStringLiteral("firstVisualChangeMs"), QStringLiteral("first_visual_change_ms"),
              QStringLiteral("fvc"), Unit::Duration },
            &PageMetrics::firstVisualChangeMs, QT_TRANSLATE_NOOP("PageMetric", "FVC"),
            QT_TRANSLATE_NOOP(
                "PageMetric", "First visual change: the first filmstrip frame that differs from the blank page") },
        { { Id::SpeedIndex, QStringLiteral("speedIndexMs"), QStringLiteral("speed_index_ms"), QStringLiteral("si"),
              Unit::Duration },
            &PageMetrics::speedIndexMs, QT_TRANSLATE_NOOP("PageMetric", "SI"),
            QT_TRANSLATE_NOOP("PageMetric",
                "Speed Index: the area above the filmstrip's visual-progress curve; how long the page looked "
                "incomplete, on average") },
        { { Id::VisualComplete85, QStringLiteral("visualComplete85Ms"), QStringLiteral("visual_complete_85_ms"),
              QStringLiteral("vc85"), Unit::Duration },
            &PageMetrics::visualComplete85Ms, QT_TRANSLATE_NOOP("PageMetric", "VC85"),
            QT_TRANSLATE_NOOP(
                "PageMetric", "Visually 85 % complete: the first filmstrip frame at 85 % visual progress") },
        { { Id::VisualComplete99, QStringLiteral("visualComplete99Ms"), QStringLiteral("visual_complete_99_ms"),
              QStringLiteral("vc99"), Unit::Duration },
            &PageMetrics::visualComplete99Ms, QT_TRANSLATE_NOOP("PageMetric", "VC99"),
            QT_TRANSLATE_NOOP(
                "PageMetric", "Visually 99 % complete: the first filmstrip frame at 99 % visual progress") },
        { { Id::LastVisualChange, QStringLiteral("lastVisualChangeMs"), QStringLiteral("last_visual_change_ms"),
              QStringLiteral("lvc"), Unit::Duration },
            &PageMetrics::lastVisualChangeMs, QT_TRANSLATE_NOOP("PageMetric", "LVC"),
            QT_TRANSLATE_NOOP(
                "PageMetric", "Last visual change: the last filmstrip frame that differs from the one before") },
        { { Id::Tbt, QStringLiteral("totalBlockingTimeMs"), QStringLiteral("tbt_ms"), QStringLiteral("tbt"),
              Unit::Duration },
            &PageMetrics::totalBlockingTimeMs, QT_TRANSLATE_NOOP("PageMetric", "TBT"),
            QT_TRANSLATE_NOOP("PageMetric",
                "Total blocking time: what long tasks (50 ms or more) held the main thread beyond 50 ms each, "
                "between first contentful paint and the end of the load") },
        { { Id::LongestTask, QStringLiteral("longestTaskMs"), QStringLiteral("longest_task_ms"),
              QStringLiteral("longest-task"), Unit::Duration },
            &PageMetrics::longestTaskMs, QT_TRANSLATE_NOOP("PageMetric", "Longest task"),
            QT_TRANSLATE_NOOP("PageMetric", "The longest task that held the page's main thread during the load") },
        { { Id::Cls, QStringLiteral("cumulativeLayoutShift"), QStringLiteral("cls"), QStringLiteral("cls"),
              Unit::Score },
            &PageMetrics::cumulativeLayoutShift, QT_TRANSLATE_NOOP("PageMetric", "CLS"),
            QT_TRANSLATE_NOOP("PageMetric", "Cumulative layout shift: the largest burst of unexpected layout shifts") },
        { { Id::LongTasks, QStringLiteral("longTaskCount"), QStringLiteral("long_tasks"), QStringLiteral("long-tasks"),
              Unit::Count },
            &PageMetrics::longTaskCount, QT_TRANSLATE_NOOP("PageMetric", "Long tasks"),
            QT_TRANSLATE_NOOP("PageMetric", "Tasks of 50 ms or more on the page's main thread during the load") },
        { { Id::Requests, QStringLiteral("requestCount"), QStringLiteral("requests"), QStringLiteral("requests"),
              Unit::Count },
            nullptr, QT_TRANSLATE_NOOP("PageMetric", "Reqs"),
            QT_TRANSLATE_NOOP("PageMetric", "Requests the page made") },
        { { Id::Bytes, QStringLiteral("totalEncodedBytes"), QStringLiteral("bytes"), QStringLiteral("bytes"),
              Unit::Bytes },
            nullptr, QT_TRANSLATE_NOOP("PageMetric", "Bytes"),
            QT_TRANSLATE_NOOP(
                "PageMetric", "Bytes received: response headers and bodies as sent on the wire (compressed)") },
    };
    return table;
}

const Row &rowOf(PageMetric::Id id)
{
    // The table is in Id order.
    return rows().at(static_cast<qsizetype>(id));
}

} // namespace

QString PageMetric::label() const
{
    return tr(rowOf(id).label);
}

int PageMetric::textWidth() const
{
    // "12 345 ms", "1 234.5 kB", "0.123": the widest a value gets in its unit, plus the space before it.
    const int value = unit == Unit::Bytes ? 10 : unit == Unit::Duration ? 9 : 7;
    return std::max(value, static_cast<int>(label().size()) + 2);
}

QString PageMetric::description() const
{
    return tr(rowOf(id).description);
}

QString PageMetric::unitName() const
{
    switch (unit) {
    case Unit::Duration:
        return QStringLiteral("ms");
    case Unit::Count:
        return id == Id::LongTasks ? QStringLiteral("tasks") : QStringLiteral("requests");
    case Unit::Bytes:
        return QStringLiteral("B");
    case Unit::Score:
        break;
    }
    return {};
}

std::optional<double> PageMetrics::*PageMetric::optionalMember() const
{
    return rowOf(id).member;
}

std::optional<double> PageMetric::value(const PageMetrics &metrics) const
{
    if (const auto member = optionalMember())
        return metrics.*member;
    if (id == Id::Requests)
        return metrics.requestCount;
    return static_cast<double>(metrics.totalEncodedBytes);
}

QString PageMetric::format(std::optional<double> value, const QLocale &locale) const
{
    if (!value)
        return DisplayFormat::missing();
    switch (unit) {
    case Unit::Duration:
        return DisplayFormat::duration(value, locale);
    case Unit::Count:
        return DisplayFormat::count(static_cast<qint64>(*value), locale);
    case Unit::Bytes:
        return DisplayFormat::bytes(static_cast<qint64>(*value), locale);
    case Unit::Score:
        break;
    }
    return DisplayFormat::score(*value, locale);
}

const QList<PageMetric> &PageMetric::all()
{
    static const QList<PageMetric> metrics = [] {
        QList<PageMetric> list;
        for (const Row &row : rows())
            list.append(row.metric);
        return list;
    }();
    return metrics;
}

const PageMetric &PageMetric::get(Id id)
{
    return rowOf(id).metric;
}

const PageMetric *PageMetric::fromJsonKey(QStringView key)
{
    for (const PageMetric &metric : all()) {
        if (metric.jsonKey == key)
            return &metric;
    }
    return nullptr;
}

const PageMetric *PageMetric::fromBudgetName(QStringView name)
{
    for (const PageMetric &metric : all()) {
        if (metric.budgetName.compare(name, Qt::CaseInsensitive) == 0)
            return &metric;
    }
    return nullptr;
}

QList<PageMetric::Id> PageMetric::durations()
{
    QList<Id> ids;
    for (const PageMetric &metric : all()) {
        if (metric.unit == Unit::Duration)
            ids.append(metric.id);
    }
    return ids;
}
