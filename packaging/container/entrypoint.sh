#!/bin/sh
# The probe image's entry point, installed as /usr/local/bin/worldspeed-probe-entrypoint. What follows the image
# name on `podman run` / `docker run` (or a pod's `args`) are options of `worldspeed-probe serve`, appended to
# `--listen 0.0.0.0:8700`; a later --listen replaces that. `measure …`, `health …` and `--version` run that command
# instead.
#
# It refuses to start the server
#  - without a token: --token-file FILE, else the file regions mount at /run/secrets/worldspeed-probe-token (a
#    Kubernetes Secret volume, a Fly machine's config file, `podman run --secret`), else WORLDSPEED_PROBE_TOKEN
#    (for a local trial: the environment shows in `podman inspect`);
#  - where Chrome's sandbox cannot work, unless WORLDSPEED_CHROME_SANDBOX=off says to run Chrome without it. The
#    check does what Chrome's sandbox does (new user, PID and network namespaces, then chroot inside them) and takes
#    a few milliseconds; without it the first page load would fail with Chrome's "No usable sandbox!".
# Exit status 2 for both, as the probe's own refusals.
set -eu

token_path=/run/secrets/worldspeed-probe-token
# What the health check needs to know about this server: where it listens. /tmp is the container's tmpfs.
state_dir=${TMPDIR:-/tmp}/worldspeed-probe-container

case "${1:-}" in
serve) shift ;;
measure | health | --version | version | --help | help) exec worldspeed-probe "$@" ;;
esac

listen=0.0.0.0:8700
token_file=
previous=
for arg in "$@"; do
    case "$previous" in
    --listen) listen=$arg ;;
    --token-file) token_file=$arg ;;
    esac
    case "$arg" in
    --listen=*) listen=${arg#--listen=} ;;
    --token-file=*) token_file=${arg#--token-file=} ;;
    esac
    previous=$arg
done

if [ -z "$token_file" ]; then
    if [ -e "$token_path" ]; then
        set -- --token-file "$token_path" "$@"
    elif [ -z "${WORLDSPEED_PROBE_TOKEN:-}" ]; then
        echo "worldspeed-probe-entrypoint: no token. Mount it as a file at $token_path (a Kubernetes Secret, a Fly" \
            "machine file, podman/docker --secret), or give --token-file FILE; for a local trial set" \
            "WORLDSPEED_PROBE_TOKEN." >&2
        exit 2
    fi
fi

case "${WORLDSPEED_CHROME_SANDBOX:-on}" in
off)
    echo "worldspeed-probe-entrypoint: WORLDSPEED_CHROME_SANDBOX=off: Chrome runs without its sandbox; the" \
        "container is the only wall around the pages' renderers." >&2
    ;;
*)
    if ! unshare --user --map-root-user --pid --net --fork --root=/ /bin/true 2>/dev/null; then
        echo "worldspeed-probe-entrypoint: Chrome's sandbox cannot work in this container: it needs to create" \
            "user, PID and network namespaces and to chroot inside them, which this container's seccomp profile or" \
            "host refuses. Run it with the image's seccomp profile (packaging/container/seccomp.json; see" \
            "packaging/README.md for podman, Docker, Kubernetes and Fly Machines), or set" \
            "WORLDSPEED_CHROME_SANDBOX=off to run Chrome without its sandbox, knowingly." >&2
        exit 2
    fi
    ;;
esac

mkdir -p "$state_dir"
printf '%s\n' "$listen" >"$state_dir/listen"
exec worldspeed-probe serve --listen 0.0.0.0:8700 "$@"
