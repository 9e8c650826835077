#!/usr/bin/env python3
"""ctest checks of the built vckv-harness: its runs, files, browser rendering, serve and repl.

Each subcommand is one ctest. Exit 0: passed; 77: skipped (chromium is not installed: the output
says "skipped: needs chromium"); anything else: failed, with the reason on stderr. Without
gnuplot the plots are not drawn, and the run checks leave them out (saying "skipped: needs
gnuplot-nox").
"""
import argparse
import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
import zlib

SKIP = 77
RUN_FILES = ["results.json", "history.jsonl", "history.txt", "net.jsonl", "final-state.json", "explain.txt",
             "messages.svg", "timeline.html", "node-logs/n1.log"]
PLOT_FILES = ["latency-raw.png", "latency-quantiles.png", "rate.png", "siblings.png", "network.png",
              "plots.gnuplot"]


def fail(message):
    print("FAILED: " + message, file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def run(cmd, expect=None, stdin=None, timeout=120):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    sys.stdout.write(p.stdout[-4000:])
    sys.stderr.write(p.stderr[-4000:])
    if expect is not None:
        check(p.returncode in expect, "%s exited %d, expected %s" % (cmd[0], p.returncode, expect))
    return p


# ---- PNG: decode enough to count colours (8-bit RGB or RGBA, as Chromium writes them) ----

def png_pixels(path):
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", path + " is not a PNG")
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            check(depth == 8 and colour in (2, 6), "%s: unsupported PNG (depth %d, colour %d)" % (path, depth, colour))
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def colour_counts(path, colours):
    """Pixels of exactly each colour ('#rrggbb'): one decode, counted row by row."""
    width, height, bpp, rows = png_pixels(path)
    counts = {}
    for c in colours:
        pattern = bytes(hex_rgb(c)) + (b"\xff" if bpp == 4 else b"")
        counts[c] = sum(row.count(pattern) for row in rows)
    return counts


def hex_rgb(h):
    return tuple(int(h[i:i + 2], 16) for i in (1, 3, 5))


# ---- Chromium ----

def chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    return None


def browse(url, screenshot=None, dump_dom=False, size="1400,1000", files=False):
    exe = chromium()
    profile = tempfile.mkdtemp(prefix="vckv-chromium-")
    cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--user-data-dir=" + profile, "--window-size=" + size, "--virtual-time-budget=5000"]
    if files:
        cmd.append("--allow-file-access-from-files")  # a page of ours reading the SVG in its iframe
    cmd += ["--screenshot=" + screenshot] if screenshot else ["--dump-dom"]
    cmd.append(url)
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if screenshot:
        check(os.path.exists(screenshot), "chromium made no screenshot of %s: %s" % (url, p.stderr[-2000:]))
    return p.stdout


def need_chromium():
    if not chromium():
        print("skipped: needs chromium (apt-get install chromium; .ci/run installs it)")
        sys.exit(SKIP)


# ---- checks ----

def check_run_files(store):
    d = os.path.join(store, "latest")
    check(os.path.isdir(d), "no %s/latest" % store)
    have_gnuplot = shutil.which("gnuplot") is not None
    for f in RUN_FILES + (PLOT_FILES if have_gnuplot else []):
        check(os.path.exists(os.path.join(d, f)), "the run did not write " + f)
    if not have_gnuplot:
        print("plots: skipped: needs gnuplot-nox (apt-get install gnuplot-nox)")
    check(os.path.islink(d), store + "/latest is not a link")
    parts = os.path.realpath(d).split(os.sep)
    check(re.fullmatch(r"\d{8}T\d{6}(-\d+)?", parts[-1]) is not None, "run directory is not <test>/<time>: " + d)
    results = json.load(open(os.path.join(d, "results.json")))
    # The SVG is XML.
    root = ET.parse(os.path.join(d, "messages.svg")).getroot()
    check(root.tag == "{http://www.w3.org/2000/svg}svg", "messages.svg is not an SVG document")
    arrows = [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "m"]
    check(len(arrows) > 50, "messages.svg has only %d message arrows" % len(arrows))
    check(all(g.find("{http://www.w3.org/2000/svg}title") is not None for g in arrows), "an arrow has no hover text")
    # Every message of the journal parses; the counts agree with results.json.
    types, drops = {}, 0
    with open(os.path.join(d, "net.jsonl")) as f:
        for line in f:
            m = json.loads(line)
            check(line.startswith('{"send_ms":'), "net.jsonl line does not start with send_ms")
            types[m["type"]] = types.get(m["type"], 0) + 1
            drops += "drop_ms" in m
    by_type = results["network"]["by_type"]
    for t, counts in by_type["node_to_node"].items():
        check(types.get(t, 0) >= counts["sent"], "net.jsonl has fewer %s than results.json counts" % t)
    # The history carries replies: values and clocks of gets, siblings of conflicts.
    gets_with_values = conflicts_with_siblings = 0
    with open(os.path.join(d, "history.jsonl")) as f:
        for line in f:
            e = json.loads(line)
            if e.get("f") == "get" and e.get("type") == "ok":
                check("values" in e["reply"], "a get's completion has no values")
                gets_with_values += 1
            if e.get("status") == "conflict":
                check(e.get("siblings", 0) >= 2, "a conflict without siblings")
                conflicts_with_siblings += 1
    check(gets_with_values > 0, "no completed get in history.jsonl")
    # Every node process's CPU time is recorded, and their sum per ok operation.
    cpu = results["node_cpu"]
    exits = results["node_exits"]
    check(cpu["processes"] == len(exits) and cpu["processes"] > 0, "node_cpu counts %s processes" % cpu["processes"])
    check(all(e["cpu_s"] >= 0 for e in exits), "a node exit without cpu_s")
    check(cpu["seconds"] > 0, "the node processes used no CPU time: %s" % cpu)
    check(abs(cpu["seconds"] - sum(e["cpu_s"] for e in exits)) < 0.01 * len(exits), "node_cpu is not the exits' sum")
    check(cpu["ms_per_ok_op"] is not None and cpu["ms_per_ok_op"] > 0, "no CPU per ok operation: %s" % cpu)
    final = json.load(open(os.path.join(d, "final-state.json")))
    check(len(final["keys"]) > 0 and all("by_node" in k for k in final["keys"]), "final-state.json has no keys")
    # The gnuplot script draws the plots again from inside the run directory.
    if have_gnuplot:
        before = os.path.getmtime(os.path.join(d, "rate.png"))
        time.sleep(0.01)
        g = subprocess.run(["gnuplot", "plots.gnuplot"], cwd=d, capture_output=True, text=True)
        check(g.returncode == 0, "gnuplot plots.gnuplot failed in the run directory: " + g.stderr[-1000:])
        check(os.path.getmtime(os.path.join(d, "rate.png")) >= before, "gnuplot did not draw rate.png again")
    print("files ok: %d arrows, %d journal lines by type %s, %d drops, %d gets with values, %d conflicts"
          % (len(arrows), sum(types.values()), types, drops, gets_with_values, conflicts_with_siblings))
    return d, results


def cmd_run(a):
    expect = [int(x) for x in a.expect.split(",")]
    shutil.rmtree(a.store, ignore_errors=True)
    p = run([a.harness] + a.args + ["--store", a.store], expect=expect, timeout=300)
    d, results = check_run_files(a.store)
    check(re.search(r"^\[\s*[0-9.]+ s\] (workload|recovery)", p.stdout, re.M) is not None, "no progress line")
    if a.faults:
        kinds = {f["kind"] for f in results["faults"]}
        check(kinds == set(a.faults.split(",")), "faults in results.json: %s" % kinds)
        events = [json.loads(line) for line in open(os.path.join(d, "history.jsonl")) if '"nemesis"' in line]
        fs = {e["f"] for e in events}
        for f in ("kill", "restart", "pause", "resume", "partition", "heal", "final-heal"):
            check(f in fs, "no nemesis %s event in history.jsonl" % f)
        dead = sum(1 for line in open(os.path.join(d, "net.jsonl")) if '"dropped":"dead node"' in line)
        check(dead > 0, "no message was dropped as sent to a dead node")
        logs = open(os.path.join(d, "node-logs", events[[e["f"] for e in events].index("kill")]["value"] + ".log")).read()
        check("restarted at" in logs, "the killed node's log does not show its restart")
        check(re.search(r"\[\s*[0-9.]+ s\] nemesis: kill n\d", p.stdout) is not None, "the kill was not printed")
        check(results["verdict"] in ("valid", "invalid"), "verdict " + results["verdict"])
        print("faults ok: verdict %s, checker %s, %d messages to dead nodes"
              % (results["verdict"], results.get("checker"), dead))
    if a.summary:
        for pattern in a.summary:
            check(re.search(pattern, p.stdout, re.M) is not None, "summary lacks /%s/" % pattern)


def cmd_browser_render(a, d):
    shots = tempfile.mkdtemp(prefix="vckv-shots-")
    svg_png = os.path.join(shots, "messages.png")
    browse("file://" + os.path.realpath(os.path.join(d, "messages.svg")), screenshot=svg_png, size="1100,900")
    counts = colour_counts(svg_png, ["#ff7f0e", "#1f77b4"])
    sync, gets = counts["#ff7f0e"], counts["#1f77b4"]
    check(sync > 20 and gets > 20, "messages.svg screenshot lacks arrows (sync px %d, kv_get px %d)" % (sync, gets))
    tl_png = os.path.join(shots, "timeline.png")
    browse("file://" + os.path.realpath(os.path.join(d, "timeline.html")), screenshot=tl_png, size="1000,1000")
    ok = colour_counts(tl_png, ["#7cc47c"])["#7cc47c"]
    check(ok > 200, "timeline.html screenshot shows no ok bars (%d px)" % ok)
    # Drawn: no bar's label is cut off, and the ticks fall on round times.
    page = os.path.join(shots, "measure-timeline.html")
    with open(page, "w") as f:
        f.write(MEASURE_TIMELINE % ("file://" + os.path.realpath(os.path.join(d, "timeline.html"))))
    measured = browse("file://" + page, dump_dom=True, files=True)
    m = re.search(r'<pre id="out">(\{.*?\})</pre>', measured, re.S)
    check(m is not None, "the timeline measuring page did not run")
    found = json.loads(m.group(1).replace("&quot;", '"'))
    # (bars shorter than a line of text carry no label: a short run's may have none)
    check(not found["cut"], "timeline labels cut off: %s of %d" % (found["cut"][:5], found["labels"]))
    check(len(found["ticks"]) > 3, "the timeline has no ticks")
    check(all(round(float(t) * 10, 6) == round(float(t) * 10) for t in found["ticks"]),
          "timeline ticks at odd values: %s" % found["ticks"][:8])
    dom = browse("file://" + os.path.realpath(os.path.join(d, "timeline.html")), dump_dom=True)
    bars = len(re.findall(r'class="op (ok|conflict|stale|superseded|error|indeterminate)"', dom))
    history_ops = sum(1 for line in open(os.path.join(d, "history.jsonl")) if '"type":"invoke"' in line)
    check(bars == history_ops, "timeline shows %d bars for %d operations" % (bars, history_ops))
    print("browser ok: svg sync px %d, kv_get px %d; timeline ok px %d, %d bars" % (sync, gets, ok, bars))
    if a.keep:
        for f in (svg_png, tl_png):
            shutil.copy(f, a.keep)
    shutil.rmtree(shots, ignore_errors=True)


SVG = "{http://www.w3.org/2000/svg}"

# Loads an SVG in an iframe, measures it as drawn, scrolls it, and writes what it found into the
# page, which --dump-dom prints: every text's box against the drawing's width, where the header
# is after a scroll, and the column names' order.
MEASURE_PAGE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="%s" width="1400" height="900" style="border:0"></iframe>
<pre id="out">not measured</pre>
<script>
const f = document.getElementById('f');
f.onload = () => {
  const d = f.contentDocument, svg = d.documentElement, width = svg.width.baseVal.value;
  const clipped = [];
  for (const t of d.querySelectorAll('text')) {
    const b = t.getBBox();
    if (t.textContent.length && (b.x < 0 || b.x + b.width > width)) clipped.push(t.textContent);
  }
  const columns = [...d.querySelectorAll('text.column')].map(t => t.textContent);
  f.contentWindow.scrollTo(0, 2000);
  // Headless Chromium on virtual time draws no frames, so it sends no scroll event: send one.
  f.contentWindow.dispatchEvent(new Event('scroll'));
  setTimeout(() => {
    const h = d.getElementById('header').getBoundingClientRect();
    document.getElementById('out').textContent = JSON.stringify(
        {clipped, columns, width, scrolled: f.contentWindow.scrollY, header_top: h.top});
  }, 200);
};
</script></body></html>"""


MEASURE_TIMELINE = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="f" src="%s" width="1400" height="900" style="border:0"></iframe>
<pre id="out">not measured</pre>
<script>
const f = document.getElementById('f');
f.onload = () => {
  const d = f.contentDocument, cut = [];
  let labels = 0;
  for (const b of d.querySelectorAll('.op')) {
    if (!b.textContent) continue;
    ++labels;
    if (b.scrollWidth > b.clientWidth) cut.push(b.textContent);
  }
  const ticks = [...d.querySelectorAll('.tick')].map(t => t.textContent.replace(' s', ''));
  document.getElementById('out').textContent = JSON.stringify({labels, cut, ticks});
};
</script></body></html>"""


def measure_svg(path):
    page = os.path.join(os.path.dirname(path), "measure-" + os.path.basename(path) + ".html")
    with open(page, "w") as f:
        f.write(MEASURE_PAGE % ("file://" + os.path.realpath(path)))
    dom = browse("file://" + os.path.realpath(page), dump_dom=True, files=True)
    os.remove(page)
    m = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    check(m is not None and m.group(1).startswith("{"), "the measuring page did not run: %s" % dom[-500:])
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">"))


