// What the desktop app costs in memory: the main window shown offscreen with the default local fleet and an empty
// history, then the same window on a history of 100 stored tests with one of them opened, against a bare
// QApplication showing one empty QWidget of the window's size. A benchmark reports; it never passes or fails on a
// number. It exits non-zero only when a run did not work (a child crashed, timed out, or printed no figures).
//
// Every measurement is its own process (this binary again, with --child MODE), so no two share a heap, and each
// child has a private HOME, TMPDIR, XDG_* and database in a QTemporaryDir that is removed afterwards. The history
// is written by a separate child before the measured one starts, so the measured process holds only what the app
// itself keeps after reading it. A child shows its window, lets the event loop run for --settle-ms, then reads its
// own /proc/self/smaps_rollup (Rss, Pss, Pss_Anon, Pss_File) and /proc/self/status (VmRSS, VmHWM).
#include "historymodel.h"
#include "historystore.h"
#include "mainwindow.h"
#include "memorysecretstore.h"
#include "waterfallmodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSet>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTextStream>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <memory>
#include <numeric>

namespace {

// MainWindow resizes itself to this; the baseline's empty widget gets the same size, so both have the same
// backing store and the ratio shows what the window's contents cost.
constexpr QSize windowSize { 1400, 900 };
constexpr int fillTimeoutMs = 600'000;
constexpr int measureTimeoutMs = 120'000;

// ---------------------------------------------------------------------------------------------------------------
// In the child: reading the process's own memory.

struct Memory
{
    qint64 rssKiB = -1; // VmRSS
    qint64 hwmKiB = -1; // VmHWM: the peak RSS
    qint64 pssKiB = -1;
    qint64 pssAnonKiB = -1; // heap, stacks, the backing store: nothing another process shares
    qint64 pssFileKiB = -1; // the share of the libraries' and fonts' pages

    QJsonObject toJson() const
    {
        return { { QStringLiteral("rssKiB"), rssKiB }, { QStringLiteral("hwmKiB"), hwmKiB },
            { QStringLiteral("pssKiB"), pssKiB }, { QStringLiteral("pssAnonKiB"), pssAnonKiB },
            { QStringLiteral("pssFileKiB"), pssFileKiB } };
    }
};

// "Name:   1234 kB" lines, as /proc writes them.
QHash<QByteArray, qint64> procKiB(const QString &path)
{
    QHash<QByteArray, qint64> values;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return values;
    // /proc files report a size of 0, so read them to the end rather than by size.
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0 || !line.endsWith(" kB"))
            continue;
        bool ok = false;
        const qint64 value = line.mid(colon + 1).chopped(3).trimmed().toLongLong(&ok);
        if (ok)
            values.insert(line.left(colon), value);
    }
    return values;
}

std::optional<Memory> readMemory(QString *error)
{
    const auto status = procKiB(QStringLiteral("/proc/self/status"));
    const auto rollup = procKiB(QStringLiteral("/proc/self/smaps_rollup"));
    Memory m;
    m.rssKiB = status.value("VmRSS", -1);
    m.hwmKiB = status.value("VmHWM", -1);
    m.pssKiB = rollup.value("Pss", -1);
    m.pssAnonKiB = rollup.value("Pss_Anon", -1);
    m.pssFileKiB = rollup.value("Pss_File", -1);
    if (m.rssKiB < 0 || m.pssKiB < 0) {
        *error = QStringLiteral("cannot read VmRSS from /proc/self/status or Pss from /proc/self/smaps_rollup");
        return std::nullopt;
    }
    return m;
}

