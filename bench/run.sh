#!/usr/bin/env bash
# Runs the vclock-kv benchmark suite against an existing build and writes bench/out/results.md.
#
#   bench/run.sh [BUILD_DIR]        (default: build; relative paths are from the repo root)
#
# Builds nothing. Environment knobs (defaults in brackets):
#   OPS [1000000] KEYS [10000] SEED [1]   mixed workload size
#   DISTINCT_OPS [1000000]                 distinct-keys memory workload size
#   REPEAT [5]  PY_REPEAT [3]              runs per throughput row (best is reported)
#   LAT_REQUESTS [20000]                   latency requests (after 1000 warm-up)
#   BUSY_POLL_US [50]                      --busy-poll-us of the *-busy latency rows
#   PY_NODE [tests/reference/reference_node.py]   Python baseline; its rows are skipped if missing
#   PY_NODE_GIT_REF []                     when PY_NODE is missing: take the file from this git
#                                          revision (e.g. ref) into bench/out/ and use that
#   SKIP_PY_DISTINCT [0]                   1: skip the (slow) Python 1M-distinct-keys memory run
#   BASELINE_NODE []                       another vclock-kv binary (e.g. a build of an earlier
#                                          commit): timed in turn with this one, run for run (A B
#                                          A B ...), and its memory measured the same way
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
OUT=$ROOT/bench/out
OPS=${OPS:-1000000}
KEYS=${KEYS:-10000}
SEED=${SEED:-1}
DISTINCT_OPS=${DISTINCT_OPS:-1000000}
REPEAT=${REPEAT:-5}
PY_REPEAT=${PY_REPEAT:-3}
LAT_REQUESTS=${LAT_REQUESTS:-20000}
BUSY_POLL_US=${BUSY_POLL_US:-50}
PY_NODE=${PY_NODE:-$ROOT/tests/reference/reference_node.py}
SKIP_PY_DISTINCT=${SKIP_PY_DISTINCT:-0}

B=$BUILD/bench
NODE=$BUILD/vclock-kv
for tool in "$B/vckv-workload" "$B/vckv-runstat" "$B/vckv-latency" "$NODE"; do
  [[ -x $tool ]] || { echo "run.sh: $tool is missing; build first:" >&2
    echo "  cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DVCKV_BUILD_TESTS=OFF && cmake --build build-rel -j2" >&2
    exit 2; }
done
mkdir -p "$OUT"
RESULTS=$OUT/results.jsonl
: > "$RESULTS"
NOTES=$OUT/notes.txt
: > "$NOTES"
note() { echo "$*" | tee -a "$NOTES" >&2; }
# tag KEY=VALUE...: prefixes the JSON object on stdin with extra string fields.
tag() {
  python3 -c '
import json, sys
extra = dict(a.split("=", 1) for a in sys.argv[1:])
for line in sys.stdin:
    if line.strip():
        print(json.dumps({**extra, **json.loads(line)}))
' "$@" >> "$RESULTS"
}

note "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared; busy neighbours inflate wall times)"
echo "== workloads" >&2
MIXED=$OUT/mixed.ndjson
DISTINCT=$OUT/distinct.ndjson
"$B/vckv-workload" --ops "$OPS" --keys "$KEYS" --mix get=30,resolve=10,put=60 --clock-width 4 \
  --value-bytes 16 --seed "$SEED" --stats > "$MIXED" 2> "$OUT/mixed.expected.json"
"$B/vckv-workload" --ops "$DISTINCT_OPS" --distinct-keys --mix put=100 --clock-width 4 \
  --value-bytes 16 --seed "$SEED" --stats > "$DISTINCT" 2> "$OUT/distinct.expected.json"
python3 - "$MIXED" "$DISTINCT" <<'EOF' | tag kind=workload
import json, os, sys
for path in sys.argv[1:]:
    lines = sum(1 for _ in open(path, "rb"))
    size = os.path.getsize(path)
    print(json.dumps({"file": os.path.basename(path), "lines": lines, "bytes": size,
                      "avg_line_bytes": round(size / lines, 1)}))
EOF

HAVE_PY=0
if [[ ! -f $PY_NODE && -n ${PY_NODE_GIT_REF:-} ]]; then
  if git -C "$ROOT" show "$PY_NODE_GIT_REF:tests/reference/reference_node.py" > "$OUT/reference_node.py" 2>/dev/null; then
    note "Python baseline taken from git revision $PY_NODE_GIT_REF ($(git -C "$ROOT" rev-parse --short "$PY_NODE_GIT_REF")):tests/reference/reference_node.py"
    PY_NODE=$OUT/reference_node.py
  fi
