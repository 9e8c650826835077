#include "checker.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "vckv/store/conflict_rules.hpp"

namespace vckv::harness {

namespace {

std::vector<std::uint64_t> trimmed(const VectorClock& clock) {
  std::vector<std::uint64_t> slots = clock.slots();
  while (!slots.empty() && slots.back() == 0) slots.pop_back();
  return slots;
}

std::string render(const StoredVersion& v) { return v.value + "@" + clock_text(v.clock); }

// Counts an anomaly and keeps its reason while there are few of this kind.
struct Noter {
  std::size_t max_per_kind;
  void operator()(std::size_t& counter, std::vector<std::string>& reasons, std::string reason) const {
    if (++counter <= max_per_kind) reasons.push_back(std::move(reason));
  }
};

}  // namespace

std::string CheckResult::summary() const {
  std::string out;
  auto add = [&](std::size_t n, const char* what) {
    if (n == 0) return;
    if (!out.empty()) out += ", ";
    out += std::string(what) + " " + std::to_string(n);
  };
  add(lost, "lost");
  add(diverged, "diverged");
  add(not_antichain, "not-antichain");
  add(phantom, "phantom");
  add(rejected_present, "rejected-but-present");
  add(multiple_versions, "several-versions-in-lww");
  return out;
}

std::string canonical_set(const std::vector<StoredVersion>& siblings) {
  std::vector<std::string> items;
  for (const StoredVersion& v : siblings) {
    items.push_back(v.value + "@" + clock_text(VectorClock(trimmed(v.clock))));
  }
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ' ';
    out += item;
  }
  return out;
}

namespace {

// Rule 3 in lww mode for one acknowledged write.
// Returns whether the write is lost.
template <typename Note>
bool check_lww_write(const WriteRecord& w, const std::map<std::string, NodeState>& final_states,
                     CheckResult& r, const Note& note) {
  enum { kPresent, kKept, kDiscarded, kLost };  // kKept: the survivor dominates it
  int worst = kPresent;
  std::string lost_on, why;
  const VersionView wv{w.value, w.clock.slots()};
  for (const auto& [node, state] : final_states) {
    const auto it = state.find(w.key);
    int here = kLost;
    std::string survivor = "nothing";
    if (it != state.end() && it->second.size() == 1) {
      const StoredVersion& s = it->second.front();
      survivor = s.value + "@" + clock_text(s.clock);
      const VersionView sv{s.value, s.clock.slots()};
      if (s.value == w.value && s.clock.equals(w.clock)) {
        here = kPresent;
      } else if (s.clock.dominates(w.clock)) {
        here = kKept;
      } else if (!w.clock.dominates(s.clock) && lww_wins(sv, wv)) {
        here = kDiscarded;  // concurrent (or an equal clock) and later in the order
      }
    }
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
  } else if (worst == kKept) {
    ++r.superseded;
  } else {
    ++r.survived;
  }
  return worst == kLost;
}

}  // namespace

