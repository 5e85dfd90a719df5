#include "requestrecorder.h"
#include "requesttracker.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <limits>

// RequestTracker fed Network.* events that Chromium 156 sent for pages of the test web server: the recordings in
// cdp/ were taken from tst_pageload's runs, in the order the events arrived, and trimmed to the fields the tracker
// reads. What comes out is checked against what the events say, field by field, and the phases of every answered
// request against its duration.
class TestRequestTracker final : public QObject
{
    Q_OBJECT

private slots:
    void plainRequest();
    void redirectChain();
    void failedRequest();
    void failureText_data();
    void failureText();
    void openAtViewEnd();
    void leftBehindRequestDoesNotHoldTheView();
    void aCommittedDocumentCancelsWhatTheOneBeforeHadOpen();
    void dataReceivedCountsDecodedBytes();
    void dataReceivedIgnoresWhatIsNoByteCount();
    void servedFromCache_data();
    void servedFromCache();
    void waitsForNavigationStart();
    void announcesEachRequestAtItsStart();
    void leavesOtherEventsAlone();
    void chromesErrorPageIsNotThePage();
};

namespace {

// The recordings:
// redirect.json   /hop1: 302 to /hop2, 301 to /landing, which loads /missing.png (404) and /broken.js (500, which
//                 Chrome then aborts); the browser asks for /favicon.ico (404) afterwards. The document's
//                 loadingFinished arrives after its subresources were sent, stamped before its responseReceived:
//                 Chrome does that.
// refused.json    a document whose server refuses the connection.
// hanging.json    /never: /hang.png never answers, a small image does; the view timed out.
// cached-first-view.json, cached-repeat-view.json   /repeat and its script (max-age=3600), loaded twice in one
//                 browser context: the second time the script comes from the memory cache.
const QString redirectPage = QStringLiteral(":/cdp/redirect.json");
const QString refusedPage = QStringLiteral(":/cdp/refused.json");
const QString hangingPage = QStringLiteral(":/cdp/hanging.json");
const QString cachedPageFirstView = QStringLiteral(":/cdp/cached-first-view.json");
const QString cachedPageRepeatView = QStringLiteral(":/cdp/cached-repeat-view.json");

constexpr double tolerance = 1e-6; // ms

bool near(std::optional<double> actual, double expected)
{
    return actual && std::abs(*actual - expected) < tolerance;
}

// Each phase starts where the previous one ended, so an answered request's phases cover its duration exactly.
bool phasesCoverDuration(const RequestTiming &request)
{
    return request.durationMs && request.phases.wait
        && std::abs(request.phases.sum() - *request.durationMs) < tolerance;
}

bool noPhases(const RequestTiming &request)
{
    return request.phases == RequestPhases {};
}

QString headerValue(const QList<HttpHeader> &headers, const QString &name)
{
    for (const HttpHeader &header : headers) {
        if (header.name == name)
            return header.value;
    }
    return {};
}

const QString redirectFrame = QStringLiteral("DE243AD909BDF9F31E4DF197993BE166");
const QString redirectDocument = QStringLiteral("51EBBB46F3B2D1C9892B78790DD90C71");
// A URL of the test web server as it was when the recordings were taken.
QString at(QStringView path)
{
    return QStringLiteral("http://127.0.0.1:36423") + path;
}
constexpr double redirectNavigationStart = 2804.640; // just before the document request, as Chrome reports it

// Events written by hand, for what no recording has: a request sent for a document loader in a frame, and its end.
void sendRequest(RequestTracker &tracker, const QString &id, const QString &loader, const QString &frame,
    const QString &type, const QString &url, double ts)
{
    tracker.handleEvent(QStringLiteral("Network.requestWillBeSent"),
        QJsonObject { { QStringLiteral("requestId"), id }, { QStringLiteral("loaderId"), loader },
            { QStringLiteral("frameId"), frame }, { QStringLiteral("type"), type }, { QStringLiteral("timestamp"), ts },
            { QStringLiteral("request"),
                QJsonObject {
                    { QStringLiteral("url"), url }, { QStringLiteral("method"), QStringLiteral("GET") } } } });
}

void finishRequest(RequestTracker &tracker, const QString &id, double ts)
{
    tracker.handleEvent(QStringLiteral("Network.loadingFinished"),
        QJsonObject { { QStringLiteral("requestId"), id }, { QStringLiteral("timestamp"), ts },
            { QStringLiteral("encodedDataLength"), 100 } });
}

} // namespace

