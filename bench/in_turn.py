#!/usr/bin/env python3
"""Times commands in turn (A B C A B C ...) and compares each with the first, round by round.

  bench/in_turn.py [--runs N] [--prepare CMD] [--pause S] --input FILE -n LABEL CMD [-n LABEL CMD ...]

Each CMD is split as a shell splits words and run without a shell, stdin from FILE, stdout and
stderr to /dev/null. Before every run (untimed): --prepare through sh (say, empty a data
directory and `sync`, so no run pays for the previous run's write-back), then --pause seconds.
Wall time is a monotonic clock around the child; user and sys are the kernel's accounting of it.

Taking the runs in turn keeps a ratio meaningful on a machine whose speed drifts from minute to
minute: the ratio is taken within each round, and the median of the rounds' ratios is reported
("throughput vs the first": the first's wall time over this one's). Prints a Markdown table.
"""
import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=10, help="rounds (default 10)")
    ap.add_argument("--prepare", default="", help="shell command run before every run, untimed")
    ap.add_argument("--pause", type=float, default=0.3,
                    help="seconds to wait after --prepare (default 0.3)")
    ap.add_argument("--input", required=True, help="file given to every command on stdin")
    ap.add_argument("-n", nargs=2, action="append", metavar=("LABEL", "CMD"), required=True,
                    help="a command and its label; the first is the yardstick")
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    commands = [(label, shlex.split(cmd)) for label, cmd in args.n]
    for label, argv in commands:
        if not argv:
            ap.error(f"command {label!r} is empty")
    times = {label: [] for label, _ in commands}
    for _ in range(args.runs):
        for label, argv in commands:
            if args.prepare:
                subprocess.run(["sh", "-c", args.prepare], check=True)
            time.sleep(args.pause)
            with open(args.input, "rb") as stdin, open(os.devnull, "wb") as devnull:
                start = time.monotonic()
                try:
                    child = subprocess.Popen(argv, stdin=stdin, stdout=devnull, stderr=devnull)
                except OSError as e:
                    sys.exit(f"in_turn.py: cannot start {label!r}: {e}")
                _, status, usage = os.wait4(child.pid, 0)
                wall = time.monotonic() - start
            if os.waitstatus_to_exitcode(status) != 0:
                sys.exit(f"in_turn.py: {label!r} exited with {os.waitstatus_to_exitcode(status)}")
            times[label].append((wall, usage.ru_utime, usage.ru_stime))
    first = commands[0][0]
    print(f"| command | median wall s (min–max) | median user s | median sys s "
          f"| throughput vs {first}: median of {args.runs} rounds (min–max) |")
    print("|---|---:|---:|---:|---:|")
    for label, _ in commands:
        runs = times[label]
        walls = [r[0] for r in runs]
        ratios = [times[first][i][0] / runs[i][0] for i in range(args.runs)]
        print(f"| {label} | {statistics.median(walls):.3f} ({min(walls):.3f}–{max(walls):.3f}) "
              f"| {statistics.median(r[1] for r in runs):.3f} | {statistics.median(r[2] for r in runs):.3f} "
              f"| {statistics.median(ratios):.3f} ({min(ratios):.3f}–{max(ratios):.3f}) |")


if __name__ == "__main__":
    main()
