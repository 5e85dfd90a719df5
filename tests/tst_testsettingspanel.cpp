// The app's Test settings panel: what it says about a wrong field, what it remembers (never a secret value), and a
// test run with its settings over a real local fleet (the build's probe, real Chromium, the test web server that
// logs every request), with the basic-auth password saved to and read from the real keychain (a throwaway
// gnome-keyring, tests/with-keyring.sh). The secrets are then looked for in every file, log and database the app
// wrote. Set WORLDSPEED_SCREENSHOT_DIR to keep the panel's, the waterfall's and the PDF's pictures.
#include "csvexporter.h"
#include "fleet/keychainsecretstore.h"
#include "harexporter.h"
#include "historypanel.h"
#include "historystore.h"
#include "localfleet.h"
#include "mainwindow.h"
#include "pdfreport.h"
#include "regionmodel.h"
#include "runcontroller.h"
#include "runrecorder.h"
#include "scripteditor.h"
#include "statuslabel.h"
#include "testsettingspanel.h"
#include "testwebserver.h"
#include "waterfallmodel.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QLineEdit>
#include <QMutex>
#include <QPlainTextEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>

namespace {

// Everything the app logs while the test runs, to look for secrets in.
QMutex logMutex;
QByteArray logText;
QtMessageHandler previousHandler = nullptr;

void keepLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        const QMutexLocker lock(&logMutex);
        logText += message.toUtf8() + '\n';
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

const QByteArray password = "pass-word-secret-5113";
const QByteArray headerSecret = "header-secret-5114";
const QByteArray cookieSecret = "cookie-secret-5115";

} // namespace

class tst_TestSettingsPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void wrongFieldsAreExplainedInline();
    void remembersNoSecretValue();
    void runsWithTheSettingsAndNoSecretLeaves();
    void aScriptIsCheckedAndStartsTheTest();
    void aScriptOfTwoStepsShowsEachStep();

private:
    void screenshot(QWidget *widget, const QString &name);
    MainWindow::Services services();

    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_history;
    KeychainSecretStore m_keychain;
    TestWebServer m_web;
};

void tst_TestSettingsPanel::screenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty() && QDir().mkpath(dir))
        widget->grab().save(QDir(dir).filePath(name));
}

MainWindow::Services tst_TestSettingsPanel::services()
{
    MainWindow::Services s;
    s.history = m_history.get();
    s.secrets = &m_keychain;
    s.fleetConfig = localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE));
    return s;
}