def check_svg_drawing(path, results):
    """What messages.svg draws: nodes first, one colour per type, drops on their recipient's line,
    the window around the first fault with its heal, the cut links, no label clipped, the header
    on screen after a scroll."""
    root = ET.parse(path).getroot()
    columns = {}
    for t in root.iter(SVG + "text"):
        if t.get("class") == "column":
            columns[t.text.split(" ")[0]] = float(t.get("x"))
    names = list(columns)
    check(names and names[0] == "n1", "the first column is %s, not n1" % (names[:1],))
    check(names[-1] == "clients" and all(re.fullmatch(r"n\d+", n) for n in names[:-1]),
          "columns are not the nodes then the clients: %s" % names)
    legend = [g.find(SVG + "line").get("stroke") for g in root.iter(SVG + "g") if g.get("class") == "legend"]
    check(len(legend) >= 4 and len(set(legend)) == len(legend), "two message types share a colour: %s" % legend)
    drops = 0
    for g in root.iter(SVG + "g"):
        cross = g.find(SVG + "path")
        if g.get("class") != "m" or cross is None or cross.get("class") != "drop":
            continue
        to = re.search(r"→ (\S+)\n", g.find(SVG + "title").text).group(1)
        x = float(re.match(r"M([0-9.]+),", cross.get("d")).group(1)) + 4
        column = columns.get(to, columns.get("clients"))
        check(abs(x - column) < 0.2, "a drop's cross is at x %.1f, its recipient %s at %.1f" % (x, to, column))
        drops += 1
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    first = results["faults"][0]
    if first["kind"] == "partition":
        check(any(t.startswith("partition healed") for t in texts), "the first partition's heal is not drawn")
        cuts = [g for g in root.iter(SVG + "g") if g.get("class") == "cut"]
        check(len(cuts) > 0, "no cut link drawn")
    m = measure_svg(path)
    check(not m["clipped"], "labels run off the drawing: %s" % m["clipped"][:5])
    check(m["scrolled"] > 0 and abs(m["header_top"]) < 1, "the header scrolled away: %s" % m)
    return drops, m


