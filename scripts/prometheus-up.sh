#!/usr/bin/env bash
# Make sure Prometheus is installed, for the test that scrapes a running
# cluster's GET /metrics (test/e2e/metrics.test.ts): it starts its own
# Prometheus on a free loopback port, its config and storage in a temp dir, so
# nothing is started here.
#
#   sudo bash scripts/prometheus-up.sh
#
# Fast when `prometheus` is on PATH. Otherwise, as root on Debian, installs
# Debian's prometheus package with apt-get.
set -euo pipefail
source "$(dirname "$0")/debian-tool.sh"

version() { prometheus --version 2>&1 | sed -n 's/^prometheus, version \([^ ]*\).*/\1/p'; }
debian_tool prometheus version scripts/prometheus-up.sh "put a prometheus 2.x binary on PATH yourself" prometheus