void tst_TestSettingsPanel::initTestCase()
{
    // with-keyring.sh sets this: never write into somebody's real keyring.
    QVERIFY2(qEnvironmentVariable("WORLDSPEED_THROWAWAY_KEYRING") == u"1", "run through tests/with-keyring.sh");
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedTests"));
    QSettings().clear();
    previousHandler = qInstallMessageHandler(keepLog);
    QVERIFY(m_dir.isValid());
    m_history = std::make_unique<HistoryStore>(m_dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY(m_history->open());
    QVERIFY(m_web.listen());
    // The page behind basic auth; its image and a third party's script are what the test blocks.
    const QByteArray credentials = "Basic " + QByteArray("tester:" + password).toBase64();
    const QByteArray other = QStringLiteral("http://localhost:%1").arg(m_web.port()).toUtf8();
    m_web.route(QStringLiteral("/private"), [credentials, other](const TestWebServer::Request &request) {
        TestWebServer::Response response;
        if (request.headers.value("authorization") != credentials) {
            response.status = 401;
            response.headers = { { "WWW-Authenticate", "Basic realm=\"staging\"" } };
            response.body = "<p>who are you?</p>";
            return response;
        }
        response.body = "<!doctype html><title>private</title><h1>behind the login</h1>"
                        "<link rel=stylesheet href=\"/asset?type=css&size=100&private=1\">"
                        "<img src=\"/asset?type=png&size=100&private=2\">"
                        "<script src=\""
            + other + "/asset?type=js&size=100&private=3\"></script>";
        return response;
    });
}

void tst_TestSettingsPanel::cleanupTestCase()
{
    qInstallMessageHandler(previousHandler);
}

void tst_TestSettingsPanel::wrongFieldsAreExplainedInline()
{
    TestSettingsPanel panel(nullptr);
    panel.show();
    QVERIFY(panel.settings()); // nothing set is fine
    QVERIFY(panel.settings()->isEmpty());

    panel.addHeader({ QStringLiteral("Bad Name"), QStringLiteral("x"), {}, false });
    panel.addCookie({ QStringLiteral("session"), TestSettings::mask(), {} }); // a value the history masked
    panel.authUserField()->setText(QStringLiteral("tester"));
    panel.authSecretField()->setText(QStringLiteral("not a name"));
    panel.blockDomainsField()->setText(QStringLiteral("ads.example, bad_host!"));
    QVERIFY(!panel.settings());
    QVERIFY(panel.headersError()->isVisibleTo(&panel));
    QVERIFY2(panel.headersError()->text().contains(u"\"Bad Name\" is not a header name"),
        qPrintable(panel.headersError()->text()));
    QVERIFY2(panel.cookiesError()->text().contains(u"cookie session is a secret that was not kept"),
        qPrintable(panel.cookiesError()->text()));
    QVERIFY2(panel.authError()->text().contains(u"never the password itself"), qPrintable(panel.authError()->text()));
    QVERIFY2(panel.blockError()->text().contains(u"\"bad_host!\" is not a host name"),
        qPrintable(panel.blockError()->text()));
    QCOMPARE(panel.firstError(), panel.headersError()->text());
    // OK keeps the panel open on the first tab with a problem.
    panel.accept();
    QVERIFY(panel.isVisible());
    QCOMPARE(panel.tabs()->currentIndex(), 0);

    panel.headerTable()->item(0, 0)->setText(QStringLiteral("X-Good"));
    panel.cookieTable()->item(0, 1)->setText(QStringLiteral("abc"));
    panel.authSecretField()->setText(QStringLiteral("staging"));
    panel.blockDomainsField()->setText(QStringLiteral("ads.example, CDN.example"));
    panel.blockField()->setPlainText(QStringLiteral("tracker.js\n\n/beacon"));
    const auto settings = panel.settings();
    QVERIFY2(settings, qPrintable(panel.firstError()));
    QVERIFY(!panel.headersError()->isVisibleTo(&panel) && !panel.blockError()->isVisibleTo(&panel));
    QCOMPARE(
        settings->headers, (QList<HeaderSetting> { { QStringLiteral("X-Good"), QStringLiteral("x"), {}, false } }));
    QCOMPARE(settings->cookies.first().value, QStringLiteral("abc"));
    QVERIFY(settings->basicAuth == (BasicAuthSetting { QStringLiteral("tester"), QStringLiteral("staging") }));
    QCOMPARE(settings->blockDomains, (QStringList { QStringLiteral("ads.example"), QStringLiteral("cdn.example") }));
    QCOMPARE(settings->block, (QStringList { QStringLiteral("tracker.js"), QStringLiteral("/beacon") }));
    QCOMPARE(panel.buttonText(), QStringLiteral("Test settings (5)…"));
}

void tst_TestSettingsPanel::remembersNoSecretValue()
{
    TestSettings settings;
    settings.headers = { { QStringLiteral("X-Key"), QString::fromUtf8(headerSecret), {}, false },
        { QStringLiteral("X-Token"), QStringLiteral("${secret:token}"), QStringLiteral("api.example"), false },
        { QStringLiteral("X-Flag"), QStringLiteral("on"), {}, true } };
    settings.cookies = { { QStringLiteral("session"), QString::fromUtf8(cookieSecret), {} } };
    settings.basicAuth = BasicAuthSetting { QStringLiteral("tester"), QStringLiteral("staging") };
    settings.secretValues.insert(QStringLiteral("staging"), QString::fromUtf8(password));
    TestSettingsPanel::remember(settings);
    QSettings().sync();
    QFile file(QSettings().fileName());
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QByteArray stored = file.readAll();
    QVERIFY(stored.contains("X-Key") && stored.contains("tester"));
    for (const QByteArray &secret : { headerSecret, cookieSecret, password })
        QVERIFY2(!stored.contains(secret), stored.constData());

    TestSettingsPanel panel(nullptr);
    panel.restore();
    QCOMPARE(panel.headerTable()->rowCount(), 3);
    QCOMPARE(panel.headerTable()->item(0, 1)->text(), TestSettings::mask());
    QCOMPARE(panel.headerTable()->item(1, 1)->text(), QStringLiteral("${secret:token}")); // a name, not a secret
    QCOMPARE(panel.headerTable()->item(2, 1)->text(), QStringLiteral("on"));
    QCOMPARE(panel.cookieTable()->item(0, 1)->text(), TestSettings::mask());
    QCOMPARE(panel.authSecretField()->text(), QStringLiteral("staging"));
    // A value that was not kept is never sent as •••.
    QVERIFY(!panel.settings());
    QVERIFY(panel.firstError().contains(u"header X-Key is a secret that was not kept"));
    QSettings().clear();
}

void tst_TestSettingsPanel::runsWithTheSettingsAndNoSecretLeaves()
{
    MainWindow window(services());
    window.resize(1280, 860);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(window.fleetError().isEmpty(), qPrintable(window.fleetError()));

    // Filled as a person would: the panel from the form's button, the password saved to the keychain from it.
    // From the keyboard (Test › Test settings…, Ctrl+T) as from the form's button.
    TestSettingsPanel *panel = window.testSettingsPanel();
    window.activateWindow();
    QTest::keyClick(&window, Qt::Key_T, Qt::ControlModifier);
    QTRY_VERIFY(panel->isVisible());
    panel->reject();
    QVERIFY(!panel->isVisible());
    QTest::mouseClick(window.testSettingsButton(), Qt::LeftButton);
    QVERIFY(panel->isVisible());
    panel->addHeader({ QStringLiteral("X-Staging-Key"), QString::fromUtf8(headerSecret), {}, false });
    panel->addHeader({ QStringLiteral("X-Feature"), QStringLiteral("new-checkout"), {}, true });
    panel->addCookie({ QStringLiteral("session"), QString::fromUtf8(cookieSecret), {} });
    panel->blockField()->setPlainText(QStringLiteral("private=2"));
    panel->blockDomainsField()->setText(QStringLiteral("localhost"));
    panel->tabs()->setCurrentIndex(1);
    panel->authUserField()->setText(QStringLiteral("tester"));
    panel->authSecretField()->setText(QStringLiteral("staging"));
    panel->secretValueField()->setText(QString::fromUtf8(password));
    QTest::mouseClick(panel->saveSecretButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(panel->secretStatus()->text().contains(u"saved in the system keychain"), 20'000);
    QVERIFY(panel->secretValueField()->text().isEmpty());
    panel->tabs()->setCurrentIndex(0);
    QTest::qWait(100);
    screenshot(panel, QStringLiteral("testsettings-panel.png"));
    // The secret header's value is drawn masked, the public one as it is.
    QCOMPARE(panel->headerTable()->item(0, 1)->text(), QString::fromUtf8(headerSecret));
    panel->accept();
    QVERIFY(!panel->isVisible());
    QCOMPARE(window.testSettingsButton()->text(), QStringLiteral("Test settings (6)…"));

    window.urlField()->setText(m_web.url(QStringLiteral("/private")).toString());
    const qsizetype before = m_web.requests().size();
    QTest::mouseClick(window.goButton(), Qt::LeftButton);
    // The keychain answers on the event loop; then the test runs.
    QTRY_VERIFY_WITH_TIMEOUT(window.controller()->isRunning() || window.urlError()->isVisible(), 20'000);
    QVERIFY2(!window.urlError()->isVisible(), qPrintable(window.urlError()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 120'000);
    const qint64 testId = window.recorder()->testId();
    QVERIFY(testId >= 0);

    // The server got the header, the cookie and the password, and never the blocked requests.
    bool sawPage = false;
    const QByteArray credentials = "Basic " + QByteArray("tester:" + password).toBase64();
    for (const TestWebServer::Request &request : m_web.requests().mid(before)) {
        QVERIFY2(
            !request.target.contains("private=2") && !request.target.contains("private=3"), request.target.constData());
        if (request.path == u"/private" && request.headers.value("authorization") == credentials) {
            sawPage = true;
            QCOMPARE(request.headers.value("x-staging-key"), headerSecret);
            QCOMPARE(request.headers.value("x-feature"), QByteArray("new-checkout"));
            QCOMPARE(request.headers.value("cookie"), "session=" + cookieSecret);
        }
    }
    QVERIFY(sawPage);

    // Both blocked requests are rows of the waterfall, marked blocked (the painter greys them); no other is.
    WaterfallModel *waterfall = window.waterfallModel();
    const QModelIndex lane = waterfall->index(0, 0);
    QStringList blocked;
    for (int row = 0; row < waterfall->rowCount(lane); ++row) {
        const QModelIndex index = waterfall->index(row, 0, lane);
        if (index.data(WaterfallModel::BlockedRole).toBool()) {
            blocked.append(index.data(WaterfallModel::RequestTimingRole).value<RequestTiming>().url);
            QVERIFY(index.data(Qt::ToolTipRole).toString().startsWith(u"blocked: "));
        }
    }
    QCOMPARE(blocked.size(), 2);
    QVERIFY2(blocked.filter(QStringLiteral("private=2")).size() == 1
            && blocked.filter(QStringLiteral("private=3")).size() == 1,
        qPrintable(blocked.join(u' ')));
    QTest::qWait(300);
    screenshot(&window, QStringLiteral("testsettings-waterfall-blocked.png"));

    // Every file the app writes of the test: CSV, HAR, PDF.
    const auto stored = m_history->load(testId);
    QVERIFY(stored);
    QCOMPARE(stored->options.test.headers.size(), 2);
    QCOMPARE(stored->options.test.headers.first().value, TestSettings::mask());
    QString error;
    const QString out = m_dir.filePath(QStringLiteral("exports"));
    QVERIFY(QDir().mkpath(out));
    QVERIFY2(!CsvExporter::writeFiles(*stored, out, &error).isEmpty(), qPrintable(error));
    QVERIFY2(!HarExporter::writeRegions(*stored, out, QStringLiteral("test"), &error).isEmpty(), qPrintable(error));
    PdfReport report(*stored, RegionCatalog::builtIn());
    const QString pdf = QDir(out).filePath(QStringLiteral("report.pdf"));
    QVERIFY2(report.write(pdf, &error), qPrintable(error));
    QProcess pdftotext;
    pdftotext.start(QStringLiteral("pdftotext"), { QStringLiteral("-layout"), pdf, QStringLiteral("-") });
    QVERIFY(pdftotext.waitForFinished(60'000));
    const QByteArray pdfText = pdftotext.readAllStandardOutput();
    QVERIFY2(pdfText.contains("Test settings") && pdfText.contains("Header X-Staging-Key: •••")
            && pdfText.contains("Header X-Feature: new-checkout") && pdfText.contains("Block private=2")
            && pdfText.contains("2 blocked by the test's settings"),
        pdfText.constData());
    const QString keep = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!keep.isEmpty()) {
        const QString kept = QDir(keep).filePath(QStringLiteral("testsettings-report.pdf"));
        QFile::remove(kept); // QFile::copy() leaves an existing file as it is
        QFile::copy(pdf, kept);
    }
    QFile requestsCsv(QDir(out).filePath(QStringLiteral("%1-requests.csv").arg(testId)));
    QVERIFY(requestsCsv.open(QIODevice::ReadOnly));
    QCOMPARE(requestsCsv.readAll().count(",blocked,"), 2);

    // No secret, nor the credentials as they went on the wire, in the exports, the history, the app's settings or
    // its log.
    // The database, its write-ahead log and the exports, as they are on disk.
    QByteArrayList places;
    QStringList names;
    for (QDirIterator it(m_dir.path(), QDir::Files, QDirIterator::Subdirectories); it.hasNext();) {
        QFile file(it.next());
        QVERIFY(file.open(QIODevice::ReadOnly));
        places.append(file.readAll());
        names.append(file.fileName());
    }
    places.append(pdfText);
    names.append(QStringLiteral("the PDF's text"));
    QSettings().sync();
    QFile settingsFile(QSettings().fileName());
    QVERIFY(settingsFile.open(QIODevice::ReadOnly));
    places.append(settingsFile.readAll());
    names.append(settingsFile.fileName());
    {
        const QMutexLocker lock(&logMutex);
        places.append(logText);
        names.append(QStringLiteral("the log"));
    }
    QVERIFY(names.filter(QStringLiteral("history.sqlite")).size() >= 1);
    for (const QByteArray &secret :
        { password, headerSecret, cookieSecret, QByteArray("tester:" + password).toBase64() }) {
        for (qsizetype i = 0; i < places.size(); ++i)
            QVERIFY2(!places.at(i).contains(secret),
                qPrintable(QStringLiteral("%1 in %2").arg(QString::fromUtf8(secret), names.at(i))));
    }

    // Reopened from the history, the panel shows the test's settings again; the secret values are not kept, so
    // they must be typed again before another run.
    MainWindow again(services());
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    again.testSettingsPanel()->setSettings({});
    emit again.historyPanel()->openRequested(testId);
    TestSettingsPanel *reopened = again.testSettingsPanel();
    QCOMPARE(reopened->headerTable()->rowCount(), 2);
    QCOMPARE(reopened->headerTable()->item(0, 0)->text(), QStringLiteral("X-Staging-Key"));
    QCOMPARE(reopened->headerTable()->item(0, 1)->text(), TestSettings::mask());
    QCOMPARE(reopened->headerTable()->item(1, 1)->text(), QStringLiteral("new-checkout"));
    QCOMPARE(reopened->headerTable()->item(1, 3)->checkState(), Qt::Checked);
    QCOMPARE(reopened->cookieTable()->item(0, 0)->text(), QStringLiteral("session"));
    QCOMPARE(reopened->authUserField()->text(), QStringLiteral("tester"));
    QCOMPARE(reopened->authSecretField()->text(), QStringLiteral("staging"));
    QCOMPARE(reopened->blockField()->toPlainText(), QStringLiteral("private=2"));
    QCOMPARE(reopened->blockDomainsField()->text(), QStringLiteral("localhost"));
    QCOMPARE(again.testSettingsButton()->text(), QStringLiteral("Test settings (6)…"));
    QTest::mouseClick(again.goButton(), Qt::LeftButton);
    QVERIFY(!again.controller()->isRunning());
    QVERIFY2(again.urlError()->text().contains(u"header X-Staging-Key is a secret that was not kept"),
        qPrintable(again.urlError()->text()));
}

void tst_TestSettingsPanel::aScriptIsCheckedAndStartsTheTest()
{
    TestWebServer::Response startPage;
    startPage.body = "<!doctype html><p>start</p>";
    m_web.route(QStringLiteral("/script-start"), startPage);
    TestWebServer::Response measuredPage;
    measuredPage.body = "<!doctype html><p>measured</p>";
    m_web.route(QStringLiteral("/script-page"), measuredPage);
    const QString start = m_web.url(QStringLiteral("/script-start")).toString();
    const QString page = m_web.url(QStringLiteral("/script-page")).toString();

    // A mistake is named at its line on the Script tab, and OK stays there.
    MainWindow window(services());
    window.resize(1280, 860);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    TestSettingsPanel *panel = window.testSettingsPanel();
    panel->setSettings({});
    panel->open();
    panel->scriptEditor()->setPlainText(u"logData\t0\nnavigate\t" + start + u"\nlogData\t1\nnavigat\t" + page);
    QVERIFY(!panel->settings());
    QVERIFY(!panel->scriptError()->isHidden());
    QVERIFY2(panel->scriptError()->text().contains(u"line 4"), qPrintable(panel->scriptError()->text()));
    panel->tabs()->setCurrentIndex(0);
    panel->accept();
    QVERIFY(panel->isVisible());
    QCOMPARE(panel->tabs()->currentIndex(), 3);
    QTest::qWait(100);
    screenshot(panel, QStringLiteral("testsettings-script-error.png"));

    const QString script = u"logData\t0\nnavigate\t" + start + u"\nlogData\t1\nnavigate\t" + page;
    panel->scriptEditor()->setPlainText(script);
    QVERIFY(panel->scriptError()->isHidden());
    panel->accept();
    QVERIFY(!panel->isVisible());
    QCOMPARE(window.testSettingsButton()->text(), QStringLiteral("Test settings (1)…"));

    // An address that disagrees with the script is refused rather than ignored; an empty one starts at the script's.
    window.urlField()->setText(QStringLiteral("https://elsewhere.example/"));
    QTest::mouseClick(window.goButton(), Qt::LeftButton);
    QVERIFY(!window.controller()->isRunning());
    QVERIFY2(window.urlError()->text().contains(u"script starts at " + start), qPrintable(window.urlError()->text()));
    window.urlField()->clear();
    const qsizetype before = m_web.requests().size();
    QTest::mouseClick(window.goButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(window.controller()->isRunning() || window.urlError()->isVisible(), 20'000);
    QVERIFY2(!window.urlError()->isVisible(), qPrintable(window.urlError()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 120'000);

    QStringList paths;
    for (const TestWebServer::Request &request : m_web.requests().mid(before))
        paths.append(request.path);
    QVERIFY2(paths.contains(u"/script-start") && paths.contains(u"/script-page"), qPrintable(paths.join(u' ')));
    const auto stored = m_history->load(window.recorder()->testId());
    QVERIFY(stored);
    QCOMPARE(stored->url, start);
    QCOMPARE(stored->options.test.script, script);
    const RegionRecord region = stored->region(stored->regions.first());
    QVERIFY(!region.runs.isEmpty());
    const ViewResult *view = region.runs.first().view(RunView::First);
    QVERIFY(view);
    QVERIFY2(!view->error, qPrintable(view->error ? view->error->message : QString()));
    // The measured step is the page the script loaded after logData 1, with only its own requests.
    QCOMPARE(view->finalUrl, page);
    for (const RequestTiming &request : view->requests)
        QVERIFY2(!request.url.contains(u"script-start"), qPrintable(request.url));
}

// A script that measures two steps, run from the window over a real local fleet: the region table has a row per
// step, the waterfall a block per step with only that step's requests, and the history and the PDF keep both.
void tst_TestSettingsPanel::aScriptOfTwoStepsShowsEachStep()
{
    TestWebServer::Response login;
    login.body = "<!doctype html><p>login</p>";
    m_web.route(QStringLiteral("/steps-login"), login);
    TestWebServer::Response home;
    home.body = "<!doctype html><title>home</title><p>home</p><img src=/asset?type=png&size=900&step=home>";
    m_web.route(QStringLiteral("/steps-home"), home);
    TestWebServer::Response account;
    account.body = "<!doctype html><title>account</title><h1>account</h1>"
                   "<script src=/asset?type=js&size=700&step=account></script>"
                   "<img src=/asset?type=png&size=1200&step=account>";
    m_web.route(QStringLiteral("/steps-account"), account);
    const QString script = QStringLiteral("logData\t0\nnavigate\t%1\nlogData\t1\nsetEventName\thome\nnavigate\t%2\n"
                                          "setEventName\taccount\nnavigate\t%3\n")
                               .arg(m_web.url(QStringLiteral("/steps-login")).toString(),
                                   m_web.url(QStringLiteral("/steps-home")).toString(),
                                   m_web.url(QStringLiteral("/steps-account")).toString());

    MainWindow window(services());
    window.resize(1280, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    TestSettingsPanel *panel = window.testSettingsPanel();
    panel->setSettings({});
    panel->open();
    panel->scriptEditor()->setPlainText(script);
    QVERIFY2(panel->scriptError()->isHidden(), qPrintable(panel->scriptError()->text()));
    panel->accept();
    window.urlField()->clear();
    QTest::mouseClick(window.goButton(), Qt::LeftButton);
    QTRY_VERIFY_WITH_TIMEOUT(window.controller()->isRunning() || window.urlError()->isVisible(), 20'000);
    QVERIFY2(!window.urlError()->isVisible(), qPrintable(window.urlError()->text()));
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 120'000);

    const TestRecord &live = window.recorder()->test();
    const QString region = live.regions.first();
    const RegionRun run = live.region(region).runs.first(); // region() answers a copy
    QVERIFY2(run.ok(), qPrintable(run.error ? run.error->message : QString()));
    QCOMPARE(run.stepCount(), 2);
    QCOMPARE(run.stepLabel(0), QStringLiteral("home"));
    QCOMPARE(run.stepLabel(1), QStringLiteral("account"));
    // Each step has its own requests, and the login's are in neither.
    const auto queriesOf = [](const ViewResult &view) {
        QStringList steps;
        for (const RequestTiming &request : view.requests) {
            if (request.url.contains(u"steps-login"))
                steps.append(QStringLiteral("login"));
            const QString query = QUrl(request.url).query();
            if (query.contains(u"step="))
                steps.append(query.mid(query.indexOf(u"step=") + 5));
        }
        steps.sort();
        steps.removeDuplicates();
        return steps;
    };
    QCOMPARE(queriesOf(run.stepView(0)), QStringList { QStringLiteral("home") });
    QCOMPARE(queriesOf(run.stepView(1)), QStringList { QStringLiteral("account") });
    QVERIFY(run.stepMeasured(1) && run.stepView(1).metrics.loadMs);

    // The table: the region's row and its step 2 row; the waterfall: a block per step, titled by it.
    QCOMPARE(window.regionModel()->rowCount(), 2);
    const WaterfallModel *waterfall = window.waterfallModel();
    QCOMPARE(waterfall->laneCount(), 2);
    QVERIFY2(waterfall->laneTitle(0).endsWith(u"Step 1: home"), qPrintable(waterfall->laneTitle(0)));
    QVERIFY2(waterfall->laneTitle(1).endsWith(u"Step 2: account"), qPrintable(waterfall->laneTitle(1)));
    // Step 2's requests streamed in live are not in step 1's block.
    QCOMPARE(waterfall->requestCount(0), run.stepView(0).requests.size());
    QCOMPARE(waterfall->requestCount(1), run.stepView(1).requests.size());
    screenshot(&window, QStringLiteral("script-two-steps-window.png"));

    // The history keeps both steps as the window showed them, and the PDF has both.
    const auto stored = m_history->load(window.recorder()->testId());
    QVERIFY(stored);
    const RegionRun storedRun = stored->region(region).runs.first();
    QCOMPARE(storedRun.stepCount(), 2);
    QCOMPARE(storedRun.stepView(1).requests.size(), run.stepView(1).requests.size());
    const QString pdfPath = m_dir.filePath(QStringLiteral("two-steps.pdf"));
    PdfReport report(*stored, RegionCatalog::builtIn());
    QString error;
    QVERIFY2(report.write(pdfPath, &error), qPrintable(error));
    const QString shots = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!shots.isEmpty())
        QFile::copy(pdfPath, QDir(shots).filePath(QStringLiteral("script-two-steps.pdf")));
}

QTEST_MAIN(tst_TestSettingsPanel)
#include "tst_testsettingspanel.moc"
