#include "runrecorder.h"

#include "historystore.h"

RunRecorder::RunRecorder(RunController *controller, HistoryStore *history, QObject *parent)
    : QObject(parent)
    , m_history(history)
{
    connect(controller, &RunController::started, this, &RunRecorder::onStarted);
    connect(controller, &RunController::regionState, this, &RunRecorder::onRegionState);
    connect(controller, &RunController::requestFinished, this, &RunRecorder::onRequest);
    connect(controller, &RunController::viewLoaded, this, &RunRecorder::onViewLoaded);
    connect(controller, &RunController::viewMeasured, this, &RunRecorder::onViewMeasured);
    connect(controller, &RunController::runFinished, this, &RunRecorder::onRunFinished);
    connect(controller, &RunController::runCpu, this,
        [this](const QString &region, int run, std::optional<double> index, std::optional<double> rate) {
            if (RegionRun *recorded = runOf(region, run)) {
                recorded->cpuBenchmarkIndex = index;
                recorded->cpuSlowdownRate = rate;
            }
            if (storing())
                m_history->setRunCpu(m_test.id, region, run, index, rate);
        });
    connect(controller, &RunController::runWarnings, this,
        [this](const QString &region, int run, const QStringList &warnings) {
            if (RegionRun *recorded = runOf(region, run))
                recorded->warnings = warnings;
            if (storing())
                m_history->setRunWarnings(m_test.id, region, run, warnings);
        });
    connect(controller, &RunController::finished, this, &RunRecorder::onFinished);
}

void RunRecorder::onStarted(const RunController::Request &request)
{
    m_test = TestRecord {};
    m_test.url = request.url.toString();
    m_test.options = request.options;
    m_test.runsPerRegion = request.runs;
    m_test.regions = request.regions;
    m_test.startedAt = QDateTime::currentDateTimeUtc();
    m_test.running = true;
    for (const QString &code : request.regions)
        m_test.results.insert(code, RegionRecord {});
    if (m_history)
        m_test.id
            = m_history->beginTest(m_test.url, m_test.options, m_test.regions, m_test.runsPerRegion, m_test.startedAt);
    emit testStarted(m_test);
}

RegionRun *RunRecorder::runOf(const QString &region, int run)
{
    const auto found = m_test.results.find(region);
    if (found == m_test.results.end())
        return nullptr;
    QList<RegionRun> &runs = found->runs;
    auto at = std::find_if(runs.begin(), runs.end(), [run](const RegionRun &r) { return r.index >= run; });
    if (at != runs.end() && at->index == run)
        return &*at;
    RegionRun added;
    added.index = run;
    added.firstView.url = m_test.url;
    return &*runs.insert(at, added); // runs stay in index order
}

ViewResult *RunRecorder::viewOf(RegionRun &run, RunView view, int step)
{
    if (step > 1) {
        // Steps arrive in order, but one may send no frame before the next does (a failed step sends none): each
        // step before this one is there, unmeasured, so laterSteps[k] is always step k + 2. The protocol bounds
        // `step` (TestScript::maxSteps).
        while (run.laterSteps.size() < step - 1) {
            StepResult added;
            // Nothing on the wire says when a step began; as the store does for the views, its first frame does.
            added.view.startedAt = QDateTime::currentDateTimeUtc();
            run.laterSteps.append(added);
            run.laterStepMeasured.append(false);
        }
        return &run.laterSteps[step - 2].view;
    }
    if (view == RunView::First)
        return &run.firstView;
    if (!run.repeatView) {
        run.repeatView = ViewResult {};
        run.repeatView->url = m_test.url;
    }
    return &*run.repeatView;
}

void RunRecorder::onRegionState(const QString &region, RunState state, const QString &detail, bool probeStarting)
{
    const auto found = m_test.results.find(region);
    if (found == m_test.results.end())
        return;
    found->state = state;
    found->detail = detail;
    found->probeStarting = state == RunState::Queued && probeStarting;
    if (storing())
        m_history->setRegionState(m_test.id, region, state, detail);
    emit regionChanged(region);
}

