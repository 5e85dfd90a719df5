#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

// Why a page load did not give a complete result. The kinds are stable names on the wire and map to the
// measure command's exit codes, so a script can tell "the site is down" from "the browser is missing".
struct LoadError
{
    enum class Kind {
        InvalidUrl,
        DnsFailure,
        ConnectionFailed, // refused, reset, unreachable
        TlsFailure,
        Timeout,
        HttpError, // the document answered 4xx or 5xx
        BadResponse, // the server sent something that is not HTTP
        BrowserUnavailable, // not found, or would not start
        BrowserCrashed,
        BrowserUnresponsive, // stopped answering DevTools (hung): killed and restarted
        Cancelled,
        Refused, // the probe's policy would not load it
        Other,
    };

    Kind kind = Kind::Other;
    QString message;

    // Chrome's net error text (net::ERR_NAME_NOT_RESOLVED, …) to the kind a person cares about.
    static Kind kindOfNetError(const QString &netError);
    // The kind's stable wire name ("dns-failure"), and back; nullopt for a name we do not know.
    static QString kindName(Kind kind);
    static std::optional<Kind> kindFromName(const QString &name);

    QJsonObject toJson() const;
    static std::optional<LoadError> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const LoadError &, const LoadError &) = default;
};