def cmd_browser(a):
    need_chromium()
    d = os.path.join(a.store, "latest")
    results = json.load(open(os.path.join(d, "results.json")))
    check(results["faults"], "the fixture run has no faults")
    # A window forced by a budget smaller than the run: chosen around the first fault, from
    # before it starts to after its heal.
    run([a.harness, "svg", d, "--max-messages", "1500", "--output", "window.svg"], expect=[0])
    window = os.path.join(d, "window.svg")
    drops, m = check_svg_drawing(window, results)
    text = open(window).read()
    first = results["faults"][0]
    w = re.search(r"those sent from ([0-9.]+) s to ([0-9.]+) s", text)
    check(w is not None, "window.svg does not say its window")
    check(float(w.group(1)) <= first["start_s"] and first["end_s"] <= float(w.group(2)) + 0.001,
          "the first fault (%.3f-%.3f s) is not inside the window %s-%s"
          % (first["start_s"], first["end_s"], w.group(1), w.group(2)))
    check("of %d messages" % sum(1 for _ in open(os.path.join(d, "net.jsonl"))) in text and "whole run" not in text,
          "window.svg is not a window of the run")
    print("svg drawing ok: columns %s, %d drops on their recipient's line, header on screen after a scroll"
          % (m["columns"], drops))
    cmd_browser_render(a, d)


