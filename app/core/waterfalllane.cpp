#include "waterfalllane.h"

#include "model/displayformat.h"
#include "regionsummary.h"
#include "testrecord.h"

#include <QSet>
#include <QUrl>

#include <algorithm>

QString WaterfallLane::typeCategory(const QString &resourceType)
{
    static const QSet<QString> own { QStringLiteral("Document"), QStringLiteral("Stylesheet"), QStringLiteral("Script"),
        QStringLiteral("Image"), QStringLiteral("Font") };
    if (own.contains(resourceType))
        return resourceType;
    if (resourceType == u"XHR" || resourceType == u"Fetch" || resourceType == u"EventSource")
        return QStringLiteral("XHR/Fetch");
    return QStringLiteral("Other");
}

QStringList WaterfallLane::typeCategories()
{
    return { QStringLiteral("Document"), QStringLiteral("Stylesheet"), QStringLiteral("Script"),
        QStringLiteral("Image"), QStringLiteral("Font"), QStringLiteral("XHR/Fetch"), QStringLiteral("Other") };
}

QString WaterfallLane::shortLabel(const QString &url)
{
    // data: URLs can be megabytes; a label needs their start only.
    if (url.startsWith(u"data:"))
        return url.left(48);
    const QUrl parsed(url);
    if (!parsed.isValid())
        return url.left(256);
    QString label = parsed.path(QUrl::FullyDecoded);
    if (parsed.hasQuery())
        label += u'?' + parsed.query(QUrl::FullyDecoded);
    if (label.isEmpty() || label == u"/")
        label = parsed.host().isEmpty() ? url : parsed.host();
    return label.left(256);
}

namespace {

WaterfallLane::Entry makeEntry(const RequestTiming &request)
{
    QString host = request.url.startsWith(u"data:") ? QString() : QUrl(request.url).host();
    return WaterfallLane::Entry { request, WaterfallLane::shortLabel(request.url), std::move(host),
        WaterfallLane::typeCategory(request.resourceType),
        request.durationMs ? DisplayFormat::duration(request.durationMs) : QString(), false, std::nullopt };
}

} // namespace

bool WaterfallLane::Load::store(const RequestTiming &request)
{
    if (entries.size() >= maxRequestsPerLoad) {
        ++dropped;
        return false;
    }
    entries.append(makeEntry(request));
    if (documentHost.isEmpty() && request.resourceType == u"Document")
        documentHost = entries.constLast().host;
    return true;
}

bool WaterfallLane::Load::storeStarted(const RequestTiming &request)
{
    // Beyond the cap a start is not shown; its final request is counted as dropped when it comes.
    if (entries.size() >= maxRequestsPerLoad || pendingIds.contains(request.id))
        return false;
    RequestTiming started = request;
    started.outcome = RequestTiming::Outcome::Unfinished;
    if (!store(started))
        return false;
    entries.last().pending = true;
    pendingIds.insert(request.id, entries.size() - 1);
    return true;
}

void WaterfallLane::Load::replace(qsizetype entryIndex, const RequestTiming &request)
{
    Entry &entry = entries[entryIndex];
    entry = makeEntry(request);
    if (documentHost.isEmpty() && request.resourceType == u"Document")
        documentHost = entry.host;
}

void WaterfallLane::Load::noteClock(double clockMs, double ms)
{
    // A frame cannot come before the moment it describes: the navigation start was at least `ms` ago.
    const double origin = clockMs - ms;
    if (!originMs || origin < *originMs)
        originMs = origin;
}

QList<qsizetype> WaterfallLane::Load::abandonPending(const std::function<double()> &clock)
{
    const double now = originMs ? clock() - *originMs : 0;
    QList<qsizetype> abandoned;
    for (const qsizetype entryIndex : std::as_const(pendingIds)) {
        Entry &entry = entries[entryIndex];
        entry.pending = false;
        entry.abandonedAtMs = std::max(entry.timing.startMs, now);
        abandoned.append(entryIndex);
    }
    pendingIds.clear();
    return abandoned;
}

WaterfallLane::WaterfallLane(QString region)
    : m_region(std::move(region))
{ }

