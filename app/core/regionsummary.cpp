#include "regionsummary.h"

#include <algorithm>

namespace {

// Where a region of a running test stands while some of its runs are still to end.
RegionSummary::Phase livePhase(const RegionRecord &record)
{
    switch (record.state) {
    case RunState::Queued:
        // Waiting for a probe to boot is the cold start the map shows; waiting for a busy one is a queue.
        return record.probeStarting ? RegionSummary::Phase::Booting : RegionSummary::Phase::Queued;
    case RunState::StartingBrowser:
        return RegionSummary::Phase::StartingBrowser;
    case RunState::Loading:
        return RegionSummary::Phase::Loading;
    case RunState::Complete:
    case RunState::Error:
        break;
    }
    // A run's end is decided by its done, which is on its way while the latest run has not ended; after it, the
    // region waits for its next run.
    const bool latestOpen = !record.runs.isEmpty() && !record.runs.constLast().finished;
    return latestOpen ? RegionSummary::Phase::Loading : RegionSummary::Phase::Queued;
}

std::optional<int> medianRunIndex(const RegionRecord &record)
{
    QList<const RegionRun *> measured;
    for (const RegionRun &run : record.runs) {
        if (run.ok() && run.firstViewMeasured)
            measured.append(&run);
    }
    if (!measured.isEmpty()) {
        std::stable_sort(measured.begin(), measured.end(), [](const RegionRun *a, const RegionRun *b) {
            const auto key = [](const RegionRun *run) { return run->firstView.metrics.loadMs.value_or(1e12); };
            return key(a) < key(b);
        });
        return measured.at((measured.size() - 1) / 2)->index;
    }
    const RegionRun *most = nullptr;
    for (const RegionRun &run : record.runs) {
        if (!most || run.firstView.requests.size() > most->firstView.requests.size())
            most = &run;
    }
    return most ? std::optional<int>(most->index) : std::nullopt;
}

} // namespace

std::optional<PageMetrics> RegionSummary::medianOf(const RegionRecord &record, RunView view)
{
    QList<PageMetrics> observed;
    for (const RegionRun &run : record.runs) {
        const ViewResult *result = run.view(view);
        if (run.ok() && result && run.measured(view))
            observed.append(result->metrics);
    }
    if (observed.isEmpty())
        return std::nullopt;
    return PageMetrics::median(observed);
}

std::optional<PageMetrics> RegionSummary::medianOfStep(const RegionRecord &record, qsizetype step)
{
    if (step <= 0)
        return medianOf(record, RunView::First);
    QList<PageMetrics> observed;
    for (const RegionRun &run : record.runs) {
        if (run.ok() && step < run.stepCount() && run.stepMeasured(step))
            observed.append(run.stepView(step).metrics);
    }
    if (observed.isEmpty())
        return std::nullopt;
    return PageMetrics::median(observed);
}

qsizetype RegionSummary::stepCountOf(const RegionRecord &record)
{
    qsizetype count = 1;
    for (const RegionRun &run : record.runs)
        count = std::max(count, run.stepCount());
    return count;
}

