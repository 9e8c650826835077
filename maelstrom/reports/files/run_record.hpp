// What a finished test run hands to its reports (results.json, the summary, the plots).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/check/checker.hpp"
#include "model/check/outcome.hpp"
#include "model/check/verdict.hpp"
#include "model/faults/fault.hpp"
#include "model/net/network.hpp"
#include "model/ring/placement.hpp"
#include "model/workload/operation.hpp"
#include "reports/files/final_state.hpp"
#include "reports/files/net_log.hpp"

namespace vckv::reports {

// What `vckv-harness test` was asked to do (results.json's "config").
struct TestConfig {
  std::string bin;
  std::string test_name;       // store/<test_name>/<time>/; empty: "kv-" + nemesis
  std::size_t node_count = 5;
  double time_limit_s = 30;
  double rate = 100;           // client requests per second, over all clients
  std::size_t concurrency = 10;
  double latency_ms = 0;       // mean node-to-node latency
  model::LatencyDist latency_dist = model::LatencyDist::kConstant;
  std::vector<model::FaultKind> faults;  // --nemesis
  double nemesis_interval_s = 5;
  std::size_t max_down = 1;    // nodes killed or paused at once
  double recovery_time_s = 5;
  std::uint64_t seed = 0;
  std::string store = "store";
  std::vector<std::string> node_args;
  // §15: every node keeps its store in <data_dir>/<id>/ (--data-dir), across its kills and
  // restarts; a disk-loss fault removes it. Empty: the nodes keep their stores in memory.
  std::string data_dir;
  model::ConflictMode conflict = model::ConflictMode::kSiblings;  // --conflict: passed to every node, checked
  // --clocks server (docs/protocol.md §17): every node gets --clocks=server, the clients send
  // dvv_update / dvv_get / dvv_delete, the first blind_writers of them (c1..cK) always with an
  // empty context, and the checker applies the dvv rules (conflict is then kDvv).
  bool server_clocks = false;
  std::size_t blind_writers = 0;
  std::vector<std::string> partition_shapes;  // --partition-shapes; empty: every shape
  // docs/protocol.md §14, passed to every node (--replicas=N, --vnodes=V) and known to the
  // checker; replicas 0: every node holds every key (and nothing is passed).
  std::size_t replicas = 0;
  std::size_t vnodes = 64;
  std::size_t keys = 10;
  double timeout_ms = 1000;
  double probe_interval_ms = 100;  // 0: no convergence probes during recovery
  double digest_interval_ms = 10;  // 0: no digest rounds (tree_roots) during recovery
  std::size_t read_concurrency = 16;  // probe and final reads in flight per node
  int final_read_attempts = 5;
  double progress_interval_s = 5;     // progress lines when stdout is not a terminal; 0: none
  std::size_t svg_max_messages = 3000;
  double svg_from_s = -1, svg_to_s = -1;  // a chosen window; -1: automatic
  std::size_t timeline_max_ops = 20000;
  double blind_write_fraction = 0.1;
  double other_node_fraction = 0.75;  // writes sent to another node than the one read
  double delete_share = 0;  // writes after a read that are deletes (--delete-share, §16)
  double init_timeout_s = 10;
  int stop_grace_ms = 2000;
  bool tty = false;  // stdout is a terminal: the progress line is rewritten in place
};

// How a node run ended: "exit 0 after SIGTERM", "killed by signal 9 (nemesis kill at 12.3 s)".
struct NodeExit {
  std::string node;
  std::string how;
  double cpu_s = 0;  // the process's CPU time, user + system
};

// One client request of the workload.
struct OpRecord {
  std::string client;
  std::string f;         // get, put, resolve, delete
  std::int64_t key = 0;
  std::string node;
  double invoke_s = 0;   // since the start of the run
  double latency_ms = 0; // to the reply, or to the timeout
  model::OpClass op_class = model::OpClass::kIndeterminate;
  std::string status;    // written, conflict, resolved, stale, ok, error 11, error 0 (timeout), timeout
  int siblings = -1;     // siblings read (get) or reported (conflict); -1 when none
};

// A reap a node logged (docs/protocol.md §16: "reaped key K tombstones [C, ...]").
struct ReapRecord {
  std::string node;
  std::string key;      // as JSON text
  std::string clocks;   // [[2], [0, 1]]
  std::string told_by;  // the replica whose notice reaped it; empty: the node's own round
  double at_s = 0;      // since the start of the run, when the harness read the line
};

// One convergence probe after the final heal: every key read from every node once.
struct ProbeRound {
  double start_s = 0;
  double end_s = 0;
  bool complete = false;            // every read answered
  std::size_t disagreeing_keys = 0; // keys whose sibling sets differ between nodes
  std::size_t keys_with_siblings = 0;  // keys with more than one sibling on some node
};

// One digest round after the final heal: every node asked for its trees' roots (tree_roots,
// docs/protocol.md §12), model/check/tree_roots.hpp.
struct DigestRound {
  double start_s = 0;
  double end_s = 0;
  bool complete = false;  // every node answered
  bool agree = false;     // complete, every pair's roots equal both ways, no hints
  std::string why;        // when complete and not agreeing: the first difference
};

struct RunRecord {
  TestConfig config;
  std::string test_name;
  std::string dir;
  std::vector<std::string> warnings;
  std::vector<OpRecord> ops;
  std::size_t acknowledged = 0, rejected = 0, indeterminate = 0;
  std::size_t deletes = 0, deletes_acknowledged = 0;  // of the writes, deletes (§16)
  // How each resurrected version came back, from net.jsonl (one line per node holding it).
  std::vector<std::string> resurrection_paths;
  std::vector<ReapRecord> reaps;  // in the order read
  std::uint64_t workload_requests = 0;
  std::vector<model::FaultPeriod> faults;  // times since the start of the run
  double workload_start_s = 0;
  std::optional<double> final_heal_s;
  std::optional<double> recovery_end_s;
  double ended_s = 0;
  std::vector<ProbeRound> rounds;
  std::vector<DigestRound> digest_rounds;
  // Set when a node answered tree_roots with error 10: no digest rounds, the probes time
  // convergence.
  std::string digest_unsupported;
  std::optional<double> last_node_delivery_s;
  std::size_t final_read_retries = 0;
  std::vector<KeySiblings> keys_with_siblings;  // in the final states
  std::optional<model::KeysPerNode> keys_per_node;  // in the final states
  std::vector<std::string> explanations;        // one line per key with siblings (the first few)
  std::optional<model::CheckResult> check;
  std::optional<std::pair<model::Verdict, std::string>> failure;
  std::vector<NodeExit> exits;
  std::uint64_t late_replies = 0;
  MessageStats messages;
  model::Verdict verdict = model::Verdict::kUnknown;
  std::vector<std::string> files;  // written into dir
  std::vector<std::string> notes;  // e.g. why plots are missing, which SVG window
  double peak_rss_mb = 0;
};

}  // namespace vckv::reports
