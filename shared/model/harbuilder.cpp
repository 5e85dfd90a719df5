#include "harbuilder.h"

#include <QDateTime>
#include <QNetworkCookie>
#include <QSaveFile>
#include <QUrl>
#include <QUrlQuery>

#include <cmath>
#include <optional>

namespace {

// A phase or metric that is negative or not a number is treated as not observed rather than written as is:
// HAR readers reject NaN (QJsonValue would write it as null) and read negative values as "not applicable".
std::optional<double> usable(const std::optional<double> &value)
{
    if (!value || !std::isfinite(*value) || *value < 0)
        return std::nullopt;
    return value;
}

QString isoWithMs(const QDateTime &time)
{
    return time.toUTC().toString(Qt::ISODateWithMs);
}

QString headerValue(const QList<HttpHeader> &headers, QStringView name)
{
    for (const HttpHeader &header : headers) {
        if (header.name.compare(name, Qt::CaseInsensitive) == 0)
            return header.value;
    }
    return {};
}

QJsonArray headersToHar(const QList<HttpHeader> &headers)
{
    QJsonArray array;
    for (const HttpHeader &header : headers)
        array.append(
            QJsonObject { { QStringLiteral("name"), header.name }, { QStringLiteral("value"), header.value } });
    return array;
}

// "Cookie: a=1; b=2" as the browser sent it.
QJsonArray requestCookies(const QList<HttpHeader> &headers)
{
    QJsonArray array;
    const QString cookieHeader = headerValue(headers, u"cookie");
    for (QStringView pair : QStringView(cookieHeader).split(u';', Qt::SkipEmptyParts)) {
        pair = pair.trimmed();
        const qsizetype equals = pair.indexOf(u'=');
        if (pair.isEmpty() || equals == 0)
            continue;
        const QStringView name = equals < 0 ? pair : pair.left(equals);
        const QStringView value = equals < 0 ? QStringView() : pair.mid(equals + 1);
        array.append(QJsonObject { { QStringLiteral("name"), name.trimmed().toString() },
            { QStringLiteral("value"), value.trimmed().toString() } });
    }
    return array;
}

// CDP joins several Set-Cookie headers with newlines, which is what QNetworkCookie::parseCookies expects.
QJsonArray responseCookies(const QList<HttpHeader> &headers)
{
    QJsonArray array;
    for (const HttpHeader &header : headers) {
        if (header.name.compare(u"set-cookie", Qt::CaseInsensitive) != 0)
            continue;
        const QList<QNetworkCookie> cookies = QNetworkCookie::parseCookies(header.value.toUtf8());
        for (const QNetworkCookie &cookie : cookies) {
            QJsonObject json { { QStringLiteral("name"), QString::fromUtf8(cookie.name()) },
                { QStringLiteral("value"), QString::fromUtf8(cookie.value()) } };
            if (!cookie.path().isEmpty())
                json.insert(QStringLiteral("path"), cookie.path());
            if (!cookie.domain().isEmpty())
                json.insert(QStringLiteral("domain"), cookie.domain());
            if (!cookie.isSessionCookie())
                json.insert(QStringLiteral("expires"), isoWithMs(cookie.expirationDate()));
            json.insert(QStringLiteral("httpOnly"), cookie.isHttpOnly());
            json.insert(QStringLiteral("secure"), cookie.isSecure());
            array.append(json);
        }
    }
    return array;
}

QJsonArray queryString(const QString &url)
{
    QJsonArray array;
    const QUrlQuery query(QUrl(url, QUrl::TolerantMode));
    const auto items = query.queryItems(QUrl::FullyDecoded);
    for (const auto &[name, value] : items)
        array.append(QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("value"), value } });
    return array;
}

// HAR writes the status line's version; DevTools reads "HTTP/2.0" back as h2 and shows anything else verbatim.
QString httpVersion(const QString &protocol)
{
    const QString lower = protocol.toLower();
    if (lower == u"h2" || lower == u"http/2" || lower == u"http/2.0")
        return QStringLiteral("HTTP/2.0");
    if (lower.startsWith(u"http/"))
        return protocol.toUpper();
    return protocol; // "h3", "quic", or empty when no response came
}

