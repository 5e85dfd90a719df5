#pragma once

#include "model/requesttiming.h"

#include <QJsonObject>

#include <optional>

// Cuts one request's time into DevTools' phases from what CDP reports: the request's start (requestWillBeSent's
// timestamp), `response.timing` (requestTime plus millisecond offsets of each boundary, -1 where a phase did not
// happen) and its end (loadingFinished/loadingFailed). The phases start → blocked → dns → connect → ssl → send →
// wait → receive → end are cut with a cursor that never goes back, so each phase starts where the previous one
// ended and together they cover the request exactly, even when Chrome's boundaries overlap or run backwards.
class PhaseCutter final
{
public:
    struct Cut
    {
        RequestPhases phases;
        std::optional<double> durationMs; // present when the request ended
    };

    // Times in CDP's monotonic seconds; `responseTiming` may be empty (no response: every phase absent).
    static Cut cut(double startTs, const QJsonObject &responseTiming, std::optional<double> endTs);
};
