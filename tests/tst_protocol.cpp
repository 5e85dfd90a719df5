// Protocol v1 (shared/protocol/PROTOCOL.md): every message survives encode → frame → decode in both directions,
// peers of other versions still understand each other, and no frame, however broken, gets past the codec as
// anything but a message or a named error.

#include "fuzz/framecheck.h"
#include "model/warnings.h"
#include "protocol/codec.h"
#include "protocol/message.h"
#include "protocol/versionrange.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

namespace {

QJsonObject objectOf(const QByteArray &frame)
{
    return QJsonDocument::fromJson(frame).object();
}

QByteArray frameOf(const QJsonObject &json)
{
    return QJsonDocument(json).toJson(QJsonDocument::Compact);
}

QString describeFrame(const DecodedFrame &frame)
{
    return describe(frame);
}

// A frame from a v2 peer: v2 envelope and fields this build has never heard of, at the top and nested.
QJsonObject withFutureFields(QJsonObject json)
{
    json.insert(QStringLiteral("traceId"), QStringLiteral("abc"));
    json.insert(QStringLiteral("compression"), QJsonObject { { QStringLiteral("algo"), QStringLiteral("zstd") } });
    json.insert(QStringLiteral("tags"), QJsonArray { 1, QStringLiteral("two"), QJsonValue::Null });
    for (const QString &key : { QStringLiteral("options"), QStringLiteral("metrics"), QStringLiteral("request"),
             QStringLiteral("supported"), QStringLiteral("error") }) {
        if (json.value(key).isObject()) {
            QJsonObject nested = json.value(key).toObject();
            nested.insert(QStringLiteral("addedInV2"), true);
            json.insert(key, nested);
        }
    }
    return json;
}

} // namespace

// QCOMPARE prints these when values differ: the message as type and compact JSON.
char *toString(const Message &message)
{
    return qstrdup(describe(message).toUtf8().constData());
}
char *toString(const ProtocolError &error)
{
    return qstrdup(describe(error).toUtf8().constData());
}
char *toString(const VersionRange &range)
{
    const QByteArray text = QByteArray::number(range.min) + "…" + QByteArray::number(range.max);
    return qstrdup(text.constData());
}

class tst_Protocol : public QObject
{
    Q_OBJECT

private slots:
    void everyTypeHasASample();
    void roundTrip_data();
    void roundTrip();
    void frameShape();
    void decodeFromText();

    void negotiate_data();
    void negotiate();
    void newerPeerHandshake();
    void olderPeerHandshake();
    void newerFieldsAreIgnored();
    void versionRuleAfterHandshake();

    void badFrames_data();
    void badFrames();
    void invalidFields_data();
    void invalidFields();
    void frameSizeLimit();
    void everyTruncationIsAnError();
    void garbageNeverCrashes();
    void errorReplyForABadFrame();
    void describeNamesTheMessage();
    void corpusDecodes();
};

void tst_Protocol::everyTypeHasASample()
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

void tst_Protocol::roundTrip_data()
{
    QTest::addColumn<Message>("message");
    for (const auto &[name, message] : sampleMessages())
        QTest::newRow(name.constData()) << message;
}

void tst_Protocol::roundTrip()
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

void tst_Protocol::frameShape()
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

    // A client's hello carries no probe fields even if the struct has some.
    HelloMessage client;
    client.probeId = QStringLiteral("ignored");
    client.capacity = 3;
    const QJsonObject hello = objectOf(codec.encode(client));
    QVERIFY(!hello.contains(u"probeId"));
    QVERIFY(!hello.contains(u"capacity"));
    QCOMPARE(hello.value(u"role").toString(), QStringLiteral("client"));
}

void tst_Protocol::decodeFromText()
{
    const FrameCodec codec;
    const Message message = RunMessage { QStringLiteral("r1"), QStringLiteral("https://日本.example/ü"), {} };
    const DecodedFrame decoded = codec.decode(codec.encodeText(message));
    QVERIFY2(decoded.ok(), qPrintable(describeFrame(decoded)));
    QCOMPARE(*decoded.message, message);
}

