#include "clicommand.h"

#include "csvexporter.h"
#include "fleet/configuredfleet.h"
#include "fleet/keychainsecretstore.h"
#include "harexporter.h"
#include "historystore.h"
#include "model/connectivityprofile.h"
#include "model/datasize.h"
#include "pdfreport.h"
#include "regioncatalog.h"
#include "regionsummary.h"
#include "runcontroller.h"
#include "runrecorder.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLoggingCategory>
#include <QSaveFile>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cstdio>

#ifdef Q_OS_WIN
#include <io.h>
#else
#include <unistd.h>
#endif

namespace {

const QString programName = QStringLiteral("worldspeed-cli");
const QStringList runFormats { QStringLiteral("table"), QStringLiteral("json"), QStringLiteral("csv") };
const QStringList exportFormats { QStringLiteral("csv"), QStringLiteral("har"), QStringLiteral("json") };

QString formatMs(std::optional<double> ms)
{
    if (!ms)
        return QStringLiteral("—");
    if (*ms >= 10'000)
        return QStringLiteral("%1 s").arg(*ms / 1000.0, 0, 'f', 2);
    return QStringLiteral("%1 ms").arg(*ms, 0, 'f', 0);
}

QJsonValue isoOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
}

bool writeFile(const QString &path, const QByteArray &data, QString *error)
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    return true;
}

bool makeDirectory(const QString &dir, QString *error)
{
    if (QDir().mkpath(dir))
        return true;
    *error = QStringLiteral("cannot create the directory %1").arg(dir);
    return false;
}

// QCommandLineParser names the program by the path it was started as; people type its name and the command.
QString helpText(const QCommandLineParser &parser, const QString &command)
{
    QString text = parser.helpText();
    const QString argv0 = QCoreApplication::arguments().value(0);
    const qsizetype at = argv0.isEmpty() ? -1 : text.indexOf(argv0);
    if (at >= 0 && at < text.indexOf(u'\n'))
        text.replace(at, argv0.size(), programName + u' ' + command);
    return text;
}

QJsonValue viewJson(const RegionRun &run, RunView which)
{
    const ViewResult *view = run.view(which);
    if (!view)
        return QJsonValue::Null;
    QJsonObject json = view->toJson();
    json.remove(QStringLiteral("screenshotPng")); // a picture in a table of numbers helps nobody
    // Zero requests and bytes of a view whose metrics never came are not a measurement.
    if (!run.measured(which))
        json.insert(QStringLiteral("metrics"), QJsonValue::Null);
    return json;
}

QJsonObject runJson(const RegionRun &run)
{
    return QJsonObject {
        { QStringLiteral("index"), run.index },
        { QStringLiteral("finished"), run.finished },
        { QStringLiteral("ok"), run.ok() },
        { QStringLiteral("cold"), run.cold },
        { QStringLiteral("browserStartMs"),
            run.browserStartMs ? QJsonValue(*run.browserStartMs) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("error"), run.error ? QJsonValue(run.error->toJson()) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("firstView"), viewJson(run, RunView::First) },
        { QStringLiteral("repeatView"), viewJson(run, RunView::Repeat) },
    };
}

QJsonValue metricsOrNull(const std::optional<PageMetrics> &metrics)
{
    return metrics ? QJsonValue(metrics->toJson()) : QJsonValue(QJsonValue::Null);
}

// Names for region codes: the built-in catalog's cities, then the fleet config's own names where it gives one.
QHash<QString, QString> catalogNames()
{
    QHash<QString, QString> names;
    const RegionCatalog catalog = RegionCatalog::builtIn();
    for (const RegionCatalog::Region &region : catalog.regions())
        names.insert(region.code, region.city);
    return names;
}

} // namespace

CliCommand::CliCommand(QTextStream &out, QTextStream &err, bool showProgress, QObject *parent)
    : QObject(parent)
    , m_out(out)
    , m_err(err)
    , m_showProgress(showProgress)
{ }

CliCommand::~CliCommand()
{
    m_recorder.reset();
    m_controller.reset(); // cancels a test still running, while the fleet and the store are there
    m_fleet.reset(); // stops the fleet's runners (local probes are waited for)
}

bool CliCommand::stderrIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stderr)) != 0;
#else
    return isatty(fileno(stderr)) != 0;
#endif
}

QString CliCommand::defaultDatabasePath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
        .filePath(QStringLiteral("history.sqlite"));
}

QString CliCommand::defaultFleetPath()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppConfigLocation))
        .filePath(QStringLiteral("fleet.json"));
}

void CliCommand::printUsage(QTextStream &stream) const
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

