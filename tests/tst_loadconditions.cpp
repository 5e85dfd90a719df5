// How a page is loaded, as the shared model carries it: LoadOptions and LoadError survive toJson → text → fromJson
// unchanged and name the field a decode error is about; connectivity profiles resolve by their names; Chrome's
// net:: errors map to a LoadError kind, and the kinds' wire names round-trip.

#include "decodeerrortable.h"
#include "jsontext.h"
#include "model/connectivityprofile.h"
#include "model/loaderror.h"
#include "model/loadoptions.h"

#include <QTest>

namespace {

const QList<LoadError::Kind> allKinds {
    LoadError::Kind::InvalidUrl,
    LoadError::Kind::DnsFailure,
    LoadError::Kind::ConnectionFailed,
    LoadError::Kind::TlsFailure,
    LoadError::Kind::Timeout,
    LoadError::Kind::HttpError,
    LoadError::Kind::BadResponse,
    LoadError::Kind::BrowserUnavailable,
    LoadError::Kind::BrowserCrashed,
    LoadError::Kind::BrowserUnresponsive,
    LoadError::Kind::Cancelled,
    LoadError::Kind::Refused,
    LoadError::Kind::Other,
};

} // namespace

class tst_LoadConditions : public QObject
{
    Q_OBJECT

private slots:
    void loadOptionsRoundTrip_data();
    void loadOptionsRoundTrip();
    void loadErrorRoundTrip_data();
    void loadErrorRoundTrip();

    void unknownLoadErrorKindIsOther();
    void profileNameIsCanonicalised();

    void decodeErrors_data();
    void decodeErrors();

    void byName_data();
    void byName();
    void profileNumbers();

    void kindOfNetError_data();
    void kindOfNetError();
    void kindNamesRoundTrip();
};

void tst_LoadConditions::loadOptionsRoundTrip_data()
{
    QTest::addColumn<LoadOptions>("options");
    QTest::newRow("defaults") << LoadOptions {};
    QTest::newRow("everything set") << LoadOptions { 1000, QStringLiteral("Dial"), true, true,
        QStringLiteral("360x640@2,mobile"), 20 };
    QTest::newRow("longest timeout") << LoadOptions { LoadOptions::maxTimeoutMs, QStringLiteral("3G Slow"), false, true,
        QStringLiteral("desktop"), {} };
}

void tst_LoadConditions::loadOptionsRoundTrip()
{
    QFETCH(LoadOptions, options);
    QString error;
    const auto decoded = LoadOptions::fromJson(viaText(options.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, options);
}

void tst_LoadConditions::loadErrorRoundTrip_data()
{
    QTest::addColumn<LoadError>("loadError");
    for (LoadError::Kind kind : allKinds) {
        const QString name = LoadError::kindName(kind);
        QTest::newRow(qPrintable(name)) << LoadError { kind, QStringLiteral("because of ") + name };
    }
    QTest::newRow("empty message") << LoadError { LoadError::Kind::Cancelled, QString() };
}

void tst_LoadConditions::loadErrorRoundTrip()
{
    QFETCH(LoadError, loadError);
    QString error;
    const auto decoded = LoadError::fromJson(viaText(loadError.toJson()), &error);
    QVERIFY2(decoded, qPrintable(error));
    QCOMPARE(*decoded, loadError);
}

void tst_LoadConditions::unknownLoadErrorKindIsOther()
{
    // A newer probe may name a kind this build does not know: keep the message, call the kind "other".
    const auto decoded = LoadError::fromJson(parse(R"({"kind":"quantum-failure","message":"m"})"), nullptr);
    QVERIFY(decoded);
    QCOMPARE(LoadError::kindName(decoded->kind), QStringLiteral("other"));
    QCOMPARE(decoded->message, QStringLiteral("m"));
}

void tst_LoadConditions::profileNameIsCanonicalised()
{
    const auto decoded = LoadOptions::fromJson(parse(R"({"profile":"3gfast"})"), nullptr);
    QVERIFY(decoded);
    QCOMPARE(decoded->profile, QStringLiteral("3G Fast"));
    QCOMPARE(decoded->timeoutMs, LoadOptions::defaultTimeoutMs);
    QCOMPARE(decoded->repeatView, false);
}

void tst_LoadConditions::decodeErrors_data()
{
    // Each row: the struct, JSON it must refuse, and the start of the error (the field's path, then why).
    DecodeErrorTable::addColumns();
    const auto row = DecodeErrorTable::row;
    // LoadOptions
    row("options: timeout too short", "LoadOptions", R"({"timeoutMs":999})", "timeoutMs: 999 is outside 1000");
    row("options: timeout too long", "LoadOptions", R"({"timeoutMs":600001})", "timeoutMs: 600001 is outside");
    row("options: unknown profile", "LoadOptions", R"({"profile":"5G"})", "profile: unknown profile \"5G\"");
    row("options: profile is a number", "LoadOptions", R"({"profile":3})", "profile: expected a string");
    row("options: repeatView is a number", "LoadOptions", R"({"repeatView":1})", "repeatView: expected true or false");
    // LoadError
    row("error: kind missing", "LoadError", R"({"message":"m"})", "kind: is required");
    row("error: kind is a number", "LoadError", R"({"kind":4})", "kind: expected a string");
    row("error: message is an object", "LoadError", R"({"kind":"timeout","message":{}})", "message: expected a string");
}

void tst_LoadConditions::decodeErrors()
{
    DecodeErrorTable::check({ { QStringLiteral("LoadOptions"), &DecodeErrorTable::decoderOf<LoadOptions> },
        { QStringLiteral("LoadError"), &DecodeErrorTable::decoderOf<LoadError> } });
}

void tst_LoadConditions::byName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("canonical"); // empty: not found
    QTest::addColumn<double>("downKbps");

    QTest::newRow("exact") << QStringLiteral("3G Fast") << QStringLiteral("3G Fast") << 1600.0;
    QTest::newRow("lower case with space") << QStringLiteral("3g fast") << QStringLiteral("3G Fast") << 1600.0;
    QTest::newRow("no space, mixed case") << QStringLiteral("3GFast") << QStringLiteral("3G Fast") << 1600.0;
    QTest::newRow("3G is not 3G Fast") << QStringLiteral("3g") << QStringLiteral("3G") << 1600.0;
    QTest::newRow("native") << QStringLiteral("NATIVE") << QStringLiteral("Native") << 0.0;
    QTest::newRow("cable") << QStringLiteral("cable") << QStringLiteral("Cable") << 5000.0;
    QTest::newRow("unknown") << QStringLiteral("5G") << QString() << 0.0;
    QTest::newRow("dash is not a space") << QStringLiteral("3G-Fast") << QString() << 0.0;
    QTest::newRow("empty") << QString() << QString() << 0.0;
}

