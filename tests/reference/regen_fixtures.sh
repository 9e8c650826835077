#!/usr/bin/env bash
# Regenerates tests/golden/NAME.out from NAME.in (and NAME.args, NAME.restart.in) with the
# reference node, as check_fixtures.py runs it (restart fixtures included).
# Usage: tests/reference/regen_fixtures.sh [FIXTURE_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec "${PYTHON:-python3}" "$here/check_fixtures.py" --write "${1:-$here/../golden}"