void tst_Protocol::negotiate_data()
{
    QTest::addColumn<VersionRange>("client");
    QTest::addColumn<VersionRange>("probe");
    QTest::addColumn<int>("expected"); // 0: no common version

    QTest::newRow("both v1") << VersionRange { 1, 1 } << VersionRange { 1, 1 } << 1;
    QTest::newRow("v2 client, v1 probe") << VersionRange { 1, 2 } << VersionRange { 1, 1 } << 1;
    QTest::newRow("v1 client, v3 probe") << VersionRange { 1, 1 } << VersionRange { 1, 3 } << 1;
    QTest::newRow("overlap picks the highest") << VersionRange { 1, 3 } << VersionRange { 2, 5 } << 3;
    QTest::newRow("same wide range") << VersionRange { 2, 7 } << VersionRange { 2, 7 } << 7;
    QTest::newRow("client too new") << VersionRange { 2, 2 } << VersionRange { 1, 1 } << 0;
    QTest::newRow("probe too new") << VersionRange { 1, 1 } << VersionRange { 3, 4 } << 0;
    QTest::newRow("invalid client range") << VersionRange { 0, 1 } << VersionRange { 1, 1 } << 0;
    QTest::newRow("reversed probe range") << VersionRange { 1, 2 } << VersionRange { 2, 1 } << 0;
}

void tst_Protocol::negotiate()
{
    QFETCH(VersionRange, client);
    QFETCH(VersionRange, probe);
    QFETCH(int, expected);
    ProtocolError error;
    const std::optional<int> chosen = VersionRange::negotiate(client, probe, &error);
    if (expected == 0) {
        QVERIFY(!chosen);
        QCOMPARE(error.code, ProtocolError::unsupportedVersion.toString());
        QVERIFY(!error.message.isEmpty());
    } else {
        QCOMPARE(chosen, std::optional<int>(expected));
        QVERIFY(error.isNull());
        // Symmetric: which side asks does not change the answer.
        QCOMPARE(VersionRange::negotiate(probe, client, nullptr), chosen);
    }
}

void tst_Protocol::newerPeerHandshake()
{
    // A v2 app greets this v1 probe: v 2 on the handshake frames, a wider range, fields we do not know.
    const FrameCodec probeCodec;
    QJsonObject auth = withFutureFields(QJsonObject { { QStringLiteral("v"), 2 },
        { QStringLiteral("type"), QStringLiteral("auth") }, { QStringLiteral("token"), QStringLiteral("t") } });
    auth.insert(QStringLiteral("hmac"), QStringLiteral("deadbeef"));
    const DecodedFrame decodedAuth = probeCodec.decode(QByteArrayView(frameOf(auth)));
    QVERIFY2(decodedAuth.ok(), qPrintable(describeFrame(decodedAuth)));
    QCOMPARE(decodedAuth.version, 2);
    QCOMPARE(*decodedAuth.message, Message(AuthMessage { QStringLiteral("t") }));

    const QJsonObject hello = withFutureFields(QJsonObject {
        { QStringLiteral("v"), 2 },
        { QStringLiteral("type"), QStringLiteral("hello") },
        { QStringLiteral("role"), QStringLiteral("client") },
        { QStringLiteral("supported"), QJsonObject { { QStringLiteral("min"), 1 }, { QStringLiteral("max"), 2 } } },
        { QStringLiteral("software"), QStringLiteral("worldspeed") },
        { QStringLiteral("version"), QStringLiteral("2.0.0") },
        { QStringLiteral("features"), QJsonArray { QStringLiteral("filmstrip") } },
    });
    const DecodedFrame decodedHello = probeCodec.decode(QByteArrayView(frameOf(hello)));
    QVERIFY2(decodedHello.ok(), qPrintable(describeFrame(decodedHello)));
    QCOMPARE(decodedHello.version, 2);
    const auto *clientHello = std::get_if<HelloMessage>(&*decodedHello.message);
    QVERIFY(clientHello);
    QCOMPARE(clientHello->role, HelloMessage::Role::Client);
    QCOMPARE(clientHello->supported, (VersionRange { 1, 2 }));

    // The probe picks 1 and says so; from here on both sides send and expect v 1.
    ProtocolError error;
    const auto chosen = VersionRange::negotiate(clientHello->supported, VersionRange::supported(), &error);
    QCOMPARE(chosen, std::optional<int>(1));
    FrameCodec probeSession;
    probeSession.setNegotiatedVersion(*chosen);
    HelloMessage answer;
    answer.role = HelloMessage::Role::Probe;
    answer.chosen = *chosen;
    answer.probeId = QStringLiteral("p1");
    answer.region = QStringLiteral("gru");
    answer.capacity = 2;
    const QByteArray answerFrame = probeSession.encode(answer);
    QCOMPARE(objectOf(answerFrame).value(u"v").toInt(), 1);
    QCOMPARE(objectOf(answerFrame).value(u"chosen").toInt(), 1);

    // The v2 app, which speaks v1 too, reads the answer.
    FrameCodec appSession;
    const DecodedFrame decodedAnswer = appSession.decode(QByteArrayView(answerFrame));
    QVERIFY2(decodedAnswer.ok(), qPrintable(describeFrame(decodedAnswer)));
    QCOMPARE(*decodedAnswer.message, Message(answer));
}

