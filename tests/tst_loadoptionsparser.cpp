// The load options `worldspeed-probe measure` and `worldspeed-cli run` share: what each value reads as, and the one
// message each bad value gets, word for word.
#include "model/connectivityprofile.h"
#include "model/loadoptionsparser.h"

#include <QCommandLineParser>
#include <QJsonObject>
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
    const QString help = parser.helpText();
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

QTEST_GUILESS_MAIN(tst_LoadOptionsParser)
#include "tst_loadoptionsparser.moc"
