// The PDF report of a test, written offscreen and checked with poppler's tools (pdfinfo, pdftotext, pdftoppm):
// it is a PDF, has the pages the report says, the paper the locale asks for, every page numbered, the failed
// region's reason, and it renders. Its timings chart (MetricsBarChart) is painted into an image and checked pixel
// by pixel. Set WORLDSPEED_SCREENSHOT_DIR to keep the pages as PNGs.

#include "metricsbarchart.h"
#include "pdfreport.h"

#include <QBuffer>
#include <QDir>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

namespace {

const QString pageUrl = QStringLiteral("https://shop.example.com/products/winter-sale?ref=newsletter");
const QString failure = QStringLiteral("the probe in syd went away: machine destroyed by the provider");

RequestTiming request(int index, double startMs, double scale)
{
    static const QStringList types { QStringLiteral("Document"), QStringLiteral("Stylesheet"), QStringLiteral("Script"),
        QStringLiteral("Image"), QStringLiteral("Font"), QStringLiteral("XHR") };
    RequestTiming r;
    r.id = QString::number(index);
    r.resourceType = index == 0 ? types.at(0) : types.at(1 + index % 5);
    r.url = index == 0 ? pageUrl
                       : QStringLiteral("https://%1/assets/%2-%3.%4")
                             .arg(index % 3 ? QStringLiteral("cdn.example.net") : QStringLiteral("shop.example.com"))
                             .arg(r.resourceType.toLower())
                             .arg(index)
                             .arg(index % 5 == 2 ? QStringLiteral("png") : QStringLiteral("js"));
    r.method = QStringLiteral("GET");
    r.status = index == 17 ? 404 : 200;
    r.protocol = QStringLiteral("h2");
    r.startMs = startMs;
    RequestPhases &p = r.phases;
    if (index % 4 == 0) {
        p.blocked = 2 * scale;
        p.dns = 18 * scale;
        p.connect = 24 * scale;
        p.ssl = 30 * scale;
    } else {
        p.blocked = (3 + index % 7) * scale;
    }
    p.send = 0.4 * scale;
    p.wait = (40 + (index * 37) % 160) * scale;
    p.receive = (5 + (index * 53) % 220) * scale;
    r.durationMs = p.sum();
    r.encodedBytes = 1000 + index * 733;
    r.outcome = index == 21 ? RequestTiming::Outcome::Failed : RequestTiming::Outcome::Finished;
    if (r.outcome == RequestTiming::Outcome::Failed)
        r.failureText = QStringLiteral("net::ERR_CONNECTION_RESET");
    return r;
}

// A page painted top down in four steps, 250 ms × scale apart.
Filmstrip paintedTopDown(double scale)
{
    Filmstrip strip;
    for (int step = 0; step <= 4; ++step) {
        QImage image(160, 90, QImage::Format_RGB32);
        image.fill(Qt::white);
        QPainter(&image).fillRect(0, 0, 160, 90 * step / 4, QColor(0x20, 0x30, 0x60));
        QByteArray jpeg;
        QBuffer buffer(&jpeg);
        buffer.open(QIODevice::WriteOnly);
        image.save(&buffer, "JPEG", 70);
        strip.frames.append(Filmstrip::Frame { step * 250 * scale, jpeg });
    }
    return strip;
}

RegionRun run(int index, double scale, int requests)
{
    RegionRun run;
    run.index = index;
    run.finished = true;
    run.firstViewMeasured = true;
    run.cold = index == 1;
    ViewResult &view = run.firstView;
    view.url = pageUrl;
    view.finalUrl = pageUrl;
    double start = 0;
    for (int i = 0; i < requests; ++i) {
        view.requests.append(request(i, start, scale));
        start += (i == 0 ? 180 : 14 + (i * 29) % 60) * scale;
    }
    PageMetrics &m = view.metrics;
    m.documentStatus = 200;
    m.ttfbMs = 95 * scale;
    m.firstContentfulPaintMs = 420 * scale;
    m.largestContentfulPaintMs = 780 * scale;
    m.domContentLoadedMs = 650 * scale;
    m.loadMs = 1000 * scale + index * 20;
    m.fullyLoadedMs = 1300 * scale;
    m.cumulativeLayoutShift = 0.02 * index;
    m.totalBlockingTimeMs = 140 * scale;
    m.longestTaskMs = 160 * scale;
    m.longTaskCount = 3;
    m.firstVisualChangeMs = 250 * scale;
    m.speedIndexMs = 625 * scale;
    m.visualComplete85Ms = 1000 * scale;
    m.visualComplete99Ms = 1000 * scale;
    m.lastVisualChangeMs = 1000 * scale;
    view.filmstrip = paintedTopDown(scale);
    m.requestCount = requests;
    m.totalEncodedBytes = 850'000 + qint64(scale * 20'000);
    return run;
}

