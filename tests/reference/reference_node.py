#!/usr/bin/env python3
"""Reference (oracle) implementation of the vclock-kv wire protocol, single node.

Written from docs/protocol.md sections 1-10, 13, 16 and 17 (--clocks server: dvv_update,
dvv_get, dvv_delete), standard library only, one json.loads and one json.dumps per line. It
ignores section 11's outgoing traffic: a cluster of several node ids behaves like one node that
never talks to its peers (the C++ node's --debug-no-replication), merging the syncs it is sent.

Usage:
    python3 tests/reference/reference_node.py [--max-siblings N] [--max-clock-entries N]
        [--max-line-bytes N] [--conflict siblings|lww] [--clocks client|server]
        [--data-dir DIR] [--fsync batch|interval|never] [--batch-output] < input > output

The replica-only flags of the C++ node (--log-level, --sync-interval-ms, --sync-batch,
--debug-no-replication) are accepted and ignored, so one .args file serves both. --data-dir
is accepted but nothing is written there: serve()'s disk argument (check_fixtures.py) stands in
for the directory across a restart. --batch-output writes replies through a buffer flushed only
at the end (benchmark baseline); by default stdout is flushed after every input line.
"""

import argparse
import json
import re
import signal
import sys

MAX_VALUE_DEPTH = 200  # [] nests 1 level, a scalar 0
U64_MAX = 2**64 - 1

# Error codes (docs/protocol.md section 10).
NOT_SUPPORTED = 10
TEMPORARILY_UNAVAILABLE = 11
MALFORMED_REQUEST = 12
PRECONDITION_FAILED = 22

# The message types a client may send, in the order error 10's text lists them.
CLIENT_TYPES = ("kv_put", "kv_get", "kv_resolve", "init")
# --clocks server (section 17): the dvv types instead of the kv types.
SERVER_CLIENT_TYPES = ("dvv_update", "dvv_get", "dvv_delete", "init")
KV_TYPES = ("kv_put", "kv_get", "kv_resolve", "kv_delete")
DVV_TYPES = ("dvv_update", "dvv_get", "dvv_delete")

LWW_REFUSED = ("--clocks server cannot be combined with --conflict lww: last-writer-wins orders "
               "positional vector clocks (docs/protocol.md §13, §17)")
CLUSTER_REFUSED = ("init: --clocks server in a cluster needs --data-dir DIR with --fsync batch: "
                   "a restarted node must never issue a dot it issued before (docs/protocol.md §17)")

WHAT_NODE_ID = "a string"
WHAT_NODE_IDS = "a non-empty array of distinct strings"
WHAT_KEY = "a string or an integer"
WHAT_VALUE = "any JSON value"
WHAT_CLOCK = "an array of non-negative integers"
WHAT_CONTEXT = "an object of node ids to counters"
WHAT_DOT = "[node index, counter]"


class Tombstone:
    """Section 16: the value of a tombstone. It equals only itself (never null); in the lww
    order its text is the empty byte sequence."""

    def __repr__(self):
        return "TOMBSTONE"


TOMBSTONE = Tombstone()


def is_tomb(v):
    return v is TOMBSTONE


class RequestError(Exception):
    """A request that gets an error reply."""

    def __init__(self, code, text):
        super().__init__(text)
        self.code = code
        self.text = text


class Unparsable(Exception):
    """A line that cannot be answered at all."""


# ---------------------------------------------------------------------------------------------
# JSON helpers


def reject_constant(name):
    raise Unparsable(f"{name} is not JSON")


def parse_float(text):
    f = float(text)
    if f in (float("inf"), float("-inf")):
        raise Unparsable(f"number {text} overflows a double")
    return f


def loads(text):
    return json.loads(text, parse_constant=reject_constant, parse_float=parse_float)


def parse_line(text):
    """Strict JSON: no NaN/Infinity, no numbers that overflow a double, no lone surrogates."""
    try:
        doc = loads(text)
    except RecursionError:
        doc = parse_deep(text)
    if SURROGATE_ESCAPE.search(text):  # only an escape can make one (the text is valid UTF-8)
        check_no_lone_surrogates(doc)
    return doc


SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class TooDeep:
    """A container nested too deep for json.loads; it is validated but not kept."""


# JSON tokens for parse_deep: whitespace is only space, tab, CR and LF.
TOKEN = re.compile(
    r'[ \t\r\n]*(?:([\[{])|([\]}])|(,)|(:)|("(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*")'
    r"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)|(true|false|null))"
)
KEEP_DEPTH = 300  # containers below this depth become TooDeep (values may nest 200)


