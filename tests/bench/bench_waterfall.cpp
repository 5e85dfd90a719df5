// What the live waterfall costs to paint while a test streams in: 8 regions × 500 requests arriving in batches
// (one batch per region every 100 ms, about what 8 probes send while loading a heavy page), the view repainted after
// each batch, against painting the same view with the same lanes but no requests. Offscreen, in one process.
//
// The stream is what a probe with `started` frames sends: the page load's ~6.5 s are cut into as many windows as
// there are batches; each batch brings, per region, the starts of the requests that started in its window and are
// still going at its end (addStarted(): pending rows, whose bars grow to the model's clock, here the simulated time)
// and the ends of those that ended in it (addRequest(), replacing their pending rows). A request that starts and
// ends in one window is sent only as ended, as the probe's batching does. So every frame paints pending rows too.
// A benchmark reports; it never passes or fails on a number. It exits non-zero only when a run did not work.
//
// Each frame is one synchronous repaint() of the viewport after the batch has been added and flushed into the
// model, so the figure is the view's paintEvent (layout of the visible rows, text, bars, markers, header) plus
// Qt's flush to the offscreen backing store: what the GUI thread spends per frame. Ingest (addRequest() +
// flushPending(), the model's part) is measured separately. After streaming, the full view is also repainted at
// random scroll positions, to show that painting does not grow with the row count.
#include "waterfallmodel.h"
#include "waterfallview.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QScrollBar>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace {

struct Config
{
    int lanes = 8;
    int requests = 500;
    int batch = 50;
    int intervalMs = 100;
    int rounds = 3;
    QSize size { 1600, 900 };
    QList<WaterfallView::LayoutMode> modes;
    QString screenshotDir; // if set, the last streamed frame of each layout is saved there
};

struct Stats
{
    double median = 0;
    double p95 = 0;
    double max = 0;
    double mean = 0;
    qsizetype count = 0;

    // The frame rate the paint alone would allow.
    double fps() const { return mean > 0 ? 1000 / mean : 0; }
    QJsonObject toJson() const
    {
        return { { QStringLiteral("medianMs"), median }, { QStringLiteral("p95Ms"), p95 },
            { QStringLiteral("maxMs"), max }, { QStringLiteral("meanMs"), mean }, { QStringLiteral("fps"), fps() },
            { QStringLiteral("n"), count } };
    }
};

Stats statsOf(QList<double> values)
{
    Stats stats;
    if (values.isEmpty())
        return stats;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    stats.count = n;
    stats.median = n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
    stats.p95 = values.at(std::min(n - 1, static_cast<qsizetype>(std::ceil(0.95 * static_cast<double>(n))) - 1));
    stats.max = values.last();
    double sum = 0;
    for (const double v : std::as_const(values))
        sum += v;
    stats.mean = sum / static_cast<double>(n);
    return stats;
}

QString regionCode(int lane)
{
    static const QStringList codes { QStringLiteral("fra"), QStringLiteral("syd"), QStringLiteral("iad"),
        QStringLiteral("nrt"), QStringLiteral("gru"), QStringLiteral("lhr"), QStringLiteral("sin"),
        QStringLiteral("jnb") };
    return lane < codes.size() ? codes.at(lane) : QStringLiteral("r%1").arg(lane);
}

