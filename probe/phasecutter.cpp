#include "phasecutter.h"

#include <algorithm>

namespace {

// A boundary Chrome reported: offsets are -1 for a phase that did not happen.
std::optional<double> offsetOf(const QJsonObject &timing, const QString &key)
{
    const QJsonValue value = timing.value(key);
    if (!value.isDouble() || value.toDouble() < 0)
        return std::nullopt;
    return value.toDouble();
}

} // namespace

PhaseCutter::Cut PhaseCutter::cut(double startTs, const QJsonObject &rt, std::optional<double> endTs)
{
    Cut result;
    RequestPhases &phases = result.phases;
    double cursor = startTs;
    const double base = rt.value(QStringLiteral("requestTime")).toDouble(-1);
    if (base > 0) {
        const auto at = [&](const QString &key) -> std::optional<double> {
            if (auto offset = offsetOf(rt, key))
                return base + *offset / 1000.0;
            return std::nullopt;
        };
        const auto advance = [&](std::optional<double> boundary) -> std::optional<double> {
            if (!boundary)
                return std::nullopt;
            const double next = std::max(cursor, *boundary);
            const double phase = (next - cursor) * 1000.0;
            cursor = next;
            return phase;
        };
        const auto dnsStart = at(QStringLiteral("dnsStart"));
        const auto connectStart = at(QStringLiteral("connectStart"));
        const auto sslStart = at(QStringLiteral("sslStart"));
        const auto sendStart = at(QStringLiteral("sendStart"));
        auto firstActivity = dnsStart ? dnsStart : connectStart ? connectStart : sendStart;
        if (!firstActivity)
            firstActivity = base;
        phases.blocked = advance(firstActivity);
        if (dnsStart)
            phases.dns = advance(at(QStringLiteral("dnsEnd")));
        if (connectStart)
            phases.connect = advance(sslStart ? sslStart : at(QStringLiteral("connectEnd")));
        if (sslStart)
            phases.ssl = advance(at(QStringLiteral("sslEnd")));
        if (connectStart && sslStart) {
            // connectEnd comes after the TLS handshake; a sliver past sslEnd belongs to the connection.
            const auto rest = advance(at(QStringLiteral("connectEnd")));
            if (rest)
                phases.ssl = phases.ssl.value_or(0) + *rest;
        }
        phases.send = advance(at(QStringLiteral("sendEnd")));
        phases.wait = advance(at(QStringLiteral("receiveHeadersEnd")));
        if (endTs)
            phases.receive = advance(endTs);
    }
    if (endTs)
        result.durationMs = (std::max(cursor, *endTs) - startTs) * 1000.0;
    return result;
}
