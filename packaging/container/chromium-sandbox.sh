# Installed as /etc/chromium.d/worldspeed-sandbox in the probe's container image; Debian's /usr/bin/chromium
# wrapper sources every file in /etc/chromium.d before it starts the browser (POSIX sh, no exit here).
#
# The image runs the probe as a non-root user, so the probe does not add --no-sandbox itself and Chrome uses its
# user-namespace sandbox: new user, PID and network namespaces per renderer, then chroot inside them. Docker's
# default seccomp profile (and Kubernetes' RuntimeDefault, which follows it) refuses exactly that, and Chrome then
# exits with "No usable sandbox!". WORLDSPEED_CHROME_SANDBOX chooses what happens:
#   auto (default) keep Chrome's sandbox when this container can create those namespaces and chroot in them (the
#                  same steps Chrome takes, ~5 ms), otherwise add --no-sandbox: the container (non-root, no
#                  capabilities, the runtime's seccomp profile) is then the only isolation around the renderers;
#   on             always keep the sandbox (Chrome fails to start where it cannot work; the probe reports that);
#   off            always --no-sandbox.
case "${WORLDSPEED_CHROME_SANDBOX:-auto}" in
    on) ;;
    off) CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox" ;;
    *)
        if ! /usr/bin/unshare --user --map-root-user --pid --net --fork /usr/sbin/chroot / /bin/true 2>/dev/null; then
            echo "worldspeed: user namespaces unavailable here; starting Chromium with --no-sandbox" >&2
            CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox"
        fi
        ;;
esac
