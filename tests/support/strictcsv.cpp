#include "strictcsv.h"

QList<QStringList> StrictCsv::parse(const QString &text, QString *problem)
{
    QList<QStringList> rows;
    QStringList row;
    QString field;
    bool quoted = false;
    bool fieldStarted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (quoted) {
            if (c == u'"' && i + 1 < text.size() && text.at(i + 1) == u'"') {
                field += u'"';
                ++i;
            } else if (c == u'"') {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == u'"' && !fieldStarted) {
            quoted = true;
            fieldStarted = true;
        } else if (c == u',') {
            row.append(field);
            field.clear();
            fieldStarted = false;
        } else if (c == u'\r' && i + 1 < text.size() && text.at(i + 1) == u'\n') {
            row.append(field);
            rows.append(row);
            row.clear();
            field.clear();
            fieldStarted = false;
            ++i;
        } else if (c == u'\n' || c == u'\r') {
            *problem = QStringLiteral("a bare line break at offset %1").arg(i);
            return {};
        } else {
            field += c;
            fieldStarted = true;
        }
    }
    if (quoted || fieldStarted || !row.isEmpty())
        *problem = QStringLiteral("the last row does not end in CRLF");
    return rows;
}

QHash<QString, QString> StrictCsv::record(const QStringList &header, const QStringList &row)
{
    QHash<QString, QString> fields;
    for (qsizetype i = 0; i < header.size() && i < row.size(); ++i)
        fields.insert(header.at(i), row.at(i));
    return fields;
}
