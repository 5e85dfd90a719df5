// How long one `worldspeed-probe measure --json URL` takes, as a user runs it (one process per load), next to a
// minimal raw-CDP client doing the same work (rawcdp.mjs), and how fast the probe gets its browser going.
// A benchmark reports; it never passes or fails on a number. It exits non-zero only when a run did not work.
//
// Probe and baseline alternate (A B A B …) so that drift of a shared machine hits both alike; each pair gives one
// ratio. Every child gets a private HOME and TMPDIR, checked afterwards for anything left behind.
#include "chromeprocess.h"
#include "testwebserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <optional>

namespace {

constexpr int childTimeoutMs = 120'000;

// What one child process did.
struct ChildOutcome
{
    bool ok = false; // started and exited with 0
    QString failure;
    double wallMs = 0;
    QByteArray out;
    QStringList leftBehind; // paths below its private HOME/TMPDIR that outlived it
};

struct Sample
{
    double wallMs = 0;
    std::optional<double> browserStartMs;
    std::optional<double> loadMs;
    QString failure; // empty: the run worked
    QStringList leftBehind;

    bool ok() const { return failure.isEmpty(); }
    QJsonObject toJson() const
    {
        QJsonObject json { { QStringLiteral("wallMs"), wallMs } };
        if (browserStartMs)
            json.insert(QStringLiteral("browserStartMs"), *browserStartMs);
        if (loadMs)
            json.insert(QStringLiteral("loadMs"), *loadMs);
        if (!failure.isEmpty())
            json.insert(QStringLiteral("failure"), failure);
        if (!leftBehind.isEmpty())
            json.insert(QStringLiteral("leftBehind"), QJsonArray::fromStringList(leftBehind));
        return json;
    }
};

struct Summary
{
    double median = 0;
    double min = 0;
    double max = 0;
    qsizetype count = 0;

    QJsonObject toJson() const
    {
        return { { QStringLiteral("median"), median }, { QStringLiteral("min"), min }, { QStringLiteral("max"), max },
            { QStringLiteral("n"), count } };
    }
};

std::optional<Summary> summarize(QList<double> values)
{
    if (values.isEmpty())
        return std::nullopt;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    const double median = n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2.0;
    return Summary { median, values.first(), values.last(), n };
}

std::optional<double> number(const QJsonValue &value)
{
    return value.isDouble() ? std::optional<double>(value.toDouble()) : std::nullopt;
}

// Runs one program with a HOME, TMPDIR and XDG_RUNTIME_DIR of its own; the event loop keeps turning meanwhile
// (the test web server lives on it). Deletes itself after reporting.
class ChildRun final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChildRun)

public:
    ChildRun(const QString &program, const QStringList &arguments, QObject *parent = nullptr)
        : QObject(parent)
        , m_root(QDir::tempPath() + QStringLiteral("/worldspeed-bench-XXXXXX"))
    {
        m_process.setProgram(program);
        m_process.setArguments(arguments);
        m_timeout.setSingleShot(true);
        m_timeout.setInterval(childTimeoutMs);
        connect(&m_timeout, &QTimer::timeout, this, [this] {
            m_timedOut = true;
            m_process.kill();
        });
        connect(&m_process, &QProcess::finished, this, &ChildRun::onFinished);
        connect(&m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
            if (error == QProcess::FailedToStart)
                report(QStringLiteral("cannot start %1: %2").arg(m_process.program(), m_process.errorString()));
        });
    }

    void start()
    {
        if (!m_root.isValid()) {
            QTimer::singleShot(0, this, [this] { report(QStringLiteral("no private HOME: ") + m_root.errorString()); });
            return;
        }
        const QDir root(m_root.path());
        for (const char *sub : { "home", "tmp", "runtime" })
            root.mkpath(QString::fromLatin1(sub));
        QFile::setPermissions(root.filePath(QStringLiteral("runtime")),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), root.filePath(QStringLiteral("home")));
        env.insert(QStringLiteral("TMPDIR"), root.filePath(QStringLiteral("tmp")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), root.filePath(QStringLiteral("runtime")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), root.filePath(QStringLiteral("home/.config")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), root.filePath(QStringLiteral("home/.cache")));
        m_process.setProcessEnvironment(env);
        m_timeout.start();
        m_clock.start();
        m_process.start();
    }

