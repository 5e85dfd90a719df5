// `worldspeed-probe serve` as a process: ready line, token handling, and the ways it ends itself.
#include "fleet/probeclient.h"
#include "processstate.h"
#include "protocolpeer.h"
#include "rawwebsocket.h"
#include "testdnsserver.h"
#include "testwebserver.h"

#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

namespace {

const QByteArray token = "serve-test-token-0123456789";

// AddressSanitizer's allocator pads every allocation and keeps freed memory in quarantine (256 MiB by default), so a
// sanitized probe's resident size says nothing about the allocator it ships with.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool addressSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool addressSanitized = true;
#else
constexpr bool addressSanitized = false;
#endif
#else
constexpr bool addressSanitized = false;
#endif

const DoneMessage *doneOf(const ProtocolPeer &peer)
{
    const DoneMessage *last = nullptr;
    for (const auto &r : peer.received()) {
        if (const auto *done = as<DoneMessage>(r.message))
            last = done;
    }
    return last;
}

// A run of this peer has reached the loading state (its page is being fetched).
bool isLoading(ProtocolPeer &peer)
{
    return peer.waitFor(
        [](const Message &m) {
            const auto *s = as<StatusMessage>(m);
            return s && s->state == RunState::Loading;
        },
        30'000);
}

// Connects a ProbeClient with the token and says how long it took to be ready; -1 if it never was.
qint64 msUntilReady(const QUrl &endpoint)
{
    ProbeClient client;
    QSignalSpy ready(&client, &ProbeClient::ready);
    QElapsedTimer clock;
    clock.start();
    client.connectToProbe(ProbeClient::Endpoint { endpoint, {}, QString::fromLatin1(token), {} });
    return ready.wait(10'000) ? clock.elapsed() : -1;
}

} // namespace

class tst_Serve : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void refusesToStartWithoutAToken();
    void refusesPlaintextOffLoopback_data();
    void refusesPlaintextOffLoopback();
    void tokenFromFileAndKeptFromChrome();
    void idleShutdown();
    void browserStartsBeforeTheFirstRun();
    void unauthenticatedConnectionsDoNotKeepItAlive();
    void floodDoesNotLockOutTheRightToken();
    void parentGoneShutdown();
    void parentReturnsInTime();
    void sigtermDrainsRunningRuns();
    void sigtermCancelsWhatDoesNotFinish();
    void chromiumKilledMidRun();
    void chromiumDiesWithItsProbe();
    void dnsServerOption();
    void aReaderThatStopsCostsBoundedMemory();

private:
    struct Probe
    {
        std::unique_ptr<QProcess> process;
        QUrl endpoint;
        QJsonObject ready;
    };
    Probe start(const QStringList &arguments, bool tokenInEnvironment = true);
    // Waits on this thread's event loop (the web server lives here) for the process to end.
    bool waitForExit(QProcess &process, int timeoutMs);

    TestWebServer m_web;
    QTemporaryDir m_dir;
};

tst_Serve::Probe tst_Serve::start(const QStringList &arguments, bool tokenInEnvironment)
{
    Probe probe;
    probe.process = std::make_unique<QProcess>();
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    if (tokenInEnvironment)
        env.insert(QStringLiteral("WORLDSPEED_PROBE_TOKEN"), QString::fromLatin1(token));
    probe.process->setProcessEnvironment(env);
    probe.process->setProgram(QStringLiteral(WORLDSPEED_PROBE_EXE));
    probe.process->setArguments(QStringList { QStringLiteral("serve"), QStringLiteral("--listen"),
                                    QStringLiteral("127.0.0.1:0"), QStringLiteral("--allow-private-targets"),
                                    QStringLiteral("--chrome-arg"), QStringLiteral("--disable-quic") }
        + arguments);
    probe.process->start();
    QDeadlineTimer deadline(15'000);
    while (!deadline.hasExpired() && !probe.process->canReadLine() && probe.process->state() != QProcess::NotRunning)
        QTest::qWait(10);
    const QByteArray line = probe.process->readLine().trimmed();
    if (!line.startsWith("worldspeed-probe ready ")) {
        qWarning("no ready line; got \"%s\", stderr: %s", line.constData(),
            probe.process->readAllStandardError().constData());
        return probe;
    }
    probe.ready = QJsonDocument::fromJson(line.mid(qstrlen("worldspeed-probe ready "))).object();
    probe.endpoint = QUrl(probe.ready.value(QStringLiteral("endpoint")).toString());
    return probe;
}

bool tst_Serve::waitForExit(QProcess &process, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (process.state() != QProcess::NotRunning && !deadline.hasExpired())
        QTest::qWait(20);
    return process.state() == QProcess::NotRunning;
}

void tst_Serve::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_PROBE_EXE)).isExecutable());
    QVERIFY(m_dir.isValid());
    QVERIFY(m_web.listen());
    TestWebServer::Response page;
    page.body = "<!doctype html><p>slow</p><img src=\"/asset?type=png&delay=2000&size=500\">";
    m_web.route(QStringLiteral("/slow"), page);
    TestWebServer::Response hang;
    hang.mode = TestWebServer::Response::Mode::Hang;
    m_web.route(QStringLiteral("/hang"), hang);
}

