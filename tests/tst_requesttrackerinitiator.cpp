// RequestTracker's initiators: Network.requestWillBeSent's initiator objects as Chrome sends them (the recordings
// tst_requesttracker plays predate them), each kind and each bound. tst_requestinitiator checks them against a real
// Chromium's.
#include "requestrecorder.h"
#include "requesttracker.h"

#include <QJsonArray>
#include <QTest>

class TestRequestTrackerInitiator final : public QObject
{
    Q_OBJECT

private slots:
    void initiatorOfEachKind();
};

void TestRequestTrackerInitiator::initiatorOfEachKind()
{
    // A parser's line, a script's stack, an async stack's parent, no location at all, a URL longer than the protocol
    // carries, and the same document twice.
    const QString page = QStringLiteral("http://a/page.html");
    const QString longUrl = QStringLiteral("http://a/") + QString(RequestTiming::Limits::url, u'x');
    const auto frame = [](const QString &url, int line) {
        return QJsonObject { { QStringLiteral("functionName"), QString() }, { QStringLiteral("url"), url },
            { QStringLiteral("lineNumber"), line }, { QStringLiteral("columnNumber"), 4 } };
    };
    const auto stack = [](const QJsonArray &frames, const QJsonObject &parent = {}) {
        QJsonObject json { { QStringLiteral("callFrames"), frames } };
        if (!parent.isEmpty())
            json.insert(QStringLiteral("parent"), parent);
        return json;
    };
    const std::pair<QString, QJsonValue> cases[] = {
        { QStringLiteral("parser"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("parser") }, { QStringLiteral("url"), page },
                { QStringLiteral("lineNumber"), 11 } } },
        { QStringLiteral("script"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("script") },
                { QStringLiteral("stack"),
                    stack({ frame(QStringLiteral("http://a/app.js"), 39), frame(page, 2) }) } } },
        { QStringLiteral("async"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("script") },
                { QStringLiteral("stack"), stack({}, stack({ frame(QStringLiteral("http://a/later.js"), 0) })) } } },
        { QStringLiteral("eval"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("script") },
                { QStringLiteral("stack"), stack({ frame(QString(), 3) }) } } },
        { QStringLiteral("other"), QJsonObject { { QStringLiteral("type"), QStringLiteral("other") } } },
        { QStringLiteral("long"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("parser") }, { QStringLiteral("url"), longUrl },
                { QStringLiteral("lineNumber"), 0 } } },
        { QStringLiteral("unknown"), QJsonValue() },
        { QStringLiteral("parser2"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("parser") }, { QStringLiteral("url"), page },
                { QStringLiteral("lineNumber"), 20 } } },
    };
    RequestRecorder recorder(QStringLiteral("F"));
    QList<RequestTiming> started;
    QObject::connect(&recorder.tracker, &RequestTracker::requestStarted, &recorder.tracker,
        [&](const RequestTiming &request) { started.append(request); });
    recorder.tracker.setNavigationStart(1);
    for (const auto &[id, initiator] : cases) {
        QJsonObject params { { QStringLiteral("requestId"), id }, { QStringLiteral("timestamp"), 1.5 },
            { QStringLiteral("request"),
                QJsonObject { { QStringLiteral("url"), QString(QStringLiteral("http://a/") + id) } } } };
        if (!initiator.isNull()) // absent, as from a Chrome that predates it
            params.insert(QStringLiteral("initiator"), initiator);
        QVERIFY(recorder.tracker.handleEvent(QStringLiteral("Network.requestWillBeSent"), params));
        QVERIFY(recorder.tracker.handleEvent(QStringLiteral("Network.loadingFinished"),
            { { QStringLiteral("requestId"), id }, { QStringLiteral("timestamp"), 1.6 } }));
    }
    const auto initiatorOf = [&](const QString &id) {
        const RequestTiming *request = recorder.find(QStringLiteral("http://a/") + id);
        return request ? request->initiator : RequestInitiator { QStringLiteral("missing"), {}, {} };
    };
    // Lines count from 1 here, from 0 in CDP.
    QCOMPARE(initiatorOf(QStringLiteral("parser")), (RequestInitiator { QStringLiteral("parser"), page, 12 }));
    QCOMPARE(initiatorOf(QStringLiteral("script")),
        (RequestInitiator { QStringLiteral("script"), QStringLiteral("http://a/app.js"), 40 }));
    QCOMPARE(initiatorOf(QStringLiteral("async")),
        (RequestInitiator { QStringLiteral("script"), QStringLiteral("http://a/later.js"), 1 }));
    QCOMPARE(initiatorOf(QStringLiteral("eval")), (RequestInitiator { QStringLiteral("script"), {}, {} }));
    QCOMPARE(initiatorOf(QStringLiteral("other")), (RequestInitiator { QStringLiteral("other"), {}, {} }));
    QCOMPARE(initiatorOf(QStringLiteral("unknown")), RequestInitiator {});
    // Cut as a request's own URL would be, and said so.
    QCOMPARE(initiatorOf(QStringLiteral("long")),
        (RequestInitiator { QStringLiteral("parser"), longUrl.left(RequestTiming::Limits::url), 1 }));
    QCOMPARE(recorder.tracker.limitNotes(),
        QStringList { QStringLiteral("1 requests had a URL, header or text over the protocol's limits, cut to them") });
    // The same document's URL is held once, however many requests name it.
    QCOMPARE(initiatorOf(QStringLiteral("parser2")), (RequestInitiator { QStringLiteral("parser"), page, 21 }));
    QCOMPARE(recorder.find(QStringLiteral("http://a/parser2"))->initiator.url.constData(),
        recorder.find(QStringLiteral("http://a/parser"))->initiator.url.constData());
    // Known at the start: a live row has it too.
    QCOMPARE(started.size(), qsizetype(std::size(cases)));
    QCOMPARE(started.at(0).initiator, initiatorOf(QStringLiteral("parser")));
    QCOMPARE(started.at(1).initiator, initiatorOf(QStringLiteral("script")));
}

QTEST_GUILESS_MAIN(TestRequestTrackerInitiator)
#include "tst_requesttrackerinitiator.moc"
