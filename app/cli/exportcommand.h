#pragma once

#include <QString>
#include <QStringList>

class CliConsole;

// `worldspeed-cli export ID`: writes one test of the history to files in a directory, as CSV (the app's CSV
// export), HAR (one file per region) or JSON (the run's document, JSON.md), and prints their paths.
class ExportCommand final
{
    Q_DISABLE_COPY_MOVE(ExportCommand)

public:
    static inline const QString name = QStringLiteral("export");

    struct Settings
    {
        qint64 testId = 0;
        QString format; // csv, har, json
        QString directory;
        QString databasePath;
        QString fleetPath; // names the regions in the JSON
        bool fleetNamed = false; // --fleet was given: a file that does not load costs the names
    };

    explicit ExportCommand(const CliConsole &console);

    // `arguments`: those after the command's name. Returns CliExitCode::Running when execute() should follow,
    // else the exit code (after --help, or a usage error already printed).
    int parse(const QStringList &arguments);
    const Settings &settings() const { return m_settings; }
    int execute();

private:
    const CliConsole &m_console;
    Settings m_settings;
};
