// The store's key table (private to the store): keys, as JSON texts, to their sibling sets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

#include "sibling_set.hpp"
#include "vckv/inlining.hpp"

namespace vckv::detail {

// Keys (JSON texts) to their sibling sets. Open addressing with linear probing in one array,
// at most half full: a lookup is one hash, usually one slot and no division; keys of up to 16
// bytes live in the slot itself. An entry removed (a reaped key, §16) frees its slot by moving
// later entries of its probe run back (no markers left behind); once at most an eighth of the
// slots are used the array shrinks to a quarter full (to nothing when empty), so a store whose
// keys were reaped gives their memory back.
class KeyTable {
 public:
  struct Entry {
    std::string_view key;
    const SiblingSet& siblings;
  };

  KeyTable() = default;
  KeyTable(const KeyTable& other);
  KeyTable& operator=(const KeyTable& other);
  KeyTable(KeyTable&& other) noexcept
      : slots_(std::exchange(other.slots_, {})), size_(std::exchange(other.size_, 0)) {}
  KeyTable& operator=(KeyTable&& other) noexcept {
    slots_ = std::exchange(other.slots_, {});
    size_ = std::exchange(other.size_, 0);
    return *this;
  }
  ~KeyTable() = default;

  std::size_t size() const { return size_; }
  std::size_t capacity() const { return slots_.size(); }  // slots
  const SiblingSet* find(std::string_view key) const;
  SiblingSet* find_mutable(std::string_view key) {
    return const_cast<SiblingSet*>(std::as_const(*this).find(key));
  }
  // Starts loading the slot where a lookup of key begins (a hint to the CPU; changes nothing).
  void prefetch(std::string_view key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash(key) & (slots_.size() - 1)]);
  }
  // The key's set, inserted empty when the key is new; .second is whether it was inserted.
  std::pair<SiblingSet*, bool> try_emplace(std::string_view key);
  // Removes key and its siblings, freeing their memory; false when it was not there.
  bool erase(std::string_view key);

  class iterator {
   public:
    iterator(const KeyTable* table, std::size_t i) : table_(table), i_(i) { skip_empty(); }
    Entry operator*() const {
      const Slot& s = table_->slots_[i_];
      return {s.key(), s.siblings};
    }
    iterator& operator++() {
      ++i_;
      skip_empty();
      return *this;
    }
    bool operator!=(const iterator& other) const { return i_ != other.i_; }

   private:
    void skip_empty() {
      while (i_ < table_->slots_.size() && table_->slots_[i_].empty()) ++i_;
    }
    const KeyTable* table_;
    std::size_t i_;
  };
  // In slot order (not insertion order).
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, slots_.size()}; }

 private:
  struct Slot {
    static constexpr std::uint32_t kEmpty = ~std::uint32_t{0};
    static constexpr std::size_t kInline = 16;
    std::uint32_t tag = 0;            // the hash's high half, checked before the key
    std::uint32_t key_size = kEmpty;  // kEmpty: an unused slot
    union {
      char inline_key[kInline];       // key_size <= kInline
      char* heap_key;                 // longer keys
    };
    SiblingSet siblings;

    Slot() : inline_key() {}
    Slot(Slot&& other) noexcept;
    Slot& operator=(Slot&& other) noexcept;
    ~Slot() { release_key(); }
    bool empty() const { return key_size == kEmpty; }
    std::string_view key() const {
      return {key_size <= kInline ? inline_key : heap_key, key_size};
    }
    void set_key(std::string_view key, std::uint32_t hash_tag);
    void release_key();
  };
  static std::size_t hash(std::string_view key) { return std::hash<std::string_view>{}(key); }
  // The slot holding key, or the empty slot where it would go. The table is not empty.
  std::size_t probe(std::string_view key, std::size_t h) const;
  void grow();
  void rehash(std::size_t slots);  // a power of two, at least twice size_ (or 0 when empty)

  std::vector<Slot> slots_;  // a power of two in size, or empty
  std::size_t size_ = 0;
};

// Inline: every request looks a key up.
inline std::size_t KeyTable::probe(std::string_view key, std::size_t h) const {
  const std::size_t mask = slots_.size() - 1;
  const auto tag = static_cast<std::uint32_t>(h >> 32);
  for (std::size_t i = h & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.empty() || (s.tag == tag && s.key() == key)) return i;
  }
}

VCKV_HOT
inline const SiblingSet* KeyTable::find(std::string_view key) const {
  if (size_ == 0) return nullptr;
  const Slot& s = slots_[probe(key, hash(key))];
  return s.empty() ? nullptr : &s.siblings;
}

}  // namespace vckv::detail
