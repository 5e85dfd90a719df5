#pragma once

#include "runresult.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <optional>

// Turns measured runs into a HAR 1.2 document (http://www.softwareishard.com/blog/har-12-spec/) that other tools,
// Chrome DevTools' Network panel first among them, can import.
//
// Each view is one page: the first view of the n-th added run is "page_<n>", its repeat view "page_<n>_repeat". A
// script's run that measured several steps has a page per step: step 1 is "page_<n>" as ever, step k
// "page_<n>_step<k>", each with a _step field (its number) and titled by the step's name or URL; each page's
// entries are that step's requests only.
// Every request appears as an entry, failed and unfinished ones too (status 0 when no response arrived, an _error
// field saying why). Conversions a reader should know about:
//  - timings: HAR's connect includes ssl, ours does not, so connect_har = connect + ssl; a phase that did not
//    happen is -1 for blocked/dns/connect/ssl and 0 for send/wait/receive, which HAR does not let be -1. An entry's
//    time is the sum of blocked, dns, connect_har, send, wait and receive that are not -1 (so ssl is counted once).
//  - pageTimings are relative to the page's startedDateTime, -1 when the browser did not report them.
//  - response.bodySize is the encoded body (encodedBytes - headerBytes), -1 when either is unknown; content.size is
//    the decoded body; content.compression their difference when both are known.
//  - custom fields (leading underscore, as the spec allows): _resourceType and _priority (DevTools reads both, in
//    its own lower-case names), _transferSize, _error, _blocked (the test's own settings blocked the request),
//    WebPageTest's _initiator_type, _initiator (its URL) and _initiator_line (counted from 1) when the initiator is
//    known; on pages _firstContentfulPaint, _largestContentfulPaint, _fullyLoaded, _error.
class HarBuilder final
{
public:
    explicit HarBuilder(QString creatorVersion);

    // Adds the run's first view and, if it has one, its repeat view as pages. The browser named in the log is
    // the first added run's.
    void addRun(const RunResult &run);

    QJsonObject document() const;
    QByteArray toBytes(QJsonDocument::JsonFormat format = QJsonDocument::Indented) const;
    // Writes atomically (a failed write leaves an existing file as it was). On failure returns false and says why.
    bool writeToFile(const QString &path, QString *error) const;

    static QString pageId(int runNumber, bool repeatView);
    // Step `step` (from 1) of the run's measured steps; step 1's is pageId(runNumber, false).
    static QString stepPageId(int runNumber, int step);

private:
    void addView(const ViewResult &view, const QString &pageId, const QString &fallbackTitle, const QString &title,
        std::optional<int> step);

    QString m_creatorVersion;
    QString m_browserVersion;
    int m_runCount = 0;
    QJsonArray m_pages;
    QJsonArray m_entries;
};
