#include "regionmodel.h"

#include "model/datasize.h"

#include <QLocale>

namespace {

QString formatMs(std::optional<double> ms)
{
    if (!ms)
        return {};
    if (*ms >= 10'000)
        return QStringLiteral("%1 s").arg(*ms / 1000.0, 0, 'f', 1);
    return QStringLiteral("%1 ms").arg(*ms, 0, 'f', 0);
}

} // namespace

RegionModel::RegionModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void RegionModel::setRegions(const QList<RegionCatalog::Region> &regions)
{
    beginResetModel();
    m_rows.clear();
    for (const RegionCatalog::Region &region : regions)
        m_rows.append(Row { region, Phase::Idle, {}, {}, 0, 0, std::nullopt });
    endResetModel();
}

QStringList RegionModel::regionCodes() const
{
    QStringList codes;
    for (const Row &row : m_rows)
        codes.append(row.region.code);
    return codes;
}

int RegionModel::rowOf(const QString &code) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).region.code == code)
            return i;
    }
    return -1;
}

RegionCatalog::Region RegionModel::region(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).region : RegionCatalog::Region {};
}

void RegionModel::beginTest(int runsPerRegion)
{
    m_runsPerRegion = std::max(1, runsPerRegion);
    for (Row &row : m_rows) {
        row.phase = Phase::Queued;
        row.detail.clear();
        row.firstViews.clear();
        row.runsDone = 0;
        row.okRuns = 0;
        row.lastError.reset();
    }
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void RegionModel::changed(int row)
{
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

void RegionModel::setStatus(const QString &code, RunState state, const QString &detail, bool probeStarting)
{
    const int i = rowOf(code);
    if (i < 0)
        return;
    Row &row = m_rows[i];
    switch (state) {
    case RunState::Queued:
        // Waiting for a probe to boot is the cold start the map shows; waiting for a busy one is a queue.
        row.phase = probeStarting ? Phase::Booting : Phase::Queued;
        break;
    case RunState::StartingBrowser:
        row.phase = Phase::StartingBrowser;
        break;
    case RunState::Loading:
        row.phase = Phase::Loading;
        break;
    case RunState::Complete:
    case RunState::Error:
        return; // a run's end is decided by its done, and a region's by its last run
    }
    row.detail = detail;
    changed(i);
}

void RegionModel::addMetrics(const QString &code, int runIndex, RunView view, const PageMetrics &metrics)
{
    const int i = rowOf(code);
    if (i < 0 || view != RunView::First)
        return;
    m_rows[i].firstViews.insert(runIndex, metrics);
    changed(i);
}

void RegionModel::finishRun(const QString &code, int runIndex, const DoneMessage &done)
{
    const int i = rowOf(code);
    if (i < 0)
        return;
    Row &row = m_rows[i];
    ++row.runsDone;
    if (done.ok) {
        ++row.okRuns;
    } else {
        row.lastError = done.error;
        // A page that answered 4xx/5xx still loaded and has its numbers; any other failure has none worth a median.
        if (!done.error || done.error->kind != LoadError::Kind::HttpError)
            row.firstViews.remove(runIndex);
    }
    if (row.runsDone >= m_runsPerRegion)
        row.phase = row.okRuns > 0 ? Phase::Complete : Phase::Failed;
    else
        row.phase = Phase::Queued;
    changed(i);
}

RegionModel::Phase RegionModel::phase(const QString &code) const
{
    const int i = rowOf(code);
    return i < 0 ? Phase::Idle : m_rows.at(i).phase;
}

PageMetrics RegionModel::median(const QString &code) const
{
    const int i = rowOf(code);
    if (i < 0)
        return {};
    return PageMetrics::median(m_rows.at(i).firstViews.values());
}

int RegionModel::runsDone(const QString &code) const
{
    const int i = rowOf(code);
    return i < 0 ? 0 : m_rows.at(i).runsDone;
}

int RegionModel::regionsFinished() const
{
    return static_cast<int>(std::count_if(
        m_rows.begin(), m_rows.end(), [this](const Row &row) { return row.runsDone >= m_runsPerRegion; }));
}

QString RegionModel::stateText(const QString &code) const
{
    const int i = rowOf(code);
    if (i < 0)
        return {};
    const Row &row = m_rows.at(i);
    const QString progress = m_runsPerRegion > 1
        ? QStringLiteral(" (run %1 of %2)").arg(std::min(row.runsDone + 1, m_runsPerRegion)).arg(m_runsPerRegion)
        : QString();
    switch (row.phase) {
    case Phase::Idle:
        return tr("Idle");
    case Phase::Queued:
        return tr("Waiting for a probe") + progress;
    case Phase::Booting:
        return tr("Starting a probe") + progress;
    case Phase::StartingBrowser:
        return tr("Starting browser") + progress;
    case Phase::Loading:
        return tr("Loading page") + progress;
    case Phase::Complete: {
        const PageMetrics m = median(code);
        return m.documentStatus ? tr("%1 Complete").arg(*m.documentStatus) : tr("Complete");
    }
    case Phase::Failed:
        return tr("Failed: %1").arg(row.lastError ? row.lastError->message : row.detail);
    }
    return {};
}

int RegionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RegionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RegionModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const Row &row = m_rows.at(index.row());
    if (role == RegionCodeRole)
        return row.region.code;
    if (role == PhaseRole)
        return static_cast<int>(row.phase);
    const PageMetrics m = PageMetrics::median(row.firstViews.values());
    if (role == LoadMsRole)
        return m.loadMs ? QVariant(*m.loadMs) : QVariant();
    const auto metric = [&]() -> std::optional<double> {
        switch (index.column()) {
        case TtfbColumn:
            return m.ttfbMs;
        case FcpColumn:
            return m.firstContentfulPaintMs;
        case LcpColumn:
            return m.largestContentfulPaintMs;
        case DclColumn:
            return m.domContentLoadedMs;
        case LoadColumn:
            return m.loadMs;
        case FullyLoadedColumn:
            return m.fullyLoadedMs;
        default:
            return std::nullopt;
        }
    };
    const bool hasNumbers = !row.firstViews.isEmpty();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case RegionColumn:
            return row.region.city.isEmpty() ? row.region.code
                                             : QStringLiteral("%1 (%2)").arg(row.region.city, row.region.code);
        case StateColumn:
            return stateText(row.region.code);
        case RequestsColumn:
            return hasNumbers ? QVariant(m.requestCount) : QVariant();
        case BytesColumn:
            return hasNumbers ? QVariant(DataSize::text(m.totalEncodedBytes, QLocale())) : QVariant();
        default:
            return formatMs(metric());
        }
    case SortRole:
        switch (index.column()) {
        case RegionColumn:
            return row.region.city;
        case StateColumn:
            return static_cast<int>(row.phase);
        case RequestsColumn:
            return hasNumbers ? QVariant(m.requestCount) : QVariant();
        case BytesColumn:
            return hasNumbers ? QVariant(static_cast<double>(m.totalEncodedBytes)) : QVariant();
        default:
            if (auto value = metric())
                return *value;
            return {};
        }
    case Qt::TextAlignmentRole:
        return index.column() >= TtfbColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                            : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (index.column() == StateColumn && row.phase == Phase::Failed && row.lastError)
            return row.lastError->message;
        return {};
    default:
        return {};
    }
}

