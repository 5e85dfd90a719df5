#include "clitablewriter.h"

#include "model/displayformat.h"
#include "model/pagemetric.h"
#include "regionsummary.h"
#include "runreport.h"

#include <QDir>

#include <algorithm>

namespace {

void writeHeading(QTextStream &out, const RunReport &report)
{
    const TestRecord &test = report.test;
    out << "URL      " << test.url << '\n';
    out << "Started  " << test.startedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) << " UTC   "
        << test.runsPerRegion << (test.runsPerRegion == 1 ? " run" : " runs") << " per region   Profile "
        << test.options.profile << "   Timeout " << DisplayFormat::duration(test.options.timeoutMs) << '\n';
    out << "Device   " << test.options.describeDevice() << '\n';
    if (!report.savedIn.isEmpty())
        out << "Saved    test " << test.id << " in " << QDir::toNativeSeparators(report.savedIn) << '\n';
    out << '\n';
}

// The status column: as wide as the longest status ("browser-unresponsive"), so that the rows stay in line.
qsizetype statusWidth(const QList<RegionSummary> &summaries)
{
    qsizetype width = 14;
    for (const RegionSummary &summary : summaries) {
        if (summary.firstError)
            width = std::max(width, LoadError::kindName(summary.firstError->kind).size() + 2);
    }
    return width;
}

// One column per row of the metric table, as `worldspeed-probe measure` prints them.
void writeMedians(QTextStream &out, const TestRecord &test, qsizetype width)
{
    const QList<RegionSummary> summaries = RegionSummary::of(test);
    const qsizetype statusColumn = statusWidth(summaries);
    const auto row = [&](const QString &label, const QString &runs, const QString &status, const PageMetrics &m) {
        out << label.leftJustified(width) << runs.rightJustified(5) << "  " << status.leftJustified(statusColumn);
        for (const PageMetric &metric : PageMetric::all())
            out << metric.format(m).rightJustified(metric.textWidth());
        out << '\n';
    };
    const auto absentRow = [&](const QString &label, const QString &runs, const QString &status) {
        out << label.leftJustified(width) << runs.rightJustified(5) << "  " << status << '\n';
    };
    out << QStringLiteral("Region").leftJustified(width) << " Runs  "
        << QStringLiteral("Status").leftJustified(statusColumn);
    for (const PageMetric &metric : PageMetric::all())
        out << metric.label().rightJustified(metric.textWidth());
    out << '\n';
    const auto medianRow = [&](const QString &label, const QString &runs, const std::optional<LoadError> &error,
                               const std::optional<PageMetrics> &median) {
        QString status = error ? LoadError::kindName(error->kind) : QStringLiteral("ok");
        if (median && median->documentStatus && !error)
            status = QString::number(*median->documentStatus);
        if (median)
            row(label, runs, status, *median);
        else
            absentRow(label, runs, status + QStringLiteral("  (nothing measured)"));
    };
    for (const RegionSummary &summary : summaries) {
        const QString runs = QStringLiteral("%1/%2").arg(summary.okRuns).arg(test.runsPerRegion);
        // A script's steps each have a row ("fra s2": step 2), as `worldspeed-probe measure` labels them.
        const RegionRecord record = test.region(summary.code);
        const qsizetype steps = RegionSummary::stepCountOf(record);
        for (qsizetype index = 0; index < steps; ++index) {
            medianRow(steps > 1 ? summary.code + QStringLiteral(" s%1").arg(index + 1) : summary.code, runs,
                summary.firstError,
                index == 0 ? summary.medianOf(RunView::First) : RegionSummary::medianOfStep(record, index));
        }
        if (test.options.repeatView)
            medianRow(summary.code + QStringLiteral(" rpt"), runs, summary.firstError, summary.repeatViewMedian);
    }
}

