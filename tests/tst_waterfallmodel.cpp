#include "testrecord.h"
#include "waterfallmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

namespace {

RequestTiming request(
    const QString &id, double startMs, double durationMs, const QString &type = QStringLiteral("Script"))
{
    RequestTiming r;
    r.id = id;
    r.url = QStringLiteral("https://example.com/") + id;
    r.method = QStringLiteral("GET");
    r.resourceType = type;
    r.status = 200;
    r.startMs = startMs;
    r.durationMs = durationMs;
    r.phases.blocked = durationMs * 0.1;
    r.phases.send = durationMs * 0.1;
    r.phases.wait = durationMs * 0.5;
    r.phases.receive = durationMs * 0.3;
    r.outcome = RequestTiming::Outcome::Finished;
    return r;
}

QStringList idsOf(const WaterfallModel &model, int lane)
{
    QStringList ids;
    const QModelIndex parent = model.index(lane, 0);
    for (int row = 0; row < model.rowCount(parent); ++row)
        ids.append(model.index(row, 0, parent).data(WaterfallModel::RequestTimingRole).value<RequestTiming>().id);
    return ids;
}

} // namespace

class tst_WaterfallModel : public QObject
{
    Q_OBJECT

private slots:
    void liveAppendsInSeveralLanes();
    void lateRequestsAreInsertedWhereTheyStarted();
    void rolesAndGuards();
    void viewSwitching();
    void medianRunPerLane();
    void pageMetricsAndAxisExtent();
    void typeFilter();
    void typeCategories_data();
    void typeCategories();
    void shortLabels_data();
    void shortLabels();
    void thirdPartyLabelsNameTheirHost();
    void clear();
    void capKeepsTheOldest();
    void pendingRowsAreReplacedInPlace();
    void pendingRowsGrowWithTheClock();
    void abandonedRowsStopAndAreMarked();
    void stepLanesFollowTheLiveRecord();
};

void tst_WaterfallModel::liveAppendsInSeveralLanes()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

    // Streamed as a live test does: regions interleaved, each in start order.
    const QStringList regions { QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("iad") };
    for (int i = 0; i < 20; ++i) {
        for (const QString &region : regions)
            model.addRequest(region, 0, RunView::First, request(region + QString::number(i), i * 10, 50));
    }
    // Lanes at once, in the order the regions came; their rows at the end of this event-loop turn.
    QCOMPARE(model.laneCount(), 3);
    QCOMPARE(model.rowCount(), 3);
    for (int lane = 0; lane < 3; ++lane) {
        QCOMPARE(model.region(lane), regions.at(lane));
        QCOMPARE(model.index(lane, 0).data().toString(), regions.at(lane));
        QCOMPARE(model.rowCount(model.index(lane, 0)), 0);
    }
    const qsizetype laneInsertions = inserted.size();
    QCOMPARE(laneInsertions, 3);

    QTRY_COMPARE(model.rowCount(model.index(0, 0)), 20);
    for (int lane = 0; lane < 3; ++lane) {
        QCOMPARE(model.rowCount(model.index(lane, 0)), 20);
        QCOMPARE(idsOf(model, lane).first(), regions.at(lane) + u'0');
        QCOMPARE(idsOf(model, lane).last(), regions.at(lane) + QStringLiteral("19"));
    }
    // Batched: one insertion per lane for the whole turn, not one per request.
    QCOMPARE(inserted.size() - laneInsertions, 3);
    const QList<QVariant> batch = inserted.at(laneInsertions);
    QCOMPARE(batch.at(0).value<QModelIndex>(), model.index(0, 0));
    QCOMPARE(batch.at(1).toInt(), 0);
    QCOMPARE(batch.at(2).toInt(), 19);

    // More arrive while "loading": appended after what is there.
    model.addRequest(QStringLiteral("syd"), 0, RunView::First, request(QStringLiteral("syd-late"), 500, 20));
    QVERIFY(inserted.wait());
    QCOMPARE(model.rowCount(model.index(1, 0)), 21);
    QCOMPARE(idsOf(model, 1).last(), QStringLiteral("syd-late"));
    QCOMPARE(inserted.constLast().at(1).toInt(), 20);
}

