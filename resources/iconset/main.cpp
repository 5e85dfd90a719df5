#include "iconset.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTextStream>

#include <cstdio>

// A QCoreApplication on purpose: drawing an SVG into a QImage needs no display, and a build step must also run on
// machines without one.
int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("worldspeed-iconset"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Writes the app icon for Linux (hicolor PNGs and SVG), Windows (.ico) and macOS (.icns)."));
    parser.addHelpOption();
    parser.addPositionalArgument(QStringLiteral("svg"), QStringLiteral("The icon, a square SVG."));
    parser.addPositionalArgument(QStringLiteral("output"), QStringLiteral("The folder to write into."));
    parser.process(app);

    QTextStream err(stderr);
    const QStringList arguments = parser.positionalArguments();
    if (arguments.size() != 2) {
        err << "worldspeed-iconset: expected an SVG file and an output folder\n\n" << parser.helpText();
        return 2;
    }
    QString error;
    const std::optional<IconSet> iconSet = IconSet::fromSvgFile(arguments.at(0), &error);
    if (!iconSet || !iconSet->writeTo(arguments.at(1), &error)) {
        err << "worldspeed-iconset: " << error << '\n';
        return 1;
    }
    return 0;
}
