// The load options `worldspeed-probe measure` and `worldspeed-cli run` share: what each value reads as, and the one
// message each bad value gets, word for word.
#include "model/connectivityprofile.h"
#include "model/loadoptionsparser.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

// What a command adds around the shared options, to show they live together on one parser.
const QCommandLineOption formatOption(QStringLiteral("format"), QStringLiteral("Output."), QStringLiteral("FORMAT"));

LoadOptionsParser::Values values(int runs, const QString &profile, int timeoutMs, bool repeatView)
{
    LoadOptionsParser::Values v;
    v.runs = runs;
    v.options.profile = profile;
    v.options.timeoutMs = timeoutMs;
    v.options.repeatView = repeatView;
    return v;
}

} // namespace

Q_DECLARE_METATYPE(LoadOptionsParser::Values)

class tst_LoadOptionsParser : public QObject
{
    Q_OBJECT

private slots:
    void goodValues_data();
    void goodValues();
    void badValues_data();
    void badValues();
    void declaredOnTheCommandsParser();
    void deviceAndCpu();
    void badDeviceAndCpu_data();
    void badDeviceAndCpu();
    void newOptionsTravelOnlyWhenAsked();
    void relativeCpuSlowdown();
    void finishAtTheLoadEvent();
    void testSettings();
    void badTestSettings_data();
    void badTestSettings();
    void secretsGoOnlyToTheProbe();
    void scriptFromAFile();
};

