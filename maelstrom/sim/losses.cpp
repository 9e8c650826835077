#include "sim/losses.hpp"

#include <set>

#include "model/clock_text.hpp"
#include "sim/holdings.hpp"

namespace vckv::sim {

bool Losses::holds(std::size_t node, const model::WriteRecord& w) const {
  const NodeSlot& s = *w_.nodes[node];
  if (!s.up()) return false;
  const Siblings siblings = s.node->store().find(std::to_string(w.key));
  for (std::size_t i = 0; i < siblings.size(); ++i) {
    const VersionView v = siblings[i];
    if (slots_dominate(v.slots, ClockSlots(w.clock.slots()))) return true;
    if (v.value == w.value && slots_equal(v.slots, ClockSlots(w.clock.slots()))) return true;
  }
  return false;
}

bool Losses::hints_hold(const std::map<std::int64_t, std::vector<model::HeldHint>>& hints,
                        const model::WriteRecord& w) {
  auto it = hints.find(w.key);
  if (it == hints.end()) return false;
  for (const model::HeldHint& h : it->second) {
    if (h.version.clock.dominates(w.clock)) return true;
    if (h.version.value == w.value && h.version.clock.equals(w.clock)) return true;
  }
  return false;
}

void Losses::before_kill(std::size_t dying, std::string how) {
  // With a ring, each node's hints of the keys written so far (asked once per kill).
  std::vector<std::map<std::int64_t, std::vector<model::HeldHint>>> hints;
  if (!w_.placement.every_node()) {
    std::set<std::int64_t> keys;
    for (const model::WriteRecord& w : w_.writes) keys.insert(w.key);
    hints.resize(w_.nodes.size());
    for (std::size_t n = 0; n < w_.nodes.size(); ++n) {
      for (std::int64_t key : keys) {
        auto held = local_holdings(w_, n, key);
        if (!held) break;  // the run failed: local_get unsupported
        if (!held->hints.empty()) hints[n][key] = std::move(held->hints);
      }
    }
  }
  for (std::size_t wi = 0; wi < w_.writes.size(); ++wi) {
    std::uint32_t mask = 0;
    for (std::size_t n = 0; n < w_.nodes.size() && n < 32; ++n) {
      if (holds(n, w_.writes[wi]) || (!hints.empty() && hints_hold(hints[n], w_.writes[wi]))) mask |= 1u << n;
    }
    WriteFate& fate = fates_[wi];
    fate.seen_holders |= mask;
    if (mask == (1u << dying)) {
      fate.last_holder_killed = std::make_pair(static_cast<int>(dying), w_.now);
      fate.last_holder_how = how;
    } else if (mask != 0) {
      fate.last_holder_killed.reset();  // it lives on elsewhere
    }
  }
}

void Losses::explain(SeedResult& result) const {
  const auto& lost = result.check.lost_writes;
  result.explained = !lost.empty();
  for (std::size_t wi : lost) {
    const model::WriteRecord& w = w_.writes[wi];
    const WriteFate& fate = fates_[wi];
    const std::string acker = w_.nodes[static_cast<std::size_t>(fate.node)]->id;
    std::string line = "lost " + w.value + " (key " + std::to_string(w.key) + ", clock " + model::clock_text(w.clock) +
                       ", by " + w.client + ") acknowledged by " + acker +
                       (fate.acked_at ? " at " + time_text(*fate.acked_at) + " s" : "") + ": ";
    LossExplanation kind = LossExplanation::kNone;
    if (fate.last_holder_killed) {
      const auto [holder, at] = *fate.last_holder_killed;
      const std::string& flipped = fate.last_holder_how;
      if (holder == fate.node && fate.seen_holders == (1u << holder)) {
        kind = LossExplanation::kDiedBeforeLeft;
        line += "explained: " + acker + " was killed at " + time_text(at) + " s" + flipped +
                " before the write left it (no other node had received a version holding it)";
      } else {
        kind = LossExplanation::kHoldersDied;
        std::string seen;
        for (std::size_t n = 0; n < w_.nodes.size() && n < 32; ++n) {
          if (fate.seen_holders & (1u << n)) seen += (seen.empty() ? "" : ",") + w_.nodes[n]->id;
        }
        line += "explained: every node holding it was killed before it spread: the last, " +
                w_.nodes[static_cast<std::size_t>(holder)]->id + ", at " + time_text(at) + " s" + flipped +
                " (held by " + seen + ")";
      }
    } else {
      line += "UNEXPLAINED: no kill removed the last copy of it";
      result.explained = false;
    }
    result.loss_kinds.push_back(kind);
    result.explanations.push_back(std::move(line));
  }
}

}  // namespace vckv::sim
