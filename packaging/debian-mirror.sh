#!/usr/bin/env bash
# Prints the Debian mirror this machine's apt uses (deb822 sources first, then the classic list), for debootstrap:
# check-debs.sh's clean root and build-image.sh's local base image fetch from the same place as apt. Exit 1 if none.
set -euo pipefail
mirror=$(sed -n 's/^URIs:[[:space:]]*\([^[:space:]]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null \
    | grep -v -- '-security' | head -n 1 || true)
if [ -z "$mirror" ]; then
    mirror=$(awk '$1 == "deb" && $2 !~ /^\[/ && $2 !~ /security/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
fi
if [ -z "$mirror" ]; then
    echo "no Debian mirror found in /etc/apt/sources.list{,.d}" >&2
    exit 1
fi
printf '%s\n' "$mirror"
