#include "vckv/sibling_store.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>
#include <utility>

#include "vckv/json_text.hpp"

namespace vckv {

// ---------------------------------------------------------------------------------------------
// SiblingSet

struct SiblingSet::Block {
  std::uint32_t value_size;
  std::uint32_t clock_size : 30;
  std::uint32_t width_log2 : 2;  // slots are 1 << width_log2 bytes each
  // followed by clock_size slots, then char value[value_size]
  unsigned width() const { return 1u << width_log2; }
  // Slots start right after this 8-byte header, so they are aligned for any width.
  const void* slots() const { return this + 1; }
  const char* value() const {
    return reinterpret_cast<const char*>(this + 1) + std::size_t{clock_size} * width();
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

namespace {

// The narrowest slot width (log2 of bytes) that holds every entry of clock.
unsigned clock_width_log2(ClockSlots clock) {
  std::uint64_t largest = 0;
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

std::size_t SiblingSet::block_bytes(std::string_view value, ClockSlots clock,
                                    unsigned width_log2) {
  if (value.size() > std::numeric_limits<std::uint32_t>::max() || clock.size() >= (1u << 30)) {
    throw std::length_error("version too large to store");
  }
  return sizeof(Block) + (clock.size() << width_log2) + value.size();
}

SiblingSet::Block* SiblingSet::make_block(std::string_view value, ClockSlots clock) {
  const unsigned width_log2 = clock_width_log2(clock);
  auto* b = static_cast<Block*>(
      ::operator new(block_capacity(block_bytes(value, clock, width_log2))));
  fill_block(b, value, clock, width_log2);
  return b;
}

void SiblingSet::fill_block(Block* b, std::string_view value, ClockSlots clock,
                            unsigned width_log2) {
  const std::size_t slot_bytes = clock.size() << width_log2;
  b->value_size = static_cast<std::uint32_t>(value.size());
  b->clock_size = static_cast<std::uint32_t>(clock.size()) & ((1u << 30) - 1);
  b->width_log2 = width_log2 & 3u;
  static_assert(sizeof(Block) == 8);
  auto* slots = reinterpret_cast<unsigned char*>(b + 1);
  for (std::size_t i = 0; i < clock.size(); ++i) {
    const std::uint64_t v = clock[i];
    switch (width_log2) {
      case 0: slots[i] = static_cast<std::uint8_t>(v); break;
      case 1: reinterpret_cast<std::uint16_t*>(slots)[i] = static_cast<std::uint16_t>(v); break;
      case 2: reinterpret_cast<std::uint32_t*>(slots)[i] = static_cast<std::uint32_t>(v); break;
      default: reinterpret_cast<std::uint64_t*>(slots)[i] = v; break;
    }
  }
  if (!value.empty()) std::memcpy(slots + slot_bytes, value.data(), value.size());
}

void SiblingSet::replace_single(std::string_view value, ClockSlots clock) {
  Block* b = single();
  const unsigned width_log2 = clock_width_log2(clock);
  const VersionView old = view(b);
  const std::size_t room = block_capacity(block_bytes(old.value, old.slots, b->width_log2));
  if (block_bytes(value, clock, width_log2) <= room) {
    fill_block(b, value, clock, width_log2);  // no free and malloc for the usual overwrite
    return;
  }
  bits_ = reinterpret_cast<std::uintptr_t>(make_block(value, clock));
  free_block(b);
}

void SiblingSet::free_block(Block* b) { ::operator delete(b); }

VersionView SiblingSet::view(const Block* b) {
  return VersionView{std::string_view(b->value(), b->value_size),
                     ClockSlots(b->slots(), b->clock_size, b->width())};
}

std::size_t SiblingSet::size() const {
  if (bits_ == 0) return 0;
  return is_array() ? array()->size : 1;
}

SiblingSet::Block* SiblingSet::block_at(std::size_t i) const {
  return is_array() ? array()->items()[i] : single();
}

VersionView SiblingSet::operator[](std::size_t i) const { return view(block_at(i)); }

void SiblingSet::append(std::string_view value, ClockSlots clock) {
  Block* b = make_block(value, clock);
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
  for (VersionView v : other) append(v.value, v.slots);
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

// ---------------------------------------------------------------------------------------------
// KeyTable

KeyTable::Slot::Slot(Slot&& other) noexcept
    : tag(other.tag), key_size(other.key_size), siblings(std::move(other.siblings)) {
  std::memcpy(inline_key, other.inline_key, kInline);  // the inline bytes or the heap pointer
  other.key_size = kEmpty;  // the heap key, if any, is ours now
}

KeyTable::Slot& KeyTable::Slot::operator=(Slot&& other) noexcept {
  if (this != &other) {
    release_key();
    tag = other.tag;
    key_size = other.key_size;
    std::memcpy(inline_key, other.inline_key, kInline);
    siblings = std::move(other.siblings);
    other.key_size = kEmpty;
  }
  return *this;
}

void KeyTable::Slot::set_key(std::string_view key, std::uint32_t hash_tag) {
  if (key.size() >= kEmpty) throw std::length_error("key too large to store");
  release_key();
  if (key.size() <= kInline) {
    if (!key.empty()) std::memcpy(inline_key, key.data(), key.size());
  } else {
    heap_key = new char[key.size()];
    std::memcpy(heap_key, key.data(), key.size());
  }
  tag = hash_tag;
  key_size = static_cast<std::uint32_t>(key.size());
}

void KeyTable::Slot::release_key() {
  if (!empty() && key_size > kInline) delete[] heap_key;
  key_size = kEmpty;
}

KeyTable::KeyTable(const KeyTable& other) : slots_(other.slots_.size()), size_(other.size_) {
  for (std::size_t i = 0; i < slots_.size(); ++i) {
    const Slot& from = other.slots_[i];
    if (from.empty()) continue;
    slots_[i].set_key(from.key(), from.tag);
    slots_[i].siblings = from.siblings;
  }
}

KeyTable& KeyTable::operator=(const KeyTable& other) {
  if (this != &other) {
    KeyTable copy(other);
    *this = std::move(copy);
  }
  return *this;
}

std::size_t KeyTable::probe(std::string_view key, std::size_t h) const {
  const std::size_t mask = slots_.size() - 1;
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.empty() || (s.tag == tag && s.key() == key)) return i;
  }
}

const SiblingSet* KeyTable::find(std::string_view key) const {
  if (size_ == 0) return nullptr;
  const Slot& s = slots_[probe(key, hash(key))];
  return s.empty() ? nullptr : &s.siblings;
}

std::pair<SiblingSet*, bool> KeyTable::try_emplace(std::string_view key) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::size_t h = hash(key);
  Slot& s = slots_[probe(key, h)];
  if (!s.empty()) return {&s.siblings, false};
  s.set_key(key, static_cast<std::uint32_t>(h >> 32));
  ++size_;
  return {&s.siblings, true};
}

void KeyTable::grow() {
  std::vector<Slot> old =
      std::exchange(slots_, std::vector<Slot>(std::max<std::size_t>(16, slots_.size() * 2)));
  for (Slot& s : old) {
    if (!s.empty()) slots_[probe(s.key(), hash(s.key()))] = std::move(s);
  }
}

// ---------------------------------------------------------------------------------------------
// SiblingStore

bool same_version(VersionView a, VersionView b) {
  return slots_equal(a.slots, b.slots) && json_text_equal(a.value, b.value);
}

namespace {

WriteOutcome describe_outcome(std::size_t siblings, bool changed) {
  return {siblings == 1 ? WriteStatus::kWritten : WriteStatus::kConflict, siblings, changed};
}

void replace_dominated(SiblingSet& siblings, VersionView version) {
  if (siblings.size() == 1 && slots_dominate(version.slots, siblings[0].slots)) {
    siblings.replace_single(version.value, version.slots);  // the common case, in place
    return;
  }
  siblings.erase_if([&](VersionView s) { return slots_dominate(version.slots, s.slots); });
  siblings.append(version.value, version.slots);
}

}  // namespace

WriteOutcome SiblingStore::apply_client_write(std::string_view key, const Version& write,
                                              std::size_t max_siblings) {
  const VersionView w{write.value, write.clock.slots()};
  if (max_siblings < 1 && !keys_.find(key)) return {WriteStatus::kTooManySiblings, 1, false};
  auto [found, inserted] = keys_.try_emplace(key);
  SiblingSet& siblings = *found;
  if (inserted) {
    siblings.append(w.value, w.slots);
    return describe_outcome(1, true);
  }
  // One comparison per sibling. A retry of a stored version wins over everything; a sibling
  // whose clock descends the write's makes it stale; the others survive unless dominated.
  bool stale = false;
  std::size_t survivors = 0;
  for (VersionView s : siblings) {
    const ClockOrder order = compare_slots(s.slots, w.slots);
    if (order.equal() && json_text_equal(s.value, w.value)) {
      return describe_outcome(siblings.size(), false);  // a retry
    }
    stale = stale || order.a_descends;
    if (!order.b_dominates()) ++survivors;
  }
  if (stale) return {WriteStatus::kStale, siblings.size(), false};
  if (survivors + 1 > max_siblings) return {WriteStatus::kTooManySiblings, survivors + 1, false};
  replace_dominated(siblings, w);
  return describe_outcome(siblings.size(), true);
}

bool SiblingStore::merge_version(std::string_view key, const Version& version) {
  const VersionView v{version.value, version.clock.slots()};
  SiblingSet& siblings = *keys_.try_emplace(key).first;
  for (VersionView s : siblings) {
    const ClockOrder order = compare_slots(s.slots, v.slots);
    if (order.a_dominates() || (order.equal() && json_text_equal(s.value, v.value))) return false;
  }
  replace_dominated(siblings, v);
  return true;
}

std::string describe(const SiblingSet& siblings) {
  std::string out;
  for (VersionView v : siblings) {
    if (!out.empty()) out += ' ';
    out += v.value;
    out += '@';
    append_clock_json(out, v.slots);
  }
  return out;
}

}  // namespace vckv
