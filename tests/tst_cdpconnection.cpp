// CdpConnection against a scripted browser on the other end of a real DevTools pipe: replies by id, errors as
// values, per-command timeouts, events routed by session, and what happens when the browser goes away or breaks
// the protocol.
#include "cdpconnection.h"
#include "cdppipe.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

class tst_CdpConnection : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void repliesByIdAndErrorsAsValues();
    void commandTimesOut();
    void eventsGoToTheirSession();
    void disconnectFailsPendingCommands();
    void sendWhileClosedAnswersLater();
    void aBurstOfEventsArrivesInOrder();
    void aHandlerThatClosesStopsDelivery();
    void oversizedMessageClosesTheConnection();

private:
    void serve(const std::function<void(const QJsonObject &)> &onCommand);
    void reply(const QJsonObject &message);

    std::unique_ptr<CdpPipe> m_browser; // the fake browser's end
    std::unique_ptr<CdpConnection> m_cdp;
    std::function<void(const QJsonObject &)> m_onCommand;
};

void tst_CdpConnection::init()
{
    QString error;
    const std::optional<CdpPipe::Channels> channels = CdpPipe::createChannels(&error);
    QVERIFY2(channels, qPrintable(error));
    m_browser
        = std::make_unique<CdpPipe>(channels->childRead, channels->childWrite, CdpConnection::maxIncomingMessageBytes);
    connect(m_browser.get(), &CdpPipe::messageReceived, this, [this](const QByteArray &text) {
        if (m_onCommand)
            m_onCommand(QJsonDocument::fromJson(text).object());
    });
    m_cdp = std::make_unique<CdpConnection>();
    QSignalSpy opened(m_cdp.get(), &CdpConnection::opened);
    m_cdp->open(channels->ourRead, channels->ourWrite);
    QVERIFY(m_cdp->isOpen());
    QVERIFY(opened.wait(5000));
}

void tst_CdpConnection::cleanup()
{
    m_cdp.reset();
    m_browser.reset();
    m_onCommand = {};
}

void tst_CdpConnection::serve(const std::function<void(const QJsonObject &)> &onCommand)
{
    m_onCommand = onCommand;
}

