// The siblings mode (docs/protocol.md §7-11): every concurrent write is kept, so a node's
// versions of a key are an antichain and an acknowledged write stays until a write that saw it
// dominates it.
#include <algorithm>

#include "model/check/mode_rules.hpp"

namespace vckv::model {

namespace {

class SiblingsRules : public ModeRules {
 public:
  void check_versions(std::int64_t key, const std::string& node, const std::vector<StoredVersion>& versions,
                      CheckResult& r, const Noter& note) const override {
    check_antichain(key, node, versions, r, note);
  }

  bool check_acknowledged(const WriteRecord& w, const std::map<std::string, NodeState>& final_states, CheckResult& r,
                          const Noter& note, const WriteRecord* deleted_by) const override {
    bool everywhere = true;
    bool deleted = false;
    std::vector<std::string> lost_on;
    for (const auto& [node, state] : final_states) {
      const std::vector<StoredVersion>& versions = versions_on(state, w.key);
      const bool present = std::any_of(versions.begin(), versions.end(), [&](const StoredVersion& v) {
        return v.value == w.value && v.clock.equals(w.clock);
      });
      if (present) continue;
      everywhere = false;
      const bool dominated = std::any_of(versions.begin(), versions.end(),
                                         [&](const StoredVersion& v) { return v.clock.dominates(w.clock); });
      if (dominated) continue;
      if (deleted_by) {
        deleted = true;  // a delete dominating it was applied here and reaped since
      } else {
        lost_on.push_back(node);
      }
    }
    if (!lost_on.empty()) {
      std::string nodes;
      for (const std::string& n : lost_on) nodes += (nodes.empty() ? "" : ",") + n;
      note(r.lost, r.reasons,
           "lost: " + w.client + " wrote key " + std::to_string(w.key) + " = " + w.value + "@" + clock_text(w.clock) +
               " (acknowledged), neither present nor dominated on " + nodes);
      return true;
    }
    ++(everywhere ? r.survived : deleted ? r.deleted : r.superseded);
    return false;
  }
};

}  // namespace

const ModeRules& siblings_rules() {
  static const SiblingsRules rules;
  return rules;
}

}  // namespace vckv::model
