#!/bin/bash
# Runs a command against a real, unlocked gnome-keyring of its own: a private D-Bus session bus
# (dbus-run-session), a throwaway HOME holding a fresh "login" keyring unlocked with a throwaway password, and a
# private 0700 XDG_RUNTIME_DIR. Nothing touches the user's own keyring, bus or runtime directory, and everything
# is removed afterwards.
#
#   tests/with-keyring.sh COMMAND [ARGUMENT…]
#
# The command sees WORLDSPEED_THROWAWAY_KEYRING=1, so a keychain test can refuse to run anywhere else.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARGUMENT…]" >&2
    exit 2
fi
for tool in dbus-run-session gnome-keyring-daemon; do
    if ! command -v "$tool" >/dev/null; then
        echo "$0: $tool is not installed (Debian: apt-get install dbus gnome-keyring)" >&2
        exit 2
    fi
done

# Short on purpose: the command's TMPDIR lives in here, and Chromium makes its singleton socket in TMPDIR, where a
# Unix socket's path may be at most 108 bytes. A caller's own deep TMPDIR would leave too little room.
scratch=$(mktemp -d /tmp/wsk.XXXXXX)
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Always a fresh runtime directory, even when the caller already has a private one: gnome-keyring puts its
# control socket at $XDG_RUNTIME_DIR/keyring/control, and a real desktop keyring may be listening there.
mkdir -m 0700 "$scratch/home" "$scratch/runtime" "$scratch/tmp"
export HOME="$scratch/home"
export XDG_RUNTIME_DIR="$scratch/runtime"
export XDG_DATA_HOME="$HOME/.local/share"
export XDG_CONFIG_HOME="$HOME/.config"
export XDG_CACHE_HOME="$HOME/.cache"
export TMPDIR="$scratch/tmp"
export WORLDSPEED_THROWAWAY_KEYRING=1
# No display: nothing may try to show an unlock prompt, and D-Bus must not autolaunch an X11 session bus.
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL

# Not exec'd, so the trap can remove the scratch directory once the bus (and the keyring daemon with it) is gone.
status=0
dbus-run-session -- sh -c 'printf %s "$0" | gnome-keyring-daemon --unlock --components=secrets >/dev/null && exec "$@"' \
    throwaway-password "$@" || status=$?
exit "$status"