void TestRequestTracker::plainRequest()
{
    RequestRecorder recorder(redirectFrame);
    recorder.tracker.setNavigationStart(redirectNavigationStart);
    QVERIFY(recorder.play(redirectPage));

    const RequestTiming *favicon = recorder.find(at(u"/favicon.ico"));
    QVERIFY(favicon);
    QCOMPARE(favicon->id, QStringLiteral("8140.6"));
    QCOMPARE(favicon->method, QStringLiteral("GET"));
    QCOMPARE(favicon->resourceType, QStringLiteral("Other"));
    QCOMPARE(favicon->priority, QStringLiteral("High"));
    QCOMPARE(headerValue(favicon->requestHeaders, QStringLiteral("Referer")), at(u"/landing"));
    QCOMPARE(favicon->status, 404);
    QCOMPARE(favicon->statusText, QStringLiteral("Not Found"));
    QCOMPARE(favicon->protocol, QStringLiteral("http/1.1"));
    QCOMPARE(favicon->remoteIp, QStringLiteral("127.0.0.1"));
    QCOMPARE(favicon->remotePort, 36423);
    QCOMPARE(favicon->mimeType, QStringLiteral("text/plain"));
    QCOMPARE(headerValue(favicon->responseHeaders, QStringLiteral("Content-Length")), QStringLiteral("9"));
    QCOMPARE(favicon->outcome, RequestTiming::Outcome::Finished);
    QVERIFY(favicon->failureText.isEmpty());
    QVERIFY(favicon->redirectUrl.isEmpty());
    QVERIFY(!favicon->fromCache);
    QCOMPARE(favicon->encodedBytes, 104); // loadingFinished's count: headers and body on the wire
    QCOMPARE(favicon->headerBytes, 95); // the response's own count: its headers
    QCOMPARE(favicon->decodedBytes, 9);
    QVERIFY(near(favicon->startMs, (2805.145105 - redirectNavigationStart) * 1000));
    QVERIFY(near(favicon->durationMs, (2805.150335 - 2805.145105) * 1000));
    QVERIFY(phasesCoverDuration(*favicon));
    // A reused connection: no dns, no connect.
    QVERIFY(!favicon->phases.dns && !favicon->phases.connect && !favicon->phases.ssl);

    QVERIFY(recorder.responses.contains(std::pair(at(u"/favicon.ico"), QStringLiteral("127.0.0.1"))));
    QVERIFY(!recorder.tracker.hasOpenRequests());
}

void TestRequestTracker::redirectChain()
{
    RequestRecorder recorder(redirectFrame);
    recorder.tracker.setNavigationStart(redirectNavigationStart);
    QVERIFY(recorder.play(redirectPage));

    // Each hop is published when the next one is sent; the final hop when the document ends.
    QCOMPARE(recorder.ids(),
        (QStringList { redirectDocument, redirectDocument + u":1", redirectDocument + u":2", QStringLiteral("8140.2"),
            QStringLiteral("8140.3"), QStringLiteral("8140.6") }));
    const RequestTiming &hop1 = recorder.finished.at(0);
    const RequestTiming &hop2 = recorder.finished.at(1);
    const RequestTiming &landing = recorder.finished.at(2);
    QCOMPARE(hop1.url, at(u"/hop1"));
    QCOMPARE(hop1.status, 302);
    QCOMPARE(hop1.statusText, QStringLiteral("Found"));
    QCOMPARE(hop1.redirectUrl, at(u"/hop2"));
    QCOMPARE(hop1.encodedBytes, 82);
    QCOMPARE(hop1.decodedBytes, 0);
    QCOMPARE(hop2.url, at(u"/hop2"));
    QCOMPARE(hop2.status, 301);
    QCOMPARE(hop2.redirectUrl, at(u"/landing"));
    QCOMPARE(hop2.encodedBytes, 97);
    QCOMPARE(landing.url, at(u"/landing"));
    QCOMPARE(landing.status, 200);
    QVERIFY(landing.redirectUrl.isEmpty());
    QCOMPARE(landing.encodedBytes, 189);
    QCOMPARE(landing.headerBytes, 103);
    QCOMPARE(landing.decodedBytes, 86);
    for (const RequestTiming *hop : { &hop1, &hop2, &landing }) {
        QCOMPARE(hop->outcome, RequestTiming::Outcome::Finished);
        QCOMPARE(hop->resourceType, QStringLiteral("Document"));
        QVERIFY2(phasesCoverDuration(*hop), qPrintable(hop->id));
    }

    // A hop ends where the next begins; the first hop's phases come from its redirect response (a new connection).
    QVERIFY(near(hop1.startMs, (2804.643481 - redirectNavigationStart) * 1000));
    QVERIFY(near(hop1.endMs(), hop2.startMs));
    QVERIFY(near(hop2.endMs(), landing.startMs));
    QVERIFY(near(landing.endMs(), (2804.795032 - redirectNavigationStart) * 1000));
    QVERIFY(near(hop1.phases.blocked, (2804.673031 - 2804.643481) * 1000));
    QVERIFY(near(hop1.phases.connect, 0.567));
    QVERIFY(near(hop1.phases.wait, 28.451 - 19.615));

    // The document is the first Document request in the main frame; every hop of it answered for the document.
    QCOMPARE(recorder.tracker.documentRequestId(), redirectDocument);
    QVERIFY(near(recorder.tracker.documentStartTs(), 2804.643481));
    using Answer = std::pair<std::optional<int>, QString>;
    QCOMPARE(recorder.documentAnswers,
        (QList<Answer> { { 302, at(u"/hop1") }, { 301, at(u"/hop2") }, { 200, at(u"/landing") } }));
    QCOMPARE(recorder.responses.size(), 6);
    QCOMPARE(recorder.responses.first(), std::pair(at(u"/hop1"), QStringLiteral("127.0.0.1")));
}

