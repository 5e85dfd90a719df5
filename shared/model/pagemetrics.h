#pragma once

#include <QJsonObject>
#include <QList>

#include <optional>

// The page-level numbers of one view, in milliseconds from navigation start. Each is Chrome's own value for that
// run; one the browser did not report (no paint on a blank page, no load event before the timeout) is absent.
struct PageMetrics
{
    std::optional<int> documentStatus;
    std::optional<double> ttfbMs; // responseStart of the final document
    std::optional<double> firstContentfulPaintMs;
    std::optional<double> largestContentfulPaintMs;
    std::optional<double> domContentLoadedMs; // domContentLoadedEventEnd
    std::optional<double> loadMs; // loadEventEnd
    std::optional<double> fullyLoadedMs; // the last request's end, once the network was quiet for 2 s
    std::optional<double> cumulativeLayoutShift; // unitless score
    // From the filmstrip (VisualProgress): absent unless one was recorded and the page painted something.
    std::optional<double> firstVisualChangeMs;
    std::optional<double> speedIndexMs;
    std::optional<double> visualComplete85Ms;
    std::optional<double> visualComplete99Ms;
    std::optional<double> lastVisualChangeMs;
    // The main thread, from the page's long tasks (50 ms or more) until the end of the load. Absent when the page
    // could not be watched (the view failed before it committed); a watched page without long tasks has a count and
    // a TBT of 0 and no longest task.
    std::optional<double> totalBlockingTimeMs; // Σ (task − 50 ms), each task clipped to [FCP, end of load]
    std::optional<double> longestTaskMs;
    std::optional<double> longTaskCount; // a count; optional like the timings, so "not watched" is not 0
    int requestCount = 0;
    qint64 totalEncodedBytes = 0;
    qint64 totalDecodedBytes = 0;

    QJsonObject toJson() const;
    static std::optional<PageMetrics> fromJson(const QJsonObject &json, QString *error);
    // Each metric's median over the views that observed it; absent where none did.
    static PageMetrics median(const QList<PageMetrics> &runs);
    friend bool operator==(const PageMetrics &, const PageMetrics &) = default;
};
