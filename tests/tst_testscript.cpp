// TestScript: WebPageTest's script format as users bring it (tabs, comments, the commands of probe/SCRIPTS.md), and
// every line it cannot run refused at parse time with the line's number.
#include "model/loadoptions.h"
#include "model/testscript.h"

#include <QJsonObject>
#include <QTest>

using Kind = ScriptCommand::Kind;

namespace {

QString s(const char *text)
{
    return QString::fromUtf8(text);
}

QStringList list(std::initializer_list<const char *> texts)
{
    QStringList out;
    for (const char *text : texts)
        out.append(s(text));
    return out;
}

} // namespace

class tst_TestScript : public QObject
{
    Q_OBJECT

private slots:
    void loginThenMeasure();
    void spacesInsteadOfTabs();
    void everyCommand();
    void refused_data();
    void refused();
    void selectors_data();
    void selectors();
    void selectorValueCannotEscape();
    void secretsAreNamedNotResolved();
    void travelsInTheOptions();
};

void tst_TestScript::loginThenMeasure()
{
    const QString text = QStringLiteral("// log in first\r\n"
                                        "logData\t0\n"
                                        "navigate\thttp://shop.test/login\n"
                                        "\n"
                                        "setValue\tname=user\talice\n"
                                        "setValue\tid=password\t${secret:PASSWORD}\n"
                                        "submitForm\tid=login\n"
                                        "logData\t1\n"
                                        "navigate\thttp://shop.test/account\n");
    QString error;
    const auto script = TestScript::parse(text, &error);
    QVERIFY2(script, qPrintable(error));
    QCOMPARE(script->commands().size(), 7);
    QCOMPARE(script->commands().at(2), (ScriptCommand { Kind::SetValue, 5, list({ "name=user", "alice" }) }));
    QCOMPARE(script->commands().at(3).args.at(1), QStringLiteral("${secret:PASSWORD}"));
    QCOMPARE(script->firstUrl(), QStringLiteral("http://shop.test/login"));
    const ScriptCommand &measured = script->commands().at(script->measuredSteps().last());
    QCOMPARE(measured.line, 9);
    QCOMPARE(measured.args.first(), QStringLiteral("http://shop.test/account"));
    QVERIFY(!script->intercepts());
}

void tst_TestScript::spacesInsteadOfTabs()
{
    // Without a tab, runs of spaces separate the arguments and the last one keeps the rest of the line.
    const auto script = TestScript::parse(QStringLiteral("logData 0\n"
                                                         "navigate   http://a.test/\n"
                                                         "setValue id=q  two words\n"
                                                         "exec document.title = 'x y'\n"
                                                         "logData 1\n"
                                                         "execAndWait location.reload()\n"),
        nullptr);
    QVERIFY(script);
    QCOMPARE(script->commands().at(1).args, list({ "http://a.test/" }));
    QCOMPARE(script->commands().at(2).args, list({ "id=q", "two words" }));
    QCOMPARE(script->commands().at(3).args, list({ "document.title = 'x y'" }));
    // A tab line keeps its spaces inside arguments.
    const auto tabbed = TestScript::parse(
        QStringLiteral("logData\t0\nnavigate\thttp://a.test/\nsetValue\tid=q\t a b \nlogData\t1\nsubmitForm\tid=f\n"),
        nullptr);
    QVERIFY(tabbed);
    // One tab, after the command: the one argument keeps its spaces.
    const auto header = TestScript::parse(QStringLiteral("setHeader\tX-Flag: on\nnavigate\thttp://a.test/\n"), nullptr);
    QVERIFY(header);
    QCOMPARE(header->commands().first().args, list({ "X-Flag: on" }));
    QCOMPARE(tabbed->commands().at(2).args, list({ "id=q", " a b " }));
}

void tst_TestScript::everyCommand()
{
    const QString text = s("setCookie\thttp://a.test/\tsid=1\n"
                           "setHeader\tX-Flag: on\n"
                           "addHeader\tX-Key: ${secret:KEY}\tapi.a.test\n"
                           "resetHeaders\n"
                           "setUserAgent\tMyAgent/1.0\n"
                           "block\tads.js tracker\n"
                           "blockDomains\tads.test,cdn.ads.test\n"
                           "blockDomainsExcept\ta.test\n"
                           "setViewportSize\t800\t600\n"
                           "emulateMobile\n"
                           "emulateMobile\tiphone-12-pro\n"
                           "logData\t0\n"
                           "navigate\thttp://a.test/\n"
                           "setInnerText\tclassName=note\thi\n"
                           "setInnerHTML\tdata-x=1\t<b>hi</b>\n"
                           "click\tinnerText=More\n"
                           "exec\twindow.x = 1\n"
                           "waitFor\twindow.x === 1\n"
                           "sleep\t1\n"
                           "execAndWait\tlocation.href = '/a'\n"
                           "clickandwait\tid=next\n" // case as WebPageTest reads it
                           "logData\t1\n"
                           "submitForm\tname=f\n");
    QString error;
    const auto script = TestScript::parse(text, &error);
    QVERIFY2(script, qPrintable(error));
    QCOMPARE(script->commands().size(), 23);
    QCOMPARE(script->commands().at(20).kind, Kind::ClickAndWait);
    QCOMPARE(script->commands().at(script->measuredSteps().last()).kind, Kind::SubmitForm);
    QVERIFY(script->intercepts());
    QCOMPARE(ScriptCommand::name(Kind::SetInnerHtml), QStringLiteral("setInnerHTML"));
}