int CliCommand::start(const QStringList &arguments)
{
    QStringList rest = arguments;
    const QString command = rest.isEmpty() ? QString() : rest.takeFirst();
    if (command == u"--version" || command == u"version") {
        m_out << programName << ' ' << QStringLiteral(WORLDSPEED_VERSION) << '\n';
        m_out.flush();
        return Success;
    }
    if (command == u"--help" || command == u"-h" || command == u"help") {
        printUsage(m_out);
        m_out.flush();
        return Success;
    }
    if (command == u"run")
        return run(rest);
    if (command == u"history")
        return history(rest);
    if (command == u"export")
        return exportTest(rest);
    m_err << programName << ": "
          << (command.isEmpty() ? QStringLiteral("no command given")
                                : QStringLiteral("unknown command \"%1\"").arg(command))
          << "\n\n";
    printUsage(m_err);
    m_err.flush();
    return Usage;
}

int CliCommand::usage(const QString &command, const QString &message, const QCommandLineParser *parser)
{
    m_err << programName << ' ' << command << ": " << message << '\n';
    if (parser)
        m_err << '\n' << helpText(*parser, command);
    m_err.flush();
    return Usage;
}

int CliCommand::fail(int exitCode, const QString &message)
{
    m_err << programName << ": " << message << '\n';
    m_err.flush();
    return exitCode;
}

void CliCommand::quietLogs(bool verbose) const
{
    // The fleet and the history log for the app's developers; here every problem is told in the command's own
    // words, so their lines would only be noise a script has to filter (QT_LOGGING_RULES still overrides this).
    if (!verbose) {
        QLoggingCategory::setFilterRules(
            QStringLiteral("worldspeed.*.debug=false\nworldspeed.*.info=false\nworldspeed.*.warning=false"));
    }
}

std::optional<FleetConfig> CliCommand::loadFleet(const QString &path, bool explicitPath, QString *error) const
{
    // Like the app: its fleet file when there is one, else this computer. Unlike the app, a file that does not
    // load is an error, not a reason to measure from somewhere else.
    if (!explicitPath && !QFileInfo::exists(path))
        return FleetConfig::defaultConfig();
    return FleetConfig::load(path, error);
}

void CliCommand::setRegionNames(const FleetConfig &config)
{
    m_names = catalogNames();
    for (const RegionConfig &region : config.regions) {
        if (!region.name.isEmpty() && (region.name != region.code || !m_names.contains(region.code)))
            m_names.insert(region.code, region.name);
    }
}

// ---- run ----

