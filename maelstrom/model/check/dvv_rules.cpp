// Server-assigned clocks (docs/protocol.md §17): a version is a dot and a version vector, and a
// write supersedes exactly what the context it sent covers. So a node's versions of a key hold
// no version whose dot another's version vector covers (no false sibling), one dot names one
// value, an acknowledged update stays until a write whose context covered its dot replaced it,
// and a client that sends back the context it read never makes a sibling of its own write.
#include <algorithm>
#include <set>
#include <unordered_map>

#include "model/check/mode_rules.hpp"

namespace vckv::model {

bool covers(const Context& c, const DotId& dot) {
  if (dot.empty()) return false;
  auto it = c.find(dot.node);
  return it != c.end() && it->second >= dot.counter;
}

std::string context_text(const Context& c) {
  std::string out = "{";
  for (const auto& [node, counter] : c) {
    if (out.size() > 1) out += ", ";
    out += nlohmann::json(node).dump() + ": " + std::to_string(counter);
  }
  return out + "}";
}

std::string dot_text(const DotId& d) { return "[" + nlohmann::json(d.node).dump() + ", " + std::to_string(d.counter) + "]"; }

namespace {

// A context without its zero entries (a version vector is the context sent, zeros dropped).
Context without_zeros(const Context& c) {
  Context out;
  for (const auto& [node, counter] : c) {
    if (counter != 0) out.emplace(node, counter);
  }
  return out;
}

// A write as reasons show it: c1's update of key 3 to "c1-4" (dot ["n1", 2]).
std::string write_text(const WriteRecord& w) {
  std::string out = w.client + "'s " + (w.tombstone ? "delete" : "update") + " of key " + std::to_string(w.key);
  if (!w.tombstone) out += " to " + w.value;
  out += " with context " + context_text(w.context);
  if (!w.dot.empty()) out += " (dot " + dot_text(w.dot) + ")";
  return out;
}

// Rule 10 on one set of versions (a read or a node's final versions): the first false sibling.
void check_false_siblings(const std::string& where, const std::vector<StoredVersion>& versions, CheckResult& r,
                          const Noter& note) {
  for (const StoredVersion& a : versions) {
    for (const StoredVersion& b : versions) {
      if (&a == &b || !covers(b.version_vector, a.dot)) continue;
      note(r.false_siblings, r.reasons,
           "false sibling: " + where + ": " + version_text(b) + " covers the dot of " + version_text(a) +
               ", which should have gone");
      return;
    }
  }
}

class DvvRules : public ModeRules {
 public:
  void check_versions(std::int64_t key, const std::string& node, const std::vector<StoredVersion>& versions,
                      CheckResult& r, const Noter& note) const override {
    const std::string where = "key " + std::to_string(key) + " on " + node;
    check_false_siblings(where, versions, r, note);
    for (std::size_t i = 0; i < versions.size(); ++i) {
      for (std::size_t j = i + 1; j < versions.size(); ++j) {
        if (versions[i].dot.empty() || versions[i].dot != versions[j].dot) continue;
        note(r.duplicate_dots, r.reasons,
             "duplicate dot: " + where + " holds " + version_text(versions[i]) + " and " + version_text(versions[j]));
      }
    }
  }

