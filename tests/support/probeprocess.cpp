#include "probeprocess.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

ProbeProcess::~ProbeProcess()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    if (!stop())
        m_process.kill();
    m_process.waitForFinished(5'000);
}

quint16 ProbeProcess::freePort()
{
    QTcpServer server;
    return server.listen(QHostAddress::LocalHost, 0) ? server.serverPort() : 0;
}

bool ProbeProcess::start(const QString &program, const QString &token, quint16 port)
{
    Options options;
    options.program = program;
    options.token = token;
    options.listen = QStringLiteral("127.0.0.1:%1").arg(port);
    return start(options);
}

bool ProbeProcess::start(const Options &options)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("WORLDSPEED_PROBE_TOKEN"), options.token);
    m_process.setProcessEnvironment(env);
    m_region = options.region;
    QStringList arguments { QStringLiteral("serve"), QStringLiteral("--listen"), options.listen,
        QStringLiteral("--region"), options.region, QStringLiteral("--allow-private-targets") };
    if (options.parentGraceSeconds > 0)
        arguments << QStringLiteral("--parent-grace") << QString::number(options.parentGraceSeconds);
    arguments += options.extraArguments;
    if (options.networkNamespace.isEmpty()) {
        m_process.start(options.program, arguments);
    } else {
        m_process.start(QStringLiteral("ip"),
            QStringList { QStringLiteral("netns"), QStringLiteral("exec"), options.networkNamespace, options.program }
                + arguments);
    }
    if (!QTest::qWaitFor(
            [this] { return m_process.canReadLine() || m_process.state() == QProcess::NotRunning; }, 15'000))
        return false;
    const QByteArray line = m_process.readLine().trimmed();
    const QByteArray prefix = "worldspeed-probe ready ";
    if (!line.startsWith(prefix)) {
        qWarning("no ready line: %s %s", line.constData(), m_process.readAllStandardError().constData());
        return false;
    }
    m_endpoint
        = QUrl(QJsonDocument::fromJson(line.mid(prefix.size())).object().value(QStringLiteral("endpoint")).toString());
    return m_endpoint.isValid();
}

bool ProbeProcess::stop(int timeoutMs)
{
    if (m_process.state() == QProcess::NotRunning)
        return true;
    m_process.terminate();
    return m_process.waitForFinished(timeoutMs);
}

bool ProbeProcess::greets(const ProbeClient::Endpoint &endpoint, QString *problem) const
{
    ProbeClient client;
    QSignalSpy ready(&client, &ProbeClient::ready);
    QSignalSpy failed(&client, &ProbeClient::failed);
    client.connectToProbe(endpoint);
    if (!ready.wait(15'000)) {
        *problem = failed.isEmpty() ? QStringLiteral("no answer") : failed.at(0).at(0).toString();
        return false;
    }
    const QString region = ready.at(0).at(0).value<HelloMessage>().region;
    client.close();
    if (region != m_region) {
        *problem = QStringLiteral("greeted as the probe of region %1").arg(region);
        return false;
    }
    return true;
}
