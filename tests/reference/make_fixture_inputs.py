#!/usr/bin/env python3
"""Writes the .in (and .args) files of tests/golden/. The .out files come from
regen_fixtures.sh (the reference node). Run from anywhere:

    python3 tests/reference/make_fixture_inputs.py && tests/reference/regen_fixtures.sh

Lines are built with json.dumps where the content is ordinary, and written raw where the
bytes themselves are the point (garbage, CRLF, raw UTF-8, odd spacing).
"""

import json
import pathlib

FIXTURES = pathlib.Path(__file__).resolve().parents[1] / "golden"


def env(body, src="c1", dest="n1", **extra):
    e = {"src": src, "dest": dest, "body": body}
    e.update(extra)
    return json.dumps(e)


def init(node_id="n1", node_ids=("n1",), msg_id=1, src="c0", dest=None):
    return env(
        {"type": "init", "msg_id": msg_id, "node_id": node_id, "node_ids": list(node_ids)},
        src=src,
        dest=dest if dest is not None else node_id,
    )


INIT = init()
_next = [10]


def mid():
    _next[0] += 1
    return _next[0]


def put(key, value, clock, msg_id=None, type_="kv_put", **kw):
    return env({"type": type_, "msg_id": msg_id or mid(), "key": key, "value": value, "clock": clock}, **kw)


def resolve(key, value, clock, msg_id=None):
    return put(key, value, clock, msg_id, type_="kv_resolve")


def get(key, msg_id=None, **kw):
    return env({"type": "kv_get", "msg_id": msg_id or mid(), "key": key}, **kw)


def body(**fields):
    return env(fields)


FIX = {}


def lines_bytes(lines):
    return "".join(l + "\n" for l in lines).encode("utf-8")


def fixture(name, lines, args=None, raw=None, restart=None):
    """lines: list of str lines, each written with "\\n"; raw: exact bytes instead. restart:
    the lines of NAME.restart.in, the node's second run on the same @DATA_DIR@ (args must name
    it; tests/golden.cmake)."""
    assert name not in FIX, name
    assert restart is None or "@DATA_DIR@" in (args or ""), name
    data = raw if raw is not None else lines_bytes(lines)
    FIX[name] = (data, args, None if restart is None else lines_bytes(restart))


# --- published course cases and docs/protocol.md examples -----------------------------------

fixture("course-case-1", [
    INIT,
    put("x", "hello", [1, 0], msg_id=2),
    get("x", msg_id=3),
])
fixture("course-case-2", [
    INIT,
    put("x", "v1", [1, 0], msg_id=2),
    put("x", "v2", [0, 1], msg_id=3),
    get("x", msg_id=4),
])
# Sections 4, 7, 8, 9, 10 in sequence, verbatim. node_ids names n2: the C++ node runs without
# replication so that no sync message takes a msg_id.
fixture("protocol-examples", [
    '{"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1", "n2"]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "x", "value": "v1", "clock": [1, 0]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "x", "value": "v2", "clock": [0, 1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 4, "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_resolve", "msg_id": 5, "key": "x", "value": "v1+v2", "clock": [1, 1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 7, "key": "x", "value": "v3", "clock": [1, -3]}}',
], args="--debug-no-replication")
# Section 7's stale reply: in_reply_to 4, msg_id 3.
fixture("protocol-example-stale", [
    '{"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1", "n2"]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "x", "value": "v1", "clock": [1, 0]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "x", "value": "v2", "clock": [0, 1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 4, "key": "x", "value": "v0", "clock": [0, 0]}}',
], args="--debug-no-replication")

# --- section 10 error rows -------------------------------------------------------------------

