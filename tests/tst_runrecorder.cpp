// RunRecorder between a RunController and its consumers: the controller's events (emitted here as the fleet would
// make it emit them) become the live TestRecord and the history's rows at once, and the models fed live from the
// recorder show what the same models show when they read the stored test whole — one path for both.
#include "historystore.h"
#include "regionmodel.h"
#include "runcontroller.h"
#include "runrecorder.h"
#include "waterfallmodel.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString fra = QStringLiteral("fra");
const QString syd = QStringLiteral("syd");

RequestTiming request(const QString &id, double startMs)
{
    RequestTiming r;
    r.id = id;
    r.url = QStringLiteral("https://example.com/%1").arg(id);
    r.method = QStringLiteral("GET");
    r.resourceType = id == u"doc" ? QStringLiteral("Document") : QStringLiteral("Script");
    r.startMs = startMs;
    r.durationMs = 40;
    r.status = 200;
    r.outcome = RequestTiming::Outcome::Finished;
    return r;
}

PageMetrics metrics(double load)
{
    PageMetrics m;
    m.documentStatus = 200;
    m.ttfbMs = load / 10;
    m.loadMs = load;
    m.requestCount = 2;
    m.totalEncodedBytes = 4096;
    return m;
}

QList<RegionCatalog::Region> regions()
{
    return { { fra, QStringLiteral("Frankfurt"), QStringLiteral("Germany"), QStringLiteral("Europe"), 50.1, 8.7 },
        { syd, QStringLiteral("Sydney"), QStringLiteral("Australia"), QStringLiteral("Oceania"), -33.9, 151.2 } };
}

// The models connected to the recorder as the main window connects them.
struct LiveModels
{
    explicit LiveModels(RunRecorder *recorder)
    {
        regions.setRegions(::regions());
        QObject::connect(recorder, &RunRecorder::testStarted, &regions, [this](const TestRecord &test) {
            regions.setTest(test);
            waterfall.setTest(test);
        });
        QObject::connect(recorder, &RunRecorder::regionChanged, &regions,
            [this, recorder](const QString &region) { regions.updateRegion(recorder->test(), region); });
        QObject::connect(recorder, &RunRecorder::requestAdded, &waterfall,
            [this](const QString &region, int run, RunView view, const RequestTiming &r) {
                waterfall.addRequest(region, run - 1, view, r);
            });
        QObject::connect(recorder, &RunRecorder::viewMeasured, &waterfall,
            [this](const QString &region, int run, RunView view, const PageMetrics &m) {
                waterfall.setPageMetrics(region, run - 1, view, m);
            });
        QObject::connect(
            recorder, &RunRecorder::testFinished, &regions, [this](const TestRecord &test) { regions.setTest(test); });
    }

    RegionModel regions;
    WaterfallModel waterfall;
};

// Two regions, two runs: fra ok twice (a repeat view too), syd fails its first run and loads in its second.
void playTest(RunController &controller)
{
    RunController::Request request;
    request.url = QUrl(QStringLiteral("https://example.com/"));
    request.options.repeatView = true;
    request.regions = { fra, syd };
    request.runs = 2;
    emit controller.started(request);
    for (int run = 1; run <= 2; ++run) {
        emit controller.regionState(fra, RunState::Queued, QStringLiteral("starting a probe"), run == 1);
        emit controller.regionState(fra, RunState::Loading, request.url.toString(), false);
        emit controller.requestFinished(fra, run, RunView::First, ::request(QStringLiteral("doc"), 0));
        emit controller.requestFinished(fra, run, RunView::First, ::request(QStringLiteral("app.js"), 50 + run));
        emit controller.viewMeasured(fra, run, RunView::First, metrics(run == 1 ? 900 : 700),
            QStringLiteral("https://example.com/"), QByteArray());
        emit controller.requestFinished(fra, run, RunView::Repeat, ::request(QStringLiteral("doc"), 0));
        emit controller.viewMeasured(
            fra, run, RunView::Repeat, metrics(300), QStringLiteral("https://example.com/"), QByteArray("png"));
        emit controller.regionState(fra, RunState::Complete, QString(), false);
        emit controller.runFinished(
            fra, run, std::nullopt, run == 1, run == 1 ? std::optional<double>(250) : std::nullopt);

        emit controller.regionState(syd, RunState::Loading, request.url.toString(), false);
        emit controller.requestFinished(syd, run, RunView::First, ::request(QStringLiteral("doc"), 0));
        if (run == 1) {
            emit controller.runFinished(syd, run,
                LoadError { LoadError::Kind::ConnectionFailed, QStringLiteral("net::ERR_CONNECTION_RESET") }, false,
                std::nullopt);
        } else {
            emit controller.viewMeasured(
                syd, run, RunView::First, metrics(2500), QStringLiteral("https://example.com/"), QByteArray());
            emit controller.runFinished(syd, run, std::nullopt, false, std::nullopt);
        }
    }
    emit controller.finished();
}

