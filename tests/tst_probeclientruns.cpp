// ProbeClient's runs against a scripted probe on loopback: the frames of a run in order, what it refuses to send,
// frames it cannot read or does not expect, cancel, and every run ending once when the connection drops.

#include "fleet/probeclient.h"
#include "protocol/codec.h"
#include "protocol/message.h"
#include "scriptedprobe.h"

#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QWebSocket>

using namespace std::chrono_literals;

namespace {

QByteArray pngBytes(qsizetype size)
{
    QByteArray png("\x89PNG\r\n\x1a\n", 8);
    png.reserve(size);
    while (png.size() < size)
        png.append(char(QRandomGenerator::global()->bounded(256)));
    return png;
}

// What a probe sends for run r1, from its first status to its done: a request, and the repeat view's metrics with
// a screenshot.
QList<Message> framesOfOneRun()
{
    RequestTiming request;
    request.id = QStringLiteral("1000.12");
    request.url = QStringLiteral("https://example.com/app.css");
    request.method = QStringLiteral("GET");
    request.status = 200;
    request.startMs = 35.5;
    request.durationMs = 40.25;
    request.phases.dns = 3;
    request.phases.wait = 37.25;
    request.outcome = RequestTiming::Outcome::Finished;
    request.encodedBytes = 2048;
    MetricsMessage page;
    page.runId = QStringLiteral("r1");
    page.view = RunView::Repeat;
    page.metrics.documentStatus = 200;
    page.metrics.ttfbMs = 41.5;
    page.metrics.requestCount = 17;
    page.finalUrl = QStringLiteral("https://www.example.com/");
    page.screenshotPng = pngBytes(1000);
    DoneMessage done;
    done.runId = QStringLiteral("r1");
    done.browserStartMs = 640.5;
    return {
        StatusMessage { QStringLiteral("r1"), RunState::StartingBrowser, {} },
        StatusMessage { QStringLiteral("r1"), RunState::Loading, QStringLiteral("loading https://example.com/") },
        RequestMessage { QStringLiteral("r1"), RunView::First, request },
        page,
        done,
    };
}

} // namespace

class tst_ProbeClientRuns : public QObject
{
    Q_OBJECT

private slots:
    void runSignalsInOrder();
    void optionsAnOlderProbeLacksAreRefused();
    void screenshotFramesAboveOneMiB();
    void oversizedFrameCloses();
    void undecodableFrameKeepsConnection();
    void unreadableDoneEndsRun();
    void busyEndsRun();
    void framesForUnknownRunsAreDropped();
    void submitChecksItsArguments();
    void cancelSendsCancel();
    void dropMidRunEndsEveryRunOnce();
};

void tst_ProbeClientRuns::runSignalsInOrder()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));

    QStringList events;
    QList<Message> received;
    connect(&client, &ProbeClient::status, &client, [&](const QString &runId, RunState state, const QString &detail) {
        events.append(QStringLiteral("status"));
        received.append(StatusMessage { runId, state, detail });
    });
    connect(&client, &ProbeClient::requestFinished, &client,
        [&](const QString &runId, RunView view, const RequestTiming &request) {
            events.append(QStringLiteral("request"));
            received.append(RequestMessage { runId, view, request });
        });
    connect(&client, &ProbeClient::metrics, &client, [&](const QString &runId, RunView, const MetricsMessage &metrics) {
        events.append(QStringLiteral("metrics"));
        QCOMPARE(runId, metrics.runId);
        received.append(metrics);
    });
    connect(&client, &ProbeClient::done, &client, [&](const QString &runId, const DoneMessage &done) {
        events.append(QStringLiteral("done"));
        QCOMPARE(runId, done.runId);
        received.append(done);
    });

    LoadOptions options;
    options.timeoutMs = 30'000;
    options.profile = QStringLiteral("3G Fast");
    options.repeatView = true;
    options.screenshot = true;
    QString error;
    QVERIFY2(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/")), options, &error),
        qPrintable(error));
    QCOMPARE(client.runsInFlight(), QList<QString> { QStringLiteral("r1") });
    QTRY_COMPARE(probe.frames.size(), 3);
    QString why;
    const auto run = RunMessage::fromJson(probe.frames.last(), &why);
    QVERIFY2(run, qPrintable(why));
    QCOMPARE(
        Message(*run), Message(RunMessage { QStringLiteral("r1"), QStringLiteral("https://example.com/"), options }));

    const QList<Message> sent = framesOfOneRun();
    FrameCodec codec;
    codec.setNegotiatedVersion(1);
    for (const Message &message : sent)
        probe.sendText(codec.encodeText(message));
    QTRY_COMPARE(events.size(), 5);
    QCOMPARE(events,
        (QStringList { QStringLiteral("status"), QStringLiteral("status"), QStringLiteral("request"),
            QStringLiteral("metrics"), QStringLiteral("done") }));
    QCOMPARE(received, sent);
    QVERIFY(client.runsInFlight().isEmpty());
}

