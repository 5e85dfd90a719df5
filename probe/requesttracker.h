#pragma once

#include "model/requesttiming.h"

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>

// The network requests of one view of a page: it takes Chrome's Network.* events (from the page and from every
// frame or worker attached to it) and turns each request into RequestTimings, one per redirect hop ("id",
// "id:1", …), each published when it ends, so a waterfall can grow as the page loads. Each is also announced when
// it starts (requestStarted(): what is known then), so that a live waterfall can show it from its start.
//
// Times: CDP stamps network events on a monotonic clock in seconds; a published request starts at milliseconds
// from the navigation start. Until the navigation start is known, ended requests wait, in the order they ended,
// and are published together once it is set; a view that ends without it takes its earliest request (or its
// document request) as the origin.
//
// A page decides how much it asks for, so what is kept is bounded: at most maxRequestsPerView requests (redirect
// hops included) and maxHeaderBytesPerView of headers per view, each request's fields cut to the protocol's limits
// (RequestTiming::Limits) as they are captured, an initiator URL held once for all the requests that name it, at
// most maxRefusedUrls reasons remembered. What a limit left out is counted, and limitNotes() says so for the view's
// result. It knows nothing of the browser session or the URL policy: it reports where each response came from and
// what the document answered, and whoever drives the view decides what that means.
class RequestTracker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RequestTracker)

public:
    static constexpr int maxRequestsPerView = 5'000;
    static constexpr qsizetype maxHeaderBytesPerView = 32 * 1024 * 1024;
    static constexpr int maxRefusedUrls = 1'000;
    // Initiator URLs kept once per view and shared by the requests that name them (see sharedInitiatorUrl()).
    static constexpr int maxSharedInitiatorUrls = 1'000;

    explicit RequestTracker(QObject *parent = nullptr);

    // Forgets the previous view's requests and navigation start. The first Document request in mainFrameId (a
    // page's main frame id is its target id) is the view's document.
    void beginView(const QString &mainFrameId);
    // The probe refused this URL (why: reason); its failure says so. Kept for the whole run, across views.
    void noteRefused(const QString &url, const QString &reason);
    // The test's own settings blocked this URL (reason: which rule): its request is marked blocked, not failed by
    // the probe. Kept for the whole run, within the same limit as refusals.
    void noteBlocked(const QString &url, const QString &reason);
    // Takes one Network.* event; false for any other method, which it leaves alone.
    bool handleEvent(const QString &method, const QJsonObject &params);
    // CDP monotonic seconds; publishes whatever ended before it was known.
    void setNavigationStart(double ts);
    // The main frame committed the document of `loaderId` (at ts, CDP monotonic seconds). Whatever an earlier
    // document of this view still had open (a page that sends itself on with location.href while its images load)
    // was cancelled with that document, and Chrome says nothing more of it: no loadingFailed comes. It ends here,
    // failed as cancelled, as DevTools shows it, and no longer holds the view open until its timeout.
    void documentCommitted(const QString &loaderId, double ts);
    // The view ends: every request still open is published as unfinished, and if the navigation start was never
    // learnt the earliest start seen becomes the origin, so nothing stays unpublished.
    void closeOpenRequests();

    // A request of the main frame sent for the document being left (its loaderId is none of the documents this view
    // navigated to: typically that page's favicon, asked for as the next navigation began) is not this view's: it
    // is never published, and does not hold the view open (Chrome may drop it without an event).
    bool hasOpenRequests() const { return m_pending.size() > m_leftBehind.size(); }
    // What this view's limits left out or cut, one sentence each, for people; empty when nothing was.
    QStringList limitNotes() const;
    // Chrome's request id of the view's document; each of its redirect hops has an id that starts with it.
    QString documentRequestId() const { return m_documentRequestId; }
    std::optional<double> documentStartTs() const { return m_documentStartTs; }
    std::optional<double> navigationStartTs() const { return m_navigationStartTs; }

signals:
    // A request (or a redirect hop) ended and its start is relative to the navigation start.
    void requestFinished(const RequestTiming &request);
    // A request (or a redirect hop) started: its id, URL, method, type, priority, initiator and start (relative to
    // the navigation start; a request that started before that was known is announced when it is, if still open).
    // Its requestFinished() follows, with the same id, before the view ends.
    void requestStarted(const RequestTiming &request);
    // The network was active at ts (a request was sent or ended); emitted after the open requests are updated.
    void activity(double ts);
    // A response (or a redirect response) came from this address, for this request URL.
    void responseFrom(const QString &url, const QString &remoteIp);
    // The document (or one of its redirect hops) answered; finalUrl is where the answer came from.
    void documentResponded(std::optional<int> status, const QString &finalUrl);

private:
    struct Pending
    {
        RequestTiming timing;
        double startTs = 0; // CDP monotonic seconds
        QJsonObject responseTiming; // response.timing, when a response came
        qint64 decodedBytes = 0;
        bool sawData = false;
        bool cut = false; // a field was cut to its limit
        QString loaderId; // Chrome's document loader the request was sent for; empty when not said
        bool mainFrame = false;
    };

    void onRequestWillBeSent(const QJsonObject &params);
    void onResponseReceived(const QJsonObject &params);
    void onDataReceived(const QJsonObject &params);
    void onServedFromCache(const QJsonObject &params);
    void onLoadingFinished(const QJsonObject &params);
    void onLoadingFailed(const QJsonObject &params);
    void applyResponse(Pending &pending, const QJsonObject &response, const QString &requestId);
    QString sharedInitiatorUrl(const QString &url);
    void endRequest(const QString &requestId, double endTs, std::optional<qint64> encodedBytes, const QString &failure);
    void closeHop(Pending &pending, std::optional<double> endTs, RequestTiming::Outcome outcome,
        std::optional<qint64> encodedBytes);
    void publish(RequestTiming request);
    void announceStart(const Pending &pending);
    // Cuts what was just captured to the limits; the headers go if the view's budget for them is spent.
    void fit(Pending &pending, QList<HttpHeader> &headers);
    bool isLeftBehind(const Pending &pending) const;
    void forgetPending(QHash<QString, Pending>::iterator it);
    void findLeftBehind();

    QString m_mainFrameId;
    QHash<QString, QString> m_refusedUrls; // URL → why the probe refused it, to explain its failure
    QHash<QString, QString> m_blockedUrls; // URL → which of the test's rules blocked it
    QHash<QString, Pending> m_pending;
    QSet<QString> m_leftBehind; // ids in m_pending of the document being left (hasOpenRequests())
    QSet<QString> m_documentLoaders; // loaderIds of the main-frame documents this view navigated to
    QHash<QString, int> m_hops; // request id → hops seen so far
    QSet<QString> m_initiatorUrls; // this view's, each held once
    QList<RequestTiming> m_unpublished; // ended before the navigation start was known; startMs still absolute
    QString m_documentRequestId;
    std::optional<double> m_documentStartTs;
    std::optional<double> m_navigationStartTs;
    // This view's use of the limits, and what they left out.
    int m_recorded = 0;
    qsizetype m_headerBytes = 0;
    int m_requestsDropped = 0;
    int m_requestsCut = 0;
    int m_headerListsDropped = 0;
    int m_refusedForgotten = 0;
};
