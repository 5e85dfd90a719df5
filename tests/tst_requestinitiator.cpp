// Each request's initiator, from real Chromium to everything that shows or keeps it: a page of the test web server
// whose HTML links a stylesheet on one line and loads a script on another, the script fetching JSON on a line of
// its own, measured by the probe's PageLoad; then the same requests over the wire's JSON, in the HAR, through a real
// SQLite history and in the waterfall's details pane.
#include "browsertestcase.h"
#include "historystore.h"
#include "model/harbuilder.h"
#include "requestdetailsview.h"
#include "testwebserver.h"
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QDir>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

namespace {

// Where each request's initiator is in the sources the test serves: line numbers counted from 1.
struct Page
{
    QByteArray html;
    QByteArray script;
    int stylesheetLine = 0; // page.html's <link>
    int scriptLine = 0; // page.html's <script src>
    int fetchLine = 0; // app.js's fetch()
};

// The line (from 1) of the first of `lines` that contains `marker`.
int lineOf(const QList<QByteArray> &lines, const QByteArray &marker)
{
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (lines.at(i).contains(marker))
            return static_cast<int>(i) + 1;
    }
    return 0;
}

Page makePage()
{
    const QList<QByteArray> html { "<!doctype html>", "<html><head><title>initiators</title>",
        "<meta charset=\"utf-8\">", "", "<link rel=\"stylesheet\" href=\"/a.css\">", "</head><body>",
        "<p>Who asked for what.</p>", "", "", "<script src=\"/app.js\"></script>", "</body></html>" };
    const QList<QByteArray> script { "// the page's data, fetched once", "'use strict';", "", "function load() {",
        "  return fetch('/b.json').then((r) => r.json());", "}", "load();" };
    Page page;
    page.html = html.join('\n');
    page.script = script.join('\n');
    page.stylesheetLine = lineOf(html, "/a.css");
    page.scriptLine = lineOf(html, "/app.js");
    page.fetchLine = lineOf(script, "/b.json");
    return page;
}

const RequestTiming *findRequest(const QList<RequestTiming> &requests, const QString &url)
{
    for (const RequestTiming &request : requests) {
        if (request.url == url)
            return &request;
    }
    return nullptr;
}

QJsonObject harEntry(const QJsonObject &har, const QString &url)
{
    for (const QJsonValue &entry : har.value(u"log").toObject().value(u"entries").toArray()) {
        if (entry.toObject().value(u"request").toObject().value(u"url").toString() == url)
            return entry.toObject();
    }
    return {};
}

} // namespace

namespace QTest {
template<> inline char *toString(const RequestInitiator &initiator)
{
    return qstrdup(qPrintable(QStringLiteral("{%1, %2, %3}")
                                  .arg(initiator.type, initiator.url,
                                      initiator.line ? QString::number(*initiator.line) : QStringLiteral("no line"))));
}
} // namespace QTest

class tst_RequestInitiator : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void eachRequestNamesWhoAskedForIt();
    void cleanupTestCase();

private:
    TestWebServer m_server;
    std::unique_ptr<LoadScheduler> m_scheduler;
};

void tst_RequestInitiator::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 1 });
}

