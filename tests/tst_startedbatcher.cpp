// How the probe gathers request starts into `started` frames: the bound on frames PROTOCOL.md promises.
#include "protocol/message.h"
#include "startedbatcher.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

namespace {

RequestTiming startOf(int i)
{
    RequestTiming request;
    request.id = QStringLiteral("r%1").arg(i);
    request.url = QStringLiteral("https://example.com/%1").arg(i);
    request.startMs = i;
    return request;
}

} // namespace

class tst_StartedBatcher : public QObject
{
    Q_OBJECT

private slots:
    void batchesAtMostAHundredInStartOrder();
    void forgetsWhatEndedBeforeItWentOut();
    void keepsTheViewsApart();
    void sendsOnItsOwnWithinTheInterval();
    void longUrlsMakeSmallerFrames();
};

void tst_StartedBatcher::batchesAtMostAHundredInStartOrder()
{
    StartedBatcher batcher;
    QSignalSpy batches(&batcher, &StartedBatcher::batchReady);
    for (int i = 0; i < 250; ++i)
        batcher.add(RunView::First, startOf(i));
    QCOMPARE(batches.size(), 0); // nothing goes out one by one
    batcher.flush();
    QCOMPARE(batches.size(), 3);
    int next = 0;
    for (const QList<QVariant> &batch : std::as_const(batches)) {
        const auto requests = batch.at(1).value<QList<RequestTiming>>();
        QVERIFY(!requests.isEmpty() && requests.size() <= StartedMessage::maxRequests);
        for (const RequestTiming &request : requests)
            QCOMPARE(request.id, startOf(next++).id);
    }
    QCOMPARE(next, 250);
    QCOMPARE(batcher.waiting(), 0);
    batcher.flush();
    QCOMPARE(batches.size(), 3); // nothing waits: no empty frame
}

void tst_StartedBatcher::forgetsWhatEndedBeforeItWentOut()
{
    StartedBatcher batcher;
    QSignalSpy batches(&batcher, &StartedBatcher::batchReady);
    batcher.add(RunView::First, startOf(1));
    batcher.add(RunView::First, startOf(2));
    batcher.forget(RunView::First, startOf(1).id);
    batcher.forget(RunView::Repeat, startOf(2).id); // another view's request of the same id
    batcher.flush();
    QCOMPARE(batches.size(), 1);
    const auto requests = batches.first().at(1).value<QList<RequestTiming>>();
    QCOMPARE(requests.size(), 1);
    QCOMPARE(requests.first().id, startOf(2).id);
    // Everything forgotten: nothing at all goes out.
    batcher.add(RunView::First, startOf(3));
    batcher.forget(RunView::First, startOf(3).id);
    batcher.add(RunView::First, startOf(4));
    batcher.clear();
    batcher.flush();
    QCOMPARE(batches.size(), 1);
}

void tst_StartedBatcher::keepsTheViewsApart()
{
    StartedBatcher batcher;
    QSignalSpy batches(&batcher, &StartedBatcher::batchReady);
    batcher.add(RunView::First, startOf(1));
    batcher.add(RunView::Repeat, startOf(1));
    batcher.add(RunView::Repeat, startOf(2));
    batcher.flush();
    QCOMPARE(batches.size(), 2);
    QCOMPARE(batches.at(0).at(0).value<RunView>(), RunView::First);
    QCOMPARE(batches.at(0).at(1).value<QList<RequestTiming>>().size(), 1);
    QCOMPARE(batches.at(1).at(0).value<RunView>(), RunView::Repeat);
    QCOMPARE(batches.at(1).at(1).value<QList<RequestTiming>>().size(), 2);
}

void tst_StartedBatcher::sendsOnItsOwnWithinTheInterval()
{
    // No timed assertion: only that the batch goes out without a flush() from outside.
    StartedBatcher batcher;
    QSignalSpy batches(&batcher, &StartedBatcher::batchReady);
    batcher.add(RunView::First, startOf(1));
    QVERIFY(batches.wait(30'000));
    QCOMPARE(batches.size(), 1);
}

// A hostile page of requests whose URLs and initiator URLs are all at the protocol's 64 KiB: a hundred of them in one
// frame would take 13 MB of a client's 16 MiB, and more if escaped. The batches are cut by size as well, and each
// frame, encoded as the server sends it, stays within the bound.
void tst_StartedBatcher::longUrlsMakeSmallerFrames()
{
    StartedBatcher batcher;
    QSignalSpy batches(&batcher, &StartedBatcher::batchReady);
    const QString longPath = QString(ProtocolLimits::maxUrlLength - 40, u'\x01'); // escaped as \u0001 in JSON
    for (int i = 0; i < 100; ++i) {
        RequestTiming request = startOf(i);
        request.url = QString(QStringLiteral("https://example.com/") + longPath).left(ProtocolLimits::maxUrlLength);
        request.initiator.type = QStringLiteral("script");
        request.initiator.url = request.url;
        batcher.add(RunView::First, request);
    }
    batcher.flush();
    QVERIFY(batches.size() > 1);
    int count = 0;
    for (const QList<QVariant> &batch : std::as_const(batches)) {
        StartedMessage message;
        message.runId = QStringLiteral("r");
        message.requests = batch.at(1).value<QList<RequestTiming>>();
        count += int(message.requests.size());
        const QByteArray frame = QJsonDocument(message.toJson()).toJson(QJsonDocument::Compact);
        QVERIFY2(frame.size() <= StartedBatcher::maxBatchTextBytes + 64 * 1024,
            QByteArray::number(frame.size()).constData());
    }
    QCOMPARE(count, 100);
}

QTEST_GUILESS_MAIN(tst_StartedBatcher)
#include "tst_startedbatcher.moc"
