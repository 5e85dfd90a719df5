#include "loadoptionsparser.h"

#include "connectivityprofile.h"
#include "deviceprofile.h"

#include <QCommandLineParser>

namespace {

constexpr int maxTimeoutSeconds = LoadOptions::maxTimeoutMs / 1000;

} // namespace

LoadOptionsParser::LoadOptionsParser(const QString &runsLabel)
{
    const LoadOptions defaults;
    m_rows = {
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
