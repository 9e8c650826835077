// vclock-kv: CLI11 options -> a Node on the event loop -> exit status. The units register their
// own timers and hooks with the loop; main only wires input lines to the node.
#include <CLI/CLI.hpp>
#include <cstdint>
#include <iostream>
#include <string>

#include "vckv/node/node.hpp"
#include "vckv/runtime/event_loop.hpp"
#include "vckv/runtime/log.hpp"

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

int main(int argc, char** argv) {
  CLI::App app{"vclock-kv " VCKV_VERSION
               " - a Dynamo-style key-value node with vector clocks and siblings"};
  app.footer(kFooter);
  app.set_version_flag("--version", "vclock-kv " VCKV_VERSION);

  vckv::NodeOptions node_options;
  std::size_t max_line_bytes = 16u << 20;
  std::string log_level = "info";
  bool no_replication = false;
  vckv::EventLoopOptions loop_options;

  app.add_option("--max-siblings", node_options.max_siblings,
                 "A client write that would leave a key with more siblings is refused (error 22)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 32));
  app.add_option("--max-clock-entries", node_options.codec.max_clock_entries,
                 "Longest clock accepted (error 12 beyond)")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 24));
  app.add_option("--max-line-bytes", max_line_bytes,
                 "Longer input lines are skipped with a log line, never buffered whole")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{64}, std::size_t{1} << 40));
  app.add_option("--log-level", log_level, "Least severe log record written to stderr")
      ->capture_default_str()
      ->check(CLI::IsMember({"error", "warn", "info", "debug"}));
  app.add_option("--sync-interval-ms", node_options.replication.sync_interval_ms,
                 "Cluster: resend unacknowledged replication after this long (backs off to 8x)")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{3600000}));
  app.add_option("--forward-interval-ms", node_options.replication.forward_interval_ms,
                 "Cluster: pass versions merged from one peer on to the others this often")
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
  app.add_flag("--debug-no-replication", no_replication,
               "Testing only: never send versions to peers (shows the cluster checker failing)");

  CLI11_PARSE(app, argc, argv);

  node_options.replication.enabled = !no_replication;
  vckv::Logger log(std::cerr, *vckv::parse_log_level(log_level));
  vckv::EventLoop loop(loop_options, log);
  vckv::Node node(node_options, loop.output(), loop, log);
  vckv::LineFramer framer(
      max_line_bytes,
      [&](std::string_view line, std::uint64_t line_number) { node.handle_line(line, line_number); },
      [&](std::uint64_t line_number, std::uint64_t bytes) {
        log.warn("line " + std::to_string(line_number) + ": longer than --max-line-bytes (" +
                 std::to_string(bytes) + " bytes); skipped");
      });
  return loop.run([&](std::string_view bytes) { framer.feed(bytes); }, [&] { framer.finish(); });
}
