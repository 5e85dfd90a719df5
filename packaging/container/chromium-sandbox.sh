# Installed as /etc/chromium.d/worldspeed-sandbox in the probe's container image; Debian's /usr/bin/chromium
# wrapper sources every file in /etc/chromium.d before it starts the browser (POSIX sh, no exit here).
#
# The image runs the probe as a non-root user, so Chrome uses its own sandbox (new user, PID and network
# namespaces per renderer and chroot inside them, then seccomp-bpf); the entry point refuses to start where that
# cannot work. WORLDSPEED_CHROME_SANDBOX=off is the knowing way out: Chrome starts with --no-sandbox, and the
# container (non-root, no capabilities, read-only root, the runtime's seccomp profile) is the only wall left
# around the renderers.
if [ "${WORLDSPEED_CHROME_SANDBOX:-on}" = off ]; then
    CHROMIUM_FLAGS="$CHROMIUM_FLAGS --no-sandbox"
fi
