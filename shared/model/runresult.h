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
    QString url;
    LoadOptions options;
    QString browserVersion; // e.g. "Chrome/156.0.8078.79"
    std::optional<double> browserStartMs; // present when this run had to start the browser (a cold start)
    // The probe's CPU speed (its CpuBenchmark index, higher is faster) and the CPU throttling rate it applied to
    // the page (1: none): with a relative slowdown that rate follows from the index. Absent from probes before them.
    std::optional<double> cpuBenchmarkIndex;
    std::optional<double> cpuSlowdownRate;
    ViewResult firstView;
    std::optional<ViewResult> repeatView;
    // What the probe cut or left out of the run as a whole (a page of too many requests, a URL or header over the
    // protocol's size); model/warnings.h.
    QStringList warnings;

    void warn(const QString &warning); // Warnings::add

    bool ok() const { return firstView.ok() && (!repeatView || repeatView->ok()); }
    QJsonObject toJson() const;
    static std::optional<RunResult> fromJson(const QJsonObject &json, QString *error);
    friend bool operator==(const RunResult &, const RunResult &) = default;
};
