// NulFramedReader: the DevTools pipe's framing, fed the same streams in every chunking a pipe could hand over.
#include "nulframedreader.h"

#include <QTest>

namespace {

// Feeds `stream` in pieces of `chunk` bytes and collects every message, in order.
QList<QByteArray> readInChunks(NulFramedReader &reader, const QByteArray &stream, qsizetype chunk)
{
    QList<QByteArray> messages;
    for (qsizetype at = 0; at < stream.size(); at += chunk)
        messages += reader.append(QByteArrayView(stream).sliced(at, std::min(chunk, stream.size() - at)));
    return messages;
}

} // namespace

class tst_NulFramedReader : public QObject
{
    Q_OBJECT

private slots:
    void framesInAnyChunking_data();
    void framesInAnyChunking();
    void aHugeMessageInManyReads();
    void aMessageAtTheCapPasses();
    void aMessageOverTheCapFailsBeforeItsEnd();
    void aMessageOverTheCapAfterGoodOnes();
};

void tst_NulFramedReader::framesInAnyChunking_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<QList<QByteArray>>("messages");
    QTest::addColumn<qsizetype>("pending"); // bytes of an unfinished last message

    const QByteArray reply = R"({"id":1,"result":{"product":"Chrome/1"}})";
    const QByteArray event = R"({"method":"Page.loadEventFired","params":{"timestamp":1.5},"sessionId":"A"})";
    QTest::newRow("one message") << QByteArray(reply + '\0') << QList<QByteArray> { reply } << qsizetype(0);
    QTest::newRow("several messages") << QByteArray(reply + '\0' + event + '\0' + reply + '\0')
                                      << QList<QByteArray> { reply, event, reply } << qsizetype(0);
    QTest::newRow("a partial message waits")
        << QByteArray(reply + '\0' + event.left(10)) << QList<QByteArray> { reply } << qsizetype(10);
    QTest::newRow("nothing complete yet") << event << QList<QByteArray>() << event.size();
    QTest::newRow("empty messages are skipped")
        << QByteArray(QByteArray(1, '\0') + reply + QByteArray(3, '\0') + event + '\0')
        << QList<QByteArray> { reply, event } << qsizetype(0);
    // JSON escapes a NUL inside a string, so a raw one only ever ends a message; other bytes pass untouched.
    const QByteArray utf8 = "{\"method\":\"Log.entryAdded\",\"params\":{\"text\":\"Grüße \\u0000 ✓\"}}";
    QTest::newRow("UTF-8 and escaped NUL") << QByteArray(utf8 + '\0') << QList<QByteArray> { utf8 } << qsizetype(0);
}

void tst_NulFramedReader::framesInAnyChunking()
{
    QFETCH(QByteArray, stream);
    QFETCH(QList<QByteArray>, messages);
    QFETCH(qsizetype, pending);
    // Every piece size from one byte (a message split at each of its bytes) to the whole stream at once.
    for (qsizetype chunk = 1; chunk <= stream.size(); ++chunk) {
        NulFramedReader reader(1024);
        QCOMPARE(readInChunks(reader, stream, chunk), messages);
        QCOMPARE(reader.pendingBytes(), pending);
        QVERIFY(!reader.failed());
    }
}

void tst_NulFramedReader::aHugeMessageInManyReads()
{
    // A screenshot's worth (12 MiB) in a pipe's 64 KiB reads, with a small message on either side.
    QByteArray huge = R"({"id":7,"result":{"data":")";
    huge += QByteArray(12 * 1024 * 1024, 'A');
    huge += R"("}})";
    const QByteArray stream = QByteArray("{\"id\":6}") + '\0' + huge + '\0' + "{\"id\":8}" + '\0';
    NulFramedReader reader(16 * 1024 * 1024);
    const QList<QByteArray> messages = readInChunks(reader, stream, 64 * 1024);
    QCOMPARE(messages.size(), 3);
    QCOMPARE(messages.at(0), QByteArray("{\"id\":6}"));
    QVERIFY(messages.at(1) == huge); // QCOMPARE would print 12 MiB on failure
    QCOMPARE(messages.at(2), QByteArray("{\"id\":8}"));
    QCOMPARE(reader.pendingBytes(), 0);
}

void tst_NulFramedReader::aMessageAtTheCapPasses()
{
    const QByteArray atCap(100, 'x');
    NulFramedReader reader(100);
    QCOMPARE(readInChunks(reader, atCap + '\0' + atCap + '\0', 7), (QList<QByteArray> { atCap, atCap }));
    QVERIFY(!reader.failed());
}

void tst_NulFramedReader::aMessageOverTheCapFailsBeforeItsEnd()
{
    // The reader gives up as soon as the message outgrows the cap, without waiting for (or holding) the rest.
    NulFramedReader reader(100);
    QVERIFY(reader.append(QByteArray(60, 'x')).isEmpty());
    QVERIFY(!reader.failed());
    QVERIFY(reader.append(QByteArray(41, 'x')).isEmpty());
    QVERIFY(reader.failed());
    QCOMPARE(reader.pendingBytes(), 0);
    // A failed stream stays failed: what follows cannot be told apart from the rest of the refused message.
    QVERIFY(reader.append(QByteArray(QByteArray("{\"id\":1}") + '\0')).isEmpty());
    QVERIFY(reader.failed());
}

void tst_NulFramedReader::aMessageOverTheCapAfterGoodOnes()
{
    // In one read: two good messages, then one of 101 bytes with its NUL: the good ones are still delivered.
    const QByteArray stream
        = QByteArray("{\"id\":1}") + '\0' + "{\"id\":2}" + '\0' + QByteArray(101, 'x') + '\0' + "{\"id\":3}" + '\0';
    NulFramedReader reader(100);
    QCOMPARE(reader.append(stream), (QList<QByteArray> { "{\"id\":1}", "{\"id\":2}" }));
    QVERIFY(reader.failed());
}

QTEST_GUILESS_MAIN(tst_NulFramedReader)
#include "tst_nulframedreader.moc"
