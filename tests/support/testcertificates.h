#pragma once

#include <QSslCertificate>
#include <QSslKey>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>

// Throwaway certificates made with the openssl CLI: one self-signed, and a CA with a leaf it signed, all for
// 127.0.0.1.
struct TestCertificates
{
    QTemporaryDir dir;
    QSslCertificate selfSigned;
    QSslKey selfSignedKey;
    QSslCertificate ca;
    QSslCertificate leaf;
    QSslKey leafKey;
    QString error; // why they could not be made

    bool make();
    // The files it made: self.crt and .key, ca.crt and .key, leaf.crt and .key.
    QString path(const QString &name) const { return dir.filePath(name); }
    QByteArray contents(const QString &name) const;

private:
    bool fail(const QString &why);
    bool run(const QString &program, const QStringList &arguments);
    QSslCertificate certificate(const QString &name) const { return QSslCertificate(contents(name), QSsl::Pem); }
    QSslKey key(const QString &name) const { return QSslKey(contents(name), QSsl::Ec, QSsl::Pem); }
};
