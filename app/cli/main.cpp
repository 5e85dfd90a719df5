#include "clicommand.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    // The app's names, so QStandardPaths finds the app's history and fleet config.
    QCoreApplication::setOrganizationName(QStringLiteral("WorldSpeed"));
    QCoreApplication::setApplicationName(QStringLiteral("WorldSpeed"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WORLDSPEED_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    CliCommand cli(out, err, CliCommand::stderrIsTerminal());
    const int early = cli.start(QCoreApplication::arguments().mid(1));
    if (early >= 0)
        return early;
    QObject::connect(&cli, &CliCommand::finished, &app, [](int code) { QCoreApplication::exit(code); });
    return QCoreApplication::exec();
}
