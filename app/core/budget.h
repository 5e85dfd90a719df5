#pragma once

#include "model/pagemetric.h"
#include "model/pagemetrics.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>
#include <QStringView>

#include <optional>

struct RegionRecord;

// A performance budget: upper limits on a region's median metrics, as `worldspeed-cli run --budget` takes them
// ("load=3s,lcp=2.5s,fcp=1800ms,ttfb=200ms,cls=0.1,bytes=2MB,requests=80"; app/cli/README.md documents the
// syntax). Times are ms or s and need their unit; sizes are B, KB, MB, GB (1000-based, as Chrome DevTools counts)
// or KiB, MiB, GiB (1024-based), a bare number being bytes; cls and requests are plain numbers.
//
// A limit is met when the median is at most the limit. A metric the region did not observe (no LCP on a blank
// page, no load event before the timeout, a region whose every run failed) is never taken as met: the check says
// "not observed" and fails.
//
// Steps: for a script that measures several steps, every limit applies to every step (each step's median over
// the runs that measured it), as WebPageTest's pass/fail checks do per step; each check names its step. Lighthouse
// CI's budgets per path were not taken: a step is not a path (two steps may load the same URL, a login and the
// account page behind it), and one budget for every step needs no new syntax.
class Budget final
{
public:
    // A budget limits the metrics of the metric table, by their budget names.
    using Metric = PageMetric::Id;

    struct Limit
    {
        Metric metric = Metric::Load;
        double value = 0; // in the metric's base unit: ms, bytes, requests, or the CLS score
        friend bool operator==(const Limit &, const Limit &) = default;
    };

    // One limit held against one region's medians.
    struct Check
    {
        Metric metric = Metric::Load;
        double limit = 0;
        std::optional<double> actual; // absent: not observed
        bool pass = false;
        // The script's measured step it held, from 1, and what it is called (StepResult::label); 0 and empty for
        // a test of one step, whose checks name none.
        int step = 0;
        QString stepLabel;

        // {"metric", "limit", "actual" (null when not observed), "unit", "pass"}, as app/cli/JSON.md states, and
        // "step", "stepLabel" for a step's.
        QJsonObject toJson() const;
        // "load 1234 ms, within the limit of 3000 ms", "load 3456 ms, over the limit of 3000 ms",
        // "lcp not observed (limit 2500 ms)"; a step's begins with it: "step 2 (account): load 1200 ms, over …".
        QString describe() const;
        friend bool operator==(const Check &, const Check &) = default;
    };

    // Nullopt with *error naming the bad item ("budget item \"load=fast\": …") for text that is not a budget.
    static std::optional<Budget> parse(const QString &text, QString *error);

    bool isEmpty() const { return m_limits.isEmpty(); }
    // In the order given.
    const QList<Limit> &limits() const { return m_limits; }
    // The budget in canonical form, base units: "load=3000ms,bytes=2000000B".
    QString toString() const;
    // [{"metric", "limit", "unit"}, …]
    QJsonArray toJson() const;

    // Every limit against a region's median metrics, in the budget's order; nullopt medians (no ok, measured run)
    // make every check "not observed". `step` and `stepLabel` go into each check (Check::step).
    QList<Check> evaluate(
        const std::optional<PageMetrics> &median, int step = 0, const QString &stepLabel = QString()) const;
    // Every limit against a region's medians (RegionSummary's): those of its first views for a test of one step;
    // each step's in turn, its checks naming it, for a script that measured several.
    QList<Check> evaluate(const RegionRecord &region) const;
    static bool passes(const QList<Check> &checks);

    static QString metricName(Metric metric); // the metric table's budget name: "load", "lcp", "fully", "bytes", …
    static std::optional<Metric> metricFromName(QStringView name); // case-insensitive
    static QStringList metricNames(); // in the metric table's order
    static QString unitName(Metric metric); // "ms", "B", "requests", "" for CLS
    // A value of this metric for people: "1234 ms", "2.5 ms", "2000000 B", "80" (requests), "0.1".
    static QString formatValue(Metric metric, double value);
    // The metric's value in these medians; nullopt when not observed.
    static std::optional<double> actual(Metric metric, const PageMetrics &median);

    friend bool operator==(const Budget &, const Budget &) = default;

private:
    QList<Limit> m_limits;
};