// A test of `codes`, two runs each; the region `failedCode` failed both.
const QColor screenshotColour(255, 0, 255);

QByteArray screenshotPng()
{
    QImage image(400, 300, QImage::Format_RGB32);
    image.fill(screenshotColour);
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

TestRecord makeTest(const QStringList &codes, const QString &failedCode)
{
    TestRecord test;
    test.id = 7;
    test.url = pageUrl;
    test.options.profile = QStringLiteral("Cable");
    test.options.repeatView = false;
    test.runsPerRegion = 2;
    test.regions = codes;
    test.startedAt = QDateTime(QDate(2024, 11, 5), QTime(14, 30, 12), Qt::UTC);
    test.finishedAt = test.startedAt.addSecs(48);
    for (int i = 0; i < codes.size(); ++i) {
        RegionRecord record;
        if (codes.at(i) == failedCode) {
            record.state = RunState::Error;
            record.detail = failure;
            for (int r = 1; r <= 2; ++r) {
                RegionRun failed;
                failed.index = r;
                failed.finished = true;
                failed.error = LoadError { LoadError::Kind::ConnectionFailed, failure };
                failed.firstView.url = pageUrl;
                record.runs.append(failed);
            }
        } else {
            record.state = RunState::Complete;
            const double scale = 0.8 + 0.45 * (i % 9);
            record.runs.append(run(1, scale, 24 + i % 7));
            record.runs.append(run(2, scale * 1.05, 24 + i % 7));
            if (i == 0) {
                // The first region's runs took screenshots (its median is run 1), in a colour nothing else has.
                for (RegionRun &shot : record.runs)
                    shot.firstView.screenshotPng = screenshotPng();
            }
            if (i == 1) {
                // One run of the second region timed out: it is left out of the medians, and said.
                RegionRun &late = record.runs.last();
                late.error = LoadError { LoadError::Kind::Timeout,
                    QStringLiteral("the page did not finish loading within 60 s") };
                late.firstViewMeasured = false;
            }
        }
        test.results.insert(codes.at(i), record);
    }
    return test;
}

QString run(const QString &program, const QStringList &arguments, bool *ok)
{
    QProcess process;
    process.start(program, arguments);
    *ok = process.waitForFinished(60'000) && process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
    return QString::fromUtf8(process.readAllStandardOutput());
}

using Metric = PageMetric::Id;

MetricsBarChart::RegionValues regionValues(const QString &code, const QString &city, std::optional<double> ttfb,
    std::optional<double> fcp, std::optional<double> lcp, std::optional<double> load)
{
    return { code, city, { ttfb, fcp, lcp, load } };
}

bool near(const QColor &a, const QColor &b)
{
    return std::abs(a.red() - b.red()) <= 8 && std::abs(a.green() - b.green()) <= 8
        && std::abs(a.blue() - b.blue()) <= 8;
}

// Pixels of `color` in `rect` of the image.
int countColour(const QImage &image, const QRectF &rect, const QColor &color)
{
    int count = 0;
    const QRect pixels = rect.toAlignedRect().intersected(image.rect());
    for (int y = pixels.top(); y <= pixels.bottom(); ++y) {
        for (int x = pixels.left(); x <= pixels.right(); ++x)
            count += near(image.pixelColor(x, y), color);
    }
    return count;
}

int pdfPages(const QString &path)
{
    bool ok = false;
    const QString info = run(QStringLiteral("pdfinfo"), { path }, &ok);
    const QRegularExpressionMatch match = QRegularExpression(QStringLiteral("Pages:\\s+(\\d+)")).match(info);
    return ok && match.hasMatch() ? match.captured(1).toInt() : -1;
}

} // namespace

class tst_PdfReport : public QObject
{
    Q_OBJECT

private slots:
    void paperFollowsTheTerritory_data();
    void paperFollowsTheTerritory();
    void reportOfFiveRegions();
    void manyRegionsPaginate();
    void unwritablePathFails();
    void chartAxis_data();
    void chartAxis();
    void chartGroupNames();
    void chartBarsMatchTheirValues();
    void chartLegend();
};

void tst_PdfReport::paperFollowsTheTerritory_data()
{
    QTest::addColumn<QLocale::Territory>("territory");
    QTest::addColumn<QPageSize::PageSizeId>("size");
    QTest::newRow("US") << QLocale::UnitedStates << QPageSize::Letter;
    QTest::newRow("CA") << QLocale::Canada << QPageSize::Letter;
    QTest::newRow("MX") << QLocale::Mexico << QPageSize::Letter;
    QTest::newRow("PH") << QLocale::Philippines << QPageSize::Letter;
    QTest::newRow("DE") << QLocale::Germany << QPageSize::A4;
    QTest::newRow("GB") << QLocale::UnitedKingdom << QPageSize::A4;
    QTest::newRow("JP") << QLocale::Japan << QPageSize::A4;
    QTest::newRow("any") << QLocale::AnyTerritory << QPageSize::A4;
}

void tst_PdfReport::paperFollowsTheTerritory()
{
    QFETCH(QLocale::Territory, territory);
    QFETCH(QPageSize::PageSizeId, size);
    QCOMPARE(PdfReport::pageSizeFor(territory), size);
}

void tst_PdfReport::reportOfFiveRegions()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QStringList codes { QStringLiteral("fra"), QStringLiteral("iad"), QStringLiteral("gru"),
        QStringLiteral("sin"), QStringLiteral("syd") };
    PdfReport report(makeTest(codes, QStringLiteral("syd")), RegionCatalog::builtIn());
    report.setPageSize(QPageSize(QPageSize::A4));
    const QString path = dir.filePath(QStringLiteral("report.pdf"));
    QString error;
    QVERIFY2(report.write(path, &error), qPrintable(error));

    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.read(5), QByteArray("%PDF-"));
    file.close();
    QVERIFY2(report.pageCount() >= 2, qPrintable(QString::number(report.pageCount())));
    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty()) {
        QVERIFY(QDir().mkpath(keep));
        QFile::remove(QDir(keep).filePath(QStringLiteral("report.pdf")));
        QVERIFY(QFile::copy(path, QDir(keep).filePath(QStringLiteral("report.pdf"))));
    }

    if (QStandardPaths::findExecutable(QStringLiteral("pdfinfo")).isEmpty())
        QSKIP("poppler-utils (pdfinfo, pdftotext, pdftoppm) is not installed");
    bool ok = false;
    const QString info = run(QStringLiteral("pdfinfo"), { path }, &ok);
    QVERIFY2(ok, qPrintable(info));
    QCOMPARE(pdfPages(path), report.pageCount());
    QVERIFY2(info.contains(QStringLiteral("(A4)")), qPrintable(info));
    QVERIFY2(info.contains(QStringLiteral("WorldSpeed")), qPrintable(info));

    // Every page is numbered; the text says what the report is about, the failure included.
    const QString text
        = run(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), path, QStringLiteral("-") }, &ok);
    QVERIFY(ok);
    for (int page = 1; page <= report.pageCount(); ++page) {
        const QString pageText = run(QStringLiteral("pdftotext"),
            { QStringLiteral("-f"), QString::number(page), QStringLiteral("-l"), QString::number(page), path,
                QStringLiteral("-") },
            &ok);
        QVERIFY(ok);
        QVERIFY2(
            pageText.contains(QStringLiteral("Page %1 of %2").arg(page).arg(report.pageCount())), qPrintable(pageText));
    }
    for (const QString &expected :
        { QStringLiteral("shop.example.com"), QStringLiteral("Frankfurt (fra)"), QStringLiteral("Ashburn (iad)"),
            QStringLiteral("Sydney (syd)"), QStringLiteral("Cable"), QStringLiteral("Results by region"),
            QStringLiteral("Slowest requests"), QStringLiteral("machine destroyed"),
            QStringLiteral("1 of 2 runs failed: the page did not"), QStringLiteral("Screenshot at the end of run"),
            QStringLiteral("Largest contentful paint"), // the chart's legend, as text
            QStringLiteral("Filmstrip · Speed Index") }) // a filmstrip under each measured region's waterfall
        QVERIFY2(text.contains(expected), qPrintable(expected));
    // The results table has a column per metric of the metric table that some region measured, in the table's
    // order (titles wrap between words), and all of it fits the page: the last column's values are there.
    // A title of two words wraps: its last word is on the header's line, with the one-word titles.
    QStringList titles;
    for (const PageMetric &metric : PageMetric::all()) {
        titles.append(QRegularExpression::escape(metric.label().split(u' ').last()));
        for (const QString &word : metric.label().split(u' '))
            QVERIFY2(text.contains(word), qPrintable(word));
    }
    QVERIFY2(text.contains(QRegularExpression(QStringLiteral("Region\\s+") + titles.join(QStringLiteral("\\s+")))),
        qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("866.4 kB")), qPrintable(text));

    const QString pngDir = dir.filePath(QStringLiteral("png"));
    QVERIFY(QDir().mkpath(pngDir));
    run(QStringLiteral("pdftoppm"),
        { QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("50"), path,
            QDir(pngDir).filePath(QStringLiteral("page")) },
        &ok);
    QVERIFY(ok);
    const QStringList pngs = QDir(pngDir).entryList({ QStringLiteral("page*.png") }, QDir::Files, QDir::Name);
    QCOMPARE(pngs.size(), report.pageCount());
    int screenshotPixels = 0;
    for (const QString &png : pngs) {
        QImage image(QDir(pngDir).filePath(png));
        QVERIFY(!image.isNull());
        for (int y = 0; y < image.height(); ++y) {
            for (int x = 0; x < image.width(); ++x) {
                // Near the colour: the renderer may round it a little.
                const QColor c = image.pixelColor(x, y);
                screenshotPixels += c.red() > 220 && c.green() < 40 && c.blue() > 220 ? 1 : 0;
            }
        }
        QVERIFY2(
            std::abs(image.width() - 413) <= 1, qPrintable(QString::number(image.width()))); // A4 at 50 dpi: 8.27 in
    }
    // The screenshot is in the report, at a size one can recognise a page at (over 2 cm × 1.5 cm).
    QVERIFY2(screenshotPixels > 40 * 30, qPrintable(QString::number(screenshotPixels)));

    if (!keep.isEmpty()) {
        for (const QString &png : pngs) {
            QFile::remove(QDir(keep).filePath(QStringLiteral("report-") + png));
            QVERIFY(QFile::copy(QDir(pngDir).filePath(png), QDir(keep).filePath(QStringLiteral("report-") + png)));
        }
    }
}

