// Budget: the --budget syntax of worldspeed-cli, its errors, and its checks against a region's medians — an
// absent metric never passes.
#include "budget.h"
#include "testrecord.h"

#include <QJsonArray>
#include <QTest>

using OptionalMetrics = std::optional<PageMetrics>;
using Limits = QList<std::pair<QString, double>>;

namespace {

Limits limitsOf(const Budget &budget)
{
    Limits limits;
    for (const Budget::Limit &limit : budget.limits())
        limits.append({ Budget::metricName(limit.metric), limit.value });
    return limits;
}

PageMetrics measured()
{
    PageMetrics m;
    m.documentStatus = 200;
    m.ttfbMs = 80;
    m.firstContentfulPaintMs = 450.5;
    m.largestContentfulPaintMs = 900;
    m.domContentLoadedMs = 700;
    m.loadMs = 1200;
    m.fullyLoadedMs = 3100;
    m.cumulativeLayoutShift = 0.05;
    m.requestCount = 80;
    m.totalEncodedBytes = 2'000'001;
    return m;
}

} // namespace

class tst_Budget : public QObject
{
    Q_OBJECT

private slots:
    void parses_data();
    void parses();
    void refuses_data();
    void refuses();
    void roundTripsItsCanonicalForm();
    void evaluates_data();
    void evaluates();
    void checkJson();
    void appliesToEveryStep();
};

