// A test run live in the app and the same test reopened from the History show and export the same: the waterfall's
// Main thread row (the page's long tasks), the filmstrip, the region's warnings (what the probe cut to stay within
// its limits), the PDF report and the CSV files. Real local probe, real Chromium, the test web server, a real
// SQLite history. Set WORLDSPEED_SCREENSHOT_DIR to keep the waterfall as drawn live and reopened.
#include "csvexporter.h"
#include "filmstripview.h"
#include "historyfixtures.h"
#include "localfleet.h"
#include "mainwindow.h"
#include "memorysecretstore.h"
#include "pdfreport.h"
#include "regionmodel.h"
#include "runcontroller.h"
#include "runrecorder.h"
#include "testwebserver.h"
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QCheckBox>
#include <QDir>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QStandardPaths>
#include <QTableView>
#include <QTest>

namespace {

// Paints at once, blocks the main thread for 300 ms at about 500 ms (an image holds the load event until after
// it), and fetches a resource whose answer carries a header over the protocol's 64 KiB: the probe cuts it and
// says so in the run's warnings.
const QByteArray pageBody = R"(<!doctype html><html><body><h1>Reopened</h1><p>Text that paints first.</p>
<img src="/asset?type=png&delay=1200&size=2000" width="40" height="40">
<script>
setTimeout(() => { const t = performance.now(); while (performance.now() - t < 300) {} }, 500);
fetch('/big').catch(() => {});
</script></body></html>)";

QString pdfText(const QString &path)
{
    QProcess text;
    text.start(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), path, QStringLiteral("-") });
    text.waitForFinished(60'000);
    return QString::fromUtf8(text.readAllStandardOutput());
}

// Every page of the PDF as an image, at a resolution that shows a bar's pixels.
QList<QImage> pdfPages(const QString &path, const QString &prefix)
{
    QProcess render;
    render.start(QStringLiteral("pdftoppm"),
        { QStringLiteral("-r"), QStringLiteral("60"), QStringLiteral("-png"), path, prefix });
    render.waitForFinished(120'000);
    QList<QImage> pages;
    const QDir dir = QFileInfo(prefix).absoluteDir();
    const QString stem = QFileInfo(prefix).fileName();
    for (const QString &file : dir.entryList({ stem + u"*.png" }, QDir::Files, QDir::Name))
        pages.append(QImage(dir.filePath(file)).convertToFormat(QImage::Format_RGB32));
    return pages;
}

} // namespace

class tst_HistoryReopen : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void aReopenedTestShowsAndExportsWhatTheLiveOneDid();

private:
    MainWindow::Services services();
    void screenshot(QWidget *widget, const QString &name);

    TestWebServer m_web;
    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_history;
    MemorySecretStore m_secrets;
};

MainWindow::Services tst_HistoryReopen::services()
{
    MainWindow::Services s;
    s.history = m_history.get();
    s.secrets = &m_secrets;
    s.fleetConfig = localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE));
    return s;
}

void tst_HistoryReopen::screenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name));
}