void tst_WaterfallModel::lateRequestsAreInsertedWhereTheyStarted()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    // Probes report a request when it ends, so a long one that started early arrives late.
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("a"), 0, 10));
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("c"), 20, 10));
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("d"), 30, 10));
    model.flushPending();
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("e"), 40, 10));
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("b"), 10, 500));
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("b2"), 10, 600)); // same start
    model.flushPending();
    QCOMPARE(idsOf(model, 0),
        QStringList({ QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("b2"), QStringLiteral("c"),
            QStringLiteral("d"), QStringLiteral("e") }));
    // Two groups: b and b2 together between a and c, e at the end.
    QCOMPARE(inserted.size(), 2);
    QCOMPARE(inserted.at(0).at(1).toInt(), 1);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 5);
    QCOMPARE(inserted.at(1).at(2).toInt(), 5);
}

void tst_WaterfallModel::rolesAndGuards()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    RequestTiming unfinished = request(QStringLiteral("slow"), 100, 0, QStringLiteral("Fetch"));
    unfinished.durationMs.reset();
    unfinished.phases = {};
    unfinished.phases.blocked = 5;
    unfinished.outcome = RequestTiming::Outcome::Unfinished;
    const RequestTiming done = request(QStringLiteral("app.js"), 10, 40);
    model.addRequest(QStringLiteral("iad"), 0, RunView::First, done);
    model.addRequest(QStringLiteral("iad"), 0, RunView::First, unfinished);
    model.flushPending();

    const QModelIndex lane = model.index(0, 0);
    QCOMPARE(lane.data(WaterfallModel::LaneRole).toInt(), 0);
    QCOMPARE(lane.data(WaterfallModel::RegionRole).toString(), QStringLiteral("iad"));
    QVERIFY(!lane.data(WaterfallModel::PageMetricsRole).isValid());
    QCOMPARE(lane.data(WaterfallModel::DroppedCountRole).value<qsizetype>(), 0);
    QVERIFY(!lane.parent().isValid());

    const QModelIndex first = model.index(0, 0, lane);
    QCOMPARE(first.parent(), lane);
    QCOMPARE(first.data(WaterfallModel::RequestTimingRole).value<RequestTiming>(), done);
    QCOMPARE(first.data().toString(), QStringLiteral("/app.js"));
    QCOMPARE(first.data(WaterfallModel::LaneRole).toInt(), 0);
    QCOMPARE(first.data(WaterfallModel::RegionRole).toString(), QStringLiteral("iad"));
    QCOMPARE(first.data(WaterfallModel::CategoryRole).toString(), QStringLiteral("Script"));
    QCOMPARE(first.data(WaterfallModel::StartMsRole).toDouble(), 10.0);
    QCOMPARE(first.data(WaterfallModel::EndMsRole).toDouble(), 50.0);
    const QModelIndex second = model.index(1, 0, lane);
    QCOMPARE(second.data(WaterfallModel::CategoryRole).toString(), QStringLiteral("XHR/Fetch"));
    QVERIFY(!second.data(WaterfallModel::EndMsRole).isValid());
    QCOMPARE(model.request(0, 1)->id, QStringLiteral("slow"));
    QCOMPARE(model.label(0, 0), QStringLiteral("/app.js"));
    // The unfinished request's known part counts for the axis: 100 + 5 > 50.
    QCOMPARE(model.maxEndMs(), 105.0);

    // Out of range: invalid indexes and no data, never a crash.
    QVERIFY(!model.index(2, 0, lane).isValid());
    QVERIFY(!model.index(0, 1, lane).isValid());
    QVERIFY(!model.index(1, 0).isValid());
    QVERIFY(!model.index(-1, 0).isValid());
    QVERIFY(!model.index(0, 0, first).isValid());
    QCOMPARE(model.rowCount(first), 0);
    QVERIFY(!model.data(QModelIndex()).isValid());
    QVERIFY(!model.request(0, 2));
    QVERIFY(!model.request(1, 0));
    QVERIFY(!model.request(-1, 0));
    QVERIFY(model.region(3).isEmpty());
    QCOMPARE(model.requestCount(7), 0);
    QCOMPARE(model.laneOf(QStringLiteral("nrt")), -1);
    QVERIFY(!model.pageMetrics(5));
    QVERIFY(model.roleNames().contains(WaterfallModel::RequestTimingRole));
}

