// The probe daemon's server over real WebSockets on loopback, with real Chromium and the test web server.
#include "browsertestcase.h"
#include "fleet/probeclient.h"
#include "probeserver.h"
#include "protocolpeer.h"
#include "rawwebsocket.h"
#include "testwebserver.h"
#include "urlpolicy.h"

#include <QElapsedTimer>
#include <QHostInfo>
#include <QJsonDocument>
#include <QTest>

#include <algorithm>
#include <memory>
#include <vector>

namespace {

const QByteArray token = "test-token-0123456789abcdef";

RunMessage runOf(const QString &runId, const QUrl &url, int timeoutMs = 30'000)
{
    RunMessage run;
    run.runId = runId;
    run.url = url.toString();
    run.options.timeoutMs = timeoutMs;
    return run;
}

const DoneMessage *doneOf(const ProtocolPeer &peer, const QString &runId)
{
    for (const auto &r : peer.received()) {
        if (const auto *done = as<DoneMessage>(r.message); done && done->runId == runId)
            return done;
    }
    return nullptr;
}

const ErrorMessage *errorOf(const ProtocolPeer &peer, const QString &code)
{
    for (const auto &r : peer.received()) {
        if (const auto *error = as<ErrorMessage>(r.message); error && error->code == code)
            return error;
    }
    return nullptr;
}

} // namespace

class tst_ProbeServer : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void wrongTokensNeverLockOutTheRightOne();
    void handshakeRules();
    void streamsARunLive();
    void sendsTheLoadTimeAtTheLoadEvent();
    void sendsEachRequestFromItsStart();
    void probeClientAgainstTheRealServer();
    void clientsSeeAndCancelOnlyTheirOwnRuns();
    void capacityQueueAndBusy();
    void badFramesKeepTheConnection();
    void oversizedFrameClosesIt_data();
    void oversizedFrameClosesIt();
    void textThatIsNotUtf8ClosesIt();
    void runsGoToTheBrowserInTurns();
    void aClientThatStopsReadingIsDropped();
    void refusesPrivateTargets_data();
    void refusesPrivateTargets();
    void allowsPrivateTargetsWhenTold();
    void testSettingsOverTheWire();
    void scriptNavigationPassesThePolicy();

private:
    std::unique_ptr<ProbeServer> makeServer(std::shared_ptr<UrlPolicy> policy = {}, int maxConcurrency = 2,
        int queue = 4, qint64 maxSendBacklogBytes = 16 * 1024 * 1024);

    TestWebServer m_web;
    TestWebServer m_private; // stands for an intranet host: it must never be reached
    std::unique_ptr<ProbeServer> m_server; // allows private targets, for the protocol tests
};

std::unique_ptr<ProbeServer> tst_ProbeServer::makeServer(
    std::shared_ptr<UrlPolicy> policy, int maxConcurrency, int queue, qint64 maxSendBacklogBytes)
{
    ProbeServer::Options options;
    options.token = token;
    options.region = QStringLiteral("test");
    options.maxConcurrency = maxConcurrency;
    options.queueLimit = queue;
    options.maxSendBacklogBytes = maxSendBacklogBytes;
    options.policy = policy ? policy : std::make_shared<UrlPolicy>(true);
    options.chrome = BrowserTest::chromeOptions();
    auto server = std::make_unique<ProbeServer>(options);
    QString error;
    if (!server->listen(&error))
        qWarning("listen: %s", qPrintable(error));
    return server;
}

void tst_ProbeServer::initTestCase()
{
    QVERIFY(m_web.listen());
    QVERIFY(m_private.listen());
    TestWebServer::Response page;
    page.body = "<!doctype html><h1>live</h1><link rel=stylesheet href=\"/asset?type=css&size=300\">"
                "<img src=\"/asset?type=png&delay=1500&size=2000&slow=1\">";
    m_web.route(QStringLiteral("/live"), page);
    TestWebServer::Response hang;
    hang.mode = TestWebServer::Response::Mode::Hang;
    m_web.route(QStringLiteral("/hang"), hang);
    // Loads at once, then keeps a request open that the server never answers: fully loaded waits for the timeout.
    page.body = "<!doctype html><h1>busy after load</h1>"
                "<script>addEventListener('load', () => fetch('/hang?after-load=1'))</script>";
    m_web.route(QStringLiteral("/busy-after-load"), page);
    m_web.route(QStringLiteral("/to-private"),
        TestWebServer::Response {
            302, {}, {}, 0, 0, { { "Location", m_private.url(QStringLiteral("/secret")).toEncoded() } } });
    m_private.route(
        QStringLiteral("/secret"), TestWebServer::Response { 200, "text/html", "<p>intranet</p>", 0, 0, {} });
    // A page whose 40 requests each come back with a 32 KiB header: every `request` frame is that large.
    TestWebServer::Response fatPage;
    for (int i = 0; i < 40; ++i)
        fatPage.body += "<img src=\"/fat?i=" + QByteArray::number(i) + "\">";
    m_web.route(QStringLiteral("/fat-page"), fatPage);
    m_web.route(QStringLiteral("/fat"),
        TestWebServer::Response { 200, "image/gif", "GIF89a", 0, 0, { { "X-Fat", QByteArray(32 * 1024, 'f') } } });
    // An image the server answers only when the test says so: it is pending for as long as the test likes.
    page.body = "<!doctype html><h1>held</h1><img src=\"/held.gif\">";
    m_web.route(QStringLiteral("/held-image"), page);
    TestWebServer::Response held { 200, "image/gif", "GIF89a", 0, 0, {} };
    held.mode = TestWebServer::Response::Mode::Held;
    m_web.route(QStringLiteral("/held.gif"), held);
    m_server = makeServer();
    QVERIFY(m_server->endpoint().port() > 0);
}

