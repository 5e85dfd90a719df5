#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>
#include <utility>

// How one region's pool of runners behaves (FLEETCONFIG.md, "The pool"), as the fleet config states it. Durations are
// in milliseconds here, seconds in the file. Whoever builds a RegionPool fills its PoolOptions from this.
struct PoolSettings
{
    int min = 0; // runners kept booted even when idle
    int max = 2; // runners booted or booting at once
    int maxConcurrency = 2; // runs one runner takes at once
    qint64 idleShutdownAfterMs = 60'000; // a runner above `min` idle this long is stopped
    std::optional<qint64> minIdleShutdownAfterMs; // the same for the `min` runners; absent: never
    qint64 bootTimeoutMs = 60'000;
    qint64 runTimeoutMs = 180'000;
    qint64 checkoutTimeoutMs = 120'000; // how long a caller waits in the queue for a runner
    bool singleUse = false; // a runner is stopped after its first run

    QJsonObject toJson() const;
    friend bool operator==(const PoolSettings &, const PoolSettings &) = default;
};

// One region of the fleet: where it is on the map, which backend provides its runners, and its pool.
struct RegionConfig
{
    QString code; // identifier, unique in the fleet: 1–64 of A–Z a–z 0–9 _ -
    QString name; // for people; defaults to the code
    double latitude = 0; // degrees, −90 … 90
    double longitude = 0; // degrees, −180 … 180
    QString backendType; // "local", "static", "fly", "kubernetes"
    QJsonObject backendSettings; // the "backend" object without "type", kept verbatim for the backend to read
    PoolSettings pool;

    QJsonObject toJson() const;
    friend bool operator==(const RegionConfig &, const RegionConfig &) = default;
};

// The fleet config file (shared/fleet/FLEETCONFIG.md): every region the app measures from. It holds no secret:
// backends name their tokens by keychain key ("tokenSecret": "fly-api"), and an inline token or password is
// refused. Decoding checks everything it can without the network and reports the first problem with its field
// path ("regions[2].pool.max: 0 is outside 1 … 1000"); fields it does not know are ignored.
struct FleetConfig
{
    static constexpr int currentVersion = 1;
    static constexpr int maxRegions = 1000;
    static constexpr int maxRunnersPerRegion = 1000;

    QList<RegionConfig> regions;

    // The region with this code, or null.
    const RegionConfig *region(const QString &code) const;

    QJsonObject toJson() const;
    static std::optional<FleetConfig> fromJson(const QJsonObject &json, QString *error);
    // From the file's text; errors also cover text that is not a JSON object.
    static std::optional<FleetConfig> fromJson(const QByteArray &text, QString *error);

    // Errors name the file ("/home/me/.config/WorldSpeed/fleet.json: regions[0].code: is required").
    static std::optional<FleetConfig> load(const QString &path, QString *error);
    // Atomically (QSaveFile), creating the directory if needed.
    bool save(const QString &path, QString *error) const;

    // What the app runs with before the user sets anything up: one region "local", "This computer", a local
    // backend and the default pool, placed at the reference city of the system time zone (see defaultPosition()).
    static FleetConfig defaultConfig();

    // Where "this computer" probably is: the coordinates tzdata gives the system time zone's reference city
    // (zone1970.tab, then zone.tab, as installed on Linux and macOS), else Greenwich (51.48, 0.0) — for a zone
    // such as UTC that has no place, or a system without tzdata tables.
    static std::pair<double, double> defaultPosition();
    // The coordinates of `zoneId` in the text of a tzdata zone table (exposed for tests).
    static std::optional<std::pair<double, double>> positionInZoneTable(
        const QByteArray &table, const QByteArray &zoneId);

    friend bool operator==(const FleetConfig &, const FleetConfig &) = default;
};
