// PageLoad against real Chromium and the test web server: are the numbers true?
#include "browsertestcase.h"
#include "model/harbuilder.h"
#include "testwebserver.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

#include <csignal>

namespace {

// Chrome's own numbers and ours for the same run must agree within 2 %, or 10 ms for small values.
bool agrees(double ours, double chromes)
{
    return std::abs(ours - chromes) <= std::max(10.0, 0.02 * chromes);
}

QString describe(const RequestTiming &r)
{
    return QStringLiteral("%1 status=%2 start=%3 duration=%4 phases=%5")
        .arg(r.url)
        .arg(r.status.value_or(-1))
        .arg(r.startMs)
        .arg(r.durationMs.value_or(-1))
        .arg(r.phases.sum());
}

const RequestTiming *findRequest(const ViewResult &view, const QString &url)
{
    for (const RequestTiming &r : view.requests) {
        if (r.url == url)
            return &r;
    }
    return nullptr;
}

// The page sends Chrome's own Navigation, Resource and Paint Timing to /beacon once its load event has ended.
const QByteArray beaconScript = R"(<script>
window.addEventListener('load', () => setTimeout(() => {
  const nav = performance.getEntriesByType('navigation')[0].toJSON();
  const res = performance.getEntriesByType('resource').map(e => ({ name: e.name, startTime: e.startTime,
      responseEnd: e.responseEnd, decodedBodySize: e.decodedBodySize }));
  const paint = performance.getEntriesByType('paint').map(e => ({ name: e.name, startTime: e.startTime }));
  navigator.sendBeacon('/beacon', JSON.stringify({ nav, res, paint }));
}, 0));
</script>)";

} // namespace

class tst_PageLoad : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void timingsAgreeWithChrome();
    void redirectsAndErrorStatuses();
    void redirectLoopCountsOnlyItsHops();
    void documentNotFoundIsAnHttpError();
    void connectivityProfileSlowsThePage();
    void concurrentRunsAreIsolated();
    void repeatViewUsesTheCache();
    void screenshotAtLoad();
    void finishAtTheLoadEvent();
    void aPageThatSendsItselfOnEndsWhenTheNextOneIsLoaded();
    void refusedConnection();
    void garbageResponse();
    void timeoutKeepsPartialWaterfall();
    void browserKilledMidRun();
    void chromeNotFound();
    void harOfARealRun();
    void testSettingsReachTheServer();
    void blockedRequestsAreNeverSent();
    void cleanupTestCase();

private:
    TestWebServer m_server;
    std::unique_ptr<LoadScheduler> m_scheduler;
    QString m_profileRoot; // the browser's private profile, HOME and TMPDIR while it runs
};

void tst_PageLoad::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 4 });
}

