// A browser context made before the run arrives (LoadScheduler::setKeepContextReady, ProbeServer while a client is
// here), against real Chromium and the test web server: the run navigates in it without making one of its own, it
// carries nothing of one run into the next, and an idle probe keeps none.
#include "browsertestcase.h"
#include "cdpconnection.h"
#include "probeserver.h"
#include "protocolpeer.h"
#include "testwebserver.h"
#include "urlpolicy.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QTest>

#include <optional>

namespace {

const QByteArray token = "test-token-prepared-0123456789";

// Sends a browser command and waits for its answer; an empty object if there was none.
QJsonObject ask(ChromeProcess *browser, const QString &method)
{
    QJsonObject result;
    if (!browser->cdp())
        return result;
    QEventLoop loop;
    browser->cdp()->send(
        method, {}, {}, &loop,
        [&](const CdpReply &reply) {
            result = reply.result;
            loop.quit();
        },
        std::chrono::milliseconds(10'000));
    loop.exec();
    return result;
}

// The browser contexts the browser holds now, by its own account.
QStringList browserContexts(ChromeProcess *browser)
{
    QStringList ids;
    for (const QJsonValue &id :
        ask(browser, QStringLiteral("Target.getBrowserContexts")).value(QStringLiteral("browserContextIds")).toArray())
        ids << id.toString();
    return ids;
}

// The context of the tab showing `url`; empty if no tab does.
QString contextShowing(ChromeProcess *browser, const QUrl &url)
{
    for (const QJsonValue &target :
        ask(browser, QStringLiteral("Target.getTargets")).value(QStringLiteral("targetInfos")).toArray()) {
        if (target[QStringLiteral("url")].toString() == url.toString())
            return target[QStringLiteral("browserContextId")].toString();
    }
    return {};
}

bool preparedReady(const LoadScheduler &scheduler)
{
    const BrowserContext *prepared = scheduler.preparedContext();
    return prepared && prepared->state() == BrowserContext::State::Ready;
}

QString preparedId(const LoadScheduler &scheduler)
{
    return scheduler.preparedContext() ? scheduler.preparedContext()->contextId() : QString();
}

// A copy: the lists it is given are often temporaries (TestWebServer::requests() and mid() return by value).
std::optional<TestWebServer::Request> lastRequestFor(const QList<TestWebServer::Request> &requests, const QString &path)
{
    std::optional<TestWebServer::Request> found;
    for (const TestWebServer::Request &request : requests) {
        if (request.path == path)
            found = request;
    }
    return found;
}

} // namespace

class tst_PreparedContext : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void runNavigatesInThePreparedContext();
    void nothingOfOneRunReachesTheNext();
    void runSettingsApplyToAPreparedContext();
    void aScriptRunsInAPreparedContext();
    void aLoadGuardedOtherwiseMakesItsOwn();
    void turnedOffItIsDisposed();
    void anIdleProbeKeepsNone();
    void aGuardedProbePreparesAGuardedContext();

private:
    QUrl heldPage() const { return m_web.url(QStringLiteral("/held-image")); }

    TestWebServer m_web;
    TestWebServer m_private; // an intranet host: a guarded probe must never reach it
    std::unique_ptr<LoadScheduler> m_scheduler;
};

void tst_PreparedContext::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_web.listen());
    QVERIFY(m_private.listen());
    // An image the server answers only when the test says so: the run is mid-load for as long as the test likes.
    TestWebServer::Response page;
    page.body = "<!doctype html><h1>held</h1><img src=\"/held.gif\">";
    m_web.route(QStringLiteral("/held-image"), page);
    TestWebServer::Response held { 200, "image/gif", "GIF89a", 0, 0, {} };
    held.mode = TestWebServer::Response::Mode::Held;
    m_web.route(QStringLiteral("/held.gif"), held);
    // A page that sets a cookie and loads a script the browser may cache for an hour.
    page.body = "<!doctype html><h1>cookie</h1><script src=\"/asset?type=js&size=500&maxage=3600&pc=1\"></script>";
    page.headers = { { "Set-Cookie", "prepared=run-one; Path=/; Max-Age=3600" } };
    m_web.route(QStringLiteral("/sets-cookie"), page);
    m_web.route(QStringLiteral("/to-private"),
        TestWebServer::Response {
            302, {}, {}, 0, 0, { { "Location", m_private.url(QStringLiteral("/secret")).toEncoded() } } });
    m_private.route(
        QStringLiteral("/secret"), TestWebServer::Response { 200, "text/html", "<p>intranet</p>", 0, 0, {} });

    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 1 });
    m_scheduler->setKeepContextReady(true);
    m_scheduler->startBrowser();
}

