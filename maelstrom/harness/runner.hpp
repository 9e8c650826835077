// One test run: start the nodes, drive the workload through the virtual network while the
// nemesis cuts links, heal, let the cluster recover, read everything back, check, report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include "network.hpp"

namespace vckv::harness {

struct HarnessConfig {
  std::string bin;
  std::size_t node_count = 5;
  double time_limit_s = 30;
  double rate = 100;           // client requests per second, over all clients
  std::size_t concurrency = 10;
  double latency_ms = 0;       // mean node-to-node latency
  LatencyDist latency_dist = LatencyDist::kConstant;
  bool partitions = false;     // --nemesis partition
  double nemesis_interval_s = 5;
  double recovery_time_s = 5;
  std::uint64_t seed = 0;
  std::string store = "store";
  std::vector<std::string> node_args;
  std::size_t keys = 10;
  double timeout_ms = 1000;
  double probe_interval_ms = 100;  // 0: no convergence probes during recovery
  double blind_write_fraction = 0.1;
  double other_node_fraction = 0.75;  // writes sent to another node than the one read
  double init_timeout_s = 10;
  int stop_grace_ms = 2000;
};

enum class Verdict { kValid, kInvalid, kUnknown };

struct RunResult {
  Verdict verdict = Verdict::kUnknown;
  std::string store_dir;
};

inline int exit_status(Verdict v) { return v == Verdict::kValid ? 0 : v == Verdict::kInvalid ? 1 : 2; }

// Runs the test, writes store/<timestamp>/ and store/latest, prints a summary to `out`.
RunResult run_test(const HarnessConfig& config, std::ostream& out);

}  // namespace vckv::harness
