#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <algorithm>

// The figures the timing benchmarks print and write as JSON: milliseconds from a clock, and a list of times as its
// median, minimum, maximum and count, so that a figure always comes with its spread.
namespace BenchFigures {

inline double msSince(const QElapsedTimer &clock)
{
    return static_cast<double>(clock.nsecsElapsed()) / 1e6;
}

inline QJsonObject summary(QList<double> values)
{
    if (values.isEmpty())
        return {};
    std::sort(values.begin(), values.end());
    const qsizetype n = values.size();
    const double median = n % 2 ? values.at(n / 2) : (values.at(n / 2 - 1) + values.at(n / 2)) / 2.0;
    return { { QStringLiteral("median"), median }, { QStringLiteral("min"), values.first() },
        { QStringLiteral("max"), values.last() }, { QStringLiteral("n"), n } };
}

// "median (min … max)", or "-" for no values.
inline QString describe(const QJsonObject &s, int decimals)
{
    if (s.isEmpty())
        return QStringLiteral("-");
    return QStringLiteral("%1 (%2 … %3)")
        .arg(s.value(u"median").toDouble(), 0, 'f', decimals)
        .arg(s.value(u"min").toDouble(), 0, 'f', decimals)
        .arg(s.value(u"max").toDouble(), 0, 'f', decimals);
}

} // namespace BenchFigures