// The hot path: the run's tab is the one prepared before it was submitted, in the context prepared then, and the
// browser made no other context for it. Once the run ends that context is gone and a fresh one is prepared.
void tst_PreparedContext::runNavigatesInThePreparedContext()
{
    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*m_scheduler), 60'000);
    ChromeProcess *browser = m_scheduler->browser();
    const QString prepared = preparedId(*m_scheduler);
    QCOMPARE(browserContexts(browser), QStringList { prepared });

    PageLoad *load = m_scheduler->submit(heldPage(), LoadOptions {});
    QSignalSpy finished(load, &PageLoad::finished);
    QTRY_VERIFY_WITH_TIMEOUT(m_web.heldCount() == 1, 60'000);
    QCOMPARE(m_scheduler->preparedContext(), nullptr); // taken; none is made while a load runs
    QCOMPARE(browserContexts(browser), QStringList { prepared });
    QCOMPARE(contextShowing(browser, heldPage()), prepared);
    m_web.releaseHeld();
    QVERIFY(finished.wait(60'000));
    QVERIFY2(load->result().ok(), qPrintable(BrowserTest::errorText(load->result())));
    delete load;

    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*m_scheduler), 60'000);
    const QString next = preparedId(*m_scheduler);
    QVERIFY(next != prepared);
    QTRY_COMPARE_WITH_TIMEOUT(browserContexts(browser), QStringList { next }, 10'000);
}

// A cookie the page set in one run is sent in its repeat view (the same context, as before) and not in the next run,
// whose context was prepared while the first one ran its course; nor is the first run's cache.
void tst_PreparedContext::nothingOfOneRunReachesTheNext()
{
    const QUrl url = m_web.url(QStringLiteral("/sets-cookie"));
    const QString script = m_web.url(QStringLiteral("/asset?type=js&size=500&maxage=3600&pc=1")).toString();
    LoadOptions options;
    options.repeatView = true;
    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*m_scheduler), 60'000);
    const RunResult first = BrowserTest::run(*m_scheduler, url, options);
    QVERIFY2(first.ok(), qPrintable(BrowserTest::errorText(first)));
    QVERIFY(first.repeatView);
    const auto scriptIn = [&](const ViewResult &view) -> const RequestTiming * {
        for (const RequestTiming &request : view.requests) {
            if (request.url == script)
                return &request;
        }
        return nullptr;
    };
    QVERIFY(scriptIn(*first.repeatView) && scriptIn(*first.repeatView)->fromCache);
    const std::optional<TestWebServer::Request> repeatDocument
        = lastRequestFor(m_web.requests(), QStringLiteral("/sets-cookie"));
    QVERIFY(repeatDocument);
    QCOMPARE(repeatDocument->headers.value("cookie"), QByteArray("prepared=run-one"));

    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*m_scheduler), 60'000);
    const qsizetype before = m_web.requests().size();
    options.repeatView = false;
    const RunResult second = BrowserTest::run(*m_scheduler, url, options);
    QVERIFY2(second.ok(), qPrintable(BrowserTest::errorText(second)));
    const std::optional<TestWebServer::Request> document
        = lastRequestFor(m_web.requests().mid(before), QStringLiteral("/sets-cookie"));
    QVERIFY(document);
    QVERIFY2(!document->headers.contains("cookie"), document->headers.value("cookie").constData());
    QVERIFY(scriptIn(second.firstView) && !scriptIn(second.firstView)->fromCache);
}

