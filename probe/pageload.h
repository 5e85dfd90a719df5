#pragma once

#include "browsercontext.h"
#include "deviceemulation.h"
#include "model/loadoptions.h"
#include "model/runresult.h"
#include "model/testscript.h"
#include "requestinterceptor.h"
#include "requestrules.h"
#include "requesttracker.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

class CdpConnection;
class FilmstripRecorder;
class ScriptRunner;
class UrlPolicy;
struct CdpReply;

// One measured run of a URL in a fresh browser context of its own (no cache, cookies or storage shared with any
// other run), then optionally a repeat view in the same context. It reports as it goes: each request when it
// ends, so a waterfall can grow live, and the whole result at the end.
//
// Times: Chrome stamps network events and the page's navigation start on one monotonic clock; we take the
// navigation start from Performance.getMetrics once the document commits, so request offsets and the page's own
// Navigation Timing share one origin. Page metrics are read from the page itself (Navigation, Paint, LCP and
// layout-shift entries): they are Chrome's numbers, not our estimate of them.
//
// Time limit: the options' timeoutMs runs from start(), so the browser's set-up of the run (context, tab, session)
// counts against the first view's; the repeat view has as long again. A browser that does not set the page up in
// that time, or leaves a command unanswered, ends the run as browser-unresponsive.
//
// A script (LoadOptions' test.script) replaces the plain navigation: its ScriptRunner does what comes before the
// measured step in the same context, with no request of it tracked, and the first view is the measured step. The
// URL given is then the script's first; the time limit covers the whole script up to its first measured step, and
// each later measured step (RunResult::laterSteps) has as long again for what leads to it and its own view. A step
// is a first view of its own: its requests only, its metrics, filmstrip and screenshot; a step that fails ends the
// run there (what follows it would start from a page other than the script expects).
//
// PageLoad drives the browser and decides when a view ends; what each request did is the RequestTracker's, fed
// the Network events of the page and of every frame and worker attached to it.
class PageLoad final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PageLoad)

public:
    enum class View { First, Repeat };
    enum class State { Queued, StartingBrowser, Loading, Complete, Failed };

    // How long the network must stay quiet after the load event before we call the page fully loaded.
    static constexpr int quietPeriodMs = 2'000;

    PageLoad(QUrl url, LoadOptions options, QObject *parent = nullptr);
    ~PageLoad() override;

    QUrl url() const { return m_url; }
    const LoadOptions &options() const { return m_options; }
    State state() const { return m_state; }
    const RunResult &result() const { return m_result; }
    // The measured step the current view belongs to, 0-based (RunResult::stepView): what the signals below are of.
    qsizetype currentStep() const { return m_step; }
    // Its name: the script's setEventName for it (scrubbed of the test's secrets), empty when it has none.
    QString currentStepName() const
    {
        return m_step > 0 && !m_result.laterSteps.isEmpty() ? m_result.laterSteps.last().name : m_result.stepName;
    }

    // Guard the load with a policy. Its browser context then sends every connection through an EgressProxy of
    // its own, which connects only to addresses the policy allows; and every request the Network domain sees
    // (document, redirect hop, subresource) is held until the policy has checked its URL, so that a refusal is
    // early and says why. Without a policy, or with one that allows private targets, there is neither (and
    // nothing is added to the timings).
    void setUrlPolicy(std::shared_ptr<const UrlPolicy> policy, EgressProxy::Limits limits = {});

    // The scheduler tells a queued load that the browser is being started for it.
    void markStartingBrowser();
    // Runs the load on an open connection. browserStartMs is set when this run waited for a cold browser;
    // cpuBenchmarkIndex is this machine's (CpuBenchmark), which a relative CPU slowdown is computed from. A context
    // `prepared` ahead of the run (made or still being made) is taken over when it is for this load's guard, and
    // disposed of otherwise; without one, the load makes its own.
    void start(CdpConnection *cdp, const QString &browserVersion, std::optional<double> browserStartMs,
        std::optional<double> cpuBenchmarkIndex = std::nullopt, BrowserContext *prepared = nullptr);
    // Ends the run now with this error; what was measured so far is kept. No-op once finished.
    void abort(const LoadError &error);
    void cancel();

signals:
    void stateChanged(PageLoad::State state);
    void requestFinished(PageLoad::View view, const RequestTiming &request);
    // A request started (what is known then: RequestTracker::requestStarted); its requestFinished() follows.
    void requestStarted(PageLoad::View view, const RequestTiming &request);
    // Right after a view's load event: what its page knew then (PageReading::readAtLoad). Its viewFinished follows.
    void viewLoaded(PageLoad::View view, const PageMetrics &metrics);
    // The first view's metrics, then the repeat view's, as each is known.
    void viewFinished(PageLoad::View view, const ViewResult &result);
    // Exactly once; result() holds the run.
    void finished();

private:
    void setState(State state);
    void command(const QString &method, const QJsonObject &params, const QString &sessionId = {},
        std::function<void(const QJsonObject &)> onOk = {});
    void takeContext(BrowserContext *prepared);
    void onContextReady();
    void attachSession(const QString &sessionId, bool pageSession);
    void beginView();
    void navigateView();
    void onEvent(const QString &sessionId, const QString &method, const QJsonObject &params);
    void dismissDialog(const QJsonObject &params);
    void onDocumentRefused(quint64 token, const QString &url, const QString &reason);
    bool guarded() const;
    void onRequestFinished(const RequestTiming &request);
    void learnNavigationStart();
    void noteActivity(double ts);
    void onLoadEvent();
    void readAtLoad();
    void closeOpenRequests();
    void endView(std::optional<LoadError> error, bool readPageMetrics);
    void finishView(std::optional<LoadError> error, const QJsonObject &page);
    void finishRun();
    void releaseContext();
    ViewResult &currentView();
    void startScript();
    void applyDevice(const DeviceProfile &device, const QString &userAgent);
    void applySettings(const TestSettings &settings);

    QUrl m_url;
    LoadOptions m_options;
    RequestRules m_rules; // the test's headers, cookies, auth and blocks
    State m_state = State::Queued;
    RunResult m_result;
    QPointer<CdpConnection> m_cdp;
    BrowserContext::Guard m_guard;
    BrowserContext *m_context = nullptr; // the run's own, from start() on
    std::optional<DeviceEmulation> m_emulation; // known once the browser's version is
    std::unique_ptr<FilmstripRecorder> m_filmstrip; // the first view's, when asked for
    std::optional<TestScript> m_script; // the options' script, when there is one: it drives the page
    ScriptRunner *m_runner = nullptr; // while a script runs
    QString m_targetId;
    QString m_sessionId;
    QSet<QString> m_childSessions;
    View m_view = View::First;
    qsizetype m_step = 0; // a script's measured step, 0-based
    quint64 m_viewToken = 0; // replies that belong to an earlier view carry an older token and are dropped
    bool m_viewOpen = false;
    RequestTracker m_requests; // this view's requests
    RequestInterceptor m_interceptor { m_rules, m_requests }; // what the Fetch domain holds: blocks, policy, headers
    bool m_loadFired = false;
    bool m_committed = false; // our document (not about:blank, not an error page) is in the frame
    std::optional<double> m_lastActivityTs;
    std::optional<double> m_fullyLoadedCapMs;
    QTimer m_timeout;
    QTimer m_quiet;
    QElapsedTimer m_viewClock;
};
