#include "hostresolver.h"
#include "testdnsserver.h"
#include "urlpolicy.h"

#include <QCoreApplication>
#include <QHostAddress>
#include <QTest>

#include <memory>
#include <optional>

// Nothing here sends traffic beyond loopback: IP literals and localhost names are judged without a lookup, and
// names are either asked of the test's own DNS server or end in ".invalid", which the system's resolver answers
// without asking the outside world.

using namespace std::chrono_literals;

namespace {

// Runs check() to its verdict, counting the callbacks to catch a second one.
struct CheckResult
{
    std::optional<UrlPolicy::Verdict> verdict;
    int calls = 0;
};

CheckResult checkAndWait(const UrlPolicy &policy, const QUrl &url, QObject *context, int timeoutMs = 15'000)
{
    auto result = std::make_shared<CheckResult>();
    policy.check(url, context, [result](UrlPolicy::Verdict verdict) {
        ++result->calls;
        result->verdict = std::move(verdict);
    });
    // A missing answer shows as calls == 0 in the caller's comparison, which says more than a bare timeout.
    static_cast<void>(QTest::qWaitFor([&] { return result->calls > 0; }, timeoutMs));
    return *result;
}

} // namespace

class TestUrlPolicy : public QObject
{
    Q_OBJECT

private slots:
    void addressRanges_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<bool>("refused");

        // Each range with the addresses just outside and at both of its edges.
        const auto add = [](const char *address, bool refused) {
            QTest::newRow(address) << QString::fromLatin1(address) << refused;
        };
        add("0.0.0.0", true);
        add("0.255.255.255", true);
        add("1.0.0.0", false);
        add("9.255.255.255", false);
        add("10.0.0.0", true);
        add("10.255.255.255", true);
        add("11.0.0.0", false);
        add("100.63.255.255", false);
        add("100.64.0.0", true);
        add("100.100.100.200", true);
        add("100.127.255.255", true);
        add("100.128.0.0", false);
        add("126.255.255.255", false);
        add("127.0.0.0", true);
        add("127.0.0.1", true);
        add("127.255.255.255", true);
        add("128.0.0.0", false);
        add("169.253.255.255", false);
        add("169.254.0.0", true);
        add("169.254.169.254", true);
        add("169.254.255.255", true);
        add("169.255.0.0", false);
        add("172.15.255.255", false);
        add("172.16.0.0", true);
        add("172.31.255.255", true);
        add("172.32.0.0", false);
        add("191.255.255.255", false);
        add("192.0.0.0", true);
        add("192.0.0.192", true);
        add("192.0.0.255", true);
        add("192.0.1.0", false);
        add("192.167.255.255", false);
        add("192.168.0.0", true);
        add("192.168.255.255", true);
        add("192.169.0.0", false);
        add("198.17.255.255", false);
        add("198.18.0.0", true);
        add("198.19.255.255", true);
        add("198.20.0.0", false);
        add("223.255.255.255", false);
        add("224.0.0.0", true);
        add("239.255.255.255", true);
        add("240.0.0.0", true);
        add("255.255.255.254", true);
        add("255.255.255.255", true);
        add("8.8.8.8", false);
        add("93.184.216.34", false);

