#pragma once

#include "protocolerror.h"

#include <optional>

// The contiguous range of protocol versions one side speaks. Each side announces its range in `hello`; the probe
// picks the highest version in both ranges (see PROTOCOL.md, "Versions").
struct VersionRange
{
    // Highest `v` a frame may carry at all; anything above is malformed rather than "newer".
    static constexpr int maxWireVersion = 65535;

    int min = 1;
    int max = 1;

    bool isValid() const { return min >= 1 && min <= max && max <= maxWireVersion; }
    bool contains(int version) const { return version >= min && version <= max; }

    // What this build speaks.
    static VersionRange supported() { return { 1, 1 }; }

    // The highest version both ranges contain; without one, an `unsupported-version` error saying both ranges.
    static std::optional<int> negotiate(const VersionRange &client, const VersionRange &probe, ProtocolError *error);

    friend bool operator==(const VersionRange &, const VersionRange &) = default;
};
