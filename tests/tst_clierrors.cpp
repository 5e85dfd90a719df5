// `worldspeed-cli` and bad input: arguments it refuses, a region that fails, and fleet files it cannot use, each
// with a clear message and its exit code.
//
// The real binary, a fleet file of one local region (real worldspeed-probe, real Chromium), the test web server
// (CliFixture), a history database of the test's own.

#include "appsettings.h"
#include "clifixture.h"
#include "csvexporter.h"
#include "fleet/fleetconfig.h"
#include "historystore.h"
#include "strictcsv.h"
#include "testwebserver.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class tst_CliErrors : public QObject, private CliFixture
{
    Q_OBJECT

private slots:
    void initTestCase();
    void badArguments_data();
    void badArguments();
    void regionFailure();
    void fleetProblems_data();
    void fleetProblems();
};

void tst_CliErrors::initTestCase()
{
    setUpCli();
}

void tst_CliErrors::badArguments_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::addColumn<bool>("withUsage");

    const QString url = m_server.url(QStringLiteral("/page")).toString();
    const QStringList fleet { QStringLiteral("--fleet"), m_fleetPath };
    QTest::newRow("no command") << QStringList {} << QStringLiteral("worldspeed-cli: no command given") << true;
    QTest::newRow("unknown command") << QStringList { QStringLiteral("measure") }
                                     << QStringLiteral("worldspeed-cli: unknown command \"measure\"") << true;
    QTest::newRow("unknown option") << QStringList { QStringLiteral("run"), QStringLiteral("--frobnicate"), url }
                                    << QStringLiteral("worldspeed-cli run: Unknown option 'frobnicate'") << true;
    QTest::newRow("no url") << QStringList { QStringLiteral("run") } + fleet
                            << QStringLiteral("worldspeed-cli run: give exactly one URL") << true;
    QTest::newRow("not http") << QStringList { QStringLiteral("run"), QStringLiteral("ftp://example.com/") } + fleet
                              << QStringLiteral("Only http:// and https://") << true;
    QTest::newRow("bad budget") << QStringList { QStringLiteral("run"), url, QStringLiteral("--budget"),
        QStringLiteral("load=fast") }
            + fleet << QStringLiteral("worldspeed-cli run: --budget: budget item \"load=fast\": \"fast\" is not a time")
                                << true;
    QTest::newRow("bad format") << QStringList { QStringLiteral("run"), url, QStringLiteral("--format"),
        QStringLiteral("xml") }
            + fleet << QStringLiteral("worldspeed-cli run: unknown format \"xml\" (one of table, json, csv)")
                                << true;
    QTest::newRow("unknown region") << QStringList { QStringLiteral("run"), url, QStringLiteral("--regions"),
        QStringLiteral("local,mars") }
            + fleet << QStringLiteral("worldspeed-cli run: unknown region \"mars\"; the fleet has local")
                                    << true;
    QTest::newRow("bad runs") << QStringList { QStringLiteral("run"), url, QStringLiteral("--runs"),
        QStringLiteral("0") }
            + fleet << QStringLiteral("--runs must be a whole number from 1 to 100")
                              << true;
    QTest::newRow("bad profile") << QStringList { QStringLiteral("run"), url, QStringLiteral("--profile"),
        QStringLiteral("5G") }
            + fleet << QStringLiteral("unknown profile \"5G\"")
                                 << true;
    QTest::newRow("database without save") << QStringList { QStringLiteral("run"), url, QStringLiteral("--database"),
        m_dir.filePath(QStringLiteral("x.sqlite")) }
            + fleet << QStringLiteral("worldspeed-cli run: --database is where --save keeps the test")
                                           << true;
    QTest::newRow("pdf without a file") << QStringList { QStringLiteral("run"), url, QStringLiteral("--pdf"),
        QString() }
            + fleet << QStringLiteral("worldspeed-cli run: --pdf needs a file")
                                        << true;
    QTest::newRow("history bad format") << QStringList { QStringLiteral("history"), QStringLiteral("--format"),
        QStringLiteral("xml") } << QStringLiteral("worldspeed-cli history: unknown format \"xml\"")
                                        << true;
    QTest::newRow("export without output") << QStringList { QStringLiteral("export"), QStringLiteral("1") }
                                           << QStringLiteral("worldspeed-cli export: --output DIR is required") << true;
    QTest::newRow("export bad id") << QStringList { QStringLiteral("export"), QStringLiteral("abc"),
        QStringLiteral("--output"), m_dir.path() }
                                   << QStringLiteral("worldspeed-cli export: \"abc\" is not a test id") << true;
}