void tst_PdfReport::manyRegionsPaginate()
{
    QTemporaryDir dir;
    QStringList codes;
    const RegionCatalog catalog = RegionCatalog::builtIn();
    for (const RegionCatalog::Region &region : catalog.regions())
        codes.append(region.code);
    codes = codes.mid(0, 30);
    PdfReport report(makeTest(codes, codes.at(7)), RegionCatalog::builtIn());
    report.setPageSize(QPageSize(QPageSize::Letter));
    const QString path = dir.filePath(QStringLiteral("many.pdf"));
    QString error;
    QVERIFY2(report.write(path, &error), qPrintable(error));
    QVERIFY(report.pageCount() >= 5);
    if (QStandardPaths::findExecutable(QStringLiteral("pdfinfo")).isEmpty())
        QSKIP("poppler-utils is not installed");
    bool ok = false;
    const QString info = run(QStringLiteral("pdfinfo"), { path }, &ok);
    QVERIFY2(info.contains(QStringLiteral("(letter)")), qPrintable(info));
    QCOMPARE(pdfPages(path), report.pageCount());
    // The table runs over a page: its header comes again on the next one.
    int headers = 0;
    for (int page = 1; page <= report.pageCount(); ++page) {
        const QString pageText = run(QStringLiteral("pdftotext"),
            { QStringLiteral("-layout"), QStringLiteral("-f"), QString::number(page), QStringLiteral("-l"),
                QString::number(page), path, QStringLiteral("-") },
            &ok);
        QVERIFY(pageText.contains(QStringLiteral("Page %1 of %2").arg(page).arg(report.pageCount())));
        if (pageText.contains(QRegularExpression(QStringLiteral("Region\\s+TTFB\\s+FCP"))))
            ++headers;
    }
    QVERIFY2(headers >= 2, qPrintable(QString::number(headers)));

    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty()) {
        QVERIFY(QDir().mkpath(keep));
        QFile::remove(QDir(keep).filePath(QStringLiteral("many.pdf")));
        QVERIFY(QFile::copy(path, QDir(keep).filePath(QStringLiteral("many.pdf"))));
        run(QStringLiteral("pdftoppm"),
            { QStringLiteral("-png"), QStringLiteral("-r"), QStringLiteral("50"), path,
                QDir(keep).filePath(QStringLiteral("many")) },
            &ok);
    }
}

