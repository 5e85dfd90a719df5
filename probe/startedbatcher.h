#pragma once

#include "model/requesttiming.h"
#include "model/runview.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QTimer>

// Gathers one run's request starts into `started` frames (PROTOCOL.md), so that a page that starts hundreds of
// requests at once costs a few frames, not hundreds. A start waits at most intervalMs; then every start still
// waiting goes out, at most StartedMessage::maxRequests to a batch. A request that ends before its start went out
// is forgotten: its `request` frame says all there is, and the client never sees it pending. So a run gets at
// most one round of batches per interval, each batch of one view, and never more starts than it has requests.
class StartedBatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StartedBatcher)

public:
    static constexpr int intervalMs = 100;
    // A batch's URLs (each request's and its initiator's, 64 KiB each at most) as JSON may take up to six bytes a
    // character (\uXXXX); a batch is closed before they could pass this, so that a page of long URLs cannot bring a
    // frame near a client's 16 MiB limit.
    static constexpr qsizetype maxBatchTextBytes = 4 * 1024 * 1024;

    explicit StartedBatcher(QObject *parent = nullptr);
    // What a request's URLs may take in a frame at most.
    static qsizetype textBytes(const RequestTiming &request);

    void add(RunView view, const RequestTiming &request);
    // The request ended (its final frame is about to be sent): a start still waiting is dropped.
    void forget(RunView view, const QString &id);
    // Sends nothing more of what waits (the view or the run has ended).
    void clear();
    qsizetype waiting() const { return m_waiting.size(); }
    // Emits what waits now, as the timer would.
    void flush();

signals:
    // In the order the requests started; never empty, never more than StartedMessage::maxRequests, and never more
    // than maxBatchTextBytes of URLs (textBytes()) unless one request alone is.
    void batchReady(RunView view, const QList<RequestTiming> &requests);

private:
    static QString keyOf(RunView view, const QString &id);

    QList<std::pair<RunView, QString>> m_order; // as added; entries forgotten since stay here, skipped
    QHash<QString, RequestTiming> m_waiting; // keyOf() → its start
    QTimer m_timer;
};
