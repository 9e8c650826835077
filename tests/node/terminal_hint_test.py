#!/usr/bin/env python3
"""The node started on a terminal prints one hint line on stderr (how to init, how to quit);
started with stdin a pipe, it prints none. Runs the binary on a pseudo-terminal, types the init
request the hint shows, then Ctrl-D, as a person would.

Usage: python3 tests/node/terminal_hint_test.py VCLOCK_KV_BINARY
"""

import os
import pty
import select
import subprocess
import sys

INIT = '{"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}}'
HINT = ("vclock-kv info: reading requests from the terminal, one JSON object per line; start with "
        + INIT + " and end with Ctrl-D (Ctrl-C also quits; --help shows more)\n")
INIT_OK = '{"src": "n1", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1, "msg_id": 0}}\n'
INITIALISED = "vclock-kv[n1] info: initialised in a cluster of 1\n"


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


def on_a_terminal(binary):
    controller, terminal = pty.openpty()
    node = subprocess.Popen([binary], stdin=terminal, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    os.close(terminal)
    try:
        hint = read_line(node.stderr)
        assert hint == HINT, f"the first stderr line is\n{hint!r}\nexpected\n{HINT!r}"
        os.write(controller, (INIT + "\n").encode())
        reply = read_line(node.stdout)
        assert reply == INIT_OK, f"init got {reply!r}"
        os.write(controller, b"\x04")  # Ctrl-D at the start of a line: end of input
        status = node.wait(timeout=10)
        rest = node.stderr.read().decode()
        assert status == 0, f"exit status {status} after Ctrl-D"
        assert rest == INITIALISED, f"stderr after the hint: {rest!r}"
    finally:
        if node.poll() is None:
            node.kill()
        os.close(controller)


def on_a_pipe(binary):
    done = subprocess.run([binary], input=(INIT + "\n").encode(), capture_output=True, timeout=10)
    assert done.returncode == 0, f"exit status {done.returncode}"
    assert done.stdout.decode() == INIT_OK, done.stdout
    assert done.stderr.decode() == INITIALISED, f"stderr with stdin a pipe: {done.stderr!r}"


def main(argv):
    binary = argv[1]
    on_a_terminal(binary)
    on_a_pipe(binary)
    print("terminal: one hint line; pipe: none")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
