// LocalBackend with real worldspeed-probe processes (and, for one run, real Chromium).
#include "fleet/localbackend.h"
#include "fleet/probeclient.h"
#include "processstate.h"
#include "testwebserver.h"

#include <QFile>
#include <QSignalSpy>
#include <QTest>

#include <csignal>

namespace {

LocalBackend::Settings settings()
{
    LocalBackend::Settings s;
    s.probePath = QStringLiteral(WORLDSPEED_PROBE_EXE);
    s.region = QStringLiteral("here");
    s.parentGraceSeconds = 2;
    s.chromeArguments << QStringLiteral("--disable-quic");
    return s;
}

} // namespace

class tst_LocalBackend : public QObject
{
    Q_OBJECT

private slots:
    void bootsConnectsRunsAndStops();
    void tokenIsNotOnTheCommandLine();
    void probeKilledIsLost();
    void probeStopsItselfWhenItsParentIsGone();
    void missingProbeFailsClearly();
    void destroyingTheBackendLeavesNoProcess();
};

void tst_LocalBackend::bootsConnectsRunsAndStops()
{
    TestWebServer web;
    QVERIFY(web.listen());
    LocalBackend backend(settings());
    QSignalSpy booted(&backend, &Backend::booted);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(20'000));
    const auto endpoint = booted.first().at(1).value<ProbeClient::Endpoint>();
    QCOMPARE(endpoint.url.scheme(), QStringLiteral("ws"));
    QCOMPARE(endpoint.url.host(), QStringLiteral("127.0.0.1"));
    QVERIFY(endpoint.url.port() > 0);
    QVERIFY(endpoint.token.size() >= 32);

    ProbeClient client;
    QSignalSpy ready(&client, &ProbeClient::ready);
    client.connectToProbe(endpoint);
    QVERIFY(ready.wait(10'000));
    QCOMPARE(ready.first().first().value<HelloMessage>().region, QStringLiteral("here"));
    QSignalSpy done(&client, &ProbeClient::done);
    QVERIFY(client.submit(QStringLiteral("run-1"), web.url(QStringLiteral("/asset?type=text/html&size=20")), {}));
    QVERIFY(done.wait(60'000));
    QVERIFY(done.first().at(1).value<DoneMessage>().ok);

    const qint64 pid = backend.processId(QStringLiteral("r1"));
    QVERIFY(pid > 0);
    QSignalSpy lost(&backend, &Backend::lost);
    backend.stop(QStringLiteral("r1"));
    QTRY_VERIFY_WITH_TIMEOUT(!ProcessState::isAlive(pid), 20'000); // exited and reaped: no zombie
    QCOMPARE(lost.count(), 0); // asked to stop: not "lost"
}

void tst_LocalBackend::tokenIsNotOnTheCommandLine()
{
    LocalBackend backend(settings());
    QSignalSpy booted(&backend, &Backend::booted);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(20'000));
    const QString token = booted.first().at(1).value<ProbeClient::Endpoint>().token;
    QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(backend.processId(QStringLiteral("r1"))));
    QVERIFY(cmdline.open(QIODevice::ReadOnly));
    const QByteArray arguments = cmdline.readAll();
    QVERIFY(arguments.contains("serve"));
    QVERIFY(!arguments.contains(token.toLatin1()));
    // Two runners, two tokens.
    backend.boot(QStringLiteral("r2"));
    QVERIFY(booted.wait(20'000));
    QVERIFY(booted.at(1).at(1).value<ProbeClient::Endpoint>().token != token);
}

void tst_LocalBackend::probeKilledIsLost()
{
    LocalBackend backend(settings());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy lost(&backend, &Backend::lost);
    backend.boot(QStringLiteral("victim"));
    QVERIFY(booted.wait(20'000));
    ::kill(static_cast<pid_t>(backend.processId(QStringLiteral("victim"))), SIGKILL);
    QVERIFY(lost.wait(10'000));
    QCOMPARE(lost.first().first().toString(), QStringLiteral("victim"));
    QVERIFY(!lost.first().at(1).toString().isEmpty());
}

void tst_LocalBackend::probeStopsItselfWhenItsParentIsGone()
{
    LocalBackend backend(settings());
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy lost(&backend, &Backend::lost);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(20'000));
    const qint64 pid = backend.processId(QStringLiteral("r1"));
    {
        ProbeClient parent;
        QSignalSpy ready(&parent, &ProbeClient::ready);
        parent.connectToProbe(booted.first().at(1).value<ProbeClient::Endpoint>());
        QVERIFY(ready.wait(10'000));
    } // the pool's connection is gone and nobody calls stop(): as after a crash of the app
    QElapsedTimer clock;
    clock.start();
    QVERIFY(lost.wait(15'000)); // the process ended by itself
    qInfo("the orphaned probe exited %lld ms after its parent left (grace 2 s)", clock.elapsed());
    QTRY_VERIFY_WITH_TIMEOUT(!ProcessState::isAlive(pid), 5000);
}

void tst_LocalBackend::missingProbeFailsClearly()
{
    LocalBackend::Settings s = settings();
    s.probePath = QStringLiteral("/nonexistent/worldspeed-probe");
    LocalBackend backend(s);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(5000));
    QVERIFY(failed.first().at(1).toString().contains(u"/nonexistent/worldspeed-probe"));
}

void tst_LocalBackend::destroyingTheBackendLeavesNoProcess()
{
    QList<qint64> pids;
    {
        LocalBackend backend(settings());
        QSignalSpy booted(&backend, &Backend::booted);
        backend.boot(QStringLiteral("a"));
        backend.boot(QStringLiteral("b"));
        QTRY_COMPARE_WITH_TIMEOUT(booted.count(), 2, 20'000);
        pids << backend.processId(QStringLiteral("a")) << backend.processId(QStringLiteral("b"));
    }
    for (qint64 pid : pids)
        QVERIFY2(!ProcessState::isAlive(pid), qPrintable(QString::number(pid)));
}

QTEST_GUILESS_MAIN(tst_LocalBackend)
#include "tst_localbackend.moc"
