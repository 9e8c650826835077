// A paced read of many keys from many nodes through the cluster: at most `in_flight` reads
// outstanding per node, each read retried up to `attempts` times (on a timeout or an error
// reply), so a slow but correct cluster is read completely instead of timing out wholesale.
// Used for the convergence probes (one attempt) and the final reads (several).
#pragma once

#include <cstddef>
#include <deque>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "harness/cluster/cluster.hpp"
#include "model/check/checker.hpp"
#include "reports/files/final_state.hpp"

namespace vckv::harness {

class ReadSweep {
 public:
  struct Options {
    std::size_t in_flight = 16;  // per node
    Micros timeout = 1'000'000;  // per attempt
    int attempts = 1;
    // Read with local_get (docs/protocol.md §14: the node's own versions and its hints, never
    // forwarded) instead of kv_get. A node answering error 10 (it has no local_get) fails the
    // run, verdict unknown, saying so.
    bool local = false;
    // The read when not local: kv_get, or dvv_get with server clocks (§17).
    std::string get_type = "kv_get";
  };

  ReadSweep(Cluster& cluster, std::vector<std::string> nodes, std::vector<nlohmann::json> keys, Options options);
  ~ReadSweep();  // forgets its reads still waiting
  ReadSweep(const ReadSweep&) = delete;
  ReadSweep& operator=(const ReadSweep&) = delete;

  // Sends the first reads; the cluster's loop does the rest. Run it until done().
  void start();
  bool done() const { return settled_ == total_; }
  std::size_t total() const { return total_; }
  std::size_t settled() const { return settled_; }
  std::size_t retries() const { return retries_; }

  const reports::ReadStates& states() const { return states_; }
  // With Options::local: the hints each node holds (keys without hints absent).
  const reports::HintStates& hints() const { return hints_; }
  // Reads that failed every attempt, e.g. "key 3 on n2: timed out (5 attempts)".
  const std::vector<std::string>& failures() const { return failures_; }

 private:
  struct Read {
    std::string node;
    nlohmann::json key;
    int attempts_left;
  };
  void issue(const std::string& node);
  void send(Read read);

  Cluster& cluster_;
  Options options_;
  std::map<std::string, std::deque<Read>> queued_;  // per node
  std::map<std::string, std::size_t> outstanding_;
  std::size_t total_ = 0, settled_ = 0, retries_ = 0;
  reports::ReadStates states_;
  reports::HintStates hints_;
  std::vector<std::string> failures_;
};

}  // namespace vckv::harness
