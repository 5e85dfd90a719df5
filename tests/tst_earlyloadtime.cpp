// The load time reaches the person watching as soon as the browser has it: on a page that keeps the network busy
// after its load event, the region's row and its marker show the load time while the run is still finishing, with
// real local probes, real Chromium and the test web server. Only the final metrics are the run's result.
#include "fleet/fleetconfig.h"
#include "historystore.h"
#include "localfleet.h"
#include "mainwindow.h"
#include "memorysecretstore.h"
#include "model/displayformat.h"
#include "regionmodel.h"
#include "runcontroller.h"
#include "runrecorder.h"
#include "testwebserver.h"
#include "worldmapview.h"

#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QTemporaryDir>
#include <QTest>

class tst_EarlyLoadTime : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void loadTimeIsShownBeforeTheRunIsDone();

private:
    TestWebServer m_web;
    QTemporaryDir m_dir;
    std::unique_ptr<HistoryStore> m_history;
    MemorySecretStore m_secrets;
};

void tst_EarlyLoadTime::initTestCase()
{
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeedTests"));
    QSettings().clear();
    QVERIFY(m_dir.isValid());
    m_history = std::make_unique<HistoryStore>(m_dir.filePath(QStringLiteral("history.sqlite")));
    QVERIFY(m_history->open());
    QVERIFY(m_web.listen());
    // The page loads at once, then asks for something the server never answers: the network stays busy, so the
    // run cannot be done (fully loaded) while the test looks. Nothing but the load event can show the load time.
    TestWebServer::Response page;
    page.body = "<!doctype html><title>busy</title><h1>busy after load</h1>"
                "<script>addEventListener('load', () => fetch('/never'))</script>";
    m_web.route(QStringLiteral("/page"), page);
    TestWebServer::Response never;
    never.mode = TestWebServer::Response::Mode::Hang;
    m_web.route(QStringLiteral("/never"), never);
}

void tst_EarlyLoadTime::loadTimeIsShownBeforeTheRunIsDone()
{
    const FleetConfig config = localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE));
    MainWindow::Services services;
    services.history = m_history.get();
    services.secrets = &m_secrets;
    services.fleetConfig = config;
    MainWindow window(services);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY2(window.fleetError().isEmpty(), qPrintable(window.fleetError()));
    const QString local = QStringLiteral("local");
    RegionModel *regions = window.regionModel();
    const QModelIndex loadCell = regions->index(regions->rowOf(local), RegionModel::columnOf(PageMetric::Id::Load));

    window.urlField()->setText(m_web.url(QStringLiteral("/page")).toString());
    QTest::mouseClick(window.goButton(), Qt::LeftButton);
    QVERIFY(window.controller()->isRunning());
    QVERIFY(regions->data(loadCell).toString().isEmpty());

    // The load time appears in the table and colours the marker…
    QTRY_VERIFY_WITH_TIMEOUT(!regions->data(loadCell).toString().isEmpty(), 60'000);
    const QString shown = regions->data(loadCell).toString();
    QVERIFY2(shown.endsWith(u" ms") || shown.endsWith(u" s"), qPrintable(shown));
    QVERIFY(regions->data(loadCell, RegionModel::LoadMsRole).isValid());
    QCOMPARE(window.worldMap()->regionState(local), WorldMapView::State::Done);
    QCOMPARE(regions->stateText(local), QStringLiteral("Loaded, finishing…"));
    // …while the run is not done: its last request is still open, its final metrics have not come.
    QVERIFY(window.controller()->isRunning());
    QCOMPARE(regions->phase(local), RegionModel::Phase::Loading);
    QCOMPARE(m_web.hits(QStringLiteral("/never")), 1);
    const RegionRecord live = window.recorder()->test().region(local);
    const RegionRun *run = live.run(1);
    QVERIFY(run);
    QVERIFY(!run->finished);
    QVERIFY(!run->firstViewMeasured);

    // The early figures are not a result: a run that ends without its final metrics has none to show or keep.
    window.controller()->cancel();
    QTRY_VERIFY_WITH_TIMEOUT(!window.controller()->isRunning(), 60'000);
    QCOMPARE(regions->phase(local), RegionModel::Phase::Failed);
    QCOMPARE(regions->data(loadCell).toString(), DisplayFormat::missing());
    QCOMPARE(window.worldMap()->regionState(local), WorldMapView::State::Error);
    const auto stored = m_history->load(window.recorder()->testId());
    QVERIFY(stored);
    const RegionRun kept = stored->region(local).runs.first(); // region() returns a copy
    QVERIFY(!kept.firstViewMeasured);
    QVERIFY(!kept.firstView.metrics.loadMs);
}

QTEST_MAIN(tst_EarlyLoadTime)
#include "tst_earlyloadtime.moc"
