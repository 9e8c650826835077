#!/usr/bin/env python3
"""Reproducers for the node's limits under hostile or unlucky input: each subcommand runs the
built node (or the simulator) on one case and prints what it measured, so a number can be
taken before and after a change with the same command.

  merge     a peer's sync carrying N versions of one key with equal clocks and different
            values: the time until its sync_ok, and the siblings a get then reads
  gets      a key holding many large siblings, read by thousands of kv_gets sent at once:
            the node's peak RSS (stdout to a pipe that is read, or to /dev/null)
  tree      a peer's tree message listing one node many times: bytes in, bytes out
  waiters   thousands of --write-quorum 3 writes to one key while both peers are silent:
            how late after its deadline each one's error 0 arrives
  sigterm   replies queued behind a reader that has not read them yet, then SIGTERM: how
            many of them the reader still gets
  oversize  client writes whose version a peer could not read back (a value of non-ASCII
            characters that json.dumps escapes to 6 bytes each; a line of exactly 16 MiB):
            the reply, and the longest line the node writes
  stale     the simulator seed whose stale replies from a killed node's earlier process made
            phantom versions (vckv-sim)

Usage: bench/hostile.py SUBCOMMAND [--bin build/vclock-kv] [options]; --help on each.
"""
import argparse
import json
import os
import re
import resource
import select
import signal
import subprocess
import sys
import threading
import time

INIT = '{{"src": "c0", "dest": "n1", "body": {{"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": {ids}}}}}\n'


def init(ids):
    return INIT.format(ids=json.dumps(ids))


def child_max_rss_kb(before_kb):
    """Peak RSS of the node just reaped (ru_maxrss of children is a running maximum)."""
    now = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return now if now > before_kb else None


class Node:
    """The node on pipes; input written by a thread, stdout read line by line."""

    def __init__(self, binary, args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL):
        self.rss_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        self.proc = subprocess.Popen([binary] + args, stdin=subprocess.PIPE, stdout=stdout,
                                     stderr=stderr, bufsize=1 << 20)
        self.writer = None
        self.write_times = []  # (lines written so far, time the write started, time it returned)

    def write_async(self, chunks, close=True):
        def run():
            written = 0
            try:
                for lines, data in chunks:
                    start = time.monotonic()
                    self.proc.stdin.write(data)
                    self.proc.stdin.flush()
                    written += lines
                    self.write_times.append((written, start, time.monotonic()))
                if close:
                    self.proc.stdin.close()
            except BrokenPipeError:
                pass
        self.writer = threading.Thread(target=run)
        self.writer.start()

    def wait(self):
        if self.writer:
            self.writer.join()
        status = self.proc.wait()
        return status, child_max_rss_kb(self.rss_before)


def cmd_merge(a):
    n = a.versions
    versions = ", ".join(f'{{"key": "k", "value": {i}, "clock": [1, 0]}}' for i in range(n))
    sync = ('{"src": "n2", "dest": "n1", "body": {"type": "sync", "incarnation": 7, '
            f'"versions": [{versions}], "msg_id": 2}}}}\n')
    get = '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 3, "key": "k"}}\n'
    node = Node(a.bin, ["--log-level", "error"])
    start = time.monotonic()
    node.write_async([(1, init(["n1", "n2"]).encode()), (1, sync.encode()), (1, get.encode())])
    merged_at, values = None, None
    for line in node.proc.stdout:
        if b'"sync_ok"' in line and merged_at is None:
            merged_at = time.monotonic() - start
        if b'"kv_get_ok"' in line:
            values = len(json.loads(line)["body"]["values"])
    status, rss = node.wait()
    print(f"merge: {n} equal-clock versions of one key ({len(sync)} bytes) merged in "
          f"{merged_at:.3f} s; a get then reads {values} siblings; exit {status}, peak RSS "
          f"{rss / 1024 if rss else float('nan'):.1f} MB")


