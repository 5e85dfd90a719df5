#include "clicsvwriter.h"

#include "csvexporter.h"
#include "testrecord.h"

QString CliCsvWriter::run(const TestRecord &test)
{
    return QString::fromUtf8(CsvExporter::regionsCsv(test));
}

QString CliCsvWriter::history(const QList<TestSummary> &tests)
{
    const QStringList header { QStringLiteral("id"), QStringLiteral("started_at"), QStringLiteral("finished_at"),
        QStringLiteral("url"), QStringLiteral("label"), QStringLiteral("regions"), QStringLiteral("fastest_region"),
        QStringLiteral("fastest_load_ms"), QStringLiteral("slowest_region"), QStringLiteral("slowest_load_ms") };
    const auto time
        = [](const QDateTime &t) { return t.isValid() ? t.toUTC().toString(Qt::ISODateWithMs) : QString(); };
    const auto load = [](const std::optional<RegionLoad> &load) {
        return load ? std::optional<double>(load->medianLoadMs) : std::nullopt;
    };
    QString text = header.join(u',') + QStringLiteral("\r\n");
    for (const TestSummary &test : tests) {
        const QStringList fields { QString::number(test.id), time(test.startedAt), time(test.finishedAt),
            CsvExporter::field(test.url), CsvExporter::field(test.label), CsvExporter::field(test.regions.join(u' ')),
            test.fastest ? CsvExporter::field(test.fastest->region) : QString(),
            CsvExporter::number(load(test.fastest)),
            test.slowest ? CsvExporter::field(test.slowest->region) : QString(),
            CsvExporter::number(load(test.slowest)) };
        text += fields.join(u',') + QStringLiteral("\r\n");
    }
    return text;
}
