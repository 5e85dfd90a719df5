#include "requesttracker.h"

#include "phasecutter.h"

#include <QJsonArray>

#include <algorithm>
#include <limits>

namespace {

QList<HttpHeader> headersFromObject(const QJsonObject &object)
{
    QList<HttpHeader> headers;
    headers.reserve(object.size());
    for (auto it = object.constBegin(); it != object.constEnd(); ++it)
        headers.append(HttpHeader { it.key(), it.value().toString() });
    return headers;
}

// CDP reports -1 (or nothing) where it does not know a byte count.
std::optional<qint64> byteCount(const QJsonValue &value)
{
    if (!value.isDouble() || value.toDouble() < 0)
        return std::nullopt;
    return value.toInteger();
}

// CDP's initiator, as DevTools' Initiator column shows it: a parser's or a preload's document and line; a script's
// url and line when CDP gives them (a module import), else its stack's top frame, or the nearest async parent's
// when the stack has no frames of its own (a fetch() in a promise callback). The stack is the page's to make
// deep: only so many parents are looked at.
RequestInitiator initiatorOf(const QJsonObject &initiator)
{
    RequestInitiator result;
    result.type = initiator.value(QStringLiteral("type")).toString();
    if (result.type.isEmpty())
        return {};
    result.url = initiator.value(QStringLiteral("url")).toString();
    QJsonValue line = initiator.value(QStringLiteral("lineNumber"));
    QJsonObject stack = initiator.value(QStringLiteral("stack")).toObject();
    for (int depth = 0; result.url.isEmpty() && depth < 16 && !stack.isEmpty(); ++depth) {
        const QJsonArray frames = stack.value(QStringLiteral("callFrames")).toArray();
        if (!frames.isEmpty()) {
            const QJsonObject top = frames.first().toObject();
            result.url = top.value(QStringLiteral("url")).toString();
            line = top.value(QStringLiteral("lineNumber"));
            break;
        }
        stack = stack.value(QStringLiteral("parent")).toObject();
    }
    // A line of nothing (code without a URL, such as an eval's) says nothing.
    const double zeroBased = line.toDouble(-1);
    if (!result.url.isEmpty() && line.isDouble() && zeroBased >= 0 && zeroBased < std::numeric_limits<int>::max())
        result.line = static_cast<int>(zeroBased) + 1;
    return result;
}

} // namespace

RequestTracker::RequestTracker(QObject *parent)
    : QObject(parent)
{ }

void RequestTracker::beginView(const QString &mainFrameId)
{
    m_mainFrameId = mainFrameId;
    m_pending.clear();
    m_leftBehind.clear();
    m_documentLoaders.clear();
    m_hops.clear();
    m_initiatorUrls.clear();
    m_unpublished.clear();
    m_documentRequestId.clear();
    m_documentStartTs.reset();
    m_navigationStartTs.reset();
    m_recorded = 0;
    m_headerBytes = 0;
    m_requestsDropped = 0;
    m_requestsCut = 0;
    m_headerListsDropped = 0;
    m_refusedForgotten = 0;
}

QStringList RequestTracker::limitNotes() const
{
    QStringList notes;
    if (m_requestsDropped > 0)
        notes << QStringLiteral("%1 requests beyond the first %2 were not recorded; the request count and bytes are "
                                "those of the recorded ones")
                     .arg(m_requestsDropped)
                     .arg(maxRequestsPerView);
    if (m_requestsCut > 0)
        notes << QStringLiteral("%1 requests had a URL, header or text over the protocol's limits, cut to them")
                     .arg(m_requestsCut);
    if (m_headerListsDropped > 0)
        notes << QStringLiteral("%1 header lists were not recorded: the view's %2 MiB for headers were used up")
                     .arg(m_headerListsDropped)
                     .arg(maxHeaderBytesPerView / (1024 * 1024));
    if (m_refusedForgotten > 0)
        notes << QStringLiteral("%1 refused URLs beyond the first %2 fail without the probe's reason")
                     .arg(m_refusedForgotten)
                     .arg(maxRefusedUrls);
    return notes;
}

