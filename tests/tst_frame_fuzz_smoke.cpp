// A bounded, deterministic fuzz run that every build runs (gcc included, no libFuzzer needed): ~20 000 random and
// mutated-valid frames through FrameCodec::decode. Each must give exactly a message or an error, and every message
// must survive re-encoding (checkFrame). The libFuzzer target tests/fuzz/fuzz_frame.cpp explores much further.

#include "fuzz/framecheck.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QTest>

#include <array>
#include <cstdint>

namespace {

// xorshift64*: fully specified here, so the same frames come out on every compiler and platform (the standard
// distributions are not specified that precisely).
class Random
{
public:
    explicit Random(std::uint64_t seed)
        : m_state(seed)
    { }
    std::uint64_t next()
    {
        m_state ^= m_state >> 12;
        m_state ^= m_state << 25;
        m_state ^= m_state >> 27;
        return m_state * 0x2545F4914F6CDD1DULL;
    }
    qsizetype below(qsizetype bound) { return bound <= 0 ? 0 : static_cast<qsizetype>(next() % std::uint64_t(bound)); }

private:
    std::uint64_t m_state;
};

// Pieces that make a parser and the field checks take their less travelled paths.
const std::array<QByteArray, 34> dictionary {
    "\"v\":1",
    "\"v\":2",
    "\"v\":0",
    "\"v\":-1",
    "\"v\":1.5",
    "\"v\":65536",
    "\"type\":",
    "\"run\"",
    "\"hello\"",
    "\"auth\"",
    "\"done\"",
    "\"metrics\"",
    "\"runId\":",
    "\"r1\"",
    "null",
    "true",
    "false",
    "{}",
    "[]",
    "-0",
    "1e308",
    "1e400",
    "9007199254740993",
    "-1",
    "\"\"",
    "\"\\ud800\"",
    "\"\\u0000\"",
    "\"\\\"",
    "\xff\xfe",
    "\"ok\":false",
    "\"error\":{\"kind\":\"x\"}",
    "\"screenshotPng\":\"iVBORw0KGgo=\"",
    "{\"a\":[[[[",
    "\"view\":\"repeat\"",
};

QByteArray mutate(QByteArray frame, Random &random)
{
    const int rounds = 1 + static_cast<int>(random.below(4));
    for (int round = 0; round < rounds; ++round) {
        const qsizetype at = random.below(frame.size() + 1);
        switch (random.below(7)) {
        case 0: // flip bits in one byte
            if (!frame.isEmpty()) {
                const qsizetype index = random.below(frame.size());
                frame[index] = static_cast<char>(frame[index] ^ (1 << random.below(8)));
            }
            break;
        case 1: // drop a range
            frame.remove(at, random.below(16) + 1);
            break;
        case 2: // insert a random byte
            frame.insert(at, static_cast<char>(random.below(256)));
            break;
        case 3: // insert a dictionary piece
            frame.insert(at, dictionary[random.below(qsizetype(dictionary.size()))]);
            break;
        case 4: // duplicate a range
            frame.insert(at, frame.mid(random.below(frame.size() + 1), random.below(32)));
            break;
        case 5: // truncate
            frame.truncate(at);
            break;
        default: { // replace a value after a ':' with a dictionary piece, keeping the rest well-formed
            const qsizetype colon = frame.indexOf(':', at);
            if (colon < 0)
                break;
            qsizetype end = colon + 1;
            while (end < frame.size() && frame[end] != ',' && frame[end] != '}')
                ++end;
            frame.replace(colon + 1, end - colon - 1, dictionary[random.below(qsizetype(dictionary.size()))]);
            break;
        }
        }
    }
    return frame;
}

const QList<QJsonValue> &oddValues()
{
    static const QList<QJsonValue> values {
        QJsonValue::Null,
        true,
        false,
        0,
        -1,
        1.5,
        65535,
        65536,
        1e300,
        -1e300,
        9007199254740993.0,
        QString(),
        QStringLiteral("x"),
        QString(70, u'a'),
        QStringLiteral("r 1"),
        QStringLiteral("first"),
        QStringLiteral("starting-browser"),
        QStringLiteral("3gfast"),
        QStringLiteral("iVBORw0KGgo="),
        QStringLiteral("\U0001F600"),
        QJsonObject {},
        QJsonArray {},
        QJsonArray { 1, 2 },
        QJsonObject { { QStringLiteral("min"), 2 }, { QStringLiteral("max"), 1 } },
        QJsonObject { { QStringLiteral("kind"), QStringLiteral("timeout") } },
    };
    return values;
}

// Structure-aware: change one value somewhere in the object tree, drop a key or add one, so the frame stays JSON
// and the field checks behind the parser get exercised.
QJsonObject mutateJson(QJsonObject object, Random &random, int depth = 0)
{
    const QStringList keys = object.keys();
    const qsizetype choice = random.below(10);
    if (keys.isEmpty() || choice == 0) {
        object.insert(QStringLiteral("extra%1").arg(random.below(3)), oddValues()[random.below(oddValues().size())]);
        return object;
    }
    const QString key = keys[random.below(keys.size())];
    if (choice == 1) {
        object.remove(key);
    } else if (object.value(key).isObject() && depth < 4 && choice < 6) {
        object.insert(key, mutateJson(object.value(key).toObject(), random, depth + 1));
    } else {
        object.insert(key, oddValues()[random.below(oddValues().size())]);
    }
    return object;
}

} // namespace