// DevTools' ResourceType names, which are CDP's lower-cased except for two.
QString resourceTypeName(const QString &cdpType)
{
    if (cdpType.isEmpty())
        return QStringLiteral("other");
    if (cdpType == u"SignedExchange")
        return QStringLiteral("signed-exchange");
    if (cdpType == u"CSPViolationReport")
        return QStringLiteral("csp-violation-report");
    return cdpType.toLower();
}

QString serverAddress(QString remoteIp)
{
    if (remoteIp.startsWith(u'[') && remoteIp.endsWith(u']'))
        remoteIp = remoteIp.mid(1, remoteIp.size() - 2);
    return remoteIp;
}

struct HarTimings
{
    QJsonObject json;
    double time = 0;
};

HarTimings harTimings(const RequestPhases &phases)
{
    const auto ssl = usable(phases.ssl);
    auto connect = usable(phases.connect);
    if (ssl) // HAR counts the TLS handshake as part of connect
        connect = connect.value_or(0) + *ssl;

    HarTimings result;
    const auto put = [&result](const QString &key, const std::optional<double> &value, double absent) {
        result.json.insert(key, value.value_or(absent));
        if (value)
            result.time += *value;
    };
    put(QStringLiteral("blocked"), usable(phases.blocked), -1);
    put(QStringLiteral("dns"), usable(phases.dns), -1);
    put(QStringLiteral("connect"), connect, -1);
    // send, wait and receive are required and may not be -1
    put(QStringLiteral("send"), usable(phases.send), 0);
    put(QStringLiteral("wait"), usable(phases.wait), 0);
    put(QStringLiteral("receive"), usable(phases.receive), 0);
    result.json.insert(QStringLiteral("ssl"), ssl.value_or(-1)); // already inside connect, so not added to time
    return result;
}

QJsonObject harRequest(const RequestTiming &request)
{
    const QString method = request.method.isEmpty() ? QStringLiteral("GET") : request.method.toUpper();
    // Only GET and HEAD are known to carry no body; we do not record the others' bodies.
    const bool noBody = method == u"GET" || method == u"HEAD";
    return QJsonObject {
        { QStringLiteral("method"), method },
        { QStringLiteral("url"), request.url },
        { QStringLiteral("httpVersion"), httpVersion(request.protocol) },
        { QStringLiteral("cookies"), requestCookies(request.requestHeaders) },
        { QStringLiteral("headers"), headersToHar(request.requestHeaders) },
        { QStringLiteral("queryString"), queryString(request.url) },
        { QStringLiteral("headersSize"), -1 },
        { QStringLiteral("bodySize"), noBody ? 0 : -1 },
    };
}

QJsonObject harResponse(const RequestTiming &request)
{
    std::optional<qint64> bodySize;
    if (request.encodedBytes && request.headerBytes && *request.encodedBytes >= *request.headerBytes)
        bodySize = *request.encodedBytes - *request.headerBytes;

    QJsonObject content {
        { QStringLiteral("size"), static_cast<double>(request.decodedBytes.value_or(0)) },
        { QStringLiteral("mimeType"), request.mimeType.isEmpty() ? QStringLiteral("x-unknown") : request.mimeType },
    };
    if (bodySize && request.decodedBytes)
        content.insert(QStringLiteral("compression"), static_cast<double>(*request.decodedBytes - *bodySize));

    QString redirectUrl = request.redirectUrl;
    if (redirectUrl.isEmpty())
        redirectUrl = headerValue(request.responseHeaders, u"location");

    QJsonObject response {
        { QStringLiteral("status"), request.status.value_or(0) },
        { QStringLiteral("statusText"), request.statusText },
        { QStringLiteral("httpVersion"), httpVersion(request.protocol) },
        { QStringLiteral("cookies"), responseCookies(request.responseHeaders) },
        { QStringLiteral("headers"), headersToHar(request.responseHeaders) },
        { QStringLiteral("content"), content },
        { QStringLiteral("redirectURL"), redirectUrl },
        { QStringLiteral("headersSize"), static_cast<double>(request.headerBytes.value_or(-1)) },
        { QStringLiteral("bodySize"), static_cast<double>(bodySize.value_or(-1)) },
    };
    if (request.encodedBytes)
        response.insert(QStringLiteral("_transferSize"), static_cast<double>(*request.encodedBytes));
    return response;
}

