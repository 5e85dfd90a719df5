#include "runcommand.h"

#include "appenvironment.h"
#include "appsettings.h"
#include "cliconsole.h"
#include "clicsvwriter.h"
#include "cliexitcode.h"
#include "clijsonwriter.h"
#include "clitablewriter.h"
#include "fleet/configuredfleet.h"
#include "fleet/keychainsecretstore.h"
#include "harexporter.h"
#include "historystore.h"
#include "model/loadoptionsparser.h"
#include "model/testscript.h"
#include "pdfreport.h"
#include "regionsummary.h"
#include "runcontroller.h"
#include "runrecorder.h"
#include "runreport.h"
#include "testaddress.h"
#include "testsecrets.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonDocument>
#include <QTemporaryDir>

#include <algorithm>

namespace {

const QStringList formats { QStringLiteral("table"), QStringLiteral("json"), QStringLiteral("csv") };

// The options of `run`, in the order --help lists them.
struct RunOptions
{
    QCommandLineOption regions { QStringLiteral("regions"),
        QStringLiteral("Region codes of the fleet, comma-separated, or \"all\" (the default)."),
        QStringLiteral("CODES"), QStringLiteral("all") };
    QCommandLineOption fleet { QStringLiteral("fleet"),
        QStringLiteral("The fleet config file (default: the app's, else this computer)."), QStringLiteral("FILE") };
    LoadOptionsParser load { QStringLiteral("Runs per region") };
    QCommandLineOption format { QStringLiteral("format"),
        QStringLiteral("Output on stdout: table, json (app/cli/JSON.md) or csv (app/core/CSV.md)."),
        QStringLiteral("FORMAT"), QStringLiteral("table") };
    QCommandLineOption har { QStringLiteral("har"),
        QStringLiteral("Write one HAR 1.2 file per region, DIR/<region>.har (created if needed)."),
        QStringLiteral("DIR") };
    QCommandLineOption pdf { QStringLiteral("pdf"),
        QStringLiteral("Write the test's PDF report to FILE (its directory must exist), as the app exports it."),
        QStringLiteral("FILE") };
    QCommandLineOption budget { QStringLiteral("budget"),
        QStringLiteral("Limits on each region's medians, e.g. load=3s,lcp=2.5s,fcp=1800ms,ttfb=200ms,cls=0.1,"
                       "bytes=2MB,requests=80 (metrics: %1). Exceeded: exit 3.")
            .arg(Budget::metricNames().join(QStringLiteral(", "))),
        QStringLiteral("LIMITS") };
    QCommandLineOption save { QStringLiteral("save"),
        QStringLiteral("Keep the test in the app's history, where the app, history and export find it.") };
    QCommandLineOption database { QStringLiteral("database"),
        QStringLiteral("The history database for --save (default: the app's)."), QStringLiteral("FILE") };
    QCommandLineOption verbose { QStringLiteral("verbose"), QStringLiteral("Log what the fleet does on stderr.") };

    void addTo(QCommandLineParser &parser) const
    {
        parser.addOptions({ regions, fleet });
        load.addOptions(parser);
        parser.addOptions({ format, har, pdf, budget, save, database, verbose });
    }
};

bool makeDirectory(const QString &dir, QString *error)
{
    if (QDir().mkpath(dir))
        return true;
    *error = QStringLiteral("cannot create the directory %1").arg(dir);
    return false;
}

} // namespace

RunCommand::RunCommand(const CliConsole &console, QObject *parent)
    : QObject(parent)
    , m_console(console)
{ }

RunCommand::~RunCommand()
{
    m_recorder.reset();
    m_controller.reset(); // cancels a test still running, while the fleet and the store are there
    m_fleet.reset(); // stops the fleet's runners (local probes are waited for)
}

// ---- parse ----

