#!/usr/bin/env bash
# Make sure a Docker engine answers, then build Cube's local test images.
#
#   sudo bash scripts/docker-up.sh
#
# Fast (a few hundredths of a second) when `docker info` already answers.
# Otherwise, as root on Debian: installs docker.io and busybox-static with
# apt-get if they are missing, clears a stale /var/run/docker.pid left by a
# killed dockerd, starts dockerd in the background (no systemd needed; log in
# /var/log/cube-dockerd.log) and waits up to 60 s for it to answer.
# Finally runs scripts/test-images.sh (stand-in images, nothing is pulled).
#
# If DOCKER_HOST points at another engine, that engine must answer: this
# script then installs and starts nothing.
set -euo pipefail

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

sock=/var/run/docker.sock
dockerd_log=/var/log/cube-dockerd.log
apt_log=/var/log/cube-apt.log
dockerd_pidfile=/var/run/docker.pid
containerd_pidfile=/var/run/docker/containerd/containerd.pid
start_timeout=${CUBE_DOCKER_START_TIMEOUT:-60}

say() { printf 'cube: %s\n' "$*"; }
die() {
  printf 'cube: %s\n' "$@" >&2
  exit 1
}

# engine_version: print the engine's version if `docker info` answers.
engine_version() {
  command -v docker >/dev/null 2>&1 || return 1
  local v
  v=$(timeout 10 docker info --format '{{.ServerVersion}}' 2>/dev/null) || return 1
  [[ -n $v ]] && printf '%s' "$v"
}

# pid_of NAME: the pid of a running process whose command name is NAME.
pid_of() {
  local f comm
  for f in /proc/[0-9]*/comm; do
    read -r comm 2>/dev/null <"$f" || continue
    if [[ $comm == "$1" ]]; then
      f=${f#/proc/}
      printf '%s' "${f%/comm}"
      return 0
    fi
  done
  return 1
}

# is_running PID NAME: PID is alive and is a NAME process (not a reused pid).
is_running() {
  local comm
  [[ $1 =~ ^[0-9]+$ ]] || return 1
  read -r comm 2>/dev/null <"/proc/$1/comm" || return 1
  [[ $comm == "$2" ]]
}

# clear_stale_pidfile FILE NAME: remove FILE unless its pid is a live NAME.
clear_stale_pidfile() {
  local file=$1 name=$2 pid
  [[ -e $file ]] || return 0
  pid=$(cat "$file" 2>/dev/null || true)
  is_running "$pid" "$name" && return 0
  say "removing stale $file (pid ${pid:-?} is not a running $name)"
  rm -f "$file"
}

static_busybox() {
  [[ -x /bin/busybox ]] && ! ldd /bin/busybox >/dev/null 2>&1
}

# apt_install WHAT PACKAGE...: install with apt-get, output in $apt_log.
apt_install() {
  local what=$1
  shift
  command -v apt-get >/dev/null 2>&1 ||
    die "cannot install $what: apt-get not found (this script knows Debian and Ubuntu)." \
      "Install $* with your package manager, start Docker, and re-run."
  printf '\n=== %s: apt-get install %s (scripts/docker-up.sh)\n' "$(date -u +%FT%TZ)" "$*" >>"$apt_log"
  say "updating the apt package lists… (log: $apt_log)"
  if apt-get update >>"$apt_log" 2>&1; then
    say "installing $what from Debian… this takes about a minute"
    if DEBIAN_FRONTEND=noninteractive apt-get install -y "$@" >>"$apt_log" 2>&1; then
      return 0
    fi
  fi
  printf 'cube: apt-get failed; the end of %s:\n' "$apt_log" >&2
  tail -n 20 "$apt_log" | sed 's/^/    /' >&2
  die "To fix: make sure this machine reaches its Debian mirrors (see /etc/apt/sources.list*)" \
    "and that no other apt/dpkg is running, then re-run this script;" \
    "or install the packages yourself: apt-get install -y $*"
}

# dockerd_log_tail: the last lines dockerd logged since this script started it.
log_offset=0
started=
dockerd_log_tail() {
  if [[ -z $started ]]; then
    printf 'cube: that dockerd was not started by this script; see its own log (e.g. %s)\n' \
      "/var/log/docker.log, or: journalctl -u docker" >&2
    return 0
  fi
  printf 'cube: the end of %s:\n' "$dockerd_log" >&2
  { tail -c +"$((log_offset + 1))" "$dockerd_log" 2>/dev/null || true; } |
    tail -n 25 | sed 's/^/    /' >&2
}

# --- Is an engine already answering? -----------------------------------------

where=${DOCKER_HOST:-$sock}
version=
if version=$(engine_version); then
  if [[ $EUID -eq 0 ]] && ! static_busybox; then
    apt_install "busybox-static (for the test images)" busybox-static
  fi
  say "Docker engine $version is up ($where)"
  exec bash "$here/test-images.sh"
fi

# --- No: can this script start one? ------------------------------------------

case ${DOCKER_HOST:-} in
'' | "unix://$sock" | unix:///run/docker.sock) ;;
*)
  die "DOCKER_HOST=$DOCKER_HOST is set, but no Docker engine answers there." \
    "Start that engine, or unset DOCKER_HOST to use (and if needed install and start) a local one."
  ;;
