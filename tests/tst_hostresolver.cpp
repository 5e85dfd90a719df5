// The probe's own resolver, its per-load pinning and cap, and the DNS messages they read, against a DNS server of
// the test's own on UDP loopback.
#include "dnsmessage.h"
#include "hostresolver.h"
#include "pinnedresolver.h"
#include "testdnsserver.h"

#include <QTest>

#include <memory>
#include <optional>

using namespace std::chrono_literals;

namespace {

struct Result
{
    std::optional<HostAnswer> answer;
    int calls = 0;
};

std::shared_ptr<Result> ask(
    HostLookup &lookup, const QString &host, QObject *context, std::chrono::milliseconds timeout = 10s)
{
    auto result = std::make_shared<Result>();
    lookup.lookup(host, timeout, context, [result](const HostAnswer &answer) {
        ++result->calls;
        result->answer = answer;
    });
    return result;
}

const QHostAddress publicV4(QStringLiteral("203.0.113.7"));
const QHostAddress publicV6(QStringLiteral("2001:db8::7"));

} // namespace

class tst_HostResolver : public QObject
{
    Q_OBJECT

private slots:
    void init()
    {
        m_dns = std::make_unique<TestDnsServer>();
        QVERIFY(m_dns->listen());
        m_dns->setHandler([](const QString &name) -> std::optional<QList<QHostAddress>> {
            if (name.startsWith(u"missing"))
                return std::nullopt;
            return QList<QHostAddress> { publicV4, publicV6 };
        });
    }

    void answersBothFamiliesFromTheServer()
    {
        HostResolver resolver;
        resolver.setNameserver(m_dns->address(), m_dns->port());
        QObject context;
        const auto result = ask(resolver, QStringLiteral("www.example.test"), &context);
        QVERIFY(QTest::qWaitFor([&] { return result->calls > 0; }));
        QVERIFY2(result->answer->ok(), qPrintable(result->answer->error));
        QCOMPARE(result->answer->addresses.size(), 2);
        QVERIFY(result->answer->addresses.contains(publicV4));
        QVERIFY(result->answer->addresses.contains(publicV6));
        QCOMPARE(m_dns->questionsFor(QStringLiteral("www.example.test")), 2); // A and AAAA
        QCOMPARE(resolver.pendingCount(), 0);
        QCOMPARE(resolver.busyCount(), 0);
    }

    void noSuchName()
    {
        HostResolver resolver;
        resolver.setNameserver(m_dns->address(), m_dns->port());
        QObject context;
        const auto result = ask(resolver, QStringLiteral("missing.example.test"), &context);
        QVERIFY(QTest::qWaitFor([&] { return result->calls > 0; }));
        QVERIFY(!result->answer->ok());
        QVERIFY(!result->answer->timedOut);
        QVERIFY2(result->answer->error.contains(u"no such name"), qPrintable(result->answer->error));
    }

    void systemResolverKnowsLocalhost()
    {
        HostResolver resolver;
        QObject context;
        const auto result = ask(resolver, QStringLiteral("localhost"), &context);
        QVERIFY(QTest::qWaitFor([&] { return result->calls > 0; }));
        QVERIFY2(result->answer->ok(), qPrintable(result->answer->error));
        QVERIFY(result->answer->addresses.first().isLoopback());
    }

    // A page with thousands of names cannot have thousands of lookups running: the rest wait their turn.
    void atMostMaxConcurrentAtOnce()
    {
        HostResolver resolver(2);
        resolver.setNameserver(m_dns->address(), m_dns->port());
        m_dns->hold(true);
        QObject context;
        QList<std::shared_ptr<Result>> results;
        for (int i = 0; i < 5; ++i)
            results.append(ask(resolver, QStringLiteral("n%1.example.test").arg(i), &context));
        QVERIFY(QTest::qWaitFor([&] { return m_dns->nameCount() == 2; }));
        QCOMPARE(resolver.busyCount(), 2);
        QCOMPARE(resolver.pendingCount(), 5);
        QTest::qWait(200); // nothing more may be asked while the two are held
        QCOMPARE(m_dns->nameCount(), 2);
        m_dns->release();
        m_dns->hold(false);
        QVERIFY(QTest::qWaitFor(
            [&] { return std::all_of(results.begin(), results.end(), [](const auto &r) { return r->calls == 1; }); }));
        QCOMPARE(m_dns->nameCount(), 5);
        QCOMPARE(resolver.pendingCount(), 0);
        QCOMPARE(resolver.busyCount(), 0);
    }

