#include "waterfallmodel.h"

#include "regionsummary.h"
#include "testrecord.h"

#include <QElapsedTimer>

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

int WaterfallModel::addLane(const QString &region)
{
    if (const int lane = laneOf(region); lane >= 0)
        return lane;
    const int lane = laneCount();
    beginInsertRows({}, lane, lane);
    m_lanes.emplace_back(region);
    endInsertRows();
    return lane;
}

void WaterfallModel::updateSteps(const TestRecord &test, const QString &region)
{
    const int own = laneOf(region);
    const RegionRecord record = test.region(region);
    const qsizetype steps = RegionSummary::stepCountOf(record);
    int have = 0;
    while (own >= 0 && own + have + 1 < laneCount() && laneAt(own + have + 1).region() == region)
        ++have;
    if (own < 0 || (have == 0 && steps < 2))
        return;
    if (have > 0) {
        beginRemoveRows({}, own + 1, own + have);
        m_lanes.erase(m_lanes.begin() + own + 1, m_lanes.begin() + own + 1 + have);
        endRemoveRows();
    }
    const WaterfallLane first = WaterfallLane::of(test, region, 0);
    laneAt(own).setSteps(first.stepCount(), first.stepLabel());
    emit dataChanged(laneIndex(own), laneIndex(own));
    if (steps < 2)
        return;
    beginInsertRows({}, own + 1, own + static_cast<int>(steps) - 1);
    for (qsizetype step = 1; step < steps; ++step) {
        showLane(*m_lanes.insert(m_lanes.begin() + own + step, WaterfallLane::of(test, region, step)));
    }
    endInsertRows();
}

WaterfallModel::Load &WaterfallModel::loadFor(int lane, const LoadKey &key)
{
    Lane &target = laneAt(lane);
    return target.load(key, shows(target, key));
}

void WaterfallModel::setTest(const TestRecord &test)
{
    beginResetModel();
    m_lanes.clear();
    // A script's later steps are lanes of their own right under their region's, each a block with its step's
    // requests, as WebPageTest shows a waterfall per step; laneOf() finds the region's own lane (step 1) first.
    for (const QString &code : test.regions) {
        const qsizetype steps = RegionSummary::stepCountOf(test.region(code));
        for (qsizetype step = 0; step < steps; ++step)
            m_lanes.push_back(WaterfallLane::of(test, code, step));
    }
    rebuild();
    endResetModel();
}

