#pragma once

#include <QLocale>
#include <QString>

#include <optional>

// How every number reads where people see it: the region table, the waterfall, the map, the charts, the PDF, the
// CLI's and the probe's tables, and messages such as "not ready within 60 s". One place decides precision, units
// and the one marker for a value that was not measured, so the same run never reads "910 ms" in one view and
// "0.91 s" in the next.
//
// Durations follow Chrome DevTools: milliseconds below a second (one decimal below 10 ms, where a phase of a
// request needs it), seconds with two decimals below 10 s, one decimal below 100 s, whole seconds beyond; a
// fraction that is all zeros is left out ("60 s", not "60.0 s"). Numbers use `locale`'s decimal point and no
// thousands separator; the default is the C locale, which the command-line tables use.
class DisplayFormat final
{
public:
    // The marker for a value that was not measured; never "0".
    static QString missing();

    // "4.2 ms", "910 ms", "2.48 s", "12.3 s", "60 s", "125 s"; missing() for nullopt.
    static QString duration(std::optional<double> ms, const QLocale &locale = QLocale::c());
    // A difference between two durations, always signed: "+250 ms", "−1.20 s", "±0 ms".
    static QString durationDelta(double ms, const QLocale &locale = QLocale::c());
    // A tick on a time axis `spanMs` long whose ticks are `stepMs` apart: "0", "100 ms", "0.5 s", "2 s" — as few
    // digits as tell neighbouring ticks apart, the unit fixed along the whole axis.
    static QString axisTick(double ms, double stepMs, double spanMs, const QLocale &locale = QLocale::c());
    // Byte sizes in 1000-based SI units, as DevTools counts: "850 bytes", "33.1 kB", "2.45 MB".
    static QString bytes(qint64 bytes, const QLocale &locale = QLocale::c());
    // A count: "12".
    static QString count(qint64 count, const QLocale &locale = QLocale::c());
    // A unitless score such as CLS: "0.12", "0" (up to three decimals, trailing zeros dropped).
    static QString score(double score, const QLocale &locale = QLocale::c());

private:
    static QString number(double value, int decimals, const QLocale &locale);
};
