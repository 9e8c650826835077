#include "key_table.hpp"
#include "vckv/inlining.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace vckv::detail {

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



VCKV_HOT
std::pair<SiblingSet*, bool> KeyTable::try_emplace(std::string_view key) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::size_t h = hash(key);
  Slot& s = slots_[probe(key, h)];
  if (!s.empty()) return {&s.siblings, false};
  s.set_key(key, static_cast<std::uint32_t>(h >> 32));
  ++size_;
  return {&s.siblings, true};
}

bool KeyTable::erase(std::string_view key) {
  if (size_ == 0) return false;
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = probe(key, hash(key));
  if (slots_[hole].empty()) return false;
  slots_[hole].siblings.clear();
  slots_[hole].release_key();
  --size_;
  // Backward shift: an entry after the hole in the same run moves into it unless its home
  // slot lies cyclically in (hole, its position], where a lookup would no longer pass the hole.
  for (std::size_t i = (hole + 1) & mask; !slots_[i].empty(); i = (i + 1) & mask) {
    const std::size_t home = hash(slots_[i].key()) & mask;
    const bool stays = hole <= i ? (hole < home && home <= i) : (hole < home || home <= i);
    if (stays) continue;
    slots_[hole] = std::move(slots_[i]);
    hole = i;
  }
  if (size_ == 0) {
    slots_ = std::vector<Slot>();  // (frees the array)
  } else if (slots_.size() > 16 && size_ * 8 <= slots_.size()) {
    std::size_t slots = 16;
    while (slots < size_ * 4) slots *= 2;
    rehash(slots);  // a quarter full at most
  }
  return true;
}

void KeyTable::grow() { rehash(std::max<std::size_t>(16, slots_.size() * 2)); }

void KeyTable::rehash(std::size_t slots) {
  std::vector<Slot> old = std::exchange(slots_, std::vector<Slot>(slots));
  for (Slot& s : old) {
    if (!s.empty()) slots_[probe(s.key(), hash(s.key()))] = std::move(s);
  }
}

}  // namespace vckv::detail
