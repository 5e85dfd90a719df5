#include "versionrange.h"

#include <algorithm>

std::optional<int> VersionRange::negotiate(const VersionRange &client, const VersionRange &probe, ProtocolError *error)
{
    const auto fail = [error](const QString &why) -> std::optional<int> {
        if (error)
            *error = { ProtocolError::unsupportedVersion.toString(), why };
        return std::nullopt;
    };
    if (!client.isValid())
        return fail(QStringLiteral("the client's version range %1…%2 is not valid").arg(client.min).arg(client.max));
    if (!probe.isValid())
        return fail(QStringLiteral("the probe's version range %1…%2 is not valid").arg(probe.min).arg(probe.max));
    const int highest = std::min(client.max, probe.max);
    if (highest < std::max(client.min, probe.min)) {
        return fail(QStringLiteral("no common protocol version: the client speaks %1…%2, the probe %3…%4")
                        .arg(client.min)
                        .arg(client.max)
                        .arg(probe.min)
                        .arg(probe.max));
    }
    return highest;
}