void tst_ProbeClientRuns::optionsAnOlderProbeLacksAreRefused()
{
    // A probe that predates device emulation would load the page as a desktop and say nothing: the client does
    // not send it such a run.
    ScriptedProbe older;
    QVERIFY(older.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, older));
    LoadOptions phone;
    phone.device = QStringLiteral("moto-g-power");
    QString error;
    QVERIFY(!client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/")), phone, &error));
    QCOMPARE(
        error, QStringLiteral("this probe (worldspeed-probe 0.1.0) cannot honour the option \"device\": update it"));
    QVERIFY(client.runsInFlight().isEmpty());
    // Nor one that asks for a filmstrip: an older probe would leave the visual metrics out without a word.
    LoadOptions filmed;
    filmed.filmstrip = true;
    QVERIFY(!client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/")), filmed, &error));
    QCOMPARE(
        error, QStringLiteral("this probe (worldspeed-probe 0.1.0) cannot honour the option \"filmstrip\": update it"));
    QVERIFY(client.runsInFlight().isEmpty());
    QVERIFY(client.submit(QStringLiteral("r2"), QUrl(QStringLiteral("https://example.com/")), LoadOptions {}, &error));
    // The same for each test setting: a probe without `headers` never gets the header.
    LoadOptions withHeader;
    withHeader.test.headers = { { QStringLiteral("X-Key"), QStringLiteral("abc"), {}, false } };
    QVERIFY(!client.submit(QStringLiteral("r3"), QUrl(QStringLiteral("https://example.com/")), withHeader, &error));
    QCOMPARE(
        error, QStringLiteral("this probe (worldspeed-probe 0.1.0) cannot honour the option \"headers\": update it"));

    // A probe from before steps on the wire would measure a several-step script's first step only (or refuse it):
    // it is not sent one, and the reason names what it lacks.
    ScriptedProbe beforeSteps;
    beforeSteps.hello.capabilities = LoadOptions::capabilities();
    beforeSteps.hello.capabilities.removeAll(QStringLiteral("script-steps"));
    QVERIFY(beforeSteps.listen());
    ProbeClient stepless;
    QVERIFY(connectReady(stepless, beforeSteps));
    LoadOptions steps;
    steps.test.script = QStringLiteral("navigate\thttps://example.com/a\nnavigate\thttps://example.com/b\n");
    QVERIFY(!stepless.submit(QStringLiteral("r4"), QUrl(QStringLiteral("https://example.com/a")), steps, &error));
    QCOMPARE(error,
        QStringLiteral("this probe (worldspeed-probe 0.1.0) cannot honour the option \"script-steps\": update it"));

    ScriptedProbe current;
    current.hello.capabilities = LoadOptions::capabilities();
    QVERIFY(current.listen());
    ProbeClient second;
    QVERIFY(connectReady(second, current));
    QVERIFY2(second.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/")), phone, &error),
        qPrintable(error));
    QVERIFY2(second.submit(QStringLiteral("r2"), QUrl(QStringLiteral("https://example.com/")), withHeader, &error),
        qPrintable(error));
    QVERIFY2(second.submit(QStringLiteral("r5"), QUrl(QStringLiteral("https://example.com/a")), steps, &error),
        qPrintable(error));
    // A named secret goes only with its value.
    LoadOptions withAuth;
    withAuth.test.basicAuth = BasicAuthSetting { QStringLiteral("tester"), QStringLiteral("staging") };
    QVERIFY(!second.submit(QStringLiteral("r3"), QUrl(QStringLiteral("https://example.com/")), withAuth, &error));
    QCOMPARE(error, QStringLiteral("the options use the secret \"staging\", whose value was not given"));
    withAuth.test.secretValues.insert(QStringLiteral("staging"), QStringLiteral("pw"));
    QVERIFY2(second.submit(QStringLiteral("r3"), QUrl(QStringLiteral("https://example.com/")), withAuth, &error),
        qPrintable(error));
    QVERIFY2(second.submit(QStringLiteral("r4"), QUrl(QStringLiteral("https://example.com/")), filmed, &error),
        qPrintable(error));
}

void tst_ProbeClientRuns::screenshotFramesAboveOneMiB()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy metrics(&client, &ProbeClient::metrics);
    QSignalSpy errors(&client, &ProbeClient::protocolError);
    QVERIFY(client.submit(QStringLiteral("big"), QUrl(QStringLiteral("https://example.com/"))));
    MetricsMessage page;
    page.runId = QStringLiteral("big");
    page.screenshotPng = pngBytes(3 * 1024 * 1024); // 4 MiB of base64: over a probe's 1 MiB, under our 16 MiB
    probe.send(page);
    QVERIFY(metrics.wait());
    QCOMPARE(qvariant_cast<MetricsMessage>(metrics.at(0).at(2)).screenshotPng, page.screenshotPng);
    QCOMPARE(errors.size(), 0);
}

