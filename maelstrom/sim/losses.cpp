#include "sim/losses.hpp"

#include "model/clock_text.hpp"

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

void Losses::before_kill(std::size_t dying) {
  for (std::size_t wi = 0; wi < w_.writes.size(); ++wi) {
    std::uint32_t mask = 0;
    for (std::size_t n = 0; n < w_.nodes.size() && n < 32; ++n) {
      if (holds(n, w_.writes[wi])) mask |= 1u << n;
    }
    WriteFate& fate = fates_[wi];
    fate.seen_holders |= mask;
    if (mask == (1u << dying)) {
      fate.last_holder_killed = std::make_pair(static_cast<int>(dying), w_.now);
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
      if (holder == fate.node && fate.seen_holders == (1u << holder)) {
        kind = LossExplanation::kDiedBeforeLeft;
        line += "explained: " + acker + " was killed at " + time_text(at) +
                " s before the write left it (no other node had received a version holding it)";
      } else {
        kind = LossExplanation::kHoldersDied;
        std::string seen;
        for (std::size_t n = 0; n < w_.nodes.size() && n < 32; ++n) {
          if (fate.seen_holders & (1u << n)) seen += (seen.empty() ? "" : ",") + w_.nodes[n]->id;
        }
        line += "explained: every node holding it was killed before it spread: the last, " +
                w_.nodes[static_cast<std::size_t>(holder)]->id + ", at " + time_text(at) + " s (held by " + seen + ")";
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