int CliCommand::run(const QStringList &arguments)
{
    const QString command = QStringLiteral("run");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Loads URL in a real browser in every chosen region of the fleet, as the app's Go button does, and prints "
        "each region's median timings on stdout.\n\n"
        "Exit codes: 0 every region ok and the budget holds, 2 usage, 3 budget exceeded, 4 a region failed to load "
        "the page, 5 fleet, fleet config or history database unusable, 6 output file not written."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("URL"), QStringLiteral("The page to load (http or https)."));
    const QCommandLineOption regions(QStringLiteral("regions"),
        QStringLiteral("Region codes of the fleet, comma-separated, or \"all\" (the default)."),
        QStringLiteral("CODES"), QStringLiteral("all"));
    const QCommandLineOption fleet(QStringLiteral("fleet"),
        QStringLiteral("The fleet config file (default: the app's, else this computer)."), QStringLiteral("FILE"));
    const QCommandLineOption profile(QStringLiteral("profile"),
        QStringLiteral("Connectivity to emulate: %1.").arg(ConnectivityProfile::names().join(QStringLiteral(", "))),
        QStringLiteral("NAME"), QStringLiteral("Native"));
    const QCommandLineOption runs(QStringLiteral("runs"),
        QStringLiteral("Runs per region (1-100); the median is reported."), QStringLiteral("N"), QStringLiteral("1"));
    const QCommandLineOption repeat(QStringLiteral("repeat-view"),
        QStringLiteral("Load the page a second time in the same context (warm cache) and report it separately."));
    const QCommandLineOption timeout(QStringLiteral("timeout"),
        QStringLiteral("Seconds one view may take (1-%1).").arg(LoadOptions::maxTimeoutMs / 1000),
        QStringLiteral("SECONDS"), QString::number(LoadOptions::defaultTimeoutMs / 1000));
    const QCommandLineOption format(QStringLiteral("format"),
        QStringLiteral("Output on stdout: table, json (app/cli/JSON.md) or csv (app/core/CSV.md)."),
        QStringLiteral("FORMAT"), QStringLiteral("table"));
    const QCommandLineOption har(QStringLiteral("har"),
        QStringLiteral("Write one HAR 1.2 file per region, DIR/<region>.har (created if needed)."),
        QStringLiteral("DIR"));
    const QCommandLineOption pdf(QStringLiteral("pdf"),
        QStringLiteral("Write the test's PDF report to FILE (its directory must exist), as the app exports it."),
        QStringLiteral("FILE"));
    const QCommandLineOption budget(QStringLiteral("budget"),
        QStringLiteral("Limits on each region's medians, e.g. load=3s,lcp=2.5s,fcp=1800ms,ttfb=200ms,cls=0.1,"
                       "bytes=2MB,requests=80 (metrics: %1). Exceeded: exit 3.")
            .arg(Budget::metricNames().join(QStringLiteral(", "))),
        QStringLiteral("LIMITS"));
    const QCommandLineOption save(QStringLiteral("save"),
        QStringLiteral("Keep the test in the app's history, where the app, history and export find it."));
    const QCommandLineOption database(QStringLiteral("database"),
        QStringLiteral("The history database for --save (default: the app's)."), QStringLiteral("FILE"));
    const QCommandLineOption verbose(QStringLiteral("verbose"), QStringLiteral("Log what the fleet does on stderr."));
    parser.addOptions(
        { regions, fleet, profile, runs, repeat, timeout, format, har, pdf, budget, save, database, verbose });

    QStringList argv = arguments;
    argv.prepend(programName + u' ' + command);
    if (!parser.parse(argv))
        return usage(command, parser.errorText(), &parser);
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << helpText(parser, command);
        m_out.flush();
        return Success;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usage(command, QStringLiteral("give exactly one URL"), &parser);
    QString error;
    const auto url = RunController::parseUrl(positional.first(), &error);
    if (!url)
        return usage(command, QStringLiteral("\"%1\": %2").arg(positional.first(), error), &parser);

    RunSettings settings;
    settings.url = *url;
    bool ok = false;
    settings.runs = parser.value(runs).toInt(&ok);
    if (!ok || settings.runs < 1 || settings.runs > 100)
        return usage(command, QStringLiteral("--runs must be a whole number from 1 to 100"), &parser);
    const double seconds = parser.value(timeout).toDouble(&ok);
    if (!ok || seconds < 1 || seconds > LoadOptions::maxTimeoutMs / 1000)
        return usage(command,
            QStringLiteral("--timeout must be a number of seconds from 1 to %1").arg(LoadOptions::maxTimeoutMs / 1000),
            &parser);
    const auto chosenProfile = ConnectivityProfile::byName(parser.value(profile));
    if (!chosenProfile) {
        return usage(command,
            QStringLiteral("unknown profile \"%1\" (one of %2)")
                .arg(parser.value(profile), ConnectivityProfile::names().join(QStringLiteral(", "))),
            &parser);
    }
    settings.options.timeoutMs = static_cast<int>(seconds * 1000);
    settings.options.profile = chosenProfile->name;
    settings.options.repeatView = parser.isSet(repeat);
    settings.format = parser.value(format).toLower();
    if (!runFormats.contains(settings.format)) {
        return usage(command,
            QStringLiteral("unknown format \"%1\" (one of %2)")
                .arg(parser.value(format), runFormats.join(QStringLiteral(", "))),
            &parser);
    }
    if (parser.isSet(budget)) {
        const auto parsed = Budget::parse(parser.value(budget), &error);
        if (!parsed)
            return usage(command, u"--budget: " % error, &parser);
        settings.budget = *parsed;
    }
    settings.harDir = parser.value(har);
    if (parser.isSet(har) && settings.harDir.isEmpty())
        return usage(command, QStringLiteral("--har needs a directory"), &parser);
    settings.pdfPath = parser.value(pdf);
    if (parser.isSet(pdf) && settings.pdfPath.isEmpty())
        return usage(command, QStringLiteral("--pdf needs a file"), &parser);
    // A PDF lays out text, which takes a QGuiApplication; main() makes one when it sees --pdf.
    if (parser.isSet(pdf) && !qobject_cast<QGuiApplication *>(QCoreApplication::instance()))
        return usage(command, QStringLiteral("--pdf must be given as --pdf FILE or --pdf=FILE"), &parser);
    settings.save = parser.isSet(save);
    if (parser.isSet(database) && !settings.save)
        return usage(command, QStringLiteral("--database is where --save keeps the test; give --save too"), &parser);
    settings.databasePath = parser.isSet(database) ? parser.value(database) : defaultDatabasePath();
    quietLogs(parser.isSet(verbose));

    // The fleet, as the app would build it.
    const QString fleetPath = parser.isSet(fleet) ? parser.value(fleet) : defaultFleetPath();
    const auto config = loadFleet(fleetPath, parser.isSet(fleet), &error);
    if (!config)
        return fail(FleetProblem, error);
    setRegionNames(*config);
    settings.catalog = RegionCatalog::builtIn();
    for (const RegionCatalog::Region &region : RegionCatalog::fleetRegions(*config))
        settings.catalog.add(region);
    const QString wanted = parser.value(regions).trimmed();
    if (wanted.compare(u"all", Qt::CaseInsensitive) == 0) {
        for (const RegionConfig &region : config->regions)
            settings.regions.append(region.code);
    } else {
        QStringList known;
        for (const RegionConfig &region : config->regions)
            known.append(region.code);
        for (const QString &item : wanted.split(u',')) {
            const QString code = item.trimmed();
            if (code.isEmpty())
                return usage(command, QStringLiteral("--regions has an empty item: \"%1\"").arg(wanted), &parser);
            // Codes are unique ignoring case in a fleet config, so "FRA" can only mean "fra".
            const auto match = std::find_if(known.cbegin(), known.cend(),
                [&](const QString &candidate) { return candidate.compare(code, Qt::CaseInsensitive) == 0; });
            if (match == known.cend()) {
                return usage(command,
                    QStringLiteral("unknown region \"%1\"; the fleet has %2")
                        .arg(code, known.join(QStringLiteral(", "))),
                    &parser);
            }
            if (!settings.regions.contains(*match))
                settings.regions.append(*match);
        }
    }

    // The history: the app's with --save, else one of our own that goes when we do, so the results take the same
    // path from the fleet's frames to the TestRecord (and to HAR and CSV) either way.
    if (settings.save) {
        if (!makeDirectory(QFileInfo(settings.databasePath).absolutePath(), &error))
            return fail(FleetProblem, error);
        m_store = std::make_unique<HistoryStore>(settings.databasePath);
    } else {
        m_scratch = std::make_unique<QTemporaryDir>();
        if (!m_scratch->isValid())
            return fail(
                FleetProblem, QStringLiteral("cannot make a temporary directory: %1").arg(m_scratch->errorString()));
        m_store = std::make_unique<HistoryStore>(
            m_scratch->filePath(QStringLiteral("history.sqlite")), HistoryStore::Durability::ProcessCrash);
    }
    if (!m_store->open())
        return fail(FleetProblem, m_store->lastError());

    m_secrets = std::make_unique<KeychainSecretStore>();
    m_fleet = ConfiguredFleet::create(*config, m_secrets.get(), &error);
    if (!m_fleet)
        return fail(FleetProblem, QStringLiteral("the fleet could not be set up: %1").arg(error));

    m_controller = std::make_unique<RunController>(m_fleet->autoscaler());
    m_recorder = std::make_unique<RunRecorder>(m_controller.get(), m_store.get());
    if (m_showProgress)
        connect(m_recorder.get(), &RunRecorder::regionChanged, this, &CliCommand::showProgress);
    connect(m_recorder.get(), &RunRecorder::testFinished, this, &CliCommand::onRunFinished);
    m_settings = settings;
    if (!m_controller->start(
            RunController::Request { settings.url, settings.options, settings.regions, settings.runs }, &error))
        return fail(FleetProblem, error);
    return -1;
}

