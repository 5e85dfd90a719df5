#pragma once

#include "model/loaderror.h"
#include "model/pagemetrics.h"
#include "model/requesttiming.h"
#include "runcontroller.h"
#include "testrecord.h"

#include <QObject>

#include <optional>

class HistoryStore;

// Keeps the test a RunController runs, as it arrives: the live TestRecord that the views read (RegionModel,
// WaterfallModel, the CLI's progress), and the history's rows, written at once for every event — HistoryStore
// commits each write, so a crash loses nothing received.
//
// The live record is what the views show; it leaves each view's startedAt unset, which the store estimates from
// the frames' arrival (exports read the stored test). Its `running` is true from the controller's started() to its
// finished(), and the signals below follow each change of the record, so a view can read test() in them.
class RunRecorder final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunRecorder)

public:
    // `history` may be null: then nothing is kept beyond the live record. Neither is owned; both must outlive it.
    RunRecorder(RunController *controller, HistoryStore *history, QObject *parent = nullptr);

    const TestRecord &test() const { return m_test; }
    // The test's id in the history; -1 without a history, or when it could not be stored.
    qint64 testId() const { return m_test.id; }

signals:
    // A new test: every region of it waits, nothing measured yet.
    void testStarted(const TestRecord &test);
    // The region's record changed: its state, a view's metrics, or a run's end.
    void regionChanged(const QString &region);
    // A request of a view ended (the region's record is not otherwise changed, so no regionChanged()). `step`: the
    // script's measured step (RunController's), 1 without one; a later step's view is RegionRun::laterSteps'.
    void requestAdded(const QString &region, int run, RunView view, const RequestTiming &request, int step = 1);
    void viewMeasured(const QString &region, int run, RunView view, const PageMetrics &metrics, int step = 1);
    // The test is over (finished or cancelled): the record is final.
    void testFinished(const TestRecord &test);

private:
    void onStarted(const RunController::Request &request);
    void onRegionState(const QString &region, RunState state, const QString &detail, bool probeStarting);
    void onRequest(const QString &region, int run, RunView view, const RequestTiming &request, int step);
    void onViewLoaded(const QString &region, int run, RunView view, const PageMetrics &metrics, int step);
    void onViewMeasured(const QString &region, int run, RunView view, const PageMetrics &metrics,
        const QString &finalUrl, const QByteArray &screenshotPng, const Filmstrip &filmstrip,
        const QList<LongTask> &longTasks, const QStringList &warnings, int step, const QString &stepName);
    void onRunFinished(const QString &region, int run, const std::optional<LoadError> &error, bool cold,
        std::optional<double> browserStartMs);
    void onFinished();

    // The run (counting from 1) of a region of the test, made when its first event arrives; nullptr for a region
    // the test does not have.
    RegionRun *runOf(const QString &region, int run);
    // The view a frame is of; a later step's is made (with the steps before it) when its first frame arrives.
    ViewResult *viewOf(RegionRun &run, RunView view, int step);
    bool storing() const { return m_history && m_test.id >= 0; }

    HistoryStore *m_history;
    TestRecord m_test;
};