void tst_PdfReport::unwritablePathFails()
{
    PdfReport report(makeTest({ QStringLiteral("fra") }, {}), RegionCatalog::builtIn());
    QString error;
    QVERIFY(!report.write(QStringLiteral("/proc/no/such/dir/report.pdf"), &error));
    QVERIFY2(error.contains(QStringLiteral("/proc/no/such/dir/report.pdf")), qPrintable(error));
}

void tst_PdfReport::chartAxis_data()
{
    QTest::addColumn<double>("largestMs");
    QTest::addColumn<double>("atLeastMs");
    QTest::addColumn<double>("topMs");
    QTest::addColumn<int>("ticks");
    QTest::newRow("nothing") << 0.0 << 0.0 << 1000.0 << 6;
    QTest::newRow("just under 1 s") << 950.0 << 0.0 << 1000.0 << 6; // 5 % headroom still fits
    QTest::newRow("1 s") << 1000.0 << 0.0 << 2000.0 << 5;
    QTest::newRow("1.5 s") << 1500.0 << 0.0 << 2000.0 << 5;
    QTest::newRow("2.3 s") << 2300.0 << 0.0 << 2500.0 << 6;
    QTest::newRow("4 s") << 4000.0 << 0.0 << 5000.0 << 6;
    QTest::newRow("12 s") << 12'000.0 << 0.0 << 20'000.0 << 5;
    QTest::newRow("another chart's scale") << 300.0 << 4000.0 << 5000.0 << 6;
}

