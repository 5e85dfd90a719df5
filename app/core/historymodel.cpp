#include "historymodel.h"

#include "model/displayformat.h"

#include <QLocale>

namespace {

QString formatLoad(const std::optional<RegionLoad> &load)
{
    if (!load)
        return {};
    return load->region % u"  " % DisplayFormat::duration(load->medianLoadMs, QLocale());
}

QVariant loadSortValue(const std::optional<RegionLoad> &load)
{
    // An absent load is an invalid QVariant, which QSortFilterProxyModel puts after every number.
    return load ? QVariant(load->medianLoadMs) : QVariant();
}

} // namespace

HistoryModel::HistoryModel(HistoryStore *store, QObject *parent)
    : QAbstractTableModel(parent)
    , m_store(store)
{ }

int HistoryModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_tests.size());
}

int HistoryModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant HistoryModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const TestSummary &test = m_tests.at(index.row());
    if (role == TestIdRole)
        return test.id;

    switch (index.column()) {
    case DateColumn:
        if (role == Qt::DisplayRole)
            return QLocale().toString(test.startedAt.toLocalTime(), QLocale::ShortFormat);
        if (role == SortRole)
            return test.startedAt;
        if (role == Qt::ToolTipRole)
            return test.startedAt.toString(Qt::ISODate);
        break;
    case UrlColumn:
        if (role == Qt::DisplayRole)
            return test.label.isEmpty() ? test.url : QString(test.label % u" — " % test.url);
        if (role == SortRole)
            return test.url;
        if (role == Qt::ToolTipRole)
            return test.url;
        break;
    case RegionsColumn:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return test.regions.join(u", ");
        if (role == SortRole)
            return static_cast<int>(test.regions.size());
        break;
    case FastestColumn:
    case SlowestColumn: {
        const auto &load = index.column() == FastestColumn ? test.fastest : test.slowest;
        if (role == Qt::DisplayRole)
            return formatLoad(load);
        if (role == SortRole)
            return loadSortValue(load);
        if (role == Qt::TextAlignmentRole)
            return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    }
    default:
        break;
    }
    return {};
}

QVariant HistoryModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole || section < 0 || section >= ColumnCount)
        return {};
    switch (static_cast<Column>(section)) {
    case DateColumn:
        return tr("Date");
    case UrlColumn:
        return tr("URL");
    case RegionsColumn:
        return tr("Regions");
    case FastestColumn:
        return tr("Fastest");
    case SlowestColumn:
        return tr("Slowest");
    case ColumnCount:
        break;
    }
    return {};
}

void HistoryModel::refresh()
{
    beginResetModel();
    m_tests = m_store ? m_store->list() : QList<TestSummary> {};
    endResetModel();
}

std::optional<qint64> HistoryModel::testId(int row) const
{
    if (const TestSummary *test = summary(row))
        return test->id;
    return std::nullopt;
}

const TestSummary *HistoryModel::summary(int row) const
{
    if (!hasIndex(row, 0))
        return nullptr;
    return &m_tests.at(row);
}
