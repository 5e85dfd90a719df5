#include "testcertificates.h"

#include <QFile>
#include <QProcess>
#include <QStandardPaths>

bool TestCertificates::make()
{
    const QString openssl = QStandardPaths::findExecutable(QStringLiteral("openssl"));
    if (openssl.isEmpty()) {
        error = QStringLiteral("the openssl command is not installed");
        return false;
    }
    QFile config(dir.filePath(QStringLiteral("openssl.cnf")));
    if (!config.open(QIODevice::WriteOnly))
        return fail(QStringLiteral("cannot write openssl.cnf"));
    config.write("[req]\n"
                 "distinguished_name = dn\n"
                 "prompt = no\n"
                 "[dn]\n"
                 "CN = 127.0.0.1\n"
                 "[ca]\n"
                 "basicConstraints = critical,CA:TRUE\n"
                 "keyUsage = critical,keyCertSign,cRLSign\n"
                 "subjectKeyIdentifier = hash\n"
                 "[server]\n"
                 "basicConstraints = critical,CA:FALSE\n"
                 "keyUsage = critical,digitalSignature,keyEncipherment\n"
                 "extendedKeyUsage = serverAuth\n"
                 "subjectAltName = IP:127.0.0.1\n"
                 "subjectKeyIdentifier = hash\n");
    config.close();
    const QStringList ecKey { QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
        QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes") };
    const QStringList common { QStringLiteral("-config"), config.fileName(), QStringLiteral("-days"),
        QStringLiteral("2") };
    if (!run(openssl,
            QStringList { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-extensions"),
                QStringLiteral("server"), QStringLiteral("-keyout"), QStringLiteral("self.key"), QStringLiteral("-out"),
                QStringLiteral("self.crt") }
                + ecKey + common)
        || !run(openssl,
            QStringList { QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-extensions"),
                QStringLiteral("ca"), QStringLiteral("-subj"), QStringLiteral("/CN=WorldSpeed Test CA"),
                QStringLiteral("-keyout"), QStringLiteral("ca.key"), QStringLiteral("-out"), QStringLiteral("ca.crt") }
                + ecKey + common)
        || !run(openssl,
            QStringList { QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-keyout"),
                QStringLiteral("leaf.key"), QStringLiteral("-out"), QStringLiteral("leaf.csr"),
                QStringLiteral("-config"), config.fileName() }
                + ecKey)
        || !run(openssl,
            { QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"), QStringLiteral("leaf.csr"),
                QStringLiteral("-CA"), QStringLiteral("ca.crt"), QStringLiteral("-CAkey"), QStringLiteral("ca.key"),
                QStringLiteral("-set_serial"), QStringLiteral("2"), QStringLiteral("-days"), QStringLiteral("2"),
                QStringLiteral("-extfile"), config.fileName(), QStringLiteral("-extensions"), QStringLiteral("server"),
                QStringLiteral("-out"), QStringLiteral("leaf.crt") })) {
        return false;
    }
    selfSigned = certificate(QStringLiteral("self.crt"));
    selfSignedKey = key(QStringLiteral("self.key"));
    ca = certificate(QStringLiteral("ca.crt"));
    leaf = certificate(QStringLiteral("leaf.crt"));
    leafKey = key(QStringLiteral("leaf.key"));
    if (selfSigned.isNull() || selfSignedKey.isNull() || ca.isNull() || leaf.isNull() || leafKey.isNull())
        return fail(QStringLiteral("openssl wrote files Qt cannot read"));
    return true;
}

bool TestCertificates::fail(const QString &why)
{
    error = why;
    return false;
}

bool TestCertificates::run(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setWorkingDirectory(dir.path());
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForFinished(60'000) || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0) {
        return fail(QStringLiteral("openssl %1 failed: %2")
                        .arg(arguments.join(u' '), QString::fromLocal8Bit(process.readAll())));
    }
    return true;
}

QByteArray TestCertificates::contents(const QString &name) const
{
    QFile file(dir.filePath(name));
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}
