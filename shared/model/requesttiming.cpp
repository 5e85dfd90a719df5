#include "requesttiming.h"

#include "jsonreader.h"

#include <QJsonArray>

#include <limits>
#include <utility>

namespace {

using Limits = RequestTiming::Limits;
constexpr double maxMs = 24.0 * 3600 * 1000;

void putOptional(QJsonObject &json, const QString &key, const std::optional<double> &value)
{
    if (value)
        json.insert(key, *value);
}

void putOptional(QJsonObject &json, const QString &key, const std::optional<qint64> &value)
{
    if (value)
        json.insert(key, static_cast<double>(*value));
}

void putOptional(QJsonObject &json, const QString &key, const std::optional<int> &value)
{
    if (value)
        json.insert(key, *value);
}

void putString(QJsonObject &json, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        json.insert(key, value);
}

QJsonArray headersToJson(const QList<HttpHeader> &headers)
{
    QJsonArray array;
    for (const HttpHeader &header : headers)
        array.append(
            QJsonObject { { QStringLiteral("name"), header.name }, { QStringLiteral("value"), header.value } });
    return array;
}

QList<HttpHeader> headersFromJson(JsonReader &reader, const QString &key)
{
    QList<HttpHeader> headers;
    const QJsonArray array = reader.array(key, JsonReader::Presence::Optional, Limits::headers);
    for (const QJsonValue &value : array) {
        JsonReader item(value.toObject(), key);
        if (!value.isObject())
            item.fail(QStringLiteral("[]"), QStringLiteral("expected an object"));
        HttpHeader header { item.string(QStringLiteral("name"), JsonReader::Presence::Required, Limits::headerName),
            item.string(QStringLiteral("value"), JsonReader::Presence::Optional, Limits::headerValue) };
        reader.adopt(item);
        headers.append(std::move(header));
    }
    return headers;
}

// Cuts `text` to `max` UTF-16 units without leaving half a surrogate pair; true if it was longer.
bool cut(QString &text, qsizetype max)
{
    if (text.size() <= max)
        return false;
    qsizetype keep = max;
    if (keep > 0 && text.at(keep - 1).isHighSurrogate())
        --keep;
    text.truncate(keep);
    return true;
}

bool fitHeaders(QList<HttpHeader> &headers)
{
    bool cutAny = false;
    if (headers.size() > Limits::headers) {
        headers.resize(Limits::headers);
        cutAny = true;
    }
    for (HttpHeader &header : headers) {
        cutAny = cut(header.name, Limits::headerName) || cutAny;
        cutAny = cut(header.value, Limits::headerValue) || cutAny;
    }
    return cutAny;
}

// Absent in an older probe's frames: unknown, not an error. Present, it names its type.
RequestInitiator initiatorFromJson(JsonReader &reader)
{
    using P = JsonReader::Presence;
    const QString key = QStringLiteral("initiator");
    if (!reader.has(key))
        return {};
    JsonReader item = reader.child(reader.object(key), key);
    RequestInitiator initiator;
    initiator.type = item.string(QStringLiteral("type"), P::Required, Limits::name);
    if (item.ok() && initiator.type.isEmpty())
        item.fail(QStringLiteral("type"), QStringLiteral("must not be empty"));
    initiator.url = item.string(QStringLiteral("url"), P::Optional, Limits::url);
    if (const auto line = item.integer(QStringLiteral("line"), P::Optional, 1, std::numeric_limits<int>::max()))
        initiator.line = static_cast<int>(*line);
    reader.adopt(item);
    return reader.ok() ? initiator : RequestInitiator {};
}

std::optional<RequestTiming::Outcome> outcomeFromString(const QString &text)
{
    if (text == u"finished")
        return RequestTiming::Outcome::Finished;
    if (text == u"failed")
        return RequestTiming::Outcome::Failed;
    if (text == u"unfinished")
        return RequestTiming::Outcome::Unfinished;
    return std::nullopt;
}

} // namespace