fi
if [[ -f $PY_NODE ]]; then
  HAVE_PY=1
else
  note "Python baseline $PY_NODE not found: its rows are skipped."
fi

echo "== correctness check of vclock-kv on the mixed workload" >&2
"$NODE" --log-level warn < "$MIXED" > "$OUT/mixed.replies"
python3 - "$MIXED" "$OUT/mixed.replies" "$OUT/mixed.expected.json" vclock-kv <<'EOF' | tag kind=check
import collections, json, re, sys
req, rep, exp, who = sys.argv[1:]
n_req = sum(1 for _ in open(req, "rb"))
counts = collections.Counter()
errors = 0
n_rep = 0
sample = None
for line in open(rep, encoding="utf-8", errors="replace"):
    n_rep += 1
    if '"type": "error"' in line or '"type":"error"' in line:
        errors += 1
        sample = sample or line.strip()[:200]
    m = re.search(r'"status": ?"([a-z]+)"', line)
    if m:
        counts[m.group(1)] += 1
expected = json.load(open(exp))
mism = {k: (counts[k], expected[k]) for k in ("written", "conflict", "stale", "resolved")
        if counts[k] != expected[k]}
ok = n_rep == n_req and errors == 0 and not mism
print(json.dumps({"who": who, "requests": n_req, "replies": n_rep, "error_replies": errors,
                  "statuses": dict(counts), "status_mismatch": mism, "sample_error": sample,
                  "ok": ok}))
EOF

echo "== throughput (best of $REPEAT), mixed workload" >&2
run_tp() {  # label repeat cmd...
  local label=$1 repeat=$2; shift 2
  echo "   $label" >&2
  if ! "$B/vckv-runstat" --repeat "$repeat" --label "$label" "$MIXED" -- "$@" | tag kind=throughput; then
    note "$label: exited non-zero on the mixed workload"
  fi
}
if (( HAVE_PY )); then
  run_tp python-reference "$PY_REPEAT" python3 "$PY_NODE" --batch-output
  python3 "$PY_NODE" --batch-output < "$MIXED" > "$OUT/mixed.py.replies" 2>/dev/null || true
  python3 - "$MIXED" "$OUT/mixed.py.replies" "$OUT/mixed.expected.json" python-reference <<'EOF' | tag kind=check
import json, sys
req, rep, exp, who = sys.argv[1:]
n_req = sum(1 for _ in open(req, "rb"))
n_rep = sum(1 for _ in open(rep, "rb"))
errors = sum(1 for l in open(rep, encoding="utf-8", errors="replace") if '"type": "error"' in l)
print(json.dumps({"who": who, "requests": n_req, "replies": n_rep, "error_replies": errors,
                  "ok": n_rep == n_req and errors == 0}))
EOF
fi
run_tp floor-pipe "$REPEAT" "$B/floor-pipe"
run_tp floor-nlohmann-dom "$REPEAT" "$B/floor-nlohmann-dom"
run_tp floor-nlohmann-sax "$REPEAT" "$B/floor-nlohmann-sax"
if [[ -x $B/floor-simdjson ]]; then
  run_tp floor-simdjson "$REPEAT" "$B/floor-simdjson"
  run_tp floor-simdjson-full "$REPEAT" "$B/floor-simdjson-full"
else
  note "the simdjson floors were not built (libsimdjson-dev not found at configure time)."
fi
run_tp vclock-kv "$REPEAT" "$NODE" --log-level warn

if [[ -n ${BASELINE_NODE:-} ]]; then
  [[ -x $BASELINE_NODE ]] || { echo "run.sh: BASELINE_NODE $BASELINE_NODE is not executable" >&2; exit 2; }
  note "baseline node: $BASELINE_NODE"
  "$BASELINE_NODE" --log-level warn < "$MIXED" > "$OUT/mixed.baseline.replies"
  if cmp -s "$OUT/mixed.replies" "$OUT/mixed.baseline.replies"; then
    note "baseline: its replies on the mixed workload are byte-identical to this node's"
  else
    note "baseline: its replies on the mixed workload DIFFER from this node's"
  fi
  echo "== A/B against the baseline, $REPEAT pairs, run for run" >&2
  for ((round = 1; round <= REPEAT; round++)); do
    "$B/vckv-runstat" --label baseline "$MIXED" -- "$BASELINE_NODE" --log-level warn \
      | tag kind=ab "round=$round"
    "$B/vckv-runstat" --label vclock-kv "$MIXED" -- "$NODE" --log-level warn \
      | tag kind=ab "round=$round"
  done
