#include "regionmodel.h"

#include "model/displayformat.h"
#include "testrecord.h"

#include <QLocale>

RegionModel::RegionModel(QObject *parent)
    : QAbstractTableModel(parent)
{ }

int RegionModel::columnOf(PageMetric::Id metric)
{
    // The metric table is in Id order.
    return FirstMetricColumn + static_cast<int>(metric);
}

std::optional<PageMetric::Id> RegionModel::metricAt(int column)
{
    const int index = column - FirstMetricColumn;
    if (index < 0 || index >= PageMetric::all().size())
        return std::nullopt;
    return PageMetric::all().at(index).id;
}

int RegionModel::columnTotal()
{
    return FirstMetricColumn + static_cast<int>(PageMetric::all().size());
}

void RegionModel::setRegions(const QList<RegionCatalog::Region> &regions)
{
    beginResetModel();
    m_rows.clear();
    for (const RegionCatalog::Region &region : regions) {
        Row row { region, {}, {}, 0, 1, {}, std::nullopt };
        row.summary.code = region.code;
        m_rows.append(row);
    }
    endResetModel();
}

QStringList RegionModel::regionCodes() const
{
    QStringList codes;
    for (const Row &row : m_rows) {
        if (row.step == 0)
            codes.append(row.region.code);
    }
    return codes;
}

int RegionModel::rowOf(const QString &code) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).step == 0 && m_rows.at(i).region.code == code)
            return i;
    }
    return -1;
}

int RegionModel::regionRowOf(int row) const
{
    while (row > 0 && m_rows.at(row).step > 0)
        --row;
    return row;
}

int RegionModel::syncSteps(int regionRow, const TestRecord &test)
{
    const RegionRecord record = test.region(m_rows.at(regionRow).region.code);
    const qsizetype steps = RegionSummary::stepCountOf(record);
    int have = 0;
    while (regionRow + have + 1 < m_rows.size() && m_rows.at(regionRow + have + 1).step > 0)
        ++have;
    const int want = static_cast<int>(steps) - 1;
    if (have > want) {
        beginRemoveRows({}, regionRow + want + 1, regionRow + have);
        m_rows.remove(regionRow + want + 1, have - want);
        endRemoveRows();
    } else if (have < want) {
        beginInsertRows({}, regionRow + have + 1, regionRow + want);
        for (int k = have; k < want; ++k)
            m_rows.insert(regionRow + k + 1, Row { m_rows.at(regionRow).region, {}, {}, 0, 1, {}, std::nullopt });
        endInsertRows();
    }
    for (int step = 0; step <= want; ++step) {
        Row &row = m_rows[regionRow + step];
        row.step = step;
        row.stepCount = steps;
        row.stepLabel.clear();
        for (const RegionRun &run : record.runs) {
            if (step < run.stepCount()) {
                row.stepLabel = run.stepLabel(step);
                break;
            }
        }
        if (step > 0) {
            row.summary = m_rows.at(regionRow).summary;
            row.stepMedian = RegionSummary::medianOfStep(record, step);
        }
    }
    return regionRow + want;
}

RegionCatalog::Region RegionModel::region(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).region : RegionCatalog::Region {};
}

void RegionModel::setTest(const TestRecord &test)
{
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = m_rows[i];
        row.summary = RegionSummary::of(test, row.region.code);
        row.warnings = test.region(row.region.code).warnings();
        i = syncSteps(i, test);
    }
    if (!m_rows.isEmpty())
        emit dataChanged(index(0, 0), index(rowCount() - 1, columnTotal() - 1));
}

void RegionModel::updateRegion(const TestRecord &test, const QString &code)
{
    const int i = rowOf(code);
    if (i < 0)
        return;
    m_rows[i].summary = RegionSummary::of(test, code);
    m_rows[i].warnings = test.region(code).warnings();
    const int last = syncSteps(i, test);
    emit dataChanged(index(i, 0), index(last, columnTotal() - 1));
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

bool RegionModel::isWorthAColumn(PageMetric::Id metric) const
{
    bool anyNumbers = false;
    for (const Row &row : m_rows) {
        const std::optional<PageMetrics> &median = row.step > 0 ? row.stepMedian : row.summary.median;
        if (!median)
            continue;
        anyNumbers = true;
        if (PageMetric::get(metric).value(*median))
            return true;
    }
    return !anyNumbers;
}

QString RegionModel::stateText(const QString &code) const
{
    const int i = rowOf(code);
    return i < 0 ? QString() : m_rows.at(i).summary.stateText();
}

QString RegionModel::name(const Row &row) const
{
    // A step's row names its region shortly: the row above says which region that is in full.
    const QString region = row.region.city.isEmpty()
        ? row.region.code
        : (row.step > 0 ? row.region.city : QStringLiteral("%1 (%2)").arg(row.region.city, row.region.code));
    if (row.stepCount < 2)
        return region;
    return QStringLiteral("%1 · %2 %3").arg(region).arg(row.step + 1).arg(row.stepLabel);
}

QString RegionModel::warningsText(const Row &row)
{
    QStringList lines;
    for (const QString &warning : row.warnings)
        lines.append(QChar(0x26A0) + u' ' + warning);
    return lines.join(u'\n');
}

QString RegionModel::summaryText(const Row &row) const
{
    const PageMetrics m = row.shown().value_or(PageMetrics {});
    const auto shown = [&m](PageMetric::Id id) -> QString {
        const PageMetric &metric = PageMetric::get(id);
        return metric.label() + u' ' + metric.format(m, QLocale());
    };
    using Id = PageMetric::Id;
    QString text = QStringLiteral("<b>%1</b><br>%2<br>%3 · %4 · %5<br>%6 · %7")
                       .arg(name(row).toHtmlEscaped(), row.summary.stateText().toHtmlEscaped(), shown(Id::Ttfb),
                           shown(Id::Fcp), shown(Id::Lcp), shown(Id::Load))
                       .arg(row.shown() ? tr("%n requests", nullptr, m.requestCount)
                                        : tr("%1 requests").arg(DisplayFormat::missing()));
    if (!row.warnings.isEmpty())
        text += u"<br>" + warningsText(row).toHtmlEscaped().replace(QChar(u'\n'), QStringLiteral("<br>"));
    return text;
}

int RegionModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int RegionModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : columnTotal();
}