void RunRecorder::onRequest(const QString &region, int run, RunView view, const RequestTiming &request, int step)
{
    RegionRun *recorded = runOf(region, run);
    if (!recorded)
        return;
    viewOf(*recorded, view, step)->requests.append(request);
    if (storing()) {
        // The history counts steps from 0 as RegionRun::stepView does: step 2 of the wire is its step 1.
        if (step > 1)
            m_history->addStepRequest(m_test.id, region, run, step - 1, request);
        else
            m_history->addRequest(m_test.id, region, run, view, request);
    }
    emit requestAdded(region, run, view, request, step);
}

void RunRecorder::onViewLoaded(const QString &region, int run, RunView view, const PageMetrics &metrics, int step)
{
    // Only the live record has it, for the views to show while the run finishes; the history keeps results. A
    // later step has no place for it (RegionRun::firstViewAtLoad is step 1's).
    RegionRun *recorded = runOf(region, run);
    if (!recorded || view != RunView::First || step > 1 || recorded->firstViewMeasured || recorded->finished)
        return;
    recorded->firstViewAtLoad = metrics;
    emit regionChanged(region);
}

void RunRecorder::onViewMeasured(const QString &region, int run, RunView view, const PageMetrics &metrics,
    const QString &finalUrl, const QByteArray &screenshotPng, const Filmstrip &filmstrip,
    const QList<LongTask> &longTasks, const QStringList &warnings, int step, const QString &stepName)
{
    RegionRun *recorded = runOf(region, run);
    if (!recorded)
        return;
    ViewResult *result = viewOf(*recorded, view, step);
    result->metrics = metrics;
    if (view == RunView::First && step <= 1)
        recorded->firstViewAtLoad.reset();
    result->finalUrl = finalUrl;
    result->screenshotPng = screenshotPng;
    result->filmstrip = filmstrip;
    result->longTasks = longTasks;
    result->warnings = warnings;
    if (step > 1) {
        // A later step is named by its page when unnamed (StepResult::label): the page it ended on is all the
        // frames say of it.
        StepResult &later = recorded->laterSteps[step - 2];
        later.name = stepName;
        later.view.url = finalUrl;
        recorded->laterStepMeasured[step - 2] = true;
        if (storing())
            m_history->setStep(m_test.id, region, run, step - 1, later, true);
    } else {
        if (view == RunView::First)
            recorded->stepName = stepName;
        (view == RunView::First ? recorded->firstViewMeasured : recorded->repeatViewMeasured) = true;
        if (storing()) {
            m_history->setMetrics(m_test.id, region, run, view, *result);
            if (view == RunView::First && !stepName.isEmpty())
                m_history->setStepName(m_test.id, region, run, stepName);
        }
    }
    emit viewMeasured(region, run, view, metrics, step);
    emit regionChanged(region);
}

void RunRecorder::onRunFinished(const QString &region, int run, const std::optional<LoadError> &error, bool cold,
    std::optional<double> browserStartMs)
{
    RegionRun *recorded = runOf(region, run);
    if (!recorded)
        return;
    recorded->finished = true;
    recorded->firstViewAtLoad.reset(); // a run that ended without its final metrics has no result to show
    recorded->error = error;
    recorded->cold = cold;
    recorded->browserStartMs = browserStartMs;
    if (storing())
        m_history->finishRun(m_test.id, region, run, !error, error, cold, browserStartMs);
    emit regionChanged(region);
}

void RunRecorder::onFinished()
{
    m_test.finishedAt = QDateTime::currentDateTimeUtc();
    m_test.running = false;
    if (storing())
        m_history->finishTest(m_test.id, m_test.finishedAt);
    emit testFinished(m_test);
}
