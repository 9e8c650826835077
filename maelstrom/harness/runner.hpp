// One test run: start the nodes, drive the workload through the virtual network while the
// nemesis injects faults, heal, let the cluster recover, read everything back, check, report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "model/check/checker.hpp"
#include "model/check/verdict.hpp"
#include "model/faults/fault.hpp"
#include "model/net/network.hpp"
#include "model/net/partition.hpp"

namespace vckv::harness {

struct HarnessConfig {
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
  model::ConflictMode conflict = model::ConflictMode::kSiblings;  // --conflict: passed to every node, checked
  std::vector<std::string> partition_shapes;  // --partition-shapes; empty: every shape
  std::size_t keys = 10;
  double timeout_ms = 1000;
  double probe_interval_ms = 100;  // 0: no convergence probes during recovery
  std::size_t read_concurrency = 16;  // probe and final reads in flight per node
  int final_read_attempts = 5;
  double progress_interval_s = 5;     // progress lines when stdout is not a terminal; 0: none
  std::size_t svg_max_messages = 3000;
  double svg_from_s = -1, svg_to_s = -1;  // a chosen window; -1: automatic
  std::size_t timeline_max_ops = 20000;
  double blind_write_fraction = 0.1;
  double other_node_fraction = 0.75;  // writes sent to another node than the one read
  double init_timeout_s = 10;
  int stop_grace_ms = 2000;
  bool tty = false;  // stdout is a terminal: the progress line is rewritten in place
};

// "kv-" + the nemesis list with '+' between faults: kv-none, kv-partition, kv-kill+pause.
std::string default_test_name(const std::vector<model::FaultKind>& faults);

struct RunResult {
  model::Verdict verdict = model::Verdict::kUnknown;
  std::string store_dir;
  bool harness_error = false;  // the store could not be written: exit model::kExitHarnessError
};

// Runs the test, writes store/<test>/<time>/ and the latest links, prints progress and a
// summary to `out`.
RunResult run_test(const HarnessConfig& config, std::ostream& out);

}  // namespace vckv::harness
