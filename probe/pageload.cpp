#include "pageload.h"

#include "cdpconnection.h"
#include "filmstriprecorder.h"
#include "model/connectivityprofile.h"
#include "model/displayformat.h"
#include "model/warnings.h"
#include "pagereading.h"
#include "scriptrunner.h"
#include "urlpolicy.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <algorithm>

Q_LOGGING_CATEGORY(lcLoad, "worldspeed.pageload", QtWarningMsg)

namespace {

constexpr int commandTimeoutMs = 15'000;
constexpr int navigateFailureGraceMs = 200;
// How long the page's own metrics may take to read once the view has ended, beyond what is left of its time limit.
constexpr int metricsReadGraceMs = 2'000;

} // namespace

PageLoad::PageLoad(QUrl url, LoadOptions options, QObject *parent)
    : QObject(parent)
    , m_url(std::move(url))
    , m_options(std::move(options))
    , m_rules(m_options.test, m_url)
{
    m_result.url = m_url.toString();
    m_result.options = m_options;
    m_result.firstView.url = m_result.url;
    // LoadOptions::fromJson and the option parser only let a script through that parses.
    if (!m_options.test.script.isEmpty())
        m_script = TestScript::parse(m_options.test.script, nullptr);
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        if (!m_viewOpen && m_runner && m_runner->running()) {
            abort(LoadError { LoadError::Kind::Timeout,
                m_rules.scrub(QStringLiteral("the script did not reach its measured step within %1: it was at %2")
                                  .arg(DisplayFormat::duration(m_options.timeoutMs), m_runner->position())) });
        } else if (!m_viewOpen) {
            // Still setting up the page (a context, a tab, a session): the browser does that in milliseconds
            // when it answers at all.
            abort(LoadError { LoadError::Kind::BrowserUnresponsive,
                QStringLiteral("the browser did not set up the page within %1")
                    .arg(DisplayFormat::duration(m_options.timeoutMs)) });
        } else if (m_loadFired) {
            // Loaded, but the network never went quiet: fully loaded is capped at the timeout, as promised.
            m_fullyLoadedCapMs = static_cast<double>(m_viewClock.elapsed());
            endView(std::nullopt, true);
        } else {
            endView(LoadError { LoadError::Kind::Timeout,
                        QStringLiteral("the page did not finish loading within %1")
                            .arg(DisplayFormat::duration(m_options.timeoutMs)) },
                true);
        }
    });
    m_quiet.setSingleShot(true);
    m_quiet.setInterval(quietPeriodMs);
    connect(&m_quiet, &QTimer::timeout, this, [this] { endView(std::nullopt, true); });
    connect(&m_requests, &RequestTracker::requestFinished, this, &PageLoad::onRequestFinished);
    connect(&m_requests, &RequestTracker::requestStarted, this, [this](const RequestTiming &started) {
        RequestTiming request = started;
        m_rules.scrub(request); // its URL may carry the test's secrets, as the finished one's does
        emit requestStarted(m_view, request);
    });
    connect(&m_requests, &RequestTracker::activity, this, &PageLoad::noteActivity);
    connect(&m_interceptor, &RequestInterceptor::documentRefused, this, &PageLoad::onDocumentRefused);
    connect(&m_interceptor, &RequestInterceptor::failed, this, &PageLoad::abort);
    connect(&m_requests, &RequestTracker::documentResponded, this,
        [this](std::optional<int> status, const QString &finalUrl) {
            currentView().metrics.documentStatus = status;
            currentView().finalUrl = m_rules.scrub(finalUrl);
            // A step that clicks or submits is named by the page it loads.
            if (m_script && m_runner && m_runner->stepUrl().isEmpty())
                currentView().url = currentView().finalUrl;
        });
}

PageLoad::~PageLoad()
{
    releaseContext();
}

ViewResult &PageLoad::currentView()
{
    if (m_view == View::Repeat && m_result.repeatView)
        return *m_result.repeatView;
    if (m_step > 0 && !m_result.laterSteps.isEmpty())
        return m_result.laterSteps.last().view;
    return m_result.firstView;
}