void tst_LoadConditions::byName()
{
    QFETCH(QString, name);
    QFETCH(QString, canonical);
    QFETCH(double, downKbps);
    const auto profile = ConnectivityProfile::byName(name);
    QCOMPARE(profile.has_value(), !canonical.isEmpty());
    if (profile) {
        QCOMPARE(profile->name, canonical);
        QCOMPARE(profile->downKbps, downKbps);
    }
}

void tst_LoadConditions::profileNumbers()
{
    const QStringList names = ConnectivityProfile::names();
    QCOMPARE(names.size(), ConnectivityProfile::all().size());
    QVERIFY(names.contains(QStringLiteral("Native")));
    QVERIFY(names.contains(QStringLiteral("3G Slow")));

    const auto native = ConnectivityProfile::byName(QStringLiteral("Native"));
    QVERIFY(native);
    QVERIFY(native->isNative());
    QCOMPARE(native->downBytesPerSecond(), -1.0); // -1: unthrottled for Network.emulateNetworkConditions

    const auto cable = ConnectivityProfile::byName(QStringLiteral("Cable"));
    QVERIFY(cable);
    QVERIFY(!cable->isNative());
    QCOMPARE(cable->downBytesPerSecond(), 625'000.0); // 5000 kbit/s
    QCOMPARE(cable->upBytesPerSecond(), 125'000.0);
    QCOMPARE(cable->rttMs, 28.0);

    // Every profile but Native throttles, and every name resolves to itself.
    for (const ConnectivityProfile &profile : ConnectivityProfile::all()) {
        QCOMPARE(profile.isNative(), profile.name == u"Native");
        const auto again = ConnectivityProfile::byName(profile.name);
        QVERIFY(again);
        QCOMPARE(again->name, profile.name);
    }
}

void tst_LoadConditions::kindOfNetError_data()
{
    QTest::addColumn<QString>("netError");
    QTest::addColumn<QString>("kind"); // compared by wire name, so a failure prints words

    const auto row = [](const char *netError, const char *kind) {
        QTest::newRow(netError) << QString::fromLatin1(netError) << QString::fromLatin1(kind);
    };
    row("net::ERR_NAME_NOT_RESOLVED", "dns-failure");
    row("net::ERR_NAME_RESOLUTION_FAILED", "dns-failure");
    row("net::ERR_DNS_TIMED_OUT", "dns-failure");
    row("net::ERR_CONNECTION_REFUSED", "connection-failed");
    row("net::ERR_CONNECTION_RESET", "connection-failed");
    row("net::ERR_CONNECTION_CLOSED", "connection-failed");
    row("net::ERR_ADDRESS_UNREACHABLE", "connection-failed");
    row("net::ERR_INTERNET_DISCONNECTED", "connection-failed");
    row("net::ERR_CONNECTION_TIMED_OUT", "timeout");
    row("net::ERR_TIMED_OUT", "timeout");
    row("net::ERR_CERT_AUTHORITY_INVALID", "tls-failure");
    row("net::ERR_CERT_DATE_INVALID", "tls-failure");
    row("net::ERR_SSL_PROTOCOL_ERROR", "tls-failure");
    row("net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH", "tls-failure");
    row("net::ERR_EMPTY_RESPONSE", "bad-response");
    row("net::ERR_INVALID_HTTP_RESPONSE", "bad-response");
    row("net::ERR_CONTENT_LENGTH_MISMATCH", "bad-response");
    row("net::ERR_ABORTED", "cancelled");
    row("net::ERR_INVALID_URL", "invalid-url");
    row("net::ERR_UNKNOWN_URL_SCHEME", "invalid-url");
    row("net::ERR_BLOCKED_BY_CLIENT", "other");
    row("", "other");
}

void tst_LoadConditions::kindOfNetError()
{
    QFETCH(QString, netError);
    QFETCH(QString, kind);
    QCOMPARE(LoadError::kindName(LoadError::kindOfNetError(netError)), kind);
}

void tst_LoadConditions::kindNamesRoundTrip()
{
    QStringList seen;
    for (LoadError::Kind kind : allKinds) {
        const QString name = LoadError::kindName(kind);
        QVERIFY2(!seen.contains(name), qPrintable(name));
        seen.append(name);
        const auto back = LoadError::kindFromName(name);
        QVERIFY(back);
        QVERIFY(*back == kind);
    }
    QVERIFY(!LoadError::kindFromName(QStringLiteral("Timeout"))); // wire names are exact, lower case
    QVERIFY(!LoadError::kindFromName(QString()));
}

QTEST_GUILESS_MAIN(tst_LoadConditions)
#include "tst_loadconditions.moc"
