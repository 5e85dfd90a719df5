// Pending requests are asked for only by whoever shows them: a fleet built for the app asks its probes for `started`
// frames (the live waterfall's pending rows), one built as the command line builds it (PendingRequests::NotAsked,
// RunCommand's) does not, and its probe sends none. A real local probe and Chromium load a page whose image takes a
// second, long enough to be pending in any batch.
#include "fleet/configuredfleet.h"
#include "localfleet.h"
#include "memorysecretstore.h"
#include "runcontroller.h"
#include "testwebserver.h"

#include <QSignalSpy>
#include <QTest>

class tst_PendingFeed : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void startedFramesOnlyWhenAsked_data();
    void startedFramesOnlyWhenAsked();

private:
    TestWebServer m_web;
    MemorySecretStore m_secrets;
};

void tst_PendingFeed::initTestCase()
{
    QVERIFY(m_web.listen());
    TestWebServer::Response page;
    page.body = "<!doctype html><title>pending</title><img src=\"/asset?type=png&size=4000&delay=1500\">";
    m_web.route(QStringLiteral("/page"), page);
}

void tst_PendingFeed::startedFramesOnlyWhenAsked_data()
{
    QTest::addColumn<bool>("asked");
    QTest::newRow("the app's fleet") << true;
    QTest::newRow("the command line's fleet") << false;
}

void tst_PendingFeed::startedFramesOnlyWhenAsked()
{
    QFETCH(bool, asked);
    QString error;
    auto fleet = ConfiguredFleet::create(localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE)), &m_secrets, &error,
        nullptr, asked ? ConfiguredFleet::PendingRequests::Asked : ConfiguredFleet::PendingRequests::NotAsked);
    QVERIFY2(fleet, qPrintable(error));
    RunController controller(fleet->fleet());
    QSignalSpy started(&controller, &RunController::requestsStarted);
    QSignalSpy finishedRequests(&controller, &RunController::requestFinished);
    QSignalSpy finished(&controller, &RunController::finished);
    RunController::Request request;
    request.url = m_web.url(QStringLiteral("/page"));
    request.regions = { QStringLiteral("local") };
    QVERIFY2(controller.start(request, &error), qPrintable(error));
    QVERIFY(finished.wait(120'000));
    QVERIFY(finishedRequests.size() >= 2); // the page and its image were measured either way
    if (asked)
        QVERIFY(!started.isEmpty());
    else
        QCOMPARE(started.size(), 0);
}

QTEST_MAIN(tst_PendingFeed)
#include "tst_pendingfeed.moc"
