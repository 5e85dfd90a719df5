// A new user's first start (issue 14, finding 12): while the fleet is only this computer, the window says what a
// region is and offers to add one (Settings' Fleet editor, its form open); this computer's pin is where the user
// says, not where the time zone guessed, and the choice is kept in the fleet config. The window fits the screen it
// opens on, and the next start brings it back as it was closed. Offscreen, no browser.
#include "appsettings.h"
#include "firststartpanel.h"
#include "fleet/fleetconfig.h"
#include "mainwindow.h"
#include "memorysecretstore.h"
#include "regionform.h"
#include "settingsdialog.h"
#include "windowlayoutkeeper.h"
#include "worldmapview.h"

#include <QApplication>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QSplitter>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

class tst_FirstStart : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void panelSaysWhatARegionIsAndPlacesThisComputer();
    void addARegionOpensTheEditorsForm();
    void noPanelOnceTheFleetHasMoreThanThisComputer();
    void windowFitsTheScreenAtFirstStart();
    void nextStartBringsTheWindowBackAsItWasClosed();

private:
    MainWindow::Services services(std::optional<FleetConfig> config = std::nullopt);
    void screenshot(QWidget *widget, const QString &name);

    QTemporaryDir m_dir;
    MemorySecretStore m_secrets;
};

void tst_FirstStart::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedFirstStartTests"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
}

MainWindow::Services tst_FirstStart::services(std::optional<FleetConfig> config)
{
    MainWindow::Services s;
    s.secrets = &m_secrets;
    s.fleetConfigPath = m_dir.filePath(QStringLiteral("fleet.json"));
    s.fleetConfig = std::move(config);
    return s;
}

void tst_FirstStart::screenshot(QWidget *widget, const QString &name)
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (!dir.isEmpty())
        widget->grab().save(QDir(dir).filePath(name));
}

