#pragma once

#include "model/harbuilder.h"
#include "testrecord.h"

#include <QString>
#include <QStringList>

// A test as HAR files, one per region (a HAR has no notion of regions, and DevTools opens one at a time): each
// run of the region is a page, its repeat view another, as HarBuilder numbers them.
class HarExporter final
{
public:
    static HarBuilder regionHar(const TestRecord &test, const QString &region, const QString &creatorVersion);
    static QString fileName(const TestRecord &test, const QString &region); // "<test id>-<region>.har"
    // Writes <dir>/<test id>-<region>.har for every region of the test. Returns the paths, or an empty list and
    // says why; a region code that could not be a file name is refused rather than written somewhere else.
    static QStringList writeRegions(
        const TestRecord &test, const QString &dir, const QString &creatorVersion, QString *error);
};
