#pragma once

// JSON as the model tests handle it: through real text, so that number formatting is part of every round trip.

#include <QByteArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtGlobal>

#include <concepts>

inline char *jsonText(const QJsonObject &json)
{
    return qstrdup(QJsonDocument(json).toJson(QJsonDocument::Compact).constData());
}

// QCOMPARE prints a model value as the JSON it would be sent as: any type whose toJson() gives an object.
template<typename T>
requires requires(const T &value)
{
    {
        value.toJson()
        } -> std::convertible_to<QJsonObject>;
}
char *toString(const T &value)
{
    return jsonText(value.toJson());
}

// Through real JSON text, not just QJsonObject, so number formatting is part of every round trip.
inline QJsonObject viaText(const QJsonObject &json)
{
    return QJsonDocument::fromJson(QJsonDocument(json).toJson(QJsonDocument::Compact)).object();
}

inline QJsonObject parse(const QByteArray &text)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("test fixture is not JSON: %s (%s)", text.constData(), qPrintable(error.errorString()));
    return document.object();
}