void tst_Protocol::olderPeerHandshake()
{
    // A v2 probe answers this v1 app: its range is 1…2, it chose 1 and writes v 2 on hello (allowed: the handshake
    // frames are frozen), with extra fields.
    QJsonObject hello = withFutureFields(QJsonObject {
        { QStringLiteral("v"), 2 },
        { QStringLiteral("type"), QStringLiteral("hello") },
        { QStringLiteral("role"), QStringLiteral("probe") },
        { QStringLiteral("supported"), QJsonObject { { QStringLiteral("min"), 1 }, { QStringLiteral("max"), 2 } } },
        { QStringLiteral("chosen"), 1 },
        { QStringLiteral("probeId"), QStringLiteral("syd-1") },
        { QStringLiteral("region"), QStringLiteral("syd") },
        { QStringLiteral("capacity"), 8 },
        { QStringLiteral("gpu"), QStringLiteral("none") },
    });
    FrameCodec app;
    const DecodedFrame decoded = app.decode(QByteArrayView(frameOf(hello)));
    QVERIFY2(decoded.ok(), qPrintable(describeFrame(decoded)));
    const auto *probeHello = std::get_if<HelloMessage>(&*decoded.message);
    QVERIFY(probeHello);
    QCOMPARE(probeHello->chosen, std::optional<int>(1));
    QVERIFY(VersionRange::supported().contains(*probeHello->chosen));
    QCOMPARE(probeHello->capacity, 8);
    QCOMPARE(probeHello->region, QStringLiteral("syd"));
}

void tst_Protocol::newerFieldsAreIgnored()
{
    // Every message, as a newer peer would send it after agreeing on v1: same v1 meaning, extra fields ignored.
    FrameCodec codec;
    codec.setNegotiatedVersion(1);
    for (const auto &[name, message] : sampleMessages()) {
        const QByteArray frame = frameOf(withFutureFields(objectOf(codec.encode(message))));
        const DecodedFrame decoded = codec.decode(QByteArrayView(frame));
        QVERIFY2(decoded.ok(), qPrintable(QString::fromUtf8(name) + u": " + describeFrame(decoded)));
        QCOMPARE(*decoded.message, message);
    }
}

void tst_Protocol::versionRuleAfterHandshake()
{
    QJsonObject run
        = objectOf(FrameCodec().encode(RunMessage { QStringLiteral("r7"), QStringLiteral("https://a.example/"), {} }));
    run.insert(QStringLiteral("v"), 2);

    // Before the handshake has picked a version any v ≥ 1 is read by v1's rules…
    const DecodedFrame early = FrameCodec().decode(QByteArrayView(frameOf(run)));
    QVERIFY2(early.ok(), qPrintable(describeFrame(early)));

    // …after it, a frame in another version is refused, and the error still knows the run.
    FrameCodec session;
    session.setNegotiatedVersion(1);
    const DecodedFrame late = session.decode(QByteArrayView(frameOf(run)));
    QVERIFY(!late.ok());
    QCOMPARE(late.error.code, ProtocolError::versionMismatch.toString());
    QCOMPARE(late.runId, QStringLiteral("r7"));
    QCOMPARE(late.version, 2);

    // auth and hello are exempt: their v1 fields are frozen.
    const QJsonObject auth { { QStringLiteral("v"), 5 }, { QStringLiteral("type"), QStringLiteral("auth") },
        { QStringLiteral("token"), QStringLiteral("t") } };
    QVERIFY(session.decode(QByteArrayView(frameOf(auth))).ok());
    QCOMPARE(session.sendVersion(), 1);
    QCOMPARE(FrameCodec().sendVersion(), VersionRange::supported().max);
}

