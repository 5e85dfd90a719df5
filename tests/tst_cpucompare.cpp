// A throttled phone test against a desktop test of one page, both measured in real Chromium, side by side in the
// Compare dialog: the dialog must say which is which (device and CPU slowdown), and the phone's slower CPU must show
// in the main-thread figures. With WORLDSPEED_SCREENSHOT_DIR set the dialog is saved there, to be looked at.
#include "browsertestcase.h"
#include "comparisondialog.h"
#include "testrecord.h"
#include "testwebserver.h"

#include <QApplication>
#include <QDir>
#include <QLabel>
#include <QTest>

namespace {

// Paints at once, then runs a fixed script (about 120 ms unthrottled on these machines) while an image holds the
// load event, so both tests have a long task to show and a waterfall of a few requests.
const QByteArray page = R"(<!doctype html><html><head><link rel="stylesheet" href="/asset?type=css&delay=100">
</head><body><h1>CPU</h1><p>Text that paints first.</p>
<img src="/asset?type=png&delay=600&size=4000" width="40" height="40">
<script>
setTimeout(() => { let x = 0; for (let i = 0; i < 2.4e7; ++i) x = (x * 31 + i) % 1000003; window.x = x; }, 200);
</script></body></html>)";

} // namespace

class tst_CpuCompare : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void throttledPhoneAgainstDesktop();

private:
    TestRecord measure(const LoadOptions &options);

    TestWebServer m_server;
    std::unique_ptr<LoadScheduler> m_scheduler;
};

void tst_CpuCompare::initTestCase()
{
    QVERIFY2(!ChromeProcess::findExecutable().isEmpty(), "these tests need Chromium (packaging/install-deps.sh)");
    QVERIFY(m_server.listen());
    TestWebServer::Response response;
    response.body = page;
    m_server.route(QStringLiteral("/cpu"), response);
    m_scheduler = std::make_unique<LoadScheduler>(LoadScheduler::Options { BrowserTest::chromeOptions(), 1 });
}

// One measured run, recorded as the app records a test of one region.
TestRecord tst_CpuCompare::measure(const LoadOptions &options)
{
    const RunResult result = BrowserTest::run(*m_scheduler, m_server.url(QStringLiteral("/cpu")), options);
    TestRecord test;
    test.url = result.url;
    test.options = options;
    test.startedAt = QDateTime::currentDateTimeUtc();
    test.regions = { QStringLiteral("local") };
    RegionRun run;
    run.firstView = result.firstView;
    run.finished = true;
    run.firstViewMeasured = result.ok();
    run.cpuBenchmarkIndex = result.cpuBenchmarkIndex;
    run.cpuSlowdownRate = result.cpuSlowdownRate;
    if (!result.ok())
        run.error = result.firstView.error;
    RegionRecord region;
    region.state = result.ok() ? RunState::Complete : RunState::Error;
    region.runs = { run };
    test.results.insert(QStringLiteral("local"), region);
    return test;
}

void tst_CpuCompare::throttledPhoneAgainstDesktop()
{
    LoadOptions phoneOptions;
    phoneOptions.device = QStringLiteral("moto-g-power");
    phoneOptions.cpuSlowdown = 4;
    const TestRecord desktop = measure(LoadOptions {});
    const TestRecord phone = measure(phoneOptions);
    const RegionRun d = desktop.results.value(QStringLiteral("local")).runs.first();
    const RegionRun p = phone.results.value(QStringLiteral("local")).runs.first();
    QVERIFY2(d.ok() && p.ok(), "a run failed");
    QCOMPARE(p.cpuSlowdownRate, std::optional<double>(4));
    QCOMPARE(d.cpuSlowdownRate, std::optional<double>(1));
    // The same script on a CPU four times slower: its long task is longer on the phone. (How much longer is
    // tst_deviceemulation's to prove, with interleaved pairs; here only that the comparison shows a difference.)
    const auto longest = [](const RegionRun &run) { return run.firstView.metrics.longestTaskMs.value_or(0); };
    qInfo("longest task: desktop %.0f ms, phone at 4x %.0f ms; TBT desktop %.0f ms, phone %.0f ms", longest(d),
        longest(p), d.firstView.metrics.totalBlockingTimeMs.value_or(-1),
        p.firstView.metrics.totalBlockingTimeMs.value_or(-1));
    QVERIFY(longest(d) >= 50);
    QVERIFY2(longest(p) > longest(d), qPrintable(QString::number(longest(p) / longest(d))));

    ComparisonDialog dialog(phone, desktop);
    dialog.resize(1280, 800);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    // Each side names its device and the CPU slowdown it ran at: a phone at 4× and one at 1× are not alike.
    bool named = false;
    for (const QLabel *label : dialog.findChildren<QLabel *>())
        named
            = named || (label->text().contains(u"moto-g-power, CPU 4×") && label->text().contains(u"desktop, CPU 1×"));
    QVERIFY(named);
    QTest::qWait(200);
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        dialog.grab().save(QDir(dir).filePath(QStringLiteral("cpucompare-phone4x-desktop.png")));
}

QTEST_MAIN(tst_CpuCompare)
#include "tst_cpucompare.moc"
