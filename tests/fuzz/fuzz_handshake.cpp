// libFuzzer target: what a stranger sends the probe before `auth` (shared/protocol/PROTOCOL.md §3), as it arrives
// on the wire: an HTTP upgrade request, then the first WebSocket message. The input is both at once: the bytes up
// to the first blank line are the request (HandshakeCheck::upgradeRequest, under the gate's real limit and under a
// tiny one), what follows is the message's text (HandshakeCheck::firstFrame against a fixed token). The same bytes,
// read 9 at a time, are also a stream of failed handshakes for a HandshakeThrottle (an address's /64 or IPv4, and
// how far the clock moved), whose bounds must hold whatever the addresses and times.

#include "fuzzcheck.h"
#include "handshakecheck.h"
#include "handshakethrottle.h"
#include "protocol/codec.h"

#include <QHostAddress>

#include <cstdint>
#include <variant>

namespace {

constexpr qsizetype gateLimit = 8 * 1024; // ConnectionGate::Limits::maxUpgradeRequestBytes
const QByteArray token = QByteArrayLiteral("s3cr3t-token_with.any~chars");

void checkUpgrade(QByteArrayView input, qsizetype limit)
{
    const HandshakeCheck::Upgrade verdict = HandshakeCheck::upgradeRequest(input, limit);
    const QByteArrayView seen = input.first(std::min(input.size(), limit));
    const bool ended = seen.indexOf(QByteArrayView("\r\n\r\n")) >= 0;
    switch (verdict) {
    case HandshakeCheck::Upgrade::Incomplete:
        fuzzExpect(
            !ended && seen.size() < limit, QStringLiteral("Incomplete, but the header ended or is at the limit"));
        break;
    case HandshakeCheck::Upgrade::TooLarge:
        fuzzExpect(!ended && seen.size() >= limit, QStringLiteral("TooLarge, but the header ended within the limit"));
        break;
    case HandshakeCheck::Upgrade::HasOrigin:
    case HandshakeCheck::Upgrade::Acceptable:
        fuzzExpect(ended, QStringLiteral("accepted or refused a header that did not end within the limit"));
        break;
    }
    // The gate only ever peeks at `limit` bytes: what lies beyond may not change the verdict.
    fuzzExpect(HandshakeCheck::upgradeRequest(seen, limit) == verdict, QStringLiteral("bytes past the limit mattered"));
}

void checkFirstFrame(const QString &text)
{
    const HandshakeCheck::FirstFrame verdict = HandshakeCheck::firstFrame(text, token);
    const DecodedFrame frame = FrameCodec(FrameCodec::handshakeMaxFrameBytes).decode(text);
    const auto *auth = frame.ok() ? std::get_if<AuthMessage>(&*frame.message) : nullptr;
    switch (verdict.kind) {
    case HandshakeCheck::FirstFrame::Kind::Authenticated:
        fuzzExpect(auth && auth->token.toUtf8() == token, QStringLiteral("let in without the token: ") + text);
        break;
    case HandshakeCheck::FirstFrame::Kind::WrongToken:
        fuzzExpect(auth && auth->token.toUtf8() != token, QStringLiteral("WrongToken for the right one: ") + text);
        break;
    case HandshakeCheck::FirstFrame::Kind::NotAuth:
        fuzzExpect(!auth, QStringLiteral("an auth frame taken for something else: ") + text);
        break;
    case HandshakeCheck::FirstFrame::Kind::TooLarge:
        fuzzExpect(!frame.ok() && !verdict.error.message.isEmpty(), QStringLiteral("TooLarge without an error"));
        break;
    }
}

void checkThrottle(QByteArrayView input)
{
    const HandshakeThrottle::Policy policy { std::chrono::milliseconds(1'000), std::chrono::milliseconds(250),
        std::chrono::milliseconds(5'000), 8 };
    HandshakeThrottle throttle(policy);
    qint64 now = 0;
    for (qsizetype at = 0; at + 9 <= input.size(); at += 9) {
        const auto byte = [&](qsizetype i) { return static_cast<std::uint8_t>(input.at(at + i)); };
        QHostAddress address;
        if (byte(0) & 1) {
            Q_IPV6ADDR ipv6 {};
            for (int i = 0; i < 8; ++i)
                ipv6[i] = byte(1 + i); // the /64; the interface half stays 0
            address.setAddress(ipv6);
        } else {
            address.setAddress(quint32(byte(1)) << 24 | quint32(byte(2)) << 16 | quint32(byte(3)) << 8 | byte(4));
        }
        now += qint64(byte(0) >> 1) * 16; // up to ~2 s per step, so the 1 s window is crossed both ways
        const std::chrono::milliseconds delay = throttle.noteFailure(address, now);
        fuzzExpect(delay >= policy.firstDelay && delay <= policy.maxDelay, QStringLiteral("delay out of bounds"));
        fuzzExpect(throttle.recentFailures(address, now) >= 1, QStringLiteral("a failure just noted is not counted"));
        fuzzExpect(throttle.size() <= policy.maxBlocks, QStringLiteral("more blocks than maxBlocks"));
    }
    throttle.prune(now + policy.window.count() + 1);
    fuzzExpect(throttle.size() == 0, QStringLiteral("prune kept a block past the window"));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    checkUpgrade(input, gateLimit);
    checkUpgrade(input, 64);

    const qsizetype end = input.indexOf(QByteArrayView("\r\n\r\n"));
    const QByteArrayView message = end < 0 ? input : input.sliced(end + 4);
    // What QWebSocket::textMessageReceived hands over: text, with broken UTF-8 already replaced.
    checkFirstFrame(QString::fromUtf8(message));
    const QByteArray given = message.toByteArray();
    fuzzExpect(HandshakeCheck::constantTimeEquals(given, token) == (given == token),
        QStringLiteral("constantTimeEquals disagrees with =="));
    fuzzExpect(!HandshakeCheck::constantTimeEquals(given, {}), QStringLiteral("an empty token matched"));

    checkThrottle(input);
    return 0;
}