void TestRequestTracker::failedRequest()
{
    RequestRecorder recorder(redirectFrame);
    recorder.tracker.setNavigationStart(redirectNavigationStart);
    QVERIFY(recorder.play(redirectPage));
    // The script answered 500 and was then aborted: its answer is kept, its end is the failure.
    const RequestTiming *script = recorder.find(at(u"/broken.js"));
    QVERIFY(script);
    QCOMPARE(script->outcome, RequestTiming::Outcome::Failed);
    QCOMPARE(script->failureText, QStringLiteral("net::ERR_ABORTED"));
    QCOMPARE(script->status, 500);
    QCOMPARE(script->headerBytes, 112);
    QCOMPARE(script->encodedBytes, std::nullopt);
    QCOMPARE(script->decodedBytes, std::nullopt); // no body arrived, so none is claimed
    QVERIFY(near(script->durationMs, (2804.967707 - 2804.820481) * 1000));
    QVERIFY(phasesCoverDuration(*script));

    // A document whose server refused the connection: no answer, so no phases, but a duration all the same.
    RequestRecorder refused(QStringLiteral("1BDE6DE96DA577EA7B84792BFD62F56C"));
    refused.tracker.setNavigationStart(2812.507);
    QVERIFY(refused.play(refusedPage));
    QCOMPARE(refused.finished.size(), 1);
    const RequestTiming &document = refused.finished.first();
    QCOMPARE(document.id, QStringLiteral("A7FA80144040A876F115774E6C20D206"));
    QCOMPARE(refused.tracker.documentRequestId(), document.id);
    QCOMPARE(document.outcome, RequestTiming::Outcome::Failed);
    QCOMPARE(document.failureText, QStringLiteral("net::ERR_CONNECTION_REFUSED"));
    QCOMPARE(document.status, std::nullopt);
    QVERIFY(noPhases(document));
    QVERIFY(near(document.durationMs, (2812.575979 - 2812.507394) * 1000));
    QVERIFY(refused.documentAnswers.isEmpty());
    QVERIFY(refused.responses.isEmpty());
}

void TestRequestTracker::failureText_data()
{
    QTest::addColumn<QString>("errorText");
    QTest::addColumn<QString>("blockedReason");
    QTest::addColumn<QString>("refusal"); // why the probe refused the URL; empty: it did not
    QTest::addColumn<QString>("expected");

    const QString privateTarget
        = QStringLiteral("127.0.0.1 is private (loopback); this probe does not load private targets");
    QTest::newRow("net error") << u"net::ERR_CONNECTION_REFUSED"_qs << QString() << QString()
                               << u"net::ERR_CONNECTION_REFUSED"_qs;
    QTest::newRow("blocked") << u"net::ERR_BLOCKED_BY_CLIENT"_qs << u"inspector"_qs << QString()
                             << u"net::ERR_BLOCKED_BY_CLIENT (blocked: inspector)"_qs;
    QTest::newRow("no reason given") << QString() << QString() << QString() << u"failed"_qs;
    QTest::newRow("refused by the probe")
        << u"net::ERR_BLOCKED_BY_CLIENT"_qs << QString() << privateTarget
        << QString(u"net::ERR_BLOCKED_BY_CLIENT (refused by the probe: "_qs + privateTarget + u')');
    QTest::newRow("refused, no net error") << QString() << QString() << privateTarget
                                           << QString(u"failed (refused by the probe: "_qs + privateTarget + u')');
}

