#include "exportcommand.h"

#include "appenvironment.h"
#include "cliconsole.h"
#include "clidatabaseoption.h"
#include "cliexitcode.h"
#include "clijsonwriter.h"
#include "csvexporter.h"
#include "harexporter.h"
#include "historystore.h"
#include "model/atomicfile.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>

#include <algorithm>

namespace {

const QStringList formats { QStringLiteral("csv"), QStringLiteral("har"), QStringLiteral("json") };

} // namespace

ExportCommand::ExportCommand(const CliConsole &console)
    : m_console(console)
{ }

int ExportCommand::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes one test of the history to files in DIR: csv (<id>-regions.csv and <id>-requests.csv, "
        "app/core/CSV.md), har (<id>-<region>.har, HAR 1.2) or json (<id>.json, app/cli/JSON.md), and prints "
        "their paths."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The test's id, as history lists it."));
    const CliDatabaseOption database;
    const QCommandLineOption format(
        QStringLiteral("format"), QStringLiteral("csv, har or json."), QStringLiteral("FORMAT"), QStringLiteral("csv"));
    const QCommandLineOption output(QStringLiteral("output"),
        QStringLiteral("The directory to write to (created if needed)."), QStringLiteral("DIR"));
    const QCommandLineOption fleet(QStringLiteral("fleet"),
        QStringLiteral("The fleet config whose region names the JSON gives (default: the app's)."),
        QStringLiteral("FILE"));
    parser.addOptions({ database.option(), format, output, fleet });
    if (const int done = m_console.parse(parser, name, arguments); done != CliExitCode::Running)
        return done;
    const QString help = CliConsole::helpText(parser, name);
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return m_console.usage(name, QStringLiteral("give exactly one test id"), help);
    bool ok = false;
    m_settings.testId = positional.first().toLongLong(&ok);
    if (!ok || m_settings.testId <= 0)
        return m_console.usage(name, QStringLiteral("\"%1\" is not a test id").arg(positional.first()), help);
    m_settings.format = parser.value(format).toLower();
    if (!formats.contains(m_settings.format)) {
        return m_console.usage(name,
            QStringLiteral("unknown format \"%1\" (one of %2)")
                .arg(parser.value(format), formats.join(QStringLiteral(", "))),
            help);
    }
    m_settings.directory = parser.value(output);
    if (m_settings.directory.isEmpty())
        return m_console.usage(name, QStringLiteral("--output DIR is required"), help);
    m_settings.databasePath = database.path(parser);
    m_settings.fleetNamed = parser.isSet(fleet);
    m_settings.fleetPath = m_settings.fleetNamed ? parser.value(fleet) : AppEnvironment::fleetConfigPath();
    return CliExitCode::Running;
}

int ExportCommand::execute()
{
    CliConsole::quietLogs(false);
    const qint64 testId = m_settings.testId;
    const QString &path = m_settings.databasePath;
    if (!QFileInfo::exists(path))
        return m_console.usage(name, QStringLiteral("no test %1: there is no history %2").arg(testId).arg(path));
    HistoryStore store(path);
    if (!store.open())
        return m_console.fail(CliExitCode::FleetProblem, store.lastError());
    const std::optional<TestRecord> test = store.load(testId);
    if (!test) {
        // A history that cannot be read (a damaged file) is not one without the test.
        const QList<TestSummary> all = store.list();
        if (!store.lastError().isEmpty())
            return m_console.fail(CliExitCode::FleetProblem, store.lastError());
        const bool exists = std::any_of(all.begin(), all.end(), [&](const TestSummary &s) { return s.id == testId; });
        if (!exists)
            return m_console.usage(name, QStringLiteral("no test %1 in %2").arg(testId).arg(path));
        return m_console.fail(CliExitCode::FleetProblem, store.lastError());
    }

    const QString &dir = m_settings.directory;
    QString error;
    if (!QDir().mkpath(dir))
        return m_console.fail(CliExitCode::OutputFailed, QStringLiteral("cannot create the directory %1").arg(dir));
    QStringList written;
    if (m_settings.format == u"csv") {
        written = CsvExporter::writeFiles(*test, dir, &error);
    } else if (m_settings.format == u"har") {
        written = HarExporter::writeRegions(*test, dir, QStringLiteral(WORLDSPEED_VERSION), &error);
    } else {
        // Only names come from the fleet: one that cannot be read costs the JSON its region names, not its numbers.
        const auto fleet = AppEnvironment::loadFleetConfig(m_settings.fleetPath,
            m_settings.fleetNamed ? AppEnvironment::FleetLoading::Named : AppEnvironment::FleetLoading::Strict);
        const QHash<QString, QString> names = CliJsonWriter::regionNames(fleet.config.value_or(FleetConfig {}));
        const QString file = QDir(dir).filePath(QString::number(testId) + QStringLiteral(".json"));
        const QJsonObject json = CliJsonWriter::test(*test, true, names, Budget {});
        if (AtomicFile::write(file, QJsonDocument(json).toJson(QJsonDocument::Indented), &error))
            written.append(file);
    }
    if (written.isEmpty())
        return m_console.fail(CliExitCode::OutputFailed, error);
    for (const QString &file : std::as_const(written))
        m_console.out() << QDir::toNativeSeparators(file) << '\n';
    m_console.out().flush();
    return CliExitCode::Success;
}
