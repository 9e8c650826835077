// read_command_line in the CMake build: CLI11 reads the rows of option_rows() (option_table.hpp).
// The single-file build has no CLI11 and uses read_command_line_plain instead
// (command_line_single_file.cpp); the two agree on every argument list (node/command_line_test).
#include <CLI/CLI.hpp>

#include "option_table.hpp"
#include "vckv/node/command_line.hpp"

namespace vckv {

CommandLine read_command_line(const std::vector<std::string>& args) {
  RunOptions run;
  const std::vector<OptionRow> rows = option_rows(run);
  // Help and version come first, from the rows, for both readers alike.
  if (auto text = help_or_version(args, rows)) return *text;

  CLI::App app;
  app.name("vclock-kv");
  app.set_help_flag();   // --help is answered above
  app.allow_extras();    // and arguments that are no option are refused below, in order
  std::vector<std::string> values(rows.size());
  std::vector<CLI::Option*> options;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const OptionRow& row = rows[i];
    if (row.is_flag()) {
      options.push_back(app.add_flag(row.name, row.help)->disable_flag_override());
    } else {
      // The row reads the value (CLI11's check runs it on every value given).
      options.push_back(app.add_option(row.name, values[i], row.help)
                            ->type_name(row.value_name)
                            ->check(CLI::Validator(
                                [&row](std::string& value) { return row.set(value); }, "")));
    }
  }
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them so
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return command_line_error(e.get_exit_code(), e.what());
  }
  // remaining() lists the "--" that ended the options too (remaining_size() does not count it).
  std::vector<std::string> extras = app.remaining();
  if (extras.size() > app.remaining_size()) {
    for (auto it = extras.begin(); it != extras.end(); ++it) {
      if (*it == "--") {
        extras.erase(it);
        break;
      }
    }
  }
  if (!extras.empty()) return unexpected_arguments(extras);
  finish_options(run);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i].is_flag() && options[i]->count() > 0) rows[i].set("");
  }
  if (auto error = conflicting_options(run)) return *error;
  CommandLine result;
  result.options = std::move(run);
  return result;
}

}  // namespace vckv
