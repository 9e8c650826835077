#!/usr/bin/env python3
"""Renders bench/out/results.jsonl (written by bench/run.sh) as the markdown of results.md.

usage: report.py RESULTS.jsonl NOTES.txt BUILD_DIR
"""
import json
import os
import platform
import re
import subprocess
import sys

TARGET_MSGS = 1.5e6          # msgs/s, mixed 1M workload
TARGET_RSS_BYTES = 160e6     # 160 MB (10^6 bytes), 1M distinct keys
TARGET_P99_US = 50.0         # µs, one request -> its reply over a pipe
TARGET_VS_PYTHON = 25.0      # × the Python node
TARGET_VS_FLOOR = 1.4        # at most this many times slower than the parse-only floor

MEANING = {
    "python-reference": "straightforward Python node (`--batch-output`)",
    "floor-pipe": "frame lines + fixed reply; no parse",
    "floor-nlohmann-dom": "nlohmann DOM parse + ordered_json reply dump; no store",
    "floor-nlohmann-sax": "nlohmann SAX parse (type/msg_id), hand-built reply; no store",
    "floor-simdjson": "simdjson on-demand, 4 fields only (src, type, msg_id and key; value and "
                      "clock skipped), hand-built reply; no store",
    "floor-simdjson-full": "**parse-only floor**: simdjson on-demand over every field the node "
                           "reads (src, dest, type, msg_id, key, value, each clock entry), "
                           "hand-built reply; no store",
    "vclock-kv": "the node: full parse, validation, store, exact rendering",
}


def fmt_rate(x):
    if x >= 1e6:
        return f"{x / 1e6:.2f}M"
    return f"{x / 1e3:.0f}k"


def machine(build_dir):
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    nproc = os.cpu_count()
    try:
        nproc = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip())
    except (OSError, ValueError):
        pass
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    build_type = compiler = "?"
    try:
        cache = open(os.path.join(build_dir, "CMakeCache.txt")).read()
        m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(.*)$", cache, re.M)
        build_type = m.group(1) if m else "?"
        m = re.search(r"^CMAKE_CXX_COMPILER:\w+=(.*)$", cache, re.M)
        if m:
            v = subprocess.run([m.group(1), "--version"], capture_output=True, text=True)
            compiler = v.stdout.splitlines()[0] if v.stdout else m.group(1)
    except OSError:
        pass
    return [
        f"- CPU: {cpu}; `nproc` = {nproc}; memory {mem}",
        f"- kernel: {platform.release()}; python {platform.python_version()}",
        f"- build: `{os.path.basename(os.path.normpath(build_dir))}` ({build_type}), {compiler}",
    ]


