#pragma once

#include <QString>
#include <QStringList>

class CliConsole;

// `worldspeed-cli history`: lists the tests in the app's history, newest first, as a table, JSON or CSV. Reading
// leaves no database behind where there was none.
class HistoryCommand final
{
    Q_DISABLE_COPY_MOVE(HistoryCommand)

public:
    static inline const QString name = QStringLiteral("history");

    struct Settings
    {
        QString databasePath;
        QString format; // table, json, csv
    };

    explicit HistoryCommand(const CliConsole &console);

    // `arguments`: those after the command's name. Returns CliExitCode::Running when execute() should follow,
    // else the exit code (after --help, or a usage error already printed).
    int parse(const QStringList &arguments);
    const Settings &settings() const { return m_settings; }
    int execute();

private:
    const CliConsole &m_console;
    Settings m_settings;
};
