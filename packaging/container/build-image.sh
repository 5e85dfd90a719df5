#!/usr/bin/env bash
# Builds the probe's container image with podman from the worldspeed-probe DEB:
#
#   packaging/container/build-image.sh TAG [WORLDSPEED-PROBE-DEB]
#
# The DEB defaults to the newest build/package/packages/worldspeed-probe_*.deb (`cmake --preset package && cmake
# --build --preset package && cpack --preset package`). The base is debian:12-slim: the local image of that name
# if there is one, else pulled, and where no image registry answers (a closed network whose only way out is a
# Debian mirror) a minimal Debian 12 made here with debootstrap from the mirror apt uses and imported under that
# name (root and debootstrap needed; about a minute). The build context is a folder of its own holding the
# Containerfile, the DEB and the image's scripts: nothing else of the checkout reaches the image.
#
# podman reads CONTAINERS_CONF; on hosts where it cannot run containers with its defaults (crun and a hybrid cgroup
# layout, rlimits that may not be raised), export CONTAINERS_CONF=packaging/container/containers.conf first.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tag=${1:?usage: build-image.sh TAG [WORLDSPEED-PROBE-DEB]}
deb=${2:-$(find "$repo/build/package/packages" -maxdepth 1 -name 'worldspeed-probe_*.deb' 2>/dev/null | sort -V | tail -n 1)}
base=debian:12-slim

if [ -z "$deb" ] || [ ! -f "$deb" ]; then
    echo "build-image: no worldspeed-probe DEB${deb:+ at $deb}; make it with cmake --preset package &&" \
        "cmake --build --preset package && cpack --preset package, or name one" >&2
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/worldspeed-build-image.XXXXXX")
trap 'rm -rf --one-file-system "$work"' EXIT

make_local_base() {
    if [ "$(id -u)" -ne 0 ] || ! command -v debootstrap >/dev/null 2>&1; then
        echo "build-image: no $base image, none could be pulled, and making one needs root and debootstrap" >&2
        return 1
    fi
    local mirror root="$work/base"
    mirror=$(bash "$here/../debian-mirror.sh")
    echo "build-image: making $base locally: debootstrap --variant=minbase bookworm"
    if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
        tail -n 20 "$work/debootstrap.log" >&2
        return 1
    fi
    # apt inside sees what the host's apt sees, security and updates suites included (debootstrap writes only the
    # main suite): the image must get Chromium's security releases, as one from debian:12-slim does.
    rm -f "$root/etc/apt/sources.list"
    if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
        cp /etc/apt/sources.list.d/*.sources "$root/etc/apt/sources.list.d/"
    fi
    if [ -s /etc/apt/sources.list ]; then
        cp /etc/apt/sources.list "$root/etc/apt/sources.list"
    fi
    # What debian:12-slim leaves out too: the downloaded packages, apt's lists, documentation.
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/man \
        "$root"/usr/share/info "$root"/usr/share/locale
    find "$root/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
    tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - "localhost/$base" >/dev/null
    rm -rf --one-file-system "$root"
}

if podman image exists "$base"; then
    echo "build-image: base $base is here"
elif timeout 300 podman pull --quiet "$base" >/dev/null 2>"$work/pull.log"; then
    echo "build-image: base $base pulled"
else
    echo "build-image: $base could not be pulled ($(tail -n 1 "$work/pull.log"))"
    make_local_base
fi

context="$work/context"
mkdir -p "$context"
install -m 644 "$here/Containerfile" "$context/Containerfile"
install -m 644 "$deb" "$context/worldspeed-probe.deb"
install -m 644 "$here/chromium-sandbox.sh" "$context/chromium-sandbox.sh"
install -m 755 "$here/entrypoint.sh" "$context/entrypoint.sh"
install -m 755 "$here/health.sh" "$context/health.sh"

echo "build-image: $tag from $(basename "$deb")"
# --format docker keeps HEALTHCHECK (the OCI format has no field for it); --network host: apt inside reaches the
# same mirror as the host's apt, whatever podman's own networks can reach.
podman build --format docker --network host --build-arg "BASE=$base" -f "$context/Containerfile" -t "$tag" "$context"
podman image inspect --format 'build-image: {{.Id}} {{.Size}} bytes' "$tag"
