#include "requestinterceptor.h"

#include "browsercontext.h"
#include "cdpconnection.h"
#include "egressproxy.h"
#include "requestrules.h"
#include "requesttracker.h"
#include "urlpolicy.h"

#include <QJsonArray>
#include <QUrl>

namespace {

constexpr std::chrono::milliseconds commandTimeout { 15'000 };

} // namespace

RequestInterceptor::RequestInterceptor(const RequestRules &rules, RequestTracker &requests, QObject *parent)
    : QObject(parent)
    , m_rules(rules)
    , m_requests(requests)
{ }

void RequestInterceptor::setConnection(CdpConnection *cdp)
{
    m_cdp = cdp;
}

void RequestInterceptor::setGuard(std::shared_ptr<const UrlPolicy> policy, EgressProxy *egress)
{
    m_policy = std::move(policy);
    m_egress = egress;
}

void RequestInterceptor::enable(const QString &sessionId, bool pageSession)
{
    if (!m_cdp)
        return;
    const QJsonObject everyRequest { { QStringLiteral("patterns"),
                                         QJsonArray {
                                             QJsonObject { { QStringLiteral("urlPattern"), QStringLiteral("*") },
                                                 { QStringLiteral("requestStage"), QStringLiteral("Request") } } } },
        { QStringLiteral("handleAuthRequests"), m_rules.handlesAuth() } };
    m_cdp->send(
        QStringLiteral("Fetch.enable"), everyRequest, sessionId, this,
        [this, pageSession](const CdpReply &reply) {
            if (pageSession && !reply.ok())
                emit failed(
                    LoadError { failureKindOf(reply), QStringLiteral("Fetch.enable failed: %1").arg(reply.error) });
        },
        commandTimeout);
}

bool RequestInterceptor::handleEvent(
    const QString &sessionId, const QString &method, const QJsonObject &params, quint64 viewToken)
{
    if (method == u"Fetch.requestPaused") {
        onRequestPaused(sessionId, params, viewToken);
        return true;
    }
    if (method == u"Fetch.authRequired") {
        if (m_cdp)
            m_cdp->send(QStringLiteral("Fetch.continueWithAuth"), m_rules.authAnswer(params), sessionId);
        return true;
    }
    return false;
}

void RequestInterceptor::continueRequest(const QString &sessionId, const QString &fetchId, const QJsonObject &request)
{
    QJsonObject params { { QStringLiteral("requestId"), fetchId } };
    const QUrl url(request.value(QStringLiteral("url")).toString());
    if (const auto headers = m_rules.headersFor(url, request.value(QStringLiteral("headers")).toObject()))
        params.insert(QStringLiteral("headers"), *headers);
    m_cdp->send(QStringLiteral("Fetch.continueRequest"), params, sessionId);
}

void RequestInterceptor::failRequest(const QString &sessionId, const QString &fetchId)
{
    m_cdp->send(QStringLiteral("Fetch.failRequest"),
        { { QStringLiteral("requestId"), fetchId },
            { QStringLiteral("errorReason"), QStringLiteral("BlockedByClient") } },
        sessionId);
}

void RequestInterceptor::onRequestPaused(const QString &sessionId, const QJsonObject &params, quint64 viewToken)
{
    if (!m_cdp)
        return;
    const QString fetchId = params.value(QStringLiteral("requestId")).toString();
    const QJsonObject request = params.value(QStringLiteral("request")).toObject();
    const QUrl url(request.value(QStringLiteral("url")).toString());
    const bool isDocument = params.value(QStringLiteral("resourceType")).toString() == u"Document"
        && params.value(QStringLiteral("frameId")).toString() == m_targetId;
    // The test's own blocks come first: a blocked request is never sent, so the policy need not judge it.
    if (const QString blocked = m_rules.blockReason(url); !blocked.isEmpty()) {
        m_requests.noteBlocked(request.value(QStringLiteral("url")).toString(), blocked);
        return failRequest(sessionId, fetchId);
    }
    if (!m_egress || !m_policy)
        return continueRequest(sessionId, fetchId, request);
    // data:, blob: and the like never reach the network; the policy is about where the browser connects.
    const QString scheme = url.scheme().toLower();
    if (scheme != u"http" && scheme != u"https" && scheme != u"ws" && scheme != u"wss")
        return continueRequest(sessionId, fetchId, request);
    QUrl checked = url;
    if (scheme == u"ws" || scheme == u"wss")
        checked.setScheme(scheme == u"ws" ? QStringLiteral("http") : QStringLiteral("https"));
    m_policy->check(checked, m_egress->hosts(), this,
        [this, sessionId, fetchId, request, url, isDocument, viewToken](const UrlPolicy::Verdict &verdict) {
            if (!m_cdp)
                return;
            if (verdict.allowed)
                return continueRequest(sessionId, fetchId, request);
            m_requests.noteRefused(url.toString(), verdict.reason);
            failRequest(sessionId, fetchId);
            if (isDocument)
                emit documentRefused(viewToken, url.toString(), verdict.reason);
        });
}
