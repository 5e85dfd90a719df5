// The waterfall's details pane as a performance engineer uses it: click a row and its request stays on screen,
// selectable, until another row is clicked, the shown run changes, or Esc or the close button ends it. Real
// WaterfallModel rows, built from RequestTiming lists as the probes report them; offscreen.
#include "model/displayformat.h"
#include "requestdetailsview.h"
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>
#include <QToolButton>

namespace {

RequestTiming request(const QString &path, const QString &type, double startMs, RequestPhases phases)
{
    RequestTiming r;
    r.id = path;
    r.url = QStringLiteral("https://www.example.com") + path;
    r.method = QStringLiteral("GET");
    r.resourceType = type;
    r.status = 200;
    r.statusText = QStringLiteral("OK");
    r.protocol = QStringLiteral("h2");
    r.remoteIp = QStringLiteral("203.0.113.10");
    r.priority = QStringLiteral("High");
    r.startMs = startMs;
    r.phases = phases;
    r.durationMs = phases.sum();
    r.encodedBytes = 12'000;
    r.decodedBytes = 36'000;
    r.outcome = RequestTiming::Outcome::Finished;
    return r;
}

// One region's page: a document on a new TLS connection (with a header the probe masked), a script, an image the
// test's settings blocked, a font still loading when the pane is opened.
struct Fixture
{
    double now = 400;
    WaterfallModel model;
    QWidget window;
    WaterfallView *view = nullptr;
    RequestDetailsView *details = nullptr;

    Fixture()
    {
        model.setClock([this] { return now; });
        RequestPhases document;
        document.dns = 12;
        document.connect = 20;
        document.ssl = 22;
        document.send = 0.5;
        document.wait = 80;
        document.receive = 15;
        RequestTiming page = request(QStringLiteral("/"), QStringLiteral("Document"), 0, document);
        page.responseHeaders = { { QStringLiteral("content-type"), QStringLiteral("text/html") } };
        page.requestHeaders = { { QStringLiteral("cookie"), QStringLiteral("••••••") } };
        RequestPhases reused;
        reused.wait = 40;
        reused.receive = 9;
        RequestTiming blocked = request(QStringLiteral("/ads/banner.png"), QStringLiteral("Image"), 160, {});
        blocked.status.reset();
        blocked.statusText.clear();
        blocked.durationMs = 0;
        blocked.outcome = RequestTiming::Outcome::Failed;
        blocked.blocked = true;
        blocked.failureText = QStringLiteral("net::ERR_BLOCKED_BY_CLIENT");
        const QString fra = QStringLiteral("fra");
        model.addRequest(fra, 0, RunView::First, page);
        RequestTiming script = request(QStringLiteral("/app.js"), QStringLiteral("Script"), 150, reused);
        script.initiator = { QStringLiteral("parser"), QStringLiteral("https://www.example.com/"), 12 };
        model.addRequest(fra, 0, RunView::First, script);
        model.addRequest(fra, 0, RunView::First, blocked);
        RequestTiming font;
        font.id = QStringLiteral("/font.woff2");
        font.url = QStringLiteral("https://www.example.com/font.woff2");
        font.method = QStringLiteral("GET");
        font.resourceType = QStringLiteral("Font");
        font.startMs = 200;
        model.addStarted(fra, 0, RunView::First, { font });
        model.flushPending();
        view = new WaterfallView;
        view->setModel(&model);
        view->setLayoutMode(WaterfallView::LayoutMode::Stacked);
        auto *column = RequestDetailsView::placeBelow(view, &window);
        details = column->findChild<RequestDetailsView *>();
        window.resize(1000, 640);
        column->resize(window.size());
        window.show();
    }

    int rowOf(const QString &path) const
    {
        for (int row = 0; row < model.requestCount(0); ++row) {
            if (model.request(0, row)->id == path)
                return row;
        }
        return -1;
    }
    void click(const QString &path)
    {
        const int row = rowOf(path);
        QVERIFY(row >= 0);
        const QPoint point = view->layoutGeometry().rowRect(0, row).center().toPoint();
        QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, point);
    }
    // The pane's text with its cells and spacing as single spaces: "DNS 12 ms".
    QString text() const { return details->browser()->toPlainText().simplified(); }
};

} // namespace

class tst_RequestDetails : public QObject
{
    Q_OBJECT

private slots:
    void clickShowsTheRequestUntilAnotherIsClicked();
    void textCanBeSelectedAndCopied();
    void escapeAndCloseHideIt();
    void blockedAndPendingSaySo();
    void arrowKeysMoveTheSelection();
    void followsTheModel();
    void initiatorSaysWhoAsked();
};

