#!/bin/sh
# Stand-in for the Docker Hub image timboring/echo-server (built offline by
# scripts/test-images.sh; installed in the image as /bin/start, its CMD).
#
# busybox nc listens on port 7777 and, with -ll, forks /bin/handler for every
# connection (so requests are served concurrently); see handler.sh.
#
# Stops promptly on SIGTERM/SIGINT whether or not the container runs with
# --init: this shell traps the signal, stops nc and exits 0.

port=${PORT:-7777}
pid=

trap 'if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; fi; exit 0' TERM INT

# -e must come last: busybox nc takes everything after it as the command.
nc -ll -p "$port" -e /bin/handler &
pid=$!
wait "$pid"