class Server:
    def __init__(self, harness, store):
        self.p = subprocess.Popen([harness, "serve", "--store", store, "--port", "0"], stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        m = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
        if not m:
            self.p.kill()
            fail("serve did not say where it listens: %r %s" % (line, self.p.stderr.read()))
        self.url = m.group(1)

    def close(self):
        self.p.send_signal(signal.SIGTERM)
        self.p.wait(timeout=10)


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=20) as r:
            return r.status, r.headers.get("Content-Type"), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type"), e.read()


def cmd_serve_http(a):
    s = Server(a.harness, a.store)
    try:
        run_dir = os.path.relpath(os.path.realpath(os.path.join(a.store, "latest")), os.path.realpath(a.store))
        status, ctype, body = fetch(s.url)
        check(status == 200 and ctype.startswith("text/html"), "index: %s %s" % (status, ctype))
        page = body.decode()
        check(run_dir in page, "the index does not list " + run_dir)
        check('class="verdict valid"' in page, "the run is not shown as valid")
        plots = os.path.exists(os.path.join(a.store, run_dir, "rate.png"))  # drawn when gnuplot is installed
        status, ctype, body = fetch(s.url + run_dir + "/")
        check(status == 200 and "messages.svg" in body.decode() and ("<img" in body.decode() or not plots),
              "run page")
        status, ctype, body = fetch(s.url + run_dir + "/messages.svg")
        check(status == 200 and ctype == "image/svg+xml" and body.startswith(b"<?xml"), "svg: %s %s" % (status, ctype))
        status, ctype, body = fetch(s.url + "latest/timeline.html")
        check(status == 200 and ctype.startswith("text/html") and b'class="op ' in body, "timeline via latest")
        if plots:
            status, ctype, _ = fetch(s.url + run_dir + "/rate.png")
            check(status == 200 and ctype == "image/png", "png: %s %s" % (status, ctype))
        else:
            print("png: skipped: needs gnuplot-nox (the run has no plots)")
        status, _, _ = fetch(s.url + run_dir + "/no-such-file")
        check(status == 404, "missing file: %s" % status)
        status, _, _ = fetch(s.url + "..%2F..%2Fetc%2Fpasswd")
        check(status in (400, 404), "path out of the store: %s" % status)
        req = urllib.request.Request(s.url, method="POST", data=b"x")
        try:
            urllib.request.urlopen(req, timeout=10)
            fail("POST was accepted")
        except urllib.error.HTTPError as e:
            check(e.code == 405, "POST: %s" % e.code)
        print("serve http ok at " + s.url)
    finally:
        s.close()