def main():
    results_path, notes_path, build_dir = sys.argv[1:4]
    rows = [json.loads(l) for l in open(results_path) if l.strip()]
    notes = [l.strip() for l in open(notes_path) if l.strip()] if os.path.exists(notes_path) else []
    by_kind = {}
    for r in rows:
        by_kind.setdefault(r["kind"], []).append(r)

    out = ["# vclock-kv benchmark results", ""]
    out += machine(build_dir)
    for w in by_kind.get("workload", []):
        out.append(f"- workload `{w['file']}`: {w['lines']} lines (1 init + requests), "
                   f"{w['bytes'] / 1e6:.1f} MB, {w['avg_line_bytes']} bytes/line on average")
    out.append("")

    tp = {r["label"]: r for r in by_kind.get("throughput", [])}
    py = tp.get("python-reference")
    sj = tp.get("floor-simdjson-full")
    wl = {w["file"]: w for w in by_kind.get("workload", [])}
    n_mixed = wl.get("mixed.ndjson", {}).get("lines", 1) - 1
    n_distinct = wl.get("distinct.ndjson", {}).get("lines", 1) - 1
    out += [f"## Throughput: mixed workload, {n_mixed:,} requests "
            "(30% get, 10% resolve, 60% put)", "",
            "stdin from a file, stdout to /dev/null, whole process (fork to exit); each row is "
            "the best of " + ", ".join(sorted({f"{r['runs']} runs" for r in tp.values()}))
            + " (the `runs` count per row: "
            + ", ".join(f"{label} {r['runs']}" for label, r in tp.items()) + ").", "",
            "| program | what it does | msgs/s | wall s | user s | sys s | max RSS MiB | "
            "× python | × parse-only floor |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
    for label, r in tp.items():
        ok = r.get("exit", 0) == 0
        rate = r["msgs_per_s"]
        vs_py = f"{rate / py['msgs_per_s']:.1f}×" if py and ok else "–"
        vs_sj = f"{rate / sj['msgs_per_s']:.2f}×" if sj and ok else "–"
        out.append(
            f"| `{label}` | {MEANING.get(label, '')} | "
            f"{fmt_rate(rate) if ok else 'FAILED (exit ' + str(r['exit']) + ')'} | "
            f"{r['wall_s']:.3f} | {r['user_s']:.2f} | {r['sys_s']:.2f} | "
            f"{r['max_rss_kb'] / 1024:.1f} | {vs_py} | {vs_sj} |")
    if not py:
        out.append("")
        out.append("(no Python baseline row: the reference node was not found; see Notes)")
    out.append("")

    ab = by_kind.get("ab", [])
    if ab:
        import statistics
        rounds = sorted({int(r["round"]) for r in ab})
        pairs = []
        for n in rounds:
            row = {r["label"]: r for r in ab if int(r["round"]) == n}
            if "baseline" in row and "vclock-kv" in row:
                pairs.append((row["vclock-kv"], row["baseline"]))
        if pairs:
            def med(xs):
                return statistics.median(xs)
            out += ["## A/B against the baseline node (same workload, run for run)", "",
                    "Each pair is the baseline, then this node, one run each, repeated; the ratio "
                    "is taken pair by pair (this node's wall time / the baseline's), so drift in "
                    "the machine's speed affects both sides of a pair alike.", "",
                    "| | median wall s | best wall s | median user s | median msgs/s |",
                    "|---|---:|---:|---:|---:|"]
            for name, idx in (("this node", 0), ("baseline", 1)):
                xs = [p[idx] for p in pairs]
                out.append(f"| {name} | {med([x['wall_s'] for x in xs]):.3f} | "
                           f"{min(x['wall_s'] for x in xs):.3f} | "
                           f"{med([x['user_s'] for x in xs]):.3f} | "
                           f"{fmt_rate(med([x['msgs_per_s'] for x in xs]))} |")
            ratios = sorted(p[0]["wall_s"] / p[1]["wall_s"] for p in pairs)
            out.append("")
            out.append(f"Wall-time ratio this/baseline over {len(pairs)} pairs: median "
                       f"{med(ratios):.3f}, min {ratios[0]:.3f}, max {ratios[-1]:.3f} "
                       "(below 1: this node is faster).")
            out.append("")

    out += ["## Correctness of the measured output", ""]
    for c in by_kind.get("check", []):
        verdict = "OK" if c["ok"] else "**FAILED**"
        line = (f"- `{c['who']}`: {verdict}: {c['replies']} reply lines for {c['requests']} "
                f"requests, {c['error_replies']} error replies")
        if "statuses" in c:
            line += "; statuses " + ", ".join(f"{k} {v}" for k, v in sorted(c["statuses"].items()))
            line += (" (match the generator's simulated store)" if not c["status_mismatch"]
                     else f"; MISMATCH vs generator (got, expected): {c['status_mismatch']}")
        if c.get("sample_error"):
            line += f"; e.g. `{c['sample_error']}`"
        out.append(line)
    out.append("")

    out += [f"## Memory: {n_distinct:,} distinct keys (16-byte string values, 4-slot clocks)", "",
            "| program | max RSS MiB | max RSS MB | msgs/s | exit |", "|---|---:|---:|---:|---:|"]
    for r in by_kind.get("memory", []):
        out.append(f"| `{r['label']}` | {r['max_rss_kb'] / 1024:.1f} | "
                   f"{r['max_rss_kb'] * 1024 / 1e6:.1f} | {fmt_rate(r['msgs_per_s'])} | {r['exit']} |")
    out.append("")

    ingest = by_kind.get("ingest", [])
    if ingest:
        import statistics
        out += ["## Sync ingest: the same versions as client puts and as a peer's syncs", "",
                "The distinct-keys workload's versions, sent once as one client `kv_put` each (a "
                "one-node cluster) and once as `sync` messages of 100 versions from peer n2 (a "
                "two-node cluster, so the node also keeps its anti-entropy hash tree). Median over "
                "the rounds; the two alternate.", "",
                "| as | file MB | median wall s | versions/s | MB/s of input |", "|---|---:|---:|---:|---:|"]
        med = {}
        for label in ("puts", "syncs"):
            rows = [r for r in ingest if r["label"] == label]
            if not rows:
                continue
            wall = statistics.median(r["wall_s"] for r in rows)
            med[label] = wall
            mb = int(rows[0]["bytes"]) / 1e6
            out.append(f"| {label} | {mb:.1f} | {wall:.3f} | "
                       f"{fmt_rate(rows[0]['msgs'] / wall)} | {mb / wall:.1f} |")
        if "puts" in med and "syncs" in med:
            out.append("")
            out.append(f"The same versions take {med['syncs'] / med['puts']:.2f}× as long as syncs "
                       "as they do as puts (goal: at most 2×).")
        out.append("")

    catchup = by_kind.get("catchup", [])
    if catchup:
        out += ["## Anti-entropy catch-up (bytes)", "",
                "Two replicas hold the same keys; one also holds `differ` versions the other lacks "
                "(`new` keys, or `newer` versions of keys both have), which replication never sent. "
                "Their exchanges find and send them; every byte between the two is counted until "
                "the network is quiet (`vckv-catchup`: two nodes in one process, virtual time).", "",
                "| keys | differ | mode | differing versions B | syncs B | × differing | tree walk B | "
                "total B | whole store B | total / whole store |",
                "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
        for r in catchup:
            out.append(f"| {r['keys']:,} | {r['differ']:,} | {r['mode']} | "
                       f"{r['differing_version_bytes']:,} | {r['sync_bytes']:,} | "
                       f"{r['sync_over_differing']:.2f} | {r['tree_walk_bytes']:,} | "
                       f"{r['total_bytes']:,} | {r['whole_store_bytes']:,} | "
                       f"{r['total_over_whole_store']:.3f} |")
        out.append("")

    out += ["## Latency: one request → its reply over pipes (µs)", "",
            "`poll`: the client sleeps in poll() for each reply (a normal client); `spin`: the "
            "client busy-reads, so only the node's side and the pipe are measured; `pinned`: "
            "poll client and node share one CPU (`taskset -c 0`), so no wake-up crosses CPUs. "
            "`floor-pipe` is the same round trip with no parsing at all. A `-busy` label is the "
            "same program with `--busy-poll-us` (it checks for the next request for that long "
            "before sleeping in poll, so a prompt request finds it awake).", "",
            "| program | client | requests | min | p50 | p90 | p99 | p99.9 | max | mean | errors |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in by_kind.get("latency", []):
        out.append(f"| `{r['label']}` | {r['mode']} | {r['requests']} | {r['min_us']:.1f} | "
                   f"{r['p50_us']:.1f} | {r['p90_us']:.1f} | {r['p99_us']:.1f} | "
                   f"{r['p999_us']:.1f} | {r['max_us']:.0f} | {r['mean_us']:.1f} | "
                   f"{r['error_replies']} |")
    out.append("")

    out += ["## Targets", "", "| target | goal | measured | verdict |", "|---|---|---:|---|"]
    node = tp.get("vclock-kv")
    if node:
        out.append(f"| mixed {n_mixed:,}-op throughput | ≥ 1.5M msgs/s | {fmt_rate(node['msgs_per_s'])} | "
                   f"{'met' if node['msgs_per_s'] >= TARGET_MSGS else 'NOT met'} |")
        if py:
            x = node["msgs_per_s"] / py["msgs_per_s"]
            out.append(f"| vs the Python node | ≥ {TARGET_VS_PYTHON:.0f}× | {x:.1f}× | "
                       f"{'met' if x >= TARGET_VS_PYTHON else 'NOT met'} |")
        if sj:
            x = sj["msgs_per_s"] / node["msgs_per_s"]
            out.append(f"| vs the parse-only floor (`floor-simdjson-full`, same run) | "
                       f"≤ {TARGET_VS_FLOOR:g}× slower | {x:.2f}× slower | "
                       f"{'met' if x <= TARGET_VS_FLOOR else 'NOT met'} |")
    mem = [r for r in by_kind.get("memory", []) if r["label"] == "vclock-kv"]
    if mem:
        b = mem[0]["max_rss_kb"] * 1024
        out.append(f"| {n_distinct:,} distinct keys RSS | ≤ 160 MB | {b / 1e6:.1f} MB | "
                   f"{'met' if b <= TARGET_RSS_BYTES else 'NOT met'} |")
    for r in by_kind.get("latency", []):
        if r["label"] in ("vclock-kv", "vclock-kv-busy"):
            how = f"{r['mode']} client" + (", node busy-polls" if r["label"].endswith("-busy") else "")
            out.append(f"| p99 latency ({how}) | ≤ 50 µs | {r['p99_us']:.1f} µs | "
                       f"{'met' if r['p99_us'] <= TARGET_P99_US else 'NOT met'} |")
    for suffix in ("", "-busy"):
        floor = [r for r in by_kind.get("latency", []) if r["label"] == "floor-pipe" + suffix]
        if not floor:
            continue
        out.append("")
        out.append(f"Pipe round-trip floor on this machine (no parse{', busy-polling' if suffix else ''}): p99 "
                   + ", ".join(f"{r['p99_us']:.1f} µs ({r['mode']})" for r in floor)
                   + ". No node run the same way can beat it here.")
        node_lat = {r["mode"]: r for r in by_kind.get("latency", [])
                    if r["label"] == "vclock-kv" + suffix}
        gaps = [f"{node_lat[r['mode']]['p50_us'] - r['p50_us']:+.1f} / "
                f"{node_lat[r['mode']]['p99_us'] - r['p99_us']:+.1f} µs ({r['mode']})"
                for r in floor if r["mode"] in node_lat]
        if gaps:
            out.append("")
            out.append(f"The node's own share (`vclock-kv{suffix}` minus `floor-pipe{suffix}`, p50 / p99): "
                       + ", ".join(gaps) + ".")
    if notes:
        out += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    print("\n".join(out))


if __name__ == "__main__":
    main()