signals:
    void finished(const ChildOutcome &outcome);

private:
    void onFinished(int exitCode, QProcess::ExitStatus status)
    {
        m_outcome.wallMs = static_cast<double>(m_clock.nsecsElapsed()) / 1e6;
        m_outcome.out = m_process.readAllStandardOutput();
        QString failure;
        if (m_timedOut)
            failure = QStringLiteral("killed after %1 s").arg(childTimeoutMs / 1000);
        else if (status != QProcess::NormalExit)
            failure = QStringLiteral("crashed");
        else if (exitCode != 0)
            failure = QStringLiteral("exit code %1").arg(exitCode);
        if (!failure.isEmpty()) {
            const QString err = QString::fromLocal8Bit(m_process.readAllStandardError()).trimmed();
            if (!err.isEmpty())
                failure += QStringLiteral(": ") + err.right(400);
        }
        const QDir root(m_root.path());
        QDirIterator it(m_root.path(), QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
            QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QFileInfo entry(it.next());
            // Files, and folders with nothing in them; a folder that holds something is named by its contents.
            if (entry.isDir()
                && !QDir(entry.filePath())
                        .isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System))
                continue;
            const QString path = root.relativeFilePath(entry.filePath());
            if (path != u"home" && path != u"tmp" && path != u"runtime")
                m_outcome.leftBehind.append(path);
        }
        report(failure);
    }

    void report(const QString &failure)
    {
        if (m_reported)
            return;
        m_reported = true;
        m_timeout.stop();
        m_outcome.ok = failure.isEmpty();
        m_outcome.failure = failure;
        emit finished(m_outcome);
        deleteLater();
    }

    QTemporaryDir m_root;
    QProcess m_process;
    QTimer m_timeout;
    QElapsedTimer m_clock;
    ChildOutcome m_outcome;
    bool m_timedOut = false;
    bool m_reported = false;
};

struct Config
{
    int pairs = 7;
    int warmup = 1;
    QString probe;
    QString node;
    QString script;
    QString chrome;
    QStringList chromeFlags;
};

// The whole benchmark: warm-up pairs (not counted), the measured pairs, then `--version` runs.
class MeasureBenchmark final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MeasureBenchmark)

public:
    explicit MeasureBenchmark(Config config, QObject *parent = nullptr)
        : QObject(parent)
        , m_config(std::move(config))
        , m_out(stdout)
    { }

    bool start(QString *error)
    {
        if (!m_server.listen()) {
            *error = QStringLiteral("the test web server cannot listen on loopback");
            return false;
        }
        TestWebServer::Response page;
        page.body = "<!doctype html><title>bench</title><h1>measure me</h1>"
                    "<link rel=stylesheet href=\"/asset?type=css&delay=100&size=1000\">"
                    "<img src=\"/asset?type=png&delay=200&size=4000\">";
        m_server.route(QStringLiteral("/page"), page);
        m_url = m_server.url(QStringLiteral("/page")).toString();

        m_out << "bench_measure: " << m_config.pairs << " pairs (+" << m_config.warmup
              << " warm-up), probe and raw-CDP "
              << "baseline interleaved\n"
              << "  page     " << m_url << "  (stylesheet after 100 ms, image after 200 ms, then 2 s quiet)\n"
              << "  probe    " << m_config.probe << " measure --json\n"
              << "  baseline " << m_config.node << ' ' << m_config.script << '\n'
              << "  browser  " << m_config.chrome << " (same flags for both)\n\n"
              << "  pair   probe wall   base wall   ratio   probe start  base start   probe load  base load\n";
        m_out.flush();
        m_pairs.resize(m_config.warmup + m_config.pairs);
        next();
        return true;
    }

signals:
    void done(int exitCode);

