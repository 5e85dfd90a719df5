#include "loadoptionsparser.h"

#include "connectivityprofile.h"
#include "deviceprofile.h"
#include "testscript.h"

#include <QCommandLineParser>
#include <QFile>
#include <QRegularExpression>

namespace {

constexpr int maxTimeoutSeconds = LoadOptions::maxTimeoutMs / 1000;

// Hosts as --block-domains takes them: separated by spaces or commas, as WebPageTest's blockDomains.
QString readHosts(const QCommandLineParser &parser, const QCommandLineOption &option, QStringList &hosts)
{
    static const QRegularExpression separators(QStringLiteral("[\\s,]+"));
    static const QRegularExpression host(QStringLiteral("^[a-z0-9.-]{1,253}$"));
    for (const QString &value : parser.values(option)) {
        for (const QString &item : value.split(separators, Qt::SkipEmptyParts)) {
            const QString name = item.toLower();
            if (!host.match(name).hasMatch())
                return QStringLiteral("--%1: \"%2\" is not a host name").arg(option.names().first(), item);
            if (!hosts.contains(name))
                hosts.append(name);
        }
    }
    if (hosts.size() > TestSettings::maxItems)
        return QStringLiteral("--%1: at most %2 hosts").arg(option.names().first()).arg(TestSettings::maxItems);
    return QString();
}

// The rows of the test settings (headers, cookies, user agent, auth, blocking); they follow --cpu-slowdown.
QString readHeaders(const QCommandLineParser &parser, const QCommandLineOption &option, TestSettings &test)
{
    const QStringList values = parser.values(option);
    if (values.size() > TestSettings::maxItems)
        return QStringLiteral("--header: at most %1").arg(TestSettings::maxItems);
    for (const QString &text : values) {
        QString problem;
        const auto header = HeaderSetting::parse(text, &problem);
        if (!header)
            return QStringLiteral("--header: %1").arg(problem);
        test.headers.append(*header);
    }
    return QString();
}

QString readPublicHeaders(const QCommandLineParser &parser, const QCommandLineOption &option, TestSettings &test)
{
    for (const QString &name : parser.values(option)) {
        bool found = false;
        for (HeaderSetting &header : test.headers) {
            if (header.name.compare(name, Qt::CaseInsensitive) == 0) {
                header.isPublic = true;
                found = true;
            }
        }
        if (!found)
            return QStringLiteral("--public-header %1: no --header of that name").arg(name);
    }
    return QString();
}

QString readCookies(const QCommandLineParser &parser, const QCommandLineOption &option, TestSettings &test)
{
    const QStringList values = parser.values(option);
    if (values.size() > TestSettings::maxItems)
        return QStringLiteral("--cookie: at most %1").arg(TestSettings::maxItems);
    for (const QString &text : values) {
        QString problem;
        const auto cookie = CookieSetting::parse(text, &problem);
        if (!cookie)
            return QStringLiteral("--cookie: %1").arg(problem);
        test.cookies.append(*cookie);
    }
    return QString();
}

QString readScript(const QString &path, LoadOptions &options)
{
    if (path.isEmpty())
        return QString();
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("--script: cannot read %1: %2").arg(path, file.errorString());
    const QByteArray bytes = file.read(TestScript::maxLength * 4 + 1);
    const QString text = QString::fromUtf8(bytes);
    QString problem;
    if (!TestScript::parse(text, &problem))
        return QStringLiteral("--script %1: %2").arg(path, problem);
    if (options.repeatView)
        return QStringLiteral("--repeat-view and --script cannot be combined: a script's run measures its step once");
    options.test.script = text;
    return QString();
}

} // namespace

// The table, in the order of --help, cut into groups so each stays short; the order is also that of read()'s checks,
// which decides which of two bad values is reported.
LoadOptionsParser::LoadOptionsParser(const QString &runsLabel)
{
    m_rows = runRows(runsLabel) + deviceRows() + requestRows() + pageRows();
}

