#include "phasecutter.h"

#include <QTest>

#include <cmath>

// The arithmetic that cuts a request into DevTools' phases, against boundaries whose phases are known by
// construction: what each phase must be, and that together they always cover the request exactly.
class TestPhaseCutter final : public QObject
{
    Q_OBJECT

private slots:
    void phases_data();
    void phases();
    void unfinishedRequestHasNoEnd();
};

namespace {

using Phase = std::optional<double>;
constexpr double none = -1; // "absent" in the expected columns

QJsonObject timing(double requestTime, std::initializer_list<std::pair<const char *, double>> offsets)
{
    QJsonObject json { { QStringLiteral("requestTime"), requestTime } };
    for (const auto &[key, value] : offsets)
        json.insert(QString::fromLatin1(key), value);
    return json;
}

void comparePhase(const char *name, Phase actual, double expected)
{
    if (expected == none) {
        QVERIFY2(!actual,
            qPrintable(QStringLiteral("%1 should be absent, is %2").arg(QLatin1String(name)).arg(actual.value_or(0))));
        return;
    }
    QVERIFY2(actual, qPrintable(QStringLiteral("%1 is absent").arg(QLatin1String(name))));
    QVERIFY2(std::abs(*actual - expected) < 1e-6,
        qPrintable(QStringLiteral("%1: %2 ms, expected %3 ms").arg(QLatin1String(name)).arg(*actual).arg(expected)));
}

} // namespace

void TestPhaseCutter::phases_data()
{
    QTest::addColumn<double>("startTs");
    QTest::addColumn<QJsonObject>("rt");
    QTest::addColumn<double>("endTs");
    QTest::addColumn<QList<double>>("expected"); // blocked, dns, connect, ssl, send, wait, receive, duration

    // A new HTTPS connection: 1 ms queued before requestTime, DNS 1–5, TCP 5–8, TLS 8–20 with connectEnd half a
    // millisecond after sslEnd (that sliver is the handshake's), the gap before sendStart counts as send.
    QTest::newRow("new https connection")
        << 10.0
        << timing(10.002,
               { { "dnsStart", 1 }, { "dnsEnd", 5 }, { "connectStart", 5 }, { "sslStart", 8 }, { "sslEnd", 20 },
                   { "connectEnd", 20.5 }, { "sendStart", 21 }, { "sendEnd", 21.2 }, { "receiveHeadersEnd", 50 } })
        << 10.060 << QList<double> { 3, 4, 3, 12.5, 0.7, 28.8, 8, 60 };
    // Plain http on a new connection: no ssl phase.
    QTest::newRow("new http connection") << 5.0
                                         << timing(5.0,
                                                { { "dnsStart", 0 }, { "dnsEnd", 2 }, { "connectStart", 2 },
                                                    { "sslStart", -1 }, { "sslEnd", -1 }, { "connectEnd", 6 },
                                                    { "sendStart", 6 }, { "sendEnd", 6.5 },
                                                    { "receiveHeadersEnd", 16.5 } })
                                         << 5.020 << QList<double> { 0, 2, 4, none, 0.5, 10, 3.5, 20 };
    // A reused connection skips dns, connect and ssl: blocked runs up to sendStart.
    QTest::newRow("reused connection") << 1.0
                                       << timing(1.001,
                                              { { "dnsStart", -1 }, { "dnsEnd", -1 }, { "connectStart", -1 },
                                                  { "connectEnd", -1 }, { "sslStart", -1 }, { "sslEnd", -1 },
                                                  { "sendStart", 0.5 }, { "sendEnd", 0.6 },
                                                  { "receiveHeadersEnd", 10 } })
                                       << 1.020 << QList<double> { 1.5, none, none, none, 0.1, 9.4, 9, 20 };
    // Boundaries that run backwards (headers before the send ended) make an empty phase, never a negative one,
    // and the cursor does not go back.
    QTest::newRow("backwards boundary") << 2.0
                                        << timing(2.0,
                                               { { "sendStart", 1 }, { "sendEnd", 4 }, { "receiveHeadersEnd", 3 } })
                                        << 2.010 << QList<double> { 1, none, none, none, 3, 0, 6, 10 };
    // The request's start after Chrome's own requestTime (events arrive in a different order): blocked is 0.
    QTest::newRow("start after requestTime")
        << 3.005 << timing(3.0, { { "sendStart", 2 }, { "sendEnd", 3 }, { "receiveHeadersEnd", 10 } }) << 3.015
        << QList<double> { 0, none, none, none, 0, 5, 5, 10 };
    // An end before the last boundary: receive is 0 and the duration reaches the boundary, so the phases still
    // add up to it.
    QTest::newRow("end before headers") << 4.0
                                        << timing(4.0,
                                               { { "sendStart", 0 }, { "sendEnd", 1 }, { "receiveHeadersEnd", 12 } })
                                        << 4.010 << QList<double> { 0, none, none, none, 1, 11, 0, 12 };
    // No response (a failed request): no phase at all, the duration is start to end.
    QTest::newRow("no response") << 7.0 << QJsonObject {} << 7.25
                                 << QList<double> { none, none, none, none, none, none, none, 250 };
}

void TestPhaseCutter::phases()
{
    QFETCH(double, startTs);
    QFETCH(QJsonObject, rt);
    QFETCH(double, endTs);
    QFETCH(QList<double>, expected);

    const PhaseCutter::Cut cut = PhaseCutter::cut(startTs, rt, endTs);
    const RequestPhases &p = cut.phases;
    comparePhase("blocked", p.blocked, expected.at(0));
    comparePhase("dns", p.dns, expected.at(1));
    comparePhase("connect", p.connect, expected.at(2));
    comparePhase("ssl", p.ssl, expected.at(3));
    comparePhase("send", p.send, expected.at(4));
    comparePhase("wait", p.wait, expected.at(5));
    comparePhase("receive", p.receive, expected.at(6));
    comparePhase("duration", cut.durationMs, expected.at(7));

    // Whatever the boundaries, the phases that happened cover the request exactly.
    if (!rt.isEmpty()) {
        double sum = 0;
        for (const Phase &phase : { p.blocked, p.dns, p.connect, p.ssl, p.send, p.wait, p.receive }) {
            QVERIFY(!phase || *phase >= 0);
            sum += phase.value_or(0);
        }
        QVERIFY2(std::abs(sum - *cut.durationMs) < 1e-6, qPrintable(QStringLiteral("sum %1").arg(sum)));
    }
}

void TestPhaseCutter::unfinishedRequestHasNoEnd()
{
    const PhaseCutter::Cut cut
        = PhaseCutter::cut(1.0, timing(1.0, { { "sendStart", 0 }, { "sendEnd", 1 }, { "receiveHeadersEnd", 5 } }), {});
    QVERIFY(!cut.durationMs);
    QVERIFY(!cut.phases.receive);
    comparePhase("wait", cut.phases.wait, 4);
}

QTEST_GUILESS_MAIN(TestPhaseCutter)
#include "tst_phasecutter.moc"
