// The protocol's versions (shared/protocol/PROTOCOL.md): what two peers negotiate, handshakes with a newer and an
// older peer, fields from a newer version ignored, and the version rule once the handshake is done.

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

namespace {

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

class tst_ProtocolVersions : public QObject
{
    Q_OBJECT

private slots:
    void negotiate_data();
    void negotiate();
    void newerPeerHandshake();
    void olderPeerHandshake();
    void newerFieldsAreIgnored();
    void versionRuleAfterHandshake();
};

void tst_ProtocolVersions::negotiate_data()
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

void tst_ProtocolVersions::negotiate()
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

void tst_ProtocolVersions::newerPeerHandshake()
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

void tst_ProtocolVersions::olderPeerHandshake()
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

void tst_ProtocolVersions::newerFieldsAreIgnored()
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

void tst_ProtocolVersions::versionRuleAfterHandshake()
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

QTEST_GUILESS_MAIN(tst_ProtocolVersions)
#include "tst_protocolversions.moc"
