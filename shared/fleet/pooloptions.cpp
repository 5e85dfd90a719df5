#include "pooloptions.h"

#include "protocol/message.h"

#include <utility>

QString PoolOptions::validate() const
{
    if (min < 0)
        return QStringLiteral("min must be 0 or more, not %1").arg(min);
    if (max < 1)
        return QStringLiteral("max must be 1 or more, not %1").arg(max);
    if (min > max)
        return QStringLiteral("min (%1) must not be more than max (%2)").arg(min).arg(max);
    if (maxConcurrency < 1 || maxConcurrency > ProtocolLimits::maxCapacity) {
        return QStringLiteral("maxConcurrency must be 1 … %1, not %2")
            .arg(ProtocolLimits::maxCapacity)
            .arg(maxConcurrency);
    }
    if (singleUse && maxConcurrency != 1) {
        return QStringLiteral("a single-use runner takes one run, so maxConcurrency must be 1, not %1")
            .arg(maxConcurrency);
    }
    if (idleShutdownAfterMs < 0)
        return QStringLiteral("idleShutdownAfterMs must be 0 or more, not %1").arg(idleShutdownAfterMs);
    if (minIdleShutdownAfterMs && *minIdleShutdownAfterMs < 0)
        return QStringLiteral("minIdleShutdownAfterMs must be 0 or more, not %1").arg(*minIdleShutdownAfterMs);
    const std::pair<const char16_t *, qint64> timeouts[] = {
        { u"bootTimeoutMs", bootTimeoutMs },
        { u"runTimeoutMs", runTimeoutMs },
        { u"checkoutTimeoutMs", checkoutTimeoutMs },
    };
    for (const auto &[name, value] : timeouts) {
        if (value <= 0)
            return QStringLiteral("%1 must be more than 0, not %2").arg(QString::fromUtf16(name)).arg(value);
    }
    return {};
}
