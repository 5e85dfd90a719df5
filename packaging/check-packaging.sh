#!/usr/bin/env bash
# Checks the packaging files without building or installing anything: the probe's systemd unit with systemd-analyze
# (verify and an offline security review, in a throwaway root), the EnvironmentFile example, the desktop entry and
# AppStream metadata, the packages' scripts, and the container files. (The DEBs themselves: check-debs.sh.)
# Needs no root; writes only a temporary directory, removed on exit. Exit status 1 if any check fails.
#
#   bash packaging/check-packaging.sh
#
# WORLDSPEED_SECURITY_THRESHOLD (default 3.0): highest acceptable "overall exposure" of systemd-analyze security
# (0 = locked down, 10 = unprotected). The unit scores 2.1 with systemd 252; raising the number needs a reason.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
unit="$here/systemd/worldspeed-probe.service"
unit_name=$(basename "$unit")
defaults="$here/systemd/worldspeed-probe.default"
threshold=${WORLDSPEED_SECURITY_THRESHOLD:-3.0}
failed=0

fail() { echo "FAIL: $*"; failed=1; }
ok() { echo "ok: $*"; }

work=$(mktemp -d "${TMPDIR:-/tmp}/worldspeed-check-packaging.XXXXXX")
trap 'rm -rf "$work"' EXIT

# ---- systemd unit ----
if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "skipped: systemd-analyze not found (install the systemd package to check $unit_name)"
else
    # A throwaway root that holds the unit, the distribution's units it depends on (sysinit.target, ...) and a
    # stand-in executable for every absolute path the unit runs: verify insists that they exist, and the probe is
    # not installed on a build machine. Nothing outside $work is touched.
    root="$work/root"
    mkdir -p "$root/etc/systemd/system"
    cp "$unit" "$root/etc/systemd/system/"
    for dir in /usr/lib/systemd/system /lib/systemd/system; do
        if [ -d "$dir" ] && [ ! -e "$root$dir" ]; then
            mkdir -p "$root$(dirname "$dir")"
            cp -R "$dir" "$root$dir"
        fi
    done
    # Exec*= lines: the first word after the prefixes systemd allows (-, @, +, !, :) is the program.
    sed -n 's/^Exec[A-Za-z]*=[-@+!:]*\(\/[^ ]*\).*/\1/p' "$unit" | sort -u | while read -r program; do
        mkdir -p "$root$(dirname "$program")"
        printf '#!/bin/sh\nexit 0\n' >"$root$program"
        chmod 755 "$root$program"
    done

    # systemd-analyze verify exits 0 even for unknown keys and values it cannot parse (it only prints them), so
    # any output at all is a failure.
    if out=$(systemd-analyze verify --man=no --root="$root" "$unit_name" 2>&1) && [ -z "$out" ]; then
        ok "systemd-analyze verify $unit_name ($(systemd-analyze --version | head -n 1))"
    else
        fail "systemd-analyze verify $unit_name:"
        printf '%s\n' "${out//$root/}"
    fi

    if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
        # --threshold counts in tenths (0-100) and fails when the exposure is above it.
        tenths=$(awk -v t="$threshold" 'BEGIN { printf "%d", t * 10 + 0.5 }')
        if out=$(systemd-analyze security --no-pager --offline=yes --root="$root" --threshold="$tenths" \
            "$unit_name" 2>&1); then
            ok "systemd-analyze security: $(printf '%s\n' "$out" | grep -o 'Overall exposure level.*' || true)"
        else
            fail "systemd-analyze security (threshold $threshold):"
            printf '%s\n' "$out"
        fi
    else
        echo "skipped: this systemd-analyze has no offline security review (systemd >= 250)"
    fi
fi