QJsonObject harEntry(const RequestTiming &request, const QString &pageId, const QDateTime &pageStart)
{
    const HarTimings timings = harTimings(request.phases);
    const qint64 offsetMs = std::isfinite(request.startMs) ? std::llround(request.startMs) : 0;
    QJsonObject entry {
        { QStringLiteral("pageref"), pageId },
        { QStringLiteral("startedDateTime"), isoWithMs(pageStart.addMSecs(offsetMs)) },
        { QStringLiteral("time"), timings.time },
        { QStringLiteral("request"), harRequest(request) },
        { QStringLiteral("response"), harResponse(request) },
        { QStringLiteral("cache"), QJsonObject() },
        { QStringLiteral("timings"), timings.json },
        { QStringLiteral("_resourceType"), resourceTypeName(request.resourceType) },
    };
    const QString server = serverAddress(request.remoteIp);
    if (!server.isEmpty())
        entry.insert(QStringLiteral("serverIPAddress"), server);
    if (!request.priority.isEmpty())
        entry.insert(QStringLiteral("_priority"), request.priority);
    // WebPageTest's names; its line is the one people read (1-based), as the app shows it.
    if (request.initiator.isKnown()) {
        entry.insert(QStringLiteral("_initiator_type"), request.initiator.type);
        if (!request.initiator.url.isEmpty())
            entry.insert(QStringLiteral("_initiator"), request.initiator.url);
        if (request.initiator.line)
            entry.insert(QStringLiteral("_initiator_line"), *request.initiator.line);
    }
    if (request.blocked)
        entry.insert(QStringLiteral("_blocked"), true);
    switch (request.outcome) {
    case RequestTiming::Outcome::Failed:
        entry.insert(
            QStringLiteral("_error"), request.failureText.isEmpty() ? QStringLiteral("failed") : request.failureText);
        break;
    case RequestTiming::Outcome::Unfinished:
        entry.insert(QStringLiteral("_error"), QStringLiteral("unfinished: the view ended before this request did"));
        break;
    case RequestTiming::Outcome::Finished:
        break;
    }
    return entry;
}

void putMetric(QJsonObject &json, const QString &key, const std::optional<double> &value)
{
    if (const auto ms = usable(value))
        json.insert(key, *ms);
}

} // namespace

HarBuilder::HarBuilder(QString creatorVersion)
    : m_creatorVersion(std::move(creatorVersion))
{ }

QString HarBuilder::pageId(int runNumber, bool repeatView)
{
    return QStringLiteral("page_%1").arg(runNumber) % (repeatView ? QStringView(u"_repeat") : QStringView());
}

QString HarBuilder::stepPageId(int runNumber, int step)
{
    return step <= 1 ? pageId(runNumber, false) : QStringLiteral("page_%1_step%2").arg(runNumber).arg(step);
}

void HarBuilder::addRun(const RunResult &run)
{
    ++m_runCount;
    if (m_browserVersion.isEmpty())
        m_browserVersion = run.browserVersion;
    // A step's page is titled by its setEventName when it has one, by its URL otherwise (as a run's always was).
    for (qsizetype step = 0; step < run.stepCount(); ++step) {
        const std::optional<int> number = run.stepCount() > 1 ? std::optional<int>(int(step + 1)) : std::nullopt;
        addView(run.stepView(step), stepPageId(m_runCount, int(step + 1)), run.url, run.stepLabel(step), number);
    }
    if (run.repeatView)
        addView(*run.repeatView, pageId(m_runCount, true), run.url, run.repeatView->url, std::nullopt);
}