void tst_ProbeClientRuns::oversizedFrameCloses()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QSignalSpy done(&client, &ProbeClient::done);
    QVERIFY(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/"))));
    probe.sendText(QString(FrameCodec::screenshotMaxFrameBytes + 1, u'x'));
    QVERIFY(disconnected.wait());
    QCOMPARE(disconnected.at(0).at(0).toInt(), 1009);
    QCOMPARE(disconnected.at(0).at(1).toString(), QStringLiteral("frame too large"));
    QCOMPARE(done.size(), 1);
    QCOMPARE(qvariant_cast<DoneMessage>(done.at(0).at(1)).error->message,
        QStringLiteral("connection to the probe lost: frame too large"));
}

void tst_ProbeClientRuns::undecodableFrameKeepsConnection()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy errors(&client, &ProbeClient::protocolError);
    QSignalSpy disconnected(&client, &ProbeClient::disconnected);
    QSignalSpy load(&client, &ProbeClient::loadReport);
    const qsizetype framesBefore = probe.frames.size();

    probe.sendText(QStringLiteral("{not json"));
    QVERIFY(errors.wait());
    QCOMPARE(qvariant_cast<ErrorMessage>(errors.at(0).at(0)).code, ProtocolError::malformed.toString());
    probe.sendText(QStringLiteral(R"({"v":1,"type":"teleport","runId":"r7"})"));
    QTRY_COMPARE(errors.size(), 2);
    const auto unknown = qvariant_cast<ErrorMessage>(errors.at(1).at(0));
    QCOMPARE(unknown.code, ProtocolError::unknownType.toString());
    QCOMPARE(unknown.runId, QStringLiteral("r7"));
    // A probe's error frame that is itself unreadable is reported but not answered: no echo between peers.
    probe.sendText(QStringLiteral(R"({"v":1,"type":"error","code":"NOT A CODE","message":""})"));
    QTRY_COMPARE(errors.size(), 3);
    QCOMPARE(qvariant_cast<ErrorMessage>(errors.at(2).at(0)).code, ProtocolError::invalidMessage.toString());

    // The client answers each bad frame (PROTOCOL.md §3) and stays connected.
    probe.send(LoadMessage { 1, 4, 0 });
    QVERIFY(load.wait());
    QCOMPARE(probe.frames.size(), framesBefore + 2);
    QCOMPARE(probe.frames.at(framesBefore).value(u"code").toString(), ProtocolError::malformed.toString());
    QCOMPARE(probe.frames.at(framesBefore + 1).value(u"code").toString(), ProtocolError::unknownType.toString());
    QCOMPARE(probe.frames.at(framesBefore + 1).value(u"runId").toString(), QStringLiteral("r7"));
    QCOMPARE(disconnected.size(), 0);
    QVERIFY(client.isReady());
    QCOMPARE(probe.connectionCount, 1);
}

