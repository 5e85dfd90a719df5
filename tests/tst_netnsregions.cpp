// The fleet with real parts: local probe processes under a RegionPool, the app side dying, and several
// "regions" as real probes in network namespaces of the test's own, one test fanned out to all of them.
#include "fleet/fleet.h"
#include "fleet/localbackend.h"
#include "fleet/multiregionrun.h"
#include "fleet/poolrun.h"
#include "fleet/regionpool.h"
#include "fleet/staticbackend.h"
#include "memorysecretstore.h"
#include "probeprocess.h"
#include "processstate.h"
#include "testwebserver.h"

#include <QCoreApplication>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <unistd.h>

namespace {

LocalBackend::Settings localSettings(int maxConcurrency)
{
    LocalBackend::Settings s;
    s.probePath = QStringLiteral(WORLDSPEED_PROBE_EXE);
    s.maxConcurrency = maxConcurrency;
    s.parentGraceSeconds = 3;
    s.chromeArguments << QStringLiteral("--disable-quic");
    return s;
}

int run(const QString &program, const QStringList &arguments, QByteArray *output = nullptr)
{
    QProcess process;
    process.start(program, arguments);
    process.waitForFinished(30'000);
    if (output)
        *output = process.readAllStandardOutput() + process.readAllStandardError();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

// Network namespaces and veth links this test makes, named after its pid; all removed again by the destructor,
// whatever happened in between.
class Namespaces
{
public:
    ~Namespaces() { removeAll(); }

    // Region n lives in namespace ws<pid>n with 10.254.n.2; the host end of its link is 10.254.n.1.
    QString add(int n, QString *error)
    {
        const QString ns = QStringLiteral("ws%1n%2").arg(::getpid()).arg(n);
        const QString host = QStringLiteral("wsh%1n%2").arg(::getpid() % 100000).arg(n);
        const QString peer = QStringLiteral("wsp%1n%2").arg(::getpid() % 100000).arg(n);
        const QString hostAddress = QStringLiteral("10.254.%1.1/24").arg(n);
        const QString nsAddress = QStringLiteral("10.254.%1.2/24").arg(n);
        const QList<QStringList> steps {
            { QStringLiteral("netns"), QStringLiteral("add"), ns },
            { QStringLiteral("link"), QStringLiteral("add"), host, QStringLiteral("type"), QStringLiteral("veth"),
                QStringLiteral("peer"), QStringLiteral("name"), peer },
            { QStringLiteral("link"), QStringLiteral("set"), peer, QStringLiteral("netns"), ns },
            { QStringLiteral("addr"), QStringLiteral("add"), hostAddress, QStringLiteral("dev"), host },
            { QStringLiteral("link"), QStringLiteral("set"), host, QStringLiteral("up") },
            { QStringLiteral("-n"), ns, QStringLiteral("addr"), QStringLiteral("add"), nsAddress, QStringLiteral("dev"),
                peer },
            { QStringLiteral("-n"), ns, QStringLiteral("link"), QStringLiteral("set"), peer, QStringLiteral("up") },
            { QStringLiteral("-n"), ns, QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                QStringLiteral("up") },
            // The other regions' host ends are reachable through this region's own link.
            { QStringLiteral("-n"), ns, QStringLiteral("route"), QStringLiteral("add"), QStringLiteral("10.254.0.0/16"),
                QStringLiteral("via"), QStringLiteral("10.254.%1.1").arg(n) },
        };
        m_namespaces.append(ns);
        m_links.append(host);
        for (const QStringList &step : steps) {
            QByteArray output;
            if (run(QStringLiteral("ip"), step, &output) != 0) {
                *error = QStringLiteral("ip %1: %2").arg(step.join(u' '), QString::fromLocal8Bit(output).trimmed());
                return {};
            }
        }
        return ns;
    }

    void removeAll()
    {
        for (const QString &link : std::as_const(m_links))
            run(QStringLiteral("ip"), { QStringLiteral("link"), QStringLiteral("del"), link });
        for (const QString &ns : std::as_const(m_namespaces))
            run(QStringLiteral("ip"), { QStringLiteral("netns"), QStringLiteral("del"), ns });
        m_links.clear();
        m_namespaces.clear();
    }

private:
    QStringList m_namespaces;
    QStringList m_links;
};

} // namespace

class tst_NetnsRegions : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void growsToMaxQueuesTheRestAndIdlesDown();
    void probeKilledMidRunFailsOnlyItsRuns();
    void appDyingLeavesNoProbe();
    void regionsInNetworkNamespaces();

private:
    TestWebServer m_web;
};

void tst_NetnsRegions::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_PROBE_EXE)).isExecutable());
    QVERIFY(m_web.listen(QHostAddress::Any));
    TestWebServer::Response page;
    page.body = "<!doctype html><p>fleet</p><img src=\"/asset?type=png&size=400&delay=300\">";
    m_web.route(QStringLiteral("/page"), page);
    TestWebServer::Response hang;
    hang.mode = TestWebServer::Response::Mode::Hang;
    m_web.route(QStringLiteral("/hang"), hang);
}

