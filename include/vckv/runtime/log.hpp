// One-line log records on a stream (stderr in the binary, a string stream in tests).
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <string_view>

namespace vckv {

enum class LogLevel { kError = 0, kWarn = 1, kInfo = 2, kDebug = 3 };

// "error" | "warn" | "info" | "debug", or nullopt.
std::optional<LogLevel> parse_log_level(std::string_view name);

class Logger {
 public:
  Logger(std::ostream& sink, LogLevel level) : sink_(sink), level_(level) {}

  bool enabled(LogLevel level) const { return level <= level_; }
  // Writes "vclock-kv[<node>] <level>: <message>\n" and flushes, when level is enabled.
  void log(LogLevel level, std::string_view message);
  void error(std::string_view m) { log(LogLevel::kError, m); }
  void warn(std::string_view m) { log(LogLevel::kWarn, m); }
  void info(std::string_view m) { log(LogLevel::kInfo, m); }
  void debug(std::string_view m) { log(LogLevel::kDebug, m); }

  void set_node_id(std::string id) { node_id_ = std::move(id); }

 private:
  std::ostream& sink_;
  LogLevel level_;
  std::string node_id_;
};

}  // namespace vckv