fi

echo "== memory: $DISTINCT_OPS distinct keys" >&2
"$B/vckv-runstat" --label vclock-kv "$DISTINCT" -- "$NODE" --log-level warn | tag kind=memory
if [[ -n ${BASELINE_NODE:-} ]]; then
  "$B/vckv-runstat" --label baseline "$DISTINCT" -- "$BASELINE_NODE" --log-level warn | tag kind=memory
fi
if (( HAVE_PY )) && [[ $SKIP_PY_DISTINCT != 1 ]]; then
  "$B/vckv-runstat" --label python-reference "$DISTINCT" -- python3 "$PY_NODE" --batch-output \
    | tag kind=memory || note "python-reference: exited non-zero on the distinct-keys workload"
fi

echo "== sync ingest: the distinct-keys versions as client puts and as a peer's syncs" >&2
SYNCS=$OUT/distinct.syncs.ndjson
"$B/vckv-workload" --ops "$DISTINCT_OPS" --distinct-keys --mix put=100 --clock-width 4 \
  --value-bytes 16 --seed "$SEED" --as-sync 100 > "$SYNCS"
for ((round = 1; round <= REPEAT; round++)); do
  "$B/vckv-runstat" --label puts --msgs "$DISTINCT_OPS" "$DISTINCT" -- "$NODE" --log-level warn \
    | tag kind=ingest "round=$round" "bytes=$(stat -c %s "$DISTINCT")"
  "$B/vckv-runstat" --label syncs --msgs "$DISTINCT_OPS" "$SYNCS" -- "$NODE" --log-level warn \
    | tag kind=ingest "round=$round" "bytes=$(stat -c %s "$SYNCS")"
done

echo "== anti-entropy catch-up (two nodes in one process, virtual time)" >&2
for spec in "100000 100 newer" "100000 100 new" "100000 10000 newer" "10000 10000 new"; do
  read -r keys differ mode <<< "$spec"
  "$B/vckv-catchup" --keys "$keys" --differ "$differ" --mode "$mode" | tag kind=catchup \
    || note "vckv-catchup --keys $keys --differ $differ --mode $mode: did not converge"
done

echo "== latency ($LAT_REQUESTS one-at-a-time requests over pipes)" >&2
run_lat() {  # label mode cmd...
  local label=$1 mode=$2; shift 2
  local spin=() pin=()
  [[ $mode = spin ]] && spin=(--spin)
  # pinned: client and node share CPU 0, so a reply wakes the client without a cross-CPU
  # wake-up (the node inherits the client's affinity).
  [[ $mode = pinned ]] && pin=(taskset -c 0)
  echo "   $label ($mode)" >&2
  "${pin[@]}" "$B/vckv-latency" --requests "$LAT_REQUESTS" "${spin[@]}" -- "$@" 2>>"$OUT/latency.log" \
    | tag kind=latency "label=$label" "mode=$mode" || note "$label: latency run failed (see latency.log)"
}
: > "$OUT/latency.log"
lat_modes=(poll spin)
command -v taskset >/dev/null && lat_modes+=(pinned)
for mode in "${lat_modes[@]}"; do
  run_lat floor-pipe "$mode" "$B/floor-pipe"
  run_lat vclock-kv "$mode" "$NODE" --log-level warn
  if (( HAVE_PY )); then run_lat python-reference "$mode" python3 "$PY_NODE"; fi
  # The same two with busy-polling: they check for the next request for 50 µs before sleeping.
  run_lat floor-pipe-busy "$mode" "$B/floor-pipe" --busy-poll-us "$BUSY_POLL_US"
  run_lat vclock-kv-busy "$mode" "$NODE" --log-level warn --busy-poll-us "$BUSY_POLL_US"
done

note "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== report" >&2
python3 "$ROOT/bench/report.py" "$RESULTS" "$NOTES" "$BUILD" > "$OUT/results.md"
cat "$OUT/results.md"
