#pragma once

#include "childprocess.h"
#include "fleet/fleetconfig.h"
#include "localfleet.h"
#include "testwebserver.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QStringList>
#include <QTemporaryDir>
#include <QTest>

// What worldspeed-cli's test classes share: the test web server with a page to measure, a fleet file of one local
// region (the build's worldspeed-probe), a folder of the test's own, and the CLI run as a child process. A test class
// derives from it and calls setUpCli() from initTestCase(). The binaries are the test target's WORLDSPEED_CLI_EXE and
// WORLDSPEED_PROBE_EXE, so it is header only.
class CliFixture
{
protected:
    using Outcome = ChildProcess::Outcome;

    void setUpCli()
    {
        QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_CLI_EXE)).isExecutable());
        QVERIFY(m_dir.isValid());
        QVERIFY(m_server.listen());
        TestWebServer::Response page;
        page.body = "<!doctype html><title>cli</title><h1>measure me</h1>"
                    "<link rel=stylesheet href=\"/asset?type=css&delay=50&size=1000\">"
                    "<img src=\"/asset?type=png&delay=100&size=4000\">";
        m_server.route(QStringLiteral("/page"), page);

        // One region, this computer, with the build's probe.
        const FleetConfig config = localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE));
        m_fleetPath = m_dir.filePath(QStringLiteral("fleet.json"));
        QString error;
        QVERIFY2(config.save(m_fleetPath, &error), qPrintable(error));
    }

    // Runs the CLI as a child process while this thread keeps serving HTTP for its browser.
    static Outcome cli(const QStringList &arguments, int timeoutMs = 120'000)
    {
        return ChildProcess::run(QStringLiteral(WORLDSPEED_CLI_EXE), arguments, timeoutMs);
    }
    QStringList runArguments(const QString &path = QStringLiteral("/page")) const
    {
        return { QStringLiteral("run"), m_server.url(path).toString(), QStringLiteral("--fleet"), m_fleetPath };
    }

    // The file's JSON object; empty when it cannot be read.
    static QJsonObject readJsonFile(const QString &path)
    {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(file.readAll()).object();
    }

    TestWebServer m_server;
    QTemporaryDir m_dir;
    QString m_fleetPath;
};
