#include "historymodel.h"

#include "model/deviceprofile.h"
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
    case ProfileColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return test.options ? test.options->profile : tr("unknown");
        break;
    case DeviceColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return test.options ? device(*test.options) : tr("unknown");
        if (role == Qt::ToolTipRole && test.options)
            return test.options->describeDevice();
        break;
    case RunsColumn:
        if (role == Qt::DisplayRole)
            return test.options && test.options->repeatView ? tr("%1 + repeat").arg(test.runsPerRegion)
                                                            : QString::number(test.runsPerRegion);
        if (role == SortRole)
            return test.runsPerRegion;
        if (role == Qt::ToolTipRole)
            return test.options && test.options->repeatView
                ? tr("%n run(s) per region, each with a repeat view", nullptr, test.runsPerRegion)
                : tr("%n run(s) per region", nullptr, test.runsPerRegion);
        if (role == Qt::TextAlignmentRole)
            return static_cast<int>(Qt::AlignRight | Qt::AlignVCenter);
        break;
    case RegionsColumn:
        if (role == Qt::DisplayRole || role == Qt::ToolTipRole)
            return test.regions.join(u", ");
        if (role == SortRole)
            return static_cast<int>(test.regions.size());
        break;
    case OutcomeColumn:
        if (role == Qt::DisplayRole || role == SortRole)
            return outcome(test);
        break;
    case FastestColumn:
    case SlowestColumn: {
        const auto &load = index.column() == FastestColumn ? test.fastest : test.slowest;
        // No region measured a load: a dash, not a blank that reads as "not loaded yet"; the outcome says why.
        if (role == Qt::DisplayRole)
            return load ? formatLoad(load) : QStringLiteral("–");
        if (role == Qt::ToolTipRole && !load)
            return tr("No region measured a load time: %1").arg(outcome(test));
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
    case ProfileColumn:
        return tr("Profile");
    case DeviceColumn:
        return tr("Device");
    case RunsColumn:
        return tr("Runs");
    case RegionsColumn:
        return tr("Regions");
    case OutcomeColumn:
        return tr("Outcome");
    case FastestColumn:
        return tr("Fastest");
    case SlowestColumn:
        return tr("Slowest");
    case ColumnCount:
        break;
    }
    return {};
}

QString HistoryModel::outcome(const TestSummary &test)
{
    const int regions = static_cast<int>(test.regions.size());
    const int ended = test.regionsMeasured + test.regionsCancelled + test.regionsFailed;
    if (regions > 0 && test.regionsMeasured == regions)
        return tr("Complete");
    if (test.regionsMeasured == 0 && test.regionsCancelled > 0)
        return tr("Cancelled");
    if (test.regionsMeasured == 0 && test.regionsFailed > 0)
        return tr("Failed");
    if (test.regionsMeasured > 0 && test.regionsFailed > 0)
        return tr("%1 of %2 failed").arg(test.regionsFailed).arg(regions);
    if (test.regionsMeasured > 0 && test.regionsCancelled > 0)
        return tr("%1 of %2 cancelled").arg(test.regionsCancelled).arg(regions);
    // Regions that never ended: the app stopped during the test (or it is still running).
    return ended < regions && !test.finishedAt.isValid() ? tr("Not finished") : tr("No result");
}

QString HistoryModel::device(const LoadOptions &options)
{
    const DeviceProfile profile = DeviceProfile::parse(options.device, nullptr).value_or(DeviceProfile::desktop());
    const int cpu = options.effectiveCpuSlowdown();
    // Relative to the reference machine, even 1× slows the faster probes down: it is named then too.
    if (options.cpuSlowdownRelative)
        return tr("%1, CPU %2× of the reference").arg(profile.name).arg(cpu);
    return cpu == 1 ? profile.name : tr("%1, CPU %2×").arg(profile.name).arg(cpu);
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
