// A hash tree over a replica's keys, for anti-entropy (docs/protocol.md §12): two replicas
// compare roots, descend only where hashes differ, and exchange only the keys that differ.
// Pure logic, no I/O.
//
// Shape: a fixed tree of kLevels levels, fanout kFanout; level 0 is the root, the last level's
// nodes are the segments a key falls in by the top bits of its position hash. A node holds the
// sum (mod 2^64) of the hashes of the keys below it and how many keys that is. Sums make the
// tree order-independent (two replicas holding the same keys have the same tree, however the
// keys arrived) and a change cost one update per level.
//
// Storage: the top kDenseLevels levels are arrays; the deeper ones start as maps holding only
// the nodes that have keys below them (a tree over a handful of keys costs a few kilobytes, not
// the 1.1 MB of 69,905 nodes: a node keeps one tree per peer with a ring, and the simulator
// builds thousands) and turn into arrays once the leaves in use pass kSparseLeafLimit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vckv/store/version.hpp"

namespace vckv {

// A 64-bit hash of bytes, the same on every machine (the tree is compared across processes).
std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed = 0);
// splitmix64's finaliser: every input bit moves every output bit (stable_hash is built on it).
std::uint64_t mix64(std::uint64_t x);

// A version's hash: equal for versions that are the same (equal clocks after zero padding,
// equal dots, values equal as JSON).
std::uint64_t version_hash(VersionView v);
// The same from the value's canonical text (canonical_json(value, numbers_by_value = true),
// or the value itself for a string, true, false or null), for a caller that has it already.
std::uint64_t version_hash(ClockSlots slots, std::string_view canonical_value, Dot dot = {});
// A key's hash from the sum of its versions' hashes (order-independent); 0 for no versions.
std::uint64_t key_hash(std::string_view key, std::uint64_t version_hash_sum);
// The key's hash with these siblings (0 when there are none).
std::uint64_t key_hash(std::string_view key, Siblings siblings);
// The same from how many versions it has and the sum of their hashes.
std::uint64_t key_hash(std::string_view key, std::size_t versions, std::uint64_t version_hash_sum);

class HashTree {
 public:
  static constexpr unsigned kFanout = 16;
  static constexpr unsigned kLevels = 5;  // root, then 16, 256, 4096, 65536 segments
  static constexpr unsigned kLeafLevel = kLevels - 1;

  HashTree();

  // The number of nodes at a level (kFanout^level).
  static std::size_t width(unsigned level);
  // The segment (leaf index) a key falls in.
  static std::size_t segment_of(std::string_view key);
  // Whether a key falls below node `index` of `level`.
  static bool under(std::string_view key, unsigned level, std::size_t index);

  // A key's hash went from old_hash to new_hash (0: the key had, or has, no versions).
  void update(std::string_view key, std::uint64_t old_hash, std::uint64_t new_hash);

  std::uint64_t hash(unsigned level, std::size_t index) const { return node(level, index).hash; }
  std::uint64_t count(unsigned level, std::size_t index) const { return node(level, index).count; }
  std::uint64_t root() const { return hash(0, 0); }
  std::uint64_t key_count() const { return count(0, 0); }

 private:
  static constexpr unsigned kDenseLevels = 3;             // 1 + 16 + 256 nodes, always arrays
  static constexpr std::size_t kSparseLeafLimit = 2048;  // leaves in use before arrays pay off

  struct Node {  // side by side: an update touches one cache line per level
    std::uint64_t hash = 0;
    std::uint64_t count = 0;
  };
  const Node& node(unsigned level, std::size_t index) const;
  Node& node_for_update(unsigned level, std::size_t index);
  void make_dense();

  std::vector<Node> nodes_[kLevels];  // the dense levels (all of them once dense_)
  std::unordered_map<std::size_t, Node> sparse_[kLevels];  // deeper levels while !dense_
  bool dense_ = false;
};

}  // namespace vckv
