#include "waterfallmodel.h"

#include "model/displayformat.h"
#include "regionsummary.h"
#include "testrecord.h"

#include <QElapsedTimer>
#include <QUrl>

#include <algorithm>
#include <memory>

namespace {

// Request rows carry their lane's row + 1 as internal id; lanes carry 0.
constexpr quintptr laneId = 0;

double knownEndMs(const RequestTiming &request)
{
    if (const auto end = request.endMs())
        return *end;
    return request.startMs + request.phases.sum();
}

} // namespace

WaterfallModel::WaterfallModel(QObject *parent)
    : QAbstractItemModel(parent)
{
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(0);
    connect(&m_flushTimer, &QTimer::timeout, this, &WaterfallModel::flushPending);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    m_clock = [clock] { return double(clock->nsecsElapsed()) / 1e6; };
}

void WaterfallModel::setClock(std::function<double()> nowMs)
{
    m_clock = std::move(nowMs);
}

WaterfallModel::~WaterfallModel() = default;

QString WaterfallModel::typeCategory(const QString &resourceType)
{
    static const QSet<QString> own { QStringLiteral("Document"), QStringLiteral("Stylesheet"), QStringLiteral("Script"),
        QStringLiteral("Image"), QStringLiteral("Font") };
    if (own.contains(resourceType))
        return resourceType;
    if (resourceType == u"XHR" || resourceType == u"Fetch" || resourceType == u"EventSource")
        return QStringLiteral("XHR/Fetch");
    return QStringLiteral("Other");
}

QStringList WaterfallModel::typeCategories()
{
    return { QStringLiteral("Document"), QStringLiteral("Stylesheet"), QStringLiteral("Script"),
        QStringLiteral("Image"), QStringLiteral("Font"), QStringLiteral("XHR/Fetch"), QStringLiteral("Other") };
}

QString WaterfallModel::shortLabel(const QString &url)
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

int WaterfallModel::addLane(const QString &region)
{
    if (const int lane = laneOf(region); lane >= 0)
        return lane;
    const int lane = laneCount();
    beginInsertRows({}, lane, lane);
    Lane added;
    added.region = region;
    m_lanes.push_back(std::move(added));
    endInsertRows();
    return lane;
}

WaterfallModel::LoadKey WaterfallModel::shownKey(const Lane &lane) const
{
    return m_shown.first == RepresentativeRun ? LoadKey { lane.representativeRun, m_shown.second } : m_shown;
}

WaterfallModel::Load &WaterfallModel::loadFor(int lane, const LoadKey &key)
{
    Lane &target = m_lanes[static_cast<size_t>(lane)];
    Load &load = target.loads[key];
    if (key == shownKey(target))
        target.shown = &load; // std::map never moves its nodes
    return load;
}

void WaterfallModel::setTest(const TestRecord &test)
{
    beginResetModel();
    m_lanes.clear();
    for (const QString &code : test.regions) {
        Lane lane;
        lane.region = code;
        if (const auto median = RegionSummary::of(test, code).representativeRun)
            lane.representativeRun = *median - 1;
        for (const RegionRun &run : test.region(code).runs) {
            for (const RunView which : { RunView::First, RunView::Repeat }) {
                const ViewResult *view = run.view(which);
                if (!view)
                    continue;
                Load &load = lane.loads[LoadKey { run.index - 1, which }];
                for (const RequestTiming &request : view->requests)
                    store(load, request);
                if (run.measured(which))
                    load.metrics = view->metrics;
                load.screenshotPng = view->screenshotPng;
                load.longTasks = view->longTasks;
            }
        }
        m_lanes.push_back(std::move(lane));
    }
    rebuild();
    endResetModel();
}

WaterfallModel::Entry WaterfallModel::makeEntry(const RequestTiming &request)
{
    QString host = request.url.startsWith(u"data:") ? QString() : QUrl(request.url).host();
    return Entry { request, shortLabel(request.url), std::move(host), typeCategory(request.resourceType),
        request.durationMs ? DisplayFormat::duration(request.durationMs) : QString(), false, std::nullopt };
}

