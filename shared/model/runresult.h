#pragma once

#include "loadoptions.h"
#include "viewresult.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <optional>

class JsonReader;

// A measured run of one URL: its first view and, when asked for, its repeat view.
struct RunResult
{
    static constexpr qsizetype maxWarnings = 32;
    static constexpr qsizetype maxWarningLength = 1024;

    QString url;
    LoadOptions options;
    QString browserVersion; // e.g. "Chrome/156.0.8078.79"
    std::optional<double> browserStartMs; // present when this run had to start the browser (a cold start)
    ViewResult firstView;
    std::optional<ViewResult> repeatView;
    // What the probe cut or left out to stay within its limits (a page of too many requests, a URL or header over
    // the protocol's size), for people; empty when nothing was. At most maxWarnings of maxWarningLength.
    QStringList warnings;

    // Adds a warning within the limits above: past them, the last one says that more were left out.
    void warn(const QString &warning);
    static QJsonArray warningsToJson(const QStringList &warnings);
    static QStringList warningsFromJson(JsonReader &reader, const QString &key);

    bool ok() const { return firstView.ok() && (!repeatView || repeatView->ok()); }
    QJsonObject toJson() const;
    static std::optional<RunResult> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const RunResult &, const RunResult &) = default;
};