QVariant RegionModel::data(const QModelIndex &index, int role) const
{
    if (!hasIndex(index.row(), index.column(), index.parent()))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case RegionCodeRole:
        return row.region.code;
    case PhaseRole:
        return static_cast<int>(row.summary.phase);
    case PlaceRole:
        return QVariant::fromValue(row.region);
    case SummaryRole:
        return summaryText(row);
    case AtLoadRole:
        return row.summary.atLoad.has_value();
    case WarningsRole:
        return row.warnings;
    case StepRole:
        return static_cast<int>(row.step);
    case LoadMsRole: {
        const auto load = row.shown() ? row.shown()->loadMs : std::nullopt;
        return load ? QVariant(*load) : QVariant();
    }
    case Qt::TextAlignmentRole:
        return index.column() >= FirstMetricColumn ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                                                   : QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        if (row.step > 0)
            return {};
        if (index.column() == RegionColumn && !row.warnings.isEmpty())
            return warningsText(row);
        if (index.column() == StateColumn && row.summary.phase == Phase::Failed && !row.summary.failure.isEmpty())
            return row.summary.failure;
        if (index.column() == StateColumn && row.summary.phase == Phase::Booting && !row.summary.detail.isEmpty())
            return row.summary.detail;
        if (index.column() == StateColumn && shortStateText(row.summary.stateText()) != row.summary.stateText())
            return row.summary.stateText();
        return {};
    default:
        break;
    }
    // A step's row sorts as its region's, so that a sorted table keeps it under its region (the sort is stable).
    if (role == SortRole && row.step > 0)
        return data(this->index(regionRowOf(index.row()), index.column()), role);
    if (row.step > 0 && index.column() == StateColumn)
        return {};
    if (const auto metric = metricAt(index.column()))
        return metricData(row, PageMetric::get(*metric), role);
    if (role == Qt::DisplayRole && index.column() == RegionColumn)
        return row.warnings.isEmpty() || row.step > 0 ? name(row) : name(row) + u' ' + QChar(0x26A0);
    if (role == Qt::DisplayRole)
        return shortStateText(row.summary.stateText());
    if (role == SortRole)
        return index.column() == RegionColumn ? QVariant(row.region.city)
                                              : QVariant(static_cast<int>(row.summary.phase));
    return {};
}

QString RegionModel::shortStateText(const QString &text)
{
    // A long failure message would widen the column until the metric columns of every other region scroll out of
    // sight; the cell keeps its start, the tool tip the whole.
    constexpr qsizetype maxLength = 48;
    if (text.size() <= maxLength)
        return text;
    QString cut = text.left(maxLength - 1);
    const qsizetype space = cut.lastIndexOf(u' ');
    if (space > maxLength / 2)
        cut.truncate(space);
    return cut + QChar(0x2026);
}

QVariant RegionModel::metricData(const Row &row, const PageMetric &metric, int role)
{
    const std::optional<PageMetrics> &shown = row.shown();
    const std::optional<double> value = shown ? metric.value(*shown) : std::nullopt;
    if (role == SortRole)
        return value ? QVariant(*value) : QVariant(); // absent sorts last
    if (role != Qt::DisplayRole)
        return {};
    // Nothing yet while the region still runs; once it is over, what no ok run observed is said to be missing.
    const bool over = row.summary.phase == Phase::Complete || row.summary.phase == Phase::Failed;
    if (!shown && !over)
        return QString();
    // Shown from the load event on: what only the run's end knows is not missing yet, just not known yet.
    if (!value && !(row.step > 0 ? row.stepMedian : row.summary.median) && !over)
        return QString();
    return metric.format(value, QLocale());
}

QVariant RegionModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || (role != Qt::DisplayRole && role != Qt::ToolTipRole))
        return {};
    // Short titles, so that every column fits beside the map; each one's tool tip says what it measures.
    const bool tip = role == Qt::ToolTipRole;
    if (const auto metric = metricAt(section))
        return tip ? tr("%1\nThe median over the region's ok runs; the waterfall shows one run.")
                         .arg(PageMetric::get(*metric).description())
                   : PageMetric::get(*metric).label();
    switch (section) {
    case RegionColumn:
        return tip ? tr("Where the page was loaded. %1: the probe cut something short in the region's runs to stay "
                        "within its limits; the name's tool tip says what")
                         .arg(QChar(0x26A0))
                   : tr("Region");
    case StateColumn:
        return tip ? tr("The document's HTTP status and where the region's runs are") : tr("State");
    default:
        return {};
    }
}
