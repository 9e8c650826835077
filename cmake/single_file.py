#!/usr/bin/env python3
"""Writes vclock-kv.cpp: the whole node in one C++17 source file, for a course grader that takes
one file and builds it with nothing but the compiler (g++ -O2 vclock-kv.cpp -o vclock-kv).

    python3 cmake/single_file.py [-o vclock-kv.cpp] [--nlohmann-include DIR]

The file is the node's sources in the order CMakeLists.txt lists the vckv_core library, then
src/main.cpp, each project header inlined where it is first included. Two exceptions:
- src/node/command_line_cli11.cpp (CLI11) is replaced by src/node/command_line_single_file.cpp,
  which reads the same option table without a library (see src/node/option_table.hpp);
- the nlohmann_json headers the node includes (its parser, lexer and SAX interface: not the
  nlohmann::json class) are inlined from this machine's copy (the Debian package installs it
  in /usr/include), comments removed, under their MIT license notice.
Every other #include must be a C++ standard library header or one of the POSIX headers the
event loop uses, or (only inside an #if, as under __has_include) a C library's own header the
node can do without; anything else is an error, so the file never needs a third-party library.
The output depends only on the sources (no dates), so generating twice gives the same bytes.
The file is generated, never edited by hand and never committed: ctest regenerates it, builds
it alone in an empty directory and runs the golden fixtures against it (tests/single_file).
"""

import argparse
import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
MAIN = "src/main.cpp"
# CMake build source -> single-file build source.
REPLACED = {"src/node/command_line_cli11.cpp": "src/node/command_line_single_file.cpp"}

CXX_HEADERS = set("""
algorithm any array atomic bit bitset cassert cctype cerrno cfenv cfloat charconv chrono cinttypes
climits clocale cmath codecvt compare complex concepts condition_variable csetjmp csignal cstdarg
cstddef cstdint cstdio cstdlib cstring ctime cuchar cwchar cwctype deque exception execution
filesystem format forward_list fstream functional future initializer_list iomanip ios iosfwd
iostream istream iterator limits list locale map memory memory_resource mutex new numbers numeric
optional ostream queue random ranges ratio regex scoped_allocator set shared_mutex source_location
span sstream stack stdexcept streambuf string string_view system_error thread tuple type_traits
typeindex typeinfo unordered_map unordered_set utility valarray variant vector version
experimental/filesystem
assert.h ctype.h errno.h fenv.h float.h inttypes.h limits.h locale.h math.h setjmp.h signal.h
stdarg.h stddef.h stdint.h stdio.h stdlib.h string.h time.h uchar.h wchar.h wctype.h
""".split())
# What the event loop and the data directory need of the operating system (every POSIX system
# has these; sys/file.h is flock's, on Linux, the BSDs and macOS).
POSIX_HEADERS = {"dirent.h", "fcntl.h", "poll.h", "sched.h", "sys/file.h", "sys/stat.h",
                 "sys/types.h", "unistd.h"}

# C library headers the node uses only where they exist, inside #if __has_include(...): glibc's
# malloc.h (runtime/heap_trim.cpp gives freed memory back with it).
OPTIONAL_HEADERS = {"malloc.h"}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')
CONDITIONAL_START = re.compile(r"^\s*#\s*if")
CONDITIONAL_END = re.compile(r"^\s*#\s*endif")
PRAGMA_ONCE = re.compile(r"^\s*#\s*pragma\s+once\s*$")
COPYRIGHT = re.compile(r"SPDX-FileCopyrightText:\s*(.+?)\s*$", re.M)
LIBRARY_VERSION = re.compile(r"version (\d+\.\d+\.\d+)")
LICENSE_ID = re.compile(r"SPDX-License-Identifier:\s*(\S+)")
KEEP_MARK = "@keep-comment@"

MIT_PERMISSION = """\
Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE."""


class GenerateError(Exception):
    pass


def comment_block(text):
    return "\n".join(("// " + line).rstrip() for line in text.splitlines())


def keep_license_comments(source):
    """source with each run of // comment lines that mentions a license or copyright (but not
    the SPDX banner every header starts with: the notice collects those) turned into string
    literals after a marker, so strip_comments keeps them; restore_license_comments undoes it."""
    lines = source.splitlines()
    k = 0
    while k < len(lines):
        if not lines[k].lstrip().startswith("//"):
            k += 1
            continue
        end = k
        while end < len(lines) and lines[end].lstrip().startswith("//"):
            end += 1
        run = "\n".join(lines[k:end])
        if re.search(r"licen[cs]e|copyright", run, re.I) and "SPDX" not in run:
            for j in range(k, end):
                lines[j] = KEEP_MARK + json.dumps(lines[j].lstrip())
        k = end
    return "\n".join(lines) + "\n"


