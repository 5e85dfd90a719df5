#include "harexporter.h"

#include "protocol/message.h"

#include <QDir>

HarBuilder HarExporter::regionHar(const TestRecord &test, const QString &region, const QString &creatorVersion)
{
    HarBuilder builder(creatorVersion);
    for (const RegionRun &run : test.region(region).runs)
        builder.addRun(test.runResult(run));
    return builder;
}

QString HarExporter::fileName(const TestRecord &test, const QString &region)
{
    return QString::number(test.id) % u'-' % region % u".har";
}

QStringList HarExporter::writeRegions(
    const TestRecord &test, const QString &dir, const QString &creatorVersion, QString *error)
{
    QStringList paths;
    const QDir directory(dir);
    for (const QString &region : test.regions) {
        // Region codes are protocol identifiers (letters, digits, '_' and '-'), so they cannot leave `dir`.
        if (!ProtocolLimits::isIdentifier(region)) {
            if (error)
                *error = u"cannot name a HAR file after the region \"" % region % u'"';
            return {};
        }
        const QString path = directory.filePath(fileName(test, region));
        if (!regionHar(test, region, creatorVersion).writeToFile(path, error))
            return {};
        paths.append(path);
    }
    return paths;
}