void tst_Protocol::badFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("message"); // a part the error message must contain

    const auto row = [](const char *name, const QByteArray &frame, QStringView code, const char *message) {
        QTest::newRow(name) << frame << code.toString() << QString::fromUtf8(message);
    };
    const QByteArray valid = R"({"v":1,"type":"cancel","runId":"r1"})";
    row("empty", QByteArray(), ProtocolError::malformed, "empty");
    row("whitespace", "  \n\t ", ProtocolError::malformed, "not JSON");
    row("null", "null", ProtocolError::malformed, "");
    row("array", R"([{"v":1,"type":"cancel","runId":"r1"}])", ProtocolError::malformed, "not a JSON object");
    row("string", R"("cancel")", ProtocolError::malformed, "");
    row("number", "42", ProtocolError::malformed, "");
    row("open brace", "{", ProtocolError::malformed, "not JSON");
    row("truncated", valid.left(valid.size() - 5), ProtocolError::malformed, "not JSON");
    row("garbage after the object", valid + "x", ProtocolError::malformed, "not JSON");
    row("two objects", valid + valid, ProtocolError::malformed, "not JSON");
    row("NUL bytes", QByteArray(16, '\0'), ProtocolError::malformed, "not JSON");
    row("binary", QByteArray::fromHex("ff d8 ff e0 00 10 4a 46 49 46 00 01 7b 22"), ProtocolError::malformed,
        "not JSON");
    row("invalid UTF-8 in a string", "{\"v\":1,\"type\":\"auth\",\"token\":\"\xff\xfe\"}", ProtocolError::malformed,
        "");
    row("lone surrogate", R"({"v":1,"type":"auth","token":"\ud800"})", ProtocolError::malformed, "surrogate");
    row("number too large for a double", R"({"v":1,"type":"load","active":1e400,"capacity":1,"queued":0})",
        ProtocolError::malformed, "not JSON");
    row("deep nesting", QByteArray(100'000, '['), ProtocolError::malformed, "not JSON");
    row("v missing", R"({"type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("v is a string", R"({"v":"1","type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("v is null", R"({"v":null,"type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("v is true", R"({"v":true,"type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("v is 0", R"({"v":0,"type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("v is negative", R"({"v":-1,"type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("v is fractional", R"({"v":1.5,"type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("v is huge", R"({"v":1e300,"type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("v above 65535", R"({"v":65536,"type":"cancel","runId":"r1"})", ProtocolError::malformed, "v:");
    row("type missing", R"({"v":1,"runId":"r1"})", ProtocolError::malformed, "type:");
    row("type is a number", R"({"v":1,"type":3})", ProtocolError::malformed, "type:");
    row("type is empty", R"({"v":1,"type":""})", ProtocolError::malformed, "type:");
    row("type is an object", R"({"v":1,"type":{"name":"run"}})", ProtocolError::malformed, "type:");
    row("unknown type", R"({"v":1,"type":"teleport","runId":"r1"})", ProtocolError::unknownType, "\"teleport\"");
    row("type in the wrong case", R"({"v":1,"type":"Cancel","runId":"r1"})", ProtocolError::unknownType, "\"Cancel\"");
    row("busy is not a type", R"({"v":1,"type":"busy"})", ProtocolError::unknownType, "\"busy\"");
}

void tst_Protocol::badFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, code);
    QFETCH(QString, message);
    const FrameCodec codec;
    const DecodedFrame decoded = codec.decode(QByteArrayView(frame));
    QVERIFY2(!decoded.ok(), qPrintable(describeFrame(decoded)));
    QCOMPARE(decoded.error.code, code);
    QVERIFY2(decoded.error.message.contains(message), qPrintable(decoded.error.message));
    // The same through the text overload a QWebSocket hands over (which only ever sees valid UTF-8: it has already
    // replaced broken sequences, so that row cannot be compared).
    const QString text = QString::fromUtf8(frame);
    if (text.toUtf8() == frame) {
        const DecodedFrame fromText = codec.decode(text);
        QVERIFY(!fromText.ok());
        QCOMPARE(fromText.error.code, code);
    }
}

void tst_Protocol::invalidFields_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<QString>("expected"); // the start of the error message: type.field: why

    const auto row = [](const char *name, const QByteArray &body, const char *expected) {
        QTest::newRow(name) << body << QString::fromUtf8(expected);
    };
    const QByteArray longToken = QByteArray(R"({"v":1,"type":"auth","token":")") + QByteArray(4097, 'a') + "\"}";
    const QByteArray longRunId = QByteArray(R"({"v":1,"type":"cancel","runId":")") + QByteArray(65, 'a') + "\"}";
    const QByteArray longDetail = QByteArray(R"({"v":1,"type":"status","runId":"r","state":"loading","detail":")")
        + QByteArray(1025, 'd') + "\"}";
    const char *probeHello = R"({"v":1,"type":"hello","role":"probe","supported":{"min":1,"max":1},"chosen":1,)";

    row("auth: token missing", R"({"v":1,"type":"auth"})", "auth.token: is required");
    row("auth: token is a number", R"({"v":1,"type":"auth","token":12345})", "auth.token: expected a string");
    row("auth: token empty", R"({"v":1,"type":"auth","token":""})", "auth.token: must not be empty");
    row("auth: token too long", longToken, "auth.token: longer than 4096 characters");
    row("hello: role missing", R"({"v":1,"type":"hello","supported":{"min":1,"max":1}})", "hello.role: is required");
    row("hello: unknown role", R"({"v":1,"type":"hello","role":"server","supported":{"min":1,"max":1}})",
        "hello.role: unknown role \"server\"");
    row("hello: supported missing", R"({"v":1,"type":"hello","role":"client"})", "hello.supported: is required");
    row("hello: supported.min 0", R"({"v":1,"type":"hello","role":"client","supported":{"min":0,"max":1}})",
        "hello.supported.min: 0 is outside");
    row("hello: supported.max is text", R"({"v":1,"type":"hello","role":"client","supported":{"min":1,"max":"2"}})",
        "hello.supported.max: expected an integer");
    row("hello: range reversed", R"({"v":1,"type":"hello","role":"client","supported":{"min":3,"max":2}})",
        "hello.supported.max: is below min");
    row("hello: version too long",
        QByteArray(R"({"v":1,"type":"hello","role":"client","supported":{"min":1,"max":1},"version":")")
            + QByteArray(65, '1') + "\"}",
        "hello.version: longer than 64");
    row("probe hello: chosen missing",
        R"({"v":1,"type":"hello","role":"probe","supported":{"min":1,"max":1},"probeId":"p","region":"r","capacity":1})",
        "hello.chosen: is required");
    row("probe hello: chosen outside its range",
        QByteArray(probeHello).replace("\"chosen\":1", "\"chosen\":2") + R"("probeId":"p","region":"r","capacity":1})",
        "hello.chosen: 2 is not in the probe's own range");
    row("probe hello: probeId missing", QByteArray(probeHello) + R"("region":"r","capacity":1})",
        "hello.probeId: is required");
    row("probe hello: region with a slash",
        QByteArray(probeHello) + R"("probeId":"p","region":"eu/west","capacity":1})",
        "hello.region: must be 1–64 characters");
    row("probe hello: capacity 0", QByteArray(probeHello) + R"("probeId":"p","region":"r","capacity":0})",
        "hello.capacity: 0 is outside 1");
    row("probe hello: capacity 1025", QByteArray(probeHello) + R"("probeId":"p","region":"r","capacity":1025})",
        "hello.capacity: 1025 is outside");
    row("probe hello: capabilities not a list",
        QByteArray(probeHello) + R"("probeId":"p","region":"r","capacity":1,"capabilities":"device"})",
        "hello.capabilities: expected an array");
    row("probe hello: a capability with a space",
        QByteArray(probeHello) + R"("probeId":"p","region":"r","capacity":1,"capabilities":["device","cpu slowdown"]})",
        "hello.capabilities: each capability is an identifier");
    row("client hello: a capability with a space",
        R"({"v":1,"type":"hello","role":"client","supported":{"min":1,"max":1},"capabilities":["started now"]})",
        "hello.capabilities: each capability is an identifier");
    row("started: requests missing", R"({"v":1,"type":"started","runId":"r","view":"first"})",
        "started.requests: is required");
    row("started: no requests", R"({"v":1,"type":"started","runId":"r","view":"first","requests":[]})",
        "started.requests: must not be empty");
    row("started: a request without its id",
        R"({"v":1,"type":"started","runId":"r","view":"first","requests":[{"url":"https://a/","startMs":1}]})",
        "started.requests[0].id: is required");
    row("started: a request that is not an object",
        R"({"v":1,"type":"started","runId":"r","view":"first","requests":[1]})",
        "started.requests[0]: expected an object");
    QByteArray many(R"({"v":1,"type":"started","runId":"r","view":"first","requests":[)");
    for (int i = 0; i <= StartedMessage::maxRequests; ++i)
        many += QByteArray(i ? "," : "") + R"({"id":"x)" + QByteArray::number(i)
            + R"(","url":"https://a/","startMs":1})";
    row("started: more than 100 requests", many + "]}", "started.requests: has more than 100 items");
    row("run: runId missing", R"({"v":1,"type":"run","url":"https://a/"})", "run.runId: is required");
    row("run: runId with a space", R"({"v":1,"type":"run","runId":"r 1","url":"https://a/"})",
        "run.runId: must be 1–64");
    row("run: runId path", R"({"v":1,"type":"run","runId":"../etc","url":"https://a/"})", "run.runId: must be 1–64");
    row("run: runId non-ASCII", R"({"v":1,"type":"run","runId":"rü","url":"https://a/"})", "run.runId: must be 1–64");
    row("run: runId empty", R"({"v":1,"type":"run","runId":"","url":"https://a/"})", "run.runId: must be 1–64");
    row("run: runId is a number", R"({"v":1,"type":"run","runId":7,"url":"https://a/"})",
        "run.runId: expected a string");
    row("run: url missing", R"({"v":1,"type":"run","runId":"r"})", "run.url: is required");
    row("run: url empty", R"({"v":1,"type":"run","runId":"r","url":""})", "run.url: must not be empty");
    row("run: url is a list", R"({"v":1,"type":"run","runId":"r","url":["https://a/"]})", "run.url: expected a string");
    row("run: options is an array", R"({"v":1,"type":"run","runId":"r","url":"https://a/","options":[]})",
        "run.options: expected an object");
    row("run: timeout too short", R"({"v":1,"type":"run","runId":"r","url":"https://a/","options":{"timeoutMs":5}})",
        "run.options.timeoutMs: 5 is outside 1000");
    row("run: unknown profile", R"({"v":1,"type":"run","runId":"r","url":"https://a/","options":{"profile":"6G"}})",
        "run.options.profile: unknown profile \"6G\"");
    row("run: screenshot is text",
        R"({"v":1,"type":"run","runId":"r","url":"https://a/","options":{"screenshot":"y"}})",
        "run.options.screenshot: expected true or false");
    row("cancel: runId missing", R"({"v":1,"type":"cancel"})", "cancel.runId: is required");
    row("cancel: runId too long", longRunId, "cancel.runId: longer than 64");
    row("status: unknown state", R"({"v":1,"type":"status","runId":"r","state":"exploded"})",
        "status.state: unknown state \"exploded\"");
    row("status: state missing", R"({"v":1,"type":"status","runId":"r"})", "status.state: is required");
    row("status: detail too long", longDetail, "status.detail: longer than 1024");
    row("request: unknown view", R"({"v":1,"type":"request","runId":"r","view":"third","request":{}})",
        "request.view: unknown view \"third\"");
    row("request: request missing", R"({"v":1,"type":"request","runId":"r","view":"first"})",
        "request.request: is required");
    row("request: nested field wrong",
        R"({"v":1,"type":"request","runId":"r","view":"first","request":{"id":"1","url":"u","startMs":0,"phases":{"dns":"x"}}})",
        "request.request.phases.dns: expected a number");
    row("request: nested required missing",
        R"({"v":1,"type":"request","runId":"r","view":"first","request":{"id":"1","startMs":0}})",
        "request.request.url: is required");
    row("metrics: metrics missing", R"({"v":1,"type":"metrics","runId":"r","view":"first"})",
        "metrics.metrics: is required");
    row("metrics: negative load", R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{"loadMs":-1}})",
        "metrics.metrics.loadMs: -1 is outside");
    row("metrics: a warning that is not a string",
        R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{},"warnings":[1]})",
        "metrics.warnings[0]: expected a string");
    row("metrics: too many warnings",
        QByteArray(R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{},"warnings":[)")
            + QByteArray(R"("a",)").repeated(Warnings::maxCount) + R"("a"]})",
        "metrics.warnings");
    row("metrics: screenshot not base64",
        R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{},"screenshotPng":"!!"})",
        "metrics.screenshotPng: not base64");
    row("metrics: screenshot not a PNG",
        R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{},"screenshotPng":"/9j/4AAQ"})",
        "metrics.screenshotPng: not a PNG image");
    row("metrics: a filmstrip frame that is not a JPEG",
        R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{},"filmstrip":[{"timeMs":0,"jpeg":"iVBORw0K"}]})",
        "metrics.filmstrip: [0].jpeg: not a JPEG image");
    row("metrics: filmstrip frames out of order",
        R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{},"filmstrip":[{"timeMs":5,"jpeg":"/9j/4AAQ"},{"timeMs":4,"jpeg":"/9j/4AAQ"}]})",
        "metrics.filmstrip: [1].timeMs: not a time from 0 to 24 h, in order");
    row("metrics: a filmstrip frame without a time",
        R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{},"filmstrip":[{"jpeg":"/9j/4AAQ"}]})",
        "metrics.filmstrip: [0]: not an object of a number timeMs and a string jpeg");
    row("metrics: a negative speed index",
        R"({"v":1,"type":"metrics","runId":"r","view":"first","metrics":{"speedIndexMs":-1}})",
        "metrics.metrics.speedIndexMs: -1 is outside");
    row("done: ok missing", R"({"v":1,"type":"done","runId":"r"})", "done.ok: is required");
    row("done: ok is text", R"({"v":1,"type":"done","runId":"r","ok":"true"})", "done.ok: expected true or false");
    row("done: failure without error", R"({"v":1,"type":"done","runId":"r","ok":false})",
        "done.error: is required when ok is false");
    row("done: success with error", R"({"v":1,"type":"done","runId":"r","ok":true,"error":{"kind":"timeout"}})",
        "done.error: must be absent when ok is true");
    row("done: error without kind", R"({"v":1,"type":"done","runId":"r","ok":false,"error":{"message":"m"}})",
        "done.error.kind: is required");
    row("done: negative browserStartMs", R"({"v":1,"type":"done","runId":"r","ok":true,"browserStartMs":-1})",
        "done.browserStartMs: -1 is outside");
    row("load: active missing", R"({"v":1,"type":"load","capacity":1,"queued":0})", "load.active: is required");
    row("load: negative active", R"({"v":1,"type":"load","active":-1,"capacity":1,"queued":0})",
        "load.active: -1 is outside");
    row("load: capacity too high", R"({"v":1,"type":"load","active":0,"capacity":1025,"queued":0})",
        "load.capacity: 1025 is outside");
    row("load: queued is text", R"({"v":1,"type":"load","active":0,"capacity":1,"queued":"3"})",
        "load.queued: expected an integer");
    row("load: fractional queued", R"({"v":1,"type":"load","active":0,"capacity":1,"queued":0.5})",
        "load.queued: expected an integer");
    row("error: code missing", R"({"v":1,"type":"error","message":"m"})", "error.code: is required");
    row("error: code with spaces", R"({"v":1,"type":"error","code":"Bad Thing","message":"m"})",
        "error.code: must be lower-case letters");
    row("error: message missing", R"({"v":1,"type":"error","code":"busy"})", "error.message: is required");
    row("error: bad runId", R"({"v":1,"type":"error","code":"busy","message":"m","runId":"a b"})",
        "error.runId: must be 1–64");
}