        add("::", true);
        add("::1", true);
        add("::2", true); // IPv4-compatible, deprecated
        add("::ffff:127.0.0.1", true);
        add("::ffff:10.1.2.3", true);
        add("::ffff:169.254.169.254", true);
        add("::ffff:172.15.255.255", false);
        add("::ffff:93.184.216.34", false);
        add("64:ff9b::7f00:1", true);
        add("64:ff9b::10.0.0.1", true);
        add("64:ff9b::a9fe:a9fe", true);
        add("64:ff9b::93.184.216.34", false);
        add("64:ff9b:1::1", true); // local-use NAT64
        add("100::1", true); // discard-only
        add("2002:7f00:1::", true); // 6to4 of 127.0.0.1
        add("2002:5db8:d822::1", false); // 6to4 of 93.184.216.34
        add("2001:0:4136:e378:8000:63bf:80ff:fffe", true); // Teredo client 127.0.0.1 (inverted)
        add("2001:0:4136:e378:8000:63bf:a247:27dd", false); // Teredo client 93.184.216.34 (inverted)
        add("fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false);
        add("fc00::", true);
        add("fd00:ec2::254", true);
        add("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true);
        add("fe00::", false);
        add("fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", false);
        add("fe80::", true);
        add("fe80::1%lo", true);
        add("febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", true);
        add("fec0::1", true); // site-local, deprecated
        add("feff::1", true);
        add("ff00::", true);
        add("ff02::1", true);
        add("2000::", false);
        add("2606:2800:220:1:248:1893:25c8:1946", false);
        add("2001:4860:4860::8888", false);
    }

    void addressRanges()
    {
        QFETCH(QString, address);
        QFETCH(bool, refused);
        const QHostAddress parsed(address);
        QVERIFY2(!parsed.isNull(), qPrintable(address));
        QCOMPARE(UrlPolicy::isPrivateAddress(parsed), refused);

        const UrlPolicy strict(false);
        const UrlPolicy permissive(true);
        const UrlPolicy::Verdict verdict = strict.checkAddress(QStringLiteral("example.com"), parsed);
        QCOMPARE(verdict.allowed, !refused);
        if (refused) {
            QVERIFY2(verdict.reason.contains(u"example.com"), qPrintable(verdict.reason));
            QVERIFY2(verdict.reason.contains(parsed.toString()), qPrintable(verdict.reason));
        } else {
            QVERIFY(verdict.reason.isEmpty());
        }
        QVERIFY(permissive.checkAddress(QStringLiteral("example.com"), parsed).allowed);
    }

    void namesTheCategory()
    {
        QCOMPARE(UrlPolicy::addressCategory(QHostAddress(QStringLiteral("169.254.169.254"))),
            QStringLiteral("cloud metadata service"));
        QCOMPARE(UrlPolicy::addressCategory(QHostAddress(QStringLiteral("fd00:ec2::254"))),
            QStringLiteral("cloud metadata service"));
        QCOMPARE(UrlPolicy::addressCategory(QHostAddress(QStringLiteral("::ffff:127.0.0.1"))),
            QStringLiteral("loopback, embedded in an IPv4-mapped address"));
        QCOMPARE(UrlPolicy::addressCategory(QHostAddress(QStringLiteral("172.20.1.1"))),
            QStringLiteral("RFC 1918 private network"));
        QCOMPARE(UrlPolicy::addressCategory(QHostAddress(QHostAddress::Any)), QStringLiteral("unspecified"));
        QCOMPARE(UrlPolicy::addressCategory(QHostAddress()), QStringLiteral("not an address"));
        QCOMPARE(UrlPolicy::addressCategory(QHostAddress(QStringLiteral("93.184.216.34"))), QString());
    }

    void addressText_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<bool>("allowed");
        QTest::newRow("IPv4") << QStringLiteral("93.184.216.34") << true;
        QTest::newRow("IPv6 as CDP writes it") << QStringLiteral("[2606:2800:220:1:248:1893:25c8:1946]") << true;
        QTest::newRow("bracketed loopback") << QStringLiteral("[::1]") << false;
        QTest::newRow("private") << QStringLiteral("10.1.2.3") << false;
        QTest::newRow("empty") << QString() << false;
        QTest::newRow("garbage") << QStringLiteral("not-an-ip") << false;
    }

    void addressText()
    {
        QFETCH(QString, text);
        QFETCH(bool, allowed);
        const UrlPolicy::Verdict verdict = UrlPolicy(false).checkAddress(QStringLiteral("cdn.example"), text);
        QCOMPARE(verdict.allowed, allowed);
        if (!allowed)
            QVERIFY2(verdict.reason.contains(u"cdn.example"), qPrintable(verdict.reason));
    }

