#include "testaddress.h"

#include <QHostAddress>
#include <QRegularExpression>

std::optional<QUrl> TestAddress::parse(const QString &text, QString *error)
{
    const QString trimmed = text.trimmed();
    const auto fail = [&](const QString &message) -> std::optional<QUrl> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (trimmed.isEmpty())
        return fail(tr("Enter the address of a web page, e.g. https://example.com/"));
    if (trimmed.contains(u' '))
        return fail(tr("A web address has no spaces"));
    // A mistyped scheme ("htp:/x", "htps//x", "http:/x") is a slip of the fingers, not a host name: offer the
    // address it was meant to be.
    static const QRegularExpression slip(
        QStringLiteral("^(h[htps]{1,5})(:/{0,3}|/{1,3})([^/:\\d].*)$"), QRegularExpression::CaseInsensitiveOption);
    if (const auto match = slip.match(trimmed); match.hasMatch() && !trimmed.contains(QStringLiteral("://"))) {
        const bool secure = match.captured(1).contains(u's', Qt::CaseInsensitive);
        return fail(tr("Did you mean %1%2 ?")
                        .arg(secure ? QStringLiteral("https://") : QStringLiteral("http://"), match.captured(3)));
    }
    const QString withScheme = trimmed.contains(QStringLiteral("://")) ? trimmed : defaultScheme(trimmed) + trimmed;
    const QUrl url(withScheme, QUrl::StrictMode);
    const QString scheme = url.scheme().toLower();
    if (!url.isValid())
        return fail(tr("This is not a valid web address: %1").arg(url.errorString()));
    if (scheme != u"http" && scheme != u"https")
        return fail(tr("Only http:// and https:// pages can be tested, not %1://").arg(url.scheme()));
    if (url.host().isEmpty())
        return fail(tr("The address has no host name"));
    if (!url.host().contains(u'.') && url.host() != u"localhost" && !url.host().contains(u':'))
        return fail(tr("\"%1\" is not a full host name (did you mean %1.com?)").arg(url.host()));
    return url;
}

QString TestAddress::defaultScheme(const QString &text)
{
    // Read as http first: only the host and the port matter here, and they read the same either way.
    const QUrl url(QStringLiteral("http://") + text, QUrl::StrictMode);
    const QString host = url.host().toLower();
    const bool local = host == u"localhost" || host.endsWith(QStringLiteral(".localhost"));
    const bool address = !QHostAddress(host).isNull();
    const bool otherPort = url.port() != -1 && url.port() != 443;
    return local || address || otherPort ? QStringLiteral("http://") : QStringLiteral("https://");
}