void settle(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

// ---------------------------------------------------------------------------------------------------------------
// In the child: a history shaped like real tests.

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

PageLoad pageLoad(const QString &pageUrl, double rttMs, int count, QRandomGenerator &random)
{
    const QString firstParty = QUrl(pageUrl).host();
    const QList<Site> sites {
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
    static const Kind kinds[] = {
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
    static const int weights[] = { 10, 6, 4, 12, 6, 5, 4, 3, 5, 2, 1, 2 };
    const int totalWeight = std::accumulate(std::begin(weights), std::end(weights), 0);

    QSet<int> connected;
    const auto openConnection = [&](RequestTiming &r, int site) {
        if (connected.contains(site)) {
            r.phases.blocked = random.bounded(8.0);
            return;
        }
        connected.insert(site);
        r.phases.blocked = 1 + random.bounded(4.0);
        r.phases.dns = 4 + rttMs / 3 + random.bounded(20.0);
        r.phases.connect = rttMs + random.bounded(5.0);
        r.phases.ssl = rttMs + 8 + random.bounded(10.0);
    };

    PageLoad load;
    RequestTiming document;
    document.id = QStringLiteral("1000.1");
    document.url = pageUrl;
    document.method = QStringLiteral("GET");
    document.resourceType = QStringLiteral("Document");
    document.mimeType = QStringLiteral("text/html");
    document.priority = QStringLiteral("VeryHigh");
    document.protocol = sites.first().protocol;
    document.remoteIp = sites.first().ip;
    document.remotePort = 443;
    document.status = 200;
    document.outcome = RequestTiming::Outcome::Finished;
    document.startMs = 0;
    openConnection(document, 0);
    document.phases.send = 0.3;
    document.phases.wait = rttMs + 80 + random.bounded(300.0);
    document.encodedBytes = 12'000 + random.bounded(70'000);
    document.phases.receive = rttMs + static_cast<double>(*document.encodedBytes) / 2'000.0;
    document.headerBytes = 600 + random.bounded(900);
    document.decodedBytes = *document.encodedBytes * 5;
    load.requests.append(document);
    const double documentEnd = document.phases.sum();
    const double ttfb = document.phases.sum() - *document.phases.receive;
    // Most subresources start while the page parses; the rest (lazy images, analytics, beacons) trickle in
    // until a few seconds after the load event.
    const double parseEnd = documentEnd + 400 + random.bounded(1200.0);
    for (int i = 1; i < count; ++i) {
        int pick = random.bounded(totalWeight);
        qsizetype k = 0;
        while (pick >= weights[k])
            pick -= weights[k++];
        const Kind &kind = kinds[k];
        const Site &site = sites.at(kind.site);
        RequestTiming r;
        r.id = QStringLiteral("1000.%1").arg(i + 1);
        r.resourceType = QString::fromUtf16(kind.type);
        r.mimeType = QString::fromUtf16(kind.mime);
        r.priority = QString::fromUtf16(kind.priority);
        r.url = QStringLiteral("https://%1/assets/%2/%3-%4.%5")
                    .arg(site.host, r.resourceType.toLower(), QStringLiteral("chunk"))
                    .arg(random.generate(), 8, 16, QChar(u'0'))
                    .arg(QString::fromUtf16(kind.extension));
        if (r.resourceType == u"Fetch" || r.resourceType == u"XHR")
            r.url = QStringLiteral("https://%1/api/v2/items?page=%2&locale=en-US").arg(site.host).arg(i);
        r.method = r.resourceType == u"Ping" ? QStringLiteral("POST") : QStringLiteral("GET");
        r.protocol = site.protocol;
        r.remoteIp = site.ip;
        r.remotePort = 443;
        const bool late = random.bounded(6) == 0;
        r.startMs
            = late ? parseEnd + random.bounded(3000.0) : documentEnd - 30 + random.bounded(parseEnd - documentEnd);
        openConnection(r, kind.site);
        r.phases.send = 0.1 + random.bounded(0.5);
        r.phases.wait = rttMs + 5 + random.bounded(kind.site == 0 ? 250.0 : 60.0);
        const qint64 body = kind.minBytes + random.bounded(kind.maxBytes - kind.minBytes);
        r.headerBytes = 300 + random.bounded(500);
        r.encodedBytes = body + *r.headerBytes;
        r.decodedBytes = static_cast<qint64>(static_cast<double>(body) * kind.compression);
        r.phases.receive = 0.5 + static_cast<double>(body) / (1'500.0 + random.bounded(8'000.0));
        r.status = 200;
        r.statusText = r.protocol == u"http/1.1" ? QStringLiteral("OK") : QString();
        if (r.resourceType == u"Ping") {
            r.status = 204;
            r.encodedBytes = r.headerBytes;
            r.decodedBytes = 0;
        } else if (random.bounded(50) == 0) {
            r.status = 404;
        }
        r.outcome = RequestTiming::Outcome::Finished;
        if (random.bounded(120) == 0) {
            r.outcome = RequestTiming::Outcome::Failed;
            r.failureText = QStringLiteral("net::ERR_CONNECTION_RESET");
            r.phases.receive.reset();
            r.status.reset();
            r.statusText.clear();
            r.encodedBytes.reset();
            r.headerBytes.reset();
            r.decodedBytes.reset();
        }
        load.requests.append(r);
    }
    for (RequestTiming &r : load.requests) {
        r.durationMs = r.phases.sum();
        if (r.outcome == RequestTiming::Outcome::Finished) {
            const Site &site = *std::find_if(
                sites.begin(), sites.end(), [&](const Site &s) { return QUrl(r.url).host() == s.host; });
            r.responseHeaders = responseHeaders(r, site, random);
        }
        r.requestHeaders = requestHeaders(r, pageUrl);
    }
    std::stable_sort(load.requests.begin(), load.requests.end(),
        [](const RequestTiming &a, const RequestTiming &b) { return a.endMs().value_or(0) < b.endMs().value_or(0); });

    PageMetrics &m = load.metrics;
    m.documentStatus = 200;
    m.ttfbMs = ttfb;
    m.firstContentfulPaintMs = documentEnd + 150 + random.bounded(600.0);
    m.largestContentfulPaintMs = *m.firstContentfulPaintMs + random.bounded(1500.0);
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
    m.cumulativeLayoutShift = random.bounded(0.25);
    m.requestCount = static_cast<int>(load.requests.size());
    return load;
}

struct FillResult
{
    int tests = 0;
    qint64 requests = 0;
    double ms = 0;
};

// Writes the tests through the store's public API, frame by frame in the order a live test would: requests as
// they end, then the metrics, the run's end and the region's state, for each region in turn.
std::optional<FillResult> fillHistory(HistoryStore &store, int tests, int requestsPerView, QString *error)
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
            const PageLoad load = pageLoad(url, rtt, std::max(1, count), random);
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

// ---------------------------------------------------------------------------------------------------------------
// The children. Each prints one JSON object on stdout and exits 0, or explains on stderr and exits 1.

int childFill(const QString &db, int tests, int requests)
{
    QTextStream err(stderr);
    FillResult filled;
    {
        // ProcessCrash: the same rows with one WAL sync per checkpoint instead of one per request, so that writing
        // 18,000 requests takes seconds on a shared disk. Durability does not change what ends up in the file.
        HistoryStore store(db, HistoryStore::Durability::ProcessCrash);
        if (!store.open()) {
            err << "bench_appmemory: cannot create " << db << ": " << store.lastError() << "\n";
            return 1;
        }
        QString error;
        const auto result = fillHistory(store, tests, requests, &error);
        if (!result) {
            err << "bench_appmemory: filling the history failed: " << error << "\n";
            return 1;
        }
        filled = *result;
    }
    QTextStream(stdout) << QJsonDocument(
        QJsonObject { { QStringLiteral("tests"), filled.tests }, { QStringLiteral("requests"), filled.requests },
            { QStringLiteral("fillMs"),
                filled.ms } }).toJson(QJsonDocument::Compact)
                        << "\n";
    return 0;
}

int childBaseline(int settleMs)
{
    QWidget widget;
    widget.resize(windowSize);
    widget.show();
    settle(settleMs);
    QString error;
    const auto memory = readMemory(&error);
    if (!memory) {
        QTextStream(stderr) << "bench_appmemory: " << error << "\n";
        return 1;
    }
    QJsonObject json = memory->toJson();
    json.insert(QStringLiteral("window"), QStringLiteral("%1x%2").arg(widget.width()).arg(widget.height()));
    QTextStream(stdout) << QJsonDocument(json).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}

int childApp(const QString &db, bool openFirst, int settleMs)
{
    QTextStream err(stderr);
    // As main.cpp does, less the keychain: the secrets live in memory (the default local fleet has none).
    HistoryStore history(db);
    if (!history.open()) {
        err << "bench_appmemory: cannot open " << db << ": " << history.lastError() << "\n";
        return 1;
    }
    MemorySecretStore secrets;
    MainWindow::Services services;
    services.history = &history;
    services.secrets = &secrets;
    // Where the app looks for its fleet config; nothing is there in the private XDG_CONFIG_HOME, so the default
    // (this computer, one local region) is used, as on a first start.
    services.fleetConfigPath = QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
                                   .filePath(QStringLiteral("fleet.json"));
    MainWindow window(services);
    window.show();
    QCoreApplication::processEvents();

    window.historyModel()->refresh();
    QJsonObject json;
    json.insert(QStringLiteral("historyRows"), window.historyModel()->rowCount());
    if (openFirst) {
        // openSelectedHistory() is private; do what a person does: select the first row of the history list and
        // press Open.
        QTableView *view = nullptr;
        for (QTableView *candidate : window.findChildren<QTableView *>()) {
            if (candidate->model() == window.historyModel())
                view = candidate;
        }
        QPushButton *open = nullptr;
        if (view) {
            for (QPushButton *button : view->parentWidget()->findChildren<QPushButton *>()) {
                if (button->text() == u"Open")
                    open = button;
            }
        }
        const bool reachable = view && open && window.historyModel()->rowCount() > 0;
        if (reachable) {
            view->setCurrentIndex(window.historyModel()->index(0, 0));
            open->click();
        }
        qint64 shown = 0;
        for (int lane = 0; lane < window.waterfallModel()->laneCount(); ++lane)
            shown += window.waterfallModel()->requestCount(lane);
        json.insert(QStringLiteral("opened"), reachable && shown > 0);
        json.insert(QStringLiteral("shownLanes"), window.waterfallModel()->laneCount());
        json.insert(QStringLiteral("shownRequests"), shown);
        json.insert(QStringLiteral("status"), window.statusText());
    }
    settle(settleMs);
    QString error;
    const auto memory = readMemory(&error);
    if (!memory) {
        err << "bench_appmemory: " << error << "\n";
        return 1;
    }
    QJsonObject out = memory->toJson();
    for (auto it = json.constBegin(); it != json.constEnd(); ++it)
        out.insert(it.key(), it.value());
    out.insert(QStringLiteral("window"), QStringLiteral("%1x%2").arg(window.width()).arg(window.height()));
    if (!window.fleetError().isEmpty())
        out.insert(QStringLiteral("fleetError"), window.fleetError());
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The parent: runs the children and reports.

// A private HOME, TMPDIR and XDG dirs (and the database) for one or more children; removed with the object.
class Sandbox
{
public:
    Sandbox()
        : m_root(QDir::tempPath() + QStringLiteral("/worldspeed-membench-XXXXXX"))
    {
        if (!m_root.isValid())
            return;
        const QDir root(m_root.path());
        for (const char *sub : { "home", "tmp", "runtime", "config", "cache", "data" })
            root.mkpath(QString::fromLatin1(sub));
        QFile::setPermissions(root.filePath(QStringLiteral("runtime")),
            QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    }
    Q_DISABLE_COPY_MOVE(Sandbox)

    bool isValid() const { return m_root.isValid(); }
    QString errorString() const { return m_root.errorString(); }
    QString database() const { return m_root.filePath(QStringLiteral("data/history.sqlite")); }
    QProcessEnvironment environment() const
    {
        const QDir root(m_root.path());
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), root.filePath(QStringLiteral("home")));
        env.insert(QStringLiteral("TMPDIR"), root.filePath(QStringLiteral("tmp")));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), root.filePath(QStringLiteral("runtime")));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), root.filePath(QStringLiteral("config")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), root.filePath(QStringLiteral("cache")));
        env.insert(QStringLiteral("XDG_DATA_HOME"), root.filePath(QStringLiteral("data")));
        if (!env.contains(QStringLiteral("QT_QPA_PLATFORM")))
            env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        return env;
    }

