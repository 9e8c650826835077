#!/usr/bin/env bash
# Regenerates docs/performance.md: one dated report, on this machine, of everything the project
# measures about itself. The one command:
#
#   bench/performance.sh [BUILD_DIR]    (default build-rel; configured and built here, Release)
#
# What it runs, in order (each part's knobs are its script's; see bench/README.md):
#   1. bench/run.sh: the node's throughput against the Python node and the floors, memory for
#      a million keys, sync ingest, anti-entropy catch-up, latency over pipes;
#   2. the single file a course grader builds: its size, its compile time and memory with g++
#      (and clang++ when installed), its throughput, and that its replies are the CMake build's;
#   3. bench/sim.sh: vckv-sim's seeds per minute and the protocol's costs per fault mix;
#      then bench/reaping.sh: a delete's bytes against a write's, reap times, a node's memory
#      across a million deletes and their reaping;
#   4. vckv-harness runs against real nodes: one seeded partition run in siblings and in lww
#      mode, and a kill run at write quorum 1 and 3 (HARNESS_TIME [30] seconds each).
# It takes about 20 minutes on 2 cores. Every figure depends on what else the machine does:
# the report records the load average before and after each part.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build-rel}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
HARNESS_TIME=${HARNESS_TIME:-30}
OUT=$ROOT/bench/out
REPORT=$ROOT/docs/performance.md
mkdir -p "$OUT"

echo "== Release build in $BUILD" >&2
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DVCKV_BUILD_TESTS=OFF > "$OUT/configure.log"
cmake --build "$BUILD" -j"$(nproc)" > "$OUT/build.log"

load() { cut -d' ' -f1-3 /proc/loadavg; }
# Demotes a report's headings one level and drops its title (the first "# " line).
nest() { sed -E '0,/^# /{/^# /d}; s/^(#+) /\1# /'; }

started=$(date -u '+%Y-%m-%d %H:%M UTC')
load_start=$(load)
parts=$(mktemp -d)

echo "== 1. the node (bench/run.sh)" >&2
before=$(load)
"$ROOT/bench/run.sh" "$BUILD" > /dev/null
{ echo "Load average before: $before; after: $(load)."; echo; nest < "$OUT/results.md"; } > "$parts/node.md"

echo "== 2. the single file" >&2
best() {  # best BINARY: its best msgs/s on the mixed workload
  "$BUILD/bench/vckv-runstat" --repeat "${REPEAT:-5}" --label x "$OUT/mixed.ndjson" -- "$1" --log-level warn |
    python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["msgs_per_s"])'
}
before=$(load)
single=$OUT/single-file
rm -rf "$single" && mkdir -p "$single"
python3 "$ROOT/cmake/single_file.py" -o "$single/vclock-kv.cpp"
{
  echo "Load average before: $before."
  echo
  echo "\`cmake/single_file.py\` writes \`vclock-kv.cpp\`: $(stat -c %s "$single/vclock-kv.cpp") bytes," \
       "$(wc -l < "$single/vclock-kv.cpp") lines. Built alone, as a grader builds it (wall and CPU" \
       "seconds, peak memory), then run on the node benchmark's mixed workload (best of ${REPEAT:-5})" \
       "right after the CMake build is (best of as many), and its replies compared byte for byte" \
       "with the CMake build's:"
  echo
  echo "| compiler command | build wall s | build CPU s | build memory MB | msgs/s | CMake build, just before | ratio | replies |"
  echo "|---|---:|---:|---:|---:|---:|---:|---|"
  for spec in "g++|-O2" "g++|-std=c++20 -O2" "clang++|-std=c++17 -O2"; do
    cxx=${spec%%|*} flags=${spec#*|}
    command -v "$cxx" > /dev/null || { echo "| \`$cxx $flags\` | not installed | | | | | | |"; continue; }
    bin=$single/$cxx-${flags// /}
    read -r wall cpu rss < <(cd "$single" && /usr/bin/time -f '%e %U %M' -o /dev/stdout \
      "$cxx" $flags vclock-kv.cpp -o "$bin" 2> "$bin.log" | tail -1)
    "$bin" --log-level warn < "$OUT/mixed.ndjson" > "$bin.replies"
    same=$(cmp -s "$bin.replies" "$OUT/mixed.replies" && echo identical || echo DIFFERENT)
    cmake_rate=$(best "$BUILD/vclock-kv")
    rate=$(best "$bin")
    python3 -c 'import sys
cxx, flags, wall, cpu, rss, rate, base, same = sys.argv[1:]
rate, base = float(rate), float(base)
print(f"| `{cxx} {flags}` | {float(wall):.1f} | {float(cpu):.1f} | {int(rss) / 1024:.0f} | {rate / 1e6:.2f}M | "
      f"{base / 1e6:.2f}M | {rate / base:.2f}× | {same} |")' "$cxx" "$flags" "$wall" "$cpu" "$rss" "$rate" "$cmake_rate" "$same"
  done
  echo
  echo "Load average after: $(load)."
} > "$parts/single.md"

echo "== 3. the simulator (bench/sim.sh)" >&2
before=$(load)
{ echo "Load average before: $before."; echo; "$ROOT/bench/sim.sh" "$BUILD" | nest | grep -v '^Machine: \|^Commit: '
  echo; echo "Load average after: $(load)."; } > "$parts/sim.md"

echo "== 3b. deletes and reaping (bench/reaping.sh)" >&2
before=$(load)
{ echo "Load average before: $before."; echo; "$ROOT/bench/reaping.sh" "$BUILD"
  echo; echo "Load average after: $(load)."; } > "$parts/reaping.md"

echo "== 4. vckv-harness runs" >&2
before=$(load)
store=$OUT/harness-store
rm -rf "$store"
H=$BUILD/maelstrom/vckv-harness
harness_run() {  # name args...: one run; its results.json as a JSON line on stdout
  local name=$1; shift
  "$H" test --bin "$BUILD/vclock-kv" --store "$store" --test-name "$name" --progress-interval 0 \
    --time-limit "$HARNESS_TIME" "$@" > "$OUT/harness-$name.txt" 2>&1 || true
  python3 -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))))' "$store/$name/latest/results.json"
}
partition=(--node-count 5 --rate 100 --concurrency 2n --latency 50 --latency-dist uniform --nemesis partition
           --nemesis-interval 5 --seed 7)
