#include "startedbatcher.h"

#include "protocol/message.h"

StartedBatcher::StartedBatcher(QObject *parent)
    : QObject(parent)
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &StartedBatcher::flush);
}

QString StartedBatcher::keyOf(RunView view, const QString &id)
{
    return (view == RunView::First ? u'f' : u'r') + id;
}

void StartedBatcher::add(RunView view, const RequestTiming &request)
{
    m_order.append({ view, request.id });
    m_waiting.insert(keyOf(view, request.id), request);
    if (!m_timer.isActive())
        m_timer.start();
}

void StartedBatcher::forget(RunView view, const QString &id)
{
    m_waiting.remove(keyOf(view, id));
    if (m_waiting.isEmpty()) {
        m_order.clear();
        m_timer.stop();
    }
}

void StartedBatcher::clear()
{
    m_order.clear();
    m_waiting.clear();
    m_timer.stop();
}

qsizetype StartedBatcher::textBytes(const RequestTiming &request)
{
    return 6 * (request.url.size() + request.initiator.url.size());
}

void StartedBatcher::flush()
{
    m_timer.stop();
    auto order = std::move(m_order);
    m_order.clear();
    QList<RequestTiming> batch;
    qsizetype batchBytes = 0;
    RunView batchView = RunView::First;
    const auto send = [&] {
        if (!batch.isEmpty())
            emit batchReady(batchView, batch);
        batch.clear();
        batchBytes = 0;
    };
    for (const auto &[view, id] : std::as_const(order)) {
        const auto found = m_waiting.constFind(keyOf(view, id));
        if (found == m_waiting.constEnd())
            continue;
        const qsizetype bytes = textBytes(*found);
        if (view != batchView || batch.size() >= StartedMessage::maxRequests || batchBytes + bytes > maxBatchTextBytes)
            send();
        batchView = view;
        batch.append(*found);
        batchBytes += bytes;
    }
    m_waiting.clear();
    send();
}
