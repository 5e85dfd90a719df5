#pragma once

#include <QJsonArray>
#include <QString>
#include <QStringList>

class JsonReader;

// What the probe cut short or refused to stay within its limits, said for people: a view's (connections the page
// tried that the policy refused, host names over the lookup cap) and a run's (requests over the cap, a URL or header
// over the protocol's size). Empty when nothing was. One limit and one JSON form for every list of them, in
// results, protocol messages and history alike.
namespace Warnings {

inline constexpr qsizetype maxCount = 32;
inline constexpr qsizetype maxLength = 1024;

// Adds a warning within the limits: a long one is cut; past maxCount the last one says that more were left out.
void add(QStringList &warnings, const QString &warning);
QJsonArray toJson(const QStringList &warnings);
// An optional array under `key` of at most maxCount strings of at most maxLength; a bad one fails the reader.
QStringList fromJson(JsonReader &reader, const QString &key);

} // namespace Warnings
