#pragma once

#include "loadoptions.h"
#include "viewresult.h"

#include <QJsonObject>
#include <QString>

#include <optional>

// A measured run of one URL: its first view and, when asked for, its repeat view.
struct RunResult
{
    QString url;
    LoadOptions options;
    QString browserVersion; // e.g. "Chrome/156.0.8078.79"
    std::optional<double> browserStartMs; // present when this run had to start the browser (a cold start)
    ViewResult firstView;
    std::optional<ViewResult> repeatView;

    bool ok() const { return firstView.ok() && (!repeatView || repeatView->ok()); }
    QJsonObject toJson() const;
    static std::optional<RunResult> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const RunResult &, const RunResult &) = default;
};
