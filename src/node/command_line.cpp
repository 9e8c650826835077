// The option table (one row per option: add an option here), the --help text, and the plain
// reader of the single-file build. The CLI11 reader of the CMake build is in
// command_line_cli11.cpp; both are built from option_rows() (see option_table.hpp).
#include "vckv/node/command_line.hpp"

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <type_traits>
#include <utility>

#include "option_table.hpp"
#include "vckv/version.hpp"

namespace vckv {

namespace {

constexpr const char* kDescription =
    " - a Dynamo-style key-value node with vector clocks and siblings";

constexpr const char* kFooter = R"(Example:
  $ printf '%s\n' \
      '{"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}}' \
      '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "x", "value": "hello", "clock": [1]}}' \
      | vclock-kv
  {"src": "n1", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1, "msg_id": 0}}
  {"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}}

Reads newline-delimited JSON envelopes (Maelstrom's protocol) on stdin, writes replies on
stdout and logs on stderr. Exits 0 at end of input or on SIGTERM/SIGINT.)";

// Decimal digits only (no sign, space or base prefix) within [lo, hi], 0 <= lo <= hi.
template <typename Int>
OptionRow whole_number(std::string name, Int& field, Int lo, Int hi, std::string help) {
  static_assert(std::is_integral_v<Int>);
  const std::string value_name = std::is_signed_v<Int> ? "INT" : "UINT";
  OptionRow row;
  row.name = std::move(name);
  row.value_name = value_name;
  row.help = std::move(help);
  row.constraint =
      value_name + " in [" + std::to_string(lo) + " - " + std::to_string(hi) + "]";
  row.current_text = std::to_string(field);
  row.set = [&field, lo, hi](const std::string& value) -> std::string {
    const std::string refused =
        "Value " + value + " not in range " + std::to_string(lo) + " to " + std::to_string(hi);
    if (value.empty() || value.size() > 20) return refused;
    std::uint64_t n = 0;
    for (char c : value) {
      if (c < '0' || c > '9') return refused;
      const auto digit = static_cast<std::uint64_t>(c - '0');
      if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) return refused;
      n = n * 10 + digit;
    }
    if (n < static_cast<std::uint64_t>(lo) || n > static_cast<std::uint64_t>(hi)) return refused;
    field = static_cast<Int>(n);
    return "";
  };
  return row;
}

// One of the named values.
template <typename T>
OptionRow one_of(std::string name, T& field,
                 std::initializer_list<std::pair<const char*, T>> choices, std::string help) {
  OptionRow row;
  row.name = std::move(name);
  row.value_name = "TEXT";
  row.help = std::move(help);
  std::vector<std::pair<std::string, T>> named(choices.begin(), choices.end());
  row.constraint = "{";
  for (const auto& [choice, value] : named) {
    if (row.constraint.size() > 1) row.constraint += ',';
    row.constraint += choice;
    if (value == field) row.current_text = choice;
  }
  row.constraint += '}';
  row.set = [&field, named, list = row.constraint](const std::string& value) -> std::string {
    for (const auto& [choice, v] : named) {
      if (choice == value) {
        field = v;
        return "";
      }
    }
    return value + " not in " + list;
  };
  return row;
}

// Any text but the empty one (a path).
OptionRow text(std::string name, std::string& field, std::string constraint, std::string help) {
  OptionRow row;
  row.name = std::move(name);
  row.value_name = "TEXT";
  row.help = std::move(help);
  row.constraint = std::move(constraint);
  row.current_text = field;
  row.set = [&field](const std::string& value) -> std::string {
    if (value.empty()) return "an empty value names nothing";
    field = value;
    return "";
  };
  return row;
}

// Given or not: given, it sets field to value_if_given.
OptionRow flag(std::string name, bool& field, bool value_if_given, std::string help) {
  OptionRow row;
  row.name = std::move(name);
  row.help = std::move(help);
  row.current_text = field == value_if_given ? "true" : "false";
  row.set = [&field, value_if_given](const std::string&) {
    field = value_if_given;
    return std::string();
  };
  return row;
}

}  // namespace

