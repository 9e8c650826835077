// A version of a key, as a request carries it and as the store holds it, and a read-only view
// of a key's siblings. How siblings are laid out in memory is the store's private business
// (src/store/sibling_set.hpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "vckv/store/vector_clock.hpp"

namespace vckv {

// One version as a request carries it. value is JSON text as the writer renders it (Python
// json.dumps bytes), so it is echoed without another rendering. A tombstone (docs/protocol.md
// §16, a delete) is a version with a clock and no value: its value text is empty, which no
// JSON value's text is. So a tombstone equals only a tombstone with the same clock, and in the
// last-writer-wins order its text (the empty byte sequence) loses a tie to any value's.
struct Version {
  std::string value;
  VectorClock clock;
  bool tombstone() const { return value.empty(); }
};

// A version read in place: valid while the store is not changed.
struct VersionView {
  std::string_view value;
  ClockSlots slots;
  VectorClock clock() const { return VectorClock(slots.to_vector()); }
  bool tombstone() const { return value.empty(); }
};

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

// Same clock (after zero padding) and same value as JSON: the same version.
bool same_version(VersionView a, VersionView b);

}  // namespace vckv
