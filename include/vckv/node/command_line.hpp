// The node's command line, defined once: the binary reads its options through here, and so
// does the cluster simulator, which runs nodes with the options a harness passes them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "vckv/node/node.hpp"
#include "vckv/runtime/event_loop.hpp"
#include "vckv/runtime/log.hpp"

namespace vckv {

// Everything a node process runs with.
struct RunOptions {
  NodeOptions node;
  EventLoopOptions loop;
  std::size_t max_line_bytes = 16u << 20;  // longer input lines are skipped
  LogLevel log_level = LogLevel::kInfo;
};

// What reading a command line gave: options to run with, or a text to print and an exit
// status instead (--help and --version: to stdout, status 0; a bad argument: to stderr).
struct CommandLine {
  std::optional<RunOptions> options;
  std::string text;
  bool text_is_error = false;
  int exit_status = 0;
};

// args: the arguments after the program name, e.g. {"--max-siblings", "3"}. The options are
// defined once, in src/node/command_line.cpp (option_rows); CLI11 reads them in the CMake build.
CommandLine read_command_line(const std::vector<std::string>& args);
// The same, read without any library: read_command_line of the single-file build (see
// cmake/single_file.py). It accepts and refuses exactly what the CLI11 reader does, with the
// same texts and exit statuses (node/command_line_test compares them).
CommandLine read_command_line_plain(const std::vector<std::string>& args);

// One line for a person who started the node on a terminal (main prints it when stdin is a
// terminal, not when it is a pipe): how to begin (an init request to paste) and how to quit.
std::string terminal_hint();

}  // namespace vckv
