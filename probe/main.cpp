#include "healthcommand.h"
#include "measurecommand.h"
#include "servecommand.h"

#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

namespace {

void printUsage(QTextStream &stream)
{
    stream << "Usage: worldspeed-probe COMMAND [OPTIONS]\n\n"
              "Commands:\n"
              "  measure URL   load a page in headless Chromium and print its timings (see measure --help)\n"
              "  serve         serve authenticated clients over WebSocket: the fleet daemon (see serve --help)\n"
              "  health        exit 0 when a probe here answers and a browser can start (see health --help)\n"
              "  --version     print the version\n";
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("worldspeed-probe"));
    QCoreApplication::setApplicationVersion(QStringLiteral(WORLDSPEED_VERSION));

    QTextStream out(stdout);
    QTextStream err(stderr);
    QStringList arguments = QCoreApplication::arguments().mid(1);
    const QString command = arguments.isEmpty() ? QString() : arguments.takeFirst();

    if (command == u"--version" || command == u"version") {
        out << "worldspeed-probe " << QCoreApplication::applicationVersion() << '\n';
        return 0;
    }
    if (command == u"--help" || command == u"-h" || command == u"help") {
        printUsage(out);
        return 0;
    }
    if (command == u"measure") {
        MeasureCommand measure(out, err);
        const int early = measure.parse(arguments);
        if (early >= 0)
            return early;
        QObject::connect(&measure, &MeasureCommand::finished, &app, [](int code) { QCoreApplication::exit(code); });
        measure.start();
        return QCoreApplication::exec();
    }
    if (command == u"serve") {
        ServeCommand serve(out, err);
        const int early = serve.start(arguments);
        if (early >= 0)
            return early;
        QObject::connect(&serve, &ServeCommand::finished, &app, [](int code) { QCoreApplication::exit(code); });
        return QCoreApplication::exec();
    }
    if (command == u"health") {
        HealthCommand health(out, err);
        const int early = health.start(arguments);
        if (early >= 0)
            return early;
        QObject::connect(&health, &HealthCommand::finished, &app, [](int code) { QCoreApplication::exit(code); });
        return QCoreApplication::exec();
    }
    err << "worldspeed-probe: unknown command \"" << command << "\"\n\n";
    printUsage(err);
    return 2;
}