fixture("error-10-unknown-type", [
    INIT,
    body(type="delete", msg_id=2, key="x"),
    body(type="", msg_id=3),
    body(type="KV_PUT", msg_id=4, key="x", value=1, clock=[1]),
    body(type="init_ok", msg_id=5),
])
# What Maelstrom users type first (its lin-kv and echo workloads): error 10 names the types a
# client may send instead.
fixture("error-10-maelstrom-types", [
    INIT,
    body(type="read", msg_id=2, key="x"),
    body(type="write", msg_id=3, key="x", value=1),
    body(type="cas", msg_id=4, key="x", **{"from": 1, "to": 2}),
    body(type="echo", msg_id=5, echo="hello"),
])
fixture("error-11-before-init", [
    get("x", msg_id=1),
    put("x", 1, [1], msg_id=2, dest="n7"),
    body(type="kv_frobnicate", msg_id=3),
    env({"type": "kv_put", "msg_id": 4}),
    INIT,
    get("x", msg_id=5),
])
fixture("error-12-key-missing", [
    INIT,
    body(type="kv_put", msg_id=2, value=1, clock=[1]),
    body(type="kv_get", msg_id=3),
    body(type="kv_resolve", msg_id=4, value=1, clock=[1]),
    body(type="kv_put", msg_id=5),
])
fixture("error-12-key-ill-typed", [
    INIT,
    put(True, 1, [1], msg_id=2),
    put(1.5, 1, [1], msg_id=3),
    put(1.0, 1, [1], msg_id=4),
    put(None, 1, [1], msg_id=5),
    put({"a": 1}, 1, [1], msg_id=6),
    put(["x"], 1, [1], msg_id=7),
    get(False, msg_id=8),
    get(2e3, msg_id=9),
    resolve(None, 1, [1], msg_id=10),
])
fixture("error-12-value-missing", [
    INIT,
    body(type="kv_put", msg_id=2, key="x", clock=[1]),
    body(type="kv_resolve", msg_id=3, key="x", clock=[1]),
    body(type="kv_put", msg_id=4, key="x"),
    get("x", msg_id=5),
])
fixture("error-12-value-too-deep", [
    INIT,
    put("x", json.loads("[" * 201 + "]" * 201), [1], msg_id=2),
    put("x", json.loads('{"a": ' * 201 + "1" + "}" * 201), [1], msg_id=3),
    put("x", json.loads("[" * 200 + "]" * 200), [1], msg_id=4),
    get("x", msg_id=5),
])
fixture("error-12-clock-missing", [
    INIT,
    body(type="kv_put", msg_id=2, key="x", value=1),
    body(type="kv_resolve", msg_id=3, key="x", value=1),
])
fixture("error-12-clock-negative", [
    INIT,
    put("x", 1, [-1], msg_id=2),
    put("x", 1, [1, -3], msg_id=3),
    put("x", 1, [0, 0, -18446744073709551616], msg_id=4),
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 5, "key": "x", "value": 1, "clock": [-0]}}',
    get("x", msg_id=6),
])
fixture("error-12-clock-fractional", [
    INIT,
    put("x", 1, [1.5], msg_id=2),
    put("x", 1, [1.0], msg_id=3),
    put("x", 1, [0, 2.0], msg_id=4),
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 5, "key": "x", "value": 1, "clock": [1e2]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 6, "key": "x", "value": 1, "clock": [-0.0]}}',
    get("x", msg_id=7),
])
fixture("error-12-clock-ill-typed-items", [
    INIT,
    put("x", 1, ["1"], msg_id=2),
    put("x", 1, [None], msg_id=3),
    put("x", 1, [[1]], msg_id=4),
    put("x", 1, [1, {"n": 1}], msg_id=5),
    put("x", 1, [True], msg_id=6),
    put("x", 1, [0, False], msg_id=7),
])
fixture("error-12-clock-not-array", [
    INIT,
    put("x", 1, "1,0", msg_id=2),
    put("x", 1, None, msg_id=3),
    put("x", 1, 1, msg_id=4),
    put("x", 1, {"n1": 1}, msg_id=5),
    put("x", 1, True, msg_id=6),
    resolve("x", 1, 2.5, msg_id=7),
])
fixture("error-12-clock-over-u64", [
    INIT,
    put("x", "max", [18446744073709551615], msg_id=2),
    put("y", "over", [18446744073709551616], msg_id=3),
    put("y", "way over", [1, 123456789012345678901234567890], msg_id=4),
    get("x", msg_id=5),
    get("y", msg_id=6),
])
fixture("error-12-clock-too-long", [
    INIT,
    put("x", "ok", [1, 0], msg_id=2),
    put("x", "long", [1, 1, 0], msg_id=3),
    put("x", "long, bad items", [-1, "a", 0, 0, 0], msg_id=4),
    put("x", "long not array", "abc", msg_id=5),
    get("x", msg_id=6),
], args="--max-clock-entries 2")
fixture("error-12-init-fields", [
    env({"type": "init", "msg_id": 1, "node_ids": ["n1"]}, src="c0"),
    env({"type": "init", "msg_id": 2, "node_id": 1, "node_ids": ["n1"]}, src="c0"),
    env({"type": "init", "msg_id": 3, "node_id": "n1"}, src="c0"),
    env({"type": "init", "msg_id": 4, "node_id": "n1", "node_ids": []}, src="c0"),
    env({"type": "init", "msg_id": 5, "node_id": "n1", "node_ids": "n1"}, src="c0"),
    env({"type": "init", "msg_id": 6, "node_id": "n1", "node_ids": ["n1", 2]}, src="c0"),
    env({"type": "init", "msg_id": 7, "node_id": "n1", "node_ids": ["n1", "n2", "n1"]}, src="c0"),
    env({"type": "init", "msg_id": 8, "node_id": "n3", "node_ids": ["n1", "n2"]}, src="c0"),
    env({"type": "init", "msg_id": 9, "node_id": None, "node_ids": None}, src="c0"),
    get("x", msg_id=10),
    INIT,
    env({"type": "init", "msg_id": 11, "node_id": "n1", "node_ids": ["n1", "n1"]}, src="c0"),
])
fixture("error-12-envelope", [
    INIT,
    '{"src": "c1", "body": {"type": "kv_get", "msg_id": 2, "key": "x"}}',
    '{"src": "c1", "dest": 7, "body": {"type": "kv_get", "msg_id": 3, "key": "x"}}',
    '{"src": "c1", "dest": null, "body": {"type": "kv_get", "msg_id": 4, "key": "x"}}',
    '{"src": "c1", "dest": "n1"}',
    '{"src": "c1", "dest": "n1", "body": [1, 2]}',
    '{"src": "c1", "dest": "n1", "body": null}',
    '{"src": "c1", "dest": "n1", "body": {"msg_id": 5, "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": 5, "msg_id": 6}}',
    '{"src": "c1", "dest": "n1", "body": {"type": null, "msg_id": 7}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": "8", "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 9.0, "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": true, "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_nope", "msg_id": null}}',
])
fixture("error-12-dest-before-init", [
    '{"src": "c1", "body": {"type": "kv_get", "msg_id": 1, "key": "x"}}',
    '{"src": "c1", "dest": ["n1"], "body": {"type": "init", "msg_id": 2, "node_id": "n1", "node_ids": ["n1"]}}',
    '{"src": "c1", "dest": "n1", "body": "init"}',
    '{"src": "c1", "dest": "n1", "body": {"type": "init", "msg_id": "3", "node_id": "n1", "node_ids": ["n1"]}}',
    INIT,
])
fixture("error-12-long-excerpt", [
    INIT,
    put("x" * 100, 1, "c" * 100, msg_id=2),
    put("x", 1, [1, "\u00e9" * 30], msg_id=3),
    put("x", 1, [1, "a" * 59], msg_id=4),
    put("x", 1, [1, "a" * 60], msg_id=5),
    put({"k": list(range(40))}, 1, [1], msg_id=6),
    body(type="kv_get", msg_id=1.5, key="x", pad=1),
])
fixture("error-22-sibling-limit", [
    INIT,
    put("x", "a", [1, 0, 0], msg_id=2),
    put("x", "b", [0, 1, 0], msg_id=3),
    put("x", "c", [0, 0, 1], msg_id=4),
    resolve("x", "c", [0, 0, 1], msg_id=5),
    put("x", "b", [0, 1, 0], msg_id=6),
    put("x", "a2", [2, 0, 0], msg_id=7),
    get("x", msg_id=8),
    put(7, "a", [1, 0], msg_id=9),
    put(7, "b", [0, 1], msg_id=10),
    put(7, "c", [0, 0, 1], msg_id=11),
    resolve(7, "ab", [1, 1], msg_id=12),
    get(7, msg_id=13),
], args="--max-siblings 2")
fixture("error-22-sibling-limit-one", [
    INIT,
    put("x", "a", [1, 0], msg_id=2),
    put("x", "b", [0, 1], msg_id=3),
    put("x", "a", [1, 0], msg_id=4),
    put("x", "c", [2, 0], msg_id=5),
    get("x", msg_id=6),
], args="--max-siblings 1")
fixture("error-22-reinit-conflict", [
    init("n1", ["n1", "n2"]),
    put("x", "kept", [1], msg_id=2),
    init("n2", ["n1", "n2"], msg_id=3, dest="n1"),
    init("n1", ["n1"], msg_id=4),
    init("n1", ["n1", "n2", "n3"], msg_id=5),
    init("n1", ["n1", "n3"], msg_id=6),
    get("x", msg_id=7),
], args="--debug-no-replication")
fixture("init-repeated-same", [
    init("n1", ["n1", "n2", "n3"]),
    init("n1", ["n1", "n2", "n3"], msg_id=2),
    init("n1", ["n3", "n1", "n2"], msg_id=3, src="c9"),
    put("x", 1, [1], msg_id=4),
    init("n1", ["n2", "n3", "n1"], msg_id=5),
    get("x", msg_id=6),
], args="--debug-no-replication")
fixture("init-reply-from-node-id", [
    init("n1", ["n1"], dest="whoever"),
    get("x", msg_id=2),
    get("x", msg_id=3, dest="whoever"),
])

# --- sections 5 and 7: the write rule ------------------------------------------------------

fixture("put-stale-dominated", [
    INIT,
    put("x", "new", [2, 1], msg_id=2),
    put("x", "old", [1, 1], msg_id=3),
    put("x", "older", [1], msg_id=4),
    put("x", "zero", [], msg_id=5),
    get("x", msg_id=6),
])
fixture("put-stale-equal-clock", [
    INIT,
    put("x", "a", [1, 1], msg_id=2),
    put("x", "b", [1, 1], msg_id=3),
    put("x", "c", [1, 1, 0], msg_id=4),
    put("x", True, [5], msg_id=5),
    put("x", 1, [5], msg_id=6),
    put("x", 1.5, [6], msg_id=7),
    put("x", 1.50001, [6], msg_id=8),
    get("x", msg_id=9),
])
fixture("put-duplicate-retry", [
    INIT,
    put("x", "a", [1, 0], msg_id=2),
    put("x", "a", [1, 0], msg_id=3),
    put("x", "b", [0, 1], msg_id=4),
    put("x", "b", [0, 1], msg_id=5),
    put("x", "a", [1, 0], msg_id=6),
    get("x", msg_id=7),
])
fixture("put-duplicate-json-equal", [
    INIT,
    put("x", {"a": 1, "b": [1, 2.0], "c": {"d": None, "e": True}}, [1], msg_id=2),
    put("x", {"c": {"e": True, "d": None}, "b": [1.0, 2], "a": 1.0}, [1], msg_id=3),
    put("y", 1, [1], msg_id=4),
    put("y", 1.0, [1], msg_id=5),
    put("y", 1e0, [1, 0], msg_id=6),
    put("z", 0, [1], msg_id=7),
    put("z", -0.0, [1], msg_id=8),
    put("w", [1, 2], [1], msg_id=9),
    put("w", [2, 1], [1], msg_id=10),
    put("v", {"a": 1}, [1], msg_id=11),
    put("v", {"a": 1, "b": 2}, [1], msg_id=12),
    get("x", msg_id=13),
    get("y", msg_id=14),
    get("z", msg_id=15),
])
fixture("put-duplicate-bool-is-not-int", [
    INIT,
    put("x", 1, [1], msg_id=2),
    put("x", True, [1], msg_id=3),
    put("y", False, [1], msg_id=4),
    put("y", 0, [1], msg_id=5),
    put("z", None, [1], msg_id=6),
    put("z", False, [1], msg_id=7),
    put("s", "1", [1], msg_id=8),
    put("s", 1, [1], msg_id=9),
    put("big", 9007199254740993, [1], msg_id=10),
    put("big", 9007199254740992.0, [1], msg_id=11),
    get("x", msg_id=12),
    get("big", msg_id=13),
])
fixture("clock-padding", [
    INIT,
    put("x", "a", [1], msg_id=2),
    put("x", "a", [1, 0, 0], msg_id=3),
    put("x", "b", [1, 0, 0, 0], msg_id=4),
    get("x", msg_id=5),
    put("x", "c", [1, 0, 1], msg_id=6),
    get("x", msg_id=7),
    put("y", "p", [0, 0, 0], msg_id=8),
    put("y", "q", [], msg_id=9),
    put("y", "r", [0, 0, 0, 1], msg_id=10),
    get("y", msg_id=11),
])
fixture("put-replaces-dominated-siblings", [
    INIT,
    put("x", "a", [1, 0, 0], msg_id=2),
    put("x", "b", [0, 1, 0], msg_id=3),
    put("x", "c", [0, 0, 1], msg_id=4),
    get("x", msg_id=5),
    put("x", "ab", [1, 1, 0], msg_id=6),
    get("x", msg_id=7),
    put("x", "d", [0, 0, 2], msg_id=8),
    get("x", msg_id=9),
    put("x", "all", [2, 2, 2], msg_id=10),
    get("x", msg_id=11),
])
fixture("clock-max-values", [
    INIT,
    put("x", "a", [18446744073709551615, 0], msg_id=2),
    put("x", "b", [18446744073709551614, 18446744073709551615], msg_id=3),
    put("x", "c", [18446744073709551615, 18446744073709551615], msg_id=4),
    get("x", msg_id=5),
])

