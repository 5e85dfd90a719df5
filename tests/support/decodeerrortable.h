#pragma once

// The model tests' tables of input a decoder must refuse: each row names the struct, gives the JSON and the start of
// the error expected (the field's path, then why). One home for the columns, the rows and the check, so every
// struct's fromJson is held to the same standard.

#include "jsontext.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>
#include <QTest>

namespace DecodeErrorTable {

using Decoder = bool (*)(const QJsonObject &, QString *);

template<typename T> bool decoderOf(const QJsonObject &json, QString *error)
{
    return T::fromJson(json, error).has_value();
}

inline void addColumns()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("expected");
}

inline void row(const char *name, const char *type, const char *json, const char *expected)
{
    QTest::newRow(name) << QString::fromLatin1(type) << QByteArray(json) << QString::fromUtf8(expected);
}

// From the test function of a table: decodes the current row with the decoder its type names.
inline void check(const QHash<QString, Decoder> &decoders)
{
    QFETCH(QString, type);
    QFETCH(QByteArray, json);
    QFETCH(QString, expected);
    const Decoder decoder = decoders.value(type);
    QVERIFY2(decoder, qPrintable(QStringLiteral("no decoder for ") + type));
    QString error;
    QVERIFY2(!decoder(parse(json), &error), "decoded although the input is invalid");
    QVERIFY2(error.startsWith(expected), qPrintable(QStringLiteral("error was: ") + error));
}

} // namespace DecodeErrorTable
