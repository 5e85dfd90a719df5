#include "loadscheduler.h"

#include "cdpconnection.h"
#include "pageload.h"

LoadScheduler::LoadScheduler(Options options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
    , m_browser(m_options.chrome)
{
    m_options.maxConcurrency = std::max(1, m_options.maxConcurrency);
    connect(&m_browser, &ChromeProcess::ready, this, &LoadScheduler::onBrowserReady);
    connect(&m_browser, &ChromeProcess::startFailed, this, &LoadScheduler::onBrowserStartFailed);
    connect(&m_browser, &ChromeProcess::crashed, this,
        [this](const QString &reason) { onBrowserLost(LoadError::Kind::BrowserCrashed, reason); });
    connect(&m_browser, &ChromeProcess::stoppedAnswering, this,
        [this](const QString &reason) { onBrowserLost(LoadError::Kind::BrowserUnresponsive, reason); });
}

LoadScheduler::~LoadScheduler()
{
    // Loads are our children and die with us; nobody should hear from them while we are half gone.
    for (const auto &load : std::as_const(m_running)) {
        if (load)
            load->disconnect(this);
    }
    for (const auto &load : std::as_const(m_queue)) {
        if (load)
            load->disconnect(this);
    }
    m_browser.stopNow();
}

PageLoad *LoadScheduler::submit(const QUrl &url, const LoadOptions &options)
{
    auto *load = new PageLoad(url, options, this);
    if (m_guard.policy)
        load->setUrlPolicy(m_guard.policy, m_guard.limits);
    connect(load, &PageLoad::finished, this, [this, load] { onLoadFinished(load); });
    connect(load, &QObject::destroyed, this, [this, load] { forget(load); });
    m_queue.append(load);
    // Let the caller connect to the load's signals before anything happens to it.
    QMetaObject::invokeMethod(this, &LoadScheduler::pump, Qt::QueuedConnection);
    emit loadChanged(activeCount(), queuedCount());
    return load;
}

void LoadScheduler::pump()
{
    m_queue.removeAll(nullptr);
    m_running.removeAll(nullptr);
    if (m_queue.isEmpty()) {
        prepareContext();
        return;
    }
    if (!m_browser.isRunning()) {
        for (const auto &load : std::as_const(m_queue)) {
            load->markStartingBrowser();
            if (!m_waitedForBrowser.contains(load))
                m_waitedForBrowser.append(load);
        }
        if (m_browser.state() == ChromeProcess::State::NotRunning)
            m_browser.start();
        return;
    }
    bool changed = false;
    while (!m_queue.isEmpty() && m_running.size() < m_options.maxConcurrency) {
        QPointer<PageLoad> load = m_queue.takeFirst();
        if (!load)
            continue;
        const bool cold = m_waitedForBrowser.removeAll(load) > 0;
        m_running.append(load);
        changed = true;
        // The first load takes the prepared context, ready or still being made: either way it is sooner than one
        // of its own.
        BrowserContext *prepared = m_prepared;
        m_prepared.clear();
        if (prepared)
            prepared->disconnect(this);
        load->start(m_browser.cdp(), m_browser.version(), cold ? m_browser.startMs() : std::nullopt,
            cpuBenchmarkIndex(), prepared);
    }
    if (changed)
        emit loadChanged(activeCount(), queuedCount());
}

void LoadScheduler::onBrowserReady()
{
    emit browserReady(m_browser.version(), m_browser.startMs().value_or(0));
    pump();
}

void LoadScheduler::onBrowserStartFailed(const QString &reason)
{
    // Nothing queued can run without a browser: fail them all now rather than retry in a loop.
    const auto queue = std::move(m_queue);
    m_queue.clear();
    m_waitedForBrowser.clear();
    for (const auto &load : queue) {
        if (load)
            load->abort(LoadError { LoadError::Kind::BrowserUnavailable, reason });
    }
    emit loadChanged(activeCount(), queuedCount());
}

void LoadScheduler::onBrowserLost(LoadError::Kind kind, const QString &reason)
{
    emit browserLost(reason);
    discardPrepared(); // it went with the browser
    const auto running = std::move(m_running);
    m_running.clear();
    for (const auto &load : running) {
        if (load)
            load->abort(LoadError { kind, reason });
    }
    emit loadChanged(activeCount(), queuedCount());
    pump(); // what was queued gets a fresh browser
}

void LoadScheduler::onLoadFinished(PageLoad *load)
{
    m_running.removeAll(load);
    m_queue.removeAll(load);
    m_waitedForBrowser.removeAll(load);
    emit loadChanged(activeCount(), queuedCount());
    QMetaObject::invokeMethod(this, &LoadScheduler::pump, Qt::QueuedConnection);
}

void LoadScheduler::forget(PageLoad *load)
{
    m_running.removeAll(load);
    m_queue.removeAll(load);
    m_waitedForBrowser.removeAll(load);
}

void LoadScheduler::startBrowser()
{
    if (m_browser.state() == ChromeProcess::State::NotRunning)
        m_browser.start();
}

void LoadScheduler::shutdown()
{
    m_shuttingDown = true;
    discardPrepared(); // sent before Browser.close, so the browser disposes of it first
    const auto all = m_running + m_queue;
    for (const auto &load : all) {
        if (load)
            load->abort(LoadError { LoadError::Kind::Cancelled, QStringLiteral("the probe is shutting down") });
    }
    m_browser.stop();
}

void LoadScheduler::setGuard(BrowserContext::Guard guard)
{
    if (!guard.sameAs(m_guard))
        discardPrepared(); // made for the other guard: of use to no load now
    m_guard = std::move(guard);
    prepareContext();
}

void LoadScheduler::setKeepContextReady(bool keep)
{
    m_keepContextReady = keep;
    if (keep)
        prepareContext();
    else
        discardPrepared();
}

void LoadScheduler::prepareContext()
{
    // Only while nothing runs: making a context costs the browser a renderer's start, which a measured load must
    // not share the machine with.
    if (!m_keepContextReady || m_shuttingDown || m_prepared || !m_browser.isRunning() || !m_browser.cdp()
        || !m_running.isEmpty() || !m_queue.isEmpty())
        return;
    m_prepared = new BrowserContext(m_browser.cdp(), m_guard, this);
    // One that fails (a renderer that will not start) is not retried now: the next load makes its own, and the
    // next idle moment prepares again.
    connect(m_prepared, &BrowserContext::failed, this, [this] { discardPrepared(); });
    m_prepared->create(CdpConnection::defaultTimeout);
}

void LoadScheduler::discardPrepared()
{
    if (BrowserContext *prepared = m_prepared) {
        m_prepared.clear();
        prepared->disconnect(this);
        prepared->dispose();
        prepared->deleteLater();
    }
}
