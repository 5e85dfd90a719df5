#include "trendchartview.h"

#include "durationaxis.h"
#include "historymodel.h"
#include "metricsbarchart.h"
#include "model/displayformat.h"
#include "theme.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QCursor>
#include <QDateTimeAxis>
#include <QEvent>
#include <QHBoxLayout>
#include <QLabel>
#include <QLegend>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLocale>
#include <QToolTip>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace {

constexpr qint64 dayMs = 24 * 3600 * 1000;

std::optional<double> valueOf(const TrendPoint &point, PageMetric::Id metric)
{
    return PageMetric::get(metric).value(point.median);
}

} // namespace

TrendChartView::TrendChartView(QWidget *parent)
    : QWidget(parent)
    , m_chooser(new QComboBox(this))
    , m_settingsChooser(new QComboBox(this))
    , m_message(new QLabel(this))
    // The chart is given at construction: setChart() would only release the view's default chart, not delete it.
    , m_view(new QChartView(new QChart, this))
{
    auto *top = new QHBoxLayout;
    auto *label = new QLabel(tr("&Region:"), this);
    label->setBuddy(m_chooser);
    top->addWidget(label);
    top->addWidget(m_chooser);
    auto *settingsLabel = new QLabel(tr("&Settings:"), this);
    settingsLabel->setBuddy(m_settingsChooser);
    top->addWidget(settingsLabel);
    top->addWidget(m_settingsChooser);
    m_settingsChooser->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_settingsChooser->setToolTip(tr("Tests with other settings are another line: choose which to show"));
    connect(m_settingsChooser, &QComboBox::currentIndexChanged, this, &TrendChartView::showChosenSettings);
    top->addSpacing(12);
    top->addWidget(m_message, 1);
    top->addStretch(0); // holds the chooser to the left while there is no message
    m_chooser->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_message->setWordWrap(true);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);

    m_view->setRenderHint(QPainter::Antialiasing);
    QChart *chart = m_view->chart(); // owned by the view
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignTop);
    chart->setMargins(QMargins(4, 4, 4, 4));
    m_timeAxis = new QDateTimeAxis;
    chart->addAxis(m_timeAxis, Qt::AlignBottom);
    m_valueAxis = new DurationAxis;
    chart->addAxis(m_valueAxis, Qt::AlignLeft);

    connect(m_chooser, &QComboBox::currentIndexChanged, this, [this] {
        refresh();
        emit regionChanged(region());
    });
    applyPalette();
    rebuild();
}

TrendChartView::~TrendChartView() = default;

QChart *TrendChartView::chart() const
{
    return m_view->chart();
}

QStringList TrendChartView::axisLabels() const
{
    return m_valueAxis->categoriesLabels();
}

void TrendChartView::setHistory(HistoryStore *history)
{
    m_history = history;
    refresh();
}

void TrendChartView::setUrl(const QString &url)
{
    m_url = url;
    refresh();
}

void TrendChartView::setRegions(const QList<RegionCatalog::Region> &regions)
{
    const QString current = region();
    {
        const QSignalBlocker blocker(m_chooser);
        m_chooser->clear();
        for (const RegionCatalog::Region &r : regions) {
            const QString name = r.city.isEmpty() ? r.code : QStringLiteral("%1 (%2)").arg(r.city, r.code);
            m_chooser->addItem(name, r.code);
        }
        const int keep = m_chooser->findData(current);
        m_chooser->setCurrentIndex(keep >= 0 ? keep : (m_chooser->count() > 0 ? 0 : -1));
    }
    refresh();
    if (region() != current)
        emit regionChanged(region());
}

void TrendChartView::setRegion(const QString &code)
{
    const int index = m_chooser->findData(code);
    if (index >= 0)
        m_chooser->setCurrentIndex(index); // refreshes through currentIndexChanged
}

QString TrendChartView::region() const
{
    return m_chooser->currentData().toString();
}

QString TrendChartView::message() const
{
    return m_message->text();
}

QString TrendChartView::settingsOf(const TrendPoint &point)
{
    if (!point.options)
        return tr("unknown settings");
    return QStringLiteral("%1 · %2").arg(point.options->profile, HistoryModel::device(*point.options));
}