void tst_LoadOptionsParser::goodValues_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<LoadOptionsParser::Values>("expected");

    QTest::newRow("none: the defaults") << QStringList {}
                                        << values(1, QStringLiteral("Native"), LoadOptions::defaultTimeoutMs, false);
    QTest::newRow("runs") << QStringList { QStringLiteral("--runs"), QStringLiteral("5") }
                          << values(5, QStringLiteral("Native"), 60'000, false);
    QTest::newRow("runs at its upper limit")
        << QStringList { QStringLiteral("--runs=100") } << values(100, QStringLiteral("Native"), 60'000, false);
    QTest::newRow("runs one") << QStringList { QStringLiteral("--runs=1") }
                              << values(1, QStringLiteral("Native"), 60'000, false);
    QTest::newRow("profile by its name") << QStringList { QStringLiteral("--profile"), QStringLiteral("Cable") }
                                         << values(1, QStringLiteral("Cable"), 60'000, false);
    QTest::newRow("profile ignoring case and spaces") << QStringList { QStringLiteral("--profile"),
        QStringLiteral("3gfast") } << values(1, QStringLiteral("3G Fast"), 60'000, false);
    QTest::newRow("timeout in seconds") << QStringList { QStringLiteral("--timeout"), QStringLiteral("30") }
                                        << values(1, QStringLiteral("Native"), 30'000, false);
    QTest::newRow("timeout at its lower limit")
        << QStringList { QStringLiteral("--timeout=1") } << values(1, QStringLiteral("Native"), 1'000, false);
    QTest::newRow("timeout fractional") << QStringList { QStringLiteral("--timeout=1.5") }
                                        << values(1, QStringLiteral("Native"), 1'500, false);
    QTest::newRow("timeout at its upper limit")
        << QStringList { QStringLiteral("--timeout=600") } << values(1, QStringLiteral("Native"), 600'000, false);
    QTest::newRow("repeat view") << QStringList { QStringLiteral("--repeat-view") }
                                 << values(1, QStringLiteral("Native"), 60'000, true);
    QTest::newRow("all together, among the command's own") << QStringList { QStringLiteral("--format"),
        QStringLiteral("json"), QStringLiteral("--runs"), QStringLiteral("3"), QStringLiteral("--repeat-view"),
        QStringLiteral("--profile"), QStringLiteral("dsl"), QStringLiteral("--timeout"), QStringLiteral("45") }
                                                           << values(3, QStringLiteral("DSL"), 45'000, true);
}

void tst_LoadOptionsParser::goodValues()
{
    QFETCH(QStringList, arguments);
    QFETCH(LoadOptionsParser::Values, expected);
    const LoadOptionsParser loadOptions(QStringLiteral("Runs"));
    QCommandLineParser parser;
    parser.addOption(formatOption);
    loadOptions.addOptions(parser);
    QVERIFY2(parser.parse(QStringList { QStringLiteral("program") } + arguments), qPrintable(parser.errorText()));
    QString error = QStringLiteral("untouched");
    const auto read = loadOptions.read(parser, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->runs, expected.runs);
    QCOMPARE(read->options.profile, expected.options.profile);
    QCOMPARE(read->options.timeoutMs, expected.options.timeoutMs);
    QCOMPARE(read->options.repeatView, expected.options.repeatView);
    QVERIFY(!read->options.screenshot); // the commands' own business (measure --screenshot FILE)
    QVERIFY(*read == expected);
    QCOMPARE(error, QStringLiteral("untouched"));
}

void tst_LoadOptionsParser::badValues_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");

    const QString runs = QStringLiteral("--runs must be a whole number from 1 to 100");
    const QString timeout = QStringLiteral("--timeout must be a number of seconds from 1 to 600");
    const QString profiles = ConnectivityProfile::names().join(QStringLiteral(", "));
    QCOMPARE(profiles, QStringLiteral("Native, FIOS, Cable, DSL, LTE, 4G, 3G Fast, 3G, 3G Slow, 2G, Edge, Dial"));

    QTest::newRow("runs zero") << QStringList { QStringLiteral("--runs"), QStringLiteral("0") } << runs;
    QTest::newRow("runs over") << QStringList { QStringLiteral("--runs"), QStringLiteral("101") } << runs;
    QTest::newRow("runs negative") << QStringList { QStringLiteral("--runs=-2") } << runs;
    QTest::newRow("runs a word") << QStringList { QStringLiteral("--runs"), QStringLiteral("zero") } << runs;
    QTest::newRow("runs fractional") << QStringList { QStringLiteral("--runs"), QStringLiteral("2.5") } << runs;
    QTest::newRow("runs empty") << QStringList { QStringLiteral("--runs=") } << runs;
    QTest::newRow("timeout under") << QStringList { QStringLiteral("--timeout"), QStringLiteral("0.5") } << timeout;
    QTest::newRow("timeout over") << QStringList { QStringLiteral("--timeout"), QStringLiteral("601") } << timeout;
    QTest::newRow("timeout a word") << QStringList { QStringLiteral("--timeout"), QStringLiteral("long") } << timeout;
    QTest::newRow("timeout with a unit") << QStringList { QStringLiteral("--timeout"), QStringLiteral("30s") }
                                         << timeout;
    QTest::newRow("timeout not a number")
        << QStringList { QStringLiteral("--timeout"), QStringLiteral("nan") } << timeout;
    QTest::newRow("timeout infinite") << QStringList { QStringLiteral("--timeout"), QStringLiteral("inf") } << timeout;
    QTest::newRow("unknown profile") << QStringList { QStringLiteral("--profile"), QStringLiteral("5G") }
                                     << QStringLiteral("unknown profile \"5G\" (one of %1)").arg(profiles);
    QTest::newRow("empty profile") << QStringList { QStringLiteral("--profile=") }
                                   << QStringLiteral("unknown profile \"\" (one of %1)").arg(profiles);
}

void tst_LoadOptionsParser::badValues()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const LoadOptionsParser loadOptions(QStringLiteral("Runs"));
    QCommandLineParser parser;
    loadOptions.addOptions(parser);
    QVERIFY2(parser.parse(QStringList { QStringLiteral("program") } + arguments), qPrintable(parser.errorText()));
    QString error;
    QVERIFY(!loadOptions.read(parser, &error));
    QCOMPARE(error, message);
}

void tst_LoadOptionsParser::declaredOnTheCommandsParser()
{
    const LoadOptionsParser loadOptions(QStringLiteral("Runs per region"));
    QCommandLineParser parser;
    parser.addOption(formatOption);
    loadOptions.addOptions(parser);
    // Whitespace aside: Qt wraps each description to the width the longest option leaves it.
    const QString help = parser.helpText().simplified();
    // In this order, each with its value's name, range and default, the runs named as the command counts them.
    const QStringList lines {
        QStringLiteral("--format <FORMAT>"),
        QStringLiteral("--profile <NAME>"),
        QStringLiteral("Connectivity to emulate: Native, FIOS, Cable"),
        QStringLiteral("--runs <N>"),
        QStringLiteral("Runs per region (1-100); the median is reported."),
        QStringLiteral("--repeat-view"),
        QStringLiteral("--timeout <SECONDS>"),
        QStringLiteral("Seconds one view may take (1-600)."),
        QStringLiteral("--device <NAME>"),
        QStringLiteral("Device to load the page as: desktop, moto-g-power,"),
        QStringLiteral("--cpu-slowdown <N>"),
        QStringLiteral("--cpu-slowdown-reference"),
        QStringLiteral("than the reference CPU (benchmark index 500)"),
        QStringLiteral("--finish-at <EVENT>"),
        QStringLiteral("--header <HEADER>"),
        QStringLiteral("--public-header <NAME>"),
        QStringLiteral("--cookie <COOKIE>"),
        QStringLiteral("--user-agent <STRING>"),
        QStringLiteral("--basic-auth <USER:SECRET>"),
        QStringLiteral("--block <PATTERN>"),
        QStringLiteral("--block-domains <HOSTS>"),
        QStringLiteral("--block-domains-except <HOSTS>"),
        QStringLiteral("--filmstrip"),
    };
    qsizetype at = 0;
    for (const QString &line : lines) {
        const qsizetype found = help.indexOf(line, at);
        QVERIFY2(
            found >= 0, qPrintable(QStringLiteral("\"%1\" not after offset %2 in:\n%3").arg(line).arg(at).arg(help)));
        at = found + line.size();
    }
    // Unknown to the shared options, an option stays the command's parser's error.
    QVERIFY(!parser.parse({ QStringLiteral("program"), QStringLiteral("--frobnicate") }));
    QCOMPARE(parser.errorText(), QStringLiteral("Unknown option 'frobnicate'."));
}

namespace {

std::optional<LoadOptionsParser::Values> parse(const QStringList &arguments, QString *error)
{
    const LoadOptionsParser loadOptions(QStringLiteral("Runs"));
    QCommandLineParser parser;
    loadOptions.addOptions(parser);
    if (!parser.parse(QStringList { QStringLiteral("program") } + arguments)) {
        *error = parser.errorText();
        return std::nullopt;
    }
    return loadOptions.read(parser, error);
}

} // namespace

void tst_LoadOptionsParser::deviceAndCpu()
{
    QString error;
    auto read = parse({}, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->options.device, QStringLiteral("desktop"));
    QVERIFY(!read->options.cpuSlowdown);
    QCOMPARE(read->options.effectiveCpuSlowdown(), 1);
    QVERIFY(read->options.requiredCapabilities().isEmpty());

    // Lighthouse's mobile device slows the CPU 4× unless told otherwise.
    read = parse({ QStringLiteral("--device"), QStringLiteral("Moto-G-Power") }, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->options.device, QStringLiteral("moto-g-power"));
    QCOMPARE(read->options.effectiveCpuSlowdown(), 4);
    QCOMPARE(read->options.requiredCapabilities(),
        (QStringList { QStringLiteral("device"), QStringLiteral("cpu-slowdown") }));

    read = parse({ QStringLiteral("--device=moto-g-power"), QStringLiteral("--cpu-slowdown=1") }, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->options.effectiveCpuSlowdown(), 1);
    QCOMPARE(read->options.requiredCapabilities(), QStringList { QStringLiteral("device") });

    read
        = parse({ QStringLiteral("--device=390X844@3,Mobile"), QStringLiteral("--cpu-slowdown"), QStringLiteral("20") },
            &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->options.device, QStringLiteral("390x844@3,mobile"));
    QCOMPARE(read->options.cpuSlowdown, std::optional<int>(20));
    QVERIFY(!read->options.filmstrip);

    // A filmstrip is one more thing only a probe that lists it can do.
    read = parse({ QStringLiteral("--filmstrip") }, &error);
    QVERIFY2(read, qPrintable(error));
    QVERIFY(read->options.filmstrip);
    QCOMPARE(read->options.requiredCapabilities(), QStringList { QStringLiteral("filmstrip") });
    QCOMPARE(read->options.toJson().value(QStringLiteral("filmstrip")), QJsonValue(true));
    QVERIFY(!LoadOptions {}.toJson().contains(QStringLiteral("filmstrip")));
    QCOMPARE(LoadOptions::fromJson(read->options.toJson(), &error), read->options);
}

void tst_LoadOptionsParser::badDeviceAndCpu_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const QString cpu = QStringLiteral("--cpu-slowdown must be a whole number from 1 to 20");
    QTest::newRow("cpu zero") << QStringList { QStringLiteral("--cpu-slowdown=0") } << cpu;
    QTest::newRow("cpu over") << QStringList { QStringLiteral("--cpu-slowdown=21") } << cpu;
    QTest::newRow("cpu fractional") << QStringList { QStringLiteral("--cpu-slowdown=2.5") } << cpu;
    QTest::newRow("cpu a word") << QStringList { QStringLiteral("--cpu-slowdown=fast") } << cpu;
    QTest::newRow("unknown device")
        << QStringList { QStringLiteral("--device=nokia") }
        << QStringLiteral("--device: unknown device \"nokia\": use one of desktop, moto-g-power, iphone-12-pro, "
                          "ipad-air, or WIDTHxHEIGHT[@DPR][,mobile] such as 390x844@3,mobile");
    QTest::newRow("device too big") << QStringList { QStringLiteral("--device=20000x10") }
                                    << QStringLiteral("--device: device \"20000x10\": width and height must be 1 "
                                                      "to 10000 pixels");
}

void tst_LoadOptionsParser::badDeviceAndCpu()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!parse(arguments, &error));
    QCOMPARE(error, message);
}

void tst_LoadOptionsParser::newOptionsTravelOnlyWhenAsked()
{
    // A run that asks nothing new reads the same to a probe that predates the device and CPU options.
    const LoadOptions plain;
    QVERIFY(!plain.toJson().contains(QStringLiteral("device")));
    QVERIFY(!plain.toJson().contains(QStringLiteral("cpuSlowdown")));
    LoadOptions phone;
    phone.device = QStringLiteral("iphone-12-pro");
    phone.cpuSlowdown = 6;
    QString error;
    const auto back = LoadOptions::fromJson(phone.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, phone);
    // The wire is checked as strictly as the command line.
    QJsonObject bad = phone.toJson();
    bad.insert(QStringLiteral("device"), QStringLiteral("toaster"));
    QVERIFY(!LoadOptions::fromJson(bad, &error));
    QVERIFY2(error.contains(QStringLiteral("unknown device")), qPrintable(error));
    bad = phone.toJson();
    bad.insert(QStringLiteral("cpuSlowdown"), 50);
    QVERIFY(!LoadOptions::fromJson(bad, &error));
    QVERIFY2(error.contains(QStringLiteral("cpuSlowdown")), qPrintable(error));
}

void tst_LoadOptionsParser::relativeCpuSlowdown()
{
    QString error;
    auto read = parse({ QStringLiteral("--cpu-slowdown=4"), QStringLiteral("--cpu-slowdown-reference") }, &error);
    QVERIFY2(read, qPrintable(error));
    const LoadOptions relative = read->options;
    QVERIFY(relative.cpuSlowdownRelative);
    QCOMPARE(relative.requiredCapabilities(),
        (QStringList { QStringLiteral("cpu-slowdown"), QStringLiteral("cpu-slowdown-relative") }));
    QVERIFY(LoadOptions::capabilities().contains(QStringLiteral("cpu-slowdown-relative")));
    // rate = N × own index / reference index, clamped to 1-20 and rounded to two decimals.
    const double reference = LoadOptions::referenceCpuBenchmarkIndex;
    QCOMPARE(relative.cpuSlowdownRate(reference), 4.0);
    QCOMPARE(relative.cpuSlowdownRate(reference * 1.5), 6.0); // a faster machine is slowed down more
    QCOMPARE(relative.cpuSlowdownRate(reference / 2), 2.0);
    QCOMPARE(relative.cpuSlowdownRate(reference * 0.3333), 1.33);
    QCOMPARE(relative.cpuSlowdownRate(reference / 10), 1.0); // never faster than the machine itself
    QCOMPARE(relative.cpuSlowdownRate(reference * 9), 20.0);
    QCOMPARE(relative.cpuSlowdownRate(std::nullopt), 4.0); // no index: the plain slowdown
    // Not relative: the index does not matter.
    LoadOptions plain = relative;
    plain.cpuSlowdownRelative = false;
    QCOMPARE(plain.cpuSlowdownRate(reference * 3), 4.0);
    // Relative to the device's default, and a relative 1 still needs a probe that knows what it means.
    read = parse({ QStringLiteral("--device=moto-g-power"), QStringLiteral("--cpu-slowdown-reference") }, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->options.cpuSlowdownRate(reference * 2), 8.0);
    LoadOptions one;
    one.cpuSlowdownRelative = true;
    QCOMPARE(one.requiredCapabilities(), QStringList { QStringLiteral("cpu-slowdown-relative") });
    QCOMPARE(one.cpuSlowdownRate(reference * 2), 2.0);
    // On the wire only when asked, and read back.
    QVERIFY(!plain.toJson().contains(QStringLiteral("cpuSlowdownRelative")));
    const auto back = LoadOptions::fromJson(relative.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, relative);
    QJsonObject bad = relative.toJson();
    bad.insert(QStringLiteral("cpuSlowdownRelative"), QStringLiteral("yes"));
    QVERIFY(!LoadOptions::fromJson(bad, &error));
    QVERIFY2(error.contains(QStringLiteral("cpuSlowdownRelative")), qPrintable(error));
}

void tst_LoadOptionsParser::finishAtTheLoadEvent()
{
    QString error;
    auto read = parse({}, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->options.finishAt, LoadOptions::FinishAt::FullyLoaded);
    QVERIFY(!read->options.toJson().contains(QStringLiteral("finishAt")));

    read = parse({ QStringLiteral("--finish-at=load") }, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->options.finishAt, LoadOptions::FinishAt::Load);
    // A probe that predates it would wait for fully loaded without a word: only a probe that says it can gets it.
    QCOMPARE(read->options.requiredCapabilities(), QStringList { QStringLiteral("finish-at") });
    QVERIFY(LoadOptions::capabilities().contains(QStringLiteral("finish-at")));
    QCOMPARE(read->options.toJson().value(QStringLiteral("finishAt")).toString(), QStringLiteral("load"));
    const auto back = LoadOptions::fromJson(read->options.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, read->options);

    read = parse({ QStringLiteral("--finish-at"), QStringLiteral("fully-loaded") }, &error);
    QVERIFY2(read, qPrintable(error));
    QCOMPARE(read->options.finishAt, LoadOptions::FinishAt::FullyLoaded);

    QVERIFY(!parse({ QStringLiteral("--finish-at=onload") }, &error));
    QCOMPARE(error, QStringLiteral("--finish-at must be load or fully-loaded, not \"onload\""));
    QJsonObject bad = LoadOptions {}.toJson();
    bad.insert(QStringLiteral("finishAt"), QStringLiteral("paint"));
    QVERIFY(!LoadOptions::fromJson(bad, &error));
    QVERIFY2(error.contains(QStringLiteral("finishAt")), qPrintable(error));
}

void tst_LoadOptionsParser::testSettings()
{
    QString error;
    const auto read
        = parse({ QStringLiteral("--header"), QStringLiteral("X-Staging-Key: abc: def"),
                    QStringLiteral("--header=[API.example.com] X-Flag:on"), QStringLiteral("--public-header=x-flag"),
                    QStringLiteral("--cookie"), QStringLiteral("session=${secret:sess}"), QStringLiteral("--cookie"),
                    QStringLiteral("consent=yes; domain=.example.com"), QStringLiteral("--user-agent=WorldSpeedBot/1"),
                    QStringLiteral("--basic-auth"), QStringLiteral("tester:staging-pass"), QStringLiteral("--block"),
                    QStringLiteral("ads.js"), QStringLiteral("--block=/track?"), QStringLiteral("--block-domains"),
                    QStringLiteral("Ads.example.net, cdn.x.org"), QStringLiteral("--block-domains=ads.example.net"),
                    QStringLiteral("--block-domains-except"), QStringLiteral("example.com") },
            &error);
    QVERIFY2(read, qPrintable(error));
    const TestSettings &t = read->options.test;
    QCOMPARE(t.headers.size(), 2);
    QCOMPARE(
        t.headers.at(0), (HeaderSetting { QStringLiteral("X-Staging-Key"), QStringLiteral("abc: def"), {}, false }));
    QCOMPARE(t.headers.at(1),
        (HeaderSetting { QStringLiteral("X-Flag"), QStringLiteral("on"), QStringLiteral("api.example.com"), true }));
    QCOMPARE(t.cookies.size(), 2);
    QCOMPARE(t.cookies.at(0), (CookieSetting { QStringLiteral("session"), QStringLiteral("${secret:sess}"), {} }));
    QCOMPARE(t.cookies.at(1),
        (CookieSetting { QStringLiteral("consent"), QStringLiteral("yes"), QStringLiteral("example.com") }));
    QCOMPARE(t.userAgent, QStringLiteral("WorldSpeedBot/1"));
    QCOMPARE(t.basicAuth, (BasicAuthSetting { QStringLiteral("tester"), QStringLiteral("staging-pass") }));
    QCOMPARE(t.block, (QStringList { QStringLiteral("ads.js"), QStringLiteral("/track?") }));
    QCOMPARE(t.blockDomains, (QStringList { QStringLiteral("ads.example.net"), QStringLiteral("cdn.x.org") }));
    QCOMPARE(t.blockDomainsExcept, QStringList { QStringLiteral("example.com") });
    QCOMPARE(t.secretNames(), (QStringList { QStringLiteral("staging-pass"), QStringLiteral("sess") }));
    // A probe that does not know these options never gets them (ProbeClient::submit checks this list).
    QCOMPARE(read->options.requiredCapabilities(),
        (QStringList { QStringLiteral("headers"), QStringLiteral("cookies"), QStringLiteral("user-agent"),
            QStringLiteral("basic-auth"), QStringLiteral("block") }));
    for (const QString &needed : read->options.requiredCapabilities())
        QVERIFY(LoadOptions::capabilities().contains(needed));
    QVERIFY(LoadOptions().requiredCapabilities().isEmpty());
}

void tst_LoadOptionsParser::badTestSettings_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    QTest::newRow("header without a colon")
        << QStringList { QStringLiteral("--header=X-Key abc") }
        << QStringLiteral("--header: a header is written \"Name: value\", not \"X-Key abc\"");
    QTest::newRow("header name with a space") << QStringList { QStringLiteral("--header=X Key: abc") }
                                              << QStringLiteral("--header: \"X Key\" is not a header name");
    QTest::newRow("header with a line break")
        << QStringList { QStringLiteral("--header=X-Key: a\r\nHost: evil") }
        << QStringLiteral("--header: the value of header X-Key has control characters or is over 8192 characters");
    QTest::newRow("host limit not closed")
        << QStringList { QStringLiteral("--header=[example.com X-Key: a") }
        << QStringLiteral("--header: \"[example.com X-Key: a\": a host limit is written [host] before the header");
    QTest::newRow("public header never given")
        << QStringList { QStringLiteral("--header=X-Key: a"), QStringLiteral("--public-header=X-Other") }
        << QStringLiteral("--public-header X-Other: no --header of that name");
    QTest::newRow("cookie without a value")
        << QStringList { QStringLiteral("--cookie=session") }
        << QStringLiteral("--cookie: a cookie is written \"name=value\" or \"name=value; domain=host\", not "
                          "\"session\"");
    QTest::newRow("cookie with another attribute")
        << QStringList { QStringLiteral("--cookie=a=b; path=/x") }
        << QStringLiteral("--cookie: cookie a: only domain= may follow the value, not \"path=/x\"");
    QTest::newRow("basic auth with a password instead of a secret name")
        << QStringList { QStringLiteral("--basic-auth=tester:hunter 2!") }
        << QStringLiteral("--basic-auth: basic auth is written USER:SECRET, where SECRET names the secret that "
                          "holds the password (1-64 of A-Z, a-z, 0-9, '.', '_', '-'), never the password itself");
    QTest::newRow("block domain that is a URL")
        << QStringList { QStringLiteral("--block-domains=https://ads.example.net/") }
        << QStringLiteral("--block-domains: \"https://ads.example.net/\" is not a host name");
    QTest::newRow("user agent of two lines") << QStringList { QStringLiteral("--user-agent=a\nb") }
                                             << QStringLiteral("--user-agent: one line of at most 1024 characters");
}

void tst_LoadOptionsParser::badTestSettings()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    QString error;
    QVERIFY(!parse(arguments, &error));
    QCOMPARE(error, message);
}

void tst_LoadOptionsParser::secretsGoOnlyToTheProbe()
{
    LoadOptions options;
    options.test.headers = { { QStringLiteral("X-Key"), QStringLiteral("header-secret"), {}, false },
        { QStringLiteral("X-Flag"), QStringLiteral("visible-flag"), {}, true },
        { QStringLiteral("X-Token"), QStringLiteral("Bearer ${secret:token}"), QStringLiteral("api.example.com"),
            false } };
    options.test.cookies = { { QStringLiteral("session"), QStringLiteral("cookie-secret"), {} } };
    options.test.basicAuth = BasicAuthSetting { QStringLiteral("tester"), QStringLiteral("pw") };
    options.test.block = { QStringLiteral("ads.js") };
    options.test.secretValues = { { QStringLiteral("pw"), QStringLiteral("password-secret") },
        { QStringLiteral("token"), QStringLiteral("token-secret") } };

    // On the wire to a probe: everything, and read back the same.
    QString error;
    const auto wire = LoadOptions::fromJson(options.toJson(TestSettings::Secrets::Included), &error);
    QVERIFY2(wire, qPrintable(error));
    QCOMPARE(*wire, options);
    QCOMPARE(wire->test.resolve(wire->test.headers.at(2).value), QStringLiteral("Bearer token-secret"));

    // Everywhere else (results, history, exports): no secret at all, the public header as it is.
    const QByteArray stored = QJsonDocument(options.toJson()).toJson();
    for (const char *secret : { "header-secret", "cookie-secret", "password-secret", "token-secret" })
        QVERIFY2(!stored.contains(secret), stored.constData());
    QVERIFY(stored.contains("visible-flag"));
    QVERIFY(stored.contains("\"passwordSecret\": \"pw\""));
    const auto masked = LoadOptions::fromJson(options.toJson(), &error);
    QVERIFY2(masked, qPrintable(error));
    QCOMPARE(masked->test.headers.at(0).value, TestSettings::mask());
    QCOMPARE(masked->test.cookies.at(0).value, TestSettings::mask());
    QVERIFY(masked->test.secretValues.isEmpty());
    QCOMPARE(masked->test.block, options.test.block);
    const QString described = options.test.describe().join(u'\n');
    QVERIFY2(described.contains(u"Header X-Key: •••") && described.contains(u"Header X-Flag: visible-flag")
            && !described.contains(u"secret\n") && !described.contains(u"cookie-secret"),
        qPrintable(described));

    // What the browser could echo back, masked: values of secrets, header values, the basic auth credentials.
    const QStringList sensitive = options.test.sensitiveValues();
    QVERIFY(sensitive.contains(QStringLiteral("password-secret")));
    QVERIFY(sensitive.contains(QStringLiteral("header-secret")));
    QVERIFY(sensitive.contains(QStringLiteral("Bearer token-secret")));
    QVERIFY(sensitive.contains(QStringLiteral("cookie-secret")));
    QVERIFY(sensitive.contains(QString::fromLatin1(QByteArray("tester:password-secret").toBase64())));
    QVERIFY(!sensitive.contains(QStringLiteral("visible-flag")));

    // A bad secret name or a header value with a line break is refused on the wire too.
    QJsonObject bad = options.toJson(TestSettings::Secrets::Included);
    bad.insert(QStringLiteral("secretValues"), QJsonObject { { QStringLiteral("no spaces"), QStringLiteral("x") } });
    QVERIFY(!LoadOptions::fromJson(bad, &error));
    QVERIFY2(error.contains(u"secretValues"), qPrintable(error));
}

void tst_LoadOptionsParser::scriptFromAFile()
{
    // --script reads the file and checks it with the one parser; its problems name the file and the line.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const auto write = [&dir](const QString &name, const QByteArray &text) {
        QFile file(dir.filePath(name));
        return file.open(QIODevice::WriteOnly) && file.write(text) == text.size() ? file.fileName() : QString();
    };
    const QString good = write(QStringLiteral("good.wpt"),
        "logData\t0\nnavigate\thttp://a.test/\nlogData\t1\n"
        "navigate\thttp://a.test/b\n");
    const QString bad = write(QStringLiteral("bad.wpt"), "navigate\thttp://a.test/\nclick\n");
    const auto read = [](const QStringList &arguments, QString *error) {
        const LoadOptionsParser loadOptions(QStringLiteral("Runs"));
        QCommandLineParser parser;
        loadOptions.addOptions(parser);
        if (!parser.parse(QStringList { QStringLiteral("program") } + arguments))
            return std::optional<LoadOptionsParser::Values>();
        return loadOptions.read(parser, error);
    };
    QString error;
    const auto values = read({ QStringLiteral("--script"), good }, &error);
    QVERIFY2(values, qPrintable(error));
    QCOMPARE(values->options.test.script,
        QStringLiteral("logData\t0\nnavigate\thttp://a.test/\nlogData\t1\n"
                       "navigate\thttp://a.test/b\n"));
    QVERIFY(values->options.requiredCapabilities().contains(QStringLiteral("script")));
    QVERIFY(!read({ QStringLiteral("--script"), bad }, &error));
    QCOMPARE(error, QStringLiteral("--script %1: line 2: click takes 1 argument(s), not 0").arg(bad));
    QVERIFY(!read({ QStringLiteral("--script"), dir.filePath(QStringLiteral("none.wpt")) }, &error));
    QVERIFY2(
        error.startsWith(QStringLiteral("--script: cannot read %1: ").arg(dir.filePath(QStringLiteral("none.wpt")))),
        qPrintable(error));
    QVERIFY(!read({ QStringLiteral("--repeat-view"), QStringLiteral("--script"), good }, &error));
    QCOMPARE(
        error, QStringLiteral("--repeat-view and --script cannot be combined: a script's run measures its step once"));
}

QTEST_GUILESS_MAIN(tst_LoadOptionsParser)
#include "tst_loadoptionsparser.moc"
