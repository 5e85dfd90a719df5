// The filmstrip and the visual metrics derived from it, against a page whose visual progress is known by
// construction: blank, then its top half painted, then its bottom half, each paint timed by the page itself.
#include "browsertestcase.h"
#include "testwebserver.h"

#include <QBuffer>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

// Blank until its top half is shown (~400 ms), then its bottom half (~1200 ms), well after the load event: each half
// an image of one dark colour, added at that time. The page reports when each was actually on screen: Element
// Timing's renderTime, the time of the frame that first showed it (what a filmstrip sees, later than the script's
// timer on a busy machine).
const QByteArray halvesPage = R"(<!doctype html><html><head><style>
html, body { margin: 0; background: #fff; }
img { position: fixed; left: 0; width: 100vw; height: 50vh; }
</style></head><body><script>
const rendered = {};
new PerformanceObserver(list => {
  for (const e of list.getEntries()) rendered[e.identifier] = e.renderTime;
  if (rendered.top && rendered.bottom)
    setTimeout(() => navigator.sendBeacon('/beacon', JSON.stringify({ rendered })), 100);
}).observe({ type: 'element', buffered: true });
function showAt(ms, id, top) {
  setTimeout(() => {
    const img = new Image();
    img.setAttribute('elementtiming', id);
    img.style.top = top;
    img.src = '/dark.png';
    document.body.appendChild(img);
  }, Math.max(0, ms - performance.now()));
}
showAt(400, 'top', '0');
showAt(1200, 'bottom', '50vh');
</script></body></html>)";

QByteArray darkPng()
{
    QImage image(16, 16, QImage::Format_RGB32);
    image.fill(QColor(0x20, 0x30, 0x60));
    QByteArray png;
    QBuffer buffer(&png);
    buffer.open(QIODevice::WriteOnly);
    image.save(&buffer, "PNG");
    return png;
}

// Within this much of the render times: a screencast frame is stamped when the compositor captures it, a frame or
// two after Element Timing's presentation time.
constexpr double toleranceMs = 50;

} // namespace

class tst_VisualMetrics : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void visualMetricsOfAConstructedPage();
    void aStepStartsFromThePageTheScriptLeft();
    void withoutAFilmstripTheVisualMetricsAreAbsent();

private:
    TestWebServer m_server;
    std::unique_ptr<LoadScheduler> m_scheduler;
};

void tst_VisualMetrics::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
    TestWebServer::Response page;
    page.body = halvesPage;
    m_server.route(QStringLiteral("/halves"), page);
    TestWebServer::Response image;
    image.contentType = "image/png";
    image.body = darkPng();
    m_server.route(QStringLiteral("/dark.png"), image);
    TestWebServer::Response red;
    red.body = "<!doctype html><style>html { background: #d02010; }</style>";
    m_server.route(QStringLiteral("/red"), red);
    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 1 });
}