void tst_WaterfallModel::viewSwitching()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    QCOMPARE(model.runIndex(), 0);
    QCOMPARE(model.view(), RunView::First);
    for (int i = 0; i < 5; ++i)
        model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(u"first" + QString::number(i), i, 10));
    for (int i = 0; i < 2; ++i)
        model.addRequest(QStringLiteral("fra"), 0, RunView::Repeat, request(u"repeat" + QString::number(i), i, 5));
    for (int i = 0; i < 3; ++i)
        model.addRequest(QStringLiteral("syd"), 1, RunView::First, request(u"run1-" + QString::number(i), i, 10));
    model.flushPending();
    // Only run 0's first view is shown; syd's lane exists but is empty in it.
    QCOMPARE(model.laneCount(), 2);
    QCOMPARE(model.requestCount(0), 5);
    QCOMPARE(model.requestCount(1), 0);

    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setView(0, RunView::Repeat);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.view(), RunView::Repeat);
    QCOMPARE(idsOf(model, 0), QStringList({ QStringLiteral("repeat0"), QStringLiteral("repeat1") }));
    QCOMPARE(model.requestCount(1), 0);
    QCOMPARE(model.maxEndMs(), 6.0);

    model.setView(1, RunView::First);
    QCOMPARE(model.requestCount(0), 0);
    QCOMPARE(model.requestCount(1), 3);
    model.setView(1, RunView::First); // unchanged: no reset
    QCOMPARE(reset.size(), 2);

    // Requests of a view that is not shown are kept, not inserted; those of the shown one stream in.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("first5"), 5, 10));
    model.addRequest(QStringLiteral("syd"), 1, RunView::First, request(QStringLiteral("run1-3"), 3, 10));
    QVERIFY(inserted.wait());
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.requestCount(1), 4);
    model.setView(0, RunView::First);
    QCOMPARE(model.requestCount(0), 6);
}

void tst_WaterfallModel::medianRunPerLane()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    for (int run = 0; run < 3; ++run) {
        for (int i = 0; i <= run; ++i) {
            model.addRequest(
                QStringLiteral("fra"), run, RunView::First, request(QStringLiteral("f%1.%2").arg(run).arg(i), i, 10));
            model.addRequest(
                QStringLiteral("syd"), run, RunView::First, request(QStringLiteral("s%1.%2").arg(run).arg(i), i, 10));
        }
    }
    model.setScreenshot(QStringLiteral("fra"), 1, RunView::First, QByteArrayLiteral("png of run 1"));
    const QList<LongTask> tasks { { 120, 300 } };
    model.setLongTasks(QStringLiteral("fra"), 1, RunView::First, tasks);
    model.flushPending();
    // Each lane its own region's median run: fra's is run 1, syd's run 2.
    model.setRepresentativeRun(QStringLiteral("fra"), 1);
    model.setRepresentativeRun(QStringLiteral("syd"), 2);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.setView(WaterfallModel::RepresentativeRun, RunView::First);
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.shownRun(0), 1);
    QCOMPARE(model.shownRun(1), 2);
    QCOMPARE(model.requestCount(0), 2);
    QCOMPARE(model.requestCount(1), 3);
    QCOMPARE(model.screenshot(0), QByteArrayLiteral("png of run 1"));
    QVERIFY(model.screenshot(1).isEmpty());
    // The main thread's long tasks go with the shown run, as its screenshot does.
    QCOMPARE(model.longTasks(0), tasks);
    QVERIFY(model.longTasks(1).isEmpty());
    QCOMPARE(model.index(0, 0).data(WaterfallModel::ShownRunRole).toInt(), 1);
    // A later run becomes the median (a run ended): the lane shows it.
    model.setRepresentativeRun(QStringLiteral("fra"), 0);
    QCOMPARE(reset.size(), 2);
    QCOMPARE(model.requestCount(0), 1);
    QVERIFY(model.longTasks(0).isEmpty());
    // Requests stream into the median run's lane.
    model.addRequest(QStringLiteral("syd"), 2, RunView::First, request(QStringLiteral("late"), 9, 10));
    model.addRequest(QStringLiteral("syd"), 1, RunView::First, request(QStringLiteral("other"), 9, 10));
    model.flushPending();
    QCOMPARE(model.requestCount(1), 4);
    QCOMPARE(model.loadsOf(1).size(), 3);
    // One run for every lane again.
    model.setView(1, RunView::First);
    QCOMPARE(model.shownRun(0), 1);
    QCOMPARE(model.shownRun(1), 1);
    QCOMPARE(model.requestCount(1), 3);
}

