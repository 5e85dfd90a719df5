#include "requestrules.h"

#include <algorithm>

RequestRules::RequestRules(TestSettings settings, QUrl pageUrl)
    : m_settings(std::move(settings))
    , m_pageUrl(std::move(pageUrl))
    , m_sensitive(m_settings.sensitiveValues())
{
    std::sort(
        m_sensitive.begin(), m_sensitive.end(), [](const QString &a, const QString &b) { return a.size() > b.size(); });
}

bool RequestRules::intercepts() const
{
    const bool hostHeaders = std::any_of(m_settings.headers.begin(), m_settings.headers.end(),
        [](const HeaderSetting &header) { return !header.host.isEmpty(); });
    return hostHeaders || handlesAuth() || !m_settings.block.isEmpty() || !m_settings.blockDomains.isEmpty()
        || !m_settings.blockDomainsExcept.isEmpty();
}

QList<DeviceEmulation::Command> RequestRules::sessionCommands(bool pageSession) const
{
    QList<DeviceEmulation::Command> commands;
    QJsonObject everyHost;
    for (const HeaderSetting &header : m_settings.headers) {
        if (header.host.isEmpty())
            everyHost.insert(header.name, m_settings.resolve(header.value));
    }
    if (!everyHost.isEmpty())
        commands.append(
            { QStringLiteral("Network.setExtraHTTPHeaders"), { { QStringLiteral("headers"), everyHost } } });
    if (!pageSession || m_settings.cookies.isEmpty())
        return commands;
    QJsonArray cookies;
    for (const CookieSetting &cookie : m_settings.cookies) {
        QJsonObject item { { QStringLiteral("name"), cookie.name },
            { QStringLiteral("value"), m_settings.resolve(cookie.value) } };
        if (cookie.domain.isEmpty()) {
            // For the URL's host only, as a cookie its server had set.
            item.insert(QStringLiteral("url"), m_pageUrl.toString());
        } else {
            item.insert(QStringLiteral("domain"), cookie.domain);
            item.insert(QStringLiteral("path"), QStringLiteral("/"));
        }
        cookies.append(item);
    }
    commands.append({ QStringLiteral("Network.setCookies"), { { QStringLiteral("cookies"), cookies } } });
    return commands;
}

QString RequestRules::blockReason(const QUrl &url) const
{
    const QString text = url.toString();
    for (const QString &pattern : m_settings.block) {
        if (text.contains(pattern))
            return QStringLiteral("blocked by the test: the URL contains \"%1\"").arg(pattern);
    }
    const QString host = url.host().toLower();
    if (host.isEmpty())
        return {};
    if (m_settings.blockDomains.contains(host))
        return QStringLiteral("blocked by the test: requests to %1 are blocked").arg(host);
    if (!m_settings.blockDomainsExcept.isEmpty() && !m_settings.blockDomainsExcept.contains(host))
        return QStringLiteral("blocked by the test: only %1 may be requested")
            .arg(m_settings.blockDomainsExcept.join(QStringLiteral(", ")));
    return {};
}

bool RequestRules::appliesTo(const HeaderSetting &header, const QString &host) const
{
    return !header.host.isEmpty() && header.host.compare(host, Qt::CaseInsensitive) == 0;
}

std::optional<QJsonArray> RequestRules::headersFor(const QUrl &url, const QJsonObject &requestHeaders) const
{
    const QString host = url.host();
    QJsonObject headers = requestHeaders;
    bool changed = false;
    for (const HeaderSetting &header : m_settings.headers) {
        if (!appliesTo(header, host))
            continue;
        // Header names are case-insensitive: ours replaces the browser's of the same name.
        for (const QString &key : headers.keys()) {
            if (key.compare(header.name, Qt::CaseInsensitive) == 0)
                headers.remove(key);
        }
        headers.insert(header.name, m_settings.resolve(header.value));
        changed = true;
    }
    if (!changed)
        return std::nullopt;
    QJsonArray list;
    for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
        list.append(QJsonObject { { QStringLiteral("name"), it.key() }, { QStringLiteral("value"), it.value() } });
    return list;
}

QJsonObject RequestRules::authAnswer(const QJsonObject &authRequired) const
{
    const QJsonObject challenge = authRequired.value(QStringLiteral("authChallenge")).toObject();
    const QUrl origin(challenge.value(QStringLiteral("origin")).toString());
    QJsonObject response { { QStringLiteral("response"), QStringLiteral("CancelAuth") } };
    // The password is for the page's own server: a third party or a proxy that asks gets nothing.
    if (m_settings.basicAuth && challenge.value(QStringLiteral("source")).toString() == u"Server"
        && origin.host().compare(m_pageUrl.host(), Qt::CaseInsensitive) == 0
        && m_settings.secretValues.contains(m_settings.basicAuth->passwordSecret)) {
        response = { { QStringLiteral("response"), QStringLiteral("ProvideCredentials") },
            { QStringLiteral("username"), m_settings.basicAuth->user },
            { QStringLiteral("password"), m_settings.secretValues.value(m_settings.basicAuth->passwordSecret) } };
    }
    return { { QStringLiteral("requestId"), authRequired.value(QStringLiteral("requestId")) },
        { QStringLiteral("authChallengeResponse"), response } };
}

QString RequestRules::scrub(QString text) const
{
    for (const QString &secret : m_sensitive) {
        if (secret.size() >= minScrubbedLength)
            text.replace(secret, TestSettings::mask());
    }
    return text;
}

void RequestRules::scrubHeaders(QList<HttpHeader> &headers, bool sent) const
{
    for (HttpHeader &header : headers) {
        const bool secretHeader = sent
            && std::any_of(m_settings.headers.begin(), m_settings.headers.end(), [&](const HeaderSetting &setting) {
                   return !setting.isPublic && setting.name.compare(header.name, Qt::CaseInsensitive) == 0;
               });
        if (secretHeader
            || (sent && handlesAuth() && header.name.compare(u"authorization", Qt::CaseInsensitive) == 0)) {
            header.value = TestSettings::mask();
            continue;
        }
        if (sent && header.name.compare(u"cookie", Qt::CaseInsensitive) == 0) {
            QStringList pairs = header.value.split(u';');
            for (QString &pair : pairs) {
                const QString name = pair.section(u'=', 0, 0).trimmed();
                const bool ours = std::any_of(m_settings.cookies.begin(), m_settings.cookies.end(),
                    [&](const CookieSetting &cookie) { return cookie.name == name; });
                if (ours)
                    pair = (pair.startsWith(u' ') ? QStringLiteral(" ") : QString()) + name + u'='
                        + TestSettings::mask();
            }
            header.value = pairs.join(u';');
        }
        header.value = scrub(header.value);
    }
}

void RequestRules::scrub(RequestTiming &request) const
{
    if (m_settings.isEmpty())
        return;
    request.url = scrub(request.url);
    request.redirectUrl = scrub(request.redirectUrl);
    request.failureText = scrub(request.failureText);
    request.statusText = scrub(request.statusText);
    scrubHeaders(request.requestHeaders, true);
    scrubHeaders(request.responseHeaders, false);
}
