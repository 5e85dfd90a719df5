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

// What made the browser ask for a request, as DevTools' Initiator column tells it: the HTML parser of a document
// (at a line of it), a script (its top stack frame), a preload, or something else. Unknown (an older probe's
// request) when type is empty.
struct RequestInitiator
{
    QString type; // CDP's names: parser, script, preload, SignedExchange, preflight, other, …
    QString url; // the document or script that asked; empty when the browser did not say
    std::optional<int> line; // in url, 1-based as people and editors count (CDP's lineNumber is 0-based)

    bool isKnown() const { return !type.isEmpty(); }
    friend bool operator==(const RequestInitiator &, const RequestInitiator &) = default;
};

struct RequestTiming
{
    enum class Outcome { Finished, Failed, Unfinished };

    // The wire's limits (PROTOCOL.md, RequestTiming), in UTF-16 units: fromJson() refuses a longer field.
    struct Limits
    {
        static constexpr qsizetype id = 256;
        static constexpr qsizetype url = 64 * 1024; // url, redirectUrl, initiator.url
        static constexpr qsizetype shortText = 32; // method, priority
        static constexpr qsizetype name = 64; // resourceType, protocol, remoteIp, initiator.type
        static constexpr qsizetype mimeType = 256;
        static constexpr qsizetype text = 1024; // statusText, failureText
        static constexpr qsizetype headers = 256; // per list
        static constexpr qsizetype headerName = 1024;
        static constexpr qsizetype headerValue = 64 * 1024;
    };

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
    // The test's own settings blocked it (--block, --block-domains): never sent, on purpose. A refusal of the probe's
    // URL policy is not this: it is a failure whose failureText says why.
    bool blocked = false;
    QString priority;
    RequestInitiator initiator;
    QList<HttpHeader> requestHeaders;
    QList<HttpHeader> responseHeaders;

    std::optional<double> endMs() const;
    // Cuts every field to its wire limit (never inside a surrogate pair) and drops headers beyond the count, so
    // what a page made up fits the protocol. Returns whether anything was cut.
    bool fitToLimits();
    static QString outcomeName(Outcome outcome); // "finished", "failed", "unfinished"
    QJsonObject toJson() const;
    static std::optional<RequestTiming> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const RequestTiming &, const RequestTiming &) = default;
};
