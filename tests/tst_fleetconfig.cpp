// The fleet config file: a valid config of every backend type survives fromJson → toJson → text → fromJson
// unchanged, every mistake is reported with the path of the field it is about, a token written into the file is
// refused, and the default config is itself a valid one.

#include "fleet/fleetconfig.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QScopeGuard>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

namespace {

// Fixtures write JSON with ' for ": readable without raw string literals, which moc misreads when they hold "//".
QByteArray json(QByteArray text)
{
    return text.replace('\'', '"');
}

QByteArray fleet(const QByteArray &regions)
{
    return json("{'version': 1, 'regions': [" + regions + "]}");
}

QByteArray withBackend(const QByteArray &backend, const QByteArray &more = {})
{
    return "{'code': 'fra', 'name': 'Frankfurt', 'latitude': 50.11, 'longitude': 8.68, 'backend': " + backend + more
        + "}";
}

QByteArray withPool(const QByteArray &pool)
{
    return withBackend("{'type': 'local'}", ", 'pool': " + pool);
}

const QByteArray fra = withBackend("{'type': 'local'}");

const QByteArray localExample
    = "{'code': 'local', 'name': 'This computer', 'latitude': 52.52, 'longitude': 13.4,"
      "  'backend': {'type': 'local', 'probePath': '/usr/bin/worldspeed-probe', 'chromePath': '/usr/bin/chromium',"
      "              'maxConcurrency': 2},"
      "  'pool': {'min': 0, 'max': 1, 'maxConcurrency': 2, 'idleShutdownAfterSeconds': 60,"
      "           'minIdleShutdownAfterSeconds': null, 'bootTimeoutSeconds': 30, 'runTimeoutSeconds': 180,"
      "           'checkoutTimeoutSeconds': 120, 'singleUse': false}}";

const QByteArray staticExample
    = "{'code': 'home-lab', 'name': 'Home lab', 'latitude': 48.86, 'longitude': 2.35,"
      "  'backend': {'type': 'static', 'probes': ["
      "      {'url': 'wss://probe1.example.net:8700', 'tokenSecret': 'probe-home-1',"
      "       'pinnedCertificateSha256': "
      "'3F:0A:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE'},"
      "      {'url': 'ws://10.0.0.7:8700', 'tokenSecret': 'probe-home-2', 'insecurePlaintext': true}]},"
      "  'pool': {'min': 2, 'max': 2, 'maxConcurrency': 4, 'idleShutdownAfterSeconds': 0,"
      "           'minIdleShutdownAfterSeconds': 3600, 'singleUse': false}}";

const QByteArray flyExample
    = "{'code': 'syd', 'name': 'Sydney', 'latitude': -33.87, 'longitude': 151.21,"
      "  'backend': {'type': 'fly', 'app': 'worldspeed-probes', 'region': 'syd',"
      "              'image': 'registry.fly.io/worldspeed-probe:0.1.0', 'tokenSecret': 'fly-api',"
      "              'cpuKind': 'shared', 'cpus': 1, 'memoryMb': 1024},"
      "  'pool': {'min': 0, 'max': 4, 'maxConcurrency': 1, 'idleShutdownAfterSeconds': 120, 'bootTimeoutSeconds': 90,"
      "           'runTimeoutSeconds': 240, 'checkoutTimeoutSeconds': 300, 'singleUse': true}}";

const QByteArray kubernetesExample
    = "{'code': 'us_east-1', 'name': 'Virginia', 'latitude': 38.95,"
      "  'longitude': -77.45,"
      "  'backend': {'type': 'kubernetes', 'apiServer': 'https://k8s.example.com:6443', 'namespaceName': 'worldspeed',"
      "              'image': 'ghcr.io/example/worldspeed-probe:0.1.0', 'region': 'us-east-1',"
      "              'tokenSecret': 'k8s-us-east', 'probeTlsSecretName': 'worldspeed-probe-tls',"
      "              'probeCertificateSha256': "
      "'9c:1e:5a:7d:02:4b:8f:e3:61:aa:07:d9:35:c2:4e:10:bb:f8:6d:53:29:0a:c7:e4:18:3d:92:b6:71:05:ef:4c',"
      "              'podTemplate': {'metadata': {'labels': {'app': 'worldspeed-probe'}},"
      "                              'spec': {'restartPolicy': 'Never'}}},"
      "  'pool': {'max': 10, 'maxConcurrency': 2, 'idleShutdownAfterSeconds': 30.5}}";

char *jsonText(const QJsonObject &json)
{
    return qstrdup(QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
}

FleetConfig parsed(const QByteArray &text)
{
    QString error;
    const std::optional<FleetConfig> config = FleetConfig::fromJson(json(text), &error);
    if (!config)
        qFatal("fixture is not a valid fleet config: %s", qPrintable(error));
    return *config;
}

} // namespace

QT_BEGIN_NAMESPACE
namespace QTest {
template<> char *toString(const FleetConfig &config)
{
    return jsonText(config.toJson());
}
} // namespace QTest
QT_END_NAMESPACE

class TestFleetConfig final : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("backendType");
        QTest::newRow("local") << fleet(localExample) << QStringLiteral("local");
        QTest::newRow("local, settings left out") << fleet(fra) << QStringLiteral("local");
        QTest::newRow("static") << fleet(staticExample) << QStringLiteral("static");
        QTest::newRow("fly") << fleet(flyExample) << QStringLiteral("fly");
        QTest::newRow("kubernetes") << fleet(kubernetesExample) << QStringLiteral("kubernetes");
        QTest::newRow("one of each") << fleet(localExample + ',' + staticExample + ',' + flyExample + ','
            + kubernetesExample) << QStringLiteral("local");
    }

    void roundTrip()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, backendType);
        QString error;
        const std::optional<FleetConfig> config = FleetConfig::fromJson(json(text), &error);
        QVERIFY2(config, qPrintable(error));
        QVERIFY(error.isEmpty());
        QCOMPARE(config->regions.first().backendType, backendType);
        QVERIFY(!config->regions.first().backendSettings.contains(QStringLiteral("type")));

        const QByteArray written = QJsonDocument(config->toJson()).toJson(QJsonDocument::Indented);
        const std::optional<FleetConfig> again = FleetConfig::fromJson(written, &error);
        QVERIFY2(again, qPrintable(error));
        QCOMPARE(*again, *config);
        QCOMPARE(again->toJson(), config->toJson());
    }

    void fieldsAreRead()
    {
        const FleetConfig config
            = parsed(fleet(localExample + ',' + staticExample + ',' + flyExample + ',' + kubernetesExample));
        QCOMPARE(config.regions.size(), 4);

        const RegionConfig *local = config.region(QStringLiteral("local"));
        QVERIFY(local);
        QCOMPARE(local->name, QStringLiteral("This computer"));
        QCOMPARE(local->latitude, 52.52);
        QCOMPARE(local->longitude, 13.4);
        QCOMPARE(
            local->backendSettings.value(QStringLiteral("chromePath")).toString(), QStringLiteral("/usr/bin/chromium"));
        QCOMPARE(local->pool.max, 1);
        QCOMPARE(local->pool.bootTimeoutMs, qint64(30000));
        QVERIFY(!local->pool.minIdleShutdownAfterMs);

        const RegionConfig *lab = config.region(QStringLiteral("home-lab"));
        QVERIFY(lab);
        QCOMPARE(lab->pool.min, 2);
        QCOMPARE(lab->pool.idleShutdownAfterMs, qint64(0));
        QCOMPARE(lab->pool.minIdleShutdownAfterMs, std::optional<qint64>(3600000));
        QCOMPARE(lab->pool.bootTimeoutMs, PoolSettings().bootTimeoutMs); // left out: the default
        QCOMPARE(lab->backendSettings.value(QStringLiteral("probes")).toArray().size(), 2);

        const RegionConfig *syd = config.region(QStringLiteral("syd"));
        QVERIFY(syd);
        QCOMPARE(syd->longitude, 151.21);
        QVERIFY(syd->pool.singleUse);
        QCOMPARE(syd->pool.checkoutTimeoutMs, qint64(300000));
        QCOMPARE(syd->backendSettings.value(QStringLiteral("tokenSecret")).toString(), QStringLiteral("fly-api"));

        const RegionConfig *virginia = config.region(QStringLiteral("us_east-1"));
        QVERIFY(virginia);
        QCOMPARE(virginia->pool.idleShutdownAfterMs, qint64(30500));
        QCOMPARE(virginia->pool.min, 0);
        // Unknown backend settings are the backend's business and are kept verbatim.
        QCOMPARE(virginia->backendSettings.value(QStringLiteral("podTemplate"))
                     .toObject()
                     .value(QStringLiteral("spec"))
                     .toObject()
                     .value(QStringLiteral("restartPolicy"))
                     .toString(),
            QStringLiteral("Never"));

        QVERIFY(!config.region(QStringLiteral("nowhere")));
    }

    void defaultsAndComments()
    {
        const FleetConfig config = parsed(
            "{'version': 1, '//': 'mine', 'regions': [{'code': 'ams', 'latitude': 52.37, 'longitude': 4.9,"
            "                '// colour': 'orange', 'backend': {'type': 'local', '//': 'x'}, 'pool': {'//': 9}}]}");
        const RegionConfig &region = config.regions.first();
        QCOMPARE(region.name, QStringLiteral("ams")); // no name: the code
        QCOMPARE(region.pool, PoolSettings());
        QCOMPARE(region.pool.max, 2);
        QCOMPARE(region.pool.maxConcurrency, 2);
        QCOMPARE(region.pool.idleShutdownAfterMs, qint64(60000));
        QCOMPARE(region.pool.runTimeoutMs, qint64(180000));
        QCOMPARE(region.pool.checkoutTimeoutMs, qint64(120000));
        QVERIFY(!region.pool.singleUse);
        QVERIFY(!config.toJson().contains(QStringLiteral("//")));
    }

    void errors_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("error");

        const QByteArray lyon = "{'code': 'lyo', 'latitude': 45.76, 'longitude': 4.84, 'backend': {'type': 'local'}}";

        QTest::newRow("not JSON") << QByteArray("{\"version\": 1,\n \"regions\": [}")
                                  << QStringLiteral(
                                         "not valid JSON at line 2, column 15: object is missing after a comma");
        QTest::newRow("not an object") << QByteArray("[1, 2]")
                                       << QStringLiteral("expected a JSON object with \"version\" and \"regions\"");
        QTest::newRow("no version") << QByteArray("{'regions': [" + fra + "]}")
                                    << QStringLiteral("version: is required");
        QTest::newRow("version 0") << QByteArray("{'version': 0, 'regions': [" + fra + "]}")
                                   << QStringLiteral("version: 0 is outside 1 … 9223372036854775807");
        QTest::newRow("newer version")
            << QByteArray("{'version': 2, 'regions': [" + fra + "]}")
            << QStringLiteral("version: this file is fleet config version 2, written by a newer WorldSpeed; this one "
                              "reads version 1 and older — update WorldSpeed to use it");
        QTest::newRow("no regions") << QByteArray("{'version': 1}") << QStringLiteral("regions: is required");
        QTest::newRow("empty regions") << fleet({}) << QStringLiteral("regions: expected at least one region");
        QTest::newRow("region not an object") << fleet(fra + ", 7") << QStringLiteral("regions[1]: expected an object");

        QTest::newRow("code missing") << fleet("{'latitude': 1, 'longitude': 2, 'backend': {'type': 'local'}}")
                                      << QStringLiteral("regions[0].code: is required");
        QTest::newRow("code with a space")
            << fleet("{'code': 'fr a', 'latitude': 1, 'longitude': 2, 'backend': {'type': 'local'}}")
            << QStringLiteral("regions[0].code: \"fr a\" is not an identifier (1–64 of A–Z a–z 0–9 _ -)");
        QTest::newRow("code empty") << fleet(
            "{'code': '', 'latitude': 1, 'longitude': 2, 'backend': {'type': 'local'}}")
                                    << QStringLiteral(
                                           "regions[0].code: \"\" is not an identifier (1–64 of A–Z a–z 0–9 _ -)");
        QTest::newRow("code too long") << fleet(
            "{'code': '" + QByteArray(65, 'a') + "', 'latitude': 1, 'longitude': 2, 'backend': {'type': 'local'}}")
                                       << QStringLiteral("regions[0].code: longer than 64 characters");
        QTest::newRow("duplicate code") << fleet(fra + ','
            + fra) << QStringLiteral("regions[1].code: duplicate region code \"fra\" (regions[0] has it too)");
        QTest::newRow("duplicate code in another case")
            << fleet(fra + ',' + lyon + ','
                   + "{'code': 'FRA', 'latitude': 1, 'longitude': 2, 'backend': {'type': 'local'}}")
            << QStringLiteral("regions[2].code: duplicate region code \"FRA\" (regions[0] has it too)");

        QTest::newRow("latitude too far north")
            << fleet("{'code': 'fra', 'latitude': 91, 'longitude': 8.68, 'backend': {'type': 'local'}}")
            << QStringLiteral("regions[0].latitude: 91 is outside -90 … 90");
        QTest::newRow("latitude as text")
            << fleet("{'code': 'fra', 'latitude': '50.1', 'longitude': 8.68, 'backend': {'type': 'local'}}")
            << QStringLiteral("regions[0].latitude: expected a number");
        QTest::newRow("longitude missing") << fleet("{'code': 'fra', 'latitude': 50.11, 'backend': {'type': 'local'}}")
                                           << QStringLiteral("regions[0].longitude: is required");
        QTest::newRow("longitude too far west")
            << fleet("{'code': 'fra', 'latitude': 50.11, 'longitude': -180.5, 'backend': {'type': 'local'}}")
            << QStringLiteral("regions[0].longitude: -180.5 is outside -180 … 180");

        QTest::newRow("backend missing") << fleet("{'code': 'fra', 'latitude': 50.11, 'longitude': 8.68}")
                                         << QStringLiteral("regions[0].backend: is required");
        QTest::newRow("backend type missing")
            << fleet(withBackend("{}")) << QStringLiteral("regions[0].backend.type: is required");
        QTest::newRow("unknown backend")
            << fleet(withBackend("{'type': 'aws'}"))
            << QStringLiteral(
                   "regions[0].backend.type: unknown backend \"aws\" (expected local, static, fly or kubernetes)");

        // A misspelt key would leave its default in force without a word: each level names it and what it knows.
        QTest::newRow("unknown top-level key")
            << QByteArray("{'version': 1, 'region': [" + fra + "]}")
            << QStringLiteral("region: is not a fleet setting (expected one of version, regions)");
        QTest::newRow("unknown region key")
            << fleet(withBackend("{'type': 'local'}", ", 'lattitude': 50"))
            << QStringLiteral("regions[0].lattitude: is not a region setting (expected one of code, name, latitude, "
                              "longitude, backend, pool)");
        QTest::newRow("unknown pool key")
            << fleet(withPool("{'max': 2, 'maxConcurency': 4}"))
            << QStringLiteral("regions[0].pool.maxConcurency: is not a pool setting (expected one "
                              "of min, max, maxConcurrency, idleShutdownAfterSeconds, "
                              "minIdleShutdownAfterSeconds, bootTimeoutSeconds, runTimeoutSeconds, "
                              "checkoutTimeoutSeconds, singleUse)");

        QTest::newRow("local maxConcurrency 0")
            << fleet(withBackend("{'type': 'local', 'maxConcurrency': 0}"))
            << QStringLiteral("regions[0].backend.maxConcurrency: 0 is outside 1 … 64");
        QTest::newRow("local chromePath empty") << fleet(withBackend("{'type': 'local', 'chromePath': ' '}"))
                                                << QStringLiteral("regions[0].backend.chromePath: must not be empty");

        QTest::newRow("static without probes")
            << fleet(withBackend("{'type': 'static'}")) << QStringLiteral("regions[0].backend.probes: is required");
        QTest::newRow("static, no probe") << fleet(withBackend("{'type': 'static', 'probes': []}"))
                                          << QStringLiteral("regions[0].backend.probes: expected at least one probe");
        QTest::newRow("static probe not an object")
            << fleet(withBackend("{'type': 'static', 'probes': ['wss://a.example']}"))
            << QStringLiteral("regions[0].backend.probes[0]: expected an object");
        QTest::newRow("static probe over https")
            << fleet(withBackend("{'type': 'static', 'probes': [{'url': 'https://a.example', 'tokenSecret': 'a'}]}"))
            << QStringLiteral(
                   "regions[0].backend.probes[0].url: \"https://a.example\" must start with ws:// or wss://");
        QTest::newRow("static probe url without host")
            << fleet(withBackend("{'type': 'static', 'probes': [{'url': 'wss:nohost', 'tokenSecret': 'a'}]}"))
            << QStringLiteral("regions[0].backend.probes[0].url: \"wss:nohost\" is not a URL with a host");
        QTest::newRow("static probe without tokenSecret")
            << fleet(withBackend(
                   "{'type': 'static', 'probes': [{'url': 'wss://a.example', 'tokenSecret': 'a'},"
                   "                                                                  {'url': 'wss://b.example'}]}"))
            << QStringLiteral("regions[0].backend.probes[1].tokenSecret: is required");
        QTest::newRow("static probe with a bad pin")
            << fleet(withBackend("{'type': 'static', 'probes': [{'url': 'wss://a.example', 'tokenSecret': 'a',"
                                 "                                                                   "
                                 "'pinnedCertificateSha256': 'abc'}]}"))
            << QStringLiteral("regions[0].backend.probes[0].pinnedCertificateSha256: expected 64 hex digits (':' "
                              "between bytes allowed)");
        QTest::newRow("static probe pinned over ws")
            << fleet(withBackend("{'type': 'static', 'probes': [{'url': 'ws://a.example', 'tokenSecret': 'a',"
                                 "                     'pinnedCertificateSha256': '"
                   + QByteArray(64, 'a') + "'}]}"))
            << QStringLiteral("regions[0].backend.probes[0].pinnedCertificateSha256: only applies to a wss:// url");

        QTest::newRow("fly without app") << fleet(withBackend("{'type': 'fly', 'image': 'i'}"))
                                         << QStringLiteral("regions[0].backend.app: is required");
        QTest::newRow("fly with an empty image") << fleet(withBackend("{'type': 'fly', 'app': 'a', 'image': ''}"))
                                                 << QStringLiteral("regions[0].backend.image: must not be empty");
        QTest::newRow("kubernetes without apiServer") << fleet(withBackend("{'type': 'kubernetes', 'image': 'i'}"))
                                                      << QStringLiteral("regions[0].backend.apiServer: is required");
        QTest::newRow("kubernetes apiServer not a URL")
            << fleet(withBackend("{'type': 'kubernetes', 'apiServer': 'cluster', 'image': 'i'}"))
            << QStringLiteral("regions[0].backend.apiServer: \"cluster\" is not a URL with a host");
        QTest::newRow("kubernetes without image")
            << fleet(withBackend("{'type': 'kubernetes', 'apiServer': 'https://k8s.example'}"))
            << QStringLiteral("regions[0].backend.image: is required");
        QTest::newRow("empty secret reference")
            << fleet(withBackend("{'type': 'fly', 'app': 'a', 'image': 'i', 'tokenSecret': ''}"))
            << QStringLiteral("regions[0].backend.tokenSecret: expected the name of a keychain entry");
        QTest::newRow("secret reference not a string")
            << fleet(withBackend("{'type': 'fly', 'app': 'a', 'image': 'i', 'tokenSecret': 42}"))
            << QStringLiteral("regions[0].backend.tokenSecret: expected the name of a keychain entry");

        QTest::newRow("pool not an object")
            << fleet(withPool("[]")) << QStringLiteral("regions[0].pool: expected an object");
        QTest::newRow("pool max 0 in the third region") << fleet(fra + ',' + lyon + ','
            + "{'code': 'par', 'latitude': 48.86, 'longitude': 2.35, 'backend': {'type': 'local'},"
              "                         'pool': {'max': 0}}")
                                                        << QStringLiteral("regions[2].pool.max: 0 is outside 1 … 1000");
        QTest::newRow("pool min above max") << fleet(withPool("{'min': 3, 'max': 2}"))
                                            << QStringLiteral("regions[0].pool.min: 3 is more than max (2): a pool "
                                                              "cannot keep more runners than it may boot");
        QTest::newRow("pool min negative")
            << fleet(withPool("{'min': -1}")) << QStringLiteral("regions[0].pool.min: -1 is outside 0 … 1000");
        QTest::newRow("pool max fractional")
            << fleet(withPool("{'max': 2.5}")) << QStringLiteral("regions[0].pool.max: expected an integer");
        QTest::newRow("pool maxConcurrency 0")
            << fleet(withPool("{'maxConcurrency': 0}"))
            << QStringLiteral("regions[0].pool.maxConcurrency: 0 is outside 1 … 1000");
        QTest::newRow("pool idle negative")
            << fleet(withPool("{'idleShutdownAfterSeconds': -1}"))
            << QStringLiteral("regions[0].pool.idleShutdownAfterSeconds: -1 is outside 0 … 604800");
        QTest::newRow("pool min idle as text")
            << fleet(withPool("{'minIdleShutdownAfterSeconds': 'never'}"))
            << QStringLiteral("regions[0].pool.minIdleShutdownAfterSeconds: expected a number");
        QTest::newRow("pool boot timeout 0")
            << fleet(withPool("{'bootTimeoutSeconds': 0}"))
            << QStringLiteral("regions[0].pool.bootTimeoutSeconds: must be at least 0.001 seconds");
        QTest::newRow("pool run timeout too long")
            << fleet(withPool("{'runTimeoutSeconds': 100000}"))
            << QStringLiteral("regions[0].pool.runTimeoutSeconds: 100000 is outside 0 … 86400");
        QTest::newRow("pool checkout timeout tiny")
            << fleet(withPool("{'checkoutTimeoutSeconds': 0.0001}"))
            << QStringLiteral("regions[0].pool.checkoutTimeoutSeconds: must be at least 0.001 seconds");
        QTest::newRow("pool singleUse as text") << fleet(withPool("{'singleUse': 'yes'}"))
                                                << QStringLiteral("regions[0].pool.singleUse: expected true or false");
        QTest::newRow("first problem wins")
            << fleet("{'code': 'fra', 'latitude': 99, 'longitude': 999, 'backend': {'type': 'aws'}}")
            << QStringLiteral("regions[0].latitude: 99 is outside -90 … 90");
    }

    void errors()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, error);
        QString actual;
        const std::optional<FleetConfig> config = FleetConfig::fromJson(json(text), &actual);
        QVERIFY2(!config, qPrintable(QStringLiteral("accepted: ") + QString::fromUtf8(text)));
        QCOMPARE(actual, error);
    }

    void inlineSecretsAreRefused_data()
    {
        QTest::addColumn<QByteArray>("backend");
        QTest::addColumn<QString>("error");
        const QString advice = QStringLiteral(": secrets are not stored in the config; put the %1 in the keychain "
                                              "and reference it with \"%2\"");

        QTest::newRow("fly token") << QByteArray("{'type': 'fly', 'app': 'a', 'image': 'i', 'token': 'fo1_x'}")
                                   << QStringLiteral("regions[0].backend.token")
                + advice.arg(QStringLiteral("token"), QStringLiteral("tokenSecret"));
        QTest::newRow("camel-case api token")
            << QByteArray("{'type': 'fly', 'app': 'a', 'image': 'i', 'apiToken': 'fo1_x'}")
            << QStringLiteral("regions[0].backend.apiToken")
                + advice.arg(QStringLiteral("token"), QStringLiteral("apiTokenSecret"));
        QTest::newRow("upper-case password")
            << QByteArray("{'type': 'kubernetes', 'apiServer': 'https://k', 'image': 'i', 'PASSWORD': 'hunter2'}")
            << QStringLiteral("regions[0].backend.PASSWORD")
                + advice.arg(QStringLiteral("password"), QStringLiteral("PASSWORDSecret"));
        QTest::newRow("token inside a static probe")
            << QByteArray("{'type': 'static', 'probes': [{'url': 'wss://a.example', 'tokenSecret': 'a'},"
                          "                                                            {'url': 'wss://b.example', "
                          "'token': 's3cret'}]}")
            << QStringLiteral("regions[0].backend.probes[1].token")
                + advice.arg(QStringLiteral("token"), QStringLiteral("tokenSecret"));
        QTest::newRow("password deep in a pod template")
            << QByteArray(
                   "{'type': 'kubernetes', 'apiServer': 'https://k', 'image': 'i',"
                   "                             'podTemplate': {'spec': {'env': [{'name': 'X', 'dbPassword': 'p'}]}}}")
            << QStringLiteral("regions[0].backend.podTemplate.spec.env[0].dbPassword")
                + advice.arg(QStringLiteral("password"), QStringLiteral("dbPasswordSecret"));
        QTest::newRow("even an empty token") << QByteArray("{'type': 'local', 'token': ''}")
                                             << QStringLiteral("regions[0].backend.token")
                + advice.arg(QStringLiteral("token"), QStringLiteral("tokenSecret"));
    }

    void inlineSecretsAreRefused()
    {
        QFETCH(QByteArray, backend);
        QFETCH(QString, error);
        QString actual;
        QVERIFY(!FleetConfig::fromJson(fleet(withBackend(backend)), &actual));
        QCOMPARE(actual, error);
        // The refusal names where the secret is, never what it is.
        for (const char *value : { "fo1_x", "hunter2", "s3cret" })
            QVERIFY(!actual.contains(QLatin1String(value)));
    }

    void secretLookingKeysThatHoldNoSecret()
    {
        // Not a string: a number, a switch or a reference is not a secret.
        const FleetConfig config = parsed(fleet(withBackend(
            "{'type': 'local', 'maxTokens': 5, 'usePassword': false, 'tokenSecret': 'x', 'tokenSecretHint': 'y'}")));
        QCOMPARE(config.regions.first().backendSettings.value(QStringLiteral("maxTokens")).toInt(), 5);
    }

    void defaultConfigIsValid()
    {
        const FleetConfig config = FleetConfig::defaultConfig();
        QCOMPARE(config.regions.size(), 1);
        const RegionConfig &region = config.regions.first();
        QCOMPARE(region.code, QStringLiteral("local"));
        QCOMPARE(region.name, QStringLiteral("This computer"));
        QCOMPARE(region.backendType, QStringLiteral("local"));
        QCOMPARE(region.pool, PoolSettings());
        QVERIFY(region.latitude >= -90 && region.latitude <= 90);
        QVERIFY(region.longitude >= -180 && region.longitude <= 180);

        QString error;
        const std::optional<FleetConfig> again = FleetConfig::fromJson(config.toJson(), &error);
        QVERIFY2(again, qPrintable(error));
        QCOMPARE(*again, config);
    }

    void positionInZoneTable_data()
    {
        QTest::addColumn<QByteArray>("zone");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<double>("longitude");
        QTest::newRow("degrees and minutes") << QByteArray("Europe/Berlin") << 52.5 << 13.37;
        QTest::newRow("south and east") << QByteArray("Australia/Sydney") << -33.87 << 151.22;
        QTest::newRow("with seconds, west") << QByteArray("America/New_York") << 40.71 << -74.01;
    }

    void positionInZoneTable()
    {
        QFETCH(QByteArray, zone);
        QFETCH(double, latitude);
        QFETCH(double, longitude);
        const QByteArray table = "# tzdb timezone descriptions\n"
                                 "#codes\tcoordinates\tTZ\tcomments\n"
                                 "DE,DK,NO,SE,SJ\t+5230+01322\tEurope/Berlin\tmost of Germany\n"
                                 "AU\t-3352+15113\tAustralia/Sydney\tNew South Wales (most areas)\n"
                                 "US\t+404251-0740023\tAmerica/New_York\tEastern (most areas)\n";
        const auto position = FleetConfig::positionInZoneTable(table, zone);
        QVERIFY(position);
        QCOMPARE(position->first, latitude);
        QCOMPARE(position->second, longitude);
        QVERIFY(!FleetConfig::positionInZoneTable(table, "Etc/UTC"));
        QVERIFY(!FleetConfig::positionInZoneTable("XX\t+99\tBroken/Zone\n", "Broken/Zone"));
        // No coordinates at all: the split into latitude and longitude took a view one byte past the end (a
        // failed assertion in a debug Qt, undefined behaviour in a release one).
        QVERIFY(!FleetConfig::positionInZoneTable("XX\t\tEmpty/Zone\n", "Empty/Zone"));
    }

    void defaultPositionFollowsTheTimeZone()
    {
        const QByteArray saved = qgetenv("TZ");
        const auto restore = qScopeGuard([&] {
            if (saved.isNull())
                qunsetenv("TZ");
            else
                qputenv("TZ", saved);
        });
        qputenv("TZ", "UTC");
        QCOMPARE(FleetConfig::defaultPosition(), (std::pair { 51.48, 0.0 }));
        if (!QFile::exists(QStringLiteral("/usr/share/zoneinfo/zone1970.tab")))
            QSKIP("no tzdata zone table on this system");
        qputenv("TZ", "Asia/Tokyo");
        if (QTimeZone::systemTimeZoneId() != "Asia/Tokyo")
            QSKIP("this Qt does not take the system time zone from TZ");
        const auto [latitude, longitude] = FleetConfig::defaultPosition();
        QCOMPARE(latitude, 35.65); // tzdata: +353916+1394441
        QCOMPARE(longitude, 139.74);
    }

    void saveAndLoad()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("config/WorldSpeed/fleet.json")); // directories made
        const FleetConfig config
            = parsed(fleet(localExample + ',' + staticExample + ',' + flyExample + ',' + kubernetesExample));
        QString error;
        QVERIFY2(config.save(path, &error), qPrintable(error));
        const std::optional<FleetConfig> loaded = FleetConfig::load(path, &error);
        QVERIFY2(loaded, qPrintable(error));
        QCOMPARE(*loaded, config);

        // Saving again replaces the file whole.
        const FleetConfig fallback = FleetConfig::defaultConfig();
        QVERIFY2(fallback.save(path, &error), qPrintable(error));
        QCOMPARE(FleetConfig::load(path, &error).value(), fallback);
        QCOMPARE(QDir(dir.filePath(QStringLiteral("config/WorldSpeed"))).entryList(QDir::Files),
            QStringList { QStringLiteral("fleet.json") });
    }

    void saveRefusesAnInvalidConfig()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("fleet.json"));
        FleetConfig config = FleetConfig::defaultConfig();
        config.regions.first().pool.max = 0;
        QString error;
        QVERIFY(!config.save(path, &error));
        QCOMPARE(error,
            QStringLiteral("not saving the fleet config to %1: regions[0].pool.max: 0 is outside 1 … 1000").arg(path));
        QVERIFY(!QFile::exists(path));
    }

    void loadErrorsNameTheFile()
    {
        QTemporaryDir dir;
        QString error;

        const QString missing = dir.filePath(QStringLiteral("missing.json"));
        QVERIFY(!FleetConfig::load(missing, &error));
        QCOMPARE(error, QStringLiteral("cannot read the fleet config %1: No such file or directory").arg(missing));

        const QString broken = dir.filePath(QStringLiteral("broken.json"));
        QFile file(broken);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"version\": 1, \"regions\": [");
        file.close();
        QVERIFY(!FleetConfig::load(broken, &error));
        QVERIFY2(error.startsWith(broken + QStringLiteral(": not valid JSON at line 1, column ")), qPrintable(error));

        const QString wrong = dir.filePath(QStringLiteral("wrong.json"));
        QFile wrongFile(wrong);
        QVERIFY(wrongFile.open(QIODevice::WriteOnly));
        wrongFile.write(fleet(withBackend("{'type': 'aws'}")));
        wrongFile.close();
        QVERIFY(!FleetConfig::load(wrong, &error));
        QCOMPARE(error,
            wrong
                + QStringLiteral(
                    ": regions[0].backend.type: unknown backend \"aws\" (expected local, static, fly or kubernetes)"));
    }
};

QTEST_GUILESS_MAIN(TestFleetConfig)
#include "tst_fleetconfig.moc"