void tst_PageLoad::timingsAgreeWithChrome()
{
    // A stylesheet that blocks rendering for 300 ms, an image that holds the load event for 600 ms, and a
    // script-made image that starts only after DOMContentLoaded.
    TestWebServer::Response page;
    page.body = R"(<!doctype html><html><head><title>timings</title>
<link rel="stylesheet" href="/asset?type=css&delay=300&size=2048">
</head><body><h1>WorldSpeed timing page</h1><p>Some text that paints.</p>
<img src="/asset?type=png&delay=600&size=5000" width="50" height="50">
<script>
document.addEventListener('DOMContentLoaded', () => {
  const img = new Image(); img.src = '/asset?type=png&delay=150&size=3000&late=1'; document.body.appendChild(img);
});
</script>)"
        + beaconScript + "</body></html>";
    m_server.route(QStringLiteral("/timings"), page);

    QSignalSpy beacon(&m_server, &TestWebServer::beaconReceived);
    const qsizetype servedBefore = m_server.requests().size();
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/timings")));
    const ViewResult &view = run.firstView;
    QVERIFY2(view.ok(), qPrintable(view.error ? view.error->message : QString()));
    QVERIFY(run.browserVersion.contains(u"Chrome"));
    m_profileRoot = m_scheduler->browser()->profileRoot();
    QVERIFY(QFileInfo(m_profileRoot).isDir());
    QCOMPARE(view.metrics.documentStatus, 200);
    QVERIFY(beacon.count() >= 1 || beacon.wait(5000));
    const QJsonObject chrome = QJsonDocument::fromJson(beacon.first().first().toByteArray()).object();
    const QJsonObject nav = chrome.value(QStringLiteral("nav")).toObject();

    const PageMetrics &m = view.metrics;
    QVERIFY(m.ttfbMs && m.firstContentfulPaintMs && m.largestContentfulPaintMs && m.domContentLoadedMs && m.loadMs
        && m.fullyLoadedMs && m.cumulativeLayoutShift);
    // The load event waits for the slowest blocking resource.
    QVERIFY2(*m.loadMs >= 600, qPrintable(QString::number(*m.loadMs)));
    QVERIFY2(*m.firstContentfulPaintMs >= 300, "the stylesheet blocks the first paint");
    const auto check = [](const char *what, double ours, double chromes) {
        QVERIFY2(agrees(ours, chromes),
            qPrintable(QStringLiteral("%1: ours %2 ms, Chrome's %3 ms")
                           .arg(QString::fromLatin1(what))
                           .arg(ours)
                           .arg(chromes)));
    };
    check("load", *m.loadMs, nav.value(QStringLiteral("loadEventEnd")).toDouble());
    check("DOMContentLoaded", *m.domContentLoadedMs, nav.value(QStringLiteral("domContentLoadedEventEnd")).toDouble());
    check("TTFB", *m.ttfbMs, nav.value(QStringLiteral("responseStart")).toDouble());
    for (const QJsonValue &paint : chrome.value(QStringLiteral("paint")).toArray()) {
        if (paint[QStringLiteral("name")].toString() == u"first-contentful-paint")
            check("FCP", *m.firstContentfulPaintMs, paint[QStringLiteral("startTime")].toDouble());
    }
    QVERIFY(*m.firstContentfulPaintMs <= *m.largestContentfulPaintMs);
    QVERIFY(*m.domContentLoadedMs <= *m.loadMs);
    QVERIFY(*m.loadMs <= *m.fullyLoadedMs);

    // Every request the server answered is in the waterfall exactly once, with its status and size.
    const QList<TestWebServer::Request> served = m_server.requests().mid(servedBefore);
    for (const TestWebServer::Request &request : served) {
        const QString url = m_server.url(QString::fromLatin1(request.target)).toString();
        int seen = 0;
        for (const RequestTiming &r : view.requests)
            seen += r.url == url ? 1 : 0;
        QVERIFY2(seen == 1, qPrintable(QStringLiteral("%1 appears %2 times").arg(url).arg(seen)));
    }
    QCOMPARE(view.requests.size(), served.size());
    QCOMPARE(m.requestCount, served.size());

    const RequestTiming *css
        = findRequest(view, m_server.url(QStringLiteral("/asset?type=css&delay=300&size=2048")).toString());
    const RequestTiming *img
        = findRequest(view, m_server.url(QStringLiteral("/asset?type=png&delay=600&size=5000")).toString());
    const RequestTiming *late
        = findRequest(view, m_server.url(QStringLiteral("/asset?type=png&delay=150&size=3000&late=1")).toString());
    QVERIFY(css && img && late);
    QCOMPARE(css->status, 200);
    QCOMPARE(css->decodedBytes, 2048);
    QCOMPARE(img->decodedBytes, 5000);
    QCOMPARE(late->decodedBytes, 3000);
    QCOMPARE(css->resourceType, QStringLiteral("Stylesheet"));
    QCOMPARE(img->resourceType, QStringLiteral("Image"));
    QCOMPARE(css->mimeType, QStringLiteral("text/css"));
    QCOMPARE(css->remoteIp, QStringLiteral("127.0.0.1"));
    QCOMPARE(css->protocol, QStringLiteral("http/1.1"));
    QVERIFY(css->headerBytes && css->encodedBytes);
    QCOMPARE(*css->encodedBytes - *css->headerBytes, 2048);
    // The server's delay is spent waiting for the first byte.
    QVERIFY2(css->phases.wait >= 295, qPrintable(describe(*css)));
    QVERIFY2(img->phases.wait >= 595, qPrintable(describe(*img)));
    // The late image starts inside the DOMContentLoaded handler: after the stylesheet the script waited for, and no
    // later than the event's end (which is what DCL measures). "Within 10 ms of DCL's end" held on an idle machine
    // only: under load the handler itself can take longer.
    QVERIFY2(late->startMs >= *css->endMs() - 1, qPrintable(describe(*late) + u" css " + describe(*css)));
    QVERIFY2(late->startMs <= *m.domContentLoadedMs + 1, qPrintable(describe(*late)));

    qint64 encodedTotal = 0;
    for (const RequestTiming &r : view.requests) {
        QCOMPARE(r.outcome, RequestTiming::Outcome::Finished);
        QVERIFY(r.durationMs);
        if (r.phases.wait) // requests that reached the network have their phases; they cover the request
            QVERIFY2(std::abs(r.phases.sum() - *r.durationMs) <= 1.0, qPrintable(describe(r)));
        encodedTotal += r.encodedBytes.value_or(0);
    }
    QCOMPARE(m.totalEncodedBytes, encodedTotal);

    // Our request offsets and ends sit where Chrome's Resource Timing puts them.
    int compared = 0;
    for (const QJsonValue &entry : chrome.value(QStringLiteral("res")).toArray()) {
        const RequestTiming *r = findRequest(view, entry[QStringLiteral("name")].toString());
        QVERIFY2(r, qPrintable(entry[QStringLiteral("name")].toString()));
        const double start = entry[QStringLiteral("startTime")].toDouble();
        const double end = entry[QStringLiteral("responseEnd")].toDouble();
        QVERIFY2(agrees(r->startMs, start),
            qPrintable(QStringLiteral("start %1 vs %2: %3").arg(r->startMs).arg(start).arg(describe(*r))));
        QVERIFY2(agrees(*r->endMs(), end),
            qPrintable(QStringLiteral("end %1 vs %2: %3").arg(*r->endMs()).arg(end).arg(describe(*r))));
        ++compared;
    }
    QVERIFY(compared >= 3);
}

