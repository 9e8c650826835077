#!/usr/bin/env python3
"""The memory of one node across deletes and reaping (docs/protocol.md §16).

Starts one vclock-kv alone in its cluster (init with node_ids [n1]: it reaps without asking
anybody), reads its resident set size (VmRSS, /proc/PID/status) when empty, after writing KEYS
distinct keys (kv_put, clock [1], 16-byte values), after deleting them all (kv_delete, clock
[2]), and once it has logged a reap for every key (stderr at --log-level info, after the grace
period), and settled: one more grace period and trim period later; and its peak (VmHWM). Prints one JSON object.

usage: bench/reaping_rss.py NODE_BINARY [--keys 1000000] [--grace-ms 2000]
"""
import argparse
import json
import os
import subprocess
import threading
import time


def status(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0  # MiB
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("node")
    ap.add_argument("--keys", type=int, default=1_000_000)
    ap.add_argument("--grace-ms", type=int, default=2000)
    a = ap.parse_args()
    p = subprocess.Popen([a.node, f"--tombstone-grace-ms={a.grace_ms}", "--log-level", os.environ.get("VCKV_LOG_LEVEL", "info")],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=1 << 20)
    replies = [0]
    reaped = [0]
    other_stderr = []

    def read_stdout():
        for _ in p.stdout:
            replies[0] += 1

    def read_stderr():
        for line in p.stderr:
            if b" info: reaped key " in line:
                reaped[0] += 1
            elif len(other_stderr) < 20 and b" debug: " not in line or b"freed memory" in line:
                other_stderr.append(line.decode(errors="replace").rstrip())

    threading.Thread(target=read_stdout, daemon=True).start()
    threading.Thread(target=read_stderr, daemon=True).start()

    def send(lines, expect):
        p.stdin.write("".join(lines).encode())
        p.stdin.flush()
        while replies[0] < expect:
            time.sleep(0.01)

    send(['{"src": "c1", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}}\n'], 1)
    time.sleep(0.2)
    out = {"keys": a.keys, "grace_ms": a.grace_ms, "rss_mib": {}}
    out["rss_mib"]["empty"] = status(p.pid, "VmRSS")
    expect = 1
    step = 100_000
    for first in range(0, a.keys, step):
        n = min(step, a.keys - first)
        lines = [f'{{"src": "c1", "dest": "n1", "body": {{"type": "kv_put", "msg_id": {k + 2}, "key": {k}, '
                 f'"value": "v{k:015d}", "clock": [1]}}}}\n' for k in range(first, first + n)]
        expect += n
        send(lines, expect)
    out["rss_mib"]["after_writes"] = status(p.pid, "VmRSS")
    for first in range(0, a.keys, step):
        n = min(step, a.keys - first)
        lines = [f'{{"src": "c1", "dest": "n1", "body": {{"type": "kv_delete", "msg_id": {a.keys + k + 2}, '
                 f'"key": {k}, "clock": [2]}}}}\n' for k in range(first, first + n)]
        expect += n
        send(lines, expect)
    deleted = time.monotonic()
    out["rss_mib"]["after_deletes"] = status(p.pid, "VmRSS")
    while reaped[0] < a.keys and time.monotonic() - deleted < a.grace_ms / 1000 + 120:
        time.sleep(0.05)
    out["reaped"] = reaped[0]
    out["reaped_all_s_after_last_delete"] = round(time.monotonic() - deleted, 2)
    time.sleep(0.5)
    out["rss_mib"]["after_reaping"] = status(p.pid, "VmRSS")
    # A reaping node remembers the reaped clocks for one more grace period (a late copy of a
    # reaped version stays buried), then forgets them; it gives freed memory back to the system
    # on a 1 s timer (src/runtime/heap_trim.cpp).
    time.sleep(a.grace_ms / 1000 + 2.5)
    out["rss_mib"]["settled"] = status(p.pid, "VmRSS")
    # A read of a reaped key: nothing there.
    send(['{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 99, "key": 0}}\n'], expect + 1)
    out["rss_mib"]["peak"] = status(p.pid, "VmHWM")
    for k, v in out["rss_mib"].items():
        out["rss_mib"][k] = round(v, 1)
    p.stdin.close()
    p.wait(timeout=30)
    out["exit"] = p.returncode
    if other_stderr:
        out["stderr"] = other_stderr[:5]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