void WaterfallModel::addRequest(const QString &region, int runIndex, RunView view, const RequestTiming &request)
{
    const int lane = addLane(region);
    const LoadKey key { runIndex, view };
    Load &load = loadFor(lane, key);
    const bool shown = shows(laneAt(lane), key);
    load.noteClock(m_clock(), knownEndMs(request)); // every frame tells where the load was at least
    if (const auto found = load.pendingIds.constFind(request.id); found != load.pendingIds.cend()) {
        const qsizetype entryIndex = *found;
        load.pendingIds.erase(found);
        replacePending(lane, load, entryIndex, request, shown);
        return;
    }
    if (!load.store(request)) {
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
    laneAt(lane).queue(load.entries.size() - 1);
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void WaterfallModel::addStarted(const QString &region, int runIndex, RunView view, const QList<RequestTiming> &requests)
{
    const int lane = addLane(region);
    const LoadKey key { runIndex, view };
    Load &load = loadFor(lane, key);
    const bool shown = shows(laneAt(lane), key);
    for (const RequestTiming &request : requests) {
        load.noteClock(m_clock(), request.startMs);
        if (load.storeStarted(request))
            queueLast(lane, load, shown);
    }
}

void WaterfallModel::replacePending(
    int lane, Load &load, qsizetype entryIndex, const RequestTiming &request, bool shown)
{
    // The row stays where it is: the final frame's start is the same moment as the pending one's.
    const int row = shown ? laneAt(lane).rowOfEntry(entryIndex) : -1;
    load.replace(entryIndex, request);
    if (row < 0)
        return; // not inserted yet (it will be as it is now), or not shown
    includeInMaxEnd(load.entries.at(entryIndex));
    const QModelIndex changed = index(row, 0, laneIndex(lane));
    emit dataChanged(changed, changed);
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
    Lane &target = laneAt(lane);
    bool shownChanged = false;
    for (auto &[key, load] : target.loads()) {
        if ((runIndex && key.first != *runIndex) || load.pendingIds.isEmpty())
            continue;
        const bool shown = &load == target.shown();
        for (const qsizetype entryIndex : load.abandonPending(m_clock)) {
            if (shown)
                includeInMaxEnd(load.entries.at(entryIndex));
        }
        shownChanged = shownChanged || shown;
    }
    if (shownChanged && !target.rows().isEmpty()) {
        const QModelIndex parent = laneIndex(lane);
        emit dataChanged(index(0, 0, parent), index(int(target.rows().size()) - 1, 0, parent));
    }
}

std::optional<double> WaterfallModel::liveNowMs(int lane) const
{
    if (lane < 0 || lane >= laneCount())
        return std::nullopt;
    const Load *shown = laneAt(lane).shown();
    if (!shown || !shown->originMs)
        return std::nullopt;
    return m_clock() - *shown->originMs;
}

bool WaterfallModel::hasPendingRows() const
{
    return std::any_of(m_lanes.cbegin(), m_lanes.cend(),
        [](const Lane &lane) { return lane.shown() && !lane.shown()->pendingIds.isEmpty() && !lane.rows().isEmpty(); });
}

double WaterfallModel::liveEndMs() const
{
    double end = m_maxEndMs;
    for (int lane = 0; lane < laneCount(); ++lane) {
        const Load *shown = laneAt(lane).shown();
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
        Lane &target = laneAt(lane);
        if (!target.hasQueued())
            continue;
        const QList<Entry> &entries = target.shown()->entries;
        const QList<qsizetype> pending = target.takeQueued();
        const QModelIndex parent = laneIndex(lane);
        // Each group of consecutive pending requests that lands between the same two rows is one insertion; in
        // the common case (everything started after the last row) the whole batch is one.
        qsizetype first = 0;
        while (first < pending.size()) {
            const qsizetype position = target.insertionPosition(pending.at(first));
            qsizetype last = first + 1;
            while (last < pending.size() && target.insertionPosition(pending.at(last)) == position)
                ++last;
            beginInsertRows(parent, static_cast<int>(position), static_cast<int>(position + last - first - 1));
            target.insertRows(position, pending.mid(first, last - first));
            for (qsizetype i = first; i < last; ++i)
                includeInMaxEnd(entries.at(pending.at(i)));
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
    if (!shows(laneAt(lane), key))
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
    if (!shows(laneAt(lane), key))
        return;
    const QModelIndex index = laneIndex(lane);
    emit dataChanged(index, index, { ScreenshotRole });
}

void WaterfallModel::setRepresentativeRun(const QString &region, std::optional<int> runIndex)
{
    const int lane = addLane(region);
    Lane &target = laneAt(lane);
    const int representative = runIndex.value_or(0);
    if (representative == target.representativeRun())
        return;
    if (m_shown.first != RepresentativeRun) {
        target.setRepresentativeRun(representative);
        return;
    }
    // The lane now shows another run: its rows are another load's.
    beginResetModel();
    target.setRepresentativeRun(representative);
    rebuild();
    endResetModel();
}

int WaterfallModel::shownRun(int lane) const
{
    if (lane < 0 || lane >= laneCount())
        return -1;
    return laneAt(lane).shownKey(m_shown).first;
}

QList<std::pair<int, RunView>> WaterfallModel::loadsOf(int lane) const
{
    QList<std::pair<int, RunView>> keys;
    if (lane < 0 || lane >= laneCount())
        return keys;
    for (const auto &load : laneAt(lane).loads())
        keys.append(load.first);
    return keys;
}

QByteArray WaterfallModel::screenshot(int lane) const
{
    if (lane < 0 || lane >= laneCount() || !laneAt(lane).shown())
        return {};
    return laneAt(lane).shown()->screenshotPng;
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
    for (Lane &lane : m_lanes)
        showLane(lane);
}

void WaterfallModel::showLane(Lane &lane)
{
    lane.show(m_shown, [this](const Entry &entry) { return passes(entry); });
    const Load *shown = lane.shown();
    if (!shown)
        return;
    for (const qsizetype row : lane.rows())
        includeInMaxEnd(shown->entries.at(row));
    if (shown->metrics)
        includeInMaxEnd(*shown->metrics);
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
    return lane >= 0 && lane < laneCount() ? laneAt(lane).region() : QString();
}

int WaterfallModel::laneOf(const QString &region, qsizetype step) const
{
    const int own = laneOf(region);
    const int lane = own < 0 ? -1 : own + static_cast<int>(step);
    return lane >= 0 && lane < laneCount() && laneAt(lane).region() == region && laneAt(lane).step() == step ? lane
                                                                                                             : -1;
}

QString WaterfallModel::laneTitle(int lane) const
{
    if (lane < 0 || lane >= laneCount())
        return {};
    const Lane &shown = laneAt(lane);
    if (shown.stepCount() < 2)
        return shown.region();
    return tr("%1 · Step %2: %3").arg(shown.region()).arg(shown.step() + 1).arg(shown.stepLabel());
}

qsizetype WaterfallModel::step(int lane) const
{
    return lane >= 0 && lane < laneCount() ? laneAt(lane).step() : 0;
}

int WaterfallModel::laneOf(const QString &region) const
{
    for (int lane = 0; lane < laneCount(); ++lane) {
        if (laneAt(lane).region() == region)
            return lane;
    }
    return -1;
}

int WaterfallModel::requestCount(int lane) const
{
    return lane >= 0 && lane < laneCount() ? static_cast<int>(laneAt(lane).rows().size()) : 0;
}

const WaterfallModel::Entry *WaterfallModel::entry(int lane, int row) const
{
    return lane >= 0 && lane < laneCount() ? laneAt(lane).entry(row) : nullptr;
}

const RequestTiming *WaterfallModel::request(int lane, int row) const
{
    const Entry *found = entry(lane, row);
    return found ? &found->timing : nullptr;
}

QString WaterfallModel::label(int lane, int row) const
{
    const Entry *found = entry(lane, row);
    return found ? laneAt(lane).labelOf(*found) : QString();
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
    if (!shows(laneAt(lane), key))
        return;
    // The lane gains (or keeps) its main-thread row: the view lays itself out again.
    const QModelIndex index = laneIndex(lane);
    emit dataChanged(index, index, { PageMetricsRole });
}

QList<LongTask> WaterfallModel::longTasks(int lane) const
{
    if (lane < 0 || lane >= laneCount() || !laneAt(lane).shown())
        return {};
    return laneAt(lane).shown()->longTasks;
}

std::optional<PageMetrics> WaterfallModel::pageMetrics(int lane) const
{
    if (lane < 0 || lane >= laneCount() || !laneAt(lane).shown())
        return std::nullopt;
    return laneAt(lane).shown()->metrics;
}

qsizetype WaterfallModel::droppedCount(int lane) const
{
    if (lane < 0 || lane >= laneCount() || !laneAt(lane).shown())
        return 0;
    return laneAt(lane).shown()->dropped;
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
        return laneAt(lane).labelOf(*found);
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