void tst_WaterfallModel::pageMetricsAndAxisExtent()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("doc"), 0, 300));
    model.flushPending();
    QCOMPARE(model.maxEndMs(), 300.0);

    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    PageMetrics metrics;
    metrics.firstContentfulPaintMs = 450;
    metrics.domContentLoadedMs = 400;
    metrics.loadMs = 900;
    model.setPageMetrics(QStringLiteral("fra"), 0, RunView::First, metrics);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(0, 0));
    QCOMPARE(model.pageMetrics(0), metrics);
    QCOMPARE(model.index(0, 0).data(WaterfallModel::PageMetricsRole).value<PageMetrics>(), metrics);
    QCOMPARE(model.maxEndMs(), 900.0); // the load marker is on the axis too

    // A lane can get its metrics before any request; another view's metrics change nothing shown.
    PageMetrics other;
    other.loadMs = 5000;
    model.setPageMetrics(QStringLiteral("syd"), 0, RunView::First, other);
    QCOMPARE(model.laneCount(), 2);
    QCOMPARE(model.maxEndMs(), 5000.0);
    model.setPageMetrics(QStringLiteral("fra"), 0, RunView::Repeat, other);
    QCOMPARE(model.pageMetrics(0), metrics);
    model.setView(0, RunView::Repeat);
    QCOMPARE(model.pageMetrics(0), other);
    QVERIFY(!model.pageMetrics(1));
    QCOMPARE(model.maxEndMs(), 5000.0);
}

void tst_WaterfallModel::typeFilter()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const QStringList types { QStringLiteral("Document"), QStringLiteral("Stylesheet"), QStringLiteral("Script"),
        QStringLiteral("Image"), QStringLiteral("Font"), QStringLiteral("XHR"), QStringLiteral("Fetch"),
        QStringLiteral("Ping") };
    for (int i = 0; i < types.size(); ++i)
        model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(types.at(i), i, 10, types.at(i)));
    model.flushPending();
    QCOMPARE(model.requestCount(0), 8);

    model.setTypeFilter({ QStringLiteral("XHR/Fetch") });
    QCOMPARE(idsOf(model, 0), QStringList({ QStringLiteral("XHR"), QStringLiteral("Fetch") }));
    model.setTypeFilter({ QStringLiteral("Other"), QStringLiteral("Document") });
    QCOMPARE(idsOf(model, 0), QStringList({ QStringLiteral("Document"), QStringLiteral("Ping") }));
    model.setTypeFilter({ QStringLiteral("Fetch") }); // a CDP type works too
    QCOMPARE(idsOf(model, 0), QStringList({ QStringLiteral("Fetch") }));
    QCOMPARE(model.maxEndMs(), 16.0);

    // Live requests go through the filter.
    model.setTypeFilter({ QStringLiteral("Image") });
    model.addRequest(
        QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("img2"), 20, 10, QStringLiteral("Image")));
    model.addRequest(
        QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("js2"), 21, 10, QStringLiteral("Script")));
    model.flushPending();
    QCOMPARE(idsOf(model, 0), QStringList({ QStringLiteral("Image"), QStringLiteral("img2") }));

    model.setTypeFilter({});
    QCOMPARE(model.requestCount(0), 10);
    QVERIFY(model.typeFilter().isEmpty());
}