void tst_Protocol::invalidFields()
{
    QFETCH(QByteArray, frame);
    QFETCH(QString, expected);
    const DecodedFrame decoded = FrameCodec().decode(QByteArrayView(frame));
    QVERIFY2(!decoded.ok(), qPrintable(describeFrame(decoded)));
    QCOMPARE(decoded.error.code, ProtocolError::invalidMessage.toString());
    QVERIFY2(decoded.error.message.startsWith(expected), qPrintable(decoded.error.message));
    // The envelope was fine, so the caller can still answer about the right type.
    QCOMPARE(decoded.version, 1);
    QVERIFY(isKnownMessageType(decoded.type));
}

void tst_Protocol::frameSizeLimit()
{
    // A valid frame padded (with a field nobody reads) to exactly the limit is accepted; one byte more is not.
    const FrameCodec codec;
    QCOMPARE(codec.maxFrameBytes(), 1024 * 1024);
    const QByteArray head = R"({"v":1,"type":"cancel","runId":"r1","pad":")";
    const QByteArray tail = "\"}";
    QByteArray exact = head + QByteArray(codec.maxFrameBytes() - head.size() - tail.size(), 'x') + tail;
    QCOMPARE(exact.size(), codec.maxFrameBytes());
    const DecodedFrame atLimit = codec.decode(QByteArrayView(exact));
    QVERIFY2(atLimit.ok(), qPrintable(describeFrame(atLimit)));

    exact.insert(head.size(), 'x');
    const DecodedFrame over = codec.decode(QByteArrayView(exact));
    QVERIFY(!over.ok());
    QCOMPARE(over.error.code, ProtocolError::frameTooLarge.toString());
    QVERIFY(over.error.message.contains(u"1048577"));
    QCOMPARE(codec.decode(QString::fromLatin1(exact)).error.code, ProtocolError::frameTooLarge.toString());

    // Configurable; the text overload counts UTF-8 bytes, not characters.
    FrameCodec small(64);
    const QString threeByteChars(30, QChar(0x20AC)); // "€": 3 bytes each in UTF-8, 90 bytes in all
    QCOMPARE(small.decode(threeByteChars).error.code, ProtocolError::frameTooLarge.toString());
    QCOMPARE(small.decode(QByteArrayView(QByteArray(65, ' '))).error.code, ProtocolError::frameTooLarge.toString());
    QVERIFY(small.decode(QByteArrayView(QByteArray(R"({"v":1,"type":"cancel","runId":"r1"})"))).ok());
    small.setMaxFrameBytes(FrameCodec::screenshotMaxFrameBytes);
    QCOMPARE(small.maxFrameBytes(), 16 * 1024 * 1024);
}