    void syntax_data()
    {
        QTest::addColumn<QUrl>("url");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<QString>("reasonContains");

        const QString path = QStringLiteral("http://example.com/");
        const QString longest = path + QString(UrlPolicy::maxUrlLength - path.size(), u'a');

        QTest::newRow("http") << QUrl(QStringLiteral("http://example.com/")) << true << QString();
        QTest::newRow("https with query") << QUrl(QStringLiteral("https://example.com/p?q=1#f")) << true << QString();
        QTest::newRow("upper case") << QUrl(QStringLiteral("HTTPS://EXAMPLE.COM/")) << true << QString();
        QTest::newRow("user info") << QUrl(QStringLiteral("http://user:pw@example.com/")) << true << QString();
        QTest::newRow("at the length limit") << QUrl(longest) << true << QString();
        QTest::newRow("one byte too long") << QUrl(longest + u'a') << false << QStringLiteral("8193 bytes");
        QTest::newRow("file") << QUrl(QStringLiteral("file:///etc/passwd")) << false << QStringLiteral("\"file\"");
        QTest::newRow("ftp") << QUrl(QStringLiteral("ftp://example.com/")) << false << QStringLiteral("\"ftp\"");
        QTest::newRow("javascript") << QUrl(QStringLiteral("javascript:alert(1)")) << false
                                    << QStringLiteral("\"javascript\"");
        QTest::newRow("data") << QUrl(QStringLiteral("data:text/html,<h1>hi</h1>")) << false
                              << QStringLiteral("\"data\"");
        QTest::newRow("blob") << QUrl(QStringLiteral("blob:https://example.com/0d3e")) << false
                              << QStringLiteral("\"blob\"");
        QTest::newRow("chrome") << QUrl(QStringLiteral("chrome://settings")) << false << QStringLiteral("\"chrome\"");
        QTest::newRow("scheme-relative") << QUrl(QStringLiteral("//example.com/")) << false
                                         << QStringLiteral("not an absolute URL");
        QTest::newRow("relative") << QUrl(QStringLiteral("/index.html")) << false
                                  << QStringLiteral("not an absolute URL");
        QTest::newRow("no host") << QUrl(QStringLiteral("http:///index.html")) << false << QStringLiteral("no host");
        QTest::newRow("empty") << QUrl() << false << QStringLiteral("not a valid URL");
        QTest::newRow("space in host") << QUrl(QStringLiteral("http://exa mple.com/")) << false
                                       << QStringLiteral("not a valid URL");
    }

    void syntax()
    {
        QFETCH(QUrl, url);
        QFETCH(bool, allowed);
        QFETCH(QString, reasonContains);
        const UrlPolicy::Verdict verdict = UrlPolicy(true).checkSyntax(url); // syntax does not depend on it
        QCOMPARE(verdict.allowed, allowed);
        QVERIFY2(verdict.reason.contains(reasonContains), qPrintable(verdict.reason));
        QCOMPARE(verdict.reason.isEmpty(), allowed);
    }

    void check_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("allowPrivate");
        QTest::addColumn<bool>("allowed");
        QTest::addColumn<QString>("reasonContains");

        const auto add = [](const char *name, const char *url, bool allowPrivate, bool allowed, QString reason) {
            QTest::newRow(name) << QString::fromLatin1(url) << allowPrivate << allowed << reason;
        };
        const QString privateTargets = QStringLiteral("does not load private targets");
        add("localhost", "http://localhost/", false, false, QStringLiteral("\"localhost\" resolves to 127.0.0.1"));
        add("localhost, allowed", "http://localhost/", true, true, {});
        add("*.localhost", "http://app.localhost:8080/", false, false, privateTargets);
        add("localhost.", "http://LOCALHOST./", false, false, privateTargets);
        add("[::1]", "http://[::1]/", false, false, QStringLiteral("::1 is private (loopback)"));
        add("[::1], allowed", "http://[::1]/", true, true, {});
        add("127.0.0.1 with port", "http://127.0.0.1:8080/x", false, false, privateTargets);
        add("metadata", "http://169.254.169.254/latest/meta-data/", false, false,
            QStringLiteral("169.254.169.254 is private (cloud metadata service)"));
        add("AWS IPv6 metadata", "http://[fd00:ec2::254]/", false, false, QStringLiteral("cloud metadata"));
        add("IPv4-mapped loopback", "http://[::ffff:127.0.0.1]/", false, false, QStringLiteral("loopback"));
        add("decimal loopback", "http://2130706433/", false, false, QStringLiteral("loopback"));
        add("hex loopback", "http://0x7f.1/", false, false, QStringLiteral("loopback"));
        add("RFC 1918", "https://192.168.1.1/admin", false, false, QStringLiteral("RFC 1918"));
        add("public IPv4 literal", "http://93.184.216.34/", false, true, {});
        add("public IPv6 literal", "https://[2606:2800:220:1:248:1893:25c8:1946]/", false, true, {});
        add("does not resolve", "http://nonexistent.invalid/", false, false,
            QStringLiteral("host \"nonexistent.invalid\" does not resolve"));
        add("does not resolve, allowed", "http://nonexistent.invalid/", true, false,
            QStringLiteral("does not resolve"));
        add("bad scheme", "file:///etc/passwd", true, false, QStringLiteral("\"file\""));
    }

