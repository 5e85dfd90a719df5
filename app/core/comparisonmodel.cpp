#include "comparisonmodel.h"

#include "model/displayformat.h"

#include <QColor>

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

QList<ComparisonModel::Metric> ComparisonModel::metrics()
{
    return PageMetric::durations();
}

ComparisonModel::Metric ComparisonModel::metricAt(int column)
{
    return metrics().at((column - 1) / columnsPerMetric);
}

int ComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_regions.size());
}

int ComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(1 + metrics().size() * columnsPerMetric);
}

QVariant ComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const QString region = m_regions.at(index.row());
    if (index.column() == 0)
        return role == Qt::DisplayRole ? QVariant(region) : QVariant();
    const Metric metric = metricAt(index.column());
    const int part = (index.column() - 1) % columnsPerMetric;
    const std::optional<double> number = part == 2 ? difference(region, metric) : value(region, metric, part == 1);
    switch (role) {
    case Qt::DisplayRole:
        if (!number)
            return QString();
        return part == 2 ? DisplayFormat::durationDelta(*number, QLocale())
                         : DisplayFormat::duration(number, QLocale());
    case Qt::UserRole:
        return number ? QVariant(*number) : QVariant();
    case Qt::TextAlignmentRole:
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ForegroundRole:
        // Slower in B is the news worth colour; faster is good news in green.
        if (part == 2 && number && std::abs(*number) >= 1)
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
    if (role == Qt::ToolTipRole && section > 0)
        return PageMetric::get(metricAt(section)).description();
    if (role != Qt::DisplayRole)
        return {};
    if (section == 0)
        return tr("Region");
    const Metric metric = metricAt(section);
    const int part = (section - 1) % columnsPerMetric;
    const QString which = part == 0 ? tr("A") : part == 1 ? tr("B") : tr("B − A");
    return QStringLiteral("%1 %2").arg(PageMetric::get(metric).label(), which);
}
