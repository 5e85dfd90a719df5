// What `--filmstrip` costs: the load itself (Chrome's own loadEventEnd, with and without the screencast, same page,
// pairs interleaved so that a shared machine's drift hits both alike) and the wire (the filmstrip's bytes per view,
// as JPEG and as the `metrics` frame carries it). A benchmark reports; it never passes or fails on a number. It
// exits non-zero only when a load did not work.
#include "chromeprocess.h"
#include "loadscheduler.h"
#include "pageload.h"
#include "protocol/message.h"
#include "testwebserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTextStream>

#include <algorithm>
#include <memory>

namespace {

// A page that paints in steps, as real pages do: text at once, a stylesheet and an image later, a banner a script
// adds after the load.
const QByteArray page = R"(<!doctype html><html><head><title>bench</title>
<link rel=stylesheet href="/asset?type=css&delay=150&size=2000"></head><body>
<h1>Filmstrip benchmark</h1><p>Some text that paints first, then an image and a late banner.</p>
<img src="/asset?type=png&delay=300&size=20000" width="600" height="300">
<script>addEventListener('load', () => setTimeout(() => {
  const banner = document.createElement('div');
  banner.style = 'height:120px;background:#c33;color:#fff;font:32px sans-serif';
  banner.textContent = 'late banner';
  document.body.prepend(banner);
}, 400));</script></body></html>)";

struct Sample
{
    double loadMs = 0;
    qint64 jpegBytes = 0;
    qint64 wireBytes = 0; // the metrics frame's filmstrip field, base64 and JSON
    qsizetype frames = 0;
};

double median(std::vector<double> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const size_t mid = values.size() / 2;
    return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

std::optional<Sample> load(LoadScheduler &scheduler, const QUrl &url, bool filmstrip, QString *error)
{
    LoadOptions options;
    options.filmstrip = filmstrip;
    PageLoad *run = scheduler.submit(url, options);
    QSignalSpy finished(run, &PageLoad::finished);
    if (!finished.wait(120'000)) {
        *error = QStringLiteral("the load did not finish within 2 minutes");
        return std::nullopt;
    }
    const RunResult result = run->result();
    delete run;
    if (!result.ok() || !result.firstView.metrics.loadMs) {
        *error = result.firstView.error ? result.firstView.error->message : QStringLiteral("no load event");
        return std::nullopt;
    }
    Sample sample;
    sample.loadMs = *result.firstView.metrics.loadMs;
    sample.frames = result.firstView.filmstrip.frames.size();
    sample.jpegBytes = result.firstView.filmstrip.totalBytes();
    if (!result.firstView.filmstrip.isEmpty())
        sample.wireBytes = QJsonDocument(result.firstView.filmstrip.toJson()).toJson(QJsonDocument::Compact).size();
    return sample;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The cost of --filmstrip on the load and on the wire."));
    parser.addHelpOption();
    const QCommandLineOption pairsOption(
        QStringLiteral("pairs"), QStringLiteral("Pairs to run (default 9)."), QStringLiteral("N"), QStringLiteral("9"));
    parser.addOption(pairsOption);
    parser.process(app);
    const int pairs = std::max(1, parser.value(pairsOption).toInt());

    QTextStream out(stdout);
    TestWebServer server;
    if (!server.listen()) {
        out << "bench_filmstrip: the test web server cannot listen on loopback\n";
        return 1;
    }
    TestWebServer::Response response;
    response.body = page;
    server.route(QStringLiteral("/page"), response);
    const QUrl url = server.url(QStringLiteral("/page"));
    ChromeProcess::Options chrome;
    chrome.extraArguments << QStringLiteral("--disable-quic");
    LoadScheduler scheduler(LoadScheduler::Options { chrome, 1 });

    out << "bench_filmstrip: " << pairs << " pairs (+1 warm-up) of loads without and with --filmstrip, interleaved\n"
        << "  page " << url.toString() << " (stylesheet 150 ms, image 300 ms, a banner 400 ms after the load)\n\n"
        << "  pair   load without   load with   ratio   frames   JPEG bytes   wire bytes\n";
    out.flush();
    std::vector<double> without, with, ratios, jpeg, wire, frames;
    QJsonArray samples;
    for (int pair = -1; pair < pairs; ++pair) {
        QString error;
        // Alternate which goes first, so neither always follows the other.
        const bool filmFirst = pair % 2 != 0;
        std::optional<Sample> a = load(scheduler, url, filmFirst, &error);
        std::optional<Sample> b = a ? load(scheduler, url, !filmFirst, &error) : std::nullopt;
        if (!a || !b) {
            out << "bench_filmstrip: a load failed: " << error << '\n';
            return 1;
        }
        const Sample &plain = filmFirst ? *b : *a;
        const Sample &filmed = filmFirst ? *a : *b;
        out << QStringLiteral("  %1 %2 %3 %4 %5 %6 %7\n")
                   .arg(pair < 0 ? QStringLiteral("warm") : QString::number(pair + 1), 4)
                   .arg(plain.loadMs, 13, 'f', 1)
                   .arg(filmed.loadMs, 11, 'f', 1)
                   .arg(filmed.loadMs / plain.loadMs, 7, 'f', 3)
                   .arg(filmed.frames, 8)
                   .arg(filmed.jpegBytes, 12)
                   .arg(filmed.wireBytes, 12);
        out.flush();
        if (pair < 0)
            continue;
        without.push_back(plain.loadMs);
        with.push_back(filmed.loadMs);
        ratios.push_back(filmed.loadMs / plain.loadMs);
        frames.push_back(double(filmed.frames));
        jpeg.push_back(double(filmed.jpegBytes));
        wire.push_back(double(filmed.wireBytes));
        samples.append(QJsonObject { { QStringLiteral("loadWithoutMs"), plain.loadMs },
            { QStringLiteral("loadWithMs"), filmed.loadMs }, { QStringLiteral("frames"), double(filmed.frames) },
            { QStringLiteral("jpegBytes"), double(filmed.jpegBytes) },
            { QStringLiteral("wireBytes"), double(filmed.wireBytes) } });
    }
    const auto [minRatio, maxRatio] = std::minmax_element(ratios.begin(), ratios.end());
    out << QStringLiteral("\n  load: median %1 ms without, %2 ms with; ratio median %3 (min %4, max %5)\n")
               .arg(median(without), 0, 'f', 1)
               .arg(median(with), 0, 'f', 1)
               .arg(median(ratios), 0, 'f', 3)
               .arg(*minRatio, 0, 'f', 3)
               .arg(*maxRatio, 0, 'f', 3)
        << QStringLiteral("  wire: median %1 frames, %2 bytes of JPEG, %3 bytes in the metrics frame (limit %4)\n")
               .arg(median(frames))
               .arg(median(jpeg), 0, 'f', 0)
               .arg(median(wire), 0, 'f', 0)
               .arg(16 * 1024 * 1024);
    const QJsonObject summary { { QStringLiteral("ratioMedian"), median(ratios) },
        { QStringLiteral("loadWithoutMedianMs"), median(without) },
        { QStringLiteral("loadWithMedianMs"), median(with) }, { QStringLiteral("wireBytesMedian"), median(wire) },
        { QStringLiteral("samples"), samples } };
    out << QJsonDocument(summary).toJson(QJsonDocument::Compact) << '\n';
    return 0;
}