bool WaterfallModel::store(Load &load, const RequestTiming &request)
{
    if (load.entries.size() >= maxRequestsPerLoad) {
        ++load.dropped;
        return false;
    }
    load.entries.append(makeEntry(request));
    if (load.documentHost.isEmpty() && request.resourceType == u"Document")
        load.documentHost = load.entries.constLast().host;
    return true;
}

void WaterfallModel::addRequest(const QString &region, int runIndex, RunView view, const RequestTiming &request)
{
    const int lane = addLane(region);
    const LoadKey key { runIndex, view };
    Load &load = loadFor(lane, key);
    const bool shown = key == shownKey(m_lanes[static_cast<size_t>(lane)]);
    noteClock(load, knownEndMs(request)); // every frame tells where the load was at least
    if (const auto found = load.pendingIds.constFind(request.id); found != load.pendingIds.cend()) {
        const qsizetype entryIndex = *found;
        load.pendingIds.erase(found);
        replacePending(lane, load, entryIndex, request, shown);
        return;
    }
    if (!store(load, request)) {
        if (shown) {
            const QModelIndex index = laneIndex(lane);
            emit dataChanged(index, index, { DroppedCountRole });
        }
        return;
    }
    queueLast(lane, load, shown);
}

void WaterfallModel::queueLast(int lane, const Load &load, bool shown)
{
    if (!shown || !passes(load.entries.constLast()))
        return;
    m_lanes[static_cast<size_t>(lane)].pending.append(load.entries.size() - 1);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void WaterfallModel::addStarted(const QString &region, int runIndex, RunView view, const QList<RequestTiming> &requests)
{
    const int lane = addLane(region);
    const LoadKey key { runIndex, view };
    Load &load = loadFor(lane, key);
    const bool shown = key == shownKey(m_lanes[static_cast<size_t>(lane)]);
    for (const RequestTiming &request : requests) {
        noteClock(load, request.startMs);
        // Beyond the cap a start is not shown; its final request is counted as dropped when it comes.
        if (load.entries.size() >= maxRequestsPerLoad || load.pendingIds.contains(request.id))
            continue;
        RequestTiming started = request;
        started.outcome = RequestTiming::Outcome::Unfinished;
        if (!store(load, started))
            continue;
        load.entries.last().pending = true;
        load.pendingIds.insert(request.id, load.entries.size() - 1);
        queueLast(lane, load, shown);
    }
}

void WaterfallModel::replacePending(
    int lane, Load &load, qsizetype entryIndex, const RequestTiming &request, bool shown)
{
    // The row stays where it is: the final frame's start is the same moment as the pending one's.
    const int row = shown ? rowOfEntry(lane, entryIndex) : -1;
    Entry &entry = load.entries[entryIndex];
    entry = makeEntry(request);
    if (load.documentHost.isEmpty() && request.resourceType == u"Document")
        load.documentHost = entry.host;
    if (row < 0)
        return; // not inserted yet (it will be as it is now), or not shown
    includeInMaxEnd(entry);
    const QModelIndex changed = index(row, 0, laneIndex(lane));
    emit dataChanged(changed, changed);
}

int WaterfallModel::rowOfEntry(int lane, qsizetype entryIndex) const
{
    const Lane &target = m_lanes[static_cast<size_t>(lane)];
    if (!target.shown)
        return -1;
    const QList<Entry> &entries = target.shown->entries;
    const double start = entries.at(entryIndex).timing.startMs;
    auto it = std::lower_bound(target.rows.cbegin(), target.rows.cend(), start,
        [&](qsizetype row, double value) { return entries.at(row).timing.startMs < value; });
    for (; it != target.rows.cend() && entries.at(*it).timing.startMs <= start; ++it) {
        if (*it == entryIndex)
            return int(it - target.rows.cbegin());
    }
    return -1;
}

void WaterfallModel::noteClock(Load &load, double ms) const
{
    // A frame cannot come before the moment it describes: the navigation start was at least `ms` ago.
    const double origin = m_clock() - ms;
    if (!load.originMs || origin < *load.originMs)
        load.originMs = origin;
}

void WaterfallModel::endLive(const QString &region, int runIndex)
{
    if (const int lane = laneOf(region); lane >= 0)
        endLiveIn(lane, runIndex);
}

void WaterfallModel::endAllLive()
{
    for (int lane = 0; lane < laneCount(); ++lane)
        endLiveIn(lane, std::nullopt);
}

void WaterfallModel::endLiveIn(int lane, std::optional<int> runIndex)
{
    Lane &target = m_lanes[static_cast<size_t>(lane)];
    bool shownChanged = false;
    for (auto &[key, load] : target.loads) {
        if ((runIndex && key.first != *runIndex) || load.pendingIds.isEmpty())
            continue;
        const double now = load.originMs ? m_clock() - *load.originMs : 0;
        for (const qsizetype entryIndex : std::as_const(load.pendingIds)) {
            Entry &entry = load.entries[entryIndex];
            entry.pending = false;
            entry.abandonedAtMs = std::max(entry.timing.startMs, now);
            if (&load == target.shown)
                includeInMaxEnd(entry);
        }
        load.pendingIds.clear();
        shownChanged = shownChanged || &load == target.shown;
    }
    if (shownChanged && !target.rows.isEmpty()) {
        const QModelIndex parent = laneIndex(lane);
        emit dataChanged(index(0, 0, parent), index(int(target.rows.size()) - 1, 0, parent));
    }
}

std::optional<double> WaterfallModel::liveNowMs(int lane) const
{
    if (lane < 0 || lane >= laneCount())
        return std::nullopt;
    const Load *shown = m_lanes[static_cast<size_t>(lane)].shown;
    if (!shown || !shown->originMs)
        return std::nullopt;
    return m_clock() - *shown->originMs;
}

bool WaterfallModel::hasPendingRows() const
{
    return std::any_of(m_lanes.cbegin(), m_lanes.cend(),
        [](const Lane &lane) { return lane.shown && !lane.shown->pendingIds.isEmpty() && !lane.rows.isEmpty(); });
}

double WaterfallModel::liveEndMs() const
{
    double end = m_maxEndMs;
    for (int lane = 0; lane < laneCount(); ++lane) {
        const Load *shown = m_lanes[static_cast<size_t>(lane)].shown;
        if (shown && !shown->pendingIds.isEmpty())
            end = std::max(end, liveNowMs(lane).value_or(0));
    }
    return end;
}

bool WaterfallModel::isPending(int lane, int row) const
{
    const Entry *found = entry(lane, row);
    return found && found->pending;
}

std::optional<double> WaterfallModel::abandonedAtMs(int lane, int row) const
{
    const Entry *found = entry(lane, row);
    return found ? found->abandonedAtMs : std::nullopt;
}

void WaterfallModel::flushPending()
{
    m_flushTimer.stop();
    for (int lane = 0; lane < laneCount(); ++lane) {
        Lane &target = m_lanes[static_cast<size_t>(lane)];
        if (target.pending.isEmpty())
            continue;
        const QList<Entry> &entries = target.shown->entries;
        const auto startOf = [&entries](qsizetype entry) { return entries.at(entry).timing.startMs; };
        QList<qsizetype> pending;
        pending.swap(target.pending);
        std::stable_sort(
            pending.begin(), pending.end(), [&](qsizetype a, qsizetype b) { return startOf(a) < startOf(b); });
        const QModelIndex parent = laneIndex(lane);
        // Each group of consecutive pending requests that lands between the same two rows is one insertion; in
        // the common case (everything started after the last row) the whole batch is one.
        const auto positionOf = [&](qsizetype entry) {
            const double start = startOf(entry);
            return std::upper_bound(target.rows.cbegin(), target.rows.cend(), start, [&](double value, qsizetype row) {
                return value < startOf(row);
            }) - target.rows.cbegin();
        };
        qsizetype first = 0;
        while (first < pending.size()) {
            const qsizetype position = positionOf(pending.at(first));
            qsizetype last = first + 1;
            while (last < pending.size() && positionOf(pending.at(last)) == position)
                ++last;
            beginInsertRows(parent, static_cast<int>(position), static_cast<int>(position + last - first - 1));
            target.rows.insert(position, last - first, 0);
            for (qsizetype i = first; i < last; ++i) {
                target.rows[position + i - first] = pending.at(i);
                includeInMaxEnd(entries.at(pending.at(i)));
            }
            endInsertRows();
            first = last;
        }
    }
}

void WaterfallModel::setPageMetrics(const QString &region, int runIndex, RunView view, const PageMetrics &metrics)
{
    const int lane = addLane(region);
    const LoadKey key { runIndex, view };
    loadFor(lane, key).metrics = metrics;
    if (key != shownKey(m_lanes[static_cast<size_t>(lane)]))
        return;
    includeInMaxEnd(metrics);
    const QModelIndex index = laneIndex(lane);
    emit dataChanged(index, index, { PageMetricsRole });
}

void WaterfallModel::setScreenshot(const QString &region, int runIndex, RunView view, const QByteArray &png)
{
    const int lane = addLane(region);
    const LoadKey key { runIndex, view };
    loadFor(lane, key).screenshotPng = png;
    if (key != shownKey(m_lanes[static_cast<size_t>(lane)]))
        return;
    const QModelIndex index = laneIndex(lane);
    emit dataChanged(index, index, { ScreenshotRole });
}

void WaterfallModel::setRepresentativeRun(const QString &region, std::optional<int> runIndex)
{
    const int lane = addLane(region);
    Lane &target = m_lanes[static_cast<size_t>(lane)];
    const int representative = runIndex.value_or(0);
    if (representative == target.representativeRun)
        return;
    if (m_shown.first != RepresentativeRun) {
        target.representativeRun = representative;
        return;
    }
    // The lane now shows another run: its rows are another load's.
    beginResetModel();
    target.representativeRun = representative;
    rebuild();
    endResetModel();
}

int WaterfallModel::shownRun(int lane) const
{
    if (lane < 0 || lane >= laneCount())
        return -1;
    return shownKey(m_lanes[static_cast<size_t>(lane)]).first;
}

QList<std::pair<int, RunView>> WaterfallModel::loadsOf(int lane) const
{
    QList<std::pair<int, RunView>> keys;
    if (lane < 0 || lane >= laneCount())
        return keys;
    for (const auto &load : m_lanes[static_cast<size_t>(lane)].loads)
        keys.append(load.first);
    return keys;
}

QByteArray WaterfallModel::screenshot(int lane) const
{
    if (lane < 0 || lane >= laneCount() || !m_lanes[static_cast<size_t>(lane)].shown)
        return {};
    return m_lanes[static_cast<size_t>(lane)].shown->screenshotPng;
}

void WaterfallModel::clear()
{
    beginResetModel();
    m_flushTimer.stop();
    m_lanes.clear();
    m_maxEndMs = 0;
    endResetModel();
}

void WaterfallModel::setView(int runIndex, RunView view)
{
    const LoadKey key { runIndex, view };
    if (key == m_shown)
        return;
    beginResetModel();
    m_shown = key;
    rebuild();
    endResetModel();
}

void WaterfallModel::setTypeFilter(const QSet<QString> &types)
{
    if (types == m_filter)
        return;
    beginResetModel();
    m_filter = types;
    rebuild();
    endResetModel();
}

bool WaterfallModel::passes(const Entry &entry) const
{
    return m_filter.isEmpty() || m_filter.contains(entry.category) || m_filter.contains(entry.timing.resourceType);
}

void WaterfallModel::rebuild()
{
    m_flushTimer.stop();
    m_maxEndMs = 0;
    for (Lane &lane : m_lanes) {
        lane.pending.clear();
        lane.rows.clear();
        const auto found = lane.loads.find(shownKey(lane));
        lane.shown = found == lane.loads.end() ? nullptr : &found->second;
        if (!lane.shown)
            continue;
        const QList<Entry> &entries = lane.shown->entries;
        for (qsizetype i = 0; i < entries.size(); ++i) {
            if (passes(entries.at(i))) {
                lane.rows.append(i);
                includeInMaxEnd(entries.at(i));
            }
        }
        std::stable_sort(lane.rows.begin(), lane.rows.end(),
            [&](qsizetype a, qsizetype b) { return entries.at(a).timing.startMs < entries.at(b).timing.startMs; });
        if (lane.shown->metrics)
            includeInMaxEnd(*lane.shown->metrics);
    }
}

void WaterfallModel::includeInMaxEnd(const Entry &entry)
{
    m_maxEndMs = std::max({ m_maxEndMs, knownEndMs(entry.timing), entry.abandonedAtMs.value_or(0) });
}

void WaterfallModel::includeInMaxEnd(const PageMetrics &metrics)
{
    for (const auto &marker : { metrics.firstContentfulPaintMs, metrics.largestContentfulPaintMs,
             metrics.domContentLoadedMs, metrics.loadMs })
        m_maxEndMs = std::max(m_maxEndMs, marker.value_or(0));
}

QString WaterfallModel::region(int lane) const
{
    return lane >= 0 && lane < laneCount() ? m_lanes[static_cast<size_t>(lane)].region : QString();
}

int WaterfallModel::laneOf(const QString &region) const
{
    for (int lane = 0; lane < laneCount(); ++lane) {
        if (m_lanes[static_cast<size_t>(lane)].region == region)
            return lane;
    }
    return -1;
}

int WaterfallModel::requestCount(int lane) const
{
    return lane >= 0 && lane < laneCount() ? static_cast<int>(m_lanes[static_cast<size_t>(lane)].rows.size()) : 0;
}

const WaterfallModel::Entry *WaterfallModel::entry(int lane, int row) const
{
    if (lane < 0 || lane >= laneCount())
        return nullptr;
    const Lane &target = m_lanes[static_cast<size_t>(lane)];
    if (row < 0 || row >= target.rows.size())
        return nullptr;
    return &target.shown->entries.at(target.rows.at(row));
}

const RequestTiming *WaterfallModel::request(int lane, int row) const
{
    const Entry *found = entry(lane, row);
    return found ? &found->timing : nullptr;
}

QString WaterfallModel::labelOf(int lane, const Entry &entry) const
{
    const Load *load = m_lanes[static_cast<size_t>(lane)].shown;
    if (entry.host.isEmpty() || !load || load->documentHost.isEmpty() || entry.host == load->documentHost
        || entry.path == entry.host)
        return entry.path;
    return entry.host + entry.path;
}

QString WaterfallModel::label(int lane, int row) const
{
    const Entry *found = entry(lane, row);
    return found ? labelOf(lane, *found) : QString();
}

QString WaterfallModel::durationText(int lane, int row) const
{
    const Entry *found = entry(lane, row);
    return found ? found->duration : QString();
}

void WaterfallModel::setLongTasks(const QString &region, int runIndex, RunView view, const QList<LongTask> &tasks)
{
    const int lane = addLane(region);
    const LoadKey key { runIndex, view };
    loadFor(lane, key).longTasks = tasks;
    if (key != shownKey(m_lanes[static_cast<size_t>(lane)]))
        return;
    // The lane gains (or keeps) its main-thread row: the view lays itself out again.
    const QModelIndex index = laneIndex(lane);
    emit dataChanged(index, index, { PageMetricsRole });
}

QList<LongTask> WaterfallModel::longTasks(int lane) const
{
    if (lane < 0 || lane >= laneCount() || !m_lanes[static_cast<size_t>(lane)].shown)
        return {};
    return m_lanes[static_cast<size_t>(lane)].shown->longTasks;
}

std::optional<PageMetrics> WaterfallModel::pageMetrics(int lane) const
{
    if (lane < 0 || lane >= laneCount() || !m_lanes[static_cast<size_t>(lane)].shown)
        return std::nullopt;
    return m_lanes[static_cast<size_t>(lane)].shown->metrics;
}

qsizetype WaterfallModel::droppedCount(int lane) const
{
    if (lane < 0 || lane >= laneCount() || !m_lanes[static_cast<size_t>(lane)].shown)
        return 0;
    return m_lanes[static_cast<size_t>(lane)].shown->dropped;
}

QModelIndex WaterfallModel::laneIndex(int lane) const
{
    return index(lane, 0);
}

QModelIndex WaterfallModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    if (!parent.isValid())
        return createIndex(row, column, laneId);
    return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex WaterfallModel::parent(const QModelIndex &child) const
{
    if (!child.isValid() || child.internalId() == laneId)
        return {};
    return createIndex(static_cast<int>(child.internalId() - 1), 0, laneId);
}

int WaterfallModel::rowCount(const QModelIndex &parent) const
{
    if (!parent.isValid())
        return laneCount();
    if (parent.internalId() != laneId || parent.column() != 0)
        return 0;
    return requestCount(parent.row());
}

int WaterfallModel::columnCount(const QModelIndex &) const
{
    return 1;
}

QVariant WaterfallModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.model() != this || index.column() != 0)
        return {};
    if (index.internalId() == laneId) {
        const int lane = index.row();
        switch (role) {
        case Qt::DisplayRole:
        case RegionRole:
            return region(lane);
        case LaneRole:
            return lane;
        case PageMetricsRole:
            if (const auto metrics = pageMetrics(lane))
                return QVariant::fromValue(*metrics);
            return {};
        case DroppedCountRole:
            return QVariant::fromValue(droppedCount(lane));
        case ScreenshotRole:
            return screenshot(lane);
        case ShownRunRole:
            return shownRun(lane);
        default:
            return {};
        }
    }
    const int lane = static_cast<int>(index.internalId() - 1);
    const Entry *found = entry(lane, index.row());
    if (!found)
        return {};
    switch (role) {
    case Qt::DisplayRole:
        return labelOf(lane, *found);
    case Qt::ToolTipRole:
        return found->timing.blocked ? QObject::tr("blocked: %1").arg(found->timing.url) : found->timing.url;
    case BlockedRole:
        return found->timing.blocked;
    case RequestTimingRole:
        return QVariant::fromValue(found->timing);
    case LaneRole:
        return lane;
    case RegionRole:
        return region(lane);
    case CategoryRole:
        return found->category;
    case StartMsRole:
        return found->timing.startMs;
    case EndMsRole:
        if (const auto end = found->timing.endMs())
            return *end;
        return {};
    case PendingRole:
        return found->pending;
    default:
        return {};
    }
}

QHash<int, QByteArray> WaterfallModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractItemModel::roleNames();
    names.insert(RequestTimingRole, "requestTiming");
    names.insert(LaneRole, "lane");
    names.insert(RegionRole, "region");
    names.insert(CategoryRole, "category");
    names.insert(StartMsRole, "startMs");
    names.insert(EndMsRole, "endMs");
    names.insert(BlockedRole, "blocked");
    names.insert(PageMetricsRole, "pageMetrics");
    names.insert(DroppedCountRole, "droppedCount");
    names.insert(ScreenshotRole, "screenshot");
    names.insert(ShownRunRole, "shownRun");
    names.insert(PendingRole, "pending");
    return names;
}
