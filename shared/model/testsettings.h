#pragma once

#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

class JsonReader;

// A request header a test sends: to every host, or only to `host` (case-insensitive, as in the URL).
struct HeaderSetting
{
    QString name;
    QString value; // may hold ${secret:NAME}
    QString host;
    bool isPublic = false; // shown as it is in results; otherwise its value is a secret

    // "Name: value", or "[host] Name: value" for one host; nullopt and why for anything else.
    static std::optional<HeaderSetting> parse(const QString &text, QString *error);
    friend bool operator==(const HeaderSetting &, const HeaderSetting &) = default;
};

// A cookie set in the test's browser context before the page loads: for the page's host, or for `domain`.
struct CookieSetting
{
    QString name;
    QString value; // may hold ${secret:NAME}
    QString domain;

    // "name=value" or "name=value; domain=example.com".
    static std::optional<CookieSetting> parse(const QString &text, QString *error);
    friend bool operator==(const CookieSetting &, const CookieSetting &) = default;
};

// HTTP basic auth for the page's host. The password is never written here: only the name of the secret that holds
// it (a keychain entry in the app and the CLI; a file or an environment variable for `worldspeed-probe measure`).
struct BasicAuthSetting
{
    QString user;
    QString passwordSecret;

    // "USER:SECRETNAME".
    static std::optional<BasicAuthSetting> parse(const QString &text, QString *error);
    friend bool operator==(const BasicAuthSetting &, const BasicAuthSetting &) = default;
};

// What a test sets and blocks beyond the page's URL: headers, cookies, a user agent, basic auth, and requests to
// leave out. It is part of LoadOptions (one home for what a run asks), kept apart because its values are secrets.
//
// Secrets: header values (unless marked public), cookie values and the values of named secrets are the user's
// credentials. The resolved values of named secrets (`secretValues`) go only to a probe, in a run; every other
// JSON (results, history, exports) has header and cookie values as ••• and no secret values at all.
struct TestSettings
{
    static constexpr qsizetype maxItems = 64; // headers, cookies, block patterns, domains: each
    static constexpr qsizetype maxValueLength = 8 * 1024;

    enum class Secrets { Masked, Included };

    QList<HeaderSetting> headers;
    QList<CookieSetting> cookies;
    QString userAgent;
    std::optional<BasicAuthSetting> basicAuth;
    QStringList block; // substrings of a URL, as WebPageTest's block
    QStringList blockDomains; // hosts (exact, case-insensitive)
    QStringList blockDomainsExcept; // when not empty, every other host is blocked
    // A script in WebPageTest's format (TestScript) that drives the run: empty for a plain page load. Its
    // ${secret:NAME} references are secrets like the others'; the text itself is not (it names them, and it is what
    // the user wrote), so it travels and is stored as it is.
    QString script;
    // Resolved values of the secrets named above, by name: filled by whoever sends the run, never stored.
    QHash<QString, QString> secretValues;

    static QString mask() { return QStringLiteral("•••"); }
    // The text "${secret:NAME}" stands for the named secret's value.
    static QString secretReference(const QString &name);
    // The secret names a text refers to.
    static QStringList secretReferences(const QString &text);
    // The text with each ${secret:NAME} replaced by its value; a missing one is left as it is.
    QString resolve(const QString &text) const;

    bool isEmpty() const;
    // Every secret these settings name (basic auth's password, ${secret:…} in values); each needs a value before
    // the run goes to a probe.
    QStringList secretNames() const;
    // The resolved strings that must not appear in any output: secret values, header values not marked public,
    // cookie values, and basic auth's credentials as they go on the wire.
    QStringList sensitiveValues() const;
    // The options' `hello` capabilities these settings need (see LoadOptions::requiredCapabilities()). A script
    // with several measured steps needs `script-steps`: a probe that lists it says in its frames which step each is
    // of (PROTOCOL.md), so an older probe is never sent one.
    QStringList requiredCapabilities() const;
    static QStringList capabilities();
    // For people, one line per setting, secrets masked: "Header X-Key: •••", "Block ads.js".
    QStringList describe() const;

    void writeJson(QJsonObject &json, Secrets secrets) const;
    // Reads what writeJson() wrote into `settings`; a problem fails the reader.
    static void readJson(JsonReader &reader, TestSettings &settings);
    friend bool operator==(const TestSettings &, const TestSettings &) = default;
};
