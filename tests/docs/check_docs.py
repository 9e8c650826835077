#!/usr/bin/env python3
"""Holds the documentation to the tree: every relative link in README.md and docs/*.md (files
and #section anchors) and every repository path they name (tests/..., src/..., include/...,
maelstrom/..., bench/..., docs/..., cmake/..., .ci/...; globs must match something) exists.

    python3 tests/docs/check_docs.py [REPO_ROOT]

Prints each problem as FILE:LINE: ... and exits 1 if there is any (ctest docs_links_and_paths).
Paths under build/ (what a build makes) are not checked, nor text with placeholders (<...>).
"""
import glob
import os
import re
import sys

PATH_ROOTS = ("tests", "src", "include", "maelstrom", "bench", "docs", "cmake", ".ci")
LINK = re.compile(r"!?\[(?:[^\]\\]|\\.)*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# A repository path: one of the roots at a word boundary (not inside build/maelstrom/... or a URL).
PATH = re.compile(r"(?<![\w./:<-])((?:%s)/[\w./*+-]*)" % "|".join(re.escape(r) for r in PATH_ROOTS))


def slug(heading):
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"`([^`]*)`", r"\1", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path):
    found, seen, in_code = set(), {}, False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            in_code = not in_code
        if in_code:
            continue
        m = re.match(r"#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            base = slug(m.group(1))
            n = seen.get(base, 0)
            seen[base] = n + 1
            found.add(base if n == 0 else "%s-%d" % (base, n))
    return found


def check_file(root, doc):
    problems = []
    rel_doc = os.path.relpath(doc, root)
    here = os.path.dirname(doc)
    in_code = False
    for number, line in enumerate(open(doc, encoding="utf-8"), 1):
        where = "%s:%d" % (rel_doc, number)
        if line.startswith("```"):
            in_code = not in_code
        if not in_code:
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                    continue
                file_part, _, anchor = target.partition("#")
                path = os.path.normpath(os.path.join(here, file_part)) if file_part else doc
                if not os.path.exists(path):
                    problems.append("%s: the link %s points at %s, which does not exist"
                                    % (where, target, os.path.relpath(path, root)))
                elif anchor and path.endswith(".md") and anchor not in anchors(path):
                    problems.append("%s: the link %s: %s has no section #%s"
                                    % (where, target, os.path.relpath(path, root), anchor))
        for token in PATH.findall(line):
            token = token.rstrip(".,:;)")
            if "<" in token or not token.strip("/"):
                continue
            full = os.path.join(root, token)
            exists = glob.glob(full) if any(c in token for c in "*?[") else os.path.exists(full)
            if not exists:
                problems.append("%s: the path %s does not exist" % (where, token))
    return problems


def main(argv):
    root = os.path.abspath(argv[1]) if len(argv) > 1 else os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    docs = [os.path.join(root, "README.md")] + sorted(glob.glob(os.path.join(root, "docs", "*.md")))
    problems = []
    for doc in docs:
        problems += check_file(root, doc)
    for p in problems:
        print(p)
    print("%d files, %d problems" % (len(docs), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
