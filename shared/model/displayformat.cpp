#include "displayformat.h"

#include <cmath>

QString DisplayFormat::missing()
{
    return QStringLiteral("—");
}

QString DisplayFormat::number(double value, int decimals, const QLocale &locale)
{
    QLocale plain = locale;
    plain.setNumberOptions(QLocale::OmitGroupSeparator);
    // "60.0" reads as more precise than the whole number it is.
    if (decimals > 0 && std::abs(value - std::round(value)) * std::pow(10.0, decimals) < 0.5)
        decimals = 0;
    return plain.toString(value, 'f', decimals);
}

QString DisplayFormat::duration(std::optional<double> ms, const QLocale &locale)
{
    if (!ms || !std::isfinite(*ms))
        return missing();
    const double magnitude = std::abs(*ms);
    if (magnitude < 9.95)
        return number(*ms, 1, locale) + QStringLiteral(" ms");
    if (magnitude < 999.5)
        return number(*ms, 0, locale) + QStringLiteral(" ms");
    const double seconds = *ms / 1000.0;
    if (magnitude < 9'995)
        return number(seconds, 2, locale) + QStringLiteral(" s");
    if (magnitude < 99'950)
        return number(seconds, 1, locale) + QStringLiteral(" s");
    return number(seconds, 0, locale) + QStringLiteral(" s");
}

QString DisplayFormat::durationDelta(double ms, const QLocale &locale)
{
    if (std::abs(ms) < 0.05)
        return QStringLiteral("±") + duration(0, locale);
    // U+2212, the minus sign, lines up with the plus where a hyphen would look like a dash.
    return (ms > 0 ? QStringLiteral("+") : QStringLiteral("−")) + duration(std::abs(ms), locale);
}

QString DisplayFormat::axisTick(double ms, double stepMs, double spanMs, const QLocale &locale)
{
    QLocale plain = locale;
    plain.setNumberOptions(QLocale::OmitGroupSeparator);
    if (ms == 0)
        return QStringLiteral("0");
    if (spanMs < 1000)
        return plain.toString(ms, 'f', stepMs < 1 ? 1 : 0) + QStringLiteral(" ms");
    const int decimals = stepMs >= 1000 ? 0 : stepMs >= 100 ? 1 : stepMs >= 10 ? 2 : 3;
    return plain.toString(ms / 1000, 'f', decimals) + QStringLiteral(" s");
}

QString DisplayFormat::bytes(qint64 bytes, const QLocale &locale)
{
    // One decimal up to a megabyte, two beyond: enough to tell two runs of a heavy page apart.
    const int precision = bytes < 1'000'000 ? 1 : 2;
    return locale.formattedDataSize(bytes, precision, QLocale::DataSizeSIFormat);
}

QString DisplayFormat::count(qint64 count, const QLocale &locale)
{
    QLocale plain = locale;
    plain.setNumberOptions(QLocale::OmitGroupSeparator);
    return plain.toString(count);
}

QString DisplayFormat::score(double score, const QLocale &locale)
{
    QLocale plain = locale;
    plain.setNumberOptions(QLocale::OmitGroupSeparator);
    QString text = plain.toString(score, 'f', 3);
    const QChar point = plain.decimalPoint().at(0);
    if (text.contains(point)) {
        while (text.endsWith(u'0'))
            text.chop(1);
        if (text.endsWith(point))
            text.chop(1);
    }
    return text;
}
