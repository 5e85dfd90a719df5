#include "browsercontext.h"

#include "cdpconnection.h"
#include "pagereading.h"
#include "urlpolicy.h"

namespace {

// The run's deadline ends a run whose context is never made; this only bounds how long the connection waits for
// the reply, which must be heard even late, to dispose of the context it names.
constexpr std::chrono::minutes contextReplyLimit { 10 };

} // namespace

LoadError::Kind failureKindOf(const CdpReply &reply)
{
    if (reply.errorCode == CdpReply::disconnectedCode)
        return LoadError::Kind::BrowserCrashed;
    if (reply.errorCode == CdpReply::timeoutCode)
        return LoadError::Kind::BrowserUnresponsive;
    return LoadError::Kind::Other;
}

bool BrowserContext::Guard::active() const
{
    return policy && !policy->allowsPrivateTargets();
}

bool BrowserContext::Guard::sameAs(const Guard &other) const
{
    if (!active() || !other.active())
        return active() == other.active();
    return policy == other.policy && limits.maxHostNames == other.limits.maxHostNames
        && limits.maxTunnels == other.limits.maxTunnels;
}

BrowserContext::BrowserContext(CdpConnection *cdp, Guard guard, QObject *parent)
    : QObject(parent)
    , m_cdp(cdp)
    , m_guard(std::move(guard))
{ }

BrowserContext::~BrowserContext()
{
    dispose();
}

void BrowserContext::command(const QString &method, const QJsonObject &params, const QString &sessionId,
    std::function<void(const QJsonObject &)> onOk)
{
    m_cdp->send(
        method, params, sessionId, this,
        [this, method, onOk = std::move(onOk)](const CdpReply &reply) {
            if (m_state != State::Creating)
                return;
            if (!reply.ok()) {
                fail(LoadError { failureKindOf(reply), QStringLiteral("%1 failed: %2").arg(method, reply.error) });
                return;
            }
            if (onOk)
                onOk(reply.result);
        },
        m_commandTimeout);
}

BrowserContext *BrowserContext::forRun(BrowserContext *prepared, CdpConnection *cdp, const Guard &guard, QObject *run)
{
    // One made before the run arrived is as good as one made now: it has loaded nothing, and everything that
    // depends on the run is set by the run once it is its own.
    if (prepared && prepared->m_cdp == cdp && prepared->m_guard.sameAs(guard)
        && (prepared->m_state == State::Creating || prepared->m_state == State::Ready)) {
        prepared->setParent(run);
        return prepared;
    }
    delete prepared; // disposed of: nobody else may have it
    return new BrowserContext(cdp, guard, run);
}

void BrowserContext::create(std::chrono::milliseconds commandTimeout)
{
    if (m_state == State::Ready)
        emit ready();
    if (m_state == State::Failed)
        emit failed(m_error);
    if (m_state != State::New)
        return;
    m_state = State::Creating;
    m_commandTimeout = commandTimeout;
    if (!m_cdp) {
        fail(LoadError { LoadError::Kind::BrowserCrashed, QStringLiteral("the browser is gone") });
        return;
    }
    // disposeOnDetach: should we vanish without cleaning up, the browser drops the context with our session.
    QJsonObject params { { QStringLiteral("disposeOnDetach"), true } };
    if (m_guard.active()) {
        m_egress = new EgressProxy(m_guard.policy, m_guard.limits, this);
        QString error;
        if (!m_egress->listen(&error)) {
            fail(LoadError { LoadError::Kind::Other, error });
            return;
        }
        params.insert(QStringLiteral("proxyServer"), m_egress->proxyServer());
        params.insert(QStringLiteral("proxyBypassList"), EgressProxy::proxyBypassList());
    }
    // The reply is heard even when we are gone by then: a context nobody will use is disposed of at once.
    QPointer<BrowserContext> self(this);
    QPointer<CdpConnection> connection(m_cdp);
    m_cdp->send(
        QStringLiteral("Target.createBrowserContext"), params, {}, m_cdp,
        [self, connection](const CdpReply &reply) {
            const QString contextId = reply.result.value(QStringLiteral("browserContextId")).toString();
            if (!self || self->m_state != State::Creating) {
                if (!contextId.isEmpty() && connection)
                    connection->send(QStringLiteral("Target.disposeBrowserContext"),
                        { { QStringLiteral("browserContextId"), contextId } });
                return;
            }
            self->onContextCreated(reply);
        },
        contextReplyLimit);
}

void BrowserContext::onContextCreated(const CdpReply &reply)
{
    if (!reply.ok()) {
        fail(LoadError {
            failureKindOf(reply), QStringLiteral("Target.createBrowserContext failed: %1").arg(reply.error) });
        return;
    }
    m_contextId = reply.result.value(QStringLiteral("browserContextId")).toString();
    command(QStringLiteral("Target.createTarget"),
        { { QStringLiteral("url"), QStringLiteral("about:blank") },
            { QStringLiteral("browserContextId"), m_contextId } },
        {}, [this](const QJsonObject &result) {
            m_targetId = result.value(QStringLiteral("targetId")).toString();
            attach();
        });
}

void BrowserContext::attach()
{
    command(QStringLiteral("Target.attachToTarget"),
        { { QStringLiteral("targetId"), m_targetId }, { QStringLiteral("flatten"), true } }, {},
        [this](const QJsonObject &result) {
            m_sessionId = result.value(QStringLiteral("sessionId")).toString();
            // Until a run takes the session over with its own handler, all that can happen on about:blank is that
            // its renderer dies: the context is then no good to anyone.
            m_cdp->setSessionHandler(m_sessionId, this, [this](const QString &method, const QJsonObject &) {
                if (method == u"Inspector.targetCrashed")
                    fail(LoadError { LoadError::Kind::BrowserCrashed,
                        QStringLiteral("the prepared tab's renderer process crashed") });
            });
            enableDomains();
        });
}

void BrowserContext::enableDomains()
{
    command(QStringLiteral("Network.enable"), {}, m_sessionId);
    command(QStringLiteral("Page.enable"), {}, m_sessionId);
    command(QStringLiteral("Page.addScriptToEvaluateOnNewDocument"),
        { { QStringLiteral("source"), PageReading::longTaskWatcher() } }, m_sessionId);
    command(QStringLiteral("Performance.enable"), {}, m_sessionId);
    // Commands on one session run in order, so once this answers, everything above is in force.
    command(QStringLiteral("Page.setLifecycleEventsEnabled"), { { QStringLiteral("enabled"), true } }, m_sessionId,
        [this](const QJsonObject &) {
            m_state = State::Ready;
            emit ready();
        });
}

void BrowserContext::fail(const LoadError &error)
{
    if (m_state == State::Failed || m_state == State::Disposed)
        return;
    m_error = error;
    dispose(); // what was made of it goes: nobody will use half a context
    m_state = State::Failed;
    emit failed(error);
}

void BrowserContext::dispose()
{
    if (m_state == State::Disposed)
        return;
    m_state = State::Disposed;
    if (!m_cdp)
        return;
    if (!m_sessionId.isEmpty())
        m_cdp->removeSessionHandler(m_sessionId);
    if (!m_contextId.isEmpty())
        m_cdp->send(
            QStringLiteral("Target.disposeBrowserContext"), { { QStringLiteral("browserContextId"), m_contextId } });
    m_contextId.clear();
    m_sessionId.clear();
}
