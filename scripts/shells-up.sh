#!/usr/bin/env bash
# Make sure zsh and tmux are installed, for the shell completion test
# (test/e2e/completion.test.ts types into a real zsh inside tmux).
#
#   sudo bash scripts/shells-up.sh
#
# Fast when both are there. Otherwise, as root on Debian: installs the `zsh`
# and `tmux` packages with apt-get (log in /var/log/cube-apt.log).
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

missing=()
for tool in zsh tmux; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [[ ${#missing[@]} -eq 0 ]]; then
  printf 'cube: zsh and tmux are installed\n'
  exit 0
fi
if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  printf 'cube: %s missing; the completion test needs them. Install them with: sudo apt-get install -y %s\n' "${missing[*]}" "${missing[*]}" >&2
  exit 1
fi
printf 'cube: installing %s from Debian… (log: /var/log/cube-apt.log)\n' "${missing[*]}"
{ apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; } >>/var/log/cube-apt.log 2>&1 || {
  printf 'cube: apt-get could not install %s; see /var/log/cube-apt.log, or install them yourself: apt-get install -y %s\n' "${missing[*]}" "${missing[*]}" >&2
  exit 1
}
printf 'cube: %s installed\n' "${missing[*]}"