// What a run sets is set on the context it takes: its headers, cookies and user agent reach the server.
void tst_PreparedContext::runSettingsApplyToAPreparedContext()
{
    LoadOptions options;
    options.test.headers = { { QStringLiteral("X-Prepared"), QStringLiteral("yes-4721"), {}, false } };
    options.test.cookies = { { QStringLiteral("session"), QStringLiteral("cookie-4722"), {} } };
    options.test.userAgent = QStringLiteral("WorldSpeedPrepared/1.0");
    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*m_scheduler), 60'000);
    const qsizetype before = m_web.requests().size();
    const QUrl url = m_web.url(QStringLiteral("/asset?type=text/html&size=100&settings=prepared"));
    const RunResult run = BrowserTest::run(*m_scheduler, url, options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    const std::optional<TestWebServer::Request> document
        = lastRequestFor(m_web.requests().mid(before), QStringLiteral("/asset"));
    QVERIFY(document);
    QCOMPARE(document->headers.value("x-prepared"), QByteArray("yes-4721"));
    QCOMPARE(document->headers.value("cookie"), QByteArray("session=cookie-4722"));
    QCOMPARE(document->headers.value("user-agent"), QByteArray("WorldSpeedPrepared/1.0"));
}

// A script drives the prepared tab like one made for it: what comes before its measured step is not measured.
void tst_PreparedContext::aScriptRunsInAPreparedContext()
{
    const QUrl before = m_web.url(QStringLiteral("/asset?type=text/html&size=100&script=before"));
    const QUrl measured = m_web.url(QStringLiteral("/asset?type=text/html&size=100&script=measured"));
    LoadOptions options;
    options.test.script = QStringLiteral("logData\t0\nnavigate\t%1\nlogData\t1\nnavigate\t%2\n")
                              .arg(before.toString(), measured.toString());
    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*m_scheduler), 60'000);
    const RunResult run = BrowserTest::run(*m_scheduler, before, options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QCOMPARE(run.firstView.url, measured.toString());
    QCOMPARE(run.firstView.requests.size(), 1);
    QCOMPARE(run.firstView.requests.first().url, measured.toString());
    QVERIFY(run.firstView.metrics.loadMs.has_value());
}