void PageLoad::setUrlPolicy(std::shared_ptr<const UrlPolicy> policy, EgressProxy::Limits limits)
{
    m_guard = BrowserContext::Guard { std::move(policy), limits };
}

bool PageLoad::guarded() const
{
    return m_guard.active();
}

void PageLoad::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

void PageLoad::markStartingBrowser()
{
    if (m_state == State::Queued)
        setState(State::StartingBrowser);
}

void PageLoad::command(const QString &method, const QJsonObject &params, const QString &sessionId,
    std::function<void(const QJsonObject &)> onOk)
{
    if (!m_cdp)
        return;
    m_cdp->send(
        method, params, sessionId, this,
        [this, method, onOk = std::move(onOk)](const CdpReply &reply) {
            if (m_state != State::Loading)
                return;
            if (!reply.ok()) {
                abort(LoadError { failureKindOf(reply), QStringLiteral("%1 failed: %2").arg(method, reply.error) });
                return;
            }
            if (onOk)
                onOk(reply.result);
        },
        std::chrono::milliseconds(commandTimeoutMs));
}

void PageLoad::start(CdpConnection *cdp, const QString &browserVersion, std::optional<double> browserStartMs,
    std::optional<double> cpuBenchmarkIndex, BrowserContext *prepared)
{
    if (m_state != State::Queued && m_state != State::StartingBrowser) {
        delete prepared;
        return;
    }
    m_cdp = cdp;
    m_interceptor.setConnection(cdp);
    m_result.browserVersion = browserVersion;
    m_result.browserStartMs = browserStartMs;
    m_result.cpuBenchmarkIndex = cpuBenchmarkIndex;
    m_result.cpuSlowdownRate = m_options.cpuSlowdownRate(cpuBenchmarkIndex);
    // LoadOptions::fromJson and the option parser only let known devices through.
    m_emulation.emplace(DeviceProfile::parse(m_options.device, nullptr).value_or(DeviceProfile::desktop()),
        *m_result.cpuSlowdownRate, browserVersion, m_options.test.userAgent);
    setState(State::Loading);
    // The time limit covers the whole run, setting up the page included: a browser that hangs here must not hold
    // the run beyond it.
    m_timeout.start(m_options.timeoutMs);
    takeContext(prepared);
}

void PageLoad::takeContext(BrowserContext *prepared)
{
    m_context = BrowserContext::forRun(prepared, m_cdp, m_guard, this);
    connect(m_context, &BrowserContext::ready, this, &PageLoad::onContextReady);
    connect(m_context, &BrowserContext::failed, this, &PageLoad::abort);
    m_context->create(std::chrono::milliseconds(commandTimeoutMs));
}

void PageLoad::onContextReady()
{
    if (m_state != State::Loading)
        return;
    m_targetId = m_context->targetId();
    m_sessionId = m_context->sessionId();
    m_interceptor.setPageTarget(m_targetId);
    m_interceptor.setGuard(m_guard.policy, m_context->egress());
    attachSession(m_sessionId, true);
}

void PageLoad::attachSession(const QString &sessionId, bool pageSession)
{
    m_cdp->setSessionHandler(sessionId, this,
        [this, sessionId](const QString &method, const QJsonObject &params) { onEvent(sessionId, method, params); });
    if (!pageSession) {
        m_childSessions.insert(sessionId);
        command(QStringLiteral("Network.enable"), {}, sessionId); // the page's came with its BrowserContext
    }
    if (guarded() || m_rules.intercepts() || (m_script && m_script->intercepts()))
        m_interceptor.enable(sessionId, pageSession);
    const ConnectivityProfile profile = ConnectivityProfile::byName(m_options.profile).value_or(ConnectivityProfile {});
    if (!profile.isNative()) {
        command(QStringLiteral("Network.emulateNetworkConditions"),
            { { QStringLiteral("offline"), false }, { QStringLiteral("latency"), profile.rttMs },
                { QStringLiteral("downloadThroughput"), profile.downBytesPerSecond() },
                { QStringLiteral("uploadThroughput"), profile.upBytesPerSecond() } },
            sessionId);
    }
    for (const DeviceEmulation::Command &emulate :
        pageSession ? m_emulation->pageCommands() : m_emulation->childCommands())
        command(emulate.method, emulate.params, sessionId);
    for (const DeviceEmulation::Command &rule : m_rules.sessionCommands(pageSession))
        command(rule.method, rule.params, sessionId);
    // Out-of-process iframes and workers are targets of their own; without auto-attach their requests would be
    // missing from the waterfall. They wait for us, so none of their requests is missed either.
    const QJsonObject autoAttach { { QStringLiteral("autoAttach"), true },
        { QStringLiteral("waitForDebuggerOnStart"), true }, { QStringLiteral("flatten"), true } };
    if (!pageSession) {
        command(QStringLiteral("Target.setAutoAttach"), autoAttach, sessionId);
        command(QStringLiteral("Runtime.runIfWaitingForDebugger"), {}, sessionId);
        return;
    }
    // Commands on one session run in order, so once this answers, everything above is in force.
    command(QStringLiteral("Target.setAutoAttach"), autoAttach, sessionId,
        [this](const QJsonObject &) { m_script ? startScript() : beginView(); });
}