void tst_WaterfallModel::typeCategories_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QString>("category");
    QTest::newRow("document") << "Document"
                              << "Document";
    QTest::newRow("css") << "Stylesheet"
                         << "Stylesheet";
    QTest::newRow("js") << "Script"
                        << "Script";
    QTest::newRow("img") << "Image"
                         << "Image";
    QTest::newRow("font") << "Font"
                          << "Font";
    QTest::newRow("xhr") << "XHR"
                         << "XHR/Fetch";
    QTest::newRow("fetch") << "Fetch"
                           << "XHR/Fetch";
    QTest::newRow("eventsource") << "EventSource"
                                 << "XHR/Fetch";
    QTest::newRow("media") << "Media"
                           << "Other";
    QTest::newRow("empty") << ""
                           << "Other";
}

void tst_WaterfallModel::typeCategories()
{
    QFETCH(QString, type);
    QFETCH(QString, category);
    QCOMPARE(WaterfallModel::typeCategory(type), category);
    QVERIFY(WaterfallModel::typeCategories().contains(category));
}

void tst_WaterfallModel::shortLabels_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("label");
    QTest::newRow("path") << "https://example.com/static/app.js"
                          << "/static/app.js";
    QTest::newRow("query") << "https://example.com/api?q=1"
                           << "/api?q=1";
    QTest::newRow("root") << "https://example.com/"
                          << "example.com";
    QTest::newRow("no path") << "https://example.com"
                             << "example.com";
    QTest::newRow("data") << "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"
                          << "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAA";
}

void tst_WaterfallModel::shortLabels()
{
    QFETCH(QString, url);
    QFETCH(QString, label);
    QCOMPARE(WaterfallModel::shortLabel(url), label);
}

void tst_WaterfallModel::thirdPartyLabelsNameTheirHost()
{
    WaterfallModel model;
    RequestTiming cdn = request(QStringLiteral("lib.js"), 5, 10);
    cdn.url = QStringLiteral("https://cdn.example.net/lib.js");
    RequestTiming document = request(QStringLiteral("index"), 0, 10, QStringLiteral("Document"));
    document.url = QStringLiteral("https://www.example.com/");
    RequestTiming own = request(QStringLiteral("app.js"), 6, 10);
    own.url = QStringLiteral("https://www.example.com/app.js");
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, cdn); // before the document: the host is not known yet
    model.flushPending();
    QCOMPARE(model.label(0, 0), QStringLiteral("/lib.js"));
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, document);
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, own);
    model.flushPending();
    QCOMPARE(model.label(0, 0), QStringLiteral("www.example.com"));
    QCOMPARE(model.label(0, 1), QStringLiteral("cdn.example.net/lib.js"));
    QCOMPARE(model.label(0, 2), QStringLiteral("/app.js"));
    QCOMPARE(model.index(1, 0, model.index(0, 0)).data().toString(), QStringLiteral("cdn.example.net/lib.js"));
}

void tst_WaterfallModel::clear()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("a"), 0, 10));
    model.addRequest(QStringLiteral("syd"), 0, RunView::First, request(QStringLiteral("b"), 0, 10));
    model.flushPending();
    // Pending rows die with the clear: nothing is inserted afterwards.
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("c"), 5, 10));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.clear();
    QCOMPARE(reset.size(), 1);
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.laneCount(), 0);
    QCOMPARE(model.maxEndMs(), 0.0);
    QTest::qWait(20);
    QCOMPARE(inserted.size(), 0);

    model.addRequest(QStringLiteral("iad"), 0, RunView::First, request(QStringLiteral("d"), 0, 10));
    model.flushPending();
    QCOMPARE(model.laneCount(), 1);
    QCOMPARE(model.region(0), QStringLiteral("iad"));
    QCOMPARE(model.requestCount(0), 1);
}