CheckResult check(const std::vector<WriteRecord>& writes,
                  const std::map<std::string, NodeState>& final_states,
                  const CheckOptions& options) {
  CheckResult r;
  const Noter note{options.max_reasons_per_kind};
  static const std::vector<StoredVersion> kEmpty;
  auto siblings_on = [&](const NodeState& state, std::int64_t key) -> const std::vector<StoredVersion>& {
    auto it = state.find(key);
    return it == state.end() ? kEmpty : it->second;
  };

  std::set<std::int64_t> keys;
  for (const WriteRecord& w : writes) keys.insert(w.key);
  for (const auto& [node, state] : final_states) {
    for (const auto& [key, siblings] : state) keys.insert(key);
  }
  r.keys_checked = keys.size();

  // 1. Agreement, and 2. antichains.
  for (std::int64_t key : keys) {
    std::map<std::string, std::vector<std::string>> nodes_by_set;
    for (const auto& [node, state] : final_states) {
      const std::vector<StoredVersion>& siblings = siblings_on(state, key);
      nodes_by_set[canonical_set(siblings)].push_back(node);
      if (options.mode == ConflictMode::kLww && siblings.size() > 1) {
        note(r.multiple_versions, r.reasons,
             "several versions in lww mode: key " + std::to_string(key) + " on " + node + ": " +
                 canonical_set(siblings));
      }
      for (const StoredVersion& a : siblings) {
        const auto dominated = std::find_if(siblings.begin(), siblings.end(), [&](const StoredVersion& b) {
          return b.clock.dominates(a.clock);
        });
        if (dominated != siblings.end()) {
          note(r.not_antichain, r.reasons,
               "not an antichain: key " + std::to_string(key) + " on " + node + ": " +
                   render(*dominated) + " dominates " + render(a));
          break;
        }
      }
    }
    if (nodes_by_set.size() > 1) {
      std::string detail;
      for (const auto& [set, nodes] : nodes_by_set) {
        std::string names;
        for (const std::string& n : nodes) names += (names.empty() ? "" : ",") + n;
        detail += " [" + names + ": {" + set + "}]";
      }
      note(r.diverged, r.reasons, "diverged: key " + std::to_string(key) + ":" + detail);
    }
  }

  // 3. Acknowledged writes survive or are superseded, on every node (lww: or are discarded by
  //    the order, in favour of a concurrent write that comes later in it).
  for (std::size_t index = 0; index < writes.size(); ++index) {
    const WriteRecord& w = writes[index];
    if (w.outcome != WriteOutcome::kAcknowledged) continue;
    ++r.acknowledged;
    if (options.mode == ConflictMode::kLww) {
      if (check_lww_write(w, final_states, r, note)) r.lost_writes.push_back(index);
      continue;
    }
    bool everywhere = true;
    std::vector<std::string> lost_on;
    for (const auto& [node, state] : final_states) {
      const std::vector<StoredVersion>& siblings = siblings_on(state, w.key);
      const bool present = std::any_of(siblings.begin(), siblings.end(), [&](const StoredVersion& v) {
        return v.value == w.value && v.clock.equals(w.clock);
      });
      if (present) continue;
      everywhere = false;
      const bool dominated = std::any_of(siblings.begin(), siblings.end(), [&](const StoredVersion& v) {
        return v.clock.dominates(w.clock);
      });
      if (!dominated) lost_on.push_back(node);
    }
    if (!lost_on.empty()) {
      r.lost_writes.push_back(index);
      std::string nodes;
      for (const std::string& n : lost_on) nodes += (nodes.empty() ? "" : ",") + n;
      note(r.lost, r.reasons,
           "lost: " + w.client + " wrote key " + std::to_string(w.key) + " = " + w.value + "@" +
               clock_text(w.clock) + " (acknowledged), neither present nor dominated on " + nodes);
    } else if (everywhere) {
      ++r.survived;
    } else {
      ++r.superseded;
    }
  }

  // 4. Every final version was written, with its clock, and not rejected.
  std::unordered_map<std::string, const WriteRecord*> by_value;  // values are unique per write
  for (const WriteRecord& w : writes) by_value.emplace(w.value, &w);
  std::set<std::string> reported;
  for (const auto& [node, state] : final_states) {
    for (const auto& [key, siblings] : state) {
      for (const StoredVersion& v : siblings) {
        const std::string where = "key " + std::to_string(key) + " " + render(v);
        if (!reported.insert(where).second) continue;  // count each version once, not per node
        auto it = by_value.find(v.value);
        if (it == by_value.end()) {
          note(r.phantom, r.reasons, "phantom: " + where + " on " + node + " was never written");
        } else if (it->second->key != key || !it->second->clock.equals(v.clock)) {
          note(r.phantom, r.reasons,
               "phantom: " + where + " on " + node + " but it was written to key " +
                   std::to_string(it->second->key) + " with clock " +
                   clock_text(it->second->clock));
        } else if (it->second->outcome == WriteOutcome::kRejected) {
          note(r.rejected_present, r.reasons,
               "rejected-but-present: " + where + " on " + node + " was rejected by the node");
        }
      }
    }
  }
  return r;
}

}  // namespace vckv::harness
