// How soon the probe's first result reaches its client, next to a bare CDP client doing the same load
// (rawcdppipe.mjs, Node.js and nothing else): hot, on a warm probe and a warm browser, and cold, from a process
// started to the first load time. A benchmark reports; it never passes or fails on a number. It exits non-zero only
// when a run did not work. How to run it, and what each figure is: README.md next to this file.
#include "benchfigures.h"
#include "chromeprocess.h"
#include "protocol/codec.h"
#include "testwebserver.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTextStream>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <functional>
#include <optional>

namespace {

const QByteArray token = "bench-token-0123456789abcdef";
constexpr int stepTimeoutMs = 120'000;

using BenchFigures::msSince;
using BenchFigures::summary;

QString describe(const QJsonObject &s)
{
    return BenchFigures::describe(s, 2);
}

// Turns the event loop until `done` holds; every signal the bench listens to calls poke(), so the loop wakes the
// moment a frame or a line arrives (no polling: the times are those of arrival).
class Waiter
{
public:
    bool until(const std::function<bool()> &done, int timeoutMs = stepTimeoutMs)
    {
        if (done())
            return true;
        QEventLoop loop;
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        m_loop = &loop;
        m_done = done;
        loop.exec();
        m_loop = nullptr;
        return done();
    }
    void poke()
    {
        if (m_loop && m_done())
            m_loop->quit();
    }

private:
    QEventLoop *m_loop = nullptr;
    std::function<bool()> m_done;
};

// worldspeed-probe serve, and one client of it speaking protocol v1 with the clock of the bench.
class Probe
{
public:
    Probe(Waiter &waiter, const QElapsedTimer &clock)
        : m_waiter(waiter)
        , m_clock(clock)
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] {
            if (!m_readyAt && m_process.canReadLine()) {
                const QByteArray line = m_process.readLine().trimmed();
                const auto ready = QJsonDocument::fromJson(line.mid(line.indexOf('{'))).object();
                m_endpoint = QUrl(ready.value(QStringLiteral("endpoint")).toString());
                m_readyAt = msSince(m_clock);
            }
            m_waiter.poke();
        });
        QObject::connect(&m_socket, &QWebSocket::connected, [this] { m_waiter.poke(); });
        QObject::connect(&m_socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
            const DecodedFrame frame = m_codec.decode(text);
            if (frame.ok())
                m_frames.append({ *frame.message, msSince(m_clock) });
            m_waiter.poke();
        });
    }
    ~Probe()
    {
        m_socket.abort();
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(15'000))
                m_process.kill();
            m_process.waitForFinished(5'000);
        }
    }

    // Process start → ready line → connected and greeted. Times on the bench's clock.
    bool start(const QString &program, const QStringList &arguments)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("WORLDSPEED_PROBE_TOKEN"), QString::fromLatin1(token));
        m_process.setProcessEnvironment(env);
        m_startedAt = msSince(m_clock);
        m_process.start(program,
            QStringList { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                QStringLiteral("--region"), QStringLiteral("bench"), QStringLiteral("--allow-private-targets") }
                + arguments);
        if (!m_waiter.until([this] { return m_readyAt || m_process.state() == QProcess::NotRunning; }) || !m_readyAt)
            return false;
        m_socket.open(m_endpoint);
        if (!m_waiter.until([this] { return m_socket.state() == QAbstractSocket::ConnectedState; }))
            return false;
        send(AuthMessage { QString::fromLatin1(token) });
        send(HelloMessage {});
        if (!m_waiter.until([this] { return find<HelloMessage>([](const HelloMessage &) { return true; }); }))
            return false;
        m_greetedAt = m_frames.last().atMs;
        return true;
    }

    void send(const Message &message) { m_socket.sendTextMessage(m_codec.encodeText(message)); }

    template<typename T> const T *find(const std::function<bool(const T &)> &match) const
    {
        for (const auto &[message, atMs] : m_frames) {
            if (const auto *typed = std::get_if<T>(&message); typed && match(*typed))
                return typed;
        }
        return nullptr;
    }
    std::optional<double> arrival(const std::function<bool(const Message &)> &match) const
    {
        for (const auto &[message, atMs] : m_frames) {
            if (match(message))
                return atMs;
        }
        return std::nullopt;
    }

    struct Run
    {
        double sentAt = 0;
        std::optional<double> firstLoadAt; // the first frame that carries the load time
        std::optional<double> doneAt;
        std::optional<double> loadMs; // the page's own, from that frame
        std::optional<double> browserStartMs; // from done, when the run waited for the browser
        bool ok = false;
    };

    Run run(const QString &runId, const QString &url)
    {
        Run result;
        RunMessage message { runId, url, {} };
        message.options.timeoutMs = 60'000;
        result.sentAt = msSince(m_clock);
        send(message);
        const auto hasLoad = [runId](const Message &m) {
            const auto *metrics = std::get_if<MetricsMessage>(&m);
            return metrics && metrics->runId == runId && metrics->metrics.loadMs.has_value();
        };
        const auto isDone = [runId](const Message &m) {
            const auto *done = std::get_if<DoneMessage>(&m);
            return done && done->runId == runId;
        };
        m_waiter.until([&] { return arrival(isDone).has_value(); });
        result.firstLoadAt = arrival(hasLoad);
        result.doneAt = arrival(isDone);
        for (const auto &[m, atMs] : m_frames) {
            if (hasLoad(m) && !result.loadMs)
                result.loadMs = std::get<MetricsMessage>(m).metrics.loadMs;
            if (isDone(m)) {
                result.ok = std::get<DoneMessage>(m).ok;
                result.browserStartMs = std::get<DoneMessage>(m).browserStartMs;
            }
        }
        return result;
    }

    double startedAt() const { return m_startedAt; }
    double readyAt() const { return m_readyAt.value_or(0); }
    double greetedAt() const { return m_greetedAt; }

