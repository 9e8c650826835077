#!/usr/bin/env python3
"""The course's single file against the CMake Release build, in one run.

    python3 bench/single_file.py [--build-dir build-sf] [--rounds 21] [--ops 1000000]

Builds the node three ways from this checkout: the CMake Release build (the build directory is
configured with CMAKE_BUILD_TYPE=Release, ccache when present), and the single file
(cmake/single_file.py, as `cmake --build DIR --target single_file` writes it) compiled the way a
course grader does, alone: `g++ -O2 vclock-kv.cpp` and `clang++ -std=c++17 -O2 vclock-kv.cpp`
(clang++ before 16 defaults to C++14, so it needs the -std; g++ 11 and later default to
gnu++17). Then, on bench/run.sh's mixed workload (1M lines: 30% kv_get, 10% kv_resolve, 60%
kv_put, 10k keys):

1. every build's stdout is compared with the CMake build's, byte for byte (cmp); any difference
   stops the run;
2. rounds of one run of each build, interleaved (the order rotates each round, so no build
   always runs first or after the same neighbour), timed by vckv-runstat: wall time and CPU
   time (user + sys) of each run;
3. callgrind's instruction count of each build on the first --callgrind-lines lines (default
   100k): the same on every run, whatever else the machine is doing.

It prints (and writes to bench/out/single-file/results.md) per build the median wall and CPU
time and throughput, and its throughput relative to the CMake build: the median of the
per-round ratios (CMake time / build time, both from the same round), their range, and every
ratio; and the instruction counts with their ratio. On a shared machine read the CPU-time and
instruction ratios first: wall time also counts the time a run waited for a core.

Options: --gxx / --clangxx (compilers; an empty name skips that build), --plain (also the file
compiled by g++ -O2 without its `#define VCKV_SINGLE_FILE 1` line, i.e. without the attributes
of include/vckv/inlining.hpp), --skip-build (reuse the binaries of an earlier run in
bench/out/single-file/), --no-callgrind.
"""

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out" / "single-file"


def run(cmd, **kw):
    print("+ " + " ".join(str(c) for c in cmd), file=sys.stderr)
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def build(args, build_dir):
    configure = ["cmake", "-S", ROOT, "-B", build_dir, "-DCMAKE_BUILD_TYPE=Release",
                 "-DVCKV_BUILD_TESTS=OFF"]
    if shutil.which("ccache"):
        configure.append("-DCMAKE_CXX_COMPILER_LAUNCHER=ccache")
    run(configure, stdout=subprocess.DEVNULL)
    run(["cmake", "--build", build_dir, "-j2", "--target", "vclock-kv", "vckv-workload",
         "vckv-runstat", "single_file"], stdout=subprocess.DEVNULL)
    OUT.mkdir(parents=True, exist_ok=True)
    shutil.copy(build_dir / "vclock-kv", OUT / "cmake-release")
    source = OUT / "vclock-kv.cpp"
    shutil.copy(build_dir / "vclock-kv.cpp", source)
    builds = {"cmake-release": "cmake (CMAKE_BUILD_TYPE=Release: " + cmake_flags(build_dir) + ")"}
    variants = [("single-g++", args.gxx, ["-O2"], source.name),
                ("single-clang++", args.clangxx, ["-std=c++17", "-O2"], source.name)]
    if args.plain:
        # The same file without its VCKV_SINGLE_FILE line: include/vckv/inlining.hpp's
        # attributes empty, as in the CMake build.
        plain = OUT / "vclock-kv-plain.cpp"
        plain.write_text("".join(line for line in source.read_text().splitlines(True)
                                 if line != "#define VCKV_SINGLE_FILE 1\n"))
        variants.insert(1, ("single-g++-plain", args.gxx, ["-O2"], plain.name))
    for name, compiler, flags, file in variants:
        if not compiler:
            continue
        if not shutil.which(compiler):
            print(f"{compiler} not found: no {name} build", file=sys.stderr)
            continue
        # As a grader builds it: the file alone, one command.
        run([compiler, *flags, file, "-o", name], cwd=OUT)
        builds[name] = " ".join([compiler, *flags, file])
    (OUT / "builds.json").write_text(json.dumps(builds))
    return builds