QList<LoadOptionsParser::Row> LoadOptionsParser::runRows(const QString &runsLabel)
{
    const LoadOptions defaults;
    return {
        { QCommandLineOption(QStringLiteral("profile"),
              QStringLiteral("Connectivity to emulate: %1.")
                  .arg(ConnectivityProfile::names().join(QStringLiteral(", "))),
              QStringLiteral("NAME"), defaults.profile),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                const QString name = parser.value(option);
                const auto profile = ConnectivityProfile::byName(name);
                if (!profile) {
                    return QStringLiteral("unknown profile \"%1\" (one of %2)")
                        .arg(name, ConnectivityProfile::names().join(QStringLiteral(", ")));
                }
                values.options.profile = profile->name;
                return QString();
            } },
        { QCommandLineOption(QStringLiteral("runs"),
              QStringLiteral("%1 (1-%2); the median is reported.").arg(runsLabel, QString::number(maxRuns)),
              QStringLiteral("N"), QStringLiteral("1")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                bool ok = false;
                const int runs = parser.value(option).toInt(&ok);
                if (!ok || runs < 1 || runs > maxRuns)
                    return QStringLiteral("--runs must be a whole number from 1 to %1").arg(maxRuns);
                values.runs = runs;
                return QString();
            } },
        { QCommandLineOption(QStringLiteral("repeat-view"),
              QStringLiteral("Load the page a second time in the same context (warm cache) and report it separately.")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                values.options.repeatView = parser.isSet(option);
                return QString();
            } },
        { QCommandLineOption(QStringLiteral("timeout"),
              QStringLiteral("Seconds one view may take (1-%1).").arg(maxTimeoutSeconds), QStringLiteral("SECONDS"),
              QString::number(defaults.timeoutMs / 1000)),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                bool ok = false;
                const double seconds = parser.value(option).toDouble(&ok);
                // Written so that NaN, which compares false with everything, is refused too.
                if (!ok || !(seconds >= 1 && seconds <= maxTimeoutSeconds))
                    return QStringLiteral("--timeout must be a number of seconds from 1 to %1").arg(maxTimeoutSeconds);
                values.options.timeoutMs = static_cast<int>(seconds * 1000);
                return QString();
            } },
    };
}

QList<LoadOptionsParser::Row> LoadOptionsParser::deviceRows()
{
    const LoadOptions defaults;
    return {
        { QCommandLineOption(QStringLiteral("device"),
              QStringLiteral("Device to load the page as: %1, or WIDTHxHEIGHT[@DPR][,mobile].")
                  .arg(DeviceProfile::presetNames().join(QStringLiteral(", "))),
              QStringLiteral("NAME"), defaults.device),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                QString problem;
                const auto device = DeviceProfile::parse(parser.value(option), &problem);
                if (!device)
                    return QStringLiteral("--device: %1").arg(problem);
                values.options.device = device->name;
                return QString();
            } },
        { QCommandLineOption(QStringLiteral("cpu-slowdown"),
              QStringLiteral(
                  "Slow the page's CPU down N times (1-%1); default: the device's (moto-g-power: 4), else 1.")
                  .arg(LoadOptions::maxCpuSlowdown),
              QStringLiteral("N")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                if (!parser.isSet(option))
                    return QString();
                bool ok = false;
                const int slowdown = parser.value(option).toInt(&ok);
                if (!ok || slowdown < 1 || slowdown > LoadOptions::maxCpuSlowdown)
                    return QStringLiteral("--cpu-slowdown must be a whole number from 1 to %1")
                        .arg(LoadOptions::maxCpuSlowdown);
                values.options.cpuSlowdown = slowdown;
                return QString();
            } },
        { QCommandLineOption(QStringLiteral("cpu-slowdown-reference"),
              QStringLiteral("Read --cpu-slowdown as N times slower than the reference CPU (benchmark index %1), so "
                             "that probes on faster or slower machines run the page alike.")
                  .arg(LoadOptions::referenceCpuBenchmarkIndex)),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                values.options.cpuSlowdownRelative = parser.isSet(option);
                return QString();
            } },
        { QCommandLineOption(QStringLiteral("finish-at"),
              QStringLiteral("When a view ends: fully-loaded (the network quiet for 2 s after the load event) or load "
                             "(at the load event: sooner, but no fully loaded time and no long-task figures)."),
              QStringLiteral("EVENT"), LoadOptions::finishAtName(defaults.finishAt)),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                const auto finishAt = LoadOptions::finishAtNamed(parser.value(option));
                if (!finishAt)
                    return QStringLiteral("--finish-at must be load or fully-loaded, not \"%1\"")
                        .arg(parser.value(option));
                values.options.finishAt = *finishAt;
                return QString();
            } },
    };
}