def parse_deep(text):
    """Iterative parser for lines json.loads cannot take (nesting beyond the recursion limit).
    Same results as loads() for everything kept; deeper containers become TooDeep (still
    checked to the end, as the C++ parser does)."""
    pos = 0
    stack = []  # frames: [container (list, dict or TooDeep), "[" or "{", pending key, expecting]
    result, done = None, False

    def add(value):
        nonlocal result, done
        if not stack:
            result, done = value, True
            return
        frame = stack[-1]
        if isinstance(frame[0], list):
            frame[0].append(value)
        elif isinstance(frame[0], dict):
            frame[0][frame[2]] = value
        frame[3] = "sep"

    def scalar(tok):
        value = loads(tok)
        check_no_lone_surrogates(value)
        return value

    while not done:
        m = TOKEN.match(text, pos)
        if not m:
            raise Unparsable(f"invalid JSON at offset {pos}")
        pos = m.end()
        opened, closed, comma, colon, string, number, literal = m.groups()
        kind = stack[-1][1] if stack else None
        expecting = stack[-1][3] if stack else "value"
        closes_frame = closed is not None and kind is not None and (closed == "]") == (kind == "[")
        if expecting == "first" and closes_frame:  # [] or {}
            add(stack.pop()[0])
        elif expecting == "sep":
            if closes_frame:
                add(stack.pop()[0])
            elif comma:
                stack[-1][3] = "value" if kind == "[" else "key"
            else:
                raise Unparsable(f"expected ',' or a close at offset {m.start()}")
        elif expecting == "colon":
            if not colon:
                raise Unparsable(f"expected ':' at offset {m.start()}")
            stack[-1][3] = "value"
        elif expecting == "key" or (expecting == "first" and kind == "{"):
            if not string:
                raise Unparsable(f"expected a key at offset {m.start()}")
            stack[-1][2] = scalar(string)
            stack[-1][3] = "colon"
        elif opened:  # expecting a value
            if len(stack) >= KEEP_DEPTH or (stack and isinstance(stack[-1][0], TooDeep)):
                container = TooDeep()
            else:
                container = [] if opened == "[" else {}
            stack.append([container, opened, None, "first"])
        elif string or number or literal:
            add(scalar(m.group(0)))
        else:
            raise Unparsable(f"expected a value at offset {m.start()}")
    if text[pos:].strip(" \t\r\n"):
        raise Unparsable(f"extra data at offset {pos}")
    return result


def check_no_lone_surrogates(doc):
    stack = [doc]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            strings = [v]
        elif isinstance(v, list):
            stack.extend(v)
            continue
        elif isinstance(v, dict):
            stack.extend(v.values())
            strings = list(v.keys())
        else:
            continue
        for s in strings:
            try:
                s.encode("utf-8")
            except UnicodeEncodeError:
                raise Unparsable("string with a lone surrogate") from None


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def dumps(v):
    return json.dumps(v, default=lambda o: None)  # only a TooDeep can reach default


def excerpt(v):
    """The "got X" part of an error text: json.dumps cut to 64 characters."""
    s = dumps(v)
    if len(s) > 64:
        s = s[:61] + "..."
    return s