// One region's page load: count requests over about 6 s, reported in end order as a probe sends them. Every
// 25th opens a new connection, every 60th fails, the last two never end.
QList<RequestTiming> pageLoad(int lane, int count, QRandomGenerator &random)
{
    static const QStringList types { QStringLiteral("Script"), QStringLiteral("Image"), QStringLiteral("Image"),
        QStringLiteral("Stylesheet"), QStringLiteral("Fetch"), QStringLiteral("Font"), QStringLiteral("Image") };
    const double rtt = 10 + 40 * lane;
    QList<RequestTiming> requests;
    requests.reserve(count);
    for (int i = 0; i < count; ++i) {
        RequestTiming r;
        r.id = QString::number(i);
        r.resourceType = i == 0 ? QStringLiteral("Document") : types.at(i % types.size());
        r.url = QStringLiteral("https://www.example.com/assets/%1/item-%2-%3.bin")
                    .arg(r.resourceType.toLower())
                    .arg(i)
                    .arg(random.bounded(100000));
        r.method = QStringLiteral("GET");
        r.status = 200;
        r.startMs = i == 0 ? 0 : 150 + rtt * 3 + 6000.0 * i / count + random.bounded(50.0);
        r.phases.blocked = random.bounded(5.0);
        if (i % 25 == 0) {
            r.phases.dns = 5 + rtt / 2;
            r.phases.connect = rtt;
            r.phases.ssl = rtt;
        }
        r.phases.send = 0.2;
        r.phases.wait = rtt + random.bounded(200.0);
        r.phases.receive = random.bounded(150.0);
        r.outcome = RequestTiming::Outcome::Finished;
        if (i % 60 == 59) {
            r.outcome = RequestTiming::Outcome::Failed;
            r.failureText = QStringLiteral("net::ERR_CONNECTION_RESET");
            r.phases.receive.reset();
        }
        if (i >= count - 2) {
            r.outcome = RequestTiming::Outcome::Unfinished;
            r.phases.receive.reset();
        } else {
            r.durationMs = r.phases.sum();
        }
        r.encodedBytes = 1000 + random.bounded(200000);
        requests.append(r);
    }
    std::stable_sort(requests.begin(), requests.end(), [](const RequestTiming &a, const RequestTiming &b) {
        return a.endMs().value_or(1e12) < b.endMs().value_or(1e12);
    });
    return requests;
}

double repaintMs(WaterfallView &view)
{
    QElapsedTimer timer;
    timer.start();
    view.viewport()->repaint();
    return static_cast<double>(timer.nsecsElapsed()) / 1e6;
}

// Lets the event loop run until the next tick, as a live test's GUI thread would between batches.
void waitUntil(const QElapsedTimer &clock, qint64 deadlineMs)
{
    const qint64 remaining = deadlineMs - clock.elapsed();
    if (remaining > 0) {
        QEventLoop loop;
        QTimer::singleShot(remaining, &loop, &QEventLoop::quit);
        loop.exec();
    } else {
        QCoreApplication::processEvents();
    }
}

// One batch of one region: the starts of its window that are still going at its end, then its window's ends.
struct Batch
{
    QList<RequestTiming> started;
    QList<RequestTiming> ended;
};

// Per region, per batch: the page loads cut into `batches` windows of the same length.
QList<QList<Batch>> schedule(const QList<QList<RequestTiming>> &loads, int batches, double *windowMs)
{
    double spanMs = 1;
    for (const QList<RequestTiming> &load : loads) {
        for (const RequestTiming &r : load)
            spanMs = std::max(spanMs, r.endMs().value_or(r.startMs) + 1);
    }
    *windowMs = spanMs / batches;
    const auto windowOf = [&](double ms) { return std::min(batches - 1, static_cast<int>(ms / *windowMs)); };
    QList<QList<Batch>> out;
    for (const QList<RequestTiming> &load : loads) {
        QList<Batch> lane(batches);
        for (const RequestTiming &r : load) {
            const int startWindow = windowOf(r.startMs);
            // What never ends is closed as unfinished when the view ends: with the last batch.
            const int endWindow = r.endMs() ? windowOf(*r.endMs()) : batches - 1;
            if (endWindow > startWindow) {
                RequestTiming start;
                start.id = r.id;
                start.url = r.url;
                start.method = r.method;
                start.resourceType = r.resourceType;
                start.startMs = r.startMs;
                lane[startWindow].started.append(start);
            }
            lane[endWindow].ended.append(r); // `load` is in end order already
        }
        for (Batch &batch : lane)
            std::stable_sort(batch.started.begin(), batch.started.end(),
                [](const RequestTiming &a, const RequestTiming &b) { return a.startMs < b.startMs; });
        out.append(lane);
    }
    return out;
}

struct ModeResult
{
    Stats streaming;
    Stats baseline;
    Stats ingest;
    Stats scrolled;
    double streamingWallMs = 0;
    qsizetype frames = 0;
    Stats pendingRows; // pending rows in the model (all lanes) at each streamed frame
};

