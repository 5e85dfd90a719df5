// What a page can make the probe hold is bounded, and each bound that cut something is reported in the run's
// warnings: a page of more requests than a view records, and requests with a URL and headers over the protocol's
// limits. Real Chromium against the test web server.
#include "browsertestcase.h"
#include "requesttracker.h"
#include "testwebserver.h"

#include <QRegularExpression>
#include <QTest>

class tst_PageLoadLimits : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void moreRequestsThanAViewRecords();
    void hugeUrlAndHeadersAreCut();
    void cleanupTestCase();

private:
    TestWebServer m_server;
    std::unique_ptr<LoadScheduler> m_scheduler;
};

namespace {

bool mentions(const QStringList &warnings, const QString &text)
{
    return std::any_of(warnings.begin(), warnings.end(), [&](const QString &w) { return w.contains(text); });
}

const HttpHeader *header(const QList<HttpHeader> &headers, const QString &name)
{
    for (const HttpHeader &h : headers) {
        if (h.name.compare(name, Qt::CaseInsensitive) == 0)
            return &h;
    }
    return nullptr;
}

} // namespace

void tst_PageLoadLimits::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 1 });
}

void tst_PageLoadLimits::moreRequestsThanAViewRecords()
{
    const int made = RequestTracker::maxRequestsPerView + 200;
    TestWebServer::Response page;
    page.body = TestWebServer::manyImagesPage(made);
    m_server.route(QStringLiteral("/many"), page);
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/many")));
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    QCOMPARE(run.firstView.requests.size(), RequestTracker::maxRequestsPerView);
    QCOMPARE(run.firstView.metrics.requestCount, RequestTracker::maxRequestsPerView);
    // The document is one of those recorded; Chrome may ask for a favicon besides.
    const QRegularExpression note(QStringLiteral("^first view: (\\d+) requests beyond the first %1 were not recorded")
                                      .arg(RequestTracker::maxRequestsPerView));
    QRegularExpressionMatch match;
    for (const QString &warning : run.warnings) {
        if (!match.hasMatch())
            match = note.match(warning);
    }
    QVERIFY2(match.hasMatch(), qPrintable(run.warnings.join(u" | ")));
    QVERIFY(match.captured(1).toInt() >= made + 1 - RequestTracker::maxRequestsPerView);
}

void tst_PageLoadLimits::hugeUrlAndHeadersAreCut()
{
    // Three requests over the limits: an image whose URL is too long, a fetch that sends too long a header, and
    // one whose answer has one. (The test server refuses requests of more than 64 KiB of header, so the first two
    // go unanswered, which changes nothing about what the page asked for.)
    const QByteArray pad(100'000, 'p');
    TestWebServer::Response big;
    big.contentType = "text/plain";
    big.body = "ok";
    big.headers = { { "X-Huge", QByteArray(100'000, 'r') } };
    m_server.route(QStringLiteral("/big"), big);
    TestWebServer::Response page;
    page.body = R"(<!doctype html><p>big</p><img src="/asset?type=png&size=10&pad=)" + pad + R"("><script>
fetch('/sent', { headers: { 'X-Huge': 'q'.repeat(100000) } }).catch(() => {});
fetch('/big');
</script>)";
    m_server.route(QStringLiteral("/huge"), page);

    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/huge")));
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    const RequestTiming *image = nullptr;
    const RequestTiming *sent = nullptr;
    const RequestTiming *received = nullptr;
    for (const RequestTiming &request : run.firstView.requests) {
        if (request.url.contains(u"pad="))
            image = &request;
        else if (request.url.endsWith(u"/sent"))
            sent = &request;
        else if (request.url.endsWith(u"/big"))
            received = &request;
    }
    QVERIFY(image && sent && received);
    QCOMPARE(image->url.size(), RequestTiming::Limits::url);
    const HttpHeader *sentHeader = header(sent->requestHeaders, QStringLiteral("X-Huge"));
    const HttpHeader *receivedHeader = header(received->responseHeaders, QStringLiteral("X-Huge"));
    QVERIFY(sentHeader && receivedHeader);
    QCOMPARE(sentHeader->value.size(), RequestTiming::Limits::headerValue);
    QCOMPARE(receivedHeader->value.size(), RequestTiming::Limits::headerValue);
    // Each is valid on the wire again.
    for (const RequestTiming *request : { image, sent, received }) {
        QString error;
        QVERIFY2(RequestTiming::fromJson(request->toJson(), &error), qPrintable(error));
    }
    QVERIFY2(mentions(run.warnings, QStringLiteral("first view: 3 requests had a URL, header or text over")),
        qPrintable(run.warnings.join(u" | ")));
}

void tst_PageLoadLimits::cleanupTestCase()
{
    m_scheduler.reset();
}

QTEST_GUILESS_MAIN(tst_PageLoadLimits)
#include "tst_pageloadlimits.moc"