void CliCommand::showProgress(const QString &code)
{
    const QString state = RegionSummary::of(m_recorder->test(), code).stateText();
    if (code.isEmpty() || m_shownState.value(code) == state)
        return;
    m_shownState.insert(code, state);
    qsizetype width = 0;
    for (const QString &region : std::as_const(m_settings.regions))
        width = std::max(width, region.size());
    m_err << code.leftJustified(width) << "  " << state << '\n';
    m_err.flush();
}

bool CliCommand::regionOk(const TestRecord &test, const QString &region)
{
    return RegionSummary::of(test, region).allOk();
}

QJsonObject CliCommand::testJson(
    const TestRecord &test, bool saved, const QHash<QString, QString> &names, const Budget &budget)
{
    QJsonObject options = test.options.toJson();
    options.insert(QStringLiteral("runs"), test.runsPerRegion);
    options.insert(QStringLiteral("regions"), QJsonArray::fromStringList(test.regions));

    QJsonArray regions;
    bool budgetPasses = true;
    for (const RegionSummary &summary : RegionSummary::of(test)) {
        const QString &code = summary.code;
        QJsonArray runs;
        for (const RegionRun &run : test.region(code).runs)
            runs.append(runJson(run));
        QJsonArray checks;
        const QList<Budget::Check> evaluated = budget.evaluate(summary.median);
        for (const Budget::Check &check : evaluated)
            checks.append(check.toJson());
        budgetPasses = budgetPasses && Budget::passes(evaluated);
        const std::optional<LoadError> &error = summary.firstError;
        QJsonObject json {
            { QStringLiteral("code"), code },
            { QStringLiteral("name"), names.value(code, code) },
            { QStringLiteral("ok"), summary.allOk() },
            { QStringLiteral("error"), error ? QJsonValue(error->toJson()) : QJsonValue(QJsonValue::Null) },
            { QStringLiteral("runs"), runs },
            { QStringLiteral("median"), metricsOrNull(summary.median) },
            { QStringLiteral("budget"), checks },
        };
        if (test.options.repeatView)
            json.insert(QStringLiteral("medianRepeatView"), metricsOrNull(summary.repeatViewMedian));
        regions.append(json);
    }

    return QJsonObject {
        { QStringLiteral("schema"), jsonSchema },
        { QStringLiteral("testId"), saved ? QJsonValue(test.id) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("url"), test.url },
        { QStringLiteral("label"), test.label },
        { QStringLiteral("startedAt"), isoOrNull(test.startedAt) },
        { QStringLiteral("finishedAt"), isoOrNull(test.finishedAt) },
        { QStringLiteral("options"), options },
        { QStringLiteral("regions"), regions },
        { QStringLiteral("budget"),
            QJsonObject { { QStringLiteral("pass"), budgetPasses }, { QStringLiteral("limits"), budget.toJson() } } },
    };
}