void tst_RequestDetails::clickShowsTheRequestUntilAnotherIsClicked()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    QVERIFY(f.details);
    QVERIFY(!f.details->isVisible());
    QVERIFY(!f.details->accessibleName().isEmpty());
    f.click(QStringLiteral("/"));
    QVERIFY(f.details->isVisible());
    const QString document = f.text();
    const QStringList parts { QStringLiteral("https://www.example.com/"), QStringLiteral("200 OK"),
        QStringLiteral("Document"), QStringLiteral("High"), QStringLiteral("h2 203.0.113.10"),
        QStringLiteral("DNS") + u' ' + DisplayFormat::duration(12.0),
        QStringLiteral("Connect") + u' ' + DisplayFormat::duration(20.0),
        QStringLiteral("SSL") + u' ' + DisplayFormat::duration(22.0),
        QStringLiteral("Wait") + u' ' + DisplayFormat::duration(80.0),
        QStringLiteral("Receive") + u' ' + DisplayFormat::duration(15.0), QStringLiteral("content-type: text/html"),
        // Masked by the probe, it stays masked.
        QStringLiteral("cookie: ••••••") };
    for (const QString &part : parts)
        QVERIFY2(document.contains(part), qPrintable(part + QStringLiteral(" in ") + document));
    // Moving the mouse away does not end it: it is no tool tip.
    QTest::mouseMove(f.view->viewport(), QPoint(2, 2));
    QCoreApplication::processEvents();
    QVERIFY(f.details->isVisible());

    f.click(QStringLiteral("/app.js"));
    QVERIFY(f.details->isVisible());
    QVERIFY2(f.text().contains(u"https://www.example.com/app.js"), qPrintable(f.text()));
    QVERIFY(f.text().contains(QStringLiteral("Wait") + u' ' + DisplayFormat::duration(40.0)));
    QVERIFY(!f.text().contains(u"DNS"));
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty()) {
        f.click(QStringLiteral("/"));
        QVERIFY(QDir().mkpath(dir));
        QVERIFY(f.window.grab().save(dir + QStringLiteral("/request-details.png")));
    }
}

void tst_RequestDetails::textCanBeSelectedAndCopied()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    f.click(QStringLiteral("/app.js"));
    QTextBrowser *browser = f.details->browser();
    QVERIFY(browser->textInteractionFlags() & Qt::TextSelectableByMouse);
    QVERIFY(browser->textInteractionFlags() & Qt::TextSelectableByKeyboard);
    // A drag across the first line selects part of the URL.
    const QRect first = browser->cursorRect(QTextCursor(browser->document()));
    const QPoint from(2, first.center().y());
    QTest::mousePress(browser->viewport(), Qt::LeftButton, {}, from);
    QTest::mouseMove(browser->viewport(), from + QPoint(300, 0));
    QTest::mouseRelease(browser->viewport(), Qt::LeftButton, {}, from + QPoint(300, 0));
    QVERIFY2(browser->textCursor().hasSelection(), "a drag selects");
    browser->selectAll();
    browser->copy();
    QVERIFY(QGuiApplication::clipboard()->text().contains(u"https://www.example.com/app.js"));
}

void tst_RequestDetails::escapeAndCloseHideIt()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    f.click(QStringLiteral("/"));
    QVERIFY(f.details->isVisible());
    f.view->setFocus();
    QTest::keyClick(f.view, Qt::Key_Escape);
    QVERIFY(!f.details->isVisible());
    QVERIFY(!f.view->selectedRow().isValid());

    f.click(QStringLiteral("/"));
    QVERIFY(f.details->isVisible());
    f.details->browser()->setFocus();
    QTest::keyClick(f.details->browser(), Qt::Key_Escape);
    QVERIFY(!f.details->isVisible());

    f.click(QStringLiteral("/app.js"));
    QVERIFY(f.details->isVisible());
    QTest::mouseClick(f.details->closeButton(), Qt::LeftButton);
    QVERIFY(!f.details->isVisible());
    QVERIFY(!f.view->selectedRow().isValid());
    // A click beside the rows clears it too.
    f.click(QStringLiteral("/"));
    QTest::mouseClick(f.view->viewport(), Qt::LeftButton, {}, QPoint(5, f.view->viewport()->height() - 5));
    QVERIFY(!f.details->isVisible());
}

