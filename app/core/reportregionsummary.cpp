#include "reportregionsummary.h"

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
    for (const QString &code : test.regions) {
        ReportRegionSummary summary;
        summary.code = code;
        summary.place = catalog.find(code);
        summary.name = placeName(code, summary.place);
        summary.city = summary.place ? summary.place->city : QString();
        const RegionRecord record = test.region(code);
        summary.median = test.medianMetrics(code);
        summary.runs = int(record.runs.size());
        for (const RegionRun &run : record.runs) {
            if (run.ok()) {
                ++summary.okRuns;
            } else if (run.finished && run.error) {
                summary.failure
                    = run.error->message.isEmpty() ? LoadError::kindName(run.error->kind) : run.error->message;
            }
        }
        if (summary.failure.isEmpty() && record.state == RunState::Error)
            summary.failure = record.detail;
        if (summary.okRuns > 0)
            summary.status = ReportRegionSummary::Status::Measured;
        else if (!summary.failure.isEmpty())
            summary.status = ReportRegionSummary::Status::Failed;
        if (summary.status == ReportRegionSummary::Status::NoResult && summary.failure.isEmpty())
            summary.failure = record.detail.isEmpty() ? QObject::tr("no result") : record.detail;
        regions.append(summary);
    }
    return regions;
}
