#!/usr/bin/env python3
"""Re-derives every fixture's expected output with the reference node, in one process (one
interpreter start instead of one per fixture), and compares it with the golden NAME.out.

Usage: python3 tests/reference/check_fixtures.py [--write] [FIXTURE_DIR]
Prints "DIFF reference NAME" (and the first lines of the diff) or "MISSING NAME.out" for each
mismatch; exit 1 on any. --write writes the reference's output to NAME.out instead
(regen_fixtures.sh).

Restart fixtures (as tests/golden.cmake runs them): when NAME.args contains @DATA_DIR@, the
reference runs NAME.in and then, if NAME.restart.in exists, NAME.restart.in as a new node (msg_id
from 0, not initialised) that starts from the store and dot counters the first left, as a data
directory would give them back; NAME.out is the two outputs one after the other.
"""

import contextlib
import difflib
import io
import pathlib
import shlex
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import reference_node  # noqa: E402

DATA_DIR = "@DATA_DIR@"


def fixture_inputs(fixtures):
    """NAME.in of every fixture, sorted; NAME.restart.in belongs to fixture NAME."""
    return sorted(p for p in fixtures.glob("*.in") if not p.name.endswith(".restart.in"))


def reference_output(fixture_in):
    name = fixture_in.name[: -len(".in")]
    args_path = fixture_in.with_name(name + ".args")
    argv = shlex.split(args_path.read_text()) if args_path.exists() else []
    restart_in = fixture_in.with_name(name + ".restart.in")
    runs = [fixture_in]
    if any(DATA_DIR in a for a in argv):
        # The reference keeps its data directory in memory: any path will do.
        argv = [a.replace(DATA_DIR, f"/nonexistent/{name}.data") for a in argv]
        if restart_in.exists():
            runs.append(restart_in)
    elif restart_in.exists():
        raise ValueError(f"{restart_in.name} needs {DATA_DIR} in {name}.args")
    disk = {}
    out = io.StringIO()
    for run in runs:
        with contextlib.redirect_stderr(io.StringIO()):
            reference_node.serve(reference_node.parse_args(argv), io.BytesIO(run.read_bytes()),
                                 out, disk)
    return out.getvalue().encode("ascii")


def main(argv):
    here = pathlib.Path(__file__).resolve().parent
    write = "--write" in argv[1:]
    rest = [a for a in argv[1:] if a != "--write"]
    fixtures = pathlib.Path(rest[0]) if rest else here.parent / "golden"
    failed = 0
    inputs = fixture_inputs(fixtures)
    for fixture_in in inputs:
        name = fixture_in.stem
        expected_path = fixture_in.with_suffix(".out")
        try:
            actual = reference_output(fixture_in)
        except ValueError as e:
            print(f"BROKEN {name}: {e}")
            failed += 1
            continue
        if write:
            expected_path.write_bytes(actual)
            continue
        if not expected_path.exists():
            print(f"MISSING {name}.out")
            failed += 1
            continue
        expected = expected_path.read_bytes()
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
    if write:
        print(f"regenerated {len(inputs) - failed} .out files in {fixtures}")
    else:
        print(f"reference node: {len(inputs) - failed} of {len(inputs)} fixtures match")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