# --- section 6: keys and values --------------------------------------------------------------

fixture("keys-int-vs-string", [
    INIT,
    put(1, "int", [1], msg_id=2),
    put("1", "string", [1], msg_id=3),
    get(1, msg_id=4),
    get("1", msg_id=5),
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 6, "key": -0}}',
    get(0, msg_id=7),
    put(-5, "neg", [1], msg_id=8),
    put(123456789012345678901234567890, "big", [1], msg_id=9),
    get(123456789012345678901234567890, msg_id=10),
    get(-5, msg_id=11),
    put("", "empty key", [1], msg_id=12),
    get("", msg_id=13),
    put("\u00e9\U0001f600", "unicode key", [1], msg_id=14),
    get("\u00e9\U0001f600", msg_id=15),
])
fixture("get-missing-key", [
    INIT,
    get("nope", msg_id=2),
    get(0, msg_id=3),
    put("x", 1, [1], msg_id=4),
    get("X", msg_id=5),
])
fixture("values-all-json-types", [
    INIT,
    put("null", None, [1], msg_id=2),
    put("true", True, [1], msg_id=3),
    put("false", False, [1], msg_id=4),
    put("empty-array", [], [1], msg_id=5),
    put("empty-object", {}, [1], msg_id=6),
    put("empty-string", "", [1], msg_id=7),
    put("zero", 0, [1], msg_id=8),
    put("mixed", [None, True, False, 0, -1, 1.5, "s", [], {}, [[]], {"": ""}], [1], msg_id=9),
    get("null", msg_id=10),
    get("true", msg_id=11),
    get("false", msg_id=12),
    get("empty-array", msg_id=13),
    get("empty-object", msg_id=14),
    get("empty-string", msg_id=15),
    get("zero", msg_id=16),
    get("mixed", msg_id=17),
])
# Raw UTF-8 in, \\u escapes out; and escaped input, BMP and astral (surrogate pairs).
fixture("values-unicode", [
    INIT,
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "raw", "value": "h\u00e9llo \u4e16\u754c \U0001f600 \u20ac \uffff", "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "esc", "value": "h\\u00e9llo \\u4E16\\u754c \\ud83d\\ude00 \\u20ac \\uFFFF \\u0000", "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 4, "key": "obj", "value": {"\u00e9": "\U0010ffff", "\\ud800\\udc00": 1}, "clock": [1]}}',
    get("raw", msg_id=5),
    get("esc", msg_id=6),
    get("obj", msg_id=7),
])
fixture("values-control-chars", [
    INIT,
    put("x", "".join(chr(c) for c in range(0, 32)), [1], msg_id=2),
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "del", "value": "a\x7fb \\u007f / \\/ \\" \\\\ \\b\\f\\n\\r\\t \\u001F", "clock": [1]}}',
    put("x\ny", "\u0080\u009f\u00a0", [1], msg_id=4),
    get("x", msg_id=5),
    get("del", msg_id=6),
    get("x\ny", msg_id=7),
])
fixture("values-floats", [
    INIT,
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "f", "value": [1e15, 1e16, 1e-05, 0.0001, 1E-4, -0.0, 1.5e300, 0.30000000000000004, 0.1, 1.0, 100.0, 1e2, 1E+2, 2.5e-5, 123456789.123456789, 5e-324, 1.7976931348623157e308, -1e-7, 9999999999999998.0, 1e22, 0e0, -0, 0.000123], "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "g", "value": {"a": 1e400}, "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 4, "key": "h", "value": NaN, "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 5, "key": "i", "value": -Infinity, "clock": [1]}}',
    get("f", msg_id=6),
    get("g", msg_id=7),
])
fixture("values-big-integers", [
    INIT,
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "b", "value": [18446744073709551615, 18446744073709551616, -9223372036854775809, 123456789012345678901234567890123456789012345678901234567890, -0, 00], "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "c", "value": [18446744073709551616, -0], "clock": [1]}}',
    get("b", msg_id=4),
    get("c", msg_id=5),
])
fixture("values-nested-key-order", [
    INIT,
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "o", "value": {"z": 1, "a": {"y": [1, {"q": 2, "b": 3}], "b": null}, "m": "s", "": 0, "A": 1}, "clock": [1]}}',
    get("o", msg_id=3),
])
fixture("values-duplicate-object-keys", [
    INIT,
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "d", "value": {"a": 1, "b": 2, "a": 3}, "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "d", "value": {"b": 2, "a": 3}, "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 4, "key": "e", "value": {"x": {"k": 1, "k": {"k": 2, "k": 3}}, "x": [1]}, "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 5, "key": "dup-field", "key": "f", "value": 1, "value": 2, "clock": [1], "clock": [2]}}',
    get("d", msg_id=6),
    get("e", msg_id=7),
    get("f", msg_id=8),
])
fixture("value-nesting-thousands-deep", [
    INIT,
    put("x", "kept", [1], msg_id=2),
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "x", "value": ' + "[" * 5000 + "]" * 5000 + ', "clock": [2]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 4, "key": "x", "value": ' + '{"a": ' * 3000 + "1" + "}" * 3000 + ', "clock": [2]}}',
    '{"src": "c1", "dest": "n1", "id": ' + "[" * 3000 + "]" * 3000 + ', "body": {"type": "kv_get", "msg_id": 5, "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 6, "key": "x", "value": ' + "[" * 3000 + "]" * 2999 + ', "clock": [2]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 7, "key": ' + "[" * 3000 + "]" * 3000 + '}}',
    get("x", msg_id=8),
])
fixture("values-float-underflow", [
    INIT,
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "u", "value": [1e-400, -1e-400, 2e-324, 3e-324], "clock": [1]}}',
    get("u", msg_id=3),
])
fixture("values-depth-200-ok", [
    INIT,
    put("x", json.loads('{"a": ' * 199 + "[1]" + "}" * 199), [1], msg_id=2),
    get("x", msg_id=3),
])

# --- section 3: message ids ----------------------------------------------------------------

