// TrendChartView offscreen: a line per metric over the tests' start times, broken where a test lacks the metric,
// read from a real HistoryStore (SQLite in a temporary folder). Set WORLDSPEED_SCREENSHOT_DIR to keep light and
// dark screenshots.

#include "darkpalette.h"
#include "panelfixtures.h"
#include "trendchartview.h"

#include <QComboBox>
#include <QLineSeries>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

class tst_TrendChartView : public QObject
{
    Q_OBJECT

private slots:
    void trendChartSplitsLinesAtGaps();
    void trendChartReadsTheHistory();
    void testsOfOtherSettingsAreAnotherLine();
    void screenshots();
};

void tst_TrendChartView::trendChartSplitsLinesAtGaps()
{
    TrendChartView view;
    view.setRegions(someRegions({ QStringLiteral("fra"), QStringLiteral("syd") }));
    QCOMPARE(view.regionChooser()->count(), 2);
    QCOMPARE(view.region(), QStringLiteral("fra"));
    const QDateTime start = QDateTime(QDate(2024, 5, 1), QTime(9, 0), Qt::UTC);
    QList<TrendPoint> points;
    for (int i = 0; i < 6; ++i) {
        TrendPoint point;
        point.testId = i + 1;
        point.startedAt = start.addDays(i * 2);
        point.runs = 3;
        point.median.loadMs = 1800 + 150 * i;
        point.median.ttfbMs = 120 + 10 * i;
        point.median.largestContentfulPaintMs = 1500 + 100 * i;
        if (i != 3)
            point.median.firstContentfulPaintMs = 700 + 40 * i; // test 4 did not observe it
        points.append(point);
    }
    view.setTrend(points);
    using Metric = PageMetric::Id;
    QCOMPARE(view.series(Metric::Load).size(), 1);
    QCOMPARE(view.series(Metric::Load).constFirst()->count(), 6);
    // FCP breaks at the missing test instead of dipping to 0.
    const QList<QLineSeries *> fcp = view.series(Metric::Fcp);
    QCOMPARE(fcp.size(), 2);
    QCOMPARE(fcp.at(0)->count(), 3);
    QCOMPARE(fcp.at(1)->count(), 2);
    for (QLineSeries *series : fcp) {
        for (const QPointF &p : series->points())
            QVERIFY(p.y() > 0);
    }
    // A metric the chart does not draw has no line.
    QVERIFY(view.series(Metric::Cls).isEmpty());
    // The value axis is the bar chart's, in DisplayFormat's words: 0 to 5 s for loads up to 2.55 s.
    QCOMPARE(view.axisLabels(),
        (QStringList { QStringLiteral("0"), QStringLiteral("1 s"), QStringLiteral("2 s"), QStringLiteral("3 s"),
            QStringLiteral("4 s"), QStringLiteral("5 s") }));
    QVERIFY(view.message().isEmpty());
    view.setTrend({});
    QVERIFY(!view.message().isEmpty());
}

void tst_TrendChartView::trendChartReadsTheHistory()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistoryStore history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.lastError()));
    const QString url = QStringLiteral("https://example.com/");
    const QStringList regions { QStringLiteral("fra"), QStringLiteral("syd") };
    for (int i = 0; i < 3; ++i) {
        const qint64 id = history.beginTest(url, LoadOptions {}, regions, 1);
        QVERIFY2(id >= 0, qPrintable(history.lastError()));
        for (const QString &region : regions) {
            QVERIFY(history.setMetrics(id, region, 1, RunView::First,
                metrics(100 + i, 500 + i, 900 + i, (region == u"fra" ? 1000 : 2000) + 10 * i), url, {}));
            QVERIFY(history.finishRun(id, region, 1, true, std::nullopt, false, std::nullopt));
        }
        QVERIFY(history.finishTest(id));
    }

    TrendChartView view;
    view.setRegions(someRegions(regions));
    view.setHistory(&history);
    QVERIFY(!view.message().isEmpty()); // no URL yet
    view.setUrl(url);
    QCOMPARE(view.points().size(), 3);
    QCOMPARE(view.points().constLast().median.loadMs, std::optional<double>(1020));
    QSignalSpy changed(&view, &TrendChartView::regionChanged);
    view.regionChooser()->setCurrentIndex(1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(view.region(), QStringLiteral("syd"));
    QCOMPARE(view.points().constLast().median.loadMs, std::optional<double>(2020));
    view.setUrl(QStringLiteral("https://example.org/never"));
    QVERIFY(view.points().isEmpty());
    QVERIFY(view.message().contains(QStringLiteral("Sydney")));
}

