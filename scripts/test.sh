#!/usr/bin/env bash
# `npm test`: everything CI runs. Makes sure a Docker engine answers (installing
# and starting one on a fresh Debian machine) and etcd and Prometheus are installed, builds
# dist/ (the tests spawn bin/cube.js, which runs the build and refuses a stale
# one), type-checks, then runs every test file with node:test through tsx, one
# file at a time: integration tests share the engine and some host ports.
#
# Limits are per test, never per file: every test declares its own `timeout`
# (test/unit/test-limits.test.ts checks that each does), because node's
# --test-timeout also cancels a whole file once the sum of its tests passes it.
# --test-force-exit ends a file once its tests are done, even if a test that
# timed out left a handle open, so one stuck test cannot hang the run.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/docker-up.sh
bash scripts/browser-up.sh
bash scripts/shells-up.sh
bash scripts/etcd-up.sh
bash scripts/prometheus-up.sh
node scripts/build.mjs
echo "cube: type-checking"
node_modules/.bin/tsc --noEmit -p .

# TAP on stdout for CI (a person at a terminal gets node's spec reporter), and
# what each test and file took beside its limits in test-durations.txt.
reporter=tap
[ -t 1 ] && reporter=spec
mapfile -t files < <(find test -name '*.test.ts' -not -path '*/helpers/*' | sort)
CUBE_TEST_DURATIONS="$PWD/test-durations.txt" exec node --import tsx --test --test-concurrency=1 --test-force-exit \
  --test-reporter="$reporter" --test-reporter-destination=stdout \
  --test-reporter=./test/helpers/durations-reporter.mjs --test-reporter-destination=/dev/null \
  "$@" "${files[@]}"
