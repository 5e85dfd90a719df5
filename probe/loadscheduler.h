#pragma once

#include "browsercontext.h"
#include "chromeprocess.h"
#include "cpubenchmark.h"
#include "model/loaderror.h"
#include "model/loadoptions.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QUrl>

class PageLoad;

// Runs page loads in one browser, at most maxConcurrency at once and the rest in order of arrival. The browser
// starts when the first load needs it; if it crashes, or stops answering and is killed for it, the loads in flight
// fail with that reason and the next load starts a fresh one.
class LoadScheduler final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadScheduler)

public:
    struct Options
    {
        ChromeProcess::Options chrome;
        int maxConcurrency = 1;
    };

    explicit LoadScheduler(Options options, QObject *parent = nullptr);
    ~LoadScheduler() override;

    // The load is owned by the scheduler until it finishes; delete it (deleteLater) once you have its result.
    PageLoad *submit(const QUrl &url, const LoadOptions &options);

    int capacity() const { return m_options.maxConcurrency; }
    int activeCount() const { return static_cast<int>(m_running.size()); }
    int queuedCount() const { return static_cast<int>(m_queue.size()); }
    ChromeProcess *browser() { return &m_browser; }
    // This machine's CPU speed, measured once when the scheduler is made (CpuBenchmark); every run reports it.
    double cpuBenchmarkIndex() const { return m_cpuBenchmark.index(); }

    // Starts the browser now if it is not running, before a load needs it, so that its start overlaps whatever comes
    // before the first load. A start that fails is retried by the next load, which then fails with its reason.
    void startBrowser();
    // Closes the browser cleanly (Browser.close); loads still running are aborted first, a prepared context is
    // disposed of.
    void shutdown();

    // While on, and while the browser runs with no load running or waiting, one browser context (BrowserContext,
    // for the options' guard) is kept made, so that the next load starts navigating at once instead of making a
    // context, a tab and a session first. Each is used by one load only; a new one is made after that load
    // ends. Off (the default), and when turned off, none is kept: the one there is disposed of.
    void setKeepContextReady(bool keep);
    // Every load submitted from now on is guarded so (PageLoad::setUrlPolicy), and so is every context prepared.
    void setGuard(BrowserContext::Guard guard);
    // The context made ahead of the next load (being made, or ready); null when there is none.
    const BrowserContext *preparedContext() const { return m_prepared; }

signals:
    void loadChanged(int active, int queued);
    void browserReady(const QString &version, double startMs);
    void browserLost(const QString &reason);

private:
    void pump();
    void onBrowserReady();
    void onBrowserStartFailed(const QString &reason);
    void onBrowserLost(LoadError::Kind kind, const QString &reason);
    void onLoadFinished(PageLoad *load);
    void forget(PageLoad *load);
    void prepareContext();
    void discardPrepared();

    Options m_options;
    CpuBenchmark m_cpuBenchmark; // first, so that it runs while the rest is set up
    ChromeProcess m_browser;
    QList<QPointer<PageLoad>> m_queue;
    QList<QPointer<PageLoad>> m_running;
    QList<QPointer<PageLoad>> m_waitedForBrowser; // these get the cold-start time in their result
    BrowserContext::Guard m_guard;
    bool m_keepContextReady = false;
    bool m_shuttingDown = false;
    QPointer<BrowserContext> m_prepared; // ours until a load takes it
};
