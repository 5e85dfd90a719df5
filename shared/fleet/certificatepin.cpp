#include "certificatepin.h"

#include <QCryptographicHash>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslError>
#include <QSslSocket>
#include <QWebSocket>

#include <algorithm>
#include <cctype>

QByteArray CertificatePin::parse(const QByteArray &pin)
{
    QByteArray hex = pin;
    hex.replace(':', QByteArray());
    hex.replace(' ', QByteArray());
    const bool isHex = hex.size() == 64
        && std::all_of(hex.cbegin(), hex.cend(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
    if (isHex)
        return QByteArray::fromHex(hex);
    if (pin.size() == 32)
        return pin;
    return {};
}

void CertificatePin::prepare(QWebSocket *socket)
{
    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setCaCertificates({});
    configuration.setPeerVerifyMode(QSslSocket::VerifyPeer);
    socket->setSslConfiguration(configuration);
}

QString CertificatePin::check(QWebSocket *socket, const QByteArray &rawPin, const QList<QSslError> &errors)
{
    // QWebSocket does not expose the peer's certificate; its TLS socket is its child and has it during sslErrors.
    auto *tls = socket->findChild<QSslSocket *>();
    const QSslCertificate leaf = tls ? tls->peerCertificate() : QSslCertificate();
    if (leaf.isNull())
        return QStringLiteral("the probe's certificate could not be read to check it against the pin");
    const QByteArray digest = leaf.digest(QCryptographicHash::Sha256);
    if (digest != rawPin) {
        return QStringLiteral("the probe's certificate does not match the pin: SHA-256 %1, pinned %2")
            .arg(QString::fromLatin1(digest.toHex()), QString::fromLatin1(rawPin.toHex()));
    }
    tls->ignoreSslErrors(errors);
    return {};
}
