// What `--filmstrip` costs: the load itself (Chrome's own loadEventEnd, with and without the screencast, same page,
// pairs interleaved so that a shared machine's drift hits both alike) and the wire (the filmstrip's bytes per view,
// as JPEG and as the `metrics` frame carries it), with the CPU each view took in Chrome's processes and in the probe,
// to place a cost. A benchmark reports; it never passes or fails on a number. It exits non-zero only when a load did
// not work.
#include "chromeprocess.h"
#include "loadscheduler.h"
#include "pageload.h"
#include "protocol/message.h"
#include "testwebserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <memory>
#include <unistd.h>

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
    double chromeCpuMs = 0; // Chrome's processes, during the view
    double probeCpuMs = 0; // this process: the probe's side (CDP, the frames, the result) and the web server
};

// CPU time (user + system, ms) of this process and of all its descendants: alive ones' own, and what they reaped of
// the dead (a renderer that exits is reaped by Chrome's zygote, itself a descendant). Linux; zeros elsewhere.
struct CpuTimes
{
    double selfMs = 0;
    double childrenMs = 0;

    static CpuTimes now()
    {
        const double tickMs = 1000.0 / double(sysconf(_SC_CLK_TCK));
        QHash<qint64, qint64> parentOf;
        QHash<qint64, double> cpuOf;
        for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
            bool numeric = false;
            const qint64 pid = entry.toLongLong(&numeric);
            if (!numeric)
                continue;
            QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
            if (!stat.open(QIODevice::ReadOnly))
                continue;
            // After the command's closing parenthesis: state, ppid, …; utime, stime, cutime, cstime are fields 14–17.
            const QByteArray line = stat.readAll();
            const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
            if (fields.size() < 15)
                continue;
            parentOf.insert(pid, fields.at(1).toLongLong());
            cpuOf.insert(pid,
                (fields.at(11).toDouble() + fields.at(12).toDouble() + fields.at(13).toDouble()
                    + fields.at(14).toDouble())
                    * tickMs);
        }
        const qint64 self = QCoreApplication::applicationPid();
        CpuTimes times;
        for (auto it = cpuOf.cbegin(); it != cpuOf.cend(); ++it) {
            if (it.key() == self) {
                times.selfMs = it.value(); // this process has reaped no child: Chrome outlives every load
                continue;
            }
            for (qint64 up = parentOf.value(it.key(), 0); up > 1; up = parentOf.value(up, 0)) {
                if (up == self) {
                    times.childrenMs += it.value();
                    break;
                }
            }
        }
        return times;
    }
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
    const CpuTimes before = CpuTimes::now();
    PageLoad *run = scheduler.submit(url, options);
    QSignalSpy finished(run, &PageLoad::finished);
    if (!finished.wait(120'000)) {
        *error = QStringLiteral("the load did not finish within 2 minutes");
        return std::nullopt;
    }
    const RunResult result = run->result();
    delete run;
    const CpuTimes after = CpuTimes::now();
    if (!result.ok() || !result.firstView.metrics.loadMs) {
        *error = result.firstView.error ? result.firstView.error->message : QStringLiteral("no load event");
        return std::nullopt;
    }
    Sample sample;
    sample.chromeCpuMs = after.childrenMs - before.childrenMs;
    sample.probeCpuMs = after.selfMs - before.selfMs;
    sample.loadMs = *result.firstView.metrics.loadMs;
    sample.frames = result.firstView.filmstrip.frames.size();
    sample.jpegBytes = result.firstView.filmstrip.totalBytes();
    if (!result.firstView.filmstrip.isEmpty())
        sample.wireBytes = QJsonDocument(result.firstView.filmstrip.toJson()).toJson(QJsonDocument::Compact).size();
    return sample;
}

// The value below which `share` of them lie (nearest rank), for the spread of the ratios.
double quantile(std::vector<double> values, double share)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    const auto rank = static_cast<size_t>(std::lround(share * double(values.size() - 1)));
    return values[std::min(rank, values.size() - 1)];
}

