#include "vckv/node/command_line.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdint>
#include <sstream>

#include "vckv/version.hpp"

namespace vckv {

namespace {

constexpr const char* kFooter = R"(Example:
  $ printf '%s\n' \
      '{"src": "c0", "dest": "n1", "body": {"type": "init", "msg_id": 1, "node_id": "n1", "node_ids": ["n1"]}}' \
      '{"src": "c1", "dest": "n1", "body": {"type": "kv_put", "msg_id": 2, "key": "x", "value": "hello", "clock": [1]}}' \
      | vclock-kv
  {"src": "n1", "dest": "c0", "body": {"type": "init_ok", "in_reply_to": 1, "msg_id": 0}}
  {"src": "n1", "dest": "c1", "body": {"type": "kv_put_ok", "in_reply_to": 2, "status": "written", "msg_id": 1}}

Reads newline-delimited JSON envelopes (Maelstrom's protocol) on stdin, writes replies on
stdout and logs on stderr. Exits 0 at end of input or on SIGTERM/SIGINT.)";

}  // namespace

CommandLine read_command_line(const std::vector<std::string>& args) {
  CLI::App app{std::string("vclock-kv ") + kVersion +
               " - a Dynamo-style key-value node with vector clocks and siblings"};
  app.name("vclock-kv");
  app.footer(kFooter);
  app.set_version_flag("--version", std::string("vclock-kv ") + kVersion);

  RunOptions run;
  NodeOptions& node_options = run.node;
  EventLoopOptions& loop_options = run.loop;
  std::string log_level = "info";
  std::string conflict = "siblings";
  bool no_replication = false;

  app.add_option("--max-siblings", node_options.max_siblings,
                 "A client write that would leave a key with more siblings is refused (error 22)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32));
  app.add_option("--max-clock-entries", node_options.codec.max_clock_entries,
                 "Longest clock accepted (error 12 beyond)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  app.add_option("--max-line-bytes", run.max_line_bytes,
                 "Longer input lines are skipped with a log line, never buffered whole")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 40));
  app.add_option("--log-level", log_level, "Least severe log record written to stderr")
      ->capture_default_str()
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  app.add_option("--write-quorum", node_options.write_quorum,
                 "Cluster: replicas (this one included) that must hold a client's write before "
                 "it is acknowledged; not reached in --request-timeout-ms: error 0")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 16));
  app.add_option("--read-quorum", node_options.read_quorum,
                 "Cluster: replicas (this one included) a get reads and merges; fewer answers "
                 "in --request-timeout-ms: error 11")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 16));
  app.add_option("--request-timeout-ms", node_options.replication.request_timeout_ms,
                 "Cluster: how long a quorum write or read waits for the other replicas")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600000}));
  app.add_option("--anti-entropy-interval-ms", node_options.replication.anti_entropy_interval_ms,
                 "Cluster: compare hash trees with the next peer this often")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600000}));
  app.add_option("--sync-interval-ms", node_options.replication.sync_interval_ms,
                 "Cluster: the least a sync waits for its acknowledgement before it is resent "
                 "(the wait follows the measured round trip above this)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600000}));
  app.add_option("--sync-batch", node_options.replication.sync_batch_keys,
                 "Cluster: most keys in one node-to-node sync message")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--busy-poll-us", loop_options.busy_poll_us,
                 "After handling input, check for more this long (µs) before sleeping: lower "
                 "latency for a client in a request/reply loop, paid in CPU; 0 = off")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{0}, std::int64_t{1000000}));
  app.add_option("--conflict", conflict,
                 "How concurrent writes meet: siblings (keep them all) or lww (keep one, the "
                 "last in an order every replica computes alike: clock sum, clock, value)")
      ->capture_default_str()
      ->check(CLI::IsMember({"siblings", "lww"}));
  app.add_flag("--debug-no-replication", no_replication,
               "Testing only: never send versions to peers (shows the cluster checker failing)");
  app.add_flag("--debug-drop-concurrent-on-merge", node_options.conflict.debug_drop_concurrent_on_merge,
               "Testing only: a version merged from a peer replaces the concurrent stored ones "
               "(a broken merge rule the checkers must catch)");
  app.add_flag("--debug-lww-prefer-smaller", node_options.conflict.debug_lww_prefer_smaller,
               "Testing only: with --conflict lww, the smaller clock sum wins (a broken order the "
               "checkers must catch)");

  CommandLine result;
  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them so
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    std::ostringstream out, err;
    result.exit_status = app.exit(e, out, err);
    result.text_is_error = result.exit_status != 0;
    result.text = result.text_is_error ? err.str() : out.str();
    return result;
  }
  node_options.replication.enabled = !no_replication;
  node_options.conflict.mode = conflict == "lww" ? ConflictMode::kLww : ConflictMode::kSiblings;
  // The peers read with the same line limit: no node-to-node message is longer.
  node_options.replication.max_message_bytes = run.max_line_bytes;
  node_options.replication.max_output_backlog = loop_options.max_pending_output;
  run.log_level = *parse_log_level(log_level);
  result.options = std::move(run);
  return result;
}

}  // namespace vckv
