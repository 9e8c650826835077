#include "vckv/store/hash_tree.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "vckv/store/sibling_store.hpp"

namespace vckv {
namespace {

Version v(std::string value, VectorClock clock) { return Version{std::move(value), std::move(clock)}; }

std::uint64_t hash_of(const std::string& key, std::vector<Version> versions) {
  SiblingStore store;
  for (const Version& x : versions) store.merge_version(key, x);
  return key_hash(key, store.find(key));
}

// Versions that are the same version hash alike: clocks compared with zero padding, values as
// JSON (key order, 1 and 1.0). Anything else differs.
TEST(HashTreeTest, SameVersionsSameHash) {
  EXPECT_EQ(version_hash({"{\"a\": 1, \"b\": [2.0]}", VectorClock{1, 0}.slots()}),
            version_hash({"{\"b\": [2], \"a\": 1.0}", VectorClock{1}.slots()}));
  EXPECT_NE(version_hash({"1", VectorClock{1}.slots()}), version_hash({"1", VectorClock{0, 1}.slots()}));
  EXPECT_NE(version_hash({"1", VectorClock{1}.slots()}), version_hash({"true", VectorClock{1}.slots()}));
  EXPECT_NE(version_hash({"\"1\"", VectorClock{1}.slots()}), version_hash({"1", VectorClock{1}.slots()}));
  // A key's hash does not depend on the order its siblings arrived in; the key is part of it.
  EXPECT_EQ(hash_of("k", {v("1", {1, 0}), v("2", {0, 1})}), hash_of("k", {v("2", {0, 1}), v("1", {1, 0})}));
  EXPECT_NE(hash_of("k", {v("1", {1, 0})}), hash_of("j", {v("1", {1, 0})}));
  EXPECT_EQ(hash_of("k", {}), 0u);
  EXPECT_EQ(stable_hash("abc"), stable_hash("abc"));
  EXPECT_NE(stable_hash("abc"), stable_hash("abd"));
  EXPECT_NE(stable_hash(""), stable_hash(std::string(1, '\0')));
}

// The tree is a function of the keys held, whatever the order they came in; each node sums
// (and counts) the keys below it.
TEST(HashTreePropertyTest, TheTreeDependsOnTheKeysNotTheirOrder) {
  std::mt19937_64 rng(5);
  std::vector<std::pair<std::string, Version>> writes;
  for (int i = 0; i < 3000; ++i) {
    writes.emplace_back("\"k" + std::to_string(rng() % 700) + "\"",
                        v(std::to_string(rng() % 5), VectorClock({rng() % 3, rng() % 3})));
  }
  SiblingStore a, b;
  a.enable_hash_tree();
  for (const auto& [key, x] : writes) a.merge_version(key, x);
  std::shuffle(writes.begin(), writes.end(), rng);
  for (const auto& [key, x] : writes) b.merge_version(key, x);
  b.enable_hash_tree();  // built from the keys it holds
  const HashTree& ta = *a.hash_tree();
  const HashTree& tb = *b.hash_tree();
  EXPECT_EQ(ta.root(), tb.root());
  EXPECT_EQ(ta.key_count(), a.key_count());
  for (unsigned level = 0; level < HashTree::kLevels; ++level) {
    for (std::size_t i = 0; i < HashTree::width(level); ++i) {
      ASSERT_EQ(ta.hash(level, i), tb.hash(level, i)) << level << "/" << i;
      ASSERT_EQ(ta.count(level, i), tb.count(level, i)) << level << "/" << i;
    }
  }
  // Each node is its children's sum; a key lies under one node per level.
  for (unsigned level = 0; level + 1 < HashTree::kLevels; ++level) {
    for (std::size_t i = 0; i < HashTree::width(level); ++i) {
      std::uint64_t hash = 0, count = 0;
      for (unsigned c = 0; c < HashTree::kFanout; ++c) {
        hash += ta.hash(level + 1, i * HashTree::kFanout + c);
        count += ta.count(level + 1, i * HashTree::kFanout + c);
      }
      ASSERT_EQ(hash, ta.hash(level, i));
      ASSERT_EQ(count, ta.count(level, i));
    }
  }
  a.for_each([&](std::string_view key, Siblings) {
    std::size_t under = 0;
    for (std::size_t i = 0; i < HashTree::width(2); ++i) under += HashTree::under(key, 2, i);
    EXPECT_EQ(under, 1u);
  });
  // One more version anywhere changes the root.
  const std::uint64_t before = ta.root();
  a.merge_version("\"k1\"", v("\"new\"", VectorClock({9, 9})));
  EXPECT_NE(a.hash_tree()->root(), before);
}

// A tree over few keys keeps its deep levels as maps and switches to arrays as keys arrive; the
// hashes and counts read the same either way, on the way up past the switch and on the way
// back down to an empty tree.
TEST(HashTreePropertyTest, SparseAndDenseTreesReadAlike) {
  std::mt19937_64 rng(11);
  HashTree tree;
  std::vector<std::pair<std::string, std::uint64_t>> held;  // key, its hash in the tree
  auto check = [&] {
    std::vector<std::uint64_t> hash(HashTree::width(HashTree::kLeafLevel)), count(hash.size());
    for (const auto& [key, h] : held) {
      hash[HashTree::segment_of(key)] += h;
      count[HashTree::segment_of(key)] += 1;
    }
    for (std::size_t i = 0; i < hash.size(); ++i) {
      ASSERT_EQ(tree.hash(HashTree::kLeafLevel, i), hash[i]) << i;
      ASSERT_EQ(tree.count(HashTree::kLeafLevel, i), count[i]) << i;
    }
    for (unsigned level = HashTree::kLeafLevel; level-- > 0;) {
      for (std::size_t i = 0; i < HashTree::width(level); ++i) {
        std::uint64_t h = 0, c = 0;
        for (unsigned k = 0; k < HashTree::kFanout; ++k) {
          h += tree.hash(level + 1, i * HashTree::kFanout + k);
          c += tree.count(level + 1, i * HashTree::kFanout + k);
        }
        ASSERT_EQ(tree.hash(level, i), h) << level << "/" << i;
        ASSERT_EQ(tree.count(level, i), c) << level << "/" << i;
      }
    }
    ASSERT_EQ(tree.key_count(), held.size());
  };
  for (int step = 0; step < 6000; ++step) {
    const std::string key = "k" + std::to_string(step);
    const std::uint64_t h = rng() | 1;
    tree.update(key, 0, h);
    held.emplace_back(key, h);
    if (step % 20 == 0) {  // a changed key: its old hash out, a new one in
      auto& [k, old] = held[rng() % held.size()];
      const std::uint64_t now = rng() | 1;
      tree.update(k, old, now);
      old = now;
    }
    if (step == 10 || step == 2000 || step == 2100 || step == 5999) check();
  }
  std::shuffle(held.begin(), held.end(), rng);
  while (!held.empty()) {
    tree.update(held.back().first, held.back().second, 0);
    held.pop_back();
    if (held.size() == 3000 || held.size() == 5 || held.empty()) check();
  }
  EXPECT_EQ(tree.root(), 0u);
}

}  // namespace
}  // namespace vckv
