#include "model/displayformat.h"
#include "model/pagemetric.h"

#include <QTest>

// The one formatter every view, report and table uses, and the metric table that names and reads each metric.
class TestDisplayFormat final : public QObject
{
    Q_OBJECT

private slots:
    void durations_data();
    void durations();
    void durationsInOtherLocales_data();
    void durationsInOtherLocales();
    void missingIsOneMarker();
    void deltas_data();
    void deltas();
    void axisTicks_data();
    void axisTicks();
    void bytes_data();
    void bytes();
    void countsAndScores();
    void tableCoversEveryMetricOnce();
    void tableReadsPageMetrics();
    void tableFormatsByUnit();
    void tableLooksUpNames();
    void pageMetricsJsonUsesTheTableKeys();
};

void TestDisplayFormat::durations_data()
{
    QTest::addColumn<double>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << 0.0 << QStringLiteral("0 ms");
    QTest::newRow("sub-ms") << 0.42 << QStringLiteral("0.4 ms");
    QTest::newRow("a phase") << 4.24 << QStringLiteral("4.2 ms");
    QTest::newRow("whole under 10") << 3.0 << QStringLiteral("3 ms");
    QTest::newRow("rounds up to 10") << 9.97 << QStringLiteral("10 ms");
    QTest::newRow("ms") << 910.4 << QStringLiteral("910 ms");
    QTest::newRow("a load on the map") << 420.0 << QStringLiteral("420 ms");
    QTest::newRow("just under a second") << 999.4 << QStringLiteral("999 ms");
    QTest::newRow("rounds to a second") << 999.6 << QStringLiteral("1 s");
    QTest::newRow("seconds") << 2480.0 << QStringLiteral("2.48 s");
    QTest::newRow("whole seconds") << 5000.0 << QStringLiteral("5 s");
    QTest::newRow("tens of seconds") << 12'345.0 << QStringLiteral("12.3 s");
    QTest::newRow("whole tens") << 60'000.0 << QStringLiteral("60 s");
    QTest::newRow("minutes") << 125'400.0 << QStringLiteral("125 s");
    QTest::newRow("negative") << -250.0 << QStringLiteral("-250 ms");
}

void TestDisplayFormat::durations()
{
    QFETCH(double, ms);
    QFETCH(QString, text);
    QCOMPARE(DisplayFormat::duration(ms), text);
}

void TestDisplayFormat::durationsInOtherLocales_data()
{
    QTest::addColumn<QString>("locale");
    QTest::addColumn<double>("ms");
    QTest::addColumn<QString>("text");
    // A decimal comma where the locale has one; never a thousands separator inside a duration.
    QTest::newRow("de seconds") << QStringLiteral("de_DE") << 2480.0 << QStringLiteral("2,48 s");
    QTest::newRow("de ms") << QStringLiteral("de_DE") << 4.24 << QStringLiteral("4,2 ms");
    QTest::newRow("fr tens") << QStringLiteral("fr_FR") << 12'345.0 << QStringLiteral("12,3 s");
    QTest::newRow("en no grouping") << QStringLiteral("en_US") << 125'400.0 << QStringLiteral("125 s");
    QTest::newRow("en seconds") << QStringLiteral("en_US") << 2480.0 << QStringLiteral("2.48 s");
}

void TestDisplayFormat::durationsInOtherLocales()
{
    QFETCH(QString, locale);
    QFETCH(double, ms);
    QFETCH(QString, text);
    QCOMPARE(DisplayFormat::duration(ms, QLocale(locale)), text);
}

void TestDisplayFormat::missingIsOneMarker()
{
    QCOMPARE(DisplayFormat::missing(), QStringLiteral("—"));
    QCOMPARE(DisplayFormat::duration(std::nullopt), DisplayFormat::missing());
    QCOMPARE(DisplayFormat::duration(std::numeric_limits<double>::quiet_NaN()), DisplayFormat::missing());
    for (const PageMetric &metric : PageMetric::all())
        QCOMPARE(metric.format(std::optional<double>()), DisplayFormat::missing());
}

void TestDisplayFormat::deltas_data()
{
    QTest::addColumn<double>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("slower") << 250.0 << QStringLiteral("+250 ms");
    QTest::newRow("faster") << -1200.0 << QStringLiteral("−1.20 s");
    QTest::newRow("same") << 0.0 << QStringLiteral("±0 ms");
}

void TestDisplayFormat::deltas()
{
    QFETCH(double, ms);
    QFETCH(QString, text);
    QCOMPARE(DisplayFormat::durationDelta(ms), text);
}