void TrendChartView::takePoints(const QList<TrendPoint> &points)
{
    m_allPoints = points;
    const QString current = m_settingsChooser->currentText();
    // Newest first: the settings the user tested last are the likeliest wanted.
    QStringList offered;
    for (auto point = points.crbegin(); point != points.crend(); ++point) {
        const QString settings = settingsOf(*point);
        if (!offered.contains(settings))
            offered.append(settings);
    }
    {
        const QSignalBlocker blocker(m_settingsChooser);
        m_settingsChooser->clear();
        m_settingsChooser->addItems(offered);
        const int keep = m_settingsChooser->findText(current);
        m_settingsChooser->setCurrentIndex(keep >= 0 ? keep : (offered.isEmpty() ? -1 : 0));
    }
    m_settingsChooser->setEnabled(offered.size() > 1);
    showChosenSettings();
}

void TrendChartView::showChosenSettings()
{
    const QString chosen = m_settingsChooser->currentText();
    m_points.clear();
    for (const TrendPoint &point : std::as_const(m_allPoints)) {
        if (settingsOf(point) == chosen)
            m_points.append(point);
    }
    rebuild();
}

void TrendChartView::refresh()
{
    QList<TrendPoint> points;
    const QString code = region();
    if (!m_history || !m_history->isOpen())
        m_message->setText(tr("No history is kept."));
    else if (m_url.isEmpty())
        m_message->setText(tr("Test a URL to see how its times develop."));
    else if (code.isEmpty())
        m_message->setText(tr("No region to show."));
    else {
        points = m_history->trend(m_url, code);
        m_message->setText(
            points.isEmpty() ? tr("No finished test of this URL in %1 yet.").arg(m_chooser->currentText()) : QString());
    }
    m_message->setVisible(!m_message->text().isEmpty());
    takePoints(points);
}

void TrendChartView::setTrend(const QList<TrendPoint> &points)
{
    m_message->setText(
        points.isEmpty() ? tr("No finished test of this URL in %1 yet.").arg(m_chooser->currentText()) : QString());
    m_message->setVisible(!m_message->text().isEmpty());
    takePoints(points);
}

void TrendChartView::rebuild()
{
    QChart *chart = this->chart();
    for (QList<QLineSeries *> &segments : m_series) {
        for (QLineSeries *series : std::as_const(segments)) {
            chart->removeSeries(series);
            delete series;
        }
    }
    m_series.clear();

    const bool dark = Theme(palette()).isDark();
    double max = 0;
    for (const PageMetric::Id metric : metrics())
        addLine(metric, dark, &max);

    qint64 first = QDateTime::currentMSecsSinceEpoch() - 7 * dayMs;
    qint64 last = QDateTime::currentMSecsSinceEpoch();
    if (!m_points.isEmpty()) {
        first = m_points.constFirst().startedAt.toMSecsSinceEpoch();
        last = m_points.constLast().startedAt.toMSecsSinceEpoch();
    }
    qint64 span = last - first;
    if (span < 60'000) {
        // One test, or several within a minute: an hour around them.
        first -= 30 * 60'000;
        last += 30 * 60'000;
        span = last - first;
    }
    const qint64 pad = span / 20; // the end points' markers stay inside the plot
    m_timeAxis->setRange(QDateTime::fromMSecsSinceEpoch(first - pad), QDateTime::fromMSecsSinceEpoch(last + pad));
    const QString format = span <= dayMs ? QStringLiteral("hh:mm")
        : span <= 7 * dayMs              ? QStringLiteral("MMM d hh:mm")
                                         : QStringLiteral("MMM d");
    m_timeAxis->setFormat(format);
    m_timeAxis->setTickCount(std::clamp(int(m_points.size()) + 1, 3, 6));
    // The bar chart's round tops and ticks, so the two charts of a URL read alike.
    const double top = MetricsBarChart::axisTopMs(max);
    m_valueAxis->setTicks(top, MetricsBarChart::tickCount(top));
}