int RunCommand::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Loads URL in a real browser in every chosen region of the fleet, as the app's Go button does, and prints "
        "each region's median timings on stdout.\n\n"
        "Exit codes: 0 every region ok and the budget holds, 2 usage, 3 budget exceeded, 4 a region failed to load "
        "the page, 5 fleet, fleet config or history database unusable, 6 output file not written."));
    parser.addHelpOption();
    parser.addPositionalArgument(
        QStringLiteral("URL"), QStringLiteral("The page to load (http or https); left out with --script."));
    const RunOptions options;
    options.addTo(parser);
    if (const int done = m_console.parse(parser, name, arguments); done != CliExitCode::Running)
        return done;
    m_help = CliConsole::helpText(parser, name);
    QString error;
    const auto load = options.load.read(parser, &error);
    if (!load)
        return m_console.usage(name, error, m_help);
    // A script says where to go with its navigate; the run starts at its first one.
    const QStringList positional = parser.positionalArguments();
    const bool scripted = !load->options.test.script.isEmpty();
    if (scripted && !positional.isEmpty())
        return m_console.usage(
            name, QStringLiteral("give a URL or --script, not both: the script's navigate says where to go"), m_help);
    if (!scripted && positional.size() != 1)
        return m_console.usage(name, QStringLiteral("give exactly one URL"), m_help);
    const QString urlText
        = scripted ? TestScript::parse(load->options.test.script, nullptr)->firstUrl() : positional.first();
    const auto url = TestAddress::parse(urlText, &error);
    if (!url)
        return m_console.usage(name, QStringLiteral("\"%1\": %2").arg(urlText, error), m_help);
    m_settings.url = *url;
    m_settings.options = load->options;
    m_settings.runs = load->runs;
    m_settings.format = parser.value(options.format).toLower();
    if (!formats.contains(m_settings.format)) {
        return m_console.usage(name,
            QStringLiteral("unknown format \"%1\" (one of %2)")
                .arg(parser.value(options.format), formats.join(QStringLiteral(", "))),
            m_help);
    }
    if (parser.isSet(options.budget)) {
        const auto parsed = Budget::parse(parser.value(options.budget), &error);
        if (!parsed)
            return m_console.usage(name, u"--budget: " % error, m_help);
        m_settings.budget = *parsed;
    }
    m_settings.harDir = parser.value(options.har);
    if (parser.isSet(options.har) && m_settings.harDir.isEmpty())
        return m_console.usage(name, QStringLiteral("--har needs a directory"), m_help);
    m_settings.pdfPath = parser.value(options.pdf);
    if (parser.isSet(options.pdf) && m_settings.pdfPath.isEmpty())
        return m_console.usage(name, QStringLiteral("--pdf needs a file"), m_help);
    // A PDF lays out text, which takes a QGuiApplication; main() makes one when it sees --pdf.
    if (parser.isSet(options.pdf) && !qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return m_console.usage(name, QStringLiteral("--pdf must be given as --pdf FILE or --pdf=FILE"), m_help);
    m_settings.save = parser.isSet(options.save);
    if (parser.isSet(options.database) && !m_settings.save) {
        return m_console.usage(
            name, QStringLiteral("--database is where --save keeps the test; give --save too"), m_help);
    }
    m_settings.databasePath
        = parser.isSet(options.database) ? parser.value(options.database) : AppEnvironment::databasePath();
    m_settings.regions = parser.value(options.regions).trimmed();
    m_settings.fleetNamed = parser.isSet(options.fleet);
    m_settings.fleetPath = m_settings.fleetNamed ? parser.value(options.fleet) : AppEnvironment::fleetConfigPath();
    m_settings.verbose = parser.isSet(options.verbose);
    return CliExitCode::Running;
}

// ---- start ----

int RunCommand::start()
{
    CliConsole::quietLogs(m_settings.verbose);
    // The fleet, as the app builds it: its config file (strictly: a script would rather stop than measure from
    // somewhere it did not ask for) with the app's settings, such as the Chrome its local probes start.
    const auto fleet = AppEnvironment::loadFleetConfig(m_settings.fleetPath,
        m_settings.fleetNamed ? AppEnvironment::FleetLoading::Named : AppEnvironment::FleetLoading::Strict);
    if (!fleet.config)
        return m_console.fail(CliExitCode::FleetProblem, fleet.error);
    const FleetConfig config = AppEnvironment::withAppSettings(*fleet.config, AppSettings());
    m_names = CliJsonWriter::regionNames(config);
    m_catalog = AppEnvironment::regionCatalog(config);
    if (const int problem = chooseRegions(config); problem != CliExitCode::Running)
        return problem;
    if (const int problem = openHistory(); problem != CliExitCode::Running)
        return problem;

    m_secrets = std::make_unique<KeychainSecretStore>();
    if (m_settings.options.test.secretNames().isEmpty())
        return startFleet(config);
    // The test's secrets from the keychain first: one that is missing stops the run before any probe is asked.
    TestSecrets::resolve(m_settings.options.test, m_secrets.get(), this,
        [this, config](const TestSettings &resolved, const QString &problem) {
            if (!problem.isEmpty()) {
                emit finished(m_console.fail(CliExitCode::Usage, problem));
                return;
            }
            m_settings.options.test = resolved;
            if (const int code = startFleet(config); code != CliExitCode::Running)
                emit finished(code);
        });
    return CliExitCode::Running;
}