void PageLoad::startScript()
{
    const DeviceProfile device = DeviceProfile::parse(m_options.device, nullptr).value_or(DeviceProfile::desktop());
    m_runner = new ScriptRunner(*m_script, m_options.test, device, m_cdp, m_sessionId, m_targetId, this);
    connect(m_runner, &ScriptRunner::stepReached, this, &PageLoad::beginView);
    // The runner's messages name commands as written; what a page's exception quotes may still hold a secret.
    connect(m_runner, &ScriptRunner::failed, this, [this](const LoadError &error) {
        abort(LoadError { error.kind, m_rules.scrub(error.message) });
    });
    connect(m_runner, &ScriptRunner::settingsChanged, this, &PageLoad::applySettings);
    connect(m_runner, &ScriptRunner::deviceChanged, this, &PageLoad::applyDevice);
    m_runner->runUntilStep();
}

void PageLoad::applySettings(const TestSettings &settings)
{
    m_rules = RequestRules(settings, m_url);
    // Every host's headers as they now are, an empty set included: resetHeaders must take them back.
    QJsonObject everyHost;
    for (const HeaderSetting &header : settings.headers) {
        if (header.host.isEmpty())
            everyHost.insert(header.name, settings.resolve(header.value));
    }
    QStringList sessions(m_childSessions.begin(), m_childSessions.end());
    sessions.append(m_sessionId);
    for (const QString &session : std::as_const(sessions))
        command(QStringLiteral("Network.setExtraHTTPHeaders"), { { QStringLiteral("headers"), everyHost } }, session);
}

void PageLoad::applyDevice(const DeviceProfile &device, const QString &userAgent)
{
    m_emulation.emplace(device, m_options.effectiveCpuSlowdown(), m_result.browserVersion, userAgent);
    for (const DeviceEmulation::Command &emulate : m_emulation->pageCommands())
        command(emulate.method, emulate.params, m_sessionId);
    for (const QString &session : std::as_const(m_childSessions)) {
        for (const DeviceEmulation::Command &emulate : m_emulation->childCommands())
            command(emulate.method, emulate.params, session);
    }
}

void PageLoad::beginView()
{
    ViewResult view;
    view.url = m_result.url;
    if (m_runner) {
        view.url = m_runner->stepUrl().isEmpty() ? m_runner->pageUrl() : m_rules.scrub(m_runner->stepUrl());
    }
    view.startedAt = QDateTime::currentDateTimeUtc();
    if (m_step > 0)
        m_result.laterSteps.append(StepResult { m_rules.scrub(m_runner->stepName()), view });
    else if (m_view == View::First)
        m_result.firstView = view;
    else
        m_result.repeatView = view;
    if (m_runner && m_step == 0)
        m_result.stepName = m_rules.scrub(m_runner->stepName());
    m_requests.beginView(m_targetId);
    m_lastActivityTs.reset();
    m_fullyLoadedCapMs.reset();
    m_loadFired = false;
    m_committed = false;
    m_viewOpen = true;
    ++m_viewToken;
    m_viewClock.start();
    // The first view's limit has run since start(), so the set-up counted against it; the repeat view has its own.
    if (m_view == View::Repeat)
        m_timeout.start(m_options.timeoutMs);
    // Only the first view: the repeat view would start from the first view's picture, not from a blank page.
    m_filmstrip.reset();
    if (m_view == View::First && m_options.filmstrip) {
        m_filmstrip = std::make_unique<FilmstripRecorder>(m_cdp, m_sessionId);
        // A run without a script loads its page in a new tab; a script's runner knows what its tab shows. The view
        // navigates once the recorder is ready for it (FilmstripRecorder::start).
        const bool tabShowsPage = m_runner && !m_runner->pageUrl().isEmpty() && m_runner->pageUrl() != u"about:blank";
        m_filmstrip->start(tabShowsPage ? FilmstripRecorder::Before::Page : FilmstripRecorder::Before::Blank,
            [this, token = m_viewToken] {
                if (token == m_viewToken && m_viewOpen && m_state == State::Loading)
                    navigateView();
            });
        return;
    }
    navigateView();
}