void CliCommand::onRunFinished()
{
    // The stored test, which has what the live record leaves out (each view's start time, for the HAR files).
    const qint64 testId = m_recorder->testId();
    std::optional<TestRecord> loaded = testId >= 0 ? m_store->load(testId) : std::nullopt;
    if (!loaded) {
        emit finished(fail(FleetProblem,
            QStringLiteral("the results could not be kept in the history: %1").arg(m_store->lastError())));
        return;
    }
    TestRecord test = *loaded;
    if (!m_settings.save)
        test.id = 0; // its id in a history that is gone would mean nothing

    QList<QPair<QString, QList<Budget::Check>>> checks;
    bool anyFailed = false;
    bool budgetPasses = true;
    for (const RegionSummary &summary : RegionSummary::of(test)) {
        anyFailed = anyFailed || !summary.allOk();
        const QList<Budget::Check> regionChecks = m_settings.budget.evaluate(summary.median);
        budgetPasses = budgetPasses && Budget::passes(regionChecks);
        checks.append({ summary.code, regionChecks });
    }

    // The files first, so the table can list them.
    bool outputFailed = false;
    QStringList harFiles;
    if (!m_settings.harDir.isEmpty()) {
        QString error;
        bool written = makeDirectory(m_settings.harDir, &error);
        for (const QString &code : std::as_const(test.regions)) {
            if (!written)
                break;
            const QString path = QDir(m_settings.harDir).filePath(code + QStringLiteral(".har"));
            written = HarExporter::regionHar(test, code, QStringLiteral(WORLDSPEED_VERSION)).writeToFile(path, &error);
            if (written)
                harFiles.append(path);
        }
        if (!written) {
            fail(OutputFailed, error);
            outputFailed = true;
        }
    }
    // Unlike --har's directory, the PDF's is not created: a mistyped one fails instead of leaving the report where
    // nobody looks for it.
    QString pdfFile;
    if (!m_settings.pdfPath.isEmpty()) {
        PdfReport report(test, m_settings.catalog);
        QString error;
        if (report.write(m_settings.pdfPath, &error)) {
            pdfFile = m_settings.pdfPath;
        } else {
            fail(OutputFailed, error);
            outputFailed = true;
        }
    }

    if (m_settings.format == u"json")
        m_out << QJsonDocument(testJson(test, m_settings.save, m_names, m_settings.budget))
                     .toJson(QJsonDocument::Indented);
    else if (m_settings.format == u"csv")
        m_out << QString::fromUtf8(CsvExporter::regionsCsv(test));
    else
        printTable(test, checks, harFiles, pdfFile);
    m_out.flush();

    for (const QString &code : std::as_const(test.regions)) {
        for (const RegionRun &run : test.region(code).runs) {
            if (!run.ok()) {
                const QString why = run.error ? LoadError::kindName(run.error->kind) % u": " % run.error->message
                                              : QStringLiteral("the run did not end");
                m_err << programName << ": " << code << " run " << run.index << ": " << why << '\n';
            }
        }
    }
    for (const auto &[code, regionChecks] : std::as_const(checks)) {
        for (const Budget::Check &check : regionChecks) {
            if (!check.pass)
                m_err << programName << ": budget exceeded in " << code << ": " << check.describe() << '\n';
        }
    }
    m_err.flush();

    // What the test found comes first; a file that could not be written only when the test itself was fine.
    int exitCode = Success;
    if (anyFailed)
        exitCode = RegionFailed;
    else if (!budgetPasses)
        exitCode = BudgetExceeded;
    else if (outputFailed)
        exitCode = OutputFailed;
    emit finished(exitCode);
}

