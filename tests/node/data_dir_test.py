#!/usr/bin/env python3
"""The node binary with --data-dir (docs/protocol.md §15), run as a process:
- a write, SIGKILL, a restart on the same directory: the value is back, init_ok first;
- the whole cluster's one node restarted at once after several writes and a key overwritten;
- a second node on a directory in use: exit status 74, a message naming the holder's pid, no
  output;
- without --data-dir: no file is created (the node runs in an empty working directory) and the
  output is byte for byte the in-memory node's.

Usage: python3 tests/node/data_dir_test.py VCLOCK_KV_BINARY
"""

import os
import select
import signal
import subprocess
import sys
import tempfile

INIT = '{"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}}'
INIT_OK = '{"src": "n1", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1, "msg_id": 0}}\n'
EXIT_STORAGE_FAILURE = 74


def put(msg_id, key, value, clock):
    return ('{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": %d, "key": "%s", '
            '"value": "%s", "clock": %s}}' % (msg_id, key, value, clock))


def get(msg_id, key):
    return '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": %d, "key": "%s"}}' % (msg_id, key)


def read_line(stream, seconds=10):
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([stream], [], [], seconds)
        if not ready:
            raise AssertionError(f"no line within {seconds} s (so far {line!r})")
        byte = os.read(stream.fileno(), 1)
        if not byte:
            break
        line += byte
    return line.decode()


def start(binary, *args, cwd=None):
    return subprocess.Popen([binary, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=cwd)


def send(node, line):
    node.stdin.write((line + "\n").encode())
    node.stdin.flush()


def kill(node):
    node.send_signal(signal.SIGKILL)
    node.wait()
    for stream in (node.stdin, node.stdout, node.stderr):
        stream.close()


def write_kill_recover(binary, data_dir):
    node = start(binary, "--data-dir", data_dir)
    send(node, INIT)
    assert read_line(node.stdout) == INIT_OK
    send(node, put(2, "x", "v1", "[1]"))
    assert '"status": "written"' in read_line(node.stdout)
    send(node, put(3, "x", "v2", "[2]"))
    assert '"status": "written"' in read_line(node.stdout)
    send(node, put(4, "y", "kept", "[1]"))
    assert '"status": "written"' in read_line(node.stdout)
    kill(node)  # right after the replies: they were released only after the fdatasync

    node = start(binary, "--data-dir", data_dir)
    send(node, INIT)
    assert read_line(node.stdout) == INIT_OK, "init_ok comes after recovery"
    send(node, get(5, "x"))
    send(node, get(6, "y"))
    x = read_line(node.stdout)
    y = read_line(node.stdout)
    assert '"values": [{"value": "v2", "clock": [2]}]' in x, x
    assert '"values": [{"value": "kept", "clock": [1]}]' in y, y
    node.stdin.close()
    assert node.wait(timeout=10) == 0
    err = node.stderr.read().decode()
    assert "recovered 2 keys" in err, err
    node.stdout.close()
    node.stderr.close()


def second_node_refused(binary, data_dir):
    first = start(binary, "--data-dir", data_dir)
    send(first, INIT)
    assert read_line(first.stdout) == INIT_OK
    second = start(binary, "--data-dir", data_dir)
    out, err = second.communicate((INIT + "\n" + get(2, "x") + "\n").encode(), timeout=10)
    assert second.returncode == EXIT_STORAGE_FAILURE, (second.returncode, err)
    assert out == b"", out
    err = err.decode()
    assert os.path.join(data_dir, "n1") in err and str(first.pid) in err, err
    kill(first)


def no_file_without_data_dir(binary, workdir):
    lines = [INIT, put(2, "x", "v1", "[1]"), get(3, "x")]
    node = start(binary, cwd=workdir)
    out, _ = node.communicate(("\n".join(lines) + "\n").encode(), timeout=10)
    assert node.returncode == 0
    assert os.listdir(workdir) == [], os.listdir(workdir)
    assert out.decode() == (
        INIT_OK
        + '{"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}}\n'
        + '{"src": "n1", "dest": "c1", "body": {"type": "kv_get_ok", "in_reply_to": 3, "values": [{"value": "v1", "clock": [1]}], "msg_id": 2}}\n'
    ), out


def main():
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        write_kill_recover(binary, os.path.join(tmp, "data"))
        second_node_refused(binary, os.path.join(tmp, "locked"))
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        no_file_without_data_dir(binary, empty)
    print("data_dir_test: ok")


if __name__ == "__main__":
    main()
