#pragma once

#include "pagemetrics.h"

#include <QCoreApplication>
#include <QLocale>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

// The metric table: each page metric once, with every name it goes by and how it reads. The region table, the
// charts and trend, the comparison, the budgets, the PDF, the CSV, the CLI's JSON and table and `measure`'s table
// all iterate it, so a new metric is one more row here (and wherever the probe measures it).
//
// A metric's value is a double in its unit's base: milliseconds, a count, bytes or a unitless score. Durations, the
// CLS score and the long-task count are absent when the browser did not observe them; the request count and the
// bytes are always known once a view's metrics arrived (whether they did is the caller's knowledge: a view that
// was never measured has no metrics).
class PageMetric final
{
    Q_DECLARE_TR_FUNCTIONS(PageMetric)

public:
    enum class Id {
        Ttfb,
        Fcp,
        Lcp,
        Dcl,
        Load,
        FullyLoaded,
        FirstVisualChange,
        SpeedIndex,
        VisualComplete85,
        VisualComplete99,
        LastVisualChange,
        Tbt,
        LongestTask,
        Cls,
        LongTasks,
        Requests,
        Bytes
    };
    enum class Unit { Duration, Count, Bytes, Score };

    Id id;
    QString jsonKey; // PageMetrics' JSON key, on the wire and in the CLI's JSON: "loadMs"
    QString csvColumn; // the CSV exports' column: "load_ms"
    QString budgetName; // the name budgets, the CLI's options and the trend use: "load"
    Unit unit;

    // Translated for people: "Load", "Load: the load event's end (loadEventEnd − navigationStart)".
    QString label() const;
    QString description() const;
    // The unit budgets and the CLI's JSON state next to a value: "ms", "B", "requests", "tasks", "" for a score.
    QString unitName() const;

    std::optional<double> value(const PageMetrics &metrics) const;
    // The value for people, in this metric's unit; DisplayFormat::missing() when absent.
    QString format(std::optional<double> value, const QLocale &locale = QLocale::c()) const;
    // The metrics' value of this metric, formatted.
    QString format(const PageMetrics &metrics, const QLocale &locale = QLocale::c()) const
    {
        return format(value(metrics), locale);
    }
    // How many characters its column takes in a text table (worldspeed-probe measure's, worldspeed-cli's): room for
    // its widest value and for its label, with a space before either.
    int textWidth() const;
    // The member that holds an optional metric (durations, CLS); null for the counts.
    std::optional<double> PageMetrics::*optionalMember() const;

    // Every metric, in the order tables show them: the timings in the order they happen, the filmstrip's visual
    // times, the main thread's blocking, then CLS and the counts.
    static const QList<PageMetric> &all();
    static const PageMetric &get(Id id);
    static const PageMetric *fromJsonKey(QStringView key);
    static const PageMetric *fromBudgetName(QStringView name); // case-insensitive
    // The timings alone (the ones charts draw on a time axis), in table order.
    static QList<Id> durations();
};
