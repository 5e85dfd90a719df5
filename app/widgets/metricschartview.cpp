#include "metricschartview.h"

#include "durationaxis.h"
#include "model/displayformat.h"
#include "regionmodel.h"
#include "theme.h"

#include <QBarCategoryAxis>
#include <QBarSeries>
#include <QBarSet>
#include <QCursor>
#include <QEvent>
#include <QFontMetricsF>
#include <QLegend>
#include <QLocale>
#include <QSet>
#include <QToolTip>

#include <algorithm>

MetricsChartView::MetricsChartView(QWidget *parent)
    // The chart is given at construction: setChart() would only release the view's default chart, not delete it.
    : QChartView(new QChart, parent)
{
    setRenderHint(QPainter::Antialiasing);
    QChart *chart = this->chart(); // owned by the view
    chart->setAnimationOptions(QChart::NoAnimation); // values change with every frame of a running test
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setMargins(QMargins(4, 4, 4, 4));

    m_series = new QBarSeries;
    m_series->setBarWidth(0.8);
    for (const PageMetric::Id metric : metrics()) {
        auto *set = new QBarSet(MetricsBarChart::metricName(metric));
        m_sets[MetricsBarChart::indexOf(metric)] = set;
        m_series->append(set);
        connect(set, &QBarSet::hovered, this,
            [this, metric](bool status, int index) { showToolTip(metric, status, index); });
    }
    chart->addSeries(m_series);

    m_categoryAxis = new QBarCategoryAxis;
    m_categoryAxis->setGridLineVisible(false);
    chart->addAxis(m_categoryAxis, Qt::AlignBottom);
    m_series->attachAxis(m_categoryAxis);
    m_valueAxis = new DurationAxis;
    const double top = MetricsBarChart::axisTopMs({});
    m_valueAxis->setTicks(top, MetricsBarChart::tickCount(top));
    chart->addAxis(m_valueAxis, Qt::AlignLeft);
    m_series->attachAxis(m_valueAxis);

    applyPalette();
}

MetricsChartView::~MetricsChartView() = default;

QSize MetricsChartView::sizeHint() const
{
    return { 640, 320 };
}

void MetricsChartView::setModel(RegionModel *model)
{
    for (const QMetaObject::Connection &connection : std::as_const(m_modelConnections))
        disconnect(connection);
    m_modelConnections.clear();
    m_model = model;
    if (model) {
        const auto rebuild = [this] { rebuildFromModel(); };
        m_modelConnections = {
            connect(model, &QAbstractItemModel::dataChanged, this,
                [this](const QModelIndex &topLeft, const QModelIndex &bottomRight) {
                    updateRowsFromModel(topLeft.row(), bottomRight.row());
                }),
            connect(model, &QAbstractItemModel::modelReset, this, rebuild),
            connect(model, &QAbstractItemModel::rowsInserted, this, rebuild),
            connect(model, &QAbstractItemModel::rowsRemoved, this, rebuild),
            connect(model, &QAbstractItemModel::rowsMoved, this, rebuild),
            connect(model, &QAbstractItemModel::layoutChanged, this, rebuild),
            connect(model, &QObject::destroyed, this, [this] { setValues({}); }),
        };
    }
    rebuildFromModel();
}

void MetricsChartView::setValues(const QList<RegionValues> &values)
{
    if (m_model)
        setModel(nullptr);
    m_values = values;
    rebuild();
}

MetricsChartView::RegionValues MetricsChartView::rowValues(const RegionModel *model, int row)
{
    const RegionCatalog::Region region = model->region(row);
    return RegionValues::of(region.code, region.city, model->summary(region.code).median);
}

void MetricsChartView::rebuildFromModel()
{
    m_values.clear();
    if (m_model) {
        // A group per region (its first view, step 1): a script's later steps are rows of the table, not regions.
        for (const QString &code : m_model->regionCodes())
            m_values.append(rowValues(m_model, m_model->rowOf(code)));
    }
    rebuild();
}

void MetricsChartView::updateRowsFromModel(int, int)
{
    if (!m_model)
        return;
    const QStringList codes = m_model->regionCodes();
    if (codes.size() != m_values.size()) {
        rebuildFromModel();
        return;
    }
    bool renamed = false;
    for (int row = 0; row < m_values.size(); ++row) {
        RegionValues values = rowValues(m_model, m_model->rowOf(codes.at(row)));
        renamed = renamed || values.code != m_values.at(row).code || values.city != m_values.at(row).city;
        m_values[row] = std::move(values);
    }
    if (renamed)
        rebuild();
    else
        updateValues();
}

bool MetricsChartView::citiesTooWide() const
{
    if (m_values.isEmpty())
        return false;
    double widest = 0;
    const QFontMetricsF metrics(font());
    for (const RegionValues &values : std::as_const(m_values))
        widest = std::max(widest, metrics.horizontalAdvance(values.city.isEmpty() ? values.code : values.city));
    // The plot is the width less the value axis' labels; each group needs its name and a little air.
    const double perGroup = (width() - metrics.horizontalAdvance(QStringLiteral("00000 ms")) - 24) / m_values.size();
    return perGroup < widest + 16;
}

void MetricsChartView::resizeEvent(QResizeEvent *event)
{
    QChartView::resizeEvent(event);
    if (citiesTooWide() != m_showingCodes)
        rebuild();
    else
        updateCategoryFont();
}

