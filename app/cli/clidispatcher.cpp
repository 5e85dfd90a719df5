#include "clidispatcher.h"

#include "cliexitcode.h"
#include "exportcommand.h"
#include "historycommand.h"
#include "runcommand.h"

CliDispatcher::CliDispatcher(QTextStream &out, QTextStream &err, bool showProgress, QObject *parent)
    : QObject(parent)
    , m_console(out, err, showProgress)
{ }

CliDispatcher::~CliDispatcher() = default;

void CliDispatcher::printUsage(QTextStream &stream) const
{
    stream << "Usage: worldspeed-cli COMMAND [OPTIONS]\n\n"
              "Commands:\n"
              "  run URL       load a page in every chosen region of the fleet and print the results (see run --help)\n"
              "  history       list the tests in the app's history (see history --help)\n"
              "  export ID     write one test of the history as CSV, HAR or JSON files (see export --help)\n"
              "  --version     print the version\n\n"
              "Exit codes: 0 success, 2 usage, 3 budget exceeded, 4 a region failed to load the page, 5 fleet, "
              "fleet config or history database unusable, 6 output file not written.\n";
}

int CliDispatcher::start(const QStringList &arguments)
{
    QStringList rest = arguments;
    const QString command = rest.isEmpty() ? QString() : rest.takeFirst();
    QTextStream &out = m_console.out();
    if (command == u"--version" || command == u"version") {
        out << CliConsole::programName << ' ' << QStringLiteral(WORLDSPEED_VERSION) << '\n';
        out.flush();
        return CliExitCode::Success;
    }
    if (command == u"--help" || command == u"-h" || command == u"help") {
        printUsage(out);
        out.flush();
        return CliExitCode::Success;
    }
    if (command == RunCommand::name) {
        m_run = std::make_unique<RunCommand>(m_console);
        connect(m_run.get(), &RunCommand::finished, this, &CliDispatcher::finished);
        const int parsed = m_run->parse(rest);
        return parsed == CliExitCode::Running ? m_run->start() : parsed;
    }
    if (command == HistoryCommand::name) {
        HistoryCommand history(m_console);
        const int parsed = history.parse(rest);
        return parsed == CliExitCode::Running ? history.execute() : parsed;
    }
    if (command == ExportCommand::name) {
        ExportCommand exportCommand(m_console);
        const int parsed = exportCommand.parse(rest);
        return parsed == CliExitCode::Running ? exportCommand.execute() : parsed;
    }
    QTextStream &err = m_console.err();
    err << CliConsole::programName << ": "
        << (command.isEmpty() ? QStringLiteral("no command given")
                              : QStringLiteral("unknown command \"%1\"").arg(command))
        << "\n\n";
    printUsage(err);
    err.flush();
    return CliExitCode::Usage;
}
