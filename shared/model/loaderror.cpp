#include "loaderror.h"

#include "jsonreader.h"

#include <array>
#include <utility>

namespace {

constexpr std::array kindNames {
    std::pair { LoadError::Kind::InvalidUrl, u"invalid-url" },
    std::pair { LoadError::Kind::DnsFailure, u"dns-failure" },
    std::pair { LoadError::Kind::ConnectionFailed, u"connection-failed" },
    std::pair { LoadError::Kind::TlsFailure, u"tls-failure" },
    std::pair { LoadError::Kind::Timeout, u"timeout" },
    std::pair { LoadError::Kind::HttpError, u"http-error" },
    std::pair { LoadError::Kind::BadResponse, u"bad-response" },
    std::pair { LoadError::Kind::BrowserUnavailable, u"browser-unavailable" },
    std::pair { LoadError::Kind::BrowserCrashed, u"browser-crashed" },
    std::pair { LoadError::Kind::BrowserUnresponsive, u"browser-unresponsive" },
    std::pair { LoadError::Kind::Cancelled, u"cancelled" },
    std::pair { LoadError::Kind::Refused, u"refused" },
    std::pair { LoadError::Kind::Other, u"other" },
};

} // namespace

QString LoadError::kindName(Kind kind)
{
    for (const auto &[k, name] : kindNames) {
        if (k == kind)
            return QString::fromUtf16(name);
    }
    return QStringLiteral("other");
}

std::optional<LoadError::Kind> LoadError::kindFromName(const QString &text)
{
    for (const auto &[k, name] : kindNames) {
        if (text == QStringView(name))
            return k;
    }
    return std::nullopt;
}

LoadError::Kind LoadError::kindOfNetError(const QString &netError)
{
    if (netError.contains(u"NAME_NOT_RESOLVED") || netError.contains(u"NAME_RESOLUTION_FAILED")
        || netError.contains(u"DNS_"))
        return Kind::DnsFailure;
    if (netError.contains(u"CERT_") || netError.contains(u"SSL_") || netError.contains(u"_TLS_"))
        return Kind::TlsFailure;
    if (netError.contains(u"TIMED_OUT"))
        return Kind::Timeout;
    if (netError.contains(u"CONNECTION_") || netError.contains(u"ADDRESS_UNREACHABLE")
        || netError.contains(u"NETWORK_CHANGED") || netError.contains(u"INTERNET_DISCONNECTED"))
        return Kind::ConnectionFailed;
    if (netError.contains(u"EMPTY_RESPONSE") || netError.contains(u"INVALID_HTTP_RESPONSE")
        || netError.contains(u"RESPONSE_HEADERS") || netError.contains(u"CONTENT_LENGTH_MISMATCH")
        || netError.contains(u"INVALID_CHUNKED_ENCODING") || netError.contains(u"INVALID_RESPONSE"))
        return Kind::BadResponse;
    if (netError.contains(u"ABORTED"))
        return Kind::Cancelled;
    if (netError.contains(u"INVALID_URL") || netError.contains(u"UNKNOWN_URL_SCHEME")
        || netError.contains(u"DISALLOWED_URL_SCHEME"))
        return Kind::InvalidUrl;
    return Kind::Other;
}

QJsonObject LoadError::toJson() const
{
    return QJsonObject { { QStringLiteral("kind"), kindName(kind) }, { QStringLiteral("message"), message } };
}

std::optional<LoadError> LoadError::fromJson(const QJsonObject &json, QString *error)
{
    JsonReader r(json);
    LoadError e;
    const QString kind = r.string(QStringLiteral("kind"), JsonReader::Presence::Required, 64);
    e.message = r.string(QStringLiteral("message"), JsonReader::Presence::Optional, 4096);
    if (r.ok()) {
        // A newer peer may know kinds we do not: keep its message, call the kind "other".
        e.kind = kindFromName(kind).value_or(Kind::Other);
        return e;
    }
    if (error)
        *error = r.error();
    return std::nullopt;
}
