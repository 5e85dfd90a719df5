#pragma once

#include "budget.h"
#include "model/loadoptions.h"
#include "regioncatalog.h"

#include <QHash>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

class CliConsole;
class ConfiguredFleet;
class HistoryStore;
class KeychainSecretStore;
class QCommandLineParser;
class QTemporaryDir;
class RunController;
struct FleetConfig;
struct RunReport;
class RunRecorder;

// `worldspeed-cli run URL`: fans the test out through the fleet as the app's Go button does (the fleet built as
// the app builds it, with the app's settings), then prints the results as a table, JSON (JSON.md) or CSV, checks a
// budget, and writes HAR files and the PDF report; --save keeps the test in the app's history. parse() reads the
// arguments into Settings; start() builds the fleet and starts the test, which ends with finished().
class RunCommand final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RunCommand)

public:
    static inline const QString name = QStringLiteral("run");

    struct Settings
    {
        QUrl url;
        LoadOptions options;
        int runs = 1;
        QString regions; // as given: "all", or codes separated by commas; start() matches them to the fleet's
        QString fleetPath;
        bool fleetNamed = false; // --fleet was given: the file must load
        QString format; // table, json, csv
        QString harDir;
        QString pdfPath;
        Budget budget;
        bool save = false;
        QString databasePath; // where --save keeps the test
        bool verbose = false;
    };

    explicit RunCommand(const CliConsole &console, QObject *parent = nullptr);
    ~RunCommand() override;

    // `arguments`: those after the command's name. Returns CliExitCode::Running when start() should follow, else
    // the exit code (after --help, or a usage error already printed).
    int parse(const QStringList &arguments);
    const Settings &settings() const { return m_settings; }
    // Returns CliExitCode::Running while the test runs (finished() ends it), else the exit code of a problem with
    // the fleet, its regions or the history, already reported.
    int start();

signals:
    void finished(int exitCode);

private:
    int readSettings(const QCommandLineParser &parser);
    int chooseRegions(const FleetConfig &config);
    int openHistory();
    // The fleet, once the test's secrets (if any) are read; then the test.
    int startFleet(const FleetConfig &config);
    int startTest();
    void showProgress(const QString &region);

    void onTestFinished();
    bool writeFiles(RunReport &report) const;
    void printResults(const RunReport &report) const;
    void reportProblems(const RunReport &report) const;

    const CliConsole &m_console;
    Settings m_settings;
    QString m_help; // the command's --help, shown after a usage error
    QStringList m_regions; // the codes of the fleet's regions to test, in the order given
    QHash<QString, QString> m_names; // region names by code, for the JSON
    RegionCatalog m_catalog; // names the regions in the PDF and places them on its map
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
