# Sourced by scripts/etcd-up.sh and scripts/prometheus-up.sh (and, for say,
# die and the apt log, scripts/browser-up.sh): makes sure a command the tests
# run is on PATH, installing Debian's packages of it with
# apt-get (as root) when it is not. Nothing is started.
#
#   debian_tool COMMAND VERSION_FUNCTION SCRIPT WHAT_ELSE PACKAGE…
#
# VERSION_FUNCTION prints the installed version; SCRIPT is the caller's path,
# for the message that asks for root; WHAT_ELSE says how else to get it.

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
apt_log=/var/log/cube-apt.log

say() { printf 'cube: %s\n' "$*"; }
die() {
  printf 'cube: %s\n' "$@" >&2
  exit 1
}

debian_tool() {
  local tool=$1 version=$2 script=$3 else=$4
  shift 4
  if command -v "$tool" >/dev/null 2>&1; then
    say "$tool $($version) is installed"
    return 0
  fi
  if [[ $EUID -ne 0 ]]; then
    die "$tool is not installed, and installing it takes root:" \
      "    sudo bash $script" \
      "(installs Debian's $*), or $else."
  fi
  command -v apt-get >/dev/null 2>&1 ||
    die "cannot install $tool: apt-get not found (this script knows Debian and Ubuntu)." \
      "To fix: $else, and re-run."

  printf '\n=== %s: apt-get install %s (%s)\n' "$(date -u +%FT%TZ)" "$*" "$script" >>"$apt_log"
  say "updating the apt package lists… (log: $apt_log)"
  if apt-get update >>"$apt_log" 2>&1; then
    say "installing $tool from Debian…"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$@" >>"$apt_log" 2>&1; then
      # Debian's package may start a system service on its usual port; the tests start their own on free ports.
      say "$tool $($version) is installed"
      return 0
    fi
  fi
  printf 'cube: apt-get failed; the end of %s:\n' "$apt_log" >&2
  tail -n 20 "$apt_log" | sed 's/^/    /' >&2
  die "To fix: make sure this machine reaches its Debian mirrors and that no other apt/dpkg is running," \
    "then re-run this script; or install it yourself: apt-get install -y $*"
}
