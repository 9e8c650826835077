#include "vckv/sibling_store.hpp"

#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

#include "vckv/json_text.hpp"

namespace vckv {

// ---------------------------------------------------------------------------------------------
// SiblingSet

struct SiblingSet::Block {
  std::uint32_t value_size;
  std::uint32_t clock_size;
  // followed by std::uint64_t slots[clock_size], then char value[value_size]
  const std::uint64_t* slots() const { return reinterpret_cast<const std::uint64_t*>(this + 1); }
  const char* value() const { return reinterpret_cast<const char*>(slots() + clock_size); }
};
static_assert(sizeof(std::uint64_t) * 1 == 8 && alignof(std::max_align_t) >= 8);

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

SiblingSet::Block* SiblingSet::make_block(std::string_view value, ClockSlots clock) {
  constexpr std::size_t kMax = std::numeric_limits<std::uint32_t>::max();
  if (value.size() > kMax || clock.size() > kMax) throw std::length_error("version too large");
  const std::size_t slot_bytes = clock.size() * sizeof(std::uint64_t);
  auto* b = static_cast<Block*>(::operator new(sizeof(Block) + slot_bytes + value.size()));
  b->value_size = static_cast<std::uint32_t>(value.size());
  b->clock_size = static_cast<std::uint32_t>(clock.size());
  if (slot_bytes) std::memcpy(b + 1, clock.data(), slot_bytes);
  if (!value.empty()) std::memcpy(reinterpret_cast<char*>(b + 1) + slot_bytes, value.data(), value.size());
  return b;
}

void SiblingSet::free_block(Block* b) { ::operator delete(b); }

VersionView SiblingSet::view(const Block* b) {
  return VersionView{std::string_view(b->value(), b->value_size), ClockSlots(b->slots(), b->clock_size)};
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
// SiblingStore

bool same_version(VersionView a, VersionView b) {
  return slots_equal(a.slots, b.slots) && json_text_equal(a.value, b.value);
}

namespace {

WriteOutcome describe_outcome(std::size_t siblings, bool changed) {
  return {siblings == 1 ? WriteStatus::kWritten : WriteStatus::kConflict, siblings, changed};
}

void replace_dominated(SiblingSet& siblings, VersionView version) {
  siblings.erase_if([&](VersionView s) { return slots_dominate(version.slots, s.slots); });
  siblings.append(version.value, version.slots);
}

}  // namespace

WriteOutcome SiblingStore::apply_client_write(const std::string& key, const Version& write,
                                              std::size_t max_siblings) {
  const VersionView w{write.value, write.clock.slots()};
  auto [it, inserted] = keys_.try_emplace(key);
  SiblingSet& siblings = it->second;
  if (inserted) {
    if (max_siblings < 1) {
      keys_.erase(it);
      return {WriteStatus::kTooManySiblings, 1, false};
    }
    siblings.append(w.value, w.slots);
    return describe_outcome(1, true);
  }
  for (VersionView s : siblings) {
    if (same_version(s, w)) return describe_outcome(siblings.size(), false);  // a retry
  }
  std::size_t survivors = 0;
  for (VersionView s : siblings) {
    if (slots_descend(s.slots, w.slots)) return {WriteStatus::kStale, siblings.size(), false};
    if (!slots_dominate(w.slots, s.slots)) ++survivors;
  }
  if (survivors + 1 > max_siblings) return {WriteStatus::kTooManySiblings, survivors + 1, false};
  replace_dominated(siblings, w);
  return describe_outcome(siblings.size(), true);
}

bool SiblingStore::merge_version(const std::string& key, const Version& version) {
  const VersionView v{version.value, version.clock.slots()};
  SiblingSet& siblings = keys_[key];
  for (VersionView s : siblings) {
    if (same_version(s, v) || slots_dominate(s.slots, v.slots)) return false;
  }
  replace_dominated(siblings, v);
  return true;
}

const SiblingSet* SiblingStore::find(const std::string& key) const {
  auto it = keys_.find(key);
  return it == keys_.end() ? nullptr : &it->second;
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