def restore_license_comments(text):
    return "\n".join(json.loads(line[len(KEEP_MARK):]) if line.startswith(KEEP_MARK) else line
                     for line in text.splitlines()) + "\n"


def strip_comments(source, dedent=False):
    """C++ source without // and /* */ comments (string, character and raw string literals
    kept as they are), without trailing spaces and without the lines left empty; with dedent,
    also without indentation (a line continuing a macro keeps one space, so no tokens join;
    nothing is dedented if a raw string literal spans lines)."""
    out = []
    multiline_literal = False
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if source.startswith("//", i):
            while i < n and source[i] != "\n":  # a comment line ending in \ goes on: skip it too
                i = source.find("\n", i)
                if i < 0:
                    i = n
                elif source[i - 1] == "\\":
                    i += 1
        elif source.startswith("/*", i):
            end = source.find("*/", i + 2)
            if end < 0:
                raise GenerateError("unterminated /* comment")
            out.append(" ")
            i = end + 2
        elif c == '"' and re.search(r"(?:\bu8|\bu|\bU|\bL|\b)R$", source[max(0, i - 3):i]):
            delimiter = source[i + 1:source.index("(", i)]
            end = source.index(")" + delimiter + '"', i) + len(delimiter) + 2
            multiline_literal |= "\n" in source[i:end]
            out.append(source[i:end])
            i = end
        elif c in "\"'":
            j = i + 1
            while source[j] != c:
                j += 2 if source[j] == "\\" else 1
            out.append(source[i:j + 1])
            i = j + 1
        else:
            out.append(c)
            i += 1
    lines = [line.rstrip() for line in "".join(out).splitlines() if line.strip()]
    if dedent and not multiline_literal:
        for k, line in enumerate(lines):
            continued = k > 0 and lines[k - 1].endswith("\\") and line[:1].isspace()
            lines[k] = (" " if continued else "") + line.lstrip()
    return "\n".join(lines) + "\n"


def has_include_guard(text):
    """Whether the whole file is one #ifndef G / #define G ... #endif block."""
    directives = [line.strip() for line in strip_comments(text).splitlines()]
    if len(directives) < 3:
        return False
    m = re.match(r"#\s*ifndef\s+(\w+)$", directives[0])
    return bool(m and re.match(r"#\s*define\s+" + m.group(1) + "$", directives[1])
                and re.match(r"#\s*endif\b", directives[-1]))


def library_sources(cmake_lists):
    """The vckv_core sources, in CMakeLists.txt order, then main.cpp."""
    m = re.search(r"add_library\(vckv_core\s+STATIC\s+([^)]*)\)", cmake_lists)
    if not m:
        raise GenerateError("CMakeLists.txt has no add_library(vckv_core STATIC ...)")
    sources = [REPLACED.get(s, s) for s in m.group(1).split() if s.endswith(".cpp")]
    return sources + [MAIN]


