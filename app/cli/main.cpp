#include "appenvironment.h"
#include "clidispatcher.h"
#include "cliexitcode.h"

#include <QGuiApplication>
#include <QTextStream>

#include <algorithm>
#include <cstdio>
#include <memory>

int main(int argc, char *argv[])
{
    // Only the PDF report needs a QGuiApplication: it lays out text, which needs fonts and so a platform plugin.
    // Everything else runs on a QCoreApplication, which asks nothing of the machine (no display, no runtime
    // folder), so a plain run prints nothing on stderr that is not ours.
    const bool wantsPdf = std::any_of(argv + 1, argv + argc,
        [](const char *argument) { return qstrcmp(argument, "--pdf") == 0 || qstrncmp(argument, "--pdf=", 6) == 0; });
    // This program never shows a window and runs on servers and CI machines without a display, where the default
    // platform (xcb) would abort; whoever wants another one still sets it.
    if (wantsPdf && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    const std::unique_ptr<QCoreApplication> app
        = wantsPdf ? std::make_unique<QGuiApplication>(argc, argv) : std::make_unique<QCoreApplication>(argc, argv);
    // The app's names, so that its history, fleet config and settings are found where the app keeps them.
    AppEnvironment::nameApplication();

    QTextStream out(stdout);
    QTextStream err(stderr);
    CliDispatcher cli(out, err, CliConsole::stderrIsTerminal());
    const int early = cli.start(QCoreApplication::arguments().mid(1));
    if (early != CliExitCode::Running)
        return early;
    QObject::connect(&cli, &CliDispatcher::finished, app.get(), [](int code) { QCoreApplication::exit(code); });
    return QCoreApplication::exec();
}
