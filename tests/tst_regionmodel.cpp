// RegionModel under QAbstractItemModelTester: states from the run frames, medians over runs, absent stays empty.
#include "regionmodel.h"

#include <QAbstractItemModelTester>
#include <QTest>

namespace {

QList<RegionCatalog::Region> threeRegions()
{
    return { { QStringLiteral("fra"), QStringLiteral("Frankfurt"), QStringLiteral("Germany"), QStringLiteral("Europe"),
                 50.1, 8.7 },
        { QStringLiteral("syd"), QStringLiteral("Sydney"), QStringLiteral("Australia"), QStringLiteral("Oceania"),
            -33.9, 151.2 },
        { QStringLiteral("iad"), QStringLiteral("Ashburn"), QStringLiteral("United States"),
            QStringLiteral("North America"), 39.0, -77.5 } };
}

PageMetrics metrics(double load, std::optional<double> lcp = std::nullopt)
{
    PageMetrics m;
    m.documentStatus = 200;
    m.ttfbMs = load / 10;
    m.loadMs = load;
    m.largestContentfulPaintMs = lcp;
    m.requestCount = 10;
    m.totalEncodedBytes = 2048;
    return m;
}

DoneMessage ok()
{
    return DoneMessage { {}, true, std::nullopt, std::nullopt };
}

} // namespace

class tst_RegionModel : public QObject
{
    Q_OBJECT

private slots:
    void statesFollowTheFrames();
    void medianOverRuns();
    void failedRegion();
    void sortRoleIsNumeric();
};

void tst_RegionModel::statesFollowTheFrames()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRegions(threeRegions());
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.columnCount(), int(RegionModel::ColumnCount));
    QCOMPARE(model.stateText(QStringLiteral("fra")), QStringLiteral("Idle"));
    model.beginTest(1);
    QCOMPARE(model.stateText(QStringLiteral("fra")), QStringLiteral("Waiting for a probe"));
    model.setStatus(QStringLiteral("fra"), RunState::Queued, QStringLiteral("starting a probe"), true);
    QCOMPARE(model.phase(QStringLiteral("fra")), RegionModel::Phase::Booting);
    model.setStatus(QStringLiteral("fra"), RunState::StartingBrowser, {}, false);
    QCOMPARE(model.stateText(QStringLiteral("fra")), QStringLiteral("Starting browser"));
    model.setStatus(QStringLiteral("fra"), RunState::Loading, {}, false);
    QCOMPARE(model.stateText(QStringLiteral("fra")), QStringLiteral("Loading page"));
    model.addMetrics(QStringLiteral("fra"), 0, RunView::First, metrics(800));
    model.finishRun(QStringLiteral("fra"), 0, ok());
    QCOMPARE(model.stateText(QStringLiteral("fra")), QStringLiteral("200 Complete"));
    QCOMPARE(model.regionsFinished(), 1);
    QCOMPARE(model.data(model.index(0, RegionModel::LoadColumn)).toString(), QStringLiteral("800 ms"));
    // Not observed: empty, not "0 ms".
    QCOMPARE(model.data(model.index(0, RegionModel::LcpColumn)).toString(), QString());
    QVERIFY(!model.data(model.index(0, RegionModel::LcpColumn), RegionModel::SortRole).isValid());
    // Other regions untouched.
    QCOMPARE(model.data(model.index(1, RegionModel::LoadColumn)).toString(), QString());
}

void tst_RegionModel::medianOverRuns()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRegions(threeRegions());
    model.beginTest(3);
    const QList<double> loads { 900, 700, 1500 };
    for (int run = 0; run < 3; ++run) {
        model.addMetrics(QStringLiteral("syd"), run, RunView::First,
            metrics(loads.at(run), run == 0 ? std::optional<double>(600) : std::nullopt));
        model.addMetrics(QStringLiteral("syd"), run, RunView::Repeat, metrics(10)); // repeat views are not in the table
        model.finishRun(QStringLiteral("syd"), run, ok());
        if (run < 2)
            QVERIFY(model.stateText(QStringLiteral("syd")).contains(QStringLiteral("(run %1 of 3)").arg(run + 2)));
    }
    QCOMPARE(model.median(QStringLiteral("syd")).loadMs, 900.0);
    QCOMPARE(model.median(QStringLiteral("syd")).largestContentfulPaintMs, 600.0); // observed once: that one
    QCOMPARE(model.phase(QStringLiteral("syd")), RegionModel::Phase::Complete);
}

void tst_RegionModel::failedRegion()
{
    RegionModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRegions(threeRegions());
    model.beginTest(1);
    DoneMessage failed { {}, false,
        LoadError { LoadError::Kind::DnsFailure, QStringLiteral("net::ERR_NAME_NOT_RESOLVED") }, std::nullopt };
    model.finishRun(QStringLiteral("iad"), 0, failed);
    QCOMPARE(model.phase(QStringLiteral("iad")), RegionModel::Phase::Failed);
    QCOMPARE(model.stateText(QStringLiteral("iad")), QStringLiteral("Failed: net::ERR_NAME_NOT_RESOLVED"));
    // Short column titles; each tool tip says what is measured.
    QCOMPARE(model.headerData(RegionModel::FullyLoadedColumn, Qt::Horizontal).toString(), QStringLiteral("Fully"));
    for (int column = 0; column < RegionModel::ColumnCount; ++column)
        QVERIFY(!model.headerData(column, Qt::Horizontal, Qt::ToolTipRole).toString().isEmpty());
    QCOMPARE(model.data(model.index(2, RegionModel::StateColumn), Qt::ToolTipRole).toString(),
        QStringLiteral("net::ERR_NAME_NOT_RESOLVED"));
    QCOMPARE(model.data(model.index(2, RegionModel::RequestsColumn)).toString(), QString());
}

void tst_RegionModel::sortRoleIsNumeric()
{
    RegionModel model;
    model.setRegions(threeRegions());
    model.beginTest(1);
    model.addMetrics(QStringLiteral("fra"), 0, RunView::First, metrics(12'000));
    model.addMetrics(QStringLiteral("syd"), 0, RunView::First, metrics(900));
    QCOMPARE(model.data(model.index(0, RegionModel::LoadColumn), RegionModel::SortRole).toDouble(), 12'000.0);
    QCOMPARE(model.data(model.index(0, RegionModel::LoadColumn)).toString(), QStringLiteral("12.0 s"));
    QVERIFY(model.data(model.index(0, RegionModel::LoadColumn), RegionModel::SortRole).toDouble()
        > model.data(model.index(1, RegionModel::LoadColumn), RegionModel::SortRole).toDouble());
    QCOMPARE(model.data(model.index(0, 0), RegionModel::RegionCodeRole).toString(), QStringLiteral("fra"));
}

QTEST_GUILESS_MAIN(tst_RegionModel)
#include "tst_regionmodel.moc"
