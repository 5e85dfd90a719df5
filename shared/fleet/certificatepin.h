#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

class QSslError;
class QWebSocket;

// A probe's certificate pinned by the SHA-256 of its DER leaf (ProbeClient::Endpoint::pinnedCertificateSha256):
// the certificate is then the identity, in place of the CA chain and the host name. A pinned socket trusts no CA
// at all, so that every handshake stops at sslErrors(), where the leaf is compared with the pin before a byte of
// HTTP (headers, then the token) is sent; a CA-signed certificate that does not match is refused like any other.
class CertificatePin final
{
public:
    CertificatePin() = delete;

    // 64 hex digits (any case, ':' or spaces between them allowed) or 32 raw bytes, to the raw digest; empty when
    // the pin is neither.
    static QByteArray parse(const QByteArray &pin);
    // Before the socket opens: trust no CA, so that check() decides.
    static void prepare(QWebSocket *socket);
    // In sslErrors(): empty, with the errors ignored, when the peer's leaf matches `rawPin`; else the refusal.
    static QString check(QWebSocket *socket, const QByteArray &rawPin, const QList<QSslError> &errors);
};
