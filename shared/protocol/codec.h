#pragma once

#include "message.h"
#include "protocolerror.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

// What came out of one frame: a message, or the error to answer it with. The envelope fields are kept even when
// the body was bad, so the caller can answer an unknown type or an invalid `run` with an `error` naming the run.
struct DecodedFrame
{
    std::optional<Message> message;
    ProtocolError error; // null exactly when message is set
    int version = 0; // the frame's "v"; 0 when it could not be read
    QString type; // the frame's "type"; empty when it could not be read
    QString runId; // the frame's "runId" when it is a valid identifier, whatever else was wrong

    bool ok() const { return message.has_value(); }
};

// Turns messages into WebSocket text frames and frames back into messages. It never throws and accepts any bytes:
// every input gives either a message or a ProtocolError (codes in protocolerror.h, rules in PROTOCOL.md).
// Not a QObject: one per connection, owned by value by whoever owns the socket.
class FrameCodec final
{
public:
    static constexpr qsizetype defaultMaxFrameBytes = 1024 * 1024;
    // What a probe accepts before `auth` has succeeded: `auth` is small (a token of 4096 ASCII characters fits).
    static constexpr qsizetype handshakeMaxFrameBytes = 8 * 1024;
    // The app raises its limit for frames from probes to this, because a `metrics` frame may carry a screenshot.
    static constexpr qsizetype screenshotMaxFrameBytes = 16 * 1024 * 1024;

    explicit FrameCodec(qsizetype maxFrameBytes = defaultMaxFrameBytes);

    qsizetype maxFrameBytes() const { return m_maxFrameBytes; }
    void setMaxFrameBytes(qsizetype bytes) { m_maxFrameBytes = bytes; }

    // Once the handshake has picked a version, every frame but `auth` and `hello` must carry it, and encode()
    // writes it. Before that, frames of any v ≥ 1 are read by the rules of v1 and encode() writes our highest.
    std::optional<int> negotiatedVersion() const { return m_negotiatedVersion; }
    void setNegotiatedVersion(int version) { m_negotiatedVersion = version; }
    int sendVersion() const { return m_negotiatedVersion.value_or(VersionRange::supported().max); }

    // Compact JSON, UTF-8: {"type":…,"v":…,…the message's fields}.
    QByteArray encode(const Message &message) const;
    QString encodeText(const Message &message) const;

    DecodedFrame decode(QByteArrayView frame) const;
    // QWebSocket::textMessageReceived hands over a QString.
    DecodedFrame decode(const QString &frame) const;

private:
    qsizetype m_maxFrameBytes;
    std::optional<int> m_negotiatedVersion;
};

QString describe(const ProtocolError &error);
QString describe(const DecodedFrame &frame);
