// A vector clock: one counter per writer slot, compared as if padded with zeros
// (docs/protocol.md §5). Pure logic; its JSON form is wire/clock_json.hpp's business.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace vckv {

// Clock slots in place, as unsigned integers of 8, 4, 2 or 1 bytes: a VectorClock's are 8
// bytes wide, a stored clock uses the narrowest width that holds its largest slot (memory:
// a million keys' clocks). The comparisons below work on these, so stored versions need not
// be copied into a VectorClock to be compared. Missing slots count as 0.
class ClockSlots {
 public:
  ClockSlots() = default;
  ClockSlots(const void* data, std::size_t size, unsigned width)
      : data_(data), size_(size), width_(width) {}
  ClockSlots(const std::vector<std::uint64_t>& slots) : ClockSlots(slots.data(), slots.size(), 8) {}
  template <std::size_t N>
  ClockSlots(const std::uint64_t (&slots)[N]) : ClockSlots(slots, N, 8) {}

  std::size_t size() const { return size_; }
  unsigned width() const { return width_; }
  const void* data() const { return data_; }
  std::uint64_t operator[](std::size_t i) const {
    switch (width_) {
      case 1: return static_cast<const std::uint8_t*>(data_)[i];
      case 2: return static_cast<const std::uint16_t*>(data_)[i];
      case 4: return static_cast<const std::uint32_t*>(data_)[i];
      default: return static_cast<const std::uint64_t*>(data_)[i];
    }
  }
  std::vector<std::uint64_t> to_vector() const;

 private:
  const void* data_ = nullptr;
  std::size_t size_ = 0;
  unsigned width_ = 8;
};
// How two clocks relate (after zero padding), found in one pass over both.
struct ClockOrder {
  bool a_descends = true;  // every slot of a >= the same slot of b
  bool b_descends = true;  // every slot of b >= the same slot of a
  bool equal() const { return a_descends && b_descends; }
  bool a_dominates() const { return a_descends && !b_descends; }
  bool b_dominates() const { return b_descends && !a_descends; }
  bool concurrent() const { return !a_descends && !b_descends; }
};
ClockOrder compare_slots(ClockSlots a, ClockSlots b);

// Every slot of a >= the same slot of b. Every clock descends the empty clock.
inline bool slots_descend(ClockSlots a, ClockSlots b) { return compare_slots(a, b).a_descends; }
// Equal after zero padding.
inline bool slots_equal(ClockSlots a, ClockSlots b) { return compare_slots(a, b).equal(); }
// Descends and not equal. Keep both halves: descends alone would call equal clocks
// dominating, and a write with an equal clock would silently replace its twin.
inline bool slots_dominate(ClockSlots a, ClockSlots b) { return compare_slots(a, b).a_dominates(); }

class VectorClock {
 public:
  VectorClock() = default;
  VectorClock(std::initializer_list<std::uint64_t> slots) : slots_(slots) {}
  explicit VectorClock(std::vector<std::uint64_t> slots) : slots_(std::move(slots)) {}

  // Slot i, or 0 past the end: a missing slot counts as 0 (so [1] == [1, 0]).
  std::uint64_t at(std::size_t i) const { return i < slots_.size() ? slots_[i] : 0; }
  // The slots as written, length included; rendering echoes exactly these.
  const std::vector<std::uint64_t>& slots() const { return slots_; }
  // For a decoder that refills one clock line after line (keeps the capacity).
  std::vector<std::uint64_t>& mutable_slots() { return slots_; }
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

 private:
  std::vector<std::uint64_t> slots_;
};

}  // namespace vckv
