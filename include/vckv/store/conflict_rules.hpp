// The conflict rule: how a key's stored versions meet an incoming version. One function for a
// client's write (docs/protocol.md §7) and a merge from a peer (§11); the two differ only in
// the stale rule and the sibling limit, which apply to clients alone. Two strategies plug in
// here: siblings (keep concurrent versions side by side, §7-11) and last-writer-wins (keep one
// version, chosen by an order every replica computes alike, §13). Pure logic: it decides, the
// store carries it out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/inlining.hpp"
#include "vckv/json/value.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/store/version.hpp"

namespace vckv {

// Where an incoming version comes from.
enum class Origin {
  kClient,  // kv_put / kv_resolve
  kPeer,    // replication from another node
};

enum class ConflictMode {
  kSiblings,  // concurrent versions are all kept, as siblings (the default)
  kLww,       // one version per key: the larger in the order of lww_wins
  kDotted,    // server clocks (§17): versions carry dots; a version goes when another's
              // version vector covers its dot (supersedes), the rest are siblings
};

struct ConflictRule {
  ConflictMode mode = ConflictMode::kSiblings;
  // Deliberately broken variants, for showing that the checkers catch them (testing only):
  bool debug_drop_concurrent_on_merge = false;  // siblings: a peer's version replaces the
                                                // stored versions concurrent with it
  bool debug_lww_prefer_smaller = false;        // lww: the smaller clock sum wins
};

enum class Ruling {
  kKeep,             // an identical version (equal clock, equal value) is stored already: a
                     // client's retry or a merge seen before; nothing changes
  kStale,            // client only: a stored clock descends the write's; nothing changes
  kDominated,        // peer only: a stored clock dominates the version; nothing changes
  kTooManySiblings,  // client only: it would leave more than max_siblings; nothing changes
  kSuperseded,       // lww: concurrent with the stored version and smaller; discarded
  kStore,            // stored (see replace_all); the stored versions its clock dominates go
};

struct Decision {
  Ruling ruling;
  // The key's siblings after the ruling is carried out (for kTooManySiblings: how many the
  // write would have left).
  std::size_t siblings;
  // kStore: every stored version goes, not only those the incoming one dominates (lww).
  bool replace_all = false;
};

// The last-writer-wins order (§13) between two versions neither of which dominates the other:
// whether a beats b. Larger sum of clock entries first (exact: entries go to 2^64-1); then the
// clocks padded with zeros, entry by entry; then the values' canonical JSON text (keys sorted,
// the §2 separators) bytewise. prefer_smaller turns the first step around (a broken variant).
bool lww_wins(VersionView a, VersionView b, bool prefer_smaller = false);
// The first two steps alone: > 0 when a's clock comes later, < 0 when b's does, 0 when the
// clocks are equal (after zero padding) and the values decide.
int lww_clock_order(ClockSlots a, ClockSlots b, bool prefer_smaller = false);

// Values' canonical texts, each computed at most once and kept for whoever needs it next (a
// merge of many versions compares and hashes them): canonical_json(value, numbers_by_value),
// or the value's own text for a string, true, false or null (which are their canonical form).
class CanonicalTexts {
 public:
  CanonicalTexts(std::size_t count, bool numbers_by_value)
      : texts_(count), done_(count, false), numbers_by_value_(numbers_by_value) {}
  // The canonical text of version i's value (value must be the same on every call for i).
  std::string_view get(std::size_t i, std::string_view value);

