#include "loadtimescale.h"

#include <cmath>

namespace {

// ColorBrewer's RdYlGn ends with a stronger yellow, so the middle reads on light maps too.
const QColor goodColor(0x1a, 0x96, 0x41);
const QColor mediumColor(0xf2, 0xc2, 0x1b);
const QColor poorColor(0xd7, 0x19, 0x1c);

QColor between(const QColor &from, const QColor &to, double t)
{
    return QColor::fromRgbF(float(std::lerp(from.redF(), to.redF(), t)),
        float(std::lerp(from.greenF(), to.greenF(), t)), float(std::lerp(from.blueF(), to.blueF(), t)));
}

} // namespace

QColor LoadTimeScale::color(double loadMs)
{
    if (!(loadMs > goodMs)) // NaN counts as good rather than alarming; callers pass measured times
        return goodColor;
    if (loadMs < mediumMs)
        return between(goodColor, mediumColor, (loadMs - goodMs) / (mediumMs - goodMs));
    if (loadMs < poorMs)
        return between(mediumColor, poorColor, (loadMs - mediumMs) / (poorMs - mediumMs));
    return poorColor;
}