private:
    struct Frame
    {
        Message message;
        double atMs = 0;
    };
    Waiter &m_waiter;
    const QElapsedTimer &m_clock;
    QProcess m_process;
    QWebSocket m_socket;
    FrameCodec m_codec { FrameCodec::screenshotMaxFrameBytes };
    QList<Frame> m_frames;
    QUrl m_endpoint;
    double m_startedAt = 0;
    std::optional<double> m_readyAt;
    double m_greetedAt = 0;
};

// rawcdppipe.mjs: --warm keeps one browser and loads a URL per line; --cold is one process per load.
class Baseline
{
public:
    Baseline(Waiter &waiter, const QElapsedTimer &clock)
        : m_waiter(waiter)
        , m_clock(clock)
    {
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] {
            while (m_process.canReadLine()) {
                m_lines.append(m_process.readLine().trimmed());
                m_lineAt = msSince(m_clock);
            }
            m_waiter.poke();
        });
        QObject::connect(&m_process, &QProcess::finished, [this] { m_waiter.poke(); });
    }
    ~Baseline()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.closeWriteChannel();
            if (!m_process.waitForFinished(15'000))
                m_process.kill();
            m_process.waitForFinished(5'000);
        }
    }

    bool start(const QString &node, const QStringList &arguments)
    {
        m_startedAt = msSince(m_clock);
        m_process.start(node, arguments);
        return true;
    }
    std::optional<QJsonObject> nextLine()
    {
        const qsizetype seen = m_consumed;
        m_waiter.until([&] { return m_lines.size() > seen || m_process.state() == QProcess::NotRunning; });
        if (m_lines.size() <= seen) {
            qWarning("baseline: %s", m_process.readAllStandardError().constData());
            return std::nullopt;
        }
        const QByteArray line = m_lines.at(m_consumed++);
        if (line == "ready")
            return QJsonObject {};
        return QJsonDocument::fromJson(line).object();
    }
    void load(const QString &url) { m_process.write(url.toUtf8() + '\n'); }
    double startedAt() const { return m_startedAt; }
    double lineAt() const { return m_lineAt; }

private:
    Waiter &m_waiter;
    const QElapsedTimer &m_clock;
    QProcess m_process;
    QList<QByteArray> m_lines;
    qsizetype m_consumed = 0;
    double m_startedAt = 0;
    double m_lineAt = 0;
};

