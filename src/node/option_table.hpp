// The node's options as one table, and what both readers of the command line share. The CMake
// build reads arguments with CLI11 (command_line_cli11.cpp); the single-file build, which may
// not need any library, with a small reader of its own (read_command_line_plain). Both are
// built from option_rows(), so adding an option is one row there (src/node/command_line.cpp),
// and they accept and refuse the same arguments with the same texts (node/command_line_test).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "vckv/node/command_line.hpp"

namespace vckv {

struct OptionRow {
  std::string name;        // "--max-siblings"
  std::string value_name;  // "UINT", "INT" or "TEXT"; empty for a flag, which takes no value
  std::string help;        // one line
  std::string constraint;  // as --help shows it after the value name: "UINT in [1 - 100]"
  // The field's value when the rows were made ("100", "info"; a flag: "true" when in effect):
  // the default, in --help.
  std::string current_text;
  // Reads value (a flag: "") into this row's field of the RunOptions the rows were made for.
  // Returns why the value is refused ("Value x not in range 1 to 100"), or "" when it was set.
  std::function<std::string(const std::string& value)> set;

  bool is_flag() const { return value_name.empty(); }
};

// Every option, in --help order, each bound to its field of run (which must outlive the rows).
std::vector<OptionRow> option_rows(RunOptions& run);
// What follows from the options read (both readers call it before returning them).
void finish_options(RunOptions& run);
// Options that cannot go together (checked once every option is read): the error to print.
std::optional<CommandLine> conflicting_options(const RunOptions& run);

// --help (also -h) or --version anywhere before a "--": the text to print (the first of them
// wins). Both readers look for these first, so nothing else on the command line matters then.
std::optional<CommandLine> help_or_version(const std::vector<std::string>& args,
                                           const std::vector<OptionRow>& rows);

// Exit statuses of a refused command line: CLI11's, which the plain reader uses too.
inline constexpr int kExitBadValue = 105;           // CLI11::ValidationError
inline constexpr int kExitUnexpectedArgument = 109;  // CLI11::ExtrasError
inline constexpr int kExitWrongValueCount = 114;    // CLI11::ArgumentMismatch
inline constexpr int kExitExcludes = 108;           // CLI11::ExcludesError

// A refused command line: what is wrong, then "Run with --help for more information.".
CommandLine command_line_error(int exit_status, const std::string& what);
// The error for arguments that are no option (in the order given).
CommandLine unexpected_arguments(const std::vector<std::string>& extras);

}  // namespace vckv
