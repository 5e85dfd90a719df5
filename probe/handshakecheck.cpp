#include "handshakecheck.h"

#include "protocol/codec.h"

#include <QList>

#include <algorithm>
#include <variant>

namespace {

// A browser always sends Origin (Sec-WebSocket-Origin in the drafts before RFC 6455) with a WebSocket upgrade;
// our clients never do. Header names are case-insensitive.
bool hasOriginHeader(QByteArrayView head)
{
    const QList<QByteArray> lines = head.toByteArray().split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray &line = lines.at(i);
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray name = line.left(colon).trimmed().toLower();
        if (name == "origin" || name == "sec-websocket-origin")
            return true;
    }
    return false;
}

} // namespace

HandshakeCheck::Upgrade HandshakeCheck::upgradeRequest(QByteArrayView head, qsizetype maxBytes)
{
    head = head.first(std::min(head.size(), std::max<qsizetype>(0, maxBytes)));
    const qsizetype end = head.indexOf(QByteArrayView("\r\n\r\n"));
    if (end < 0)
        return head.size() >= maxBytes ? Upgrade::TooLarge : Upgrade::Incomplete;
    return hasOriginHeader(head.first(end + 2)) ? Upgrade::HasOrigin : Upgrade::Acceptable;
}

HandshakeCheck::FirstFrame HandshakeCheck::firstFrame(const QString &text, const QByteArray &token)
{
    const FrameCodec codec(FrameCodec::handshakeMaxFrameBytes);
    const DecodedFrame frame = codec.decode(text);
    if (!frame.ok() && frame.error.code == ProtocolError::frameTooLarge)
        return { FirstFrame::Kind::TooLarge, frame.error };
    const auto *auth = frame.ok() ? std::get_if<AuthMessage>(&*frame.message) : nullptr;
    if (!auth)
        return { FirstFrame::Kind::NotAuth, {} };
    if (!constantTimeEquals(auth->token.toUtf8(), token))
        return { FirstFrame::Kind::WrongToken, {} };
    return { FirstFrame::Kind::Authenticated, {} };
}

bool HandshakeCheck::constantTimeEquals(const QByteArray &given, const QByteArray &expected)
{
    const qsizetype length = std::max(given.size(), expected.size());
    unsigned char difference = given.size() == expected.size() ? 0 : 1;
    for (qsizetype i = 0; i < length; ++i) {
        const auto x = static_cast<unsigned char>(i < given.size() ? given.at(i) : 0);
        const auto y = static_cast<unsigned char>(i < expected.size() ? expected.at(i) : 0);
        difference |= static_cast<unsigned char>(x ^ y);
    }
    return difference == 0 && !expected.isEmpty();
}
