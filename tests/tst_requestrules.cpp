// What a test's settings ask of the browser, in DevTools terms, and what of its result is masked. The browser side
// (that the header and cookie arrive, that a blocked request is never sent) is tst_pageload's and
// tst_measurecommand's, against real Chromium.
#include "requestrules.h"

#include <QTest>

namespace {

TestSettings settings()
{
    TestSettings s;
    s.headers = { { QStringLiteral("X-Key"), QStringLiteral("${secret:key}"), {}, false },
        { QStringLiteral("X-Api"), QStringLiteral("api-only"), QStringLiteral("api.example.com"), false },
        { QStringLiteral("X-Flag"), QStringLiteral("on"), {}, true } };
    s.cookies = { { QStringLiteral("session"), QStringLiteral("cookie-secret"), {} },
        { QStringLiteral("consent"), QStringLiteral("yes"), QStringLiteral("example.com") } };
    s.basicAuth = BasicAuthSetting { QStringLiteral("tester"), QStringLiteral("pw") };
    s.block = { QStringLiteral("/ads/") };
    s.blockDomains = { QStringLiteral("tracker.example.net") };
    s.secretValues = { { QStringLiteral("key"), QStringLiteral("key-secret") },
        { QStringLiteral("pw"), QStringLiteral("password-secret") } };
    return s;
}

const QUrl page(QStringLiteral("https://www.example.com/app"));

} // namespace

class tst_RequestRules : public QObject
{
    Q_OBJECT

private slots:
    void sessionCommands();
    void blocks();
    void hostLimitedHeaders();
    void basicAuthOnlyForThePagesHost();
    void scrubsWhatTheBrowserReportsBack();
    void nothingAskedNothingHeld();
};

void tst_RequestRules::sessionCommands()
{
    const RequestRules rules(settings(), page);
    const QList<DeviceEmulation::Command> child = rules.sessionCommands(false);
    QCOMPARE(child.size(), 1);
    QCOMPARE(child.first().method, QStringLiteral("Network.setExtraHTTPHeaders"));
    // Headers for every host, their secrets resolved; the host-limited one waits for its host's requests.
    QCOMPARE(child.first().params.value(QStringLiteral("headers")).toObject(),
        (QJsonObject { { QStringLiteral("X-Key"), QStringLiteral("key-secret") },
            { QStringLiteral("X-Flag"), QStringLiteral("on") } }));
    const QList<DeviceEmulation::Command> pageCommands = rules.sessionCommands(true);
    QCOMPARE(pageCommands.size(), 2);
    QCOMPARE(pageCommands.at(1).method, QStringLiteral("Network.setCookies"));
    const QJsonArray cookies = pageCommands.at(1).params.value(QStringLiteral("cookies")).toArray();
    QCOMPARE(cookies.at(0).toObject(),
        (QJsonObject { { QStringLiteral("name"), QStringLiteral("session") },
            { QStringLiteral("value"), QStringLiteral("cookie-secret") },
            { QStringLiteral("url"), page.toString() } }));
    QCOMPARE(cookies.at(1).toObject(),
        (QJsonObject { { QStringLiteral("name"), QStringLiteral("consent") },
            { QStringLiteral("value"), QStringLiteral("yes") },
            { QStringLiteral("domain"), QStringLiteral("example.com") },
            { QStringLiteral("path"), QStringLiteral("/") } }));
}

void tst_RequestRules::blocks()
{
    const RequestRules rules(settings(), page);
    QCOMPARE(rules.blockReason(QUrl(QStringLiteral("https://www.example.com/ads/banner.png"))),
        QStringLiteral("blocked by the test: the URL contains \"/ads/\""));
    QCOMPARE(rules.blockReason(QUrl(QStringLiteral("https://TRACKER.example.net/t.js"))),
        QStringLiteral("blocked by the test: requests to tracker.example.net are blocked"));
    QVERIFY(rules.blockReason(QUrl(QStringLiteral("https://sub.tracker.example.net/t.js"))).isEmpty()); // exact hosts
    QVERIFY(rules.blockReason(page).isEmpty());
    QVERIFY(rules.blockReason(QUrl(QStringLiteral("data:image/png;base64,AAAA"))).isEmpty());

    TestSettings only;
    only.blockDomainsExcept = { QStringLiteral("www.example.com") };
    const RequestRules except(only, page);
    QVERIFY(except.blockReason(page).isEmpty());
    QCOMPARE(except.blockReason(QUrl(QStringLiteral("https://cdn.example.org/lib.js"))),
        QStringLiteral("blocked by the test: only www.example.com may be requested"));
}

