#pragma once

#include "protocol/protocolerror.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

// What the ConnectionGate decides from the bytes an unauthenticated connection sends: its HTTP upgrade request and
// its first WebSocket message. No sockets and no clock here: the gate does the I/O and the timing, these only read
// bytes, so everything a stranger can send before `auth` is parsed in one place that tests and the fuzzer reach
// without a network (tests/fuzz/fuzz_handshake.cpp).
class HandshakeCheck final
{
public:
    enum class Upgrade {
        Incomplete, // no end of the header yet, and below the limit: wait for more
        TooLarge, // no end of the header within maxBytes: 431
        HasOrigin, // a browser's request (Origin or Sec-WebSocket-Origin): 403
        Acceptable, // hand it to the WebSocket server
    };
    // `head` is what the connection has sent so far (the gate peeks at most maxBytes of it).
    static Upgrade upgradeRequest(QByteArrayView head, qsizetype maxBytes);

    struct FirstFrame
    {
        enum class Kind {
            Authenticated, // `auth` with the right token
            TooLarge, // over FrameCodec::handshakeMaxFrameBytes: answered with `error` and 1009
            NotAuth, // anything else that fits: refused like a wrong token
            WrongToken,
        };
        Kind kind = Kind::NotAuth;
        ProtocolError error; // what a TooLarge frame is answered with
    };
    static FirstFrame firstFrame(const QString &text, const QByteArray &token);

    // Runs as long as the longer input, so the time taken says nothing about where the first difference is. An
    // empty expected token matches nothing.
    static bool constantTimeEquals(const QByteArray &given, const QByteArray &expected);
};
