// StaticBackend: probes the user already runs, handed out one per runner, tokens from the secret store.
#include "fleet/staticbackend.h"
#include "memorysecretstore.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

class tst_StaticBackend : public QObject
{
    Q_OBJECT

private slots:
    void settingsFromJson_data();
    void settingsFromJson();
    void handsOutEachProbeOnce();
    void missingTokenFailsClearly();
};

void tst_StaticBackend::settingsFromJson_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("error");
    QTest::newRow("ok") << QByteArray(R"({"probes":[{"url":"wss://fra.example.com:8700","tokenSecret":"probe-fra"}]})")
                        << QString();
    QTest::newRow("no probes") << QByteArray(R"({"probes":[]})") << QStringLiteral("probes: lists no probe");
    QTest::newRow("http url") << QByteArray(R"({"probes":[{"url":"http://x","tokenSecret":"t"}]})")
                              << QStringLiteral("probes[0].url: \"http://x\" is not a ws:// or wss:// URL");
    QTest::newRow("no secret") << QByteArray(R"({"probes":[{"url":"wss://x"}]})")
                               << QStringLiteral("probes[0].tokenSecret: is required");
    // ws:// would hand the token to anyone on the way, unless it stays on this machine or the config says so.
    QTest::newRow("cleartext") << QByteArray(R"({"probes":[{"url":"ws://10.0.0.7:8700","tokenSecret":"t"}]})")
                               << QStringLiteral(
                                      "probes[0].url: refusing ws://10.0.0.7:8700: the probe token would cross the "
                                      "network to 10.0.0.7 unencrypted; use a wss:// URL, or set "
                                      "\"insecurePlaintext\": true for this probe in the fleet config if the network "
                                      "between is encrypted by other means");
    QTest::newRow("cleartext allowed") << QByteArray(
        R"({"probes":[{"url":"ws://10.0.0.7:8700","tokenSecret":"t","insecurePlaintext":true}]})")
                                       << QString();
    QTest::newRow("cleartext on loopback")
        << QByteArray(R"({"probes":[{"url":"ws://127.0.0.1:8700","tokenSecret":"t"},)"
                      R"({"url":"ws://localhost:8700","tokenSecret":"t"}]})")
        << QString();
    QTest::newRow("cleartext IPv6") << QByteArray(R"({"probes":[{"url":"ws://[fd00::7]:8700","tokenSecret":"t"}]})")
                                    << QStringLiteral("probes[0].url: refusing ws://[fd00::7]:8700: the probe token ");
    QTest::newRow("cleartext on IPv6 loopback")
        << QByteArray(R"({"probes":[{"url":"ws://[::1]:8700","tokenSecret":"t"},)"
                      R"({"url":"ws://[::ffff:127.0.0.1]:8700","tokenSecret":"t"}]})")
        << QString();
    QTest::newRow("cleartext flag") << QByteArray(
        R"({"probes":[{"url":"ws://10.0.0.7:8700","tokenSecret":"t","insecurePlaintext":"yes"}]})")
                                    << QStringLiteral("probes[0].insecurePlaintext: ");
}

void tst_StaticBackend::settingsFromJson()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, error);
    QString actual;
    const auto settings = StaticBackend::Settings::fromJson(QJsonDocument::fromJson(json).object(), &actual);
    QCOMPARE(settings.has_value(), error.isEmpty());
    if (error.endsWith(u' '))
        QVERIFY2(actual.startsWith(error), qPrintable(actual));
    else
        QCOMPARE(actual, error);
}

void tst_StaticBackend::handsOutEachProbeOnce()
{
    MemorySecretStore secrets;
    secrets.secrets.insert(QStringLiteral("a"), QStringLiteral("token-a"));
    secrets.secrets.insert(QStringLiteral("b"), QStringLiteral("token-b"));
    StaticBackend::Settings settings;
    settings.probes = { { QUrl(QStringLiteral("wss://a.example:8700")), QStringLiteral("a"), "ab12", false },
        { QUrl(QStringLiteral("ws://b.example:8700")), QStringLiteral("b"), {}, true } };
    StaticBackend backend(settings, &secrets);
    QCOMPARE(backend.limit(), 2);
    QSignalSpy booted(&backend, &Backend::booted);
    QSignalSpy failed(&backend, &Backend::bootFailed);
    backend.boot(QStringLiteral("r1"));
    backend.boot(QStringLiteral("r2"));
    backend.boot(QStringLiteral("r3"));
    QTRY_COMPARE(booted.count() + failed.count(), 3);
    QCOMPARE(failed.count(), 1);
    QCOMPARE(failed.first().first().toString(), QStringLiteral("r3"));
    QVERIFY(failed.first().at(1).toString().contains(u"all 2 configured probes are in use"));
    const auto first = booted.at(0).at(1).value<ProbeClient::Endpoint>();
    QCOMPARE(first.url, QUrl(QStringLiteral("wss://a.example:8700")));
    QCOMPARE(first.token, QStringLiteral("token-a"));
    QCOMPARE(first.pinnedCertificateSha256, QByteArray("ab12"));
    QVERIFY(!first.insecurePlaintext);
    QCOMPARE(booted.at(1).at(1).value<ProbeClient::Endpoint>().token, QStringLiteral("token-b"));
    // The config's allowance travels with the endpoint to the client, which refuses ws:// off loopback without it.
    QVERIFY(booted.at(1).at(1).value<ProbeClient::Endpoint>().insecurePlaintext);

    // Stopping a runner frees its probe for the next one.
    backend.stop(QStringLiteral("r1"));
    backend.boot(QStringLiteral("r4"));
    QTRY_COMPARE(booted.count(), 3);
    QCOMPARE(booted.at(2).at(0).toString(), QStringLiteral("r4"));
    QCOMPARE(booted.at(2).at(1).value<ProbeClient::Endpoint>().token, QStringLiteral("token-a"));
}

void tst_StaticBackend::missingTokenFailsClearly()
{
    MemorySecretStore secrets;
    StaticBackend::Settings settings;
    settings.probes = { { QUrl(QStringLiteral("wss://a.example:8700")), QStringLiteral("probe-a"), {} } };
    StaticBackend backend(settings, &secrets);
    QSignalSpy failed(&backend, &Backend::bootRefused); // waiting would not help: the pool does not retry
    backend.boot(QStringLiteral("r1"));
    QVERIFY(failed.wait(2000));
    QVERIFY(failed.first().at(1).toString().contains(u"probe-a"));
}

QTEST_GUILESS_MAIN(tst_StaticBackend)
#include "tst_staticbackend.moc"
