// Keys and their sibling sets: the versions of a key of which none dominates another.
// Pure logic, no I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
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
  static Block* make_block(std::string_view value, ClockSlots clock);
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

class SiblingStore {
 public:
  // A client's write (PROTOCOL §7): a retry of a stored version changes nothing; a write whose
  // clock some sibling descends is stale; otherwise it replaces the siblings it dominates and
  // is appended. Keys are JSON texts ("\"x\"" and "1" differ).
  WriteOutcome apply_client_write(const std::string& key, const Version& write,
                                  std::size_t max_siblings);

  // A version from a peer (PROTOCOL §11): kept unless an identical version is stored or a
  // stored clock strictly dominates it; it removes the siblings it dominates. Equal clocks with
  // different values are both kept. Commutative, associative and idempotent over sets of
  // versions. Returns whether the key's sibling set changed.
  bool merge_version(const std::string& key, const Version& version);

  // The key's siblings, oldest first; nullptr for a key never written.
  const SiblingSet* find(const std::string& key) const;

  std::size_t key_count() const { return keys_.size(); }
  const std::unordered_map<std::string, SiblingSet>& keys() const { return keys_; }

 private:
  std::unordered_map<std::string, SiblingSet> keys_;
};

// Same clock (after padding) and same value as JSON.
bool same_version(VersionView a, VersionView b);

// "value@clock" of each sibling, space-separated, e.g. "\"a\"@[1, 0] \"b\"@[0, 1]" (for tests
// and debug logs).
std::string describe(const SiblingSet& siblings);

}  // namespace vckv
