// Where a guarded page's connections can go: every one passes the probe's EgressProxy, which reaches only what the
// URL policy allows. Real Chromium against the test web server; an "internal" service on another loopback port
// stands for an intranet host and records every byte and datagram it is sent; names come from a DNS server of the
// test's own.
#include "browsertestcase.h"
#include "egressproxy.h"
#include "hostresolver.h"
#include "probeserver.h"
#include "protocolpeer.h"
#include "testdnsserver.h"
#include "testwebserver.h"
#include "urlpolicy.h"

#include <QNetworkDatagram>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUdpSocket>

#include <arpa/inet.h>
#include <memory>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

const QByteArray token = "test-token-0123456789abcdef";

// Every connection and byte it gets, on TCP and UDP (WebRTC's STUN) alike.
class InternalService final : public QObject
{
public:
    bool listen()
    {
        connect(&tcp, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = tcp.nextPendingConnection()) {
                ++connections;
                connect(socket, &QTcpSocket::readyRead, this, [this, socket] { received += socket->readAll(); });
            }
        });
        connect(&udp, &QUdpSocket::readyRead, this, [this] {
            while (udp.hasPendingDatagrams())
                received += udp.receiveDatagram().data();
        });
        return tcp.listen(QHostAddress::LocalHost) && udp.bind(QHostAddress::LocalHost, 0);
    }
    quint16 port() const { return tcp.serverPort(); }

    QTcpServer tcp;
    QUdpSocket udp;
    int connections = 0;
    QByteArray received;
};

TestWebServer::Response script(const QString &body)
{
    return TestWebServer::Response { 200, "text/javascript", body.toUtf8(), 0, 0, {} };
}

} // namespace

class tst_EgressProxy : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void socksConnectsOnlyWhereThePolicyAllows();
    void otherLocalUsersAreTurnedAway();
    void pageReachesNothingInternal();
    void hostNameCapIsReported();
    void dnsRebindingNeverReachesThePrivateAddress();

private:
    std::shared_ptr<UrlPolicy> policy() const;
    RunResult load(const QUrl &url, EgressProxy::Limits limits = {});

    TestWebServer m_web;
    InternalService m_internal;
    TestDnsServer m_dns;
    std::unique_ptr<LoadScheduler> m_scheduler;
};

std::shared_ptr<UrlPolicy> tst_EgressProxy::policy() const
{
    auto policy = std::make_shared<UrlPolicy>(false);
    // The one private place pages may go, as an operator allows a staging server: the test site's port only.
    policy->allowTarget(QStringLiteral("127.0.0.1"), m_web.port());
    for (int i = 0; i < 6; ++i)
        policy->allowTarget(QStringLiteral("h%1.example.test").arg(i), m_web.port());
    auto resolver = HostResolver::create();
    resolver->setNameserver(m_dns.address(), m_dns.port());
    policy->setResolver(resolver);
    return policy;
}