def cmake_flags(build_dir):
    for line in (build_dir / "CMakeCache.txt").read_text().splitlines():
        if line.startswith("CMAKE_CXX_FLAGS_RELEASE:"):
            return line.split("=", 1)[1]
    return "?"


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build-dir", default="build-sf")
    ap.add_argument("--rounds", type=int, default=21)
    ap.add_argument("--ops", type=int, default=1000000)
    ap.add_argument("--callgrind-lines", type=int, default=100000)
    ap.add_argument("--no-callgrind", action="store_true")
    ap.add_argument("--gxx", default="g++")
    ap.add_argument("--clangxx", default="clang++")
    ap.add_argument("--skip-build", action="store_true")
    ap.add_argument("--plain", action="store_true",
                    help="also time the file with g++ -O2 without its VCKV_SINGLE_FILE line")
    args = ap.parse_args(argv)
    build_dir = pathlib.Path(args.build_dir)
    if not build_dir.is_absolute():
        build_dir = ROOT / build_dir
    load_start = loadavg()

    builds = (json.loads((OUT / "builds.json").read_text()) if args.skip_build
              else build(args, build_dir))
    names = list(builds)
    tools = build_dir / "bench"

    workload = OUT / "mixed.ndjson"
    with open(workload, "wb") as f:
        run([tools / "vckv-workload", "--ops", args.ops, "--keys", 10000, "--mix",
             "get=30,resolve=10,put=60", "--clock-width", 4, "--value-bytes", 16, "--seed", 1],
            stdout=f)

    # 1. Same bytes out.
    for name in names:
        with open(workload, "rb") as i, open(OUT / f"{name}.out", "wb") as o:
            run([OUT / name, "--log-level", "warn"], stdin=i, stdout=o)
        if name != names[0]:
            run(["cmp", OUT / f"{names[0]}.out", OUT / f"{name}.out"])
    lines = sum(1 for _ in open(OUT / f"{names[0]}.out", "rb"))

    # 2. Interleaved rounds.
    times = {n: {"wall": [], "cpu": []} for n in names}
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            out = subprocess.run([tools / "vckv-runstat", "--label", name, workload, "--",
                                  OUT / name, "--log-level", "warn"], check=True,
                                 capture_output=True, text=True).stdout
            m = json.loads(out)
            times[name]["wall"].append(m["wall_s"])
            times[name]["cpu"].append(m["user_s"] + m["sys_s"])
        print(f"round {r + 1}/{args.rounds}: " + "  ".join(
            f"{n} {times[n]['wall'][-1]:.3f}s/{times[n]['cpu'][-1]:.3f}s" for n in names),
            file=sys.stderr)

    # 3. Instructions.
    instructions = {}
    if not args.no_callgrind and shutil.which("valgrind"):
        head = OUT / "mixed-head.ndjson"
        with open(workload, "rb") as i, open(head, "wb") as o:
            for k, line in enumerate(i):
                if k > args.callgrind_lines:  # the init line and --callgrind-lines requests
                    break
                o.write(line)
        for name in names:
            with open(head, "rb") as i, open(OUT / f"{name}.head.out", "wb") as o:
                log = subprocess.run(["valgrind", "--tool=callgrind",
                                      f"--callgrind-out-file={OUT / ('callgrind.' + name)}",
                                      OUT / name, "--log-level", "warn"], stdin=i, stdout=o,
                                     stderr=subprocess.PIPE, text=True, check=True).stderr
            instructions[name] = int(next(l for l in log.splitlines() if "Collected" in l)
                                     .split()[-1])

    report = render(args, builds, names, times, instructions, lines, load_start, loadavg())
    (OUT / "results.md").write_text(report)
    print(report)


def render(args, builds, names, times, instructions, lines, load_start, load_end):
    base = names[0]
    msgs = args.ops + 1
    out = ["# Single file vs CMake Release build", "",
           f"Workload: bench/run.sh's mixed, {msgs:,} lines; outputs byte-identical to the "
           f"{base} build's ({lines:,} lines each, checked with cmp). {args.rounds} interleaved "
           f"rounds. Load average {load_start} at start, {load_end} at end.", "",
           "| build | command | median wall s | median CPU s | msgs/s (wall) | msgs/s (CPU) |",
           "|---|---|---:|---:|---:|---:|"]
    for n in names:
        w, c = statistics.median(times[n]["wall"]), statistics.median(times[n]["cpu"])
        out.append(f"| {n} | `{builds[n]}` | {w:.3f} | {c:.3f} | {msgs / w:,.0f} "
                   f"| {msgs / c:,.0f} |")
    out += ["", f"Throughput relative to {base}, per round ({base}'s time / the build's time, "
            "both from the same round):", "",
            "| build | wall: median (min-max) | CPU: median (min-max) |", "|---|---:|---:|"]
    ratios = {}
    for n in names[1:]:
        ratios[n] = {k: [b / x for b, x in zip(times[base][k], times[n][k])]
                     for k in ("wall", "cpu")}
        cells = [f"{statistics.median(v):.3f} ({min(v):.3f}-{max(v):.3f})"
                 for v in (ratios[n]["wall"], ratios[n]["cpu"])]
        out.append(f"| {n} | {cells[0]} | {cells[1]} |")
    out += ["", "Fastest run of each build (the least disturbed by the machine's other work), "
            f"relative to {base}'s fastest: " + ", ".join(
                f"{n} {min(times[base]['cpu']) / min(times[n]['cpu']):.3f} (CPU), "
                f"{min(times[base]['wall']) / min(times[n]['wall']):.3f} (wall)"
                for n in names[1:])]
    for n in names[1:]:
        out += ["", f"{n}, CPU-time ratio of each round: " +
                " ".join(f"{r:.3f}" for r in ratios[n]["cpu"]),
                f"{n}, wall-time ratio of each round: " +
                " ".join(f"{r:.3f}" for r in ratios[n]["wall"])]
    if instructions:
        out += ["", f"callgrind, first {args.callgrind_lines:,} requests (instructions; "
                f"repeatable under load):", "",
                f"| build | instructions | per line | {base} / build |", "|---|---:|---:|---:|"]
        for n in names:
            i = instructions[n]
            out.append(f"| {n} | {i:,} | {i / (args.callgrind_lines + 1):,.0f} | "
                       f"{instructions[base] / i:.3f} |")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    main(sys.argv[1:])