void CliCommand::printTable(const TestRecord &test, const QList<QPair<QString, QList<Budget::Check>>> &checks,
    const QStringList &harFiles, const QString &pdfFile) const
{
    m_out << "URL      " << test.url << '\n';
    m_out << "Started  " << test.startedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) << " UTC   "
          << test.runsPerRegion << (test.runsPerRegion == 1 ? " run" : " runs") << " per region   Profile "
          << test.options.profile << "   Timeout " << test.options.timeoutMs / 1000 << " s\n";
    if (m_settings.save)
        m_out << "Saved    test " << test.id << " in " << QDir::toNativeSeparators(m_settings.databasePath) << '\n';
    m_out << '\n';

    qsizetype width = 6;
    for (const QString &code : test.regions)
        width = std::max(width, code.size() + 4);
    const auto row = [&](const QString &label, const QString &runs, const QString &status, const PageMetrics &m) {
        m_out << label.leftJustified(width) << runs.rightJustified(5) << "  " << status.leftJustified(14)
              << formatMs(m.ttfbMs).rightJustified(9) << formatMs(m.firstContentfulPaintMs).rightJustified(9)
              << formatMs(m.largestContentfulPaintMs).rightJustified(9)
              << formatMs(m.domContentLoadedMs).rightJustified(9) << formatMs(m.loadMs).rightJustified(9)
              << formatMs(m.fullyLoadedMs).rightJustified(9)
              << (m.cumulativeLayoutShift ? QString::number(*m.cumulativeLayoutShift, 'f', 3) : QStringLiteral("—"))
                     .rightJustified(7)
              << QString::number(m.requestCount).rightJustified(6)
              << DataSize::text(m.totalEncodedBytes).rightJustified(10) << '\n';
    };
    const auto absentRow = [&](const QString &label, const QString &runs, const QString &status) {
        m_out << label.leftJustified(width) << runs.rightJustified(5) << "  " << status << '\n';
    };
    m_out << QStringLiteral("Region").leftJustified(width)
          << " Runs  Status             TTFB      FCP      LCP      DCL     Load    Fully    CLS  Reqs     Bytes\n";
    for (const RegionSummary &summary : RegionSummary::of(test)) {
        const QString &code = summary.code;
        const QString runs = QStringLiteral("%1/%2").arg(summary.okRuns).arg(test.runsPerRegion);
        const std::optional<LoadError> &error = summary.firstError;
        for (const RunView view : { RunView::First, RunView::Repeat }) {
            if (view == RunView::Repeat && !test.options.repeatView)
                continue;
            const QString label = view == RunView::First ? code : code + QStringLiteral(" rpt");
            const std::optional<PageMetrics> &median = summary.medianOf(view);
            QString status = error ? LoadError::kindName(error->kind) : QStringLiteral("ok");
            if (median && median->documentStatus && !error)
                status = QString::number(*median->documentStatus);
            if (median)
                row(label, runs, status, *median);
            else
                absentRow(label, runs, status + QStringLiteral("  (nothing measured)"));
        }
    }

    bool anyError = false;
    for (const QString &code : test.regions) {
        for (const RegionRun &run : test.region(code).runs) {
            if (run.ok())
                continue;
            if (!anyError)
                m_out << "\nErrors\n";
            anyError = true;
            m_out << "  " << code << " run " << run.index << ": "
                  << (run.error ? run.error->message : QStringLiteral("the run did not end")) << '\n';
        }
    }

    if (!m_settings.budget.isEmpty()) {
        bool pass = true;
        for (const auto &entry : checks)
            pass = pass && Budget::passes(entry.second);
        m_out << "\nBudget   " << (pass ? "passed" : "EXCEEDED") << '\n';
        for (const auto &[code, regionChecks] : checks) {
            for (const Budget::Check &check : regionChecks) {
                m_out << "  " << code.leftJustified(width) << (check.pass ? "pass  " : "FAIL  ") << check.describe()
                      << '\n';
            }
        }
    }
    if (!harFiles.isEmpty() || !pdfFile.isEmpty())
        m_out << '\n';
    for (const QString &path : harFiles)
        m_out << "HAR      " << QDir::toNativeSeparators(path) << '\n';
    if (!pdfFile.isEmpty())
        m_out << "PDF      " << QDir::toNativeSeparators(pdfFile) << '\n';
    m_out << '\n';
}

// ---- history ----

