#pragma once

#include <QString>
#include <QStringView>

#include <chrono>
#include <optional>

// Why a frame could not be used. The code is a stable name on the wire (it goes out as the `code` of an `error`
// message); the message is for people and names the offending field where there is one.
struct ProtocolError
{
    // Codes the codec itself produces.
    static constexpr QStringView frameTooLarge = u"frame-too-large";
    static constexpr QStringView malformed = u"malformed";
    static constexpr QStringView unknownType = u"unknown-type";
    static constexpr QStringView invalidMessage = u"invalid-message";
    static constexpr QStringView versionMismatch = u"version-mismatch";
    // Codes the session layer (probe server, app client) sends; listed here so both ends spell them alike.
    static constexpr QStringView unsupportedVersion = u"unsupported-version";
    static constexpr QStringView handshakeRequired = u"handshake-required";
    static constexpr QStringView busy = u"busy";
    static constexpr QStringView unknownRun = u"unknown-run";
    static constexpr QStringView duplicateRun = u"duplicate-run";
    static constexpr QStringView internal = u"internal";

    QString code;
    QString message;

    bool isNull() const { return code.isEmpty(); }
    friend bool operator==(const ProtocolError &, const ProtocolError &) = default;
};

// WebSocket close codes of the protocol. 4000–4999 are for applications (RFC 6455 §7.4.2); 1007 and 1009 are the
// standard "invalid frame payload data" and "message too big".
enum class ProtocolCloseCode : quint16 {
    Normal = 1000,
    GoingAway = 1001, // the probe is shutting down (idle, or its parent has gone)
    InvalidText = 1007, // a text message that is not valid UTF-8 (the WebSocket layer refuses it)
    FrameTooLarge = 1009,
    Unauthorized = 4001, // the first frame was not a valid `auth`, or its token was wrong
    AuthTimeout = 4002, // no `auth` within the handshake deadline
    TryAgainLater = 4003, // the probe shed this unauthenticated connection; the reason says when to come back
    UnsupportedVersion = 4004, // the two sides share no protocol version
};

// The reason that goes with 4003: "retry-after-ms=N", the least time to wait before connecting again.
struct RetryAfter
{
    static QString reason(std::chrono::milliseconds delay)
    {
        return QStringLiteral("retry-after-ms=%1").arg(delay.count());
    }

    // Nullopt when the reason does not say (a peer that writes something else): the caller picks its own delay.
    static std::optional<std::chrono::milliseconds> fromReason(QStringView reason)
    {
        constexpr QStringView prefix = u"retry-after-ms=";
        if (!reason.startsWith(prefix))
            return std::nullopt;
        bool ok = false;
        const qlonglong ms = reason.mid(prefix.size()).toLongLong(&ok);
        if (!ok || ms < 0)
            return std::nullopt;
        return std::chrono::milliseconds(ms);
    }
};
