#!/usr/bin/env bash
# Single-node speed of server clocks (docs/protocol.md §17) against client clocks on the same
# workload: N requests over K keys, 70% writes and 30% reads, every write made from the state
# the writer last read (a kv_put whose clock descends the stored one; a dvv_update sending the
# context of the key's last read), so both modes keep one version per key. The same values and
# keys in both files; only the clock side differs.
#
# Usage: bench/dvv.sh [BINARY] [REQUESTS] [KEYS] [RUNS]   (defaults: build/vclock-kv 1000000 10000 5)
# Prints, per mode, the median wall time of RUNS runs (the node reading the file from stdin,
# output to /dev/null), requests per second, and the peak RSS (/usr/bin/time).
set -euo pipefail
binary=${1:-build/vclock-kv}
requests=${2:-1000000}
keys=${3:-10000}
runs=${4:-5}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

python3 - "$requests" "$keys" "$dir" <<'PY'
import json, random, sys
n, keys, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
rng = random.Random(1)
init = '{"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 0, "node_id": "n1", "node_ids": ["n1"]}}\n'
counter = [0] * keys
with open(f"{out}/kv.ndjson", "w") as kv, open(f"{out}/dvv.ndjson", "w") as dvv:
    kv.write(init)
    dvv.write(init)
    for i in range(1, n + 1):
        k = rng.randrange(keys)
        key = json.dumps(f"key{k}")
        if rng.random() < 0.3:
            kv.write(f'{{"src": "c1", "dest": "n1", "body": {{"type": "kv_get", "msg_id": {i}, "key": {key}}}}}\n')
            dvv.write(f'{{"src": "c1", "dest": "n1", "body": {{"type": "dvv_get", "msg_id": {i}, "key": {key}}}}}\n')
            continue
        value = json.dumps(f"value {i}")
        c = counter[k]
        counter[k] += 1
        kv.write(f'{{"src": "c1", "dest": "n1", "body": {{"type": "kv_put", "msg_id": {i}, "key": {key}, "value": {value}, "clock": [{c + 1}]}}}}\n')
        context = "{}" if c == 0 else f'{{"n1": {c}}}'
        dvv.write(f'{{"src": "c1", "dest": "n1", "body": {{"type": "dvv_update", "msg_id": {i}, "key": {key}, "value": {value}, "context": {context}}}}}\n')
PY

# The two modes take turns, run after run, so a machine that gets busier or quieter meanwhile
# shifts both alike.
declare -A times
for _ in $(seq "$runs"); do
  for mode in client server; do
    if [[ $mode == client ]]; then file=$dir/kv.ndjson; args=(); else file=$dir/dvv.ndjson; args=(--clocks server); fi
    /usr/bin/time -f "%e %M" -o "$dir/time" "$binary" "${args[@]}" < "$file" > "$dir/out.$mode" 2> /dev/null
    times[$mode]+="$(cat "$dir/time")"$'\n'
  done
done
echo "$(basename "$binary") on $requests requests over $keys keys ($(nproc) CPUs, $(date -u +%F))"
for mode in client server; do
  # Every request answered, none with an error.
  answered=$(wc -l < "$dir/out.$mode")
  errors=$(grep -c '"type": "error"' "$dir/out.$mode" || true)
  printf '%s' "${times[$mode]}" | sort -n | awk -v mode="$mode" -v n="$requests" -v a="$answered" -v e="$errors" '
    { t[NR] = $1; m[NR] = $2 }
    END { med = t[int((NR + 1) / 2)]; printf "%-7s median %.3f s (%d runs), %.0f requests/s, peak RSS %d KiB, %d replies, %d errors\n", mode, med, NR, n / med, m[int((NR + 1) / 2)], a, e }'
done