void PageLoad::navigateView()
{
    if (m_runner && m_runner->stepUrl().isEmpty()) {
        m_runner->startStep();
        return;
    }
    const QString url = m_runner ? m_runner->stepUrl() : m_result.url;
    // Page.navigate answers only once the document's headers are in, so a hung server would hold it forever:
    // our own view timeout decides, and a late or failed answer after that is no longer news.
    m_cdp->send(
        QStringLiteral("Page.navigate"), { { QStringLiteral("url"), url } }, m_sessionId, this,
        [this, token = m_viewToken](const CdpReply &reply) {
            if (token != m_viewToken || !m_viewOpen || m_state != State::Loading)
                return;
            if (!reply.ok()) {
                abort(LoadError { failureKindOf(reply), QStringLiteral("Page.navigate failed: %1").arg(reply.error) });
                return;
            }
            const QString errorText = reply.result.value(QStringLiteral("errorText")).toString();
            // A 4xx/5xx document with an empty body is reported as a navigation error, yet it is a page that
            // answered: measure it like one and report its status.
            if (errorText.isEmpty() || errorText.contains(u"ERR_HTTP_RESPONSE_CODE_FAILURE"))
                return;
            const LoadError error { LoadError::kindOfNetError(errorText),
                QStringLiteral("%1 could not be loaded: %2").arg(currentView().url, errorText) };
            // The failed document's own loadingFailed may still be on its way; give it a moment to arrive.
            QTimer::singleShot(navigateFailureGraceMs, this, [this, token, error] {
                if (token == m_viewToken && m_viewOpen)
                    endView(error, false);
            });
        },
        std::chrono::milliseconds(m_options.timeoutMs + commandTimeoutMs));
}

void PageLoad::onEvent(const QString &sessionId, const QString &method, const QJsonObject &params)
{
    if (method == u"Target.attachedToTarget") {
        const QString child = params.value(QStringLiteral("sessionId")).toString();
        if (!child.isEmpty() && m_state == State::Loading)
            attachSession(child, false);
        return;
    }
    if (method == u"Target.detachedFromTarget") {
        const QString child = params.value(QStringLiteral("sessionId")).toString();
        if (m_childSessions.remove(child) && m_cdp)
            m_cdp->removeSessionHandler(child);
        return;
    }
    if (method == u"Inspector.targetCrashed" && sessionId == m_sessionId) {
        abort(LoadError { LoadError::Kind::BrowserCrashed, QStringLiteral("the page's renderer process crashed") });
        return;
    }
    if (method == u"Page.javascriptDialogOpening" && sessionId == m_sessionId) {
        dismissDialog(params);
        return;
    }
    if (m_interceptor.handleEvent(sessionId, method, params, m_viewToken))
        return;
    if (m_filmstrip && sessionId == m_sessionId && m_filmstrip->handleEvent(method, params))
        return;
    // While a step's view is open the runner still follows which page is in the tab: the next step starts from it.
    if (m_runner && sessionId == m_sessionId && (!m_viewOpen || method == u"Page.frameNavigated"))
        m_runner->handleEvent(method, params);
    if (!m_viewOpen)
        return;
    if (m_requests.handleEvent(method, params))
        return;
    if (method == u"Page.frameNavigated" && sessionId == m_sessionId) {
        const QJsonObject frame = params.value(QStringLiteral("frame")).toObject();
        if (frame.value(QStringLiteral("id")).toString() == m_targetId && !frame.contains(QStringLiteral("parentId"))
            && m_requests.documentStartTs() && !m_committed) {
            m_committed = !frame.value(QStringLiteral("url")).toString().startsWith(u"chrome-error:");
            learnNavigationStart();
        }
    } else if (method == u"Page.lifecycleEvent" && sessionId == m_sessionId) {
        // "init" is a document's commit in the frame, with its loader and time.
        if (params.value(QStringLiteral("name")).toString() == u"init"
            && params.value(QStringLiteral("frameId")).toString() == m_targetId)
            m_requests.documentCommitted(params.value(QStringLiteral("loaderId")).toString(),
                params.value(QStringLiteral("timestamp")).toDouble());
    } else if (method == u"Page.loadEventFired" && sessionId == m_sessionId) {
        if (m_requests.documentStartTs() && !m_loadFired)
            onLoadEvent();
    }
}

