// A browser that stops answering DevTools (stopped with SIGSTOP, as a hung or frozen browser looks from outside):
// runs end at their time limit with a kind that says so, the browser is killed and replaced, and nothing a run
// made in it outlives the run. Real Chromium against the test web server.
#include "browsertestcase.h"
#include "cdpconnection.h"
#include "testwebserver.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QTest>

#include <csignal>

class tst_UnresponsiveBrowser : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void runEndsAtItsDeadlineAndTheBrowserIsReplaced();
    void contextMadeAfterTheRunEndedIsDisposed();
    void hungBrowserIsKilledAndReplaced();

private:
    QUrl page() const { return m_server.url(QStringLiteral("/asset?type=text/html&size=100")); }

    TestWebServer m_server;
};

namespace {

// The contexts the browser holds now; nullopt if it did not say.
std::optional<int> browserContextCount(ChromeProcess *browser)
{
    if (!browser->cdp())
        return std::nullopt;
    std::optional<int> count;
    QEventLoop loop;
    browser->cdp()->send(
        QStringLiteral("Target.getBrowserContexts"), {}, {}, &loop,
        [&](const CdpReply &reply) {
            if (reply.ok())
                count = static_cast<int>(reply.result.value(QStringLiteral("browserContextIds")).toArray().size());
            loop.quit();
        },
        std::chrono::milliseconds(10'000));
    loop.exec();
    return count;
}

// Stops a process and lets it go on again when the guard ends, whatever the test's outcome.
class Stopped final
{
    Q_DISABLE_COPY_MOVE(Stopped)

public:
    explicit Stopped(qint64 pid)
        : m_pid(static_cast<pid_t>(pid))
    {
        ::kill(m_pid, SIGSTOP);
    }
    ~Stopped() { resume(); }
    void resume()
    {
        if (m_pid > 0)
            ::kill(m_pid, SIGCONT);
        m_pid = 0;
    }

private:
    pid_t m_pid;
};

} // namespace

void tst_UnresponsiveBrowser::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
}

void tst_UnresponsiveBrowser::runEndsAtItsDeadlineAndTheBrowserIsReplaced()
{
    LoadScheduler scheduler(LoadScheduler::Options { BrowserTest::chromeOptions(), 2 });
    const RunResult warm = BrowserTest::run(scheduler, page());
    QVERIFY2(warm.ok(), qPrintable(BrowserTest::errorText(warm)));
    const qint64 pid = scheduler.browser()->processId();
    QVERIFY(pid > 0);

    LoadOptions options;
    options.timeoutMs = 5'000;
    Stopped stopped(pid);
    QElapsedTimer clock;
    clock.start();
    PageLoad *load = scheduler.submit(page(), options);
    QSignalSpy finished(load, &PageLoad::finished);
    QVERIFY(finished.wait(60'000));
    const qint64 elapsed = clock.elapsed();
    stopped.resume();
    const RunResult hung = load->result();
    delete load;
    // The time limit is the run's, set-up included: not one limit per command on top of it.
    QVERIFY2(elapsed < 6'000, qPrintable(QStringLiteral("the run took %1 ms").arg(elapsed)));
    QVERIFY(hung.firstView.error);
    QCOMPARE(hung.firstView.error->kind, LoadError::Kind::BrowserUnresponsive);

    // The health check kills the hung browser (unless it answered again in time); either way the next run works,
    // and leaves no context behind, nor does the hung one.
    const RunResult next = BrowserTest::run(scheduler, page());
    QVERIFY2(next.ok(), qPrintable(BrowserTest::errorText(next)));
    QTRY_COMPARE_WITH_TIMEOUT(browserContextCount(scheduler.browser()), std::optional<int>(0), 10'000);
}

void tst_UnresponsiveBrowser::contextMadeAfterTheRunEndedIsDisposed()
{
    // A health check too lenient to kill the browser: it answers again, late, and the context the run asked for
    // arrives after the run has ended.
    ChromeProcess::Options chrome = BrowserTest::chromeOptions();
    chrome.answerLimitMs = 120'000;
    LoadScheduler scheduler(LoadScheduler::Options { chrome, 1 });
    const RunResult warm = BrowserTest::run(scheduler, page());
    QVERIFY2(warm.ok(), qPrintable(BrowserTest::errorText(warm)));
    const qint64 pid = scheduler.browser()->processId();

    LoadOptions options;
    options.timeoutMs = 1'000;
    {
        Stopped stopped(pid);
        const RunResult hung = BrowserTest::run(scheduler, page(), options, 60'000);
        QVERIFY(hung.firstView.error);
        QCOMPARE(hung.firstView.error->kind, LoadError::Kind::BrowserUnresponsive);
    }
    QCOMPARE(scheduler.browser()->processId(), pid); // not killed: the same browser answers again
    QTRY_COMPARE_WITH_TIMEOUT(browserContextCount(scheduler.browser()), std::optional<int>(0), 10'000);
    const RunResult next = BrowserTest::run(scheduler, page());
    QVERIFY2(next.ok(), qPrintable(BrowserTest::errorText(next)));
}

void tst_UnresponsiveBrowser::hungBrowserIsKilledAndReplaced()
{
    // A health check quicker than the run's time limit: it is the one that ends the run, and the browser.
    ChromeProcess::Options chrome = BrowserTest::chromeOptions();
    chrome.answerLimitMs = 1'000;
    LoadScheduler scheduler(LoadScheduler::Options { chrome, 1 });
    const RunResult warm = BrowserTest::run(scheduler, page());
    QVERIFY2(warm.ok(), qPrintable(BrowserTest::errorText(warm)));
    const qint64 pid = scheduler.browser()->processId();
    QSignalSpy lost(&scheduler, &LoadScheduler::browserLost);

    LoadOptions options;
    options.timeoutMs = 60'000;
    Stopped stopped(pid);
    const RunResult hung = BrowserTest::run(scheduler, page(), options, 60'000);
    QVERIFY(hung.firstView.error);
    QCOMPARE(hung.firstView.error->kind, LoadError::Kind::BrowserUnresponsive);
    QVERIFY2(hung.firstView.error->message.contains(u"stopped answering"), qPrintable(hung.firstView.error->message));
    QCOMPARE(lost.count(), 1);
    QVERIFY2(::kill(static_cast<pid_t>(pid), 0) != 0, "the hung browser is still there");

    const RunResult next = BrowserTest::run(scheduler, page());
    QVERIFY2(next.ok(), qPrintable(BrowserTest::errorText(next)));
    QVERIFY(next.browserStartMs); // a new browser
    QVERIFY(scheduler.browser()->processId() != pid);
}

QTEST_GUILESS_MAIN(tst_UnresponsiveBrowser)
#include "tst_unresponsivebrowser.moc"