void tst_WaterfallModel::capKeepsTheOldest()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const qsizetype cap = WaterfallModel::maxRequestsPerLoad;
    for (qsizetype i = 0; i < cap + 25; ++i)
        model.addRequest(
            QStringLiteral("fra"), 0, RunView::First, request(QString::number(i), static_cast<double>(i), 1));
    model.addRequest(QStringLiteral("fra"), 0, RunView::Repeat, request(QStringLiteral("repeat"), 0, 1));
    model.flushPending();
    QCOMPARE(model.requestCount(0), cap);
    QCOMPARE(model.droppedCount(0), 25);
    QCOMPARE(model.index(0, 0).data(WaterfallModel::DroppedCountRole).value<qsizetype>(), 25);
    QCOMPARE(model.request(0, 0)->id, QStringLiteral("0"));
    QCOMPARE(model.request(0, static_cast<int>(cap - 1))->id, QString::number(cap - 1));
    QCOMPARE(model.maxEndMs(), static_cast<double>(cap)); // dropped requests are not on the axis

    // Dropping more tells views the lane's count changed; rows do not move.
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("late"), 0, 1));
    model.flushPending();
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(model.droppedCount(0), 26);
    // The cap is per page load: the repeat view has its own.
    model.setView(0, RunView::Repeat);
    QCOMPARE(model.requestCount(0), 1);
    QCOMPARE(model.droppedCount(0), 0);
}

namespace {

RequestTiming started(const QString &id, double startMs)
{
    RequestTiming r;
    r.id = id;
    r.url = QStringLiteral("https://example.com/") + id;
    r.method = QStringLiteral("GET");
    r.resourceType = QStringLiteral("Image");
    r.startMs = startMs;
    return r;
}

} // namespace