void RequestTracker::fit(Pending &pending, QList<HttpHeader> &headers)
{
    pending.cut = pending.timing.fitToLimits() || pending.cut;
    qsizetype bytes = 0;
    for (const HttpHeader &header : std::as_const(headers))
        bytes += (header.name.size() + header.value.size()) * qsizetype(sizeof(QChar));
    if (m_headerBytes + bytes > maxHeaderBytesPerView) {
        headers.clear();
        ++m_headerListsDropped;
        return;
    }
    m_headerBytes += bytes;
}

QString RequestTracker::sharedInitiatorUrl(const QString &url)
{
    // A page's requests name few initiators (its document, its scripts), each in every request it made: held once,
    // a document URL of 64 Ki characters costs its 128 KiB once per view, not once per request.
    if (url.isEmpty())
        return url;
    const auto found = m_initiatorUrls.constFind(url);
    if (found != m_initiatorUrls.constEnd())
        return *found;
    if (m_initiatorUrls.size() < maxSharedInitiatorUrls)
        m_initiatorUrls.insert(url);
    return url;
}

void RequestTracker::noteRefused(const QString &url, const QString &reason)
{
    // Keyed as the request's URL will read once cut to its limit.
    const QString key = url.left(RequestTiming::Limits::url);
    if (m_refusedUrls.size() >= maxRefusedUrls && !m_refusedUrls.contains(key)) {
        ++m_refusedForgotten;
        return;
    }
    m_refusedUrls.insert(key, reason.left(RequestTiming::Limits::text));
}

void RequestTracker::noteBlocked(const QString &url, const QString &reason)
{
    const QString key = url.left(RequestTiming::Limits::url);
    if (m_blockedUrls.size() >= maxRefusedUrls && !m_blockedUrls.contains(key))
        return; // still failed with Chrome's ERR_BLOCKED_BY_CLIENT, only not marked
    m_blockedUrls.insert(key, reason.left(RequestTiming::Limits::text));
}

bool RequestTracker::handleEvent(const QString &method, const QJsonObject &params)
{
    if (method == u"Network.requestWillBeSent")
        onRequestWillBeSent(params);
    else if (method == u"Network.responseReceived")
        onResponseReceived(params);
    else if (method == u"Network.dataReceived")
        onDataReceived(params);
    else if (method == u"Network.requestServedFromCache")
        onServedFromCache(params);
    else if (method == u"Network.loadingFinished")
        onLoadingFinished(params);
    else if (method == u"Network.loadingFailed")
        onLoadingFailed(params);
    else
        return false;
    return true;
}

