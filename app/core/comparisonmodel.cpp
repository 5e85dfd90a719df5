#include "comparisonmodel.h"

#include <QColor>

namespace {

std::optional<double> metricOf(const PageMetrics &m, ComparisonModel::Metric metric)
{
    switch (metric) {
    case ComparisonModel::Metric::Ttfb:
        return m.ttfbMs;
    case ComparisonModel::Metric::Fcp:
        return m.firstContentfulPaintMs;
    case ComparisonModel::Metric::Lcp:
        return m.largestContentfulPaintMs;
    case ComparisonModel::Metric::Dcl:
        return m.domContentLoadedMs;
    case ComparisonModel::Metric::Load:
        return m.loadMs;
    case ComparisonModel::Metric::FullyLoaded:
        return m.fullyLoadedMs;
    }
    return std::nullopt;
}

} // namespace

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
    return m ? metricOf(*m, metric) : std::nullopt;
}

std::optional<double> ComparisonModel::difference(const QString &region, Metric metric) const
{
    const auto a = value(region, metric, false);
    const auto b = value(region, metric, true);
    if (!a || !b)
        return std::nullopt;
    return *b - *a;
}

QString ComparisonModel::metricName(Metric metric)
{
    switch (metric) {
    case Metric::Ttfb:
        return tr("TTFB");
    case Metric::Fcp:
        return tr("FCP");
    case Metric::Lcp:
        return tr("LCP");
    case Metric::Dcl:
        return tr("DCL");
    case Metric::Load:
        return tr("Load");
    case Metric::FullyLoaded:
        return tr("Fully loaded");
    }
    return {};
}

int ComparisonModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_regions.size());
}

int ComparisonModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : 1 + metricCount * columnsPerMetric;
}

QVariant ComparisonModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const QString region = m_regions.at(index.row());
    if (index.column() == 0)
        return role == Qt::DisplayRole ? QVariant(region) : QVariant();
    const auto metric = static_cast<Metric>((index.column() - 1) / columnsPerMetric);
    const int part = (index.column() - 1) % columnsPerMetric;
    const std::optional<double> number = part == 2 ? difference(region, metric) : value(region, metric, part == 1);
    switch (role) {
    case Qt::DisplayRole:
        if (!number)
            return QString();
        return part == 2
            ? QStringLiteral("%1%2 ms").arg(*number > 0 ? QStringLiteral("+") : QString()).arg(*number, 0, 'f', 0)
            : QStringLiteral("%1 ms").arg(*number, 0, 'f', 0);
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
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= columnCount())
        return {};
    if (section == 0)
        return tr("Region");
    const auto metric = static_cast<Metric>((section - 1) / columnsPerMetric);
    const int part = (section - 1) % columnsPerMetric;
    const QString which = part == 0 ? tr("A") : part == 1 ? tr("B") : tr("B − A");
    return QStringLiteral("%1 %2").arg(metricName(metric), which);
}