void tst_NetnsRegions::growsToMaxQueuesTheRestAndIdlesDown()
{
    LocalBackend backend(localSettings(4));
    PoolOptions options;
    options.min = 0;
    options.max = 3;
    options.maxConcurrency = 4;
    options.idleShutdownAfterMs = 3000;
    Fleet fleet;
    QString error;
    RegionPool *pool = fleet.addRegion(QStringLiteral("local"), options, &backend, &error);
    QVERIFY2(pool, qPrintable(error));

    int mostRunners = 0;
    int longestQueue = 0;
    QSet<QString> runnerIds;
    connect(pool, &RegionPool::runnerChanged, this, [&](const RunnerInfo &info) {
        runnerIds.insert(info.id);
        mostRunners = std::max(mostRunners, static_cast<int>(pool->runners().size()));
    });
    connect(pool, &RegionPool::queueLengthChanged, this,
        [&](int length) { longestQueue = std::max(longestQueue, length); });

    const QUrl url = m_web.url(QStringLiteral("/page"));
    QList<PoolRun *> runs;
    int ok = 0;
    int finished = 0;
    for (int i = 0; i < 30; ++i) {
        PoolRun *run = pool->submit(QUrl(QStringLiteral("http://127.0.0.1:%1/page").arg(m_web.port())));
        connect(run, &PoolRun::done, this, [&](const DoneMessage &done) {
            ++finished;
            ok += done.ok ? 1 : 0;
            if (!done.ok)
                qWarning("run failed: %s", qPrintable(done.error ? done.error->message : QString()));
        });
        runs.append(run);
    }
    Q_UNUSED(url);
    QTRY_COMPARE_WITH_TIMEOUT(finished, 30, 240'000);
    QCOMPARE(ok, 30);
    qInfo("30 runs: at most %d runners (%lld distinct), longest queue %d", mostRunners,
        static_cast<long long>(runnerIds.size()), longestQueue);
    QCOMPARE(mostRunners, 3); // grew to exactly max
    QCOMPARE(runnerIds.size(), 3); // and no runner was booted beyond that
    QVERIFY(longestQueue >= 30 - 3 * 4); // the rest waited their turn
    for (PoolRun *run : runs)
        QVERIFY(!run->runnerId().isEmpty());

    // Back to min (0) within the idle time and a margin for closing Chrome.
    QElapsedTimer clock;
    clock.start();
    QTRY_VERIFY_WITH_TIMEOUT(pool->runners().isEmpty(), 3000 + 15'000);
    qInfo("idled down to 0 runners %lld ms after the last run (idle shutdown 3 s)", clock.elapsed());
}

void tst_NetnsRegions::probeKilledMidRunFailsOnlyItsRuns()
{
    LocalBackend backend(localSettings(2));
    PoolOptions options;
    options.max = 2;
    options.maxConcurrency = 1;
    options.idleShutdownAfterMs = 60'000;
    Fleet fleet;
    RegionPool *pool = fleet.addRegion(QStringLiteral("local"), options, &backend);
    QVERIFY(pool);
    PoolRun *doomed = pool->submit(m_web.url(QStringLiteral("/hang")),
        LoadOptions { 30'000, QStringLiteral("Native"), false, false, QStringLiteral("desktop"), {} });
    PoolRun *survivor = pool->submit(m_web.url(QStringLiteral("/hang?other=1")),
        LoadOptions { 8'000, QStringLiteral("Native"), false, false, QStringLiteral("desktop"), {} });
    QSignalSpy doomedDone(doomed, &PoolRun::done);
    QSignalSpy survivorDone(survivor, &PoolRun::done);
    // Both loading, each on its own runner.
    QTRY_COMPARE_WITH_TIMEOUT(m_web.hits(QStringLiteral("/hang")), 2, 60'000);
    QVERIFY(!doomed->runnerId().isEmpty() && doomed->runnerId() != survivor->runnerId());
    ::kill(static_cast<pid_t>(backend.processId(doomed->runnerId())), SIGKILL);
    QVERIFY(doomedDone.wait(20'000));
    const auto failed = doomedDone.first().first().value<DoneMessage>();
    QVERIFY(!failed.ok);
    QVERIFY2(failed.error->message.contains(u"went away") || failed.error->message.contains(u"lost"),
        qPrintable(failed.error->message));
    // The other probe's run is untouched: it ends by its own timeout, not by the crash.
    QVERIFY(survivorDone.wait(30'000));
    QCOMPARE(survivorDone.first().first().value<DoneMessage>().error->kind, LoadError::Kind::Timeout);
    // New work still completes (a replacement probe boots if needed).
    PoolRun *next = pool->submit(m_web.url(QStringLiteral("/page")));
    QSignalSpy nextDone(next, &PoolRun::done);
    QVERIFY(nextDone.wait(60'000));
    QVERIFY(nextDone.first().first().value<DoneMessage>().ok);
}

void tst_NetnsRegions::appDyingLeavesNoProbe()
{
    // A child process plays the app: it boots two local probes through a pool, prints their pids, and is then
    // killed with SIGKILL — no destructor, no stop(). The probes must go on their own.
    QProcess app;
    app.setProgram(QCoreApplication::applicationFilePath());
    app.setArguments({ QStringLiteral("--play-app") });
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("WORLDSPEED_PLAY_APP"), QStringLiteral("1"));
    app.setProcessEnvironment(env);
    app.start();
    QVERIFY(app.waitForStarted());
    QList<qint64> pids;
    QDeadlineTimer deadline(60'000);
    while (pids.size() < 2 && !deadline.hasExpired()) {
        if (!app.waitForReadyRead(100))
            continue;
        while (app.canReadLine()) {
            const QByteArray line = app.readLine().trimmed();
            if (line.startsWith("probe-pid "))
                pids.append(line.mid(10).toLongLong());
        }
    }
    QCOMPARE(pids.size(), 2);
    for (qint64 pid : pids)
        QVERIFY(ProcessState::isAlive(pid));
    app.kill();
    app.waitForFinished();
    QElapsedTimer clock;
    clock.start();
    for (qint64 pid : pids)
        QTRY_VERIFY2_WITH_TIMEOUT(!ProcessState::isAlive(pid), "a probe outlived its app", 3000 + 10'000);
    qInfo("both probes gone %lld ms after the app was killed (grace 3 s)", clock.elapsed());
}

void tst_NetnsRegions::regionsInNetworkNamespaces()
{
    if (::geteuid() != 0)
        QSKIP("network namespaces need root (CI runs as root)");
    Namespaces namespaces;
    const QByteArray token = "netns-test-token-0123456789";
    const QStringList regions { QStringLiteral("reg1"), QStringLiteral("reg2"), QStringLiteral("reg3") };
    std::vector<std::unique_ptr<ProbeProcess>> probes;
    MemorySecretStore secrets;
    secrets.secrets.insert(QStringLiteral("probe"), QString::fromLatin1(token));
    std::vector<std::unique_ptr<StaticBackend>> backends;
    Fleet fleet;
    for (int n = 1; n <= 3; ++n) {
        QString error;
        const QString ns = namespaces.add(n, &error);
        QVERIFY2(!ns.isEmpty(), qPrintable(error));
        // A real probe inside the region's namespace, listening on the namespace's own address.
        ProbeProcess::Options probeOptions;
        probeOptions.program = QStringLiteral(WORLDSPEED_PROBE_EXE);
        probeOptions.token = QString::fromLatin1(token);
        probeOptions.listen = QStringLiteral("10.254.%1.2:0").arg(n);
        probeOptions.region = regions.at(n - 1);
        probeOptions.parentGraceSeconds = 0;
        probeOptions.networkNamespace = ns;
        // The namespaces' links exist only inside this test: clear text is fine here, and asked for.
        probeOptions.extraArguments = { QStringLiteral("--insecure-plaintext"), QStringLiteral("--idle-shutdown"),
            QStringLiteral("120"), QStringLiteral("--chrome-arg"), QStringLiteral("--disable-quic") };
        auto probe = std::make_unique<ProbeProcess>();
        QVERIFY(probe->start(probeOptions));
        const QUrl endpoint = probe->endpoint();
        QCOMPARE(endpoint.host(), QStringLiteral("10.254.%1.2").arg(n));
        StaticBackend::Settings settings;
        settings.probes = { { endpoint, QStringLiteral("probe"), {}, true } }; // "insecurePlaintext": true
        backends.push_back(std::make_unique<StaticBackend>(settings, &secrets));
        PoolOptions options;
        options.max = 1;
        QVERIFY(fleet.addRegion(regions.at(n - 1), options, backends.back().get()));
        probes.push_back(std::move(probe));
    }

    // One test, fanned out to every region; the page is served on region 1's host address, which the other
    // namespaces reach through their own links.
    const QUrl url(QStringLiteral("http://10.254.1.1:%1/page").arg(m_web.port()));
    MultiRegionRun *test = fleet.submit(url, {}, regions);
    QSignalSpy finished(test, &MultiRegionRun::finished);
    QHash<QString, DoneMessage> done;
    QHash<QString, QList<RequestTiming>> requests;
    connect(test, &MultiRegionRun::regionDone, this,
        [&](const QString &region, const DoneMessage &d) { done.insert(region, d); });
    connect(test, &MultiRegionRun::requestFinished, this,
        [&](const QString &region, RunView, const RequestTiming &r) { requests[region].append(r); });
    const qsizetype servedBefore = m_web.requests().size();
    QVERIFY(finished.wait(120'000));
    QCOMPARE(done.size(), 3);
    for (const QString &region : regions) {
        QVERIFY2(done.value(region).ok, qPrintable(region));
        QVERIFY(requests.value(region).size() >= 2);
    }
    // Each region's page came from its own namespace: the server saw one document request from each region's
    // address, and each region's probe reports having talked to the server's address.
    QSet<QString> peers;
    for (const TestWebServer::Request &request : m_web.requests().mid(servedBefore)) {
        if (request.path == u"/page")
            peers.insert(request.peer);
    }
    QCOMPARE(peers,
        (QSet<QString> { QStringLiteral("10.254.1.2"), QStringLiteral("10.254.2.2"), QStringLiteral("10.254.3.2") }));
    for (const QString &region : regions)
        QCOMPARE(requests.value(region).first().remoteIp, QStringLiteral("10.254.1.1"));

    delete test;
    fleet.shutdown();
    for (auto &probe : probes)
        QVERIFY(probe->stop(20'000)); // ip netns exec passes SIGTERM on: the probe exits cleanly
}

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsSet("WORLDSPEED_PLAY_APP")) {
        // The "app" of appDyingLeavesNoProbe: boot two probes, say their pids, wait to be killed.
        QCoreApplication app(argc, argv);
        LocalBackend backend(localSettings(1));
        PoolOptions options;
        options.min = 2;
        options.max = 2;
        Fleet fleet;
        RegionPool *pool = fleet.addRegion(QStringLiteral("local"), options, &backend);
        QTimer poll;
        QSet<QString> printed;
        QObject::connect(&poll, &QTimer::timeout, &app, [&] {
            for (const RunnerInfo &runner : pool->runners()) {
                if (runner.state == RunnerInfo::Ready && !printed.contains(runner.id)) {
                    printed.insert(runner.id);
                    printf("probe-pid %lld\n", static_cast<long long>(backend.processId(runner.id)));
                    fflush(stdout);
                }
            }
        });
        poll.start(50);
        return QCoreApplication::exec();
    }
    QCoreApplication app(argc, argv);
    tst_NetnsRegions test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_netnsregions.moc"
