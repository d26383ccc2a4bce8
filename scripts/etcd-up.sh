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

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
apt_log=/var/log/cube-apt.log

say() { printf 'cube: %s\n' "$*"; }
die() {
  printf 'cube: %s\n' "$@" >&2
  exit 1
}

if command -v etcd >/dev/null 2>&1; then
  say "etcd $(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p') is installed"
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  die "etcd is not installed, and installing it takes root:" \
    "    sudo bash scripts/etcd-up.sh" \
    "(installs Debian's etcd-server), or install etcd 3.4 or newer yourself."
fi
command -v apt-get >/dev/null 2>&1 ||
  die "cannot install etcd: apt-get not found (this script knows Debian and Ubuntu)." \
    "Install etcd 3.4 or newer with your package manager and re-run."

printf '\n=== %s: apt-get install etcd-server etcd-client (scripts/etcd-up.sh)\n' "$(date -u +%FT%TZ)" >>"$apt_log"
say "updating the apt package lists… (log: $apt_log)"
if apt-get update >>"$apt_log" 2>&1; then
  say "installing etcd from Debian…"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends etcd-server etcd-client >>"$apt_log" 2>&1; then
    # Debian's package may start a system etcd on 2379; the tests use their own members and ports.
    say "etcd $(etcd --version 2>/dev/null | sed -n 's/^etcd Version: //p') is installed"
    exit 0
  fi
fi
printf 'cube: apt-get failed; the end of %s:\n' "$apt_log" >&2
tail -n 20 "$apt_log" | sed 's/^/    /' >&2
die "To fix: make sure this machine reaches its Debian mirrors and that no other apt/dpkg is running," \
  "then re-run this script; or install it yourself: apt-get install -y etcd-server"