RunResult tst_EgressProxy::load(const QUrl &url, EgressProxy::Limits limits)
{
    PageLoad *load = m_scheduler->submit(url, LoadOptions {});
    load->setUrlPolicy(policy(), limits);
    QSignalSpy finished(load, &PageLoad::finished);
    if (!finished.wait(120'000))
        return {};
    RunResult result = load->result();
    delete load;
    return result;
}

void tst_EgressProxy::initTestCase()
{
    QVERIFY(m_web.listen());
    QVERIFY(m_internal.listen());
    QVERIFY(m_dns.listen());
    m_dns.setHandler([](const QString &) { return std::optional(QList<QHostAddress> { QHostAddress::LocalHost }); });
    const QString internal = QStringLiteral("127.0.0.1:%1").arg(m_internal.port());
    const QString internalByName = QStringLiteral("localhost:%1").arg(m_internal.port());
    // Each way a page, its workers and its service worker can open a connection, aimed at the internal service;
    // each settles (fails) before the page says it is done.
    const QString page
        = QStringLiteral(R"HTML(<!doctype html><title>attack</title>
<script>
const internal = 'http://INTERNAL', byName = 'http://BYNAME';
const tries = [];
const attempt = (make) => tries.push(Promise.resolve().then(make).catch(() => {}));
const socket = (url) => new Promise(done => {
  const ws = new WebSocket(url); ws.onopen = ws.onerror = ws.onclose = done; });
attempt(() => socket('ws://INTERNAL/ws'));
attempt(() => socket('ws://BYNAME/ws'));
attempt(() => fetch(internal + '/fetch', { mode: 'no-cors' }));
attempt(() => fetch(byName + '/fetch', { mode: 'no-cors' }));
attempt(() => new Promise(done => { const i = new Image(); i.onload = i.onerror = done; i.src = internal + '/img'; }));
attempt(() => new Promise(done => {
  const e = new EventSource(internal + '/events'); e.onopen = done; e.onerror = () => { e.close(); done(); }; }));
attempt(() => navigator.sendBeacon(internal + '/beacon', 'x'));
for (const [rel, href] of [['prefetch', internal + '/prefetch'], ['preconnect', byName], ['dns-prefetch', byName]]) {
  const link = document.createElement('link'); link.rel = rel; link.href = href; document.head.appendChild(link);
}
attempt(() => fetch('/to-internal', { mode: 'no-cors' }));
attempt(() => new Promise(done => { const w = new Worker('/worker.js'); w.onmessage = w.onerror = done; }));
attempt(() => navigator.serviceWorker.register('/sw.js').then(registration => new Promise(done => {
  const worker = registration.installing || registration.waiting || registration.active;
  if (!worker || worker.state !== 'installing') return done();
  worker.onstatechange = () => { if (worker.state !== 'installing') done(); };
})));
attempt(async () => {
  const pc = new RTCPeerConnection({ iceServers: [{ urls: 'stun:INTERNAL_UDP' }] });
  pc.createDataChannel('x');
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise(done => {
    pc.onicegatheringstatechange = () => { if (pc.iceGatheringState === 'complete') done(); };
    setTimeout(done, 3000);
  });
});
Promise.all(tries).then(() => fetch('/done'));
</script>
<img src="/asset?type=png&size=100&delay=6000">)HTML")
              .replace(QStringLiteral("INTERNAL_UDP"), QStringLiteral("127.0.0.1:%1").arg(m_internal.udp.localPort()))
              .replace(QStringLiteral("INTERNAL"), internal)
              .replace(QStringLiteral("BYNAME"), internalByName);
    m_web.route(QStringLiteral("/attack"), TestWebServer::Response { 200, "text/html", page.toUtf8(), 0, 0, {} });
    m_web.route(QStringLiteral("/worker.js"),
        script(
            QStringLiteral("Promise.allSettled([fetch('http://%1/worker', { mode: 'no-cors' }), fetch('/worker-ran'),"
                           " new Promise(done => { const ws = new WebSocket('ws://%1/worker-ws');"
                           " ws.onopen = ws.onerror = ws.onclose = done; })]).then(() => postMessage('done'));")
                .arg(internal)));
    m_web.route(QStringLiteral("/sw.js"),
        script(QStringLiteral("self.addEventListener('install', event => event.waitUntil(Promise.allSettled(["
                              "fetch('http://%1/service-worker', { mode: 'no-cors' }),"
                              "fetch('http://%2/service-worker', { mode: 'no-cors' }), fetch('/sw-ran')])));")
                   .arg(internal, internalByName)));
    m_web.route(QStringLiteral("/to-internal"),
        TestWebServer::Response {
            302, {}, {}, 0, 0, { { "Location", "http://" + internal.toLatin1() + "/redirected" } } });
    for (const char *path : { "/done", "/worker-ran", "/sw-ran" })
        m_web.route(QString::fromLatin1(path), TestWebServer::Response { 200, "text/plain", "ok", 0, 0, {} });
    QString hosts;
    for (int i = 0; i < 6; ++i)
        hosts += QStringLiteral("<img src=\"http://h%1.example.test:%2/asset?type=png&size=10&n=%1\">")
                     .arg(i)
                     .arg(m_web.port());
    m_web.route(QStringLiteral("/many-hosts"), TestWebServer::Response { 200, "text/html", hosts.toUtf8(), 0, 0, {} });

    LoadScheduler::Options options;
    options.chrome = BrowserTest::chromeOptions();
    options.chrome.extraArguments += EgressProxy::browserArguments();
    m_scheduler = std::make_unique<LoadScheduler>(options);
}

// The proxy itself, spoken to byte by byte: a connection to the allowed site goes through; one to the internal
// service is refused before anything is sent to it.
void tst_EgressProxy::socksConnectsOnlyWhereThePolicyAllows()
{
    EgressProxy proxy(policy(), {});
    QString error;
    QVERIFY2(proxy.listen(&error), qPrintable(error));
    QSignalSpy refused(&proxy, &EgressProxy::refused);
    // The proxy runs on this thread's event loop, so the client waits on it too, never blocking it.
    const auto connectThrough = [&](quint16 port, QByteArray *reply) {
        QTcpSocket client;
        client.connectToHost(QHostAddress::LocalHost, proxy.port());
        if (!QTest::qWaitFor([&] { return client.state() == QAbstractSocket::ConnectedState; }, 5000))
            return false;
        client.write(QByteArray::fromHex("050100"));
        // CONNECT to the name "127.0.0.1" (a domain name, as Chromium sends every host) and the port.
        client.write(QByteArray::fromHex("05010003") + char(9) + "127.0.0.1" + char(port >> 8) + char(port & 0xff));
        client.write("GET /asset?size=5 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        // Both answers end with the connection closing: the server's after its response, ours after a refusal.
        const bool closed = QTest::qWaitFor(
            [&] {
                *reply += client.readAll();
                return client.state() == QAbstractSocket::UnconnectedState;
            },
            10'000);
        *reply += client.readAll();
        return closed;
    };
    QByteArray allowed;
    QVERIFY2(connectThrough(m_web.port(), &allowed), allowed.toHex().constData());
    QCOMPARE(allowed.left(2).toHex(), QByteArray("0500")); // method chosen: no authentication
    QCOMPARE(allowed.mid(2, 2).toHex(), QByteArray("0500")); // request granted
    QVERIFY2(allowed.contains("HTTP/1.1 200"), allowed.constData());

    QByteArray internal;
    QVERIFY(connectThrough(m_internal.port(), &internal));
    QCOMPARE(internal.mid(2, 2).toHex(), QByteArray("0502")); // not allowed by the rule set
    QVERIFY(!internal.contains("HTTP"));
    QCOMPARE(refused.size(), 1);
    QVERIFY2(refused.first().at(1).toString().contains(u"loopback"), qPrintable(refused.first().at(1).toString()));
    QCOMPARE(m_internal.connections, 0);
    QCOMPARE(proxy.warnings().size(), 1);
}

void tst_EgressProxy::otherLocalUsersAreTurnedAway()
{
    // 127.0.0.1 is every local user's. A process of another user that finds the proxy's port gets nothing: not the
    // SOCKS greeting's answer, let alone a tunnel. (Our own user's connections are answered: the test above.)
    if (::geteuid() != 0)
        QSKIP("needs root, to run a client as another user");
    EgressProxy proxy(policy(), {});
    QString error;
    QVERIFY2(proxy.listen(&error), qPrintable(error));
    const quint16 port = proxy.port();
    int pipeFds[2];
    QVERIFY(::pipe(pipeFds) == 0);
    const pid_t child = ::fork();
    if (child == 0) {
        ::close(pipeFds[0]);
        constexpr uid_t nobody = 65534;
        if (::setgid(nobody) != 0 || ::setuid(nobody) != 0)
            ::_exit(100);
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address {};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0)
            ::_exit(101);
        const char greeting[] = { 5, 1, 0 };
        if (::write(fd, greeting, sizeof greeting) != sizeof greeting)
            ::_exit(102);
        char reply[16];
        const ssize_t got = ::read(fd, reply, sizeof reply); // 0 or -1 once the proxy closed without a word
        const char answered = got > 0 ? 1 : 0;
        (void)!::write(pipeFds[1], &answered, 1);
        ::_exit(0);
    }
    ::close(pipeFds[1]);
    int status = 0;
    QVERIFY(QTest::qWaitFor([&] { return ::waitpid(child, &status, WNOHANG) == child; }, 10'000));
    QVERIFY(WIFEXITED(status));
    QCOMPARE(WEXITSTATUS(status), 0);
    char answered = 1;
    QCOMPARE(::read(pipeFds[0], &answered, 1), ssize_t(1));
    ::close(pipeFds[0]);
    QCOMPARE(answered, char(0));
    QCOMPARE(proxy.strangersTurnedAway(), 1);
    QCOMPARE(proxy.tunnelCount(), 0);
}

void tst_EgressProxy::pageReachesNothingInternal()
{
    const RunResult result = load(m_web.url(QStringLiteral("/attack")));
    QVERIFY2(result.ok(), qPrintable(BrowserTest::errorText(result)));
    QTest::qWait(500); // a late beacon or datagram would show here
    QCOMPARE(m_internal.connections, 0);
    QCOMPARE(m_internal.received, QByteArray());
    // The attempts ran to their end, the workers' allowed requests went out: the test is not vacuous.
    QCOMPARE(m_web.hits(QStringLiteral("/done")), 1);
    QVERIFY(m_web.hits(QStringLiteral("/worker-ran")) >= 1);
    QVERIFY(m_web.hits(QStringLiteral("/sw-ran")) >= 1);
    // What only the proxy saw (WebSockets, the service worker's requests) is in the result.
    const QString warnings = result.firstView.warnings.join(u'\n');
    QVERIFY2(warnings.contains(QStringLiteral("127.0.0.1:%1").arg(m_internal.port())), qPrintable(warnings));
}

void tst_EgressProxy::hostNameCapIsReported()
{
    EgressProxy::Limits limits;
    limits.maxHostNames = 3;
    const int namesBefore = m_dns.nameCount();
    const RunResult result = load(m_web.url(QStringLiteral("/many-hosts")), limits);
    QVERIFY2(result.ok(), qPrintable(BrowserTest::errorText(result)));
    QCOMPARE(m_dns.nameCount() - namesBefore, 3);
    int served = 0;
    for (const RequestTiming &request : result.firstView.requests) {
        if (request.url.contains(u".example.test") && request.status == 200)
            ++served;
    }
    QCOMPARE(served, 3);
    const QString warnings = result.firstView.warnings.join(u'\n');
    QVERIFY2(warnings.contains(u"more than 3 host names: 3 more were not looked up"), qPrintable(warnings));
}

// A name that answers a public address to the first question and this machine's address to every later one: the
// run's check sees the public one, the load's connection would see loopback. The probe never connects there.
void tst_EgressProxy::dnsRebindingNeverReachesThePrivateAddress()
{
    auto answered = std::make_shared<int>(0);
    m_dns.setHandler([answered](const QString &name) -> std::optional<QList<QHostAddress>> {
        if (name != u"rebind.example.test")
            return std::nullopt;
        return QList<QHostAddress> { (*answered)++ == 0 ? QHostAddress(QStringLiteral("203.0.113.7"))
                                                        : QHostAddress(QHostAddress::LocalHost) };
    });
    ProbeServer::Options options;
    options.token = token;
    options.region = QStringLiteral("test");
    options.policy = policy();
    options.chrome = BrowserTest::chromeOptions();
    ProbeServer server(options);
    QString error;
    QVERIFY2(server.listen(&error), qPrintable(error));
    ProtocolPeer peer;
    QVERIFY(peer.open(server.endpoint()) && peer.handshake(token));
    const QString url = QStringLiteral("http://rebind.example.test:%1/secret").arg(m_internal.port());
    peer.send(RunMessage { QStringLiteral("rebind"), url, LoadOptions {} });
    QVERIFY(peer.waitForDone(QStringLiteral("rebind"), 60'000));
    const DoneMessage *done = nullptr;
    for (const auto &received : peer.received()) {
        if (const auto *d = as<DoneMessage>(received.message))
            done = d;
    }
    QVERIFY(done && !done->ok);
    QCOMPARE(done->error->kind, LoadError::Kind::Refused);
    QVERIFY2(done->error->message.contains(u"loopback"), qPrintable(done->error->message));
    QVERIFY(*answered >= 2); // the flip was asked for: the first answer was not the only one
    QTest::qWait(500);
    QCOMPARE(m_internal.connections, 0);
    QCOMPARE(m_internal.received, QByteArray());
}

QTEST_GUILESS_MAIN(tst_EgressProxy)
#include "tst_egressproxy.moc"