void saveScreenshot(const Config &config, WaterfallView &view, WaterfallView::LayoutMode mode, const QString &suffix)
{
    if (config.screenshotDir.isEmpty())
        return;
    const QString file = config.screenshotDir
        + QStringLiteral("/bench_waterfall-%1%2.png")
              .arg(mode == WaterfallView::LayoutMode::SideBySide ? u"side-by-side" : u"stacked", suffix);
    if (!view.grab().save(file))
        qFatal("bench_waterfall: could not write %s", qPrintable(file));
}

ModeResult runMode(const Config &config, WaterfallView::LayoutMode mode, const QList<QList<RequestTiming>> &loads)
{
    ModeResult result;
    WaterfallModel model;
    double simulatedNowMs = 0; // the pending bars' clock: where the page loads are at the frame
    model.setClock([&simulatedNowMs] { return simulatedNowMs; });
    double windowMs = 0;
    const QList<QList<Batch>> stream = schedule(loads, (config.requests + config.batch - 1) / config.batch, &windowMs);
    WaterfallView view;
    view.setLayoutMode(mode);
    view.setModel(&model);
    view.resize(config.size);
    view.show();
    QCoreApplication::processEvents();

    const int batches = (config.requests + config.batch - 1) / config.batch;
    QList<double> streaming, baseline, ingest, scrolled, pendingRows;
    QElapsedTimer clock;
    for (int round = 0; round < config.rounds; ++round) {
        // Baseline: the same lanes, no requests, the same size and pacing.
        model.clear();
        for (int lane = 0; lane < config.lanes; ++lane)
            model.addLane(regionCode(lane));
        QCoreApplication::processEvents();
        clock.start();
        for (int b = 0; b < batches; ++b) {
            baseline.append(repaintMs(view));
            waitUntil(clock, static_cast<qint64>(b + 1) * config.intervalMs);
        }

        // Streaming: each tick, every region's next window (starts, then ends), then one frame.
        clock.start();
        for (int b = 0; b < batches; ++b) {
            simulatedNowMs = (b + 1) * windowMs;
            QElapsedTimer ingestTimer;
            ingestTimer.start();
            for (int lane = 0; lane < config.lanes; ++lane) {
                const Batch &batch = stream.at(lane).at(b);
                if (!batch.started.isEmpty())
                    model.addStarted(regionCode(lane), 0, RunView::First, batch.started);
                for (const RequestTiming &request : batch.ended)
                    model.addRequest(regionCode(lane), 0, RunView::First, request);
            }
            model.flushPending();
            ingest.append(static_cast<double>(ingestTimer.nsecsElapsed()) / 1e6);
            streaming.append(repaintMs(view));
            int pending = 0;
            for (int lane = 0; lane < model.laneCount(); ++lane) {
                for (int row = 0; row < model.requestCount(lane); ++row)
                    pending += model.isPending(lane, row) ? 1 : 0;
            }
            pendingRows.append(pending);
            if (round == 0 && b == batches / 2)
                saveScreenshot(config, view, mode, QStringLiteral("-live")); // mid-stream: pending rows growing
            if (b == batches - 1) {
                // The page is loaded: its markers come in with the last frame's data.
                for (int lane = 0; lane < config.lanes; ++lane) {
                    PageMetrics metrics;
                    metrics.firstContentfulPaintMs = 900 + 50 * lane;
                    metrics.domContentLoadedMs = 1500 + 60 * lane;
                    metrics.loadMs = 6200 + 80 * lane;
                    model.setPageMetrics(regionCode(lane), 0, RunView::First, metrics);
                }
            }
            waitUntil(clock, static_cast<qint64>(b + 1) * config.intervalMs);
        }
        if (round == 0)
            saveScreenshot(config, view, mode, QString());
        result.streamingWallMs += static_cast<double>(clock.elapsed());
        result.frames += batches;

        // All rows in: repaint at random scroll positions.
        QRandomGenerator random(42u + static_cast<quint32>(round));
        QScrollBar *bar = view.verticalScrollBar();
        for (int i = 0; i < batches; ++i) {
            bar->setValue(random.bounded(bar->maximum() + 1));
            scrolled.append(repaintMs(view));
        }
        bar->setValue(0);
    }
    if (model.requestCount(0) != std::min<int>(config.requests, static_cast<int>(WaterfallModel::maxRequestsPerLoad)))
        qFatal("bench_waterfall: lane 0 has %d rows, expected %d", model.requestCount(0), config.requests);
    result.streaming = statsOf(streaming);
    result.baseline = statsOf(baseline);
    result.ingest = statsOf(ingest);
    result.scrolled = statsOf(scrolled);
    result.pendingRows = statsOf(pendingRows);
    return result;
}