void tst_Serve::refusesToStartWithoutAToken()
{
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.remove(QStringLiteral("WORLDSPEED_PROBE_TOKEN"));
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(WORLDSPEED_PROBE_EXE),
        { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0") });
    QVERIFY(process.waitForFinished(10'000));
    QCOMPARE(process.exitCode(), 2);
    QVERIFY(process.readAllStandardError().contains("no token"));
}

void tst_Serve::refusesPlaintextOffLoopback_data()
{
    QTest::addColumn<QString>("listen");
    QTest::newRow("IPv4 any") << QStringLiteral("0.0.0.0:0");
    QTest::newRow("IPv6 any") << QStringLiteral("[::]:0");
}

void tst_Serve::refusesPlaintextOffLoopback()
{
    // Reachable from other machines without TLS, every client's token would cross the network in clear text: the
    // probe does not start unless told so (--insecure-plaintext; tst_netnsregions serves that way).
    QFETCH(QString, listen);
    QProcess process;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("WORLDSPEED_PROBE_TOKEN"), QString::fromLatin1(token));
    process.setProcessEnvironment(env);
    process.start(
        QStringLiteral(WORLDSPEED_PROBE_EXE), { QStringLiteral("serve"), QStringLiteral("--listen"), listen });
    QVERIFY(process.waitForFinished(10'000));
    QCOMPARE(process.exitCode(), 2);
    QCOMPARE(process.readAllStandardOutput(), QByteArray()); // no ready line: it never listened
    const QString error = QString::fromLocal8Bit(process.readAllStandardError()).trimmed().split(u'\n').last();
    QCOMPARE(error,
        QStringLiteral("worldspeed-probe serve: --listen %1 is reachable from other machines, and without TLS every "
                       "client's token would cross the network unencrypted: give --tls-cert FILE --tls-key FILE, or "
                       "--insecure-plaintext when something else encrypts the way (a TLS-terminating proxy, a VPN)")
            .arg(listen));
}

void tst_Serve::tokenFromFileAndKeptFromChrome()
{
    const QString path = m_dir.filePath(QStringLiteral("token"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(token + '\n');
    file.close();
    Probe probe
        = start({ QStringLiteral("--token-file"), path, QStringLiteral("--region"), QStringLiteral("fra") }, false);
    QVERIFY(probe.endpoint.isValid());
    QCOMPARE(probe.ready.value(QStringLiteral("region")).toString(), QStringLiteral("fra"));
    QVERIFY(!probe.ready.value(QStringLiteral("probeId")).toString().isEmpty());
    QCOMPARE(probe.endpoint.host(), QStringLiteral("127.0.0.1"));
    QVERIFY(probe.endpoint.port() > 0);

    ProtocolPeer peer;
    QVERIFY(peer.open(probe.endpoint));
    QVERIFY(peer.handshake(token));
    peer.send(
        RunMessage { QStringLiteral("r1"), m_web.url(QStringLiteral("/asset?type=text/html&size=20")).toString(), {} });
    QVERIFY(peer.waitForDone(QStringLiteral("r1"), 30'000));

    // The token never reaches the browser's environment (nor, through it, any page or crash report).
    const QList<qint64> children = ProcessState::children(probe.process->processId());
    QVERIFY(!children.isEmpty());
    for (qint64 child : children) {
        QFile environ(QStringLiteral("/proc/%1/environ").arg(child));
        QVERIFY(environ.open(QIODevice::ReadOnly));
        QVERIFY(!environ.readAll().contains(token));
    }
    // Nor the probe's own logs.
    probe.process->terminate();
    QVERIFY(waitForExit(*probe.process, 15'000));
    QVERIFY(!probe.process->readAllStandardError().contains(token));
}

void tst_Serve::idleShutdown()
{
    QElapsedTimer clock;
    clock.start();
    Probe probe = start({ QStringLiteral("--idle-shutdown"), QStringLiteral("2") });
    QVERIFY(probe.endpoint.isValid());
    // Busy first: a client and a run keep it alive past its idle time.
    {
        ProtocolPeer peer;
        QVERIFY(peer.open(probe.endpoint) && peer.handshake(token));
        peer.send(RunMessage { QStringLiteral("r1"), m_web.url(QStringLiteral("/slow")).toString(), {} });
        QVERIFY(peer.waitForDone(QStringLiteral("r1"), 30'000));
        QVERIFY(doneOf(peer));
        clock.restart();
    }
    QVERIFY(waitForExit(*probe.process, 15'000));
    const qint64 idleFor = clock.elapsed();
    QCOMPARE(probe.process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(probe.process->exitCode(), 0);
    qInfo("exited %lld ms after the last client left (idle shutdown 2 s)", idleFor);
    QVERIFY2(idleFor >= 1900, "not before its idle time");
    QVERIFY2(idleFor <= 2000 + 8000, "within its idle time and the time to close Chrome");
}

void tst_Serve::browserStartsBeforeTheFirstRun()
{
    // No run is ever sent: the browser's version in the probe's hello (absent until it has started once) shows
    // that the probe started it on its own, overlapping its start with the client's connection and handshake.
    Probe probe = start({});
    QVERIFY(probe.endpoint.isValid());
    QString browserVersion;
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            ProtocolPeer peer;
            if (!peer.open(probe.endpoint) || !peer.handshake(token))
                return false;
            for (const auto &r : peer.received()) {
                if (const auto *hello = std::get_if<HelloMessage>(&r.message))
                    browserVersion = hello->browserVersion;
            }
            return !browserVersion.isEmpty();
        }(),
        30'000);
    QVERIFY2(browserVersion.contains(u'/'), qPrintable(browserVersion));
    QCOMPARE(ProcessState::children(probe.process->processId()).size(), 1);
}

void tst_Serve::unauthenticatedConnectionsDoNotKeepItAlive()
{
    Probe probe = start({ QStringLiteral("--idle-shutdown"), QStringLiteral("2") });
    QVERIFY(probe.endpoint.isValid());
    QElapsedTimer clock;
    clock.start();
    // Someone keeps knocking without a token, before and after the upgrade: the probe is idle all the same.
    std::vector<std::unique_ptr<RawWebSocket>> knocks;
    while (probe.process->state() != QProcess::NotRunning && clock.elapsed() < 15'000) {
        auto knock = std::make_unique<RawWebSocket>();
        if (knock->connectTo(probe.endpoint, {}, 1'000) && knocks.size() % 2 == 0)
            knock->upgrade({}, 1'000);
        knocks.push_back(std::move(knock));
        QTest::qWait(200);
    }
    QVERIFY(waitForExit(*probe.process, 15'000));
    const qint64 idleFor = clock.elapsed();
    qInfo("exited %lld ms after it was ready, with a connection without a token every 200 ms (idle shutdown 2 s)",
        idleFor);
    QVERIFY2(probe.process->exitCode() == 0, probe.process->readAllStandardError().right(6000).constData());
    QVERIFY2(idleFor <= 2000 + 8000, "unauthenticated connections kept it alive");
}

void tst_Serve::floodDoesNotLockOutTheRightToken()
{
    Probe probe = start({});
    QVERIFY(probe.endpoint.isValid());
    const qint64 pid = probe.process->processId();
    const qint64 idleKiB = ProcessState::residentKiB(pid);
    qint64 peakKiB = idleKiB;
    // 300 connections from the right token's own address that never say a word, half of them before the upgrade
    // and half after it.
    std::vector<std::unique_ptr<RawWebSocket>> flood;
    for (int i = 0; i < 300; ++i) {
        flood.push_back(std::make_unique<RawWebSocket>());
        QVERIFY(flood.back()->connectTo(probe.endpoint));
        if (i % 2 == 1)
            flood.back()->sendUpgradeRequest();
        if (i % 25 == 0)
            peakKiB = std::max(peakKiB, ProcessState::residentKiB(pid));
    }
    // Then a burst of 50 wrong tokens from there too.
    for (int i = 0; i < 50; ++i) {
        flood.push_back(std::make_unique<RawWebSocket>());
        QVERIFY(flood.back()->connectTo(probe.endpoint));
        if (flood.back()->upgrade() == 101)
            flood.back()->sendText(R"({"v":1,"type":"auth","token":"wrong-token-)" + QByteArray::number(i) + R"("})");
    }
    peakKiB = std::max(peakKiB, ProcessState::residentKiB(pid));
    // During: the wrong tokens' refusals are still waiting out their delays.
    const qint64 duringMs = msUntilReady(probe.endpoint);
    peakKiB = std::max(peakKiB, ProcessState::residentKiB(pid));
    // After: every refusal has been sent (the longest waits 5 s).
    QTest::qWait(6'000);
    const qint64 afterMs = msUntilReady(probe.endpoint);
    const qint64 afterKiB = ProcessState::residentKiB(pid);
    qInfo("probe RSS: %lld KiB idle, at most %lld KiB during the flood, %lld KiB after it", idleKiB, peakKiB, afterKiB);
    qInfo("the right token was ready after %lld ms during the flood and %lld ms after it", duringMs, afterMs);
    QVERIFY(duringMs >= 0 && duringMs < 2'000);
    QVERIFY(afterMs >= 0 && afterMs < 2'000);
    if (addressSanitized)
        qInfo("the memory bound is not checked under AddressSanitizer (its allocator pads and quarantines)");
    else
        QVERIFY2(peakKiB - idleKiB < 32 * 1024, "the probe's memory grew with the flood");
    probe.process->terminate();
    QVERIFY(waitForExit(*probe.process, 15'000));
}

void tst_Serve::parentGoneShutdown()
{
    Probe probe = start({ QStringLiteral("--parent-grace"), QStringLiteral("2") });
    QVERIFY(probe.endpoint.isValid());
    auto parent = std::make_unique<ProtocolPeer>();
    QVERIFY(parent->open(probe.endpoint) && parent->handshake(token));
    parent->send(RunMessage { QStringLiteral("orphan"), m_web.url(QStringLiteral("/hang")).toString(), {} });
    QVERIFY(isLoading(*parent));
    QTest::qWait(2500); // connected: the grace period does not run
    QCOMPARE(probe.process->state(), QProcess::Running);
    const QList<qint64> chrome = ProcessState::children(probe.process->processId());
    QElapsedTimer clock;
    clock.start();
    parent.reset(); // the parent goes away mid-run
    QVERIFY(waitForExit(*probe.process, 15'000));
    qInfo("exited %lld ms after its parent left (grace 2 s)", clock.elapsed());
    QCOMPARE(probe.process->exitCode(), 0);
    QVERIFY(clock.elapsed() >= 1900);
    QVERIFY(clock.elapsed() <= 2000 + 8000);
    for (qint64 pid : chrome)
        QTRY_VERIFY2_WITH_TIMEOUT(!ProcessState::isAlive(pid), "Chromium outlived its probe", 5000);
}

void tst_Serve::parentReturnsInTime()
{
    Probe probe = start({ QStringLiteral("--parent-grace"), QStringLiteral("3") });
    QVERIFY(probe.endpoint.isValid());
    {
        ProtocolPeer parent;
        QVERIFY(parent.open(probe.endpoint) && parent.handshake(token));
    }
    QTest::qWait(1500);
    ProtocolPeer back;
    QVERIFY(back.open(probe.endpoint) && back.handshake(token));
    QTest::qWait(3000);
    QCOMPARE(probe.process->state(), QProcess::Running);
    back.send(RunMessage {
        QStringLiteral("still-here"), m_web.url(QStringLiteral("/asset?type=text/html&size=20")).toString(), {} });
    QVERIFY(back.waitForDone(QStringLiteral("still-here"), 30'000));
    probe.process->terminate();
    QVERIFY(waitForExit(*probe.process, 15'000));
}

void tst_Serve::sigtermDrainsRunningRuns()
{
    Probe probe = start({ QStringLiteral("--shutdown-timeout"), QStringLiteral("20") });
    QVERIFY(probe.endpoint.isValid());
    ProtocolPeer peer;
    QVERIFY(peer.open(probe.endpoint) && peer.handshake(token));
    peer.send(RunMessage { QStringLiteral("draining"), m_web.url(QStringLiteral("/slow")).toString(), {} });
    QVERIFY(isLoading(peer));
    const QList<qint64> chrome = ProcessState::children(probe.process->processId());
    ::kill(static_cast<pid_t>(probe.process->processId()), SIGTERM);
    // It stops taking work at once...
    QVERIFY(peer.waitFor(
        [](const Message &m) {
            const auto *load = as<LoadMessage>(m);
            return load && load->capacity == 0;
        },
        5000));
    // ...but the run in flight finishes and is delivered, then the probe says goodbye and exits 0.
    QVERIFY(peer.waitForDone(QStringLiteral("draining"), 30'000));
    const auto *done = doneOf(peer);
    QVERIFY2(done && done->ok, done && done->error ? qPrintable(done->error->message) : "no done");
    QVERIFY(peer.waitForClose(15'000));
    QCOMPARE(peer.closeCode(), 1001);
    QVERIFY(waitForExit(*probe.process, 15'000));
    QCOMPARE(probe.process->exitStatus(), QProcess::NormalExit);
    QCOMPARE(probe.process->exitCode(), 0);
    for (qint64 pid : chrome)
        QTRY_VERIFY2_WITH_TIMEOUT(!ProcessState::isAlive(pid), "Chromium outlived its probe", 5000);
}

void tst_Serve::sigtermCancelsWhatDoesNotFinish()
{
    Probe probe = start({ QStringLiteral("--shutdown-timeout"), QStringLiteral("1") });
    QVERIFY(probe.endpoint.isValid());
    ProtocolPeer peer;
    QVERIFY(peer.open(probe.endpoint) && peer.handshake(token));
    peer.send(RunMessage { QStringLiteral("stuck"), m_web.url(QStringLiteral("/hang")).toString(), {} });
    QVERIFY(isLoading(peer));
    ::kill(static_cast<pid_t>(probe.process->processId()), SIGINT);
    QVERIFY(peer.waitForDone(QStringLiteral("stuck"), 15'000));
    const auto *done = doneOf(peer);
    QVERIFY(done && !done->ok);
    QCOMPARE(done->error->kind, LoadError::Kind::Cancelled);
    QVERIFY(waitForExit(*probe.process, 15'000));
    QCOMPARE(probe.process->exitCode(), 0);
}

void tst_Serve::chromiumKilledMidRun()
{
    Probe probe = start({});
    QVERIFY(probe.endpoint.isValid());
    ProtocolPeer peer;
    QVERIFY(peer.open(probe.endpoint) && peer.handshake(token));
    peer.send(RunMessage { QStringLiteral("doomed"), m_web.url(QStringLiteral("/hang")).toString(), {} });
    QVERIFY(isLoading(peer));
    const QList<qint64> chrome = ProcessState::children(probe.process->processId());
    QCOMPARE(chrome.size(), 1);
    ::kill(static_cast<pid_t>(chrome.first()), SIGKILL);
    QVERIFY(peer.waitForDone(QStringLiteral("doomed"), 20'000));
    const auto *done = doneOf(peer);
    QVERIFY(done && !done->ok);
    QCOMPARE(done->error->kind, LoadError::Kind::BrowserCrashed);

    // The daemon stays up and the next run gets a fresh browser.
    peer.send(RunMessage {
        QStringLiteral("next"), m_web.url(QStringLiteral("/asset?type=text/html&size=20")).toString(), {} });
    QVERIFY(peer.waitForDone(QStringLiteral("next"), 30'000));
    const auto *next = doneOf(peer);
    QVERIFY2(next->ok, next->error ? qPrintable(next->error->message) : "");
    QVERIFY(next->browserStartMs); // a cold start
    QCOMPARE(probe.process->state(), QProcess::Running);
    probe.process->terminate();
    QVERIFY(waitForExit(*probe.process, 15'000));
    QCOMPARE(probe.process->exitCode(), 0);
}

void tst_Serve::chromiumDiesWithItsProbe()
{
    // A probe killed outright cannot close its browser; the browser must not outlive it all the same.
    Probe probe = start({});
    QVERIFY(probe.endpoint.isValid());
    ProtocolPeer peer;
    QVERIFY(peer.open(probe.endpoint) && peer.handshake(token));
    peer.send(RunMessage { QStringLiteral("orphan-maker"), m_web.url(QStringLiteral("/hang")).toString(), {} });
    QVERIFY(isLoading(peer));
    const QList<qint64> chrome = ProcessState::children(probe.process->processId());
    QCOMPARE(chrome.size(), 1);
    ::kill(static_cast<pid_t>(probe.process->processId()), SIGKILL);
    QVERIFY(waitForExit(*probe.process, 10'000));
    QTRY_VERIFY2_WITH_TIMEOUT(!ProcessState::isAlive(chrome.first()), "Chromium outlived its SIGKILLed probe", 10'000);
}

// --dns-server: names are asked of that server, not the system's resolver; a value that is not an address is a
// usage error.
void tst_Serve::dnsServerOption()
{
    QProcess bad;
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("WORLDSPEED_PROBE_TOKEN"), QString::fromLatin1(token));
    bad.setProcessEnvironment(env);
    bad.start(QStringLiteral(WORLDSPEED_PROBE_EXE),
        { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
            QStringLiteral("--dns-server"), QStringLiteral("dns.example.test") });
    QVERIFY(bad.waitForFinished(10'000));
    QCOMPARE(bad.exitCode(), 2);
    QVERIFY(bad.readAllStandardError().contains("--dns-server wants an IP address"));

    TestDnsServer dns; // without a handler every name is NXDOMAIN
    QVERIFY(dns.listen());
    Probe probe = start({ QStringLiteral("--dns-server"), QStringLiteral("127.0.0.1:%1").arg(dns.port()) });
    QVERIFY(probe.endpoint.isValid());
    ProtocolPeer peer;
    QVERIFY(peer.open(probe.endpoint) && peer.handshake(token));
    peer.send(RunMessage { QStringLiteral("dns"), QStringLiteral("http://nowhere.example.test/"), LoadOptions {} });
    QVERIFY(peer.waitForDone(QStringLiteral("dns"), 30'000));
    const DoneMessage *done = doneOf(peer);
    QVERIFY(done && !done->ok);
    QVERIFY2(done->error->message.contains(u"no such name"), qPrintable(done->error->message));
    QVERIFY(dns.questionsFor(QStringLiteral("nowhere.example.test")) > 0);
    probe.process->terminate();
    QVERIFY(waitForExit(*probe.process, 30'000));
}

void tst_Serve::aReaderThatStopsCostsBoundedMemory()
{
    // 40 runs of a page of 1500 requests stream to a client that has stopped reading: the probe drops it once its
    // unsent backlog passes the limit instead of holding it all, and another client's run goes ahead in its turn.
    TestWebServer::Response many;
    many.body = TestWebServer::manyImagesPage(1500);
    m_web.route(QStringLiteral("/many"), many);
    Probe probe = start(
        { QStringLiteral("--max-concurrency"), QStringLiteral("4"), QStringLiteral("--queue"), QStringLiteral("60") });
    QVERIFY(probe.endpoint.isValid());
    const qint64 pid = probe.process->processId();

    // Idle, with its browser started and one such run behind it. A page of 1500 requests under a sanitizer's
    // slowdown, beside another test, may take longer than the default minute even alone: what is tested below is
    // the turn the other client's run gets, not how long a view takes.
    LoadOptions patient;
    patient.timeoutMs = 170'000;
    ProtocolPeer other;
    QVERIFY(other.open(probe.endpoint) && other.handshake(token));
    other.send(RunMessage { QStringLiteral("warm"), m_web.url(QStringLiteral("/many")).toString(), patient });
    QVERIFY(other.waitForDone(QStringLiteral("warm"), 180'000));
    QVERIFY(doneOf(other)->ok);
    QTest::qWait(500);
    const qint64 idleKiB = ProcessState::residentKiB(pid, "VmRSS");
    QVERIFY(idleKiB > 0);

    RawWebSocket sloth;
    QVERIFY(sloth.connectTo(probe.endpoint));
    QCOMPARE(sloth.upgrade(), 101);
    sloth.sendText(FrameCodec().encode(AuthMessage { QString::fromLatin1(token) }));
    sloth.sendText(FrameCodec().encode(HelloMessage {}));
    QTRY_VERIFY(!sloth.texts().isEmpty());
    sloth.stopReading();
    for (int i = 0; i < 40; ++i)
        sloth.sendText(FrameCodec().encode(
            RunMessage { QStringLiteral("s%1").arg(i), m_web.url(QStringLiteral("/many")).toString(), {} }));
    QVERIFY(other.waitFor(
        [](const Message &m) {
            const auto *load = as<LoadMessage>(m);
            return load && load->active == 4 && load->queued > 0;
        },
        30'000));
    other.send(RunMessage { QStringLiteral("mine"), m_web.url(QStringLiteral("/many")).toString(), patient });

    // Its run went to the browser before all of the silent client's had: some of those never reached the page.
    // (Which of them did depends on when the silent client's backlog passed the limit, so only the count is
    // checked: one load of the page for the warm run, one for this one, fewer than forty for the silent client.)
    QVERIFY(other.waitForDone(QStringLiteral("mine"), 180'000));
    const DoneMessage *mine = doneOf(other);
    QVERIFY2(mine->ok, mine->error ? qPrintable(mine->error->message) : "no error given");
    const int pageLoads = m_web.hits(QStringLiteral("/many"));
    qInfo("the page was loaded %d times by the time the other client's run was done", pageLoads);
    QVERIFY2(pageLoads < 1 + 40 + 1, "the other client's run waited behind all of the silent one's");
    // The silent client is cut off (it cannot tell: it reads nothing, not even the reset), its runs cancelled.
    const auto lastLoad = [&other]() -> std::optional<LoadMessage> {
        for (auto it = other.received().crbegin(); it != other.received().crend(); ++it) {
            if (const auto *load = as<LoadMessage>(it->message))
                return *load;
        }
        return std::nullopt;
    };
    QTRY_VERIFY_WITH_TIMEOUT(lastLoad() && lastLoad()->active == 0 && lastLoad()->queued == 0, 300'000);
    const QByteArray log = probe.process->readAllStandardError();
    QVERIFY2(log.contains("dropping client"), log.right(2000).constData());
    const qint64 peakKiB = ProcessState::residentKiB(pid, "VmHWM");
    qInfo("probe RSS: %lld KiB idle, at most %lld KiB with the silent client", idleKiB, peakKiB);
    if (addressSanitized)
        qInfo("the memory bound is not checked under AddressSanitizer (its allocator pads and quarantines)");
    else
        QVERIFY2(
            peakKiB < 2 * idleKiB, qPrintable(QStringLiteral("idle %1 KiB, peak %2 KiB").arg(idleKiB).arg(peakKiB)));
    QVERIFY(!other.isClosed());
    probe.process->terminate();
    QVERIFY(waitForExit(*probe.process, 30'000));
}

QTEST_GUILESS_MAIN(tst_Serve)
#include "tst_serve.moc"
