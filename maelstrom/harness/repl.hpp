// `vckv-harness repl`: N real nodes behind the simulated network, driven by commands read
// from stdin, one per line; what comes back is printed on stdout. Works in a pipe too (the
// commands are then echoed, so the output is a transcript). The session is recorded like a run
// (history, net.jsonl, messages.svg, timeline.html, final-state.json) in <store>/repl/<time>/.
//
//   put NODE KEY VALUE CLOCK      kv_put, e.g. put n1 x v1 [1,0]
//   resolve NODE KEY VALUE CLOCK  kv_resolve
//   delete NODE KEY CLOCK         kv_delete (a tombstone, docs/protocol.md §16)
//   get NODE KEY                  kv_get
//   partition A B | C [| ...]     cut the links between the groups (nodes not named hear all)
//   heal                          restore every link
//   kill NODE / restart NODE      SIGKILL; start it again, empty, and init it
//   pause NODE / resume NODE      SIGSTOP / SIGCONT (messages to it wait)
//   wait DURATION                 let the cluster run: 500ms, 2s, 1.5s (a bare number is ms)
//   state [KEY ...]               every node's siblings of these keys (default: every key used)
//   help, quit
// KEY: 3 is an integer key, x or "x" a string key. VALUE: JSON (42, "s", {"a":1}) or a bare
// word (v1 is "v1"). CLOCK: a JSON array of non-negative integers.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/net/network.hpp"
#include "model/net/partition.hpp"

namespace vckv::harness {

struct ReplOptions {
  std::string bin;
  std::size_t node_count = 3;
  double latency_ms = 10;
  std::string latency_dist = "constant";
  std::vector<std::string> node_args;
  std::string data_dir;  // --data-dir: each node's store in <data_dir>/<id>/, kept across restarts
  std::string store = "store";
  double timeout_ms = 1000;
  std::uint64_t seed = 0;
  std::string echo = "auto";  // auto (when stdin is not a terminal), on, off
};

int run_repl(const ReplOptions& options);

// ---- parsing, pure, for tests ----

enum class ReplVerb { kNothing, kPut, kResolve, kDelete, kGet, kPartition, kHeal, kKill, kRestart, kPause, kResume,
                      kWait, kState, kHelp, kQuit };

struct ReplCommand {
  ReplVerb verb = ReplVerb::kNothing;
  std::string node;
  nlohmann::json key;    // put, resolve, delete, get
  nlohmann::json value;  // put, resolve
  nlohmann::json clock;  // put, resolve, delete
  std::vector<std::vector<std::string>> groups;  // partition
  double wait_ms = 0;
  std::vector<nlohmann::json> keys;  // state
};

struct ReplParse {
  std::optional<ReplCommand> command;
  std::string error;  // when command is empty
};

// Splits on spaces, keeping quoted strings and bracketed JSON ([1, 0], {"a": 1}) whole.
std::optional<std::vector<std::string>> repl_tokens(const std::string& line, std::string& error);
// One line; blank lines and # comments are kNothing.
ReplParse parse_repl_line(const std::string& line, const std::vector<std::string>& nodes);
// "500ms", "2s", "1.5s", "250" (ms).
std::optional<double> parse_duration_ms(const std::string& text);
// KEY as typed: 3 -> 3, x -> "x", "3" -> "3".
nlohmann::json parse_repl_key(const std::string& token);

// What the repl prints for a reply, e.g. `n1: written`, `n2: key "x": 2 siblings: "a" [1, 0] | "b" [0, 1]`,
// `n2: key "x": 1 sibling: "a" [1, 0] | deleted [0, 1]` (a tombstone).
std::string describe_reply(const std::string& node, const ReplCommand& cmd, const nlohmann::json* reply,
                           double timeout_ms);

extern const char* const kReplHelp;

}  // namespace vckv::harness
