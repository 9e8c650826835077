#!/usr/bin/env python3
"""Unit tests of cmake/single_file.py's text handling (the ctests build and run its output)."""

import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "cmake"))
import single_file  # noqa: E402


class StripCommentsTest(unittest.TestCase):
    def test_comments_go_literals_stay(self):
        source = (
            'int a = 1;  // one\n'
            '/* block\n   comment */ int b = 2;\n'
            'const char* s = "// not a comment /* nor this */";\n'
            "char c = '/'; char d = '\\'';  // quote\n"
            'const char* r = R"x(// raw "string" )x";\n'
            '// a comment line that goes on \\\n'
            'still the comment\n'
            'int e = 3;\n')
        self.assertEqual(single_file.strip_comments(source),
                         'int a = 1;\n'
                         '  int b = 2;\n'
                         'const char* s = "// not a comment /* nor this */";\n'
                         "char c = '/'; char d = '\\'';\n"
                         'const char* r = R"x(// raw "string" )x";\n'
                         'int e = 3;\n')

    def test_dedent_keeps_a_space_in_macro_continuations(self):
        source = "namespace n {\n    #define X(a) a\\\n        + 1\n    int f();\n}\n"
        self.assertEqual(single_file.strip_comments(source, dedent=True),
                         "namespace n {\n#define X(a) a\\\n + 1\nint f();\n}\n")

    def test_no_dedent_when_a_raw_string_spans_lines(self):
        source = 'auto s = R"(\n    kept\n)";\n    int x;\n'
        self.assertEqual(single_file.strip_comments(source, dedent=True), source)

    def test_license_comments_are_kept(self):
        source = ("// SPDX-License-Identifier: MIT\n#pragma once\n// helper\n"
                  "// taken from X, licensed under the Apache License 2.0.\nint x;\n")
        kept = single_file.restore_license_comments(
            single_file.strip_comments(single_file.keep_license_comments(source)))
        self.assertEqual(kept, "#pragma once\n// helper\n"
                               "// taken from X, licensed under the Apache License 2.0.\nint x;\n")


class IncludesTest(unittest.TestCase):
    def single(self, files):
        root = pathlib.Path(tempfile.mkdtemp())
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text)
        s = single_file.SingleFile(root, root / "no-library")
        return root, s

    def test_project_headers_inlined_once_and_standard_ones_kept_once(self):
        root, s = self.single({
            "include/a.hpp": "#pragma once\n#include <vector>\nstruct A {};\n",
            "src/x.cpp": '#include "a.hpp"\n#include <vector>\n#include "a.hpp"\nA x;\n',
        })
        s.write_source("src/x.cpp")
        self.assertEqual(s.text(), "\n// ---- src/x.cpp ----\n\n// ---- include/a.hpp ----\n"
                                   "#include <vector>\nstruct A {};\nA x;\n")

    def test_a_library_header_is_an_error(self):
        root, s = self.single({"src/x.cpp": "#include <CLI/CLI.hpp>\n"})
        with self.assertRaisesRegex(single_file.GenerateError, "CLI/CLI.hpp"):
            s.write_source("src/x.cpp")

    def test_a_project_header_inside_if_is_an_error(self):
        root, s = self.single({"include/a.hpp": "int a;\n",
                               "src/x.cpp": '#if 1\n#include "a.hpp"\n#endif\n'})
        with self.assertRaisesRegex(single_file.GenerateError, "inside #if"):
            s.write_source("src/x.cpp")

    def test_sources_are_the_library_in_cmake_order_then_main(self):
        self.assertEqual(single_file.library_sources(
            "add_library(vckv_core STATIC\n  src/b.cpp\n  src/node/command_line_cli11.cpp\n"
            "  src/a.cpp\n)\n"),
            ["src/b.cpp", "src/node/command_line_single_file.cpp", "src/a.cpp", "src/main.cpp"])


class GenerateTest(unittest.TestCase):
    def test_the_file_says_it_is_the_one_file_build_before_any_source(self):
        # include/vckv/inlining.hpp gives g++ its inlining and placement attributes only then.
        try:
            text = single_file.generate(single_file.ROOT, None)
        except single_file.GenerateError as e:
            self.skipTest(str(e))
        define = text.index("\n#define VCKV_SINGLE_FILE 1\n")
        self.assertLess(define, text.index("\n// ---- src/"))
        self.assertLess(define, text.index("\n// ---- include/vckv/inlining.hpp ----\n"))


if __name__ == "__main__":
    unittest.main()