private:
    QTemporaryDir m_root;
};

// Runs this binary with `arguments` and returns the JSON object on the last line of its output. The parent has no
// window and nothing else to do meanwhile, so it simply waits (with a timeout); the child's stderr goes through.
std::optional<QJsonObject> runChild(const Sandbox &sandbox, const QStringList &arguments, int timeoutMs, QString *error)
{
    QProcess process;
    process.setProgram(QCoreApplication::applicationFilePath());
    process.setArguments(arguments);
    process.setProcessEnvironment(sandbox.environment());
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start();
    if (!process.waitForStarted(10'000)) {
        *error = QStringLiteral("cannot start the child: ") + process.errorString();
        return std::nullopt;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(5'000);
        *error = QStringLiteral("the child did not finish within %1 s").arg(timeoutMs / 1000);
        return std::nullopt;
    }
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        *error = process.exitStatus() != QProcess::NormalExit
            ? QStringLiteral("the child crashed")
            : QStringLiteral("the child exited with %1").arg(process.exitCode());
        return std::nullopt;
    }
    const QList<QByteArray> lines = process.readAllStandardOutput().trimmed().split('\n');
    const QJsonDocument json = QJsonDocument::fromJson(lines.constLast());
    if (!json.isObject()) {
        *error = QStringLiteral("the child printed no JSON object");
        return std::nullopt;
    }
    return json.object();
}

double median(QList<double> values)
{
    if (values.isEmpty())
        return 0;
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    return n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2;
}

double mib(double kib)
{
    return kib / 1024.0;
}

// The samples of one measured child over the repetitions.
struct Series
{
    QString name;
    QList<QJsonObject> samples;

    double medianOf(const QString &key) const
    {
        QList<double> values;
        for (const QJsonObject &s : samples)
            values.append(s.value(key).toDouble());
        return median(values);
    }
    QString range(const QString &key) const
    {
        double lo = 1e18;
        double hi = 0;
        for (const QJsonObject &s : samples) {
            lo = std::min(lo, s.value(key).toDouble());
            hi = std::max(hi, s.value(key).toDouble());
        }
        return QStringLiteral("%1–%2").arg(mib(lo), 0, 'f', 1).arg(mib(hi), 0, 'f', 1);
    }
    QJsonObject toJson() const
    {
        QJsonObject medians;
        for (const char *key : { "rssKiB", "pssKiB", "pssAnonKiB", "pssFileKiB", "hwmKiB" })
            medians.insert(QString::fromLatin1(key), medianOf(QString::fromLatin1(key)));
        QJsonArray all;
        for (const QJsonObject &s : samples)
            all.append(s);
        return { { QStringLiteral("median"), medians }, { QStringLiteral("samples"), all } };
    }
};

int runParent(int repetitions, int settleMs, int tests, int requests)
{
    QTextStream out(stdout);
    QTextStream err(stderr);
    out << "bench_appmemory: " << repetitions << " repetitions, settle " << settleMs << " ms, history of " << tests
        << " tests x 3 regions x 1 run, ~" << requests << " requests per view, platform "
        << qEnvironmentVariable("QT_QPA_PLATFORM", QStringLiteral("offscreen"))
#ifdef QT_DEBUG
        << ", debug build"
#endif
        << "\n";
    out.flush();

    const QString settle = QString::number(settleMs);
    Series baseline { QStringLiteral("baseline: empty QWidget"), {} };
    Series idle { QStringLiteral("app, empty history"), {} };
    Series full { QStringLiteral("app, %1 tests, 1 open").arg(tests), {} };
    QList<double> dbBytes, walBytes, fillMs;
    qint64 storedRequests = 0;
    const auto fail = [&](const QString &what, const QString &error) {
        err << "bench_appmemory: " << what << ": " << error << "\n";
        return 1;
    };
    for (int rep = 0; rep < repetitions; ++rep) {
        QString error;
        {
            Sandbox box;
            if (!box.isValid())
                return fail(QStringLiteral("no private HOME"), box.errorString());
            const auto m = runChild(box,
                { QStringLiteral("--child"), QStringLiteral("baseline"), QStringLiteral("--settle-ms"), settle },
                measureTimeoutMs, &error);
            if (!m)
                return fail(QStringLiteral("baseline"), error);
            baseline.samples.append(*m);
        }
        {
            Sandbox box;
            if (!box.isValid())
                return fail(QStringLiteral("no private HOME"), box.errorString());
            const auto m = runChild(box,
                { QStringLiteral("--child"), QStringLiteral("app"), QStringLiteral("--db"), box.database(),
                    QStringLiteral("--settle-ms"), settle },
                measureTimeoutMs, &error);
            if (!m)
                return fail(QStringLiteral("idle app"), error);
            idle.samples.append(*m);
        }
        {
            Sandbox box;
            if (!box.isValid())
                return fail(QStringLiteral("no private HOME"), box.errorString());
            const auto filled = runChild(box,
                { QStringLiteral("--child"), QStringLiteral("fill"), QStringLiteral("--db"), box.database(),
                    QStringLiteral("--tests"), QString::number(tests), QStringLiteral("--requests"),
                    QString::number(requests) },
                fillTimeoutMs, &error);
            if (!filled)
                return fail(QStringLiteral("filling the history"), error);
            fillMs.append(filled->value(QStringLiteral("fillMs")).toDouble());
            storedRequests = filled->value(QStringLiteral("requests")).toInteger();
            dbBytes.append(static_cast<double>(QFileInfo(box.database()).size()));
            walBytes.append(static_cast<double>(QFileInfo(box.database() + QStringLiteral("-wal")).size()));
            const auto m = runChild(box,
                { QStringLiteral("--child"), QStringLiteral("app"), QStringLiteral("--db"), box.database(),
                    QStringLiteral("--open"), QStringLiteral("--settle-ms"), settle },
                measureTimeoutMs, &error);
            if (!m)
                return fail(QStringLiteral("app with history"), error);
            full.samples.append(*m);
        }
        out << "  repetition " << rep + 1 << ": PSS baseline "
            << QString::number(mib(baseline.samples.last().value(QStringLiteral("pssKiB")).toDouble()), 'f', 1)
            << " MiB, idle "
            << QString::number(mib(idle.samples.last().value(QStringLiteral("pssKiB")).toDouble()), 'f', 1)
            << " MiB, with history "
            << QString::number(mib(full.samples.last().value(QStringLiteral("pssKiB")).toDouble()), 'f', 1) << " MiB\n";
        out.flush();
    }

    const QJsonObject &last = full.samples.last();
    out << "\n"
        << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
               .arg(QString().leftJustified(26), QStringLiteral("RSS MiB").rightJustified(9),
                   QStringLiteral("PSS MiB").rightJustified(9), QStringLiteral("anon MiB").rightJustified(9),
                   QStringLiteral("file MiB").rightJustified(9), QStringLiteral("PSS range").rightJustified(12));
    for (const Series *s : { &baseline, &idle, &full }) {
        out << QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                   .arg(s->name.leftJustified(26))
                   .arg(mib(s->medianOf(QStringLiteral("rssKiB"))), 9, 'f', 1)
                   .arg(mib(s->medianOf(QStringLiteral("pssKiB"))), 9, 'f', 1)
                   .arg(mib(s->medianOf(QStringLiteral("pssAnonKiB"))), 9, 'f', 1)
                   .arg(mib(s->medianOf(QStringLiteral("pssFileKiB"))), 9, 'f', 1)
                   .arg(s->range(QStringLiteral("pssKiB")).rightJustified(12));
    }
    const auto ratio = [](const Series &a, const Series &b, const QString &key) {
        const double below = b.medianOf(key);
        return below > 0 ? a.medianOf(key) / below : 0;
    };
    const double idleRss = ratio(idle, baseline, QStringLiteral("rssKiB"));
    const double idlePss = ratio(idle, baseline, QStringLiteral("pssKiB"));
    const double fullRss = ratio(full, idle, QStringLiteral("rssKiB"));
    const double fullPss = ratio(full, idle, QStringLiteral("pssKiB"));
    out << QStringLiteral("idle / baseline:           RSS %1x, PSS %2x\n")
               .arg(idleRss, 0, 'f', 2)
               .arg(idlePss, 0, 'f', 2)
        << QStringLiteral("with history / idle:       RSS %1x, PSS %2x (+%3 MiB PSS, +%4 MiB anon)\n")
               .arg(fullRss, 0, 'f', 2)
               .arg(fullPss, 0, 'f', 2)
               .arg(mib(full.medianOf(QStringLiteral("pssKiB")) - idle.medianOf(QStringLiteral("pssKiB"))), 0, 'f', 1)
               .arg(mib(full.medianOf(QStringLiteral("pssAnonKiB")) - idle.medianOf(QStringLiteral("pssAnonKiB"))), 0,
                   'f', 1)
        << QStringLiteral(
               "database:                  %1 MiB (+ %2 MiB WAL) for %3 tests, %4 requests; written in %5 s\n")
               .arg(median(dbBytes) / 1048576.0, 0, 'f', 1)
               .arg(median(walBytes) / 1048576.0, 0, 'f', 1)
               .arg(tests)
               .arg(storedRequests)
               .arg(median(fillMs) / 1000.0, 0, 'f', 1)
        << QStringLiteral(
               "history list:              %1 rows; opened test: %2 (%3 lanes, %4 requests in the waterfall)\n")
               .arg(last.value(QStringLiteral("historyRows")).toInt())
               .arg(last.value(QStringLiteral("opened")).toBool() ? QStringLiteral("yes") : QStringLiteral("no"))
               .arg(last.value(QStringLiteral("shownLanes")).toInt())
               .arg(last.value(QStringLiteral("shownRequests")).toInt());
    if (last.contains(QStringLiteral("fleetError")))
        out << "fleet: " << last.value(QStringLiteral("fleetError")).toString() << "\n";

    const QJsonObject json { { QStringLiteral("repetitions"), repetitions }, { QStringLiteral("settleMs"), settleMs },
        { QStringLiteral("tests"), tests }, { QStringLiteral("requestsPerView"), requests },
        { QStringLiteral("baseline"), baseline.toJson() }, { QStringLiteral("idle"), idle.toJson() },
        { QStringLiteral("withHistory"), full.toJson() },
        { QStringLiteral("ratios"),
            QJsonObject { { QStringLiteral("idleOverBaselineRss"), idleRss },
                { QStringLiteral("idleOverBaselinePss"), idlePss }, { QStringLiteral("historyOverIdleRss"), fullRss },
                { QStringLiteral("historyOverIdlePss"), fullPss } } },
        { QStringLiteral("database"),
            QJsonObject { { QStringLiteral("bytes"), median(dbBytes) },
                { QStringLiteral("walBytes"), median(walBytes) }, { QStringLiteral("requests"), storedRequests },
                { QStringLiteral("fillMs"), median(fillMs) } } } };
    out << QJsonDocument(json).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // Only a child shows a window; the parent is a plain QCoreApplication, so it maps no more of Qt than it must
    // (its pages of the shared libraries count in the children's PSS too).
    bool child = false;
    for (int i = 1; i < argc; ++i)
        child = child || qstrcmp(argv[i], "--child") == 0;
    std::unique_ptr<QCoreApplication> app;
    if (child)
        app = std::make_unique<QApplication>(argc, argv);
    else
        app = std::make_unique<QCoreApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeed"));
    QCoreApplication::setApplicationName(QStringLiteral("WorldSpeed"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Memory of the desktop app (RSS and PSS) shown offscreen, idle and with a history of stored tests, against "
        "a bare QApplication with one empty widget. Reports figures; never fails on them."));
    parser.addHelpOption();
    const QCommandLineOption repetitions(QStringLiteral("repetitions"),
        QStringLiteral("Times each measurement is repeated (1-20)."), QStringLiteral("N"), QStringLiteral("3"));
    const QCommandLineOption settleMs(QStringLiteral("settle-ms"),
        QStringLiteral("How long a child runs its event loop after showing its window, before it measures."),
        QStringLiteral("MS"), QStringLiteral("2000"));
    const QCommandLineOption tests(QStringLiteral("tests"), QStringLiteral("Tests in the history (1-10000)."),
        QStringLiteral("N"), QStringLiteral("100"));
    const QCommandLineOption requests(QStringLiteral("requests"),
        QStringLiteral("Typical requests per view (varies by ±20%; 5-1000)."), QStringLiteral("N"),
        QStringLiteral("60"));
    QCommandLineOption childMode(
        QStringLiteral("child"), QStringLiteral("Internal: baseline, app or fill."), QStringLiteral("MODE"));
    childMode.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption db(
        QStringLiteral("db"), QStringLiteral("Internal: the history database."), QStringLiteral("PATH"));
    db.setFlags(QCommandLineOption::HiddenFromHelp);
    QCommandLineOption open(QStringLiteral("open"), QStringLiteral("Internal: open the newest test."));
    open.setFlags(QCommandLineOption::HiddenFromHelp);
    parser.addOptions({ repetitions, settleMs, tests, requests, childMode, db, open });
    parser.process(*app);

    QTextStream err(stderr);
    const auto number = [&](const QCommandLineOption &option, int min, int max, int *target) {
        bool ok = false;
        const int value = parser.value(option).toInt(&ok);
        if (!ok || value < min || value > max) {
            err << "bench_appmemory: --" << option.names().constFirst() << " must be a whole number from " << min
                << " to " << max << "\n";
            return false;
        }
        *target = value;
        return true;
    };
    int reps = 0, settle = 0, testCount = 0, requestCount = 0;
    if (!number(repetitions, 1, 20, &reps) || !number(settleMs, 0, 60'000, &settle)
        || !number(tests, 1, 10'000, &testCount) || !number(requests, 5, 1000, &requestCount))
        return 2;

    const QString mode = parser.value(childMode);
    if (mode.isEmpty())
        return runParent(reps, settle, testCount, requestCount);
    if (mode == u"baseline")
        return childBaseline(settle);
    if (mode == u"app" && parser.isSet(db))
        return childApp(parser.value(db), parser.isSet(open), settle);
    if (mode == u"fill" && parser.isSet(db))
        return childFill(parser.value(db), testCount, requestCount);
    err << "bench_appmemory: unknown child mode " << mode << "\n";
    return 2;
}
