#pragma once

#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

// CSV read as strictly as CSV.md writes it, for the tests of what the app and the CLI export: RFC 4180, quoted fields
// may hold commas, quotes (doubled) and line breaks, and every row ends in CRLF.
class StrictCsv final
{
public:
    StrictCsv() = delete;

    // The rows; a text that breaks the rules gives *problem (and what was read before it).
    static QList<QStringList> parse(const QString &text, QString *problem);
    // A row's fields by the header's names.
    static QHash<QString, QString> record(const QStringList &header, const QStringList &row);
};
