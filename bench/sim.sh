#!/usr/bin/env bash
# Measures the deterministic simulator (vckv-sim) and, through it, the protocol's costs, and
# prints a Markdown report (bench/performance.sh puts it in docs/performance.md).
#
#   bench/sim.sh [BUILD_DIR]        (default: build; relative paths are from the repo root)
#
# Builds nothing. Environment knobs (defaults in brackets):
#   RATE_SEEDS [2000]   seeds timed for the rate (5 nodes, 30 virtual s, every fault), once on
#                       one thread and once with --jobs 2
#   MIX_SEEDS [500]     seeds per fault mix for the cost table
#   NODE_ARGS []        extra options for the nodes, e.g. "--node-arg=--write-quorum=3"
#   SKIP_RATE [0]       1: only the cost table
# The costs are deterministic (the same seeds give the same numbers on any machine); only the
# seeds-per-minute figures depend on the machine and on what else it is doing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-build}
[[ $BUILD = /* ]] || BUILD=$ROOT/$BUILD
SIM=$BUILD/maelstrom/sim/vckv-sim
RATE_SEEDS=${RATE_SEEDS:-2000}
MIX_SEEDS=${MIX_SEEDS:-500}
read -r -a EXTRA <<< "${NODE_ARGS:-}"
[[ -x $SIM ]] || { echo "no $SIM: build the vckv-sim target first" >&2; exit 1; }

field() {  # field REGEX TEXT: the first capture group of REGEX in TEXT
  sed -nE "s#.*$1.*#\\1#p" <<< "$2" | head -1
}

echo "# vckv-sim results"
echo
echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load average before: $(cut -d' ' -f1-3 /proc/loadavg)."
echo "Commit: $(git -C "$ROOT" rev-parse --short HEAD)$(git -C "$ROOT" diff --quiet || echo ' (with local changes)')."
echo
if [[ ${SKIP_RATE:-0} != 1 ]]; then
echo "## Seeds per minute (5 nodes, 30 virtual s, every fault)"
echo
echo "| jobs | seeds | wall s | seeds/s | seeds/min | failures |"
echo "|---|---|---|---|---|---|"
for jobs in 1 2; do
  out=$("$SIM" --seeds "$RATE_SEEDS" --jobs "$jobs" --faults all "${EXTRA[@]}" || true)
  ran=$(field 'ran [0-9]+ seeds in ([0-9.]+) s' "$out")
  rate=$(field ': ([0-9.]+) seeds/s' "$out")
  perm=$(field '\(([0-9]+) per minute\)' "$out")
  fails=$(field '^failures: ([0-9]+)' "$out")
  echo "| $jobs | $RATE_SEEDS | $ran | $rate | $perm | $fails |"
done
echo
echo "Command: \`vckv-sim --seeds $RATE_SEEDS --jobs {1,2} --faults all ${EXTRA[*]}\`"
echo
fi
echo "## Costs per fault mix ($MIX_SEEDS seeds each, seeds 1..$MIX_SEEDS, 5 nodes, 30 virtual s)"
echo
echo "| faults | client ops/seed | acked writes/seed | node msgs/op | node bytes/op | syncs/acked write | dropped | converged after heal: mean / median / p99 / max (virtual ms) | failures |"
echo "|---|---|---|---|---|---|---|---|---|"
for mix in none partition kill pause drop,duplicate,reorder all; do
  out=$("$SIM" --seeds "$MIX_SEEDS" --jobs 2 --faults "$mix" "${EXTRA[@]}" || true)
  ops=$(field 'workload per seed: ([0-9.]+) client operations' "$out")
  acked=$(field '\(([0-9.]+) acknowledged' "$out")
  msgs=$(field 'node-to-node: ([0-9.]+) messages' "$out")
  bytes=$(field 'messages and ([0-9]+) bytes' "$out")
  syncs=$(field '; ([0-9.]+) syncs per' "$out")
  dropped=$(field 'write; ([0-9.]+% dropped)' "$out")
  conv=$(field 'mean ([0-9.]+ ms, median [0-9.]+ ms, p99 [0-9.]+ ms, max [0-9.]+) ms' "$out" |
         sed -E 's/ ms, median / \/ /; s/ ms, p99 / \/ /; s/ ms, max / \/ /')
  fails=$(field '^failures: ([0-9]+)' "$out")
  echo "| $mix | $ops | $acked | $msgs | $bytes | $syncs | $dropped | $conv | $fails |"
done
echo
echo "Command: \`vckv-sim --seeds $MIX_SEEDS --jobs 2 --faults MIX ${EXTRA[*]}\`; workload: 5 clients, 60 requests per"
echo "virtual s over 10 keys (read-modify-write as in vckv-harness), latency 2 ms (uniform 1-3 ms), fault"
echo "periods of 3 s every 6 s, drop 2%, duplicate 2%, reorder 10% (up to 100 ms more)."
