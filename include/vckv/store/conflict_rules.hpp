// The conflict rule: how a key's stored versions meet an incoming version. One function for a
// client's write (docs/protocol.md §7) and a merge from a peer (§11); the two differ only in
// the stale rule and the sibling limit, which apply to clients alone. This is the seam where
// another conflict strategy plugs in. Pure logic: it decides, the store carries it out.
#pragma once

#include <cstddef>

#include "vckv/json/value.hpp"
#include "vckv/store/version.hpp"

namespace vckv {

// Where an incoming version comes from.
enum class Origin {
  kClient,  // kv_put / kv_resolve
  kPeer,    // replication from another node
};

enum class Ruling {
  kKeep,             // an identical version (equal clock, equal value) is stored already: a
                     // client's retry or a merge seen before; nothing changes
  kStale,            // client only: a stored clock descends the write's; nothing changes
  kDominated,        // peer only: a stored clock dominates the version; nothing changes
  kTooManySiblings,  // client only: it would leave more than max_siblings; nothing changes
  kStore,            // stored: appended, and the stored versions its clock dominates go
};

struct Decision {
  Ruling ruling;
  // The key's siblings after the ruling is carried out (for kTooManySiblings: how many the
  // write would have left).
  std::size_t siblings;
};

// stored: the key's versions, anything with size() and iteration yielding VersionView (the
// store passes its own container, so the rule is inlined into its write path).
template <typename Versions>
Decision decide(const Versions& stored, VersionView incoming, Origin origin,
                std::size_t max_siblings) {
  // One clock comparison per stored version.
  bool descended = false;  // some stored clock descends the incoming one (equal included)
  bool dominated = false;  // some stored clock dominates it
  std::size_t survivors = 0;  // stored versions the incoming one does not dominate
  for (VersionView s : stored) {
    const ClockOrder order = compare_slots(s.slots, incoming.slots);
    // An identical version wins over everything: a retry is acknowledged, not stale.
    if (order.equal() && json_text_equal(s.value, incoming.value)) {
      return {Ruling::kKeep, stored.size()};
    }
    descended = descended || order.a_descends;
    dominated = dominated || order.a_dominates();
    if (!order.b_dominates()) ++survivors;
  }
  if (origin == Origin::kClient) {
    if (descended) return {Ruling::kStale, stored.size()};
    if (survivors + 1 > max_siblings) return {Ruling::kTooManySiblings, survivors + 1};
  } else if (dominated) {
    // A peer's version with a clock equal to a stored one but another value is kept beside
    // it: refusing it could lose an acknowledged write (§11).
    return {Ruling::kDominated, stored.size()};
  }
  return {Ruling::kStore, survivors + 1};
}

}  // namespace vckv
