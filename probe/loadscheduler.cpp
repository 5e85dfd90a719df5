#include "loadscheduler.h"

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
    if (m_queue.isEmpty())
        return;
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
        load->start(
            m_browser.cdp(), m_browser.version(), cold ? m_browser.startMs() : std::nullopt, cpuBenchmarkIndex());
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
    const auto all = m_running + m_queue;
    for (const auto &load : all) {
        if (load)
            load->abort(LoadError { LoadError::Kind::Cancelled, QStringLiteral("the probe is shutting down") });
    }
    m_browser.stop();
}