struct Config
{
    int pairs = 7;
    int coldPairs = 3;
    int warmup = 1;
    int loadDelayMs = 900;
    QString probe;
    QStringList probeArguments;
    QStringList nodeCommand; // node, the script
    QStringList chromeFlags;
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("The probe's first result against a bare CDP client's load event"));
    parser.addHelpOption();
    const QCommandLineOption pairs(
        QStringLiteral("pairs"), QStringLiteral("Hot pairs (default 7)."), QStringLiteral("N"), QStringLiteral("7"));
    const QCommandLineOption coldPairs(QStringLiteral("cold-pairs"), QStringLiteral("Cold pairs (default 3)."),
        QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption warmup(QStringLiteral("warmup"), QStringLiteral("Uncounted pairs first (default 1)."),
        QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption delay(QStringLiteral("load-delay"),
        QStringLiteral("How long the page's image holds its load event, ms (default 900)."), QStringLiteral("MS"),
        QStringLiteral("900"));
    const QCommandLineOption chrome(
        QStringLiteral("chrome"), QStringLiteral("Chromium for both (default: the probe's)."), QStringLiteral("PATH"));
    const QCommandLineOption node(QStringLiteral("node"), QStringLiteral("Node.js (default: node)."),
        QStringLiteral("PATH"), QStringLiteral("node"));
    parser.addOptions({ pairs, coldPairs, warmup, delay, chrome, node });
    parser.process(app);

    Config config;
    config.pairs = std::max(1, parser.value(pairs).toInt());
    config.coldPairs = std::max(0, parser.value(coldPairs).toInt());
    config.warmup = std::max(0, parser.value(warmup).toInt());
    config.loadDelayMs = std::max(0, parser.value(delay).toInt());
    config.probe = QStringLiteral(WORLDSPEED_PROBE_EXE);
    const QString browser = ChromeProcess::findExecutable(parser.value(chrome));
    if (browser.isEmpty()) {
        qCritical("no Chromium found (--chrome PATH)");
        return 1;
    }
    config.probeArguments = { QStringLiteral("--chrome"), browser };
    const ChromeProcess::Options defaults;
    config.chromeFlags = ChromeProcess::defaultArguments()
        << QStringLiteral("--window-size=%1,%2").arg(defaults.windowWidth).arg(defaults.windowHeight);
    const QString script = QStringLiteral(WORLDSPEED_BENCH_DIR "/rawcdppipe.mjs");
    const QStringList baselineTail
        = QStringList { QStringLiteral("--chrome"), browser, QStringLiteral("--") } + config.chromeFlags;

    TestWebServer web;
    if (!web.listen()) {
        qCritical("the test web server cannot listen on loopback");
        return 1;
    }
    TestWebServer::Response page;
    page.body = "<!doctype html><title>bench</title><h1>first result</h1><img src=\"/asset?type=png&size=4000&delay="
        + QByteArray::number(config.loadDelayMs) + "\">";
    web.route(QStringLiteral("/page"), page);
    const QString url = web.url(QStringLiteral("/page")).toString();

    QTextStream out(stdout);
    QElapsedTimer clock;
    clock.start();
    Waiter waiter;
    QJsonObject report;

    // ---- hot: one warm probe with one client, one warm browser of the baseline's ----
    out << "bench_firstload: " << config.pairs << " hot pairs (+" << config.warmup << " warm-up), " << config.coldPairs
        << " cold pairs; page " << url << " (load event after about " << config.loadDelayMs << " ms)\n"
        << "  browser " << browser << " (same flags for both)\n\n"
        << "hot  pair  probe run→load frame  baseline navigate→load  ratio  probe run→done  load (probe/base)\n";
    out.flush();
    QList<double> hotProbe, hotBase, hotRatio, hotDone, hotSetup;
    QJsonArray hotSamples;
    {
        Probe probe(waiter, clock);
        if (!probe.start(config.probe, config.probeArguments)) {
            qCritical("the probe did not start");
            return 1;
        }
        Baseline base(waiter, clock);
        base.start(parser.value(node), QStringList { script, QStringLiteral("--warm") } + baselineTail);
        if (!base.nextLine()) {
            qCritical("the baseline did not start");
            return 1;
        }
        for (int i = 0; i < config.warmup + config.pairs; ++i) {
            const Probe::Run run = probe.run(QStringLiteral("hot-%1").arg(i), url);
            base.load(url);
            const auto line = base.nextLine();
            if (!run.ok || !run.firstLoadAt || !line || !line->contains(u"navigateToLoadMs")) {
                qCritical("hot pair %d did not work", i);
                return 1;
            }
            const double probeMs = *run.firstLoadAt - run.sentAt;
            const double baseMs = line->value(u"navigateToLoadMs").toDouble();
            const bool counted = i >= config.warmup;
            out << "     " << (counted ? QString::number(i - config.warmup + 1) : QStringLiteral("w")) << "     "
                << QString::number(probeMs, 'f', 1) << " ms            " << QString::number(baseMs, 'f', 1)
                << " ms           " << QString::number(probeMs / baseMs, 'f', 3) << "  "
                << QString::number(*run.doneAt - run.sentAt, 'f', 1) << " ms     "
                << QString::number(run.loadMs.value_or(-1), 'f', 1) << '/'
                << QString::number(line->value(u"loadMs").toDouble(), 'f', 1) << '\n';
            out.flush();
            if (!counted)
                continue;
            hotProbe.append(probeMs);
            hotBase.append(baseMs);
            hotRatio.append(probeMs / baseMs);
            hotDone.append(*run.doneAt - run.sentAt);
            hotSetup.append(line->value(u"setupMs").toDouble());
            hotSamples.append(QJsonObject { { QStringLiteral("probeRunToLoadFrameMs"), probeMs },
                { QStringLiteral("probeRunToDoneMs"), *run.doneAt - run.sentAt },
                { QStringLiteral("probeLoadMs"), run.loadMs.value_or(-1) },
                { QStringLiteral("baselineNavigateToLoadMs"), baseMs },
                { QStringLiteral("baselineSetupMs"), line->value(u"setupMs").toDouble() },
                { QStringLiteral("baselineLoadMs"), line->value(u"loadMs").toDouble() } });
        }
    }
    report.insert(QStringLiteral("hot"),
        QJsonObject { { QStringLiteral("probeRunToLoadFrameMs"), summary(hotProbe) },
            { QStringLiteral("baselineNavigateToLoadMs"), summary(hotBase) },
            { QStringLiteral("ratio"), summary(hotRatio) }, { QStringLiteral("probeRunToDoneMs"), summary(hotDone) },
            { QStringLiteral("baselineSetupMs"), summary(hotSetup) }, { QStringLiteral("samples"), hotSamples } });

    // ---- cold: a new probe process per load against a new baseline process per load ----
    out << "\ncold pair  probe start→load frame  baseline start→load  ratio  | probe: ready  greeted  browser  "
           "run→frame  page load\n";
    out.flush();
    QList<double> coldProbe, coldBase, coldRatio, coldReady, coldGreeted, coldRunToFrame, coldBrowser, coldLoad;
    QJsonArray coldSamples;
    for (int i = 0; i < config.coldPairs; ++i) {
        Probe probe(waiter, clock);
        if (!probe.start(config.probe, config.probeArguments)) {
            qCritical("the probe did not start");
            return 1;
        }
        const Probe::Run run = probe.run(QStringLiteral("cold-%1").arg(i), url);
        Baseline base(waiter, clock);
        base.start(parser.value(node), QStringList { script, QStringLiteral("--cold"), url } + baselineTail);
        const auto line = base.nextLine();
        if (!run.ok || !run.firstLoadAt || !line || !line->contains(u"launchToLoadMs")) {
            qCritical("cold pair %d did not work", i);
            return 1;
        }
        const double probeMs = *run.firstLoadAt - probe.startedAt();
        const double baseMs = base.lineAt() - base.startedAt();
        const double ready = probe.readyAt() - probe.startedAt();
        const double greeted = probe.greetedAt() - probe.startedAt();
        const double runToFrame = *run.firstLoadAt - run.sentAt;
        out << "     " << i + 1 << "     " << QString::number(probeMs, 'f', 1) << " ms            "
            << QString::number(baseMs, 'f', 1) << " ms      " << QString::number(probeMs / baseMs, 'f', 3) << "  |  "
            << QString::number(ready, 'f', 1) << "  " << QString::number(greeted, 'f', 1) << "  "
            << (run.browserStartMs ? QString::number(*run.browserStartMs, 'f', 1) : QStringLiteral("(ready)")) << "  "
            << QString::number(runToFrame, 'f', 1) << "  " << QString::number(run.loadMs.value_or(-1), 'f', 1)
            << "   | base: browser " << QString::number(line->value(u"browserStartMs").toDouble(), 'f', 1) << " setup "
            << QString::number(line->value(u"setupMs").toDouble(), 'f', 1) << " navigate→load "
            << QString::number(line->value(u"navigateToLoadMs").toDouble(), 'f', 1) << '\n';
        out.flush();
        coldProbe.append(probeMs);
        coldBase.append(baseMs);
        coldRatio.append(probeMs / baseMs);
        coldReady.append(ready);
        coldGreeted.append(greeted);
        coldRunToFrame.append(runToFrame);
        if (run.browserStartMs)
            coldBrowser.append(*run.browserStartMs);
        coldLoad.append(run.loadMs.value_or(-1));
        QJsonObject sample { { QStringLiteral("probeStartToLoadFrameMs"), probeMs },
            { QStringLiteral("probeReadyMs"), ready }, { QStringLiteral("probeGreetedMs"), greeted },
            { QStringLiteral("probeRunToLoadFrameMs"), runToFrame },
            { QStringLiteral("probeLoadMs"), run.loadMs.value_or(-1) },
            { QStringLiteral("baselineStartToLoadMs"), baseMs }, { QStringLiteral("baseline"), *line } };
        if (run.browserStartMs)
            sample.insert(QStringLiteral("probeBrowserStartMs"), *run.browserStartMs);
        coldSamples.append(sample);
    }
    report.insert(QStringLiteral("cold"),
        QJsonObject { { QStringLiteral("probeStartToLoadFrameMs"), summary(coldProbe) },
            { QStringLiteral("baselineStartToLoadMs"), summary(coldBase) },
            { QStringLiteral("ratio"), summary(coldRatio) }, { QStringLiteral("probeReadyMs"), summary(coldReady) },
            { QStringLiteral("probeGreetedMs"), summary(coldGreeted) },
            { QStringLiteral("probeRunToLoadFrameMs"), summary(coldRunToFrame) },
            { QStringLiteral("probeBrowserStartMs"), summary(coldBrowser) },
            { QStringLiteral("probeLoadMs"), summary(coldLoad) }, { QStringLiteral("samples"), coldSamples } });

    out << "\nhot:  probe run→load frame " << describe(summary(hotProbe)) << " ms; baseline navigate→load "
        << describe(summary(hotBase)) << " ms; ratio " << describe(summary(hotRatio)) << '\n'
        << "cold: probe start→load frame " << describe(summary(coldProbe)) << " ms; baseline start→load "
        << describe(summary(coldBase)) << " ms; ratio " << describe(summary(coldRatio)) << '\n'
        << QString::fromUtf8(QJsonDocument(report).toJson(QJsonDocument::Compact)) << '\n';
    out.flush();
    return 0;
}
