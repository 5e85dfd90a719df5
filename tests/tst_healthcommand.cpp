// `worldspeed-probe health` as a process, against real probes on loopback (plain and TLS), a server that is not a
// probe, no server at all, and a browser that starts or does not.
#include "probeprocess.h"
#include "testwebserver.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString token = QStringLiteral("health-test-token-0123456789");

struct Outcome
{
    int exitCode = -1;
    QString out;
    QString err;
};

Outcome health(const QStringList &arguments)
{
    QProcess process;
    process.start(QStringLiteral(WORLDSPEED_PROBE_EXE), QStringList(QStringLiteral("health")) + arguments);
    Outcome outcome;
    if (!process.waitForFinished(60'000)) {
        process.kill();
        process.waitForFinished();
        outcome.err = QStringLiteral("health did not finish");
        return outcome;
    }
    outcome.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    outcome.out = QString::fromUtf8(process.readAllStandardOutput());
    outcome.err = QString::fromUtf8(process.readAllStandardError());
    return outcome;
}

QString listenOf(const ProbeProcess &probe)
{
    return QStringLiteral("127.0.0.1:%1").arg(probe.endpoint().port());
}

} // namespace

class TestHealthCommand : public QObject
{
    Q_OBJECT

private slots:
    void answersOverPlainWebSocket()
    {
        ProbeProcess probe;
        QVERIFY(probe.start(QStringLiteral(WORLDSPEED_PROBE_EXE), token));
        const Outcome outcome = health({ QStringLiteral("--listen"), listenOf(probe) });
        QCOMPARE(outcome.exitCode, 0);
        QVERIFY2(outcome.out.contains(QStringLiteral("answers on ws://127.0.0.1:")), qPrintable(outcome.out));
    }

    void answersOverTls()
    {
        QTemporaryDir dir;
        const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
        if (openssl.isEmpty())
            QFAIL("the openssl command is not installed (packaging/install-deps.sh installs it)");
        const QString cert = dir.filePath(QStringLiteral("tls.crt"));
        const QString key = dir.filePath(QStringLiteral("tls.key"));
        QCOMPARE(QProcess::execute(openssl,
                     { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
                         QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"),
                         QStringLiteral("-nodes"), QStringLiteral("-days"), QStringLiteral("2"),
                         QStringLiteral("-subj"), QStringLiteral("/CN=probe.example.net"), QStringLiteral("-keyout"),
                         key, QStringLiteral("-out"), cert }),
            0);
        ProbeProcess probe;
        ProbeProcess::Options options;
        options.program = QStringLiteral(WORLDSPEED_PROBE_EXE);
        options.token = token;
        options.listen = QStringLiteral("127.0.0.1:0");
        options.extraArguments = { QStringLiteral("--tls-cert"), cert, QStringLiteral("--tls-key"), key };
        QVERIFY(probe.start(options));
        QCOMPARE(probe.endpoint().scheme(), QStringLiteral("wss"));
        // The certificate names another host: the check is of the probe on this machine, and sends no secret.
        const Outcome outcome = health({ QStringLiteral("--listen"), listenOf(probe) });
        QCOMPARE(outcome.exitCode, 0);
        QVERIFY2(outcome.out.contains(QStringLiteral("answers on wss://127.0.0.1:")), qPrintable(outcome.out));
    }

    void everyAddressIsCheckedOnLoopback()
    {
        ProbeProcess probe;
        ProbeProcess::Options options;
        options.program = QStringLiteral(WORLDSPEED_PROBE_EXE);
        options.token = token;
        const quint16 port = ProbeProcess::freePort();
        options.listen = QStringLiteral("0.0.0.0:%1").arg(port);
        options.extraArguments = { QStringLiteral("--insecure-plaintext") };
        QVERIFY(probe.start(options));
        const Outcome outcome = health({ QStringLiteral("--listen"), QStringLiteral("0.0.0.0:%1").arg(port) });
        QCOMPARE(outcome.exitCode, 0);
        QVERIFY2(
            outcome.out.contains(QStringLiteral("answers on ws://127.0.0.1:%1").arg(port)), qPrintable(outcome.out));
    }

    void nothingListening()
    {
        const quint16 port = ProbeProcess::freePort();
        const Outcome outcome = health({ QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port) });
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(
            outcome.err.contains(QStringLiteral("no probe answers on port %1").arg(port)), qPrintable(outcome.err));
    }

    // A server that accepts connections but is no WebSocket server: a TCP check would pass it.
    void somethingElseListening()
    {
        TestWebServer web;
        QVERIFY(web.listen());
        TestWebServer::Response notAProbe;
        notAProbe.status = 404;
        notAProbe.contentType = "text/plain";
        notAProbe.body = "not a probe";
        web.route(QStringLiteral("/"), notAProbe);
        const Outcome outcome = health({ QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(web.port()),
            QStringLiteral("--timeout"), QStringLiteral("3") });
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.err.contains(QStringLiteral("no probe answers")), qPrintable(outcome.err));
    }

    void browserStarts()
    {
        ProbeProcess probe;
        QVERIFY(probe.start(QStringLiteral(WORLDSPEED_PROBE_EXE), token));
        const Outcome outcome = health({ QStringLiteral("--listen"), listenOf(probe), QStringLiteral("--browser") });
        QVERIFY2(outcome.exitCode == 0, qPrintable(outcome.err));
        QVERIFY2(outcome.out.contains(QStringLiteral(" started")), qPrintable(outcome.out));
    }

    void browserCannotStart()
    {
        ProbeProcess probe;
        QVERIFY(probe.start(QStringLiteral(WORLDSPEED_PROBE_EXE), token));
        const Outcome outcome = health({ QStringLiteral("--listen"), listenOf(probe), QStringLiteral("--browser"),
            QStringLiteral("--chrome"), QStringLiteral("/bin/false") });
        QCOMPARE(outcome.exitCode, 1);
        QVERIFY2(outcome.err.contains(QStringLiteral("the browser cannot start")), qPrintable(outcome.err));
    }

    void badArguments()
    {
        QCOMPARE(health({ QStringLiteral("--listen"), QStringLiteral("probe:8700") }).exitCode, 2);
        QCOMPARE(health({ QStringLiteral("--timeout"), QStringLiteral("0") }).exitCode, 2);
    }
};

QTEST_GUILESS_MAIN(TestHealthCommand)
#include "tst_healthcommand.moc"