void tst_ProbeClientRuns::unreadableDoneEndsRun()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy done(&client, &ProbeClient::done);
    QSignalSpy errors(&client, &ProbeClient::protocolError);
    QVERIFY(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/"))));
    probe.sendText(QStringLiteral(R"({"v":1,"type":"done","runId":"r1","ok":"yes"})"));
    QVERIFY(done.wait());
    QCOMPARE(errors.size(), 1);
    const auto end = qvariant_cast<DoneMessage>(done.at(0).at(1));
    QVERIFY(!end.ok);
    QVERIFY(end.error->message.startsWith(u"the probe's done could not be read"));
    // The real one, should it follow, is not a second done.
    done.clear();
    probe.send(DoneMessage { QStringLiteral("r1"), true, {}, {}, {}, {}, {} });
    QVERIFY(!done.wait(200));
}

void tst_ProbeClientRuns::busyEndsRun()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QStringList events;
    connect(&client, &ProbeClient::protocolError, &client,
        [&](const ErrorMessage &error) { events.append(QStringLiteral("error ") + error.code + u' ' + error.runId); });
    connect(&client, &ProbeClient::done, &client, [&](const QString &runId, const DoneMessage &done) {
        events.append(QStringLiteral("done ") + runId + u' ' + (done.ok ? QStringLiteral("ok") : done.error->message));
    });
    QVERIFY(client.submit(QStringLiteral("taken"), QUrl(QStringLiteral("https://example.com/"))));
    QVERIFY(client.submit(QStringLiteral("refused"), QUrl(QStringLiteral("https://example.com/"))));
    probe.send(StatusMessage { QStringLiteral("taken"), RunState::Loading, {} });
    // An error about a run the probe took does not end it; busy for one it did not take does.
    probe.send(ErrorMessage { QStringLiteral("internal"), QStringLiteral("oops"), QStringLiteral("taken") });
    probe.send(ErrorMessage {
        ProtocolError::busy.toString(), QStringLiteral("4 of 4 runs active, queue full"), QStringLiteral("refused") });
    QTRY_COMPARE(events.size(), 3);
    QCOMPARE(events,
        (QStringList { QStringLiteral("error internal taken"), QStringLiteral("error busy refused"),
            QStringLiteral("done refused the probe did not take the run: busy: 4 of 4 runs active, queue full") }));
    QCOMPARE(client.runsInFlight(), QList<QString> { QStringLiteral("taken") });
}

void tst_ProbeClientRuns::framesForUnknownRunsAreDropped()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QSignalSpy status(&client, &ProbeClient::status);
    QSignalSpy done(&client, &ProbeClient::done);
    QSignalSpy load(&client, &ProbeClient::loadReport);
    probe.send(StatusMessage { QStringLiteral("stranger"), RunState::Loading, {} });
    probe.send(DoneMessage { QStringLiteral("stranger"), true, {}, {}, {}, {}, {} });
    probe.send(LoadMessage { 0, 4, 0 });
    QVERIFY(load.wait());
    QCOMPARE(status.size(), 0);
    QCOMPARE(done.size(), 0);
}