void tst_TestScript::refused_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("error");
    const QString go = QStringLiteral("navigate\thttp://a.test/\n");
    QTest::newRow("unknown") << go + s("setDns\ta.test\t127.0.0.1") << s("line 2: unknown command \"setDns\"");
    QTest::newRow("too few") << go + s("setValue\tid=x") << s("line 2: setValue takes 2 argument(s), not 1");
    QTest::newRow("too many") << s("navigate\thttp://a.test/\tmore")
                              << s("line 1: navigate takes 1 argument(s), not 2");
    QTest::newRow("no arguments") << go + s("// a comment\n\nclick") << s("line 4: click takes 1 argument(s), not 0");
    QTest::newRow("not http") << s("navigate\tfile:///etc/passwd")
                              << s("line 1: navigate: \"file:///etc/passwd\" is not "
                                   "an http or https URL");
    QTest::newRow("logData 2") << s("logData\t2\n") + go << s("line 1: logData: logData takes 0 or 1");
    QTest::newRow("bad selector") << go + s("click\t#login")
                                  << s("line 2: click: \"#login\" is not an element: write "
                                       "id=…, name=…, className=…, innerText=… or attribute=value");
    QTest::newRow("long sleep") << go + s("sleep\t61") << s("line 2: sleep: sleep takes whole seconds from 0 to 60");
    QTest::newRow("bad header") << s("setHeader\tnocolon\n") + go
                                << s("line 1: setHeader: a header is written \"Name: value\", not \"nocolon\"");
    QTest::newRow("desktop is not mobile")
        << s("emulateMobile\tdesktop\n") + go << s("line 1: emulateMobile: desktop is not a mobile device");
    QTest::newRow("nothing") << s("// only a comment\n") << s("the script navigates nowhere: it needs a navigate");
    QTest::newRow("click first") << s("clickAndWait\tid=a\n") + go
                                 << s("line 1: clickAndWait before any navigate: the page is still blank");
    QTest::newRow("measures nothing") << s("logData\t0\n") + go
                                      << s("the script measures nothing: load a page while logData is 1");
    QTest::newRow("after the step") << go + s("exec\tx()")
                                    << s("line 2: exec follows the last measured step (line 1): nothing after it is "
                                         "measured");
}

void tst_TestScript::refused()
{
    QFETCH(QString, text);
    QFETCH(QString, error);
    QString why;
    QVERIFY(!TestScript::parse(text, &why));
    QCOMPARE(why, error);
}

void tst_TestScript::selectors_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("attribute");
    QTest::addColumn<QString>("value");
    QTest::newRow("id") << s("id=login") << int(ElementSelector::Kind::Id) << s("") << s("login");
    QTest::newRow("name") << s("name=user") << int(ElementSelector::Kind::Attribute) << s("name") << s("user");
    QTest::newRow("class") << s("className=btn big") << int(ElementSelector::Kind::ClassName) << s("") << s("btn big");
    QTest::newRow("text") << s("innerText=Sign in") << int(ElementSelector::Kind::InnerText) << s("") << s("Sign in");
    QTest::newRow("attribute") << s("data-test=a=b") << int(ElementSelector::Kind::Attribute) << s("data-test")
                               << s("a=b");
}

void tst_TestScript::selectors()
{
    QFETCH(QString, text);
    QFETCH(int, kind);
    QFETCH(QString, attribute);
    QFETCH(QString, value);
    const auto selector = ElementSelector::parse(text, nullptr);
    QVERIFY(selector);
    QCOMPARE(int(selector->kind), kind);
    QCOMPARE(selector->attribute, attribute);
    QCOMPARE(selector->value, value);
}

void tst_TestScript::selectorValueCannotEscape()
{
    const auto selector = ElementSelector::parse(QStringLiteral("id=x"), nullptr);
    QCOMPARE(selector->expression(QStringLiteral("a\"); alert(1); (\"")),
        QStringLiteral("document.getElementById(\"a\\\"); alert(1); (\\\"\")"));
}

void tst_TestScript::secretsAreNamedNotResolved()
{
    TestSettings settings;
    settings.script = QStringLiteral(
        "logData\t0\nnavigate\thttp://a.test/\nsetValue\tid=p\t${secret:PASSWORD}\nlogData\t1\nsubmitForm\tid=f\n");
    QCOMPARE(settings.secretNames(), list({ "PASSWORD" }));
    settings.secretValues.insert(QStringLiteral("PASSWORD"), QStringLiteral("hunter22"));
    QVERIFY(settings.sensitiveValues().contains(QStringLiteral("hunter22")));
    // What people read names the measured step, never the secret's value.
    QCOMPARE(settings.describe(),
        QStringList { QStringLiteral("Script of 5 commands, measuring line 5 (submitForm id=f)") });
}

void tst_TestScript::travelsInTheOptions()
{
    LoadOptions options;
    options.test.script = QStringLiteral("navigate\thttp://a.test/\n");
    QVERIFY(options.requiredCapabilities().contains(QStringLiteral("script")));
    QVERIFY(LoadOptions::capabilities().contains(QStringLiteral("script")));
    QString error;
    const auto back = LoadOptions::fromJson(options.toJson(), &error);
    QVERIFY2(back, qPrintable(error));
    QCOMPARE(*back, options);
    // A probe re-parses what it is sent: a bad script is refused there too, naming its line.
    QJsonObject json = options.toJson();
    json.insert(QStringLiteral("script"), QStringLiteral("navigate\thttp://a.test/\nfrobnicate\n"));
    QVERIFY(!LoadOptions::fromJson(json, &error));
    QVERIFY2(error.contains(QStringLiteral("line 2: unknown command \"frobnicate\"")), qPrintable(error));
    // No script: nothing on the wire.
    QVERIFY(!LoadOptions().toJson().contains(QStringLiteral("script")));
}

QTEST_GUILESS_MAIN(tst_TestScript)
#include "tst_testscript.moc"
