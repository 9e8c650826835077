#!/usr/bin/env python3
"""A vclock-kv node without tree_roots: runs the node named by $VCKV_NODE with this script's
arguments and passes every line through, except a tree_roots request, which it answers itself
with error 10 (unsupported type), as a node from before that request does.
harness_convergence_without_tree_roots expects vckv-harness to warn that the node has no
tree_roots and to time convergence by its probe rounds instead."""
import json
import os
import subprocess
import sys
import threading

node = subprocess.Popen([os.environ["VCKV_NODE"], *sys.argv[1:]], stdin=subprocess.PIPE,
                        stdout=subprocess.PIPE, bufsize=0)
out_lock = threading.Lock()


def emit(line: bytes) -> None:
    with out_lock:
        sys.stdout.buffer.write(line)
        sys.stdout.buffer.flush()


def from_node() -> None:
    for line in node.stdout:
        emit(line)


reader = threading.Thread(target=from_node, daemon=True)
reader.start()
for line in sys.stdin.buffer:
    try:
        message = json.loads(line)
        body = message.get("body", {})
        if body.get("type") == "tree_roots":
            reply = {"src": message.get("dest"), "dest": message.get("src"),
                     "body": {"type": "error", "in_reply_to": body.get("msg_id"), "code": 10,
                              "text": "unsupported type: tree_roots"}}
            emit((json.dumps(reply) + "\n").encode())
            continue
    except (ValueError, AttributeError):
        pass
    node.stdin.write(line)
    node.stdin.flush()
node.stdin.close()
reader.join()
sys.exit(node.wait())
