#include "reports/explain.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "model/clock_text.hpp"

namespace vckv::reports {

namespace {

std::string sec(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f s", ms / 1000);
  return buf;
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

// "\"c1-3\" [1, 0]"; a tombstone (§16) "~ [2, 1]".
std::string version(const model::StoredVersion& v) {
  return (v.tombstone ? std::string("~") : v.value) + " " + model::clock_text(v.clock);
}
std::string write_text(const ExplainWrite& w) {
  return (w.tombstone ? std::string("~") : w.value) + " " + model::clock_text(w.clock);
}

std::string versions(const std::vector<model::StoredVersion>& vs) {
  if (vs.empty()) return "nothing";
  std::string out;
  for (const model::StoredVersion& v : vs) out += (out.empty() ? "" : " | ") + version(v);
  return out;
}

bool same_version(const model::StoredVersion& a, const model::StoredVersion& b) {
  return a.tombstone == b.tombstone && a.value == b.value && a.clock.equals(b.clock);
}

// The final versions over all nodes, each once, with the nodes holding it.
struct FinalVersion {
  model::StoredVersion v;
  std::vector<std::string> nodes;
};

std::vector<FinalVersion> final_versions(const KeyStory& s) {
  std::vector<FinalVersion> out;
  for (const auto& [node, siblings] : s.final_by_node) {
    for (const model::StoredVersion& v : siblings) {
      auto it = std::find_if(out.begin(), out.end(), [&](const FinalVersion& f) { return same_version(f.v, v); });
      if (it == out.end()) {
        out.push_back({v, {node}});
      } else {
        it->nodes.push_back(node);
      }
    }
  }
  return out;
}

const ExplainWrite* writer_of(const KeyStory& s, const model::StoredVersion& v) {
  for (const ExplainWrite& w : s.writes) {
    if (w.tombstone == v.tombstone && w.value == v.value && w.clock.equals(v.clock)) return &w;
  }
  return nullptr;
}

bool acknowledged(const ExplainWrite& w) { return w.outcome == "ok" || w.outcome == "conflict"; }

// The first delete of the key (not refused) whose clock dominates `clock`; acknowledged only, or
// any that may have taken effect.
const ExplainWrite* delete_over(const KeyStory& s, const model::VectorClock& clock, bool only_acknowledged = false) {
  for (const ExplainWrite& w : s.writes) {
    if (!w.tombstone || !w.clock.dominates(clock)) continue;
    if (only_acknowledged ? acknowledged(w) : (acknowledged(w) || w.outcome == "indeterminate")) return &w;
  }
  return nullptr;
}
const ExplainWrite* acknowledged_delete_over(const KeyStory& s, const model::VectorClock& clock) {
  return delete_over(s, clock, true);
}

std::string origin(const ExplainWrite& w) {
  std::string out = "kv_" + w.f + " by " + w.client + " via " + w.node + ", invoked " + sec(w.invoke_ms) + ", ";
  if (acknowledged(w)) {
    out += "acknowledged " + sec(w.complete_ms) + " (" + w.status + ")";
  } else if (w.outcome == "indeterminate") {
    out += "indeterminate (" + w.status + " at " + sec(w.complete_ms) + "): it took effect anyway";
  } else {
    out += "answered " + w.status + " at " + sec(w.complete_ms);
  }
  return out;
}

// Did `f` stand between nodes a and b (a partition with them on different sides, or one of them
// killed or paused) at some time in [from, to]?
std::optional<std::string> fault_between(const ExplainContext& ctx, const std::string& a, const std::string& b,
                                         double from, double to) {
  for (const ViewFault& f : ctx.faults) {
    if (f.end_ms < from || f.start_ms > to) continue;
    char span[64];
    std::snprintf(span, sizeof span, " (%.3f-%.3f s)", f.start_ms / 1000, f.end_ms / 1000);
    const std::string when = span;
    if (f.kind == "partition" || f.kind == "replica-loss") {
      if (a == b) continue;
      if (f.components.empty()) return f.description + when;  // a ring: sides are per node
      int side_a = -1, side_b = -1;
      for (std::size_t i = 0; i < f.components.size(); ++i) {
        for (const std::string& n : f.components[i]) {
          if (n == a) side_a = static_cast<int>(i);
          if (n == b) side_b = static_cast<int>(i);
        }
      }
      if (side_a >= 0 && side_b >= 0 && side_a != side_b) {
        return a + " and " + b + " were on different sides of " + f.description + when;
      }
    } else {
      for (const std::string& n : f.nodes) {
        if (n == a || n == b) {
          return n + " was " +
                 (f.kind == "kill"        ? "killed (and restarted empty)"
                  : f.kind == "disk-loss" ? "killed, lost its data directory and restarted empty"
                                          : "paused") +
                 when;
        }
      }
    }
  }
  return std::nullopt;
}

// Why the writer of `later` did not see `seen` (which its clock does not descend).
std::string why_unseen(const ExplainWrite& later, const std::string& later_name, const ExplainWrite& seen,
                       const std::string& seen_name, const ExplainContext& ctx) {
  const double seen_at = acknowledged(seen) ? seen.complete_ms : seen.invoke_ms;
  if (later.blind) {
    return later_name + " was a blind write by " + later.client + " (no read first), so it carried only its own slot";
  }
  if (!later.basis) {
    // No read recorded: a clock given by hand (the repl). What stood between the two writes?
    std::string out = "no read is recorded behind " + later_name + " (its clock was given as is)";
    if (later.invoke_ms < seen_at) return out + "; it was written before " + seen_name + " was acknowledged";
    if (auto f = fault_between(ctx, seen.node, later.node, seen_at, later.invoke_ms)) {
      return out + "; when it was written, " + *f;
    }
    return out;
  }
  const ExplainRead& r = *later.basis;
  if (r.complete_ms < seen.invoke_ms) {
    return later.client + " read " + r.node + " at " + sec(r.complete_ms) + ", before " + seen_name +
           " was even sent (" + sec(seen.invoke_ms) + ")";
  }
  if (r.complete_ms < seen_at) {
    return later.client + " read " + r.node + " at " + sec(r.complete_ms) + ", while " + seen_name +
           " was being written (acknowledged " + sec(seen_at) + ")";
  }
  const std::string read = later.client + " read " + r.node + " at " + sec(r.complete_ms) + ", " +
                           ms_text(r.complete_ms - seen_at) + " after " + seen.node + " acknowledged " + seen_name;
  if (auto f = fault_between(ctx, seen.node, r.node, seen_at, r.complete_ms)) return read + ", but " + *f;
  if (seen.node == r.node) return read + " on that very node, which no longer returned it";
  return read + ": replication from " + seen.node + " had not reached " + r.node + " yet";
}

std::string pair_story(const ExplainWrite& a, const std::string& an, const ExplainWrite& b, const std::string& bn,
                       const ExplainContext& ctx, bool one_line) {
  std::vector<std::string> a_ahead, b_ahead;
  const std::size_t n = std::max(a.clock.slots().size(), b.clock.slots().size());
  for (std::size_t i = 0; i < n; ++i) {
    if (a.clock.at(i) > b.clock.at(i)) {
      a_ahead.push_back(slot_name(i, ctx) + " (" + std::to_string(a.clock.at(i)) + " > " + std::to_string(b.clock.at(i)) + ")");
    } else if (b.clock.at(i) > a.clock.at(i)) {
      b_ahead.push_back(slot_name(i, ctx) + " (" + std::to_string(b.clock.at(i)) + " > " + std::to_string(a.clock.at(i)) + ")");
    }
  }
  auto list = [](const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
    return out;
  };
  std::string out;
  if (a_ahead.empty() || b_ahead.empty()) {
    out = an + " and " + bn + " have clocks that are not concurrent (" + model::clock_text(a.clock) + ", " +
          model::clock_text(b.clock) + "): they should not both remain";
    return out;
  }
  if (one_line) {
    std::string slots;
    for (std::size_t i = 0; i < n; ++i) {
      if (a.clock.at(i) != b.clock.at(i)) slots += (slots.empty() ? "" : ", ") + slot_name(i, ctx);
    }
    return "concurrent (they differ in " + slots + "); " + why_unseen(b, bn, a, an, ctx);
  }
  out = an + " || " + bn + ": " + an + " is ahead in " + list(a_ahead) + "; " + bn + " is ahead in " + list(b_ahead) +
        ".\n      " + bn + " does not descend " + an + ": " + why_unseen(b, bn, a, an, ctx) + ".\n      " + an +
        " does not descend " + bn + ": " + why_unseen(a, an, b, bn, ctx) + ".";
  return out;
}

}  // namespace

std::string slot_name(std::size_t slot, const ExplainContext& ctx) {
  if (slot < ctx.client_slots) return "c" + std::to_string(slot + 1);
  return "slot " + std::to_string(slot);
}

std::string explain_key(const KeyStory& s, const ExplainContext& ctx) {
  const std::vector<FinalVersion> finals = final_versions(s);
  std::set<std::string> sets;
  for (const auto& [node, siblings] : s.final_by_node) sets.insert(model::canonical_set(siblings));
  std::string out = "key " + s.key + ": ";
  if (s.final_by_node.empty()) return out + "no final state was read\n";
  std::size_t deletes = 0;
  for (const ExplainWrite& w : s.writes) deletes += w.tombstone && acknowledged(w);
  if (sets.size() == 1 && s.final_by_node.begin()->second.empty()) {
    out += "no node holds a value (" + std::to_string(s.final_by_node.size()) + " nodes read)" +
           (deletes ? ": deleted and reaped\n" : "\n");
  } else if (sets.size() == 1) {
    const std::size_t n = s.final_by_node.begin()->second.size();
    out += std::to_string(n) + (n == 1 ? " sibling" : " siblings") + " on every node (" +
           std::to_string(s.final_by_node.size()) + " nodes agree)\n";
  } else {
    out += "the nodes DISAGREE:\n";
    for (const auto& [node, siblings] : s.final_by_node) out += "    " + node + ": " + versions(siblings) + "\n";
  }
  std::size_t acked = 0;
  for (const ExplainWrite& w : s.writes) acked += acknowledged(w);
  out += "  " + std::to_string(s.writes.size()) + " writes to this key in the history, " + std::to_string(acked) +
         " acknowledged" + (deletes ? " (" + std::to_string(deletes) + " of them deletes)" : std::string()) + ".\n";

  std::vector<std::pair<std::string, const ExplainWrite*>> named;
  for (std::size_t i = 0; i < finals.size(); ++i) {
    const std::string name = std::string(1, static_cast<char>('A' + static_cast<int>(i % 26))) +
                             (i >= 26 ? std::to_string(i / 26) : "");
    const FinalVersion& f = finals[i];
    out += "  " + name + " = " + version(f.v);
    if (sets.size() > 1) {
      std::string nodes;
      for (const std::string& n : f.nodes) nodes += (nodes.empty() ? "" : ",") + n;
      out += " (on " + nodes + ")";
    }
    out += "\n";
    const ExplainWrite* w = writer_of(s, f.v);
    if (!w) {
      out += std::string("      no client ") + (f.v.tombstone ? "deleted with" : "wrote this value with") +
             " this clock (a phantom)\n";
      continue;
    }
    named.emplace_back(name, w);
    out += "      " + origin(*w) + "\n";
    if (const ExplainWrite* del = acknowledged_delete_over(s, f.v.clock)) {
      out += "      RESURRECTED: " + del->client + "'s delete " + write_text(*del) + " via " + del->node +
             ", acknowledged " + sec(del->complete_ms) + ", dominates it\n";
    }
    if (w->blind) {
      out += "      a blind write: " + w->client + " did not read first\n";
    } else if (w->basis) {
      const std::size_t n = w->basis->values.size();
      out += "      after " + w->client + " read " + w->basis->node + " at " + sec(w->basis->complete_ms) + ": " +
             std::to_string(n) + (n == 1 ? " sibling" : " siblings") + (n ? ": " + versions(w->basis->values) : "") +
             "\n";
    }
  }
  for (std::size_t i = 0; i < named.size(); ++i) {
    for (std::size_t j = i + 1; j < named.size(); ++j) {
      out += "  " + pair_story(*named[i].second, named[i].first, *named[j].second, named[j].first, ctx, false) + "\n";
    }
  }
  // The other acknowledged writes: which final version replaced each.
  std::size_t superseded = 0, shown = 0;
  std::string lines;
  for (auto it = s.writes.rbegin(); it != s.writes.rend(); ++it) {
    const ExplainWrite& w = *it;
    if (!acknowledged(w)) continue;
    const bool is_final = std::any_of(named.begin(), named.end(), [&](const auto& p) { return p.second == &w; });
    if (is_final) continue;
    ++superseded;
    if (shown >= 3) continue;
    ++shown;
    std::string by;
    for (const auto& [name, fw] : named) {
      if (fw->clock.dominates(w.clock)) by += (by.empty() ? "" : ", ") + name;
    }
    const ExplainWrite* del = by.empty() ? delete_over(s, w.clock) : nullptr;
    lines += "    " + write_text(w) + " by " + w.client + " via " + w.node + " at " + sec(w.complete_ms) + ": " +
             (!by.empty() ? "superseded by " + by
              : del       ? "deleted by " + del->client + "'s delete " + write_text(*del) + " (reaped since)"
                          : std::string("NOT dominated by a final sibling")) +
             "\n";
  }
  if (superseded > 0) {
    out += "  " + std::to_string(superseded) + " other acknowledged writes are superseded" +
           (superseded > shown ? " (the last " + std::to_string(shown) + "):\n" : ":\n") + lines;
  }
  return out;
}

std::string explain_key_line(const KeyStory& s, const ExplainContext& ctx) {
  const std::vector<FinalVersion> finals = final_versions(s);
  std::string out = "key " + s.key + ":";
  std::vector<std::pair<std::string, const ExplainWrite*>> named;
  for (std::size_t i = 0; i < finals.size(); ++i) {
    const ExplainWrite* w = writer_of(s, finals[i].v);
    out += (i ? " ||" : "") + std::string(" ") + (finals[i].v.tombstone ? std::string("~") : finals[i].v.value);
    if (w) {
      out += " (" + w->client + " via " + w->node + " at " + sec(w->complete_ms) + ")";
      named.emplace_back(finals[i].v.tombstone ? std::string("~") : finals[i].v.value, w);
    } else {
      out += " (never written)";
    }
  }
  if (named.size() >= 2) {
    out += ": " + pair_story(*named[0].second, named[0].first, *named[1].second, named[1].first, ctx, true);
  }
  return out;
}

}  // namespace vckv::reports
