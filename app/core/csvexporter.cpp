#include "csvexporter.h"

#include "model/pagemetric.h"
#include "regionsummary.h"

#include <QDir>
#include <QLocale>
#include <QRegularExpression>
#include <QSaveFile>

#include <cmath>
#include <tuple>

namespace {

class CsvWriter
{
public:
    void row(const QStringList &fields)
    {
        for (qsizetype i = 0; i < fields.size(); ++i) {
            if (i > 0)
                m_text += u',';
            m_text += CsvExporter::field(fields.at(i));
        }
        m_text += QStringLiteral("\r\n");
    }
    QByteArray bytes() const { return m_text.toUtf8(); }

private:
    QString m_text;
};

QString errorText(const std::optional<LoadError> &error)
{
    if (!error)
        return {};
    if (error->message.isEmpty())
        return LoadError::kindName(error->kind);
    return LoadError::kindName(error->kind) % u": " % error->message;
}

QString optionalInt(const std::optional<int> &value)
{
    return value ? QString::number(*value) : QString();
}

// The metric columns shared by run rows and median rows, one per row of the metric table; a view whose metrics
// never arrived has none at all.
QStringList metricFields(const std::optional<PageMetrics> &m)
{
    QStringList fields { m ? optionalInt(m->documentStatus) : QString() };
    for (const PageMetric &metric : PageMetric::all())
        fields.append(m ? CsvExporter::number(metric.value(*m)) : QString());
    return fields;
}

// What a region's runs called a step (0-based): the first run's that measured it names it for the median row.
QString stepNameOf(const RegionRecord &region, qsizetype index)
{
    for (const RegionRun &run : region.runs) {
        if (index < run.stepCount())
            return index == 0 ? run.stepName : run.laterSteps.at(index - 1).name;
    }
    return {};
}

QString stepUrlOf(const RegionRecord &region, qsizetype index)
{
    for (const RegionRun &run : region.runs) {
        if (index < run.stepCount() && !run.stepView(index).url.isEmpty())
            return run.stepView(index).url;
    }
    return {};
}

bool writeFile(const QString &path, const QByteArray &bytes, QString *error)
{
    QSaveFile file(path);
    if (file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size() && file.commit())
        return true;
    if (error)
        *error = u"cannot write \"" % path % u"\": " % file.errorString();
    return false;
}

} // namespace

QString CsvExporter::neutralised(QStringView text)
{
    // A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), @SUM(…), a DDE call),
    // and a page controls several fields (a request's method, its MIME type, a URL's path). A leading apostrophe
    // makes it text, as OWASP's CSV-injection advice says. Numbers are left alone: "-1.5" is data, not a formula.
    static const QRegularExpression number(QStringLiteral(R"(^[+-]?(\d+(\.\d*)?|\.\d+)$)"));
    if (text.isEmpty() || !QStringView(u"=+-@\t\r").contains(text.front()) || number.match(text).hasMatch())
        return text.toString();
    return u'\'' + text.toString();
}

QString CsvExporter::field(QStringView raw)
{
    const QString text = neutralised(raw);
    const bool quote = text.contains(u',') || text.contains(u'"') || text.contains(u'\r') || text.contains(u'\n');
    if (!quote)
        return text;
    QString quoted = text;
    quoted.replace(u'"', QStringLiteral("\"\""));
    return u'"' % quoted % u'"';
}

QString CsvExporter::number(std::optional<double> value)
{
    if (!value || !std::isfinite(*value))
        return {};
    // QString::number ignores the locale: always '.', never a group separator, and the shortest exact form.
    return QString::number(*value, 'f', QLocale::FloatingPointShortest);
}

QString CsvExporter::number(std::optional<qint64> value)
{
    return value ? QString::number(*value) : QString();
}

QStringList CsvExporter::regionsHeader()
{
    QStringList header { QStringLiteral("test_id"), QStringLiteral("url"), QStringLiteral("region"),
        QStringLiteral("run"), QStringLiteral("view"), QStringLiteral("status") };
    for (const PageMetric &metric : PageMetric::all())
        header.append(metric.csvColumn);
    header.append(QStringLiteral("error"));
    header.append(QStringLiteral("test_settings"));
    // Last, so that a file of a test without steps reads as before them, with step 1 on every row.
    header.append(QStringLiteral("step"));
    header.append(QStringLiteral("step_name"));
    return header;
}

QStringList CsvExporter::requestsHeader()
{
    return { QStringLiteral("region"), QStringLiteral("run"), QStringLiteral("view"), QStringLiteral("id"),
        QStringLiteral("url"), QStringLiteral("method"), QStringLiteral("type"), QStringLiteral("status"),
        QStringLiteral("protocol"), QStringLiteral("remote_ip"), QStringLiteral("mime"),
        QStringLiteral("encoded_bytes"), QStringLiteral("decoded_bytes"), QStringLiteral("start_ms"),
        QStringLiteral("duration_ms"), QStringLiteral("blocked_ms"), QStringLiteral("dns_ms"),
        QStringLiteral("connect_ms"), QStringLiteral("ssl_ms"), QStringLiteral("send_ms"), QStringLiteral("wait_ms"),
        QStringLiteral("receive_ms"), QStringLiteral("outcome"), QStringLiteral("failure"), QStringLiteral("step") };
}