// One row per option, in --help order: whole_number(name, field, lo, hi, help),
// one_of(name, field, {{"text", value}, ...}, help) or flag(name, field, value_if_given, help).
// Both readers and --help follow; nothing else needs changing.
std::vector<OptionRow> option_rows(RunOptions& run) {
  NodeOptions& node = run.node;
  return {
      whole_number("--max-siblings", node.max_siblings, std::size_t{1}, std::size_t{1} << 32,
                   "A client write that would leave a key with more siblings is refused (error 22)"),
      whole_number("--max-clock-entries", node.codec.max_clock_entries, std::size_t{1},
                   std::size_t{1} << 24, "Longest clock accepted (error 12 beyond)"),
      whole_number("--max-line-bytes", run.max_line_bytes, std::size_t{64}, std::size_t{1} << 40,
                   "Longer input lines are skipped with a log line, never buffered whole"),
      whole_number("--max-output-bytes", run.loop.max_pending_output, std::size_t{4096},
                   std::size_t{1} << 40,
                   "Budget of unwritten output: past it no more requests are handled (nor input "
                   "read) until the reader of stdout has taken half of it"),
      one_of("--log-level", run.log_level,
             {{"error", LogLevel::kError},
              {"warn", LogLevel::kWarn},
              {"info", LogLevel::kInfo},
              {"debug", LogLevel::kDebug}},
             "Least severe log record written to stderr"),
      whole_number("--write-quorum", node.write_quorum, std::size_t{1}, std::size_t{1} << 16,
                   "Cluster: replicas (this one included) that must hold a client's write before "
                   "it is acknowledged; not reached in --request-timeout-ms: error 0"),
      whole_number("--read-quorum", node.read_quorum, std::size_t{1}, std::size_t{1} << 16,
                   "Cluster: replicas (this one included) a get reads and merges; fewer answers "
                   "in --request-timeout-ms: error 11"),
      whole_number("--request-timeout-ms", node.replication.request_timeout_ms, std::int64_t{1},
                   std::int64_t{3600000},
                   "Cluster: how long a quorum write or read waits for the other replicas"),
      whole_number("--anti-entropy-interval-ms", node.replication.anti_entropy_interval_ms,
                   std::int64_t{1}, std::int64_t{3600000},
                   "Cluster: compare hash trees with the next peer this often"),
      whole_number("--sync-interval-ms", node.replication.sync_interval_ms, std::int64_t{1},
                   std::int64_t{3600000},
                   "Cluster: the least a sync waits for its acknowledgement before it is resent "
                   "(the wait follows the measured round trip above this)"),
      whole_number("--sync-batch", node.replication.sync_batch_keys, std::size_t{1},
                   std::size_t{1} << 20, "Cluster: most keys in one node-to-node sync message"),
      whole_number("--busy-poll-us", run.loop.busy_poll_us, std::int64_t{0}, std::int64_t{1000000},
                   "After handling input, check for more this long (µs) before sleeping: lower "
                   "latency for a client in a request/reply loop, paid in CPU; 0 = off"),
      one_of("--conflict", node.conflict.mode,
             {{"siblings", ConflictMode::kSiblings}, {"lww", ConflictMode::kLww}},
             "How concurrent writes meet: siblings (keep them all) or lww (keep one, the last in "
             "an order every replica computes alike: clock sum, clock, value)"),
      one_of("--clocks", node.server_clocks, {{"client", false}, {"server", true}},
             "Who keeps the clocks: client (kv_put/kv_get/kv_resolve/kv_delete with vector "
             "clocks) or server (dvv_update/dvv_get/dvv_delete: the node issues dots, clients "
             "pass back a context; in a cluster it needs --data-dir with --fsync batch)"),
      whole_number("--replicas", node.replicas, std::size_t{0}, std::size_t{1} << 16,
                   "Cluster: nodes that hold each key, placed on a consistent-hash ring; 0 (or "
                   "at least the cluster's size): every node holds every key"),
      whole_number("--vnodes", node.vnodes, std::size_t{1}, std::size_t{1} << 16,
                   "Cluster: points each node has on the ring (with --replicas)"),
      whole_number("--max-hint-bytes", node.max_hint_bytes, std::size_t{0}, std::size_t{1} << 40,
                   "Cluster: most bytes of hints this node holds for other replicas (with "
                   "--replicas); when full it refuses new ones"),
      one_of("--sloppy-quorum", node.replication.sloppy_quorum, {{"on", true}, {"off", false}},
             "Cluster (with --replicas): on, a replica that has not acknowledged a write in half "
             "of --request-timeout-ms is stood in for by a fallback holding a hint, which counts "
             "toward --write-quorum; off, only the key's own replicas count"),
      one_of("--delta-syncs", node.replication.delta_syncs, {{"on", true}, {"off", false}},
             "Cluster: on, a sync carries only the versions of a key its peer is not known to "
             "hold (from the peer's acknowledgements); off, every sync carries the key's whole "
             "sibling set"),
      whole_number("--tombstone-grace-ms", node.tombstone_grace_ms, std::int64_t{1},
                   std::int64_t{86400000} * 365,
                   "Deletes: a key holding only tombstones is removed once every replica holds "
                   "them, no node holds a hint they dominate, and this long has passed (twice: "
                   "docs/design.md); no node-to-node message may take longer than this to arrive"),
      text("--data-dir", node.durability.data_dir, "DIR",
           "Keep the store on disk in DIR/<node_id>/, recovered at init before init_ok; a "
           "directory another node holds is refused (exit 74). Default: memory only"),
      one_of("--fsync", node.durability.store.fsync,
             {{"batch", FsyncPolicy::kBatch},
              {"interval", FsyncPolicy::kInterval},
              {"never", FsyncPolicy::kNever}},
             "With --data-dir: batch (one fdatasync per loop turn before its replies: survives "
             "power loss), interval (every --fsync-interval-ms: survives a kill) or never "
             "(the OS writes back: survives a kill)"),
      whole_number("--fsync-interval-ms", node.durability.store.fsync_interval_ms,
                   std::int64_t{1}, std::int64_t{3600000},
                   "With --fsync interval: the most a written change waits for its fdatasync"),
      whole_number("--compaction-min-mb", node.durability.compaction_min_mb, std::uint64_t{1},
                   std::uint64_t{65536},
                   "With --data-dir: compact the log into a snapshot once the files hold twice "
                   "the live data and at least this many MiB (more: fewer compactions, each "
                   "with its fdatasyncs; a longer replay at restart for a small store)"),
      flag("--debug-no-replication", node.replication.enabled, false,
           "Testing only: never send versions to peers (shows the cluster checker failing)"),
      flag("--debug-drop-concurrent-on-merge", node.conflict.debug_drop_concurrent_on_merge, true,
           "Testing only: a version merged from a peer replaces the concurrent stored ones (a "
           "broken merge rule the checkers must catch)"),
      flag("--debug-reap-at-once", node.debug_reap_at_once, true,
           "Testing only: reap a key as soon as this node holds only tombstones of it, asking "
           "no one and waiting for nothing (a broken reaper the checkers must catch)"),
      flag("--debug-accept-any-reply", node.replication.debug_accept_any_reply, true,
           "Testing only: a peer's reply is matched to a request by msg_id and sender alone, "
           "even one meant for an earlier process of this node (a broken matcher the simulator "
           "must catch)"),
      flag("--debug-lww-prefer-smaller", node.conflict.debug_lww_prefer_smaller, true,
           "Testing only: with --conflict lww, the smaller clock sum wins (a broken order the "
           "checkers must catch)"),
      flag("--debug-forget-hints", node.debug_forget_hints, true,
           "Testing only: acknowledge a hint and drop it, never delivering it (a broken "
           "hinted handoff the checkers must catch)"),
      flag("--debug-volatile-dot-counters", node.debug_volatile_dot_counters, true,
           "Testing only: with --clocks server, issue dots from a counter kept in memory alone "
           "(never logged, not checked against the key's versions): a restarted node issues "
           "dots it issued before (a broken node the checkers must catch)"),
      flag("--debug-ack-before-log", node.durability.debug_ack_before_log, true,
           "Testing only: with --data-dir, replies go out before the changes they acknowledge "
           "are logged (written --fsync-interval-ms later: a kill loses them)"),
  };
}

