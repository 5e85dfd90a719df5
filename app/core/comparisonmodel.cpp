#include "comparisonmodel.h"

#include "model/displayformat.h"

#include <QColor>

#include <algorithm>

ComparisonModel::ComparisonModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

void ComparisonModel::setTests(const TestRecord &a, const TestRecord &b)
{
    beginResetModel();
    m_a = a;
    m_b = b;
    m_regions = a.regions;
    for (const QString &region : b.regions) {
        if (!m_regions.contains(region))
            m_regions.append(region);
    }
    m_metrics.clear();
    for (const Metric metric : PageMetric::durations()) {
        const bool measured = std::any_of(m_regions.cbegin(), m_regions.cend(),
            [&](const QString &region) { return value(region, metric, false) || value(region, metric, true); });
        if (measured)
            m_metrics.append(metric);
    }
    endResetModel();
}

std::optional<PageMetrics> ComparisonModel::median(const TestRecord &test, const QString &region) const
{
    if (!test.regions.contains(region))
        return std::nullopt;
    return test.medianMetrics(region);
}

std::optional<double> ComparisonModel::value(const QString &region, Metric metric, bool second) const
{
    const auto m = median(second ? m_b : m_a, region);
    return m ? PageMetric::get(metric).value(*m) : std::nullopt;
}

std::optional<double> ComparisonModel::difference(const QString &region, Metric metric) const
{
    const auto a = value(region, metric, false);
    const auto b = value(region, metric, true);
    if (!a || !b)
        return std::nullopt;
    return *b - *a;
}

QString ComparisonModel::regionAt(int row) const
{
    return m_regions.at(row / m_metrics.size());
}

ComparisonModel::Metric ComparisonModel::metricAt(int row) const
{
    return m_metrics.at(row % m_metrics.size());
}

int ComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_regions.size() * m_metrics.size());
}

int ComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const QString region = regionAt(index.row());
    const Metric metric = metricAt(index.row());
    if (index.column() == RegionColumn) {
        // Named on its first row only, so each region reads as a block; the rest carry it for sorting and copying.
        const bool first = index.row() % m_metrics.size() == 0;
        if (role == Qt::DisplayRole)
            return first ? region : QString();
        return role == Qt::UserRole || role == Qt::ToolTipRole ? QVariant(region) : QVariant();
    }
    if (index.column() == MetricColumn) {
        if (role == Qt::DisplayRole)
            return PageMetric::get(metric).label();
        return role == Qt::ToolTipRole ? QVariant(PageMetric::get(metric).description()) : QVariant();
    }
    const bool isDifference = index.column() == DifferenceColumn;
    const std::optional<double> number
        = isDifference ? difference(region, metric) : value(region, metric, index.column() == BColumn);
    switch (role) {
    case Qt::DisplayRole:
        if (!number)
            return QString();
        return isDifference ? DisplayFormat::durationDelta(*number, QLocale())
                            : DisplayFormat::duration(number, QLocale());
    case Qt::UserRole:
        return number ? QVariant(*number) : QVariant();
    case Qt::TextAlignmentRole:
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        // Slower in B is the news worth colour; faster is good news in green.
        if (isDifference && number && std::abs(*number) >= 1)
            return *number > 0 ? QColor(0xc0, 0x39, 0x2b) : QColor(0x1e, 0x84, 0x49);
        return {};
    default:
        return {};
    }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= columnCount())
        return {};
    if (role == Qt::TextAlignmentRole && section >= AColumn)
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    if (role == Qt::ToolTipRole && section >= AColumn)
        return section == DifferenceColumn
            ? tr("B's median minus A's: negative is faster in B")
            : tr("The median of the region's runs in test %1").arg(section == AColumn ? tr("A") : tr("B"));
    if (role != Qt::DisplayRole)
        return {};
    switch (section) {
    case RegionColumn:
        return tr("Region");
    case MetricColumn:
        return tr("Metric");
    case AColumn:
        return tr("A");
    case BColumn:
        return tr("B");
    default:
        return tr("B − A");
    }
}