QList<LoadOptionsParser::Row> LoadOptionsParser::requestRows()
{
    return {
        { QCommandLineOption(QStringLiteral("header"),
              QStringLiteral("Send a request header, \"Name: value\", to every host or, as \"[host] Name: value\", "
                             "to one (repeatable). Its value is a secret in every result unless --public-header."),
              QStringLiteral("HEADER")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                return readHeaders(parser, option, values.options.test);
            } },
        { QCommandLineOption(QStringLiteral("public-header"),
              QStringLiteral("Show the value of the --header of this name in results (repeatable)."),
              QStringLiteral("NAME")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                return readPublicHeaders(parser, option, values.options.test);
            } },
        { QCommandLineOption(QStringLiteral("cookie"),
              QStringLiteral("Set a cookie before the page loads: \"name=value\" for the URL's host, or "
                             "\"name=value; domain=host\" (repeatable). Its value is a secret in every result."),
              QStringLiteral("COOKIE")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                return readCookies(parser, option, values.options.test);
            } },
        { QCommandLineOption(QStringLiteral("user-agent"),
              QStringLiteral("Send this User-Agent instead of the device's."), QStringLiteral("STRING")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                const QString agent = parser.value(option);
                if (agent.size() > 1024 || agent.contains(u'\n') || agent.contains(u'\r'))
                    return QStringLiteral("--user-agent: one line of at most 1024 characters");
                values.options.test.userAgent = agent;
                return QString();
            } },
        { QCommandLineOption(QStringLiteral("basic-auth"),
              QStringLiteral("Answer the URL's host's HTTP basic auth as USER with the password held by the secret "
                             "SECRET (never the password itself)."),
              QStringLiteral("USER:SECRET")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                if (!parser.isSet(option))
                    return QString();
                QString problem;
                values.options.test.basicAuth = BasicAuthSetting::parse(parser.value(option), &problem);
                return problem.isEmpty() ? QString() : QStringLiteral("--basic-auth: %1").arg(problem);
            } },
    };
}

QList<LoadOptionsParser::Row> LoadOptionsParser::pageRows()
{
    return {
        { QCommandLineOption(QStringLiteral("block"),
              QStringLiteral("Block every request whose URL contains PATTERN (repeatable)."),
              QStringLiteral("PATTERN")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                const QStringList patterns = parser.values(option);
                if (patterns.size() > TestSettings::maxItems
                    || std::any_of(patterns.begin(), patterns.end(),
                        [](const QString &p) { return p.isEmpty() || p.size() > 1024; }))
                    return QStringLiteral("--block: at most %1 patterns of 1 to 1024 characters")
                        .arg(TestSettings::maxItems);
                values.options.test.block = patterns;
                return QString();
            } },
        { QCommandLineOption(QStringLiteral("block-domains"),
              QStringLiteral("Block every request to these hosts (separated by spaces or commas)."),
              QStringLiteral("HOSTS")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                return readHosts(parser, option, values.options.test.blockDomains);
            } },
        { QCommandLineOption(QStringLiteral("block-domains-except"),
              QStringLiteral("Block every request to a host not among these."), QStringLiteral("HOSTS")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                return readHosts(parser, option, values.options.test.blockDomainsExcept);
            } },
        { QCommandLineOption(QStringLiteral("script"),
              QStringLiteral("Run this WebPageTest script (a login, then the page to measure) instead of loading one "
                             "URL; ${secret:NAME} in it stands for a secret's value."),
              QStringLiteral("FILE")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                return readScript(parser.value(option), values.options);
            } },
        { QCommandLineOption(QStringLiteral("filmstrip"),
              QStringLiteral("Record a filmstrip of the first view and report Speed Index and visual change times.")),
            [](const QCommandLineParser &parser, const QCommandLineOption &option, Values &values) {
                values.options.filmstrip = parser.isSet(option);
                return QString();
            } },
    };
}

void LoadOptionsParser::addOptions(QCommandLineParser &parser) const
{
    for (const Row &row : m_rows)
        parser.addOption(row.option);
}

std::optional<LoadOptionsParser::Values> LoadOptionsParser::read(const QCommandLineParser &parser, QString *error) const
{
    Values values;
    for (const Row &row : m_rows) {
        const QString problem = row.read(parser, row.option, values);
        if (!problem.isEmpty()) {
            if (error)
                *error = problem;
            return std::nullopt;
        }
    }
    return values;
}