fixture("msg-id-absent", [
    env({"type": "init", "node_id": "n1", "node_ids": ["n1"]}, src="c0"),
    body(type="kv_put", key="x", value=1, clock=[1]),
    body(type="kv_get", key="x"),
    body(type="kv_nope"),
    body(type="kv_put", key="x", clock=[1]),
    body(type="kv_get", msg_id=5, key="x"),
])
fixture("msg-id-zero-negative-huge", [
    init(msg_id=0),
    get("x", msg_id=-1),
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 0, "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": -0, "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 18446744073709551616, "key": "x"}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_nope", "msg_id": -123456789012345678901234567890}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 1e3, "key": "x"}}',
])

# --- section 1 and 10: transport, unanswerable lines -----------------------------------------

fixture("garbage-lines", [
    "hello",
    "{",
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 1, "key": "x"}',
    "{'src': 'c1'}",
    '{"src": "c1",}',
    '{"src": "c1", "dest": "n1", "body": {}} trailing',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 2, "key": "\x01"}}',
    INIT,
    "not json at all",
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 3, "key": "x"}}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 4, "key": x}}',
    get("x", msg_id=5),
])
fixture("non-object-lines", [
    "[]",
    '[{"src": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 1, "key": "x"}}]',
    "1",
    '"src"',
    "null",
    "true",
    INIT,
    "{}",
    get("x", msg_id=2),
])
fixture("no-src", [
    '{"dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}}',
    '{"src": 1, "dest": "n1", "body": {"type": "init", "msg_id": 2, "node_id": "n1", "node_ids": ["n1"]}}',
    '{"src": null, "dest": "n1", "body": {"type": "init", "msg_id": 3, "node_id": "n1", "node_ids": ["n1"]}}',
    '{"src": ["c1"], "dest": "n1", "body": {"type": "init", "msg_id": 4, "node_id": "n1", "node_ids": ["n1"]}}',
    INIT,
    '{"dest": "n1", "body": {"type": "kv_get", "msg_id": 5, "key": "x"}}',
    '{"SRC": "c1", "dest": "n1", "body": {"type": "kv_get", "msg_id": 6, "key": "x"}}',
    get("x", msg_id=7),
])
fixture("wrong-dest-after-init", [
    INIT,
    put("x", "dropped", [1], msg_id=2, dest="n2"),
    get("x", msg_id=3, dest="N1"),
    body(type="kv_nope", msg_id=4) .replace('"dest": "n1"', '"dest": ""'),
    '{"src": "c1", "dest": "n2", "body": "not an object"}',
    '{"src": "c1", "dest": "n2"}',
    init("n2", ["n1", "n2"], dest="n2", msg_id=5),
    get("x", msg_id=6),
])
fixture("crlf-line-endings", [], raw=(
    INIT + "\r\n"
    + put("x", "crlf", [1], msg_id=2) + "\r\n"
    + get("x", msg_id=3) + "\r\n"
    + get("x", msg_id=4) + "\r\r\n"
    + "\r\n"
    + get("x", msg_id=5) + "\n"
).encode())
fixture("blank-lines", [], raw=(
    "\n\n" + INIT + "\n"
    + "   \n\t\n \t \r\n\r\n"
    + put("x", 1, [1], msg_id=2) + "\n"
    + "\n"
    + "  " + get("x", msg_id=3) + "  \t\n"
    + "\n\n"
).encode())
fixture("final-line-without-newline", [], raw=(
    INIT + "\n" + put("x", "last", [1], msg_id=2) + "\n" + get("x", msg_id=3)
).encode())
fixture("final-line-crlf-without-newline", [], raw=(
    INIT + "\n" + get("x", msg_id=2) + "\r"
).encode())
fixture("json-whitespace-and-compact", [], raw=(
    '{"src":"c0","dest":"n1","body":{"type":"init","msg_id":1,"node_id":"n1","node_ids":["n1"]}}\n'
    + '\t{ "body" : { "clock" : [ 1 ] , "value" : { "b" :1,"a":[ ] } , "key" : "x" , "msg_id" : 2 , "type" : "kv_put" } , "dest" : "n1" , "src" : "c1" }\n'
    + '{"body": {"key": "x", "type": "kv_get", "msg_id": 3}, "src": "c1", "dest": "n1"}\n'
).encode())
fixture("invalid-utf8", [], raw=(
    INIT.encode() + b"\n"
    + b'{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "x", "value": "\xff\xfe", "clock": [1]}}\n'
    + b'{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "x", "value": "\xc3", "clock": [1]}}\n'
    + b'{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 4, "key": "x", "value": "\xed\xa0\x80", "clock": [1]}}\n'
    + get("x", msg_id=5).encode() + b"\n"
))
fixture("lone-surrogate-escape", [
    INIT,
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "x", "value": "\\ud800", "clock": [1]}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 3, "key": "x", "value": "\\udc00\\ud800", "clock": [1]}}',
    get("x", msg_id=4),
])
fixture("max-line-bytes", [
    INIT,
    put("x", "a" * 60, [1], msg_id=2),
    put("x", "b" * 300, [2], msg_id=3),
    get("x", msg_id=4),
], args="--max-line-bytes 200")
def put_of_length(n, msg_id):
    """A kv_put line of exactly n bytes (padding in the value)."""
    base = '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": %d, "key": "x", "value": "%s", "clock": [%d]}}'
    line = base % (msg_id, "a" * (n - len(base % (msg_id, "", msg_id))), msg_id)
    assert len(line) == n
    return line


