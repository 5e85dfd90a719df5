#pragma once

#include <QString>
#include <QStringView>

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

// WebSocket close codes a probe uses. 4000–4999 are for applications (RFC 6455 §7.4.2); 1009 is the standard
// "message too big".
enum class ProtocolCloseCode : quint16 {
    Normal = 1000,
    GoingAway = 1001, // the probe is shutting down (idle, or its parent has gone)
    FrameTooLarge = 1009,
    Unauthorized = 4001, // the first frame was not a valid `auth`, or its token was wrong
    AuthTimeout = 4002, // no `auth` within the handshake deadline
    RateLimited = 4003, // too many failed handshakes from this address; try again later
    UnsupportedVersion = 4004, // the two sides share no protocol version
};