class SingleFile:
    def __init__(self, root, nlohmann_dir):
        self.root = root
        self.nlohmann_dir = nlohmann_dir
        self.out = []
        self.inlined = set()
        self.system_includes = set()
        self.library_notice_written = False

    def write_source(self, relative):
        self.inline(self.root / relative, library=False, depth=0)

    def inline(self, path, library, depth):
        path = path.resolve()
        if path in self.inlined:
            return
        self.inlined.add(path)
        text = path.read_text(encoding="utf-8")
        if library:
            if not self.library_notice_written:
                self.write_library_notice(text)
            licenses = LICENSE_ID.findall(text)
            if licenses != ["MIT"]:
                raise GenerateError(f"{path}: license {licenses or 'unknown'}, not MIT: the notice "
                                    "written for the library would not cover it")
            text = restore_license_comments(strip_comments(keep_license_comments(text), dedent=True))
        else:
            self.out.append(f"\n// ---- {path.relative_to(self.root)} ----")
        if has_include_guard(text):
            depth -= 1  # the guard's #ifndef is no condition on what the file includes
        for line in text.splitlines():
            if PRAGMA_ONCE.match(line):
                continue
            m = INCLUDE.match(line)
            if not m:
                if CONDITIONAL_START.match(line):
                    depth += 1
                elif CONDITIONAL_END.match(line):
                    depth -= 1
                self.out.append(line)
                continue
            quote, name = m.groups()
            target = self.resolve(path, quote, name)
            if target:
                if depth:
                    raise GenerateError(f"{path}: {name} is included inside #if; inline it by hand")
                self.inline(target[0], target[1], depth)
            elif name in CXX_HEADERS or name in POSIX_HEADERS:
                if depth or name not in self.system_includes:
                    self.out.append(line)
                if not depth:
                    self.system_includes.add(name)
            elif name in OPTIONAL_HEADERS and depth:
                self.out.append(line)
            else:
                raise GenerateError(
                    f"{path}: #include {quote}{name} is neither a project header nor a standard "
                    "one: the single file may need nothing but the compiler")

    def resolve(self, including, quote, name):
        """(path, is_library) of an include to inline, or None for a system header."""
        if quote == '"':
            for base in (including.parent, self.root / "include"):
                if (base / name).is_file():
                    return base / name, including.is_relative_to(self.nlohmann_dir)
            raise GenerateError(f"{including}: cannot find \"{name}\"")
        if name.startswith("nlohmann/"):
            path = self.nlohmann_dir / name
            if not path.is_file():
                raise GenerateError(f"no {path}: install nlohmann-json3-dev or pass --nlohmann-include")
            return path, True
        return None

    def write_library_notice(self, first_header):
        version = LIBRARY_VERSION.search(first_header)
        version = version.group(1) if version else "(version unknown)"
        self.out.append(comment_block(
            f"---- nlohmann/json {version}, https://github.com/nlohmann/json: the parts the node "
            f"uses\n(its parser, lexer and SAX interface), from {self.nlohmann_dir}/nlohmann, "
            "comments (but those on licenses) and\nindentation removed. Its license:\n\nMIT License\n\n@COPYRIGHT@\n\n" + MIT_PERMISSION))
        self.copyright_at = len(self.out) - 1
        self.library_notice_written = True

    def text(self):
        if self.library_notice_written:
            # Every copyright line of the headers inlined (hedley's author's too).
            holders = []
            for path in sorted(self.inlined):
                if path.is_relative_to(self.nlohmann_dir):
                    for holder in COPYRIGHT.findall(path.read_text(encoding="utf-8")):
                        if holder not in holders:
                            holders.append(holder)
            lines = "\n".join("// Copyright (c) " + h for h in holders)
            self.out[self.copyright_at] = self.out[self.copyright_at].replace("// @COPYRIGHT@", lines)
        return "\n".join(self.out) + "\n"


def find_nlohmann(given):
    candidates = [pathlib.Path(given)] if given else [pathlib.Path("/usr/include"),
                                                      pathlib.Path("/usr/local/include")]
    for base in candidates:
        if (base / "nlohmann" / "detail" / "input" / "parser.hpp").is_file():
            return base.resolve()
    raise GenerateError("nlohmann_json headers not found in " + ", ".join(map(str, candidates)) +
                        " (Debian: apt-get install nlohmann-json3-dev)")


def generate(root, nlohmann_include):
    version = re.search(r'kVersion = "([^"]+)"', (root / "include/vckv/version.hpp").read_text())
    single = SingleFile(root, find_nlohmann(nlohmann_include))
    single.out.append(comment_block(
        f"vclock-kv {version.group(1)}: a Dynamo-style key-value node (Maelstrom's protocol on "
        "stdin/stdout), in one file.\nGENERATED by cmake/single_file.py from the vclock-kv "
        "sources: do not edit, regenerate.\nBuild: g++ -O2 vclock-kv.cpp -o vclock-kv (any C++17 "
        "compiler; no library but the standard one).\n\n" + (root / "LICENSE").read_text()))
    # The one-file build's inlining and code placement (include/vckv/inlining.hpp).
    single.out.append("#define VCKV_SINGLE_FILE 1")
    for source in library_sources((root / "CMakeLists.txt").read_text()):
        single.write_source(source)
    return single.text()


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="vclock-kv.cpp")
    ap.add_argument("--nlohmann-include", help="the directory holding nlohmann/ (default: "
                    "/usr/include or /usr/local/include)")
    args = ap.parse_args(argv)
    try:
        text = generate(ROOT, args.nlohmann_include)
    except GenerateError as e:
        print(f"single_file.py: {e}", file=sys.stderr)
        return 1
    pathlib.Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
