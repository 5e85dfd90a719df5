#pragma once

#include "cliconsole.h"

#include <QObject>
#include <QStringList>

#include <memory>

class RunCommand;

// worldspeed-cli's front door (README.md): routes `run`, `history` and `export` to their command classes, and
// answers what needs no command itself (--help, --version, a missing or unknown command). Results go to `out`,
// messages to `err`; progress to `err` only when `showProgress` (main passes CliConsole::stderrIsTerminal()).
class CliDispatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CliDispatcher)

public:
    CliDispatcher(QTextStream &out, QTextStream &err, bool showProgress, QObject *parent = nullptr);
    ~CliDispatcher() override;

    // `arguments`: argv without the program name. Returns the exit code of a command that is done at once
    // (history, export, --help, any usage or setup error), or CliExitCode::Running for a run, which ends with
    // finished().
    int start(const QStringList &arguments);

signals:
    void finished(int exitCode);

private:
    void printUsage(QTextStream &stream) const;

    CliConsole m_console;
    std::unique_ptr<RunCommand> m_run;
};