esac
if [[ -z ${DOCKER_HOST:-} ]] && command -v docker >/dev/null 2>&1; then
  context=$(docker context show 2>/dev/null || echo default)
  if [[ $context != default ]]; then
    die "the docker context '$context' is selected, but no Docker engine answers there." \
      "Start that engine, or switch back with: docker context use default"
  fi
fi

if [[ $EUID -ne 0 ]]; then
  if [[ -S $sock ]] && [[ ! -w $sock ]]; then
    die "a Docker engine seems to run, but your user may not use $sock." \
      "Add yourself to the docker group (sudo usermod -aG docker \"\$USER\", then log in again)," \
      "or run as root: sudo bash scripts/docker-up.sh"
  fi
  die "no Docker engine answers at $sock. Start one as root with:" \
    "    sudo bash scripts/docker-up.sh" \
    "(installs Debian's docker.io if needed and starts dockerd), or: sudo systemctl start docker"
fi

# --- Root: install what is missing --------------------------------------------

packages=()
what=()
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  packages+=(docker.io)
  what+=("Docker (docker.io)")
fi
if ! static_busybox; then
  packages+=(busybox-static)
  what+=("busybox-static")
fi
if ((${#packages[@]})); then
  joined=$(printf ' and %s' "${what[@]}")
  apt_install "${joined# and }" "${packages[@]}"
fi
command -v dockerd >/dev/null 2>&1 || die "dockerd is still not installed; see $apt_log"

# --- Start dockerd (unless one is already starting) ---------------------------

if running=$(pid_of dockerd); then
  say "dockerd is already running (pid $running); waiting for it to answer"
else
  # A killed dockerd leaves its pid file behind, and a new one refuses to start.
  clear_stale_pidfile "$dockerd_pidfile" dockerd
  # dockerd reuses the containerd named here if that pid is alive.
  clear_stale_pidfile "$containerd_pidfile" containerd
  mkdir -p "$(dirname "$dockerd_log")"
  log_offset=$(stat -c %s "$dockerd_log" 2>/dev/null || echo 0)
  printf '\n=== %s: dockerd started by scripts/docker-up.sh\n' "$(date -u +%FT%TZ)" >>"$dockerd_log"
  say "starting dockerd (log: $dockerd_log)"
  if command -v setsid >/dev/null 2>&1; then
    setsid nohup dockerd >>"$dockerd_log" 2>&1 </dev/null &
  else
    nohup dockerd >>"$dockerd_log" 2>&1 </dev/null &
  fi
  started=$!
fi

# --- Wait for it to answer ------------------------------------------------------

deadline=$((SECONDS + start_timeout))
next_note=$((SECONDS + 5))
begin=$SECONDS
until [[ -S $sock ]] && version=$(engine_version); do
  if [[ -n $started ]] && ! kill -0 "$started" 2>/dev/null && ! pid_of dockerd >/dev/null; then
    dockerd_log_tail
    die "dockerd stopped right after starting (see the log above). Common causes:" \
      "another dockerd or a stale /var/run/docker.pid, missing iptables or kernel support," \
      "or running inside a container that is not --privileged."
  fi
  if ((SECONDS >= deadline)); then
    dockerd_log_tail
    die "no answer from dockerd after ${start_timeout} s." \
      "If it is stuck, stop it (kill $(pid_of dockerd || echo PID)) and re-run this script."
  fi
  if ((SECONDS >= next_note)); then
    say "still waiting for dockerd… ($((SECONDS - begin)) s)"
    next_note=$((SECONDS + 5))
  fi
  sleep 0.2
done

say "Docker engine $version is up ($where)"
exec bash "$here/test-images.sh"
