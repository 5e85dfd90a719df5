#!/usr/bin/env bash
# Checks the DEB packages that `cpack --preset package` made: prints dpkg-deb --info/--contents, runs lintian,
# then (as root, with debootstrap) installs both packages with apt into a throwaway minimal Debian 12 root and runs
# them from there: --version of each program, the systemd unit's paths, the desktop files, one real page load by the
# installed worldspeed-probe through the installed Chromium from a page served on loopback, and one test by the
# installed worldspeed-cli (its local fleet, the probe beside it, the history in SQLite).
#
#   bash packaging/check-debs.sh build/package/packages
#
# The root is made in a folder of our own under $TMPDIR and removed on exit; its mounts (/proc, /dev, /dev/shm)
# live in a private mount namespace, so they end with this script whatever happens. debootstrap and apt inside the
# root fetch from the mirror this machine's apt already uses. Exit status 1 if any check fails.
set -euo pipefail

dir=${1:?usage: check-debs.sh DIR-WITH-DEBS}
probe_deb=$(find "$dir" -maxdepth 1 -name 'worldspeed-probe_*.deb' | sort | tail -n 1)
app_deb=$(find "$dir" -maxdepth 1 -name 'worldspeed_*.deb' | sort | tail -n 1)
if [ -z "$probe_deb" ] || [ -z "$app_deb" ]; then
    echo "FAIL: no worldspeed-probe_*.deb and worldspeed_*.deb in $dir"
    exit 1
fi
failed=0
fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

for deb in "$probe_deb" "$app_deb"; do
    echo "==== $(basename "$deb") ===="
    dpkg-deb --info "$deb"
    dpkg-deb --contents "$deb"
done

# ---- lintian: errors and warnings fail ----
if command -v lintian >/dev/null 2>&1; then
    # Tags we accept, each for a reason:
    #  - no-manual-page: the programs document themselves with --help and the READMEs in /usr/share/doc.
    #  - maintainer-script-calls-systemctl: the scripts do what debhelper's snippets do, without debhelper.
    #  - initial-upload-closes-no-bugs: not uploaded to Debian.
    suppress=no-manual-page,maintainer-script-calls-systemctl,initial-upload-closes-no-bugs
    # Lintian refuses to run as root unless told it is fine; it only reads the files.
    if out=$(lintian --allow-root --fail-on error,warning --suppress-tags "$suppress" "$probe_deb" "$app_deb" 2>&1); then
        ok "lintian ($(lintian --version)): ${out:-no tags}"
    else
        fail "lintian:"
        printf '%s\n' "$out"
    fi
else
    echo "skipped: lintian not installed"
fi

# ---- installed into a clean root ----
if [ "$(id -u)" -ne 0 ] || ! command -v debootstrap >/dev/null 2>&1; then
    echo "skipped: installing into a clean root needs root and debootstrap"
    exit "$failed"
fi

if ! mirror=$(bash "$(dirname "$0")/debian-mirror.sh"); then
    fail "no Debian mirror found in /etc/apt/sources.list{,.d}"
    exit 1
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/worldspeed-check-debs.XXXXXX")
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; fi
    rm -rf --one-file-system "$work"
}
trap cleanup EXIT
root="$work/root"

echo "debootstrap: minimal bookworm root in $root"
if ! debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
    tail -n 20 "$work/debootstrap.log"
    fail "debootstrap"
    exit 1
fi
mkdir -p "$root/tmp/debs"
cp "$probe_deb" "$app_deb" "$root/tmp/debs/"

# A page for the installed probe to load, served on loopback by this machine (the root shares its network).
site="$work/site"
mkdir -p "$site"
printf '<!doctype html><title>installed</title><p>Served for the package check.</p>\n' >"$site/index.html"
port_file="$work/port"
python3 - "$site" "$port_file" 2>"$work/server.log" <<'PY' &
import functools, http.server, sys
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
server_pid=$!
for _ in $(seq 50); do [ -s "$port_file" ] && break; sleep 0.1; done
port=$(cat "$port_file")

# Everything inside the root runs in a private mount namespace: its mounts end with it.
unshare --mount --propagation private bash -s "$root" "$port" "$(basename "$probe_deb")" "$(basename "$app_deb")" \
    >"$work/inside.log" 2>&1 <<'INSIDE' || failed=1
set -euo pipefail
root=$1
port=$2
probe_deb=/tmp/debs/$3
app_deb=/tmp/debs/$4
mount -t proc proc "$root/proc"
mount -t devtmpfs devtmpfs "$root/dev" 2>/dev/null || mount --rbind /dev "$root/dev"
mkdir -p "$root/dev/shm"
mount -t tmpfs -o mode=1777 tmpfs "$root/dev/shm"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

step() { echo "---- $*"; }
step "apt-get install ./worldspeed-probe.deb ./worldspeed.deb"
in_root apt-get update -qq
in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "$probe_deb" "$app_deb" >"$root/tmp/apt.log" 2>&1 || { tail -n 30 "$root/tmp/apt.log"; exit 1; }
in_root dpkg-query -W -f='${Package} ${Version} ${Status}\n' worldspeed worldspeed-probe

step "worldspeed-probe --version"
in_root worldspeed-probe --version
step "worldspeed-cli --version"
in_root worldspeed-cli --version

step "systemd unit"
unit="$root/usr/lib/systemd/system/worldspeed-probe.service"
[ -f "$unit" ] || { echo "no unit at /usr/lib/systemd/system/worldspeed-probe.service"; exit 1; }
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
echo "ExecStart program: $exec_start"
[ -x "$root$exec_start" ] || { echo "$exec_start is not an executable in the package"; exit 1; }

step "desktop entry, metainfo, icons"
for f in /usr/share/applications/org.worldspeed.WorldSpeed.desktop \
    /usr/share/metainfo/org.worldspeed.WorldSpeed.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/worldspeed.svg /usr/share/icons/hicolor/48x48/apps/worldspeed.png; do
    [ -s "$root$f" ] || { echo "missing: $f"; exit 1; }
    echo "present: $f"
done

step "worldspeed-probe measure http://127.0.0.1:$port/ (the installed probe and Chromium)"
in_root worldspeed-probe measure --json --timeout 60 "http://127.0.0.1:$port/" >"$root/tmp/measure.json"
grep -o -E '"(browserVersion|status|ttfbMs|loadMs|requestCount)": *("[^"]*"|[0-9.]+)' "$root/tmp/measure.json" | awk -F: '!seen[$1]++'
grep -q '"loadMs"' "$root/tmp/measure.json" || { echo "the measurement has no load time"; exit 1; }

step "worldspeed-cli run --save, then history (the installed CLI: its local fleet starts the installed probe; SQLite)"
in_root worldspeed-cli run --save --database /tmp/history.sqlite --format csv "http://127.0.0.1:$port/"
in_root worldspeed-cli history --database /tmp/history.sqlite
INSIDE
cat "$work/inside.log"
if [ "$failed" -eq 0 ]; then
    ok "both packages installed into a clean Debian 12 root with apt; the installed probe and CLI measured a page"
else
    fail "installing or running the packages in a clean root (log above)"
fi
exit "$failed"