    // A lookup that times out is answered once, leaves nothing behind and gives its slot to the next one.
    void timeoutFreesItsSlot()
    {
        HostResolver resolver(1);
        resolver.setNameserver(m_dns->address(), m_dns->port());
        m_dns->hold(true);
        QObject context;
        const auto stuck = ask(resolver, QStringLiteral("stuck.example.test"), &context, 100ms);
        QVERIFY(QTest::qWaitFor([&] { return stuck->calls > 0; }));
        QVERIFY(stuck->answer->timedOut);
        QVERIFY2(stuck->answer->error.contains(u"took longer than"), qPrintable(stuck->answer->error));
        QCOMPARE(resolver.pendingCount(), 0);
        QVERIFY(QTest::qWaitFor([&] { return resolver.busyCount() == 0; }));
        m_dns->hold(false);
        const auto next = ask(resolver, QStringLiteral("next.example.test"), &context);
        QVERIFY(QTest::qWaitFor([&] { return next->calls > 0; }));
        QVERIFY(next->answer->ok());
        m_dns->release(); // the stuck one's late answer: nobody hears it
        QTest::qWait(100);
        QCOMPARE(stuck->calls, 1);
    }

    // The requester going away (a cancelled run) takes its lookups with it, waiting or running.
    void requesterGoneLeavesNothing()
    {
        HostResolver resolver(1);
        resolver.setNameserver(m_dns->address(), m_dns->port());
        m_dns->hold(true);
        auto *context = new QObject;
        const auto running = ask(resolver, QStringLiteral("running.example.test"), context);
        const auto waiting = ask(resolver, QStringLiteral("waiting.example.test"), context);
        QVERIFY(QTest::qWaitFor([&] { return m_dns->nameCount() == 1; }));
        QCOMPARE(resolver.pendingCount(), 2);
        delete context;
        QCOMPARE(resolver.pendingCount(), 0);
        QCOMPARE(resolver.busyCount(), 0);
        m_dns->release();
        m_dns->hold(false);
        QObject other;
        const auto next = ask(resolver, QStringLiteral("other.example.test"), &other);
        QVERIFY(QTest::qWaitFor([&] { return next->calls > 0; }));
        QVERIFY(next->answer->ok());
        QCOMPARE(running->calls, 0);
        QCOMPARE(waiting->calls, 0);
        QCOMPARE(m_dns->questionsFor(QStringLiteral("waiting.example.test")), 0);
    }

    void answerIsNeverFromInsideLookup()
    {
        HostResolver resolver;
        resolver.setNameserver(m_dns->address(), m_dns->port());
        QObject context;
        const auto result = ask(resolver, QStringLiteral("x.example.test"), &context, 0ms);
        QCOMPARE(result->calls, 0);
        QVERIFY(QTest::qWaitFor([&] { return result->calls > 0; }));
        QCOMPARE(result->calls, 1);
    }

    // One load asks each name once: a second question gets the first answer, even if DNS now says otherwise.
    void pinnedAnswersEachNameOnce()
    {
        auto resolver = HostResolver::create();
        resolver->setNameserver(m_dns->address(), m_dns->port());
        int asked = 0;
        m_dns->setHandler([&](const QString &) -> std::optional<QList<QHostAddress>> {
            return QList<QHostAddress> { ++asked <= 2 ? publicV4 : QHostAddress(QHostAddress::LocalHost) };
        });
        PinnedResolver pinned(resolver, 10);
        QObject context;
        const auto first = ask(pinned, QStringLiteral("flip.example.test"), &context);
        const auto same = ask(pinned, QStringLiteral("FLIP.example.test."), &context);
        QVERIFY(QTest::qWaitFor([&] { return first->calls > 0 && same->calls > 0; }));
        const auto later = ask(pinned, QStringLiteral("flip.example.test"), &context);
        QVERIFY(QTest::qWaitFor([&] { return later->calls > 0; }));
        for (const auto &result : { first, same, later })
            QCOMPARE(result->answer->addresses, QList<QHostAddress> { publicV4 });
        QCOMPARE(m_dns->questionsFor(QStringLiteral("flip.example.test")), 2); // one A, one AAAA
    }

