// `worldspeed-cli` and the history: a run saved, then listed and exported, and a damaged history database.
//
// The real binary, a fleet file of one local region (real worldspeed-probe, real Chromium), the test web server
// (CliFixture), a history database of the test's own.

#include "appsettings.h"
#include "clifixture.h"
#include "csvexporter.h"
#include "fleet/fleetconfig.h"
#include "historystore.h"
#include "strictcsv.h"
#include "testwebserver.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class tst_CliHistory : public QObject, private CliFixture
{
    Q_OBJECT

private slots:
    void initTestCase();
    void saveThenHistoryAndExport();
    void damagedHistory();

private:
    // saveThenHistoryAndExport's checks of `history` (JSON, table, CSV) on the one test `saved` of `url`, and of
    // its CSV export into `exportDir`.
    void checkHistoryListing(const QStringList &db, const QJsonObject &saved, const QString &url);
    void checkCsvExport(const QStringList &db, qint64 testId, const QString &url, const QString &exportDir);
};

void tst_CliHistory::initTestCase()
{
    setUpCli();
}

void tst_CliHistory::checkHistoryListing(const QStringList &db, const QJsonObject &saved, const QString &url)
{
    const qint64 testId = saved.value(QStringLiteral("testId")).toInteger(-1);
    Outcome o = cli(
        QStringList { QStringLiteral("history"), QStringLiteral("--format"), QStringLiteral("json") } + db, 30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QJsonObject history = QJsonDocument::fromJson(o.out.toUtf8()).object();
    QCOMPARE(history.value(QStringLiteral("schema")).toString(), QStringLiteral("worldspeed-cli-history/1"));
    const QJsonArray tests = history.value(QStringLiteral("tests")).toArray();
    QCOMPARE(tests.size(), 1);
    const QJsonObject test = tests.first().toObject();
    QCOMPARE(test.value(QStringLiteral("id")).toInteger(), testId);
    QCOMPARE(test.value(QStringLiteral("url")).toString(), url);
    QCOMPARE(test.value(QStringLiteral("regions")).toArray(), QJsonArray { QStringLiteral("local") });
    QCOMPARE(test.value(QStringLiteral("fastest")).toObject().value(QStringLiteral("region")).toString(),
        QStringLiteral("local"));
    QCOMPARE(test.value(QStringLiteral("fastest")).toObject().value(QStringLiteral("medianLoadMs")).toDouble(),
        saved.value(QStringLiteral("regions"))
            .toArray()
            .first()
            .toObject()
            .value(QStringLiteral("median"))
            .toObject()
            .value(QStringLiteral("loadMs"))
            .toDouble());

    o = cli(QStringList { QStringLiteral("history") } + db, 30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.contains(QRegularExpression(
                 QStringLiteral(R"(^\s+%1\s.*local.*%2$)").arg(testId).arg(QRegularExpression::escape(url)),
                 QRegularExpression::MultilineOption)),
        qPrintable(o.out));

    o = cli(QStringList { QStringLiteral("history"), QStringLiteral("--format"), QStringLiteral("csv") } + db, 30'000);
    QString problem;
    const QList<QStringList> historyRows = StrictCsv::parse(o.out, &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(historyRows.size(), 2);
    QCOMPARE(StrictCsv::record(historyRows.first(), historyRows.at(1)).value(QStringLiteral("url")), url);
}

void tst_CliHistory::checkCsvExport(const QStringList &db, qint64 testId, const QString &url, const QString &exportDir)
{
    QString problem;
    Outcome o = cli(QStringList { QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("csv"),
                        QStringLiteral("--output"), exportDir, QString::number(testId) }
            + db,
        30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    const QString regionsCsv = QDir(exportDir).filePath(QStringLiteral("%1-regions.csv").arg(testId));
    const QString requestsCsv = QDir(exportDir).filePath(QStringLiteral("%1-requests.csv").arg(testId));
    QCOMPARE(o.out, regionsCsv + u'\n' + requestsCsv + u'\n');
    QFile regionsFile(regionsCsv);
    QVERIFY(regionsFile.open(QIODevice::ReadOnly));
    const QList<QStringList> rows = StrictCsv::parse(QString::fromUtf8(regionsFile.readAll()), &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(rows.size(), 3);
    QCOMPARE(rows.first(), CsvExporter::regionsHeader());
    QCOMPARE(StrictCsv::record(rows.first(), rows.at(1)).value(QStringLiteral("test_id")), QString::number(testId));
    QCOMPARE(StrictCsv::record(rows.first(), rows.at(1)).value(QStringLiteral("url")), url);
    QFile requestsFile(requestsCsv);
    QVERIFY(requestsFile.open(QIODevice::ReadOnly));
    const QList<QStringList> requestRows = StrictCsv::parse(QString::fromUtf8(requestsFile.readAll()), &problem);
    QVERIFY2(problem.isEmpty(), qPrintable(problem));
    QCOMPARE(requestRows.first(), CsvExporter::requestsHeader());
    QCOMPARE(
        requestRows.size(), 1 + StrictCsv::record(rows.first(), rows.at(1)).value(QStringLiteral("requests")).toInt());
}

void tst_CliHistory::saveThenHistoryAndExport()
{
    const QString database = m_dir.filePath(QStringLiteral("db/history.sqlite"));
    const QString url = m_server.url(QStringLiteral("/page?saved=1")).toString();
    const QStringList db { QStringLiteral("--database"), database };

    // Reading an empty history creates nothing.
    Outcome o = cli(QStringList { QStringLiteral("history") } + db, 30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.out.startsWith(u"No tests in the history"), qPrintable(o.out));
    QVERIFY(!QFileInfo::exists(database));

    o = cli(QStringList { QStringLiteral("run"), url, QStringLiteral("--fleet"), m_fleetPath, QStringLiteral("--save"),
                QStringLiteral("--format"), QStringLiteral("json") }
        + db);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    QVERIFY2(o.err.isEmpty(), qPrintable(o.err));
    const QJsonObject saved = QJsonDocument::fromJson(o.out.toUtf8()).object();
    const qint64 testId = saved.value(QStringLiteral("testId")).toInteger(-1);
    QVERIFY(testId > 0);
    QVERIFY(QFileInfo::exists(database));

    // The history lists it, as JSON, a table and CSV.
    checkHistoryListing(db, saved, url);
    if (QTest::currentTestFailed())
        return;

    const QString exportDir = m_dir.filePath(QStringLiteral("export"));
    checkCsvExport(db, testId, url, exportDir);
    if (QTest::currentTestFailed())
        return;

    // The same test as HAR and as the run's JSON.
    o = cli(QStringList { QStringLiteral("export"), QString::number(testId), QStringLiteral("--format"),
                QStringLiteral("har"), QStringLiteral("--output"), exportDir }
            + db,
        30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QString har = QDir(exportDir).filePath(QStringLiteral("%1-local.har").arg(testId));
    QCOMPARE(o.out, har + u'\n');
    QCOMPARE(readJsonFile(har).value(QStringLiteral("log")).toObject().value(QStringLiteral("version")).toString(),
        QStringLiteral("1.2"));
    o = cli(QStringList { QStringLiteral("export"), QString::number(testId), QStringLiteral("--format"),
                QStringLiteral("json"), QStringLiteral("--output"), exportDir, QStringLiteral("--fleet"), m_fleetPath }
            + db,
        30'000);
    QVERIFY2(o.exitCode == 0, qPrintable(o.err));
    const QJsonObject exported = readJsonFile(QDir(exportDir).filePath(QStringLiteral("%1.json").arg(testId)));
    QCOMPARE(exported.value(QStringLiteral("regions")), saved.value(QStringLiteral("regions")));
    QCOMPARE(exported.value(QStringLiteral("testId")), saved.value(QStringLiteral("testId")));

    // A test that is not there is a usage error, and nothing is written.
    o = cli(QStringList { QStringLiteral("export"), QString::number(testId + 100), QStringLiteral("--output"),
                m_dir.filePath(QStringLiteral("none")) }
            + db,
        30'000);
    QCOMPARE(o.exitCode, 2);
    QVERIFY2(o.err.contains(QStringLiteral("no test %1 in").arg(testId + 100)), qPrintable(o.err));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("none"))));
}

void tst_CliHistory::damagedHistory()
{
    // A history whose header still reads but whose tables do not: `export` cannot tell whether the test is there,
    // so it is a history problem (5), as for `history`, not a usage error about a missing test (2).
    const QString database = m_dir.filePath(QStringLiteral("damaged/history.sqlite"));
    QVERIFY(QDir().mkpath(QFileInfo(database).path()));
    {
        HistoryStore store(database);
        QVERIFY(store.open());
        QVERIFY(store.beginTest(QStringLiteral("https://example.com/"), LoadOptions {}, { QStringLiteral("local") }, 1)
            > 0);
    }
    QFile file(database);
    QVERIFY(file.open(QIODevice::ReadWrite));
    const qint64 pageSize = 4096;
    QVERIFY(file.size() > pageSize);
    QVERIFY(file.seek(pageSize));
    file.write(QByteArray(file.size() - pageSize, '\xab'));
    file.close();
    const QStringList db { QStringLiteral("--database"), database };

    Outcome o = cli(QStringList { QStringLiteral("history") } + db, 30'000);
    QVERIFY2(o.exitCode == 5, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    o = cli(QStringList { QStringLiteral("export"), QStringLiteral("1"), QStringLiteral("--output"),
                m_dir.filePath(QStringLiteral("damaged-export")) }
            + db,
        30'000);
    QVERIFY2(o.exitCode == 5, qPrintable(QStringLiteral("exit %1: %2").arg(o.exitCode).arg(o.err)));
    // It did open: the failure is in reading, which is what used to be taken for a missing test.
    QVERIFY2(o.err.contains(u"cannot list the history"), qPrintable(o.err));
    QVERIFY(!QFileInfo::exists(m_dir.filePath(QStringLiteral("damaged-export"))));
}

QTEST_GUILESS_MAIN(tst_CliHistory)
#include "tst_clihistory.moc"
