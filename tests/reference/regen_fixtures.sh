#!/usr/bin/env bash
# Regenerates tests/golden/NAME.out from NAME.in (and NAME.args) with the reference node.
# Usage: tests/reference/regen_fixtures.sh [FIXTURE_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-$here/../golden}"
ref="$here/reference_node.py"
n=0
for in in "$dir"/*.in; do
  base="${in%.in}"
  args=()
  if [[ -f "$base.args" ]]; then read -r -a args < "$base.args"; fi
  python3 "$ref" "${args[@]}" < "$in" > "$base.out" 2>/dev/null
  n=$((n + 1))
done
echo "regenerated $n .out files in $dir"
