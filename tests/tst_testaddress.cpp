// TestAddress: what people type in the form and on worldspeed-cli's command line, as the page to test. An address
// without a scheme gets the one a browser's address bar would use; a slip of the fingers gets the address it meant.
#include "testaddress.h"

#include <QTest>

class tst_TestAddress : public QObject
{
    Q_OBJECT

private slots:
    void addresses_data();
    void addresses();
    void refusals_data();
    void refusals();
};

void tst_TestAddress::addresses_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("url");
    QTest::newRow("https kept") << "https://example.com/a?b=1"
                                << "https://example.com/a?b=1";
    QTest::newRow("http kept") << "http://example.com/"
                               << "http://example.com/";
    QTest::newRow("spaces around") << "  https://example.com/  "
                                   << "https://example.com/";
    // What people type for a public site: they mean https, as the address bar does.
    QTest::newRow("bare host") << "example.com"
                               << "https://example.com";
    QTest::newRow("bare host, path") << "www.example.com/shop"
                                     << "https://www.example.com/shop";
    QTest::newRow("bare host, port 443") << "example.com:443/"
                                         << "https://example.com:443/";
    // A development server, a router, a staging box on its own port: served in plain http.
    QTest::newRow("localhost") << "localhost"
                               << "http://localhost";
    QTest::newRow("localhost, port") << "localhost:3000/app"
                                     << "http://localhost:3000/app";
    QTest::newRow("name.localhost") << "shop.localhost:8080"
                                    << "http://shop.localhost:8080";
    QTest::newRow("IPv4") << "192.168.1.1"
                          << "http://192.168.1.1";
    QTest::newRow("IPv4, port") << "127.0.0.1:18077/"
                                << "http://127.0.0.1:18077/";
    QTest::newRow("IPv6") << "[::1]:8080/"
                          << "http://[::1]:8080/";
    QTest::newRow("other port") << "staging.example.com:8080/"
                                << "http://staging.example.com:8080/";
    // What is typed with a scheme is never second-guessed.
    QTest::newRow("https on a port") << "https://localhost:8443/"
                                     << "https://localhost:8443/";
}

void tst_TestAddress::addresses()
{
    QFETCH(QString, typed);
    QFETCH(QString, url);
    QString error;
    const std::optional<QUrl> parsed = TestAddress::parse(typed, &error);
    QVERIFY2(parsed, qPrintable(error));
    QCOMPARE(parsed->toString(), url);
}

void tst_TestAddress::refusals_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QString>("error");
    QTest::newRow("empty") << "  "
                           << "Enter the address of a web page";
    QTest::newRow("space") << "example.com/a b"
                           << "A web address has no spaces";
    QTest::newRow("htp") << "htp:/x.example"
                         << "Did you mean http://x.example ?";
    QTest::newRow("https//") << "https//x.example/a"
                             << "Did you mean https://x.example/a ?";
    QTest::newRow("ftp") << "ftp://example.com/"
                         << "Only http:// and https:// pages can be tested, not ftp://";
    QTest::newRow("file") << "file:///etc/passwd"
                          << "Only http:// and https:// pages can be tested, not file://";
    QTest::newRow("no host") << "https:///path"
                             << "The address has no host name";
    QTest::newRow("one label") << "intranet"
                               << "\"intranet\" is not a full host name (did you mean intranet.com?)";
    QTest::newRow("bad port") << "example.com:99999/"
                              << "This is not a valid web address";
}

void tst_TestAddress::refusals()
{
    QFETCH(QString, typed);
    QFETCH(QString, error);
    QString message;
    QVERIFY(!TestAddress::parse(typed, &message));
    QVERIFY2(message.startsWith(error), qPrintable(message));
    QVERIFY(!TestAddress::parse(typed, nullptr)); // no message asked for: still refused
}

QTEST_GUILESS_MAIN(tst_TestAddress)
#include "tst_testaddress.moc"