void TestRequestTracker::failureText()
{
    QFETCH(QString, errorText);
    QFETCH(QString, blockedReason);
    QFETCH(QString, refusal);
    QFETCH(QString, expected);

    // The refused document's recording, its loadingFailed rewritten with this row's reasons.
    QJsonArray events = RequestRecorder::parse(refusedPage);
    QJsonObject failed = events.at(1).toObject();
    QJsonObject params = failed.value(QStringLiteral("params")).toObject();
    params.insert(QStringLiteral("errorText"), errorText);
    if (!blockedReason.isEmpty())
        params.insert(QStringLiteral("blockedReason"), blockedReason);
    failed.insert(QStringLiteral("params"), params);
    events.replace(1, failed);

    RequestRecorder recorder(QStringLiteral("1BDE6DE96DA577EA7B84792BFD62F56C"));
    if (!refusal.isEmpty())
        recorder.tracker.noteRefused(QStringLiteral("http://127.0.0.1:35851/"), refusal);
    recorder.tracker.noteRefused(QStringLiteral("http://127.0.0.1:35851/other"), QStringLiteral("not this one"));
    recorder.tracker.setNavigationStart(2812.507);
    QVERIFY(recorder.play(events));
    QCOMPARE(recorder.finished.size(), 1);
    QCOMPARE(recorder.finished.first().outcome, RequestTiming::Outcome::Failed);
    QCOMPARE(recorder.finished.first().failureText, expected);
}

void TestRequestTracker::openAtViewEnd()
{
    // /never loads /hang.png, which never answers, and a small image that does; the view then times out, before
    // the navigation start was learnt.
    RequestRecorder recorder(QStringLiteral("5876F01CDE93F892C837A0E30E1AA720"));
    QVERIFY(recorder.play(hangingPage));
    QVERIFY(recorder.finished.isEmpty());
    QVERIFY(recorder.tracker.hasOpenRequests());

    recorder.tracker.closeOpenRequests();
    QVERIFY(!recorder.tracker.hasOpenRequests());
    // Without a navigation start the document's start is the origin; what ended comes first, then what was open.
    QVERIFY(near(recorder.tracker.navigationStartTs(), 2814.098351));
    QCOMPARE(recorder.ids(),
        (QStringList {
            QStringLiteral("3EBE582526C1EC659F5E3044E4DF8BCC"), QStringLiteral("8296.3"), QStringLiteral("8296.2") }));
    QCOMPARE(recorder.finished.at(0).startMs, 0.0);
    const RequestTiming &hanging = recorder.finished.at(2);
    QCOMPARE(hanging.url, at(u"/hang.png"));
    QCOMPARE(hanging.outcome, RequestTiming::Outcome::Unfinished);
    QCOMPARE(hanging.durationMs, std::nullopt);
    QVERIFY(noPhases(hanging));
    QCOMPARE(hanging.encodedBytes, std::nullopt);
    QCOMPARE(hanging.decodedBytes, std::nullopt);
    QCOMPARE(hanging.status, std::nullopt);
    QVERIFY(near(hanging.startMs, (2814.174437 - 2814.098351) * 1000));
    QVERIFY(phasesCoverDuration(recorder.finished.at(1)));

    // Seen from another frame there is no document: the earliest request's start is the origin then.
    RequestRecorder elsewhere(QStringLiteral("another frame"));
    QVERIFY(elsewhere.play(hangingPage));
    elsewhere.tracker.closeOpenRequests();
    QVERIFY(elsewhere.tracker.documentRequestId().isEmpty());
    QCOMPARE(elsewhere.tracker.documentStartTs(), std::nullopt);
    QVERIFY(near(elsewhere.tracker.navigationStartTs(), 2814.098351));
    QCOMPARE(elsewhere.finished.size(), 3);
    QCOMPARE(elsewhere.find(at(u"/never"))->startMs, 0.0);
}