  // On each replica: present (its dot, its value), or covered by a version's vector there
  // (superseded); else, if a write not rejected sent a context covering its dot, superseded by it
  // (reaped since, or itself superseded); else lost.
  bool check_acknowledged(const WriteRecord& w, const std::map<std::string, NodeState>& final_states, CheckResult& r,
                          const Noter& note, const WriteRecord* superseded_by) const override {
    bool everywhere = true;
    std::vector<std::string> lost_on;
    for (const auto& [node, state] : final_states) {
      const std::vector<StoredVersion>& versions = versions_on(state, w.key);
      const bool present = std::any_of(versions.begin(), versions.end(), [&](const StoredVersion& v) {
        return v.dot == w.dot && v.tombstone == w.tombstone && v.value == w.value;
      });
      if (present) continue;
      everywhere = false;
      const bool covered = std::any_of(versions.begin(), versions.end(),
                                       [&](const StoredVersion& v) { return covers(v.version_vector, w.dot); });
      if (!covered && !superseded_by) lost_on.push_back(node);
    }
    if (!lost_on.empty()) {
      std::string nodes;
      for (const std::string& n : lost_on) nodes += (nodes.empty() ? "" : ",") + n;
      note(r.lost, r.reasons,
           "lost: " + write_text(w) + " (acknowledged) is neither present nor covered on " + nodes +
               ", and no update or delete sent a context covering its dot");
      return true;
    }
    if (everywhere) {
      ++r.survived;
    } else if (superseded_by && superseded_by->tombstone) {
      ++r.deleted;
    } else {
      ++r.superseded;
    }
    return false;
  }
};

}  // namespace

const ModeRules& dvv_rules() {
  static const DvvRules rules;
  return rules;
}

void check_dvv_history(const std::vector<WriteRecord>& writes, const std::vector<ReadRecord>& reads, CheckResult& r,
                       const Noter& note) {
  // 9. Dots unique among acknowledged writes of a key.
  std::map<std::pair<std::int64_t, DotId>, const WriteRecord*> by_dot;
  std::unordered_map<std::string, const WriteRecord*> by_value;  // values are unique per write
  for (const WriteRecord& w : writes) {
    if (!w.tombstone) by_value.emplace(w.value, &w);
    if (w.outcome != WriteOutcome::kAcknowledged || w.dot.empty()) continue;
    auto [it, fresh] = by_dot.emplace(std::make_pair(w.key, w.dot), &w);
    if (!fresh) {
      note(r.duplicate_dots, r.reasons,
           "duplicate dot: " + write_text(*it->second) + " and " + write_text(w) + " were both acknowledged with dot " +
               dot_text(w.dot));
    }
  }
  // 9. One dot, one value, in every read: a version whose dot an acknowledged write got shows that
  // write's value, and one dot shows one value across all reads.
  std::map<std::pair<std::int64_t, DotId>, std::pair<std::string, std::string>> seen;  // -> (text, where)
  auto same_content = [](const StoredVersion& v, const std::string& text) {
    return (v.tombstone ? std::string("~") : v.value) == text;
  };
  for (std::size_t i = 0; i < reads.size(); ++i) {
    const ReadRecord& read = reads[i];
    ++r.reads_checked;
    r.max_read_siblings = std::max(r.max_read_siblings, read.versions.size());
    const std::string where = read.client + "'s read of key " + std::to_string(read.key) + " at " + read.node;
    for (const StoredVersion& v : read.versions) {
      if (v.dot.empty()) continue;
      const auto id = std::make_pair(read.key, v.dot);
      auto written = by_dot.find(id);
      if (written != by_dot.end() && !same_content(v, written->second->tombstone ? "~" : written->second->value)) {
        note(r.duplicate_dots, r.reasons,
             "duplicate dot: " + where + " shows " + version_text(v) + ", but " + write_text(*written->second) +
                 " was acknowledged with that dot");
        continue;
      }
      auto [it, fresh] = seen.emplace(id, std::make_pair(v.tombstone ? std::string("~") : v.value, where));
      if (!fresh && !same_content(v, it->second.first)) {
        note(r.duplicate_dots, r.reasons,
             "duplicate dot: " + where + " shows " + version_text(v) + ", but " + it->second.second + " showed " +
                 it->second.first + " with that dot");
      }
    }
    // 10. No false siblings.
    check_false_siblings(where, read.versions, r, note);
    // 11. At most one sibling per concurrent writer: two versions of one context-keeping client,
    // the later written with a context covering the earlier's dot, are one too many.
    std::map<std::string, std::vector<std::pair<const WriteRecord*, const StoredVersion*>>> by_client;
    for (const StoredVersion& v : read.versions) {
      if (v.tombstone) continue;  // tombstones carry no writer's name; their dots are checked above
      auto w = by_value.find(v.value);
      if (w == by_value.end() || w->second->blind_writer) continue;
      by_client[w->second->client].emplace_back(w->second, &v);
    }
    for (const auto& [client, mine] : by_client) {
      bool noted = false;
      for (const auto& [wa, va] : mine) {
        for (const auto& [wb, vb] : mine) {
          if (noted || wa == wb || !covers(wb->context, va->dot)) continue;
          note(r.writer_siblings, r.reasons,
               "several siblings per writer: " + where + " shows " + version_text(*va) + " and " + version_text(*vb) +
                   ", both " + client + "'s, but " + write_text(*wb) + " covered the first's dot");
          noted = true;
        }
      }
    }
  }
}

void check_dvv_final_versions(const std::vector<WriteRecord>& writes,
                              const std::map<std::string, NodeState>& final_states, CheckResult& r,
                              const Noter& note) {
  std::unordered_map<std::string, const WriteRecord*> by_value;
  std::map<std::int64_t, std::vector<const WriteRecord*>> deletes;
  for (const WriteRecord& w : writes) {
    if (w.tombstone) {
      deletes[w.key].push_back(&w);
    } else {
      by_value.emplace(w.value, &w);
    }
  }
  std::set<std::string> reported;
  for (const auto& [node, state] : final_states) {
    for (const auto& [key, versions] : state) {
      for (const StoredVersion& v : versions) {
        const std::string where = "key " + std::to_string(key) + " " + version_text(v);
        if (!reported.insert(where).second) continue;  // each version once, not per node
        if (v.tombstone) {
          // An acknowledged delete with its dot, or one not acknowledged with its context.
          const WriteRecord* match = nullptr;
          for (const WriteRecord* d : deletes[key]) {
            const bool same = d->outcome == WriteOutcome::kAcknowledged
                                  ? d->dot == v.dot
                                  : without_zeros(d->context) == v.version_vector;
            if (same && (!match || match->outcome == WriteOutcome::kRejected)) match = d;
          }
          if (!match) {
            note(r.phantom, r.reasons,
                 "phantom: " + where + " on " + node + ": no client deleted key " + std::to_string(key) +
                     " with that context (or got that dot)");
          } else if (match->outcome == WriteOutcome::kRejected) {
            note(r.rejected_present, r.reasons,
                 "rejected-but-present: " + where + " on " + node + ": the delete was rejected by the node");
          }
          continue;
        }
        auto it = by_value.find(v.value);
        if (it == by_value.end()) {
          note(r.phantom, r.reasons, "phantom: " + where + " on " + node + " was never written");
          continue;
        }
        const WriteRecord& w = *it->second;
        if (w.key != key || without_zeros(w.context) != v.version_vector ||
            (w.outcome == WriteOutcome::kAcknowledged && w.dot != v.dot)) {
          note(r.phantom, r.reasons,
               "phantom: " + where + " on " + node + " but it was written by " + write_text(w));
        } else if (w.outcome == WriteOutcome::kRejected) {
          note(r.rejected_present, r.reasons, "rejected-but-present: " + where + " on " + node + " was rejected by the node");
        }
      }
    }
  }
}

}  // namespace vckv::model
