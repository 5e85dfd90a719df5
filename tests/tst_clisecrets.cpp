// worldspeed-cli run takes the test's secrets (basic auth's password, ${secret:NAME} in a header and in a script)
// from the real OS keychain by name — a throwaway gnome-keyring of this test's own (tests/with-keyring.sh) — never
// from its command line, and writes them nowhere: not to its output, the HAR or the history; a secret the keychain
// lacks stops the run with a clear error before any probe is asked. The real binary, the build's probe, real
// Chromium and the test web server, which logs what arrives.
#include "childprocess.h"
#include "fleet/keychainsecretstore.h"
#include "localfleet.h"
#include "testwebserver.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using Outcome = ChildProcess::Outcome;

class tst_CliSecrets : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void missingSecretStopsBeforeAnyProbe();
    void secretsComeFromTheKeychain();

private:
    QTemporaryDir m_dir;
    TestWebServer m_server;
    KeychainSecretStore m_keychain;
};

namespace {

const QByteArray password = "cli-pass-secret-6121";
const QByteArray headerSecret = "cli-header-secret-6122";
const QByteArray scriptSecret = "cli-script-secret-6123";

} // namespace

void tst_CliSecrets::initTestCase()
{
    QVERIFY2(qEnvironmentVariable("WORLDSPEED_THROWAWAY_KEYRING") == u"1", "run through tests/with-keyring.sh");
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_CLI_EXE)).isExecutable());
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    const QByteArray credentials = "Basic " + QByteArray("tester:" + password).toBase64();
    m_server.route(QStringLiteral("/private"), [credentials](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        if (request.headers.value("authorization") != credentials) {
            response.status = 401;
            response.headers = { { "WWW-Authenticate", "Basic realm=\"staging\"" } };
            return response;
        }
        response.body = "<!doctype html><title>private</title><h1>behind the login</h1>"
                        "<form method=post action=/typed><input id=q name=q></form>";
        return response;
    });
    m_server.route(QStringLiteral("/typed"), TestWebServer::Response {});
}

void tst_CliSecrets::missingSecretStopsBeforeAnyProbe()
{
    // A fleet whose probe does not exist: had the CLI asked for a probe, it would fail there (exit 4 or 5) instead.
    const FleetConfig config = localFleetConfig(m_dir.filePath(QStringLiteral("no-such-probe")));
    const QString fleet = m_dir.filePath(QStringLiteral("no-probe-fleet.json"));
    QString error;
    QVERIFY2(config.save(fleet, &error), qPrintable(error));
    const qsizetype before = m_server.requests().size();
    const Outcome o = ChildProcess::run(QStringLiteral(WORLDSPEED_CLI_EXE),
        { QStringLiteral("run"), m_server.url(QStringLiteral("/private")).toString(), QStringLiteral("--fleet"), fleet,
            QStringLiteral("--basic-auth=tester:never-saved") },
        60'000);
    QCOMPARE(o.exitCode, 2);
    QVERIFY2(o.err.contains(u"the secret \"never-saved\" is not in the keychain"), qPrintable(o.err));
    QVERIFY2(o.out.isEmpty(), qPrintable(o.out));
    QCOMPARE(m_server.requests().size(), before);
}

void tst_CliSecrets::secretsComeFromTheKeychain()
{
    // Saved as the app's Test settings panel saves them: the keychain entry named by the secret.
    for (const auto &[name, value] : { std::pair { QStringLiteral("staging"), password },
             std::pair { QStringLiteral("hdr"), headerSecret }, std::pair { QStringLiteral("scr"), scriptSecret } }) {
        QString failure = QStringLiteral("pending");
        m_keychain.write(name, QString::fromUtf8(value), nullptr, [&failure](const QString &e) { failure = e; });
        QTRY_VERIFY_WITH_TIMEOUT(failure != u"pending", 20'000);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
    }
    const FleetConfig config = localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE));
    const QString fleet = m_dir.filePath(QStringLiteral("fleet.json"));
    QString error;
    QVERIFY2(config.save(fleet, &error), qPrintable(error));
    const QString har = m_dir.filePath(QStringLiteral("har"));
    // A script types the third secret into the page's form and sends it, then measures the page: the server gets
    // the secret, no output may.
    const QString script = m_dir.filePath(QStringLiteral("type-secret.wpt"));
    QFile scriptFile(script);
    QVERIFY(scriptFile.open(QIODevice::WriteOnly));
    const QByteArray page = m_server.url(QStringLiteral("/private")).toEncoded();
    scriptFile.write("logData\t0\nnavigate\t" + page + "\nsetValue\tid=q\t${secret:scr}\nsubmitForm\tmethod=post\n"
        + "logData\t1\nnavigate\t" + page + "\n");
    scriptFile.close();
    const QString database = m_dir.filePath(QStringLiteral("history.sqlite"));
    const qsizetype before = m_server.requests().size();
    const Outcome o = ChildProcess::run(QStringLiteral(WORLDSPEED_CLI_EXE),
        { QStringLiteral("run"), QStringLiteral("--script"), script, QStringLiteral("--fleet"), fleet,
            QStringLiteral("--basic-auth=tester:staging"), QStringLiteral("--header=X-Staging-Key: ${secret:hdr}"),
            QStringLiteral("--format"), QStringLiteral("json"), QStringLiteral("--har"), har, QStringLiteral("--save"),
            QStringLiteral("--database"), database },
        180'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err + o.out));
    bool sawPage = false;
    const QByteArray credentials = "Basic " + QByteArray("tester:" + password).toBase64();
    for (const TestWebServer::Request &request : m_server.requests().mid(before)) {
        if (request.path == u"/private" && request.headers.value("authorization") == credentials) {
            sawPage = true;
            QCOMPARE(request.headers.value("x-staging-key"), headerSecret);
        }
    }
    QVERIFY(sawPage);
    bool sawTyped = false;
    for (const TestWebServer::Request &request : m_server.requests().mid(before))
        sawTyped = sawTyped || (request.path == u"/typed" && request.body.contains(QByteArray("q=" + scriptSecret)));
    QVERIFY2(sawTyped, "the script's secret never reached the page");
    const QJsonObject json = QJsonDocument::fromJson(o.out.toUtf8()).object();
    QVERIFY2(!json.isEmpty(), qPrintable(o.out));
    QVERIFY2(o.out.contains(u"•••") && o.out.contains(u"staging"), qPrintable(o.out)); // the header masked
    QFile harFile(har + QStringLiteral("/local.har"));
    QVERIFY(harFile.open(QIODevice::ReadOnly));
    const QByteArray harText = harFile.readAll();
    // The database and, should the CLI have left one, its write-ahead log: the test is in them, the secrets are not.
    QByteArray historyBytes;
    for (const QString &suffix : { QString(), QStringLiteral("-wal") }) {
        QFile file(database + suffix);
        if (file.open(QIODevice::ReadOnly))
            historyBytes += file.readAll();
    }
    QVERIFY(historyBytes.contains(page));
    for (const QByteArray &secret :
        { password, headerSecret, scriptSecret, QByteArray("tester:" + password).toBase64() }) {
        for (const QByteArray &output : { o.out.toUtf8(), o.err.toUtf8(), harText, historyBytes })
            QVERIFY2(!output.contains(secret), secret.constData());
    }
}

QTEST_GUILESS_MAIN(tst_CliSecrets)
#include "tst_clisecrets.moc"