WaterfallLane WaterfallLane::of(const TestRecord &test, const QString &region, qsizetype step)
{
    WaterfallLane lane(region);
    if (const auto median = RegionSummary::of(test, region).representativeRun)
        lane.m_representativeRun = *median - 1;
    const RegionRecord record = test.region(region);
    lane.m_step = step;
    lane.m_stepCount = RegionSummary::stepCountOf(record);
    for (const RegionRun &run : record.runs) {
        if (lane.m_stepLabel.isEmpty() && step < run.stepCount())
            lane.m_stepLabel = run.stepLabel(step);
    }
    for (const RegionRun &run : record.runs) {
        if (step > 0) {
            if (step >= run.stepCount())
                continue;
            Load &load = lane.m_loads[LoadKey { run.index - 1, RunView::First }];
            const ViewResult &view = run.stepView(step);
            for (const RequestTiming &request : view.requests)
                load.store(request);
            if (run.stepMeasured(step))
                load.metrics = view.metrics;
            load.screenshotPng = view.screenshotPng;
            load.longTasks = view.longTasks;
            continue;
        }
        for (const RunView which : { RunView::First, RunView::Repeat }) {
            const ViewResult *view = run.view(which);
            if (!view)
                continue;
            Load &load = lane.m_loads[LoadKey { run.index - 1, which }];
            for (const RequestTiming &request : view->requests)
                load.store(request);
            if (run.measured(which))
                load.metrics = view->metrics;
            load.screenshotPng = view->screenshotPng;
            load.longTasks = view->longTasks;
        }
    }
    return lane;
}

WaterfallLane::LoadKey WaterfallLane::shownKey(const LoadKey &setting) const
{
    return setting.first == RepresentativeRun ? LoadKey { m_representativeRun, setting.second } : setting;
}

WaterfallLane::Load &WaterfallLane::load(const LoadKey &key, bool isShown)
{
    Load &load = m_loads[key];
    if (isShown)
        m_shown = &load;
    return load;
}

void WaterfallLane::show(const LoadKey &setting, const std::function<bool(const Entry &)> &passes)
{
    m_queued.clear();
    m_rows.clear();
    const auto found = m_loads.find(shownKey(setting));
    m_shown = found == m_loads.end() ? nullptr : &found->second;
    if (!m_shown)
        return;
    const QList<Entry> &entries = m_shown->entries;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        if (passes(entries.at(i)))
            m_rows.append(i);
    }
    std::stable_sort(m_rows.begin(), m_rows.end(),
        [&](qsizetype a, qsizetype b) { return entries.at(a).timing.startMs < entries.at(b).timing.startMs; });
}

const WaterfallLane::Entry *WaterfallLane::entry(int row) const
{
    if (row < 0 || row >= m_rows.size())
        return nullptr;
    return &m_shown->entries.at(m_rows.at(row));
}

int WaterfallLane::rowOfEntry(qsizetype entryIndex) const
{
    if (!m_shown)
        return -1;
    const QList<Entry> &entries = m_shown->entries;
    const double start = entries.at(entryIndex).timing.startMs;
    auto it = std::lower_bound(m_rows.cbegin(), m_rows.cend(), start,
        [&](qsizetype row, double value) { return entries.at(row).timing.startMs < value; });
    for (; it != m_rows.cend() && entries.at(*it).timing.startMs <= start; ++it) {
        if (*it == entryIndex)
            return int(it - m_rows.cbegin());
    }
    return -1;
}

QString WaterfallLane::labelOf(const Entry &entry) const
{
    if (entry.host.isEmpty() || !m_shown || m_shown->documentHost.isEmpty() || entry.host == m_shown->documentHost
        || entry.path == entry.host)
        return entry.path;
    return entry.host + entry.path;
}

QList<qsizetype> WaterfallLane::takeQueued()
{
    QList<qsizetype> queued;
    queued.swap(m_queued);
    const QList<Entry> &entries = m_shown->entries;
    std::stable_sort(queued.begin(), queued.end(),
        [&](qsizetype a, qsizetype b) { return entries.at(a).timing.startMs < entries.at(b).timing.startMs; });
    return queued;
}

qsizetype WaterfallLane::insertionPosition(qsizetype entryIndex) const
{
    const QList<Entry> &entries = m_shown->entries;
    const double start = entries.at(entryIndex).timing.startMs;
    return std::upper_bound(m_rows.cbegin(), m_rows.cend(), start, [&](double value, qsizetype row) {
        return value < entries.at(row).timing.startMs;
    }) - m_rows.cbegin();
}

void WaterfallLane::insertRows(qsizetype position, const QList<qsizetype> &entryIndices)
{
    m_rows.insert(position, entryIndices.size(), 0);
    for (qsizetype i = 0; i < entryIndices.size(); ++i)
        m_rows[position + i] = entryIndices.at(i);
}