private:
    void next()
    {
        const int total = static_cast<int>(m_pairs.size());
        const int step = m_step++;
        if (step < 2 * total) {
            const int pair = step / 2; // the first m_config.warmup pairs are the warm-up
            if (step % 2 == 0)
                runProbe(pair);
            else
                runBaseline(pair);
        } else if (step < 2 * total + m_config.pairs) {
            runVersion();
        } else {
            report();
        }
    }

    void run(const QString &program, const QStringList &arguments, std::function<void(const ChildOutcome &)> then)
    {
        auto *child = new ChildRun(program, arguments, this);
        connect(child, &ChildRun::finished, this, [this, then = std::move(then)](const ChildOutcome &outcome) {
            then(outcome);
            next();
        });
        child->start();
    }

    void runProbe(int pair)
    {
        run(m_config.probe,
            { QStringLiteral("measure"), QStringLiteral("--json"), QStringLiteral("--chrome"), m_config.chrome, m_url },
            [this, pair](const ChildOutcome &outcome) {
                Sample sample = fromOutcome(outcome);
                const QJsonObject run = QJsonDocument::fromJson(outcome.out)
                                            .object()
                                            .value(QStringLiteral("runs"))
                                            .toArray()
                                            .first()
                                            .toObject();
                sample.browserStartMs = number(run.value(QStringLiteral("browserStartMs")));
                sample.loadMs
                    = number(run[QStringLiteral("firstView")][QStringLiteral("metrics")][QStringLiteral("loadMs")]);
                if (sample.ok() && (!sample.browserStartMs || !sample.loadMs))
                    sample.failure = QStringLiteral("no browserStartMs/loadMs in the probe's JSON");
                m_pairs[pair].first = sample;
            });
    }

    void runBaseline(int pair)
    {
        run(m_config.node,
            QStringList { m_config.script, QStringLiteral("--chrome"), m_config.chrome, m_url, QStringLiteral("--") }
                + m_config.chromeFlags,
            [this, pair](const ChildOutcome &outcome) {
                Sample sample = fromOutcome(outcome);
                const QList<QByteArray> lines = outcome.out.trimmed().split('\n');
                const QJsonObject json = QJsonDocument::fromJson(lines.last()).object();
                sample.browserStartMs = number(json.value(QStringLiteral("browserStartMs")));
                sample.loadMs = number(json.value(QStringLiteral("loadMs")));
                if (sample.ok() && (!sample.browserStartMs || !sample.loadMs))
                    sample.failure = QStringLiteral("no {loadMs, browserStartMs} from rawcdp.mjs");
                m_pairs[pair].second = sample;
                printPair(pair);
            });
    }

    void runVersion()
    {
        run(m_config.probe, { QStringLiteral("--version") },
            [this](const ChildOutcome &outcome) { m_versions.append(fromOutcome(outcome)); });
    }

    static Sample fromOutcome(const ChildOutcome &outcome)
    {
        Sample sample;
        sample.wallMs = outcome.wallMs;
        sample.failure = outcome.failure;
        sample.leftBehind = outcome.leftBehind;
        return sample;
    }

    static QString ms(std::optional<double> value, int width)
    {
        return (value ? QString::number(*value, 'f', 0) + QStringLiteral(" ms") : QStringLiteral("—"))
            .rightJustified(width);
    }

    void printPair(int pair)
    {
        const auto &[a, b] = m_pairs.at(pair);
        const QString ratio = a.ok() && b.ok() ? QString::number(a.wallMs / b.wallMs, 'f', 3) : QStringLiteral("—");
        const int counted = pair - m_config.warmup;
        m_out << (counted < 0 ? QStringLiteral("warm") : QString::number(counted + 1)).rightJustified(6)
              << ms(a.wallMs, 13) << ms(b.wallMs, 12) << ratio.rightJustified(8) << ms(a.browserStartMs, 14)
              << ms(b.browserStartMs, 12) << ms(a.loadMs, 13) << ms(b.loadMs, 11) << '\n';
        for (const Sample *s : { &a, &b }) {
            if (!s->ok())
                m_out << "        " << (s == &a ? "probe" : "baseline") << " failed: " << s->failure << '\n';
        }
        m_out.flush();
    }

    void line(const char *label, const std::optional<Summary> &s, const char *note = "")
    {
        m_out << "    " << QString::fromLatin1(label).leftJustified(34);
        if (!s) {
            m_out << "no data\n";
            return;
        }
        m_out << "median " << QString::number(s->median, 'f', 0).rightJustified(5) << " ms   min "
              << QString::number(s->min, 'f', 0).rightJustified(5) << "   max "
              << QString::number(s->max, 'f', 0).rightJustified(5) << "   n=" << s->count << note << '\n';
    }

    void report()
    {
        QList<double> probeWall, baseWall, ratios, probeStart, baseStart, probeLoad, baseLoad, versionWall;
        QJsonArray pairs;
        int failures = 0;
        QMap<QString, int> leftBehind; // path → after how many runs
        for (qsizetype i = 0; i < m_pairs.size(); ++i) {
            const auto &[a, b] = m_pairs.at(i);
            failures += !a.ok() + !b.ok();
            for (const QString &path : a.leftBehind + b.leftBehind)
                ++leftBehind[path];
            if (i < m_config.warmup)
                continue;
            pairs.append(
                QJsonObject { { QStringLiteral("probe"), a.toJson() }, { QStringLiteral("baseline"), b.toJson() } });
            if (a.ok()) {
                probeWall << a.wallMs;
                probeStart << *a.browserStartMs;
                probeLoad << *a.loadMs;
            }
            if (b.ok()) {
                baseWall << b.wallMs;
                baseStart << *b.browserStartMs;
                baseLoad << *b.loadMs;
            }
            if (a.ok() && b.ok())
                ratios << a.wallMs / b.wallMs;
        }
        for (const Sample &v : std::as_const(m_versions)) {
            failures += !v.ok();
            for (const QString &path : v.leftBehind)
                ++leftBehind[path];
            if (v.ok())
                versionWall << v.wallMs;
        }

        const auto ratio = summarize(ratios);
        m_out << "\n(a) wall time per measured load, process start to exit (includes the 2 s quiet period)\n";
        line("worldspeed-probe measure --json", summarize(probeWall));
        line("raw CDP baseline (rawcdp.mjs)", summarize(baseWall));
        m_out << "    " << QStringLiteral("ratio probe/baseline, per pair").leftJustified(34);
        if (ratio)
            m_out << "median " << QString::number(ratio->median, 'f', 3) << "   min "
                  << QString::number(ratio->min, 'f', 3) << "   max " << QString::number(ratio->max, 'f', 3)
                  << "   n=" << ratio->count << '\n';
        else
            m_out << "no data\n";
        line("page loadEventEnd, probe", summarize(probeLoad), "  (Chrome's own figure)");
        line("page loadEventEnd, baseline", summarize(baseLoad));
        m_out << "\n(b) cold start\n";
        line("probe browserStartMs", summarize(probeStart), "  (Chrome launch to DevTools answering)");
        line("baseline browserStartMs", summarize(baseStart), "  (spawn to Browser.getVersion answer)");
        line("worldspeed-probe --version, wall", summarize(versionWall), "  (whole process, no browser)");
        // Each child's folder is removed after it; this says what the child itself did not clean up.
        QStringList left;
        QJsonObject leftJson;
        for (auto it = leftBehind.cbegin(); it != leftBehind.cend(); ++it) {
            left << QStringLiteral("%1 (after %2 runs)").arg(it.key()).arg(it.value());
            leftJson.insert(it.key(), it.value());
        }
        m_out << "\nleft behind in the children's private HOME/TMPDIR/XDG_RUNTIME_DIR: "
              << (left.isEmpty() ? QStringLiteral("nothing") : left.join(QStringLiteral(", "))) << '\n';
        if (failures)
            m_out << failures << " run(s) failed; see above\n";

        QJsonObject json {
            { QStringLiteral("benchmark"), QStringLiteral("bench_measure") },
            { QStringLiteral("url"), m_url },
            { QStringLiteral("pairs"), m_config.pairs },
            { QStringLiteral("warmupPairs"), m_config.warmup },
            { QStringLiteral("failures"), failures },
            { QStringLiteral("leftBehind"), leftJson },
            { QStringLiteral("samples"), pairs },
        };
        const auto put = [&json](const char *key, const std::optional<Summary> &s) {
            if (s)
                json.insert(QString::fromLatin1(key), s->toJson());
        };
        put("probeWallMs", summarize(probeWall));
        put("baselineWallMs", summarize(baseWall));
        put("ratioProbeToBaseline", ratio);
        put("probeLoadMs", summarize(probeLoad));
        put("baselineLoadMs", summarize(baseLoad));
        put("probeBrowserStartMs", summarize(probeStart));
        put("baselineBrowserStartMs", summarize(baseStart));
        put("probeVersionWallMs", summarize(versionWall));
        m_out << QJsonDocument(json).toJson(QJsonDocument::Compact) << '\n';
        m_out.flush();
        emit done(failures ? 1 : 0);
    }

    Config m_config;
    QTextStream m_out;
    TestWebServer m_server;
    QString m_url;
    int m_step = 0;
    QList<std::pair<Sample, Sample>> m_pairs; // probe, baseline; the warm-up pairs first
    QList<Sample> m_versions;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("bench_measure"));
    QTextStream err(stderr);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Wall time of `worldspeed-probe measure --json URL` against a raw-CDP baseline (tests/bench/rawcdp.mjs), "
        "and the probe's cold start. Reports figures; never fails on them."));
    parser.addHelpOption();
    const QCommandLineOption pairs(QStringLiteral("pairs"), QStringLiteral("Measured probe/baseline pairs (1-100)."),
        QStringLiteral("N"), QStringLiteral("7"));
    const QCommandLineOption warmup(QStringLiteral("warmup"), QStringLiteral("Uncounted pairs first (0-10)."),
        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption chrome(QStringLiteral("chrome"),
        QStringLiteral("Chromium for both (default: as the probe finds it)."), QStringLiteral("PATH"));
    const QCommandLineOption node(
        QStringLiteral("node"), QStringLiteral("Node.js executable (default: node on PATH)."), QStringLiteral("PATH"));
    parser.addOptions({ pairs, warmup, chrome, node });
    parser.process(app);

    Config config;
    bool ok = false;
    config.pairs = parser.value(pairs).toInt(&ok);
    if (!ok || config.pairs < 1 || config.pairs > 100) {
        err << "bench_measure: --pairs must be a whole number from 1 to 100\n";
        return 2;
    }
    config.warmup = parser.value(warmup).toInt(&ok);
    if (!ok || config.warmup < 0 || config.warmup > 10) {
        err << "bench_measure: --warmup must be a whole number from 0 to 10\n";
        return 2;
    }

    const QString benchDir = QStringLiteral(WORLDSPEED_BENCH_DIR);
    const QString npmCi = QStringLiteral("npm ci --prefix ") + QDir::toNativeSeparators(benchDir);
    config.probe = QStringLiteral(WORLDSPEED_PROBE_EXE);
    config.script = benchDir + QStringLiteral("/rawcdp.mjs");
    config.node = parser.isSet(node) ? parser.value(node) : QStandardPaths::findExecutable(QStringLiteral("node"));
    config.chrome = ChromeProcess::findExecutable(parser.value(chrome));
    // The baseline gets exactly the flags the probe gives Chrome (window size included); both add their own
    // --user-data-dir, DevTools' transport (the probe its pipe, the baseline --remote-debugging-port=0) and
    // about:blank.
    const ChromeProcess::Options defaults;
    config.chromeFlags = ChromeProcess::defaultArguments()
        << QStringLiteral("--window-size=%1,%2").arg(defaults.windowWidth).arg(defaults.windowHeight);

    if (!QFileInfo(config.probe).isExecutable()) {
        err << "bench_measure: " << config.probe
            << " is missing; build it: cmake --build <build dir> --target worldspeed-probe\n";
        return 2;
    }
    if (config.node.isEmpty() || !QFileInfo(config.node).isExecutable()) {
        err << "bench_measure: Node.js not found (install it, e.g. apt-get install nodejs npm, or pass --node PATH), "
               "then run: "
            << npmCi << '\n';
        return 2;
    }
    if (!QFileInfo::exists(benchDir + QStringLiteral("/node_modules/ws/package.json"))) {
        err << "bench_measure: the baseline's dependency is not installed; run: " << npmCi << '\n';
        return 2;
    }
    if (config.chrome.isEmpty()) {
        err << "bench_measure: Chrome or Chromium not found (install chromium, or pass --chrome PATH)\n";
        return 2;
    }

    MeasureBenchmark benchmark(config);
    QObject::connect(&benchmark, &MeasureBenchmark::done, &app, [](int code) { QCoreApplication::exit(code); });
    QString error;
    if (!benchmark.start(&error)) {
        err << "bench_measure: " << error << '\n';
        return 2;
    }
    return QCoreApplication::exec();
}

#include "bench_measure.moc"