int CliCommand::history(const QStringList &arguments)
{
    const QString command = QStringLiteral("history");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Lists the tests in the app's history, newest first."));
    parser.addHelpOption();
    const QCommandLineOption database(QStringLiteral("database"),
        QStringLiteral("The history database (default: the app's)."), QStringLiteral("FILE"));
    const QCommandLineOption format(QStringLiteral("format"), QStringLiteral("Output: table, json or csv."),
        QStringLiteral("FORMAT"), QStringLiteral("table"));
    parser.addOptions({ database, format });
    QStringList argv = arguments;
    argv.prepend(programName + u' ' + command);
    if (!parser.parse(argv))
        return usage(command, parser.errorText(), &parser);
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << helpText(parser, command);
        m_out.flush();
        return Success;
    }
    if (!parser.positionalArguments().isEmpty())
        return usage(command, QStringLiteral("takes no arguments, only options"), &parser);
    const QString chosenFormat = parser.value(format).toLower();
    if (!runFormats.contains(chosenFormat)) {
        return usage(command,
            QStringLiteral("unknown format \"%1\" (one of %2)")
                .arg(parser.value(format), runFormats.join(QStringLiteral(", "))),
            &parser);
    }
    quietLogs(false);

    const QString path = parser.isSet(database) ? parser.value(database) : defaultDatabasePath();
    QList<TestSummary> tests;
    // Reading must not leave an empty database behind where there was none.
    if (QFileInfo::exists(path)) {
        HistoryStore store(path);
        if (!store.open())
            return fail(FleetProblem, store.lastError());
        tests = store.list();
        if (!store.lastError().isEmpty())
            return fail(FleetProblem, store.lastError());
    }

    const auto loadText = [](const std::optional<RegionLoad> &load) {
        return load ? QStringLiteral("%1 %2").arg(load->region, formatMs(load->medianLoadMs)) : QStringLiteral("—");
    };
    if (chosenFormat == u"json") {
        QJsonArray array;
        const auto loadJson = [](const std::optional<RegionLoad> &load) {
            return load ? QJsonValue(QJsonObject { { QStringLiteral("region"), load->region },
                       { QStringLiteral("medianLoadMs"), load->medianLoadMs } })
                        : QJsonValue(QJsonValue::Null);
        };
        for (const TestSummary &test : std::as_const(tests)) {
            array.append(QJsonObject {
                { QStringLiteral("id"), test.id },
                { QStringLiteral("url"), test.url },
                { QStringLiteral("label"), test.label },
                { QStringLiteral("startedAt"), isoOrNull(test.startedAt) },
                { QStringLiteral("finishedAt"), isoOrNull(test.finishedAt) },
                { QStringLiteral("regions"), QJsonArray::fromStringList(test.regions) },
                { QStringLiteral("fastest"), loadJson(test.fastest) },
                { QStringLiteral("slowest"), loadJson(test.slowest) },
            });
        }
        const QJsonObject document { { QStringLiteral("schema"), historyJsonSchema },
            { QStringLiteral("database"), path }, { QStringLiteral("tests"), array } };
        m_out << QJsonDocument(document).toJson(QJsonDocument::Indented);
    } else if (chosenFormat == u"csv") {
        const QStringList header { QStringLiteral("id"), QStringLiteral("started_at"), QStringLiteral("finished_at"),
            QStringLiteral("url"), QStringLiteral("label"), QStringLiteral("regions"), QStringLiteral("fastest_region"),
            QStringLiteral("fastest_load_ms"), QStringLiteral("slowest_region"), QStringLiteral("slowest_load_ms") };
        m_out << header.join(u',') << "\r\n";
        for (const TestSummary &test : std::as_const(tests)) {
            const auto time
                = [](const QDateTime &t) { return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString(); };
            const QStringList fields { QString::number(test.id), time(test.startedAt), time(test.finishedAt),
                CsvExporter::field(test.url), CsvExporter::field(test.label),
                CsvExporter::field(test.regions.join(u' ')),
                test.fastest ? CsvExporter::field(test.fastest->region) : QString(),
                CsvExporter::number(test.fastest ? std::optional<double>(test.fastest->medianLoadMs) : std::nullopt),
                test.slowest ? CsvExporter::field(test.slowest->region) : QString(),
                CsvExporter::number(test.slowest ? std::optional<double>(test.slowest->medianLoadMs) : std::nullopt) };
            m_out << fields.join(u',') << "\r\n";
        }
    } else if (tests.isEmpty()) {
        m_out << "No tests in the history " << QDir::toNativeSeparators(path) << '\n';
    } else {
        m_out << "    ID  Started (UTC)         Regions               Fastest             Slowest             URL\n";
        for (const TestSummary &test : std::as_const(tests)) {
            QString regions = test.regions.join(u',');
            if (regions.size() > 20)
                regions = regions.left(19) + u'…';
            m_out << QString::number(test.id).rightJustified(6) << "  "
                  << test.startedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")).leftJustified(20) << "  "
                  << regions.leftJustified(20) << "  " << loadText(test.fastest).leftJustified(18) << "  "
                  << loadText(test.slowest).leftJustified(18) << "  " << test.url
                  << (test.finishedAt.isValid() ? QString() : QStringLiteral("  (unfinished)"))
                  << (test.label.isEmpty() ? QString() : QStringLiteral("  \"%1\"").arg(test.label)) << '\n';
        }
    }
    m_out.flush();
    return Success;
}

