#include "visualprogress.h"

#include <QPainter>
#include <QTest>

// Visual metrics against filmstrips whose progress is known by construction.
class TestVisualProgress final : public QObject
{
    Q_OBJECT

private slots:
    void whitePixelsAreBackground();
    void halfOfTheFinalColoursIsHalfWay();
    void speedIndexIsTheAreaAboveTheCurve();
    void blankBeforeTheFirstFrameCounts();
    void colourNoiseWithinTheSlopStillMatches();
    void visualCompleteThresholds();
    void lastVisualChangeMayFollowLoad();
    void nothingPaintedMeansNoMetrics();
    void oneFrameIsNotAFilmstrip();
};

namespace {

constexpr int side = 100;

// A white frame with the given rectangles painted.
QImage frame(const QList<QPair<QRect, QColor>> &boxes)
{
    QImage image(side, side, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    for (const auto &[rect, colour] : boxes)
        painter.fillRect(rect, colour);
    return image;
}

const QRect left(0, 0, side / 2, side);
const QRect right(side / 2, 0, side / 2, side);

} // namespace

void TestVisualProgress::whitePixelsAreBackground()
{
    const auto counts = VisualProgress::histogram(frame({ { left, QColor(10, 20, 30) } }));
    QCOMPARE(counts[0][10], qint64(side * side / 2));
    QCOMPARE(counts[1][20], qint64(side * side / 2));
    QCOMPARE(counts[2][30], qint64(side * side / 2));
    QCOMPARE(counts[0][255], qint64(0));
    // Almost white is still background; one channel at 250 is not.
    const auto nearWhite = VisualProgress::histogram(frame({ { left, QColor(251, 252, 253) } }));
    QCOMPARE(nearWhite[0][251], qint64(0));
    const auto notWhite = VisualProgress::histogram(frame({ { left, QColor(250, 255, 255) } }));
    QCOMPARE(notWhite[0][250], qint64(side * side / 2));
}

void TestVisualProgress::halfOfTheFinalColoursIsHalfWay()
{
    // Final: red left half, blue right half. The red half alone matches red 255/0 fully in the red channel's 255
    // bucket (half the red target), half the green zeros, and the blue zeros (half the blue target): 3 of 6 halves.
    const auto start = VisualProgress::histogram(frame({}));
    const auto finalFrame = VisualProgress::histogram(frame({ { left, Qt::red }, { right, Qt::blue } }));
    const auto halfway = VisualProgress::histogram(frame({ { left, Qt::red } }));
    QCOMPARE(VisualProgress::progress(start, start, finalFrame), 0);
    QCOMPARE(VisualProgress::progress(halfway, start, finalFrame), 50);
    QCOMPARE(VisualProgress::progress(finalFrame, start, finalFrame), 100);
}

void TestVisualProgress::speedIndexIsTheAreaAboveTheCurve()
{
    const QList<VisualProgress::Frame> frames {
        { 0, frame({}) },
        { 100, frame({ { left, Qt::red } }) },
        { 300, frame({ { left, Qt::red }, { right, Qt::blue } }) },
    };
    const VisualProgress::Metrics metrics = VisualProgress::compute(frames);
    QCOMPARE(metrics.progress, (QList<int> { 0, 50, 100 }));
    // 100 ms at 0 %, then 200 ms at 50 %: 100 + 100.
    QCOMPARE(metrics.speedIndexMs, std::optional<double>(200));
    QCOMPARE(metrics.firstVisualChangeMs, std::optional<double>(100));
    QCOMPARE(metrics.lastVisualChangeMs, std::optional<double>(300));
}

void TestVisualProgress::blankBeforeTheFirstFrameCounts()
{
    // The capture's first frame came 40 ms after navigation start: the page was blank before it too.
    const QList<VisualProgress::Frame> frames {
        { 40, frame({}) },
        { 140, frame({ { left, Qt::red }, { right, Qt::blue } }) },
    };
    QCOMPARE(VisualProgress::compute(frames).speedIndexMs, std::optional<double>(140));
}

void TestVisualProgress::colourNoiseWithinTheSlopStillMatches()
{
    // JPEG and scaling move colours a little: a frame 3 values off the final colour is complete, 20 off is not.
    const auto start = VisualProgress::histogram(frame({}));
    const auto finalFrame = VisualProgress::histogram(frame({ { left, QColor(100, 100, 100) } }));
    const auto close = VisualProgress::histogram(frame({ { left, QColor(103, 97, 102) } }));
    const auto far = VisualProgress::histogram(frame({ { left, QColor(120, 120, 120) } }));
    QCOMPARE(VisualProgress::progress(close, start, finalFrame), 100);
    QCOMPARE(VisualProgress::progress(far, start, finalFrame), 0);
}

void TestVisualProgress::visualCompleteThresholds()
{
    // Ten stripes painted one at a time every 100 ms: progress 10 %, 20 %, … 100 %.
    QList<VisualProgress::Frame> frames { { 0, frame({}) } };
    QList<QPair<QRect, QColor>> boxes;
    for (int stripe = 0; stripe < 10; ++stripe) {
        boxes.append({ QRect(0, stripe * 10, side, 10), QColor(20, 40, 60) });
        frames.append({ double(100 * (stripe + 1)), frame(boxes) });
    }
    const VisualProgress::Metrics metrics = VisualProgress::compute(frames);
    QCOMPARE(metrics.progress.at(5), 50);
    QCOMPARE(metrics.visualComplete85Ms, std::optional<double>(900)); // 90 % is the first ≥ 85 %
    QCOMPARE(metrics.visualComplete99Ms, std::optional<double>(1000));
    QCOMPARE(metrics.firstVisualChangeMs, std::optional<double>(100));
    // 100 ms each at 0, 10, … 90 %: 100 × (1 + 0.9 + … + 0.1) = 550.
    QVERIFY(qAbs(*metrics.speedIndexMs - 550) < 1e-9);
}

void TestVisualProgress::lastVisualChangeMayFollowLoad()
{
    // Identical frames after the last change do not move the last visual change.
    const QImage done = frame({ { left, Qt::red } });
    const QList<VisualProgress::Frame> frames { { 0, frame({}) }, { 250, done }, { 900, done }, { 1500, done } };
    const VisualProgress::Metrics metrics = VisualProgress::compute(frames);
    QCOMPARE(metrics.lastVisualChangeMs, std::optional<double>(250));
    QCOMPARE(metrics.speedIndexMs, std::optional<double>(250));
}

void TestVisualProgress::nothingPaintedMeansNoMetrics()
{
    const QList<VisualProgress::Frame> frames { { 0, frame({}) }, { 500, frame({}) } };
    const VisualProgress::Metrics metrics = VisualProgress::compute(frames);
    QVERIFY(!metrics.speedIndexMs);
    QVERIFY(!metrics.firstVisualChangeMs);
    QVERIFY(!metrics.visualComplete85Ms);
    QVERIFY(!metrics.lastVisualChangeMs);
}

void TestVisualProgress::oneFrameIsNotAFilmstrip()
{
    QVERIFY(!VisualProgress::compute({ { 0, frame({ { left, Qt::red } }) } }).speedIndexMs);
    QVERIFY(!VisualProgress::compute({}).speedIndexMs);
}

QTEST_GUILESS_MAIN(TestVisualProgress)
#include "tst_visualprogress.moc"
