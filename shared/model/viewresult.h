#pragma once

#include "filmstrip.h"
#include "loaderror.h"
#include "longtask.h"
#include "pagemetrics.h"
#include "requesttiming.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// One view of a page: the first (cold cache) or the repeat (warm, same browser context). An error does not erase
// what was seen before it: a timed-out view keeps its partial waterfall and whatever metrics Chrome had.
struct ViewResult
{
    QString url; // as asked
    QString finalUrl; // after redirects
    QDateTime startedAt; // UTC wall clock at navigation start
    PageMetrics metrics;
    QList<RequestTiming> requests; // in start order
    QByteArray screenshotPng;
    Filmstrip filmstrip; // empty unless one was asked for (the first view only)
    QList<LongTask> longTasks; // the first LongTask::maxPerView until the view's end; empty: none, or not watched
    std::optional<LoadError> error;
    // What the probe cut short or refused while the page loaded, in words (e.g. connections its policy refused);
    // the numbers above are of what it did load. A repeat view's list includes the first view's: both views share
    // one browser context, and so one set of looked-up names. Within model/warnings.h's limits.
    QStringList warnings;

    bool ok() const { return !error.has_value(); }
    QJsonObject toJson() const;
    static std::optional<ViewResult> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const ViewResult &, const ViewResult &) = default;
};