    void pinnedCapsTheNames()
    {
        auto resolver = HostResolver::create();
        resolver->setNameserver(m_dns->address(), m_dns->port());
        PinnedResolver pinned(resolver, 2);
        QObject context;
        QList<std::shared_ptr<Result>> results;
        for (int i = 0; i < 5; ++i)
            results.append(ask(pinned, QStringLiteral("h%1.example.test").arg(i), &context));
        results.append(ask(pinned, QStringLiteral("h4.example.test"), &context)); // a cut name, asked again
        QVERIFY(QTest::qWaitFor(
            [&] { return std::all_of(results.begin(), results.end(), [](const auto &r) { return r->calls == 1; }); }));
        QVERIFY(results.at(0)->answer->ok());
        QVERIFY(results.at(1)->answer->ok());
        for (int i = 2; i < 6; ++i)
            QVERIFY2(results.at(i)->answer->error.contains(u"more than 2 host names"),
                qPrintable(results.at(i)->answer->error));
        QCOMPARE(m_dns->nameCount(), 2);
        QCOMPARE(pinned.nameCount(), 2);
        const QString warning = pinned.warning();
        QVERIFY2(warning.contains(u"more than 2 host names: 3 more"), qPrintable(warning));
        QVERIFY2(warning.contains(u"h2.example.test") && warning.contains(u"h4.example.test"), qPrintable(warning));
    }

    void pinnedWithinLimitsWarnsOfNothing()
    {
        auto resolver = HostResolver::create();
        resolver->setNameserver(m_dns->address(), m_dns->port());
        PinnedResolver pinned(resolver, 2);
        QObject context;
        const auto result = ask(pinned, QStringLiteral("one.example.test"), &context);
        QVERIFY(QTest::qWaitFor([&] { return result->calls > 0; }));
        QVERIFY(pinned.warning().isEmpty());
    }

    // Answers come from whoever can send to the socket: a truncated or garbled one is refused, never read past.
    void dnsMessagesThatDoNotAddUp_data()
    {
        QTest::addColumn<QByteArray>("packet");
        const QByteArray good = QByteArray::fromHex("12348180000100010000000003777777076578616d706c650000010001"
                                                    "c00c00010001000000000004cb007107");
        QString error;
        const auto parsed = DnsMessage::parse(good, &error);
        QVERIFY2(parsed, qPrintable(error));
        QCOMPARE(parsed->addresses, QList<QHostAddress> { publicV4 });
        for (int cut = 0; cut < good.size(); ++cut)
            QTest::addRow("cut at %d", cut) << good.left(cut);
        QTest::newRow("a query, not a response") << QByteArray::fromHex("123401000001000000000000");
        QTest::newRow("label runs off") << QByteArray::fromHex("1234818000010000000000003f6162");
        QTest::newRow("reserved label type") << QByteArray::fromHex("12348180000100000000000040");
        QTest::newRow("answer longer than the packet")
            << QByteArray::fromHex("123481800000000100000000c00c00010001000000000010cb00");
    }
    void dnsMessagesThatDoNotAddUp()
    {
        QFETCH(QByteArray, packet);
        QString error;
        QVERIFY(!DnsMessage::parse(packet, &error));
        QVERIFY(!error.isEmpty());
    }

    void dnsQueryEncoding()
    {
        QCOMPARE(DnsMessage::query(0x1234, "www.example", DnsMessage::Type::A).toHex(),
            QByteArray("12340100000100000000000003777777076578616d706c650000010001"));
        QVERIFY(DnsMessage::query(1, QByteArray(64, 'a') + ".test", DnsMessage::Type::A).isEmpty());
        QVERIFY(DnsMessage::query(1, "a..test", DnsMessage::Type::A).isEmpty());
        QVERIFY(DnsMessage::query(1, "", DnsMessage::Type::A).isEmpty());
    }

private:
    std::unique_ptr<TestDnsServer> m_dns;
};

QTEST_GUILESS_MAIN(tst_HostResolver)
#include "tst_hostresolver.moc"