void tst_CdpConnection::reply(const QJsonObject &message)
{
    m_browser->send(QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void tst_CdpConnection::repliesByIdAndErrorsAsValues()
{
    // Answer in reverse order: ids, not order, pair replies with commands.
    QList<QJsonObject> received;
    serve([&](const QJsonObject &command) {
        received.append(command);
        if (received.size() < 2)
            return;
        const QJsonObject second = received.at(1);
        reply({ { QStringLiteral("id"), second.value(QStringLiteral("id")) },
            { QStringLiteral("error"),
                QJsonObject { { QStringLiteral("code"), -32000 },
                    { QStringLiteral("message"), QStringLiteral("No target with given id") } } } });
        const QJsonObject first = received.at(0);
        reply({ { QStringLiteral("id"), first.value(QStringLiteral("id")) },
            { QStringLiteral("result"), QJsonObject { { QStringLiteral("product"), QStringLiteral("Chrome/1") } } } });
    });
    CdpReply version;
    CdpReply failure;
    int answers = 0;
    m_cdp->send(QStringLiteral("Browser.getVersion"), {}, {}, this, [&](const CdpReply &r) {
        version = r;
        ++answers;
    });
    m_cdp->send(QStringLiteral("Target.attachToTarget"), { { QStringLiteral("targetId"), QStringLiteral("nope") } },
        QStringLiteral("session-1"), this, [&](const CdpReply &r) {
            failure = r;
            ++answers;
        });
    QTRY_COMPARE(answers, 2);
    QVERIFY(version.ok());
    QCOMPARE(version.result.value(QStringLiteral("product")).toString(), QStringLiteral("Chrome/1"));
    QVERIFY(!failure.ok());
    QCOMPARE(failure.errorCode, -32000);
    QCOMPARE(failure.error, QStringLiteral("No target with given id"));
    // What went out: method, params, and the session for a session command.
    QCOMPARE(received.at(1).value(QStringLiteral("sessionId")).toString(), QStringLiteral("session-1"));
    QVERIFY(!received.at(0).contains(QStringLiteral("sessionId")));
    QCOMPARE(m_cdp->pendingCount(), 0);
}

void tst_CdpConnection::commandTimesOut()
{
    serve([](const QJsonObject &) {}); // a browser that never answers
    CdpReply answer;
    int answers = 0;
    QElapsedTimer clock;
    clock.start();
    m_cdp->send(
        QStringLiteral("Page.navigate"), {}, QStringLiteral("s"), this,
        [&](const CdpReply &r) {
            answer = r;
            ++answers;
        },
        std::chrono::milliseconds(200));
    QTRY_COMPARE_WITH_TIMEOUT(answers, 1, 5000);
    QVERIFY(clock.elapsed() >= 190);
    QCOMPARE(answer.errorCode, CdpReply::timeoutCode);
    QVERIFY(answer.error.contains(u"Page.navigate timed out"));
    // A late answer after the timeout is dropped, not delivered twice.
    reply({ { QStringLiteral("id"), 1 }, { QStringLiteral("result"), QJsonObject {} } });
    QTest::qWait(100);
    QCOMPARE(answers, 1);
}

void tst_CdpConnection::eventsGoToTheirSession()
{
    QStringList seenA;
    QStringList seenB;
    QStringList browserEvents;
    auto contextB = std::make_unique<QObject>();
    m_cdp->setSessionHandler(
        QStringLiteral("A"), this, [&](const QString &method, const QJsonObject &) { seenA << method; });
    m_cdp->setSessionHandler(
        QStringLiteral("B"), contextB.get(), [&](const QString &method, const QJsonObject &) { seenB << method; });
    connect(m_cdp.get(), &CdpConnection::browserEvent, this,
        [&](const QString &method, const QJsonObject &) { browserEvents << method; });
    reply({ { QStringLiteral("method"), QStringLiteral("Network.requestWillBeSent") },
        { QStringLiteral("sessionId"), QStringLiteral("A") } });
    reply({ { QStringLiteral("method"), QStringLiteral("Page.loadEventFired") },
        { QStringLiteral("sessionId"), QStringLiteral("B") } });
    reply({ { QStringLiteral("method"), QStringLiteral("Target.targetCreated") } });
    reply({ { QStringLiteral("method"), QStringLiteral("Network.dataReceived") },
        { QStringLiteral("sessionId"), QStringLiteral("unknown") } });
    QTRY_COMPARE(browserEvents.size(), 1);
    QTRY_COMPARE(seenA, QStringList { QStringLiteral("Network.requestWillBeSent") });
    QCOMPARE(seenB, QStringList { QStringLiteral("Page.loadEventFired") });
    // A session whose context is gone hears nothing more.
    contextB.reset();
    reply({ { QStringLiteral("method"), QStringLiteral("Page.loadEventFired") },
        { QStringLiteral("sessionId"), QStringLiteral("B") } });
    m_cdp->removeSessionHandler(QStringLiteral("A"));
    reply({ { QStringLiteral("method"), QStringLiteral("Page.loadEventFired") },
        { QStringLiteral("sessionId"), QStringLiteral("A") } });
    reply({ { QStringLiteral("method"), QStringLiteral("Target.targetDestroyed") } });
    QTRY_COMPARE(browserEvents.size(), 2);
    QCOMPARE(seenA.size(), 1);
    QCOMPARE(seenB.size(), 1);
}

void tst_CdpConnection::disconnectFailsPendingCommands()
{
    serve([](const QJsonObject &) {});
    QList<CdpReply> answers;
    m_cdp->send(QStringLiteral("A.one"), {}, {}, this, [&](const CdpReply &r) { answers << r; });
    m_cdp->send(QStringLiteral("A.two"), {}, QStringLiteral("s"), this, [&](const CdpReply &r) { answers << r; });
    QSignalSpy closed(m_cdp.get(), &CdpConnection::closed);
    QTRY_COMPARE(m_cdp->pendingCount(), 2);
    m_browser->close(); // the browser dies
    QVERIFY(closed.wait(5000));
    QCOMPARE(closed.at(0).at(0).toString(), QStringLiteral("the browser closed the DevTools pipe"));
    QCOMPARE(answers.size(), 2);
    for (const CdpReply &r : answers)
        QCOMPARE(r.errorCode, CdpReply::disconnectedCode);
    QVERIFY(!m_cdp->isOpen());
}

void tst_CdpConnection::sendWhileClosedAnswersLater()
{
    m_browser->close();
    QTRY_VERIFY(!m_cdp->isOpen());
    bool answered = false;
    bool insideSend = true;
    bool answeredInsideSend = false;
    m_cdp->send(QStringLiteral("Browser.getVersion"), {}, {}, this, [&](const CdpReply &r) {
        answered = true;
        answeredInsideSend = insideSend;
        QCOMPARE(r.errorCode, CdpReply::disconnectedCode);
    });
    insideSend = false;
    QTRY_VERIFY(answered);
    QVERIFY(!answeredInsideSend);
}

void tst_CdpConnection::aBurstOfEventsArrivesInOrder()
{
    // Thousands of events written at once reach the reader in whatever pieces the socket makes of them.
    QList<int> seen;
    m_cdp->setSessionHandler(QStringLiteral("S"), this,
        [&](const QString &, const QJsonObject &params) { seen << params.value(QStringLiteral("n")).toInt(); });
    constexpr int events = 5000;
    for (int n = 0; n < events; ++n) {
        reply({ { QStringLiteral("method"), QStringLiteral("Network.dataReceived") },
            { QStringLiteral("sessionId"), QStringLiteral("S") },
            { QStringLiteral("params"), QJsonObject { { QStringLiteral("n"), n } } } });
    }
    QTRY_COMPARE_WITH_TIMEOUT(seen.size(), events, 20'000);
    for (int n = 0; n < events; ++n)
        QCOMPARE(seen.at(n), n);
}

void tst_CdpConnection::aHandlerThatClosesStopsDelivery()
{
    // Three events in one read; the first one's handler closes the connection: the others are not delivered.
    int heard = 0;
    m_cdp->setSessionHandler(QStringLiteral("S"), this, [&](const QString &, const QJsonObject &) {
        ++heard;
        m_cdp->close();
    });
    QSignalSpy closed(m_cdp.get(), &CdpConnection::closed);
    for (int n = 0; n < 3; ++n)
        reply({ { QStringLiteral("method"), QStringLiteral("Page.frameNavigated") },
            { QStringLiteral("sessionId"), QStringLiteral("S") } });
    QTRY_COMPARE(closed.size(), 1);
    QTest::qWait(50);
    QCOMPARE(heard, 1);
    QVERIFY(!m_cdp->isOpen());
}

void tst_CdpConnection::oversizedMessageClosesTheConnection()
{
    // A message over the cap is a broken (or hostile) browser: the connection ends as if the browser had died,
    // and what was pending fails, rather than the probe buffering without bound.
    QString error;
    const std::optional<CdpPipe::Channels> channels = CdpPipe::createChannels(&error);
    QVERIFY2(channels, qPrintable(error));
    CdpPipe browser(channels->childRead, channels->childWrite, CdpConnection::maxIncomingMessageBytes);
    CdpConnection cdp;
    cdp.open(channels->ourRead, channels->ourWrite, 4096);
    CdpReply answer;
    cdp.send(QStringLiteral("Page.captureScreenshot"), {}, QStringLiteral("s"), this,
        [&](const CdpReply &r) { answer = r; });
    QSignalSpy closed(&cdp, &CdpConnection::closed);
    browser.send(R"({"id":1,"result":{"data":")" + QByteArray(8192, 'A') + R"("}})");
    QVERIFY(closed.wait(5000));
    QVERIFY2(closed.at(0).at(0).toString().startsWith(u"protocol error"), qPrintable(closed.at(0).at(0).toString()));
    QCOMPARE(answer.errorCode, CdpReply::disconnectedCode);
    QVERIFY(!cdp.isOpen());
}

QTEST_GUILESS_MAIN(tst_CdpConnection)
#include "tst_cdpconnection.moc"