# ---- EnvironmentFile example: comments, blank lines and KEY=VALUE only ----
if bad=$(grep -n -v -E '^[[:space:]]*(#.*)?$|^[A-Za-z_][A-Za-z0-9_]*=' "$defaults"); then
    fail "$(basename "$defaults") has lines systemd's EnvironmentFile= would not read:"
    printf '%s\n' "$bad"
elif ! grep -q '^WORLDSPEED_PROBE_ARGS=' "$defaults"; then
    fail "$(basename "$defaults") does not set WORLDSPEED_PROBE_ARGS"
else
    ok "$(basename "$defaults")"
fi

# ---- desktop entry and AppStream metadata ----
desktop="$here/linux/org.worldspeed.WorldSpeed.desktop"
metainfo="$here/linux/org.worldspeed.WorldSpeed.metainfo.xml"
if ! command -v desktop-file-validate >/dev/null 2>&1; then
    echo "skipped: desktop-file-validate not found (package desktop-file-utils)"
elif out=$(desktop-file-validate "$desktop" 2>&1) && [ -z "$out" ]; then
    ok "desktop-file-validate $(basename "$desktop")"
else
    # It exits 0 on warnings and hints; any output counts.
    fail "desktop-file-validate $(basename "$desktop"):"
    printf '%s\n' "$out"
fi
if ! command -v appstreamcli >/dev/null 2>&1; then
    echo "skipped: appstreamcli not found (package appstream)"
elif out=$(appstreamcli validate --no-net "$metainfo" 2>&1); then
    ok "appstreamcli validate $(basename "$metainfo"): $(printf '%s\n' "$out" | tail -n 1)"
else
    fail "appstreamcli validate $(basename "$metainfo"):"
    printf '%s\n' "$out"
fi
# The shell scripts of the packages.
for script in "$here"/debian/probe/postinst "$here"/debian/probe/prerm "$here"/debian/probe/postrm \
    "$here"/check-debs.sh; do
    if sh -n "$script" 2>/dev/null || bash -n "$script"; then
        ok "$(basename "$script") parses"
    else
        fail "$(basename "$script") does not parse"
    fi
done

# ---- container ----
for script in chromium-sandbox.sh entrypoint.sh health.sh; do
    if sh -n "$here/container/$script"; then ok "container/$script parses (sh -n)"; else fail "container/$script does not parse"; fi
done
for script in build-image.sh check-image.sh; do
    if bash -n "$here/container/$script"; then ok "container/$script parses"; else fail "container/$script does not parse"; fi
done
# run-options is read as `$(cat run-options)`: one option per line, no spaces inside one.
if grep -vqE '^--[a-z-]+(=[^[:space:]]+)?$' "$here/container/run-options"; then
    fail "container/run-options has a line that is not one --option[=value] without spaces"
else
    ok "container/run-options: $(wc -l <"$here/container/run-options") options"
fi
# The seccomp profile is the runtime's default with chroot allowed (Chrome's sandbox; README.md): compared with
# this machine's containers-common default where it is installed, so that a change of either is seen.
if python3 - "$here/container/seccomp.json" /usr/share/containers/seccomp.json <<'PY'; then
import json, os, sys
ours = json.load(open(sys.argv[1]))
if not os.path.exists(sys.argv[2]):
    print("ok: container/seccomp.json is JSON (no containers-common default here to compare with)")
    sys.exit(0)
default = json.load(open(sys.argv[2]))
default["syscalls"] = [rule for rule in default["syscalls"] if rule["names"] != ["chroot"]]
for rule in default["syscalls"]:
    if rule["action"] == "SCMP_ACT_ALLOW" and not rule.get("args") and not rule.get("includes") \
            and "unshare" in rule["names"]:
        rule["names"] = sorted(set(rule["names"]) | {"chroot"})
if ours != default:
    print("FAIL: container/seccomp.json is not containers-common's default with chroot allowed")
    sys.exit(1)
print("ok: container/seccomp.json is containers-common's default with chroot allowed")
PY
    :
else
    failed=1
fi

exit "$failed"