RegionSummary RegionSummary::of(const TestRecord &test, const QString &code)
{
    RegionSummary summary;
    summary.code = code;
    summary.runsPerRegion = std::max(1, test.runsPerRegion);
    const auto found = test.results.constFind(code);
    if (!test.regions.contains(code) || found == test.results.cend())
        return summary;
    const RegionRecord &record = *found;
    summary.detail = record.detail;
    summary.runs = static_cast<int>(record.runs.size());
    for (const RegionRun &run : record.runs) {
        summary.finishedRuns += run.finished ? 1 : 0;
        summary.okRuns += run.ok() ? 1 : 0;
        summary.medianRuns += run.ok() && run.firstViewMeasured ? 1 : 0;
        if (run.finished && run.error) {
            if (!summary.firstError)
                summary.firstError = run.error;
            summary.lastError = run.error;
        }
    }
    summary.median = medianOf(record, RunView::First);
    summary.repeatViewMedian = medianOf(record, RunView::Repeat);
    summary.representativeRun = medianRunIndex(record);

    if (summary.lastError)
        summary.failure = summary.lastError->message.isEmpty() ? LoadError::kindName(summary.lastError->kind)
                                                               : summary.lastError->message;
    else if (record.state == RunState::Error)
        summary.failure = record.detail;
    const bool inProgress = test.running && summary.finishedRuns < summary.runsPerRegion;
    if (summary.failure.isEmpty() && !inProgress && summary.finishedRuns < summary.runs)
        summary.failure = tr("the run did not end");

    if (summary.okRuns > 0)
        summary.status = Status::Measured;
    else if (!summary.failure.isEmpty())
        summary.status = Status::Failed;
    if (inProgress) {
        summary.phase = livePhase(record);
        if (summary.phase == Phase::Loading && !summary.median && !record.runs.isEmpty())
            summary.atLoad = record.runs.constLast().firstViewAtLoad;
    } else
        summary.phase = summary.okRuns > 0 ? Phase::Complete : Phase::Failed;
    return summary;
}

QList<RegionSummary> RegionSummary::of(const TestRecord &test)
{
    QList<RegionSummary> summaries;
    summaries.reserve(test.regions.size());
    for (const QString &code : test.regions)
        summaries.append(of(test, code));
    return summaries;
}

double RegionSummary::doneRuns() const
{
    if (isOver())
        return runsPerRegion;
    double current = 0;
    switch (phase) {
    case Phase::Booting:
        current = 0.1;
        break;
    case Phase::StartingBrowser:
        current = 0.2;
        break;
    case Phase::Loading:
        current = 0.5;
        break;
    default:
        break;
    }
    return std::min<double>(finishedRuns + current, runsPerRegion);
}

bool RegionSummary::lacksToken(const QString &text)
{
    // The words of the backends' refusals: a cloud's API token (CloudApiClient), a probe of the user's
    // (StaticBackend).
    return text.contains(QStringLiteral("the secret store holds nothing"))
        || (text.contains(QStringLiteral("no token for ")) && text.contains(QStringLiteral("in the keychain")));
}

QString RegionSummary::stateText() const
{
    const QString progress = runsPerRegion > 1
        ? QStringLiteral(" (run %1 of %2)").arg(std::min(finishedRuns + 1, runsPerRegion)).arg(runsPerRegion)
        : QString();
    switch (phase) {
    case Phase::Idle:
        return tr("Idle");
    case Phase::Queued:
        return tr("Waiting for a probe") + progress;
    case Phase::Booting:
        // The pool retries a failed boot for as long as the run may wait, but its reason is known at once: say it
        // (the detail, in full, is the table's tool tip). A missing token will not appear by waiting.
        if (lacksToken(detail))
            return tr("No token: open Settings");
        if (detail.startsWith(QStringLiteral("starting a probe failed")))
            return tr("Probe did not start, retrying") + progress;
        return tr("Starting a probe") + progress;
    case Phase::StartingBrowser:
        return tr("Starting browser") + progress;
    case Phase::Loading:
        return (atLoad ? tr("Loaded, finishing…") : tr("Loading page")) + progress;
    case Phase::Complete:
        return median && median->documentStatus ? tr("%1 Complete").arg(*median->documentStatus) : tr("Complete");
    case Phase::Failed:
        // Stopped by the user: not the page's fault, and said without alarm.
        if (lastError && lastError->kind == LoadError::Kind::Cancelled)
            return tr("Cancelled");
        // The pool ends a run at once when its probe cannot start for want of a token: say what to do.
        if (lacksToken(failure))
            return tr("No token: open Settings");
        return tr("Failed: %1").arg(failure.isEmpty() ? (detail.isEmpty() ? tr("no result") : detail) : failure);
    }
    return {};
}