// A script's steps, each named once ("Step 2   account"), as `worldspeed-probe measure` lists them: by the first
// run that has the step. Nothing for a test of one step.
void writeSteps(QTextStream &out, const TestRecord &test)
{
    QStringList labels;
    for (const QString &code : test.regions) {
        for (const RegionRun &run : test.region(code).runs) {
            for (qsizetype index = labels.size(); index < run.stepCount(); ++index)
                labels.append(run.stepLabel(index));
        }
    }
    if (labels.size() < 2)
        return;
    for (qsizetype index = 0; index < labels.size(); ++index)
        out << QStringLiteral("Step %1").arg(index + 1).leftJustified(9) << labels.at(index) << '\n';
    out << '\n';
}

void writeErrors(QTextStream &out, const TestRecord &test)
{
    bool anyError = false;
    for (const QString &code : test.regions) {
        for (const RegionRun &run : test.region(code).runs) {
            if (run.ok())
                continue;
            if (!anyError)
                out << "\nErrors\n";
            anyError = true;
            out << "  " << code << " run " << run.index << ": "
                << (run.error ? run.error->message : QStringLiteral("the run did not end")) << '\n';
        }
    }
}

// What the probes cut, refused or answered for the page (each view's warnings), per run.
void writeWarnings(QTextStream &out, const TestRecord &test)
{
    bool any = false;
    for (const QString &code : test.regions) {
        for (const RegionRun &run : test.region(code).runs) {
            for (const RunView which : { RunView::First, RunView::Repeat }) {
                const ViewResult *view = run.view(which);
                if (!view)
                    continue;
                for (const QString &warning : view->warnings) {
                    if (!any)
                        out << "\nWarnings\n";
                    any = true;
                    out << "  " << code << " run " << run.index << (which == RunView::Repeat ? " repeat view" : "")
                        << ": " << warning << '\n';
                }
            }
        }
    }
}

void writeBudget(QTextStream &out, const RunReport &report, qsizetype width)
{
    if (report.budget.isEmpty())
        return;
    out << "\nBudget   " << (report.budgetPasses() ? "passed" : "EXCEEDED") << '\n';
    for (const RunReport::RegionChecks &region : report.checks) {
        for (const Budget::Check &check : region.checks) {
            out << "  " << region.region.leftJustified(width) << (check.pass ? "pass  " : "FAIL  ") << check.describe()
                << '\n';
        }
    }
}

QString loadText(const std::optional<RegionLoad> &load)
{
    return load ? QStringLiteral("%1 %2").arg(load->region, DisplayFormat::duration(load->medianLoadMs))
                : DisplayFormat::missing();
}

} // namespace

void CliTableWriter::writeRun(QTextStream &out, const RunReport &report)
{
    writeHeading(out, report);
    qsizetype width = 6;
    for (const QString &code : report.test.regions)
        width = std::max(width, code.size() + 4);
    writeSteps(out, report.test);
    writeMedians(out, report.test, width);
    writeErrors(out, report.test);
    writeWarnings(out, report.test);
    writeBudget(out, report, width);
    if (!report.harFiles.isEmpty() || !report.pdfFile.isEmpty())
        out << '\n';
    for (const QString &path : report.harFiles)
        out << "HAR      " << QDir::toNativeSeparators(path) << '\n';
    if (!report.pdfFile.isEmpty())
        out << "PDF      " << QDir::toNativeSeparators(report.pdfFile) << '\n';
    out << '\n';
}

void CliTableWriter::writeHistory(QTextStream &out, const QList<TestSummary> &tests, const QString &databasePath)
{
    if (tests.isEmpty()) {
        out << "No tests in the history " << QDir::toNativeSeparators(databasePath) << '\n';
        return;
    }
    out << "    ID  Started (UTC)         Regions               Fastest             Slowest             URL\n";
    for (const TestSummary &test : tests) {
        QString regions = test.regions.join(u',');
        if (regions.size() > 20)
            regions = regions.left(19) + u'…';
        out << QString::number(test.id).rightJustified(6) << "  "
            << test.startedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")).leftJustified(20) << "  "
            << regions.leftJustified(20) << "  " << loadText(test.fastest).leftJustified(18) << "  "
            << loadText(test.slowest).leftJustified(18) << "  " << test.url
            << (test.finishedAt.isValid() ? QString() : QStringLiteral("  (unfinished)"))
            << (test.label.isEmpty() ? QString() : QStringLiteral("  \"%1\"").arg(test.label)) << '\n';
    }
}