def cmd_serve_browser(a):
    need_chromium()
    s = Server(a.harness, a.store)
    shots = tempfile.mkdtemp(prefix="vckv-serve-")
    try:
        run_dir = os.path.relpath(os.path.realpath(os.path.join(a.store, "latest")), os.path.realpath(a.store))
        dom = browse(s.url, dump_dom=True)
        check(run_dir in dom and 'class="run"' in dom, "the index page in the browser does not list the run")
        check(re.search(r'class="verdict valid"[^>]*>valid<', dom) is not None, "the run is not shown as valid")
        png = os.path.join(shots, "svg.png")
        browse(s.url + run_dir + "/messages.svg", screenshot=png, size="1100,900")
        check(colour_counts(png, ["#ff7f0e"])["#ff7f0e"] > 20, "messages.svg served over HTTP shows no arrows")
        dom = browse(s.url + run_dir + "/timeline.html", dump_dom=True)
        check(len(re.findall(r'class="op ', dom)) > 10, "timeline.html served over HTTP shows no bars")
        print("serve browser ok")
    finally:
        s.close()
        shutil.rmtree(shots, ignore_errors=True)


def cmd_repl_transcript(a):
    shutil.rmtree(a.store, ignore_errors=True)
    node_args = ["--node-arg=" + x for x in ["--sync-interval-ms=50"] + a.node_arg]
    data_dir = ["--data-dir", os.path.join(a.store, "nodes")] if a.with_data_dir else []
    p = run([a.harness, "repl", "--bin", a.bin, "--store", a.store] + node_args + data_dir +
            ["--timeout-ms", a.timeout_ms], expect=[0], stdin=open(a.input).read())
    expected = open(a.expected).read()
    if p.stdout != expected:
        import difflib
        sys.stderr.writelines(difflib.unified_diff(expected.splitlines(True), p.stdout.splitlines(True),
                                                   "expected", "got"))
        fail("the transcript differs from " + a.expected)
    # A session has its own link: <store>/latest is for test runs only.
    check(not os.path.lexists(os.path.join(a.store, "latest")), "the repl moved %s/latest" % a.store)
    d = os.path.join(a.store, "latest-repl")
    for f in ("history.jsonl", "history.edn", "net.jsonl", "messages.svg", "timeline.html", "final-state.json",
              "results.json"):
        check(os.path.exists(os.path.join(d, f)), "the session did not write " + f)
    ET.parse(os.path.join(d, "messages.svg"))
    print("transcript ok")


