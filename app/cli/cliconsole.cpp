#include "cliconsole.h"

#include "cliexitcode.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>

#include <cstdio>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

CliConsole::CliConsole(QTextStream &out, QTextStream &err, bool showProgress)
    : m_out(out)
    , m_err(err)
    , m_showProgress(showProgress)
{ }

bool CliConsole::stderrIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stderr)) != 0;
#else
    return isatty(fileno(stderr)) != 0;
#endif
}

int CliConsole::parse(QCommandLineParser &parser, const QString &command, const QStringList &arguments) const
{
    QStringList argv = arguments;
    argv.prepend(programName + u' ' + command);
    if (!parser.parse(argv))
        return usage(command, parser.errorText(), helpText(parser, command));
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << helpText(parser, command);
        m_out.flush();
        return CliExitCode::Success;
    }
    return CliExitCode::Running;
}

QString CliConsole::helpText(const QCommandLineParser &parser, const QString &command)
{
    // QCommandLineParser names the program by the path it was started as; people type its name and the command.
    QString text = parser.helpText();
    const QString argv0 = QCoreApplication::arguments().value(0);
    const qsizetype at = argv0.isEmpty() ? -1 : text.indexOf(argv0);
    if (at >= 0 && at < text.indexOf(u'\n'))
        text.replace(at, argv0.size(), programName + u' ' + command);
    return text;
}

int CliConsole::usage(const QString &command, const QString &message, const QString &help) const
{
    m_err << programName << ' ' << command << ": " << message << '\n';
    if (!help.isEmpty())
        m_err << '\n' << help;
    m_err.flush();
    return CliExitCode::Usage;
}

int CliConsole::fail(int exitCode, const QString &message) const
{
    m_err << programName << ": " << message << '\n';
    m_err.flush();
    return exitCode;
}

void CliConsole::quietLogs(bool verbose)
{
    if (!verbose) {
        QLoggingCategory::setFilterRules(
            QStringLiteral("worldspeed.*.debug=false\nworldspeed.*.info=false\nworldspeed.*.warning=false"));
    }
}
