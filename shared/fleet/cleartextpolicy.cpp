#include "cleartextpolicy.h"

#include <QHostAddress>

bool CleartextPolicy::isLoopbackHost(const QString &host)
{
    QString name = host.toLower();
    if (name.startsWith(u'[') && name.endsWith(u']'))
        name = name.mid(1, name.size() - 2);
    while (name.endsWith(u'.'))
        name.chop(1); // "localhost." is the same name, fully qualified
    if (name == u"localhost" || name.endsWith(u".localhost"))
        return true;
    QHostAddress address;
    if (!address.setAddress(name))
        return false;
    bool mapped = false;
    const quint32 ipv4 = address.toIPv4Address(&mapped);
    if (mapped)
        return QHostAddress(ipv4).isLoopback();
    return address.isLoopback();
}

bool CleartextPolicy::isPlaintext(const QUrl &url)
{
    const QString scheme = url.scheme().toLower();
    return scheme == u"ws" || scheme == u"http";
}

QString CleartextPolicy::refusal(const QUrl &url, bool insecurePlaintext, const QString &what, const QString &where)
{
    if (!isPlaintext(url) || insecurePlaintext || isLoopbackHost(url.host()))
        return {};
    const QString secure = url.scheme().toLower() == u"ws" ? QStringLiteral("wss://") : QStringLiteral("https://");
    return QStringLiteral("refusing %1: %2 would cross the network to %3 unencrypted; use a %4 URL, or set "
                          "\"%5\": true %6 in the fleet config if the network between is encrypted by other means")
        .arg(url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment),
            what, url.host(), secure, QLatin1String(configKey), where);
}
