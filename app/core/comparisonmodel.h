#pragma once

#include "model/pagemetric.h"
#include "testrecord.h"

#include <QAbstractTableModel>

#include <optional>

// Two stored tests side by side, one row per region either of them measured: each metric's median in A and in
// B and the difference B − A. A metric one of them did not measure has no difference, never a 0.
class ComparisonModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ComparisonModel)

public:
    using Metric = PageMetric::Id;
    // Column 0 is the region; then for each timing of the metric table, in its order, three columns: A, B, B − A.
    static constexpr int columnsPerMetric = 3;
    static QList<Metric> metrics();
    static Metric metricAt(int column); // column ≥ 1

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
};
