#include "historycommand.h"

#include "cliconsole.h"
#include "clicsvwriter.h"
#include "clidatabaseoption.h"
#include "cliexitcode.h"
#include "clijsonwriter.h"
#include "clitablewriter.h"
#include "historystore.h"

#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonDocument>

namespace {

const QStringList formats { QStringLiteral("table"), QStringLiteral("json"), QStringLiteral("csv") };

} // namespace

HistoryCommand::HistoryCommand(const CliConsole &console)
    : m_console(console)
{ }

int HistoryCommand::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Lists the tests in the app's history, newest first."));
    parser.addHelpOption();
    const CliDatabaseOption database;
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("Output: table, json or csv."),
        QStringLiteral("FORMAT"), QStringLiteral("table"));
    parser.addOptions({ database.option(), format });
    if (const int done = m_console.parse(parser, name, arguments); done != CliExitCode::Running)
        return done;
    const QString help = CliConsole::helpText(parser, name);
    if (!parser.positionalArguments().isEmpty())
        return m_console.usage(name, QStringLiteral("takes no arguments, only options"), help);
    m_settings.format = parser.value(format).toLower();
    if (!formats.contains(m_settings.format)) {
        return m_console.usage(name,
            QStringLiteral("unknown format \"%1\" (one of %2)")
                .arg(parser.value(format), formats.join(QStringLiteral(", "))),
            help);
    }
    m_settings.databasePath = database.path(parser);
    return CliExitCode::Running;
}

int HistoryCommand::execute()
{
    CliConsole::quietLogs(false);
    const QString &path = m_settings.databasePath;
    QList<TestSummary> tests;
    // Reading must not leave an empty database behind where there was none.
    if (QFileInfo::exists(path)) {
        HistoryStore store(path);
        if (!store.open())
            return m_console.fail(CliExitCode::FleetProblem, store.lastError());
        tests = store.list();
        if (!store.lastError().isEmpty())
            return m_console.fail(CliExitCode::FleetProblem, store.lastError());
    }

    QTextStream &out = m_console.out();
    if (m_settings.format == u"json")
        out << QJsonDocument(CliJsonWriter::history(tests, path)).toJson(QJsonDocument::Indented);
    else if (m_settings.format == u"csv")
        out << CliCsvWriter::history(tests);
    else
        CliTableWriter::writeHistory(out, tests, path);
    out.flush();
    return CliExitCode::Success;
}