def cmd_gets(a):
    width = a.siblings
    value = "x" * a.value_bytes
    lines = [init(["n1"])]
    for i in range(width):
        clock = [0] * width
        clock[i] = 1
        lines.append('{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "key": "k", '
                     f'"value": "{value}{i}", "clock": {json.dumps(clock)}}}}}\n')
    get_lines = "".join('{"src": "c1", "dest": "n1", "body": {"type": "kv_get", '
                        f'"msg_id": {i}, "key": "k"}}}}\n' for i in range(a.gets))
    # From a file, so that the node reads its input in full chunks (a pipe hands it at most
    # what the pipe holds at a time).
    import tempfile
    with tempfile.TemporaryFile() as f:
        f.write("".join(lines).encode() + get_lines.encode())
        f.seek(0)
        rss_before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.monotonic()
        proc = subprocess.Popen([a.bin], stdin=f, stderr=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL if a.sink == "devnull" else subprocess.PIPE)
        replies, out_bytes = 0, 0
        if a.sink == "pipe":
            for line in proc.stdout:
                out_bytes += len(line)
                replies += b'"kv_get_ok"' in line
        status = proc.wait()
        rss = child_max_rss_kb(rss_before)
    print(f"gets: {a.gets} kv_gets ({len(get_lines)} bytes) of a key holding {width} siblings "
          f"of {a.value_bytes} bytes, stdout to {a.sink}: peak RSS {rss / 1024:.1f} MB, "
          f"{time.monotonic() - start:.2f} s, exit {status}"
          + (f", {replies} replies, {out_bytes / 1e6:.1f} MB" if a.sink == "pipe" else ""))


def cmd_tree(a):
    r = a.repeats
    def arr(x):
        return "[" + ", ".join([x] * r) + "]"
    tree = ('{"src": "n2", "dest": "n1", "body": {"type": "tree", "level": 0, '
            f'"nodes": {arr("0")}, "hashes": {arr("12345")}, "counts": {arr("3")}, "msg_id": 2}}}}\n')
    # Keys stored here, so that the node has a tree to compare (a cluster node keeps one).
    puts = "".join('{"src": "c1", "dest": "n1", "body": {"type": "kv_put", '
                   f'"key": {i}, "value": 1, "clock": [1]}}}}\n' for i in range(a.keys))
    node = Node(a.bin, [])
    node.write_async([(1, init(["n1", "n2"]).encode()), (a.keys, puts.encode()), (1, tree.encode())])
    out = 0
    types = {}
    for line in node.proc.stdout:
        body = json.loads(line)["body"]
        if body["type"] not in ("tree", "tree_keys"):
            continue
        out += len(line)
        types[body["type"]] = types.get(body["type"], 0) + 1
    status, rss = node.wait()
    print(f"tree: {a.keys} keys stored; node 0 listed {r} times ({len(tree)} bytes in): {out} bytes out in "
          f"{sum(types.values())} messages {types}; exit {status}, peak RSS {rss / 1024:.1f} MB")


