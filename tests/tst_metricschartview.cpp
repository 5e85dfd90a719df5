// MetricsChartView offscreen: one bar set per metric it draws, fed from a RegionModel and following it; a metric a
// region did not observe is a gap, not a bar of 0; its value axis reads as DisplayFormat writes times; its
// colours follow the palette. Set WORLDSPEED_SCREENSHOT_DIR to keep light and dark screenshots.

#include "darkpalette.h"
#include "metricschartview.h"
#include "panelfixtures.h"

#include <QBarSet>
#include <QChart>
#include <QSet>
#include <QTest>

class tst_MetricsChartView : public QObject
{
    Q_OBJECT

private slots:
    void metricsChartHasOneBarSetPerMetric();
    void metricsChartShowsAbsentValuesAsGaps();
    void metricsChartFollowsThePalette();
    void screenshots();
};

void tst_MetricsChartView::metricsChartHasOneBarSetPerMetric()
{
    RegionModel model;
    const QStringList codes { QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("gru") };
    model.setRegions(someRegions(codes));
    TestRecord test = startTest(model, codes);
    finishWith(model, test, QStringLiteral("fra"), metrics(80, 400, 900, 1200));
    finishWith(model, test, QStringLiteral("syd"), metrics(310, std::nullopt, std::nullopt, 2600));

    MetricsChartView view;
    view.setModel(&model);
    QCOMPARE(view.barSets().size(), MetricsChartView::metricCount);
    QStringList names;
    for (QBarSet *set : view.barSets()) {
        names.append(set->label());
        QCOMPARE(set->count(), 3);
    }
    QCOMPARE(names,
        (QStringList { QStringLiteral("TTFB"), QStringLiteral("First contentful paint"),
            QStringLiteral("Largest contentful paint"), QStringLiteral("Load") }));
    QCOMPARE(view.categories(),
        (QStringList { QStringLiteral("Frankfurt"), QStringLiteral("Sydney"), QStringLiteral("São Paulo") }));

    using Metric = PageMetric::Id;
    QCOMPARE(view.barSet(Metric::Load)->at(0), 1200.0);
    QCOMPARE(view.barSet(Metric::Ttfb)->at(1), 310.0);
    QCOMPARE(view.value(Metric::Load, 1), std::optional<double>(2600));
    // Absent: a gap, not a measured 0.
    QCOMPARE(view.value(Metric::Fcp, 1), std::nullopt);
    QCOMPARE(view.value(Metric::Lcp, 1), std::nullopt);
    for (const Metric metric : MetricsChartView::metrics())
        QCOMPARE(view.value(metric, 2), std::nullopt);
    QVERIFY(view.axisMaxMs() >= 2600);
    // The value axis reads as every other view's times do (DisplayFormat::axisTick), not "2000 ms".
    QCOMPARE(view.axisMaxMs(), 5000.0);
    QCOMPARE(view.axisLabels(),
        (QStringList { QStringLiteral("0"), QStringLiteral("1 s"), QStringLiteral("2 s"), QStringLiteral("3 s"),
            QStringLiteral("4 s"), QStringLiteral("5 s") }));
    // A metric the chart does not draw has no bars and no values.
    QCOMPARE(view.barSet(Metric::Cls), nullptr);
    QCOMPARE(view.value(Metric::Cls, 0), std::nullopt);

    // dataChanged updates the bars in place.
    finishWith(model, test, QStringLiteral("gru"), metrics(200, 700, 1500, 4100));
    QCOMPARE(view.value(Metric::Load, 2), std::optional<double>(4100));
    QCOMPARE(view.barSet(Metric::Load)->at(2), 4100.0);
    QVERIFY(view.axisMaxMs() >= 4100);
    // A new test clears them again.
    startTest(model, codes);
    QCOMPARE(view.value(Metric::Load, 0), std::nullopt);
    QCOMPARE(view.barSet(Metric::Load)->at(0), 0.0);
    // And a new set of regions rebuilds the categories.
    model.setRegions(someRegions({ QStringLiteral("nrt") }));
    QCOMPARE(view.categories(), QStringList { QStringLiteral("Tokyo") });
    QCOMPARE(view.barSet(Metric::Ttfb)->count(), 1);
}

