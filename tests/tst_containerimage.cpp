// The probe's container image, run with podman as a region runs it: the options of packaging/container/run-options
// (read-only root, every capability dropped, the image's seccomp profile), its token as the mounted file its entry
// point looks for, TLS on. A ProbeClient reaches it over wss:// (pinned certificate) and has it measure a page this
// test serves on loopback; meanwhile the browser's processes are looked at from outside: all of them the image's
// user, none started with --no-sandbox, and each renderer in user and PID namespaces of its own under Chrome's
// seccomp filter. Also: the entry point refuses to start without a token, and where Chrome's sandbox cannot work.
//
// Needs root, podman and an image: packaging/container/check-image.sh builds one and runs this test with
// WORLDSPEED_CONTAINER_IMAGE=TAG (CI does, after the packages); without that variable the test is skipped.
#include "containerimage.h"
#include "fleet/probeclient.h"
#include "probeprocess.h"
#include "testwebserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

namespace {

struct Podman
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

// podman in the checkout's root, where run-options' relative seccomp path points.
Podman podman(const QStringList &arguments, int timeoutMs = 120'000)
{
    QProcess process;
    process.setWorkingDirectory(QStringLiteral(WORLDSPEED_SOURCE_DIR));
    process.start(QStringLiteral("podman"), arguments);
    Podman result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "podman did not finish: " + arguments.join(u' ').toUtf8();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.out = process.readAllStandardOutput().trimmed();
    result.err = process.readAllStandardError().trimmed();
    return result;
}

QStringList runOptions()
{
    QFile file(QStringLiteral(WORLDSPEED_SOURCE_DIR "/packaging/container/run-options"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QStringList options;
    for (const QByteArray &line : file.readAll().split('\n')) {
        if (!line.trimmed().isEmpty())
            options << QString::fromUtf8(line.trimmed());
    }
    return options;
}

QByteArray procFile(qint64 pid, const QString &name)
{
    QFile file(QStringLiteral("/proc/%1/%2").arg(pid).arg(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

QByteArray statusField(qint64 pid, const QByteArray &field)
{
    for (const QByteArray &line : procFile(pid, QStringLiteral("status")).split('\n')) {
        if (line.startsWith(QByteArray(field + ':')))
            return line.mid(field.size() + 1).simplified();
    }
    return {};
}

// Every process below `root` (its descendants), from the host's /proc.
QList<qint64> descendantsOf(qint64 root)
{
    QHash<qint64, QList<qint64>> children;
    for (const QString &entry : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs)) {
        bool number = false;
        const qint64 pid = entry.toLongLong(&number);
        if (number)
            children[statusField(pid, "PPid").toLongLong()].append(pid);
    }
    QList<qint64> found;
    QList<qint64> todo { root };
    while (!todo.isEmpty()) {
        const qint64 pid = todo.takeFirst();
        for (const qint64 child : children.value(pid)) {
            found.append(child);
            todo.append(child);
        }
    }
    return found;
}

} // namespace

class TestContainerImage : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void refusesToStartWithoutAToken();
    void refusesToStartWhereTheSandboxCannotWork();
    void measuresAPageAsARegionWould();

private:
    bool makeSecrets();
    void checkBrowserProcesses(int uid);

    QString m_image;
    QString m_name;
    QTemporaryDir m_dir;
    QString m_secrets;
    QString m_token;
    QByteArray m_pin;
};

void TestContainerImage::initTestCase()
{
    m_image = qEnvironmentVariable("WORLDSPEED_CONTAINER_IMAGE");
    if (m_image.isEmpty())
        QSKIP("no WORLDSPEED_CONTAINER_IMAGE: packaging/container/check-image.sh builds an image and runs this test");
    QVERIFY2(::geteuid() == 0, "podman runs the probe's container as root's container here");
    QVERIFY2(podman({ QStringLiteral("image"), QStringLiteral("exists"), m_image }).exitCode == 0, qPrintable(m_image));
    QVERIFY(makeSecrets());
    m_name = QStringLiteral("worldspeed-test-%1").arg(QCoreApplication::applicationPid());
}

void TestContainerImage::cleanupTestCase()
{
    if (!m_name.isEmpty())
        podman(
            { QStringLiteral("rm"), QStringLiteral("--force"), QStringLiteral("--time"), QStringLiteral("5"), m_name });
}

// The region's secrets folder: the token where the entry point looks, and the TLS pair, readable by the image's
// user only, as a Kubernetes Secret volume with fsGroup or a Fly machine file would be.
bool TestContainerImage::makeSecrets()
{
    QString error;
    const ContainerImage image = ContainerImage::fromSources(&error);
    if (!error.isEmpty()) {
        qWarning("%s", qPrintable(error));
        return false;
    }
    m_secrets = m_dir.filePath(QStringLiteral("secrets"));
    QDir().mkpath(m_secrets);
    QByteArray random(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()), random.size() / 4);
    m_token = QString::fromLatin1(random.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    QFile token(QDir(m_secrets).filePath(QFileInfo(image.tokenPath).fileName()));
    if (!token.open(QIODevice::WriteOnly) || token.write(m_token.toLatin1()) != m_token.size())
        return false;
    token.close();
    const QString cert = QDir(m_secrets).filePath(QStringLiteral("tls.crt"));
    const QString key = QDir(m_secrets).filePath(QStringLiteral("tls.key"));
    if (QProcess::execute(QStringLiteral("openssl"),
            { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
                QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"), QStringLiteral("/CN=probe"),
                QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert })
        != 0)
        return false;
    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(cert);
    if (certificates.isEmpty())
        return false;
    m_pin = QCryptographicHash::hash(certificates.first().toDer(), QCryptographicHash::Sha256).toHex();
    for (const QString &file : QDir(m_secrets).entryList(QDir::Files)) {
        const QByteArray path = QDir(m_secrets).filePath(file).toLocal8Bit();
        if (::chown(path.constData(), uid_t(image.uid), gid_t(image.gid)) != 0)
            return false;
        QFile::setPermissions(QString::fromLocal8Bit(path), QFileDevice::ReadOwner);
    }
    QFile::setPermissions(m_dir.path(),
        QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther
            | QFileDevice::ExeOther);
    QFile::setPermissions(
        m_secrets, QFileDevice::ReadOwner | QFileDevice::ExeOwner | QFileDevice::ReadOther | QFileDevice::ExeOther);
    return true;
}

void TestContainerImage::refusesToStartWithoutAToken()
{
    const Podman run = podman(QStringList { QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--network"),
                                  QStringLiteral("host") }
        + runOptions() + QStringList { m_image, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:1") });
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("no token"), run.err.constData());
}

void TestContainerImage::refusesToStartWhereTheSandboxCannotWork()
{
    // podman's own default seccomp profile refuses chroot to a container without CAP_SYS_CHROOT.
    QStringList options = runOptions();
    options.removeIf([](const QString &option) { return option.startsWith(u"--security-opt=seccomp="); });
    const Podman run = podman(
        QStringList { QStringLiteral("run"), QStringLiteral("--rm"), QStringLiteral("--network"),
            QStringLiteral("host"), QStringLiteral("--env"), QStringLiteral("WORLDSPEED_PROBE_TOKEN=%1").arg(m_token) }
        + options + QStringList { m_image, QStringLiteral("--listen"), QStringLiteral("127.0.0.1:1") });
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains("Chrome's sandbox cannot work in this container"), run.err.constData());
}

void TestContainerImage::measuresAPageAsARegionWould()
{
    QString error;
    const ContainerImage image = ContainerImage::fromSources(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    TestWebServer web;
    QVERIFY(web.listen());
    TestWebServer::Response page;
    page.body = "<!doctype html><title>container</title><p>Measured from the container.</p>";
    web.route(QStringLiteral("/"), page);
    // A page that stays loading while its image is held back: its renderer is alive while the processes are looked at.
    TestWebServer::Response slow;
    slow.body = "<!doctype html><title>slow</title><img src=\"/asset?type=image/gif&size=300&delay=3000\">";
    web.route(QStringLiteral("/slow"), slow);
    const quint16 port = ProbeProcess::freePort();
    QVERIFY(port > 0);

    // Cold start: from `podman run` to the probe's hello, then to the first page's result.
    QElapsedTimer clock;
    clock.start();
    const Podman run
        = podman(QStringList { QStringLiteral("run"), QStringLiteral("--detach"), QStringLiteral("--name"), m_name,
                     QStringLiteral("--network"), QStringLiteral("host"), QStringLiteral("--volume"),
                     QStringLiteral("%1:%2:ro").arg(m_secrets, QFileInfo(image.tokenPath).path()) }
            + runOptions()
            + QStringList { m_image, QStringLiteral("--region"), QStringLiteral("ctr"), QStringLiteral("--listen"),
                QStringLiteral("127.0.0.1:%1").arg(port), QStringLiteral("--tls-cert"),
                QStringLiteral("/run/secrets/tls.crt"), QStringLiteral("--tls-key"),
                QStringLiteral("/run/secrets/tls.key"), QStringLiteral("--allow-private-targets") });
    QVERIFY2(run.exitCode == 0, run.err.constData());
    const qint64 startedMs = clock.elapsed();

    ProbeClient::Endpoint endpoint;
    endpoint.url = QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(port));
    endpoint.token = m_token;
    endpoint.pinnedCertificateSha256 = m_pin;
    ProbeClient client;
    QSignalSpy ready(&client, &ProbeClient::ready);
    QVERIFY2(QTest::qWaitFor(
                 [&] {
                     if (client.state() == ProbeClient::State::Disconnected)
                         client.connectToProbe(endpoint);
                     return !ready.isEmpty();
                 },
                 60'000),
        podman({ QStringLiteral("logs"), m_name }).err.constData());
    const qint64 readyMs = clock.elapsed();
    QCOMPARE(ready.at(0).at(0).value<HelloMessage>().region, QStringLiteral("ctr"));

    QSignalSpy metrics(&client, &ProbeClient::metrics);
    QSignalSpy done(&client, &ProbeClient::done);
    QVERIFY(client.submit(ProbeClient::newRunId(), web.url()));
    QVERIFY(done.wait(90'000) || !done.isEmpty());
    const qint64 firstLoadMs = clock.elapsed();
    const auto result = done.at(0).at(1).value<DoneMessage>();
    QVERIFY2(result.ok, result.error ? qPrintable(result.error->message) : "");
    QCOMPARE(web.hits(QStringLiteral("/")), 1);
    // One final frame for the one view; a provisional frame at the load event may come before it.
    QList<MetricsMessage> finals;
    for (const QList<QVariant> &frame : metrics) {
        const auto message = frame.at(2).value<MetricsMessage>();
        if (!message.provisional)
            finals.append(message);
    }
    QCOMPARE(finals.size(), 1);
    QVERIFY(metrics.count() <= 2);
    const PageMetrics measured = finals.at(0).metrics;
    QVERIFY(measured.loadMs.has_value());
    qInfo("cold start: container started %lld ms, probe answered %lld ms, first page measured %lld ms after "
          "`podman run` (browser start %s ms, load event %.0f ms)",
        startedMs, readyMs, firstLoadMs,
        result.browserStartMs ? qPrintable(QString::number(*result.browserStartMs, 'f', 0)) : "(not reported)",
        *measured.loadMs);

    // While a page waits for its held-back image, look at every process the browser made.
    QVERIFY(client.submit(ProbeClient::newRunId(), web.url(QStringLiteral("/slow"))));
    QVERIFY(QTest::qWaitFor([&] { return web.hits(QStringLiteral("/asset")) > 0 || done.count() > 1; }, 60'000));
    checkBrowserProcesses(image.uid);
    QVERIFY(QTest::qWaitFor([&] { return done.count() > 1; }, 60'000));
    QVERIFY(done.at(1).at(1).value<DoneMessage>().ok);

    // The image's own health check, as HEALTHCHECK runs it (the probe answers, a browser starts).
    const Podman health = podman({ QStringLiteral("healthcheck"), QStringLiteral("run"), m_name });
    QVERIFY2(health.exitCode == 0, QByteArray(health.out + health.err).constData());

    client.close();
    const Podman stop = podman({ QStringLiteral("stop"), QStringLiteral("--time"), QStringLiteral("30"), m_name });
    QVERIFY2(stop.exitCode == 0, stop.err.constData());
    const Podman exited = podman(
        { QStringLiteral("inspect"), QStringLiteral("--format"), QStringLiteral("{{.State.ExitCode}}"), m_name });
    QCOMPARE(exited.out, QByteArray("0")); // SIGTERM: runs drained, Chrome closed, exit 0
}

void TestContainerImage::checkBrowserProcesses(int uid)
{
    const Podman inspect
        = podman({ QStringLiteral("inspect"), QStringLiteral("--format"), QStringLiteral("{{.State.Pid}}"), m_name });
    const qint64 init = inspect.out.toLongLong();
    QVERIFY2(init > 0, inspect.err.constData());
    const QList<qint64> processes = descendantsOf(init);
    QVERIFY(!processes.isEmpty());
    qint64 browser = 0;
    QList<qint64> renderers;
    for (const qint64 pid : processes) {
        // Real, effective, saved and file-system uid, as the host sees them.
        const QByteArray uids = statusField(pid, "Uid");
        QVERIFY2(uids == QStringLiteral("%1 %1 %1 %1").arg(uid).toLatin1(),
            qPrintable(QStringLiteral("process %1 runs as %2").arg(pid).arg(QString::fromLatin1(uids))));
        const QByteArray commandLine = procFile(pid, QStringLiteral("cmdline"));
        QVERIFY2(!commandLine.contains("--no-sandbox"), commandLine.constData());
        if (!commandLine.contains("chromium"))
            continue;
        if (!commandLine.contains("--type="))
            browser = pid;
        else if (commandLine.contains("--type=renderer"))
            renderers.append(pid);
    }
    QVERIFY2(browser > 0, "no browser process in the container");
    QVERIFY2(!renderers.isEmpty(), "no renderer while a page loads");
    const QString browserUserNs = QFile::symLinkTarget(QStringLiteral("/proc/%1/ns/user").arg(browser));
    const QString browserPidNs = QFile::symLinkTarget(QStringLiteral("/proc/%1/ns/pid").arg(browser));
    // Chrome's seccomp-bpf filter (layer 2): every process here has the container's filter; a renderer has
    // Chrome's on top of it.
    const int browserFilters = statusField(browser, "Seccomp_filters").toInt();
    for (const qint64 pid : std::as_const(renderers)) {
        // Chrome's namespace sandbox (layer 1): a user and a PID namespace the browser is not in.
        QVERIFY(QFile::symLinkTarget(QStringLiteral("/proc/%1/ns/user").arg(pid)) != browserUserNs);
        QVERIFY(QFile::symLinkTarget(QStringLiteral("/proc/%1/ns/pid").arg(pid)) != browserPidNs);
        QCOMPARE(statusField(pid, "Seccomp"), QByteArray("2"));
        QVERIFY2(statusField(pid, "Seccomp_filters").toInt() > browserFilters,
            qPrintable(QStringLiteral("renderer %1 has %2 seccomp filters, the browser %3")
                           .arg(pid)
                           .arg(QString::fromLatin1(statusField(pid, "Seccomp_filters")))
                           .arg(browserFilters)));
    }
    qInfo("%lld processes in the container, all uid %d, none with --no-sandbox; %lld renderers, each in user and "
          "PID namespaces of its own under Chrome's seccomp filter",
        qint64(processes.size()), uid, qint64(renderers.size()));
}

QTEST_GUILESS_MAIN(TestContainerImage)
#include "tst_containerimage.moc"