// A script's next navigation begins while the page it leaves still asks for its favicon: that request is the old
// document's (its loaderId), Chrome may drop it without an event, and it is not the new view's: it is neither
// published nor allowed to keep the view from going quiet. A request of a document the view navigated to (its own,
// or one a script of the page redirected to), or of another frame, is the view's.
void TestRequestTracker::leftBehindRequestDoesNotHoldTheView()
{
    const QString frame = QStringLiteral("MAIN");
    RequestRecorder recorder(frame);
    recorder.tracker.setNavigationStart(100.0);
    // One sent just before the new document's request, one just after it: both the old page's.
    sendRequest(recorder.tracker, QStringLiteral("1.0"), QStringLiteral("OLD"), frame, QStringLiteral("Other"),
        at(u"/old.png"), 100.0005);
    sendRequest(recorder.tracker, QStringLiteral("NEW"), QStringLiteral("NEW"), frame, QStringLiteral("Document"),
        at(u"/home"), 100.001);
    sendRequest(recorder.tracker, QStringLiteral("1.1"), QStringLiteral("OLD"), frame, QStringLiteral("Other"),
        at(u"/favicon.ico"), 100.003);
    QVERIFY(recorder.tracker.hasOpenRequests()); // the document itself
    finishRequest(recorder.tracker, QStringLiteral("NEW"), 100.010);
    QVERIFY(!recorder.tracker.hasOpenRequests());
    const qsizetype activityBefore = recorder.activity.size();
    finishRequest(
        recorder.tracker, QStringLiteral("1.0"), 100.015); // Chrome did finish this one: still not this view's
    QCOMPARE(recorder.activity.size(), activityBefore);

    sendRequest(recorder.tracker, QStringLiteral("1.2"), QStringLiteral("NEW"), frame, QStringLiteral("Image"),
        at(u"/a.png"), 100.020);
    QVERIFY(recorder.tracker.hasOpenRequests());
    finishRequest(recorder.tracker, QStringLiteral("1.2"), 100.030);
    sendRequest(recorder.tracker, QStringLiteral("1.3"), QStringLiteral("IFRAME"), QStringLiteral("CHILD"),
        QStringLiteral("Document"), at(u"/frame"), 100.040);
    QVERIFY(recorder.tracker.hasOpenRequests()); // another frame's document is not the old page's
    finishRequest(recorder.tracker, QStringLiteral("1.3"), 100.050);
    // The page sends itself elsewhere (location.href = …): that document and its requests are the view's.
    sendRequest(recorder.tracker, QStringLiteral("NEXT"), QStringLiteral("NEXT"), frame, QStringLiteral("Document"),
        at(u"/next"), 100.060);
    finishRequest(recorder.tracker, QStringLiteral("NEXT"), 100.070);
    sendRequest(recorder.tracker, QStringLiteral("1.4"), QStringLiteral("NEXT"), frame, QStringLiteral("Script"),
        at(u"/next.js"), 100.080);
    QVERIFY(recorder.tracker.hasOpenRequests());
    finishRequest(recorder.tracker, QStringLiteral("1.4"), 100.090);
    QVERIFY(!recorder.tracker.hasOpenRequests());

    recorder.tracker.closeOpenRequests();
    QStringList urls;
    for (const RequestTiming &request : std::as_const(recorder.finished))
        urls.append(request.url);
    QCOMPARE(urls, (QStringList { at(u"/home"), at(u"/a.png"), at(u"/frame"), at(u"/next"), at(u"/next.js") }));

    // Recordings without loaderIds (and Chrome's events that lack one) count every request, as before.
    RequestRecorder older(frame);
    older.tracker.handleEvent(QStringLiteral("Network.requestWillBeSent"),
        QJsonObject { { QStringLiteral("requestId"), QStringLiteral("2.1") }, { QStringLiteral("frameId"), frame },
            { QStringLiteral("timestamp"), 100.0 },
            { QStringLiteral("request"), QJsonObject { { QStringLiteral("url"), at(u"/x") } } } });
    QVERIFY(older.tracker.hasOpenRequests());
}

// The page sends itself on (location.href = …) while its image still loads. When the next document commits, Chrome
// cancels the image and says nothing of it: it ends there, failed as cancelled, and the view can go quiet. A request
// of another frame, or of the committed document, is left alone.
void TestRequestTracker::aCommittedDocumentCancelsWhatTheOneBeforeHadOpen()
{
    const QString frame = QStringLiteral("MAIN");
    RequestRecorder recorder(frame);
    recorder.tracker.setNavigationStart(100.0);
    sendRequest(recorder.tracker, QStringLiteral("HOME"), QStringLiteral("A"), frame, QStringLiteral("Document"),
        at(u"/home"), 100.001);
    recorder.tracker.documentCommitted(QStringLiteral("A"), 100.005);
    finishRequest(recorder.tracker, QStringLiteral("HOME"), 100.010);
    sendRequest(recorder.tracker, QStringLiteral("1.1"), QStringLiteral("A"), frame, QStringLiteral("Image"),
        at(u"/slow.png"), 100.020);
    sendRequest(recorder.tracker, QStringLiteral("1.2"), QStringLiteral("CHILD"), QStringLiteral("FRAME"),
        QStringLiteral("Document"), at(u"/frame"), 100.030);
    sendRequest(recorder.tracker, QStringLiteral("NEXT"), QStringLiteral("B"), frame, QStringLiteral("Document"),
        at(u"/next"), 100.100);
    recorder.tracker.documentCommitted(QStringLiteral("UNKNOWN"), 100.110); // not this view's: nothing happens
    QCOMPARE(recorder.finished.size(), 1);
    recorder.tracker.documentCommitted(QStringLiteral("B"), 100.150);
    QCOMPARE(recorder.finished.size(), 2);
    const RequestTiming *cancelled = recorder.find(at(u"/slow.png"));
    QVERIFY(cancelled);
    QCOMPARE(cancelled->outcome, RequestTiming::Outcome::Failed);
    QVERIFY2(cancelled->failureText.contains(u"ERR_ABORTED"), qPrintable(cancelled->failureText));
    QVERIFY(near(cancelled->startMs, 20.0) && near(cancelled->durationMs, 130.0));
    QVERIFY(recorder.tracker.hasOpenRequests()); // the next document and the other frame's
    finishRequest(recorder.tracker, QStringLiteral("NEXT"), 100.160);
    finishRequest(recorder.tracker, QStringLiteral("1.2"), 100.170);
    QVERIFY(!recorder.tracker.hasOpenRequests());
    recorder.tracker.closeOpenRequests();
    QCOMPARE(recorder.finished.size(), 4);
}