def cmd_explain(a):
    shutil.rmtree(a.store, ignore_errors=True)
    session = ("partition n1 | n2 n3\nput n1 x a [1,0]\nput n2 x b [0,1]\nwait 200ms\nput n3 x c [0,1,1]\n"
               "heal\nwait 1500ms\nget n1 x\n")
    p = run([a.harness, "repl", "--bin", a.bin, "--store", a.store, "--node-arg=--sync-interval-ms=50"],
            expect=[0], stdin=session)
    check('n1: key "x": 2 siblings' in p.stdout, "the session did not end with two siblings")
    d = os.path.join(a.store, "latest-repl")
    p = run([a.harness, "explain", d, "x"], expect=[0])
    out = p.stdout
    for pattern in [r'key "x": 2 siblings on every node \(3 nodes agree\)',
                    r'A = "a" \[1, 0\]\n\s+kv_put by c1 via n1',
                    r'B = "c" \[0, 1, 1\]\n\s+kv_put by c1 via n3',
                    r'3 writes to this key in the history, 3 acknowledged',
                    r'A is ahead in slot 0 \(1 > 0\); B is ahead in slot 1 \(1 > 0\), slot 2 \(1 > 0\)',
                    r'n1 and n3 were on different sides of partition manual: n1 \| n2 n3',
                    r'"b" \[0, 1\] by c1 via n2 at [0-9.]+ s: superseded by B']:
        check(re.search(pattern, out) is not None, "explain output lacks /%s/" % pattern)
    p = run([a.harness, "explain", d, "nothing-here"], expect=[0])
    check("no node holds a value" in p.stdout, "explain of an unused key")
    p = run([a.harness, "explain", "/no/such/dir", "x"], expect=[64])
    print("explain ok")