void tst_HistoryReopen::initTestCase()
{
    QVERIFY2(!QStandardPaths::findExecutable(QStringLiteral("pdftotext")).isEmpty()
            && !QStandardPaths::findExecutable(QStringLiteral("pdftoppm")).isEmpty(),
        "this test reads the PDF with poppler's tools (packaging/install-deps.sh)");
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_historyreopen"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_history = std::make_unique<HistoryStore>(m_dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY(m_history->open());
    QVERIFY(m_web.listen());
    TestWebServer::Response page;
    page.body = pageBody;
    m_web.route(QStringLiteral("/page"), page);
    TestWebServer::Response big;
    big.contentType = "text/plain";
    big.body = "ok";
    big.headers = { { "X-Huge", QByteArray(100'000, 'h') } };
    m_web.route(QStringLiteral("/big"), big);
}

void tst_HistoryReopen::aReopenedTestShowsAndExportsWhatTheLiveOneDid()
{
    MainWindow window(services());
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *filmstrip = window.findChild<QCheckBox *>(QStringLiteral("filmstrip"));
    QVERIFY(filmstrip);
    filmstrip->setChecked(true);
    window.urlField()->setText(m_web.url(QStringLiteral("/page")).toString());
    QTest::mouseClick(window.goButton(), Qt::LeftButton);
    QVERIFY2(!window.urlError()->isVisible(), qPrintable(window.urlError()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 90'000);
    QTest::qWait(300); // let the views paint what arrived last

    // Live: the main-thread row has the page's 300 ms task, the filmstrip is under the lane, the region warns.
    WaterfallModel *waterfall = window.waterfallModel();
    const QList<LongTask> liveTasks = waterfall->longTasks(0);
    QVERIFY2(std::any_of(liveTasks.cbegin(), liveTasks.cend(), [](const LongTask &t) { return t.durationMs >= 250; }),
        qPrintable(QString::number(liveTasks.size())));
    auto *strips = window.findChild<FilmstripView *>(QStringLiteral("filmstripView"));
    QVERIFY(strips);
    QCOMPARE(strips->stripCount(), 1);
    RegionModel *regions = window.regionModel();
    const int row = regions->rowOf(QStringLiteral("local"));
    const QModelIndex name = regions->index(row, RegionModel::RegionColumn);
    const QStringList liveWarnings = regions->data(name, RegionModel::WarningsRole).toStringList();
    QVERIFY2(liveWarnings.size() == 1 && liveWarnings.first().contains(u"over the protocol's limits, cut to them"),
        qPrintable(liveWarnings.join(u" | ")));
    QVERIFY(regions->data(name).toString().endsWith(QChar(0x26A0)));
    QVERIFY(regions->data(name, Qt::ToolTipRole).toString().contains(liveWarnings.first()));
    QVERIFY(regions->data(name, RegionModel::SummaryRole).toString().contains(liveWarnings.first().toHtmlEscaped()));
    const QImage liveWaterfall = window.waterfallView()->grab().toImage();
    const QImage liveStrip = strips->grab().toImage();
    screenshot(window.waterfallView(), QStringLiteral("reopen-live-waterfall.png"));
    TestRecord live = window.recorder()->test();

    // Reopened from the History, as a person does: select the test, press Open.
    window.historyView()->selectRow(0);
    auto *open = window.findChild<QPushButton *>(QStringLiteral("openTest"));
    QVERIFY(open);
    QTest::mouseClick(open, Qt::LeftButton);
    QTRY_VERIFY(window.statusText().startsWith(u"Showing the test of"));
    QTest::qWait(300);
    QCOMPARE(waterfall->longTasks(0), liveTasks);
    QCOMPARE(strips->stripCount(), 1);
    QCOMPARE(regions->data(name, RegionModel::WarningsRole).toStringList(), liveWarnings);
    QVERIFY(regions->data(name).toString().endsWith(QChar(0x26A0)));
    screenshot(window.waterfallView(), QStringLiteral("reopen-stored-waterfall.png"));
    QCOMPARE(window.waterfallView()->grab().toImage(), liveWaterfall);
    QCOMPARE(strips->grab().toImage(), liveStrip);

    // Everything the live record has, the stored one has: only what the store adds (each view's estimated start)
    // and the order requests are kept in (start order, where the live record has them as they ended) differ.
    const auto stored = m_history->load(window.recorder()->testId());
    QVERIFY2(stored, qPrintable(m_history->lastError()));
    QCOMPARE(stored->startedAt, live.startedAt);
    QCOMPARE(stored->finishedAt, live.finishedAt);
    QString why;
    QVERIFY2(adoptStoredTimes(live, *stored, live.startedAt.addSecs(-1), &why), qPrintable(why));
    for (RegionRecord &region : live.results) {
        for (RegionRun &run : region.runs) {
            for (ViewResult *view : { &run.firstView, run.repeatView ? &*run.repeatView : nullptr }) {
                if (view)
                    std::stable_sort(view->requests.begin(), view->requests.end(),
                        [](const RequestTiming &a, const RequestTiming &b) { return a.startMs < b.startMs; });
            }
        }
    }
    QCOMPARE(describe(*stored), describe(live));
    QVERIFY(*stored == live);

    // The exports: the same CSV files, and a PDF whose text and pages are the same, Main thread row and warning in.
    QCOMPARE(CsvExporter::regionsCsv(*stored), CsvExporter::regionsCsv(live));
    QCOMPARE(CsvExporter::requestsCsv(*stored), CsvExporter::requestsCsv(live));
    const RegionCatalog catalog = RegionCatalog::builtIn();
    QString error;
    const QString livePdf = m_dir.filePath(QStringLiteral("live.pdf"));
    const QString storedPdf = m_dir.filePath(QStringLiteral("stored.pdf"));
    QVERIFY2(PdfReport(live, catalog).write(livePdf, &error), qPrintable(error));
    QVERIFY2(PdfReport(*stored, catalog).write(storedPdf, &error), qPrintable(error));
    const QString text = pdfText(storedPdf);
    QVERIFY2(text.contains(u"Main thread"), qPrintable(text));
    // (pdftotext reads "fi" as its ligature: the sentence is matched from after it.)
    QVERIFY2(text.simplified().contains(u"view: 1 requests had a URL, header or text over the protocol's limits"),
        qPrintable(text));
    QVERIFY(text.contains(QChar(0x26A0)));
    QCOMPARE(text, pdfText(livePdf));
    const QList<QImage> livePages = pdfPages(livePdf, m_dir.filePath(QStringLiteral("live-page")));
    const QList<QImage> storedPages = pdfPages(storedPdf, m_dir.filePath(QStringLiteral("stored-page")));
    QVERIFY(!storedPages.isEmpty());
    QCOMPARE(storedPages.size(), livePages.size());
    for (qsizetype i = 0; i < storedPages.size(); ++i)
        QVERIFY2(storedPages.at(i) == livePages.at(i), qPrintable(QStringLiteral("page %1 differs").arg(i + 1)));
}

QTEST_MAIN(tst_HistoryReopen)
#include "tst_historyreopen.moc"
