#include "measurecommand.h"

#include "model/atomicfile.h"
#include "model/displayformat.h"
#include "model/harbuilder.h"
#include "model/loadoptionsparser.h"
#include "model/pagemetric.h"
#include "model/testscript.h"
#include "pageload.h"

#include <QCommandLineParser>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>

namespace {

// `worldspeed-probe measure` links no keychain: a secret the options name (basic auth's password, ${secret:NAME} in a
// header or cookie) is read from where --secret says, NAME=env:VARIABLE or NAME=file:PATH, so that its value is never
// on the command line. Returns the problem, or an empty string once every secret has its value.
QString readSecrets(const QStringList &sources, TestSettings &test)
{
    QHash<QString, QString> where;
    for (const QString &source : sources) {
        const qsizetype equals = source.indexOf(u'=');
        if (equals <= 0)
            return QStringLiteral("--secret is written NAME=env:VARIABLE or NAME=file:PATH, not \"%1\"").arg(source);
        where.insert(source.left(equals), source.mid(equals + 1));
    }
    for (const QString &name : test.secretNames()) {
        const QString source = where.value(name);
        QString value;
        if (source.startsWith(u"env:")) {
            value = qEnvironmentVariable(source.mid(4).toLocal8Bit().constData());
        } else if (source.startsWith(u"file:")) {
            QFile file(source.mid(5));
            if (!file.open(QIODevice::ReadOnly))
                return QStringLiteral("secret %1: cannot read %2: %3").arg(name, file.fileName(), file.errorString());
            value = QString::fromUtf8(file.read(TestSettings::maxValueLength + 2));
            // A file written by `echo` ends in a newline that is not part of the password.
            while (value.endsWith(u'\n') || value.endsWith(u'\r'))
                value.chop(1);
        } else {
            return QStringLiteral("the options use the secret %1: say where it is with --secret %1=env:VARIABLE or "
                                  "--secret %1=file:PATH")
                .arg(name);
        }
        if (value.isEmpty() || value.size() > TestSettings::maxValueLength)
            return QStringLiteral("secret %1 (%2) is empty or over %3 characters")
                .arg(name, source)
                .arg(TestSettings::maxValueLength);
        test.secretValues.insert(name, value);
    }
    return QString();
}

} // namespace

int MeasureCommand::exitCodeFor(LoadError::Kind kind)
{
    switch (kind) {
    case LoadError::Kind::InvalidUrl:
    case LoadError::Kind::Refused:
        return Usage;
    case LoadError::Kind::DnsFailure:
        return DnsFailure;
    case LoadError::Kind::ConnectionFailed:
        return ConnectionFailed;
    case LoadError::Kind::TlsFailure:
        return TlsFailure;
    case LoadError::Kind::Timeout:
        return Timeout;
    case LoadError::Kind::HttpError:
        return HttpError;
    case LoadError::Kind::BrowserUnavailable:
        return BrowserUnavailable;
    case LoadError::Kind::BrowserCrashed:
    case LoadError::Kind::BrowserUnresponsive:
        return BrowserCrashed;
    case LoadError::Kind::BadResponse:
    case LoadError::Kind::Cancelled:
    case LoadError::Kind::Other:
        break;
    }
    return LoadFailed;
}

MeasureCommand::MeasureCommand(QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent)
    , m_out(out)
    , m_err(err)
{ }

MeasureCommand::~MeasureCommand() = default;