// The machine's load average over the last minute (Linux), so each report says how busy the machine was.
QString loadAverage()
{
    QFile file(QStringLiteral("/proc/loadavg"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("unknown");
    return QString::fromLatin1(file.readLine()).section(u' ', 0, 0);
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

    const QString loadBefore = loadAverage();
    out << "bench_filmstrip: " << pairs << " pairs (+1 warm-up) of loads without and with --filmstrip, interleaved\n"
        << "  page " << url.toString() << " (stylesheet 150 ms, image 300 ms, a banner 400 ms after the load)\n\n"
        << "  pair   load without   load with   ratio   frames   JPEG bytes   wire bytes   Chrome CPU ms (without/with)"
           "   probe CPU ms (without/with)\n";
    out.flush();
    std::vector<double> without, with, ratios, jpeg, wire, frames, chromeWithout, chromeWith, probeWithout, probeWith;
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
        out << QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 / %9 %10 / %11\n")
                   .arg(pair < 0 ? QStringLiteral("warm") : QString::number(pair + 1), 4)
                   .arg(plain.loadMs, 13, 'f', 1)
                   .arg(filmed.loadMs, 11, 'f', 1)
                   .arg(filmed.loadMs / plain.loadMs, 7, 'f', 3)
                   .arg(filmed.frames, 8)
                   .arg(filmed.jpegBytes, 12)
                   .arg(filmed.wireBytes, 12)
                   .arg(plain.chromeCpuMs, 15, 'f', 0)
                   .arg(filmed.chromeCpuMs, 0, 'f', 0)
                   .arg(plain.probeCpuMs, 18, 'f', 0)
                   .arg(filmed.probeCpuMs, 0, 'f', 0);
        out.flush();
        if (pair < 0)
            continue;
        without.push_back(plain.loadMs);
        with.push_back(filmed.loadMs);
        ratios.push_back(filmed.loadMs / plain.loadMs);
        frames.push_back(double(filmed.frames));
        jpeg.push_back(double(filmed.jpegBytes));
        wire.push_back(double(filmed.wireBytes));
        chromeWithout.push_back(plain.chromeCpuMs);
        chromeWith.push_back(filmed.chromeCpuMs);
        probeWithout.push_back(plain.probeCpuMs);
        probeWith.push_back(filmed.probeCpuMs);
        samples.append(QJsonObject { { QStringLiteral("loadWithoutMs"), plain.loadMs },
            { QStringLiteral("loadWithMs"), filmed.loadMs }, { QStringLiteral("frames"), double(filmed.frames) },
            { QStringLiteral("jpegBytes"), double(filmed.jpegBytes) },
            { QStringLiteral("wireBytes"), double(filmed.wireBytes) },
            { QStringLiteral("chromeCpuMs"), QJsonArray { plain.chromeCpuMs, filmed.chromeCpuMs } },
            { QStringLiteral("probeCpuMs"), QJsonArray { plain.probeCpuMs, filmed.probeCpuMs } } });
    }
    const auto [minRatio, maxRatio] = std::minmax_element(ratios.begin(), ratios.end());
    const QString loadAfter = loadAverage();
    out << QStringLiteral("\n  load: median %1 ms without, %2 ms with; ratio median %3 (quartiles %4 to %5, min %6, "
                          "max %7)\n")
               .arg(median(without), 0, 'f', 1)
               .arg(median(with), 0, 'f', 1)
               .arg(median(ratios), 0, 'f', 3)
               .arg(quantile(ratios, 0.25), 0, 'f', 3)
               .arg(quantile(ratios, 0.75), 0, 'f', 3)
               .arg(*minRatio, 0, 'f', 3)
               .arg(*maxRatio, 0, 'f', 3)
        << QStringLiteral("  machine: load average %1 before, %2 after\n").arg(loadBefore, loadAfter)
        << QStringLiteral("  CPU per view: median %1 ms without, %2 ms with in Chrome's processes; %3 ms without, %4 "
                          "ms with in the probe\n")
               .arg(median(chromeWithout), 0, 'f', 0)
               .arg(median(chromeWith), 0, 'f', 0)
               .arg(median(probeWithout), 0, 'f', 0)
               .arg(median(probeWith), 0, 'f', 0)
        << QStringLiteral("  wire: median %1 frames, %2 bytes of JPEG, %3 bytes in the metrics frame (limit %4)\n")
               .arg(median(frames))
               .arg(median(jpeg), 0, 'f', 0)
               .arg(median(wire), 0, 'f', 0)
               .arg(16 * 1024 * 1024);
    const QJsonObject summary { { QStringLiteral("ratioMedian"), median(ratios) },
        { QStringLiteral("ratioQuartiles"), QJsonArray { quantile(ratios, 0.25), quantile(ratios, 0.75) } },
        { QStringLiteral("loadAverage"), QJsonArray { loadBefore, loadAfter } },
        { QStringLiteral("loadWithoutMedianMs"), median(without) },
        { QStringLiteral("loadWithMedianMs"), median(with) }, { QStringLiteral("wireBytesMedian"), median(wire) },
        { QStringLiteral("samples"), samples } };
    out << QJsonDocument(summary).toJson(QJsonDocument::Compact) << '\n';
    return 0;
}
