#pragma once

#include "model/loaderror.h"
#include "model/loadoptions.h"
#include "model/pagemetrics.h"
#include "model/requesttiming.h"
#include "protocol/message.h"

#include <QObject>
#include <QPointer>
#include <QStringList>
#include <QUrl>

#include <optional>

class Fleet;
class MultiRegionRun;

// Runs one test at a time: fans it out to the chosen regions through the fleet (once per run when several
// runs are asked for), and tells what happens as it arrives, in the test's own terms — a region's state, a
// request, a view's metrics, a run's end — not in the probes' messages. It keeps no results: RunRecorder keeps the
// test (the live TestRecord and the history), and the views read that.
//
// Runs count from 1, as TestRecord's RegionRun::index does.
class RunController final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunController)

public:
    struct Request
    {
        QUrl url;
        LoadOptions options;
        QStringList regions;
        int runs = 1;
    };

    // `fleet` is not owned and must outlive the controller.
    explicit RunController(Fleet *fleet, QObject *parent = nullptr);
    ~RunController() override;

    bool start(const Request &request, QString *error);
    void cancel();
    bool isRunning() const { return m_running; }
    Request request() const { return m_request; }

signals:
    // The test began: `request` as it runs (its runs clamped to 1–100).
    void started(const RunController::Request &request);
    // `probeStarting`: Queued because a probe is being booted for it (a cold start), not behind busy ones.
    void regionState(const QString &region, RunState state, const QString &detail, bool probeStarting);
    // `step`, last in each of these: the script's measured step the view is of (1 … TestScript::maxSteps, as
    // WebPageTest numbers them; a later step is always a first view), 1 for every test without such a script. Last,
    // so that a receiver that shows no steps reads the view where it always has.
    void requestFinished(const QString &region, int run, RunView view, const RequestTiming &request, int step = 1);
    // Requests that have started and not ended: for the live waterfall only (nothing keeps them); each one's
    // requestFinished() follows, unless the run ends first.
    void requestsStarted(
        const QString &region, int run, RunView view, const QList<RequestTiming> &requests, int step = 1);
    // A view's load event has fired and these are its metrics as of then: to show at once, not a result (its
    // viewMeasured() follows, unless the run fails first).
    void viewLoaded(const QString &region, int run, RunView view, const PageMetrics &metrics, int step = 1);
    // A view's final metrics: its result. `stepName`: the script's setEventName for the step (empty: none).
    void viewMeasured(const QString &region, int run, RunView view, const PageMetrics &metrics, const QString &finalUrl,
        const QByteArray &screenshotPng, const Filmstrip &filmstrip = {}, const QList<LongTask> &longTasks = {},
        const QStringList &warnings = {}, int step = 1, const QString &stepName = {});
    // A run of a region ended: `error` is absent exactly when it loaded the page. `cold`: it waited for a probe
    // to boot, so its time includes the boot.
    void runFinished(const QString &region, int run, const std::optional<LoadError> &error, bool cold,
        std::optional<double> browserStartMs);
    // Right before runFinished: how fast the region's probe's CPU is and the throttling rate the run had (absent
    // from a probe that does not say).
    void runCpu(
        const QString &region, int run, std::optional<double> cpuBenchmarkIndex, std::optional<double> cpuSlowdownRate);
    // Right before runFinished, when the probe cut or left something out of the run (RunResult::warnings).
    void runWarnings(const QString &region, int run, const QStringList &warnings);
    void progress(int regionsDone, int regionsTotal);
    void finished();

private:
    void startRun(int run);
    void onRunFinished();

    Fleet *m_fleet;
    Request m_request;
    QPointer<MultiRegionRun> m_current;
    int m_run = 1;
    int m_regionsDone = 0; // in the current run
    bool m_running = false;
    bool m_cancelled = false;
};