class tst_FrameFuzzSmoke : public QObject
{
    Q_OBJECT

private slots:
    void randomAndMutatedFrames();
};

void tst_FrameFuzzSmoke::randomAndMutatedFrames()
{
    Random random(0x5eed'f00d'cafe'1234ULL);
    FrameCodec fresh;
    FrameCodec negotiated;
    negotiated.setNegotiatedVersion(1);

    QList<QByteArray> valid;
    for (const auto &[name, message] : sampleMessages())
        valid.append(fresh.encode(message));

    const QByteArray jsonAlphabet = R"({}[]":,0123456789.-+eE truefalsnul\/abcdvtypeunId)";
    QMap<QString, int> outcomes; // "message" or the error code → how many
    int frames = 0;
    const auto check = [&](const QByteArray &frame) -> QString {
        ++frames;
        for (const FrameCodec *codec : { &fresh, &negotiated }) {
            const QString problem = checkFrame(*codec, frame);
            if (!problem.isEmpty())
                return problem + u"\nframe (hex): " + QString::fromLatin1(frame.toHex());
        }
        const DecodedFrame decoded = fresh.decode(QByteArrayView(frame));
        ++outcomes[decoded.ok() ? QStringLiteral("message") : decoded.error.code];
        return QString();
    };

    for (int i = 0; i < 4000; ++i) { // raw bytes
        QByteArray frame(random.below(200), Qt::Uninitialized);
        for (char &byte : frame)
            byte = static_cast<char>(random.below(256));
        const QString problem = check(frame);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    for (int i = 0; i < 4000; ++i) { // JSON-looking text
        QByteArray frame(random.below(120), Qt::Uninitialized);
        for (char &byte : frame)
            byte = jsonAlphabet[random.below(jsonAlphabet.size())];
        const QString problem = check(frame);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    for (int i = 0; i < 6000; ++i) { // valid frames, bytes mutated
        const QString problem = check(mutate(valid[random.below(valid.size())], random));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    for (int i = 0; i < 6000; ++i) { // valid frames, JSON values mutated
        const QJsonObject object = QJsonDocument::fromJson(valid[random.below(valid.size())]).object();
        const QString problem = check(QJsonDocument(mutateJson(object, random)).toJson(QJsonDocument::Compact));
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }
    for (const QByteArray &frame : valid) { // and the valid ones themselves
        const QString problem = check(frame);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
    }

    QString summary;
    for (auto it = outcomes.cbegin(); it != outcomes.cend(); ++it)
        summary += QStringLiteral(" %1=%2").arg(it.key()).arg(it.value());
    qInfo("%d frames:%s", frames, qPrintable(summary));
    QVERIFY(frames >= 20'000);
    // The run must reach past the parser: some mutated frames still decode, others fail each kind of check.
    QVERIFY(outcomes.value(QStringLiteral("message")) > int(valid.size()));
    QVERIFY(outcomes.value(ProtocolError::malformed.toString()) > 0);
    QVERIFY(outcomes.value(ProtocolError::invalidMessage.toString()) > 0);
    QVERIFY(outcomes.value(ProtocolError::unknownType.toString()) > 0);
}

QTEST_GUILESS_MAIN(tst_FrameFuzzSmoke)
#include "tst_frame_fuzz_smoke.moc"
