// Frames the protocol refuses (shared/protocol/PROTOCOL.md): malformed frames and fields out of range each with
// their error code, the size limit, every truncation an error, garbage never a crash, and the error reply to a bad
// frame.

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

class tst_ProtocolErrors : public QObject
{
    Q_OBJECT

private slots:
    void badFrames_data();
    void badFrames();
    void invalidFields_data();
    void invalidFields();
    void frameSizeLimit();
    void everyTruncationIsAnError();
    void garbageNeverCrashes();
    void errorReplyForABadFrame();
};

void tst_ProtocolErrors::badFrames_data()
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

void tst_ProtocolErrors::badFrames()
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

void tst_ProtocolErrors::invalidFields_data()
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
    row("request: initiator line is text",
        R"({"v":1,"type":"request","runId":"r","view":"first","request":{"id":"1","url":"u","startMs":0,"initiator":{"type":"parser","line":"3"}}})",
        "request.request.initiator.line: expected an integer");
    row("request: initiator without its type",
        R"({"v":1,"type":"request","runId":"r","view":"first","request":{"id":"1","url":"u","startMs":0,"initiator":{"url":"https://a/"}}})",
        "request.request.initiator.type: is required");
    row("started: initiator is a list",
        R"({"v":1,"type":"started","runId":"r","view":"first","requests":[{"id":"1","url":"u","startMs":0,"initiator":["script"]}]})",
        "started.requests[0].initiator: expected an object");
    row("request: nested required missing",
        R"({"v":1,"type":"request","runId":"r","view":"first","request":{"id":"1","startMs":0}})",
        "request.request.url: is required");
    row("request: step 0", R"({"v":1,"type":"request","runId":"r","view":"first","step":0,"request":{}})",
        "request.step: 0 is outside");
    row("request: step 21", R"({"v":1,"type":"request","runId":"r","view":"first","step":21,"request":{}})",
        "request.step: 21 is outside");
    row("request: step is text", R"({"v":1,"type":"request","runId":"r","view":"first","step":"2","request":{}})",
        "request.step: expected an integer");
    row("request: a repeat view of step 2",
        R"({"v":1,"type":"request","runId":"r","view":"repeat","step":2,"request":{}})",
        "request.step: a script's step 2 has no repeat view");
    row("started: step 1.5", R"({"v":1,"type":"started","runId":"r","view":"first","step":1.5,"requests":[]})",
        "started.step: expected an integer");
    row("metrics: a repeat view of step 3",
        R"({"v":1,"type":"metrics","runId":"r","view":"repeat","step":3,"metrics":{}})",
        "metrics.step: a script's step 3 has no repeat view");
    row("metrics: step name too long",
        QByteArray(R"({"v":1,"type":"metrics","runId":"r","view":"first","step":2,"metrics":{},"stepName":")")
            + QByteArray(257, 'n') + "\"}",
        "metrics.stepName: longer than 256 characters");
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

void tst_ProtocolErrors::invalidFields()
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

void tst_ProtocolErrors::frameSizeLimit()
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

void tst_ProtocolErrors::everyTruncationIsAnError()
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

void tst_ProtocolErrors::garbageNeverCrashes()
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

void tst_ProtocolErrors::errorReplyForABadFrame()
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

QTEST_GUILESS_MAIN(tst_ProtocolErrors)
#include "tst_protocolerrors.moc"
