// What the history keeps when the app goes away: a store closed cleanly reopens with everything and goes on; a
// writer killed with SIGKILL between frames (this test's own binary, started with --frame-writer) leaves an intact
// file holding every frame it acknowledged. And, as a number to watch, what one frame costs the GUI thread.

#include "historyfixtures.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTest>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace {

const QString writerArgument = QStringLiteral("--frame-writer");

// The durability test's frames: group g is one run of one region, in 13 frames: a status, ten requests, metrics,
// done. Both the writer (child) and the checker (parent) derive everything from the frame number.
const QStringList writerRegions { QStringLiteral("fra"), QStringLiteral("iad"), QStringLiteral("syd") };
constexpr int framesPerRun = 13;

struct Frame
{
    int group;
    int step;
    QString region;
    int runIndex;
};

Frame frameAt(int i)
{
    const int group = i / framesPerRun;
    return { group, i % framesPerRun, writerRegions.at(group % 3), group / 3 + 1 };
}

bool writeFrame(HistoryStore &store, qint64 testId, int i)
{
    const Frame f = frameAt(i);
    if (f.step == 0)
        return store.setRegionState(testId, f.region, RunState::Loading, QStringLiteral("run %1").arg(f.runIndex));
    if (f.step <= 10) {
        return store.addRequest(testId, f.region, f.runIndex, RunView::First,
            request(QStringLiteral("%1-%2").arg(f.group).arg(f.step), QStringLiteral("https://example.com/%1").arg(i),
                f.step * 10.0, f.step));
    }
    if (f.step == 11) {
        PageMetrics m = metrics(f.group, true);
        m.loadMs = f.group + 0.5;
        return store.setMetrics(testId, f.region, f.runIndex, RunView::First, m, {}, {});
    }
    return store.finishRun(testId, f.region, f.runIndex, true, std::nullopt, f.runIndex == 1, std::nullopt);
}

QString frameMissing(const TestRecord &t, int i)
{
    const Frame f = frameAt(i);
    const RegionRecord region = t.region(f.region);
    const auto run = std::find_if(
        region.runs.cbegin(), region.runs.cend(), [&](const RegionRun &r) { return r.index == f.runIndex; });
    const QString where
        = QStringLiteral("frame %1 (%2 run %3 step %4)").arg(i).arg(f.region).arg(f.runIndex).arg(f.step);
    if (f.step == 0) {
        const int shown = region.detail.mid(4).toInt();
        return region.state != RunState::Loading || shown < f.runIndex ? where : QString();
    }
    if (run == region.runs.cend())
        return where;
    if (f.step <= 10) {
        const QString id = QStringLiteral("%1-%2").arg(f.group).arg(f.step);
        const bool found = std::any_of(run->firstView.requests.cbegin(), run->firstView.requests.cend(),
            [&](const RequestTiming &r) { return r.id == id; });
        return found ? QString() : where;
    }
    if (f.step == 11)
        return run->firstViewMeasured && run->firstView.metrics.loadMs == f.group + 0.5 ? QString() : where;
    return run->finished && run->ok() ? QString() : where;
}

// The child: writes frames as fast as it can and acknowledges each one on stdout after the call returned.
int runFrameWriter(const QString &path)
{
    HistoryStore store(path);
    if (!store.open()) {
        std::fprintf(stderr, "%s\n", qPrintable(store.lastError()));
        return 2;
    }
    const qint64 id = store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {}, writerRegions, 1000);
    if (id < 0)
        return 3;
    std::printf("test %lld\n", static_cast<long long>(id));
    std::fflush(stdout);
    for (int i = 0; i < 100'000; ++i) { // bounded, in case the parent never kills it
        if (!writeFrame(store, id, i)) {
            std::fprintf(stderr, "%s\n", qPrintable(store.lastError()));
            return 4;
        }
        std::printf("%d\n", i);
        std::fflush(stdout);
    }
    return 0;
}

} // namespace

class tst_HistoryDurability : public QObject
{
    Q_OBJECT

private slots:
    void reopenAfterCleanClose();
    void survivesSigkill_data();
    void survivesSigkill();
    void perFrameCost();
};

void tst_HistoryDurability::reopenAfterCleanClose()
{
    QTemporaryDir dir;
    const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
    TestRecord expected = sampleRecord();
    qint64 id = -1;
    {
        HistoryStore store(historyPath(dir));
        QVERIFY(store.open());
        // Two stores at once, on two files: each has its own named connection.
        HistoryStore other(dir.filePath(QStringLiteral("other.sqlite")));
        QVERIFY(other.open());
        QVERIFY(other.beginTest(expected.url, expected.options, expected.regions, 1) > 0);
        id = feed(store, expected, false);
        QVERIFY2(id > 0, qPrintable(store.lastError()));
    }
    // The last connection's close checkpoints the WAL into the main file.
    QVERIFY(!QFile::exists(historyPath(dir) + QStringLiteral("-wal")));

    HistoryStore reopened(historyPath(dir));
    QVERIFY2(reopened.open(), qPrintable(reopened.lastError()));
    auto loaded = reopened.load(id);
    QVERIFY(loaded);
    QVERIFY(!loaded->finishedAt.isValid());
    QString why;
    QVERIFY2(adoptStoredTimes(expected, *loaded, before, &why), qPrintable(why));
    QCOMPARE(describe(*loaded), describe(expected));
    QVERIFY(*loaded == expected);
    // And the test goes on where it stopped.
    QVERIFY(reopened.finishTest(id));
    QVERIFY(reopened.load(id)->finishedAt.isValid());
    QCOMPARE(reopened.list().size(), 1);
}

