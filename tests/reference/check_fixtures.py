#!/usr/bin/env python3
"""Re-derives every fixture's expected output with the reference node, in one process (one
interpreter start instead of one per fixture), and compares it with the golden NAME.out.

Usage: python3 tests/reference/check_fixtures.py [FIXTURE_DIR]
Prints "DIFF reference NAME" (and the first lines of the diff) or "MISSING NAME.out" for each
mismatch; exit 1 on any.
"""

import contextlib
import difflib
import io
import pathlib
import shlex
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import reference_node  # noqa: E402


def reference_output(fixture_in):
    args_path = fixture_in.with_suffix(".args")
    argv = shlex.split(args_path.read_text()) if args_path.exists() else []
    out = io.StringIO()
    with contextlib.redirect_stderr(io.StringIO()):
        reference_node.serve(reference_node.parse_args(argv), io.BytesIO(fixture_in.read_bytes()), out)
    return out.getvalue().encode("ascii")


def main(argv):
    here = pathlib.Path(__file__).resolve().parent
    fixtures = pathlib.Path(argv[1]) if len(argv) > 1 else here.parent / "golden"
    failed = 0
    inputs = sorted(fixtures.glob("*.in"))
    for fixture_in in inputs:
        name = fixture_in.stem
        expected_path = fixture_in.with_suffix(".out")
        if not expected_path.exists():
            print(f"MISSING {name}.out")
            failed += 1
            continue
        expected = expected_path.read_bytes()
        actual = reference_output(fixture_in)
        if actual != expected:
            print(f"DIFF reference  {name}")
            diff = difflib.unified_diff(
                expected.decode("ascii", "replace").splitlines(),
                actual.decode("ascii", "replace").splitlines(),
                f"{name}.out", "reference", lineterm="")
            for line in list(diff)[:20]:
                print(line)
            failed += 1
    if not inputs:
        print(f"MISSING fixtures in {fixtures}")
        return 1
    print(f"reference node: {len(inputs) - failed} of {len(inputs)} fixtures match")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