// ---- export ----

int CliCommand::exportTest(const QStringList &arguments)
{
    const QString command = QStringLiteral("export");
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Writes one test of the history to files in DIR: csv (<id>-regions.csv and <id>-requests.csv, "
        "app/core/CSV.md), har (<id>-<region>.har, HAR 1.2) or json (<id>.json, app/cli/JSON.md), and prints "
        "their paths."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The test's id, as history lists it."));
    const QCommandLineOption database(QStringLiteral("database"),
        QStringLiteral("The history database (default: the app's)."), QStringLiteral("FILE"));
    const QCommandLineOption format(
        QStringLiteral("format"), QStringLiteral("csv, har or json."), QStringLiteral("FORMAT"), QStringLiteral("csv"));
    const QCommandLineOption output(QStringLiteral("output"),
        QStringLiteral("The directory to write to (created if needed)."), QStringLiteral("DIR"));
    const QCommandLineOption fleet(QStringLiteral("fleet"),
        QStringLiteral("The fleet config whose region names the JSON gives (default: the app's)."),
        QStringLiteral("FILE"));
    parser.addOptions({ database, format, output, fleet });
    QStringList argv = arguments;
    argv.prepend(programName + u' ' + command);
    if (!parser.parse(argv))
        return usage(command, parser.errorText(), &parser);
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << helpText(parser, command);
        m_out.flush();
        return Success;
    }
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 1)
        return usage(command, QStringLiteral("give exactly one test id"), &parser);
    bool ok = false;
    const qint64 testId = positional.first().toLongLong(&ok);
    if (!ok || testId <= 0)
        return usage(command, QStringLiteral("\"%1\" is not a test id").arg(positional.first()), &parser);
    const QString chosenFormat = parser.value(format).toLower();
    if (!exportFormats.contains(chosenFormat)) {
        return usage(command,
            QStringLiteral("unknown format \"%1\" (one of %2)")
                .arg(parser.value(format), exportFormats.join(QStringLiteral(", "))),
            &parser);
    }
    const QString dir = parser.value(output);
    if (dir.isEmpty())
        return usage(command, QStringLiteral("--output DIR is required"), &parser);
    quietLogs(false);

    const QString path = parser.isSet(database) ? parser.value(database) : defaultDatabasePath();
    if (!QFileInfo::exists(path))
        return usage(command, QStringLiteral("no test %1: there is no history %2").arg(testId).arg(path), nullptr);
    HistoryStore store(path);
    if (!store.open())
        return fail(FleetProblem, store.lastError());
    const std::optional<TestRecord> test = store.load(testId);
    if (!test) {
        const QList<TestSummary> all = store.list();
        const bool exists = std::any_of(all.begin(), all.end(), [&](const TestSummary &s) { return s.id == testId; });
        if (!exists)
            return usage(command, QStringLiteral("no test %1 in %2").arg(testId).arg(path), nullptr);
        return fail(FleetProblem, store.lastError());
    }

    QString error;
    if (!makeDirectory(dir, &error))
        return fail(OutputFailed, error);
    QStringList written;
    if (chosenFormat == u"csv") {
        written = CsvExporter::writeFiles(*test, dir, &error);
    } else if (chosenFormat == u"har") {
        written = HarExporter::writeRegions(*test, dir, QStringLiteral(WORLDSPEED_VERSION), &error);
    } else {
        const QString fleetPath = parser.isSet(fleet) ? parser.value(fleet) : defaultFleetPath();
        QString fleetError;
        // Only names come from it: a fleet that cannot be read costs the JSON its region names, not its numbers.
        const auto config = loadFleet(fleetPath, parser.isSet(fleet), &fleetError);
        setRegionNames(config.value_or(FleetConfig {}));
        const QString file = QDir(dir).filePath(QString::number(testId) + QStringLiteral(".json"));
        if (writeFile(
                file, QJsonDocument(testJson(*test, true, m_names, Budget {})).toJson(QJsonDocument::Indented), &error))
            written.append(file);
    }
    if (written.isEmpty())
        return fail(OutputFailed, error);
    for (const QString &file : std::as_const(written))
        m_out << QDir::toNativeSeparators(file) << '\n';
    m_out.flush();
    return Success;
}
