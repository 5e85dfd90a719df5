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
    QCOMPARE(model.columnCount(), 1 + ComparisonModel::metrics().size() * ComparisonModel::columnsPerMetric);
    QCOMPARE(model.difference(QStringLiteral("fra"), ComparisonModel::Metric::Load), 250.0);
    // LCP measured in A only, syd in B only: no difference, and an empty cell rather than "0 ms".
    QCOMPARE(model.difference(QStringLiteral("fra"), ComparisonModel::Metric::Lcp), std::nullopt);
    QCOMPARE(model.difference(QStringLiteral("syd"), ComparisonModel::Metric::Load), std::nullopt);
    QCOMPARE(model.value(QStringLiteral("syd"), ComparisonModel::Metric::Load, true), 2000.0);
    const int loadColumn = 1
        + static_cast<int>(ComparisonModel::metrics().indexOf(ComparisonModel::Metric::Load))
            * ComparisonModel::columnsPerMetric;
    QCOMPARE(model.data(model.index(0, loadColumn + 2)).toString(), QStringLiteral("+250 ms"));
    QCOMPARE(model.data(model.index(1, loadColumn + 2)).toString(), QString());
    QCOMPARE(model.headerData(loadColumn + 2, Qt::Horizontal).toString(), QStringLiteral("Load B − A"));
}

QTEST_GUILESS_MAIN(tst_ComparisonModel)
#include "tst_comparisonmodel.moc"
