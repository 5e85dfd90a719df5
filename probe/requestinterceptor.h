#pragma once

#include "model/loaderror.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>

#include <memory>

class CdpConnection;
class EgressProxy;
class RequestRules;
class RequestTracker;
class UrlPolicy;

// The Fetch domain's side of one run. Each request a session holds (enable()) is failed when the test's rules block
// it; on a guarded run, held until the UrlPolicy has checked its URL against the addresses the run's EgressProxy
// will connect to, so that a refusal is early and says why; and otherwise continued, with the test's headers for its
// host. A request for credentials gets the test's basic auth. The rules and the tracker are the run's, read as they
// are at each request (a script's step may change the rules).
class RequestInterceptor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestInterceptor)

public:
    RequestInterceptor(const RequestRules &rules, RequestTracker &requests, QObject *parent = nullptr);

    void setConnection(CdpConnection *cdp);
    // The run's page (its main frame's id): a document request of that frame is the page itself.
    void setPageTarget(const QString &targetId) { m_targetId = targetId; }
    // A guarded run's policy and the proxy its context connects through; without them, only the rules apply.
    void setGuard(std::shared_ptr<const UrlPolicy> policy, EgressProxy *egress);

    // Holds every request of the session. A page session that cannot be held fails the run (failed()); some
    // attached targets have no Fetch domain (Chromium 156's dedicated workers): their requests are not held for an
    // early refusal, but their connections pass the EgressProxy like all others.
    void enable(const QString &sessionId, bool pageSession);
    // Fetch.requestPaused and Fetch.authRequired; false for any other event. viewToken is the run's view at the
    // time, handed back with a refusal.
    bool handleEvent(const QString &sessionId, const QString &method, const QJsonObject &params, quint64 viewToken);

signals:
    // The policy refused a document request of the page's own frame (the page, a redirect of it, or a script's
    // navigation); the URL is as requested, not scrubbed.
    void documentRefused(quint64 viewToken, const QString &url, const QString &reason);
    void failed(const LoadError &error);

private:
    void onRequestPaused(const QString &sessionId, const QJsonObject &params, quint64 viewToken);
    void continueRequest(const QString &sessionId, const QString &fetchId, const QJsonObject &request);
    void failRequest(const QString &sessionId, const QString &fetchId);

    const RequestRules &m_rules;
    RequestTracker &m_requests;
    QPointer<CdpConnection> m_cdp;
    QString m_targetId;
    std::shared_ptr<const UrlPolicy> m_policy;
    QPointer<EgressProxy> m_egress;
};
