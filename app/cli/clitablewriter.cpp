#include "clitablewriter.h"

#include "model/datasize.h"
#include "runreport.h"

#include <QDir>

#include <algorithm>

namespace {

QString formatMs(std::optional<double> ms)
{
    if (!ms)
        return QStringLiteral("—");
    if (*ms >= 10'000)
        return QStringLiteral("%1 s").arg(*ms / 1000.0, 0, 'f', 2);
    return QStringLiteral("%1 ms").arg(*ms, 0, 'f', 0);
}

void writeHeading(QTextStream &out, const RunReport &report)
{
    const TestRecord &test = report.test;
    out << "URL      " << test.url << '\n';
    out << "Started  " << test.startedAt.toUTC().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")) << " UTC   "
        << test.runsPerRegion << (test.runsPerRegion == 1 ? " run" : " runs") << " per region   Profile "
        << test.options.profile << "   Timeout " << test.options.timeoutMs / 1000 << " s\n";
    if (!report.savedIn.isEmpty())
        out << "Saved    test " << test.id << " in " << QDir::toNativeSeparators(report.savedIn) << '\n';
    out << '\n';
}

void writeMedians(QTextStream &out, const TestRecord &test, qsizetype width)
{
    const auto row = [&](const QString &label, const QString &runs, const QString &status, const PageMetrics &m) {
        out << label.leftJustified(width) << runs.rightJustified(5) << "  " << status.leftJustified(14)
            << formatMs(m.ttfbMs).rightJustified(9) << formatMs(m.firstContentfulPaintMs).rightJustified(9)
            << formatMs(m.largestContentfulPaintMs).rightJustified(9)
            << formatMs(m.domContentLoadedMs).rightJustified(9) << formatMs(m.loadMs).rightJustified(9)
            << formatMs(m.fullyLoadedMs).rightJustified(9)
            << (m.cumulativeLayoutShift ? QString::number(*m.cumulativeLayoutShift, 'f', 3) : QStringLiteral("—"))
                   .rightJustified(7)
            << QString::number(m.requestCount).rightJustified(6)
            << DataSize::text(m.totalEncodedBytes).rightJustified(10) << '\n';
    };
    const auto absentRow = [&](const QString &label, const QString &runs, const QString &status) {
        out << label.leftJustified(width) << runs.rightJustified(5) << "  " << status << '\n';
    };
    out << QStringLiteral("Region").leftJustified(width)
        << " Runs  Status             TTFB      FCP      LCP      DCL     Load    Fully    CLS  Reqs     Bytes\n";
    for (const QString &code : test.regions) {
        const RegionRecord region = test.region(code);
        const auto okRuns
            = std::count_if(region.runs.begin(), region.runs.end(), [](const RegionRun &run) { return run.ok(); });
        const QString runs = QStringLiteral("%1/%2").arg(okRuns).arg(test.runsPerRegion);
        const std::optional<LoadError> error = RunReport::firstError(region);
        for (const RunView view : { RunView::First, RunView::Repeat }) {
            if (view == RunView::Repeat && !test.options.repeatView)
                continue;
            const QString label = view == RunView::First ? code : code + QStringLiteral(" rpt");
            const std::optional<PageMetrics> median = test.medianMetrics(code, view);
            QString status = error ? LoadError::kindName(error->kind) : QStringLiteral("ok");
            if (median && median->documentStatus && !error)
                status = QString::number(*median->documentStatus);
            if (median)
                row(label, runs, status, *median);
            else
                absentRow(label, runs, status + QStringLiteral("  (nothing measured)"));
        }
    }
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
    return load ? QStringLiteral("%1 %2").arg(load->region, formatMs(load->medianLoadMs)) : QStringLiteral("—");
}

} // namespace

void CliTableWriter::writeRun(QTextStream &out, const RunReport &report)
{
    writeHeading(out, report);
    qsizetype width = 6;
    for (const QString &code : report.test.regions)
        width = std::max(width, code.size() + 4);
    writeMedians(out, report.test, width);
    writeErrors(out, report.test);
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
