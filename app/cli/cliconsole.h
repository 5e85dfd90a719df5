#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

class QCommandLineParser;

// Where worldspeed-cli's commands speak, and how: results on `out`, messages on `err`, each message starting with
// the program's (and the command's) name, a usage error followed by the command's help. Progress goes to `err` only
// when showProgress() (main passes stderrIsTerminal()), so a script sees nothing there unless something went wrong.
// The streams are not owned.
class CliConsole final
{
    Q_DISABLE_COPY_MOVE(CliConsole)

public:
    static inline const QString programName = QStringLiteral("worldspeed-cli");

    CliConsole(QTextStream &out, QTextStream &err, bool showProgress);

    QTextStream &out() const { return m_out; }
    QTextStream &err() const { return m_err; }
    bool showProgress() const { return m_showProgress; }
    static bool stderrIsTerminal();

    // Parses a command's arguments (argv after the command's name) with the parser the command set up, and deals with
    // what needs no command: a parse error (usage, exit 2) and --help (printed, exit 0). Returns
    // CliExitCode::Running when the command should go on.
    int parse(QCommandLineParser &parser, const QString &command, const QStringList &arguments) const;
    // The parser's help, with the program named as people type it ("worldspeed-cli run").
    static QString helpText(const QCommandLineParser &parser, const QString &command);
    // "worldspeed-cli COMMAND: message" on stderr, then `help` when given; returns CliExitCode::Usage.
    int usage(const QString &command, const QString &message, const QString &help = QString()) const;
    // "worldspeed-cli: message" on stderr; returns `exitCode`.
    int fail(int exitCode, const QString &message) const;

    // The fleet and the history log for the app's developers; a command tells every problem in its own words, so
    // their lines are off unless `verbose` (QT_LOGGING_RULES still overrides this).
    static void quietLogs(bool verbose);

private:
    QTextStream &m_out;
    QTextStream &m_err;
    const bool m_showProgress;
};