void tst_PageLoad::redirectsAndErrorStatuses()
{
    m_server.route(QStringLiteral("/hop1"), TestWebServer::Response { 302, {}, {}, 0, 0, { { "Location", "/hop2" } } });
    m_server.route(
        QStringLiteral("/hop2"), TestWebServer::Response { 301, {}, {}, 0, 0, { { "Location", "/landing" } } });
    TestWebServer::Response landing;
    landing.body = "<!doctype html><p>landed</p><img src=\"/missing.png\"><script src=\"/broken.js\"></script>";
    m_server.route(QStringLiteral("/landing"), landing);
    m_server.route(QStringLiteral("/broken.js"), TestWebServer::Response { 500, "text/javascript", "//", 0, 0, {} });

    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/hop1")));
    const ViewResult &view = run.firstView;
    QVERIFY2(view.ok(), qPrintable(view.error ? view.error->message : QString()));
    QCOMPARE(view.finalUrl, m_server.url(QStringLiteral("/landing")).toString());
    QCOMPARE(view.metrics.documentStatus, 200);

    const RequestTiming *hop1 = findRequest(view, m_server.url(QStringLiteral("/hop1")).toString());
    const RequestTiming *hop2 = findRequest(view, m_server.url(QStringLiteral("/hop2")).toString());
    const RequestTiming *final = findRequest(view, m_server.url(QStringLiteral("/landing")).toString());
    const RequestTiming *missing = findRequest(view, m_server.url(QStringLiteral("/missing.png")).toString());
    const RequestTiming *broken = findRequest(view, m_server.url(QStringLiteral("/broken.js")).toString());
    QVERIFY(hop1 && hop2 && final && missing && broken);
    QCOMPARE(hop1->status, 302);
    QCOMPARE(hop1->redirectUrl, m_server.url(QStringLiteral("/hop2")).toString());
    QCOMPARE(hop2->status, 301);
    QCOMPARE(hop2->redirectUrl, m_server.url(QStringLiteral("/landing")).toString());
    QCOMPARE(final->status, 200);
    QCOMPARE(missing->status, 404);
    QCOMPARE(broken->status, 500);
    QVERIFY(hop1->id != hop2->id && hop2->id != final->id);
    // The hops follow one another in time, as the browser walked them.
    QVERIFY(hop1->startMs <= hop2->startMs && hop2->startMs <= final->startMs);
    QVERIFY(*hop1->endMs() <= hop2->startMs + 1);
}

void tst_PageLoad::redirectLoopCountsOnlyItsHops()
{
    // Chrome gives up after 20 hops and shows its own error page, whose icons (data: images) are not the page's.
    m_server.route(QStringLiteral("/loop"), TestWebServer::Response { 302, {}, {}, 0, 0, { { "Location", "/loop" } } });
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/loop")));
    QVERIFY(run.firstView.error);
    QVERIFY(!run.firstView.requests.isEmpty());
    for (const RequestTiming &request : run.firstView.requests)
        QCOMPARE(request.url, m_server.url(QStringLiteral("/loop")).toString());
    QCOMPARE(run.firstView.metrics.requestCount, run.firstView.requests.size());
}

void tst_PageLoad::documentNotFoundIsAnHttpError()
{
    TestWebServer::Response notFound { 404, "text/html", "<!doctype html><h1>Not here</h1>", 0, 0, {} };
    m_server.route(QStringLiteral("/gone"), notFound);
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/gone")));
    QVERIFY(run.firstView.error);
    QCOMPARE(run.firstView.error->kind, LoadError::Kind::HttpError);
    QVERIFY2(run.firstView.error->message.contains(u"404"), qPrintable(run.firstView.error->message));
    QCOMPARE(run.firstView.metrics.documentStatus, 404);
    // Still measured: a 404 page has a load time too.
    QVERIFY(run.firstView.metrics.loadMs);

    m_server.route(QStringLiteral("/fails"), TestWebServer::Response { 500, "text/html", {}, 0, 0, {} });
    const RunResult empty = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/fails")));
    QVERIFY(empty.firstView.error);
    QCOMPARE(empty.firstView.error->kind, LoadError::Kind::HttpError);
    QCOMPARE(empty.firstView.metrics.documentStatus, 500);
}

