#include "benchhistory.h"

#include <QElapsedTimer>
#include <QList>
#include <QRandomGenerator>
#include <QSet>
#include <QStringList>
#include <QUrl>

#include <algorithm>
#include <numeric>

namespace {

struct Site
{
    QString host;
    QString ip;
    QString protocol;
    QString server;
};

// A page as a probe sees it from one region: the document, then about `count` subresources from the site, its
// CDN and third parties, each host's first request opening a connection (DNS, TCP, TLS, one RTT each), reported
// in end order as the probe sends them. Phases add up to the duration; a phase that did not happen is absent.
struct PageLoad
{
    QList<RequestTiming> requests;
    PageMetrics metrics;
};

QList<HttpHeader> requestHeaders(const RequestTiming &r, const QString &pageUrl)
{
    static const QHash<QString, QString> destinations { { QStringLiteral("Document"), QStringLiteral("document") },
        { QStringLiteral("Script"), QStringLiteral("script") },
        { QStringLiteral("Stylesheet"), QStringLiteral("style") }, { QStringLiteral("Image"), QStringLiteral("image") },
        { QStringLiteral("Font"), QStringLiteral("font") } };
    QList<HttpHeader> headers {
        { QStringLiteral("accept"),
            r.resourceType == u"Document"
                ? QStringLiteral("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
                                 "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
                : QStringLiteral("*/*") },
        { QStringLiteral("accept-encoding"), QStringLiteral("gzip, deflate, br, zstd") },
        { QStringLiteral("accept-language"), QStringLiteral("en-US,en;q=0.9") },
        { QStringLiteral("sec-ch-ua"),
            QStringLiteral("\"Chromium\";v=\"126\", \"Not.A/Brand\";v=\"24\", \"HeadlessChrome\";v=\"126\"") },
        { QStringLiteral("sec-ch-ua-mobile"), QStringLiteral("?0") },
        { QStringLiteral("sec-ch-ua-platform"), QStringLiteral("\"Linux\"") },
        { QStringLiteral("sec-fetch-dest"), destinations.value(r.resourceType, QStringLiteral("empty")) },
        { QStringLiteral("sec-fetch-mode"),
            r.resourceType == u"Document" ? QStringLiteral("navigate") : QStringLiteral("no-cors") },
        { QStringLiteral("user-agent"),
            QStringLiteral("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                           "HeadlessChrome/126.0.6478.126 Safari/537.36") },
    };
    if (r.resourceType != u"Document")
        headers.append({ QStringLiteral("referer"), pageUrl });
    return headers;
}

QList<HttpHeader> responseHeaders(const RequestTiming &r, const Site &site, QRandomGenerator &random)
{
    QList<HttpHeader> headers {
        { QStringLiteral("content-type"), r.mimeType },
        { QStringLiteral("date"),
            QStringLiteral("Tue, 04 Jun 2024 09:%1:%2 GMT")
                .arg(random.bounded(60), 2, 10, QChar(u'0'))
                .arg(random.bounded(60), 2, 10, QChar(u'0')) },
        { QStringLiteral("server"), site.server },
        { QStringLiteral("vary"), QStringLiteral("Accept-Encoding") },
        { QStringLiteral("strict-transport-security"), QStringLiteral("max-age=31536000; includeSubDomains") },
    };
    if (r.resourceType == u"Document") {
        headers.append({ QStringLiteral("cache-control"), QStringLiteral("private, no-cache") });
        headers.append({ QStringLiteral("content-security-policy"),
            QStringLiteral("default-src 'self'; img-src * data:; script-src 'self' https://cdn.example-static.net "
                           "https://www.googletagmanager.com; style-src 'self' 'unsafe-inline'") });
        headers.append({ QStringLiteral("set-cookie"),
            QStringLiteral("session=%1; Path=/; Secure; HttpOnly; SameSite=Lax")
                .arg(random.generate64(), 16, 16, QChar(u'0')) });
    } else {
        headers.append({ QStringLiteral("cache-control"), QStringLiteral("public, max-age=31536000, immutable") });
        headers.append(
            { QStringLiteral("etag"), QStringLiteral("\"%1\"").arg(random.generate64(), 16, 16, QChar(u'0')) });
        headers.append({ QStringLiteral("last-modified"), QStringLiteral("Mon, 20 May 2024 14:02:11 GMT") });
        headers.append({ QStringLiteral("age"), QString::number(random.bounded(86400)) });
        headers.append(
            { QStringLiteral("x-cache"), random.bounded(10) ? QStringLiteral("HIT") : QStringLiteral("MISS") });
        headers.append({ QStringLiteral("access-control-allow-origin"), QStringLiteral("*") });
    }
    if (r.decodedBytes && r.encodedBytes && *r.decodedBytes > *r.encodedBytes)
        headers.append({ QStringLiteral("content-encoding"), QStringLiteral("br") });
    if (r.protocol == u"h2")
        headers.append({ QStringLiteral("alt-svc"), QStringLiteral("h3=\":443\"; ma=86400") });
    if (r.decodedBytes)
        headers.append({ QStringLiteral("content-length"),
            QString::number(r.encodedBytes.value_or(0) - r.headerBytes.value_or(0)) });
    return headers;
}

// The kinds of subresource a page loads, each from one of the page's sites, and how often each comes.
struct Kind
{
    const char16_t *type;
    const char16_t *mime;
    const char16_t *extension;
    const char16_t *priority;
    int site;
    int minBytes;
    int maxBytes;
    double compression; // decoded / encoded body
};
const Kind kinds[] = {
    { u"Script", u"application/javascript", u"js", u"Low", 1, 2'000, 180'000, 3.4 },
    { u"Script", u"application/javascript", u"js", u"High", 0, 5'000, 120'000, 3.2 },
    { u"Stylesheet", u"text/css", u"css", u"VeryHigh", 0, 3'000, 60'000, 5.0 },
    { u"Image", u"image/webp", u"webp", u"Low", 2, 4'000, 250'000, 1.0 },
    { u"Image", u"image/jpeg", u"jpg", u"Low", 2, 8'000, 400'000, 1.0 },
    { u"Image", u"image/svg+xml", u"svg", u"Low", 0, 600, 9'000, 2.8 },
    { u"Image", u"image/png", u"png", u"Low", 0, 1'000, 60'000, 1.0 },
    { u"Font", u"font/woff2", u"woff2", u"VeryHigh", 3, 15'000, 70'000, 1.0 },
    { u"Fetch", u"application/json", u"json", u"High", 0, 300, 30'000, 4.0 },
    { u"XHR", u"application/json", u"json", u"High", 0, 300, 12'000, 4.0 },
    { u"Script", u"application/javascript", u"js", u"Low", 4, 60'000, 110'000, 3.0 },
    { u"Ping", u"text/plain", u"gif", u"VeryLow", 5, 50, 400, 1.0 },
};
const int weights[] = { 10, 6, 4, 12, 6, 5, 4, 3, 5, 2, 1, 2 };

// Makes one page load. It draws from `random` in the page's own order (the document, its subresources, their headers,
// then the metrics), so the same seed gives the same history.
class PageLoadMaker
{
public:
    PageLoadMaker(const QString &pageUrl, double rttMs, QRandomGenerator &random)
        : m_pageUrl(pageUrl)
        , m_rttMs(rttMs)
        , m_random(random)
        , m_sites(sitesOf(QUrl(pageUrl).host()))
    { }

    PageLoad make(int count)
    {
        PageLoad load;
        const RequestTiming document = this->document();
        load.requests.append(document);
        const double documentEnd = document.phases.sum();
        const double ttfb = document.phases.sum() - *document.phases.receive;
        // Most subresources start while the page parses; the rest (lazy images, analytics, beacons) trickle in
        // until a few seconds after the load event.
        const double parseEnd = documentEnd + 400 + m_random.bounded(1200.0);
        for (int i = 1; i < count; ++i)
            load.requests.append(subresource(i, documentEnd, parseEnd));
        finish(load);
        measure(load, ttfb, documentEnd, parseEnd);
        return load;
    }

private:
    static QList<Site> sitesOf(const QString &firstParty)
    {
        return {
            { firstParty, QStringLiteral("203.0.113.10"), QStringLiteral("h2"), QStringLiteral("nginx") },
            { QStringLiteral("cdn.example-static.net"), QStringLiteral("198.51.100.23"), QStringLiteral("h3"),
                QStringLiteral("cloudflare") },
            { QStringLiteral("images.example-cdn.com"), QStringLiteral("198.51.100.77"), QStringLiteral("h2"),
                QStringLiteral("AmazonS3") },
            { QStringLiteral("fonts.example-fonts.com"), QStringLiteral("192.0.2.14"), QStringLiteral("h3"),
                QStringLiteral("sffe") },
            { QStringLiteral("www.googletagmanager.com"), QStringLiteral("192.0.2.40"), QStringLiteral("h2"),
                QStringLiteral("Google Tag Manager") },
            { QStringLiteral("stats.example-analytics.io"), QStringLiteral("192.0.2.99"), QStringLiteral("http/1.1"),
                QStringLiteral("openresty") },
        };
    }

    // Each site's first request opens its connection; later ones only wait for it.
    void openConnection(RequestTiming &r, int site)
    {
        if (m_connected.contains(site)) {
            r.phases.blocked = m_random.bounded(8.0);
            return;
        }
        m_connected.insert(site);
        r.phases.blocked = 1 + m_random.bounded(4.0);
        r.phases.dns = 4 + m_rttMs / 3 + m_random.bounded(20.0);
        r.phases.connect = m_rttMs + m_random.bounded(5.0);
        r.phases.ssl = m_rttMs + 8 + m_random.bounded(10.0);
    }

    RequestTiming document()
    {
        RequestTiming document;
        document.id = QStringLiteral("1000.1");
        document.url = m_pageUrl;
        document.method = QStringLiteral("GET");
        document.resourceType = QStringLiteral("Document");
        document.mimeType = QStringLiteral("text/html");
        document.priority = QStringLiteral("VeryHigh");
        document.protocol = m_sites.first().protocol;
        document.remoteIp = m_sites.first().ip;
        document.remotePort = 443;
        document.status = 200;
        document.outcome = RequestTiming::Outcome::Finished;
        document.startMs = 0;
        openConnection(document, 0);
        document.phases.send = 0.3;
        document.phases.wait = m_rttMs + 80 + m_random.bounded(300.0);
        document.encodedBytes = 12'000 + m_random.bounded(70'000);
        document.phases.receive = m_rttMs + static_cast<double>(*document.encodedBytes) / 2'000.0;
        document.headerBytes = 600 + m_random.bounded(900);
        document.decodedBytes = *document.encodedBytes * 5;
        return document;
    }

    RequestTiming subresource(int i, double documentEnd, double parseEnd)
    {
        const int totalWeight = std::accumulate(std::begin(weights), std::end(weights), 0);
        int pick = m_random.bounded(totalWeight);
        qsizetype k = 0;
        while (pick >= weights[k])
            pick -= weights[k++];
        const Kind &kind = kinds[k];
        const Site &site = m_sites.at(kind.site);
        RequestTiming r;
        r.id = QStringLiteral("1000.%1").arg(i + 1);
        r.resourceType = QString::fromUtf16(kind.type);
        r.mimeType = QString::fromUtf16(kind.mime);
        r.priority = QString::fromUtf16(kind.priority);
        r.url = QStringLiteral("https://%1/assets/%2/%3-%4.%5")
                    .arg(site.host, r.resourceType.toLower(), QStringLiteral("chunk"))
                    .arg(m_random.generate(), 8, 16, QChar(u'0'))
                    .arg(QString::fromUtf16(kind.extension));
        if (r.resourceType == u"Fetch" || r.resourceType == u"XHR")
            r.url = QStringLiteral("https://%1/api/v2/items?page=%2&locale=en-US").arg(site.host).arg(i);
        r.method = r.resourceType == u"Ping" ? QStringLiteral("POST") : QStringLiteral("GET");
        r.protocol = site.protocol;
        r.remoteIp = site.ip;
        r.remotePort = 443;
        const bool late = m_random.bounded(6) == 0;
        r.startMs
            = late ? parseEnd + m_random.bounded(3000.0) : documentEnd - 30 + m_random.bounded(parseEnd - documentEnd);
        openConnection(r, kind.site);
        r.phases.send = 0.1 + m_random.bounded(0.5);
        r.phases.wait = m_rttMs + 5 + m_random.bounded(kind.site == 0 ? 250.0 : 60.0);
        const qint64 body = kind.minBytes + m_random.bounded(kind.maxBytes - kind.minBytes);
        r.headerBytes = 300 + m_random.bounded(500);
        r.encodedBytes = body + *r.headerBytes;
        r.decodedBytes = static_cast<qint64>(static_cast<double>(body) * kind.compression);
        r.phases.receive = 0.5 + static_cast<double>(body) / (1'500.0 + m_random.bounded(8'000.0));
        r.status = 200;
        r.statusText = r.protocol == u"http/1.1" ? QStringLiteral("OK") : QString();
        if (r.resourceType == u"Ping") {
            r.status = 204;
            r.encodedBytes = r.headerBytes;
            r.decodedBytes = 0;
        } else if (m_random.bounded(50) == 0) {
            r.status = 404;
        }
        r.outcome = RequestTiming::Outcome::Finished;
        if (m_random.bounded(120) == 0) {
            r.outcome = RequestTiming::Outcome::Failed;
            r.failureText = QStringLiteral("net::ERR_CONNECTION_RESET");
            r.phases.receive.reset();
            r.status.reset();
            r.statusText.clear();
            r.encodedBytes.reset();
            r.headerBytes.reset();
            r.decodedBytes.reset();
        }
        return r;
    }

    // Durations and headers, and the requests in end order as the probe sends them.
    void finish(PageLoad &load)
    {
        for (RequestTiming &r : load.requests) {
            r.durationMs = r.phases.sum();
            if (r.outcome == RequestTiming::Outcome::Finished) {
                const Site &site = *std::find_if(
                    m_sites.begin(), m_sites.end(), [&](const Site &s) { return QUrl(r.url).host() == s.host; });
                r.responseHeaders = responseHeaders(r, site, m_random);
            }
            r.requestHeaders = requestHeaders(r, m_pageUrl);
        }
        std::stable_sort(
            load.requests.begin(), load.requests.end(), [](const RequestTiming &a, const RequestTiming &b) {
                return a.endMs().value_or(0) < b.endMs().value_or(0);
            });
    }

    void measure(PageLoad &load, double ttfb, double documentEnd, double parseEnd)
    {
        PageMetrics &m = load.metrics;
        m.documentStatus = 200;
        m.ttfbMs = ttfb;
        m.firstContentfulPaintMs = documentEnd + 150 + m_random.bounded(600.0);
        m.largestContentfulPaintMs = *m.firstContentfulPaintMs + m_random.bounded(1500.0);
        double lastEarly = documentEnd;
        double lastAny = documentEnd;
        for (const RequestTiming &r : std::as_const(load.requests)) {
            const double end = r.endMs().value_or(r.startMs);
            lastAny = std::max(lastAny, end);
            if (r.startMs < parseEnd)
                lastEarly = std::max(lastEarly, end);
            m.totalEncodedBytes += r.encodedBytes.value_or(0);
            m.totalDecodedBytes += r.decodedBytes.value_or(0);
        }
        m.domContentLoadedMs = std::min(parseEnd, lastEarly) + 5;
        m.loadMs = std::max(*m.domContentLoadedMs, lastEarly) + 12;
        m.fullyLoadedMs = lastAny;
        m.cumulativeLayoutShift = m_random.bounded(0.25);
        m.requestCount = static_cast<int>(load.requests.size());
    }

    const QString m_pageUrl;
    const double m_rttMs;
    QRandomGenerator &m_random;
    const QList<Site> m_sites;
    QSet<int> m_connected;
};

} // namespace

std::optional<BenchHistory::FillResult> BenchHistory::fill(
    HistoryStore &store, int tests, int requestsPerView, QString *error)
{
    static const QStringList urls { QStringLiteral("https://www.example-shop.com/"),
        QStringLiteral("https://news.example.org/world/2024/06/04/a-long-article-about-something-important"),
        QStringLiteral("https://docs.example.dev/guide/getting-started"), QStringLiteral("https://www.example.com/"),
        QStringLiteral("https://blog.example.net/posts/measuring-page-speed") };
    // Round trips from each region to the sites' servers.
    static const QList<std::pair<QString, double>> regions { { QStringLiteral("fra"), 12 },
        { QStringLiteral("iad"), 85 }, { QStringLiteral("syd"), 290 } };
    QStringList codes;
    for (const auto &[code, rtt] : regions)
        codes.append(code);

    QRandomGenerator random(20240604u);
    FillResult result;
    QElapsedTimer timer;
    timer.start();
    const auto failed = [&] {
        *error = store.lastError();
        return std::nullopt;
    };
    for (int t = 0; t < tests; ++t) {
        const QString &url = urls.at(t % urls.size());
        const qint64 id = store.beginTest(url, LoadOptions {}, codes, 1);
        if (id < 0)
            return failed();
        for (const auto &[code, rtt] : regions) {
            if (!store.setRegionState(id, code, RunState::StartingBrowser, {})
                || !store.setRegionState(id, code, RunState::Loading, {}))
                return failed();
            const int count = requestsPerView - requestsPerView / 5 + random.bounded(2 * (requestsPerView / 5) + 1);
            const PageLoad load = PageLoadMaker(url, rtt, random).make(std::max(1, count));
            for (const RequestTiming &request : load.requests) {
                if (!store.addRequest(id, code, 1, RunView::First, request))
                    return failed();
            }
            result.requests += load.requests.size();
            if (!store.setMetrics(id, code, 1, RunView::First, load.metrics, url, {})
                || !store.finishRun(id, code, 1, true, std::nullopt, true, 350 + random.bounded(600.0))
                || !store.setRegionState(id, code, RunState::Complete, {}))
                return failed();
        }
        if (!store.finishTest(id))
            return failed();
        ++result.tests;
    }
    result.ms = static_cast<double>(timer.nsecsElapsed()) / 1e6;
    return result;
}
