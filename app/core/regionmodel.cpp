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
    for (const RegionCatalog::Region &region : regions) {
        Row row { region, {} };
        row.summary.code = region.code;
        m_rows.append(row);
    }
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

void RegionModel::setTest(const TestRecord &test)
{
    for (Row &row : m_rows)
        row.summary = RegionSummary::of(test, row.region.code);
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
}

void RegionModel::updateRegion(const TestRecord &test, const QString &code)
{
    const int i = rowOf(code);
    if (i < 0)
        return;
    m_rows[i].summary = RegionSummary::of(test, code);
    changed(i);
}

void RegionModel::changed(int row)
{
    emit dataChanged(index(row, 0), index(row, ColumnCount - 1));
}

RegionSummary RegionModel::summary(const QString &code) const
{
    const int i = rowOf(code);
    return i < 0 ? RegionSummary {} : m_rows.at(i).summary;
}

RegionModel::Phase RegionModel::phase(const QString &code) const
{
    return summary(code).phase;
}

PageMetrics RegionModel::median(const QString &code) const
{
    return summary(code).median.value_or(PageMetrics {});
}

QString RegionModel::stateText(const QString &code) const
{
    const int i = rowOf(code);
    return i < 0 ? QString() : m_rows.at(i).summary.stateText();
}

QString RegionModel::name(const Row &row) const
{
    return row.region.city.isEmpty() ? row.region.code
                                     : QStringLiteral("%1 (%2)").arg(row.region.city, row.region.code);
}

QString RegionModel::summaryText(const Row &row) const
{
    const PageMetrics m = row.summary.median.value_or(PageMetrics {});
    const auto shown = [](std::optional<double> ms) {
        const QString text = formatMs(ms);
        return text.isEmpty() ? QStringLiteral("—") : text;
    };
    return QStringLiteral("<b>%1</b><br>%2<br>TTFB %3 · FCP %4 · LCP %5<br>Load %6 · %7 requests")
        .arg(name(row).toHtmlEscaped(), row.summary.stateText().toHtmlEscaped(), shown(m.ttfbMs),
            shown(m.firstContentfulPaintMs), shown(m.largestContentfulPaintMs), shown(m.loadMs))
        .arg(m.requestCount);
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
        return static_cast<int>(row.summary.phase);
    if (role == PlaceRole)
        return QVariant::fromValue(row.region);
    if (role == SummaryRole)
        return summaryText(row);
    const PageMetrics m = row.summary.median.value_or(PageMetrics {});
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
    const bool hasNumbers = row.summary.median.has_value();
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case RegionColumn:
            return name(row);
        case StateColumn:
            return row.summary.stateText();
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
            return static_cast<int>(row.summary.phase);
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
        if (index.column() == StateColumn && row.summary.phase == Phase::Failed && !row.summary.failure.isEmpty())
            return row.summary.failure;
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