void tst_CliErrors::badArguments()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QFETCH(bool, withUsage);
    const Outcome o = cli(arguments, 30'000);
    QVERIFY2(o.exitCode == 2, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(o.err.startsWith(message) || o.err.contains(message), qPrintable(o.err));
    QCOMPARE(o.err.contains(u"Usage: worldspeed-cli"), withUsage);
    QVERIFY2(o.out.isEmpty(), qPrintable(o.out));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("r.pdf"))));
}

void tst_CliErrors::regionFailure()
{
    quint16 closedPort = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost));
        closedPort = probe.serverPort();
    }
    const Outcome o = cli({ QStringLiteral("run"), QStringLiteral("http://127.0.0.1:%1/").arg(closedPort),
        QStringLiteral("--fleet"), m_fleetPath, QStringLiteral("--format"), QStringLiteral("json"),
        QStringLiteral("--budget"), QStringLiteral("load=60s") });
    QVERIFY2(o.exitCode == 4, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(o.err.contains(u"worldspeed-cli: local run 1: connection-failed: "), qPrintable(o.err));
    QVERIFY2(o.err.contains(u"budget exceeded in local: load not observed (limit 60000 ms)"), qPrintable(o.err));
    const QJsonObject region = QJsonDocument::fromJson(o.out.toUtf8())
                                   .object()
                                   .value(QStringLiteral("regions"))
                                   .toArray()
                                   .first()
                                   .toObject();
    QCOMPARE(region.value(QStringLiteral("ok")).toBool(), false);
    QCOMPARE(region.value(QStringLiteral("error")).toObject().value(QStringLiteral("kind")).toString(),
        QStringLiteral("connection-failed"));
    QVERIFY(region.value(QStringLiteral("median")).isNull());
    QVERIFY(
        region.value(QStringLiteral("budget")).toArray().first().toObject().value(QStringLiteral("actual")).isNull());
}

void tst_CliErrors::fleetProblems_data()
{
    QTest::addColumn<QString>("fleetFile");
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("message");

    QTest::newRow("missing") << m_dir.filePath(QStringLiteral("nope.json")) << QByteArray()
                             << QStringLiteral("cannot read the fleet config");
    QTest::newRow("invalid")
        << m_dir.filePath(QStringLiteral("bad.json"))
        << QByteArray(
               R"({"version":1,"regions":[{"code":"x","latitude":91,"longitude":0,"backend":{"type":"local"}}]})")
        << QStringLiteral("regions[0].latitude: 91 is outside -90");
    QTest::newRow("backend settings")
        << m_dir.filePath(QStringLiteral("backend.json"))
        << QByteArray(
               R"({"version":1,"regions":[{"code":"x","latitude":1,"longitude":0,"backend":{"type":"local","parentGraceSeconds":0}}]})")
        << QStringLiteral("the fleet could not be set up: regions[0] (x).backend: parentGraceSeconds");
}

void tst_CliErrors::fleetProblems()
{
    QFETCH(QString, fleetFile);
    QFETCH(QByteArray, content);
    QFETCH(QString, message);
    if (!content.isEmpty()) {
        QFile file(fleetFile);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    const Outcome o = cli({ QStringLiteral("run"), m_server.url(QStringLiteral("/page")).toString(),
                              QStringLiteral("--fleet"), fleetFile },
        30'000);
    QVERIFY2(o.exitCode == 5, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    QVERIFY2(o.err.startsWith(u"worldspeed-cli: ") && o.err.contains(message), qPrintable(o.err));
    QVERIFY(o.out.isEmpty());
}

QTEST_GUILESS_MAIN(tst_CliErrors)
#include "tst_clierrors.moc"