void tst_WaterfallModel::pendingRowsAreReplacedInPlace()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    const QString fra = QStringLiteral("fra");
    model.addRequest(fra, 0, RunView::First, request(QStringLiteral("doc"), 0, 40, QStringLiteral("Document")));
    model.addStarted(fra, 0, RunView::First, { started(QStringLiteral("a"), 50), started(QStringLiteral("b"), 60) });
    model.flushPending();
    // A pending row appears where its request started, before it has ended.
    QCOMPARE(idsOf(model, 0), (QStringList { QStringLiteral("doc"), QStringLiteral("a"), QStringLiteral("b") }));
    const QModelIndex lane = model.laneIndex(0);
    QVERIFY(model.isPending(0, 1));
    QVERIFY(model.index(1, 0, lane).data(WaterfallModel::PendingRole).toBool());
    QVERIFY(!model.isPending(0, 0));
    QVERIFY(!model.index(1, 0, lane).data(WaterfallModel::EndMsRole).isValid());

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    // Requests that started later and ended first come in below; then "a" ends, after "b": it keeps its row.
    model.addRequest(fra, 0, RunView::First, request(QStringLiteral("c"), 70, 5));
    model.addRequest(fra, 0, RunView::First, request(QStringLiteral("b"), 60, 30));
    model.addRequest(fra, 0, RunView::First, request(QStringLiteral("a"), 50, 300));
    model.flushPending();
    QCOMPARE(idsOf(model, 0),
        (QStringList { QStringLiteral("doc"), QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c") }));
    QCOMPARE(inserted.size(), 1); // only "c" is a new row: "a" and "b" were replaced, not inserted again
    QCOMPARE(inserted.at(0).at(1).toInt(), 3);
    QCOMPARE(changed.size(), 2);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 2);
    QCOMPARE(changed.at(1).at(0).value<QModelIndex>().row(), 1);
    QVERIFY(!model.isPending(0, 1));
    QVERIFY(!model.hasPendingRows());
    QCOMPARE(model.request(0, 1)->durationMs, 300.0);
    QCOMPARE(model.index(1, 0, lane).data(WaterfallModel::EndMsRole).toDouble(), 350.0);
    QVERIFY(!model.durationText(0, 1).isEmpty());
    QCOMPARE(model.maxEndMs(), 350.0);

    // A final frame whose pending one was not inserted yet (same event-loop turn) is inserted once, as final.
    model.addStarted(fra, 0, RunView::First, { started(QStringLiteral("d"), 80) });
    model.addRequest(fra, 0, RunView::First, request(QStringLiteral("d"), 80, 10));
    model.flushPending();
    QCOMPARE(model.requestCount(0), 5);
    QVERIFY(!model.isPending(0, 4));
    QCOMPARE(model.request(0, 4)->outcome, RequestTiming::Outcome::Finished);
}

void tst_WaterfallModel::pendingRowsGrowWithTheClock()
{
    WaterfallModel model;
    double now = 1000;
    model.setClock([&now] { return now; });
    const QString fra = QStringLiteral("fra");
    QVERIFY(!model.liveNowMs(0).has_value());
    // The start of "a" at 100 ms arrives at clock 1000: the navigation start was at 900 at the latest.
    model.addStarted(fra, 0, RunView::First, { started(QStringLiteral("a"), 100) });
    model.flushPending();
    QVERIFY(model.hasPendingRows());
    QCOMPARE(model.liveNowMs(0).value(), 100.0);
    now = 1500;
    QCOMPARE(model.liveNowMs(0).value(), 600.0);
    QCOMPARE(model.liveEndMs(), 600.0); // the axis follows the pending bar
    QCOMPARE(model.maxEndMs(), 100.0);
    // A frame that says the load is further than the clock thought moves the origin back, never forward.
    model.addRequest(fra, 0, RunView::First, request(QStringLiteral("b"), 500, 300));
    QCOMPARE(model.liveNowMs(0).value(), 800.0);
    model.addStarted(fra, 0, RunView::First, { started(QStringLiteral("c"), 10) });
    QCOMPARE(model.liveNowMs(0).value(), 800.0);
    // The stored test of a finished run has no pending rows and no clock.
    model.setTest(TestRecord {});
    QVERIFY(!model.hasPendingRows());
}

void tst_WaterfallModel::abandonedRowsStopAndAreMarked()
{
    WaterfallModel model;
    double now = 0;
    model.setClock([&now] { return now; });
    const QString fra = QStringLiteral("fra");
    const QString syd = QStringLiteral("syd");
    model.addStarted(fra, 0, RunView::First, { started(QStringLiteral("a"), 0), started(QStringLiteral("b"), 20) });
    model.addStarted(syd, 0, RunView::First, { started(QStringLiteral("s"), 0) });
    model.addStarted(fra, 1, RunView::First, { started(QStringLiteral("later"), 0) });
    model.flushPending();
    now = 400;
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.endLive(fra, 0);
    // fra's run 1 stopped where the clock was; syd and fra's run 2 go on.
    QCOMPARE(changed.size(), 1);
    QVERIFY(!model.isPending(0, 0));
    QCOMPARE(model.abandonedAtMs(0, 0).value(), 420.0);
    QCOMPARE(model.abandonedAtMs(0, 1).value(), 420.0);
    QCOMPARE(model.request(0, 0)->outcome, RequestTiming::Outcome::Unfinished);
    QVERIFY(model.isPending(1, 0));
    QVERIFY(!model.abandonedAtMs(1, 0).has_value());
    QCOMPARE(model.maxEndMs(), 420.0);
    now = 900;
    QCOMPARE(model.abandonedAtMs(0, 0).value(), 420.0); // stopped: the clock no longer moves it
    // The test's end stops every run's.
    model.endAllLive();
    QVERIFY(!model.hasPendingRows());
    QCOMPARE(model.abandonedAtMs(1, 0).value(), 900.0);
    model.setView(1, RunView::First);
    QCOMPARE(model.abandonedAtMs(0, 0).value(), 900.0);
}

// A live test whose script measures several steps: step 1's requests stream into the region's lane as always, and
// each later step becomes a lane of its own right under it, with only its requests, as the record gains it.
void tst_WaterfallModel::stepLanesFollowTheLiveRecord()
{
    WaterfallModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
    TestRecord test;
    test.regions = { QStringLiteral("fra"), QStringLiteral("syd") };
    RegionRun run;
    run.stepName = QStringLiteral("log in");
    run.firstView.requests = { request(QStringLiteral("a1"), 0, 10), request(QStringLiteral("a2"), 5, 10) };
    for (const RequestTiming &r : std::as_const(run.firstView.requests))
        model.addRequest(QStringLiteral("fra"), 0, RunView::First, r);
    model.addRequest(QStringLiteral("syd"), 0, RunView::First, request(QStringLiteral("s1"), 0, 10));
    model.flushPending();
    test.results.insert(QStringLiteral("fra"), RegionRecord { RunState::Loading, {}, false, { run } });
    test.results.insert(QStringLiteral("syd"), RegionRecord {});
    // One step so far: nothing changes.
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    model.updateSteps(test, QStringLiteral("fra"));
    QCOMPARE(model.laneCount(), 2);
    QCOMPARE(inserted.size(), 0);
    QCOMPARE(model.laneTitle(0), QStringLiteral("fra"));

    StepResult account { QStringLiteral("account"), {} };
    account.view.requests = { request(QStringLiteral("b1"), 0, 20), request(QStringLiteral("b2"), 900, 20) };
    account.view.metrics.loadMs = 950;
    test.results[QStringLiteral("fra")].runs[0].laterSteps = { account };
    test.results[QStringLiteral("fra")].runs[0].laterStepMeasured = { true };
    model.updateSteps(test, QStringLiteral("fra"));
    QCOMPARE(model.laneCount(), 3);
    QCOMPARE(model.region(1), QStringLiteral("fra"));
    QCOMPARE(model.step(1), 1);
    QCOMPARE(model.laneOf(QStringLiteral("syd")), 2);
    QCOMPARE(model.laneTitle(0), QStringLiteral("fra · Step 1: log in"));
    QCOMPARE(model.laneTitle(1), QStringLiteral("fra · Step 2: account"));
    QCOMPARE(idsOf(model, 0), (QStringList { QStringLiteral("a1"), QStringLiteral("a2") }));
    QCOMPARE(idsOf(model, 1), (QStringList { QStringLiteral("b1"), QStringLiteral("b2") }));
    QCOMPARE(model.pageMetrics(1)->loadMs, 950.0);
    QCOMPARE(model.maxEndMs(), 950.0);

    // The step gains a request: its lane is made again, still one lane per step.
    test.results[QStringLiteral("fra")].runs[0].laterSteps[0].view.requests.append(
        request(QStringLiteral("b3"), 50, 5));
    model.updateSteps(test, QStringLiteral("fra"));
    QCOMPARE(model.laneCount(), 3);
    QCOMPARE(idsOf(model, 1), (QStringList { QStringLiteral("b1"), QStringLiteral("b3"), QStringLiteral("b2") }));
    // Step 1's requests still stream into the region's own lane.
    model.addRequest(QStringLiteral("fra"), 0, RunView::First, request(QStringLiteral("a3"), 7, 1));
    model.flushPending();
    QCOMPARE(idsOf(model, 0), (QStringList { QStringLiteral("a1"), QStringLiteral("a2"), QStringLiteral("a3") }));
    QCOMPARE(model.requestCount(1), 3);
}

QTEST_GUILESS_MAIN(tst_WaterfallModel)
#include "tst_waterfallmodel.moc"
