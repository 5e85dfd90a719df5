// libFuzzer target: any bytes through FrameCodec::decode, as a raw frame and as the QString a QWebSocket would hand
// over. Whatever decodes must re-encode and decode to the same message (checkFrame); anything else aborts, so the
// fuzzer keeps the input. How to run it: tests/fuzz/README.md.

#include "framecheck.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

void check(const FrameCodec &codec, const QByteArray &frame)
{
    const QString problem = checkFrame(codec, frame);
    if (!problem.isEmpty()) {
        std::fprintf(stderr, "%s\n", problem.toUtf8().constData());
        std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    // A small limit, so the fuzzer also walks the frame-too-large path without having to make megabytes.
    static const FrameCodec fresh(64 * 1024);
    static const FrameCodec negotiated = [] {
        FrameCodec codec(64 * 1024);
        codec.setNegotiatedVersion(1);
        return codec;
    }();

    const QByteArray frame(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    check(fresh, frame);
    check(negotiated, frame);
    // What a QWebSocket delivers: text, with broken UTF-8 already replaced.
    const DecodedFrame fromText = fresh.decode(QString::fromUtf8(frame));
    if (fromText.ok() == !fromText.error.isNull())
        std::abort();
    return 0;
}
