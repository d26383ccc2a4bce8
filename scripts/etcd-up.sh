#!/usr/bin/env bash
# Make sure etcd is installed, for the tests of several managers on etcd
# (test/integration/etcd-*.test.ts, test/e2e/ha.test.ts): they start their own
# members on loopback ports, so nothing is started here.
#
#   sudo bash scripts/etcd-up.sh
#
# Fast when `etcd` is on PATH. Otherwise, as root on Debian, installs
# etcd-server (and etcd-client, for etcdctl) with apt-get.
set -euo pipefail
source "$(dirname "$0")/debian-tool.sh"

version() { etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p'; }
debian_tool etcd version scripts/etcd-up.sh "install etcd 3.4 or newer with your package manager" etcd-server etcd-client
