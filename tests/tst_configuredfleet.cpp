// A fleet built from a config file: every backend type constructed from its settings, errors named, and the
// default config measuring a real page through a real local probe.
#include "fleet/configuredfleet.h"
#include "fleet/multiregionrun.h"
#include "fleet/regionpool.h"
#include "memorysecretstore.h"
#include "testwebserver.h"

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

class tst_ConfiguredFleet : public QObject
{
    Q_OBJECT

private slots:
    void buildsEveryBackendType();
    void badBackendSettingsAreNamed();
    void defaultConfigMeasuresAPage();
    void documentedExamplesBuild();
};

void tst_ConfiguredFleet::buildsEveryBackendType()
{
    const QByteArray json = R"({"version":1,"regions":[
        {"code":"here","name":"Here","latitude":1,"longitude":2,"backend":{"type":"local"},"pool":{"max":2,"maxConcurrency":3}},
        {"code":"mine","latitude":1,"longitude":2,"backend":{"type":"static","probes":[{"url":"wss://p.example:8700","tokenSecret":"p"}]}},
        {"code":"fra","latitude":50.1,"longitude":8.7,"backend":{"type":"fly","app":"ws-probes","image":"registry.example/probe:1","region":"fra","tokenSecret":"fly"}},
        {"code":"k8s","latitude":1,"longitude":2,"backend":{"type":"kubernetes","apiServer":"https://k8s.example:6443","image":"registry.example/probe:1","region":"eu","tokenSecret":"k","probeTlsSecretName":"probe-tls"}}
    ]})";
    QString error;
    const auto config = FleetConfig::fromJson(json, &error);
    QVERIFY2(config, qPrintable(error));
    MemorySecretStore secrets;
    const auto fleet = ConfiguredFleet::create(*config, &secrets, &error);
    QVERIFY2(fleet, qPrintable(error));
    QCOMPARE(fleet->fleet()->regions(),
        (QStringList { QStringLiteral("here"), QStringLiteral("mine"), QStringLiteral("fra"), QStringLiteral("k8s") }));
    QCOMPARE(fleet->fleet()->pool(QStringLiteral("here"))->backend()->kind(), QStringLiteral("local"));
    QCOMPARE(fleet->fleet()->pool(QStringLiteral("mine"))->backend()->kind(), QStringLiteral("static"));
    QCOMPARE(fleet->fleet()->pool(QStringLiteral("fra"))->backend()->kind(), QStringLiteral("fly"));
    QCOMPARE(fleet->fleet()->pool(QStringLiteral("k8s"))->backend()->kind(), QStringLiteral("kubernetes"));
    QCOMPARE(fleet->fleet()->pool(QStringLiteral("here"))->options().max, 2);
    QCOMPARE(fleet->fleet()->pool(QStringLiteral("here"))->options().maxConcurrency, 3);
}

void tst_ConfiguredFleet::badBackendSettingsAreNamed()
{
    const QByteArray json = R"({"version":1,"regions":[
        {"code":"ok","latitude":1,"longitude":2,"backend":{"type":"local"}},
        {"code":"bad","latitude":1,"longitude":2,"backend":{"type":"local","parentGraceSeconds":0}}
    ]})";
    QString error;
    const auto config = FleetConfig::fromJson(json, &error);
    QVERIFY2(config, qPrintable(error));
    MemorySecretStore secrets;
    QVERIFY(!ConfiguredFleet::create(*config, &secrets, &error));
    QVERIFY2(error.startsWith(u"regions[1] (bad).backend: parentGraceSeconds"), qPrintable(error));

    // A misspelt backend setting is named, for every backend type, rather than left at its default.
    const QList<std::pair<QByteArray, QString>> misspelt {
        { R"({"type":"local","probPath":"/x"})", QStringLiteral("probPath: is not a local backend setting") },
        { R"({"type":"static","probes":[{"url":"ws://127.0.0.1:1","tokenSecret":"t","pin":"x"}]})",
            QStringLiteral("probes[0].pin: is not a probe setting") },
        { R"({"type":"fly","app":"a","region":"fra","image":"i","tokenSecret":"t","cpu":2})",
            QStringLiteral("cpu: is not a Fly backend setting") },
        { R"({"type":"kubernetes","apiServer":"https://127.0.0.1:1","image":"i","tokenSecret":"t",)"
          R"("namespace":"n"})",
            QStringLiteral("namespace: is not a Kubernetes backend setting") },
    };
    for (const auto &[backend, expected] : misspelt) {
        const QByteArray one
            = R"({"version":1,"regions":[{"code":"x","latitude":1,"longitude":2,"backend":)" + backend + "}]}";
        const auto parsed = FleetConfig::fromJson(one, &error);
        QVERIFY2(parsed, qPrintable(error));
        QVERIFY(!ConfiguredFleet::create(*parsed, &secrets, &error));
        QVERIFY2(error.startsWith(u"regions[0] (x).backend: " + expected), qPrintable(error));
    }
}

void tst_ConfiguredFleet::documentedExamplesBuild()
{
    // Every complete config in FLEETCONFIG.md builds its fleet, backends included: what the document shows works.
    QFile document(QStringLiteral(WORLDSPEED_FLEETCONFIG_MD));
    QVERIFY(document.open(QIODevice::ReadOnly));
    const QString text = QString::fromUtf8(document.readAll());
    static const QRegularExpression block(
        QStringLiteral("```json\\n(.*?)```"), QRegularExpression::DotMatchesEverythingOption);
    int built = 0;
    for (auto it = block.globalMatch(text); it.hasNext();) {
        const QString json = it.next().captured(1);
        if (!json.contains(u"\"regions\"") || json.contains(u'…'))
            continue; // a fragment, not a whole file
        QString error;
        const auto config = FleetConfig::fromJson(json.toUtf8(), &error);
        QVERIFY2(config, qPrintable(error));
        MemorySecretStore secrets;
        QVERIFY2(ConfiguredFleet::create(*config, &secrets, &error), qPrintable(error));
        ++built;
    }
    QCOMPARE(built, 4);
}

void tst_ConfiguredFleet::defaultConfigMeasuresAPage()
{
    TestWebServer web;
    QVERIFY(web.listen());
    FleetConfig config = FleetConfig::defaultConfig();
    QCOMPARE(config.regions.size(), 1);
    // The default finds worldspeed-probe next to the app or on PATH; a test points it at the build's.
    config.regions[0].backendSettings.insert(QStringLiteral("probePath"), QStringLiteral(WORLDSPEED_PROBE_EXE));
    MemorySecretStore secrets;
    QString error;
    const auto fleet = ConfiguredFleet::create(config, &secrets, &error);
    QVERIFY2(fleet, qPrintable(error));
    MultiRegionRun *test = fleet->fleet()->submit(
        web.url(QStringLiteral("/asset?type=text/html&size=100")), {}, { config.regions.first().code });
    QSignalSpy finished(test, &MultiRegionRun::finished);
    QSignalSpy done(test, &MultiRegionRun::regionDone);
    QVERIFY(finished.wait(60'000));
    QCOMPARE(done.count(), 1);
    QVERIFY(done.first().at(1).value<DoneMessage>().ok);
}

QTEST_GUILESS_MAIN(tst_ConfiguredFleet)
#include "tst_configuredfleet.moc"