void tst_PageLoad::connectivityProfileSlowsThePage()
{
    // 60 KB over "3G" (1.6 Mbps down, 300 ms round trip) costs about 300 ms of transfer plus a round trip for
    // each of the two requests: at least ~900 ms more than on loopback.
    TestWebServer::Response page;
    page.body = "<!doctype html><p>profile</p><img src=\"/asset?type=png&size=60000&profile=1\">";
    m_server.route(QStringLiteral("/profile"), page);
    LoadOptions native;
    const RunResult fast = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/profile")), native);
    LoadOptions slow;
    slow.profile = QStringLiteral("3G");
    const RunResult throttled = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/profile")), slow);
    QVERIFY(fast.firstView.ok() && throttled.firstView.ok());
    const double fastLoad = *fast.firstView.metrics.loadMs;
    const double slowLoad = *throttled.firstView.metrics.loadMs;
    const double predicted = 2 * 300 + 60000 * 8 / 1600.0;
    qInfo("load: native %.0f ms, 3G %.0f ms (predicted extra >= %.0f ms)", fastLoad, slowLoad, predicted);
    QVERIFY2(slowLoad - fastLoad >= 0.8 * predicted, qPrintable(QString::number(slowLoad - fastLoad)));
    QVERIFY2(slowLoad - fastLoad <= 4 * predicted + 1000, qPrintable(QString::number(slowLoad - fastLoad)));
    // Every request pays the emulated round trip before its first byte.
    for (const RequestTiming &r : throttled.firstView.requests)
        QVERIFY2(r.phases.wait >= 295, qPrintable(describe(r)));
    // TTFB includes the emulated round trip (Chrome's own responseStart would not; see PageLoad::finishView).
    QVERIFY2(
        throttled.firstView.metrics.ttfbMs >= 300, qPrintable(QString::number(*throttled.firstView.metrics.ttfbMs)));
}

