#!/usr/bin/env bash
# CI check of the probe's container image, after the packages: builds it from the worldspeed-probe DEB with
# build-image.sh, then runs tst_containerimage against it (the image started as a region starts it, with its token
# as a file and TLS on, reached by ProbeClient over wss://, measuring a page served on loopback; the browser's
# processes checked from outside: the image's user, Chrome's sandbox on). Prints the image's size, the cold start
# (from the test's output) and how long each part took. Needs root and podman.
#
#   bash packaging/container/check-image.sh BUILD-DIR-WITH-TESTS [WORLDSPEED-PROBE-DEB]      (e.g. build/ci)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
tests=${1:?usage: check-image.sh BUILD-DIR-WITH-TESTS [WORLDSPEED-PROBE-DEB]}
tag=localhost/worldspeed-probe:check

begin=$(date +%s)
# The previous run's image would otherwise stay behind, untagged, 800 MB a run (the base image is kept: it is reused).
podman rmi "$tag" >/dev/null 2>&1 || true
bash "$here/build-image.sh" "$tag" ${2:+"$2"}
built=$(date +%s)
size=$(podman image inspect --format '{{.Size}}' "$tag")
echo "check-image: $tag is $((size / 1000000)) MB; built in $((built - begin)) s"

log=$(mktemp "${TMPDIR:-/tmp}/worldspeed-check-image.XXXXXX")
trap 'rm -f "$log"' EXIT
status=0
WORLDSPEED_CONTAINER_IMAGE=$tag ctest --test-dir "$tests" -R '^tst_containerimage$' --timeout 600 -V >"$log" 2>&1 ||
    status=1
if [ "$status" -ne 0 ] || grep -q 'SKIP' "$log"; then
    cat "$log"
    status=1
else
    grep -E 'PASS|cold start|processes in the container' "$log" | sed 's/^[0-9]*: //'
fi
echo "check-image: $((size / 1000000)) MB image, built in $((built - begin)) s, tested in $(($(date +%s) - built)) s"
exit "$status"