void PageLoad::dismissDialog(const QJsonObject &params)
{
    // A page's alert(), confirm(), prompt() or "leave this page?" holds its main thread, and with it the load, until
    // somebody answers: nobody would, and the run would end unresponsive. Answered at once as a person in a hurry
    // would (WebPageTest does the same): OK to an alert, Cancel to a question, and leave when the script navigates
    // away. The view says that it happened, since the time it took is in the numbers.
    const QString type = params.value(QStringLiteral("type")).toString();
    command(QStringLiteral("Page.handleJavaScriptDialog"),
        { { QStringLiteral("accept"), type == u"alert" || type == u"beforeunload" } }, m_sessionId);
    if (m_viewOpen) {
        Warnings::add(currentView().warnings,
            QStringLiteral("the page opened a JavaScript %1 dialog; the probe answered it at once")
                .arg(type.isEmpty() ? QStringLiteral("(unknown)") : type.left(32)));
    }
}

void PageLoad::onDocumentRefused(quint64 token, const QString &url, const QString &reason)
{
    // A script's navigation before its measured step is refused like the page's own: the run ends there.
    if (!m_viewOpen && m_runner)
        m_runner->fail(LoadError {
            LoadError::Kind::Refused, QStringLiteral("refused to load %1: %2").arg(m_rules.scrub(url), reason) });
    if (token == m_viewToken && m_viewOpen) {
        // The page itself (or a redirect of it) leads somewhere the probe must not go: that is the result.
        const LoadError error { LoadError::Kind::Refused, QStringLiteral("refused to load %1: %2").arg(url, reason) };
        QTimer::singleShot(navigateFailureGraceMs, this, [this, token, error] {
            if (token == m_viewToken && m_viewOpen)
                endView(error, false);
        });
    }
}

void PageLoad::onRequestFinished(const RequestTiming &finished)
{
    // What the browser reports back repeats the test's secrets (the headers it sent): they go no further.
    RequestTiming request = finished;
    m_rules.scrub(request);
    currentView().requests.append(request);
    emit requestFinished(m_view, request);
}

void PageLoad::learnNavigationStart()
{
    command(QStringLiteral("Performance.getMetrics"), {}, m_sessionId,
        [this, token = m_viewToken](const QJsonObject &result) {
            if (token != m_viewToken || m_requests.navigationStartTs())
                return;
            double navigationStart = 0;
            for (const QJsonValue &metric : result.value(QStringLiteral("metrics")).toArray()) {
                if (metric[QStringLiteral("name")].toString() == u"NavigationStart")
                    navigationStart = metric[QStringLiteral("value")].toDouble();
            }
            // It must come just before our document request: anything else is a stale value from the previous
            // document, and the document request's own start is the better origin then.
            const double documentTs = m_requests.documentStartTs().value_or(0);
            const bool plausible
                = navigationStart > 0 && navigationStart <= documentTs + 0.001 && navigationStart > documentTs - 10.0;
            if (!plausible)
                qCWarning(lcLoad) << "implausible NavigationStart" << navigationStart << "for a document sent at"
                                  << documentTs << "- using the document request's start";
            m_requests.setNavigationStart(plausible ? navigationStart : documentTs);
        });
}