void tst_FirstStart::panelSaysWhatARegionIsAndPlacesThisComputer()
{
    QFile::remove(m_dir.filePath(QStringLiteral("fleet.json")));
    // The default config as a UTC machine gets it: this computer at Greenwich.
    FleetConfig config = FleetConfig::defaultConfig();
    config.regions[0].latitude = 51.48;
    config.regions[0].longitude = 0.0;
    MainWindow window(services(config));
    window.resize(1280, 800);
    window.show();
    auto *panel = window.findChild<FirstStartPanel *>();
    QVERIFY(panel);
    QVERIFY(panel->isVisible());
    const QString text = panel->textLabel()->text();
    QVERIFY2(text.contains(u"A region is a place"), qPrintable(text));
    QVERIFY2(text.contains(u"a guess from the time zone"), qPrintable(text));
    screenshot(&window, QStringLiteral("first-start.png"));
    // In a small window the panel leaves the map little height: the load-time scale still explains its colours.
    window.resize(1024, 700);
    QTRY_VERIFY(window.worldMap()->height() < 200);
    QTest::qWait(50);
    QVERIFY(window.worldMap()->isLegendShown());
    screenshot(&window, QStringLiteral("first-start-1024x700.png"));
    window.resize(1280, 800);

    // The user says where this computer is: the local region moves there, in the saved config and the fleet.
    const int tokyo = panel->placeCombo()->findData(QStringLiteral("nrt"));
    QVERIFY(tokyo > 0);
    panel->placeCombo()->setCurrentIndex(tokyo);
    emit panel->placeCombo()->activated(tokyo);
    QString error;
    const std::optional<FleetConfig> saved = FleetConfig::load(m_dir.filePath(QStringLiteral("fleet.json")), &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(saved->regions.size(), 1);
    QVERIFY(std::abs(saved->regions.at(0).latitude - 35.7) < 1);
    QVERIFY(std::abs(saved->regions.at(0).longitude - 139.7) < 1);
    // Still a first start (one region), now placed where the user said, no longer a guess.
    QVERIFY(panel->isVisible());
    QVERIFY2(!panel->textLabel()->text().contains(u"guess"), qPrintable(panel->textLabel()->text()));
    QVERIFY(panel->textLabel()->text().contains(u"Tokyo"));

    // And a window opened later starts from that config, at Tokyo.
    MainWindow again(services());
    auto *againPanel = again.findChild<FirstStartPanel *>();
    again.show();
    QVERIFY(againPanel->textLabel()->text().contains(u"Tokyo"));

    // Not now: the panel goes.
    QTest::mouseClick(panel->dismissButton(), Qt::LeftButton);
    QVERIFY(!panel->isVisible());
}

void tst_FirstStart::addARegionOpensTheEditorsForm()
{
    QFile::remove(m_dir.filePath(QStringLiteral("fleet.json")));
    // A Chrome chosen in Settings › Local probes is the app's setting: it must not be written into the fleet file
    // that Settings saves (else clearing the setting later would leave the file pinned to it).
    AppSettings().chromePath.setValue(QStringLiteral("/bin/true")); // Settings checks it is executable
    MainWindow window(services(FleetConfig::defaultConfig()));
    window.show();
    auto *panel = window.findChild<FirstStartPanel *>();
    QVERIFY(panel && panel->isVisible());

    // Settings opens with the region form on top of it; the form is filled and accepted, then Settings' OK.
    bool sawForm = false;
    bool sawSettings = false;
    std::function<void()> drive = [&] {
        QWidget *modal = QApplication::activeModalWidget();
        if (auto *form = qobject_cast<RegionForm *>(modal)) {
            sawForm = true;
            form->kindCombo()->setCurrentIndex(RegionForm::OwnProbe);
            form->codeEdit()->setText(QStringLiteral("lab"));
            form->urlEdit()->setText(QStringLiteral("wss://probe.example.net:8700"));
            screenshot(form, QStringLiteral("first-start-add-region-form.png"));
            form->okButton()->click();
        } else if (auto *settings = qobject_cast<SettingsDialog *>(modal); settings && sawForm) {
            sawSettings = true;
            settings->okButton()->click();
            return;
        }
        QTimer::singleShot(50, &window, drive);
    };
    QTimer::singleShot(0, &window, drive);
    QTest::mouseClick(panel->addButton(), Qt::LeftButton);
    QVERIFY(sawForm);
    QVERIFY(sawSettings);
    // The fleet has the new region, and the first-start panel has done its job.
    const std::optional<FleetConfig> saved = FleetConfig::load(m_dir.filePath(QStringLiteral("fleet.json")), nullptr);
    QVERIFY(saved);
    QStringList codes;
    for (const RegionConfig &region : saved->regions)
        codes.append(region.code);
    QCOMPARE(codes, (QStringList { QStringLiteral("local"), QStringLiteral("lab") }));
    QVERIFY(!saved->regions.at(0).backendSettings.contains(QStringLiteral("chromePath")));
    QVERIFY(!panel->isVisible());
    AppSettings().chromePath.remove();
}

void tst_FirstStart::noPanelOnceTheFleetHasMoreThanThisComputer()
{
    FleetConfig config = FleetConfig::defaultConfig();
    QVERIFY(FirstStartPanel::isFirstStart(config));
    RegionConfig other = config.regions.at(0);
    other.code = QStringLiteral("fra");
    config.regions.append(other);
    QVERIFY(!FirstStartPanel::isFirstStart(config));
    MainWindow window(services(config));
    window.show();
    QVERIFY(!window.findChild<FirstStartPanel *>()->isVisible());
}

void tst_FirstStart::windowFitsTheScreenAtFirstStart()
{
    // A 1400×900 window on a 1366×768 laptop (its panel taking 30 px) or a 1280×800 one: within, frame and all.
    QCOMPARE(WindowLayoutKeeper::fitted(QSize(1400, 900), QSize(1366, 738)), QSize(1350, 690));
    QCOMPARE(WindowLayoutKeeper::fitted(QSize(1400, 900), QSize(1280, 800)), QSize(1264, 752));
    QCOMPARE(WindowLayoutKeeper::fitted(QSize(1400, 900), QSize(1920, 1050)), QSize(1400, 900));

    AppSettings settings;
    settings.windowGeometry.remove();
    MainWindow window(services(FleetConfig::defaultConfig()));
    window.layoutKeeper()->restore();
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QRect available = window.screen()->availableGeometry();
    qInfo("screen %dx%d, window %dx%d at %d,%d", available.width(), available.height(), window.width(), window.height(),
        window.x(), window.y());
    QVERIFY(available.contains(window.geometry()));
    QCOMPARE(available.size(), QSize(1366, 768));
    QCOMPARE(window.size(), WindowLayoutKeeper::fitted(QSize(1400, 900), available.size()));
    screenshot(&window, QStringLiteral("first-start-fitted.png"));
}

void tst_FirstStart::nextStartBringsTheWindowBackAsItWasClosed()
{
    QList<int> regionsSplit;
    QList<int> paneSplit;
    int tab = -1;
    {
        MainWindow window(services(FleetConfig::defaultConfig()));
        window.layoutKeeper()->restore();
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        window.setGeometry(QRect(QPoint(20, 30), QSize(1100, 640)));
        const QList<QSplitter *> splitters { window.findChild<QSplitter *>(QStringLiteral("regionsSplitter")),
            window.findChild<QSplitter *>(QStringLiteral("paneSplitter")) };
        QVERIFY(splitters.at(0) && splitters.at(1));
        for (QSplitter *splitter : splitters) {
            const int total = splitter->orientation() == Qt::Horizontal ? splitter->width() : splitter->height();
            QList<int> sizes(splitter->count(), 0);
            sizes[0] = total / 4; // dragged far from where the window puts it
            for (int i = 1; i < sizes.size(); ++i)
                sizes[i] = (total - sizes[0]) / (sizes.size() - 1);
            splitter->setSizes(sizes);
        }
        window.tabs()->setCurrentIndex(window.tabs()->count() - 1);
        tab = window.tabs()->currentIndex();
        QVERIFY(tab > 0);
        QCoreApplication::processEvents();
        regionsSplit = splitters.at(0)->sizes();
        paneSplit = splitters.at(1)->sizes();
        QVERIFY(window.close());
    }
    MainWindow again(services(FleetConfig::defaultConfig()));
    again.layoutKeeper()->restore();
    again.show();
    QVERIFY(QTest::qWaitForWindowExposed(&again));
    QCOMPARE(again.size(), QSize(1100, 640));
    QCOMPARE(again.tabs()->currentIndex(), tab);
    QCOMPARE(again.findChild<QSplitter *>(QStringLiteral("regionsSplitter"))->sizes(), regionsSplit);
    QCOMPARE(again.findChild<QSplitter *>(QStringLiteral("paneSplitter"))->sizes(), paneSplit);

    // A settings file written by hand, or by another version, restores nothing and breaks nothing.
    AppSettings settings;
    settings.windowGeometry.setValue(QByteArray("not a geometry"));
    settings.windowSplitters.setValue({ QByteArray("junk") });
    settings.windowTab.setValue(99);
    MainWindow broken(services(FleetConfig::defaultConfig()));
    broken.layoutKeeper()->restore();
    broken.show();
    QVERIFY(QTest::qWaitForWindowExposed(&broken));
    QVERIFY(broken.screen()->availableGeometry().contains(broken.geometry()));
    QCOMPARE(broken.tabs()->currentIndex(), 0);
}

// The offscreen platform's screen is 800×800 unless told otherwise: here it is a 1366×768 laptop's, the smallest
// screen the window is made for (its minimum width is about 970 px).
int main(int argc, char *argv[])
{
    QTemporaryFile screens;
    if (!screens.open())
        return 1;
    screens.write(R"({ "screens": [ { "name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768,
                    "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1 } ] })");
    screens.flush();
    qputenv("QT_QPA_PLATFORM", "offscreen:configfile=" + QFile::encodeName(screens.fileName()));
    QApplication app(argc, argv);
    tst_FirstStart test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "tst_firststart.moc"
