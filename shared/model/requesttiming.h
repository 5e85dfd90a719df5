#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

struct HttpHeader
{
    QString name;
    QString value;
    friend bool operator==(const HttpHeader &, const HttpHeader &) = default;
};

// One request as the browser made it, in milliseconds. The phases follow one another without gaps, so they add
// up to durationMs; a phase that did not happen (a reused connection has no dns or connect, plain http has no
// ssl) is absent, never 0.
struct RequestPhases
{
    std::optional<double> blocked;
    std::optional<double> dns;
    std::optional<double> connect; // TCP only; unlike HAR, ssl is not folded in
    std::optional<double> ssl;
    std::optional<double> send;
    std::optional<double> wait; // time to first byte of this request
    std::optional<double> receive;

    double sum() const;
    friend bool operator==(const RequestPhases &, const RequestPhases &) = default;
};

struct RequestTiming
{
    enum class Outcome { Finished, Failed, Unfinished };

    QString id; // unique within one page load; a redirect hop gets its own
    QString url;
    QString method;
    QString resourceType; // CDP's names: Document, Stylesheet, Script, Image, Font, XHR, Fetch, Other, …
    std::optional<int> status;
    QString statusText;
    QString protocol; // "http/1.1", "h2", …
    QString remoteIp;
    std::optional<int> remotePort;
    QString mimeType;
    std::optional<qint64> encodedBytes; // on the wire: response headers + body as sent
    std::optional<qint64> headerBytes; // the response headers' share of encodedBytes
    std::optional<qint64> decodedBytes; // the body after content decoding
    double startMs = 0; // from navigation start
    std::optional<double> durationMs; // absent while the request has not ended
    RequestPhases phases;
    Outcome outcome = Outcome::Unfinished;
    QString failureText; // Chrome's net error for a failed request, e.g. net::ERR_CONNECTION_REFUSED
    QString redirectUrl; // where this hop was redirected to
    bool fromCache = false;
    QString priority;
    QList<HttpHeader> requestHeaders;
    QList<HttpHeader> responseHeaders;

    std::optional<double> endMs() const;
    static QString outcomeName(Outcome outcome); // "finished", "failed", "unfinished"
    QJsonObject toJson() const;
    static std::optional<RequestTiming> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const RequestTiming &, const RequestTiming &) = default;
};