void tst_VisualMetrics::visualMetricsOfAConstructedPage()
{
    QSignalSpy beacon(&m_server, &TestWebServer::beaconReceived);
    LoadOptions options;
    options.filmstrip = true;
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/halves")), options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QTRY_COMPARE_WITH_TIMEOUT(beacon.size(), 1, 10'000);
    const QJsonObject rendered = QJsonDocument::fromJson(beacon.first().first().toByteArray())
                                     .object()
                                     .value(QStringLiteral("rendered"))
                                     .toObject();
    const double first = rendered.value(QStringLiteral("top")).toDouble();
    const double second = rendered.value(QStringLiteral("bottom")).toDouble();
    QVERIFY(first > 0 && second > first);

    const PageMetrics &m = run.firstView.metrics;
    QVERIFY(m.loadMs && *m.loadMs < second); // the second paint comes after the load event, and still counts
    QVERIFY(m.firstVisualChangeMs && m.speedIndexMs && m.visualComplete85Ms && m.visualComplete99Ms
        && m.lastVisualChangeMs);
    // Blank until the first paint, half done until the second: the area above the progress curve.
    const double speedIndex = first + (second - first) / 2;
    qInfo("shown at %.0f and %.0f ms; FVC %.0f, SI %.0f (constructed %.0f), VC85 %.0f, VC99 %.0f, LVC %.0f", first,
        second, *m.firstVisualChangeMs, *m.speedIndexMs, speedIndex, *m.visualComplete85Ms, *m.visualComplete99Ms,
        *m.lastVisualChangeMs);
    const auto near = [](double measured, double truth) { return std::abs(measured - truth) <= toleranceMs; };
    QVERIFY(near(*m.firstVisualChangeMs, first));
    QVERIFY(near(*m.speedIndexMs, speedIndex));
    QVERIFY(near(*m.visualComplete85Ms, second));
    QVERIFY(near(*m.visualComplete99Ms, second));
    QVERIFY(near(*m.lastVisualChangeMs, second));

    // The thumbnails: in time order, small, within the budget, the last one showing the painted page.
    const Filmstrip &strip = run.firstView.filmstrip;
    QVERIFY(strip.frames.size() >= 3);
    QVERIFY(strip.frames.size() <= Filmstrip::maxFrames);
    QVERIFY(strip.totalBytes() <= Filmstrip::maxTotalBytes);
    qInfo("%lld frames, %lld bytes", qlonglong(strip.frames.size()), qlonglong(strip.totalBytes()));
    QCOMPARE(strip.frames.first().timeMs, 0.0);
    for (qsizetype i = 1; i < strip.frames.size(); ++i)
        QVERIFY(strip.frames[i].timeMs >= strip.frames[i - 1].timeMs);
    const QImage last = QImage::fromData(strip.frames.last().jpeg, "JPEG");
    QVERIFY(!last.isNull());
    QVERIFY(std::max(last.width(), last.height()) <= Filmstrip::thumbnailSide);
    QVERIFY(qBlue(last.pixel(last.width() / 2, last.height() / 4)) < 160);
    QVERIFY(qBlue(last.pixel(last.width() / 2, last.height() * 3 / 4)) < 160);
    // It travels: the view's JSON (`measure --json`, the protocol's metrics) reads back the same.
    QString error;
    const auto back = ViewResult::fromJson(run.firstView.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->filmstrip, strip);
}

// A script loads a page of one red colour, then measures the halves page. What the step's strip starts from is the
// red page: loaded so fast that its load event can come before its first paint, it must be on screen at navigation
// start, not painted a moment into the step (which would make that paint the step's first visual change). The step's
// first change is then the red page making way for the halves page, which cannot happen before its response came.
void tst_VisualMetrics::aStepStartsFromThePageTheScriptLeft()
{
    LoadOptions options;
    options.filmstrip = true;
    options.test.script
        = QStringLiteral("logData\t0\nnavigate\t%1\nlogData\t1\nnavigate\t%2\n")
              .arg(m_server.url(QStringLiteral("/red")).toString(), m_server.url(QStringLiteral("/halves")).toString());
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/red")), options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QVERIFY(run.firstView.url.endsWith(u"/halves"));
    const Filmstrip &strip = run.firstView.filmstrip;
    QVERIFY(strip.frames.size() >= 3);
    QCOMPARE(strip.frames.first().timeMs, 0.0);
    const QImage start = QImage::fromData(strip.frames.first().jpeg, "JPEG");
    QVERIFY(!start.isNull());
    const QRgb middle = start.pixel(start.width() / 2, start.height() / 2);
    QVERIFY2(qRed(middle) > 160 && qGreen(middle) < 100 && qBlue(middle) < 100,
        qPrintable(QStringLiteral("the step's strip starts with #%1, not the red page").arg(middle & 0xffffff, 6, 16)));
    const PageMetrics &m = run.firstView.metrics;
    QVERIFY(m.ttfbMs && m.firstVisualChangeMs && m.lastVisualChangeMs);
    qInfo("TTFB %.0f ms, FVC %.0f ms, LVC %.0f ms", *m.ttfbMs, *m.firstVisualChangeMs, *m.lastVisualChangeMs);
    QVERIFY(*m.firstVisualChangeMs >= *m.ttfbMs);
    QVERIFY(*m.lastVisualChangeMs > *m.firstVisualChangeMs);
}

void tst_VisualMetrics::withoutAFilmstripTheVisualMetricsAreAbsent()
{
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/halves")));
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    const PageMetrics &m = run.firstView.metrics;
    QVERIFY(run.firstView.filmstrip.isEmpty());
    QVERIFY(!m.firstVisualChangeMs && !m.speedIndexMs && !m.visualComplete85Ms && !m.visualComplete99Ms
        && !m.lastVisualChangeMs);
}

QTEST_MAIN(tst_VisualMetrics)
#include "tst_visualmetrics.moc"