void tst_TrendChartView::testsOfOtherSettingsAreAnotherLine()
{
    // Native and 2G tests of one URL, alternating, in the real history: one line would zigzag between them.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistoryStore history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(history.open(), qPrintable(history.lastError()));
    const QString url = QStringLiteral("https://example.com/");
    const QStringList regions { QStringLiteral("fra") };
    for (int i = 0; i < 4; ++i) {
        LoadOptions options;
        options.profile = i % 2 == 0 ? QStringLiteral("Native") : QStringLiteral("2G");
        const qint64 id = history.beginTest(url, options, regions, 1);
        QVERIFY(history.setMetrics(id, QStringLiteral("fra"), 1, RunView::First,
            metrics(100, 500, 900, (i % 2 == 0 ? 1000 : 9000) + i), url, {}));
        QVERIFY(history.finishRun(id, QStringLiteral("fra"), 1, true, std::nullopt, false, std::nullopt));
        QVERIFY(history.finishTest(id));
        QTest::qWait(3); // distinct start times
    }

    TrendChartView view;
    view.setRegions(someRegions(regions));
    view.setHistory(&history);
    view.setUrl(url);
    // The newest test was 2G: its settings first, and only its tests on the chart.
    QCOMPARE(view.settingsChooser()->count(), 2);
    QVERIFY(view.settingsChooser()->isEnabled());
    QCOMPARE(view.settingsChooser()->itemText(0), QStringLiteral("2G · desktop"));
    QCOMPARE(view.settingsChooser()->itemText(1), QStringLiteral("Native · desktop"));
    QCOMPARE(view.points().size(), 2);
    for (const TrendPoint &point : view.points())
        QVERIFY(*point.median.loadMs > 9000);
    QCOMPARE(view.series(PageMetric::Id::Load).constFirst()->count(), 2);

    view.settingsChooser()->setCurrentIndex(1);
    QCOMPARE(view.points().size(), 2);
    for (const TrendPoint &point : view.points())
        QVERIFY(*point.median.loadMs < 2000);
    // Kept when the trend is read again (a test finished).
    view.refresh();
    QCOMPARE(view.settingsChooser()->currentText(), QStringLiteral("Native · desktop"));
}

void tst_TrendChartView::screenshots()
{
    TrendChartView trend;
    trend.setRegions(
        someRegions({ QStringLiteral("fra"), QStringLiteral("lhr"), QStringLiteral("iad"), QStringLiteral("gru"),
            QStringLiteral("bom"), QStringLiteral("sin"), QStringLiteral("nrt"), QStringLiteral("syd") }));
    QList<TrendPoint> points;
    const QDateTime start = QDateTime(QDate(2024, 5, 1), QTime(9, 0), Qt::UTC);
    for (int i = 0; i < 9; ++i) {
        TrendPoint point;
        point.testId = i + 1;
        point.startedAt = start.addDays(i).addSecs(i * 1800);
        point.runs = 3;
        point.median.loadMs = 1900 + (i % 3) * 220 - i * 40;
        point.median.largestContentfulPaintMs = 1400 + (i % 2) * 180 - i * 25;
        if (i != 5)
            point.median.firstContentfulPaintMs = 620 + (i % 4) * 50;
        point.median.ttfbMs = 140 + (i % 3) * 15;
        points.append(point);
    }
    trend.setTrend(points);
    trend.resize(900, 380);
    trend.show();
    QVERIFY(QTest::qWaitForWindowExposed(&trend));

    save(trend.grab().toImage(), QStringLiteral("trendchart-light.png"));
    trend.setPalette(darkPalette());
    QTest::qWait(50); // the chart lays its legend out on the event loop
    save(trend.grab().toImage(), QStringLiteral("trendchart-dark.png"));
    if (qEnvironmentVariableIsEmpty("WORLDSPEED_SCREENSHOT_DIR"))
        QSKIP("WORLDSPEED_SCREENSHOT_DIR is not set; not saving screenshots");
}

QTEST_MAIN(tst_TrendChartView)
#include "tst_trendchartview.moc"
