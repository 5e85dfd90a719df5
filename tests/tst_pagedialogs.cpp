// A page that asks a person something (alert, confirm, prompt) holds its main thread until
// somebody answers. Nobody sits at a probe: PageLoad answers at once, the load goes on to its load event, and the
// view's warnings say that a dialog was answered. Real Chromium against the test web server.
#include "browsertestcase.h"
#include "testwebserver.h"

#include <QTest>

class tst_PageDialogs : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void dialogsAreAnsweredAndTheLoadGoesOn();
    void cleanupTestCase();

private:
    TestWebServer m_server;
    std::unique_ptr<LoadScheduler> m_scheduler;
};

void tst_PageDialogs::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 1 });
}

void tst_PageDialogs::dialogsAreAnsweredAndTheLoadGoesOn()
{
    // Each answer is sent to the server, so the test sees what the page was told: OK to the alert, Cancel to the
    // question (false), no name to the prompt (null). The image after the dialogs is loaded, so the page went on.
    TestWebServer::Response page;
    page.body = R"(<!doctype html><title>asks</title><p>before
<script>
alert("hello");
const ok = confirm("sure?");
const name = prompt("your name?", "x");
navigator.sendBeacon('/answers', JSON.stringify({ ok, name }));
</script>
<img src="/after.png">)";
    m_server.route(QStringLiteral("/asks"), page);
    m_server.route(QStringLiteral("/after.png"), TestWebServer::Response { 200, "image/png", "png", 0, 0, {} });
    QByteArray answers;
    m_server.route(QStringLiteral("/answers"), [&answers](const TestWebServer::Request &request) {
        answers = request.body;
        return TestWebServer::Response { 204, "text/plain", {}, 0, 0, {} };
    });

    LoadOptions options;
    options.timeoutMs = 20'000; // without answers the load would sit here until it is over
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/asks")), options);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QVERIFY(run.firstView.metrics.loadMs);
    QCOMPARE(m_server.hits(QStringLiteral("/after.png")), 1);
    QTRY_COMPARE(answers, QByteArray(R"({"ok":false,"name":null})"));
    // One warning per dialog, each naming its kind.
    QStringList dialogs;
    for (const QString &warning : run.firstView.warnings) {
        if (warning.contains(u"JavaScript"))
            dialogs.append(warning);
    }
    QCOMPARE(dialogs.size(), 3);
    QVERIFY(dialogs.at(0).contains(u"alert"));
    QVERIFY(dialogs.at(1).contains(u"confirm"));
    QVERIFY(dialogs.at(2).contains(u"prompt"));
}

void tst_PageDialogs::cleanupTestCase()
{
    m_scheduler.reset();
}

QTEST_GUILESS_MAIN(tst_PageDialogs)
#include "tst_pagedialogs.moc"
