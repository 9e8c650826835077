// read_command_line in the single-file build (cmake/single_file.py puts this file where the
// CMake build has command_line_cli11.cpp): the plain reader, as that build needs no library.
#include "vckv/node/command_line.hpp"

namespace vckv {

CommandLine read_command_line(const std::vector<std::string>& args) {
  return read_command_line_plain(args);
}

}  // namespace vckv