void tst_RequestRules::hostLimitedHeaders()
{
    const RequestRules rules(settings(), page);
    const QJsonObject browsers { { QStringLiteral("x-api"), QStringLiteral("old") },
        { QStringLiteral("Accept"), QStringLiteral("*/*") } };
    QVERIFY(!rules.headersFor(page, browsers)); // not its host: the request goes as it is
    const auto headers = rules.headersFor(QUrl(QStringLiteral("https://API.example.com/v1")), browsers);
    QVERIFY(headers);
    QCOMPARE(*headers,
        (QJsonArray { QJsonObject { { QStringLiteral("name"), QStringLiteral("Accept") },
                          { QStringLiteral("value"), QStringLiteral("*/*") } },
            QJsonObject { { QStringLiteral("name"), QStringLiteral("X-Api") },
                { QStringLiteral("value"), QStringLiteral("api-only") } } }));
}

void tst_RequestRules::basicAuthOnlyForThePagesHost()
{
    const RequestRules rules(settings(), page);
    QVERIFY(rules.handlesAuth());
    const auto challenge = [](const QString &source, const QString &origin) {
        return QJsonObject { { QStringLiteral("requestId"), QStringLiteral("f1") },
            { QStringLiteral("authChallenge"),
                QJsonObject { { QStringLiteral("source"), source }, { QStringLiteral("origin"), origin },
                    { QStringLiteral("scheme"), QStringLiteral("basic") } } } };
    };
    const QJsonObject ours
        = rules.authAnswer(challenge(QStringLiteral("Server"), QStringLiteral("https://www.example.com")));
    QCOMPARE(ours.value(QStringLiteral("requestId")).toString(), QStringLiteral("f1"));
    QCOMPARE(ours.value(QStringLiteral("authChallengeResponse")).toObject(),
        (QJsonObject { { QStringLiteral("response"), QStringLiteral("ProvideCredentials") },
            { QStringLiteral("username"), QStringLiteral("tester") },
            { QStringLiteral("password"), QStringLiteral("password-secret") } }));
    // A third party, or a proxy on the way, never gets the password.
    for (const QJsonObject &other : { challenge(QStringLiteral("Server"), QStringLiteral("https://evil.example.net")),
             challenge(QStringLiteral("Proxy"), QStringLiteral("https://www.example.com")) }) {
        QCOMPARE(rules.authAnswer(other).value(QStringLiteral("authChallengeResponse")).toObject(),
            (QJsonObject { { QStringLiteral("response"), QStringLiteral("CancelAuth") } }));
    }
}

void tst_RequestRules::scrubsWhatTheBrowserReportsBack()
{
    const RequestRules rules(settings(), page);
    RequestTiming request;
    request.url = QStringLiteral("https://www.example.com/echo?k=key-secret");
    request.requestHeaders = { { QStringLiteral("x-key"), QStringLiteral("key-secret") },
        { QStringLiteral("X-Flag"), QStringLiteral("on") },
        { QStringLiteral("Cookie"), QStringLiteral("session=cookie-secret; theirs=1; consent=yes") },
        { QStringLiteral("Authorization"), QStringLiteral("Basic dGVzdGVyOnBhc3N3b3JkLXNlY3JldA==") } };
    request.responseHeaders = { { QStringLiteral("Set-Cookie"), QStringLiteral("echo=password-secret") },
        { QStringLiteral("Content-Type"), QStringLiteral("text/html") } };
    rules.scrub(request);
    QCOMPARE(request.url, QStringLiteral("https://www.example.com/echo?k=•••"));
    QCOMPARE(request.requestHeaders,
        (QList<HttpHeader> { { QStringLiteral("x-key"), QStringLiteral("•••") },
            { QStringLiteral("X-Flag"), QStringLiteral("on") },
            { QStringLiteral("Cookie"), QStringLiteral("session=•••; theirs=1; consent=•••") },
            { QStringLiteral("Authorization"), QStringLiteral("•••") } }));
    QCOMPARE(request.responseHeaders,
        (QList<HttpHeader> { { QStringLiteral("Set-Cookie"), QStringLiteral("echo=•••") },
            { QStringLiteral("Content-Type"), QStringLiteral("text/html") } }));
}

void tst_RequestRules::nothingAskedNothingHeld()
{
    // Without settings, no request is held for them (the URL policy may still hold them) and nothing is masked.
    const RequestRules rules(TestSettings {}, page);
    QVERIFY(!rules.intercepts());
    QVERIFY(!rules.handlesAuth());
    QVERIFY(rules.sessionCommands(true).isEmpty());
    TestSettings headerOnly;
    headerOnly.headers = { { QStringLiteral("X-Key"), QStringLiteral("v"), {}, false } };
    QVERIFY(!RequestRules(headerOnly, page).intercepts()); // every host: Network.setExtraHTTPHeaders does it
    QVERIFY(RequestRules(settings(), page).intercepts());
    RequestTiming request;
    request.url = QStringLiteral("https://www.example.com/?q=key-secret");
    rules.scrub(request);
    QCOMPARE(request.url, QStringLiteral("https://www.example.com/?q=key-secret"));
}

QTEST_GUILESS_MAIN(tst_RequestRules)
#include "tst_requestrules.moc"