int MeasureCommand::parse(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Loads URL in a fresh headless Chromium context and reports its timings.\n\n"
                       "Exit codes: 0 success, 2 usage or bad URL, 3 DNS failure, 4 connection failed, 5 TLS "
                       "failure, 6 timeout, 7 HTTP 4xx/5xx document, 8 Chrome not found or would not start, 9 "
                       "Chrome crashed or stopped answering, 10 other load failure, 11 output file not written."));
    parser.addHelpOption();
    parser.addPositionalArgument(
        QStringLiteral("URL"), QStringLiteral("The page to load (http or https); left out with --script."));
    const QCommandLineOption json(QStringLiteral("json"), QStringLiteral("Print the runs as JSON instead of a table."));
    const QCommandLineOption har(
        QStringLiteral("har"), QStringLiteral("Write a HAR 1.2 file of all runs."), QStringLiteral("FILE"));
    const QCommandLineOption screenshot(QStringLiteral("screenshot"),
        QStringLiteral("Write a PNG screenshot taken at the load event of the first run."), QStringLiteral("FILE"));
    const QCommandLineOption chrome(
        QStringLiteral("chrome"), QStringLiteral("Path of the Chrome or Chromium to use."), QStringLiteral("PATH"));
    const QCommandLineOption secret(QStringLiteral("secret"),
        QStringLiteral("Where the value of a secret the options name is: NAME=env:VARIABLE or NAME=file:PATH "
                       "(repeatable)."),
        QStringLiteral("NAME=SOURCE"));
    const LoadOptionsParser loadOptions(QStringLiteral("Number of runs"));
    parser.addOptions({ json, har });
    loadOptions.addOptions(parser);
    parser.addOptions({ secret, screenshot, chrome });

    QStringList argv = arguments;
    argv.prepend(QStringLiteral("worldspeed-probe measure"));
    if (!parser.parse(argv)) {
        m_err << "worldspeed-probe measure: " << parser.errorText() << "\n\n" << parser.helpText();
        m_err.flush();
        return Usage;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        m_out << parser.helpText();
        m_out.flush();
        return Success;
    }
    const auto usage = [&](const QString &message) {
        m_err << "worldspeed-probe measure: " << message << '\n';
        m_err.flush();
        return static_cast<int>(Usage);
    };
    QString error;
    const auto values = loadOptions.read(parser, &error);
    if (!values)
        return usage(error);
    m_loadOptions = values->options;

    const QStringList positional = parser.positionalArguments();
    const bool scripted = !m_loadOptions.test.script.isEmpty();
    if (scripted && !positional.isEmpty())
        return usage(QStringLiteral("give a URL or --script, not both: the script's navigate says where to go"));
    if (!scripted && positional.size() != 1)
        return usage(QStringLiteral("give exactly one URL (see --help)"));
    // A script starts at its first navigate, as written (a secret in it stays a reference here).
    const QString urlText
        = scripted ? TestScript::parse(m_loadOptions.test.script, nullptr)->firstUrl() : positional.first();
    m_url = scripted ? QUrl(urlText) : QUrl::fromUserInput(urlText);
    const QString scheme = m_url.scheme().toLower();
    if (!m_url.isValid() || m_url.host().isEmpty() || (scheme != u"http" && scheme != u"https"))
        return usage(QStringLiteral("\"%1\" is not an http or https URL").arg(urlText));

    m_runCount = values->runs;
    if (const QString problem = readSecrets(parser.values(secret), m_loadOptions.test); !problem.isEmpty())
        return usage(problem);
    m_screenshotPath = parser.value(screenshot);
    m_loadOptions.screenshot = !m_screenshotPath.isEmpty();
    m_json = parser.isSet(json);
    m_harPath = parser.value(har);
    m_chromeOptions.executable = parser.value(chrome);
    return -1;
}

void MeasureCommand::start()
{
    m_scheduler = new LoadScheduler(LoadScheduler::Options { m_chromeOptions, 1 }, this);
    submitNext();
}

void MeasureCommand::submitNext()
{
    PageLoad *load = m_scheduler->submit(m_url, m_loadOptions);
    connect(load, &PageLoad::finished, this, [this, load] {
        const RunResult run = load->result();
        load->deleteLater();
        onRunFinished(run);
    });
}

void MeasureCommand::onRunFinished(const RunResult &run)
{
    m_runs.append(run);
    const auto &error = run.firstView.error;
    // Without a browser, or with a site that is down, more runs would only repeat the same error.
    const bool hopeless = error
        && (error->kind == LoadError::Kind::BrowserUnavailable || error->kind == LoadError::Kind::DnsFailure
            || error->kind == LoadError::Kind::ConnectionFailed || error->kind == LoadError::Kind::TlsFailure);
    if (m_runs.size() < m_runCount && !hopeless) {
        submitNext();
        return;
    }
    report();
}

