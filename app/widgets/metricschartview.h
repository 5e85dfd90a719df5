#pragma once

#include "metricsbarchart.h"
#include "regionmodel.h"

#include <QChartView>
#include <QColor>
#include <QList>
#include <QPointer>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

class QBarCategoryAxis;
class QBarSeries;
class QBarSet;
class DurationAxis;

// The current test's numbers as grouped bars: one group per region (named by its city on the category axis, by
// its code when the cities do not fit the width), one bar per metric of MetricsBarChart::metrics(), in
// MetricsBarChart's colours and on its scale, so the window and the PDF report read alike. Fed from a RegionModel
// and updated on its dataChanged(); a metric a region did not observe is a gap (no bar, "not measured" on hover),
// never a bar of 0.
//
// The chart theme follows the palette (dark theme when the window colour is dark) and the bar colours have a
// light and a dark variant, so the chart reads on either.
class MetricsChartView final : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsChartView)

public:
    static constexpr int metricCount = MetricsBarChart::metricCount;
    static constexpr auto metrics() { return MetricsBarChart::metrics(); }
    using RegionValues = MetricsBarChart::RegionValues;

    explicit MetricsChartView(QWidget *parent = nullptr);
    ~MetricsChartView() override;

    // Not owned. Shows the model's regions in its row order and follows it.
    void setModel(RegionModel *model);
    RegionModel *model() const { return m_model; }
    // Shows fixed values instead of a model's (a report, a test from the history); detaches any model.
    void setValues(const QList<RegionValues> &values);
    QList<RegionValues> values() const { return m_values; }

    // The bar set of one metric: its values are in category order, 0 for a gap. Null for a metric not drawn.
    QBarSet *barSet(PageMetric::Id metric) const;
    QList<QBarSet *> barSets() const;
    // The value shown for a region (by category index), or nullopt for a gap.
    std::optional<double> value(PageMetric::Id metric, int region) const;
    QStringList categories() const;
    // The value axis' labels, from 0 up.
    QStringList axisLabels() const;
    // The y axis' top, in milliseconds: a round number above the largest value, and above `ms` if set (so that
    // several charts of one test share their scale).
    double axisMaxMs() const;
    void setAxisAtLeastMs(std::optional<double> ms);

    QSize sizeHint() const override;

protected:
    void changeEvent(QEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void rebuildFromModel();
    void updateRowsFromModel(int first, int last);
    static RegionValues rowValues(const RegionModel *model, int row);
    void rebuild(); // categories and every value
    void updateValues(); // values and the axis range only
    void applyPalette();
    // Whether the cities are too wide for the groups at this width: the codes are shown instead.
    bool citiesTooWide() const;
    void updateCategoryFont(); // smaller labels where even the codes are too wide
    void showToolTip(PageMetric::Id metric, bool hovering, int index);

    QPointer<RegionModel> m_model;
    QList<RegionValues> m_values;
    QBarSeries *m_series = nullptr; // owned by the chart
    std::array<QBarSet *, metricCount> m_sets {}; // in metrics() order; owned by the series
    QBarCategoryAxis *m_categoryAxis = nullptr;
    DurationAxis *m_valueAxis = nullptr;
    QList<QMetaObject::Connection> m_modelConnections;
    bool m_applyingPalette = false;
    bool m_showingCodes = false;
    std::optional<double> m_axisAtLeastMs;
};