def cmd_exit_codes(a):
    shutil.rmtree(a.store, ignore_errors=True)
    base = [a.harness, "test", "--bin", a.bin, "--store", a.store, "--node-count", "2", "--recovery-time", "0"]
    p = run(base + ["--time-limit", "1", "--node-arg=--bogus"], expect=[2])
    check(re.search(r"verdict: unknown \(node n\d exited \(exit \d+\) before answering init; its stderr says: "
                    r"\".*--bogus", p.stdout) is not None, "the node's stderr is not quoted in the verdict")
    results = json.load(open(os.path.join(a.store, "latest", "results.json")))
    check(results["verdict"] == "unknown", "results.json verdict " + results["verdict"])
    p = run(base + ["--time-limit", "1", "--nemesis", "partition", "--nemesis-interval", "2"], expect=[0])
    check("warning: --nemesis partition will never fire" in p.stdout, "no warning for a nemesis that never fires")
    check(json.load(open(os.path.join(a.store, "latest", "results.json")))["warnings"], "no warning in results.json")
    for bad in (["--nemesis", "partition,crash"], ["--concurrency", "x"], ["--bogus-flag"], ["--max-down", "0"],
                ["--test-name", "../x"]):
        p = run(base + ["--time-limit", "1"] + bad, expect=[64])
    run([a.harness], expect=[64])
    run([a.harness, "explain"], expect=[64])
    run([a.harness, "test", "--help"], expect=[0])
    p = run([a.harness, "serve", "--store", "/no/such/store", "--port", "0"], expect=[64])
    print("exit codes ok")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--harness", required=True)
    r.add_argument("--store", required=True)
    r.add_argument("--expect", default="0")
    r.add_argument("--faults")
    r.add_argument("--summary", action="append")
    r.add_argument("args", nargs=argparse.REMAINDER)
    for name in ("browser", "serve-http", "serve-browser"):
        s = sub.add_parser(name)
        s.add_argument("--harness")
        s.add_argument("--store", required=True)
        s.add_argument("--keep")
    t = sub.add_parser("repl-transcript")
    for opt in ("--harness", "--bin", "--store", "--input", "--expected"):
        t.add_argument(opt, required=True)
    t.add_argument("--node-arg", action="append", default=[],
                   help="one more argument for every node (repeatable)")
    t.add_argument("--timeout-ms", default="500")
    t.add_argument("--with-data-dir", action="store_true",
                   help="the nodes keep their stores in STORE/nodes/<id>/ (--data-dir)")
    for name in ("explain", "exit-codes"):
        s = sub.add_parser(name)
        for opt in ("--harness", "--bin", "--store"):
            s.add_argument(opt, required=True)
    a = ap.parse_args()
    if getattr(a, "args", None) and a.args[0] == "--":
        a.args = a.args[1:]
    {"run": cmd_run, "browser": cmd_browser, "serve-http": cmd_serve_http, "serve-browser": cmd_serve_browser,
     "repl-transcript": cmd_repl_transcript, "explain": cmd_explain, "exit-codes": cmd_exit_codes}[a.cmd](a)


if __name__ == "__main__":
    main()
