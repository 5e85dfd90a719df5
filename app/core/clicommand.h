#pragma once

#include "budget.h"
#include "fleet/fleetconfig.h"
#include "model/loadoptions.h"
#include "regioncatalog.h"
#include "testrecord.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QTextStream>
#include <QUrl>

#include <memory>
#include <optional>

class ConfiguredFleet;
class HistoryStore;
class KeychainSecretStore;
class QCommandLineParser;
class QTemporaryDir;
class RunController;
class RunRecorder;

// `worldspeed-cli`: the app's test from a terminal or a script (app/cli/README.md).
//   run URL      fans the test out through the fleet, like the app's Go button, and prints the results as a
//                table, JSON (app/cli/JSON.md) or CSV; checks a budget; writes HAR files and the PDF report;
//                --save keeps the test in the app's history.
//   history      lists the tests in the history.
//   export ID    writes one test of the history as CSV, HAR or JSON files.
// Results go to stdout, messages to stderr; progress goes to stderr only when it is a terminal, so a script sees
// nothing there unless something went wrong. Every outcome a script may act on has its own exit code.
class CliCommand final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CliCommand)

public:
    enum ExitCode {
        Success = 0, // every region loaded the page in every run, and the budget (if any) holds everywhere
        Usage = 2, // bad arguments: unknown option, bad value, unknown region or test id
        BudgetExceeded = 3, // every region ok, but a limit was exceeded or its metric not observed
        RegionFailed = 4, // a run failed to load the page in some region
        FleetProblem = 5, // the fleet config, the fleet or the history database could not be used
        OutputFailed = 6, // a HAR, PDF, CSV or JSON file could not be written
    };
    static inline const QString jsonSchema = QStringLiteral("worldspeed-cli/1");
    static inline const QString historyJsonSchema = QStringLiteral("worldspeed-cli-history/1");

    // `showProgress`: tell how each region is getting on, on `err` (main passes stderrIsTerminal()).
    CliCommand(QTextStream &out, QTextStream &err, bool showProgress, QObject *parent = nullptr);
    ~CliCommand() override;

    // `arguments`: argv without the program name. Returns the exit code of a command that is done at once
    // (history, export, --help, any usage or setup error), or -1 for a run, which ends with finished().
    int start(const QStringList &arguments);

    static bool stderrIsTerminal();
    // The app's: <AppDataLocation>/history.sqlite and <AppConfigLocation>/fleet.json (organization and
    // application name "WorldSpeed", which main sets).
    static QString defaultDatabasePath();
    static QString defaultFleetPath();

    // The test as the JSON document app/cli/JSON.md specifies. `saved`: the test is in the history (its id is
    // given); `names`: region names by code, the code standing in for one not there.
    static QJsonObject testJson(
        const TestRecord &test, bool saved, const QHash<QString, QString> &names, const Budget &budget);
    // A region passed when all its runs ended and loaded the page.
    static bool regionOk(const TestRecord &test, const QString &region);

signals:
    void finished(int exitCode);

private:
    struct RunSettings
    {
        QUrl url;
        LoadOptions options;
        QStringList regions;
        int runs = 1;
        QString format; // table, json, csv
        QString harDir;
        QString pdfPath;
        RegionCatalog catalog; // names the regions in the PDF and places them on its map
        Budget budget;
        bool save = false;
        QString databasePath;
    };

    int run(const QStringList &arguments);
    int history(const QStringList &arguments);
    int exportTest(const QStringList &arguments);

    int usage(const QString &command, const QString &message, const QCommandLineParser *parser);
    int fail(int exitCode, const QString &message);
    void printUsage(QTextStream &stream) const;
    std::optional<FleetConfig> loadFleet(const QString &path, bool explicitPath, QString *error) const;
    void setRegionNames(const FleetConfig &config);
    void quietLogs(bool verbose) const;

    void showProgress(const QString &region);
    void onRunFinished();
    void printTable(const TestRecord &test, const QList<QPair<QString, QList<Budget::Check>>> &checks,
        const QStringList &harFiles, const QString &pdfFile) const;

    QTextStream &m_out;
    QTextStream &m_err;
    const bool m_showProgress;

    RunSettings m_settings;
    QHash<QString, QString> m_names; // region names by code
    QHash<QString, QString> m_shownState; // the progress last printed, by region
    // Declared in the order they must be built; destroyed in reverse: the recorder and the controller before the
    // fleet and the store they use, the fleet before the secrets, the store before its temporary directory.
    std::unique_ptr<QTemporaryDir> m_scratch; // holds the history of a test run without --save
    std::unique_ptr<HistoryStore> m_store;
    std::unique_ptr<KeychainSecretStore> m_secrets;
    std::unique_ptr<ConfiguredFleet> m_fleet;
    std::unique_ptr<RunController> m_controller;
    std::unique_ptr<RunRecorder> m_recorder;
};