void tst_ProbeServer::wrongTokensNeverLockOutTheRightOne()
{
    // Eight wrong tokens from one address, then the right one from the same address (a NAT, a proxy's edge): the
    // wrong ones are refused, slower and slower; the right one is in at once.
    auto server = makeServer();
    std::vector<std::unique_ptr<ProtocolPeer>> intruders;
    for (int i = 0; i < 8; ++i) {
        intruders.push_back(std::make_unique<ProtocolPeer>());
        QVERIFY(intruders.back()->open(server->endpoint()));
        intruders.back()->send(AuthMessage { QStringLiteral("wrong-token-%1-xxxxxxxx").arg(i) });
    }
    QVERIFY(intruders.front()->waitForClose(5'000));
    QElapsedTimer clock;
    clock.start();
    ProbeClient client;
    QSignalSpy ready(&client, &ProbeClient::ready);
    client.connectToProbe(ProbeClient::Endpoint { server->endpoint(), {}, QString::fromLatin1(token), {} });
    QVERIFY(ready.wait(10'000));
    qInfo("the right token was ready after %lld ms", clock.elapsed());
    QVERIFY(clock.elapsed() < 2'000);
    for (const auto &intruder : intruders) {
        QVERIFY(intruder->waitForClose(10'000));
        QCOMPARE(intruder->closeCode(), 4001);
        QVERIFY(intruder->received().isEmpty()); // not a word more than the close code
    }
}

void tst_ProbeServer::handshakeRules()
{
    {
        ProtocolPeer peer;
        QVERIFY(peer.open(m_server->endpoint()));
        peer.send(AuthMessage { QString::fromLatin1(token) });
        peer.send(runOf(QStringLiteral("early"), m_web.url(QStringLiteral("/live"))));
        QVERIFY(peer.waitFor([](const Message &m) { return as<ErrorMessage>(m) != nullptr; }, 5000));
        QCOMPARE(as<ErrorMessage>(peer.received().first().message)->code, QStringLiteral("handshake-required"));
        QVERIFY(!peer.isClosed());
    }
    {
        ProtocolPeer peer;
        QVERIFY(peer.open(m_server->endpoint()));
        peer.send(AuthMessage { QString::fromLatin1(token) });
        HelloMessage future;
        future.supported = VersionRange { 2, 3 };
        peer.send(future);
        QVERIFY(peer.waitForClose(5000));
        QCOMPARE(peer.closeCode(), 4004);
        QVERIFY(errorOf(peer, QStringLiteral("unsupported-version")));
    }
    {
        // A newer client that also speaks 1 gets 1.
        ProtocolPeer peer;
        QVERIFY(peer.open(m_server->endpoint()));
        peer.send(AuthMessage { QString::fromLatin1(token) });
        HelloMessage newer;
        newer.supported = VersionRange { 1, 4 };
        peer.send(newer);
        QVERIFY(peer.waitFor([](const Message &m) { return as<HelloMessage>(m) != nullptr; }, 5000));
        const auto *hello = as<HelloMessage>(peer.received().first().message);
        QCOMPARE(hello->chosen, 1);
        QCOMPARE(hello->region, QStringLiteral("test"));
        QCOMPARE(hello->capacity, 2);
        QCOMPARE(hello->role, HelloMessage::Role::Probe);
    }
}

void tst_ProbeServer::streamsARunLive()
{
    ProtocolPeer peer;
    QVERIFY(peer.open(m_server->endpoint()));
    QVERIFY(peer.handshake(token));
    peer.send(runOf(QStringLiteral("live-1"), m_web.url(QStringLiteral("/live"))));
    QVERIFY(peer.waitForDone(QStringLiteral("live-1"), 60'000));

    // status → requests → metrics → done, states only moving forward, nothing after done. The provisional metrics
    // come at the load event, among the requests; the final ones after the last request.
    const QList<Message> frames = peer.forRun(QStringLiteral("live-1"));
    int stage = 0;
    int lastState = -1;
    int requests = 0;
    qint64 firstRequestAt = -1;
    qint64 doneAt = -1;
    for (const auto &r : peer.received()) {
        if (runIdOf(r.message) != u"live-1")
            continue;
        if (const auto *status = as<StatusMessage>(r.message)) {
            QVERIFY2(static_cast<int>(status->state) >= lastState, "states move forward");
            lastState = static_cast<int>(status->state);
        } else if (as<StartedMessage>(r.message)) {
            QFAIL("a client whose hello did not ask for `started` frames got one");
        } else if (as<RequestMessage>(r.message)) {
            QVERIFY2(stage <= 1, "a request after the metrics");
            stage = 1;
            ++requests;
            if (firstRequestAt < 0)
                firstRequestAt = r.atMs;
        } else if (const auto *metrics = as<MetricsMessage>(r.message); metrics && metrics->provisional) {
            QCOMPARE(stage, 1);
        } else if (as<MetricsMessage>(r.message)) {
            QCOMPARE(stage, 1);
            stage = 2;
        } else if (as<DoneMessage>(r.message)) {
            QCOMPARE(stage, 2);
            stage = 3;
            doneAt = r.atMs;
        }
    }
    QCOMPARE(stage, 3);
    QCOMPARE(lastState, static_cast<int>(RunState::Complete));
    QVERIFY(requests >= 3); // document, stylesheet, image (and Chrome's favicon)
    // Live: the document's and the stylesheet's frames came while the image was still 1.5 s away.
    QVERIFY2(doneAt - firstRequestAt >= 1000,
        qPrintable(QStringLiteral("first request at %1 ms, done at %2 ms").arg(firstRequestAt).arg(doneAt)));
    QVERIFY(as<StatusMessage>(frames.first()));
    QCOMPARE(as<StatusMessage>(frames.first())->state, RunState::Queued);
    const auto *done = doneOf(peer, QStringLiteral("live-1"));
    QVERIFY(done->ok);
    // The probe's CPU speed, measured once at its start: in its hello, and the same in each run's end, with the
    // throttling rate the run had (none asked for: 1).
    std::optional<double> helloIndex;
    for (const auto &r : peer.received()) {
        if (const auto *hello = as<HelloMessage>(r.message))
            helloIndex = hello->cpuBenchmarkIndex;
    }
    QVERIFY(helloIndex && *helloIndex > 0);
    QCOMPARE(done->cpuBenchmarkIndex, helloIndex);
    QCOMPARE(done->cpuSlowdownRate, std::optional<double>(1));
    for (const Message &m : frames) {
        if (const auto *metrics = as<MetricsMessage>(m)) {
            QVERIFY(metrics->metrics.loadMs >= 1500);
            if (!metrics->provisional)
                QCOMPARE(metrics->metrics.requestCount, requests);
        }
    }
    // The fleet's view: load reports arrived, and the last says idle.
    QVERIFY(peer.waitFor(
        [](const Message &m) {
            const auto *load = as<LoadMessage>(m);
            return load && load->active == 0 && load->queued == 0;
        },
        2000));
}

void tst_ProbeServer::sendsTheLoadTimeAtTheLoadEvent()
{
    ProtocolPeer peer;
    QVERIFY(peer.open(m_server->endpoint()));
    QVERIFY(peer.handshake(token));
    peer.send(runOf(QStringLiteral("early-load"), m_web.url(QStringLiteral("/busy-after-load")), 5'000));
    // The load time is sent while the page's last request is still open: the server never answers it, so nothing
    // but the load event can have sent it.
    QVERIFY(peer.waitFor(
        [](const Message &m) {
            const auto *metrics = as<MetricsMessage>(m);
            return metrics && metrics->runId == u"early-load" && metrics->provisional;
        },
        60'000));
    QVERIFY(!doneOf(peer, QStringLiteral("early-load")));
    QTRY_VERIFY_WITH_TIMEOUT(m_web.hits(QStringLiteral("/hang")) > 0, 10'000);
    QVERIFY(peer.waitForDone(QStringLiteral("early-load"), 60'000));
    QVERIFY(doneOf(peer, QStringLiteral("early-load"))->ok);

    QList<MetricsMessage> metrics;
    for (const Message &m : peer.forRun(QStringLiteral("early-load"))) {
        if (const auto *frame = as<MetricsMessage>(m))
            metrics.append(*frame);
    }
    QCOMPARE(metrics.size(), 2);
    const PageMetrics &atLoad = metrics.at(0).metrics;
    const PageMetrics &final = metrics.at(1).metrics;
    QVERIFY(metrics.at(0).provisional);
    QVERIFY(!metrics.at(1).provisional);
    // The same figures the final frame has for the load; what needs the end is absent, not 0.
    QVERIFY(atLoad.loadMs && atLoad.ttfbMs && atLoad.domContentLoadedMs);
    QCOMPARE(atLoad.loadMs, final.loadMs);
    // A small page may paint only after its load event: FCP is in the provisional figures when it came before.
    if (atLoad.firstContentfulPaintMs)
        QCOMPARE(atLoad.firstContentfulPaintMs, final.firstContentfulPaintMs);
    QCOMPARE(atLoad.ttfbMs, final.ttfbMs);
    QCOMPARE(atLoad.documentStatus, std::optional<int>(200));
    QVERIFY(!atLoad.fullyLoadedMs);
    QVERIFY(!atLoad.totalBlockingTimeMs);
    QVERIFY(atLoad.requestCount >= 1);
    // Fully loaded waited for the open request, until the time limit capped it.
    QVERIFY(final.fullyLoadedMs && *final.fullyLoadedMs > *final.loadMs);
}

void tst_ProbeServer::sendsEachRequestFromItsStart()
{
    ProtocolPeer peer;
    QVERIFY(peer.open(m_server->endpoint()));
    QVERIFY(peer.handshake(token, 10'000, { HelloMessage::startedCapability.toString() }));
    const auto *hello = as<HelloMessage>(peer.received().first().message);
    QVERIFY(hello && hello->capabilities.contains(HelloMessage::startedCapability));
    peer.send(runOf(QStringLiteral("pending-1"), m_web.url(QStringLiteral("/held-image"))));
    const auto isHeldImage = [](const RequestTiming &request) { return request.url.endsWith(u"/held.gif"); };
    // The image is announced while the server holds it back, so before the page can have loaded.
    QVERIFY(peer.waitFor(
        [&](const Message &m) {
            const auto *started = as<StartedMessage>(m);
            return started && std::any_of(started->requests.cbegin(), started->requests.cend(), isHeldImage);
        },
        60'000));
    QTRY_COMPARE_WITH_TIMEOUT(m_web.heldCount(), qsizetype(1), 10'000);
    for (const Message &m : peer.forRun(QStringLiteral("pending-1"))) {
        const auto *request = as<RequestMessage>(m);
        QVERIFY2(!(request && isHeldImage(request->request)), "the held image cannot have ended");
        QVERIFY2(!as<MetricsMessage>(m) && !as<DoneMessage>(m), "the page cannot have loaded");
    }
    m_web.releaseHeld();
    QVERIFY(peer.waitForDone(QStringLiteral("pending-1"), 60'000));
    QVERIFY(doneOf(peer, QStringLiteral("pending-1"))->ok);

    // Every announced request gets exactly one final frame later, with its id and view; none is announced twice,
    // and none after its end.
    QHash<QString, int> announced; // view + id → frames of it seen: 1 started, 2 its request too
    int imageStartedAt = -1;
    int imageEndedAt = -1;
    int position = 0;
    for (const Message &m : peer.forRun(QStringLiteral("pending-1"))) {
        ++position;
        if (const auto *started = as<StartedMessage>(m)) {
            QVERIFY(!started->requests.isEmpty() && started->requests.size() <= StartedMessage::maxRequests);
            for (const RequestTiming &request : started->requests) {
                const QString key = runViewName(started->view) + request.id;
                QVERIFY2(!announced.contains(key), qPrintable(u"announced twice or after its end: " + request.url));
                announced.insert(key, 1);
                QCOMPARE(request.outcome, RequestTiming::Outcome::Unfinished);
                QVERIFY(!request.durationMs);
                if (isHeldImage(request)) {
                    imageStartedAt = position;
                    QCOMPARE(request.resourceType, QStringLiteral("Image"));
                    QVERIFY(request.startMs >= 0);
                }
            }
        } else if (const auto *request = as<RequestMessage>(m)) {
            const QString key = runViewName(request->view) + request->request.id;
            if (announced.value(key) == 1)
                announced[key] = 2;
            else
                announced.insert(key, 2); // ended before its start went out: never pending
            if (isHeldImage(request->request)) {
                imageEndedAt = position;
                QCOMPARE(request->request.outcome, RequestTiming::Outcome::Finished);
            }
        }
    }
    QVERIFY(imageStartedAt > 0);
    QVERIFY(imageEndedAt > imageStartedAt);
    for (auto it = announced.cbegin(); it != announced.cend(); ++it)
        QVERIFY2(it.value() == 2, qPrintable(u"no final frame for " + it.key()));
}

void tst_ProbeServer::probeClientAgainstTheRealServer()
{
    // The client the app and the fleet use, against this server: the two ends of one protocol.
    ProbeClient client;
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy requests(&client, &ProbeClient::requestFinished);
    QSignalSpy metrics(&client, &ProbeClient::metrics);
    QSignalSpy done(&client, &ProbeClient::done);
    ProbeClient::Endpoint endpoint;
    endpoint.url = m_server->endpoint();
    endpoint.token = QString::fromLatin1(token);
    client.connectToProbe(endpoint);
    QVERIFY(ready.wait(10'000));
    QCOMPARE(ready.first().first().value<HelloMessage>().region, QStringLiteral("test"));
    LoadOptions options;
    options.screenshot = true;
    QVERIFY(client.submit(QStringLiteral("pc-1"), m_web.url(QStringLiteral("/live")), options));
    QVERIFY(done.wait(60'000));
    const auto finished = done.first().at(1).value<DoneMessage>();
    QVERIFY(finished.ok);
    QVERIFY(requests.count() >= 3);
    // The load event's provisional figures, then the final ones, which carry the screenshot.
    QCOMPARE(metrics.count(), 2);
    QVERIFY(metrics.first().at(2).value<MetricsMessage>().provisional);
    const auto page = metrics.last().at(2).value<MetricsMessage>();
    QVERIFY(!page.provisional);
    QVERIFY(page.screenshotPng.startsWith("\x89PNG")); // a screenshot crosses the wire
    QCOMPARE(page.metrics.requestCount, requests.count());

    // A wrong token, through the client: refused with the documented close code, described in words.
    ProbeClient intruder;
    QSignalSpy disconnected(&intruder, &ProbeClient::disconnected);
    endpoint.token = QStringLiteral("not-the-token-0123456789");
    intruder.connectToProbe(endpoint);
    QVERIFY(disconnected.wait(10'000));
    QCOMPARE(disconnected.first().first().toInt(), 4001);
}

void tst_ProbeServer::clientsSeeAndCancelOnlyTheirOwnRuns()
{
    ProtocolPeer alice;
    ProtocolPeer bob;
    QVERIFY(alice.open(m_server->endpoint()) && alice.handshake(token));
    QVERIFY(bob.open(m_server->endpoint()) && bob.handshake(token));
    alice.send(runOf(QStringLiteral("shared-id"), m_web.url(QStringLiteral("/hang")), 20'000));
    QVERIFY(alice.waitFor(
        [](const Message &m) {
            const auto *s = as<StatusMessage>(m);
            return s && s->state == RunState::Loading;
        },
        30'000));

    // Bob cannot cancel Alice's run, even knowing its id, and hears nothing of it.
    bob.send(CancelMessage { QStringLiteral("shared-id") });
    QVERIFY(bob.waitFor([](const Message &m) { return as<ErrorMessage>(m) != nullptr; }, 5000));
    QCOMPARE(errorOf(bob, QStringLiteral("unknown-run"))->runId, QStringLiteral("shared-id"));
    QTest::qWait(300);
    QVERIFY(!doneOf(alice, QStringLiteral("shared-id")));
    for (const auto &r : bob.received())
        QVERIFY2(!as<StatusMessage>(r.message) && !as<RequestMessage>(r.message), qPrintable(describe(r.message)));

    // Bob may use the same run id for a run of his own: ids are per connection.
    bob.send(runOf(QStringLiteral("shared-id"), m_web.url(QStringLiteral("/asset?type=text/html&size=10"))));
    QVERIFY(bob.waitForDone(QStringLiteral("shared-id"), 30'000));
    QVERIFY(doneOf(bob, QStringLiteral("shared-id"))->ok);
    QVERIFY(!doneOf(alice, QStringLiteral("shared-id")));

    alice.send(CancelMessage { QStringLiteral("shared-id") });
    QVERIFY(alice.waitForDone(QStringLiteral("shared-id"), 10'000));
    const auto *done = doneOf(alice, QStringLiteral("shared-id"));
    QVERIFY(!done->ok);
    QCOMPARE(done->error->kind, LoadError::Kind::Cancelled);
}

void tst_ProbeServer::capacityQueueAndBusy()
{
    auto server = makeServer({}, 1, 1);
    ProtocolPeer peer;
    QVERIFY(peer.open(server->endpoint()) && peer.handshake(token));
    const QUrl slow = m_web.url(QStringLiteral("/asset?type=text/html&size=10&delay=800"));
    peer.send(runOf(QStringLiteral("a"), slow));
    peer.send(runOf(QStringLiteral("b"), slow));
    peer.send(runOf(QStringLiteral("c"), slow));
    QVERIFY(peer.waitFor([](const Message &m) { return as<ErrorMessage>(m) != nullptr; }, 10'000));
    const auto *busy = errorOf(peer, QStringLiteral("busy"));
    QVERIFY(busy);
    QCOMPARE(busy->runId, QStringLiteral("c"));
    // "a" loads while "b" waits its turn, then both complete.
    QVERIFY(peer.waitFor(
        [](const Message &m) {
            const auto *load = as<LoadMessage>(m);
            return load && load->active == 1 && load->queued == 1 && load->capacity == 1;
        },
        30'000));
    QVERIFY(peer.waitForDone(QStringLiteral("a"), 30'000));
    QVERIFY(peer.waitForDone(QStringLiteral("b"), 30'000));
    QVERIFY(doneOf(peer, QStringLiteral("a"))->ok && doneOf(peer, QStringLiteral("b"))->ok);
    for (const auto &r : peer.received())
        QVERIFY(!as<LoadMessage>(r.message) || as<LoadMessage>(r.message)->active <= 1);
    QVERIFY(!doneOf(peer, QStringLiteral("c")));

    // A run id that is still live cannot be reused.
    peer.send(runOf(QStringLiteral("d"), m_web.url(QStringLiteral("/hang")), 5000));
    peer.send(runOf(QStringLiteral("d"), slow));
    QVERIFY(peer.waitFor(
        [](const Message &m) {
            const auto *e = as<ErrorMessage>(m);
            return e && e->code == u"duplicate-run";
        },
        5000));
}

void tst_ProbeServer::badFramesKeepTheConnection()
{
    ProtocolPeer peer;
    QVERIFY(peer.open(m_server->endpoint()) && peer.handshake(token));
    peer.sendRaw(QStringLiteral("{not json"));
    peer.sendRaw(QString::fromUtf8(R"({"v":1,"type":"teleport","runId":"x1"})"));
    peer.sendRaw(QString::fromUtf8(R"({"v":1,"type":"run","runId":"x2","url":42})"));
    peer.socket().sendBinaryMessage("\x00\x01");
    QVERIFY(peer.waitFor(
        [&](const Message &) {
            return errorOf(peer, QStringLiteral("malformed")) && errorOf(peer, QStringLiteral("unknown-type"))
                && errorOf(peer, QStringLiteral("invalid-message"));
        },
        5000));
    QCOMPARE(errorOf(peer, QStringLiteral("unknown-type"))->runId, QStringLiteral("x1"));
    QCOMPARE(errorOf(peer, QStringLiteral("invalid-message"))->runId, QStringLiteral("x2"));
    // Still open, still working.
    peer.send(runOf(QStringLiteral("after"), m_web.url(QStringLiteral("/asset?type=text/html&size=10"))));
    QVERIFY(peer.waitForDone(QStringLiteral("after"), 30'000));
    QVERIFY(doneOf(peer, QStringLiteral("after"))->ok);
    QVERIFY(!peer.isClosed());
}

void tst_ProbeServer::oversizedFrameClosesIt_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<bool>("answered");
    QTest::newRow("1.5 MiB: read, answered") << 3 * 512 * 1024 << true;
    QTest::newRow("2 MiB: stopped at its header") << 2 * 1024 * 1024 << false;
}

void tst_ProbeServer::oversizedFrameClosesIt()
{
    QFETCH(int, size);
    QFETCH(bool, answered);
    ProtocolPeer peer;
    QVERIFY(peer.open(m_server->endpoint()) && peer.handshake(token));
    RunMessage huge = runOf(QStringLiteral("huge"), m_web.url(QStringLiteral("/")));
    huge.url += QString(size, u'a');
    peer.sendRaw(FrameCodec().encodeText(huge));
    QVERIFY(peer.waitForClose(10'000));
    QCOMPARE(peer.closeCode(), 1009);
    // Not parsed, so the error cannot name the run.
    QCOMPARE(errorOf(peer, QStringLiteral("frame-too-large")) != nullptr, answered);
}

void tst_ProbeServer::textThatIsNotUtf8ClosesIt()
{
    // The WebSocket layer refuses it (RFC 6455 §8.1) before the codec could call it malformed; PROTOCOL.md says so.
    RawWebSocket raw;
    QVERIFY(raw.connectTo(m_server->endpoint()));
    QCOMPARE(raw.upgrade(), 101);
    raw.sendText(FrameCodec().encode(AuthMessage { QString::fromLatin1(token) }));
    raw.sendText(FrameCodec().encode(HelloMessage {}));
    QTRY_VERIFY(!raw.texts().isEmpty()); // the probe's hello
    raw.sendText(QByteArray("{\"v\":1,\"type\":\"cancel\",\"runId\":\"\xc3\x28\"}"));
    QVERIFY(raw.waitForClose(5'000));
    QCOMPARE(raw.closeCode(), 1007);
}

void tst_ProbeServer::runsGoToTheBrowserInTurns()
{
    // One run at a time: Alice's three runs do not make Bob's wait behind all of them.
    auto server = makeServer({}, 1, 8);
    ProtocolPeer alice;
    ProtocolPeer bob;
    QVERIFY(alice.open(server->endpoint()) && alice.handshake(token));
    QVERIFY(bob.open(server->endpoint()) && bob.handshake(token));
    const QUrl slow = m_web.url(QStringLiteral("/asset?type=text/html&size=10&delay=700"));
    for (const QString &runId : { QStringLiteral("a1"), QStringLiteral("a2"), QStringLiteral("a3") })
        alice.send(runOf(runId, slow));
    QVERIFY(alice.waitFor([](const Message &m) { return as<StatusMessage>(m) != nullptr; }, 5'000));
    bob.send(runOf(QStringLiteral("b1"), slow));
    QVERIFY(bob.waitForDone(QStringLiteral("b1"), 60'000));
    QVERIFY(doneOf(bob, QStringLiteral("b1"))->ok);
    QVERIFY(doneOf(alice, QStringLiteral("a1")));
    QVERIFY2(!doneOf(alice, QStringLiteral("a2")), "Bob's run waited behind Alice's second");
    QVERIFY(alice.waitForDone(QStringLiteral("a3"), 60'000));
    QVERIFY(doneOf(alice, QStringLiteral("a2"))->ok && doneOf(alice, QStringLiteral("a3"))->ok);
}

void tst_ProbeServer::aClientThatStopsReadingIsDropped()
{
    // A backlog of 2 MiB allowed (a client that reads can fall behind that far for a moment: the probe writes
    // faster than anyone reads), and runs of 40 frames of 32 KiB: a client that stops reading passes it soon.
    auto server = makeServer({}, 2, 8, 2 * 1024 * 1024);
    RawWebSocket sloth;
    QVERIFY(sloth.connectTo(server->endpoint()));
    QCOMPARE(sloth.upgrade(), 101);
    sloth.sendText(FrameCodec().encode(AuthMessage { QString::fromLatin1(token) }));
    sloth.sendText(FrameCodec().encode(HelloMessage {}));
    QTRY_VERIFY(!sloth.texts().isEmpty());
    QTRY_COMPARE(server->clientCount(), 1);
    sloth.stopReading();
    for (int i = 0; i < 8; ++i) {
        LoadOptions options;
        options.screenshot = true;
        sloth.sendText(FrameCodec().encode(
            RunMessage { QStringLiteral("s%1").arg(i), m_web.url(QStringLiteral("/fat-page")).toString(), options }));
    }
    ProtocolPeer other;
    QVERIFY(other.open(server->endpoint()) && other.handshake(token));
    other.send(runOf(QStringLiteral("mine"), m_web.url(QStringLiteral("/fat-page"))));
    QVERIFY(other.waitForDone(QStringLiteral("mine"), 60'000));
    QVERIFY(doneOf(other, QStringLiteral("mine"))->ok);
    // The reader that stopped is gone, and its runs with it; the other client is still there.
    QTRY_COMPARE_WITH_TIMEOUT(server->clientCount(), 1, 60'000);
    QTRY_COMPARE_WITH_TIMEOUT(server->runCount(), 0, 30'000);
    QVERIFY(!other.isClosed());
}

void tst_ProbeServer::refusesPrivateTargets_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("mentions");
    const QString port = QString::number(m_private.port());
    QTest::newRow("loopback") << QStringLiteral("http://127.0.0.1:%1/secret").arg(port) << QStringLiteral("loopback");
    QTest::newRow("loopback /8") << QStringLiteral("http://127.0.0.2:%1/secret").arg(port)
                                 << QStringLiteral("loopback");
    QTest::newRow("ipv6 loopback") << QStringLiteral("http://[::1]:%1/secret").arg(port) << QStringLiteral("loopback");
    QTest::newRow("10/8") << QStringLiteral("http://10.1.2.3/") << QStringLiteral("10.1.2.3");
    QTest::newRow("192.168/16") << QStringLiteral("http://192.168.1.1/") << QStringLiteral("192.168.1.1");
    QTest::newRow("metadata") << QStringLiteral("http://169.254.169.254/latest/meta-data/")
                              << QStringLiteral("169.254.169.254");
    QTest::newRow("localhost") << QStringLiteral("http://localhost:%1/secret").arg(port) << QStringLiteral("loopback");
    // A name from the hosts file that points at this machine.
    QTest::newRow("hosts-file name") << QStringLiteral("http://%1:%2/secret").arg(QHostInfo::localHostName(), port)
                                     << QStringLiteral("loopback");
    // An allowed page that redirects to a private address: the redirect is what is refused.
    QTest::newRow("redirect") << m_web.url(QStringLiteral("/to-private")).toString() << QStringLiteral("loopback");
    QTest::newRow("file") << QStringLiteral("file:///etc/passwd") << QStringLiteral("http");
}

void tst_ProbeServer::refusesPrivateTargets()
{
    QFETCH(QString, url);
    QFETCH(QString, mentions);
    if (QTest::currentDataTag() == QByteArrayLiteral("hosts-file name")) {
        const QHostInfo info = QHostInfo::fromName(QHostInfo::localHostName());
        if (info.addresses().isEmpty() || !info.addresses().first().isLoopback())
            QSKIP("this machine's name does not resolve to loopback through its hosts file");
    }
    // The one place this probe may go: the test site itself, as an operator would allow a staging server.
    auto policy = std::make_shared<UrlPolicy>(false);
    policy->allowTarget(QStringLiteral("127.0.0.1"), m_web.port());
    auto server = makeServer(policy);
    ProtocolPeer peer;
    QVERIFY(peer.open(server->endpoint()) && peer.handshake(token));
    const int secretsBefore = m_private.hits(QStringLiteral("/secret"));
    peer.send(RunMessage { QStringLiteral("ssrf"), url, LoadOptions {} });
    QVERIFY(peer.waitForDone(QStringLiteral("ssrf"), 30'000));
    const auto *done = doneOf(peer, QStringLiteral("ssrf"));
    QVERIFY(!done->ok);
    QCOMPARE(done->error->kind, LoadError::Kind::Refused);
    QVERIFY2(done->error->message.contains(mentions), qPrintable(done->error->message));
    QCOMPARE(m_private.hits(QStringLiteral("/secret")), secretsBefore);
}

void tst_ProbeServer::allowsPrivateTargetsWhenTold()
{
    // Only addresses of this machine: the loopback forms of the rows above.
    TestWebServer v6;
    const bool haveV6 = v6.listen(QHostAddress::LocalHostIPv6);
    if (haveV6)
        v6.route(QStringLiteral("/secret"), TestWebServer::Response { 200, "text/html", "<p>v6</p>", 0, 0, {} });
    QStringList urls { m_private.url(QStringLiteral("/secret")).toString(),
        QStringLiteral("http://localhost:%1/secret").arg(m_private.port()),
        m_web.url(QStringLiteral("/to-private")).toString() };
    if (haveV6)
        urls << v6.url(QStringLiteral("/secret")).toString();
    ProtocolPeer peer;
    QVERIFY(peer.open(m_server->endpoint()) && peer.handshake(token));
    for (qsizetype i = 0; i < urls.size(); ++i) {
        const QString runId = QStringLiteral("allowed-%1").arg(i);
        peer.send(RunMessage { runId, urls.at(i), LoadOptions {} });
        QVERIFY(peer.waitForDone(runId, 30'000));
        const auto *done = doneOf(peer, runId);
        QVERIFY2(done->ok, qPrintable(urls.at(i) + u": " + (done->error ? done->error->message : QString())));
    }
}

void tst_ProbeServer::testSettingsOverTheWire()
{
    // A guarded probe (its URL policy refuses private targets but the test site): the test's own blocks and the
    // policy's refusals both keep a request from being sent, and the result tells them apart.
    auto policy = std::make_shared<UrlPolicy>(false);
    policy->allowTarget(QStringLiteral("127.0.0.1"), m_web.port());
    auto server = makeServer(policy);
    const QString refusedUrl = QStringLiteral("http://127.0.0.2:%1/secret").arg(m_private.port());
    TestWebServer::Response page;
    page.body = "<!doctype html><h1>settings</h1><img src=\"/asset?type=png&size=100&ad=1\">"
                "<img src=\""
        + refusedUrl.toUtf8() + "\">";
    m_web.route(QStringLiteral("/wire-settings"), page);
    RunMessage run = runOf(QStringLiteral("settings-1"), m_web.url(QStringLiteral("/wire-settings")));
    run.options.test.headers = { { QStringLiteral("X-Key"), QStringLiteral("${secret:key}"), {}, false } };
    run.options.test.block = { QStringLiteral("&ad=1") };
    run.options.test.secretValues = { { QStringLiteral("key"), QStringLiteral("wire-secret-77") } };

    ProtocolPeer peer;
    QVERIFY(peer.open(server->endpoint()) && peer.handshake(token));
    const qsizetype before = m_web.requests().size();
    const int privateBefore = m_private.hits(QStringLiteral("/secret"));
    peer.send(run);
    QVERIFY(peer.waitForDone(QStringLiteral("settings-1"), 60'000));
    QVERIFY(doneOf(peer, QStringLiteral("settings-1"))->ok);

    bool sawHeader = false;
    for (const TestWebServer::Request &request : m_web.requests().mid(before)) {
        QVERIFY2(!request.target.contains("ad=1"), request.target.constData());
        sawHeader = sawHeader || request.headers.value("x-key") == "wire-secret-77";
    }
    QVERIFY(sawHeader);
    QCOMPARE(m_private.hits(QStringLiteral("/secret")), privateBefore);
    const RequestTiming *blocked = nullptr;
    const RequestTiming *refused = nullptr;
    const QList<Message> frames = peer.forRun(QStringLiteral("settings-1"));
    for (const Message &message : frames) {
        // Nothing the probe sends back repeats the secret.
        QVERIFY2(!QJsonDocument(messageToJson(message)).toJson().contains("wire-secret-77"),
            QJsonDocument(messageToJson(message)).toJson().constData());
        if (const auto *request = as<RequestMessage>(message)) {
            if (request->request.url.contains(u"ad=1"))
                blocked = &request->request;
            else if (request->request.url == refusedUrl)
                refused = &request->request;
        }
    }
    QVERIFY(blocked && refused);
    QVERIFY(blocked->blocked);
    QCOMPARE(blocked->failureText, QStringLiteral("blocked by the test: the URL contains \"&ad=1\""));
    QVERIFY(!refused->blocked);
    QCOMPARE(refused->outcome, RequestTiming::Outcome::Failed);
    QVERIFY2(refused->failureText.contains(u"refused by the probe"), qPrintable(refused->failureText));
    // The probe says it honours the settings, so a client sends them.
    bool advertised = false;
    for (const auto &r : peer.received()) {
        if (const auto *hello = as<HelloMessage>(r.message))
            advertised = hello->capabilities.contains(QStringLiteral("block"));
    }
    QVERIFY(advertised);
}

void tst_ProbeServer::scriptNavigationPassesThePolicy()
{
    // A guarded probe: a script's navigation to a private address, in its unmeasured part, is refused like a page's
    // own; the run ends there, saying why, and the private server never hears of it. The probe says it runs scripts.
    auto policy = std::make_shared<UrlPolicy>(false);
    policy->allowTarget(QStringLiteral("127.0.0.1"), m_web.port());
    auto server = makeServer(policy);
    m_web.route(QStringLiteral("/script-start"),
        TestWebServer::Response { 200, "text/html", "<!doctype html><p>start</p>", 0, 0, {} });
    const QString start = m_web.url(QStringLiteral("/script-start")).toString();
    const QString refusedUrl = QStringLiteral("http://127.0.0.2:%1/secret").arg(m_private.port());
    RunMessage run = runOf(QStringLiteral("script-1"), m_web.url(QStringLiteral("/script-start")));
    run.options.test.script
        = QStringLiteral("logData\t0\nnavigate\t%1\nnavigate\t%2\nlogData\t1\nnavigate\t%1\n").arg(start, refusedUrl);

    ProtocolPeer peer;
    QVERIFY(peer.open(server->endpoint()) && peer.handshake(token));
    const int privateBefore = m_private.hits(QStringLiteral("/secret"));
    peer.send(run);
    QVERIFY(peer.waitForDone(QStringLiteral("script-1"), 60'000));
    const auto *done = doneOf(peer, QStringLiteral("script-1"));
    QVERIFY(!done->ok);
    QCOMPARE(done->error->kind, LoadError::Kind::Refused);
    QVERIFY2(done->error->message.contains(QStringLiteral("refused to load ") + refusedUrl),
        qPrintable(done->error->message));
    QCOMPARE(m_private.hits(QStringLiteral("/secret")), privateBefore);
    bool advertised = false;
    for (const auto &r : peer.received()) {
        if (const auto *hello = as<HelloMessage>(r.message))
            advertised = hello->capabilities.contains(QStringLiteral("script"));
    }
    QVERIFY(advertised);
}

QTEST_GUILESS_MAIN(tst_ProbeServer)
#include "tst_probeserver.moc"