void finish_options(RunOptions& run) {
  // The peers read with the same line limit: no node-to-node message is longer. Replication
  // holds back once a quarter of the output budget waits, leaving the rest to replies.
  run.node.replication.max_message_bytes = run.max_line_bytes;
  run.node.replication.max_output_backlog = run.loop.max_pending_output / 4;
  // Group commit: under --fsync batch every turn ends in an fdatasync, so a turn takes up to
  // 4 MiB of input that is already waiting (bulk input pays one fdatasync per 4 MiB, a few
  // milliseconds of requests; interactive input, one short read a turn, is unaffected). Never
  // more than a quarter of the output budget: a turn's replies stay well inside it.
  run.node.durability.store.compaction_min_bytes = run.node.durability.compaction_min_mb << 20;
  const DurableStoreOptions& store = run.node.durability.store;
  if (!run.node.durability.data_dir.empty() && store.fsync == FsyncPolicy::kBatch) {
    run.loop.max_turn_input_bytes =
        std::max(run.loop.read_chunk_bytes, std::min<std::size_t>(std::size_t{4} << 20, run.loop.max_pending_output / 4));
  }
}

std::optional<CommandLine> conflicting_options(const RunOptions& run) {
  if (run.node.server_clocks && run.node.conflict.mode == ConflictMode::kLww) {
    return command_line_error(kExitExcludes,
                              "--clocks server cannot be combined with --conflict lww: "
                              "last-writer-wins orders positional vector clocks "
                              "(docs/protocol.md §13, §17)");
  }
  return std::nullopt;
}

