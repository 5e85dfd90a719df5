#include "budget.h"

#include "regionsummary.h"

#include <QRegularExpression>

#include <algorithm>
#include <cmath>

namespace {

using Kind = PageMetric::Unit;

const PageMetric &info(Budget::Metric metric)
{
    return PageMetric::get(metric);
}

QString expectation(Kind kind)
{
    switch (kind) {
    case Kind::Duration:
        return QStringLiteral("a time such as 3s or 2500ms");
    case Kind::Bytes:
        return QStringLiteral("a size such as 2MB, 500KB or 1500000 (bytes)");
    case Kind::Count:
        return QStringLiteral("a whole number of requests such as 80");
    case Kind::Score:
        return QStringLiteral("a layout shift score such as 0.1");
    }
    return {};
}

// The factor of a unit to the kind's base unit (ms, bytes), or nullopt with why.
std::optional<double> unitFactor(Kind kind, const QString &unit, QString *why)
{
    switch (kind) {
    case Kind::Duration:
        if (unit.compare(u"ms", Qt::CaseInsensitive) == 0)
            return 1.0;
        if (unit.compare(u"s", Qt::CaseInsensitive) == 0)
            return 1000.0;
        *why = unit.isEmpty() ? QStringLiteral("a time needs its unit, ms or s (3s, 3000ms)")
                              : QStringLiteral("unknown time unit \"%1\" (use ms or s)").arg(unit);
        return std::nullopt;
    case Kind::Bytes: {
        static const QList<std::pair<QString, double>> units {
            { QString(), 1.0 },
            { QStringLiteral("b"), 1.0 },
            { QStringLiteral("kb"), 1e3 },
            { QStringLiteral("mb"), 1e6 },
            { QStringLiteral("gb"), 1e9 },
            { QStringLiteral("kib"), 1024.0 },
            { QStringLiteral("mib"), 1024.0 * 1024.0 },
            { QStringLiteral("gib"), 1024.0 * 1024.0 * 1024.0 },
        };
        for (const auto &[name, factor] : units) {
            if (unit.compare(name, Qt::CaseInsensitive) == 0)
                return factor;
        }
        *why = QStringLiteral("unknown size unit \"%1\" (use B, KB, MB, GB, which count 1000s, or KiB, MiB, GiB)")
                   .arg(unit);
        return std::nullopt;
    }
    case Kind::Count:
    case Kind::Score:
        if (unit.isEmpty())
            return 1.0;
        *why = QStringLiteral("\"%1\" takes a plain number, without a unit").arg(unit);
        return std::nullopt;
    }
    return std::nullopt;
}

// Short and exact enough to tell a limit from a value just over it.
QString plainNumber(double value)
{
    return QString::number(std::round(value * 1000.0) / 1000.0, 'g', 15);
}

} // namespace

std::optional<Budget> Budget::parse(const QString &text, QString *error)
{
    const auto fail = [error](const QString &message) -> std::optional<Budget> {
        if (error)
            *error = message;
        return std::nullopt;
    };
    if (text.trimmed().isEmpty())
        return fail(QStringLiteral("the budget is empty; give limits such as load=3s,lcp=2.5s,bytes=2MB"));

    static const QRegularExpression numberAndUnit(QStringLiteral(R"(^(\d+(?:\.\d*)?|\.\d+)\s*([A-Za-z]*)$)"));
    Budget budget;
    const QStringList items = text.split(u',');
    for (qsizetype i = 0; i < items.size(); ++i) {
        const QString item = items.at(i).trimmed();
        if (item.isEmpty())
            return fail(QStringLiteral("budget item %1 of %2 is empty (a stray comma?)").arg(i + 1).arg(items.size()));
        const auto bad = [&](const QString &why) { return fail(u"budget item \"" % item % u"\": " % why); };

        const qsizetype equals = item.indexOf(u'=');
        if (equals < 0)
            return bad(QStringLiteral("expected METRIC=LIMIT, e.g. load=3s"));
        const QString name = item.left(equals).trimmed();
        const QString value = item.mid(equals + 1).trimmed();
        const auto metric = metricFromName(name);
        if (!metric) {
            return bad(QStringLiteral("unknown metric \"%1\" (one of %2)")
                           .arg(name, metricNames().join(QStringLiteral(", "))));
        }
        for (const Limit &earlier : std::as_const(budget.m_limits)) {
            if (earlier.metric == *metric)
                return bad(QStringLiteral("%1 is limited twice").arg(metricName(*metric)));
        }
        const Kind kind = info(*metric).unit;
        if (value.isEmpty())
            return bad(QStringLiteral("no limit after \"=\"; expected %1").arg(expectation(kind)));
        const QRegularExpressionMatch match = numberAndUnit.match(value);
        if (!match.hasMatch())
            return bad(QStringLiteral("\"%1\" is not %2").arg(value, expectation(kind)));
        bool ok = false;
        const double number = match.captured(1).toDouble(&ok);
        if (!ok || !std::isfinite(number))
            return bad(QStringLiteral("\"%1\" is not %2").arg(value, expectation(kind)));
        QString why;
        const auto factor = unitFactor(kind, match.captured(2), &why);
        if (!factor)
            return bad(why);
        double limit = number * *factor;
        if (kind == Kind::Count && limit != std::floor(limit))
            return bad(QStringLiteral("\"%1\" is not %2").arg(value, expectation(kind)));
        if (kind == Kind::Bytes)
            limit = std::round(limit); // bytes are whole
        budget.m_limits.append(Limit { *metric, limit });
    }
    return budget;
}