void tst_PdfReport::chartAxis()
{
    QFETCH(double, largestMs);
    QFETCH(double, atLeastMs);
    QFETCH(double, topMs);
    QFETCH(int, ticks);
    MetricsBarChart chart;
    if (largestMs > 0)
        chart.setValues({ regionValues(QStringLiteral("fra"), {}, largestMs / 4, std::nullopt, largestMs, 1) });
    if (atLeastMs > 0)
        chart.setAxisAtLeastMs(atLeastMs);
    QCOMPARE(chart.axisMaxMs(), topMs);
    QCOMPARE(MetricsBarChart::tickCount(topMs), ticks);
}

void tst_PdfReport::chartGroupNames()
{
    const QList<MetricsBarChart::RegionValues> values {
        regionValues(QStringLiteral("fra"), QStringLiteral("Frankfurt"), 1, 2, 3, 4),
        regionValues(QStringLiteral("iad"), QStringLiteral("Ashburn"), 1, 2, 3, 4),
        regionValues(QStringLiteral("iad2"), QStringLiteral("Ashburn"), 1, 2, 3, 4),
        regionValues(QStringLiteral("x1"), QString(), 1, 2, 3, 4),
    };
    QCOMPARE(MetricsBarChart::groupNames(values, false),
        QStringList({ QStringLiteral("Frankfurt"), QStringLiteral("Ashburn (iad)"), QStringLiteral("Ashburn (iad2)"),
            QStringLiteral("x1") }));
    QCOMPARE(MetricsBarChart::groupNames(values, true),
        QStringList({ QStringLiteral("fra"), QStringLiteral("iad"), QStringLiteral("iad2"), QStringLiteral("x1") }));
}