void tst_HistoryDurability::survivesSigkill_data()
{
    QTest::addColumn<int>("target");
    QTest::newRow("first run") << 7;
    QTest::newRow("a few runs per region") << 5 * framesPerRun * 3 + 7;
    QTest::newRow("many runs") << 40 * framesPerRun + 11;
}

void tst_HistoryDurability::survivesSigkill()
{
    QFETCH(int, target);
    QTemporaryDir dir;
    const QString path = historyPath(dir);
    QProcess writer;
    writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    writer.start(QCoreApplication::applicationFilePath(), { writerArgument, path });
    QVERIFY2(writer.waitForStarted(), qPrintable(writer.errorString()));

    // Read acknowledgements until enough frames are written, then kill the writer in the middle of its next ones.
    QByteArray output;
    QDeadlineTimer deadline(120'000);
    while (output.count('\n') < target + 1 && !deadline.hasExpired()) {
        if (!writer.waitForReadyRead(1000) && writer.state() != QProcess::Running)
            break;
        output += writer.readAllStandardOutput();
    }
    QVERIFY2(writer.state() == QProcess::Running, "the writer ended before it was killed");
    writer.kill(); // SIGKILL; TerminateProcess on Windows: no chance to finish anything either way
    QVERIFY(writer.waitForFinished(10'000));
    QCOMPARE(writer.exitStatus(), QProcess::CrashExit);
    output += writer.readAllStandardOutput();

    // Only whole lines count: a line is printed after the call that wrote the frame returned.
    const QList<QByteArray> lines = output.left(output.lastIndexOf('\n') + 1).split('\n');
    QVERIFY(lines.first().startsWith("test "));
    const qint64 id = lines.first().mid(5).toLongLong();
    int acknowledged = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        if (lines.at(i).isEmpty())
            continue;
        QCOMPARE(lines.at(i).toInt(), acknowledged);
        ++acknowledged;
    }
    QVERIFY(acknowledged >= target);
    qInfo("killed the writer after %d acknowledged frames", acknowledged);

    {
        RawDatabase raw(path);
        QCOMPARE(raw.value(QStringLiteral("PRAGMA integrity_check")).toString(), QStringLiteral("ok"));
        QCOMPARE(raw.value(QStringLiteral("PRAGMA foreign_key_check")), QVariant());
    }
    HistoryStore store(path);
    QVERIFY2(store.open(), qPrintable(store.lastError()));
    const auto loaded = store.load(id);
    QVERIFY2(loaded, qPrintable(store.lastError()));
    for (int i = 0; i < acknowledged; ++i) {
        const QString missing = frameMissing(*loaded, i);
        QVERIFY2(missing.isEmpty(), qPrintable(missing + QStringLiteral(" was acknowledged but is not stored")));
    }
    // At most the one frame in flight when the kill came was stored without an acknowledgement.
    int requests = 0;
    for (const RegionRecord &region : loaded->results) {
        for (const RegionRun &run : region.runs)
            requests += static_cast<int>(run.firstView.requests.size());
    }
    int acknowledgedRequests = 0;
    for (int i = 0; i < acknowledged; ++i)
        acknowledgedRequests += frameAt(i).step >= 1 && frameAt(i).step <= 10 ? 1 : 0;
    QVERIFY(requests == acknowledgedRequests || requests == acknowledgedRequests + 1);
}

// Not a benchmark with a bound, a number to watch: what one frame costs the GUI thread.
void tst_HistoryDurability::perFrameCost()
{
    QTemporaryDir dir;
    const auto measure = [&](HistoryStore::Durability durability, const QString &file) -> std::pair<double, double> {
        HistoryStore store(dir.filePath(file), durability);
        if (!store.open())
            return { -1, -1 };
        const qint64 id = store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {},
            { QStringLiteral("fra"), QStringLiteral("iad") }, 100);
        constexpr int frames = 300;
        std::vector<qint64> costs;
        QElapsedTimer timer;
        for (int i = 0; i < frames; ++i) {
            const RequestTiming r = request(QString::number(i), QStringLiteral("https://example.com/%1").arg(i), i, i);
            timer.start();
            const bool ok = i % 30 == 29
                ? store.setMetrics(id, QStringLiteral("fra"), i / 30 + 1, RunView::First, metrics(i, true), {}, {})
                : store.addRequest(id, QStringLiteral("fra"), i / 30 + 1, RunView::First, r);
            costs.push_back(timer.nsecsElapsed());
            if (!ok)
                return { -1, -1 };
        }
        std::sort(costs.begin(), costs.end());
        double total = 0;
        for (const qint64 cost : costs)
            total += static_cast<double>(cost);
        return { total / frames / 1000.0, static_cast<double>(costs.at(frames / 2)) / 1000.0 };
    };
    const auto full = measure(HistoryStore::Durability::PowerLoss, QStringLiteral("full.sqlite"));
    const auto normal = measure(HistoryStore::Durability::ProcessCrash, QStringLiteral("normal.sqlite"));
    QVERIFY(full.first > 0 && normal.first > 0);
    qInfo("per-frame insert cost: synchronous=FULL mean %.0f µs, median %.0f µs; synchronous=NORMAL mean %.0f µs, "
          "median %.0f µs (300 frames: requests, every 30th a metrics frame)",
        full.first, full.second, normal.first, normal.second);
}

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    if (argc == 3 && QString::fromLocal8Bit(argv[1]) == writerArgument)
        return runFrameWriter(QString::fromLocal8Bit(argv[2]));
    tst_HistoryDurability test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_historydurability.moc"