def cmd_waiters(a):
    n = a.writes
    chunk = 2000
    chunks = [(1, init(["n1", "n2", "n3"]).encode())]
    for first in range(0, n, chunk):
        lines = "".join('{"src": "c1", "dest": "n1", "body": {"type": "kv_put", '
                        f'"msg_id": {i}, "key": "k", "value": {i}, "clock": [{i + 1}]}}}}\n'
                        for i in range(first, min(n, first + chunk)))
        chunks.append((min(n, first + chunk) - first, lines.encode()))
    node = Node(a.bin, ["--write-quorum", "3", "--request-timeout-ms", str(a.timeout_ms)])
    node.write_async(chunks, close=False)
    # Replies come in the order of their deadlines, which is the order of the requests: after
    # each read it is enough to know the last one it completed. Big reads and C-level searches
    # (a per-line Python loop would lag the node and measure itself).
    # The replies are read by a process of their own (with a GIL of its own: one shared with
    # the writer made the reader lag by most of a second), with big reads and C-level searches.
    fd = node.proc.stdout.fileno()
    if a.pipe_bytes:
        import fcntl
        fcntl.fcntl(fd, 1031, a.pipe_bytes)  # F_SETPIPE_SZ: fewer wake-ups per byte read
    results_r, results_w = os.pipe()
    child = os.fork()
    if child == 0:
        os.close(results_r)
        progress, replies, errors0 = [], 0, 0
        marker = b'"dest": "c1", "body": {"type": "error", "in_reply_to": '
        tail = b""
        while replies < n:
            data = os.read(fd, 1 << 20)
            if not data:
                break
            t = time.monotonic()
            data = tail + data
            cut = data.rfind(b"\n") + 1
            tail = data[cut:]
            replies += data.count(b'"dest": "c1"', 0, cut)
            errors0 += data.count(b'"code": 0, ', 0, cut)
            at = data.rfind(marker, 0, cut)
            if at >= 0:
                at += len(marker)
                progress.append((t, int(data[at:data.index(b",", at)])))
        with os.fdopen(results_w, "w") as f:
            json.dump([replies, errors0, progress], f)
        os._exit(0)
    os.close(results_w)
    with os.fdopen(results_r) as f:
        replies, errors0, progress = json.load(f)
    os.waitpid(child, 0)
    node.proc.stdin.close()
    status, rss = node.wait()
    # Request i was read by the node between the start of the write that carried it and a
    # little after that write returned: its deadline is that plus the timeout.
    late_max, late_sum = 0.0, 0.0
    w = p = 0
    times = node.write_times[1:]
    for i in range(n):
        while times[w][0] - 1 <= i:  # (written counts the init line too)
            w += 1
        while p < len(progress) and progress[p][1] < i:
            p += 1
        deadline = times[w][2] + a.timeout_ms / 1000
        late = progress[p][0] - deadline if p < len(progress) else float("inf")
        late_max = max(late_max, late)
        late_sum += late
    last_write = times[-1][2]
    print(f"waiters: {n} writes of one key at --write-quorum 3, peers silent: {replies} "
          f"answered ({errors0} error 0); the last {progress[-1][0] - last_write:.2f} s "
          f"after the last request was written (timeout {a.timeout_ms} ms); lateness past "
          f"each one's deadline: max {late_max:.2f} s, mean {late_sum / n:.2f} s; "
          f"exit {status}, peak RSS {rss / 1024:.1f} MB")


def cmd_sigterm(a):
    value = "v" * a.value_bytes
    lines = [init(["n1"]),
             '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "k", '
             f'"value": "{value}", "clock": [1]}}}}\n']
    for i in range(a.gets):
        lines.append('{"src": "c1", "dest": "n1", "body": {"type": "kv_get", '
                     f'"msg_id": {100 + i}, "key": "k"}}}}\n')
    node = Node(a.bin, ["--log-level", "debug"], stderr=subprocess.PIPE)
    node.write_async([(len(lines), "".join(lines).encode())], close=False)
    # The node has handled every request once its debug log shows the last get.
    seen = 0
    for line in node.proc.stderr:
        if b"kv_get" in line and b" from c1 " in line:
            seen += 1
            if seen == a.gets:
                break
    queued_at = time.monotonic()
    node.proc.send_signal(signal.SIGTERM)
    time.sleep(a.wait_before_reading)
    data = node.proc.stdout.read()
    err = node.proc.stderr.read().decode(errors="replace")
    node.proc.stdin.close()
    status, _ = node.wait()
    replies = data.count(b'"kv_get_ok"')
    warn = [l for l in err.splitlines() if "unwritten" in l or "signal" in l]
    print(f"sigterm: {a.gets} gets of a {a.value_bytes}-byte value handled, SIGTERM, reader "
          f"starts {a.wait_before_reading:.1f} s later: {replies} of {a.gets} replies arrived "
          f"({len(data)} bytes), exit {status} after {time.monotonic() - queued_at:.2f} s; "
          f"log: {' | '.join(w.split(': ', 1)[-1] for w in warn)}")


