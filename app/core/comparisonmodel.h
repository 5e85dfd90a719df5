#pragma once

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
    enum class Metric { Ttfb, Fcp, Lcp, Dcl, Load, FullyLoaded };
    static constexpr int metricCount = 6;
    // Column 0 is the region; then for each metric three columns: A, B, B − A.
    static constexpr int columnsPerMetric = 3;

    explicit ComparisonModel(QObject *parent = nullptr);

    void setTests(const TestRecord &a, const TestRecord &b);
    QStringList regions() const { return m_regions; }
    std::optional<double> value(const QString &region, Metric metric, bool second) const;
    std::optional<double> difference(const QString &region, Metric metric) const;
    static QString metricName(Metric metric);

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