void TestRequestTracker::dataReceivedCountsDecodedBytes()
{
    // Two dataReceived for one script: the body (800 bytes decoded), then its wire bytes alone (0 decoded).
    RequestRecorder recorder(QStringLiteral("872FF2E2E7B190B517D81107902AD75D"));
    recorder.tracker.setNavigationStart(2807.499);
    QVERIFY(recorder.play(cachedPageFirstView));
    const RequestTiming *script = recorder.find(at(u"/asset?type=js&size=800&maxage=3600&rv=1"));
    QVERIFY(script);
    QCOMPARE(script->decodedBytes, 800);
    QCOMPARE(script->encodedBytes, 924);
    QCOMPARE(script->headerBytes, 124);
    QVERIFY(phasesCoverDuration(*script));

    // The small image of /never, cut off after its body arrived but before it finished: what arrived counts.
    RequestRecorder cutOff(QStringLiteral("5876F01CDE93F892C837A0E30E1AA720"));
    QVERIFY(cutOff.play(hangingPage, RequestRecorder::parse(hangingPage).size() - 1));
    cutOff.tracker.closeOpenRequests();
    const RequestTiming *image = cutOff.find(at(u"/asset?type=png&size=10&t=1"));
    QVERIFY(image);
    QCOMPARE(image->outcome, RequestTiming::Outcome::Unfinished);
    QCOMPARE(image->decodedBytes, 10);
    QCOMPARE(image->encodedBytes, std::nullopt);
    QCOMPARE(image->status, 200);
    // Answered but never ended: the phases up to the answer, no receive and no duration.
    QVERIFY(image->phases.wait && !image->phases.receive);
    QCOMPARE(image->durationMs, std::nullopt);
}

void TestRequestTracker::dataReceivedIgnoresWhatIsNoByteCount()
{
    // Found by tests/fuzz/fuzz_cdpevents.cpp: a negative dataLength was added as it came (a negative byte count
    // published), and two huge ones overflowed the sum (undefined behaviour).
    const auto event = [](const QString &method, QJsonObject params) {
        params.insert(QStringLiteral("requestId"), QStringLiteral("1"));
        return QJsonObject { { QStringLiteral("method"), method }, { QStringLiteral("params"), params } };
    };
    const auto data = [&](const QJsonValue &length) {
        return event(QStringLiteral("Network.dataReceived"), { { QStringLiteral("dataLength"), length } });
    };
    const QJsonArray events {
        event(QStringLiteral("Network.requestWillBeSent"),
            { { QStringLiteral("timestamp"), 1.0 },
                { QStringLiteral("request"),
                    QJsonObject { { QStringLiteral("url"), QStringLiteral("http://a/") } } } }),
        data(-5),
        data(1.5),
        data(QStringLiteral("10")),
        data(100),
        data(9e18),
        data(9e18),
        event(QStringLiteral("Network.loadingFinished"), { { QStringLiteral("timestamp"), 2.0 } }),
    };
    RequestRecorder recorder(QStringLiteral("F"));
    recorder.tracker.setNavigationStart(1);
    QVERIFY(recorder.play(events));
    QCOMPARE(recorder.finished.size(), 1);
    QCOMPARE(recorder.finished.at(0).decodedBytes, std::numeric_limits<qint64>::max());

    RequestRecorder small(QStringLiteral("F"));
    small.tracker.setNavigationStart(1);
    QVERIFY(
        small.play(QJsonArray { events.at(0), events.at(1), events.at(2), events.at(3), events.at(4), events.at(7) }));
    QCOMPARE(small.finished.at(0).decodedBytes, 100);
}

void TestRequestTracker::servedFromCache_data()
{
    QTest::addColumn<bool>("fromDiskCache"); // instead of Network.requestServedFromCache

    QTest::newRow("requestServedFromCache") << false;
    QTest::newRow("response fromDiskCache") << true;
}

