// Loading as a device: the commands we send, and what a real page then sees of itself.
#include "browsertestcase.h"
#include "deviceemulation.h"
#include "testwebserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

namespace {

// The page reports what it sees of the device it runs on, once loaded. The viewport meta is what a site made for
// phones has; without it a mobile browser lays the page out 980 px wide.
const QByteArray reportingPage = R"(<!doctype html><html><head>
<meta name="viewport" content="width=device-width, initial-scale=1"><title>device</title></head>
<body><p>What am I?</p><script>
window.addEventListener('load', () => setTimeout(() => {
  navigator.sendBeacon('/beacon', JSON.stringify({
    innerWidth, innerHeight, dpr: devicePixelRatio, screenWidth: screen.width,
    coarse: matchMedia('(pointer: coarse)').matches, touchPoints: navigator.maxTouchPoints,
    ua: navigator.userAgent, platform: navigator.platform,
    uaDataMobile: navigator.userAgentData ? navigator.userAgentData.mobile : null,
    uaDataPlatform: navigator.userAgentData ? navigator.userAgentData.platform : null }));
}, 0));
</script></body></html>)";

// A fixed amount of JavaScript (about 150 ms on these machines), timed by the page: `best` is its wall-clock time.
// Long enough that Chrome's throttling, which pauses the main thread in slices, cannot miss it. The work is done in
// 3000 chunks of about 50 µs, each timed too (the page is cross-origin isolated, so performance.now() has 5 µs steps,
// not 100). What the script needs of a CPU (`cpu`) is the sum of the chunks, each one in which another process of
// the machine took the CPU away (over twice the median chunk: one of few) counted as the median.
const QByteArray busyPage = R"(<!doctype html><html><body><script>
let x = 0;
const t = performance.now();
const chunks = [];
let last = t;
for (let c = 0; c < 3000; ++c) {
  for (let i = 0; i < 1e4; ++i) x = (x * 31 + c * 1e4 + i) % 1000003;
  const now = performance.now();
  chunks.push(now - last);
  last = now;
}
const best = performance.now() - t;
const typical = [...chunks].sort((a, b) => a - b)[chunks.length >> 1];
let cpu = 0;
for (const d of chunks) cpu += d <= 2 * typical ? d : typical;
window.addEventListener('load', () => navigator.sendBeacon('/beacon',
  JSON.stringify({ best, cpu, isolated: self.crossOriginIsolated, x })));
</script></body></html>)";

const DeviceEmulation::Command *find(const QList<DeviceEmulation::Command> &commands, const QString &method)
{
    for (const DeviceEmulation::Command &command : commands) {
        if (command.method == method)
            return &command;
    }
    return nullptr;
}

} // namespace

class tst_DeviceEmulation : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void chromeVersionFromProduct();
    void desktopSendsARealUserAgent();
    void phoneCommands();
    void appleDevicesMakeUpNoClientHints();
    void aPageSeesThePhone();
    void aPageSeesTheIPhone();
    void theDefaultIsTheDesktopWithoutHeadless();
    void cpuSlowdownSlowsAFixedScript();
    void relativeSlowdownFollowsTheBenchmark();

private:
    QJsonObject load(const QString &path, const LoadOptions &options, TestWebServer::Request *document = nullptr);

    TestWebServer m_server;
    std::unique_ptr<LoadScheduler> m_scheduler;
};

void tst_DeviceEmulation::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
    TestWebServer::Response page;
    page.body = reportingPage;
    m_server.route(QStringLiteral("/device"), page);
    page.body = busyPage;
    // Cross-origin isolated, for performance.now()'s fine steps.
    page.headers
        = { { "Cross-Origin-Opener-Policy", "same-origin" }, { "Cross-Origin-Embedder-Policy", "require-corp" } };
    m_server.route(QStringLiteral("/busy"), page);
    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 1 });
}