# The limit counts the bytes before "\n", a "\r" included: 200 passes, 201 and 200 + CR do not.
fixture("max-line-bytes-boundary", [], raw=(
    INIT + "\n" + put_of_length(200, 2) + "\n" + put_of_length(201, 3) + "\n"
    + put_of_length(199, 4) + "\r\n" + put_of_length(200, 5) + "\r\n" + put_of_length(200, 6)
).encode(), args="--max-line-bytes 200")
fixture("unknown-fields-ignored", [
    env({"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"], "extra": [1]}, src="c0", id=0),
    env({"type": "kv_put", "msg_id": 2, "key": "x", "value": 1, "clock": [1], "ttl": 5, "node_id": "n9"}, id=1, meta={"a": 1}),
    env({"type": "kv_get", "msg_id": 3, "key": "x", "value": "ignored", "clock": "ignored"}, id=2),
])
fixture("in-reply-to-ignored", [
    env({"type": "kv_get_ok", "in_reply_to": 1, "values": []}),
    env({"type": "init", "in_reply_to": 1, "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}),
    INIT,
    env({"type": "kv_put", "in_reply_to": 7, "msg_id": 2, "key": "x", "value": 1, "clock": [1]}),
    env({"in_reply_to": 3}),
    env({"type": 5, "msg_id": "bad", "in_reply_to": None}),
    env({"type": "error", "in_reply_to": 4, "code": 13, "text": "x"}),
    env({"type": "sync_ok", "in_reply_to": 0}, src="n2"),
    get("x", msg_id=5),
])

# --- section 9: kv_resolve -----------------------------------------------------------------

fixture("resolve-resolved", [
    INIT,
    put("x", "a", [1, 0], msg_id=2),
    put("x", "b", [0, 1], msg_id=3),
    get("x", msg_id=4),
    resolve("x", "a+b", [1, 1], msg_id=5),
    get("x", msg_id=6),
    resolve("y", "fresh", [1], msg_id=7),
    resolve("y", "fresh", [1, 0], msg_id=8),
])
fixture("resolve-conflict", [
    INIT,
    put("x", "a", [1, 0, 0], msg_id=2),
    put("x", "b", [0, 1, 0], msg_id=3),
    get("x", msg_id=4),
    put("x", "c", [0, 0, 1], msg_id=5),
    resolve("x", "a+b", [1, 1, 0], msg_id=6),
    get("x", msg_id=7),
    resolve("x", "a+b", [1, 1, 0], msg_id=8),
])
fixture("resolve-stale", [
    INIT,
    put("x", "a", [2, 0], msg_id=2),
    put("x", "b", [0, 1], msg_id=3),
    resolve("x", "old merge", [1, 1], msg_id=4),
    resolve("x", "b", [0, 1], msg_id=5),
    resolve("x", "b2", [0, 1], msg_id=6),
    put("x", "merged", [2, 1], msg_id=7),
    resolve("x", "late", [2, 1], msg_id=8),
    get("x", msg_id=9),
])


# --- docs/protocol.md sections 11 and 13: merges from a peer, and lww mode ----------------------
# A peer's syncs need a cluster; --debug-no-replication keeps the node from sending syncs of its
# own (the reference models merging what arrives, not replication's outgoing traffic).

INIT2 = init(node_ids=("n1", "n2"))
PEERS = "--debug-no-replication"
LWW = "--conflict lww"
LWW_PEERS = "--conflict lww --debug-no-replication"
U64 = 18446744073709551615


# The sending process's incarnation, which the acknowledgement echoes (section 11): 20 digits,
# above 2^63, so a reader that takes it as a double or a signed integer shows.
INCARNATION = 12345678901234567890


def sync(versions, msg_id=None, src="n2", incarnation=INCARNATION):
    return env({"type": "sync", "incarnation": incarnation, "msg_id": msg_id or mid(),
                "versions": [{"key": k, "value": v, "clock": c} for k, v, c in versions]}, src=src)


fixture("sync-merge-siblings", [
    INIT2,
    sync([("x", "a", [1, 0]), ("x", "b", [1, 0])], msg_id=2),  # equal clocks: both kept
    sync([("x", "a", [1]), ("x", "old", [0, 0])], msg_id=3),   # identical once; dominated dropped
    get("x", msg_id=4),
    put("x", "mine", [1, 0], msg_id=5),                         # a client's equal clock: stale
    sync([("x", "c", [1, 1]), ("y", 7, [])], msg_id=6),        # dominates both
    get("x", msg_id=7),
    get("y", msg_id=8),
], args=PEERS)
fixture("sync-field-errors", [
    INIT2,
    env({"type": "sync", "incarnation": 1, "msg_id": 2}, src="n2"),
    env({"type": "sync", "incarnation": 1, "msg_id": 3, "versions": {"key": "x"}}, src="n2"),
    env({"type": "sync", "incarnation": 1, "msg_id": 4, "versions": [{"key": "x", "value": 1, "clock": [1]}, 5]}, src="n2"),
    env({"type": "sync", "incarnation": 1, "msg_id": 5, "versions": [{"value": 1, "clock": [1]}]}, src="n2"),
    env({"type": "sync", "incarnation": 1, "msg_id": 6, "versions": [{"key": "x", "value": 1, "clock": [1, -2]}]}, src="n2"),
    sync([("x", 1, [1])], msg_id=7, src="c1"),                 # not a cluster member: error 10
    # The incarnation is required, an integer 0..2^64-1 (the error echoes a valid one only).
    env({"type": "sync", "msg_id": 9, "versions": [{"key": "x", "value": 1, "clock": [1]}]}, src="n2"),
    env({"type": "sync", "incarnation": -1, "msg_id": 10, "versions": []}, src="n2"),
    env({"type": "sync", "incarnation": 2**64, "msg_id": 11, "versions": []}, src="n2"),
    env({"type": "sync", "incarnation": "7", "msg_id": 12, "versions": []}, src="n2"),
    env({"type": "sync", "incarnation": 7.0, "msg_id": 13, "versions": []}, src="n2"),
    sync([], msg_id=14, incarnation=U64),                       # the largest: acknowledged
    get("x", msg_id=8),                                         # nothing was merged
], args=PEERS)

# Section 7: in a cluster, a version must fit alone in a node-to-node line of --max-line-bytes
# (400 here: 208 bytes of envelope with n1/n2 and 20-digit numbers leave 192 for key, value and
# clock as json.dumps writes them). "k" and [1] take 3 bytes each: a value of 186 fits.
fixture("error-22-version-too-large", [
    INIT2,
    put("k", "v" * 184, [1], msg_id=2),         # 186 bytes with its quotes: fits
    put("k", "w" * 185, [2], msg_id=3),         # one more: refused
    put("k", "\u00e9" * 31, [3], msg_id=4),     # 64 bytes of UTF-8 on the line, 188 escaped
    resolve("k", "x" * 185, [4], msg_id=5),     # the same for kv_resolve
    put("k", "y" * 184, [10], msg_id=6),        # fits with [1], not with [10]: refused
    put("k", "z" * 183, [11], msg_id=7),        # 3 + 185 + 4 = 192 bytes: fits, just
    get("k", msg_id=8),
], args="--max-line-bytes 400 --debug-no-replication")

fixture("lww-rules", [
    INIT,
    put("x", "w", [2, 1], msg_id=2),
    put("x", "w", [2, 1, 0], msg_id=3),      # the same version again: a retry
    put("x", "v", [1, 1], msg_id=4),         # descended by the stored clock: stale
    put("x", "v", [2, 1], msg_id=5),         # the stored clock, another value: stale
    put("x", "d", [3, 1], msg_id=6),         # dominates: replaces
    get("x", msg_id=7),
    resolve("x", "r", [3, 2], msg_id=8),     # resolved
    resolve("x", "old", [1, 0], msg_id=9),   # stale
    get("x", msg_id=10),
    get("never", msg_id=11),
], args=LWW)
fixture("lww-order-by-sum", [
    INIT,
    put("x", "a", [2, 1], msg_id=2),
    put("x", "b", [0, 4], msg_id=3),         # concurrent, sum 4 > 3: replaces
    put("x", "c", [3, 0], msg_id=4),         # concurrent with [0, 4], sum 3 < 4: superseded
    resolve("x", "r", [1, 2], msg_id=5),     # concurrent, sum 3 < 4: superseded too
    get("x", msg_id=6),
], args=LWW)
fixture("lww-order-by-clock", [
    INIT,
    put("x", "a", [1, 2], msg_id=2),
    put("x", "b", [2, 1], msg_id=3),         # equal sums; first entry 2 > 1: replaces
    put("x", "c", [0, 3], msg_id=4),         # equal sums; 0 < 2: superseded
    put("x", "d", [2, 0, 1], msg_id=5),      # equal sums; 2 = 2, then 0 < 1: superseded
    put("x", "e", [2, 1, 0, 0], msg_id=6),   # the stored clock padded: stale
    get("x", msg_id=7),
], args=LWW)
fixture("lww-order-by-value", [
    INIT2,
    put("x", "b", [1, 1], msg_id=2),
    sync([("x", "a", [1, 1])], msg_id=3),     # equal clocks: "a" < "b", b stays
    get("x", msg_id=4),
    sync([("x", "c", [1, 1, 0])], msg_id=5),  # "c" > "b": c replaces
    get("x", msg_id=6),
    sync([("x", {"b": 1, "a": 2}, [1, 1])], msg_id=7),   # {"a": 2, "b": 1} > "c" ('{' > '"')
    sync([("x", {"a": 2.0, "b": 1}, [1, 1])], msg_id=8),  # equal as JSON: the same version
    get("x", msg_id=9),
    sync([("x", {"a": 3}, [1, 1])], msg_id=10),           # {"a": 3} > {"a": 2, "b": 1}
    put("x", "z", [1, 1], msg_id=11),                      # a client's equal clock: stale
    get("x", msg_id=12),
], args=LWW_PEERS)
fixture("lww-huge-clock-sums", [
    INIT,
    # A sum of 2^64 + 1: wrapped to 64 bits it would be 1, and lose to a sum of 3.
    put("x", "big", [U64, 2], msg_id=2),
    put("x", "small", [0, 0, 3], msg_id=3),   # 3 < 2^64 + 1: superseded
    put("y", "small", [0, 0, 3], msg_id=4),
    put("y", "big", [U64, 2], msg_id=5),      # 2^64 + 1 > 3: replaces
    put("z", "max", [U64, U64, U64], msg_id=6),
    put("z", "less", [U64, U64 - 1, 0, U64], msg_id=7),  # sums 3(2^64-1) and 3(2^64-1)-1
    get("x", msg_id=8),
    get("y", msg_id=9),
    get("z", msg_id=10),
], args=LWW)
LWW_VERSIONS = [("k", "a", [2, 0]), ("k", "b", [0, 2]), ("k", "c", [1, 1]), ("k", "d", [1, 0]),
                ("j", "x", [0, 1]), ("j", "y", [1, 0]), ("j", "z", [0, 1])]
for name, order in (("lww-peer-merges-one-order", [0, 1, 2, 3, 4, 5, 6]),
                    ("lww-peer-merges-another-order", [6, 3, 5, 2, 4, 1, 0])):
    # The same versions in two orders: every replica keeps the same survivor (the gets agree).
    fixture(name, [INIT2] + [sync([LWW_VERSIONS[i]], msg_id=2 + n) for n, i in enumerate(order)]
            + [get("k", msg_id=20), get("j", msg_id=21)], args=LWW_PEERS)

# --- docs/protocol.md section 15: a restart on the same --data-dir (tests/golden.cmake gives
# @DATA_DIR@ a fresh directory and runs NAME.restart.in after NAME.in) -------------------------

fixture("data-dir-restart", [
    INIT,
    put("x", "a", [1], msg_id=2),
    put("x", "b", [0, 1], msg_id=3),
    env({"type": "kv_delete", "msg_id": 4, "key": "y", "clock": [3]}),
], args="--data-dir @DATA_DIR@ --fsync batch", restart=[
    get("x", msg_id=1),                        # a new process: not initialised, msg_id from 0
    INIT,
    get("x", msg_id=2),                        # both siblings, recovered
    get("y", msg_id=3),                        # the tombstone too
    put("x", "c", [1, 1], msg_id=4),
    get("x", msg_id=5),
])

# --- docs/protocol.md section 17: --clocks server (dotted version vectors) -------------------

SERVER = "--clocks server"
# A cluster in server mode needs a data directory with --fsync batch (section 17); the reference
# keeps it in memory, the C++ node gets a fresh directory per run (tests/golden.cmake).
SERVER_DATA = "--clocks server --data-dir @DATA_DIR@ --fsync batch"
SERVER_PEERS = SERVER_DATA + " --debug-no-replication"
NODES3 = ("n1", "n2", "n3")
INIT3 = init(node_ids=NODES3)


def dvv_update(key, value, context, msg_id, **kw):
    return env({"type": "dvv_update", "msg_id": msg_id, "key": key, "value": value,
                "context": context}, **kw)


def dvv_delete(key, context, msg_id, **kw):
    return env({"type": "dvv_delete", "msg_id": msg_id, "key": key, "context": context}, **kw)


def dvv_get(key, msg_id, **kw):
    return env({"type": "dvv_get", "msg_id": msg_id, "key": key}, **kw)


def dotted(key, value, clock, dot):
    """A version between server-mode nodes: positional clock (by init's node_ids), dot
    [node index, counter]."""
    return {"key": key, "value": value, "clock": clock, "dot": dot}


def dotted_tomb(key, clock, dot):
    return {"key": key, "clock": clock, "dot": dot, "deleted": True}


def dsync(versions, msg_id, src="n2"):
    return env({"type": "sync", "incarnation": INCARNATION, "msg_id": msg_id,
                "versions": versions}, src=src)


# Section 17's example, verbatim.
fixture("dvv-first-write", [
    INIT,
    dvv_update("x", "hello", {}, 2),
    dvv_get("x", 3),
    dvv_delete("x", {"n1": 1}, 4),
    dvv_get("x", 5),
], args=SERVER)
fixture("dvv-sequential-update", [
    INIT,
    dvv_update("x", "v1", {}, 2),
    dvv_get("x", 3),                           # context {"n1": 1}
    dvv_update("x", "v2", {"n1": 1}, 4),       # the context read: replaces v1, dot 2
    dvv_get("x", 5),
    dvv_update("x", "v3", {"n1": 2}, 6),
    dvv_get("x", 7),
    dvv_update("y", "a", {"n1": 5}, 8),        # m counts the context: dot 6
    dvv_update("y", "b", {"n1": 0}, 9),        # a zero entry is left out: {} covers nothing
    dvv_get("y", 10),
    dvv_update(1, "int", {}, 11),              # 1 and "1" are different keys
    dvv_get("1", 12),
    dvv_get(1, 13),
], args=SERVER)
fixture("dvv-concurrent-contexts", [
    INIT,
    dvv_update("x", "base", {}, 2),
    dvv_get("x", 3, src="c1"),
    dvv_get("x", 4, src="c2"),
    dvv_update("x", "from c1", {"n1": 1}, 5, src="c1"),   # replaces base: dot 2
    dvv_update("x", "from c2", {"n1": 1}, 6, src="c2"),   # does not cover dot 2: a sibling, dot 3
    dvv_get("x", 7, src="c3"),
    dvv_update("x", "merged", {"n1": 3}, 8, src="c3"),    # the join read: covers both
    dvv_get("x", 9),
], args=SERVER)
fixture("dvv-stale-context", [
    INIT,
    dvv_update("x", "v1", {}, 2),
    dvv_update("x", "v2", {"n1": 1}, 3),       # dot 2
    dvv_update("x", "v3", {"n1": 1}, 4),       # an old context: v2 stays as a sibling; dot 3
    dvv_get("x", 5),
    dvv_update("x", "v4", {"n1": 2}, 6),       # covers v2 only: v3 stays
    dvv_get("x", 7),
], args=SERVER)
fixture("dvv-blind-writes", [
    INIT,
    dvv_update("x", "a", {}, 2),
    dvv_update("x", "b", {}, 3),
    dvv_update("x", "a", {}, 4),               # the same value again: a new dot, a new sibling
    dvv_get("x", 5),
    dvv_update("x", "c", {"n1": 3}, 6),
    dvv_get("x", 7),
], args=SERVER)
fixture("dvv-sibling-limit", [
    INIT,
    dvv_update("x", "a", {}, 2),
    dvv_update("x", "b", {}, 3),
    dvv_update("x", "c", {}, 4),               # 3 versions: error 22, and no dot issued
    dvv_delete("x", {}, 5),                    # a tombstone counts as a sibling
    dvv_update("x", "c", {"n1": 1}, 6),        # covers a: dot 3
    dvv_get("x", 7),
], args="--clocks server --max-siblings 2")
fixture("dvv-delete", [
    INIT,
    dvv_get("never", 2),                       # no "deleted" without tombstones
    dvv_update("x", "a", {}, 3),
    dvv_update("x", "b", {}, 4),
    dvv_delete("x", {"n1": 1}, 5),             # covers a only: b stays beside the tombstone
    dvv_get("x", 6),
    dvv_delete("x", {"n1": 3}, 7),             # covers everything: one tombstone
    dvv_get("x", 8),
    dvv_delete("gone", {}, 9),                 # a key never written: a tombstone all the same
    dvv_get("gone", 10),
    dvv_delete("x", {}, 11),                   # a blind delete: a second tombstone
    dvv_get("x", 12),
], args=SERVER)
fixture("dvv-delete-then-update", [
    INIT,
    dvv_update("x", "a", {}, 2),
    dvv_delete("x", {"n1": 1}, 3),
    dvv_get("x", 4),
    dvv_update("x", "back", {"n1": 2}, 5),     # over the tombstone: it goes
    dvv_get("x", 6),
    dvv_delete("x", {"n1": 3}, 7),
    dvv_update("x", "blind", {}, 8),           # without the context: the tombstone stays
    dvv_get("x", 9),
], args=SERVER)

# Merges from a peer (section 17 in a cluster of 3; this node is n1, index 0). The same two
# versions of n2 and n3 arrive in either order: the gets agree as sets.
MERGE_X = dotted("k", "x", [1], [1, 1])        # n2's, having read n1's "mine": covers [n1, 1]
MERGE_Y = dotted("k", "y", [], [2, 1])         # n3's, blind: concurrent with both
MINE_COPY = dotted("k", "mine", [], [0, 1])    # n1's own version, back from a peer
for name, first, second in (("dvv-merge-one-order", MERGE_X, MERGE_Y),
                            ("dvv-merge-other-order", MERGE_Y, MERGE_X)):
    fixture(name, [
        INIT3,
        dvv_update("k", "mine", {}, 2),
        dsync([first], 3),
        dvv_get("k", 4),
        dsync([second], 5, src="n3" if second is MERGE_Y else "n2"),
        dvv_get("k", 6),
        dsync([MINE_COPY], 7),                 # covered by x's version vector: nothing changes
        dsync([MERGE_X, MERGE_Y], 8),          # the same dots and values again: nothing changes
        dvv_get("k", 9),
        dvv_update("k", "joined", {"n1": 1, "n2": 1, "n3": 1}, 10),
        dvv_get("k", 11),
    ], args=SERVER_PEERS)
fixture("dvv-merge-same-dot", [
    INIT3,
    dsync([dotted("k", "a", [], [1, 1])], 2),
    dsync([dotted("k", "b", [], [1, 1])], 3),  # the same dot, another value: both kept
    dsync([dotted("k", "a", [], [1, 1])], 4),  # the same dot and value: one
    dvv_get("k", 5),
    dsync([dotted("j", {"a": 1, "b": [2]}, [], [2, 3])], 6),
    dsync([dotted("j", {"b": [2.0], "a": 1}, [], [2, 3])], 7),   # equal as JSON: one
    dvv_get("j", 8),
    dsync([dotted_tomb("t", [], [1, 5]), dotted_tomb("t", [], [1, 5])], 9),  # tombstones: one
    dsync([dotted("t", None, [], [1, 5])], 10),  # null is not a tombstone: both kept
    dvv_get("t", 11),
    dvv_update("k", "resolved", {"n2": 1}, 12),  # covers both versions of dot [n2, 1]
    dvv_get("k", 13),
], args=SERVER_PEERS)
fixture("dvv-sync-tombstones", [
    INIT3,
    dvv_update("k", "v", {}, 2),               # [n1, 1]
    dsync([dotted_tomb("k", [1], [1, 1])], 3),   # n2 deleted what it read: covers [n1, 1]
    dvv_get("k", 4),
    dsync([dotted("k", "v", [], [0, 1])], 5),  # the deleted version, late: covered, dropped
    dsync([dotted_tomb("k", [1], [1, 1])], 6),   # the same tombstone: nothing changes
    dvv_get("k", 7),
    dvv_update("k", "again", {"n1": 1, "n2": 1}, 8),  # over the tombstone: dot [n1, 2]
    dvv_get("k", 9),
], args=SERVER_PEERS)
# m, the largest counter of n1 seen for the key: in a version vector, in n1's own dots.
fixture("dvv-dot-counter-sources", [
    INIT3,
    dsync([dotted("k", "far", [9], [1, 1])], 2),   # n2's version; its past holds n1's 9
    dvv_update("k", "mine", {}, 3),            # dot [n1, 10]
    dsync([dotted("j", "j4", [], [0, 4])], 4),     # a dot of n1's for key j, from a peer
    dvv_update("j", "j5", {}, 5),              # dot [n1, 5]
    dsync([dotted("h", "h7", [0, 0, 6], [1, 7])], 6),  # other nodes' counters do not count
    dvv_update("h", "h1", {}, 7),              # dot [n1, 1]
    dvv_get("k", 8),
    dvv_get("j", 9),
    dvv_get("h", 10),
], args=SERVER_PEERS)
DEEP = []
for _ in range(200):
    DEEP = [DEEP]   # 201 levels
fixture("dvv-context-errors", [
    INIT,
    env({"type": "dvv_update", "msg_id": 2, "key": "x", "value": "v"}),
    env({"type": "dvv_delete", "msg_id": 3, "key": "x"}),
    dvv_update("x", "v", [1], 4),
    dvv_update("x", "v", "n1", 5),
    dvv_update("x", "v", None, 6),
    dvv_update("x", "v", list(range(40)), 7),  # a long excerpt
    dvv_update("x", "v", {"n1": -1}, 8),
    dvv_update("x", "v", {"n1": 1.5}, 9),
    dvv_update("x", "v", {"n1": 1.0}, 10),
    dvv_update("x", "v", {"n1": True}, 11),
    dvv_update("x", "v", {"n1": "1"}, 12),
    dvv_update("x", "v", {"n1": None}, 13),
    dvv_update("x", "v", {"n1": 2**64}, 14),
    dvv_update("x", "v", {"n1": 10**30}, 15),
    dvv_update("x", "v", {"n9": 1}, 16),       # not a node of the cluster
    dvv_update("x", "v", {"n9": 0}, 17),       # refused with a zero too
    dvv_update("x", "v", {"n9": 1, "n1": -1}, 18),  # entries in order, counter then id
    dvv_update("x", "v", {"n1": -1, "n9": 1}, 19),
    dvv_update("x", "v", {"\u00e9": 1}, 20),   # the id as JSON writes it
    dvv_delete("x", {"n1": -2}, 21),
    dvv_delete("x", [], 22),
    # Checked in the order key, value, context.
    env({"type": "dvv_update", "msg_id": 23, "value": "v", "context": 5}),
    env({"type": "dvv_update", "msg_id": 24, "key": [1], "context": 5}),
    env({"type": "dvv_update", "msg_id": 25, "key": "x", "context": 5}),
    env({"type": "dvv_update", "msg_id": 26, "key": "x", "value": DEEP, "context": 5}),
    env({"type": "dvv_delete", "msg_id": 27, "context": 5}),
    env({"type": "dvv_delete", "msg_id": 28, "key": 1.5, "context": {}}),
    env({"type": "dvv_get", "msg_id": 29}),
    env({"type": "dvv_get", "msg_id": 30, "key": None}),
    # An id twice: the last one counts (as Python's json).
    '{"src": "c1", "dest": "n1", "body": {"type": "dvv_update", "msg_id": 31, "key": "x", '
    '"value": "dup", "context": {"n1": -1, "n1": 0}}}',
    '{"src": "c1", "dest": "n1", "body": {"type": "dvv_update", "msg_id": 32, "key": "x", '
    '"value": "dup2", "context": {"n1": 1, "n1": -1}}}',
    dvv_get("x", 33),                          # only msg 31 was written
], args=SERVER)
fixture("dvv-mode-errors-client", [
    dvv_update("x", "v", {}, 1),               # before init: error 11 as any request
    INIT,
    dvv_update("x", "v", {}, 2),
    dvv_get("x", 3),
    dvv_delete("x", {}, 4),
    env({"type": "dvv_update"}),               # no msg_id, no fields: still error 10
    env({"type": "dvv_frob", "msg_id": 5}),    # unknown: client mode's text
    put("x", "v", [1], msg_id=6),
    get("x", msg_id=7),
])
fixture("dvv-mode-errors-server", [
    put("x", "v", [1], msg_id=1),              # before init: error 11 as any request
    INIT,
    put("x", "v", [1], msg_id=2),
    get("x", msg_id=3),
    resolve("x", "v", [1], msg_id=4),
    env({"type": "kv_delete", "msg_id": 5, "key": "x", "clock": [1]}),
    env({"type": "kv_put"}),                   # no msg_id, no fields: still error 10
    env({"type": "read", "msg_id": 6}),        # unknown: server mode's text
    dsync([dotted("x", 1, [1], [0, 1])], 7, src="c1"),   # not a cluster member: error 10
    dvv_update("x", "v", {}, 8),
    dvv_get("x", 9),
], args=SERVER)
fixture("dvv-sync-dot-client-mode", [
    INIT2,
    dsync([dotted("x", 1, [1], [0, 1])], 2),   # a dot to a client-mode node: error 12
    dsync([{"key": "x", "value": 1, "clock": [1]}, dotted("y", 2, [1], [0, 1])], 3),
    get("x", msg_id=4),                        # nothing merged
    dsync([{"key": "x", "value": 1, "clock": [1]}], 5),
    get("x", msg_id=6),
], args="--clocks client --debug-no-replication")
fixture("dvv-sync-errors", [
    INIT3,
    dsync([{"key": "x", "value": 1, "clock": []}], 2),          # no dot
    dsync([{"key": "x", "clock": [], "deleted": True}], 3),     # a tombstone needs one too
    dsync([dotted("x", 1, [], "0,1")], 4),
    dsync([dotted("x", 1, [], None)], 5),
    dsync([dotted("x", 1, [], [1])], 6),
    dsync([dotted("x", 1, [], [1, 1, 1])], 7),
    dsync([dotted("x", 1, [], [-1, 1])], 8),
    dsync([dotted("x", 1, [], [3, 1])], 9),                     # 3 nodes: index 3 is none
    dsync([dotted("x", 1, [], [0, 0])], 10),                    # counter 0 is no dot
    dsync([dotted("x", 1, [], [0, -1])], 11),
    dsync([dotted("x", 1, [], [0, 2**64])], 12),
    dsync([dotted("x", 1, [], [0, 1.0])], 13),
    dsync([dotted("x", 1, [], [True, 1])], 14),
    dsync([dotted("x", 1, [], {"n1": 1})], 15),
    dsync([dotted("x", 1, [1, 2, 3, 0], [0, 1])], 16),          # a clock longer than the cluster
    dsync([dotted("x", 1, [1, -2], [0, 1])], 17),               # the clock's own errors first
    dsync([{"key": "x", "clock": [], "dot": 5}], 18),           # value before clock and dot
    dsync([{"key": "x", "value": 1, "dot": 5}], 19),            # clock before dot
    dsync([dotted("x", "ok", [], [1, 1]), dotted("x", 2, [], [1, 0])], 20),  # none merged
    dvv_get("x", 21),
    dsync([dotted("x", "max", [U64, 0, U64], [1, U64])], 22),   # the largest counter: accepted
    dvv_get("x", 23),
], args=SERVER_PEERS)
# Ids sorted by UTF-8 bytes: "n10" before "n2", and U+FF01 (EF BC 81) before U+1F600
# (F0 9F 98 80), which UTF-16 (and the \\u escapes as text) would put the other way round.
SORT_IDS = ("n2", "n10", "n1", "a\U0001F600", "a\uff01", "Z")
fixture("dvv-sort-order", [
    init(node_ids=SORT_IDS),
    dvv_update("x", "a", {"n2": 3, "n10": 1}, 2),
    dvv_get("x", 3),
    dsync([dotted("x", "b", [3, 1], [0, 4])], 4),        # dot ["n2", 4], {"n10": 1, "n2": 3}
    dsync([dotted("y", "c", [0, 0, 2, 1, 1, 1], [1, 7])], 5),
    dvv_get("x", 6),
    dvv_get("y", 7),
    dvv_update("y", "d", {"a\U0001F600": 5, "n2": 1, "a\uff01": 6, "n1": 0, "Z": 7, "n10": 8}, 8),
    dvv_get("y", 9),
], args=SERVER_PEERS)
fixture("dvv-counter-limit", [
    INIT,
    dvv_update("x", "last", {"n1": U64 - 1}, 2),   # dot [n1, 2^64-1]
    dvv_update("x", "more", {}, 3),            # no dot left: error 22
    dvv_delete("x", {"n1": U64}, 4),
    dvv_get("x", 5),
    dvv_update("y", "v", {"n1": U64}, 6),      # the context alone reaches it
    dvv_update(7, "v", {"n1": U64}, 7),
    dvv_update("y", "v", {"n1": U64 - 1}, 8),  # one below: fine
    dvv_get("y", 9),
    dvv_update("z", "fine", {}, 10),           # other keys: their own counters
], args=SERVER)
# The per-key record of issued counters is what stops reuse when nothing stored remembers n1's
# counter any more: n1's [n1, 1] is covered by n2's x ({"n1": 1}), x by n2's y, whose version
# vector ({"n2": 1}) names no n1. Without the record n1 would issue [n1, 1] again; the record
# outlives a restart too.
COVERED_ONCE = [dotted("k", "x", [1], [1, 1])]
COVERED_TWICE = [dotted("k", "y", [0, 1], [1, 2])]
fixture("dvv-counter-record", [
    INIT3,
    dvv_update("k", "first", {}, 2),           # [n1, 1]
    dsync(COVERED_ONCE, 3),
    dsync(COVERED_TWICE, 4),
    dvv_get("k", 5),                           # only y: its context names no n1
    dvv_update("k", "second", {}, 6),          # [n1, 2], not [n1, 1]
    dvv_update("j", "first", {}, 7),           # [n1, 1] of key j
    dsync([dotted("j", "x", [1], [1, 1])], 8),
    dsync([dotted("j", "y", [0, 1], [1, 2])], 9),
    dvv_get("j", 10),
], args=SERVER_PEERS, restart=[
    INIT3,
    dvv_get("j", 2),
    dvv_update("j", "after restart", {}, 3),   # [n1, 2]: the record survived the restart
    dvv_get("j", 4),
])
# A restart on the same data directory (tests/golden.cmake): dots go on from the recorded
# counters, never reissued.
fixture("dvv-restart", [
    INIT,
    dvv_update("x", "a", {}, 2),
    dvv_update("x", "b", {"n1": 1}, 3),
    dvv_update("y", "y1", {"n1": 7}, 4),
    dvv_get("x", 5),
], args=SERVER_DATA, restart=[
    dvv_get("x", 1),                           # a new process: not initialised
    INIT,
    dvv_get("x", 3),
    dvv_update("x", "c", {}, 4),               # dot [n1, 3]
    dvv_get("x", 5),
    dvv_update("y", "y2", {"n1": 8}, 6),       # dot [n1, 9]
    dvv_get("y", 7),
])
fixture("dvv-restart-after-delete", [
    INIT,
    dvv_update("x", "a", {}, 2),
    dvv_delete("x", {"n1": 1}, 3),
    dvv_get("x", 4),
], args=SERVER_DATA, restart=[
    INIT,
    dvv_get("x", 2),                           # the tombstone, recovered
    dvv_update("x", "b", {}, 3),               # dot [n1, 3]; the tombstone stays beside it
    dvv_get("x", 4),
    dvv_delete("x", {"n1": 3}, 5),
    dvv_get("x", 6),
])
# A cluster in server mode needs --data-dir with --fsync batch: the init is refused (22) and the
# node stays uninitialised (11).
CLUSTER_INIT = init(node_ids=("n1", "n2"))
for name, args in (("dvv-cluster-refused", SERVER),
                   ("dvv-cluster-refused-no-replication", SERVER + " --debug-no-replication"),
                   ("dvv-cluster-refused-fsync-interval",
                    "--clocks server --data-dir @DATA_DIR@ --fsync interval --debug-no-replication"),
                   ("dvv-cluster-refused-fsync-never",
                    "--clocks server --data-dir @DATA_DIR@ --fsync never")):
    fixture(name, [
        init(node_ids=("n2", "n3")),           # malformed (no node_id in node_ids): 12 first
        CLUSTER_INIT,
        dvv_get("x", 2),
        dvv_update("x", "v", {}, 3),
    ], args=args)


def main():
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, (data, args, restart) in FIX.items():
        (FIXTURES / f"{name}.in").write_bytes(data)
        restart_path = FIXTURES / f"{name}.restart.in"
        if restart is not None:
            restart_path.write_bytes(restart)
        elif restart_path.exists():
            restart_path.unlink()
        args_path = FIXTURES / f"{name}.args"
        if args:
            args_path.write_text(args + "\n")
        elif args_path.exists():
            args_path.unlink()
    print(f"{len(FIX)} fixture inputs in {FIXTURES}")


if __name__ == "__main__":
    main()