void TestRequestTracker::servedFromCache()
{
    QFETCH(bool, fromDiskCache);
    QJsonArray repeatView = RequestRecorder::parse(cachedPageRepeatView);
    if (fromDiskCache) {
        for (qsizetype i = 0; i < repeatView.size(); ++i) {
            QJsonObject event = repeatView.at(i).toObject();
            QJsonObject params = event.value(QStringLiteral("params")).toObject();
            if (params.value(QStringLiteral("requestId")).toString() != u"8187.5")
                continue;
            if (event.value(QStringLiteral("method")).toString() == u"Network.requestServedFromCache") {
                repeatView.removeAt(i--);
                continue;
            }
            if (event.value(QStringLiteral("method")).toString() != u"Network.responseReceived")
                continue;
            QJsonObject response = params.value(QStringLiteral("response")).toObject();
            response.insert(QStringLiteral("fromDiskCache"), true);
            params.insert(QStringLiteral("response"), response);
            event.insert(QStringLiteral("params"), params);
            repeatView.replace(i, event);
        }
    }

    // Both views of /repeat in one context: the script's second load comes from the cache.
    RequestRecorder recorder(QStringLiteral("872FF2E2E7B190B517D81107902AD75D"));
    recorder.tracker.setNavigationStart(2807.499);
    QVERIFY(recorder.play(cachedPageFirstView));
    QCOMPARE(recorder.finished.size(), 2);
    QVERIFY(!recorder.finished.at(1).fromCache);

    recorder.finished.clear();
    recorder.tracker.beginView(QStringLiteral("872FF2E2E7B190B517D81107902AD75D"));
    QCOMPARE(recorder.tracker.navigationStartTs(), std::nullopt);
    recorder.tracker.setNavigationStart(2809.579);
    QVERIFY(recorder.play(repeatView));
    QCOMPARE(
        recorder.ids(), (QStringList { QStringLiteral("8187.5"), QStringLiteral("103DEEA4F0E8CB4D39C187D90DC7578E") }));
    QCOMPARE(recorder.tracker.documentRequestId(), QStringLiteral("103DEEA4F0E8CB4D39C187D90DC7578E"));
    const RequestTiming &cached = recorder.finished.first();
    QVERIFY(cached.fromCache);
    QCOMPARE(cached.status, 200);
    QCOMPARE(cached.encodedBytes, 0); // nothing on the wire
    QCOMPARE(cached.decodedBytes, 800);
    QVERIFY(phasesCoverDuration(cached));
    QVERIFY(!recorder.finished.at(1).fromCache);
}

void TestRequestTracker::waitsForNavigationStart()
{
    RequestRecorder recorder(redirectFrame);
    QVERIFY(recorder.play(redirectPage));
    // Ended, but not published: their start cannot be told relative to a navigation start not yet known.
    QVERIFY(recorder.finished.isEmpty());
    QCOMPARE(recorder.tracker.navigationStartTs(), std::nullopt);
    // Activity as the requests were sent and ended, in the events' order.
    QCOMPARE(recorder.activity.size(), 6 + 4);
    QCOMPARE(recorder.activity.first(), 2804.643481);
    QCOMPARE(recorder.activity.last(), 2805.150335);

    recorder.tracker.setNavigationStart(redirectNavigationStart);
    RequestRecorder immediate(redirectFrame);
    immediate.tracker.setNavigationStart(redirectNavigationStart);
    QVERIFY(immediate.play(redirectPage));
    // Once it is known they come out as they would have, in the order they ended.
    QCOMPARE(recorder.finished, immediate.finished);
    QCOMPARE(recorder.finished.size(), 6);
    QVERIFY(near(recorder.finished.first().startMs, (2804.643481 - redirectNavigationStart) * 1000));
}

