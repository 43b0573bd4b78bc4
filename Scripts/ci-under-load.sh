#!/usr/bin/env bash
# Runs CI as a user's busy laptop would: `.ci/run` on a fresh clone of this checkout's HEAD
# while a second fresh clone rebuilds from scratch in a loop beside it. Prints the wall time,
# CI's exit status and the 1-minute load average (sampled every 30 s: median and maximum).
#
#   Scripts/ci-under-load.sh [work-folder]      # default: a new folder under /tmp
#   Scripts/ci-under-load.sh --quiet [folder]   # the same run without the parallel build
#
# Everything it writes stays in the work folder: ci.log (the CI run), load.log, result.txt.
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
busy=true
if [ "${1:-}" = "--quiet" ]; then busy=false; shift; fi
work="${1:-$(mktemp -d /tmp/ebb-ci-under-load.XXXXXX)}"
mkdir -p "$work"
commit="$(git -C "$repo" rev-parse --short HEAD)"

rm -rf "$work/ci" "$work/load"
git clone -q "$repo" "$work/ci"
# The tests read ../shared (the recorded kube-apiserver answers, Kafka's specs) beside the clone.
[ -e "$work/shared" ] || ln -s "$(cd "$repo/.." && pwd)/shared" "$work/shared"
loader=""
sampler=""
cleanup() {
  [ -n "$loader" ] && kill -- "-$loader" 2>/dev/null || true
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null || true
}
trap cleanup EXIT

if $busy; then
  git clone -q "$repo" "$work/load"
  # Its own process group, so that stopping it stops the compilers it started.
  set -m
  ( cd "$work/load" && while true; do rm -rf .build; swift build >/dev/null 2>&1 || true; done ) &
  loader=$!
  set +m
fi
( while true; do cut -d' ' -f1 /proc/loadavg; sleep 30; done ) >"$work/load.log" &
sampler=$!

started=$(date +%s)
status=0
( cd "$work/ci" && CI=true bash .ci/run ) >"$work/ci.log" 2>&1 || status=$?
seconds=$(( $(date +%s) - started ))
cleanup
loader=""
sampler=""

load_summary=$(sort -n "$work/load.log" | awk '{ v[NR] = $1 } END { if (NR) printf "load (1 min) median %s, max %s over %d samples", v[int((NR + 1) / 2)], v[NR], NR }')
failed=$(grep -cE '^✘ Test .*\) failed after' "$work/ci.log" || true)
{
  echo "commit $commit, $( $busy && echo busy || echo quiet ): .ci/run exit $status in $seconds s, $failed failing tests; $load_summary"
  grep -E '^✘ Test .*\) failed after|Test run with .* (passed|failed)' "$work/ci.log" || true
} | tee "$work/result.txt"
exit $status