void tst_PageLoad::concurrentRunsAreIsolated()
{
    // The page sets a cookie and loads a script the browser may keep for an hour. Four runs at once: each must
    // send no cookie and fetch the script itself, as a first-time visitor would.
    TestWebServer::Response page;
    page.body = "<!doctype html><p>isolation</p><script src=\"/asset?type=js&size=500&maxage=3600&iso=1\"></script>"
                "<img src=\"/asset?type=png&size=100&delay=200&iso=2\">";
    page.headers = { { "Set-Cookie", "visitor=seen; Path=/; Max-Age=3600" }, { "Cache-Control", "max-age=3600" } };
    m_server.route(QStringLiteral("/isolation"), page);
    const int before = m_server.hits(QStringLiteral("/isolation"));
    const int scriptsBefore = m_server.hits(QStringLiteral("/asset"));

    QList<PageLoad *> loads;
    for (int i = 0; i < 4; ++i)
        loads.append(m_scheduler->submit(m_server.url(QStringLiteral("/isolation")), {}));
    QTRY_VERIFY_WITH_TIMEOUT(std::all_of(loads.begin(), loads.end(),
                                 [](PageLoad *l) {
                                     return l->state() == PageLoad::State::Complete
                                         || l->state() == PageLoad::State::Failed;
                                 }),
        90'000);
    for (PageLoad *load : loads) {
        QVERIFY2(load->result().ok(), qPrintable(BrowserTest::errorText(load->result())));
        for (const RequestTiming &r : load->result().firstView.requests)
            QVERIFY2(!r.fromCache, qPrintable(r.url));
        delete load;
    }
    QCOMPARE(m_server.hits(QStringLiteral("/isolation")) - before, 4);
    QCOMPARE(m_server.hits(QStringLiteral("/asset")) - scriptsBefore, 8);
    // Each run arrives without the cookie the others were given (within a run, its own cookie is sent back, as
    // it should be).
    int documents = 0;
    for (const TestWebServer::Request &request : m_server.requests()) {
        if (request.path == u"/isolation") {
            QVERIFY2(!request.headers.contains("cookie"), request.headers.value("cookie").constData());
            ++documents;
        }
    }
    QCOMPARE(documents, before + 4);
}

void tst_PageLoad::repeatViewUsesTheCache()
{
    TestWebServer::Response page;
    page.body = "<!doctype html><p>repeat</p><script src=\"/asset?type=js&size=800&maxage=3600&rv=1\"></script>";
    m_server.route(QStringLiteral("/repeat"), page);
    LoadOptions options;
    options.repeatView = true;
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/repeat")), options);
    QVERIFY2(run.firstView.ok(), qPrintable(BrowserTest::errorText(run)));
    QVERIFY(run.repeatView);
    QVERIFY(run.repeatView->ok());
    const QString script = m_server.url(QStringLiteral("/asset?type=js&size=800&maxage=3600&rv=1")).toString();
    const RequestTiming *cold = findRequest(run.firstView, script);
    const RequestTiming *warm = findRequest(*run.repeatView, script);
    QVERIFY(cold && warm);
    QVERIFY(!cold->fromCache);
    QVERIFY(warm->fromCache);
    QVERIFY(run.repeatView->metrics.loadMs);
    QCOMPARE(m_server.hits(QStringLiteral("/asset")) >= 1, true);
}

void tst_PageLoad::screenshotAtLoad()
{
    TestWebServer::Response page;
    page.body = "<!doctype html><body style=\"background:#3060c0\"><h1>screenshot</h1></body>";
    m_server.route(QStringLiteral("/shot"), page);
    LoadOptions options;
    options.screenshot = true;
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/shot")), options);
    QVERIFY2(run.firstView.ok(), qPrintable(BrowserTest::errorText(run)));
    QVERIFY(run.firstView.screenshotPng.startsWith("\x89PNG\r\n\x1a\n"));
    QVERIFY(run.firstView.screenshotPng.size() > 1000);
}

void tst_PageLoad::finishAtTheLoadEvent()
{
    // After its load event the page asks for something that never answers: waiting for fully loaded would take the
    // whole time limit and report it capped there. Finishing at the load event reports no fully loaded at all.
    TestWebServer::Response page;
    page.body = "<!doctype html><h1>finish at load</h1><img src=\"/asset?type=png&size=500&delay=100&fal=1\">"
                "<script>addEventListener('load', () => fetch('/finish-at-load-never'))</script>";
    m_server.route(QStringLiteral("/finish-at-load"), page);
    TestWebServer::Response never;
    never.mode = TestWebServer::Response::Mode::Hang;
    m_server.route(QStringLiteral("/finish-at-load-never"), never);
    LoadOptions options;
    options.finishAt = LoadOptions::FinishAt::Load;
    options.repeatView = true;
    options.screenshot = true; // taken at the load event: the view waits for it before it ends
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/finish-at-load")), options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QVERIFY(run.repeatView);
    for (const ViewResult *view : { &run.firstView, &*run.repeatView }) {
        const PageMetrics &m = view->metrics;
        QVERIFY(m.loadMs && *m.loadMs >= 100);
        QVERIFY(m.ttfbMs && m.domContentLoadedMs && m.firstContentfulPaintMs);
        QCOMPARE(m.documentStatus, std::optional<int>(200));
        // Not waited for, so absent: never 0, never the time limit.
        QVERIFY(!m.fullyLoadedMs);
        QVERIFY(view->screenshotPng.startsWith("\x89PNG\r\n\x1a\n"));
    }
}

void tst_PageLoad::aPageThatSendsItselfOnEndsWhenTheNextOneIsLoaded()
{
    // The page sends itself on (location.href) while its image never answers. Chrome cancels the image when the next
    // document commits, without a word in its events: the view must not wait for it until its time limit, and the
    // image is shown as cancelled, not as still loading.
    TestWebServer::Response page;
    page.body = "<!doctype html><img src=\"/sends-on-never\">"
                "<script>setTimeout(() => { location.href = '/sends-on-next'; }, 100)</script>";
    m_server.route(QStringLiteral("/sends-on"), page);
    TestWebServer::Response never;
    never.mode = TestWebServer::Response::Mode::Hang;
    m_server.route(QStringLiteral("/sends-on-never"), never);
    TestWebServer::Response next;
    next.body = "<!doctype html><p>the next page</p>";
    m_server.route(QStringLiteral("/sends-on-next"), next);
    LoadOptions options;
    options.timeoutMs = 30'000;
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/sends-on")), options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    const ViewResult &view = run.firstView;
    const RequestTiming *image = findRequest(view, m_server.url(QStringLiteral("/sends-on-never")).toString());
    const RequestTiming *nextDocument = findRequest(view, m_server.url(QStringLiteral("/sends-on-next")).toString());
    QVERIFY(image && nextDocument);
    QCOMPARE(image->outcome, RequestTiming::Outcome::Failed);
    QVERIFY2(image->failureText.contains(u"ERR_ABORTED"), qPrintable(image->failureText));
    QVERIFY(image->durationMs && image->startMs + *image->durationMs >= nextDocument->startMs);
    // Fully loaded is the last request's end, as for any page, not the time limit.
    double lastEnd = 0;
    for (const RequestTiming &request : view.requests) {
        QVERIFY2(request.outcome != RequestTiming::Outcome::Unfinished, qPrintable(request.url));
        lastEnd = std::max(lastEnd, request.startMs + request.durationMs.value_or(0));
    }
    const PageMetrics &m = view.metrics;
    QVERIFY(m.fullyLoadedMs);
    qInfo("next document at %.0f ms, image cancelled at %.0f ms, fully loaded %.0f ms (last request's end %.0f)",
        nextDocument->startMs, image->startMs + *image->durationMs, *m.fullyLoadedMs, lastEnd);
    QVERIFY(*m.fullyLoadedMs <= lastEnd + 1);
}

void tst_PageLoad::refusedConnection()
{
    // A port that was just free: nothing listens there.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        port = probe.serverPort();
    }
    const RunResult run = BrowserTest::run(*m_scheduler, QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(port)));
    QVERIFY(run.firstView.error);
    QCOMPARE(run.firstView.error->kind, LoadError::Kind::ConnectionFailed);
    QVERIFY2(
        run.firstView.error->message.contains(u"ERR_CONNECTION_REFUSED"), qPrintable(run.firstView.error->message));
    QCOMPARE(run.firstView.metrics.loadMs, std::nullopt);
    QCOMPARE(run.firstView.metrics.firstContentfulPaintMs, std::nullopt);
    const RequestTiming *document = findRequest(run.firstView, QStringLiteral("http://127.0.0.1:%1/").arg(port));
    QVERIFY(document);
    QCOMPARE(document->outcome, RequestTiming::Outcome::Failed);
}

