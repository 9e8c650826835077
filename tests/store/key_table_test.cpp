// The store's private key table against std::map (white-box: src/store/key_table.hpp).
#include "store/key_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>

#include "vckv/wire/clock_json.hpp"

namespace vckv::detail {
namespace {

// The key table against std::map: keys of every length around the inline limit (16 bytes),
// the empty key, keys differing only in their last byte, through many growths; then a copy
// and a move, and iteration visiting each key exactly once.
TEST(KeyTableTest, BehavesLikeAMapThroughGrowthCopyAndMove) {
  std::mt19937_64 rng(11);
  KeyTable table;
  std::map<std::string, std::string> model;  // key -> describe() of its one sibling
  for (int i = 0; i < 20000; ++i) {
    std::string key(rng() % 40, 'k');
    for (char& c : key) c = static_cast<char>('a' + rng() % 3);  // many near-collisions
    const auto [set, inserted] = table.try_emplace(key);
    ASSERT_EQ(inserted, model.count(key) == 0) << key;
    if (inserted) {
      const std::uint64_t clock[] = {static_cast<std::uint64_t>(i)};
      set->append("\"v" + std::to_string(i) + "\"", clock);
      model[key] = describe(Siblings(set));
    }
    ASSERT_EQ(table.size(), model.size());
  }
  EXPECT_EQ(table.find("not there, longer than sixteen bytes"), nullptr);
  const KeyTable copy = table;
  KeyTable moved = std::move(table);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.find(""), nullptr);
  for (const KeyTable* t : {&copy, static_cast<const KeyTable*>(&moved)}) {
    std::map<std::string, std::string> seen;
    for (const auto& [key, siblings] : *t) {
      ASSERT_TRUE(seen.emplace(std::string(key), describe(Siblings(&siblings))).second) << key;
    }
    EXPECT_EQ(seen, model);
    for (const auto& [key, described] : model) {
      const SiblingSet* found = t->find(key);
      ASSERT_NE(found, nullptr) << key;
      EXPECT_EQ(describe(Siblings(found)), described);
    }
  }
}

// Erasing (reaped keys, §16) against std::map: inserts and erases mixed over many growths,
// with near-colliding keys, so runs of probes are broken and shifted back; every key left is
// found, every key erased is not, and an erased key can come back.
TEST(KeyTableTest, EraseKeepsEveryOtherKeyFindable) {
  std::mt19937_64 rng(25);
  KeyTable table;
  std::map<std::string, std::string> model;
  for (int i = 0; i < 30000; ++i) {
    std::string key(rng() % 20, 'k');
    for (char& c : key) c = static_cast<char>('a' + rng() % 3);
    if (rng() % 3 == 0) {
      ASSERT_EQ(table.erase(key), model.erase(key) == 1) << key;
    } else {
      const auto [set, inserted] = table.try_emplace(key);
      ASSERT_EQ(inserted, model.count(key) == 0) << key;
      if (inserted) {
        const std::uint64_t clock[] = {static_cast<std::uint64_t>(i)};
        set->append("\"v" + std::to_string(i) + "\"", clock);
        model[key] = describe(Siblings(set));
      }
    }
    ASSERT_EQ(table.size(), model.size());
    if (i % 1000 == 0) {
      for (const auto& [k, described] : model) {
        const SiblingSet* found = table.find(k);
        ASSERT_NE(found, nullptr) << k;
        ASSERT_EQ(describe(Siblings(found)), described);
      }
    }
  }
  std::size_t visited = 0;
  for (const auto& entry : table) {
    ASSERT_EQ(model.count(std::string(entry.key)), 1u);
    ++visited;
  }
  EXPECT_EQ(visited, model.size());
}

// Removing most keys (a reaped store, §16) shrinks the slot array, to nothing once empty; the
// keys left stay findable with their siblings, and the table grows again as before.
TEST(KeyTableTest, EraseShrinksTheTableAsKeysLeave) {
  KeyTable table;
  const auto key = [](int i) { return "key-" + std::to_string(i) + (i % 2 ? std::string(20, 'x') : ""); };
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t clock[] = {static_cast<std::uint64_t>(i + 1)};
    table.try_emplace(key(i)).first->append("\"v\"", clock);
  }
  EXPECT_EQ(table.capacity(), 262144u);
  for (int i = 100; i < 100000; ++i) ASSERT_TRUE(table.erase(key(i))) << i;
  EXPECT_EQ(table.size(), 100u);
  EXPECT_LE(table.capacity(), 512u);
  for (int i = 0; i < 100; ++i) {
    const SiblingSet* found = table.find(key(i));
    ASSERT_NE(found, nullptr) << i;
    EXPECT_EQ(describe(Siblings(found)), "\"v\"@[" + std::to_string(i + 1) + "]");
  }
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(table.erase(key(i)));
  EXPECT_EQ(table.capacity(), 0u);
  EXPECT_EQ(table.find(key(0)), nullptr);
  EXPECT_TRUE(table.try_emplace("again").second);
  EXPECT_NE(table.find("again"), nullptr);
}

}  // namespace
}  // namespace vckv::detail