QByteArray CsvExporter::regionsCsv(const TestRecord &test)
{
    CsvWriter csv;
    csv.row(regionsHeader());
    const QString testId = QString::number(test.id);
    // The test's settings, secrets masked, on every row as the URL is, so a row read alone says what was measured.
    const QString settings = test.options.test.describe().join(QStringLiteral(" | "));
    for (const QString &code : test.regions) {
        const RegionRecord region = test.region(code);
        // A script's rows are named by the page its measured step loaded (the view's final URL), not by where its
        // login began (the test's URL).
        const bool scripted = !test.options.test.script.isEmpty();
        const auto stepOf
            = [&test](const ViewResult &view) { return view.finalUrl.isEmpty() ? test.url : view.finalUrl; };
        QString step;
        for (const RegionRun &run : region.runs) {
            if (step.isEmpty() && run.view(RunView::First) && !run.view(RunView::First)->finalUrl.isEmpty())
                step = run.view(RunView::First)->finalUrl;
        }
        if (step.isEmpty())
            step = test.url;
        bool anyRepeat = false;
        for (const RegionRun &run : region.runs) {
            // A row per measured step (a script's; step 1 is the first view), then the repeat view.
            for (qsizetype index = 0; index < run.stepCount(); ++index) {
                const ViewResult &view = run.stepView(index);
                const std::optional<PageMetrics> metrics
                    = run.stepMeasured(index) ? std::optional<PageMetrics>(view.metrics) : std::nullopt;
                const QString url = !scripted ? test.url : index == 0 ? stepOf(view) : view.url;
                csv.row(QStringList { testId, url, code, QString::number(run.index), runViewName(RunView::First) }
                    + metricFields(metrics)
                    + QStringList { errorText(view.error ? view.error : run.error), settings,
                        QString::number(index + 1), index == 0 ? run.stepName : run.laterSteps.at(index - 1).name });
            }
            if (const ViewResult *view = run.view(RunView::Repeat)) {
                anyRepeat = true;
                const std::optional<PageMetrics> metrics
                    = run.measured(RunView::Repeat) ? std::optional<PageMetrics>(view->metrics) : std::nullopt;
                csv.row(QStringList { testId, test.url, code, QString::number(run.index), runViewName(RunView::Repeat) }
                    + metricFields(metrics)
                    + QStringList {
                        errorText(view->error ? view->error : run.error), settings, QStringLiteral("1"), QString() });
            }
        }
        // The medians: step 1's (the first view's), each later step's over the runs that measured it, the repeat
        // view's.
        csv.row(QStringList {
                    testId, scripted ? step : test.url, code, QStringLiteral("median"), runViewName(RunView::First) }
            + metricFields(test.medianMetrics(code, RunView::First))
            + QStringList { QString(), settings, QStringLiteral("1"), stepNameOf(region, 0) });
        for (qsizetype index = 1; index < RegionSummary::stepCountOf(region); ++index) {
            csv.row(QStringList {
                        testId, stepUrlOf(region, index), code, QStringLiteral("median"), runViewName(RunView::First) }
                + metricFields(RegionSummary::medianOfStep(region, index))
                + QStringList { QString(), settings, QString::number(index + 1), stepNameOf(region, index) });
        }
        if (anyRepeat) {
            csv.row(QStringList { testId, test.url, code, QStringLiteral("median"), runViewName(RunView::Repeat) }
                + metricFields(test.medianMetrics(code, RunView::Repeat))
                + QStringList { QString(), settings, QStringLiteral("1"), QString() });
        }
    }
    return csv.bytes();
}

QByteArray CsvExporter::requestsCsv(const TestRecord &test)
{
    CsvWriter csv;
    csv.row(requestsHeader());
    for (const QString &code : test.regions) {
        const RegionRecord region = test.region(code);
        for (const RegionRun &run : region.runs) {
            // Each step's requests (step 1 is the first view), then the repeat view's.
            QList<std::tuple<RunView, qsizetype, const ViewResult *>> views;
            for (qsizetype index = 0; index < run.stepCount(); ++index)
                views.append({ RunView::First, index, &run.stepView(index) });
            if (const ViewResult *repeat = run.view(RunView::Repeat))
                views.append({ RunView::Repeat, 0, repeat });
            for (const auto &[which, index, view] : std::as_const(views)) {
                for (const RequestTiming &r : view->requests) {
                    csv.row({ code, QString::number(run.index), runViewName(which), r.id, r.url, r.method,
                        r.resourceType, optionalInt(r.status), r.protocol, r.remoteIp, r.mimeType,
                        number(r.encodedBytes), number(r.decodedBytes), number(std::optional<double>(r.startMs)),
                        number(r.durationMs), number(r.phases.blocked), number(r.phases.dns), number(r.phases.connect),
                        number(r.phases.ssl), number(r.phases.send), number(r.phases.wait), number(r.phases.receive),
                        r.blocked ? QStringLiteral("blocked") : RequestTiming::outcomeName(r.outcome), r.failureText,
                        QString::number(index + 1) });
                }
            }
        }
    }
    return csv.bytes();
}

QStringList CsvExporter::writeFiles(const TestRecord &test, const QString &dir, QString *error)
{
    const QDir directory(dir);
    const QString prefix = QString::number(test.id);
    const QString regionsPath = directory.filePath(prefix % u"-regions.csv");
    const QString requestsPath = directory.filePath(prefix % u"-requests.csv");
    if (!writeFile(regionsPath, regionsCsv(test), error) || !writeFile(requestsPath, requestsCsv(test), error))
        return {};
    return { regionsPath, requestsPath };
}