namespace {

// Every measured view of a run: each step's, then the repeat view.
QList<const ViewResult *> viewsOf(const RunResult &run)
{
    QList<const ViewResult *> views;
    for (qsizetype step = 0; step < run.stepCount(); ++step)
        views.append(&run.stepView(step));
    if (run.repeatView)
        views.append(&*run.repeatView);
    return views;
}

} // namespace

QJsonObject MeasureCommand::jsonReport() const
{
    QJsonArray runs;
    QList<PageMetrics> repeat;
    QList<QList<PageMetrics>> steps; // each step's metrics over the runs; step 1's is "median", as before steps
    const auto noScreenshot = [](QJsonObject view) {
        // The screenshot goes to its own file; base64 in a table of numbers helps nobody.
        view.remove(QStringLiteral("screenshotPng"));
        return view;
    };
    for (const RunResult &run : std::as_const(m_runs)) {
        QJsonObject json = run.toJson();
        json.insert(QStringLiteral("firstView"), noScreenshot(json.value(QStringLiteral("firstView")).toObject()));
        if (!run.laterSteps.isEmpty()) {
            QJsonArray later = json.value(QStringLiteral("laterSteps")).toArray();
            for (QJsonValueRef step : later) {
                QJsonObject object = step.toObject();
                object.insert(
                    QStringLiteral("firstView"), noScreenshot(object.value(QStringLiteral("firstView")).toObject()));
                step = object;
            }
            json.insert(QStringLiteral("laterSteps"), later);
        }
        runs.append(json);
        for (qsizetype step = 0; step < run.stepCount(); ++step) {
            if (steps.size() <= step)
                steps.append(QList<PageMetrics>());
            if (run.stepView(step).ok())
                steps[step].append(run.stepView(step).metrics);
        }
        if (run.repeatView && run.repeatView->ok())
            repeat.append(run.repeatView->metrics);
    }
    QJsonObject document { { QStringLiteral("url"), m_url.toString() }, { QStringLiteral("runs"), runs } };
    if (!steps.isEmpty() && !steps.first().isEmpty())
        document.insert(QStringLiteral("median"), PageMetrics::median(steps.first()).toJson());
    if (steps.size() > 1) {
        QJsonArray later;
        for (qsizetype step = 1; step < steps.size(); ++step)
            later.append(steps.at(step).isEmpty() ? QJsonValue() : PageMetrics::median(steps.at(step)).toJson());
        document.insert(QStringLiteral("medianLaterSteps"), later);
    }
    if (!repeat.isEmpty())
        document.insert(QStringLiteral("medianRepeatView"), PageMetrics::median(repeat).toJson());
    return document;
}

void MeasureCommand::report()
{
    int exitCode = Success;
    for (const RunResult &run : std::as_const(m_runs)) {
        for (const ViewResult *view : viewsOf(run)) {
            if (view->error && exitCode == Success)
                exitCode = exitCodeFor(view->error->kind);
        }
    }

    if (m_json) {
        m_out << QJsonDocument(jsonReport()).toJson(QJsonDocument::Indented);
    } else {
        printTable();
        printWarnings();
    }
    m_out.flush();

    QString error;
    if (!m_harPath.isEmpty()) {
        HarBuilder builder(QStringLiteral(WORLDSPEED_VERSION));
        for (const RunResult &run : std::as_const(m_runs))
            builder.addRun(run);
        if (!builder.writeToFile(m_harPath, &error)) {
            m_err << "worldspeed-probe measure: " << error << '\n';
            exitCode = exitCode == Success ? static_cast<int>(OutputFailed) : exitCode;
        }
    }
    if (!m_screenshotPath.isEmpty()) {
        const QByteArray png = m_runs.isEmpty() ? QByteArray() : m_runs.first().firstView.screenshotPng;
        if (png.isEmpty()) {
            m_err << "worldspeed-probe measure: no screenshot was taken (the page never reached its load event)\n";
            exitCode = exitCode == Success ? static_cast<int>(OutputFailed) : exitCode;
        } else if (!AtomicFile::write(m_screenshotPath, png, &error)) {
            m_err << "worldspeed-probe measure: " << error << '\n';
            exitCode = exitCode == Success ? static_cast<int>(OutputFailed) : exitCode;
        }
    }
    [&] {
        for (const RunResult &run : std::as_const(m_runs)) {
            for (qsizetype step = 0; step < run.stepCount(); ++step) {
                if (const auto &stepError = run.stepView(step).error) {
                    m_err << "worldspeed-probe measure: "
                          << (run.stepCount() > 1 ? QStringLiteral("step %1: ").arg(step + 1) : QString())
                          << stepError->message << '\n';
                    return;
                }
            }
        }
    }();
    m_err.flush();
    m_scheduler->shutdown();
    connect(m_scheduler->browser(), &ChromeProcess::stopped, this, [this, exitCode] { emit finished(exitCode); });
    if (m_scheduler->browser()->state() == ChromeProcess::State::NotRunning)
        emit finished(exitCode);
}