void HarBuilder::addView(const ViewResult &view, const QString &id, const QString &fallbackTitle, const QString &title,
    std::optional<int> step)
{
    // A view that failed before navigating has no start time; HAR requires one, and the epoch is an unmistakable
    // "unknown" that still sorts and parses.
    const QDateTime start
        = view.startedAt.isValid() ? view.startedAt.toUTC() : QDateTime::fromMSecsSinceEpoch(0, Qt::UTC);

    QJsonObject pageTimings {
        { QStringLiteral("onContentLoad"), usable(view.metrics.domContentLoadedMs).value_or(-1) },
        { QStringLiteral("onLoad"), usable(view.metrics.loadMs).value_or(-1) },
    };
    putMetric(pageTimings, QStringLiteral("_firstContentfulPaint"), view.metrics.firstContentfulPaintMs);
    putMetric(pageTimings, QStringLiteral("_largestContentfulPaint"), view.metrics.largestContentfulPaintMs);
    putMetric(pageTimings, QStringLiteral("_fullyLoaded"), view.metrics.fullyLoadedMs);

    QJsonObject page {
        { QStringLiteral("startedDateTime"), isoWithMs(start) },
        { QStringLiteral("id"), id },
        { QStringLiteral("title"), title.isEmpty() ? fallbackTitle : title },
        { QStringLiteral("pageTimings"), pageTimings },
    };
    // WebPageTest's own page fields, so HAR viewers that know them show them.
    const std::pair<QString, std::optional<double>> webPageTestFields[] = {
        { QStringLiteral("_TotalBlockingTime"), view.metrics.totalBlockingTimeMs },
        { QStringLiteral("_SpeedIndex"), view.metrics.speedIndexMs },
        { QStringLiteral("_render"), view.metrics.firstVisualChangeMs },
        { QStringLiteral("_visualComplete85"), view.metrics.visualComplete85Ms },
        { QStringLiteral("_visualComplete99"), view.metrics.visualComplete99Ms },
        { QStringLiteral("_lastVisualChange"), view.metrics.lastVisualChangeMs },
    };
    for (const auto &[name, value] : webPageTestFields) {
        if (const auto usableValue = usable(value))
            page.insert(name, *usableValue);
    }
    if (step)
        page.insert(QStringLiteral("_step"), *step);
    if (view.error)
        page.insert(
            QStringLiteral("_error"), QString(LoadError::kindName(view.error->kind) % u": " % view.error->message));
    m_pages.append(page);

    for (const RequestTiming &request : view.requests)
        m_entries.append(harEntry(request, id, start));
}

QJsonObject HarBuilder::document() const
{
    QJsonObject log {
        { QStringLiteral("version"), QStringLiteral("1.2") },
        { QStringLiteral("creator"),
            QJsonObject { { QStringLiteral("name"), QStringLiteral("WorldSpeed") },
                { QStringLiteral("version"), m_creatorVersion } } },
        { QStringLiteral("pages"), m_pages },
        { QStringLiteral("entries"), m_entries },
    };
    if (!m_browserVersion.isEmpty()) {
        // RunResult keeps Chrome's product string, "Chrome/156.0.8078.79"; HAR wants name and version apart.
        const qsizetype slash = m_browserVersion.indexOf(u'/');
        const QString name = slash < 0 ? m_browserVersion : m_browserVersion.left(slash);
        const QString version = slash < 0 ? QString() : m_browserVersion.mid(slash + 1);
        log.insert(QStringLiteral("browser"),
            QJsonObject { { QStringLiteral("name"), name }, { QStringLiteral("version"), version } });
    }
    return QJsonObject { { QStringLiteral("log"), log } };
}

QByteArray HarBuilder::toBytes(QJsonDocument::JsonFormat format) const
{
    return QJsonDocument(document()).toJson(format);
}

bool HarBuilder::writeToFile(const QString &path, QString *error) const
{
    const auto fail = [&](const QString &why) {
        if (error)
            *error = u"cannot write the HAR file \"" % path % u"\": " % why;
        return false;
    };
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(file.errorString());
    const QByteArray bytes = toBytes();
    if (file.write(bytes) != bytes.size())
        return fail(file.errorString());
    if (!file.commit())
        return fail(file.errorString());
    return true;
}
