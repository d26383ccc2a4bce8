#!/usr/bin/env bash
# Make sure Debian's Chromium is installed, for the live view's browser test
# (test/e2e/ui.test.ts drives it with playwright-core).
#
#   sudo bash scripts/browser-up.sh
#
# Fast (a few hundredths of a second) when /usr/bin/chromium exists.
# Otherwise, as root on Debian: installs the `chromium` package with apt-get
# (log in /var/log/cube-apt.log). No browser is ever downloaded any other way
# (no `npx playwright install`): the tests use /usr/bin/chromium.
#
# Environment: CUBE_CHROMIUM=/path/to/chromium to check another binary
# (the tests still use /usr/bin/chromium).
set -euo pipefail
source "$(dirname "$0")/debian-tool.sh" # PATH, say, die and the apt log

chromium=${CUBE_CHROMIUM:-/usr/bin/chromium}

# chromium_version: print the browser's version if it runs.
chromium_version() {
  [[ -x $chromium ]] || return 1
  local v
  v=$(timeout 20 "$chromium" --version 2>/dev/null) || return 1
  [[ -n $v ]] && printf '%s' "$v"
}

# --- Already there? --------------------------------------------------------------

if [[ -x $chromium ]]; then
  say "Chromium is installed ($chromium)"
  exit 0
fi

# --- No: can this script install it? -------------------------------------------

if [[ $EUID -ne 0 ]]; then
  die "Chromium is not installed ($chromium is missing); the browser tests need it. Install it as root with:" \
    "    sudo bash scripts/browser-up.sh" \
    "(installs Debian's chromium package), or: sudo apt-get install -y chromium"
fi
command -v apt-get >/dev/null 2>&1 ||
  die "cannot install Chromium: apt-get not found (this script knows Debian and Ubuntu)." \
    "Install Chromium with your package manager so that $chromium exists, and re-run."

mkdir -p "$(dirname "$apt_log")"
log_offset=$(stat -c %s "$apt_log" 2>/dev/null || echo 0)
printf '\n=== %s: apt-get install chromium (scripts/browser-up.sh)\n' "$(date -u +%FT%TZ)" >>"$apt_log"
say "Chromium is missing: updating the apt package lists… (log: $apt_log)"
ok=
if apt-get update >>"$apt_log" 2>&1; then
  say "installing Chromium from Debian… this takes a minute or two"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y chromium >>"$apt_log" 2>&1; then
    ok=1
  fi
fi
if [[ -z $ok ]]; then
  printf 'cube: apt-get failed; the end of %s:\n' "$apt_log" >&2
  # Only what this run wrote.
  { tail -c +"$((log_offset + 1))" "$apt_log" 2>/dev/null || true; } | tail -n 20 | sed 's/^/    /' >&2
  die "To fix: make sure this machine reaches its Debian mirrors (see /etc/apt/sources.list*)" \
    "and that no other apt/dpkg is running, then re-run this script;" \
    "or install it yourself: apt-get install -y chromium"
fi

version=$(chromium_version) ||
  die "the chromium package is installed but $chromium does not run; see $apt_log" \
    "(try: $chromium --headless --no-sandbox --version)"
say "$version is installed ($chromium)"
