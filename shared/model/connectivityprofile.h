#pragma once

#include <QList>
#include <QString>

#include <optional>

// A network to emulate, by WebPageTest's names and numbers, so our results compare with theirs. "Native" is no
// emulation at all.
struct ConnectivityProfile
{
    QString name;
    double downKbps = 0; // 0 = not throttled
    double upKbps = 0;
    double rttMs = 0;

    bool isNative() const { return downKbps == 0 && upKbps == 0 && rttMs == 0; }
    // Bytes per second, as Network.emulateNetworkConditions wants them; -1 means unthrottled there.
    double downBytesPerSecond() const { return downKbps > 0 ? downKbps * 1000.0 / 8.0 : -1; }
    double upBytesPerSecond() const { return upKbps > 0 ? upKbps * 1000.0 / 8.0 : -1; }

    static const QList<ConnectivityProfile> &all();
    // Case-insensitive; also accepts the name without spaces ("3gfast").
    static std::optional<ConnectivityProfile> byName(const QString &name);
    static QStringList names();
};
