// The durable store's index of its own files (private to src/storage/): for every live entry
// (a key, a hint, a dot counter), where its last record is and how many bytes that record
// takes. Compaction copies a record only if it is still the last of its entry; the sum of the
// sizes is the live data that decides when to compact. Like Bitcask's keydir, but it holds no
// keys: an entry is named by a 96-bit fingerprint of (map, target, key), 64 bits of SipHash-2-4
// and 32 of a fast multiply-mix hash, both keyed from a seed; 24 bytes per entry in one
// open-addressing array. Two entries share a fingerprint with probability about n^2 / 2^97
// (n = 10^6: 6e-18), and without the seed nobody can choose keys that do (SipHash is a keyed
// pseudorandom function: its 64 bits alone take 2^32 guesses per collision even knowing which
// keys exist).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/storage/log_record.hpp"

namespace vckv::detail {

// SipHash-2-4 (Aumasson and Bernstein) of bytes under the 128-bit key (k0, k1).
std::uint64_t siphash24(std::uint64_t k0, std::uint64_t k1, std::string_view bytes);

struct Fingerprint {
  std::uint64_t high = 0;
  std::uint32_t low = 0;
};

class EntryHasher {
 public:
  explicit EntryHasher(std::uint64_t seed);
  Fingerprint of(EntrySpace space, std::string_view target, std::string_view key) const;

 private:
  std::uint64_t keys_[4];
  mutable std::string scratch_;
};

// Where a record is: a file id (24 bits: file number and kind) and an offset (40 bits).
inline std::uint64_t record_location(std::uint32_t file_id, std::uint64_t offset) {
  return std::uint64_t{file_id} << 40 | offset;
}
inline std::uint32_t location_file(std::uint64_t location) {
  return static_cast<std::uint32_t>(location >> 40);
}
inline std::uint64_t location_offset(std::uint64_t location) {
  return location & ((std::uint64_t{1} << 40) - 1);
}
inline constexpr std::uint32_t kMaxFileId = (1u << 24) - 1;
inline constexpr std::uint64_t kMaxFileOffset = (std::uint64_t{1} << 40) - 1;

class KeyDirectory {
 public:
  struct Entry {
    std::uint64_t high;
    std::uint64_t location;
    std::uint32_t low;
    std::uint32_t size;  // bytes of the record; 0 marks an empty slot
  };

  // The entry's last record is now at location, size bytes (> 0).
  void put(Fingerprint fp, std::uint64_t location, std::uint32_t size);
  // The entry no longer exists.
  void erase(Fingerprint fp);
  const Entry* find(Fingerprint fp) const;
  // If the entry's last record is at from, it is now at to (same size): true. Else false.
  bool relocate(Fingerprint fp, std::uint64_t from, std::uint64_t to);
  // Every entry, appended to out in no particular order (compaction copies what they name).
  void append_entries(std::vector<Entry>& out) const;
  // Room for this many entries without growing (recovery knows about how many are coming).
  void reserve(std::size_t entries);
  // A lookup of fp is coming: start loading its slot (a hint; changes nothing). Recovery
  // issues these a batch of records ahead, so the table's cache misses overlap.
  void prefetch(Fingerprint fp) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(fp.high)]);
  }

  std::size_t size() const { return size_; }
  // Sum of the sizes of the entries' last records.
  std::uint64_t live_bytes() const { return live_bytes_; }
  std::size_t memory_bytes() const { return slots_.capacity() * sizeof(Entry); }

 private:
  std::size_t home(std::uint64_t high) const;
  std::size_t next(std::size_t i) const { return i + 1 == slots_.size() ? 0 : i + 1; }
  std::size_t find_slot(Fingerprint fp) const;  // the slot holding fp, or slots_.size()
  void grow();
  void rehash(std::size_t capacity);

  std::vector<Entry> slots_;
  std::size_t size_ = 0;
  std::uint64_t live_bytes_ = 0;
};

}  // namespace vckv::detail
