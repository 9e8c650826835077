// Digest rounds: during the recovery, every `interval` every node is asked for the roots of its
// hash trees (tree_roots, docs/protocol.md §12) and the answers compared
// (model/check/tree_roots.hpp). A round is a handful of small messages whatever the number of
// keys, so convergence is timed to about the interval, where a probe round (every key read from
// every node, sweep.hpp) takes longer the more keys there are. Driven by the runner's tick and
// next_wake; a round whose answers do not all come within the timeout ends incomplete.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "harness/cluster/cluster.hpp"
#include "model/check/tree_roots.hpp"
#include "reports/files/run_record.hpp"

namespace vckv::harness {

class DigestPoller {
 public:
  DigestPoller(Cluster& cluster, Micros interval, Micros timeout);

  // Starts a round when one is due and none is out (and ends one whose answers are overdue).
  void tick(Micros t);
  std::optional<Micros> next_wake() const;
  // No more rounds after the one out, if any (which still ends as its answers come).
  void stop() { stopped_ = true; }

  const std::vector<reports::DigestRound>& rounds() const { return state_->rounds; }
  // "n2 answered tree_roots with error 10 ..." once a node does not know the request; then
  // no more rounds are started.
  const std::string& unsupported() const { return state_->unsupported; }

 private:
  struct State {
    std::vector<reports::DigestRound> rounds;
    std::string unsupported;
    // The round out: its start and the answers so far (nullopt: no usable answer).
    bool out = false;
    Micros started = 0;
    std::size_t expected = 0;
    std::map<std::string, std::optional<model::NodeRoots>> answers;
  };
  static void finish(State& s, Micros t);

  Cluster& cluster_;
  Micros interval_, timeout_;
  Micros next_ = 0;
  bool stopped_ = false;
  // Shared with the requests' callbacks, which may outlive a round (a late answer is ignored).
  std::shared_ptr<State> state_ = std::make_shared<State>();
  std::uint64_t round_ = 0;
};

}  // namespace vckv::harness