def nesting_depth(v):
    """Arrays/objects nesting depth: [] is 1, a scalar 0 (iterative, no recursion limit)."""
    deepest = 0
    stack = [(v, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, TooDeep):
            return float("inf")
        if isinstance(item, list):
            children = item
        elif isinstance(item, dict):
            children = item.values()
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((c, depth + 1) for c in children)
    return deepest


def json_equal(a, b):
    """Equal as JSON: key order ignored, numbers by value (1 == 1.0), true is not 1. A
    tombstone equals only a tombstone."""
    if is_tomb(a) or is_tomb(b):
        return a is b
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b  # Python compares int and float exactly
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return False


# ---------------------------------------------------------------------------------------------
# Vector clocks (section 5)


def slot(clock, i):
    return clock[i] if i < len(clock) else 0


def descends(a, b):
    """Every slot of a >= the same slot of b, shorter clocks padded with zeros."""
    return all(slot(a, i) >= slot(b, i) for i in range(max(len(a), len(b))))


def clocks_equal(a, b):
    return descends(a, b) and descends(b, a)


def dominates(a, b):
    return descends(a, b) and not descends(b, a)


# ---------------------------------------------------------------------------------------------
# Field validation (sections 4-6): "<type>: <field> is missing; expected <what>" and
# "<type>: <field> must be <what>, got <excerpt>".


def missing(type_, field, what):
    return RequestError(MALFORMED_REQUEST, f"{type_}: {field} is missing; expected {what}")


def ill_typed(type_, field, what, got):
    return RequestError(MALFORMED_REQUEST, f"{type_}: {field} must be {what}, got {excerpt(got)}")


def read_key(type_, body):
    if "key" not in body:
        raise missing(type_, "key", WHAT_KEY)
    key = body["key"]
    if not (isinstance(key, str) or is_int(key)):
        raise ill_typed(type_, "key", WHAT_KEY, key)
    return key


def read_value(type_, body):
    if "value" not in body:
        raise missing(type_, "value", WHAT_VALUE)
    value = body["value"]
    if nesting_depth(value) > MAX_VALUE_DEPTH:
        raise RequestError(
            MALFORMED_REQUEST, f"{type_}: value nests deeper than {MAX_VALUE_DEPTH} levels"
        )
    return value


def read_clock(type_, body, max_entries):
    if "clock" not in body:
        raise missing(type_, "clock", WHAT_CLOCK)
    clock = body["clock"]
    if not isinstance(clock, list):
        raise ill_typed(type_, "clock", WHAT_CLOCK, clock)
    if len(clock) > max_entries:
        raise RequestError(
            MALFORMED_REQUEST,
            f"{type_}: clock has {len(clock)} entries, "
            f"more than --max-clock-entries ({max_entries})",
        )
    for i, n in enumerate(clock):
        if not is_int(n) or n < 0:
            raise ill_typed(type_, f"clock[{i}]", "a non-negative integer", n)
        if n > U64_MAX:
            raise ill_typed(type_, f"clock[{i}]", f"at most {U64_MAX}", n)
    return clock


def read_context(type_, body, node_ids):
    """Section 17: a context, an object of node ids (of this cluster) to counters 0..2^64-1,
    returned without its zero entries. A repeated id counts once, with its last value (Python's
    json), at the place it first appeared; each entry is checked in that order, its counter
    before its id."""
    if "context" not in body:
        raise missing(type_, "context", WHAT_CONTEXT)
    context = body["context"]
    if not isinstance(context, dict):
        raise ill_typed(type_, "context", WHAT_CONTEXT, context)
    counters = {}
    for node, n in context.items():
        field = f"context[{dumps(node)}]"
        if not is_int(n) or n < 0:
            raise ill_typed(type_, field, "a non-negative integer", n)
        if n > U64_MAX:
            raise ill_typed(type_, field, f"at most {U64_MAX}", n)
        if node not in node_ids:
            raise RequestError(
                MALFORMED_REQUEST,
                f"{type_}: context names {dumps(node)}, which is not a node of this cluster",
            )
        if n:
            counters[node] = n
    return counters


def read_dot(where, item, node_count):
    """A sync version's dot (--clocks server): [node index, counter], the index into init's
    node_ids, the counter 1..2^64-1."""
    if "dot" not in item:
        raise missing(where, "dot", WHAT_DOT)
    dot = item["dot"]
    if not (isinstance(dot, list) and len(dot) == 2 and all(is_int(x) for x in dot)
            and 0 <= dot[0] < node_count and 1 <= dot[1] <= U64_MAX):
        raise ill_typed(where, "dot", WHAT_DOT, dot)
    return dot[0], dot[1]


def utf8_sorted(counters):
    """A version vector or context as the node writes it: keys in UTF-8 byte order."""
    return {k: counters[k] for k in sorted(counters, key=lambda k: k.encode("utf-8"))}


def covers(counters, dot):
    """Whether a version vector / context covers a dot (node id, counter)."""
    return counters.get(dot[0], 0) >= dot[1]


def read_incarnation(type_, body):
    """A node-to-node request's incarnation (section 11): an integer 0..2^64-1, required."""
    what = "a non-negative integer"
    if "incarnation" not in body:
        raise missing(type_, "incarnation", what)
    n = body["incarnation"]
    if not is_int(n) or not 0 <= n <= U64_MAX:
        raise ill_typed(type_, "incarnation", what, n)
    return n


# Node-to-node message types: an error answering one echoes the incarnation it carried.
NODE_TO_NODE_TYPES = ("sync", "fetch", "tree", "tree_keys")

M64 = U64_MAX


def mix64(x):
    """splitmix64's finaliser."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & M64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & M64
    return x ^ (x >> 31)


def stable_hash(data, seed):
    """The C++ node's stable_hash: 8-byte little-endian words, then the tail, through mix64."""
    h = mix64(seed ^ ((len(data) * 0x9E3779B97F4A7C15) & M64))
    whole = len(data) - len(data) % 8
    for i in range(0, whole, 8):
        h = mix64(h ^ int.from_bytes(data[i:i + 8], "little"))
    tail = int.from_bytes(data[whole:], "little")
    return mix64(h ^ tail ^ 0xFF)


def sync_digest(versions):
    """Section 11: what a sync_ok restates of the sync, over its (key, clock, dot) triples in
    order; a dot [i, n] (--clocks server, else None) adds two steps after the clock's length."""
    d = 0
    for key, clock, dot in versions:
        d = mix64(d ^ stable_hash(dumps(key).encode(), 5))
        for entry in clock:
            d = mix64(d ^ entry)
        d = mix64(d ^ len(clock))
        if dot is not None:
            d = mix64(d ^ dot[0])
            d = mix64(d ^ dot[1])
    return d


def read_init(body):
    if "node_id" not in body:
        raise missing("init", "node_id", WHAT_NODE_ID)
    node_id = body["node_id"]
    if not isinstance(node_id, str):
        raise ill_typed("init", "node_id", WHAT_NODE_ID, node_id)
    if "node_ids" not in body:
        raise missing("init", "node_ids", WHAT_NODE_IDS)
    node_ids = body["node_ids"]
    if not isinstance(node_ids, list) or not node_ids:
        raise ill_typed("init", "node_ids", WHAT_NODE_IDS, node_ids)
    for i, n in enumerate(node_ids):
        if not isinstance(n, str):
            raise ill_typed("init", f"node_ids[{i}]", "a string", n)
        if n in node_ids[:i]:
            raise RequestError(MALFORMED_REQUEST, f"init: node_ids has {dumps(n)} more than once")
    if node_id not in node_ids:
        raise RequestError(
            MALFORMED_REQUEST, f"init: node_ids must contain node_id {dumps(node_id)}"
        )
    return node_id, list(node_ids)


# ---------------------------------------------------------------------------------------------
# The node


def sum_of(clock):
    return sum(clock)


def padded(clock, n):
    return list(clock) + [0] * (n - len(clock))


def lww_later(a, b):
    """Section 13: whether version a = (value, clock) comes after b in the last-writer-wins
    order: the larger clock sum, then the zero-padded clocks entry by entry, then the values'
    canonical text (json.dumps with sorted keys) compared as bytes."""
    (va, ca), (vb, cb) = a, b
    if sum_of(ca) != sum_of(cb):
        return sum_of(ca) > sum_of(cb)
    n = max(len(ca), len(cb))
    if padded(ca, n) != padded(cb, n):
        return padded(ca, n) > padded(cb, n)
    return lww_text(va) > lww_text(vb)


def lww_text(v):
    """A value's canonical text for the lww order; a tombstone's is the empty byte sequence."""
    return b"" if is_tomb(v) else json.dumps(v, sort_keys=True).encode()


class Node:
    def __init__(self, max_siblings, max_clock_entries, out, conflict="siblings", replicate=True,
                 max_line_bytes=16 << 20, clocks="client", data_dir=None, fsync="batch",
                 disk=None):
        self.max_siblings = max_siblings
        self.max_line_bytes = max_line_bytes
        self.max_clock_entries = max_clock_entries
        self.conflict = conflict
        # Incoming syncs are merged (section 11) only when the node sends none of its own:
        # outgoing replication is not modelled here.
        self.replicate = replicate
        self.out = out
        self.node_id = None  # None until init
        self.node_ids = []
        self.next_msg_id = 0
        # Key -> sibling list, oldest first. Keys are (kind, value) so that 1 and "1" differ.
        # A sibling is (value, clock) with client clocks, (value, dot, version vector) with
        # server clocks: dot (node id, counter), version vector {node id: counter}, no zeros.
        self.store = {}
        # --clocks server: key -> the largest dot counter this node issued for it (section 17).
        self.clocks = clocks
        self.counters = {}
        # --data-dir: the reference keeps its "disk" in memory: disk maps a node id to the
        # store and counters a node of that id left, so that a second Node given the same disk
        # (a restart) starts from them. None: nothing outlives this Node.
        self.data_dir = data_dir
        self.fsync = fsync
        self.disk = disk

    # -- output --------------------------------------------------------------------------------

    def send(self, src, dest, body):
        body["msg_id"] = self.next_msg_id  # msg_id is always the last body field
        self.next_msg_id += 1
        self.out.write(dumps({"src": src, "dest": dest, "body": body}) + "\n")

    def reply(self, src, req, msg_id, type_, **fields):
        body = {"type": type_}
        if msg_id is not None:
            body["in_reply_to"] = msg_id
        body.update(fields)
        self.send(src, req["src"], body)

    def reply_error(self, src, req, msg_id, err, incarnation=None):
        if incarnation is None:
            self.reply(src, req, msg_id, "error", code=err.code, text=err.text)
        else:
            self.reply(src, req, msg_id, "error", incarnation=incarnation, code=err.code,
                       text=err.text)

    @staticmethod
    def log(line_number, text):
        print(f"line {line_number}: {text}", file=sys.stderr)

    # -- one input line -----------------------------------------------------------------------

    def handle_line(self, text, line_number):
        try:
            req = parse_line(text)
        except (ValueError, Unparsable, RecursionError) as e:
            self.log(line_number, f"not a JSON object; skipped ({e})")
            return
        if not isinstance(req, dict):
            self.log(line_number, "not a JSON object; skipped")
            return
        if not isinstance(req.get("src"), str):
            self.log(line_number, 'no string "src"; skipped')
            return

        body = req.get("body")
        msg_id = None
        if isinstance(body, dict) and is_int(body.get("msg_id")):
            msg_id = body["msg_id"]
        # An error answering a node-to-node request echoes its incarnation (section 11), when
        # the request is well-formed enough to have a known type (not a reply, msg_id fine).
        echo = None
        if (isinstance(body, dict) and "in_reply_to" not in body
                and body.get("type") in NODE_TO_NODE_TYPES
                and ("msg_id" not in body or msg_id is not None)
                and is_int(body.get("incarnation")) and 0 <= body["incarnation"] <= U64_MAX):
            echo = body["incarnation"]

        dest = req.get("dest")
        # Before init the node answers as whatever the request called it.
        if self.node_id is not None:
            me = self.node_id
        else:
            me = dest if isinstance(dest, str) else ""
        try:
            if "dest" not in req:
                raise RequestError(MALFORMED_REQUEST, "dest is missing; expected a string")
            if not isinstance(dest, str):
                raise RequestError(MALFORMED_REQUEST, f"dest must be a string, got {excerpt(dest)}")
            if self.node_id is not None and dest != self.node_id:
                self.log(line_number, f"dest {dumps(dest)} is not this node; dropped")
                return
            if "body" not in req:
                raise RequestError(MALFORMED_REQUEST, "body is missing; expected an object")
            if not isinstance(body, dict):
                raise RequestError(MALFORMED_REQUEST, f"body must be an object, got {excerpt(body)}")
            if "in_reply_to" in body:
                return  # a reply: this node awaits none
            if "type" not in body:
                raise RequestError(MALFORMED_REQUEST, "type is missing; expected a string")
            type_ = body["type"]
            if not isinstance(type_, str):
                raise RequestError(MALFORMED_REQUEST, f"type must be a string, got {excerpt(type_)}")
            if "msg_id" in body and msg_id is None:
                raise ill_typed(type_, "msg_id", "an integer", body["msg_id"])
            if self.node_id is None and type_ != "init":
                raise RequestError(
                    TEMPORARILY_UNAVAILABLE, f"{type_}: node is not initialised; send init first"
                )
            self.dispatch(type_, req, body, msg_id)
        except RequestError as err:
            self.reply_error(me, req, msg_id, err, echo)

    def dispatch(self, type_, req, body, msg_id):
        server = self.clocks == "server"
        if type_ in KV_TYPES and server:
            raise RequestError(
                NOT_SUPPORTED,
                f"{type_}: needs --clocks client; this node assigns clocks itself "
                "(--clocks server): use " + ", ".join(DVV_TYPES),
            )
        if type_ in DVV_TYPES and not server:
            raise RequestError(
                NOT_SUPPORTED,
                f"{type_}: needs --clocks server; this node takes client clocks: use "
                + ", ".join(KV_TYPES),
            )
        if type_ == "init":
            self.handle_init(req, body, msg_id)
        elif type_ in ("dvv_update", "dvv_delete"):
            # Section 17: checked in the order key, value (dvv_update only), context.
            key = read_key(type_, body)
            value = read_value(type_, body) if type_ == "dvv_update" else TOMBSTONE
            context = read_context(type_, body, self.node_ids)
            self.handle_dvv_write(type_, req, msg_id, key, value, context)
        elif type_ == "dvv_get":
            self.handle_dvv_get(req, msg_id, read_key(type_, body))
        elif type_ in ("kv_put", "kv_resolve"):
            key = read_key(type_, body)
            value = read_value(type_, body)
            clock = read_clock(type_, body, self.max_clock_entries)
            self.handle_write(type_, req, msg_id, key, value, clock)
        elif type_ == "kv_delete":
            # Section 16: a tombstone, by the rules of kv_put.
            key = read_key(type_, body)
            clock = read_clock(type_, body, self.max_clock_entries)
            self.handle_write(type_, req, msg_id, key, TOMBSTONE, clock)
        elif type_ == "kv_get":
            key = read_key(type_, body)
            siblings = self.store.get(store_key(key), [])
            values = [{"value": v, "clock": c} for v, c in siblings if not is_tomb(v)]
            deleted = [c for v, c in siblings if is_tomb(v)]
            if deleted:
                self.reply(self.node_id, req, msg_id, "kv_get_ok", values=values, deleted=deleted)
            else:
                self.reply(self.node_id, req, msg_id, "kv_get_ok", values=values)
        elif type_ == "sync":
            # Replication (docs/protocol.md section 11) is not modelled here; like the C++ node, a sync from
            # anyone but another cluster member is refused before its fields are looked at.
            src = req["src"]
            if src == self.node_id or src not in self.node_ids:
                raise RequestError(
                    NOT_SUPPORTED,
                    "sync: only accepted from other nodes of the cluster, not " + json.dumps(src),
                )
            if self.replicate:
                raise RequestError(NOT_SUPPORTED, "sync: replication is not modelled by the reference")
            self.handle_sync(req, body, msg_id)
        else:
            raise RequestError(
                NOT_SUPPORTED,
                f"{type_}: unsupported message type; a client may send one of "
                + ", ".join(SERVER_CLIENT_TYPES if server else CLIENT_TYPES),
            )

    def handle_init(self, req, body, msg_id):
        node_id, node_ids = read_init(body)
        if self.node_id is None:
            if (self.clocks == "server" and len(node_ids) > 1
                    and (self.data_dir is None or self.fsync != "batch")):
                print(CLUSTER_REFUSED, file=sys.stderr)
                raise RequestError(PRECONDITION_FAILED, CLUSTER_REFUSED)
            self.node_id, self.node_ids = node_id, node_ids
            if self.data_dir is not None and self.disk is not None:
                # Recovered from the data directory (section 15): what the last process left.
                state = self.disk.setdefault(node_id, {"store": {}, "counters": {}})
                self.store, self.counters = state["store"], state["counters"]
        elif node_id != self.node_id or set(node_ids) != set(self.node_ids):
            listed = ", ".join(dumps(n) for n in self.node_ids)
            raise RequestError(
                PRECONDITION_FAILED,
                f"init: already initialised as {dumps(self.node_id)} in [{listed}]",
            )
        self.reply(self.node_id, req, msg_id, "init_ok")

    def handle_sync(self, req, body, msg_id):
        """Section 11: another node's versions, merged; the acknowledgement echoes the
        sender's incarnation and restates what it acknowledges."""
        incarnation = read_incarnation("sync", body)
        versions = body.get("versions")
        what = "an array of [key, value, clock] arrays or {key, ...} objects"
        if "versions" not in body:
            raise missing("sync", "versions", what)
        if not isinstance(versions, list):
            raise ill_typed("sync", "versions", what, versions)
        read = []
        for i, item in enumerate(versions):
            if isinstance(item, list) and len(item) == 3:
                # A plain version as nodes write one: [key, value, clock].
                item = {"key": item[0], "value": item[1], "clock": item[2]}
            elif not isinstance(item, dict):
                raise ill_typed("sync", f"versions[{i}]", "[key, value, clock] or an object", item)
            where = f"sync: versions[{i}]"
            key = read_key(where, item)
            if "deleted" in item and not isinstance(item["deleted"], bool):
                raise ill_typed(where, "deleted", "true (a tombstone) or false", item["deleted"])
            value = TOMBSTONE if item.get("deleted") is True else read_value(where, item)
            clock = read_clock(where, item, self.max_clock_entries)
            dot = None
            if self.clocks == "server":
                if len(clock) > len(self.node_ids):
                    raise RequestError(
                        MALFORMED_REQUEST,
                        f"{where}: clock has {len(clock)} entries, more than the "
                        f"{len(self.node_ids)} nodes of the cluster",
                    )
                dot = read_dot(where, item, len(self.node_ids))
            elif "dot" in item:
                raise RequestError(
                    MALFORMED_REQUEST, f"{where}: dot is not accepted with --clocks client"
                )
            read.append((key, value, clock, dot))
        for key, value, clock, dot in read:
            if dot is None:
                self.merge(key, value, clock)
            else:
                vv = {self.node_ids[j]: n for j, n in enumerate(clock) if n}
                self.merge_dotted(key, value, (self.node_ids[dot[0]], dot[1]), vv)
        digested = [(key, clock, dot) for key, _, clock, dot in read]
        self.reply(self.node_id, req, msg_id, "sync_ok", incarnation=incarnation,
                   versions=len(read), digest=sync_digest(digested))

    def merge(self, key, value, clock):
        siblings = self.store.get(store_key(key), [])
        if any(clocks_equal(c, clock) and json_equal(v, value) for v, c in siblings):
            return  # identical: kept once
        if any(dominates(c, clock) for _, c in siblings):
            return  # dominated: dropped
        if self.conflict == "lww":
            if siblings and not dominates(clock, siblings[0][1]) and not lww_later(
                (value, clock), siblings[0]
            ):
                return  # the stored version comes later in the order
            self.store[store_key(key)] = [(value, clock)]
            return
        # Equal clocks with different values are both kept.
        kept = [(v, c) for v, c in siblings if not dominates(clock, c)]
        kept.append((value, clock))
        self.store[store_key(key)] = kept

    def merge_dotted(self, key, value, dot, vv):
        """Section 17's merge of a dotted version arriving from a peer (the rule in
        docs/protocol.md section 17): the same dot and an equal value is the same version; a dot
        a stored version vector covers is already superseded; otherwise the versions whose dot
        the arriving version vector covers go and the arriving version is appended."""
        siblings = self.store.get(store_key(key), [])
        if any(d == dot and json_equal(v, value) for v, d, _ in siblings):
            return
        if any(covers(w, dot) for _, _, w in siblings):
            return
        if any(d == dot for _, d, _ in siblings):
            print(f"error: key {dumps(key)}: dot [{dumps(dot[0])}, {dot[1]}] arrived with another "
                  "value than the one stored; both are kept", file=sys.stderr)
        kept = [s for s in siblings if not covers(vv, s[1])]
        kept.append((value, dot, vv))
        self.store[store_key(key)] = kept

    def handle_dvv_write(self, type_, req, msg_id, key, value, context):
        """Section 17: dvv_update (a value) and dvv_delete (a tombstone) with context C at this
        node r: the versions C covers go, the new version gets the dot [r, m + 1]."""
        r = self.node_id
        siblings = self.store.get(store_key(key), [])
        m = max([self.counters.get(store_key(key), 0), context.get(r, 0)]
                + [d[1] for _, d, _ in siblings if d[0] == r]
                + [w.get(r, 0) for _, _, w in siblings])
        if m == U64_MAX:
            raise RequestError(
                PRECONDITION_FAILED,
                f"{type_}: no dot left for key {dumps(key)} at {r} (its counter is {U64_MAX})",
            )
        dot = (r, m + 1)
        kept = [s for s in siblings if not covers(context, s[1])]
        kept.append((value, dot, context))
        if len(kept) > self.max_siblings:
            raise RequestError(
                PRECONDITION_FAILED,
                f"{type_}: key {dumps(key)} would have {len(kept)} siblings, "
                f"more than --max-siblings ({self.max_siblings})",
            )
        self.counters[store_key(key)] = m + 1
        self.store[store_key(key)] = kept
        self.reply(self.node_id, req, msg_id, f"{type_}_ok", dot=list(dot),
                   version_vector=utf8_sorted(context))

    def handle_dvv_get(self, req, msg_id, key):
        siblings = self.store.get(store_key(key), [])
        values = [{"value": v, "dot": list(d), "version_vector": utf8_sorted(w)}
                  for v, d, w in siblings if not is_tomb(v)]
        deleted = [{"dot": list(d), "version_vector": utf8_sorted(w)}
                   for v, d, w in siblings if is_tomb(v)]
        join = {}
        for _, d, w in siblings:
            for node, n in [d, *w.items()]:
                join[node] = max(join.get(node, 0), n)
        fields = {"values": values}
        if deleted:
            fields["deleted"] = deleted
        fields["context"] = utf8_sorted(join)
        self.reply(self.node_id, req, msg_id, "dvv_get_ok", **fields)

    def handle_write(self, type_, req, msg_id, key, value, clock):
        """Section 7 (kv_put) and section 9 (kv_resolve); section 13 in lww mode."""
        if len(self.node_ids) > 1:
            self.check_carriable(type_, key, value, clock)
        if self.conflict == "lww":
            self.handle_lww_write(type_, req, msg_id, key, value, clock)
            return
        siblings = self.store.get(store_key(key), [])
        duplicate = any(
            clocks_equal(c, clock) and json_equal(v, value) for v, c in siblings
        )
        if not duplicate:
            if any(descends(c, clock) for _, c in siblings):
                self.reply(self.node_id, req, msg_id, f"{type_}_ok", status="stale")
                return
            kept = [(v, c) for v, c in siblings if not dominates(clock, c)]
            kept.append((value, clock))
            if len(kept) > self.max_siblings:
                raise RequestError(
                    PRECONDITION_FAILED,
                    f"{type_}: key {dumps(key)} would have {len(kept)} siblings, "
                    f"more than --max-siblings ({self.max_siblings})",
                )
            self.store[store_key(key)] = siblings = kept
        if type_ == "kv_delete" and all(is_tomb(v) for v, _ in siblings):
            self.reply(self.node_id, req, msg_id, f"{type_}_ok", status="deleted")
        elif len(siblings) == 1 and type_ != "kv_delete":
            status = "resolved" if type_ == "kv_resolve" else "written"
            self.reply(self.node_id, req, msg_id, f"{type_}_ok", status=status)
        else:
            self.reply(
                self.node_id, req, msg_id, f"{type_}_ok", status="conflict", siblings=len(siblings)
            )


    def check_carriable(self, type_, key, value, clock):
        """Section 7: in a cluster a client's version must fit, alone, in the longest line it
        would travel in between nodes (a fetch_ok), with the longest node id at both ends and
        20-digit numbers; else error 22."""
        longest = max(self.node_ids, key=lambda i: len(dumps(i)))
        fetch_ok = dumps({"src": longest, "dest": longest, "body": {
            "type": "fetch_ok", "in_reply_to": U64_MAX, "incarnation": U64_MAX, "key": 0,
            "values": [{"value": 0, "clock": []}], "msg_id": U64_MAX}})
        envelope = len(fetch_ok) - 4  # less the key 0, the value 0 and the clock []
        if is_tomb(value):
            envelope += 6  # {"clock": C, "deleted": true} against {"value": , "clock": C}
        taken = len(dumps(key)) + (0 if is_tomb(value) else len(dumps(value))) + len(dumps(clock))
        if taken + envelope > self.max_line_bytes:
            room = max(0, self.max_line_bytes - envelope)
            raise RequestError(
                PRECONDITION_FAILED,
                f"{type_}: key, value and clock take {taken} bytes as json.dumps writes them "
                "(a non-ASCII character as a 6-byte \\uXXXX escape), more than the "
                f"{room} that fit in a message to the other nodes (--max-line-bytes "
                f"{self.max_line_bytes}): it could never reach them")

    def handle_lww_write(self, type_, req, msg_id, key, value, clock):
        stored = self.store.get(store_key(key), [])  # at most one version
        written = {"kv_resolve": "resolved", "kv_delete": "deleted"}.get(type_, "written")
        if any(clocks_equal(c, clock) and json_equal(v, value) for v, c in stored):
            self.reply(self.node_id, req, msg_id, f"{type_}_ok", status=written)  # a retry
            return
        if any(descends(c, clock) for _, c in stored):
            self.reply(self.node_id, req, msg_id, f"{type_}_ok", status="stale")
            return
        if stored and not dominates(clock, stored[0][1]) and not lww_later((value, clock), stored[0]):
            self.reply(self.node_id, req, msg_id, f"{type_}_ok", status="superseded")
            return
        self.store[store_key(key)] = [(value, clock)]
        self.reply(self.node_id, req, msg_id, f"{type_}_ok", status=written)


def store_key(key):
    return ("s", key) if isinstance(key, str) else ("i", key)


# ---------------------------------------------------------------------------------------------
# Main loop (section 1)


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-siblings", type=int, default=100)
    ap.add_argument("--max-clock-entries", type=int, default=1024)
    ap.add_argument("--max-line-bytes", type=int, default=16 << 20)
    ap.add_argument("--batch-output", action="store_true")
    # Accepted for the C++ node's command lines; replication is out of scope here.
    ap.add_argument("--log-level", default="info")
    ap.add_argument("--sync-interval-ms", type=int, default=100)
    ap.add_argument("--sync-batch", type=int, default=64)
    ap.add_argument("--debug-no-replication", action="store_true")
    ap.add_argument("--conflict", choices=("siblings", "lww"), default="siblings")
    ap.add_argument("--clocks", choices=("client", "server"), default="client")
    # --data-dir: the reference keeps its state in memory (serve's disk argument stands in for
    # the directory); --fsync decides only whether --clocks server may run a cluster.
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--fsync", choices=("batch", "interval", "never"), default="batch")
    args = ap.parse_args(argv)
    if args.clocks == "server" and args.conflict == "lww":
        print(LWW_REFUSED, file=sys.stderr)
        raise SystemExit(108)  # as the binary: CLI11's ExcludesError
    return args


def serve(args, lines, out, disk=None):
    """Handles each line of lines (bytes, newline-terminated but maybe the last), writing
    replies to out (text) and logs to sys.stderr. disk: with --data-dir, the in-memory data
    directory (a dict) a previous serve() left and the next one starts from (a restart)."""
    sys.set_int_max_str_digits(0)  # values may hold integers of any size
    node = Node(args.max_siblings, args.max_clock_entries, out, args.conflict,
                not args.debug_no_replication, args.max_line_bytes, args.clocks, args.data_dir,
                args.fsync, disk)
    for line_number, raw in enumerate(lines, start=1):
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if len(raw) > args.max_line_bytes:
            node.log(line_number, f"longer than --max-line-bytes ({len(raw)} bytes); skipped")
            continue
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip(b" \t\r\n"):
            continue  # blank line
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            node.log(line_number, "not a JSON object; skipped (invalid UTF-8)")
            continue
        node.handle_line(text, line_number)
        if not args.batch_output:
            out.flush()


def main(argv=None):
    args = parse_args(argv)

    def stop(signo, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)  # SIGTERM/SIGINT: flush and exit 0
    out = open(sys.stdout.fileno(), "w", encoding="ascii", buffering=1 << 16, closefd=False)
    try:
        serve(args, sys.stdin.buffer, out)
    except KeyboardInterrupt:
        pass
    finally:
        try:
            out.flush()
        except BrokenPipeError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
