#include "vckv/store/hash_tree.hpp"

#include <cstring>
#include <string>

#include "vckv/json/writer.hpp"

namespace vckv {

namespace {

std::uint64_t mix(std::uint64_t x) {
  // A 64-bit finaliser (splitmix64's): every input bit moves every output bit.
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

std::uint64_t mix64(std::uint64_t x) { return mix(x); }

std::uint64_t stable_hash(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = mix(seed ^ (bytes.size() * 0x9e3779b97f4a7c15ULL));
  std::size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, bytes.data() + i, 8);  // little-endian machines only give this value;
    h = mix(h ^ w);                        // the cluster runs one build, so that is enough
  }
  std::uint64_t tail = 0;
  if (i < bytes.size()) std::memcpy(&tail, bytes.data() + i, bytes.size() - i);
  return mix(h ^ tail ^ 0xff);
}

std::uint64_t version_hash(ClockSlots slots, std::string_view canonical_value, Dot dot) {
  // The clock without trailing zeros ([1] and [1, 0] are one clock), and the value in a form
  // that JSON-equal values share.
  std::size_t n = slots.size();
  while (n > 0 && slots[n - 1] == 0) --n;
  std::uint64_t h = 0x5157a1e5ULL;
  for (std::size_t i = 0; i < n; ++i) h = mix(h ^ slots[i]) + i;
  if (!dot.empty()) h = mix(mix(h ^ 0xd07ULL ^ dot.node) ^ dot.counter);
  return mix(h ^ stable_hash(canonical_value, 1));
}

std::uint64_t version_hash(VersionView v) {
  // A string, true, false or null is its own canonical text: hashed in place, no copy (values
  // can be megabytes, and a change re-hashes every sibling of its key).
  const char first = v.value.empty() ? '\0' : v.value.front();
  if (first == '"' || first == 't' || first == 'f' || first == 'n') {
    return version_hash(v.slots, v.value, v.dot);
  }
  return version_hash(v.slots, canonical_json(v.value, /*numbers_by_value=*/true), v.dot);
}

std::uint64_t key_hash(std::string_view key, std::uint64_t version_hash_sum) {
  if (version_hash_sum == 0) return 0;
  const std::uint64_t h = mix(stable_hash(key, 2) ^ version_hash_sum);
  return h == 0 ? 1 : h;  // 0 is kept for "no versions"
}

std::uint64_t key_hash(std::string_view key, std::size_t versions, std::uint64_t version_hash_sum) {
  if (versions == 0) return 0;
  return key_hash(key, version_hash_sum == 0 ? 1 : version_hash_sum);
}

std::uint64_t key_hash(std::string_view key, Siblings siblings) {
  std::uint64_t sum = 0;
  for (VersionView v : siblings) sum += version_hash(v);
  return key_hash(key, siblings.size(), sum);
}

HashTree::HashTree() {
  for (unsigned level = 0; level < kDenseLevels; ++level) nodes_[level].assign(width(level), Node{});
}

const HashTree::Node& HashTree::node(unsigned level, std::size_t index) const {
  if (dense_ || level < kDenseLevels) return nodes_[level][index];
  static const Node empty;
  const auto it = sparse_[level].find(index);
  return it == sparse_[level].end() ? empty : it->second;
}

HashTree::Node& HashTree::node_for_update(unsigned level, std::size_t index) {
  if (dense_ || level < kDenseLevels) return nodes_[level][index];
  return sparse_[level][index];
}

void HashTree::make_dense() {
  for (unsigned level = kDenseLevels; level < kLevels; ++level) {
    nodes_[level].assign(width(level), Node{});
    for (const auto& [index, n] : sparse_[level]) nodes_[level][index] = n;
    sparse_[level] = {};
  }
  dense_ = true;
}

std::size_t HashTree::width(unsigned level) { return std::size_t{1} << (4 * level); }

std::size_t HashTree::segment_of(std::string_view key) {
  return static_cast<std::size_t>(stable_hash(key, 3) >> (64 - 4 * kLeafLevel));
}

bool HashTree::under(std::string_view key, unsigned level, std::size_t index) {
  return (segment_of(key) >> (4 * (kLeafLevel - level))) == index;
}

void HashTree::update(std::string_view key, std::uint64_t old_hash, std::uint64_t new_hash) {
  if (old_hash == new_hash) return;
  const std::size_t segment = segment_of(key);
  const std::uint64_t delta = new_hash - old_hash;  // mod 2^64, as the sums are
  const std::int64_t count_delta = (new_hash != 0) - (old_hash != 0);
  for (unsigned level = 0; level < kLevels; ++level) {
    const std::size_t index = segment >> (4 * (kLeafLevel - level));
    Node& n = node_for_update(level, index);
    n.hash += delta;
    n.count += static_cast<std::uint64_t>(count_delta);
    if (!dense_ && level >= kDenseLevels && n.count == 0 && n.hash == 0) sparse_[level].erase(index);
  }
  if (!dense_ && sparse_[kLeafLevel].size() > kSparseLeafLimit) make_dense();
}

}  // namespace vckv
