// A script that measures several steps goes through `worldspeed-cli run` over a real local fleet (its probes list
// `script-steps`); the same script with logData 0 before the first page is measured as one step.
#include "childprocess.h"
#include "fleet/fleetconfig.h"
#include "localfleet.h"
#include "testwebserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

class tst_ScriptStepsFleet : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void severalStepsRun();
    void oneStepStillRuns();

private:
    ChildProcess::Outcome run(const QString &scriptText);

    TestWebServer m_server;
    QTemporaryDir m_dir;
    QString m_fleetPath;
};

void tst_ScriptStepsFleet::initTestCase()
{
    QVERIFY(QFileInfo(QStringLiteral(WORLDSPEED_CLI_EXE)).isExecutable());
    QVERIFY(m_dir.isValid());
    QVERIFY(m_server.listen());
    m_server.route(QStringLiteral("/fleet-a"),
        TestWebServer::Response { 200, "text/html", "<!doctype html><title>A</title><p>A</p>", 0, 0, {} });
    m_server.route(QStringLiteral("/fleet-b"),
        TestWebServer::Response { 200, "text/html", "<!doctype html><title>B</title><p>B</p>", 0, 0, {} });
    m_fleetPath = m_dir.filePath(QStringLiteral("fleet.json"));
    QString error;
    QVERIFY2(localFleetConfig(QStringLiteral(WORLDSPEED_PROBE_EXE)).save(m_fleetPath, &error), qPrintable(error));
}

ChildProcess::Outcome tst_ScriptStepsFleet::run(const QString &scriptText)
{
    const QString path = m_dir.filePath(QStringLiteral("script.wpt"));
    QFile file(path);
    if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        file.write(scriptText.toUtf8());
    file.close();
    return ChildProcess::run(QStringLiteral(WORLDSPEED_CLI_EXE),
        { QStringLiteral("run"), QStringLiteral("--script"), path, QStringLiteral("--fleet"), m_fleetPath,
            QStringLiteral("--format"), QStringLiteral("json") },
        180'000);
}

void tst_ScriptStepsFleet::severalStepsRun()
{
    // The fleet's probes list `script-steps`: such a script is no longer refused, and each of its pages is loaded.
    const qsizetype before = m_server.requests().size();
    const ChildProcess::Outcome o = run(QStringLiteral("navigate\t%1\nnavigate\t%2\n")
                                            .arg(m_server.url(QStringLiteral("/fleet-a")).toString(),
                                                m_server.url(QStringLiteral("/fleet-b")).toString()));
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QStringList paths;
    for (const TestWebServer::Request &request : m_server.requests().mid(before))
        paths.append(request.path);
    QVERIFY2(paths.contains(u"/fleet-a") && paths.contains(u"/fleet-b"), qPrintable(paths.join(u' ')));
}

void tst_ScriptStepsFleet::oneStepStillRuns()
{
    const ChildProcess::Outcome o = run(QStringLiteral("logData\t0\nnavigate\t%1\nlogData\t1\nnavigate\t%2\n")
                                            .arg(m_server.url(QStringLiteral("/fleet-a")).toString(),
                                                m_server.url(QStringLiteral("/fleet-b")).toString()));
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(m_server.url(QStringLiteral("/fleet-b")).toString()), qPrintable(o.out));
}

QTEST_GUILESS_MAIN(tst_ScriptStepsFleet)
#include "tst_scriptstepsfleet.moc"
