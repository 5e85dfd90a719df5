// The protocol's messages (shared/protocol/PROTOCOL.md) as frames: every type encodes, decodes back unchanged and
// has the documented shape, text frames decode, describe() names a message, and the fuzz corpus decodes.

#include "fuzz/framecheck.h"
#include "model/warnings.h"
#include "protocol/codec.h"
#include "protocol/message.h"
#include "protocol/versionrange.h"
#include "protocoltext.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

class tst_ProtocolMessages : public QObject
{
    Q_OBJECT

private slots:
    void everyTypeHasASample();
    void roundTrip_data();
    void roundTrip();
    void frameShape();
    void decodeFromText();
    void describeNamesTheMessage();
    void corpusDecodes();
};

void tst_ProtocolMessages::everyTypeHasASample()
{
    QSet<QString> sampled;
    for (const auto &[name, message] : sampleMessages())
        sampled.insert(messageType(message));
    const QStringList known = knownMessageTypes();
    QCOMPARE(sampled, QSet<QString>(known.begin(), known.end()));
    QCOMPARE(known.size(), 11);
    for (const QString &type : known)
        QVERIFY(isKnownMessageType(type));
    QVERIFY(!isKnownMessageType(u"busy")); // busy is an error code, not a type
    QVERIFY(!isKnownMessageType(u"Run"));
}

void tst_ProtocolMessages::roundTrip_data()
{
    QTest::addColumn<Message>("message");
    for (const auto &[name, message] : sampleMessages())
        QTest::newRow(name.constData()) << message;
}

void tst_ProtocolMessages::roundTrip()
{
    QFETCH(Message, message);
    // Both ends: a fresh codec (handshake) and one that has negotiated v1; whichever side sends, the other reads.
    FrameCodec sender;
    FrameCodec receiver;
    for (bool negotiated : { false, true }) {
        if (negotiated) {
            sender.setNegotiatedVersion(1);
            receiver.setNegotiatedVersion(1);
        }
        const QByteArray frame = sender.encode(message);
        const DecodedFrame decoded = receiver.decode(QByteArrayView(frame));
        QVERIFY2(decoded.ok(), qPrintable(describeFrame(decoded) + u" for " + QString::fromUtf8(frame)));
        QVERIFY(decoded.error.isNull());
        QCOMPARE(*decoded.message, message);
        QCOMPARE(decoded.version, 1);
        QCOMPARE(decoded.type, messageType(message));
        // And the message alone, without the codec.
        QString error;
        const auto direct = messageFromJson(messageType(message), messageToJson(message), &error);
        QVERIFY2(direct, qPrintable(error));
        QCOMPARE(*direct, message);
        QCOMPARE(checkFrame(receiver, frame), QString());
    }
}

