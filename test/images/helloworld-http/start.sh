#!/bin/sh
# Stand-in for the Docker Hub image strm/helloworld-http (built offline by
# scripts/test-images.sh; installed in the image as /bin/start, its CMD).
#
# Like the real image: writes a page saying "Hello from <hostname>" and serves
# it over HTTP on port 80 (busybox httpd, in the foreground).
#
# Stops promptly on SIGTERM/SIGINT whether or not the container runs with
# --init: this shell traps the signal, stops httpd and exits 0.

port=${PORT:-80}
pid=

trap 'if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null; fi; exit 0' TERM INT

mkdir -p /www
printf '<html><head></head><body><h1>Hello from %s</h1></body></html>\n' \
  "$(hostname)" >/www/index.html

httpd -f -p "$port" -h /www &
pid=$!
wait "$pid"