void MeasureCommand::printTable() const
{
    printHeader();
    printMetricRows();
    const RunResult &firstRun = m_runs.first();
    for (qsizetype step = 0; step < firstRun.stepCount(); ++step) {
        const QString title = firstRun.stepCount() > 1 ? QStringLiteral("Requests of run 1, step %1").arg(step + 1)
                                                       : QStringLiteral("Requests of run 1");
        printRequests(firstRun.stepView(step), title);
    }
}

void MeasureCommand::printHeader() const
{
    const RunResult &firstRun = m_runs.first();
    m_out << "URL      " << m_url.toString() << '\n';
    // A script's run is named by the pages it measured, not by where its login began.
    if (!m_loadOptions.test.script.isEmpty() && firstRun.stepCount() == 1)
        m_out << "Step     " << firstRun.stepLabel(0) << '\n';
    for (qsizetype step = 0; firstRun.stepCount() > 1 && step < firstRun.stepCount(); ++step)
        m_out << QStringLiteral("Step %1").arg(step + 1).leftJustified(9) << firstRun.stepLabel(step) << '\n';
    m_out << "Browser  " << (firstRun.browserVersion.isEmpty() ? DisplayFormat::missing() : firstRun.browserVersion);
    if (firstRun.browserStartMs)
        m_out << "  (cold start " << DisplayFormat::duration(firstRun.browserStartMs) << ')';
    m_out << '\n';
    m_out << "Profile  " << m_loadOptions.profile << "   Timeout " << DisplayFormat::duration(m_loadOptions.timeoutMs)
          << '\n';
    // Which device, and how slow a CPU: the numbers of a phone and of a desktop must never be mistaken.
    m_out << "Device   " << m_loadOptions.describeDevice() << '\n';
    // How fast this machine is, and so how slow the page's CPU really was: a relative slowdown's rate follows.
    if (firstRun.cpuBenchmarkIndex) {
        m_out << "CPU      benchmark index " << QString::number(*firstRun.cpuBenchmarkIndex, 'f', 0) << " (reference "
              << QString::number(LoadOptions::referenceCpuBenchmarkIndex, 'f', 0) << "), throttled "
              << QString::number(firstRun.cpuSlowdownRate.value_or(1), 'g', 4) << "×\n";
    }
    // What the test set and blocked, its secrets masked: numbers measured with a header are not those without.
    for (const QString &line : m_loadOptions.test.describe())
        m_out << "Setting  " << line << '\n';
    m_out << '\n';
}

