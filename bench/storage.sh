#!/usr/bin/env bash
# Measures the durable store (src/storage/) on this machine's disk and, when they are built,
# LevelDB and LMDB doing the same work; prints the raw tables, each run REPS times in turn
# (the disk's fsync time varies a lot on a shared machine: compare runs made side by side).
#
#   bench/storage.sh [BUILD_DIR] [DATA_DIR]   (defaults: build, BUILD_DIR/storage-bench)
#
# Builds nothing (targets vckv-storage-bench, vckv-storage-engines). DATA_DIR must be on the
# disk to measure, and is emptied. Environment knobs (defaults in brackets):
#   REPS [3]          rounds of the commit tables
#   SECONDS_EACH [2]  seconds per batch size
#   KEYS [1000000]    keys for the recovery runs
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
DATA=${2:-$BUILD/storage-bench}
REPS=${REPS:-3}
SECONDS_EACH=${SECONDS_EACH:-2}
KEYS=${KEYS:-1000000}
BENCH=$BUILD/bench/vckv-storage-bench
ENGINES=$BUILD/bench/vckv-storage-engines
[[ -x $BENCH ]] || { echo "no $BENCH: build the vckv-storage-bench target first" >&2; exit 1; }
mkdir -p "$DATA"

echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(df -hT "$DATA" | tail -1 | awk '{print $2" on "$1}'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (with local changes)')."
for rep in $(seq 1 "$REPS"); do
  echo
  echo "## Round $rep"
  "$BENCH" raw --dir "$DATA" --seconds "$SECONDS_EACH"
  "$BENCH" commit --dir "$DATA" --seconds "$SECONDS_EACH" --fsync batch
  if [[ -x $ENGINES ]]; then
    "$ENGINES" leveldb commit --dir "$DATA" --seconds "$SECONDS_EACH" || true
    "$ENGINES" lmdb commit --dir "$DATA" --seconds "$SECONDS_EACH" || true
  fi
done
echo
echo "## Other policies"
"$BENCH" commit --dir "$DATA" --seconds "$SECONDS_EACH" --fsync interval
"$BENCH" commit --dir "$DATA" --seconds "$SECONDS_EACH" --fsync never
echo
echo "## Recovery of $KEYS keys"
/usr/bin/time -f "(whole run: %e s, peak RSS %M KB)" "$BENCH" recover --dir "$DATA" --keys "$KEYS" 2>&1
"$BENCH" recover --dir "$DATA" --keys "$KEYS" --reuse 1 2>&1 | grep -v '^-rw'
if [[ -x $ENGINES ]]; then
  "$ENGINES" leveldb recover --dir "$DATA" --keys "$KEYS" || true
  "$ENGINES" lmdb recover --dir "$DATA" --keys "$KEYS" || true
fi
rm -rf "$DATA"