double RequestPhases::sum() const
{
    double total = 0;
    for (const auto &phase : { blocked, dns, connect, ssl, send, wait, receive })
        total += phase.value_or(0);
    return total;
}

QString RequestTiming::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case RequestTiming::Outcome::Finished:
        return QStringLiteral("finished");
    case RequestTiming::Outcome::Failed:
        return QStringLiteral("failed");
    case RequestTiming::Outcome::Unfinished:
        break;
    }
    return QStringLiteral("unfinished");
}

bool RequestTiming::fitToLimits()
{
    bool cutAny = false;
    for (auto [field, max] :
        { std::pair { &id, Limits::id }, std::pair { &url, Limits::url }, std::pair { &redirectUrl, Limits::url },
            std::pair { &method, Limits::shortText }, std::pair { &priority, Limits::shortText },
            std::pair { &resourceType, Limits::name }, std::pair { &protocol, Limits::name },
            std::pair { &remoteIp, Limits::name }, std::pair { &mimeType, Limits::mimeType },
            std::pair { &statusText, Limits::text }, std::pair { &failureText, Limits::text },
            std::pair { &initiator.type, Limits::name }, std::pair { &initiator.url, Limits::url } })
        cutAny = cut(*field, max) || cutAny;
    cutAny = fitHeaders(requestHeaders) || cutAny;
    cutAny = fitHeaders(responseHeaders) || cutAny;
    return cutAny;
}

std::optional<double> RequestTiming::endMs() const
{
    if (!durationMs)
        return std::nullopt;
    return startMs + *durationMs;
}

QJsonObject RequestTiming::toJson() const
{
    QJsonObject json;
    json.insert(QStringLiteral("id"), id);
    json.insert(QStringLiteral("url"), url);
    putString(json, QStringLiteral("method"), method);
    putString(json, QStringLiteral("resourceType"), resourceType);
    putOptional(json, QStringLiteral("status"), status);
    putString(json, QStringLiteral("statusText"), statusText);
    putString(json, QStringLiteral("protocol"), protocol);
    putString(json, QStringLiteral("remoteIp"), remoteIp);
    putOptional(json, QStringLiteral("remotePort"), remotePort);
    putString(json, QStringLiteral("mimeType"), mimeType);
    putOptional(json, QStringLiteral("encodedBytes"), encodedBytes);
    putOptional(json, QStringLiteral("headerBytes"), headerBytes);
    putOptional(json, QStringLiteral("decodedBytes"), decodedBytes);
    json.insert(QStringLiteral("startMs"), startMs);
    putOptional(json, QStringLiteral("durationMs"), durationMs);
    QJsonObject phasesJson;
    putOptional(phasesJson, QStringLiteral("blocked"), phases.blocked);
    putOptional(phasesJson, QStringLiteral("dns"), phases.dns);
    putOptional(phasesJson, QStringLiteral("connect"), phases.connect);
    putOptional(phasesJson, QStringLiteral("ssl"), phases.ssl);
    putOptional(phasesJson, QStringLiteral("send"), phases.send);
    putOptional(phasesJson, QStringLiteral("wait"), phases.wait);
    putOptional(phasesJson, QStringLiteral("receive"), phases.receive);
    json.insert(QStringLiteral("phases"), phasesJson);
    json.insert(QStringLiteral("outcome"), outcomeName(outcome));
    putString(json, QStringLiteral("failureText"), failureText);
    putString(json, QStringLiteral("redirectUrl"), redirectUrl);
    if (fromCache)
        json.insert(QStringLiteral("fromCache"), true);
    if (blocked)
        json.insert(QStringLiteral("blocked"), true);
    putString(json, QStringLiteral("priority"), priority);
    if (initiator.isKnown()) {
        QJsonObject initiatorJson { { QStringLiteral("type"), initiator.type } };
        putString(initiatorJson, QStringLiteral("url"), initiator.url);
        putOptional(initiatorJson, QStringLiteral("line"), initiator.line);
        json.insert(QStringLiteral("initiator"), initiatorJson);
    }
    if (!requestHeaders.isEmpty())
        json.insert(QStringLiteral("requestHeaders"), headersToJson(requestHeaders));
    if (!responseHeaders.isEmpty())
        json.insert(QStringLiteral("responseHeaders"), headersToJson(responseHeaders));
    return json;
}