QVariant RegionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal)
        return {};
    if (role == Qt::ToolTipRole)
        return headerToolTip(section);
    if (role != Qt::DisplayRole)
        return {};
    // Short titles, so that every column fits beside the map; each one's tool tip says what it measures.
    switch (section) {
    case RegionColumn:
        return tr("Region");
    case StateColumn:
        return tr("State");
    case TtfbColumn:
        return tr("TTFB");
    case FcpColumn:
        return tr("FCP");
    case LcpColumn:
        return tr("LCP");
    case DclColumn:
        return tr("DCL");
    case LoadColumn:
        return tr("Load");
    case FullyLoadedColumn:
        return tr("Fully");
    case RequestsColumn:
        return tr("Reqs");
    case BytesColumn:
        return tr("Bytes");
    default:
        return {};
    }
}

QString RegionModel::headerToolTip(int section)
{
    switch (section) {
    case RegionColumn:
        return tr("Where the page was loaded");
    case StateColumn:
        return tr("The document's HTTP status and where the region's runs are");
    case TtfbColumn:
        return tr("Time to first byte: navigation start to the document's first response byte");
    case FcpColumn:
        return tr("First contentful paint: the first text or image on screen");
    case LcpColumn:
        return tr("Largest contentful paint: the largest text or image on screen");
    case DclColumn:
        return tr("DOMContentLoaded: the document parsed, its deferred scripts run");
    case LoadColumn:
        return tr("Load: the load event's end (loadEventEnd − navigationStart)");
    case FullyLoadedColumn:
        return tr("Fully loaded: until the network has been quiet for 2 s");
    case RequestsColumn:
        return tr("Requests the page made");
    case BytesColumn:
        return tr("Bytes received: response headers and bodies as sent on the wire (compressed)");
    default:
        return {};
    }
}