int RunCommand::startFleet(const FleetConfig &config)
{
    QString error;
    // The command line shows no pending rows: its probes need not send them.
    m_fleet
        = ConfiguredFleet::create(config, m_secrets.get(), &error, nullptr, ConfiguredFleet::PendingRequests::NotAsked);
    if (!m_fleet)
        return m_console.fail(
            CliExitCode::FleetProblem, QStringLiteral("the fleet could not be set up: %1").arg(error));
    return startTest();
}

int RunCommand::chooseRegions(const FleetConfig &config)
{
    QStringList known;
    for (const RegionConfig &region : config.regions)
        known.append(region.code);
    const QString &wanted = m_settings.regions;
    if (wanted.compare(u"all", Qt::CaseInsensitive) == 0) {
        m_regions = known;
        return CliExitCode::Running;
    }
    for (const QString &item : wanted.split(u',')) {
        const QString code = item.trimmed();
        if (code.isEmpty())
            return m_console.usage(name, QStringLiteral("--regions has an empty item: \"%1\"").arg(wanted), m_help);
        // Codes are unique ignoring case in a fleet config, so "FRA" can only mean "fra".
        const auto match = std::find_if(known.cbegin(), known.cend(),
            [&](const QString &candidate) { return candidate.compare(code, Qt::CaseInsensitive) == 0; });
        if (match == known.cend()) {
            return m_console.usage(name,
                QStringLiteral("unknown region \"%1\"; the fleet has %2").arg(code, known.join(QStringLiteral(", "))),
                m_help);
        }
        if (!m_regions.contains(*match))
            m_regions.append(*match);
    }
    return CliExitCode::Running;
}

int RunCommand::openHistory()
{
    // The app's history with --save, else one of our own that goes when we do, so the results take the same path
    // from the fleet's frames to the TestRecord (and to HAR and CSV) either way.
    if (m_settings.save) {
        // HistoryStore creates a missing folder itself, readable by this user only.
        m_store = std::make_unique<HistoryStore>(m_settings.databasePath);
    } else {
        m_scratch = std::make_unique<QTemporaryDir>();
        if (!m_scratch->isValid()) {
            return m_console.fail(CliExitCode::FleetProblem,
                QStringLiteral("cannot make a temporary directory: %1").arg(m_scratch->errorString()));
        }
        m_store = std::make_unique<HistoryStore>(
            m_scratch->filePath(QStringLiteral("history.sqlite")), HistoryStore::Durability::ProcessCrash);
    }
    if (!m_store->open())
        return m_console.fail(CliExitCode::FleetProblem, m_store->lastError());
    return CliExitCode::Running;
}

// ---- the test, through the app's RunController ----

int RunCommand::startTest()
{
    m_controller = std::make_unique<RunController>(m_fleet->fleet());
    m_recorder = std::make_unique<RunRecorder>(m_controller.get(), m_store.get());
    if (m_console.showProgress())
        connect(m_recorder.get(), &RunRecorder::regionChanged, this, &RunCommand::showProgress);
    connect(m_recorder.get(), &RunRecorder::testFinished, this, &RunCommand::onTestFinished);
    QString error;
    if (!m_controller->start(
            RunController::Request { m_settings.url, m_settings.options, m_regions, m_settings.runs }, &error))
        return m_console.fail(CliExitCode::FleetProblem, error);
    return CliExitCode::Running;
}

