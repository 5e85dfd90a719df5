// Main-thread blocking against a page whose long tasks are known by construction.
#include "browsertestcase.h"
#include "testwebserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

// Paints at once, then blocks the main thread twice (250 ms and 120 ms, timed by the page itself) while an image
// still holds the load event, and reports the tasks' true lengths.
const QByteArray blockingPage = R"(<!doctype html><html><body><h1>Blocking</h1><p>Text that paints first.</p>
<img src="/asset?type=png&delay=1200&size=2000" width="20" height="20">
<script>
const made = [];
function block(ms) { const t = performance.now(); while (performance.now() - t < ms) {} made.push(performance.now() - t); }
setTimeout(() => block(250), 300);
setTimeout(() => block(120), 700);
window.addEventListener('load', () => navigator.sendBeacon('/beacon', JSON.stringify({ made })));
</script></body></html>)";

// One 300 ms task at a known time (about 500 ms after navigation start), whose true start and length the page
// reports itself, from the same clock as the Long Tasks API.
const QByteArray oneTaskPage = R"(<!doctype html><html><body><h1>One task</h1>
<img src="/asset?type=png&delay=1200&size=2000" width="20" height="20">
<script>
let made = null;
setTimeout(() => { const t = performance.now(); while (performance.now() - t < 300) {} made = [t, performance.now() - t]; }, 500);
window.addEventListener('load', () => navigator.sendBeacon('/beacon', JSON.stringify({ made })));
</script></body></html>)";

const QByteArray quietPage = R"(<!doctype html><html><body><h1>Quiet</h1><p>Nothing runs here.</p></body></html>)";

} // namespace

class tst_MainThread : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void totalBlockingTimeOfConstructedTasks();
    void aQuietPageBlocksForZero();
    void theResultCarriesTheLongTasks();
    void aFailedViewWasNotWatched();

private:
    TestWebServer m_server;
    std::unique_ptr<LoadScheduler> m_scheduler;
};

void tst_MainThread::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
    TestWebServer::Response page;
    page.body = blockingPage;
    m_server.route(QStringLiteral("/blocking"), page);
    page.body = oneTaskPage;
    m_server.route(QStringLiteral("/onetask"), page);
    page.body = quietPage;
    m_server.route(QStringLiteral("/quiet"), page);
    page.status = 404;
    m_server.route(QStringLiteral("/missing"), page);
    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 1 });
}

void tst_MainThread::totalBlockingTimeOfConstructedTasks()
{
    QSignalSpy beacon(&m_server, &TestWebServer::beaconReceived);
    LoadOptions options;
    options.repeatView = true; // the watcher must be there for the second document too
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/blocking")), options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QTRY_COMPARE_WITH_TIMEOUT(beacon.size(), 2, 10'000);
    for (int view = 0; view < 2; ++view) {
        const ViewResult &result = view == 0 ? run.firstView : *run.repeatView;
        const QJsonArray made = QJsonDocument::fromJson(beacon.at(view).first().toByteArray())
                                    .object()
                                    .value(QStringLiteral("made"))
                                    .toArray();
        QCOMPARE(made.size(), 2);
        // Both tasks start after first paint and end before the load does: the whole excess over 50 ms counts.
        const double expected = (made[0].toDouble() - 50) + (made[1].toDouble() - 50);
        const PageMetrics &m = result.metrics;
        QVERIFY(m.firstContentfulPaintMs && *m.firstContentfulPaintMs < 300);
        QVERIFY(m.totalBlockingTimeMs && m.longTaskCount && m.longestTaskMs);
        qInfo("view %d: TBT %.1f ms (constructed %.1f), %g long tasks, longest %.1f ms", view + 1,
            *m.totalBlockingTimeMs, expected, *m.longTaskCount, *m.longestTaskMs);
        QVERIFY2(
            std::abs(*m.totalBlockingTimeMs - expected) <= 30, qPrintable(QString::number(*m.totalBlockingTimeMs)));
        QVERIFY(*m.longTaskCount >= 2);
        QVERIFY(std::abs(*m.longestTaskMs - made[0].toDouble()) <= 30);
    }
}

void tst_MainThread::aQuietPageBlocksForZero()
{
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/quiet")));
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    const PageMetrics &m = run.firstView.metrics;
    // Watched, and nothing blocked: true zeros, and no longest task to speak of.
    QCOMPARE(m.longTaskCount, std::optional<double>(0));
    QCOMPARE(m.totalBlockingTimeMs, std::optional<double>(0));
    QVERIFY(!m.longestTaskMs);
}

void tst_MainThread::theResultCarriesTheLongTasks()
{
    QSignalSpy beacon(&m_server, &TestWebServer::beaconReceived);
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/onetask")));
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QTRY_COMPARE_WITH_TIMEOUT(beacon.size(), 1, 10'000);
    const QJsonArray made = QJsonDocument::fromJson(beacon.first().first().toByteArray())
                                .object()
                                .value(QStringLiteral("made"))
                                .toArray();
    QCOMPARE(made.size(), 2);
    // The waterfall's main-thread row: the task, where and as long as the page made it (±30 ms).
    const QList<LongTask> &tasks = run.firstView.longTasks;
    const auto task = std::find_if(tasks.cbegin(), tasks.cend(), [](const LongTask &t) { return t.durationMs >= 250; });
    QVERIFY2(task != tasks.cend(), qPrintable(QString::number(tasks.size())));
    qInfo("long task at %.1f ms for %.1f ms; the page made it at %.1f ms for %.1f ms", task->startMs, task->durationMs,
        made[0].toDouble(), made[1].toDouble());
    QVERIFY(std::abs(task->startMs - made[0].toDouble()) <= 30);
    QVERIFY(std::abs(task->durationMs - made[1].toDouble()) <= 30);
    QCOMPARE(double(tasks.size()), *run.firstView.metrics.longTaskCount);
    // And they travel: in the result's JSON and in the protocol's metrics frame.
    QString error;
    const auto back = RunResult::fromJson(run.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->firstView.longTasks, tasks);
}

void tst_MainThread::aFailedViewWasNotWatched()
{
    // A document that never committed (a refused connection) had no main thread of its own to watch.
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        closedPort = probe.serverPort();
    }
    const RunResult run = BrowserTest::run(*m_scheduler, QUrl(QStringLiteral("http://127.0.0.1:%1/").arg(closedPort)));
    QVERIFY(!run.ok());
    QVERIFY(!run.firstView.metrics.longTaskCount);
    QVERIFY(!run.firstView.metrics.totalBlockingTimeMs);
}

QTEST_MAIN(tst_MainThread)
#include "tst_mainthread.moc"