void tst_RequestDetails::blockedAndPendingSaySo()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    f.click(QStringLiteral("/ads/banner.png"));
    QVERIFY2(f.text().contains(u"blocked by the test's settings: net::ERR_BLOCKED_BY_CLIENT"), qPrintable(f.text()));
    f.click(QStringLiteral("/font.woff2"));
    QVERIFY(f.model.isPending(0, f.rowOf(QStringLiteral("/font.woff2"))));
    QVERIFY2(f.text().contains(u"still loading"), qPrintable(f.text()));
    QVERIFY(f.text().contains(u"(not ended)"));

    // It ends while shown: the pane tells its end.
    RequestPhases phases;
    phases.wait = 100;
    phases.receive = 30;
    f.model.addRequest(QStringLiteral("fra"), 0, RunView::First,
        request(QStringLiteral("/font.woff2"), QStringLiteral("Font"), 200, phases));
    f.model.flushPending();
    QTRY_VERIFY2(f.text().contains(u"200 OK"), qPrintable(f.text()));
    QVERIFY(!f.text().contains(u"still loading"));
}

void tst_RequestDetails::arrowKeysMoveTheSelection()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    f.view->setFocus();
    QTest::keyClick(f.view, Qt::Key_Down); // nothing selected: the first request
    QCOMPARE(f.view->selectedRow().row(), 0);
    QVERIFY(f.details->isVisible());
    const QString first = f.model.request(0, 0)->url;
    QVERIFY(f.text().contains(first));
    QTest::keyClick(f.view, Qt::Key_Down);
    QCOMPARE(f.view->selectedRow().row(), 1);
    QVERIFY(f.text().contains(f.model.request(0, 1)->url));
    QTest::keyClick(f.view, Qt::Key_Up);
    QTest::keyClick(f.view, Qt::Key_Up); // stays on the first
    QCOMPARE(f.view->selectedRow().row(), 0);
    QVERIFY(f.text().contains(first));
}

void tst_RequestDetails::followsTheModel()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    f.click(QStringLiteral("/app.js"));
    // A filter that keeps the request: it stays selected and shown.
    f.model.setTypeFilter({ WaterfallModel::typeCategory(QStringLiteral("Script")) });
    QCOMPARE(f.model.requestCount(0), 1);
    QVERIFY(f.view->selectedRow().isValid());
    QVERIFY(f.details->isVisible());
    QVERIFY(f.text().contains(u"https://www.example.com/app.js"));
    // One that drops it: the pane clears.
    f.model.setTypeFilter({ WaterfallModel::typeCategory(QStringLiteral("Image")) });
    QVERIFY(!f.view->selectedRow().isValid());
    QVERIFY(!f.details->isVisible());
    QVERIFY(f.text().isEmpty());
}

void tst_RequestDetails::initiatorSaysWhoAsked()
{
    Fixture f;
    QVERIFY(QTest::qWaitForWindowExposed(&f.window));
    f.click(QStringLiteral("/app.js"));
    QVERIFY2(f.text().contains(u"Initiator parser — https://www.example.com/:12"), qPrintable(f.text()));
    // Not known (a request from a probe that predates it): no row rather than an empty one.
    f.click(QStringLiteral("/"));
    QVERIFY2(!f.text().contains(u"Initiator"), qPrintable(f.text()));

    // The tool tip's short form: a long URL keeps its start, its end and the line.
    RequestTiming fetched = *f.model.request(0, f.rowOf(QStringLiteral("/app.js")));
    const QString longScript
        = QStringLiteral("https://cdn.example.com/") + QString(300, u'a') + QStringLiteral("/b.js");
    fetched.initiator = { QStringLiteral("script"), longScript, 40 };
    QTextDocument brief;
    brief.setHtml(RequestDetailsView::detailsText(QStringLiteral("fra"), fetched));
    const QString tip = brief.toPlainText().simplified();
    QVERIFY2(tip.contains(u"Initiator script — https://cdn.example.com/aaa"), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("aaa…aaa")) && tip.contains(u"aaa/b.js:40"), qPrintable(tip));
    QVERIFY(!tip.contains(longScript));
    fetched.initiator = { QStringLiteral("other"), {}, {} };
    brief.setHtml(RequestDetailsView::detailsText(QStringLiteral("fra"), fetched));
    const QString other = brief.toPlainText().simplified(); // "other" alone: no place to name
    QVERIFY2(other.contains(u"Initiator other Size") && !other.contains(u"other —"), qPrintable(other));
}

QTEST_MAIN(tst_RequestDetails)
#include "tst_requestdetails.moc"