    void check()
    {
        QFETCH(QString, url);
        QFETCH(bool, allowPrivate);
        QFETCH(bool, allowed);
        QFETCH(QString, reasonContains);
        QObject context;
        const CheckResult result = checkAndWait(UrlPolicy(allowPrivate), QUrl(url), &context);
        QCOMPARE(result.calls, 1);
        QVERIFY(result.verdict);
        QVERIFY2(result.verdict->allowed == allowed, qPrintable(result.verdict->reason));
        QVERIFY2(result.verdict->reason.contains(reasonContains), qPrintable(result.verdict->reason));
    }

    // An IP literal is answered from the address itself: on the next turn of the event loop, before any lookup
    // could have come back, and without asking the resolver.
    void allowTargetPorts_data()
    {
        QTest::addColumn<int>("allowedPort");
        QTest::addColumn<QString>("url");
        QTest::addColumn<bool>("exempt");
        QTest::newRow("no port: http default") << -1 << QStringLiteral("http://staging.internal/") << true;
        QTest::newRow("no port: explicit 80") << -1 << QStringLiteral("http://staging.internal:80/") << true;
        QTest::newRow("no port: https default") << -1 << QStringLiteral("https://staging.internal/") << true;
        QTest::newRow("no port: wss default") << -1 << QStringLiteral("wss://staging.internal/") << true;
        QTest::newRow("no port: database port") << -1 << QStringLiteral("http://staging.internal:5432/") << false;
        QTest::newRow("no port: 443 over http") << -1 << QStringLiteral("http://staging.internal:443/") << false;
        QTest::newRow("port: that port") << 8080 << QStringLiteral("http://staging.internal:8080/x") << true;
        QTest::newRow("port: not the default") << 8080 << QStringLiteral("http://staging.internal/") << false;
        QTest::newRow("other host") << -1 << QStringLiteral("http://other.internal/") << false;
        QTest::newRow("host case") << -1 << QStringLiteral("http://STAGING.internal/") << true;
    }
    void allowTargetPorts()
    {
        QFETCH(int, allowedPort);
        QFETCH(QString, url);
        QFETCH(bool, exempt);
        UrlPolicy policy;
        policy.allowTarget(QStringLiteral("staging.internal"), allowedPort);
        QCOMPARE(policy.isExempt(QUrl(url)), exempt);
    }

    void literalNeedsNoLookup()
    {
        QObject context;
        int calls = 0;
        bool allowed = false;
        UrlPolicy policy(false);
        policy.setLookupTimeout(0ms); // a lookup would be refused as timed out
        policy.check(QUrl(QStringLiteral("http://93.184.216.34/")), &context, [&](UrlPolicy::Verdict verdict) {
            ++calls;
            allowed = verdict.allowed;
        });
        QCOMPARE(calls, 0); // never from inside check()
        QCoreApplication::sendPostedEvents(&context);
        QCOMPARE(calls, 1);
        QVERIFY(allowed);
    }

    // A resolver that does not answer in time refuses; the late answer, if any, is dropped.
    void lookupTimeout()
    {
        QObject context;
        UrlPolicy policy(false);
        policy.setLookupTimeout(0ms);
        QCOMPARE(policy.lookupTimeout(), 0ms);
        const CheckResult result = checkAndWait(policy, QUrl(QStringLiteral("http://slow.invalid/")), &context);
        QVERIFY(result.verdict);
        QVERIFY(!result.verdict->allowed);
        // Which wins a race against 0 ms is up to the scheduler; either way it is one clear refusal.
        QVERIFY2(result.verdict->reason.contains(u"took longer than 0 ms")
                || result.verdict->reason.contains(u"does not resolve"),
            qPrintable(result.verdict->reason));
        QTest::qWait(200);
        QCOMPARE(result.calls, 1);
    }

    void defaultLookupTimeout()
    {
        QCOMPARE(UrlPolicy(false).lookupTimeout(), UrlPolicy::defaultLookupTimeout);
        QVERIFY(UrlPolicy::defaultLookupTimeout > 0ms);
    }

    // The caller's object going away (a cancelled run) must not leave a callback into freed state.
    void contextDestroyedBeforeAnswer_data()
    {
        QTest::addColumn<QString>("url");
        QTest::newRow("literal") << QStringLiteral("http://93.184.216.34/");
        QTest::newRow("lookup") << QStringLiteral("http://gone.invalid/");
        QTest::newRow("syntax") << QStringLiteral("ftp://example.com/");
    }

    void contextDestroyedBeforeAnswer()
    {
        QFETCH(QString, url);
        auto calls = std::make_shared<int>(0);
        auto *context = new QObject;
        UrlPolicy(false).check(QUrl(url), context, [calls](UrlPolicy::Verdict) { ++*calls; });
        delete context;
        QTest::qWait(300);
        QCOMPARE(*calls, 0);
    }