QString modeName(WaterfallView::LayoutMode mode)
{
    return mode == WaterfallView::LayoutMode::SideBySide ? QStringLiteral("side-by-side") : QStringLiteral("stacked");
}

QString line(const QString &label, const Stats &stats, bool withFps = true)
{
    QString text = QStringLiteral("  %1 median %2 ms, p95 %3 ms, max %4 ms, mean %5 ms")
                       .arg(label.leftJustified(22))
                       .arg(stats.median, 0, 'f', 2)
                       .arg(stats.p95, 0, 'f', 2)
                       .arg(stats.max, 0, 'f', 2)
                       .arg(stats.mean, 0, 'f', 2);
    if (withFps)
        text += QStringLiteral(" -> %1 fps").arg(stats.fps(), 0, 'f', 0);
    return text + QStringLiteral(" (n=%1)").arg(stats.count);
}

} // namespace

int main(int argc, char *argv[])
{
    if (!qEnvironmentVariableIsSet("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("bench_waterfall"));
    QTextStream out(stdout);
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Paint cost of the live waterfall while 8 regions × 500 requests stream in, against an empty view of the "
        "same size. Reports figures; never fails on them."));
    parser.addHelpOption();
    const QCommandLineOption lanes(
        QStringLiteral("lanes"), QStringLiteral("Regions (1-32)."), QStringLiteral("N"), QStringLiteral("8"));
    const QCommandLineOption requests(QStringLiteral("requests"), QStringLiteral("Requests per region (1-5000)."),
        QStringLiteral("N"), QStringLiteral("500"));
    const QCommandLineOption batch(QStringLiteral("batch"),
        QStringLiteral("Requests per region per batch on average: the load is cut into requests/N windows."),
        QStringLiteral("N"), QStringLiteral("50"));
    const QCommandLineOption interval(QStringLiteral("interval"), QStringLiteral("Milliseconds between batches."),
        QStringLiteral("MS"), QStringLiteral("100"));
    const QCommandLineOption rounds(QStringLiteral("rounds"), QStringLiteral("Times the whole stream is replayed."),
        QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption size(
        QStringLiteral("size"), QStringLiteral("View size."), QStringLiteral("WxH"), QStringLiteral("1600x900"));
    const QCommandLineOption layout(QStringLiteral("layout"), QStringLiteral("side-by-side, stacked or both."),
        QStringLiteral("MODE"), QStringLiteral("both"));
    const QCommandLineOption screenshots(QStringLiteral("screenshots"),
        QStringLiteral("Save the last streamed frame of each layout, and one mid-stream, as PNGs in DIR."),
        QStringLiteral("DIR"));
    parser.addOptions({ lanes, requests, batch, interval, rounds, size, layout, screenshots });
    parser.process(app);

    Config config;
    const auto number = [&](const QCommandLineOption &option, int min, int max, int *target) {
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < min || value > max) {
            err << "bench_waterfall: --" << option.names().constFirst() << " must be a whole number from " << min
                << " to " << max << "\n";
            return false;
        }
        *target = value;
        return true;
    };
    if (!number(lanes, 1, 32, &config.lanes) || !number(requests, 1, 5000, &config.requests)
        || !number(batch, 1, 5000, &config.batch) || !number(interval, 0, 10000, &config.intervalMs)
        || !number(rounds, 1, 100, &config.rounds))
        return 2;
    const QStringList wh = parser.value(size).split(u'x');
    if (wh.size() != 2 || wh.at(0).toInt() < 200 || wh.at(1).toInt() < 200) {
        err << "bench_waterfall: --size must look like 1600x900 (at least 200x200)\n";
        return 2;
    }
    config.size = QSize(wh.at(0).toInt(), wh.at(1).toInt());
    const QString layoutValue = parser.value(layout);
    if (layoutValue == u"side-by-side" || layoutValue == u"both")
        config.modes.append(WaterfallView::LayoutMode::SideBySide);
    if (layoutValue == u"stacked" || layoutValue == u"both")
        config.modes.append(WaterfallView::LayoutMode::Stacked);
    if (config.modes.isEmpty()) {
        err << "bench_waterfall: --layout must be side-by-side, stacked or both\n";
        return 2;
    }

    config.screenshotDir = parser.value(screenshots);
    if (!config.screenshotDir.isEmpty() && !QDir().mkpath(config.screenshotDir)) {
        err << "bench_waterfall: cannot create " << config.screenshotDir << "\n";
        return 2;
    }

    QRandomGenerator random(20240601u);
    QList<QList<RequestTiming>> loads;
    for (int lane = 0; lane < config.lanes; ++lane)
        loads.append(pageLoad(lane, config.requests, random));

    out << "bench_waterfall: " << config.lanes << " lanes x " << config.requests << " requests, " << config.batch
        << " per lane every " << config.intervalMs << " ms, " << config.rounds << " rounds, view "
        << config.size.width() << "x" << config.size.height() << ", platform " << QGuiApplication::platformName()
#ifdef QT_DEBUG
        << ", debug build"
#endif
        << "\n";
    out.flush();

    QJsonObject json { { QStringLiteral("lanes"), config.lanes }, { QStringLiteral("requests"), config.requests },
        { QStringLiteral("batch"), config.batch }, { QStringLiteral("intervalMs"), config.intervalMs },
        { QStringLiteral("rounds"), config.rounds },
        { QStringLiteral("size"), QStringLiteral("%1x%2").arg(config.size.width()).arg(config.size.height()) } };
    for (const WaterfallView::LayoutMode mode : std::as_const(config.modes)) {
        const ModeResult r = runMode(config, mode, loads);
        const double ratio = r.baseline.median > 0 ? r.streaming.median / r.baseline.median : 0;
        out << modeName(mode) << ":\n"
            << line(QStringLiteral("streaming paint"), r.streaming) << "\n"
            << line(QStringLiteral("empty-view paint"), r.baseline) << "\n"
            << QStringLiteral("  %1 median %2x, p95 %3x\n")
                   .arg(QStringLiteral("streaming / empty").leftJustified(22))
                   .arg(ratio, 0, 'f', 2)
                   .arg(r.baseline.p95 > 0 ? r.streaming.p95 / r.baseline.p95 : 0, 0, 'f', 2)
            << line(QStringLiteral("ingest (model)"), r.ingest, false) << "\n"
            << QStringLiteral("  %1 median %2, max %3 (all lanes, at each streamed frame)\n")
                   .arg(QStringLiteral("pending rows").leftJustified(22))
                   .arg(r.pendingRows.median, 0, 'f', 0)
                   .arg(r.pendingRows.max, 0, 'f', 0)
            << line(QStringLiteral("scrolled, all rows"), r.scrolled) << "\n"
            << QStringLiteral("  %1 %2 frames in %3 ms of streaming = %4 frames/s delivered (paced)\n")
                   .arg(QStringLiteral("streaming phase").leftJustified(22))
                   .arg(r.frames)
                   .arg(r.streamingWallMs, 0, 'f', 0)
                   .arg(r.streamingWallMs > 0 ? 1000.0 * static_cast<double>(r.frames) / r.streamingWallMs : 0, 0, 'f',
                       1);
        out.flush();
        json.insert(modeName(mode),
            QJsonObject { { QStringLiteral("streamingPaint"), r.streaming.toJson() },
                { QStringLiteral("emptyPaint"), r.baseline.toJson() }, { QStringLiteral("medianRatio"), ratio },
                { QStringLiteral("ingest"), r.ingest.toJson() },
                { QStringLiteral("pendingRows"),
                    QJsonObject { { QStringLiteral("median"), r.pendingRows.median },
                        { QStringLiteral("max"), r.pendingRows.max } } },
                { QStringLiteral("scrolledPaint"), r.scrolled.toJson() },
                { QStringLiteral("streamingWallMs"), r.streamingWallMs },
                { QStringLiteral("frames"), static_cast<double>(r.frames) } });
    }
    out << QJsonDocument(json).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}
