#!/usr/bin/env bash
# Build the local stand-ins for the Docker Hub images that Cube's tests and
# README walkthrough use. Images are never pulled: each one is a folder holding
# Debian's static busybox plus the recipe files from test/images/<name>/,
# turned into an image with `docker import`.
#
#   strm/helloworld-http:latest   test/images/helloworld-http/  port 80
#   timboring/echo-server:latest  test/images/echo-server/      port 7777
#
# Each image's root:
#   /bin/busybox and a symlink for every busybox applet (sh, httpd, nc, cat,
#       sleep, ...), so tests can also run e.g. ["sh","-c","exit 3"];
#   /bin/<x> for every test/images/<name>/<x>.sh (its CMD is /bin/start);
#   /etc/passwd, /etc/group, /tmp, /www.
#
# An image is rebuilt only when its recipe changed: the image carries the label
# cube.recipe=<sha256 of this script, the image's folder and busybox>.
#
# Environment: CUBE_BUSYBOX=/path/to/static/busybox (default /bin/busybox),
#              CUBE_REBUILD_IMAGES=1 to rebuild even if the recipe is unchanged.
# Usually run by scripts/docker-up.sh.
set -euo pipefail

script=$(readlink -f "${BASH_SOURCE[0]}")
root=$(cd "$(dirname "$script")/.." && pwd)
images_dir=$root/test/images
busybox=${CUBE_BUSYBOX:-/bin/busybox}

say() { printf 'cube: %s\n' "$*"; }
die() {
  printf 'cube: %s\n' "$@" >&2
  exit 1
}

command -v docker >/dev/null 2>&1 ||
  die "the docker command is not installed; run: sudo bash scripts/docker-up.sh"

# The image has no libc, so busybox must be the static build.
if [[ ! -x $busybox ]]; then
  die "no busybox at $busybox; install Debian's static one: sudo apt-get install -y busybox-static" \
    "(or run: sudo bash scripts/docker-up.sh)"
fi
if ldd "$busybox" >/dev/null 2>&1; then
  die "$busybox is dynamically linked and cannot run inside an empty image;" \
    "install Debian's static one: sudo apt-get install -y busybox-static (it replaces package busybox)," \
    "or point CUBE_BUSYBOX at a static busybox"
fi

# Two test runs starting at once must not import the same image twice.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/cube-test-images.lock"
  flock 9
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cube-image.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

busybox_sha=$(sha256sum <"$busybox")
busybox_sha=${busybox_sha%% *}
script_sha=$(sha256sum <"$script")
script_sha=${script_sha%% *}
mapfile -t applets < <("$busybox" --list)

# recipe_hash DIR: sha256 over this script, busybox and every file in DIR.
recipe_hash() {
  local dir=$1 sum
  sum=$(
    printf 'script %s\nbusybox %s\n' "$script_sha" "$busybox_sha"
    cd "$dir" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  ) || return 1
  sum=$(sha256sum <<<"$sum")
  printf '%s' "${sum%% *}"
}

# now_us: microseconds since the epoch (bash 5; whole seconds on older bash).
now_us() {
  local t=${EPOCHREALTIME:-$SECONDS.000000}
  printf "%s" "${t/[.,]/}"
}

# build_image NAME TAG CHANGE...: import test/images/NAME as TAG, with the
# given Dockerfile instructions (docker import -c), unless it is up to date.
build_image() {
  local name=$1 tag=$2
  shift 2
  local dir=$images_dir/$name
  [[ -d $dir ]] || die "missing recipe folder $dir"

  local recipe current old_id
  recipe=$(recipe_hash "$dir")
  current=$(docker image inspect --format '{{index .Config.Labels "cube.recipe"}}' "$tag" 2>/dev/null || true)
  if [[ $current == "$recipe" && ${CUBE_REBUILD_IMAGES:-} != 1 ]]; then
    say "test image $tag is up to date (kept)"
    return 0
  fi
  old_id=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)

  local start rootfs=$tmp/$name applet f base
  start=$(now_us)
  mkdir -p "$rootfs"/{bin,etc,tmp,www,root,proc,sys,dev}
  chmod 1777 "$rootfs/tmp"
  cp "$busybox" "$rootfs/bin/busybox"
  chmod 0755 "$rootfs/bin/busybox"
  for applet in "${applets[@]}"; do
    [[ $applet == busybox ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  for f in "$dir"/*.sh; do
    [[ -e $f ]] || continue
    base=${f##*/}
    rm -f "$rootfs/bin/${base%.sh}"
    install -m 0755 "$f" "$rootfs/bin/${base%.sh}"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$rootfs/etc/group"

  local changes=() c
  for c in "$@" \
    'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    "LABEL cube.recipe=$recipe cube.test-image=$name"; do
    changes+=(-c "$c")
  done
  tar -C "$rootfs" --sort=name --owner=0 --group=0 --numeric-owner -cf - . |
    docker import "${changes[@]}" -m "Cube stand-in for $tag (scripts/test-images.sh)" - "$tag" >/dev/null ||
    die "docker import of $tag failed"

  # The previous build is now untagged; drop it unless a container uses it.
  if [[ -n $old_id ]]; then
    docker image rm "$old_id" >/dev/null 2>&1 || true
  fi
  local ms=$((($(now_us) - start) / 1000))
  say "test image $tag built ($((ms / 1000)).$((ms % 1000 / 100)) s)"
}

build_image helloworld-http strm/helloworld-http:latest \
  'EXPOSE 80/tcp' \
  'CMD ["/bin/start"]'

build_image echo-server timboring/echo-server:latest \
  'EXPOSE 7777/tcp' \
  'CMD ["/bin/start"]'