void RequestTracker::onRequestWillBeSent(const QJsonObject &params)
{
    const QString requestId = params.value(QStringLiteral("requestId")).toString();
    const double ts = params.value(QStringLiteral("timestamp")).toDouble();
    const QJsonObject request = params.value(QStringLiteral("request")).toObject();
    const QString type = params.value(QStringLiteral("type")).toString(QStringLiteral("Other"));
    // Chrome's own error page (after a failed navigation: a redirect loop, a refused connection) loads its icons as
    // data: URLs. They are the browser's, not the page's: counted, they would make up a part of the page's result.
    if (params.value(QStringLiteral("documentURL")).toString().startsWith(u"chrome-error:"))
        return;

    const auto existing = m_pending.find(requestId);
    if (existing != m_pending.end()) {
        // The same id again is a redirect: the previous hop ends here, answered by redirectResponse.
        Pending hop = std::move(*existing);
        const bool leftBehind = m_leftBehind.contains(requestId);
        forgetPending(existing);
        if (leftBehind)
            return; // the page being left is still redirecting: none of it is this view's
        const QJsonObject redirect = params.value(QStringLiteral("redirectResponse")).toObject();
        if (!redirect.isEmpty())
            applyResponse(hop, redirect, requestId);
        hop.timing.redirectUrl = request.value(QStringLiteral("url")).toString();
        closeHop(
            hop, ts, RequestTiming::Outcome::Finished, byteCount(redirect.value(QStringLiteral("encodedDataLength"))));
    }
    if (m_recorded >= maxRequestsPerView) {
        ++m_requestsDropped;
        return;
    }
    ++m_recorded;

    Pending pending;
    const int hop = m_hops.value(requestId, 0);
    m_hops.insert(requestId, hop + 1);
    pending.timing.id = hop == 0 ? requestId : requestId + u':' + QString::number(hop);
    pending.timing.url = request.value(QStringLiteral("url")).toString();
    pending.timing.method = request.value(QStringLiteral("method")).toString();
    pending.timing.resourceType = type;
    pending.timing.priority = request.value(QStringLiteral("initialPriority")).toString();
    pending.timing.initiator = initiatorOf(params.value(QStringLiteral("initiator")).toObject());
    pending.timing.requestHeaders = headersFromObject(request.value(QStringLiteral("headers")).toObject());
    fit(pending, pending.timing.requestHeaders);
    pending.timing.initiator.url = sharedInitiatorUrl(pending.timing.initiator.url);
    pending.startTs = ts;
    pending.loaderId = params.value(QStringLiteral("loaderId")).toString();
    pending.mainFrame = params.value(QStringLiteral("frameId")).toString() == m_mainFrameId;
    if (type == u"Document" && pending.mainFrame && m_documentRequestId.isEmpty()) {
        m_documentRequestId = requestId;
        m_documentStartTs = ts;
    }
    const bool newDocument = type == u"Document" && pending.mainFrame && !pending.loaderId.isEmpty()
        && !m_documentLoaders.contains(pending.loaderId);
    const auto inserted = m_pending.insert(requestId, std::move(pending));
    if (newDocument) {
        m_documentLoaders.insert(inserted->loaderId);
        findLeftBehind();
    } else if (isLeftBehind(*inserted)) {
        m_leftBehind.insert(requestId);
        return;
    }
    if (m_navigationStartTs)
        announceStart(*inserted);
    emit activity(ts);
}

void RequestTracker::onResponseReceived(const QJsonObject &params)
{
    const QString requestId = params.value(QStringLiteral("requestId")).toString();
    const auto it = m_pending.find(requestId);
    if (it == m_pending.end())
        return;
    applyResponse(*it, params.value(QStringLiteral("response")).toObject(), requestId);
}

void RequestTracker::onDataReceived(const QJsonObject &params)
{
    const auto it = m_pending.find(params.value(QStringLiteral("requestId")).toString());
    if (it == m_pending.end())
        return;
    it->sawData = true;
    // Only a byte count adds to the total: a negative or fractional dataLength would make the published number
    // false, and the sum saturates instead of overflowing (tests/fuzz/fuzz_cdpevents.cpp found both).
    if (const auto length = byteCount(params.value(QStringLiteral("dataLength"))))
        it->decodedBytes = *length > std::numeric_limits<qint64>::max() - it->decodedBytes
            ? std::numeric_limits<qint64>::max()
            : it->decodedBytes + *length;
}

void RequestTracker::onServedFromCache(const QJsonObject &params)
{
    const auto it = m_pending.find(params.value(QStringLiteral("requestId")).toString());
    if (it != m_pending.end())
        it->timing.fromCache = true;
}

void RequestTracker::onLoadingFinished(const QJsonObject &params)
{
    endRequest(params.value(QStringLiteral("requestId")).toString(),
        params.value(QStringLiteral("timestamp")).toDouble(),
        byteCount(params.value(QStringLiteral("encodedDataLength"))), {});
}

