#pragma once

#include <QImage>
#include <QList>

#include <array>
#include <optional>

// Visual metrics from a filmstrip, the way WebPageTest's visual-metrics tool derives them, so our Speed Index
// compares with theirs:
//
// - A frame's colour histogram counts, per channel (red, green, blue), how many pixels have each of the 256
//   values; pixels that are almost white in all three channels (all above 250) are left out, so a page's background
//   does not count as progress.
// - A frame's visual progress is how much of the way its histogram has moved from the first frame's (the blank
//   page at navigation start) to the last frame's (the page once visual change stopped): per channel and value, the
//   difference last − first is the target, and the frame's own difference from the first frame fills it, matching
//   values up to 5 apart (slight colour variations from scaling and compression). Progress is the matched share of
//   all targets, rounded down to a whole percent. A last frame identical to the first means nothing was painted.
// - Speed Index is the area above the progress curve: Σ over the intervals between frames of the interval's length
//   × (1 − progress at its start), from navigation start (the page blank until the first frame) to the last frame.
// - First visual change is the first frame that differs from the first; last visual change the last frame that
//   differs from the one before; visual complete 85 % / 99 % the first frame whose progress reaches 85 / 99.
class VisualProgress final
{
public:
    struct Frame
    {
        double timeMs = 0; // from navigation start
        QImage image;
    };

    struct Metrics
    {
        std::optional<double> firstVisualChangeMs;
        std::optional<double> speedIndexMs;
        std::optional<double> visualComplete85Ms;
        std::optional<double> visualComplete99Ms;
        std::optional<double> lastVisualChangeMs;
        QList<int> progress; // per frame, in percent
    };

    using Histogram = std::array<std::array<qint64, 256>, 3>;

    static constexpr int whiteThreshold = 250;
    static constexpr int slop = 5;

    static Histogram histogram(const QImage &image);
    // In percent, rounded down; 100 when the start and final histograms are the same.
    static int progress(const Histogram &frame, const Histogram &start, const Histogram &final);
    // Frames in time order; the first shows the page before anything was painted. With fewer than two frames, or
    // when the last frame equals the first (nothing was painted), every metric is absent: unobserved, not zero.
    static Metrics compute(const QList<Frame> &frames);
};
