#pragma once

#include "historystore.h"

#include <QString>

#include <optional>

// A history shaped like real tests, for the memory benchmark: `tests` tests of five sites from three regions
// (Frankfurt, Virginia, Sydney, each at its round trip to the sites), about `requestsPerView` requests a view from
// the site, its CDN and third parties, with the headers, phases and metrics a probe reports. The same every time
// (a fixed seed).
class BenchHistory final
{
public:
    BenchHistory() = delete;

    struct FillResult
    {
        int tests = 0;
        qint64 requests = 0;
        double ms = 0;
    };

    // Writes the tests through the store's public API, frame by frame in the order a live test would: requests as
    // they end, then the metrics, the run's end and the region's state, for each region in turn.
    static std::optional<FillResult> fill(HistoryStore &store, int tests, int requestsPerView, QString *error);
};
