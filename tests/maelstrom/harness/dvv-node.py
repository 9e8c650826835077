#!/usr/bin/env python3
# A one-node stand-in for docs/protocol.md §17 (server-assigned clocks), for the harness's own
# tests of --clocks server while no real node is needed: init, dvv_update, dvv_get, dvv_delete
# on one node (no replication, no disk). With --debug-keep-covered it never drops the versions
# a context covers (every write makes a false sibling), which the checker must call invalid.
import json
import sys

keep_covered = "--debug-keep-covered" in sys.argv[1:]
me = ""
out_id = 0
store = {}     # key text -> [{"value": json or absent, "dot": [node, n], "version_vector": {...}}]
counters = {}  # key text -> the largest counter this node issued for it


def send(dest, body):
    global out_id
    out_id += 1
    body["msg_id"] = out_id
    sys.stdout.write(json.dumps({"src": me, "dest": dest, "body": body}) + "\n")
    sys.stdout.flush()


def covers(context, dot):
    return context.get(dot[0], 0) >= dot[1]


def write(key, context, value, tombstone):
    versions = store.setdefault(key, [])
    if not keep_covered:
        versions[:] = [v for v in versions if not covers(context, v["dot"])]
    m = max([counters.get(key, 0), context.get(me, 0)] +
            [v["dot"][1] for v in versions if v["dot"][0] == me] +
            [v["version_vector"].get(me, 0) for v in versions])
    counters[key] = m + 1
    vv = {n: c for n, c in sorted(context.items()) if c}
    version = {"dot": [me, m + 1], "version_vector": vv}
    if not tombstone:
        version["value"] = value
    versions.append(version)
    return version


for line in sys.stdin:
    msg = json.loads(line)
    body = msg["body"]
    kind = body.get("type")
    reply = {"in_reply_to": body.get("msg_id")}
    if kind == "init":
        me = body["node_id"]
        reply["type"] = "init_ok"
    elif kind in ("dvv_update", "dvv_delete"):
        v = write(json.dumps(body["key"]), body["context"], body.get("value"), kind == "dvv_delete")
        reply.update({"type": kind + "_ok", "dot": v["dot"], "version_vector": v["version_vector"]})
    elif kind == "dvv_get":
        versions = store.get(json.dumps(body["key"]), [])
        context = {}
        for v in versions:
            for n, c in list(v["version_vector"].items()) + [tuple(v["dot"])]:
                context[n] = max(context.get(n, 0), c)
        reply["type"] = "dvv_get_ok"
        reply["values"] = [{"value": v["value"], "dot": v["dot"], "version_vector": v["version_vector"]}
                           for v in versions if "value" in v]
        deleted = [{"dot": v["dot"], "version_vector": v["version_vector"]} for v in versions if "value" not in v]
        if deleted:
            reply["deleted"] = deleted
        reply["context"] = dict(sorted(context.items()))
    else:
        reply.update({"type": "error", "code": 10, "text": kind + ": unsupported message type"})
    send(msg["src"], reply)