void tst_Protocol::everyTruncationIsAnError()
{
    const FrameCodec codec;
    for (const auto &[name, message] : sampleMessages()) {
        const QByteArray frame = codec.encode(message);
        for (qsizetype length = 0; length < frame.size(); ++length) {
            const DecodedFrame decoded = codec.decode(QByteArrayView(frame.constData(), length));
            QVERIFY2(!decoded.ok(), qPrintable(QString::fromUtf8(name) + u" cut at " + QString::number(length)));
            QCOMPARE(decoded.error.code, ProtocolError::malformed.toString());
        }
    }
}

void tst_Protocol::garbageNeverCrashes()
{
    // Seeded, so a failure reproduces; the bounded fuzz smoke test and the libFuzzer target go much further.
    QRandomGenerator random(20240601);
    const FrameCodec codec;
    for (int i = 0; i < 2000; ++i) {
        QByteArray bytes(random.bounded(0, 300), Qt::Uninitialized);
        for (char &byte : bytes)
            byte = static_cast<char>(random.bounded(256));
        const DecodedFrame decoded = codec.decode(QByteArrayView(bytes));
        QVERIFY(!decoded.ok());
        QVERIFY(decoded.error.code == ProtocolError::malformed || decoded.error.code == ProtocolError::unknownType);
        QCOMPARE(checkFrame(codec, bytes), QString());
    }
}