void tst_ProbeClientRuns::submitChecksItsArguments()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    const QUrl url(QStringLiteral("https://example.com/"));
    QString error;
    QVERIFY(!client.submit(QStringLiteral("r1"), url, {}, &error));
    QCOMPARE(error, QStringLiteral("not connected to a probe"));
    QVERIFY(connectReady(client, probe));
    const qsizetype framesBefore = probe.frames.size();

    QVERIFY(!client.submit(QStringLiteral("bad id!"), url, {}, &error));
    QVERIFY(error.contains(u"bad id!"));
    QVERIFY(!client.submit(QString(65, u'a'), url, {}, &error));
    QVERIFY(!client.submit(QString(), url, {}, &error));
    QVERIFY(!client.submit(QStringLiteral("r1"), QUrl(), {}, &error));
    LoadOptions tooShort;
    tooShort.timeoutMs = 5;
    QVERIFY(!client.submit(QStringLiteral("r1"), url, tooShort, &error));
    QVERIFY2(error.contains(u"timeoutMs"), qPrintable(error));
    QVERIFY(client.submit(QStringLiteral("r1"), url));
    QVERIFY(!client.submit(QStringLiteral("r1"), url, {}, &error));
    QCOMPARE(error, QStringLiteral("run r1 is already in flight"));
    QVERIFY(client.submit(QString(64, u'z'), url));
    QTRY_COMPARE(probe.frames.size(), framesBefore + 2);

    QSet<QString> ids;
    for (int i = 0; i < 100; ++i) {
        const QString id = ProbeClient::newRunId();
        QVERIFY2(ProtocolLimits::isIdentifier(id), qPrintable(id));
        ids.insert(id);
    }
    QCOMPARE(ids.size(), 100);
}

void tst_ProbeClientRuns::cancelSendsCancel()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QString error;
    QVERIFY(!client.cancel(QStringLiteral("r1"), &error));
    QCOMPARE(error, QStringLiteral("no run \"r1\" in flight"));
    QVERIFY(client.submit(QStringLiteral("r1"), QUrl(QStringLiteral("https://example.com/"))));
    QVERIFY(client.cancel(QStringLiteral("r1")));
    QTRY_COMPARE(probe.frameTypes().last(), QStringLiteral("cancel"));
    QCOMPARE(probe.frames.last().value(u"runId").toString(), QStringLiteral("r1"));
    // The run is over only when the probe says so.
    QCOMPARE(client.runsInFlight(), QList<QString> { QStringLiteral("r1") });
    QSignalSpy done(&client, &ProbeClient::done);
    probe.send(
        DoneMessage { QStringLiteral("r1"), false, LoadError { LoadError::Kind::Cancelled, {} }, {}, {}, {}, {} });
    QVERIFY(done.wait());
    QCOMPARE(qvariant_cast<DoneMessage>(done.at(0).at(1)).error->kind, LoadError::Kind::Cancelled);
}

void tst_ProbeClientRuns::dropMidRunEndsEveryRunOnce()
{
    ScriptedProbe probe;
    QVERIFY(probe.listen());
    ProbeClient client;
    QVERIFY(connectReady(client, probe));
    QStringList events;
    QList<DoneMessage> dones;
    connect(&client, &ProbeClient::done, &client, [&](const QString &runId, const DoneMessage &done) {
        events.append(QStringLiteral("done ") + runId);
        dones.append(done);
    });
    connect(&client, &ProbeClient::disconnected, &client,
        [&](int code) { events.append(QStringLiteral("disconnected ") + QString::number(code)); });
    const QUrl url(QStringLiteral("https://example.com/"));
    for (const char16_t *id : { u"r1", u"r2", u"r3" })
        QVERIFY(client.submit(QString::fromUtf16(id), url));
    probe.send(StatusMessage { QStringLiteral("r1"), RunState::Loading, {} });
    probe.send(DoneMessage { QStringLiteral("r2"), true, {}, {}, {}, {}, {} });
    QTRY_COMPARE(events.size(), 1);
    probe.abortCurrent();
    QTRY_COMPARE(events.size(), 4);
    QTest::qWait(100);
    QCOMPARE(events,
        (QStringList { QStringLiteral("done r2"), QStringLiteral("done r1"), QStringLiteral("done r3"),
            QStringLiteral("disconnected 1006") }));
    QVERIFY(dones.at(0).ok);
    for (const DoneMessage &lost : { dones.at(1), dones.at(2) }) {
        QVERIFY(!lost.ok);
        QCOMPARE(lost.error->kind, LoadError::Kind::ConnectionFailed);
        QVERIFY2(lost.error->message.startsWith(u"connection to the probe lost: the connection was lost"),
            qPrintable(lost.error->message));
    }
    QVERIFY(client.runsInFlight().isEmpty());
    QCOMPARE(client.state(), ProbeClient::State::Disconnected);
}

QTEST_GUILESS_MAIN(tst_ProbeClientRuns)
#include "tst_probeclientruns.moc"