void tst_PageLoad::garbageResponse()
{
    TestWebServer::Response garbage;
    garbage.mode = TestWebServer::Response::Mode::Garbage;
    m_server.route(QStringLiteral("/garbage"), garbage);
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/garbage")));
    QVERIFY(run.firstView.error);
    QVERIFY2(run.firstView.error->kind == LoadError::Kind::BadResponse, qPrintable(run.firstView.error->message));
}

void tst_PageLoad::timeoutKeepsPartialWaterfall()
{
    TestWebServer::Response hang;
    hang.mode = TestWebServer::Response::Mode::Hang;
    m_server.route(QStringLiteral("/hang.png"), hang);
    TestWebServer::Response page;
    page.body = "<!doctype html><p>never done</p><img src=\"/hang.png\"><img src=\"/asset?type=png&size=10&t=1\">";
    m_server.route(QStringLiteral("/never"), page);
    LoadOptions options;
    options.timeoutMs = 3000;
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/never")), options);
    QVERIFY(run.firstView.error);
    QCOMPARE(run.firstView.error->kind, LoadError::Kind::Timeout);
    const ViewResult &view = run.firstView;
    const RequestTiming *document = findRequest(view, m_server.url(QStringLiteral("/never")).toString());
    const RequestTiming *hung = findRequest(view, m_server.url(QStringLiteral("/hang.png")).toString());
    const RequestTiming *done
        = findRequest(view, m_server.url(QStringLiteral("/asset?type=png&size=10&t=1")).toString());
    QVERIFY(document && hung && done);
    QCOMPARE(document->outcome, RequestTiming::Outcome::Finished);
    QCOMPARE(done->outcome, RequestTiming::Outcome::Finished);
    QCOMPARE(hung->outcome, RequestTiming::Outcome::Unfinished);
    QCOMPARE(hung->durationMs, std::nullopt);
    QCOMPARE(view.metrics.loadMs, std::nullopt); // the load event never came
    QVERIFY(view.metrics.ttfbMs); // but the document did answer
    QVERIFY(view.metrics.domContentLoadedMs);
}