    // A lookup that times out, or whose requester goes away, leaves nothing behind in the resolver (with Qt's
    // lookups it left its callback; LeakSanitizer saw it). The test's DNS server never answers.
    void abandonedLookupsLeaveNothing()
    {
        TestDnsServer dns;
        QVERIFY(dns.listen());
        dns.hold(true);
        auto resolver = HostResolver::create();
        resolver->setNameserver(dns.address(), dns.port());
        UrlPolicy policy(false);
        policy.setResolver(resolver);
        policy.setLookupTimeout(100ms);
        QObject context;
        const CheckResult timedOut = checkAndWait(policy, QUrl(QStringLiteral("http://stuck.example.test/")), &context);
        QCOMPARE(timedOut.calls, 1);
        QVERIFY2(timedOut.verdict->reason.contains(u"took longer than"), qPrintable(timedOut.verdict->reason));
        QCOMPARE(resolver->pendingCount(), 0);
        QCOMPARE(resolver->busyCount(), 0);

        policy.setLookupTimeout(10s);
        auto calls = std::make_shared<int>(0);
        auto *gone = new QObject;
        policy.check(
            QUrl(QStringLiteral("http://gone.example.test/")), gone, [calls](UrlPolicy::Verdict) { ++*calls; });
        QVERIFY(QTest::qWaitFor([&] { return dns.questionsFor(QStringLiteral("gone.example.test")) > 0; }));
        QCOMPARE(resolver->pendingCount(), 1);
        delete gone;
        QCOMPARE(resolver->pendingCount(), 0);
        QCOMPARE(resolver->busyCount(), 0);
        dns.release();
        QTest::qWait(100);
        QCOMPARE(*calls, 0);
    }

    // A name resolving to a private address behind the configured DNS server is refused like a literal.
    void namesThroughTheConfiguredServer()
    {
        TestDnsServer dns;
        QVERIFY(dns.listen());
        dns.setHandler([](const QString &name) -> std::optional<QList<QHostAddress>> {
            if (name == u"intranet.example.test")
                return QList<QHostAddress> { QHostAddress(QStringLiteral("10.1.2.3")) };
            return QList<QHostAddress> { QHostAddress(QStringLiteral("203.0.113.7")) };
        });
        auto resolver = HostResolver::create();
        resolver->setNameserver(dns.address(), dns.port());
        UrlPolicy policy(false);
        policy.setResolver(resolver);
        QObject context;
        const CheckResult intranet
            = checkAndWait(policy, QUrl(QStringLiteral("http://intranet.example.test/")), &context);
        QVERIFY(!intranet.verdict->allowed);
        QVERIFY2(intranet.verdict->reason.contains(u"10.1.2.3"), qPrintable(intranet.verdict->reason));
        const CheckResult site = checkAndWait(policy, QUrl(QStringLiteral("http://www.example.test/")), &context);
        QVERIFY2(site.verdict->allowed, qPrintable(site.verdict->reason));
    }

    void exemptTargetsAtTheConnection()
    {
        UrlPolicy policy(false);
        policy.allowTarget(QStringLiteral("staging.internal"));
        policy.allowTarget(QStringLiteral("db.internal"), 5432);
        QVERIFY(policy.isExemptTarget(QStringLiteral("staging.internal"), 80));
        QVERIFY(policy.isExemptTarget(QStringLiteral("STAGING.internal"), 443));
        QVERIFY(!policy.isExemptTarget(QStringLiteral("staging.internal"), 5432));
        QVERIFY(policy.isExemptTarget(QStringLiteral("db.internal"), 5432));
        QVERIFY(!policy.isExemptTarget(QStringLiteral("db.internal"), 80));
    }

    // check() may be called from a temporary policy: the answer must not depend on the policy still existing.
    void policyMayGoAway()
    {
        QObject context;
        auto policy = std::make_unique<UrlPolicy>(false);
        auto result = std::make_shared<CheckResult>();
        policy->check(QUrl(QStringLiteral("http://nonexistent.invalid/")), &context, [result](UrlPolicy::Verdict v) {
            ++result->calls;
            result->verdict = std::move(v);
        });
        policy.reset();
        QVERIFY(QTest::qWaitFor([&] { return result->calls > 0; }, 15'000));
        QCOMPARE(result->calls, 1);
        QVERIFY(!result->verdict->allowed);
    }
};

QTEST_GUILESS_MAIN(TestUrlPolicy)
#include "tst_urlpolicy.moc"
