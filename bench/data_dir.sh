#!/usr/bin/env bash
# What --data-dir costs (docs/protocol.md §15), on this machine's disk: the 1M-line mixed
# workload of run.sh through the node in memory, with --data-dir --fsync batch and with
# --fsync never (hyperfine, each run on an empty directory; then in turn, with the default
# compaction floor and with --compaction-min-mb 4); the bytes on disk after the run and the
# bytes written per accepted write; and the recovery of 1M distinct keys (time to init_ok
# after a restart) against the time to ingest them from stdin.
#
#   bench/data_dir.sh [BUILD_DIR] [DATA_DIR]   (defaults: build, BUILD_DIR/data-dir-bench)
#
# Builds nothing (targets vclock-kv, vckv-workload). DATA_DIR must be on the disk to measure
# and is emptied. Knobs: OPS [1000000], KEYS [10000], SEED [42], RUNS [5], PAIRS [10] (rounds of
# bench/in_turn.py: the three throughput commands in turn, ratios taken round by round).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
DATA=${2:-$BUILD/data-dir-bench}
OPS=${OPS:-1000000}
KEYS=${KEYS:-10000}
SEED=${SEED:-42}
RUNS=${RUNS:-5}
PAIRS=${PAIRS:-10}
NODE=$BUILD/vclock-kv
GEN=$BUILD/bench/vckv-workload
for tool in "$NODE" "$GEN"; do [[ -x $tool ]] || { echo "no $tool: build it first" >&2; exit 1; }; done
command -v hyperfine > /dev/null || { echo "hyperfine is needed" >&2; exit 1; }
mkdir -p "$DATA"
WORK=$DATA/work
rm -rf "$WORK" && mkdir -p "$WORK"
MIXED=$WORK/mixed.ndjson
DISTINCT=$WORK/distinct.ndjson
"$GEN" --ops "$OPS" --keys "$KEYS" --mix get=30,resolve=10,put=60 --clock-width 4 --value-bytes 16 \
  --seed "$SEED" > "$MIXED"
"$GEN" --ops "$OPS" --distinct-keys --mix put=100 --clock-width 4 --value-bytes 16 --seed "$SEED" > "$DISTINCT"
head -1 "$MIXED" > "$WORK/init.ndjson"

echo "Machine: $(nproc) cores; $(df -hT "$DATA" | tail -1 | awk '{print $2" on "$1}'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (with local changes)')."
echo
echo "## Throughput: $OPS mixed requests ($KEYS keys), stdout to /dev/null"
hyperfine --runs "$RUNS" --warmup 1 --style basic --export-markdown "$WORK/throughput.md" \
  --prepare "rm -rf $WORK/d" \
  -n memory "$NODE < $MIXED > /dev/null" \
  -n 'data-dir batch' "$NODE --data-dir $WORK/d --fsync batch < $MIXED > /dev/null" \
  -n 'data-dir never' "$NODE --data-dir $WORK/d --fsync never < $MIXED > /dev/null"
cat "$WORK/throughput.md"
echo
echo "## The same, in turn (each round: memory, batch, never; an emptied directory and sync before each run)"
python3 "$ROOT/bench/in_turn.py" --runs "$PAIRS" --input "$MIXED" --prepare "rm -rf $WORK/d && sync" \
  -n memory "$NODE" \
  -n 'data-dir batch' "$NODE --data-dir $WORK/d --fsync batch" \
  -n 'data-dir never' "$NODE --data-dir $WORK/d --fsync never" \
  -n 'batch, --compaction-min-mb 4' "$NODE --data-dir $WORK/d --fsync batch --compaction-min-mb 4" \
  -n 'never, --compaction-min-mb 4' "$NODE --data-dir $WORK/d --fsync never --compaction-min-mb 4"

echo
echo "## Bytes logged per accepted write (--fsync batch)"
rm -rf "$WORK/d"
"$NODE" --data-dir "$WORK/d" < "$MIXED" > "$WORK/replies.ndjson" 2> /dev/null
accepted=$(grep -c '"status": "\(written\|conflict\|resolved\)"' "$WORK/replies.ndjson" || true)
bytes=$(du -sb "$WORK/d/n1" | cut -f1)
echo "accepted writes: $accepted; directory after the run: $bytes bytes ($(ls "$WORK/d/n1" | tr '\n' ' '))"
echo "bytes on disk per accepted write: $(awk -v b="$bytes" -v a="$accepted" 'BEGIN { printf "%.1f", b / a }')"
if [[ -x /usr/bin/time ]]; then
  # What the run wrote to the disk (the kernel's count of blocks the process wrote out, 512
  # bytes each: the log and the compactions; stdout goes to /dev/null and is not counted).
  rm -rf "$WORK/d"
  /usr/bin/time -o "$WORK/time.txt" -f '%O' "$NODE" --data-dir "$WORK/d" < "$MIXED" > /dev/null 2> /dev/null
  blocks=$(tail -1 "$WORK/time.txt")
  echo "bytes written to the disk per accepted write: $(awk -v b="$blocks" -v a="$accepted" 'BEGIN { printf "%.1f", b * 512 / a }') ($((blocks * 512)) bytes)"
fi

echo
echo "## Recovery of $OPS distinct keys vs their ingest"
hyperfine --runs "$RUNS" --style basic --export-markdown "$WORK/ingest.md" \
  --prepare "rm -rf $WORK/d" \
  -n 'ingest, memory' "$NODE < $DISTINCT > /dev/null" \
  -n 'ingest, data-dir batch' "$NODE --data-dir $WORK/d < $DISTINCT > /dev/null"
cat "$WORK/ingest.md"
rm -rf "$WORK/d"
"$NODE" --data-dir "$WORK/d" < "$DISTINCT" > /dev/null 2>&1
echo "directory after the ingest: $(du -sb "$WORK/d/n1" | cut -f1) bytes ($(ls "$WORK/d/n1" | tr '\n' ' '))"
hyperfine --runs "$RUNS" --style basic --export-markdown "$WORK/recovery.md" \
  -n 'restart: recover, init_ok, exit' "$NODE --data-dir $WORK/d < $WORK/init.ndjson > /dev/null"
cat "$WORK/recovery.md"
"$NODE" --data-dir "$WORK/d" < "$WORK/init.ndjson" 2>&1 > /dev/null | grep recovered || true
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)."
