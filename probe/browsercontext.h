#pragma once

#include "egressproxy.h"
#include "model/loaderror.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

class CdpConnection;
class UrlPolicy;
struct CdpReply;

// What a failed CDP command means for a run: the browser is gone, did not answer in time (hung, or far too busy), or
// refused it.
LoadError::Kind failureKindOf(const CdpReply &reply);

// The browser side of one run: a browser context of its own (no cache, cookies or storage shared with anything
// else), one tab in it on about:blank, a flat session attached to that tab, and on it the domains every run enables
// whatever its options: Network, Page, Performance, lifecycle events and the long-task watcher. What depends on the
// run (emulation, headers, cookies, interception, auto-attach) is the run's to set once it has the context.
//
// Guarded, the context sends every connection through an EgressProxy of its own, made with it (SECURITY.md,
// "Egress"); a context is only ever used by a run with the same guard (Guard::sameAs).
//
// A context serves exactly one run and is disposed of when that run ends, so nothing of one run can reach another.
// It may be made before its run arrives (LoadScheduler prepares one while the browser is warm and idle): it has then
// loaded nothing, and holds nothing but about:blank. It is disposed of with the browser (Target.disposeBrowserContext)
// when dispose() is called or it is deleted, even when the browser's answer to its creation comes only later.
class BrowserContext final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BrowserContext)

public:
    struct Guard
    {
        std::shared_ptr<const UrlPolicy> policy; // none, or one that allows private targets: unguarded
        EgressProxy::Limits limits;

        bool active() const;
        // Contexts made for one guard are as good for the other: both unguarded, or the same policy and limits.
        bool sameAs(const Guard &other) const;
    };
    enum class State { New, Creating, Ready, Failed, Disposed };

    BrowserContext(CdpConnection *cdp, Guard guard, QObject *parent = nullptr);
    ~BrowserContext() override;

    // The context for a run about to start: `prepared` (made or still being made ahead of it) when it is on this
    // connection and for this guard, a new one otherwise (`prepared` is then disposed of). Owned by `run`.
    static BrowserContext *forRun(BrowserContext *prepared, CdpConnection *cdp, const Guard &guard, QObject *run);

    // Makes the context, tab and session; ready() or failed() follows, once (at once if it is already either).
    // Each command may take `commandTimeout`.
    void create(std::chrono::milliseconds commandTimeout);
    // Disposes of the context in the browser (at once, or when its creation answers). No signal follows.
    void dispose();

    State state() const { return m_state; }
    const Guard &guard() const { return m_guard; }
    QString contextId() const { return m_contextId; }
    QString targetId() const { return m_targetId; }
    QString sessionId() const { return m_sessionId; }
    // The context's only way out, while guarded; null otherwise.
    EgressProxy *egress() const { return m_egress; }
    // Why it failed, once state() is Failed.
    const LoadError &error() const { return m_error; }

signals:
    void ready();
    void failed(const LoadError &error);

private:
    void onContextCreated(const CdpReply &reply);
    void attach();
    void enableDomains();
    void command(const QString &method, const QJsonObject &params, const QString &sessionId,
        std::function<void(const QJsonObject &)> onOk = {});
    void fail(const LoadError &error);

    QPointer<CdpConnection> m_cdp;
    Guard m_guard;
    State m_state = State::New;
    std::chrono::milliseconds m_commandTimeout { 15'000 };
    EgressProxy *m_egress = nullptr;
    QString m_contextId;
    QString m_targetId;
    QString m_sessionId;
    LoadError m_error;
};
