#pragma once

#include "testrecord.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

// A test as two CSV files (RFC 4180, UTF-8, CRLF line ends, a header row) for spreadsheets and scripts: one row
// per region, run and view (and per step of a script that measures several) plus median rows, and one row per
// request. CSV.md documents the columns. A value
// that was not observed is an empty field, never 0; numbers always use '.' whatever the locale.
class CsvExporter final
{
public:
    static QStringList regionsHeader();
    static QStringList requestsHeader();
    static QByteArray regionsCsv(const TestRecord &test);
    static QByteArray requestsCsv(const TestRecord &test);

    // Writes <dir>/<test id>-regions.csv and <dir>/<test id>-requests.csv, each atomically. Returns the paths, or
    // an empty list and says why.
    static QStringList writeFiles(const TestRecord &test, const QString &dir, QString *error);

    // One field, quoted when it holds a comma, a quote, CR or LF, with its quotes doubled; neutralised first.
    static QString field(QStringView text);
    // The text with an apostrophe in front when a spreadsheet would run it as a formula (it starts with = + - @,
    // a tab or CR and is not a plain number); otherwise unchanged.
    static QString neutralised(QStringView text);
    static QString number(std::optional<double> value);
    static QString number(std::optional<qint64> value);
};