def cmd_oversize(a):
    cases = []
    # A value of 3,000,000 'é' (6 MB of UTF-8 on the client's line, 18 MB as \u00e9 escapes).
    val = "\u00e9" * (a.megabytes * 500_000)
    cases.append(("6 MB of raw UTF-8 é" if a.megabytes == 6 else f"{a.megabytes} MB of é",
                  '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "k", '
                  f'"value": "{val}", "clock": [1]}}}}\n'))
    head = '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "big", "value": "'
    tail = '", "clock": [1]}}'
    pad = (16 << 20) - len(head.encode()) - len(tail.encode())
    cases.append(("a line of exactly 16 MiB", head + "a" * pad + tail + "\n"))
    for what, line in cases:
        node = Node(a.bin, [])
        node.write_async([(1, init(["n1", "n2"]).encode()), (1, line.encode())], close=False)
        reply, longest, longest_type = None, 0, None
        deadline = time.monotonic() + a.seconds
        buf = b""
        fd = node.proc.stdout.fileno()
        total = 0
        while time.monotonic() < deadline:
            r, _, _ = select.select([fd], [], [], max(0, deadline - time.monotonic()))
            if not r:
                break
            data = os.read(fd, 1 << 20)
            if not data:
                break
            total += len(data)
            buf += data
            while b"\n" in buf:
                one, buf = buf.split(b"\n", 1)
                body = json.loads(one)["body"]
                if body["type"] == "init_ok":
                    continue
                if "in_reply_to" in body and body.get("in_reply_to") in (2, 3):
                    reply = {k: v for k, v in body.items() if k not in ("msg_id",)}
                if len(one) > longest:
                    longest, longest_type = len(one), body["type"]
        node.proc.stdin.close()
        node.proc.terminate()
        node.wait()
        print(f"oversize: {what} ({len(line.encode()) - 1} bytes): reply {json.dumps(reply)[:300]}; "
              f"longest line written {longest} bytes ({longest_type}), "
              f"{'over' if longest > (16 << 20) else 'within'} the 16 MiB line limit; "
              f"{total / 1e6:.1f} MB written in {a.seconds} s")


def cmd_stale(a):
    args = [a.sim, "--nodes", "3", "--faults", "kill,reorder", "--fault-interval", "0.2",
            "--latency", "30", "--reorder", "50", "--reorder-max", "400", "--kill-in-flight",
            "deliver", "--keys", "10", "--rate", "200", "--node-arg=--write-quorum=2",
            "--node-arg=--read-quorum=2", "--seed", str(a.seed)]
    out = subprocess.run(args, capture_output=True, text=True)
    print("stale: " + " ".join(args[1:]) + "\n  " + out.stdout.splitlines()[0][:300])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    def add(name, fn):
        s = sub.add_parser(name)
        s.add_argument("--bin", default="build/vclock-kv")
        s.set_defaults(fn=fn)
        return s
    s = add("merge", cmd_merge)
    s.add_argument("--versions", type=int, default=20000)
    s = add("gets", cmd_gets)
    s.add_argument("--siblings", type=int, default=100)
    s.add_argument("--value-bytes", type=int, default=2000)
    s.add_argument("--gets", type=int, default=3000)
    s.add_argument("--sink", choices=["pipe", "devnull"], default="pipe")
    s = add("tree", cmd_tree)
    s.add_argument("--repeats", type=int, default=100000)
    s.add_argument("--keys", type=int, default=100)
    s = add("waiters", cmd_waiters)
    s.add_argument("--writes", type=int, default=300000)
    s.add_argument("--timeout-ms", type=int, default=1000)
    s.add_argument("--pipe-bytes", type=int, default=0,
                   help="size the node's stdout pipe (Linux; default: the system's, 64 KiB)")
    s = add("sigterm", cmd_sigterm)
    s.add_argument("--gets", type=int, default=100)
    s.add_argument("--value-bytes", type=int, default=100000)
    s.add_argument("--wait-before-reading", type=float, default=0.5)
    s = add("oversize", cmd_oversize)
    s.add_argument("--megabytes", type=int, default=6)
    s.add_argument("--seconds", type=float, default=3.0)
    s = add("stale", cmd_stale)
    s.add_argument("--sim", default="build/maelstrom/sim/vckv-sim")
    s.add_argument("--seed", type=int, default=509)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
