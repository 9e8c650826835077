// What one conflict mode promises about the final states: rules 2 and 3 of check()
// (checker.hpp). One implementation per mode: siblings_rules.cpp, lww_rules.cpp. A new mode (or
// a mode's new promise: tombstones, a key held only by its replicas) is a new implementation or
// a new method here, and a row in rules_for().
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "model/check/checker.hpp"

namespace vckv::model {

// Counts an anomaly and keeps its reason while there are few of this kind.
struct Noter {
  std::size_t max_per_kind;
  void operator()(std::size_t& counter, std::vector<std::string>& reasons, std::string reason) const {
    if (++counter <= max_per_kind) reasons.push_back(std::move(reason));
  }
};

class ModeRules {
 public:
  virtual ~ModeRules() = default;
  // Rule 2: one node's versions of one key.
  virtual void check_versions(std::int64_t key, const std::string& node, const std::vector<StoredVersion>& versions,
                              CheckResult& r, const Noter& note) const = 0;
  // Rule 3: one acknowledged write against every node's final state; counts it (survived,
  // superseded, lww_discarded, deleted or lost, with a reason). Returns whether it is lost.
  // `deleted_by`: a delete (not rejected) whose clock dominates w's, or null: where w is absent
  // and nothing present dominates it, that delete took it (reaped since), not a loss.
  virtual bool check_acknowledged(const WriteRecord& w, const std::map<std::string, NodeState>& final_states,
                                  CheckResult& r, const Noter& note, const WriteRecord* deleted_by) const = 0;
};

const ModeRules& siblings_rules();
const ModeRules& lww_rules();
const ModeRules& dvv_rules();
// Rules 9-11 (checker.hpp) over the history: the writes and every answered dvv_get.
void check_dvv_history(const std::vector<WriteRecord>& writes, const std::vector<ReadRecord>& reads,
                       CheckResult& r, const Noter& note);
// Rule 4 for server clocks: every final version was written, with its dot and version vector.
void check_dvv_final_versions(const std::vector<WriteRecord>& writes,
                              const std::map<std::string, NodeState>& final_states, CheckResult& r,
                              const Noter& note);
const ModeRules& rules_for(ConflictMode mode);

// Shared by the modes' rules.
// Rule 2 of siblings: no version's clock dominates another's (counts the first found).
void check_antichain(std::int64_t key, const std::string& node, const std::vector<StoredVersion>& versions,
                     CheckResult& r, const Noter& note);
// A node's versions of a key (empty when it holds none).
const std::vector<StoredVersion>& versions_on(const NodeState& state, std::int64_t key);

}  // namespace vckv::model