void tst_PdfReport::chartBarsMatchTheirValues()
{
    // Frankfurt has no LCP; Sydney has nothing at all; Ashburn's load sets the scale: 1.5 s → a 2 s axis.
    MetricsBarChart chart;
    chart.setValues({ regionValues(QStringLiteral("fra"), QStringLiteral("Frankfurt"), 120, 480, std::nullopt, 900),
        regionValues(
            QStringLiteral("syd"), QStringLiteral("Sydney"), std::nullopt, std::nullopt, std::nullopt, std::nullopt),
        regionValues(QStringLiteral("iad"), QStringLiteral("Ashburn"), 200, 700, 1100, 1500) });
    QCOMPARE(chart.axisMaxMs(), 2000.0);
    QImage image(900, 450, QImage::Format_RGB32);
    image.fill(Qt::white);
    const QRectF rect(10, 10, 880, 430);
    {
        QPainter painter(&image);
        chart.paint(painter, rect);
    }
    const MetricsBarChart::Layout layout = chart.layout(rect, &image);
    QCOMPARE(layout.groups.size(), 3);
    QVERIFY(rect.contains(layout.plot));
    QVERIFY(layout.plot.height() > 200);
    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty())
        QVERIFY(QDir().mkpath(keep) && image.save(QDir(keep).filePath(QStringLiteral("chart.png"))));

    // Frankfurt's load: 900 of 2000 ms, standing on the axis, in the load colour from its top to the axis.
    const QColor load = MetricsBarChart::metricColor(Metric::Load, false);
    const auto bar = chart.barRect(layout, 0, Metric::Load);
    QVERIFY(bar);
    QVERIFY(layout.groups.at(0).contains(*bar));
    QCOMPARE(bar->bottom(), layout.plot.bottom());
    QVERIFY(qFuzzyCompare(bar->height(), layout.plot.height() * 900 / 2000));
    const int x = int(bar->center().x());
    int top = -1;
    int bottom = -1;
    for (int y = int(layout.plot.top()); y <= int(layout.plot.bottom()) + 2; ++y) {
        if (near(image.pixelColor(x, y), load)) {
            top = top < 0 ? y : top;
            bottom = y;
        }
    }
    QVERIFY2(std::abs(top - bar->top()) <= 1.5, qPrintable(QStringLiteral("%1 vs %2").arg(top).arg(bar->top())));
    // The axis line is drawn over the bars' foot.
    QVERIFY2(std::abs(bottom - layout.plot.bottom()) <= 2.5,
        qPrintable(QStringLiteral("%1 vs %2").arg(bottom).arg(layout.plot.bottom())));
    // As wide as its slot, beside the FCP bar.
    const int y = int(bar->center().y());
    QVERIFY(near(image.pixelColor(int(bar->left() + 2), y), load));
    QVERIFY(near(image.pixelColor(int(bar->right() - 2), y), load));
    QVERIFY(!near(image.pixelColor(int(bar->right() + 3), y), load));
    // Ashburn's is taller by its value.
    const auto ashburn = chart.barRect(layout, 2, Metric::Load);
    QVERIFY(ashburn && qFuzzyCompare(ashburn->height(), layout.plot.height() * 1500 / 2000));
    QVERIFY(countColour(image, *ashburn, load) > 0.9 * ashburn->width() * ashburn->height());

    // No LCP in Frankfurt: no bar at all there, not one of 0; Ashburn's LCP is there.
    const QColor lcp = MetricsBarChart::metricColor(Metric::Lcp, false);
    QVERIFY(!chart.barRect(layout, 0, Metric::Lcp));
    QCOMPARE(countColour(image, layout.groups.at(0).adjusted(0, 0, 0, 2), lcp), 0);
    QVERIFY(countColour(image, layout.groups.at(2), lcp) > 0);
    // Sydney measured nothing: no bars, and no colour of any metric in its group.
    for (const Metric metric : MetricsBarChart::metrics()) {
        QVERIFY(!chart.barRect(layout, 1, metric));
        QCOMPARE(
            countColour(image, layout.groups.at(1).adjusted(0, 0, 0, 2), MetricsBarChart::metricColor(metric, false)),
            0);
    }
    QCOMPARE(layout.nameTexts,
        QStringList({ QStringLiteral("Frankfurt"), QStringLiteral("Sydney"), QStringLiteral("Ashburn") }));
}