QJsonObject tst_DeviceEmulation::load(const QString &path, const LoadOptions &options, TestWebServer::Request *document)
{
    QSignalSpy beacon(&m_server, &TestWebServer::beaconReceived);
    const qsizetype before = m_server.requests().size();
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(path), options);
    if (!run.ok()) {
        qWarning("run failed: %s", qPrintable(BrowserTest::errorText(run)));
        return {};
    }
    if (beacon.isEmpty() && !beacon.wait(10'000))
        return {};
    if (document) {
        const QList<TestWebServer::Request> requests = m_server.requests();
        for (qsizetype i = before; i < requests.size(); ++i) {
            if (requests[i].path == path)
                *document = requests[i];
        }
    }
    return QJsonDocument::fromJson(beacon.first().first().toByteArray()).object();
}

void tst_DeviceEmulation::chromeVersionFromProduct()
{
    QCOMPARE(DeviceEmulation::chromeVersion(QStringLiteral("HeadlessChrome/156.0.8078.73")),
        QStringLiteral("156.0.8078.73"));
    QCOMPARE(DeviceEmulation::chromeVersion(QStringLiteral("156.0")), QStringLiteral("156.0"));
}

void tst_DeviceEmulation::desktopSendsARealUserAgent()
{
    const DeviceEmulation desktop(DeviceProfile::desktop(), 1, QStringLiteral("HeadlessChrome/156.0.8078.73"));
    const auto commands = desktop.pageCommands();
    const auto *metrics = find(commands, QStringLiteral("Emulation.setDeviceMetricsOverride"));
    QVERIFY(metrics);
    QCOMPARE(metrics->params.value(QStringLiteral("width")).toInt(), 1366);
    QCOMPARE(metrics->params.value(QStringLiteral("mobile")).toBool(), false);
    const auto *agent = find(commands, QStringLiteral("Emulation.setUserAgentOverride"));
    QVERIFY(agent);
    const QString ua = agent->params.value(QStringLiteral("userAgent")).toString();
    QVERIFY2(ua.contains(QStringLiteral("Chrome/156.0.8078.73 Safari")), qPrintable(ua));
    QVERIFY(!ua.contains(QStringLiteral("Headless")));
    QVERIFY(!find(commands, QStringLiteral("Emulation.setTouchEmulationEnabled")));
    QVERIFY(!find(commands, QStringLiteral("Emulation.setCPUThrottlingRate")));
}

void tst_DeviceEmulation::phoneCommands()
{
    const DeviceEmulation phone(*DeviceProfile::parse(u"moto-g-power", nullptr), 4, QStringLiteral("Chrome/156.0.1.2"));
    const auto commands = phone.pageCommands();
    QCOMPARE(find(commands, QStringLiteral("Emulation.setDeviceMetricsOverride"))
                 ->params.value(QStringLiteral("deviceScaleFactor"))
                 .toDouble(),
        1.75);
    QVERIFY(find(commands, QStringLiteral("Emulation.setTouchEmulationEnabled")));
    QCOMPARE(
        find(commands, QStringLiteral("Emulation.setCPUThrottlingRate"))->params.value(QStringLiteral("rate")).toInt(),
        4);
    const QJsonObject hints = find(commands, QStringLiteral("Emulation.setUserAgentOverride"))
                                  ->params.value(QStringLiteral("userAgentMetadata"))
                                  .toObject();
    QCOMPARE(hints.value(QStringLiteral("platform")).toString(), QStringLiteral("Android"));
    QCOMPARE(hints.value(QStringLiteral("mobile")).toBool(), true);
    QCOMPARE(hints.value(QStringLiteral("model")).toString(), QStringLiteral("moto g power (2022)"));
    QCOMPARE(hints.value(QStringLiteral("brands")).toArray().first().toObject().value(QStringLiteral("version")),
        QStringLiteral("156"));
    // Frames and workers send the same user agent.
    const auto children = phone.childCommands();
    QCOMPARE(children.size(), 1);
    QCOMPARE(children.first().method, QStringLiteral("Network.setUserAgentOverride"));
    QCOMPARE(children.first().params, find(commands, QStringLiteral("Emulation.setUserAgentOverride"))->params);
}

void tst_DeviceEmulation::appleDevicesMakeUpNoClientHints()
{
    const DeviceEmulation iphone(*DeviceProfile::parse(u"iphone-12-pro", nullptr), 1, QStringLiteral("Chrome/156.0"));
    const auto *agent = find(iphone.pageCommands(), QStringLiteral("Emulation.setUserAgentOverride"));
    QVERIFY(agent);
    QVERIFY(!agent->params.contains(QStringLiteral("userAgentMetadata")));
    QCOMPARE(agent->params.value(QStringLiteral("platform")).toString(), QStringLiteral("iPhone"));
}

void tst_DeviceEmulation::aPageSeesThePhone()
{
    LoadOptions options;
    options.device = QStringLiteral("moto-g-power");
    options.cpuSlowdown = 1; // what the page sees of the device, not of its CPU
    TestWebServer::Request document;
    const QJsonObject seen = load(QStringLiteral("/device"), options, &document);
    QVERIFY2(!seen.isEmpty(), "the page reported nothing");
    QCOMPARE(seen.value(QStringLiteral("innerWidth")).toInt(), 412);
    QCOMPARE(seen.value(QStringLiteral("screenWidth")).toInt(), 412);
    QCOMPARE(seen.value(QStringLiteral("dpr")).toDouble(), 1.75);
    QCOMPARE(seen.value(QStringLiteral("coarse")).toBool(), true);
    QVERIFY(seen.value(QStringLiteral("touchPoints")).toInt() > 0);
    QVERIFY(seen.value(QStringLiteral("ua")).toString().contains(QStringLiteral("Android 11; moto g power")));
    QCOMPARE(seen.value(QStringLiteral("uaDataMobile")).toBool(), true);
    QCOMPARE(seen.value(QStringLiteral("uaDataPlatform")).toString(), QStringLiteral("Android"));
    // And the server saw a phone too.
    QVERIFY(document.headers.value("user-agent").contains("Mobile Safari/537.36"));
    QCOMPARE(document.headers.value("sec-ch-ua-mobile"), QByteArray("?1"));
    QCOMPARE(document.headers.value("sec-ch-ua-platform"), QByteArray("\"Android\""));
}

void tst_DeviceEmulation::aPageSeesTheIPhone()
{
    LoadOptions options;
    options.device = QStringLiteral("iphone-12-pro");
    TestWebServer::Request document;
    const QJsonObject seen = load(QStringLiteral("/device"), options, &document);
    QVERIFY2(!seen.isEmpty(), "the page reported nothing");
    QCOMPARE(seen.value(QStringLiteral("innerWidth")).toInt(), 390);
    QCOMPARE(seen.value(QStringLiteral("dpr")).toDouble(), 3.0);
    QCOMPARE(seen.value(QStringLiteral("coarse")).toBool(), true);
    QCOMPARE(seen.value(QStringLiteral("platform")).toString(), QStringLiteral("iPhone"));
    QVERIFY(seen.value(QStringLiteral("ua")).toString().startsWith(QStringLiteral("Mozilla/5.0 (iPhone;")));
    QVERIFY(document.headers.value("user-agent").contains("iPhone OS"));
}

void tst_DeviceEmulation::theDefaultIsTheDesktopWithoutHeadless()
{
    TestWebServer::Request document;
    const QJsonObject seen = load(QStringLiteral("/device"), LoadOptions {}, &document);
    QVERIFY2(!seen.isEmpty(), "the page reported nothing");
    QCOMPARE(seen.value(QStringLiteral("innerWidth")).toInt(), 1366);
    QCOMPARE(seen.value(QStringLiteral("dpr")).toDouble(), 1.0);
    QCOMPARE(seen.value(QStringLiteral("coarse")).toBool(), false);
    QCOMPARE(seen.value(QStringLiteral("uaDataMobile")).toBool(), false);
    const QByteArray agent = document.headers.value("user-agent");
    QVERIFY2(!agent.contains("Headless"), agent.constData());
    QVERIFY2(agent.contains("Chrome/"), agent.constData());
    QVERIFY(!document.headers.value("sec-ch-ua").contains("Headless"));
}

// Chrome throttles the page's main thread from a second thread that interrupts it every 200 µs and makes it wait
// (rate − 1) × the wall time it ran since the last wait, at most 1 ms of it. On a machine whose other processes
// take turns on the CPU, the script waits for its turn throttled or not, and a turn missed counts as at most 1 ms
// run: the throttle adds about (rate − 1) × the script's CPU time to whatever the machine's contention already
// added, so the plain ratio of wall times falls towards 1 as the machine gets busier (1.15–2.45 at a load of 6–9 on
// two cores, where a quiet machine gives about 4). What is measured is therefore the slowdown the throttle itself
// adds: the throttled time less the time other processes took from the unthrottled twin (its wall time less its CPU
// time), over that CPU time. Pairs interleaved, medians of each side, so a busy moment does not decide either.
// (On a busy machine this reads above 4 — 4.5 to 5.6 at loads of 9 to 32 — since each turn the script missed is
// followed by a full 1 ms's wait; without throttling it reads about 1.)
void tst_DeviceEmulation::cpuSlowdownSlowsAFixedScript()
{
    LoadOptions fast;
    LoadOptions slow;
    slow.cpuSlowdown = 4;
    constexpr int pairs = 5;
    QList<double> fastWall;
    QList<double> fastCpu;
    QList<double> slowWall;
    for (int pair = 0; pair < pairs; ++pair) {
        const QJsonObject a = load(QStringLiteral("/busy"), fast);
        const QJsonObject b = load(QStringLiteral("/busy"), slow);
        QVERIFY2(a.contains(QStringLiteral("best")) && b.contains(QStringLiteral("best")), "the page reported nothing");
        QVERIFY2(a.value(QStringLiteral("isolated")).toBool(), "the page is not cross-origin isolated");
        fastWall.append(a.value(QStringLiteral("best")).toDouble());
        fastCpu.append(a.value(QStringLiteral("cpu")).toDouble());
        slowWall.append(b.value(QStringLiteral("best")).toDouble());
    }
    const auto median = [](QList<double> values) {
        std::sort(values.begin(), values.end());
        return values.at(values.size() / 2);
    };
    const double wall = median(fastWall);
    const double cpu = median(fastCpu);
    const double throttled = median(slowWall);
    QVERIFY(cpu > 0 && wall >= cpu * 0.9);
    const double contention = std::max(0.0, wall - cpu);
    const double slowdown = (throttled - contention) / cpu;
    qInfo("fixed script over %d pairs (medians): %.1f ms of CPU, %.1f ms unthrottled (%.1f ms to other processes), "
          "%.1f ms at 4x: wall-time ratio %.2fx, slowdown the throttle adds %.2fx",
        pairs, cpu, wall, contention, throttled, throttled / wall, slowdown);
    QVERIFY2(slowdown >= 2.5, qPrintable(QString::number(slowdown)));
}

void tst_DeviceEmulation::relativeSlowdownFollowsTheBenchmark()
{
    // The scheduler measured this machine once when it was made; every run reports that index.
    const double index = m_scheduler->cpuBenchmarkIndex();
    QVERIFY(index > 0);
    const RunResult plain = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/busy")), LoadOptions {});
    QVERIFY2(plain.ok(), qPrintable(BrowserTest::errorText(plain)));
    QCOMPARE(plain.cpuBenchmarkIndex, std::optional<double>(index));
    QCOMPARE(plain.cpuSlowdownRate, std::optional<double>(1));

    // "Three times slower than the reference": this machine applies 3 × its index / the reference's, within 1-20.
    LoadOptions relative;
    relative.cpuSlowdown = 3;
    relative.cpuSlowdownRelative = true;
    const RunResult run = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/busy")), relative);
    QVERIFY2(run.ok(), qPrintable(BrowserTest::errorText(run)));
    const double expected
        = std::clamp(std::round(3 * index / LoadOptions::referenceCpuBenchmarkIndex * 100) / 100, 1.0, 20.0);
    qInfo("benchmark index %.1f (reference %.0f): relative 3x applies %.2fx", index,
        LoadOptions::referenceCpuBenchmarkIndex, run.cpuSlowdownRate.value_or(-1));
    QCOMPARE(run.cpuBenchmarkIndex, std::optional<double>(index));
    QCOMPARE(run.cpuSlowdownRate, std::optional<double>(expected));
    // And it reaches the wire and comes back.
    QString error;
    const auto back = RunResult::fromJson(run.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(back->cpuSlowdownRate, run.cpuSlowdownRate);
    QCOMPARE(back->options.cpuSlowdownRelative, true);
}

QTEST_MAIN(tst_DeviceEmulation)
#include "tst_deviceemulation.moc"
