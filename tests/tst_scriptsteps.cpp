// Several measured steps in one script (WebPageTest's steps): how TestScript finds and names them, how a run's
// result keeps them (a one-step run exactly as before steps), their HAR pages, and that no probe is sent such a
// script without the capability for it.
#include "model/harbuilder.h"
#include "model/loadoptions.h"
#include "model/runresult.h"
#include "model/testscript.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

ViewResult viewOf(const QString &url, const QStringList &requests)
{
    ViewResult view;
    view.url = url;
    view.finalUrl = url;
    view.startedAt = QDateTime(QDate(2026, 12, 4), QTime(3, 0), Qt::UTC);
    view.metrics.loadMs = 120;
    for (qsizetype i = 0; i < requests.size(); ++i) {
        RequestTiming request;
        request.id = QString::number(i);
        request.url = requests.at(i);
        request.startMs = double(i) * 10;
        view.requests.append(request);
    }
    return view;
}

const QString twoSteps = s("logData\t0\n"
                           "navigate\thttp://shop.test/login\n"
                           "submitForm\tid=login\n"
                           "logData\t1\n"
                           "setEventName\tHome page\n"
                           "navigate\thttp://shop.test/\n"
                           "click\tid=menu\n"
                           "clickAndWait\tinnerText=Cart\n"
                           "logData\t0\n");

} // namespace

class tst_ScriptSteps : public QObject
{
    Q_OBJECT

private slots:
    void stepsAreThePageLoadsWhileLogging();
    void refused_data();
    void refused();
    void oneStepRunIsAsBefore();
    void laterStepsRoundTrip();
    void laterStepsAreChecked();
    void harHasAPagePerStep();
    void severalStepsNeedTheirCapability();
};

void tst_ScriptSteps::stepsAreThePageLoadsWhileLogging()
{
    QString error;
    const auto script = TestScript::parse(twoSteps, &error);
    QVERIFY2(script, qPrintable(error));
    // navigate (line 6) and clickAndWait (line 8): the login's submitForm is not measured, nor is the click.
    QCOMPARE(script->measuredSteps().size(), 2);
    QCOMPARE(script->commands().at(script->measuredSteps().at(0)).line, 6);
    QCOMPARE(script->commands().at(script->measuredSteps().at(1)).line, 8);
    QCOMPARE(script->stepName(0), s("Home page"));
    QCOMPARE(script->stepName(1), QString()); // a name is for the one step that follows it
    QCOMPARE(ScriptCommand::name(ScriptCommand::Kind::SetEventName), s("setEventName"));
    // Written with spaces, a name keeps its own.
    const auto spaced = TestScript::parse(s("setEventName  My   page\nnavigate http://a.test/\n"), &error);
    QVERIFY2(spaced, qPrintable(error));
    QCOMPARE(spaced->stepName(0), s("My   page"));
}

void tst_ScriptSteps::refused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    const QString go = s("navigate\thttp://a.test/\n");
    QTest::newRow("after the last step") << go + go + s("click\tid=x")
                                         << s("line 3: click follows the last measured step (line 2): nothing after "
                                              "it is measured");
    QTest::newRow("a name for no step") << go + s("setEventName\tnothing")
                                        << s("line 2: setEventName follows the last measured step (line 1): nothing "
                                             "after it is measured");
    QTest::newRow("long name") << s("setEventName\t") + QString(257, u'n') + u'\n' + go
                               << s("line 1: setEventName: a step's name is 1 to 256 characters");
    QTest::newRow("too many steps") << go.repeated(TestScript::maxSteps + 1)
                                    << s("line 21: a run measures at most 20 steps");
}

void tst_ScriptSteps::refused()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!TestScript::parse(text, &why));
    QCOMPARE(why, error);
}

void tst_ScriptSteps::oneStepRunIsAsBefore()
{
    // Every run without a several-step script: none of the step fields are written, and it reads back the same.
    RunResult run;
    run.url = s("http://a.test/");
    run.firstView = viewOf(run.url, { run.url });
    const QJsonObject json = run.toJson();
    QVERIFY(!json.contains(s("stepName")));
    QVERIFY(!json.contains(s("laterSteps")));
    QCOMPARE(json.keys(), QStringList({ s("firstView"), s("options"), s("url") }));
    QCOMPARE(run.stepCount(), 1);
    QCOMPARE(run.stepLabel(0), run.url);
    QCOMPARE(RunResult::fromJson(json, nullptr), run);
}