void tst_RequestInitiator::eachRequestNamesWhoAskedForIt()
{
    const Page page = makePage();
    QVERIFY(page.stylesheetLine > 0 && page.scriptLine > page.stylesheetLine && page.fetchLine > 1);
    TestWebServer::Response html;
    html.body = page.html;
    m_server.route(QStringLiteral("/page.html"), html);
    TestWebServer::Response css;
    css.contentType = "text/css";
    css.body = "p { color: #333; }";
    m_server.route(QStringLiteral("/a.css"), css);
    TestWebServer::Response script;
    script.contentType = "text/javascript";
    script.body = page.script;
    m_server.route(QStringLiteral("/app.js"), script);
    TestWebServer::Response json;
    json.contentType = "application/json";
    json.body = R"({"ok":true})";
    m_server.route(QStringLiteral("/b.json"), json);

    const QString pageUrl = m_server.url(QStringLiteral("/page.html")).toString();
    const QString cssUrl = m_server.url(QStringLiteral("/a.css")).toString();
    const QString scriptUrl = m_server.url(QStringLiteral("/app.js")).toString();
    const QString jsonUrl = m_server.url(QStringLiteral("/b.json")).toString();
    const RunResult run = BrowserTest::run(*m_scheduler, QUrl(pageUrl));
    QVERIFY2(run.firstView.ok(), qPrintable(BrowserTest::errorText(run)));
    const QList<RequestTiming> &requests = run.firstView.requests;
    QCOMPARE(m_server.hits(QStringLiteral("/b.json")), 1);

    // As the sources say: the parser at the <link> and <script> lines of the page, the script at its fetch().
    const RequestInitiator stylesheet { QStringLiteral("parser"), pageUrl, page.stylesheetLine };
    const RequestInitiator appScript { QStringLiteral("parser"), pageUrl, page.scriptLine };
    const RequestInitiator fetched { QStringLiteral("script"), scriptUrl, page.fetchLine };
    const std::pair<QString, RequestInitiator> expected[]
        = { { cssUrl, stylesheet }, { scriptUrl, appScript }, { jsonUrl, fetched } };
    for (const auto &[url, initiator] : expected) {
        const RequestTiming *request = findRequest(requests, url);
        QVERIFY2(request, qPrintable(url));
        QCOMPARE(request->initiator, initiator);
    }
    // The navigation the probe made: asked for by no page.
    const RequestTiming *document = findRequest(requests, pageUrl);
    QVERIFY(document);
    QCOMPARE(document->initiator.type, QStringLiteral("other"));
    QVERIFY(document->initiator.url.isEmpty() && !document->initiator.line);

    // On the wire (a request frame's RequestTiming) and back, unchanged.
    for (const RequestTiming &request : requests) {
        QString error;
        const auto decoded = RequestTiming::fromJson(request.toJson(), &error);
        QVERIFY2(decoded, qPrintable(error));
        QCOMPARE(decoded->initiator, request.initiator);
    }

    // The HAR: WebPageTest's fields.
    HarBuilder har(QStringLiteral("test"));
    har.addRun(run);
    const QJsonObject cssEntry = harEntry(har.document(), cssUrl);
    QCOMPARE(cssEntry.value(u"_initiator_type").toString(), QStringLiteral("parser"));
    QCOMPARE(cssEntry.value(u"_initiator").toString(), pageUrl);
    QCOMPARE(cssEntry.value(u"_initiator_line").toInt(), page.stylesheetLine);
    const QJsonObject jsonEntry = harEntry(har.document(), jsonUrl);
    QCOMPARE(jsonEntry.value(u"_initiator_type").toString(), QStringLiteral("script"));
    QCOMPARE(jsonEntry.value(u"_initiator").toString(), scriptUrl);
    QCOMPARE(jsonEntry.value(u"_initiator_line").toInt(), page.fetchLine);
    QVERIFY(!harEntry(har.document(), pageUrl).contains(u"_initiator_line"));

    // The history keeps each request as its JSON: a test reopened names the same initiators.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    HistoryStore history(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY(history.open());
    const QString region = QStringLiteral("local");
    const qint64 id = history.beginTest(pageUrl, LoadOptions {}, { region }, 1);
    QVERIFY(id >= 0);
    for (const RequestTiming &request : requests)
        QVERIFY(history.addRequest(id, region, 1, RunView::First, request));
    const auto stored = history.load(id);
    QVERIFY(stored && !stored->region(region).runs.isEmpty());
    const QList<RequestTiming> reopened = stored->region(region).runs.constFirst().firstView.requests;
    QCOMPARE(reopened.size(), requests.size());
    for (const auto &[url, initiator] : expected) {
        const RequestTiming *request = findRequest(reopened, url);
        QVERIFY2(request, qPrintable(url));
        QCOMPARE(request->initiator, initiator);
    }

    // The details pane of the fetch's row, as a person clicks it.
    WaterfallModel model;
    for (const RequestTiming &request : reopened)
        model.addRequest(region, 0, RunView::First, request);
    model.flushPending();
    QWidget window;
    auto *view = new WaterfallView;
    view->setModel(&model);
    auto *column = RequestDetailsView::placeBelow(view, &window);
    auto *details = column->findChild<RequestDetailsView *>();
    QVERIFY(details);
    window.resize(1000, 640);
    column->resize(window.size());
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    int row = -1;
    for (int r = 0; r < model.requestCount(0); ++r) {
        if (model.request(0, r)->url == jsonUrl)
            row = r;
    }
    QVERIFY(row >= 0);
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, view->layoutGeometry().rowRect(0, row).center().toPoint());
    QVERIFY(details->isVisible());
    const QString text = details->browser()->toPlainText().simplified();
    const QString line = QStringLiteral("Initiator script — %1:%2").arg(scriptUrl).arg(page.fetchLine);
    QVERIFY2(text.contains(line), qPrintable(line + QStringLiteral(" in ") + text));
    if (const QString shots = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR"); !shots.isEmpty()) {
        QTest::qWait(100); // the splitter makes room for the pane it was just shown
        QVERIFY(window.grab().save(QDir(shots).filePath(QStringLiteral("request-initiator.png"))));
    }
}

void tst_RequestInitiator::cleanupTestCase()
{
    m_scheduler.reset(); // Browser.close, then its profile folder goes
}

QTEST_MAIN(tst_RequestInitiator)
#include "tst_requestinitiator.moc"