void PageLoad::noteActivity(double ts)
{
    if (!m_lastActivityTs || ts > *m_lastActivityTs)
        m_lastActivityTs = ts;
    if (!m_loadFired)
        return;
    if (!m_requests.hasOpenRequests())
        m_quiet.start();
    else
        m_quiet.stop();
}

void PageLoad::onLoadEvent()
{
    m_loadFired = true;
    const bool endsHere = m_options.finishAt == LoadOptions::FinishAt::Load;
    if (!endsHere)
        readAtLoad();
    if (m_options.screenshot) {
        command(QStringLiteral("Page.captureScreenshot"), { { QStringLiteral("format"), QStringLiteral("png") } },
            m_sessionId, [this, token = m_viewToken, endsHere](const QJsonObject &result) {
                if (token != m_viewToken)
                    return;
                currentView().screenshotPng
                    = QByteArray::fromBase64(result.value(QStringLiteral("data")).toString().toLatin1());
                if (endsHere)
                    endView(std::nullopt, true); // with its screenshot in it
            });
    } else if (endsHere) {
        // Its metrics are the final ones at once: nothing provisional to send before them.
        endView(std::nullopt, true);
    }
    if (!endsHere && !m_requests.hasOpenRequests())
        m_quiet.start();
}

void PageLoad::readAtLoad()
{
    if (!m_committed)
        return;
    // Sent before anything the view's end sends on this session, so it answers first. A page that cannot answer
    // now (mid-navigation) has no figures to tell early: its final metrics still come.
    m_cdp->send(
        QStringLiteral("Runtime.evaluate"),
        { { QStringLiteral("expression"), PageReading::metricsAtLoadScript() },
            { QStringLiteral("awaitPromise"), true }, { QStringLiteral("returnByValue"), true } },
        m_sessionId, this,
        [this, token = m_viewToken](const CdpReply &reply) {
            const QJsonObject page
                = reply.result.value(QStringLiteral("result")).toObject().value(QStringLiteral("value")).toObject();
            if (token != m_viewToken || !m_viewOpen || m_state != State::Loading || page.isEmpty())
                return;
            emit viewLoaded(m_view,
                PageReading::readAtLoad(
                    currentView().metrics, page, currentView().requests, m_requests.documentRequestId()));
        },
        std::chrono::milliseconds(commandTimeoutMs));
}

void PageLoad::closeOpenRequests()
{
    m_requests.closeOpenRequests();
    // What the tracker's limits left out is part of the result, not a silent gap in it.
    for (const QString &note : m_requests.limitNotes())
        m_result.warn((m_step > 0                     ? QStringLiteral("step %1: ").arg(m_step + 1)
                              : m_view == View::First ? QStringLiteral("first view: ")
                                                      : QStringLiteral("repeat view: "))
            + note);
    std::stable_sort(currentView().requests.begin(), currentView().requests.end(),
        [](const RequestTiming &a, const RequestTiming &b) { return a.startMs < b.startMs; });
}

void PageLoad::endView(std::optional<LoadError> error, bool readPageMetrics)
{
    if (!m_viewOpen)
        return;
    m_viewOpen = false;
    const int timeLeftMs = m_timeout.isActive() ? std::max(0, m_timeout.remainingTime()) : 0;
    m_timeout.stop();
    m_quiet.stop();
    // Before our document commits, the page is still about:blank (or Chrome's error page): its numbers are not
    // the ones asked for.
    const bool committed = m_committed;
    closeOpenRequests();
    if (m_filmstrip && committed && readPageMetrics)
        m_filmstrip->stop(); // before the page's metrics are asked for, so its answer is in when they are
    if (!readPageMetrics || !committed || !m_cdp) {
        finishView(std::move(error), {});
        return;
    }
    m_cdp->send(
        QStringLiteral("Runtime.evaluate"),
        { { QStringLiteral("expression"), PageReading::metricsScript() }, { QStringLiteral("awaitPromise"), true },
            { QStringLiteral("returnByValue"), true } },
        m_sessionId, this,
        [this, error, token = m_viewToken](const CdpReply &reply) {
            if (token != m_viewToken || m_state != State::Loading)
                return;
            // A page that is mid-navigation or crashed cannot answer; its network numbers still stand.
            finishView(error,
                reply.result.value(QStringLiteral("result")).toObject().value(QStringLiteral("value")).toObject());
        },
        std::chrono::milliseconds(timeLeftMs + metricsReadGraceMs));
}