void tst_PageLoad::browserKilledMidRun()
{
    TestWebServer::Response hang;
    hang.mode = TestWebServer::Response::Mode::Hang;
    m_server.route(QStringLiteral("/stuck.png"), hang);
    TestWebServer::Response page;
    page.body = "<!doctype html><p>about to crash</p><img src=\"/stuck.png\">";
    m_server.route(QStringLiteral("/crash"), page);

    QSignalSpy stuck(&m_server, &TestWebServer::requestReceived);
    PageLoad *load = m_scheduler->submit(m_server.url(QStringLiteral("/crash")), {});
    QSignalSpy finished(load, &PageLoad::finished);
    QTRY_VERIFY_WITH_TIMEOUT(m_server.hits(QStringLiteral("/stuck.png")) > 0, 30'000);
    const qint64 pid = m_scheduler->browser()->processId();
    QVERIFY(pid > 0);
    ::kill(static_cast<pid_t>(pid), SIGKILL);
    QVERIFY(finished.wait(20'000));
    QVERIFY(load->result().firstView.error);
    QCOMPARE(load->result().firstView.error->kind, LoadError::Kind::BrowserCrashed);
    delete load;

    // The next run gets a fresh browser and succeeds.
    const RunResult next
        = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/asset?type=text/html&size=50")));
    QVERIFY2(next.firstView.ok(), qPrintable(BrowserTest::errorText(next)));
    QVERIFY(next.browserStartMs); // it waited for that browser to start
    QVERIFY(m_scheduler->browser()->processId() != pid);
}

void tst_PageLoad::chromeNotFound()
{
    ChromeProcess::Options options;
    options.executable = QStringLiteral("/nonexistent/chrome");
    LoadScheduler scheduler(LoadScheduler::Options { options, 1 });
    const RunResult run = BrowserTest::run(scheduler, m_server.url(QStringLiteral("/asset")));
    QVERIFY(run.firstView.error);
    QCOMPARE(run.firstView.error->kind, LoadError::Kind::BrowserUnavailable);
    QVERIFY(run.firstView.error->message.contains(u"/nonexistent/chrome"));
}

void tst_PageLoad::harOfARealRun()
{
    TestWebServer::Response page;
    page.body = "<!doctype html><p>har</p><link rel=stylesheet href=\"/asset?type=css&size=700&har=1\">"
                "<img src=\"/asset?type=png&size=900&delay=100&har=2\"><img src=\"/nothing-here.png\">";
    m_server.route(QStringLiteral("/har"), page);
    LoadOptions options;
    options.repeatView = true;
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/har")), options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    HarBuilder builder(QStringLiteral("test"));
    builder.addRun(run);
    QJsonParseError error;
    const QJsonObject har = QJsonDocument::fromJson(builder.toBytes(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    const QJsonObject log = har.value(QStringLiteral("log")).toObject();
    QCOMPARE(log.value(QStringLiteral("version")).toString(), QStringLiteral("1.2"));
    QCOMPARE(log[QStringLiteral("browser")][QStringLiteral("name")].toString(), QStringLiteral("Chrome"));
    QVERIFY(run.browserVersion.endsWith(log[QStringLiteral("browser")][QStringLiteral("version")].toString()));
    const QJsonArray pages = log.value(QStringLiteral("pages")).toArray();
    const QJsonArray entries = log.value(QStringLiteral("entries")).toArray();
    QCOMPARE(pages.size(), 2);
    QCOMPARE(entries.size(), run.firstView.requests.size() + run.repeatView->requests.size());
    QCOMPARE(
        pages.at(0)[QStringLiteral("pageTimings")][QStringLiteral("onLoad")].toDouble(), *run.firstView.metrics.loadMs);
    QList<RequestTiming> requests = run.firstView.requests + run.repeatView->requests;
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QJsonObject entry = entries.at(i).toObject();
        const RequestTiming &r = requests.at(i);
        QCOMPARE(entry[QStringLiteral("request")][QStringLiteral("url")].toString(), r.url);
        QCOMPARE(entry[QStringLiteral("response")][QStringLiteral("status")].toInt(), r.status.value_or(0));
        for (const char *field : { "startedDateTime", "time", "request", "response", "cache", "timings", "pageref" })
            QVERIFY2(entry.contains(QString::fromLatin1(field)), field);
        const QJsonObject timings = entry.value(QStringLiteral("timings")).toObject();
        double sum = 0;
        for (const char *phase : { "blocked", "dns", "connect", "send", "wait", "receive" })
            sum += std::max(0.0, timings.value(QString::fromLatin1(phase)).toDouble());
        QVERIFY2(std::abs(sum - entry.value(QStringLiteral("time")).toDouble()) < 0.01, qPrintable(r.url));
        if (r.durationMs && r.phases.wait)
            QVERIFY2(
                std::abs(entry.value(QStringLiteral("time")).toDouble() - *r.durationMs) <= 1.0, qPrintable(r.url));
        if (r.decodedBytes)
            QCOMPARE(entry[QStringLiteral("response")][QStringLiteral("content")][QStringLiteral("size")].toInteger(),
                *r.decodedBytes);
    }
}

void tst_PageLoad::testSettingsReachTheServer()
{
    // The page on 127.0.0.1 loads an image from localhost, the same server under another host name.
    const QString other = QStringLiteral("http://localhost:%1").arg(m_server.port());
    TestWebServer::Response page;
    page.body = "<!doctype html><title>settings</title><img src=\"" + other.toUtf8()
        + "/asset?type=png&size=100&settings=1\">";
    m_server.route(QStringLiteral("/settings"), page);
    LoadOptions options;
    options.test.headers = { { QStringLiteral("X-Staging-Key"), QStringLiteral("Key ${secret:key}"), {}, false },
        { QStringLiteral("X-Only-Localhost"), QStringLiteral("yes"), QStringLiteral("localhost"), false },
        { QStringLiteral("X-Feature"), QStringLiteral("beta-4713"), {}, true } };
    options.test.cookies = { { QStringLiteral("session"), QStringLiteral("cookie-value-4711"), {} } };
    options.test.userAgent = QStringLiteral("WorldSpeedTest/1.0");
    options.test.secretValues = { { QStringLiteral("key"), QStringLiteral("staging-key-4712") } };
    const qsizetype before = m_server.requests().size();
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/settings")), options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));

    const QList<TestWebServer::Request> served = m_server.requests().mid(before);
    const auto find = [&](const QString &path) -> const TestWebServer::Request * {
        for (const TestWebServer::Request &request : served) {
            if (request.path == path)
                return &request;
        }
        return nullptr;
    };
    const TestWebServer::Request *document = find(QStringLiteral("/settings"));
    const TestWebServer::Request *image = find(QStringLiteral("/asset"));
    QVERIFY(document && image);
    QCOMPARE(document->headers.value("x-staging-key"), QByteArray("Key staging-key-4712"));
    QCOMPARE(document->headers.value("cookie"), QByteArray("session=cookie-value-4711"));
    QCOMPARE(document->headers.value("user-agent"), QByteArray("WorldSpeedTest/1.0"));
    QVERIFY(!document->headers.contains("x-only-localhost")); // limited to the other host
    QCOMPARE(image->headers.value("host"), QStringLiteral("localhost:%1").arg(m_server.port()).toUtf8());
    QCOMPARE(image->headers.value("x-only-localhost"), QByteArray("yes"));
    QCOMPARE(image->headers.value("x-staging-key"), QByteArray("Key staging-key-4712"));
    QCOMPARE(image->headers.value("x-feature"), QByteArray("beta-4713"));
    QVERIFY(!image->headers.contains("cookie")); // the cookie is the page's host's

    // What the browser reports it sent is masked in the result; the public header is not.
    const QByteArray json = QJsonDocument(run.toJson()).toJson();
    HarBuilder har(QStringLiteral("test"));
    har.addRun(run);
    const QByteArray harText = har.toBytes();
    for (const QByteArray &text : { json, harText }) {
        QVERIFY2(!text.contains("staging-key-4712") && !text.contains("cookie-value-4711"), text.constData());
        QVERIFY(text.contains("beta-4713"));
    }
    bool sawMaskedKey = false;
    for (const RequestTiming &request : run.firstView.requests) {
        for (const HttpHeader &header : request.requestHeaders)
            sawMaskedKey = sawMaskedKey || (header.name == u"X-Staging-Key" && header.value == TestSettings::mask());
    }
    QVERIFY(sawMaskedKey);
}

void tst_PageLoad::blockedRequestsAreNeverSent()
{
    const QString other = QStringLiteral("http://localhost:%1").arg(m_server.port());
    TestWebServer::Response page;
    page.body = "<!doctype html><title>blocking</title>"
                "<link rel=stylesheet href=\"/asset?type=css&size=100&keep=1\">"
                "<img src=\"/asset?type=png&size=100&ad=1\">"
                "<script src=\""
        + other.toUtf8() + "/asset?type=js&size=100&third=1\"></script>";
    m_server.route(QStringLiteral("/blocking"), page);
    const QString blockedByPattern = m_server.url(QStringLiteral("/asset?type=png&size=100&ad=1")).toString();
    const QString blockedByDomain = other + QStringLiteral("/asset?type=js&size=100&third=1");

    for (const bool except : { false, true }) {
        LoadOptions options;
        options.test.block = { QStringLiteral("&ad=1") };
        if (except)
            options.test.blockDomainsExcept = { m_server.address().toString() };
        else
            options.test.blockDomains = { QStringLiteral("localhost") };
        const qsizetype before = m_server.requests().size();
        const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/blocking")), options);
        QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
        // The server's log: what the test blocks was never asked for, the rest was.
        bool sawKept = false;
        for (const TestWebServer::Request &request : m_server.requests().mid(before)) {
            QVERIFY2(
                !request.target.contains("ad=1") && !request.target.contains("third=1"), request.target.constData());
            sawKept = sawKept || request.target.contains("keep=1");
        }
        QVERIFY(sawKept);
        // The result shows them, marked blocked, with the rule that blocked them.
        const RequestTiming *pattern = findRequest(run.firstView, blockedByPattern);
        const RequestTiming *domain = findRequest(run.firstView, blockedByDomain);
        QVERIFY2(pattern && domain, QJsonDocument(run.firstView.toJson()).toJson().constData());
        QVERIFY(pattern->blocked && domain->blocked);
        QCOMPARE(pattern->outcome, RequestTiming::Outcome::Failed);
        QCOMPARE(pattern->failureText, QStringLiteral("blocked by the test: the URL contains \"&ad=1\""));
        QVERIFY2(domain->failureText.startsWith(u"blocked by the test: "), qPrintable(domain->failureText));
        for (const RequestTiming &request : run.firstView.requests)
            QCOMPARE(request.blocked, request.url == blockedByPattern || request.url == blockedByDomain);
    }
}

void tst_PageLoad::cleanupTestCase()
{
    m_scheduler.reset(); // Browser.close, then the profile folder goes
    QVERIFY(!m_profileRoot.isEmpty());
    QVERIFY2(!QFileInfo::exists(m_profileRoot), qPrintable(m_profileRoot + QStringLiteral(" was left behind")));
}

QTEST_GUILESS_MAIN(tst_PageLoad)
#include "tst_pageload.moc"