void tst_Protocol::errorReplyForABadFrame()
{
    // What a probe does with an unknown type: answer with `error`, naming the run, and go on.
    const FrameCodec codec;
    const DecodedFrame bad = codec.decode(QByteArrayView(QByteArray(R"({"v":1,"type":"screenshotNow","runId":"r5"})")));
    QCOMPARE(bad.error.code, ProtocolError::unknownType.toString());
    QCOMPARE(bad.runId, QStringLiteral("r5"));
    QCOMPARE(bad.type, QStringLiteral("screenshotNow"));
    const ErrorMessage reply = ErrorMessage::from(bad.error, bad.runId);
    const DecodedFrame replyDecoded = codec.decode(QByteArrayView(codec.encode(reply)));
    QVERIFY2(replyDecoded.ok(), qPrintable(describeFrame(replyDecoded)));
    const auto *error = std::get_if<ErrorMessage>(&*replyDecoded.message);
    QVERIFY(error);
    QCOMPARE(error->code, QStringLiteral("unknown-type"));
    QCOMPARE(error->runId, QStringLiteral("r5"));
    QVERIFY(error->message.contains(u"screenshotNow"));

    // A run id that is not a valid identifier is not echoed back.
    const DecodedFrame hostile
        = codec.decode(QByteArrayView(QByteArray(R"({"v":1,"type":"nope","runId":"<script>"})")));
    QVERIFY(hostile.runId.isEmpty());
    // An over-long message is cut so the reply is itself valid.
    const ErrorMessage longReply = ErrorMessage::from({ QStringLiteral("internal"), QString(10'000, u'x') });
    QVERIFY(codec.decode(QByteArrayView(codec.encode(longReply))).ok());
}

void tst_Protocol::describeNamesTheMessage()
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

void tst_Protocol::corpusDecodes()
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

QTEST_GUILESS_MAIN(tst_Protocol)
#include "tst_protocol.moc"
