#include "model/check/checker.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "model/check/mode_rules.hpp"
#include "vckv/store/conflict_rules.hpp"

namespace vckv::model {

namespace {

// A delete as reasons show it: its tombstone ("~@[2, 1]"; server clocks: its dot and context).
std::string deleted_text(const WriteRecord& del) {
  if (!del.dotted) return version_text(tombstone_version(del.clock));
  return "~ dot " + (del.dot.empty() ? std::string("(none)") : dot_text(del.dot)) + " context " +
         context_text(del.context);
}

std::vector<std::uint64_t> trimmed(const VectorClock& clock) {
  std::vector<std::uint64_t> slots = clock.slots();
  while (!slots.empty() && slots.back() == 0) slots.pop_back();
  return slots;
}

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
  add(misplaced, "misplaced");
  add(hints_left, "hints-left");
  add(tombstones_missing, "tombstone-missing");
  add(resurrected, "resurrected");
  add(duplicate_dots, "duplicate-dot");
  add(false_siblings, "false-sibling");
  add(writer_siblings, "several-siblings-per-writer");
  return out;
}

std::string canonical_set(const std::vector<StoredVersion>& siblings) {
  std::vector<std::string> items;
  for (const StoredVersion& v : siblings) {
    if (!v.dot.empty()) {
      items.push_back(version_text(v));
      continue;
    }
    items.push_back((v.tombstone ? std::string("~") : v.value) + "@" + clock_text(VectorClock(trimmed(v.clock))));
  }
  std::sort(items.begin(), items.end());
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ' ';
    out += item;
  }
  return out;
}

