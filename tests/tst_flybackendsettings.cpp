// FlyBackend's settings and what they make: the settings JSON, each machine's own token and a config as the
// container image expects, secrets that are missing (or never logged), and no plaintext off loopback.
//
// The fake (tests/support/flyfixture) follows the documented Machines API; it is NOT the real service, which these
// tests never contact. A "started" machine is a real worldspeed-probe on loopback, started with the token its create
// request carried and reached through the endpoint the backend returns.

#include "containerimage.h"
#include "fakeapiserver.h"
#include "fleet/flybackend.h"
#include "fleet/probeclient.h"
#include "flyfixture.h"
#include "probeprocess.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTest>
#include <QUrlQuery>

#include <functional>
#include <memory>

using namespace FakeFly;

namespace {

QStringList capturedLog;
QtMessageHandler previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    capturedLog.append(message);
    if (previousHandler)
        previousHandler(type, context, message);
}

} // namespace

class tst_FlyBackendSettings : public QObject, private FlyFixture
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void settingsFromJson_data();
    void settingsFromJson();
    void missingSecretsFail_data();
    void missingSecretsFail();
    void tokensAreNeverLogged();
    void eachMachineGetsItsOwnToken();
    void machinesMatchTheContainerImage();
    void plaintextOffLoopbackIsRefused_data();
    void plaintextOffLoopbackIsRefused();
    void plaintextApiIsNotUsed();
};

void tst_FlyBackendSettings::init()
{
    QVERIFY(startApi());
}

void tst_FlyBackendSettings::cleanup()
{
    stopApi();
}

