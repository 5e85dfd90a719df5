// A filmstrip's budget and its JSON: what a probe keeps of the frames it captured, and what a reader accepts.
#include "model/filmstrip.h"
#include "model/viewresult.h"

#include <QJsonObject>
#include <QTest>

namespace {

QByteArray jpegOf(qsizetype size)
{
    QByteArray data(size, 'x');
    data[0] = char(0xff);
    data[1] = char(0xd8);
    data[2] = char(0xff);
    return data;
}

QList<Filmstrip::Frame> framesOf(int count, qsizetype bytes)
{
    QList<Filmstrip::Frame> frames;
    for (int i = 0; i < count; ++i)
        frames.append(Filmstrip::Frame { i * 10.0, jpegOf(bytes) });
    return frames;
}

} // namespace

class tst_Filmstrip : public QObject
{
    Q_OBJECT

private slots:
    void aShortStripIsKeptWhole();
    void aLongStripIsThinnedEvenly();
    void aHeavyStripIsThinnedToItsBytes();
    void jsonRoundTrip();
    void badJsonIsRefused_data();
    void badJsonIsRefused();
};

void tst_Filmstrip::aShortStripIsKeptWhole()
{
    const QList<Filmstrip::Frame> frames = framesOf(5, 100);
    QCOMPARE(Filmstrip::thinned(frames).frames, frames);
    QVERIFY(Filmstrip::thinned({}).isEmpty());
}

void tst_Filmstrip::aLongStripIsThinnedEvenly()
{
    const QList<Filmstrip::Frame> frames = framesOf(1000, 100);
    const Filmstrip strip = Filmstrip::thinned(frames);
    QCOMPARE(strip.frames.size(), Filmstrip::maxFrames);
    // The whole load is still there, start to end, in order, and no stretch of it left out.
    QCOMPARE(strip.frames.first(), frames.first());
    QCOMPARE(strip.frames.last(), frames.last());
    for (qsizetype i = 1; i < strip.frames.size(); ++i) {
        const double gap = strip.frames[i].timeMs - strip.frames[i - 1].timeMs;
        QVERIFY2(gap >= 80 && gap <= 90, qPrintable(QString::number(gap)));
    }
}

void tst_Filmstrip::aHeavyStripIsThinnedToItsBytes()
{
    const Filmstrip strip = Filmstrip::thinned(framesOf(100, 60 * 1024));
    QVERIFY(strip.totalBytes() <= Filmstrip::maxTotalBytes);
    QVERIFY(strip.frames.size() >= Filmstrip::maxTotalBytes / (60 * 1024) / 2);
    QCOMPARE(strip.frames.last().timeMs, 990.0);
    // A frame beyond a frame's limit is dropped rather than sent to be refused.
    QList<Filmstrip::Frame> oversized = framesOf(3, 100);
    oversized[1].jpeg = jpegOf(Filmstrip::maxFrameBytes + 1);
    QCOMPARE(Filmstrip::thinned(oversized).frames.size(), 2);
}

void tst_Filmstrip::jsonRoundTrip()
{
    Filmstrip strip;
    strip.frames = framesOf(3, 500);
    QString error;
    const auto back = Filmstrip::fromJson(strip.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, strip);
    // In a view, and absent from a view without one.
    ViewResult view;
    view.url = QStringLiteral("https://example.com/");
    QVERIFY(!view.toJson().contains(QStringLiteral("filmstrip")));
    view.filmstrip = strip;
    const auto viewBack = ViewResult::fromJson(view.toJson(), &error);
    QVERIFY2(viewBack, qPrintable(error));
    QCOMPARE(viewBack->filmstrip, strip);
}

void tst_Filmstrip::badJsonIsRefused_data()
{
    QTest::addColumn<QJsonArray>("json");
    QTest::addColumn<QString>("expected");
    const QString jpeg = QString::fromLatin1(jpegOf(10).toBase64());
    const auto frame = [](const QJsonValue &time, const QJsonValue &data) {
        return QJsonObject { { QStringLiteral("timeMs"), time }, { QStringLiteral("jpeg"), data } };
    };
    QTest::newRow("not an object") << QJsonArray { 3 }
                                   << QStringLiteral("[0]: not an object of a number timeMs and a string jpeg");
    QTest::newRow("negative time") << QJsonArray { frame(-1, jpeg) }
                                   << QStringLiteral("[0].timeMs: not a time from 0 to 24 h, in order");
    QTest::newRow("out of order") << QJsonArray { frame(5, jpeg), frame(4, jpeg) }
                                  << QStringLiteral("[1].timeMs: not a time from 0 to 24 h, in order");
    QTest::newRow("not base64") << QJsonArray { frame(0, QStringLiteral("!!")) }
                                << QStringLiteral("[0].jpeg: not base64");
    QTest::newRow("a PNG") << QJsonArray { frame(0, QStringLiteral("iVBORw0KGgo=")) }
                           << QStringLiteral("[0].jpeg: not a JPEG image");
    QTest::newRow("a frame too big") << QJsonArray {
        frame(0, QString::fromLatin1(jpegOf(Filmstrip::maxFrameBytes + 1).toBase64()))
    } << QStringLiteral("[0].jpeg: larger than 65536 bytes");
    QJsonArray tooMany;
    for (qsizetype i = 0; i <= Filmstrip::maxFrames; ++i)
        tooMany.append(frame(0, jpeg));
    QTest::newRow("too many frames") << tooMany << QStringLiteral("more than 120 frames");
    QJsonArray tooHeavy;
    const QString big = QString::fromLatin1(jpegOf(Filmstrip::maxFrameBytes).toBase64());
    for (qsizetype i = 0; i <= Filmstrip::maxTotalBytes / Filmstrip::maxFrameBytes; ++i)
        tooHeavy.append(frame(0, big));
    QTest::newRow("too many bytes") << tooHeavy << QStringLiteral("more than 2097152 bytes of frames");
}

void tst_Filmstrip::badJsonIsRefused()
{
    QFETCH(QJsonArray, json);
    QFETCH(QString, expected);
    QString error;
    QVERIFY(!Filmstrip::fromJson(json, &error));
    QCOMPARE(error, expected);
}

QTEST_MAIN(tst_Filmstrip)
#include "tst_filmstrip.moc"