// A stored test as the live record has it: the store adds each view's estimated start, and its own times.
TestRecord withoutStoreEstimates(TestRecord test)
{
    for (RegionRecord &region : test.results) {
        for (RegionRun &run : region.runs) {
            run.firstView.startedAt = {};
            if (run.repeatView)
                run.repeatView->startedAt = {};
            for (StepResult &step : run.laterSteps)
                step.view.startedAt = {};
        }
    }
    test.startedAt = {};
    test.finishedAt = {};
    return test;
}

} // namespace

class tst_RunRecorder : public QObject
{
    Q_OBJECT

private slots:
    void recordsAndStoresEveryEvent();
    void liveModelsShowWhatTheStoredTestShows();
    void withoutHistory();
    void recordsEachStepOfAScript();
};

void tst_RunRecorder::recordsAndStoresEveryEvent()
{
    QTemporaryDir dir;
    HistoryStore store(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    RunController controller(nullptr);
    RunRecorder recorder(&controller, &store);
    QSignalSpy started(&recorder, &RunRecorder::testStarted);
    QSignalSpy changed(&recorder, &RunRecorder::regionChanged);
    QSignalSpy requests(&recorder, &RunRecorder::requestAdded);
    QSignalSpy finished(&recorder, &RunRecorder::testFinished);
    QSignalSpy measured(&recorder, &RunRecorder::viewMeasured);

    // The history has each event as soon as it happened: when fra's first run ends, the store has that end.
    bool storedAtOnce = false;
    connect(&recorder, &RunRecorder::regionChanged, this, [&](const QString &region) {
        const QList<RegionRun> runs = recorder.test().region(region).runs;
        if (region != fra || runs.size() != 1 || !runs.constFirst().finished || storedAtOnce)
            return;
        const std::optional<TestRecord> now = store.load(recorder.testId());
        storedAtOnce = now && !now->finishedAt.isValid() && now->region(fra).runs.constFirst().finished;
    });
    playTest(controller);
    QVERIFY(storedAtOnce);

    QCOMPARE(started.size(), 1);
    QCOMPARE(finished.size(), 1);
    QCOMPARE(requests.size(), 2 * 3 + 2 * 1);
    QCOMPARE(measured.size(), 2 * 2 + 1);
    // State, metrics and a run's end change a region; a request alone does not.
    QCOMPARE(changed.size(), 2 * (3 + 2 + 1) + (2 + 3));
    const TestRecord &live = recorder.test();
    QVERIFY(live.id >= 0);
    QVERIFY(!live.running);
    QVERIFY(live.finishedAt.isValid());
    QCOMPARE(live.regions, (QStringList { fra, syd }));
    QCOMPARE(live.runsPerRegion, 2);
    const RegionRecord frankfurt = live.region(fra);
    QCOMPARE(frankfurt.runs.size(), 2);
    QVERIFY(frankfurt.runs.at(0).cold);
    QCOMPARE(frankfurt.runs.at(0).browserStartMs, 250.0);
    QCOMPARE(frankfurt.runs.at(1).firstView.requests.size(), 2);
    QCOMPARE(frankfurt.runs.at(1).repeatView->screenshotPng, QByteArray("png"));
    QCOMPARE(live.region(syd).runs.at(0).error->kind, LoadError::Kind::ConnectionFailed);
    QCOMPARE(live.medianMetrics(fra)->loadMs, 800.0);
    QCOMPARE(live.medianMetrics(syd)->loadMs, 2500.0);

    // What the history keeps is the live record, with the store's own estimates on top.
    const std::optional<TestRecord> stored = store.load(live.id);
    QVERIFY2(stored, qPrintable(store.lastError()));
    QVERIFY(stored->finishedAt.isValid());
    QVERIFY(stored->region(fra).runs.at(0).firstView.startedAt.isValid());
    QCOMPARE(withoutStoreEstimates(*stored), withoutStoreEstimates(live));
}

void tst_RunRecorder::liveModelsShowWhatTheStoredTestShows()
{
    QTemporaryDir dir;
    HistoryStore store(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY(store.open());
    RunController controller(nullptr);
    RunRecorder recorder(&controller, &store);
    LiveModels live(&recorder);
    playTest(controller);
    live.waterfall.flushPending();

    const std::optional<TestRecord> stored = store.load(recorder.testId());
    QVERIFY(stored);
    RegionModel regions;
    regions.setRegions(::regions());
    regions.setTest(*stored);
    WaterfallModel waterfall;
    waterfall.setTest(*stored);

    for (int row = 0; row < regions.rowCount(); ++row) {
        for (int column = 0; column < regions.columnCount(); ++column) {
            for (const int role : { int(Qt::DisplayRole), int(RegionModel::SortRole), int(RegionModel::PhaseRole),
                     int(RegionModel::SummaryRole) }) {
                QCOMPARE(regions.index(row, column).data(role), live.regions.index(row, column).data(role));
            }
        }
    }
    QCOMPARE(regions.stateText(fra), QStringLiteral("200 Complete"));
    QCOMPARE(regions.median(fra).loadMs, 800.0);

    for (const auto &[run, view] :
        { std::pair { 0, RunView::First }, std::pair { 1, RunView::First }, std::pair { 1, RunView::Repeat } }) {
        live.waterfall.setView(run, view);
        waterfall.setView(run, view);
        QCOMPARE(waterfall.laneCount(), live.waterfall.laneCount());
        for (int lane = 0; lane < waterfall.laneCount(); ++lane) {
            QCOMPARE(waterfall.region(lane), live.waterfall.region(lane));
            QCOMPARE(waterfall.requestCount(lane), live.waterfall.requestCount(lane));
            QCOMPARE(waterfall.pageMetrics(lane), live.waterfall.pageMetrics(lane));
            for (int row = 0; row < waterfall.requestCount(lane); ++row)
                QCOMPARE(*waterfall.request(lane, row), *live.waterfall.request(lane, row));
        }
    }
    QCOMPARE(waterfall.requestCount(waterfall.laneOf(fra)), 1); // fra's repeat view, run 2
}

void tst_RunRecorder::withoutHistory()
{
    RunController controller(nullptr);
    RunRecorder recorder(&controller, nullptr);
    playTest(controller);
    QCOMPARE(recorder.testId(), -1);
    QCOMPARE(recorder.test().region(syd).runs.size(), 2);
    QCOMPARE(recorder.test().medianMetrics(fra)->loadMs, 800.0);
}

void tst_RunRecorder::recordsEachStepOfAScript()
{
    // A script's steps as the fleet reports them: each frame says its step, and each goes into that step's view of
    // the run, live, named by setEventName (step 2) or, when unnamed, by the page it ended on (step 3); and the
    // history keeps them as they come.
    QTemporaryDir dir;
    HistoryStore store(dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    RunController controller(nullptr);
    RunRecorder recorder(&controller, &store);
    QSignalSpy requests(&recorder, &RunRecorder::requestAdded);
    RunController::Request request;
    request.url = QUrl(QStringLiteral("https://example.com/login"));
    request.regions = { fra };
    emit controller.started(request);
    emit controller.requestFinished(fra, 1, RunView::First, ::request(QStringLiteral("doc"), 0), 1);
    emit controller.viewMeasured(fra, 1, RunView::First, metrics(900), QStringLiteral("https://example.com/"),
        QByteArray(), {}, {}, {}, 1, QStringLiteral("home"));
    emit controller.requestFinished(fra, 1, RunView::First, ::request(QStringLiteral("account"), 0), 2);
    emit controller.requestFinished(fra, 1, RunView::First, ::request(QStringLiteral("account.js"), 30), 2);
    // Live: before its final metrics, a step is there, unmeasured, with what it has.
    QCOMPARE(recorder.test().region(fra).runs.at(0).laterSteps.size(), 1);
    QCOMPARE(recorder.test().region(fra).runs.at(0).laterStepMeasured, QList<bool> { false });
    QCOMPARE(recorder.test().region(fra).runs.at(0).laterSteps.at(0).view.requests.size(), 2);
    emit controller.viewMeasured(fra, 1, RunView::First, metrics(400), QStringLiteral("https://example.com/account"),
        QByteArray(), {}, {}, {}, 2, QStringLiteral("account"));
    emit controller.requestFinished(fra, 1, RunView::First, ::request(QStringLiteral("orders"), 0), 3);
    emit controller.viewMeasured(fra, 1, RunView::First, metrics(300), QStringLiteral("https://example.com/orders"),
        QByteArray(), {}, {}, {}, 3, QString());
    emit controller.runFinished(fra, 1, std::nullopt, false, std::nullopt);
    emit controller.finished();

    QCOMPARE(requests.size(), 4);
    QCOMPARE(requests.at(1).at(4).toInt(), 2);
    const RegionRun run = recorder.test().region(fra).runs.at(0);
    QCOMPARE(run.stepCount(), 3);
    QCOMPARE(run.stepName, QStringLiteral("home"));
    QCOMPARE(run.firstView.requests.size(), 1);
    QCOMPARE(run.firstView.metrics.loadMs, 900.0);
    QCOMPARE(run.laterStepMeasured, (QList<bool> { true, true }));
    QCOMPARE(run.stepLabel(1), QStringLiteral("account"));
    QCOMPARE(run.stepView(1).metrics.loadMs, 400.0);
    QCOMPARE(run.stepView(1).requests.size(), 2);
    QCOMPARE(run.stepView(1).requests.at(1).id, QStringLiteral("account.js"));
    QCOMPARE(run.stepLabel(2), QStringLiteral("https://example.com/orders"));
    QCOMPARE(run.stepView(2).requests.size(), 1);
    QVERIFY(run.stepMeasured(2));
    // The run as the exports know it has the steps too.
    QCOMPARE(recorder.test().runResult(run).laterSteps.size(), 2);

    // What the history keeps is the live record: every step, its name, requests and metrics.
    const std::optional<TestRecord> stored = store.load(recorder.testId());
    QVERIFY2(stored, qPrintable(store.lastError()));
    QCOMPARE(stored->region(fra).runs.at(0).stepCount(), 3);
    QCOMPARE(withoutStoreEstimates(*stored), withoutStoreEstimates(recorder.test()));
}

QTEST_GUILESS_MAIN(tst_RunRecorder)
#include "tst_runrecorder.moc"