void TestDisplayFormat::axisTicks_data()
{
    QTest::addColumn<double>("ms");
    QTest::addColumn<double>("step");
    QTest::addColumn<double>("span");
    QTest::addColumn<QString>("text");
    QTest::newRow("origin") << 0.0 << 100.0 << 400.0 << QStringLiteral("0");
    QTest::newRow("short page") << 100.0 << 100.0 << 400.0 << QStringLiteral("100 ms");
    QTest::newRow("sub-ms steps") << 0.5 << 0.5 << 2.0 << QStringLiteral("0.5 ms");
    QTest::newRow("half seconds") << 500.0 << 500.0 << 3000.0 << QStringLiteral("0.5 s");
    QTest::newRow("whole seconds") << 2000.0 << 2000.0 << 12'000.0 << QStringLiteral("2 s");
    QTest::newRow("fine steps on a long axis") << 1050.0 << 50.0 << 1500.0 << QStringLiteral("1.05 s");
}

void TestDisplayFormat::axisTicks()
{
    QFETCH(double, ms);
    QFETCH(double, step);
    QFETCH(double, span);
    QFETCH(QString, text);
    QCOMPARE(DisplayFormat::axisTick(ms, step, span), text);
}

void TestDisplayFormat::bytes_data()
{
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("german"); // the locale's words and separators, the same units
    // 1000-based, as DevTools and the budgets count: 33 055 bytes is 33.1 kB (the probe once wrote "32.3 KB").
    QTest::newRow("bytes") << qint64(850) << QStringLiteral("850 bytes") << QStringLiteral("850 Bytes");
    QTest::newRow("kB") << qint64(33'055) << QStringLiteral("33.1 kB") << QStringLiteral("33,1 kB");
    QTest::newRow("just under a MB") << qint64(999'949) << QStringLiteral("999.9 kB") << QStringLiteral("999,9 kB");
    QTest::newRow("MB") << qint64(2'450'000) << QStringLiteral("2.45 MB") << QStringLiteral("2,45 MB");
    QTest::newRow("GB") << qint64(3'210'000'000) << QStringLiteral("3.21 GB") << QStringLiteral("3,21 GB");
}

void TestDisplayFormat::bytes()
{
    QFETCH(qint64, bytes);
    QFETCH(QString, text);
    QFETCH(QString, german);
    QCOMPARE(DisplayFormat::bytes(bytes), text);
    QCOMPARE(DisplayFormat::bytes(bytes, QLocale(QLocale::German)), german);
}

void TestDisplayFormat::countsAndScores()
{
    QCOMPARE(DisplayFormat::count(12'345, QLocale(QStringLiteral("en_US"))), QStringLiteral("12345"));
    QCOMPARE(DisplayFormat::score(0.1234), QStringLiteral("0.123"));
    QCOMPARE(DisplayFormat::score(0.1), QStringLiteral("0.1"));
    QCOMPARE(DisplayFormat::score(0), QStringLiteral("0"));
    QCOMPARE(DisplayFormat::score(0.25, QLocale(QStringLiteral("de_DE"))), QStringLiteral("0,25"));
}

void TestDisplayFormat::tableCoversEveryMetricOnce()
{
    const QList<PageMetric> &all = PageMetric::all();
    QCOMPARE(all.size(), 17);
    QSet<QString> keys;
    QSet<QString> columns;
    QSet<QString> budgetNames;
    for (qsizetype i = 0; i < all.size(); ++i) {
        const PageMetric &metric = all.at(i);
        // In Id order, so get() is an index.
        QCOMPARE(static_cast<qsizetype>(metric.id), i);
        QCOMPARE(PageMetric::get(metric.id).jsonKey, metric.jsonKey);
        QVERIFY(!metric.label().isEmpty());
        QVERIFY(!metric.description().isEmpty());
        keys.insert(metric.jsonKey);
        columns.insert(metric.csvColumn);
        budgetNames.insert(metric.budgetName);
        // Exactly the optional metrics have a member: all but the request count and the bytes, which every measured
        // view has.
        const bool optional = metric.id != PageMetric::Id::Requests && metric.id != PageMetric::Id::Bytes;
        QCOMPARE(metric.optionalMember() != nullptr, optional);
    }
    QCOMPARE(keys.size(), all.size());
    QCOMPARE(columns.size(), all.size());
    QCOMPARE(budgetNames.size(), all.size());
    QCOMPARE(PageMetric::durations(),
        (QList<PageMetric::Id> { PageMetric::Id::Ttfb, PageMetric::Id::Fcp, PageMetric::Id::Lcp, PageMetric::Id::Dcl,
            PageMetric::Id::Load, PageMetric::Id::FullyLoaded, PageMetric::Id::FirstVisualChange,
            PageMetric::Id::SpeedIndex, PageMetric::Id::VisualComplete85, PageMetric::Id::VisualComplete99,
            PageMetric::Id::LastVisualChange, PageMetric::Id::Tbt, PageMetric::Id::LongestTask }));
    QCOMPARE(PageMetric::get(PageMetric::Id::LongTasks).unitName(), QStringLiteral("tasks"));
}

void TestDisplayFormat::tableReadsPageMetrics()
{
    PageMetrics m;
    m.ttfbMs = 12.5;
    m.loadMs = 900;
    m.cumulativeLayoutShift = 0.05;
    m.requestCount = 7;
    m.totalEncodedBytes = 64'544;
    QCOMPARE(PageMetric::get(PageMetric::Id::Ttfb).value(m), std::optional<double>(12.5));
    QCOMPARE(PageMetric::get(PageMetric::Id::Load).value(m), std::optional<double>(900));
    QCOMPARE(PageMetric::get(PageMetric::Id::Cls).value(m), std::optional<double>(0.05));
    QCOMPARE(PageMetric::get(PageMetric::Id::Requests).value(m), std::optional<double>(7));
    QCOMPARE(PageMetric::get(PageMetric::Id::Bytes).value(m), std::optional<double>(64'544));
    // Not observed stays absent: no LCP, no fully loaded.
    QVERIFY(!PageMetric::get(PageMetric::Id::Lcp).value(m));
    QVERIFY(!PageMetric::get(PageMetric::Id::FullyLoaded).value(m));
}

void TestDisplayFormat::tableFormatsByUnit()
{
    PageMetrics m;
    m.loadMs = 2480;
    m.cumulativeLayoutShift = 0.1;
    m.requestCount = 12;
    m.totalEncodedBytes = 33'100;
    QCOMPARE(PageMetric::get(PageMetric::Id::Load).format(m), QStringLiteral("2.48 s"));
    QCOMPARE(PageMetric::get(PageMetric::Id::Cls).format(m), QStringLiteral("0.1"));
    QCOMPARE(PageMetric::get(PageMetric::Id::Requests).format(m), QStringLiteral("12"));
    QCOMPARE(PageMetric::get(PageMetric::Id::Bytes).format(m), QStringLiteral("33.1 kB"));
    QCOMPARE(PageMetric::get(PageMetric::Id::Fcp).format(m), DisplayFormat::missing());
    QCOMPARE(PageMetric::get(PageMetric::Id::Load).unitName(), QStringLiteral("ms"));
    QCOMPARE(PageMetric::get(PageMetric::Id::Bytes).unitName(), QStringLiteral("B"));
    QCOMPARE(PageMetric::get(PageMetric::Id::Requests).unitName(), QStringLiteral("requests"));
    QCOMPARE(PageMetric::get(PageMetric::Id::Cls).unitName(), QString());
    // A text table's column holds the label and a long value, each with a space before it.
    PageMetrics wide;
    wide.loadMs = 12'345.6;
    wide.longestTaskMs = 12'345.6;
    wide.totalEncodedBytes = 999'900;
    wide.cumulativeLayoutShift = 0.1234;
    wide.requestCount = 12'345;
    for (const PageMetric &metric : PageMetric::all()) {
        QVERIFY2(metric.textWidth() > metric.label().size(), qPrintable(metric.label()));
        QVERIFY2(metric.textWidth() > metric.format(wide).size(), qPrintable(metric.format(wide)));
    }
}

void TestDisplayFormat::tableLooksUpNames()
{
    QCOMPARE(PageMetric::fromJsonKey(u"loadMs")->id, PageMetric::Id::Load);
    QCOMPARE(PageMetric::fromBudgetName(u"FULLY")->id, PageMetric::Id::FullyLoaded);
    QCOMPARE(PageMetric::fromBudgetName(u"lcp")->csvColumn, QStringLiteral("lcp_ms"));
    QVERIFY(!PageMetric::fromJsonKey(u"load"));
    QVERIFY(!PageMetric::fromBudgetName(u"speed"));
}

void TestDisplayFormat::pageMetricsJsonUsesTheTableKeys()
{
    PageMetrics m;
    m.ttfbMs = 9.5;
    m.largestContentfulPaintMs = 112;
    m.cumulativeLayoutShift = 0;
    m.requestCount = 4;
    m.totalEncodedBytes = 100;
    const QJsonObject json = m.toJson();
    for (const PageMetric &metric : PageMetric::all()) {
        const std::optional<double> value = metric.value(m);
        QCOMPARE(json.contains(metric.jsonKey), value.has_value());
        if (value)
            QCOMPARE(json.value(metric.jsonKey).toDouble(), *value);
    }
    QString error;
    const std::optional<PageMetrics> back = PageMetrics::fromJson(json, &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, m);
}

QTEST_GUILESS_MAIN(TestDisplayFormat)
#include "tst_displayformat.moc"