namespace {

// "  NAME" in a 30-column field, then the help (on the next line when NAME is wider).
void append_help_line(std::string& out, const std::string& name, const std::string& help) {
  constexpr std::size_t kColumn = 30;
  std::string line = "  " + name;
  if (line.size() >= kColumn) {
    line += '\n';
    line.append(kColumn, ' ');
  } else {
    line.append(kColumn - line.size(), ' ');
  }
  out += line + help + '\n';
}

std::string help_text(const std::vector<OptionRow>& rows) {
  std::string out = std::string("vclock-kv ") + kVersion + kDescription + "\n";
  out += "Usage: vclock-kv [OPTIONS]\n\nOptions:\n";
  append_help_line(out, "-h,--help", "Print this help message and exit");
  append_help_line(out, "--version", "Display program version information and exit");
  for (const OptionRow& row : rows) {
    std::string name = row.name;
    if (!row.is_flag()) name += " " + row.value_name + ":" + row.constraint + "=" + row.current_text;
    append_help_line(out, name, row.help);
  }
  return out + "\n" + kFooter + "\n";
}

}  // namespace

std::optional<CommandLine> help_or_version(const std::vector<std::string>& args,
                                           const std::vector<OptionRow>& rows) {
  for (const std::string& arg : args) {
    if (arg == "--") break;
    CommandLine text;
    if (arg == "--help" || arg == "-h") {
      text.text = help_text(rows);
      return text;
    }
    if (arg == "--version") {
      text.text = std::string("vclock-kv ") + kVersion + "\n";
      return text;
    }
  }
  return std::nullopt;
}

std::string terminal_hint() {
  return "reading requests from the terminal, one JSON object per line; start with "
         R"({"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", )"
         R"("node_ids": ["n1"]}})"
         " and end with Ctrl-D (Ctrl-C also quits; --help shows more)";
}

CommandLine command_line_error(int exit_status, const std::string& what) {
  CommandLine error;
  error.text = what + "\nRun with --help for more information.\n";
  error.text_is_error = true;
  error.exit_status = exit_status;
  return error;
}

CommandLine unexpected_arguments(const std::vector<std::string>& extras) {
  std::string what = extras.size() == 1 ? "The following argument was not expected:"
                                        : "The following arguments were not expected:";
  for (const std::string& extra : extras) what += " " + extra;
  return command_line_error(kExitUnexpectedArgument, what);
}

// What CLI11 does with these rows, step for step (command_line_cli11.cpp): "--NAME=VALUE" or
// "--NAME VALUE" (the next argument, whatever it looks like); a flag takes "--NAME" alone (or
// "=true"); "--" ends the options. First a missing value or a flag given a value, while reading
// left to right; then, row by row, a refused value or an option given twice; last, arguments
// that are no option.
CommandLine read_command_line_plain(const std::vector<std::string>& args) {
  RunOptions run;
  const std::vector<OptionRow> rows = option_rows(run);
  if (auto text = help_or_version(args, rows)) return *text;

  std::vector<std::vector<std::string>> given(rows.size());  // values per row, in order
  std::vector<std::string> extras;
  bool options_ended = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (options_ended) {
      extras.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_ended = true;
      continue;
    }
    // CLI11 reads "--x..." as an option name only if x may start one.
    const bool long_form = arg.size() > 2 && arg.compare(0, 2, "--") == 0 && arg[2] != '-' &&
                           arg[2] != '!' && arg[2] != ' ' && arg[2] != '\n';
    const std::size_t equals = arg.find('=');
    const std::string name = long_form ? arg.substr(0, equals) : std::string();
    std::size_t row = 0;
    while (row < rows.size() && rows[row].name != name) ++row;
    if (row == rows.size()) {
      extras.push_back(arg);
      continue;
    }
    const std::string value = equals == std::string::npos ? "" : arg.substr(equals + 1);
    if (rows[row].is_flag()) {
      if (!value.empty() && value != "{}" && value != "true") {
        return command_line_error(kExitWrongValueCount,
                                  name.substr(2) + " was given a disallowed flag override");
      }
      given[row].push_back("");
    } else if (!value.empty()) {
      given[row].push_back(value);
    } else if (i + 1 < args.size()) {
      given[row].push_back(args[++i]);
    } else {
      return command_line_error(kExitWrongValueCount,
                                name + ": 1 required " + rows[row].value_name + " missing");
    }
  }
  for (std::size_t row = 0; row < rows.size(); ++row) {
    if (rows[row].is_flag()) {
      if (!given[row].empty()) rows[row].set("");
      continue;
    }
    for (const std::string& value : given[row]) {
      const std::string refused = rows[row].set(value);
      if (!refused.empty()) return command_line_error(kExitBadValue, rows[row].name + ": " + refused);
    }
    if (given[row].size() > 1) {
      return command_line_error(kExitWrongValueCount,
                                rows[row].name + ": At Most 1 required but received " +
                                    std::to_string(given[row].size()));
    }
  }
  if (!extras.empty()) return unexpected_arguments(extras);
  finish_options(run);
  if (auto error = conflicting_options(run)) return *error;
  CommandLine result;
  result.options = std::move(run);
  return result;
}

}  // namespace vckv