void tst_FlyBackendSettings::settingsFromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid

    const QByteArray minimal = R"("app": "ws-app", "region": "fra", "image": "registry.fly.io/p:1",
        "tokenSecret": "fly-token")";
    QTest::newRow("minimal") << QByteArray("{" + minimal + "}") << QString();
    QTest::newRow("everything") << QByteArray(
        "{" + minimal + R"(, "apiBase": "https://api.machines.dev", "cpuKind": "performance",
        "cpus": 2, "memoryMb": 2048, "parentGraceSeconds": 30, "idleShutdownSeconds": 0,
        "endpointTemplate": "wss://{app}.fly.dev/", "port": 9000, "bootTimeoutSeconds": 90, "maxRetries": 3})")
                                << QString();
    QTest::newRow("no app") << QByteArray(R"({"region": "fra", "image": "i", "tokenSecret": "a"})")
                            << QStringLiteral("app: is required");
    QTest::newRow("bad app") << QByteArray(
        R"({"app": "Not An App", "region": "fra", "image": "i", "tokenSecret": "a"})")
                             << QStringLiteral("app: ");
    QTest::newRow("no image") << QByteArray(R"({"app": "a", "region": "fra", "tokenSecret": "a"})")
                              << QStringLiteral("image: is required");
    QTest::newRow("no token secret") << QByteArray(R"({"app": "a", "region": "fra", "image": "i"})")
                                     << QStringLiteral("tokenSecret: is required");
    QTest::newRow("bad region") << QByteArray("{" + QByteArray(minimal).replace("\"fra\"", "\"f r a\"") + "}")
                                << QStringLiteral("region: ");
    QTest::newRow("cpu kind") << QByteArray("{" + minimal + R"(, "cpuKind": "gpu"})") << QStringLiteral("cpuKind: ");
    QTest::newRow("cpus text") << QByteArray("{" + minimal + R"(, "cpus": "two"})")
                               << QStringLiteral("cpus: expected an integer");
    QTest::newRow("memory") << QByteArray("{" + minimal + R"(, "memoryMb": 16})") << QStringLiteral("memoryMb: ");
    QTest::newRow("no parent grace") << QByteArray("{" + minimal + R"(, "parentGraceSeconds": 0})")
                                     << QStringLiteral("parentGraceSeconds: ");
    QTest::newRow("endpoint") << QByteArray("{" + minimal + R"(, "endpointTemplate": "https://{app}.fly.dev"})")
                              << QStringLiteral("endpointTemplate: ");
    QTest::newRow("api base") << QByteArray("{" + minimal + R"(, "apiBase": "ftp://x"})")
                              << QStringLiteral("apiBase: ");
    QTest::newRow("typo") << QByteArray("{" + minimal + R"(, "memoryMB": 2048})")
                          << QStringLiteral("memoryMB: is not a Fly backend setting");
    // One token for every machine is gone: each gets its own.
    QTest::newRow("shared probe token") << QByteArray("{" + minimal + R"(, "probeTokenSecret": "probe-fra"})")
                                        << QStringLiteral("probeTokenSecret: is no longer used");
}

void tst_FlyBackendSettings::settingsFromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QJsonParseError parseError;
    const QJsonObject object = QJsonDocument::fromJson(json, &parseError).object();
    QCOMPARE(parseError.error, QJsonParseError::NoError);
    QString why;
    const auto parsed = FlyBackend::Settings::fromJson(object, &why);
    if (error.isEmpty()) {
        QVERIFY2(parsed, qPrintable(why));
        QCOMPARE(parsed->app, QStringLiteral("ws-app"));
        QCOMPARE(parsed->endpointFor(QStringLiteral("m9")).host(), QStringLiteral("ws-app.fly.dev"));
        if (object.contains(QStringLiteral("cpus"))) {
            QCOMPARE(parsed->cpus, 2);
            QCOMPARE(parsed->cpuKind, QStringLiteral("performance"));
            QCOMPARE(parsed->bootTimeoutMs, 90'000);
            QCOMPARE(parsed->idleShutdownSeconds, 0);
        } else {
            QCOMPARE(parsed->cpuKind, QStringLiteral("shared"));
            QCOMPARE(parsed->apiBase, QUrl(QStringLiteral("https://api.machines.dev")));
            QCOMPARE(parsed->endpointFor(QStringLiteral("m9")), QUrl(QStringLiteral("wss://ws-app.fly.dev")));
        }
        return;
    }
    QVERIFY(!parsed);
    QVERIFY2(why.startsWith(error), qPrintable(why));
}

void tst_FlyBackendSettings::missingSecretsFail_data()
{
    QTest::addColumn<QString>("removeKey");
    QTest::addColumn<QString>("storeFailure");
    QTest::addColumn<QString>("reason");
    QTest::newRow("no api token") << QStringLiteral("fly-token") << QString()
                                  << QStringLiteral(
                                         "no Fly API token: the secret store holds nothing under \"fly-token\"");
    QTest::newRow("store locked")
        << QString() << QStringLiteral("the keychain is locked")
        << QStringLiteral("cannot read the Fly API token \"fly-token\" from the secret store: the keychain is locked");
}

void tst_FlyBackendSettings::missingSecretsFail()
{
    QFETCH(QString, removeKey);
    QFETCH(QString, storeFailure);
    QFETCH(QString, reason);
    scriptMachine();
    m_secrets.secrets.remove(removeKey);
    m_secrets.failure = storeFailure;
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootRefused); // waiting would not help: the pool does not retry
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(5'000));
    QCOMPARE(failed.at(0).at(1).toString(), reason);
    QCOMPARE(m_api->requests().size(), 0);
}

void tst_FlyBackendSettings::tokensAreNeverLogged()
{
    // An API that quotes the request back, both tokens included, the machine's also as the file carried it.
    auto machineTokens = std::make_shared<QStringList>();
    m_api->setHandler([machineTokens](const FakeApiServer::Request &request) {
        machineTokens->append(machineToken(request.json()));
        return error(400,
            QStringLiteral("invalid file with %1 (%2) for key %3")
                .arg(machineTokens->last(), QString::fromLatin1(machineTokens->last().toUtf8().toBase64()),
                    QString::fromLatin1(request.headers.value("authorization").mid(7))));
    });
    capturedLog.clear();
    previousHandler = qInstallMessageHandler(captureMessage);
    const auto restore = qScopeGuard([] { qInstallMessageHandler(previousHandler); });
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(10'000));
    QCOMPARE(machineTokens->size(), 1);
    const QString probeToken = machineTokens->first();
    QCOMPARE(probeToken.size(), 43);
    const QString reason = failed.at(0).at(1).toString();
    QCOMPARE(reason,
        QStringLiteral(
            "Fly refused to create a machine in fra: invalid file with [redacted] ([redacted]) for key [redacted]"));
    QVERIFY(!capturedLog.isEmpty());
    for (const QString &line : std::as_const(capturedLog)) {
        QVERIFY2(!line.contains(apiToken) && !line.contains(probeToken)
                && !line.contains(QString::fromLatin1(probeToken.toUtf8().toBase64())),
            qPrintable(line));
    }
}

void tst_FlyBackendSettings::eachMachineGetsItsOwnToken()
{
    scriptMachine();
    FlyBackend backend(settings(), &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    backend.boot(QStringLiteral("r1"));
    backend.boot(QStringLiteral("r2"));
    QTRY_COMPARE_WITH_TIMEOUT(booted.count(), 2, 10'000);
    const auto creates = m_api->requestsFor("POST", QStringLiteral("/v1/apps/worldspeed-test/machines"));
    QCOMPARE(creates.size(), 2);
    QHash<QString, QString> tokens; // runner → the token its endpoint carries
    for (const QList<QVariant> &boot : std::as_const(booted))
        tokens.insert(boot.at(0).toString(), boot.at(1).value<ProbeClient::Endpoint>().token);
    QCOMPARE(QSet<QString>({ machineToken(creates.at(0).json()), machineToken(creates.at(1).json()) }),
        QSet<QString>({ tokens.value(QStringLiteral("r1")), tokens.value(QStringLiteral("r2")) }));
    QVERIFY(tokens.value(QStringLiteral("r1")) != tokens.value(QStringLiteral("r2")));
    QCOMPARE(tokens.value(QStringLiteral("r1")).size(), 43);
}

void tst_FlyBackendSettings::machinesMatchTheContainerImage()
{
    // The machine config asks the image for what the image's own files promise: the token where its entry point
    // looks, the port it listens on, and its own entry point and user (neither is overridden).
    QString error;
    const ContainerImage image = ContainerImage::fromSources(&error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    scriptMachine();
    const FlyBackend::Settings s = settings();
    QCOMPARE(s.port, image.port);
    FlyBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy booted(&backend, &Backend::booted);
    backend.boot(QStringLiteral("r1"));
    QVERIFY(booted.wait(10'000));
    const QJsonObject config = m_api->requestsFor("POST", QStringLiteral("/v1/apps/worldspeed-test/machines"))
                                   .at(0)
                                   .json()
                                   .value(QStringLiteral("config"))
                                   .toObject();
    const QJsonObject file = config.value(QStringLiteral("files")).toArray().at(0).toObject();
    QCOMPARE(file.value(QStringLiteral("guest_path")).toString(), image.tokenPath);
    QCOMPARE(file.value(QStringLiteral("mode")).toInt(), 0444); // the image's user is not root
    QVERIFY(image.uid > 0);
    const QJsonObject init = config.value(QStringLiteral("init")).toObject();
    QCOMPARE(init.keys(), QStringList { QStringLiteral("cmd") });
    QCOMPARE(
        init.value(QStringLiteral("cmd")).toArray().at(2).toString(), QStringLiteral("0.0.0.0:%1").arg(image.port));
    QCOMPARE(config.value(QStringLiteral("services")).toArray().at(0).toObject().value(QStringLiteral("internal_port")),
        image.port);
    QCOMPARE(config.value(QStringLiteral("checks"))
                 .toObject()
                 .value(QStringLiteral("probe"))
                 .toObject()
                 .value(QStringLiteral("port")),
        image.port);
}

void tst_FlyBackendSettings::plaintextOffLoopbackIsRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error"); // empty: valid
    const QByteArray minimal = R"("app": "ws-app", "region": "fra", "image": "registry.fly.io/p:1",
        "tokenSecret": "fly-token")";
    QTest::newRow("api") << QByteArray("{" + minimal + R"(, "apiBase": "http://api.example.net:4280"})")
                         << QStringLiteral(
                                "apiBase: refusing http://api.example.net:4280: the Fly API token would cross the "
                                "network to api.example.net unencrypted; use a https:// URL, or set "
                                "\"insecurePlaintext\": true in this backend in the fleet config if the network "
                                "between is encrypted by other means");
    QTest::newRow("endpoint") << QByteArray("{" + minimal + R"(, "endpointTemplate": "ws://{app}.internal:8700"})")
                              << QStringLiteral(
                                     "endpointTemplate: refusing ws://app.internal:8700: the probe token would cross "
                                     "the network to app.internal unencrypted; use a wss:// URL, or set "
                                     "\"insecurePlaintext\": true in this backend in the fleet config if the network "
                                     "between is encrypted by other means");
    QTest::newRow("allowed") << QByteArray("{" + minimal + R"(, "apiBase": "http://api.example.net:4280",
        "endpointTemplate": "ws://{app}.internal:8700", "insecurePlaintext": true})")
                             << QString();
    QTest::newRow("loopback") << QByteArray("{" + minimal + R"(, "apiBase": "http://127.0.0.1:4280",
        "endpointTemplate": "ws://localhost:8700"})")
                              << QString();
}

void tst_FlyBackendSettings::plaintextOffLoopbackIsRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QString why;
    const auto parsed = FlyBackend::Settings::fromJson(QJsonDocument::fromJson(json).object(), &why);
    QCOMPARE(why, error);
    QCOMPARE(parsed.has_value(), error.isEmpty());
    if (parsed) {
        QCOMPARE(parsed->insecurePlaintext, json.contains("insecurePlaintext"));
        QCOMPARE(parsed->endpointFor(QStringLiteral("m1")).scheme(), QStringLiteral("ws"));
    }
}

void tst_FlyBackendSettings::plaintextApiIsNotUsed()
{
    // Settings made in code, past fromJson: the API client refuses too, before the secret store is even asked.
    // (.invalid never resolves, so a client that did not refuse would send nothing anywhere.)
    FlyBackend::Settings s = settings();
    s.apiBase = QUrl(QStringLiteral("http://api.invalid:4280"));
    FlyBackend backend(s, &m_secrets, m_nam.get());
    QSignalSpy failed(&backend, &Backend::bootRefused); // waiting would not help: the pool does not retry
    backend.boot(QStringLiteral("r1"));
    QCOMPARE(failed.count(), 0); // never from inside the call
    QVERIFY(failed.wait(5'000));
    QCOMPARE(failed.at(0).at(1).toString(),
        QStringLiteral("refusing http://api.invalid:4280: the Fly API token would cross the network to api.invalid "
                       "unencrypted; use a https:// URL, or set \"insecurePlaintext\": true in this region's backend "
                       "in the fleet config if the network between is encrypted by other means"));
}

QTEST_GUILESS_MAIN(tst_FlyBackendSettings)
#include "tst_flybackendsettings.moc"