void tst_MetricsChartView::metricsChartShowsAbsentValuesAsGaps()
{
    RegionModel model;
    const QStringList codes { QStringLiteral("fra"), QStringLiteral("syd") };
    model.setRegions(someRegions(codes));
    TestRecord test = startTest(model, codes);
    finishWith(model, test, QStringLiteral("fra"), metrics(600, 900, 1500, 2000));
    finishWith(model, test, QStringLiteral("syd"), metrics(700, std::nullopt, 1400, 2100));

    MetricsChartView view;
    view.setModel(&model);
    view.resize(800, 400);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    const QImage image = view.viewport()->grab().toImage();

    // The FCP bar of each region, a little above the axis: Frankfurt's is there, Sydney's is a gap.
    using Metric = PageMetric::Id;
    const auto barPoint = [&](int region, Metric metric) {
        const double width = 0.8 / MetricsChartView::metricCount; // QBarSeries::barWidth() / sets
        const double x = region - 0.4 + width * (MetricsBarChart::indexOf(metric) + 0.5);
        const QPointF scene = view.chart()->mapToScene(view.chart()->mapToPosition(QPointF(x, 200)));
        return view.mapFromScene(scene) * image.devicePixelRatio();
    };
    const QColor fcp = MetricsBarChart::metricColor(Metric::Fcp, false);
    const QPoint there = barPoint(0, Metric::Fcp);
    const QPoint gap = barPoint(1, Metric::Fcp);
    QVERIFY2(near(image.pixelColor(there), fcp), qPrintable(image.pixelColor(there).name()));
    QVERIFY2(!near(image.pixelColor(gap), fcp), qPrintable(image.pixelColor(gap).name()));
    // The gap is the plot's background, not a bar of another colour either.
    QVERIFY2(near(image.pixelColor(gap), view.palette().color(QPalette::Window), 24),
        qPrintable(image.pixelColor(gap).name()));
    // Sydney's LCP next to it is drawn.
    const QPoint lcp = barPoint(1, Metric::Lcp);
    QVERIFY2(near(image.pixelColor(lcp), MetricsBarChart::metricColor(Metric::Lcp, false)),
        qPrintable(image.pixelColor(lcp).name()));

    // Too narrow for the cities: the groups are named by their codes, and by their cities again when wide.
    QCOMPARE(view.categories(), (QStringList { QStringLiteral("Frankfurt"), QStringLiteral("Sydney") }));
    view.resize(160, 300);
    QTRY_COMPARE(view.categories(), (QStringList { QStringLiteral("fra"), QStringLiteral("syd") }));
    QCOMPARE(view.value(Metric::Lcp, 1), std::optional<double>(1400));
    view.resize(800, 400);
    QTRY_COMPARE(view.categories(), (QStringList { QStringLiteral("Frankfurt"), QStringLiteral("Sydney") }));
}

void tst_MetricsChartView::metricsChartFollowsThePalette()
{
    MetricsChartView view;
    view.setValues({ { QStringLiteral("fra"), QStringLiteral("Frankfurt"), { 100, 400, 800, 1200 } } });
    QCOMPARE(view.chart()->theme(), QChart::ChartThemeLight);
    QCOMPARE(view.barSet(PageMetric::Id::Load)->color(), MetricsBarChart::metricColor(PageMetric::Id::Load, false));
    view.setPalette(darkPalette());
    QCOMPARE(view.chart()->theme(), QChart::ChartThemeDark);
    QCOMPARE(view.barSet(PageMetric::Id::Load)->color(), MetricsBarChart::metricColor(PageMetric::Id::Load, true));
    QCOMPARE(view.chart()->backgroundBrush().color(), darkPalette().color(QPalette::Window));
    // Each metric keeps its own colour, in both themes.
    for (const bool dark : { false, true }) {
        QSet<QRgb> colours;
        for (const PageMetric::Id metric : MetricsChartView::metrics())
            colours.insert(MetricsBarChart::metricColor(metric, dark).rgb());
        QCOMPARE(colours.size(), MetricsChartView::metricCount);
    }
}

void tst_MetricsChartView::screenshots()
{
    // The metrics chart of a busy test.
    RegionModel model;
    const QStringList codes { QStringLiteral("fra"), QStringLiteral("lhr"), QStringLiteral("iad"),
        QStringLiteral("gru"), QStringLiteral("bom"), QStringLiteral("sin"), QStringLiteral("nrt"),
        QStringLiteral("syd") };
    model.setRegions(someRegions(codes));
    TestRecord test = startTest(model, codes);
    const double loads[] = { 1150, 1320, 1700, 2900, 3400, 2500, 2300, 4200 };
    for (int i = 0; i < codes.size(); ++i) {
        if (i == 4)
            continue; // bom: nothing yet
        finishWith(model, test, codes.at(i),
            metrics(loads[i] * 0.12, i == 6 ? std::nullopt : std::optional<double>(loads[i] * 0.45), loads[i] * 0.7,
                loads[i]));
    }
    MetricsChartView chart;
    chart.setModel(&model);
    chart.resize(900, 380);
    chart.show();
    QVERIFY(QTest::qWaitForWindowExposed(&chart));

    save(chart.grab().toImage(), QStringLiteral("metricschart-light.png"));
    // The dark palette on the chart decides its theme and the bars' shades.
    const QImage lightChart = chart.grab().toImage();
    chart.setPalette(darkPalette());
    QTest::qWait(50); // the chart lays its legend out on the event loop
    const QImage darkChart = chart.grab().toImage();
    QVERIFY(lightChart.pixelColor(5, 5).lightness() > 180);
    QVERIFY(darkChart.pixelColor(5, 5).lightness() < 80);
    save(darkChart, QStringLiteral("metricschart-dark.png"));
    if (qEnvironmentVariableIsEmpty("WORLDSPEED_SCREENSHOT_DIR"))
        QSKIP("WORLDSPEED_SCREENSHOT_DIR is not set; not saving screenshots");
}

QTEST_MAIN(tst_MetricsChartView)
#include "tst_metricschartview.moc"
