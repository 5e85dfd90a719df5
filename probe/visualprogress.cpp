#include "visualprogress.h"

#include <algorithm>

VisualProgress::Histogram VisualProgress::histogram(const QImage &image)
{
    Histogram counts {};
    const QImage rgb = image.convertToFormat(QImage::Format_RGB32);
    for (int y = 0; y < rgb.height(); ++y) {
        const auto *line = reinterpret_cast<const QRgb *>(rgb.constScanLine(y));
        for (int x = 0; x < rgb.width(); ++x) {
            const int r = qRed(line[x]);
            const int g = qGreen(line[x]);
            const int b = qBlue(line[x]);
            if (r > whiteThreshold && g > whiteThreshold && b > whiteThreshold)
                continue;
            ++counts[0][r];
            ++counts[1][g];
            ++counts[2][b];
        }
    }
    return counts;
}

int VisualProgress::progress(const Histogram &frame, const Histogram &start, const Histogram &final)
{
    qint64 total = 0;
    qint64 matched = 0;
    for (std::size_t channel = 0; channel < 3; ++channel) {
        std::array<qint64, 256> available {};
        for (std::size_t value = 0; value < 256; ++value)
            available[value] = std::abs(frame[channel][value] - start[channel][value]);
        for (std::size_t value = 0; value < 256; ++value) {
            qint64 target = std::abs(final[channel][value] - start[channel][value]);
            if (target == 0)
                continue;
            total += target;
            const std::size_t low = value >= slop ? value - slop : 0;
            const std::size_t high = std::min<std::size_t>(256, value + slop);
            for (std::size_t near = low; near < high && target > 0; ++near) {
                const qint64 match = std::min(target, available[near]);
                available[near] -= match;
                matched += match;
                target -= match;
            }
        }
    }
    if (total == 0)
        return 100;
    return int(matched * 100 / total);
}

VisualProgress::Metrics VisualProgress::compute(const QList<Frame> &frames)
{
    Metrics metrics;
    if (frames.size() < 2)
        return metrics;

    QList<Histogram> histograms;
    histograms.reserve(frames.size());
    for (const Frame &frame : frames)
        histograms.append(histogram(frame.image));
    const Histogram &start = histograms.first();
    const Histogram &final = histograms.last();
    if (start == final)
        return metrics;

    // Before the first frame the page showed what the first frame shows: nothing yet.
    double speedIndex = std::max(0.0, frames.first().timeMs);
    for (qsizetype i = 0; i < frames.size(); ++i) {
        const int percent = progress(histograms[i], start, final);
        metrics.progress.append(percent);
        if (i > 0) {
            const double elapsed = frames[i].timeMs - frames[i - 1].timeMs;
            speedIndex += elapsed * (1.0 - metrics.progress[i - 1] / 100.0);
            if (!metrics.firstVisualChangeMs && histograms[i] != start)
                metrics.firstVisualChangeMs = frames[i].timeMs;
            if (histograms[i] != histograms[i - 1])
                metrics.lastVisualChangeMs = frames[i].timeMs;
        }
        if (!metrics.visualComplete85Ms && percent >= 85)
            metrics.visualComplete85Ms = frames[i].timeMs;
        if (!metrics.visualComplete99Ms && percent >= 99)
            metrics.visualComplete99Ms = frames[i].timeMs;
    }
    metrics.speedIndexMs = speedIndex;
    return metrics;
}