void RequestTracker::onLoadingFailed(const QJsonObject &params)
{
    const QString requestId = params.value(QStringLiteral("requestId")).toString();
    QString failure = params.value(QStringLiteral("errorText")).toString();
    const QString blocked = params.value(QStringLiteral("blockedReason")).toString();
    if (!blocked.isEmpty())
        failure += QStringLiteral(" (blocked: %1)").arg(blocked);
    if (failure.isEmpty())
        failure = QStringLiteral("failed");
    const auto pending = m_pending.find(requestId);
    if (pending != m_pending.end() && m_blockedUrls.contains(pending->timing.url)) {
        pending->timing.blocked = true;
        failure = m_blockedUrls.value(pending->timing.url);
    } else if (pending != m_pending.end() && m_refusedUrls.contains(pending->timing.url)) {
        failure += QStringLiteral(" (refused by the probe: %1)").arg(m_refusedUrls.value(pending->timing.url));
    }
    endRequest(requestId, params.value(QStringLiteral("timestamp")).toDouble(), std::nullopt, failure);
}

void RequestTracker::documentCommitted(const QString &loaderId, double ts)
{
    if (loaderId.isEmpty() || !m_documentLoaders.contains(loaderId))
        return;
    QStringList cancelled;
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (it->mainFrame && it->loaderId != loaderId && m_documentLoaders.contains(it->loaderId))
            cancelled.append(it.key());
    }
    for (const QString &requestId : std::as_const(cancelled))
        endRequest(requestId, ts, std::nullopt,
            QStringLiteral("net::ERR_ABORTED (cancelled: the page went on to another document)"));
}

void RequestTracker::applyResponse(Pending &pending, const QJsonObject &response, const QString &requestId)
{
    RequestTiming &t = pending.timing;
    const QJsonValue status = response.value(QStringLiteral("status"));
    if (status.isDouble())
        t.status = status.toInt();
    t.statusText = response.value(QStringLiteral("statusText")).toString();
    t.protocol = response.value(QStringLiteral("protocol")).toString();
    t.remoteIp = response.value(QStringLiteral("remoteIPAddress")).toString();
    if (response.value(QStringLiteral("remotePort")).isDouble())
        t.remotePort = response.value(QStringLiteral("remotePort")).toInt();
    t.mimeType = response.value(QStringLiteral("mimeType")).toString();
    t.responseHeaders = headersFromObject(response.value(QStringLiteral("headers")).toObject());
    if (response.value(QStringLiteral("fromDiskCache")).toBool()
        || response.value(QStringLiteral("fromPrefetchCache")).toBool()
        || response.value(QStringLiteral("fromServiceWorker")).toBool())
        t.fromCache = true;
    if (const auto headerBytes = byteCount(response.value(QStringLiteral("encodedDataLength"))))
        t.headerBytes = headerBytes;
    fit(pending, t.responseHeaders);
    pending.responseTiming = response.value(QStringLiteral("timing")).toObject();
    if (!t.remoteIp.isEmpty())
        emit responseFrom(t.url, t.remoteIp);
    if (requestId == m_documentRequestId)
        emit documentResponded(
            t.status, response.value(QStringLiteral("url")).toString(t.url).left(RequestTiming::Limits::url));
}

void RequestTracker::endRequest(
    const QString &requestId, double endTs, std::optional<qint64> encodedBytes, const QString &failure)
{
    const auto it = m_pending.find(requestId);
    if (it == m_pending.end())
        return;
    if (m_leftBehind.contains(requestId)) {
        forgetPending(it); // the page being left: neither this view's request nor its network activity
        return;
    }
    Pending pending = std::move(*it);
    forgetPending(it);
    if (!failure.isEmpty())
        pending.timing.failureText = failure;
    closeHop(pending, endTs, failure.isEmpty() ? RequestTiming::Outcome::Finished : RequestTiming::Outcome::Failed,
        encodedBytes);
    emit activity(endTs);
}

