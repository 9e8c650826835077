// A version of a key, as a request carries it and as the store holds it, and a read-only view
// of a key's siblings. How siblings are laid out in memory is the store's private business
// (src/store/sibling_set.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "vckv/store/vector_clock.hpp"

namespace vckv {

// A dot (docs/protocol.md §17, server-assigned clocks): the write a version is, named by the
// node that issued it (its index in init's node_ids) and that node's counter for the key. A
// counter of 0 is no dot: a version of client clocks (§5-§7).
struct Dot {
  std::uint32_t node = 0;
  std::uint64_t counter = 0;
  bool empty() const { return counter == 0; }
  friend bool operator==(Dot a, Dot b) { return a.node == b.node && a.counter == b.counter; }
  friend bool operator!=(Dot a, Dot b) { return !(a == b); }
};

// Whether a version vector (counters by node index) covers a dot: vv[dot.node] >= its counter.
inline bool covers(ClockSlots vv, Dot dot) {
  return !dot.empty() && dot.node < vv.size() && vv[dot.node] >= dot.counter;
}

// One version as a request carries it. value is JSON text as the writer renders it (Python
// json.dumps bytes), so it is echoed without another rendering. A tombstone (docs/protocol.md
// §16, a delete) is a version with a clock and no value: its value text is empty, which no
// JSON value's text is. So a tombstone equals only a tombstone with the same clock, and in the
// last-writer-wins order its text (the empty byte sequence) loses a tie to any value's.
// With server clocks (§17) a version also has a dot, and its clock is its version vector (the
// context its writer sent), by node index.
struct Version {
  Version() = default;
  Version(std::string value_text, VectorClock version_clock, Dot version_dot = {})
      : value(std::move(value_text)), clock(std::move(version_clock)), dot(version_dot) {}

  std::string value;
  VectorClock clock;
  Dot dot;
  bool tombstone() const { return value.empty(); }
};

// A version read in place: valid while the store is not changed.
struct VersionView {
  VersionView() = default;
  VersionView(std::string_view value_text, ClockSlots clock_slots, Dot version_dot = {})
      : value(value_text), slots(clock_slots), dot(version_dot) {}

  std::string_view value;
  ClockSlots slots;
  Dot dot;
  VectorClock clock() const { return VectorClock(slots.to_vector()); }
  bool tombstone() const { return value.empty(); }
};

inline VersionView view_of(const Version& v) { return VersionView{v.value, v.clock.slots(), v.dot}; }

// Whether b is obsolete given a: a's causal past holds b. With clocks: a's clock dominates b's;
// with dots (b has one): a's version vector covers b's dot (§17), so b goes when a arrives.
inline bool supersedes(VersionView a, VersionView b) {
  return b.dot.empty() ? slots_dominate(a.slots, b.slots) : covers(a.slots, b.dot);
}

// Iterates the versions of anything with operator[](i) giving a VersionView and size().
template <typename Versions>
class VersionIterator {
 public:
  VersionIterator(const Versions* versions, std::size_t i) : versions_(versions), i_(i) {}
  VersionView operator*() const { return (*versions_)[i_]; }
  VersionIterator& operator++() {
    ++i_;
    return *this;
  }
  bool operator!=(const VersionIterator& other) const { return i_ != other.i_; }

 private:
  const Versions* versions_;
  std::size_t i_;
};

namespace detail {
class SiblingSet;
}

// A key's siblings, oldest first: the versions of which none dominates another
// (docs/protocol.md §6). A view: valid while the store is not changed. Empty for a key never
// written.
class Siblings {
 public:
  Siblings() = default;
  explicit Siblings(const detail::SiblingSet* set) : set_(set) {}

  std::size_t size() const;
  bool empty() const { return size() == 0; }
  VersionView operator[](std::size_t i) const;

  using iterator = VersionIterator<Siblings>;
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  const detail::SiblingSet* set_ = nullptr;
};

// Same clock (after zero padding), same dot and same value as JSON: the same version.
bool same_version(VersionView a, VersionView b);

}  // namespace vckv
