#pragma once

// What the side panels' GUI tests share: regions from the built-in catalog, a view's metrics, a one-run test fed
// into a RegionModel as RunRecorder feeds it, a colour comparison for pixel checks, and screenshots kept where
// WORLDSPEED_SCREENSHOT_DIR says.

#include "regioncatalog.h"
#include "regionmodel.h"
#include "testrecord.h"

#include <QColor>
#include <QDir>
#include <QImage>
#include <QTest>

#include <cstdlib>
#include <optional>

inline QList<RegionCatalog::Region> someRegions(const QStringList &codes)
{
    const RegionCatalog catalog = RegionCatalog::builtIn();
    QList<RegionCatalog::Region> regions;
    for (const QString &code : codes)
        regions.append(catalog.find(code).value());
    return regions;
}

inline PageMetrics metrics(
    std::optional<double> ttfb, std::optional<double> fcp, std::optional<double> lcp, std::optional<double> load)
{
    PageMetrics m;
    m.documentStatus = 200;
    m.ttfbMs = ttfb;
    m.firstContentfulPaintMs = fcp;
    m.largestContentfulPaintMs = lcp;
    m.domContentLoadedMs = load ? std::optional<double>(*load * 0.8) : std::nullopt;
    m.loadMs = load;
    m.requestCount = 42;
    m.totalEncodedBytes = 512'000;
    return m;
}

// A one-run test of `codes`, running, as the region model reads it.
inline TestRecord startTest(RegionModel &model, const QStringList &codes)
{
    TestRecord test;
    test.regions = codes;
    test.running = true;
    for (const QString &code : codes)
        test.results.insert(code, RegionRecord {});
    model.setTest(test);
    return test;
}

// The region's run ended with these first-view numbers.
inline void finishWith(RegionModel &model, TestRecord &test, const QString &code, const PageMetrics &metrics)
{
    RegionRun run;
    run.finished = true;
    run.firstView.metrics = metrics;
    run.firstViewMeasured = true;
    test.results[code].runs = { run };
    model.updateRegion(test, code);
}

inline bool near(const QColor &a, const QColor &b, int tolerance = 16)
{
    return std::abs(a.red() - b.red()) <= tolerance && std::abs(a.green() - b.green()) <= tolerance
        && std::abs(a.blue() - b.blue()) <= tolerance;
}

// Keeps `image` as `name` in WORLDSPEED_SCREENSHOT_DIR, when that is set.
inline void save(const QImage &image, const QString &name)
{
    const QString dir = qEnvironmentVariable("WORLDSPEED_SCREENSHOT_DIR");
    if (dir.isEmpty())
        return;
    QDir().mkpath(dir);
    QVERIFY(image.save(QDir(dir).filePath(name)));
}
