#include "vckv/runtime/log.hpp"

namespace vckv {

std::optional<LogLevel> parse_log_level(std::string_view name) {
  if (name == "error") return LogLevel::kError;
  if (name == "warn") return LogLevel::kWarn;
  if (name == "info") return LogLevel::kInfo;
  if (name == "debug") return LogLevel::kDebug;
  return std::nullopt;
}

void Logger::log(LogLevel level, std::string_view message) {
  if (!enabled(level)) return;
  static constexpr std::string_view kNames[] = {"error", "warn", "info", "debug"};
  std::string line = "vclock-kv";
  if (!node_id_.empty()) line += "[" + node_id_ + "]";
  line += ' ';
  line += kNames[static_cast<int>(level)];
  line += ": ";
  // One record, one line: a message never spills onto a second line.
  for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
  line += '\n';
  sink_.write(line.data(), static_cast<std::streamsize>(line.size()));
  sink_.flush();
}

}  // namespace vckv
