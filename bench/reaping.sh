#!/usr/bin/env bash
# Deletes and reaping (docs/protocol.md §16): what a delete costs against a write, how long
# reaping takes, and a node's memory across deletes and reaping. Prints a Markdown report
# (bench/performance.sh puts it in docs/performance.md).
#
#   bench/reaping.sh [BUILD_DIR]     (default: build; relative paths are from the repo root)
#
# Builds nothing (targets vclock-kv, vckv-deletecost, vckv-sim). Environment knobs:
#   COST_KEYS [10000]     keys written, then deleted, by vckv-deletecost (3 nodes, virtual time)
#   RSS_KEYS [1000000]    keys a lone node writes, deletes and reaps (bench/reaping_rss.py)
#   SIM_SEEDS [300]       vckv-sim seeds for the reap times (5 nodes, every fault, 20% deletes)
#   GRACE_MS [2000]       --tombstone-grace-ms of the first two (the simulator's is 5000)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
COST_KEYS=${COST_KEYS:-10000}
RSS_KEYS=${RSS_KEYS:-1000000}
SIM_SEEDS=${SIM_SEEDS:-300}
GRACE_MS=${GRACE_MS:-2000}
for tool in "$BUILD/vclock-kv" "$BUILD/bench/vckv-deletecost" "$BUILD/maelstrom/sim/vckv-sim"; do
  [[ -x $tool ]] || { echo "no $tool: build it first" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cost=$("$BUILD/bench/vckv-deletecost" --dir "$tmp/dirs" --keys "$COST_KEYS" --grace-ms "$GRACE_MS")
rss=$(python3 "$ROOT/bench/reaping_rss.py" "$BUILD/vclock-kv" --keys "$RSS_KEYS" --grace-ms "$GRACE_MS")
sim=$("$BUILD/maelstrom/sim/vckv-sim" --seeds "$SIM_SEEDS" --jobs 2 --nodes 5 --delete-share 0.2 \
  --node-arg=--write-quorum=3 --node-arg=--tombstone-grace-ms=5000 || true)

python3 - "$cost" "$rss" "$sim" "$COST_KEYS" "$RSS_KEYS" "$SIM_SEEDS" "$GRACE_MS" <<'PY'
import json, re, sys
cost, rss = json.loads(sys.argv[1]), json.loads(sys.argv[2])
sim, cost_keys, rss_keys, seeds, grace = sys.argv[3:]
print("### What a delete costs (3 nodes, every node holds every key)")
print()
print("| | node-to-node bytes | of which reaping | log bytes per node |")
print("|---|---:|---:|---:|")
print(f"| per write (`kv_put`, 16-byte value) | {cost['node_bytes_per_write']:.1f} | – | {cost['log_bytes_per_write']:.1f} |")
print(f"| per delete (`kv_delete`, then its reap) | {cost['node_bytes_per_delete']:.1f} | {cost['of_which_reaping']:.1f} | {cost['log_bytes_per_delete']:.1f} |")
print()
types = ", ".join(f"{t} {v['bytes']:,} B in {v['messages']:,}" for t, v in cost["deletes_by_type"].items())
print(f"`vckv-deletecost --keys {cost_keys} --grace-ms {grace}`: a client writes {cost_keys} keys at n1, then deletes "
      f"them all there; every byte between the nodes is counted until they are quiet (the deletes' phase "
      f"until every node has reaped every key: {cost['reaped_all_ms_after_last_delete']} virtual ms after the "
      f"last delete, grace {grace} ms). The deletes' messages: {types}. Log bytes: each node's --data-dir "
      f"(`--fsync never`), growth per key over the phase (a tombstone's record and then the key's removal).")
print()
m = rss["rss_mib"]
print(f"### A lone node's memory across {int(rss_keys):,} deletes and their reaping")
print()
print("| empty | after the writes | after the deletes | after reaping | peak |")
print("|---:|---:|---:|---:|---:|")
print(f"| {m['empty']} MiB | {m['after_writes']} MiB | {m['after_deletes']} MiB | {m['after_reaping']} MiB | {m['peak']} MiB |")
print()
print(f"`bench/reaping_rss.py build/vclock-kv --keys {rss_keys} --grace-ms {grace}`: one node alone in its cluster "
      f"(it reaps without asking anybody), {int(rss_keys):,} distinct keys written (16-byte values), all deleted, "
      f"then {rss['reaped']:,} reaps logged {rss['reaped_all_s_after_last_delete']} s after the last delete; "
      "VmRSS from /proc.")
print()
line = re.search(r"^reaps: .*$", sim, re.M)
fails = re.search(r"^failures: ([0-9]+)", sim, re.M)
res = re.search(r"resurrected versions: ([0-9]+)", sim)
print("### Reap times in the simulator")
print()
print(f"`vckv-sim --seeds {seeds} --jobs 2 --nodes 5 --delete-share 0.2 --node-arg=--write-quorum=3 "
      f"--node-arg=--tombstone-grace-ms=5000` (every fault): {line.group(0) if line else 'no reaps line'}; "
      f"resurrected versions {res.group(1) if res else '?'}, failures {fails.group(1) if fails else '?'}.")
PY
