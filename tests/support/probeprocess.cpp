#include "loopbackprobe.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTest>

LoopbackProbe::~LoopbackProbe()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.terminate();
    if (!m_process.waitForFinished(10'000))
        m_process.kill();
    m_process.waitForFinished(5'000);
}

bool LoopbackProbe::start(const QString &program, const QString &token)
{
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(QStringLiteral("WORLDSPEED_PROBE_TOKEN"), token);
    m_process.setProcessEnvironment(env);
    m_process.start(program,
        { QStringLiteral("serve"), QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
            QStringLiteral("--region"), QStringLiteral("fra"), QStringLiteral("--allow-private-targets"),
            QStringLiteral("--parent-grace"), QStringLiteral("60") });
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

bool LoopbackProbe::greets(const ProbeClient::Endpoint &endpoint, QString *problem) const
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
    if (region != u"fra") {
        *problem = QStringLiteral("greeted as the probe of region %1").arg(region);
        return false;
    }
    return true;
}
