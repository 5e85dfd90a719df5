#pragma once

#include "deviceemulation.h"
#include "model/requesttiming.h"
#include "model/testsettings.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>

#include <optional>

// What a test's settings (TestSettings: headers, cookies, basic auth, blocking) ask of the browser, in DevTools
// terms, for one page load, and what of its result must be hidden. PageLoad asks it at each step; it holds no
// session and sends nothing itself.
//
//  - Headers for every host go to each session with Network.setExtraHTTPHeaders; headers for one host, blocking and
//    basic auth need each request held (Fetch), where headersFor(), blockReason() and authAnswer() decide.
//  - Cookies are set in the page's browser context before it navigates.
//  - Basic auth answers only a challenge of the page's own host (never a third party's, nor a proxy's).
//  - scrub() masks the settings' secrets wherever the browser reports them back: the headers it sent (the header
//    values, the Cookie header's values, Authorization), and any URL or text that repeats a secret.
class RequestRules final
{
public:
    // Secrets shorter than this are masked only where they are known to be (a header's value, a cookie's), not
    // wherever the text happens to appear: a cookie "1" must not blank every digit 1 of a result.
    static constexpr qsizetype minScrubbedLength = 4;

    RequestRules(TestSettings settings, QUrl pageUrl);

    // Whether requests must be held (Fetch.enable) for these settings.
    bool intercepts() const;
    bool handlesAuth() const { return m_settings.basicAuth.has_value(); }

    // For a session before the page navigates: extra headers for every host, and, for the page's own session,
    // the cookies.
    QList<DeviceEmulation::Command> sessionCommands(bool pageSession) const;
    // Why the test blocks this URL ("blocked by the test: …"), or an empty string when it does not.
    QString blockReason(const QUrl &url) const;
    // The headers to send instead of `requestHeaders` (as Fetch.requestPaused reports them) when a header limited
    // to this URL's host applies; nullopt when the request goes as it is.
    std::optional<QJsonArray> headersFor(const QUrl &url, const QJsonObject &requestHeaders) const;
    // Fetch.continueWithAuth's parameters for a Fetch.authRequired event.
    QJsonObject authAnswer(const QJsonObject &authRequired) const;

    void scrub(RequestTiming &request) const;
    QString scrub(QString text) const;

private:
    bool appliesTo(const HeaderSetting &header, const QString &host) const;
    void scrubHeaders(QList<HttpHeader> &headers, bool sent) const;

    TestSettings m_settings;
    QUrl m_pageUrl;
    QStringList m_sensitive; // longest first, so a secret inside another is not left half-masked
};
