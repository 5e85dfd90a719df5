#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QList>

#include <optional>

class QString;

// What the page looked like while it loaded: small JPEG thumbnails, each with its time from navigation start, in
// time order. The first frame shows the page at navigation start (blank), the last one the page once visual change
// stopped (or the view ended). Frames come only when the picture changed, so a frame stands until the next one.
//
// Size: a probe keeps at most maxFrames frames of at most maxFrameBytes each, and at most maxTotalBytes in all; at
// about 3-15 KiB a thumbnail a typical page's filmstrip is 30-300 KiB (tests/bench measures it), and the cap keeps
// even a page that animates for a minute far below the protocol's 16 MiB frame limit (base64 adds a third).
struct Filmstrip
{
    static constexpr qsizetype maxFrames = 120;
    static constexpr qsizetype maxFrameBytes = 64 * 1024;
    static constexpr qsizetype maxTotalBytes = 2 * 1024 * 1024;
    // The longer side of a thumbnail, in CSS pixels of the emulated screen.
    static constexpr int thumbnailSide = 320;

    struct Frame
    {
        double timeMs = 0; // from navigation start
        QByteArray jpeg;
        friend bool operator==(const Frame &, const Frame &) = default;
    };

    QList<Frame> frames;

    bool isEmpty() const { return frames.isEmpty(); }
    qint64 totalBytes() const;

    // At most maxFrames, within maxTotalBytes: the first and the last frame always, and the others evenly spread over
    // the frames in between, so the strip still shows the whole load.
    static Filmstrip thinned(QList<Frame> frames);

    // [{"timeMs": 0, "jpeg": "<base64>"}, …]
    QJsonArray toJson() const;
    // Checks the limits above, that times are finite, non-negative and in order, and that each frame is a JPEG.
    static std::optional<Filmstrip> fromJson(const QJsonArray &json, QString *error);
    friend bool operator==(const Filmstrip &, const Filmstrip &) = default;
};