 private:
  std::vector<std::string> texts_;
  std::vector<bool> done_;
  bool numbers_by_value_;
};

// Merging versions that peers sent into a key, several at once (§11). The result is exactly
// what merging them one after another, in order, with decide() gives: every version of
// stored and incoming that no other one dominates, identical versions once (the first met,
// stored before incoming), the stored ones that stay in their order and then the incoming ones
// added in theirs. Found by sorting by clock, so N versions with equal clocks cost O(N log N)
// comparisons (one by one, each would be compared with every sibling before it), with each
// value's canonical text computed at most once: versions are told apart by canonical[i]
// (numbers by value: JSON-equal values share it), i indexing stored then incoming. lww mode is
// one pass keeping the larger version in the order (its canonical texts in lww_order, numbers
// as written). The debug variants and dotted mode are not modelled: callers merge one by one
// for those.
struct MergePlan {
  std::vector<bool> keep;          // per stored version: whether it stays
  std::vector<std::size_t> added;  // the incoming versions to append, in order
  bool changed() const;
};
MergePlan plan_merge(const ConflictRule& rule, const std::vector<VersionView>& stored,
                     const std::vector<VersionView>& incoming, CanonicalTexts& canonical,
                     CanonicalTexts& lww_order);

// stored: the key's versions, anything with size() and iteration yielding VersionView (the
// store passes its own container, so the rule is inlined into its write path).
// §17, server clocks: a client's write (dvv_update, dvv_delete) carries a fresh dot and its
// context as version vector: it takes out the versions the context covers and is never stale;
// a peer's version is kept unless one stored is the same version or covers its dot.
template <typename Versions>
Decision decide_dotted(const Versions& stored, VersionView incoming, Origin origin,
                       std::size_t max_siblings) {
  std::size_t survivors = 0;  // stored versions the incoming one does not supersede
  for (VersionView s : stored) {
    if (s.dot == incoming.dot && slots_equal(s.slots, incoming.slots) &&
        json_text_equal(s.value, incoming.value)) {
      return {Ruling::kKeep, stored.size()};
    }
    if (origin == Origin::kPeer && covers(s.slots, incoming.dot)) {
      return {Ruling::kDominated, stored.size()};
    }
    if (!covers(incoming.slots, s.dot)) ++survivors;
  }
  if (origin == Origin::kClient && survivors + 1 > max_siblings) {
    return {Ruling::kTooManySiblings, survivors + 1};
  }
  return {Ruling::kStore, survivors + 1};
}

template <typename Versions>
VCKV_HOT
Decision decide(const ConflictRule& rule, const Versions& stored, VersionView incoming,
                Origin origin, std::size_t max_siblings) {
  if (rule.mode == ConflictMode::kDotted) {
    return decide_dotted(stored, incoming, origin, max_siblings);
  }
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
  if (origin == Origin::kClient && descended) return {Ruling::kStale, stored.size()};
  // A peer's version with a clock equal to a stored one but another value is not stale: in
  // siblings mode it is kept beside it (refusing it could lose an acknowledged write, §11), in
  // lww mode the order decides between them.
  if (origin == Origin::kPeer && dominated) return {Ruling::kDominated, stored.size()};
  if (rule.mode == ConflictMode::kLww) {
    // At most one version is stored. One that the incoming version dominates simply goes;
    // one concurrent with it (or equal to it with another value) meets it in the order.
    for (VersionView s : stored) {
      if (!slots_dominate(incoming.slots, s.slots) &&
          !lww_wins(incoming, s, rule.debug_lww_prefer_smaller)) {
        return {Ruling::kSuperseded, stored.size()};
      }
    }
    return {Ruling::kStore, 1, /*replace_all=*/true};
  }
  if (origin == Origin::kClient && survivors + 1 > max_siblings) {
    return {Ruling::kTooManySiblings, survivors + 1};
  }
  if (origin == Origin::kPeer && rule.debug_drop_concurrent_on_merge) {
    return {Ruling::kStore, 1, /*replace_all=*/true};
  }
  return {Ruling::kStore, survivors + 1};
}

// The same with the siblings rule (the default).
template <typename Versions>
Decision decide(const Versions& stored, VersionView incoming, Origin origin,
                std::size_t max_siblings) {
  return decide(ConflictRule{}, stored, incoming, origin, max_siblings);
}

}  // namespace vckv
