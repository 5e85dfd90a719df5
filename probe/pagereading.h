#pragma once

#include "model/loaderror.h"
#include "model/longtask.h"
#include "model/pagemetrics.h"
#include "model/requesttiming.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

// What a page says about its own load: the scripts that read Chrome's performance timeline inside the page, and how
// their answer (with the requests the network saw) becomes PageMetrics. PageLoad decides when to ask; this is what
// the answer means, in one place, so each metric the page reports is read here and nowhere else.
namespace PageReading {

// Evaluated once a view has ended; resolves to an object of the page's own figures (absent ones left out).
QString metricsScript();
// Evaluated right after the load event: the same figures as they are then, without the settling wait.
QString metricsAtLoadScript();
// Registered before the page's scripts run, in every document of the session, so no long task goes unseen.
QString longTaskWatcher();

// TTFB, paint and navigation times, CLS, the document's status and the request totals. documentId is the
// network's id of the page's document request (empty when none was seen).
void readPage(
    PageMetrics &metrics, const QJsonObject &page, const QList<RequestTiming> &requests, const QString &documentId);
// What the view knew at its load event, from metricsAtLoadScript()'s answer: readPage's figures over the requests
// that had ended (LCP and CLS so far), and nothing that needs the view's end (fully loaded, long tasks).
PageMetrics readAtLoad(
    const PageMetrics &known, const QJsonObject &page, const QList<RequestTiming> &requests, const QString &documentId);
// TBT, the longest task and the count, from the watcher's tasks; needs FCP and fully loaded (or load) set first.
// Returns the tasks counted, the first LongTask::maxPerView of them, for the result's main-thread row.
QList<LongTask> readLongTasks(PageMetrics &metrics, const QJsonObject &page);
// The view's failure when the document itself answered with an HTTP error.
std::optional<LoadError> httpError(
    const PageMetrics &metrics, const QList<RequestTiming> &requests, const QString &documentId);

} // namespace PageReading