CheckResult check(const std::vector<WriteRecord>& writes,
                  const std::map<std::string, NodeState>& final_states,
                  const CheckOptions& options,
                  const std::map<std::string, NodeHints>& hints) {
  CheckResult r;
  const Noter note{options.max_reasons_per_kind};
  const ModeRules& rules = rules_for(options.mode);
  const bool dotted = options.mode == ConflictMode::kDvv;

  std::set<std::int64_t> keys;
  for (const WriteRecord& w : writes) keys.insert(w.key);
  for (const auto& [node, state] : final_states) {
    for (const auto& [key, siblings] : state) keys.insert(key);
  }
  r.keys_checked = keys.size();

  const Placement* ring =
      options.placement && !options.placement->every_node() ? options.placement : nullptr;
  std::vector<std::string> node_ids;
  for (const auto& [node, state] : final_states) node_ids.push_back(node);
  // With a ring: each key's replicas, and their states of it (a replica the caller did not
  // report holds nothing). Rules 1 and 3 look at these only.
  std::map<std::int64_t, std::map<std::string, NodeState>> replica_states;
  if (ring) {
    for (std::int64_t key : keys) {
      std::map<std::string, NodeState>& states = replica_states[key];
      for (const std::string& node : ring->replicas_of(key, node_ids)) {
        NodeState& state = states[node];
        auto it = final_states.find(node);
        if (it != final_states.end()) {
          const std::vector<StoredVersion>& versions = versions_on(it->second, key);
          if (!versions.empty()) state[key] = versions;
        }
      }
    }
  }

  // 1. Agreement, and 2. each node's versions as the mode promises; 5. (ring) nothing of a key
  // outside its replicas.
  for (std::int64_t key : keys) {
    std::map<std::string, std::vector<std::string>> nodes_by_set;
    for (const auto& [node, state] : final_states) {
      const std::vector<StoredVersion>& versions = versions_on(state, key);
      rules.check_versions(key, node, versions, r, note);
      if (ring && !ring->is_replica(node, key)) {
        if (!versions.empty()) {
          note(r.misplaced, r.reasons,
               "misplaced: key " + std::to_string(key) + ": " + node + " is not a replica (preference list " +
                   ring->preference_text(key) + ") but holds " + std::to_string(versions.size()) +
                   (versions.size() == 1 ? " version: " : " versions: ") + canonical_set(versions));
        }
      }
    }
    if (ring) {
      for (const auto& [node, state] : replica_states[key]) nodes_by_set[canonical_set(versions_on(state, key))].push_back(node);
    } else {
      for (const auto& [node, state] : final_states) nodes_by_set[canonical_set(versions_on(state, key))].push_back(node);
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

  // Deletes by key, in history order, for 3', 7 and 8.
  std::map<std::int64_t, std::vector<std::size_t>> deletes_of;
  for (std::size_t index = 0; index < writes.size(); ++index) {
    if (writes[index].tombstone) deletes_of[writes[index].key].push_back(index);
  }
  // Server clocks: every write by key, in history order.
  std::map<std::int64_t, std::vector<std::size_t>> writes_of;
  if (dotted) {
    for (std::size_t index = 0; index < writes.size(); ++index) writes_of[writes[index].key].push_back(index);
  }
  // A delete, not rejected, whose clock dominates w's (the first in the history), or null.
  // Server clocks: an update or delete, not rejected, whose context covers w's dot.
  auto deleted_by = [&](const WriteRecord& w) -> const WriteRecord* {
    if (dotted) {
      auto it = writes_of.find(w.key);
      if (it == writes_of.end() || w.dot.empty()) return nullptr;
      for (std::size_t d : it->second) {
        if (&writes[d] != &w && writes[d].outcome != WriteOutcome::kRejected && covers(writes[d].context, w.dot)) {
          return &writes[d];
        }
      }
      return nullptr;
    }
    auto it = deletes_of.find(w.key);
    if (it == deletes_of.end()) return nullptr;
    for (std::size_t d : it->second) {
      if (writes[d].outcome != WriteOutcome::kRejected && writes[d].clock.dominates(w.clock)) return &writes[d];
    }
    return nullptr;
  };

  // 3. Acknowledged writes survive as the mode promises, on every node (3': or were deleted).
  for (std::size_t index = 0; index < writes.size(); ++index) {
    const WriteRecord& w = writes[index];
    if (w.outcome != WriteOutcome::kAcknowledged || w.tombstone) continue;
    ++r.acknowledged;
    const WriteRecord* deleter = deleted_by(w);
    if (!ring) {
      if (rules.check_acknowledged(w, final_states, r, note, deleter)) r.lost_writes.push_back(index);
      continue;
    }
    const std::size_t reasons_before = r.reasons.size();
    if (rules.check_acknowledged(w, replica_states[w.key], r, note, deleter)) {
      r.lost_writes.push_back(index);
      if (r.reasons.size() > reasons_before) {
        r.reasons.back() += " (replicas of key " + std::to_string(w.key) + ": " + ring->preference_text(w.key) + ")";
      }
    }
  }

  // 4. Every final version was written, with its clock, and not rejected.
  if (dotted) check_dvv_final_versions(writes, final_states, r, note);
  std::unordered_map<std::string, const WriteRecord*> by_value;  // values are unique per write
  std::map<std::pair<std::int64_t, std::string>, const WriteRecord*> tombstones;  // (key, clock)
  for (const WriteRecord& w : writes) {
    if (w.tombstone) {
      // Two deletes of a key with one clock: the first one not rejected speaks for both.
      auto [it, fresh] = tombstones.emplace(std::make_pair(w.key, clock_text(VectorClock(trimmed(w.clock)))), &w);
      if (!fresh && it->second->outcome == WriteOutcome::kRejected) it->second = &w;
    } else {
      by_value.emplace(w.value, &w);
    }
  }
  std::set<std::string> reported;
  for (const auto& [node, state] : dotted ? std::map<std::string, NodeState>() : final_states) {
    for (const auto& [key, siblings] : state) {
      for (const StoredVersion& v : siblings) {
        const std::string where = "key " + std::to_string(key) + " " + version_text(v);
        if (!reported.insert(where).second) continue;  // count each version once, not per node
        if (v.tombstone) {
          auto t = tombstones.find(std::make_pair(key, clock_text(VectorClock(trimmed(v.clock)))));
          if (t == tombstones.end()) {
            note(r.phantom, r.reasons, "phantom: " + where + " on " + node + ": no client deleted key " +
                                           std::to_string(key) + " with that clock");
          } else if (t->second->outcome == WriteOutcome::kRejected) {
            note(r.rejected_present, r.reasons,
                 "rejected-but-present: " + where + " on " + node + ": the delete was rejected by the node");
          }
          continue;
        }
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

  // 7. An acknowledged delete's tombstone is held by every replica of its key, or by none.
  for (const auto& [key, indices] : deletes_of) {
    const std::map<std::string, NodeState>& states = ring ? replica_states[key] : final_states;
    for (std::size_t d : indices) {
      const WriteRecord& del = writes[d];
      if (del.outcome != WriteOutcome::kAcknowledged) continue;
      ++r.deletes_acknowledged;
      std::vector<std::string> holding, absent;
      for (const auto& [node, state] : states) {
        const std::vector<StoredVersion>& versions = versions_on(state, key);
        const VersionView tv{std::string_view(), del.clock.slots()};
        const bool held = std::any_of(versions.begin(), versions.end(), [&](const StoredVersion& v) {
          if (dotted) return (v.tombstone && v.dot == del.dot) || covers(v.version_vector, del.dot);
          if ((v.tombstone && v.clock.equals(del.clock)) || v.clock.dominates(del.clock)) return true;
          // lww: a concurrent survivor later in the order than the tombstone (§13, §16) stands
          // in for it, as it would for a write.
          return options.mode == ConflictMode::kLww && !del.clock.dominates(v.clock) &&
                 lww_wins(VersionView{v.value, v.clock.slots()}, tv);
        });
        (held ? holding : absent).push_back(node);
      }
      if (absent.empty()) {
        ++r.deletes_held;
      } else if (holding.empty()) {
        ++r.deletes_reaped;
      } else {
        auto names = [](const std::vector<std::string>& nodes) {
          std::string out;
          for (const std::string& n : nodes) out += (out.empty() ? "" : ",") + n;
          return out;
        };
        note(r.tombstones_missing, r.reasons,
             "tombstone missing: " + del.client + " deleted key " + std::to_string(key) + " with " +
                 deleted_text(del) + " (acknowledged): held by " + names(holding) +
                 " but neither present nor dominated on " + names(absent) +
                 " (a key is either held by every replica or reaped from all)" +
                 (ring ? " (replicas of key " + std::to_string(key) + ": " + ring->preference_text(key) + ")"
                       : std::string()));
      }
    }
  }

  // 8. Nothing an acknowledged tombstone dominates is present anywhere, in a store or a hint.
  {
    std::map<std::pair<std::int64_t, std::string>, std::size_t> found;  // (key, version) -> index
    auto record = [&](std::int64_t key, const StoredVersion& v, const std::string& node, const std::string* hint_for) {
      auto dels = deletes_of.find(key);
      if (dels == deletes_of.end()) return;
      for (std::size_t d : dels->second) {
        const WriteRecord& del = writes[d];
        if (del.outcome != WriteOutcome::kAcknowledged) continue;
        if (dotted ? !covers(del.context, v.dot) : !del.clock.dominates(v.clock)) continue;
        auto [it, fresh] = found.emplace(std::make_pair(key, version_text(v)), r.resurrections.size());
        if (fresh) r.resurrections.push_back(Resurrection{key, v, d, {}, {}});
        Resurrection& res = r.resurrections[it->second];
        if (hint_for) {
          res.hinted.push_back(node + " for " + *hint_for);
        } else {
          res.nodes.push_back(node);
        }
        return;
      }
    };
    for (const auto& [node, state] : final_states) {
      for (const auto& [key, versions] : state) {
        for (const StoredVersion& v : versions) record(key, v, node, nullptr);
      }
    }
    for (const auto& [node, by_key] : hints) {
      for (const auto& [key, held] : by_key) {
        for (const HeldHint& h : held) record(key, h.version, node, &h.for_node);
      }
    }
    for (const Resurrection& res : r.resurrections) {
      const WriteRecord& del = writes[res.tombstone];
      std::string where;
      for (const std::string& n : res.nodes) where += (where.empty() ? "" : ",") + n;
      for (const std::string& h : res.hinted) where += (where.empty() ? "hint on " : ", hint on ") + h;
      note(r.resurrected, r.reasons,
           "resurrected: key " + std::to_string(res.key) + " " + version_text(res.version) + " on " + where +
               ", but " + del.client + "'s acknowledged delete " + deleted_text(del) +
               (dotted ? " covers its dot" : " dominates it"));
    }
  }

  // 9-11. Server clocks: dots unique, no false siblings, one sibling per concurrent writer.
  if (dotted) check_dvv_history(writes, options.reads ? *options.reads : std::vector<ReadRecord>(), r, note);

  // 6. Every hint delivered and dropped.
  for (const auto& [node, by_key] : hints) {
    for (const auto& [key, held] : by_key) {
      for (const HeldHint& h : held) {
        note(r.hints_left, r.reasons,
             "hint left: key " + std::to_string(key) + ": " + node + " still holds " + version_text(h.version) +
                 " as a hint for " + h.for_node);
      }
    }
  }
  return r;
}

std::string version_text(const StoredVersion& v) {
  if (!v.dot.empty()) {
    return (v.tombstone ? std::string("~") : v.value) + " dot " + dot_text(v.dot) + " vv " +
           context_text(v.version_vector);
  }
  return (v.tombstone ? std::string("~") : v.value) + "@" + clock_text(v.clock);
}

const std::vector<StoredVersion>& versions_on(const NodeState& state, std::int64_t key) {
  static const std::vector<StoredVersion> kEmpty;
  auto it = state.find(key);
  return it == state.end() ? kEmpty : it->second;
}

void check_antichain(std::int64_t key, const std::string& node, const std::vector<StoredVersion>& versions,
                     CheckResult& r, const Noter& note) {
  for (const StoredVersion& a : versions) {
    const auto dominated = std::find_if(versions.begin(), versions.end(),
                                        [&](const StoredVersion& b) { return b.clock.dominates(a.clock); });
    if (dominated != versions.end()) {
      note(r.not_antichain, r.reasons,
           "not an antichain: key " + std::to_string(key) + " on " + node + ": " + version_text(*dominated) +
               " dominates " + version_text(a));
      return;
    }
  }
}

const ModeRules& rules_for(ConflictMode mode) {
  switch (mode) {
    case ConflictMode::kSiblings: return siblings_rules();
    case ConflictMode::kLww: return lww_rules();
    case ConflictMode::kDvv: return dvv_rules();
  }
  return siblings_rules();
}

}  // namespace vckv::model