void TrendChartView::addLine(PageMetric::Id metric, bool dark, double *maxMs)
{
    QChart *chart = this->chart();
    QList<QLineSeries *> &segments = m_series[metric];
    const QColor color = MetricsBarChart::metricColor(metric, dark);
    QLineSeries *current = nullptr;
    const auto newSegment = [&] {
        auto *series = new QLineSeries;
        series->setName(MetricsBarChart::metricName(metric));
        series->setPen(QPen(color, 2));
        series->setColor(color);
        series->setPointsVisible(true);
        connect(series, &QLineSeries::hovered, this,
            [this, metric](const QPointF &point, bool state) { showToolTip(metric, point, state); });
        segments.append(series);
        return series;
    };
    for (const TrendPoint &point : std::as_const(m_points)) {
        const std::optional<double> value = valueOf(point, metric);
        if (!value) {
            current = nullptr; // a gap: the next value starts a new segment
            continue;
        }
        if (!current)
            current = newSegment();
        current->append(double(point.startedAt.toMSecsSinceEpoch()), *value);
        *maxMs = std::max(*maxMs, *value);
    }
    if (segments.isEmpty())
        newSegment(); // keeps the metric in the legend
    for (QLineSeries *series : std::as_const(segments)) {
        chart->addSeries(series);
        series->attachAxis(m_timeAxis);
        series->attachAxis(m_valueAxis);
        series->setMarkerSize(4); // after addSeries(), which sets it from the pen
    }
    // One legend entry per metric, however many pieces its line has.
    for (qsizetype i = 1; i < segments.size(); ++i) {
        for (QLegendMarker *marker : chart->legend()->markers(segments.at(i)))
            marker->setVisible(false);
    }
}

void TrendChartView::changeEvent(QEvent *event)
{
    QWidget::changeEvent(event);
    if (event->type() == QEvent::PaletteChange && !m_applyingPalette) {
        applyPalette();
        rebuild(); // the lines' colours
    }
}

void TrendChartView::applyPalette()
{
    m_applyingPalette = true;
    QChart *chart = this->chart();
    chart->setTheme(Theme(palette()).isDark() ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    const QPalette pal = palette();
    const QColor window = pal.color(QPalette::Window);
    const QColor text = pal.color(QPalette::WindowText);
    chart->setBackgroundBrush(window);
    chart->setBackgroundPen(Qt::NoPen);
    chart->setBackgroundRoundness(0);
    chart->setPlotAreaBackgroundVisible(false);
    chart->legend()->setLabelColor(text);
    chart->legend()->setFont(font());
    for (QAbstractAxis *axis :
        { static_cast<QAbstractAxis *>(m_timeAxis), static_cast<QAbstractAxis *>(m_valueAxis) }) {
        axis->setLabelsColor(text);
        axis->setLabelsFont(font());
        axis->setLinePenColor(Theme::mix(window, text, 0.45));
        axis->setGridLineColor(Theme::mix(window, text, 0.15));
    }
    m_view->setBackgroundBrush(window);
    m_applyingPalette = false;
}

void TrendChartView::showToolTip(PageMetric::Id metric, const QPointF &point, bool hovering)
{
    if (!hovering || m_points.isEmpty()) {
        QToolTip::hideText();
        return;
    }
    // The test nearest in time to the hovered point.
    const auto nearest
        = std::min_element(m_points.cbegin(), m_points.cend(), [&](const TrendPoint &a, const TrendPoint &b) {
              return std::abs(double(a.startedAt.toMSecsSinceEpoch()) - point.x())
                  < std::abs(double(b.startedAt.toMSecsSinceEpoch()) - point.x());
          });
    const std::optional<double> value = valueOf(*nearest, metric);
    const QString runs = nearest->runs == 1 ? tr("one run") : tr("median of %1 runs").arg(nearest->runs);
    const QString text = QStringLiteral("%1\n%2: %3\n%4")
                             .arg(QLocale().toString(nearest->startedAt.toLocalTime(), QLocale::ShortFormat),
                                 MetricsBarChart::metricName(metric),
                                 value ? DisplayFormat::duration(value, QLocale()) : tr("not measured"), runs);
    QToolTip::showText(QCursor::pos(), text, this);
}
