// libFuzzer target: the fleet config file (shared/fleet/FLEETCONFIG.md) as it is read from disk, any bytes through
// FleetConfig::fromJson(). Each input must give exactly a config or an error; a config must survive
// toJson() → fromJson() unchanged (FleetConfig::save() refuses to write what would not). The same bytes are also
// read as a tzdata zone table (positionInZoneTable), whose answer must be a place on Earth.

#include "fleet/fleetconfig.h"
#include "fuzzcheck.h"

#include <cmath>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArray text(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));

    QString error;
    const std::optional<FleetConfig> config = FleetConfig::fromJson(text, &error);
    fuzzExpect(config.has_value() == error.isEmpty(), QStringLiteral("a config and an error, or neither: ") + error);
    if (config) {
        fuzzExpect(!config->regions.isEmpty() && config->regions.size() <= FleetConfig::maxRegions,
            QStringLiteral("a config with %1 regions").arg(config->regions.size()));
        QString again;
        const std::optional<FleetConfig> reread = FleetConfig::fromJson(config->toJson(), &again);
        fuzzExpect(reread.has_value(), QStringLiteral("what was read cannot be written back: ") + again);
        fuzzExpect(*reread == *config, QStringLiteral("the round trip changed the config"));
    }

    for (const QByteArray &zone : { QByteArrayLiteral("Europe/Berlin"), QByteArrayLiteral("America/St_Johns") }) {
        if (const auto position = FleetConfig::positionInZoneTable(text, zone)) {
            fuzzExpect(std::fabs(position->first) <= 90 && std::fabs(position->second) <= 180,
                QStringLiteral("a position off the globe: %1, %2").arg(position->first).arg(position->second));
        }
    }
    return 0;
}