std::optional<RequestTiming> RequestTiming::fromJson(const QJsonObject &json, QString *error)
{
    using P = JsonReader::Presence;
    JsonReader r(json);
    RequestTiming t;
    t.id = r.string(QStringLiteral("id"), P::Required, Limits::id);
    t.url = r.string(QStringLiteral("url"), P::Required, Limits::url);
    t.method = r.string(QStringLiteral("method"), P::Optional, Limits::shortText);
    t.resourceType = r.string(QStringLiteral("resourceType"), P::Optional, Limits::name);
    if (auto status = r.integer(QStringLiteral("status"), P::Optional, 0, 999))
        t.status = static_cast<int>(*status);
    t.statusText = r.string(QStringLiteral("statusText"), P::Optional, Limits::text);
    t.protocol = r.string(QStringLiteral("protocol"), P::Optional, Limits::name);
    t.remoteIp = r.string(QStringLiteral("remoteIp"), P::Optional, Limits::name);
    if (auto port = r.integer(QStringLiteral("remotePort"), P::Optional, 0, 65535))
        t.remotePort = static_cast<int>(*port);
    t.mimeType = r.string(QStringLiteral("mimeType"), P::Optional, Limits::mimeType);
    t.encodedBytes = r.integer(QStringLiteral("encodedBytes"), P::Optional, 0);
    t.headerBytes = r.integer(QStringLiteral("headerBytes"), P::Optional, 0);
    t.decodedBytes = r.integer(QStringLiteral("decodedBytes"), P::Optional, 0);
    t.startMs = r.number(QStringLiteral("startMs"), P::Required, -maxMs, maxMs).value_or(0);
    t.durationMs = r.number(QStringLiteral("durationMs"), P::Optional, 0, maxMs);
    JsonReader p = r.child(r.object(QStringLiteral("phases")), QStringLiteral("phases"));
    t.phases.blocked = p.number(QStringLiteral("blocked"), P::Optional, 0, maxMs);
    t.phases.dns = p.number(QStringLiteral("dns"), P::Optional, 0, maxMs);
    t.phases.connect = p.number(QStringLiteral("connect"), P::Optional, 0, maxMs);
    t.phases.ssl = p.number(QStringLiteral("ssl"), P::Optional, 0, maxMs);
    t.phases.send = p.number(QStringLiteral("send"), P::Optional, 0, maxMs);
    t.phases.wait = p.number(QStringLiteral("wait"), P::Optional, 0, maxMs);
    t.phases.receive = p.number(QStringLiteral("receive"), P::Optional, 0, maxMs);
    r.adopt(p);
    const QString outcome = r.string(QStringLiteral("outcome"), P::Optional, 32);
    if (!outcome.isEmpty()) {
        if (auto parsed = outcomeFromString(outcome))
            t.outcome = *parsed;
        else
            r.fail(QStringLiteral("outcome"), QStringLiteral("unknown outcome \"%1\"").arg(outcome));
    }
    t.failureText = r.string(QStringLiteral("failureText"), P::Optional, Limits::text);
    t.redirectUrl = r.string(QStringLiteral("redirectUrl"), P::Optional, Limits::url);
    t.fromCache = r.boolean(QStringLiteral("fromCache"));
    t.blocked = r.boolean(QStringLiteral("blocked"));
    t.priority = r.string(QStringLiteral("priority"), P::Optional, Limits::shortText);
    t.initiator = initiatorFromJson(r);
    t.requestHeaders = headersFromJson(r, QStringLiteral("requestHeaders"));
    t.responseHeaders = headersFromJson(r, QStringLiteral("responseHeaders"));
    if (!r.ok()) {
        if (error)
            *error = r.error();
        return std::nullopt;
    }
    return t;
}
