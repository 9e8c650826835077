#include "sibling_set.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

#include "vckv/inlining.hpp"
#include "vckv/json/value.hpp"

namespace vckv {
namespace detail {

namespace {

// The narrowest slot width (log2 of bytes) that holds every entry of clock.
VCKV_ALWAYS_INLINE
unsigned clock_width_log2(ClockSlots clock, Dot dot) {
  std::uint64_t largest = dot.empty() ? 0 : std::max<std::uint64_t>(dot.node, dot.counter);
  for (std::size_t i = 0; i < clock.size(); ++i) largest = std::max(largest, clock[i]);
  return largest <= 0xFF ? 0 : largest <= 0xFFFF ? 1 : largest <= 0xFFFFFFFF ? 2 : 3;
}

// Bytes allocated for a block whose contents take `bytes`: rounded up the way glibc's malloc
// rounds a request anyway (16-byte chunks with 8 bytes of overhead, 24 usable at least), so
// asking for them costs no memory and tells later writes how much room the block has.
std::size_t block_capacity(std::size_t bytes) {
  return std::max<std::size_t>(24, ((bytes + 8 + 15) & ~std::size_t{15}) - 8);
}

}  // namespace

VCKV_ALWAYS_INLINE
std::size_t SiblingSet::block_bytes(std::string_view value, ClockSlots clock, Dot dot,
                                    unsigned width_log2) {
  if (value.size() > std::numeric_limits<std::uint32_t>::max() || clock.size() >= (1u << 29)) {
    throw std::length_error("version too large to store");
  }
  return sizeof(Block) + ((clock.size() + (dot.empty() ? 0 : 2)) << width_log2) + value.size();
}

VCKV_HOT
SiblingSet::Block* SiblingSet::make_block(std::string_view value, ClockSlots clock, Dot dot) {
  const unsigned width_log2 = clock_width_log2(clock, dot);
  auto* b = static_cast<Block*>(
      ::operator new(block_capacity(block_bytes(value, clock, dot, width_log2))));
  fill_block(b, value, clock, dot, width_log2);
  return b;
}

VCKV_HOT
void SiblingSet::fill_block(Block* b, std::string_view value, ClockSlots clock, Dot dot,
                            unsigned width_log2) {
  const std::size_t count = clock.size() + (dot.empty() ? 0 : 2);
  const std::size_t slot_bytes = count << width_log2;
  b->value_size = static_cast<std::uint32_t>(value.size());
  b->clock_size = static_cast<std::uint32_t>(clock.size()) & ((1u << 29) - 1);
  b->dotted = dot.empty() ? 0u : 1u;
  b->width_log2 = width_log2 & 3u;
  static_assert(sizeof(Block) == 8);
  auto* slots = reinterpret_cast<unsigned char*>(b + 1);
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t v = i < clock.size()               ? clock[i]
                            : i == clock.size()            ? std::uint64_t{dot.node}
                                                           : dot.counter;
    switch (width_log2) {
      case 0: slots[i] = static_cast<std::uint8_t>(v); break;
      case 1: reinterpret_cast<std::uint16_t*>(slots)[i] = static_cast<std::uint16_t>(v); break;
      case 2: reinterpret_cast<std::uint32_t*>(slots)[i] = static_cast<std::uint32_t>(v); break;
      default: reinterpret_cast<std::uint64_t*>(slots)[i] = v; break;
    }
  }
  if (!value.empty()) std::memcpy(slots + slot_bytes, value.data(), value.size());
}

VCKV_HOT
void SiblingSet::replace_single(std::string_view value, ClockSlots clock, Dot dot) {
  Block* b = single();
  const unsigned width_log2 = clock_width_log2(clock, dot);
  const VersionView old = view(b);
  const std::size_t room =
      block_capacity(block_bytes(old.value, old.slots, old.dot, b->width_log2));
  if (block_bytes(value, clock, dot, width_log2) <= room) {
    fill_block(b, value, clock, dot, width_log2);  // no free and malloc for the usual overwrite
    return;
  }
  bits_ = reinterpret_cast<std::uintptr_t>(make_block(value, clock, dot));
  free_block(b);
}

void SiblingSet::free_block(Block* b) { ::operator delete(b); }

VCKV_HOT
void SiblingSet::append(std::string_view value, ClockSlots clock, Dot dot) {
  Block* b = make_block(value, clock, dot);
  if (bits_ == 0) {
    bits_ = reinterpret_cast<std::uintptr_t>(b);
    return;
  }
  if (!is_array()) {
    Array* a = Array::make(4);
    a->items()[0] = single();
    a->items()[1] = b;
    a->size = 2;
    bits_ = reinterpret_cast<std::uintptr_t>(a) | 1u;
    return;
  }
  Array* a = array();
  if (a->size == a->capacity) {
    Array* bigger = Array::make(a->capacity * 2);
    std::memcpy(bigger->items(), a->items(), a->size * sizeof(Block*));
    bigger->size = a->size;
    ::operator delete(a);
    a = bigger;
    bits_ = reinterpret_cast<std::uintptr_t>(a) | 1u;
  }
  a->items()[a->size++] = b;
}

void SiblingSet::remove_at(std::size_t i) {
  if (!is_array()) {
    bits_ = 0;
    return;
  }
  Array* a = array();
  std::memmove(a->items() + i, a->items() + i + 1, (a->size - i - 1) * sizeof(Block*));
  if (--a->size == 1) {  // back to the compact one-sibling form
    bits_ = reinterpret_cast<std::uintptr_t>(a->items()[0]);
    ::operator delete(a);
  }
}

VCKV_ALWAYS_INLINE
void SiblingSet::clear() {
  if (bits_ == 0) return;
  if (is_array()) {
    Array* a = array();
    for (std::uint32_t i = 0; i < a->size; ++i) free_block(a->items()[i]);
    ::operator delete(a);
  } else {
    free_block(single());
  }
  bits_ = 0;
}

SiblingSet::SiblingSet(const SiblingSet& other) {
  for (VersionView v : other) append(v.value, v.slots, v.dot);
}

SiblingSet& SiblingSet::operator=(const SiblingSet& other) {
  if (this != &other) {
    SiblingSet copy(other);
    *this = std::move(copy);
  }
  return *this;
}

SiblingSet& SiblingSet::operator=(SiblingSet&& other) noexcept {
  if (this != &other) {
    clear();
    bits_ = other.bits_;
    other.bits_ = 0;
  }
  return *this;
}

}  // namespace detail

std::size_t Siblings::size() const { return set_ ? set_->size() : 0; }

VersionView Siblings::operator[](std::size_t i) const { return (*set_)[i]; }

bool same_version(VersionView a, VersionView b) {
  return a.dot == b.dot && slots_equal(a.slots, b.slots) && json_text_equal(a.value, b.value);
}

}  // namespace vckv