void TestRequestTracker::announcesEachRequestAtItsStart()
{
    RequestRecorder recorder(redirectFrame);
    QList<RequestTiming> started;
    QStringList order; // "S id" at a start, "F id" at an end
    QObject::connect(
        &recorder.tracker, &RequestTracker::requestStarted, &recorder.tracker, [&](const RequestTiming &request) {
            started.append(request);
            order.append(u"S " + request.id);
        });
    QObject::connect(&recorder.tracker, &RequestTracker::requestFinished, &recorder.tracker,
        [&](const RequestTiming &request) { order.append(u"F " + request.id); });
    recorder.tracker.setNavigationStart(redirectNavigationStart);
    QVERIFY(recorder.play(redirectPage));
    // Every request and redirect hop once, before its end, with what was known at its start and nothing more.
    QCOMPARE(started.size(), recorder.finished.size());
    for (const RequestTiming &ended : std::as_const(recorder.finished)) {
        const auto found
            = std::find_if(started.cbegin(), started.cend(), [&](const RequestTiming &s) { return s.id == ended.id; });
        QVERIFY2(found != started.cend(), qPrintable(ended.id));
        QCOMPARE(found->url, ended.url);
        QCOMPARE(found->resourceType, ended.resourceType);
        QCOMPARE(found->method, ended.method);
        QCOMPARE(found->priority, ended.priority);
        QVERIFY(near(found->startMs, ended.startMs));
        QCOMPARE(found->outcome, RequestTiming::Outcome::Unfinished);
        QVERIFY(!found->durationMs && !found->status && found->requestHeaders.isEmpty());
        QVERIFY(order.indexOf(u"S " + ended.id) < order.indexOf(u"F " + ended.id));
    }

    // Before the navigation start is known nothing is announced; then whatever is still open is, once.
    RequestRecorder late(redirectFrame);
    QList<RequestTiming> lateStarts;
    QObject::connect(&late.tracker, &RequestTracker::requestStarted, &late.tracker,
        [&](const RequestTiming &request) { lateStarts.append(request); });
    QVERIFY(late.play(redirectPage, 1)); // the document's request
    QVERIFY(lateStarts.isEmpty());
    late.tracker.setNavigationStart(redirectNavigationStart);
    QCOMPARE(lateStarts.size(), 1);
    QCOMPARE(lateStarts.first().id, redirectDocument);
    QVERIFY(near(lateStarts.first().startMs, (2804.643481 - redirectNavigationStart) * 1000));
    late.tracker.setNavigationStart(redirectNavigationStart);
    QCOMPARE(lateStarts.size(), 1);
}

void TestRequestTracker::leavesOtherEventsAlone()
{
    RequestRecorder recorder(redirectFrame);
    QVERIFY(recorder.play(redirectPage, 1));
    const QJsonObject params { { QStringLiteral("requestId"), redirectDocument },
        { QStringLiteral("timestamp"), 2804.7 }, { QStringLiteral("newPriority"), QStringLiteral("High") } };
    QVERIFY(!recorder.tracker.handleEvent(QStringLiteral("Network.resourceChangedPriority"), params));
    QVERIFY(!recorder.tracker.handleEvent(QStringLiteral("Network.requestWillBeSentExtraInfo"), params));
    QVERIFY(!recorder.tracker.handleEvent(QStringLiteral("Page.loadEventFired"), params));
    // Events for requests it never saw change nothing.
    QVERIFY(recorder.tracker.handleEvent(QStringLiteral("Network.loadingFinished"),
        { { QStringLiteral("requestId"), QStringLiteral("unknown") }, { QStringLiteral("timestamp"), 2804.8 } }));
    QVERIFY(recorder.tracker.hasOpenRequests());
    recorder.tracker.closeOpenRequests();
    QCOMPARE(recorder.ids(), QStringList { redirectDocument });
    QCOMPARE(recorder.finished.first().outcome, RequestTiming::Outcome::Unfinished);
}

void TestRequestTracker::chromesErrorPageIsNotThePage()
{
    // After a redirect loop Chrome shows its error page, whose icons are data: URLs of chrome-error://chromewebdata/.
    RequestRecorder recorder(redirectFrame);
    recorder.tracker.setNavigationStart(1.0);
    const QJsonObject errorIcon { { QStringLiteral("requestId"), QStringLiteral("E1") },
        { QStringLiteral("documentURL"), QStringLiteral("chrome-error://chromewebdata/") },
        { QStringLiteral("frameId"), redirectFrame }, { QStringLiteral("type"), QStringLiteral("Image") },
        { QStringLiteral("timestamp"), 1.5 },
        { QStringLiteral("request"),
            QJsonObject { { QStringLiteral("url"), QStringLiteral("data:image/png;base64,iVBORw0KGgo=") },
                { QStringLiteral("method"), QStringLiteral("GET") } } } };
    QVERIFY(recorder.tracker.handleEvent(QStringLiteral("Network.requestWillBeSent"), errorIcon));
    QVERIFY(!recorder.tracker.hasOpenRequests());
    QVERIFY(recorder.tracker.handleEvent(QStringLiteral("Network.loadingFinished"),
        { { QStringLiteral("requestId"), QStringLiteral("E1") }, { QStringLiteral("timestamp"), 1.6 },
            { QStringLiteral("encodedDataLength"), 0 } }));
    recorder.tracker.closeOpenRequests();
    QVERIFY(recorder.finished.isEmpty());
    QVERIFY(recorder.activity.isEmpty());
}

QTEST_GUILESS_MAIN(TestRequestTracker)
#include "tst_requesttracker.moc"