void MeasureCommand::printMetricRows() const
{
    // One column per row of the metric table (PageMetric::textWidth). A failed view's status is the kind of its
    // error ("browser-unresponsive"): the status column is as wide as the longest.
    qsizetype statusWidth = 8;
    for (const RunResult &run : m_runs) {
        for (const ViewResult *view : viewsOf(run)) {
            if (view->error)
                statusWidth = std::max(statusWidth, LoadError::kindName(view->error->kind).size() + 2);
        }
    }
    const auto row = [&](const QString &label, const PageMetrics &m, const QString &status) {
        m_out << label.leftJustified(9) << status.leftJustified(statusWidth);
        for (const PageMetric &metric : PageMetric::all())
            m_out << metric.format(m).rightJustified(metric.textWidth());
        m_out << '\n';
    };
    m_out << QStringLiteral("Run").leftJustified(9) << QStringLiteral("Status").leftJustified(statusWidth);
    for (const PageMetric &metric : PageMetric::all())
        m_out << metric.label().rightJustified(metric.textWidth());
    m_out << '\n';
    // A row per step of each run ("2 s3": run 2, step 3), then the repeat view; the medians are per step.
    QList<QList<PageMetrics>> steps;
    QList<PageMetrics> repeat;
    for (qsizetype i = 0; i < m_runs.size(); ++i) {
        const RunResult &run = m_runs.at(i);
        const QList<const ViewResult *> views = viewsOf(run);
        for (qsizetype v = 0; v < views.size(); ++v) {
            const ViewResult *view = views.at(v);
            const bool isRepeat = v >= run.stepCount();
            QString status = view->metrics.documentStatus ? QString::number(*view->metrics.documentStatus)
                                                          : DisplayFormat::missing();
            if (view->error)
                status = LoadError::kindName(view->error->kind);
            const QString step = run.stepCount() > 1 ? QStringLiteral(" s%1").arg(v + 1) : QString();
            row(QString::number(i + 1) + (isRepeat ? QStringLiteral(" rpt") : step), view->metrics, status);
            if (view->ok() && isRepeat)
                repeat.append(view->metrics);
            else if (view->ok()) {
                if (steps.size() <= v)
                    steps.resize(v + 1);
                steps[v].append(view->metrics);
            }
        }
    }
    for (qsizetype step = 0; m_runs.size() > 1 && step < steps.size(); ++step) {
        if (!steps.at(step).isEmpty())
            row(QStringLiteral("median") + (steps.size() > 1 ? QStringLiteral(" s%1").arg(step + 1) : QString()),
                PageMetrics::median(steps.at(step)), QString());
    }
    if (m_runs.size() > 1 && !repeat.isEmpty())
        row(QStringLiteral("med rpt"), PageMetrics::median(repeat), QString());
}

void MeasureCommand::printRequests(const ViewResult &view, const QString &title) const
{
    if (view.requests.isEmpty())
        return;
    m_out << '\n' << title << "  (start and duration from navigation start)\n";
    m_out << "  Status  Type          Start   Duration      Size  URL\n";
    for (const RequestTiming &r : view.requests) {
        QString status = r.status ? QString::number(*r.status) : DisplayFormat::missing();
        if (r.blocked)
            status = QStringLiteral("blocked");
        else if (r.outcome == RequestTiming::Outcome::Failed)
            status = QStringLiteral("failed");
        else if (r.outcome == RequestTiming::Outcome::Unfinished)
            status = QStringLiteral("open");
        QString url = r.url;
        if (url.size() > 70)
            url = url.left(67) + QStringLiteral("...");
        m_out << "  " << status.leftJustified(8) << r.resourceType.left(12).leftJustified(12)
              << DisplayFormat::duration(r.startMs).rightJustified(8)
              << DisplayFormat::duration(r.durationMs).rightJustified(11)
              << (r.encodedBytes ? DisplayFormat::bytes(*r.encodedBytes) : DisplayFormat::missing()).rightJustified(10)
              << "  " << url;
        if (!r.failureText.isEmpty())
            m_out << "  (" << r.failureText << ')';
        m_out << '\n';
    }
}

void MeasureCommand::printWarnings() const
{
    // What the probe cut, refused or answered on the page's behalf: the numbers above are read with it in mind.
    QStringList lines;
    for (qsizetype i = 0; i < m_runs.size(); ++i) {
        const RunResult &run = m_runs.at(i);
        const QString runName = QStringLiteral("run %1").arg(i + 1);
        for (const QString &warning : run.warnings)
            lines.append(runName + QStringLiteral(": ") + warning);
        const QList<const ViewResult *> views = viewsOf(run);
        for (qsizetype v = 0; v < views.size(); ++v) {
            QString viewName = runName;
            if (v >= run.stepCount())
                viewName += QStringLiteral(" repeat view");
            else if (run.stepCount() > 1)
                viewName += QStringLiteral(" step %1").arg(v + 1);
            for (const QString &warning : views.at(v)->warnings)
                lines.append(viewName + QStringLiteral(": ") + warning);
        }
    }
    if (lines.isEmpty())
        return;
    m_out << "\nWarnings\n";
    for (const QString &line : std::as_const(lines))
        m_out << "  " << line << '\n';
}
