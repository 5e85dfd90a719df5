#pragma once

#include "model/pagemetric.h"
#include "testrecord.h"

#include <QAbstractTableModel>

#include <optional>

// Two stored tests side by side: for each region either of them measured, one row per timing of the metric table
// (in its order) that either test measured somewhere, with its median in A, in B and the difference B − A. A metric one
// of them did not measure has no difference, never a 0. Metrics run down rather than across, so that the table fits any
// window: three columns per metric across would be some forty, cut off at the window's edge.
class ComparisonModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparisonModel)

public:
    using Metric = PageMetric::Id;
    enum Column { RegionColumn, MetricColumn, AColumn, BColumn, DifferenceColumn, ColumnCount };
    // The metrics the rows show: the metric table's timings that A or B measured in some region (a test without a
    // filmstrip has no Speed Index, and a row of nothing on both sides says nothing).
    QList<Metric> metrics() const { return m_metrics; }
    // The region and the metric of a row.
    QString regionAt(int row) const;
    Metric metricAt(int row) const;

    explicit ComparisonModel(QObject *parent = nullptr);

    void setTests(const TestRecord &a, const TestRecord &b);
    QStringList regions() const { return m_regions; }
    std::optional<double> value(const QString &region, Metric metric, bool second) const;
    std::optional<double> difference(const QString &region, Metric metric) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::optional<PageMetrics> median(const TestRecord &test, const QString &region) const;

    TestRecord m_a;
    TestRecord m_b;
    QStringList m_regions;
    QList<Metric> m_metrics;
};
