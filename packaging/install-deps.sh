#!/usr/bin/env bash
# Installs what WorldSpeed needs to build, run and test on Debian 12 (bookworm).
# Idempotent: asks apt only for the packages that are missing, so a second run is quick and quiet.
set -euo pipefail

packages=(
    # build
    cmake ninja-build g++ clang pkg-config openssl
    # Qt 6.4 (libqt6opengl6-dev: Qt Charts' CMake package needs Qt6OpenGL but does not pull it in)
    qt6-base-dev qt6-websockets-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libqt6sql6-sqlite
    qtkeychain-qt6-dev libsecret-1-0 libxkbcommon-dev libgl-dev
    # the browser the probe drives
    chromium
    # tests: headless GUI, real secret service, network namespaces, PDF to PNG; clang's sanitizer and libFuzzer
    # runtimes, and llvm-symbolizer, so sanitizer reports name functions and lines (and suppressions can match them)
    xvfb xauth dbus dbus-x11 gnome-keyring libsecret-tools iproute2 poppler-utils libclang-rt-14-dev llvm
    # packages: dpkg-shlibdeps for CPack's DEB, and the checks of what it makes (a clean root to install into)
    dpkg-dev lintian debootstrap python3 appstream desktop-file-utils
    # the probe's container image: built and run with podman (runc: see container/containers.conf; catatonit: --init)
    podman runc catatonit
)
# The benchmark's raw-CDP baseline is a short node script. Some machines carry a newer Node.js whose package
# conflicts with Debian's npm, so ask for node and npm only where the commands are missing.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all ${#packages[@]} packages already installed"
    exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
    sudo=sudo
else
    sudo=
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
