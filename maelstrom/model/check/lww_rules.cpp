// The lww mode (docs/protocol.md §13): a node keeps one version per key, the last in an order
// every replica computes alike, so an acknowledged write may be discarded in favour of a
// concurrent one that comes later in the order: expected, counted, not a loss.
#include <algorithm>

#include "model/check/mode_rules.hpp"
#include "vckv/store/conflict_rules.hpp"

namespace vckv::model {

namespace {

class LwwRules : public ModeRules {
 public:
  void check_versions(std::int64_t key, const std::string& node, const std::vector<StoredVersion>& versions,
                      CheckResult& r, const Noter& note) const override {
    if (versions.size() > 1) {
      note(r.multiple_versions, r.reasons,
           "several versions in lww mode: key " + std::to_string(key) + " on " + node + ": " +
               canonical_set(versions));
    }
    check_antichain(key, node, versions, r, note);
  }

  // On each node the write is the survivor (present), dominated by it (superseded), concurrent
  // with it (or of an equal clock) and earlier in the order (discarded), or else lost; the
  // worst of the nodes counts.
  bool check_acknowledged(const WriteRecord& w, const std::map<std::string, NodeState>& final_states, CheckResult& r,
                          const Noter& note, const WriteRecord* deleted_by) const override {
    // kKept: the survivor dominates it; kDeleted: nothing there, a delete dominating it reaped
    enum { kPresent, kKept, kDeleted, kDiscarded, kLost };
    int worst = kPresent;
    std::string lost_on, why;
    const VersionView wv{w.value, w.clock.slots()};
    for (const auto& [node, state] : final_states) {
      const auto it = state.find(w.key);
      int here = kLost;
      std::string survivor = "nothing";
      if (it != state.end() && it->second.size() == 1) {
        const StoredVersion& s = it->second.front();
        survivor = version_text(s);
        const VersionView sv{s.value, s.clock.slots()};
        if (s.value == w.value && s.clock.equals(w.clock)) {
          here = kPresent;
        } else if (s.clock.dominates(w.clock)) {
          here = kKept;
        } else if (!w.clock.dominates(s.clock) && lww_wins(sv, wv)) {
          here = kDiscarded;  // concurrent (or an equal clock) and later in the order
        }
      }
      if (here == kLost && deleted_by) here = kDeleted;
      if (here == kLost) {
        lost_on += (lost_on.empty() ? "" : ",") + node;
        why = survivor;
      }
      worst = std::max(worst, here);
    }
    if (worst == kLost) {
      note(r.lost, r.reasons,
           "lost: " + w.client + " wrote key " + std::to_string(w.key) + " = " + w.value + "@" +
               clock_text(w.clock) + " (acknowledged); on " + lost_on + " the survivor is " + why +
               ", which neither is it, dominates it, nor comes later in the lww order");
    } else if (worst == kDiscarded) {
      ++r.lww_discarded;
    } else if (worst == kDeleted) {
      ++r.deleted;
    } else if (worst == kKept) {
      ++r.superseded;
    } else {
      ++r.survived;
    }
    return worst == kLost;
  }
};

}  // namespace

const ModeRules& lww_rules() {
  static const LwwRules rules;
  return rules;
}

}  // namespace vckv::model