void PageLoad::finishView(std::optional<LoadError> error, const QJsonObject &page)
{
    ViewResult &view = currentView();
    PageMetrics &m = view.metrics;
    const QString documentId = m_requests.documentRequestId();
    PageReading::readPage(m, page, view.requests, documentId);
    if (m_options.finishAt == LoadOptions::FinishAt::Load) {
        // Not waited for, so not known.
    } else if (m_fullyLoadedCapMs) {
        m.fullyLoadedMs = m_fullyLoadedCapMs;
    } else if (const auto navigationStartTs = m_requests.navigationStartTs();
               m.loadMs && m_lastActivityTs && navigationStartTs) {
        m.fullyLoadedMs = std::max(*m.loadMs, (*m_lastActivityTs - *navigationStartTs) * 1000.0);
    }
    view.longTasks = PageReading::readLongTasks(m, page);
    if (m_filmstrip) {
        m_filmstrip->finish(view.filmstrip, m);
        m_filmstrip.reset();
    }
    if (!error)
        error = PageReading::httpError(m, view.requests, documentId);
    view.error = std::move(error);
    if (EgressProxy *egress = m_context ? m_context->egress() : nullptr) {
        for (const QString &warning : egress->warnings())
            Warnings::add(view.warnings, warning);
    }
    emit viewFinished(m_view, view);

    if (m_runner && view.ok() && m_state == State::Loading && m_runner->advanceStep()) {
        // The next measured step: what leads to it runs unmeasured, in the same tab, with as long again.
        ++m_step;
        m_timeout.start(m_options.timeoutMs);
        m_runner->runUntilStep();
        return;
    }
    if (m_view == View::First && m_options.repeatView && view.ok() && m_state == State::Loading) {
        m_view = View::Repeat;
        beginView();
        return;
    }
    finishRun();
}

void PageLoad::finishRun()
{
    m_timeout.stop();
    m_quiet.stop();
    m_viewOpen = false;
    ++m_viewToken;
    releaseContext();
    setState(m_result.ok() ? State::Complete : State::Failed);
    emit finished();
}

void PageLoad::abort(const LoadError &error)
{
    if (m_state == State::Complete || m_state == State::Failed)
        return;
    if (m_state == State::Loading && m_viewOpen) {
        m_viewOpen = false;
        m_timeout.stop();
        m_quiet.stop();
        closeOpenRequests();
        finishView(error, {});
        return;
    }
    // Not loading yet, or between views: the error belongs to the view that was about to run, unless the view had
    // already ended with one of its own (a timeout whose page metrics were being read). A script stopped on its way
    // to a later step fails that step, which is then in the result with no requests.
    if (m_runner && m_step > m_result.laterSteps.size()) {
        ViewResult never;
        never.url = m_runner->stepUrl().isEmpty() ? m_runner->pageUrl() : m_rules.scrub(m_runner->stepUrl());
        never.error = error;
        m_result.laterSteps.append(StepResult { m_rules.scrub(m_runner->stepName()), never });
    } else if (!currentView().error)
        currentView().error = error;
    finishRun();
}

void PageLoad::cancel()
{
    abort(LoadError { LoadError::Kind::Cancelled, QStringLiteral("cancelled") });
}

void PageLoad::releaseContext()
{
    if (m_cdp) {
        if (!m_sessionId.isEmpty())
            m_cdp->removeSessionHandler(m_sessionId);
        for (const QString &child : std::as_const(m_childSessions))
            m_cdp->removeSessionHandler(child);
    }
    m_childSessions.clear();
    m_sessionId.clear();
    // Kept (its proxy's warnings are the view's), but of no more use in the browser: nothing made for a run
    // outlives it.
    if (m_context)
        m_context->dispose();
}