void tst_ProtocolMessages::frameShape()
{
    const FrameCodec codec;
    const QByteArray frame = codec.encode(CancelMessage { QStringLiteral("r1") });
    QCOMPARE(frame, QByteArray(R"({"runId":"r1","type":"cancel","v":1})"));

    const QJsonObject run
        = objectOf(codec.encode(RunMessage { QStringLiteral("r2"), QStringLiteral("https://a.example/"), {} }));
    QCOMPARE(run.value(u"v").toInt(), 1);
    QCOMPARE(run.value(u"type").toString(), QStringLiteral("run"));
    QCOMPARE(run.value(u"options").toObject().value(u"timeoutMs").toInt(), 60'000);

    // Absent stays absent on the wire: no 0 for a metric nobody measured.
    MetricsMessage metrics;
    metrics.runId = QStringLiteral("r1");
    metrics.metrics.loadMs = 0; // measured, and 0
    const QJsonObject m = objectOf(codec.encode(metrics)).value(u"metrics").toObject();
    QVERIFY(m.contains(u"loadMs"));
    QVERIFY(!m.contains(u"firstContentfulPaintMs"));
    QVERIFY(!objectOf(codec.encode(metrics)).contains(u"screenshotPng"));
    // Final metrics read as they always did; only a provisional frame says so, and it reads back as one.
    QVERIFY(!objectOf(codec.encode(metrics)).contains(u"provisional"));
    metrics.provisional = true;
    QCOMPARE(objectOf(codec.encode(metrics)).value(u"provisional"), QJsonValue(true));
    const DecodedFrame provisional = codec.decode(codec.encodeText(metrics));
    QVERIFY2(provisional.ok(), qPrintable(describeFrame(provisional)));
    QCOMPARE(*provisional.message, Message(metrics));
    metrics.provisional = false;
    QCOMPARE(*codec.decode(codec.encodeText(metrics)).message, Message(metrics));

    // Step 1 is every run's page: not on the wire, and a frame without `step` is of step 1, so frames of a run
    // without a script are what they were before steps. A later step says so, and names itself when named.
    QVERIFY(!objectOf(codec.encode(metrics)).contains(u"step"));
    QVERIFY(!objectOf(codec.encode(metrics)).contains(u"stepName"));
    const DecodedFrame stepless = codec.decode(QByteArrayView(
        R"({"v":1,"type":"request","runId":"r1","view":"first","request":{"id":"1","url":"https://a.example/","startMs":0}})"));
    QVERIFY2(stepless.ok(), qPrintable(describeFrame(stepless)));
    QCOMPARE(std::get<RequestMessage>(*stepless.message).step, 1);
    metrics.step = 2;
    metrics.stepName = QStringLiteral("account");
    QCOMPARE(objectOf(codec.encode(metrics)).value(u"step"), QJsonValue(2));
    QCOMPARE(objectOf(codec.encode(metrics)).value(u"stepName"), QJsonValue(QStringLiteral("account")));
    StartedMessage started { QStringLiteral("r1"), RunView::First, { RequestTiming {} }, 2 };
    started.requests.first().id = QStringLiteral("1");
    started.requests.first().url = QStringLiteral("https://a.example/");
    QCOMPARE(objectOf(codec.encode(started)).value(u"step"), QJsonValue(2));
    started.step = 1;
    QVERIFY(!objectOf(codec.encode(started)).contains(u"step"));

    // A client's hello carries no probe fields even if the struct has some.
    HelloMessage client;
    client.probeId = QStringLiteral("ignored");
    client.capacity = 3;
    const QJsonObject hello = objectOf(codec.encode(client));
    QVERIFY(!hello.contains(u"probeId"));
    QVERIFY(!hello.contains(u"capacity"));
    QCOMPARE(hello.value(u"role").toString(), QStringLiteral("client"));
}

void tst_ProtocolMessages::decodeFromText()
{
    const FrameCodec codec;
    const Message message = RunMessage { QStringLiteral("r1"), QStringLiteral("https://日本.example/ü"), {} };
    const DecodedFrame decoded = codec.decode(codec.encodeText(message));
    QVERIFY2(decoded.ok(), qPrintable(describeFrame(decoded)));
    QCOMPARE(*decoded.message, message);
}

void tst_ProtocolMessages::describeNamesTheMessage()
{
    const Message message = CancelMessage { QStringLiteral("r42") };
    QCOMPARE(describe(message), QStringLiteral(R"(cancel {"runId":"r42"})"));
    char *text = toString(message);
    QCOMPARE(QByteArray(text), QByteArray(R"(cancel {"runId":"r42"})"));
    delete[] text;
    QString debugText;
    QDebug(&debugText) << message;
    QCOMPARE(debugText.trimmed(), describe(message));
    QCOMPARE(describe(ProtocolError { QStringLiteral("busy"), QStringLiteral("full") }), QStringLiteral("busy: full"));

    // A screenshot does not make a failure message unreadable.
    MetricsMessage big;
    big.runId = QStringLiteral("r1");
    big.screenshotPng = QByteArray("\x89PNG\r\n\x1a\n", 8) + QByteArray(100'000, 'x');
    QVERIFY(describe(big).size() < 5000);
}

void tst_ProtocolMessages::corpusDecodes()
{
    // The fuzzer's seeds are valid frames of every type; keep them so as the protocol grows.
    const QString directory = QFINDTESTDATA("fuzz/corpus/frame");
    QVERIFY2(!directory.isEmpty(), "tests/fuzz/corpus/frame not found");
    const QFileInfoList files = QDir(directory).entryInfoList(QDir::Files);
    QVERIFY(files.size() >= 10);
    QSet<QString> types;
    const FrameCodec codec;
    for (const QFileInfo &info : files) {
        QFile file(info.filePath());
        QVERIFY(file.open(QIODevice::ReadOnly));
        const DecodedFrame decoded = codec.decode(QByteArrayView(file.readAll()));
        QVERIFY2(decoded.ok(), qPrintable(info.fileName() + u": " + describeFrame(decoded)));
        types.insert(decoded.type);
    }
    const QStringList known = knownMessageTypes();
    QCOMPARE(types, QSet<QString>(known.begin(), known.end()));
}

QTEST_GUILESS_MAIN(tst_ProtocolMessages)
#include "tst_protocolmessages.moc"