QString Budget::toString() const
{
    QStringList items;
    for (const Limit &limit : m_limits) {
        const Kind kind = info(limit.metric).unit;
        const QString unit = kind == Kind::Duration ? QStringLiteral("ms")
            : kind == Kind::Bytes                   ? QStringLiteral("B")
                                                    : QString();
        items.append(metricName(limit.metric) % u'=' % plainNumber(limit.value) % unit);
    }
    return items.join(u',');
}

QJsonArray Budget::toJson() const
{
    QJsonArray array;
    for (const Limit &limit : m_limits) {
        array.append(QJsonObject {
            { QStringLiteral("metric"), metricName(limit.metric) },
            { QStringLiteral("limit"), limit.value },
            { QStringLiteral("unit"), unitName(limit.metric) },
        });
    }
    return array;
}

QList<Budget::Check> Budget::evaluate(
    const std::optional<PageMetrics> &median, int step, const QString &stepLabel) const
{
    QList<Check> checks;
    for (const Limit &limit : m_limits) {
        Check check;
        check.step = step;
        check.stepLabel = stepLabel;
        check.metric = limit.metric;
        check.limit = limit.value;
        check.actual = median ? actual(limit.metric, *median) : std::nullopt;
        check.pass = check.actual && *check.actual <= limit.value;
        checks.append(check);
    }
    return checks;
}

bool Budget::passes(const QList<Check> &checks)
{
    return std::all_of(checks.begin(), checks.end(), [](const Check &check) { return check.pass; });
}

QString Budget::metricName(Metric metric)
{
    return info(metric).budgetName;
}

std::optional<Budget::Metric> Budget::metricFromName(QStringView name)
{
    if (const PageMetric *metric = PageMetric::fromBudgetName(name))
        return metric->id;
    return std::nullopt;
}

QStringList Budget::metricNames()
{
    QStringList names;
    for (const PageMetric &metric : PageMetric::all())
        names.append(metric.budgetName);
    return names;
}

QString Budget::unitName(Metric metric)
{
    return info(metric).unitName();
}

QString Budget::formatValue(Metric metric, double value)
{
    switch (info(metric).unit) {
    case Kind::Duration:
        return QString::number(std::round(value * 10.0) / 10.0, 'g', 15) + QStringLiteral(" ms");
    case Kind::Bytes:
        return QString::number(std::llround(value)) + QStringLiteral(" B");
    case Kind::Count:
        return QString::number(std::llround(value));
    case Kind::Score:
        break;
    }
    return plainNumber(value);
}

std::optional<double> Budget::actual(Metric metric, const PageMetrics &median)
{
    return info(metric).value(median);
}

QJsonObject Budget::Check::toJson() const
{
    QJsonObject json {
        { QStringLiteral("metric"), metricName(metric) },
        { QStringLiteral("limit"), limit },
        { QStringLiteral("actual"), actual ? QJsonValue(*actual) : QJsonValue(QJsonValue::Null) },
        { QStringLiteral("unit"), unitName(metric) },
        { QStringLiteral("pass"), pass },
    };
    if (step > 0) {
        json.insert(QStringLiteral("step"), step);
        json.insert(QStringLiteral("stepLabel"), stepLabel);
    }
    return json;
}

QList<Budget::Check> Budget::evaluate(const RegionRecord &region) const
{
    const qsizetype steps = RegionSummary::stepCountOf(region);
    if (steps <= 1)
        return evaluate(RegionSummary::medianOf(region, RunView::First));
    QList<Check> checks;
    for (qsizetype index = 0; index < steps; ++index) {
        // Named as the first run that has the step names it (a run that failed before it has none).
        QString label;
        for (const RegionRun &run : region.runs) {
            if (index < run.stepCount()) {
                label = run.stepLabel(index);
                break;
            }
        }
        checks += evaluate(RegionSummary::medianOfStep(region, index), static_cast<int>(index + 1), label);
    }
    return checks;
}

QString Budget::Check::describe() const
{
    const QString name = metricName(metric);
    const QString limitText = formatValue(metric, limit);
    const QString prefix = step > 0 ? QStringLiteral("step %1 (%2): ").arg(step).arg(stepLabel) : QString();
    if (!actual)
        return prefix + QStringLiteral("%1 not observed (limit %2)").arg(name, limitText);
    return prefix
        + QStringLiteral("%1 %2, %3 the limit of %4")
              .arg(name, formatValue(metric, *actual), pass ? QStringLiteral("within") : QStringLiteral("over"),
                  limitText);
}
