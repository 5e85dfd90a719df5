#!/bin/sh
# The image's health check, installed as /usr/local/bin/worldspeed-probe-health: the Containerfile's HEALTHCHECK
# and the Kubernetes pod's startup, readiness and liveness probes run it inside the probe's container.
#
# Healthy when the probe answers a WebSocket upgrade on the address the entry point started it on (over TLS or
# not; the check does not authenticate, so it is no client: it keeps no idle probe alive and is no failed login),
# and a browser starts as the probe starts it. Starting a browser costs about a second of CPU and a few hundred MB
# for that second, which would disturb measurements if done every few seconds: the browser part runs on the
# first check and then at most every WORLDSPEED_HEALTH_BROWSER_SECONDS (default 300); the probe replaces a browser
# that stops answering by itself meanwhile. Exit 0 healthy, 1 not (the reason on stderr).
set -eu

state_dir=${TMPDIR:-/tmp}/worldspeed-probe-container
listen=$(cat "$state_dir/listen" 2>/dev/null || echo 127.0.0.1:8700)
every=${WORLDSPEED_HEALTH_BROWSER_SECONDS:-300}
stamp=$state_dir/browser-started

if [ -e "$stamp" ] && [ $(($(date +%s) - $(stat -c %Y "$stamp"))) -lt "$every" ]; then
    exec worldspeed-probe health --listen "$listen" --timeout 10
fi
worldspeed-probe health --listen "$listen" --browser --timeout 40
touch "$stamp"