void RequestTracker::closeHop(
    Pending &pending, std::optional<double> endTs, RequestTiming::Outcome outcome, std::optional<qint64> encodedBytes)
{
    RequestTiming t = std::move(pending.timing);
    if (t.fitToLimits() || pending.cut) // a redirect's target or a failure text is only known now
        ++m_requestsCut;
    t.outcome = outcome;
    t.encodedBytes = encodedBytes;
    if (outcome == RequestTiming::Outcome::Finished || pending.sawData)
        t.decodedBytes = pending.decodedBytes;

    const PhaseCutter::Cut cut = PhaseCutter::cut(pending.startTs, pending.responseTiming, endTs);
    t.phases = cut.phases;
    t.durationMs = cut.durationMs;
    // Kept in absolute milliseconds until the navigation start is known; publish() makes it relative.
    t.startMs = pending.startTs * 1000.0;
    publish(std::move(t));
}

void RequestTracker::publish(RequestTiming request)
{
    if (!m_navigationStartTs) {
        m_unpublished.append(std::move(request));
        return;
    }
    request.startMs -= *m_navigationStartTs * 1000.0;
    emit requestFinished(request);
}

void RequestTracker::announceStart(const Pending &pending)
{
    // What is known at the start, without headers: a live row needs no more, and the final frame carries them.
    RequestTiming started;
    started.id = pending.timing.id;
    started.url = pending.timing.url;
    started.method = pending.timing.method;
    started.resourceType = pending.timing.resourceType;
    started.priority = pending.timing.priority;
    started.initiator = pending.timing.initiator;
    started.startMs = (pending.startTs - *m_navigationStartTs) * 1000.0;
    emit requestStarted(started);
}

void RequestTracker::setNavigationStart(double ts)
{
    const bool firstTime = !m_navigationStartTs;
    m_navigationStartTs = ts;
    if (firstTime) {
        // Announced in the order they started, as they would have been had the origin been known.
        QList<const Pending *> open;
        for (const Pending &pending : std::as_const(m_pending)) {
            if (!isLeftBehind(pending))
                open.append(&pending);
        }
        std::stable_sort(
            open.begin(), open.end(), [](const Pending *a, const Pending *b) { return a->startTs < b->startTs; });
        for (const Pending *pending : std::as_const(open))
            announceStart(*pending);
    }
    auto waiting = std::move(m_unpublished);
    m_unpublished.clear();
    for (RequestTiming &request : waiting)
        publish(std::move(request));
}

bool RequestTracker::isLeftBehind(const Pending &pending) const
{
    return pending.mainFrame && !pending.loaderId.isEmpty() && !m_documentLoaders.isEmpty()
        && !m_documentLoaders.contains(pending.loaderId);
}

void RequestTracker::findLeftBehind()
{
    m_leftBehind.clear();
    for (auto it = m_pending.cbegin(); it != m_pending.cend(); ++it) {
        if (isLeftBehind(*it))
            m_leftBehind.insert(it.key());
    }
}

void RequestTracker::forgetPending(QHash<QString, Pending>::iterator it)
{
    m_leftBehind.remove(it.key());
    m_pending.erase(it);
}

void RequestTracker::closeOpenRequests()
{
    // What never ended is still part of the picture: it is what a timed-out page was waiting for.
    auto open = std::move(m_pending);
    m_pending.clear();
    for (auto it = open.begin(); it != open.end(); ++it) {
        if (!m_leftBehind.contains(it.key()))
            closeHop(*it, std::nullopt, RequestTiming::Outcome::Unfinished, std::nullopt);
    }
    m_leftBehind.clear();
    if (m_navigationStartTs)
        return;
    double origin = m_documentStartTs.value_or(0);
    for (const RequestTiming &request : std::as_const(m_unpublished)) {
        if (origin <= 0 || request.startMs / 1000.0 < origin)
            origin = request.startMs / 1000.0;
    }
    setNavigationStart(origin);
}
