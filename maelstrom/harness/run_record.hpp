// What a finished test run hands to its reports (results.json, the summary, the plots).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "harness/cluster.hpp"
#include "harness/final_state.hpp"
#include "harness/journal.hpp"
#include "harness/runner.hpp"
#include "model/check/checker.hpp"
#include "model/check/outcome.hpp"
#include "model/faults/fault.hpp"
#include "model/workload/operation.hpp"

namespace vckv::harness {

// One client request of the workload.
struct OpRecord {
  std::string client;
  std::string f;         // get, put, resolve
  std::int64_t key = 0;
  std::string node;
  double invoke_s = 0;   // since the start of the run
  double latency_ms = 0; // to the reply, or to the timeout
  model::OpClass op_class = model::OpClass::kIndeterminate;
  std::string status;    // written, conflict, resolved, stale, ok, error 11, error 0 (timeout), timeout
  int siblings = -1;     // siblings read (get) or reported (conflict); -1 when none
};

// One convergence probe after the final heal: every key read from every node once.
struct ProbeRound {
  double start_s = 0;
  double end_s = 0;
  bool complete = false;            // every read answered
  std::size_t disagreeing_keys = 0; // keys whose sibling sets differ between nodes
  std::size_t keys_with_siblings = 0;  // keys with more than one sibling on some node
};

struct RunRecord {
  HarnessConfig config;
  std::string test_name;
  std::string dir;
  std::vector<std::string> warnings;
  std::vector<OpRecord> ops;
  std::size_t acknowledged = 0, rejected = 0, indeterminate = 0;
  std::uint64_t workload_requests = 0;
  std::vector<model::FaultPeriod> faults;  // times since the start of the run
  double workload_start_s = 0;
  std::optional<double> final_heal_s;
  std::optional<double> recovery_end_s;
  double ended_s = 0;
  std::vector<ProbeRound> rounds;
  std::optional<double> last_node_delivery_s;
  std::size_t final_read_retries = 0;
  std::vector<KeySiblings> keys_with_siblings;  // in the final states
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

}  // namespace vckv::harness