void tst_PdfReport::chartLegend()
{
    MetricsBarChart chart;
    chart.setValues({ regionValues(QStringLiteral("fra"), QStringLiteral("Frankfurt"), 120, 480, 650, 900) });
    QImage image(700, 350, QImage::Format_RGB32);
    image.fill(Qt::white);
    const QRectF rect(image.rect());
    {
        QPainter painter(&image);
        chart.paint(painter, rect);
    }
    const MetricsBarChart::Layout layout = chart.layout(rect, &image);
    QVERIFY(!layout.legend.isEmpty());
    QVERIFY(layout.legend.bottom() < layout.plot.top());
    for (const Metric metric : MetricsBarChart::metrics()) {
        const QRectF swatch = layout.legendSwatches.at(MetricsBarChart::indexOf(metric));
        QVERIFY(layout.legend.contains(swatch));
        QVERIFY2(near(image.pixelColor(swatch.center().toPoint()), MetricsBarChart::metricColor(metric, false)),
            qPrintable(MetricsBarChart::metricName(metric)));
    }

    // Without it, the plot takes the room and no swatch is drawn above the bars.
    chart.setLegendVisible(false);
    image.fill(Qt::white);
    {
        QPainter painter(&image);
        chart.paint(painter, rect);
    }
    const MetricsBarChart::Layout bare = chart.layout(rect, &image);
    QVERIFY(bare.legend.isEmpty());
    QVERIFY(bare.plot.top() < layout.plot.top());
    const QRectF above(rect.left(), rect.top(), rect.width(), bare.plot.top() - rect.top());
    for (const Metric metric : MetricsBarChart::metrics())
        QCOMPARE(countColour(image, above, MetricsBarChart::metricColor(metric, false)), 0);
}

QTEST_MAIN(tst_PdfReport)
#include "tst_pdfreport.moc"
