#!/usr/bin/env bash
# Runs the reference node and a vclock-kv binary over every fixture and compares both with the
# golden NAME.out. Exit 1 on any difference.
# Usage: tests/reference/check_fixtures.sh [VCLOCK_KV_BINARY [FIXTURE_DIR]]
#   default binary: build/vclock-kv; set SKIP_REFERENCE=1 to check only the binary.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${1:-$here/../../build/vclock-kv}"
dir="${2:-$here/../golden}"
if [[ ! -x "$bin" ]]; then echo "no executable $bin (build it first)" >&2; exit 2; fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
fail=0
n=0
if [[ "${SKIP_REFERENCE:-0}" != 1 ]]; then
  "${PYTHON:-python3}" "$here/check_fixtures.py" "$dir" || fail=1  # every fixture, one process
fi
for in in "$dir"/*.in; do
  base="${in%.in}"
  name="$(basename "$base")"
  [[ "$name" == *.restart ]] && continue  # the second run of fixture NAME (below)
  n=$((n + 1))
  args=()
  if [[ -f "$base.args" ]]; then read -r -a args < "$base.args"; fi
  if [[ ! -f "$base.out" ]]; then echo "MISSING $name.out"; fail=1; continue; fi
  # @DATA_DIR@ in NAME.args: a fresh empty directory; NAME.restart.in then runs the node again
  # on it, and NAME.out is both outputs (tests/golden.cmake does the same).
  inputs=("$in")
  if [[ " ${args[*]} " == *@DATA_DIR@* ]]; then
    rm -rf "$tmp/data" && mkdir "$tmp/data"
    args=("${args[@]//@DATA_DIR@/$tmp/data}")
    if [[ -f "$base.restart.in" ]]; then inputs+=("$base.restart.in"); fi
  elif [[ -f "$base.restart.in" ]]; then
    echo "BROKEN $name: $name.restart.in needs @DATA_DIR@ in $name.args"; fail=1; continue
  fi
  : > "$tmp/bin.out"
  for input in "${inputs[@]}"; do
    timeout 20 "$bin" "${args[@]}" < "$input" >> "$tmp/bin.out" 2>/dev/null
    rc=$?
    if [[ $rc -ne 0 ]]; then echo "EXIT $rc      $name (vclock-kv on $(basename "$input"))"; fail=1; fi
  done
  if ! cmp -s "$tmp/bin.out" "$base.out"; then
    echo "DIFF vclock-kv  $name"
    diff "$base.out" "$tmp/bin.out" | head -20
    fail=1
  fi
done
if [[ $fail -eq 0 ]]; then echo "all $n fixtures match"; else echo "FAILED (of $n fixtures)"; fi
exit $fail
