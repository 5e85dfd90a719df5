// libFuzzer target: a page's Network.* events as Chromium sends them over CDP, in any order and with any fields,
// through RequestTracker (what PageLoad feeds it). The input is a JSON array of {"method", "params"} objects, the
// format of the recordings in tests/cdp/ (the seeds). Two pseudo-events stand for what PageLoad does besides
// passing events on: {"method": "WorldSpeed.navigationStart", "params": {"timestamp": s}} sets the navigation start
// (PageLoad learns it from Performance.getMetrics), {"method": "WorldSpeed.refused", "params": {"url", "reason"}}
// is a URL the policy refused. The view's main frame is the frameId of the first event that has one.
//
// Properties: every request the page started is published exactly once by the time the view is closed, none is
// left open, and what is published is true: no negative byte count, and, as long as every number in the events is
// one Chromium could send (times under 1e9 s: CDP's clocks are Chromium's, never the page's), no negative or
// non-finite duration or phase, and no phase longer than its request.

#include "fuzzcheck.h"
#include "requesttracker.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace {

void checkNumber(std::optional<double> value, const QString &what, const RequestTiming &request)
{
    if (value)
        fuzzExpect(std::isfinite(*value) && *value >= 0, what + QStringLiteral(" is %1 in ").arg(*value) + request.id);
}

void checkBytes(std::optional<qint64> value, const QString &what, const RequestTiming &request)
{
    if (value)
        fuzzExpect(*value >= 0, what + QStringLiteral(" is %1 in ").arg(*value) + request.id);
}

// Whether every number in the value is one a CDP clock or counter could hold.
bool plausible(const QJsonValue &value)
{
    if (value.isDouble())
        return std::fabs(value.toDouble()) < 1e9;
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        return std::all_of(array.begin(), array.end(), [](const QJsonValue &item) { return plausible(item); });
    }
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        return std::all_of(object.begin(), object.end(), [](const QJsonValue &item) { return plausible(item); });
    }
    return true;
}

void checkPublished(const RequestTiming &request, bool plausibleTimes)
{
    checkBytes(request.encodedBytes, QStringLiteral("encodedBytes"), request);
    checkBytes(request.headerBytes, QStringLiteral("headerBytes"), request);
    checkBytes(request.decodedBytes, QStringLiteral("decodedBytes"), request);
    fuzzExpect((request.outcome == RequestTiming::Outcome::Unfinished) == !request.durationMs,
        QStringLiteral("a duration for an unfinished request, or none for an ended one: ") + request.id);
    if (!plausibleTimes)
        return;
    fuzzExpect(std::isfinite(request.startMs), QStringLiteral("startMs is not finite in ") + request.id);
    checkNumber(request.durationMs, QStringLiteral("durationMs"), request);
    const RequestPhases &p = request.phases;
    for (const auto &[name, phase] :
        { std::pair { u"blocked", p.blocked }, { u"dns", p.dns }, { u"connect", p.connect }, { u"ssl", p.ssl },
            { u"send", p.send }, { u"wait", p.wait }, { u"receive", p.receive } }) {
        checkNumber(phase, QString::fromUtf16(name), request);
        if (phase && request.durationMs && std::isfinite(*request.durationMs) && *request.durationMs < 1e12) {
            fuzzExpect(*phase <= *request.durationMs * (1 + 1e-9) + 1e-6,
                QString::fromUtf16(name) + QStringLiteral(" longer than the request in ") + request.id);
        }
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QJsonDocument document = QJsonDocument::fromJson(
        QByteArray::fromRawData(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size)));
    if (!document.isArray())
        return 0;
    const QJsonArray events = document.array();

    QString mainFrameId;
    for (const QJsonValue &event : events) {
        mainFrameId = event[QStringLiteral("params")][QStringLiteral("frameId")].toString();
        if (!mainFrameId.isEmpty())
            break;
    }

    RequestTracker tracker;
    tracker.beginView(mainFrameId);
    qsizetype started = 0;
    qsizetype published = 0;
    const bool plausibleTimes = plausible(events);
    QObject::connect(&tracker, &RequestTracker::requestFinished, [&](const RequestTiming &request) {
        ++published;
        checkPublished(request, plausibleTimes);
    });
    for (const QJsonValue &event : events) {
        const QString method = event[QStringLiteral("method")].toString();
        const QJsonObject params = event[QStringLiteral("params")].toObject();
        if (method == u"WorldSpeed.navigationStart") {
            tracker.setNavigationStart(params.value(QStringLiteral("timestamp")).toDouble());
        } else if (method == u"WorldSpeed.refused") {
            tracker.noteRefused(
                params.value(QStringLiteral("url")).toString(), params.value(QStringLiteral("reason")).toString());
        } else {
            const bool taken = tracker.handleEvent(method, params);
            fuzzExpect(!taken || method.startsWith(u"Network."), QStringLiteral("took ") + method);
            if (taken && method == u"Network.requestWillBeSent")
                ++started;
        }
    }
    tracker.closeOpenRequests();
    fuzzExpect(!tracker.hasOpenRequests(), QStringLiteral("requests left open after the view closed"));
    fuzzExpect(published == started, QStringLiteral("%1 requests started, %2 published").arg(started).arg(published));
    return 0;
}