void MetricsChartView::updateCategoryFont()
{
    QFont labels = font();
    const QStringList names = m_categoryAxis->categories();
    if (!names.isEmpty()) {
        const QFontMetricsF metrics(labels);
        double widest = 0;
        for (const QString &name : names)
            widest = std::max(widest, metrics.horizontalAdvance(name));
        const double perGroup = (width() - metrics.horizontalAdvance(QStringLiteral("00000 ms")) - 24) / names.size();
        // Qt Charts cuts a label that is wider than its group to "f…": a smaller font first, down to 6 pt.
        if (widest + 16 > perGroup && labels.pointSizeF() > 0)
            labels.setPointSizeF(std::max(6.0, labels.pointSizeF() * perGroup / (widest + 16)));
    }
    if (m_categoryAxis->labelsFont() != labels)
        m_categoryAxis->setLabelsFont(labels);
}

void MetricsChartView::setAxisAtLeastMs(std::optional<double> ms)
{
    m_axisAtLeastMs = ms;
    updateValues();
}

void MetricsChartView::rebuild()
{
    // Category names must be unique on a QBarCategoryAxis: a city that two regions share gets their codes, and
    // where cities do not fit, every group is named by its code (the tooltip still says the city).
    m_showingCodes = citiesTooWide();
    QStringList names = MetricsBarChart::groupNames(m_values, m_showingCodes);
    QSet<QString> taken;
    for (QString &name : names) {
        while (taken.contains(name))
            name += QChar(0x200b); // the same text twice still needs two categories
        taken.insert(name);
    }
    m_categoryAxis->clear();
    m_categoryAxis->append(names);
    updateCategoryFont();
    for (QBarSet *set : m_sets) {
        set->remove(0, set->count());
        set->append(QList<qreal>(m_values.size(), 0.0));
    }
    updateValues();
}

void MetricsChartView::updateValues()
{
    for (int m = 0; m < metricCount; ++m) {
        QBarSet *set = m_sets[m];
        for (int i = 0; i < m_values.size(); ++i) {
            // A gap is a bar of no height with no outline: nothing is drawn, and the tooltip says why.
            const std::optional<double> value = m_values.at(i).ms[m];
            const qreal shown = value ? std::max(0.0, *value) : 0.0;
            if (set->at(i) != shown)
                set->replace(i, shown);
        }
    }
    const double top = MetricsBarChart::axisTopMs(m_values, m_axisAtLeastMs);
    m_valueAxis->setTicks(top, MetricsBarChart::tickCount(top));
}

QBarSet *MetricsChartView::barSet(PageMetric::Id metric) const
{
    const int index = MetricsBarChart::indexOf(metric);
    return index < 0 ? nullptr : m_sets[index];
}

QList<QBarSet *> MetricsChartView::barSets() const
{
    return { m_sets.begin(), m_sets.end() };
}

std::optional<double> MetricsChartView::value(PageMetric::Id metric, int region) const
{
    if (region < 0 || region >= m_values.size())
        return std::nullopt;
    return m_values.at(region).value(metric);
}

QStringList MetricsChartView::categories() const
{
    return m_categoryAxis->categories();
}

QStringList MetricsChartView::axisLabels() const
{
    return m_valueAxis->categoriesLabels();
}

double MetricsChartView::axisMaxMs() const
{
    return m_valueAxis->topMs();
}

void MetricsChartView::changeEvent(QEvent *event)
{
    QChartView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_applyingPalette)
        applyPalette();
}

void MetricsChartView::applyPalette()
{
    m_applyingPalette = true;
    const bool dark = Theme(palette()).isDark();
    QChart *chart = this->chart();
    // The theme sets fonts, axis pens and the like; the colours then come from the palette so the chart sits in
    // the window like any other widget, and the bars get colours of their own that mean the same in both themes.
    chart->setTheme(dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    const QPalette pal = palette();
    const QColor window = pal.color(QPalette::Window);
    const QColor text = pal.color(QPalette::WindowText);
    chart->setBackgroundBrush(window);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setBackgroundRoundness(0);
    chart->setPlotAreaBackgroundVisible(false);
    chart->setTitleBrush(text);
    chart->legend()->setLabelColor(text);
    chart->legend()->setFont(font());
    const QColor grid = Theme::mix(window, text, 0.15);
    const QColor line = Theme::mix(window, text, 0.45);
    for (QAbstractAxis *axis :
        { static_cast<QAbstractAxis *>(m_categoryAxis), static_cast<QAbstractAxis *>(m_valueAxis) }) {
        axis->setLabelsColor(text);
        axis->setLabelsFont(font());
        axis->setLinePenColor(line);
        axis->setGridLineColor(grid);
    }
    for (const PageMetric::Id metric : metrics()) {
        QBarSet *set = barSet(metric);
        set->setColor(MetricsBarChart::metricColor(metric, dark));
        set->setBorderColor(Qt::transparent);
        set->setPen(Qt::NoPen); // an outline would draw a gap's zero-height bar as a line
    }
    updateCategoryFont();
    setBackgroundBrush(window);
    m_applyingPalette = false;
}

void MetricsChartView::showToolTip(PageMetric::Id metric, bool hovering, int index)
{
    if (!hovering || index < 0 || index >= m_values.size()) {
        QToolTip::hideText();
        return;
    }
    const RegionValues &values = m_values.at(index);
    const QString region
        = values.city.isEmpty() ? values.code : QStringLiteral("%1 (%2)").arg(values.city, values.code);
    const std::optional<double> ms = values.value(metric);
    const QString value = ms ? DisplayFormat::duration(ms, QLocale()) : tr("not measured");
    QToolTip::showText(
        QCursor::pos(), QStringLiteral("%1\n%2: %3").arg(region, MetricsBarChart::metricName(metric), value), this);
}