void tst_Budget::parses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Limits>("limits");

    QTest::newRow("seconds") << QStringLiteral("load=3s") << Limits { { QStringLiteral("load"), 3000 } };
    QTest::newRow("the issue's example") << QStringLiteral(
        "load=3s,lcp=2.5s,fcp=1800ms,ttfb=200ms,cls=0.1,bytes=2MB,requests=80")
                                         << Limits { { QStringLiteral("load"), 3000 }, { QStringLiteral("lcp"), 2500 },
                                                { QStringLiteral("fcp"), 1800 }, { QStringLiteral("ttfb"), 200 },
                                                { QStringLiteral("cls"), 0.1 }, { QStringLiteral("bytes"), 2'000'000 },
                                                { QStringLiteral("requests"), 80 } };
    QTest::newRow("case and spaces") << QStringLiteral(" LOAD = 3 S , Bytes=500kb ")
                                     << Limits { { QStringLiteral("load"), 3000 },
                                            { QStringLiteral("bytes"), 500'000 } };
    QTest::newRow("fraction without a leading digit")
        << QStringLiteral("fcp=.5s") << Limits { { QStringLiteral("fcp"), 500 } };
    QTest::newRow("fractional ms") << QStringLiteral("ttfb=12.5ms") << Limits { { QStringLiteral("ttfb"), 12.5 } };
    QTest::newRow("dcl and fully") << QStringLiteral("dcl=0.5s,fully=10s")
                                   << Limits { { QStringLiteral("dcl"), 500 }, { QStringLiteral("fully"), 10'000 } };
    QTest::newRow("main thread") << QStringLiteral("tbt=200ms,longest-task=0.1s,long-tasks=3")
                                 << Limits { { QStringLiteral("tbt"), 200 }, { QStringLiteral("longest-task"), 100 },
                                        { QStringLiteral("long-tasks"), 3 } };
    QTest::newRow("visual") << QStringLiteral("si=1.2s,fvc=400ms,vc85=2s")
                            << Limits { { QStringLiteral("si"), 1200 }, { QStringLiteral("fvc"), 400 },
                                   { QStringLiteral("vc85"), 2000 } };
    QTest::newRow("bare bytes") << QStringLiteral("bytes=1500") << Limits { { QStringLiteral("bytes"), 1500 } };
    QTest::newRow("B") << QStringLiteral("bytes=10B") << Limits { { QStringLiteral("bytes"), 10 } };
    QTest::newRow("KB is 1000") << QStringLiteral("bytes=2KB") << Limits { { QStringLiteral("bytes"), 2000 } };
    QTest::newRow("GB is 1000^3") << QStringLiteral("bytes=2GB") << Limits { { QStringLiteral("bytes"), 2e9 } };
    QTest::newRow("KiB is 1024") << QStringLiteral("bytes=1KiB") << Limits { { QStringLiteral("bytes"), 1024 } };
    QTest::newRow("MiB fraction") << QStringLiteral("bytes=1.5MiB")
                                  << Limits { { QStringLiteral("bytes"), 1'572'864 } };
    QTest::newRow("bytes are whole") << QStringLiteral("bytes=1.0005KB")
                                     << Limits { { QStringLiteral("bytes"), 1001 } };
    QTest::newRow("zero cls") << QStringLiteral("cls=0") << Limits { { QStringLiteral("cls"), 0 } };
    QTest::newRow("requests") << QStringLiteral("requests=80") << Limits { { QStringLiteral("requests"), 80 } };
}

void tst_Budget::parses()
{
    QFETCH(QString, text);
    QFETCH(Limits, limits);
    QString error;
    const auto budget = Budget::parse(text, &error);
    QVERIFY2(budget, qPrintable(error));
    QCOMPARE(limitsOf(*budget), limits);
}

void tst_Budget::refuses_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");

    QTest::newRow("empty") << QString() << QStringLiteral("the budget is empty");
    QTest::newRow("blank") << QStringLiteral("  ") << QStringLiteral("the budget is empty");
    QTest::newRow("not a time") << QStringLiteral(
        "load=fast") << QStringLiteral("budget item \"load=fast\": \"fast\" is not a time such as 3s or 2500ms");
    QTest::newRow("time without unit") << QStringLiteral("load=3")
                                       << QStringLiteral("budget item \"load=3\": a time needs its unit, ms or s");
    QTest::newRow("unknown time unit") << QStringLiteral(
        "lcp=3m") << QStringLiteral("budget item \"lcp=3m\": unknown time unit \"m\" (use ms or s)");
    QTest::newRow("negative") << QStringLiteral("load=-1s") << QStringLiteral("\"-1s\" is not a time");
    QTest::newRow("unknown metric")
        << QStringLiteral("load=3s,speed=3s")
        << QStringLiteral("budget item \"speed=3s\": unknown metric \"speed\" (one of ttfb, fcp, "
                          "lcp, dcl, load, fully, fvc, si, vc85, vc99, lvc, tbt, longest-task, cls, long-tasks, "
                          "requests, bytes)");
    QTest::newRow("no equals") << QStringLiteral("load")
                               << QStringLiteral("budget item \"load\": expected METRIC=LIMIT");
    QTest::newRow("no limit") << QStringLiteral("load=")
                              << QStringLiteral("budget item \"load=\": no limit after \"=\"");
    QTest::newRow("stray comma") << QStringLiteral("load=3s,,lcp=2s") << QStringLiteral("budget item 2 of 3 is empty");
    QTest::newRow("trailing comma") << QStringLiteral("load=3s,") << QStringLiteral("budget item 2 of 2 is empty");
    QTest::newRow("twice") << QStringLiteral("load=3s,LOAD=4s")
                           << QStringLiteral("budget item \"LOAD=4s\": load is limited twice");
    QTest::newRow("unknown size unit") << QStringLiteral("bytes=2XB")
                                       << QStringLiteral("budget item \"bytes=2XB\": unknown size unit \"XB\"");
    QTest::newRow("fractional requests") << QStringLiteral("requests=80.5")
                                         << QStringLiteral("\"80.5\" is not a whole number of requests");
    QTest::newRow("exponent") << QStringLiteral("requests=1e3")
                              << QStringLiteral("\"1e3\" is not a whole number of requests");
    QTest::newRow("unit on cls") << QStringLiteral("cls=0.1ms")
                                 << QStringLiteral("\"ms\" takes a plain number, without a unit");
    QTest::newRow("unit on requests") << QStringLiteral("requests=80req")
                                      << QStringLiteral("\"req\" takes a plain number, without a unit");
    QTest::newRow("huge") << QStringLiteral("load=%1s").arg(QString(400, u'9')) << QStringLiteral("is not a time");
}

void tst_Budget::refuses()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString actual;
    QVERIFY(!Budget::parse(text, &actual));
    QVERIFY2(actual.contains(error), qPrintable(actual));
}

void tst_Budget::roundTripsItsCanonicalForm()
{
    QString error;
    const auto budget = Budget::parse(QStringLiteral("load=3s,lcp=2.5s,cls=0.1,bytes=1.5MiB,requests=80"), &error);
    QVERIFY2(budget, qPrintable(error));
    QCOMPARE(budget->toString(), QStringLiteral("load=3000ms,lcp=2500ms,cls=0.1,bytes=1572864B,requests=80"));
    QCOMPARE(Budget::parse(budget->toString(), &error), budget);
    const QJsonArray json = budget->toJson();
    QCOMPARE(json.size(), 5);
    QCOMPARE(json.at(0).toObject().value(QStringLiteral("metric")).toString(), QStringLiteral("load"));
    QCOMPARE(json.at(0).toObject().value(QStringLiteral("limit")).toDouble(), 3000.0);
    QCOMPARE(json.at(0).toObject().value(QStringLiteral("unit")).toString(), QStringLiteral("ms"));
}

void tst_Budget::evaluates_data()
{
    QTest::addColumn<QString>("budget");
    QTest::addColumn<OptionalMetrics>("median");
    QTest::addColumn<QStringList>("described");
    QTest::addColumn<bool>("pass");

    const PageMetrics m = measured();
    QTest::newRow("within") << QStringLiteral("load=3s") << OptionalMetrics(m)
                            << QStringList { QStringLiteral("load 1200 ms, within the limit of 3000 ms") } << true;
    QTest::newRow("at the limit passes") << QStringLiteral("load=1200ms,requests=80") << OptionalMetrics(m)
                                         << QStringList { QStringLiteral("load 1200 ms, within the limit of 1200 ms"),
                                                QStringLiteral("requests 80, within the limit of 80") }
                                         << true;
    QTest::newRow("over") << QStringLiteral("load=1s,fcp=2s") << OptionalMetrics(m)
                          << QStringList { QStringLiteral("load 1200 ms, over the limit of 1000 ms"),
                                 QStringLiteral("fcp 450.5 ms, within the limit of 2000 ms") }
                          << false;
    QTest::newRow("one byte over") << QStringLiteral("bytes=2MB") << OptionalMetrics(m)
                                   << QStringList { QStringLiteral("bytes 2000001 B, over the limit of 2000000 B") }
                                   << false;
    QTest::newRow("cls") << QStringLiteral("cls=0.1") << OptionalMetrics(m)
                         << QStringList { QStringLiteral("cls 0.05, within the limit of 0.1") } << true;

    PageMetrics blank = m;
    blank.largestContentfulPaintMs.reset();
    blank.cumulativeLayoutShift.reset();
    QTest::newRow("absent metric fails") << QStringLiteral("load=3s,lcp=2.5s,cls=0.1") << OptionalMetrics(blank)
                                         << QStringList { QStringLiteral("load 1200 ms, within the limit of 3000 ms"),
                                                QStringLiteral("lcp not observed (limit 2500 ms)"),
                                                QStringLiteral("cls not observed (limit 0.1)") }
                                         << false;
    PageMetrics timedOut = m;
    timedOut.loadMs.reset();
    QTest::newRow("no load event") << QStringLiteral("load=60s") << OptionalMetrics(timedOut)
                                   << QStringList { QStringLiteral("load not observed (limit 60000 ms)") } << false;
    QTest::newRow("no medians at all") << QStringLiteral("requests=80,bytes=2MB") << OptionalMetrics()
                                       << QStringList { QStringLiteral("requests not observed (limit 80)"),
                                              QStringLiteral("bytes not observed (limit 2000000 B)") }
                                       << false;
    QTest::newRow("measured zero is observed")
        << QStringLiteral("requests=0") << OptionalMetrics(PageMetrics {})
        << QStringList { QStringLiteral("requests 0, within the limit of 0") } << true;
}

void tst_Budget::evaluates()
{
    QFETCH(QString, budget);
    QFETCH(OptionalMetrics, median);
    QFETCH(QStringList, described);
    QFETCH(bool, pass);
    QString error;
    const auto parsed = Budget::parse(budget, &error);
    QVERIFY2(parsed, qPrintable(error));
    const QList<Budget::Check> checks = parsed->evaluate(median);
    QStringList actual;
    for (const Budget::Check &check : checks) {
        actual.append(check.describe());
        QCOMPARE(check.pass, check.actual.has_value() && *check.actual <= check.limit);
    }
    QCOMPARE(actual, described);
    QCOMPARE(Budget::passes(checks), pass);
}

void tst_Budget::checkJson()
{
    Budget::Check observed { Budget::Metric::Load, 3000, 1234.5, true, 0, {} };
    QCOMPARE(observed.toJson(),
        (QJsonObject { { QStringLiteral("metric"), QStringLiteral("load") }, { QStringLiteral("limit"), 3000 },
            { QStringLiteral("actual"), 1234.5 }, { QStringLiteral("unit"), QStringLiteral("ms") },
            { QStringLiteral("pass"), true } }));
    Budget::Check absent { Budget::Metric::Bytes, 2e6, std::nullopt, false, 0, {} };
    QVERIFY(absent.toJson().value(QStringLiteral("actual")).isNull());
    QCOMPARE(absent.toJson().value(QStringLiteral("unit")).toString(), QStringLiteral("B"));
    QCOMPARE(absent.toJson().value(QStringLiteral("pass")).toBool(), false);
}

void tst_Budget::appliesToEveryStep()
{
    // A script's steps: the budget holds against each step's median, and a check names its step, by its
    // setEventName or, unnamed, its page. A region of one step is checked as before, naming none.
    const auto view = [](double loadMs) {
        ViewResult v;
        v.url = QStringLiteral("https://shop.test/orders");
        v.metrics.loadMs = loadMs;
        return v;
    };
    RegionRun run;
    run.finished = true;
    run.firstViewMeasured = true;
    run.firstView = view(400);
    run.stepName = QStringLiteral("home");
    run.laterSteps = { StepResult { QStringLiteral("account"), view(1200) }, StepResult { QString(), view(900) } };
    run.laterStepMeasured = { true, true };
    RegionRecord region;
    region.runs = { run };
    const Budget budget = *Budget::parse(QStringLiteral("load=1000ms"), nullptr);
    const QList<Budget::Check> checks = budget.evaluate(region);
    QCOMPARE(checks.size(), 3);
    QVERIFY(checks.at(0).pass);
    QVERIFY(!checks.at(1).pass);
    QVERIFY(checks.at(2).pass);
    QCOMPARE(checks.at(1).describe(), QStringLiteral("step 2 (account): load 1200 ms, over the limit of 1000 ms"));
    QCOMPARE(checks.at(2).describe(),
        QStringLiteral("step 3 (https://shop.test/orders): load 900 ms, within the limit of 1000 ms"));
    QCOMPARE(checks.at(1).toJson().value(QStringLiteral("step")).toInt(), 2);
    QCOMPARE(checks.at(1).toJson().value(QStringLiteral("stepLabel")).toString(), QStringLiteral("account"));

    run.laterSteps.clear();
    run.laterStepMeasured.clear();
    run.stepName.clear();
    region.runs = { run };
    const QList<Budget::Check> single = budget.evaluate(region);
    QCOMPARE(single.size(), 1);
    QCOMPARE(single.first().describe(), QStringLiteral("load 400 ms, within the limit of 1000 ms"));
    QVERIFY(!single.first().toJson().contains(QStringLiteral("step")));
}

QTEST_GUILESS_MAIN(tst_Budget)
#include "tst_budget.moc"