void RunCommand::showProgress(const QString &code)
{
    const QString state = RegionSummary::of(m_recorder->test(), code).stateText();
    if (code.isEmpty() || m_shownState.value(code) == state)
        return;
    m_shownState.insert(code, state);
    qsizetype width = 0;
    for (const QString &region : std::as_const(m_regions))
        width = std::max(width, region.size());
    m_console.err() << code.leftJustified(width) << "  " << state << '\n';
    m_console.err().flush();
}

// ---- the results ----

void RunCommand::onTestFinished()
{
    // The stored test, which has what the live record leaves out (each view's start time, for the HAR files).
    const qint64 testId = m_recorder->testId();
    std::optional<TestRecord> test = testId >= 0 ? m_store->load(testId) : std::nullopt;
    if (!test) {
        emit finished(m_console.fail(CliExitCode::FleetProblem,
            QStringLiteral("the results could not be kept in the history: %1").arg(m_store->lastError())));
        return;
    }
    if (!m_settings.save)
        test->id = 0; // its id in a history that is gone would mean nothing
    RunReport report = RunReport::evaluate(*test, m_settings.budget);
    if (m_settings.save)
        report.savedIn = m_settings.databasePath;

    const bool filesWritten = writeFiles(report); // first, so that the table can list them
    printResults(report);
    reportProblems(report);

    // What the test found comes first; a file that could not be written only when the test itself was fine.
    int exitCode = CliExitCode::Success;
    if (report.anyRegionFailed())
        exitCode = CliExitCode::RegionFailed;
    else if (!report.budgetPasses())
        exitCode = CliExitCode::BudgetExceeded;
    else if (!filesWritten)
        exitCode = CliExitCode::OutputFailed;
    emit finished(exitCode);
}

bool RunCommand::writeFiles(RunReport &report) const
{
    bool allWritten = true;
    if (!m_settings.harDir.isEmpty()) {
        QString error;
        bool written = makeDirectory(m_settings.harDir, &error);
        for (const QString &code : std::as_const(report.test.regions)) {
            if (!written)
                break;
            const QString path = QDir(m_settings.harDir).filePath(code + QStringLiteral(".har"));
            written = HarExporter::regionHar(report.test, code, QStringLiteral(WORLDSPEED_VERSION))
                          .writeToFile(path, &error);
            if (written)
                report.harFiles.append(path);
        }
        if (!written) {
            m_console.fail(CliExitCode::OutputFailed, error);
            allWritten = false;
        }
    }
    // Unlike --har's directory, the PDF's is not created: a mistyped one fails instead of leaving the report where
    // nobody looks for it.
    if (!m_settings.pdfPath.isEmpty()) {
        PdfReport pdf(report.test, m_catalog);
        QString error;
        if (pdf.write(m_settings.pdfPath, &error)) {
            report.pdfFile = m_settings.pdfPath;
        } else {
            m_console.fail(CliExitCode::OutputFailed, error);
            allWritten = false;
        }
    }
    return allWritten;
}

void RunCommand::printResults(const RunReport &report) const
{
    QTextStream &out = m_console.out();
    if (m_settings.format == u"json")
        out << QJsonDocument(CliJsonWriter::test(report.test, m_settings.save, m_names, m_settings.budget))
                   .toJson(QJsonDocument::Indented);
    else if (m_settings.format == u"csv")
        out << CliCsvWriter::run(report.test);
    else
        CliTableWriter::writeRun(out, report);
    out.flush();
}

void RunCommand::reportProblems(const RunReport &report) const
{
    QTextStream &err = m_console.err();
    for (const QString &code : std::as_const(report.test.regions)) {
        for (const RegionRun &run : report.test.region(code).runs) {
            if (!run.ok()) {
                const QString why = run.error ? LoadError::kindName(run.error->kind) % u": " % run.error->message
                                              : QStringLiteral("the run did not end");
                err << CliConsole::programName << ": " << code << " run " << run.index << ": " << why << '\n';
            }
        }
    }
    for (const RunReport::RegionChecks &region : report.checks) {
        for (const Budget::Check &check : region.checks) {
            if (!check.pass) {
                err << CliConsole::programName << ": budget exceeded in " << region.region << ": " << check.describe()
                    << '\n';
            }
        }
    }
    err.flush();
}