void tst_ScriptSteps::laterStepsRoundTrip()
{
    RunResult run;
    run.url = s("http://shop.test/login");
    run.stepName = s("Home page");
    run.firstView = viewOf(s("http://shop.test/"), { s("http://shop.test/"), s("http://shop.test/a.css") });
    run.laterSteps.append(StepResult { {}, viewOf(s("http://shop.test/cart"), { s("http://shop.test/cart") }) });
    run.laterSteps.last().view.error = LoadError { LoadError::Kind::Timeout, s("too slow") };
    QString error;
    const auto back = RunResult::fromJson(run.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, run);
    QCOMPARE(back->stepCount(), 2);
    QCOMPARE(back->stepLabel(0), s("Home page"));
    QCOMPARE(back->stepLabel(1), s("http://shop.test/cart"));
    QCOMPARE(back->stepView(1).requests.size(), 1);
    // A later step that failed fails the run.
    QVERIFY(!back->ok());
    run.laterSteps.last().view.error.reset();
    QVERIFY(run.ok());
}

void tst_ScriptSteps::laterStepsAreChecked()
{
    RunResult run;
    run.url = s("http://a.test/");
    run.firstView = viewOf(run.url, {});
    QJsonObject json = run.toJson();
    json.insert(s("laterSteps"), QJsonArray { QJsonObject { { s("name"), s("no view") } } });
    QString error;
    QVERIFY(!RunResult::fromJson(json, &error));
    QVERIFY2(error.contains(s("laterSteps[0]")) && error.contains(s("firstView")), qPrintable(error));
    QJsonArray tooMany;
    for (int i = 0; i < TestScript::maxSteps; ++i)
        tooMany.append(StepResult { {}, run.firstView }.toJson());
    json.insert(s("laterSteps"), tooMany);
    QVERIFY(!RunResult::fromJson(json, &error));
    QVERIFY2(error.contains(s("laterSteps")), qPrintable(error));
}

void tst_ScriptSteps::harHasAPagePerStep()
{
    RunResult run;
    run.url = s("http://shop.test/login");
    run.stepName = s("Home page");
    run.firstView = viewOf(s("http://shop.test/"), { s("http://shop.test/"), s("http://shop.test/a.css") });
    run.laterSteps.append(StepResult { {}, viewOf(s("http://shop.test/cart"), { s("http://shop.test/cart") }) });
    HarBuilder builder(s("1.0"));
    builder.addRun(run);
    builder.addRun(run);
    const QJsonObject log = builder.document().value(s("log")).toObject();
    const QJsonArray pages = log.value(s("pages")).toArray();
    QStringList ids;
    QStringList titles;
    for (const QJsonValue &page : pages) {
        ids.append(page[s("id")].toString());
        titles.append(page[s("title")].toString());
        QCOMPARE(page[s("_step")].toInt(), ids.size() % 2 == 1 ? 1 : 2);
    }
    QCOMPARE(ids, QStringList({ s("page_1"), s("page_1_step2"), s("page_2"), s("page_2_step2") }));
    QCOMPARE(titles,
        QStringList({ s("Home page"), s("http://shop.test/cart"), s("Home page"), s("http://shop.test/cart") }));
    QStringList refs;
    for (const QJsonValue &entry : log.value(s("entries")).toArray())
        refs.append(entry[s("pageref")].toString() + u' ' + entry[s("request")][s("url")].toString());
    QCOMPARE(refs.mid(0, 3),
        QStringList({ s("page_1 http://shop.test/"), s("page_1 http://shop.test/a.css"),
            s("page_1_step2 http://shop.test/cart") }));

    // A one-step run's page has no step number, as before steps.
    RunResult one;
    one.url = s("http://a.test/");
    one.firstView = viewOf(one.url, { one.url });
    HarBuilder single(s("1.0"));
    single.addRun(one);
    const QJsonObject page = single.document()[s("log")][s("pages")][0].toObject();
    QVERIFY(!page.contains(s("_step")));
    QCOMPARE(page.value(s("title")).toString(), one.url);
}

void tst_ScriptSteps::severalStepsNeedTheirCapability()
{
    // A several-step script needs `script-steps`, which this build's probes list (their frames say which step they
    // are of): a client sends one to no probe without it rather than get its first step only.
    LoadOptions options;
    options.test.script = twoSteps;
    QVERIFY(options.requiredCapabilities().contains(s("script-steps")));
    QVERIFY(LoadOptions::capabilities().contains(s("script-steps")));
    options.test.script = s("logData\t0\nnavigate\thttp://shop.test/login\nlogData\t1\nnavigate\thttp://shop.test/\n");
    QVERIFY(options.requiredCapabilities().contains(s("script")));
    QVERIFY(!options.requiredCapabilities().contains(s("script-steps")));
}

QTEST_GUILESS_MAIN(tst_ScriptSteps)
#include "tst_scriptsteps.moc"
