// Keys and their sibling sets: the versions of a key of which none dominates another.
// Pure logic, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vckv/vector_clock.hpp"

namespace vckv {

// One version of a key as a request carries it. value is JSON text as append_json renders it
// (Python json.dumps bytes), so it is echoed without another rendering.
struct Version {
  std::string value;
  VectorClock clock;
};

// A stored version, read in place.
struct VersionView {
  std::string_view value;
  ClockSlots slots;
  VectorClock clock() const { return VectorClock(slots.to_vector()); }
};

// A key's siblings, oldest first. Memory matters here (a million keys must fit in a few
// hundred bytes each): each version is one heap block holding its clock and value, and the
// set itself is one pointer — to that block when there is one sibling (the common case), or
// to an array of blocks. Move-only.
class SiblingSet {
 public:
  SiblingSet() = default;
  SiblingSet(SiblingSet&& other) noexcept : bits_(other.bits_) { other.bits_ = 0; }
  SiblingSet& operator=(SiblingSet&& other) noexcept;
  SiblingSet(const SiblingSet& other);
  SiblingSet& operator=(const SiblingSet& other);
  ~SiblingSet() { clear(); }

  std::size_t size() const;
  bool empty() const { return bits_ == 0; }
  VersionView operator[](std::size_t i) const;

  // Appends a copy of (value, clock) as the newest sibling.
  void append(std::string_view value, ClockSlots clock);
  // With exactly one sibling: replaces it by a copy of (value, clock), in its own block when
  // that has room. value must not point into this set.
  void replace_single(std::string_view value, ClockSlots clock);
  // Removes the siblings for which remove(VersionView) is true, keeping the others' order.
  template <typename Pred>
  void erase_if(Pred remove);
  void clear();

  class iterator {
   public:
    iterator(const SiblingSet* set, std::size_t i) : set_(set), i_(i) {}
    VersionView operator*() const { return (*set_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator!=(const iterator& other) const { return i_ != other.i_; }

   private:
    const SiblingSet* set_;
    std::size_t i_;
  };
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }

 private:
  struct Block;  // one version: sizes, clock slots, value bytes
  struct Array;  // several versions: count, capacity, block pointers
  static std::size_t block_bytes(std::string_view value, ClockSlots clock, unsigned width_log2);
  static Block* make_block(std::string_view value, ClockSlots clock);
  static void fill_block(Block* b, std::string_view value, ClockSlots clock, unsigned width_log2);
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

enum class WriteStatus {
  kWritten,          // the key now has exactly one sibling
  kConflict,         // the key now has `siblings` > 1 concurrent siblings
  kStale,            // a stored sibling's clock descends the write's; nothing changed
  kTooManySiblings,  // would leave `siblings` > max_siblings; nothing changed
};

struct WriteOutcome {
  WriteStatus status;
  std::size_t siblings;  // siblings stored now (or that the refused write would have left)
  bool changed;          // the key's sibling set changed (false for a retry and refusals)
};

// Keys (JSON texts) to their sibling sets. Open addressing with linear probing in one array,
// at most half full: a lookup is one hash, usually one slot and no division; keys of up to 16
// bytes live in the slot itself. Entries are never removed.
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
  const SiblingSet* find(std::string_view key) const;
  // Starts loading the slot where a lookup of key begins (a hint to the CPU; changes nothing).
  void prefetch(std::string_view key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[hash(key) & (slots_.size() - 1)]);
  }
  // The key's set, inserted empty when the key is new; .second is whether it was inserted.
  std::pair<SiblingSet*, bool> try_emplace(std::string_view key);

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

  std::vector<Slot> slots_;  // a power of two in size, or empty
  std::size_t size_ = 0;
};

class SiblingStore {
 public:
  // A client's write (PROTOCOL §7): a retry of a stored version changes nothing; a write whose
  // clock some sibling descends is stale; otherwise it replaces the siblings it dominates and
  // is appended. Keys are JSON texts ("\"x\"" and "1" differ).
  WriteOutcome apply_client_write(std::string_view key, const Version& write,
                                  std::size_t max_siblings);

  // A version from a peer (PROTOCOL §11): kept unless an identical version is stored or a
  // stored clock strictly dominates it; it removes the siblings it dominates. Equal clocks with
  // different values are both kept. Commutative, associative and idempotent over sets of
  // versions. Returns whether the key's sibling set changed.
  bool merge_version(std::string_view key, const Version& version);

  // The key's siblings, oldest first; nullptr for a key never written.
  const SiblingSet* find(std::string_view key) const { return keys_.find(key); }

  // A lookup of key is coming: start loading its table slot (changes nothing).
  void prefetch(std::string_view key) const { keys_.prefetch(key); }

  std::size_t key_count() const { return keys_.size(); }
  // Every key with its siblings: for (const auto& [key, siblings] : store.keys()).
  const KeyTable& keys() const { return keys_; }

 private:
  KeyTable keys_;
};

// Same clock (after padding) and same value as JSON.
bool same_version(VersionView a, VersionView b);

// "value@clock" of each sibling, space-separated, e.g. "\"a\"@[1, 0] \"b\"@[0, 1]" (for tests
// and debug logs).
std::string describe(const SiblingSet& siblings);

}  // namespace vckv