// A context prepared without a guard is no use to a guarded load: the load makes its own, with its own proxy, and the
// policy holds; the unguarded one is disposed of, never lent.
void tst_PreparedContext::aLoadGuardedOtherwiseMakesItsOwn()
{
    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*m_scheduler), 60'000);
    const QString unguarded = preparedId(*m_scheduler);
    QVERIFY(!m_scheduler->preparedContext()->egress());
    auto policy = std::make_shared<UrlPolicy>(false);
    policy->allowTarget(QStringLiteral("127.0.0.1"), m_web.port());

    PageLoad *load = m_scheduler->submit(heldPage(), LoadOptions {});
    load->setUrlPolicy(policy);
    QSignalSpy finished(load, &PageLoad::finished);
    QTRY_VERIFY_WITH_TIMEOUT(m_web.heldCount() == 1, 60'000);
    const QString used = contextShowing(m_scheduler->browser(), heldPage());
    QVERIFY(!used.isEmpty());
    QVERIFY(used != unguarded);
    QVERIFY(!browserContexts(m_scheduler->browser()).contains(unguarded));
    m_web.releaseHeld();
    QVERIFY(finished.wait(60'000));
    delete load;

    const int secretsBefore = m_private.hits(QStringLiteral("/secret"));
    load = m_scheduler->submit(m_web.url(QStringLiteral("/to-private")), LoadOptions {});
    load->setUrlPolicy(policy);
    QSignalSpy refused(load, &PageLoad::finished);
    QVERIFY(refused.wait(60'000));
    QVERIFY(load->result().firstView.error);
    QCOMPARE(load->result().firstView.error->kind, LoadError::Kind::Refused);
    QCOMPARE(m_private.hits(QStringLiteral("/secret")), secretsBefore);
    delete load;
}

void tst_PreparedContext::turnedOffItIsDisposed()
{
    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*m_scheduler), 60'000);
    QCOMPARE(browserContexts(m_scheduler->browser()).size(), 1);
    m_scheduler->setKeepContextReady(false);
    QCOMPARE(m_scheduler->preparedContext(), nullptr);
    QTRY_COMPARE_WITH_TIMEOUT(browserContexts(m_scheduler->browser()), QStringList {}, 10'000);
    // And a load without one makes its own, as it always did.
    const RunResult run
        = BrowserTest::run(*m_scheduler, m_web.url(QStringLiteral("/asset?type=text/html&size=100&cold=1")));
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QCOMPARE(m_scheduler->preparedContext(), nullptr);
    m_scheduler->setKeepContextReady(true);
}

// A probe prepares a context once a client is here (the handshake overlaps it), and disposes of it when it idles.
void tst_PreparedContext::anIdleProbeKeepsNone()
{
    ProbeServer::Options options;
    options.token = token;
    options.region = QStringLiteral("test");
    options.policy = std::make_shared<UrlPolicy>(true);
    options.chrome = BrowserTest::chromeOptions();
    ProbeServer server(options);
    QString error;
    QVERIFY2(server.listen(&error), qPrintable(error));
    server.startBrowser();
    ChromeProcess *browser = server.scheduler()->browser();
    QTRY_VERIFY_WITH_TIMEOUT(browser->isRunning(), 60'000);
    QCOMPARE(server.scheduler()->preparedContext(), nullptr); // nobody here: nothing prepared
    QCOMPARE(browserContexts(browser), QStringList {});

    {
        ProtocolPeer peer;
        QVERIFY(peer.open(server.endpoint()) && peer.handshake(token));
        QTRY_VERIFY_WITH_TIMEOUT(preparedReady(*server.scheduler()), 60'000);
        QCOMPARE(browserContexts(browser), QStringList { preparedId(*server.scheduler()) });
        peer.socket().close();
        QTRY_VERIFY_WITH_TIMEOUT(server.isIdle(), 10'000);
    }
    QCOMPARE(server.scheduler()->preparedContext(), nullptr);
    QTRY_COMPARE_WITH_TIMEOUT(browserContexts(browser), QStringList {}, 10'000);
}

// A guarded probe's prepared context has its own egress proxy, a run in it goes through the policy like any other,
// and the run does take it.
void tst_PreparedContext::aGuardedProbePreparesAGuardedContext()
{
    auto policy = std::make_shared<UrlPolicy>(false);
    policy->allowTarget(QStringLiteral("127.0.0.1"), m_web.port());
    ProbeServer::Options options;
    options.token = token;
    options.region = QStringLiteral("test");
    options.policy = policy;
    options.chrome = BrowserTest::chromeOptions();
    ProbeServer server(options);
    QString error;
    QVERIFY2(server.listen(&error), qPrintable(error));
    server.startBrowser();
    ProtocolPeer peer;
    QVERIFY(peer.open(server.endpoint()) && peer.handshake(token));
    LoadScheduler &scheduler = *server.scheduler();
    ChromeProcess *browser = scheduler.browser();
    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(scheduler), 60'000);
    QVERIFY(scheduler.preparedContext()->egress());
    const QString prepared = preparedId(scheduler);

    peer.send(RunMessage { QStringLiteral("held"), heldPage().toString(), LoadOptions {} });
    QTRY_VERIFY_WITH_TIMEOUT(m_web.heldCount() == 1, 60'000);
    QCOMPARE(contextShowing(browser, heldPage()), prepared);
    m_web.releaseHeld();
    QVERIFY(peer.waitForDone(QStringLiteral("held"), 60'000));

    QTRY_VERIFY_WITH_TIMEOUT(preparedReady(scheduler), 60'000);
    QVERIFY(scheduler.preparedContext()->egress());
    const int secretsBefore = m_private.hits(QStringLiteral("/secret"));
    peer.send(RunMessage { QStringLiteral("ssrf"), m_web.url(QStringLiteral("/to-private")).toString(), {} });
    QVERIFY(peer.waitForDone(QStringLiteral("ssrf"), 60'000));
    const DoneMessage *done = nullptr;
    for (const auto &received : peer.received()) {
        if (const auto *d = as<DoneMessage>(received.message); d && d->runId == u"ssrf")
            done = d;
    }
    QVERIFY(done && !done->ok && done->error);
    QCOMPARE(done->error->kind, LoadError::Kind::Refused);
    QCOMPARE(m_private.hits(QStringLiteral("/secret")), secretsBefore);
}

QTEST_GUILESS_MAIN(tst_PreparedContext)
#include "tst_preparedcontext.moc"
