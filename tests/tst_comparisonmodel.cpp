// ComparisonModel under QAbstractItemModelTester: medians side by side, differences only where both measured.
#include "comparisonmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

namespace {

TestRecord testWith(const QString &region, std::optional<double> load, std::optional<double> lcp, qint64 id)
{
    TestRecord test;
    test.id = id;
    test.url = QStringLiteral("https://example.com/");
    test.regions = { region };
    RegionRun run;
    run.index = 1;
    run.finished = true;
    run.firstViewMeasured = true;
    run.firstView.metrics.loadMs = load;
    run.firstView.metrics.largestContentfulPaintMs = lcp;
    RegionRecord record;
    record.state = RunState::Complete;
    record.runs = { run };
    test.results.insert(region, record);
    return test;
}

} // namespace

class tst_ComparisonModel : public QObject
{
    Q_OBJECT

private slots:
    void sideBySide();
};

void tst_ComparisonModel::sideBySide()
{
    ComparisonModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    TestRecord a = testWith(QStringLiteral("fra"), 1000, 800, 1);
    TestRecord b = testWith(QStringLiteral("fra"), 1250, std::nullopt, 2);
    const TestRecord syd = testWith(QStringLiteral("syd"), 2000, 1500, 2);
    b.regions.append(QStringLiteral("syd"));
    b.results.insert(QStringLiteral("syd"), syd.results.value(QStringLiteral("syd")));
    model.setTests(a, b);
    QCOMPARE(model.regions(), (QStringList { QStringLiteral("fra"), QStringLiteral("syd") }));
    // Load and LCP are measured; the rest of the metric table's timings nowhere, so they get no row.
    QCOMPARE(model.metrics(),
        (QList<ComparisonModel::Metric> { ComparisonModel::Metric::Lcp, ComparisonModel::Metric::Load }));
    const int metricCount = static_cast<int>(model.metrics().size());
    // A row per region and metric, five columns: fits a window whatever the number of metrics.
    QCOMPARE(model.columnCount(), 5);
    QCOMPARE(model.rowCount(), 2 * metricCount);
    QCOMPARE(model.difference(QStringLiteral("fra"), ComparisonModel::Metric::Load), 250.0);
    // LCP measured in A only, syd in B only: no difference, and an empty cell rather than "0 ms".
    QCOMPARE(model.difference(QStringLiteral("fra"), ComparisonModel::Metric::Lcp), std::nullopt);
    QCOMPARE(model.difference(QStringLiteral("syd"), ComparisonModel::Metric::Load), std::nullopt);
    QCOMPARE(model.value(QStringLiteral("syd"), ComparisonModel::Metric::Load, true), 2000.0);
    const int loadRow = static_cast<int>(model.metrics().indexOf(ComparisonModel::Metric::Load));
    const int sydLoadRow = metricCount + loadRow;
    QCOMPARE(model.regionAt(loadRow), QStringLiteral("fra"));
    QCOMPARE(model.regionAt(sydLoadRow), QStringLiteral("syd"));
    QCOMPARE(model.metricAt(sydLoadRow), ComparisonModel::Metric::Load);
    QCOMPARE(model.data(model.index(loadRow, ComparisonModel::MetricColumn)).toString(), QStringLiteral("Load"));
    QCOMPARE(model.data(model.index(loadRow, ComparisonModel::AColumn)).toString(), QStringLiteral("1 s"));
    QCOMPARE(model.data(model.index(loadRow, ComparisonModel::BColumn)).toString(), QStringLiteral("1.25 s"));
    QCOMPARE(model.data(model.index(loadRow, ComparisonModel::DifferenceColumn)).toString(), QStringLiteral("+250 ms"));
    QCOMPARE(model.data(model.index(sydLoadRow, ComparisonModel::DifferenceColumn)).toString(), QString());
    QCOMPARE(model.data(model.index(sydLoadRow, ComparisonModel::AColumn)).toString(), QString());
    // Each region named once, on its first row; every row still knows its region.
    QCOMPARE(model.data(model.index(0, ComparisonModel::RegionColumn)).toString(), QStringLiteral("fra"));
    QCOMPARE(model.data(model.index(metricCount, ComparisonModel::RegionColumn)).toString(), QStringLiteral("syd"));
    QCOMPARE(model.data(model.index(loadRow, ComparisonModel::RegionColumn)).toString(),
        loadRow == 0 ? QStringLiteral("fra") : QString());
    QCOMPARE(model.data(model.index(sydLoadRow, ComparisonModel::RegionColumn), Qt::UserRole).toString(),
        QStringLiteral("syd"));
    QCOMPARE(model.headerData(ComparisonModel::DifferenceColumn, Qt::Horizontal).toString(), QStringLiteral("B − A"));
}

QTEST_GUILESS_MAIN(tst_ComparisonModel)
#include "tst_comparisonmodel.moc"