kill=(--node-count 5 --rate 200 --keys 1000 --latency 300 --nemesis kill --nemesis-interval 5 --seed 11)
{
  harness_run partition-siblings "${partition[@]}"
  harness_run partition-lww "${partition[@]}" --conflict lww
  harness_run kill-w1 "${kill[@]}"
  harness_run kill-w3 "${kill[@]}" --node-arg=--write-quorum=3
} > "$OUT/harness.jsonl"
python3 - "$OUT/harness.jsonl" "$HARNESS_TIME" "$before" "$(load)" > "$parts/harness.md" <<'EOF'
import json, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
seconds, before, after = sys.argv[2:]
by = {r["test_name"]: r for r in runs}

def row(r, label):
    c = r["checker"] or {}
    ops = r["ops"]
    conv = r["convergence"].get("converged_after_ms")
    return (f"| {label} | {r['verdict']} | {c.get('acknowledged_writes', '–')} | {ops['by_class'].get('superseded', 0)} | "
            f"{c.get('lww_discarded', 0)} | {c.get('lost', '–')} | {ops['by_class'].get('indeterminate', 0)} | "
            f"{r['final_state']['keys_with_siblings']} | {r['network']['msgs_per_op']:.2f} | "
            f"{'–' if conv is None else f'≤ {conv:.0f}'} |")

print(f"Load average before: {before}; after: {after}. Each run is {seconds} s of client traffic,")
print("then 5 s of recovery; real processes and real time, so two runs of one seed differ in detail.")
print()
print("| run | verdict | acknowledged writes | answered superseded | discarded by lww | lost | indeterminate | keys with siblings | node msgs per op | converged after heal (ms) |")
print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
print(row(by["partition-siblings"], "partitions, `--conflict siblings`"))
print(row(by["partition-lww"], "partitions, `--conflict lww`"))
print(row(by["kill-w1"], "kills, `--write-quorum=1`"))
print(row(by["kill-w3"], "kills, `--write-quorum=3`"))
print()
print("Partitions: `vckv-harness test --node-count 5 --rate 100 --concurrency 2n --latency 50 "
      "--latency-dist uniform --nemesis partition --nemesis-interval 5 --seed 7` (10 keys). "
      "Kills: `--node-count 5 --rate 200 --keys 1000 --latency 300 --nemesis kill --nemesis-interval 5 "
      "--seed 11`: at W = 1 a node acknowledges a write before any peer holds it, so a kill can lose it "
      "(invalid); at W = 3 it cannot, and writes the quorum does not reach in time are indeterminate (error 0).")
EOF

commit=$(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet HEAD -- src include maelstrom bench cmake \
  ':(exclude)*.md' ':(exclude)*.png' ':(exclude)*.svg' || echo ' with local changes to the code')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
cxx=$(c++ --version | head -1)
{
  echo "# Performance"
  echo
  echo "Measured $started by \`bench/performance.sh\` (which regenerates this file) on $(nproc) cores of"
  echo "$cpu, $mem, Linux $(uname -r), $cxx, Release build of $commit. Load average at the"
  echo "start: $load_start; at the end: $(load). On a shared machine wall times move by ±30% with the"
  echo "load; CPU times, instruction counts and the simulator's costs do not."
  echo
  echo "## The node"
  echo
  cat "$parts/node.md"
  echo
  echo "## The single file"
  echo
  cat "$parts/single.md"
  echo
  echo "## The simulator"
  echo
  cat "$parts/sim.md"
  echo
  echo "## Deletes and reaping"
  echo
  cat "$parts/reaping.md"
  echo
  echo "## Cluster runs"
  echo
  cat "$parts/harness.md"
} | cat -s > "$REPORT"
rm -rf "$parts"
echo "wrote $REPORT" >&2
