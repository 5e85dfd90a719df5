#include "reportregionsummary.h"

#include <QObject>

#include <algorithm>

namespace {

QString placeName(const QString &code, const std::optional<RegionCatalog::Region> &place)
{
    if (!place || place->city.isEmpty())
        return code;
    return QStringLiteral("%1 (%2)").arg(place->city, code);
}

} // namespace

QList<ReportRegionSummary> ReportRegionSummary::summarize(const TestRecord &test, const RegionCatalog &catalog)
{
    QList<ReportRegionSummary> regions;
    for (const RegionSummary &summary : RegionSummary::of(test)) {
        ReportRegionSummary region;
        static_cast<RegionSummary &>(region) = summary;
        region.place = catalog.find(summary.code);
        region.name = placeName(summary.code, region.place);
        region.city = region.place ? region.place->city : QString();
        const RegionRecord record = test.region(summary.code);
        region.warnings = record.warnings();
        const qsizetype steps = RegionSummary::stepCountOf(record);
        for (qsizetype step = 0; steps > 1 && step < steps; ++step) {
            const auto run = std::find_if(record.runs.cbegin(), record.runs.cend(),
                [step](const RegionRun &candidate) { return step < candidate.stepCount(); });
            region.stepLabels.append(run != record.runs.cend() ? run->stepLabel(step) : QString());
            if (step > 0)
                region.laterStepMedians.append(RegionSummary::medianOfStep(record, step));
        }
        // Paper has no tool tip: a region with nothing to show says why, or that there is nothing.
        if (region.status == RegionSummary::Status::NoResult && region.failure.isEmpty())
            region.failure = region.detail.isEmpty() ? QObject::tr("no result") : region.detail;
        regions.append(region);
    }
    return regions;
}
