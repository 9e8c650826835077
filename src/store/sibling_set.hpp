// The packed form of a key's siblings (private to the store): memory matters here, a million
// keys must fit in a few hundred bytes each. Each version is one heap block holding its clock
// (in the narrowest integer width that fits) and its rendered value; the set itself is one
// pointer, to that block when there is one sibling (the common case) or to an array of blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <new>
#include <string_view>

#include "vckv/store/version.hpp"

namespace vckv::detail {

// A key's siblings, oldest first. Move-only except for an explicit copy.
class SiblingSet {
 public:
  SiblingSet() = default;
  SiblingSet(SiblingSet&& other) noexcept : bits_(other.bits_) { other.bits_ = 0; }
  SiblingSet& operator=(SiblingSet&& other) noexcept;
  SiblingSet(const SiblingSet& other);
  SiblingSet& operator=(const SiblingSet& other);
  ~SiblingSet() { clear(); }

  // (The readers are inline: the store's write path reads siblings once per request.)
  std::size_t size() const;
  bool empty() const { return bits_ == 0; }
  VersionView operator[](std::size_t i) const { return view(block_at(i)); }

  // Appends a copy of (value, clock, dot) as the newest sibling.
  void append(std::string_view value, ClockSlots clock, Dot dot = {});
  // With exactly one sibling: replaces it by a copy of (value, clock, dot), in its own block
  // when that has room. value must not point into this set.
  void replace_single(std::string_view value, ClockSlots clock, Dot dot = {});
  // Removes the siblings for which remove(VersionView) is true, keeping the others' order.
  template <typename Pred>
  void erase_if(Pred remove);
  void clear();

  using iterator = VersionIterator<SiblingSet>;
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  struct Block;  // one version: sizes, clock slots, (dot slots,) value bytes
  struct Array;  // several versions: count, capacity, block pointers
  static std::size_t block_bytes(std::string_view value, ClockSlots clock, Dot dot,
                                 unsigned width_log2);
  static Block* make_block(std::string_view value, ClockSlots clock, Dot dot);
  static void fill_block(Block* b, std::string_view value, ClockSlots clock, Dot dot,
                         unsigned width_log2);
  static VersionView view(const Block* b);
  static void free_block(Block* b);
  bool is_array() const { return bits_ & 1u; }
  Array* array() const { return reinterpret_cast<Array*>(bits_ & ~std::uintptr_t{1}); }
  Block* single() const { return reinterpret_cast<Block*>(bits_); }
  Block* block_at(std::size_t i) const;
  // Removes the sibling at i (keeping order) without freeing its block.
  void remove_at(std::size_t i);

  std::uintptr_t bits_ = 0;  // 0: empty; low bit 0: one Block*; low bit 1: an Array*
};

struct SiblingSet::Block {
  std::uint32_t value_size;
  std::uint32_t clock_size : 29;
  std::uint32_t dotted : 1;      // two more slots after the clock's: the dot's node, counter
  std::uint32_t width_log2 : 2;  // slots are 1 << width_log2 bytes each
  // followed by clock_size (+ 2 when dotted) slots, then char value[value_size]
  unsigned width() const { return 1u << width_log2; }
  std::size_t slot_count() const { return std::size_t{clock_size} + (dotted ? 2 : 0); }
  // Slots start right after this 8-byte header, so they are aligned for any width.
  const void* slots() const { return this + 1; }
  const char* value() const {
    return reinterpret_cast<const char*>(this + 1) + slot_count() * width();
  }
  Dot dot() const {
    if (!dotted) return {};
    const ClockSlots all(slots(), slot_count(), width());
    return Dot{static_cast<std::uint32_t>(all[clock_size]), all[std::size_t{clock_size} + 1]};
  }
};

struct SiblingSet::Array {
  std::uint32_t size;
  std::uint32_t capacity;
  // followed by Block* items[capacity]
  Block** items() { return reinterpret_cast<Block**>(this + 1); }
  static Array* make(std::uint32_t capacity) {
    auto* a = static_cast<Array*>(::operator new(sizeof(Array) + capacity * sizeof(Block*)));
    a->size = 0;
    a->capacity = capacity;
    return a;
  }
};

inline std::size_t SiblingSet::size() const {
  if (bits_ == 0) return 0;
  return is_array() ? array()->size : 1;
}

inline SiblingSet::Block* SiblingSet::block_at(std::size_t i) const {
  return is_array() ? array()->items()[i] : single();
}

inline VersionView SiblingSet::view(const Block* b) {
  return VersionView{std::string_view(b->value(), b->value_size),
                     ClockSlots(b->slots(), b->clock_size, b->width()), b->dot()};
}

template <typename Pred>
void SiblingSet::erase_if(Pred remove) {
  for (std::size_t i = 0; i < size();) {
    if (remove((*this)[i])) {
      Block* b = block_at(i);
      remove_at(i);
      free_block(b);
    } else {
      ++i;
    }
  }
}

}  // namespace vckv::detail
