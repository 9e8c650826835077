// A vector clock: one counter per writer slot, compared as if padded with zeros.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <vector>

namespace vckv {

// Clock slots as stored; the comparisons below work on these, so stored versions need not
// be copied into a VectorClock to be compared. Missing slots count as 0.
using ClockSlots = std::span<const std::uint64_t>;
// Every slot of a >= the same slot of b. Every clock descends the empty clock.
bool slots_descend(ClockSlots a, ClockSlots b);
// Equal after zero padding.
bool slots_equal(ClockSlots a, ClockSlots b);
// Descends and not equal. Keep both halves: descends alone would call equal clocks
// dominating, and a write with an equal clock would silently replace its twin.
inline bool slots_dominate(ClockSlots a, ClockSlots b) {
  return slots_descend(a, b) && !slots_equal(a, b);
}
// Python json.dumps form, e.g. "[1, 0]", appended to out.
void append_clock_json(std::string& out, ClockSlots slots);

class VectorClock {
 public:
  VectorClock() = default;
  VectorClock(std::initializer_list<std::uint64_t> slots) : slots_(slots) {}
  explicit VectorClock(std::vector<std::uint64_t> slots) : slots_(std::move(slots)) {}

  // Slot i, or 0 past the end: a missing slot counts as 0 (so [1] == [1, 0]).
  std::uint64_t at(std::size_t i) const { return i < slots_.size() ? slots_[i] : 0; }
  // The slots as written, length included; rendering echoes exactly these.
  const std::vector<std::uint64_t>& slots() const { return slots_; }
  std::size_t size() const { return slots_.size(); }

  // Every slot of *this >= the same slot of other. Total: every clock descends the empty
  // clock, and equal clocks descend each other.
  bool descends(const VectorClock& other) const { return slots_descend(slots_, other.slots_); }
  // descends and not equal (see slots_dominate).
  bool dominates(const VectorClock& other) const { return slots_dominate(slots_, other.slots_); }
  // Neither descends the other.
  bool concurrent_with(const VectorClock& other) const {
    return !descends(other) && !other.descends(*this);
  }
  // Equal after zero padding.
  bool equals(const VectorClock& other) const { return slots_equal(slots_, other.slots_); }

  // Pointwise maximum; the result is as long as the longer input. Joining nothing gives [].
  VectorClock join(const VectorClock& other) const;

  // Python json.dumps form, e.g. "[1, 0]".
  std::string to_json() const;

 private:
  std::vector<std::uint64_t> slots_;
};

}  // namespace vckv
