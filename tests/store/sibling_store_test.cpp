#include "vckv/store/sibling_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

Version v(std::string value, VectorClock clock) { return Version{std::move(value), std::move(clock)}; }

std::string state(const SiblingStore& store, const std::string& key) {
  const Siblings siblings = store.find(key);
  return siblings.empty() ? "(none)" : describe(siblings);
}

// What a client write's reply would say, and how many siblings there are: "conflict/2".
std::string put(SiblingStore& store, const std::string& value, VectorClock clock,
                std::size_t max_siblings = 100) {
  const ApplyResult r = store.apply_client_write("\"x\"", v(value, std::move(clock)), max_siblings);
  const char* status = r.ruling == Ruling::kStale             ? "stale"
                       : r.ruling == Ruling::kTooManySiblings ? "too-many"
                       : r.siblings == 1                      ? "written"
                                                              : "conflict";
  return std::string(status) + "/" + std::to_string(r.siblings);
}

TEST(SiblingStoreTest, ConcurrentWritesBecomeSiblingsAndAResolveReplacesThem) {
  SiblingStore store;
  EXPECT_EQ(put(store, "\"v1\"", {1, 0}), "written/1");
  EXPECT_EQ(put(store, "\"v2\"", {0, 1}), "conflict/2");
  EXPECT_EQ(state(store, "\"x\""), "\"v1\"@[1, 0] \"v2\"@[0, 1]");
  EXPECT_EQ(put(store, "\"v1+v2\"", {1, 1}), "written/1");
  EXPECT_EQ(state(store, "\"x\""), "\"v1+v2\"@[1, 1]");
}

// An overwrite of a key's only sibling reuses its block when the new version fits (same size,
// smaller, a shorter clock) and moves to a new one when it does not (longer value, wider or
// longer clock); every step reads back exactly what was written. (Each clock dominates the one
// before: a larger first entry, the others never smaller.)
TEST(SiblingStoreTest, OverwritingTheOnlySiblingInPlaceOrNot) {
  SiblingStore store;
  std::uint64_t c = 1;
  const std::pair<std::string, std::vector<std::uint64_t>> steps[] = {
      {"\"abcd\"", {}},          {"\"wxyz\"", {}},
      {"1", {}},                 {std::string(100, '7'), {}},
      {"[]", {}},                {"\"wider\"", {70000}},
      {"\"widest\"", {1u << 31, 5000000000u}},
      {"null", {1u << 31, 5000000000u, 0, 0, 0, 0, 0, 0}},
      {"\"last\"", {1u << 31, 5000000000u}}};
  for (const auto& [value, extra] : steps) {
    std::vector<std::uint64_t> slots{++c};
    slots.insert(slots.end(), extra.begin(), extra.end());
    EXPECT_EQ(store.apply_client_write("\"k\"", v(value, VectorClock(slots)), 100).ruling,
              Ruling::kStore);
    std::string expected = value + "@";
    append_clock_json(expected, slots);
    EXPECT_EQ(state(store, "\"k\""), expected);
  }
}

TEST(SiblingStoreTest, DominatedOrEqualClockIsStale) {
  SiblingStore store;
  put(store, "\"a\"", {2, 1});
  EXPECT_EQ(put(store, "\"b\"", {1, 1}), "stale/1");
  EXPECT_EQ(put(store, "\"b\"", {2, 1}), "stale/1");     // equal clock, other value
  EXPECT_EQ(put(store, "\"b\"", {2, 1, 0}), "stale/1");  // equal after padding
  EXPECT_EQ(state(store, "\"x\""), "\"a\"@[2, 1]");
}

TEST(SiblingStoreTest, RetryOfAStoredVersionChangesNothing) {
  SiblingStore store;
  put(store, "{\"a\": 1, \"b\": 2}", {1, 0});
  put(store, "\"other\"", {0, 1});
  // Equal as JSON (key order, 1 == 1.0) and equal clock after padding: a retry.
  EXPECT_EQ(put(store, "{\"b\": 2.0, \"a\": 1}", {1}), "conflict/2");
  EXPECT_EQ(state(store, "\"x\""), "{\"a\": 1, \"b\": 2}@[1, 0] \"other\"@[0, 1]");
}

TEST(SiblingStoreTest, SiblingLimitRefusesWithoutChange) {
  SiblingStore store;
  EXPECT_EQ(put(store, "1", {1, 0, 0}, 2), "written/1");
  EXPECT_EQ(put(store, "2", {0, 1, 0}, 2), "conflict/2");
  EXPECT_EQ(put(store, "3", {0, 0, 1}, 2), "too-many/3");
  EXPECT_EQ(state(store, "\"x\""), "1@[1, 0, 0] 2@[0, 1, 0]");
  // A write that replaces one sibling stays within the limit.
  EXPECT_EQ(put(store, "3", {1, 0, 1}, 2), "conflict/2");
  EXPECT_EQ(state(store, "\"x\""), "2@[0, 1, 0] 3@[1, 0, 1]");
}

TEST(SiblingStoreTest, KeysAreJsonTexts) {
  SiblingStore store;
  store.apply_client_write("1", v("\"int\"", {1}), 100);
  store.apply_client_write("\"1\"", v("\"str\"", {1}), 100);
  EXPECT_EQ(state(store, "1"), "\"int\"@[1]");
  EXPECT_EQ(state(store, "\"1\""), "\"str\"@[1]");
  EXPECT_EQ(store.key_count(), 2u);
}

TEST(SiblingStoreTest, MergeKeepsEqualClocksWithDifferentValues) {
  SiblingStore store;
  EXPECT_TRUE(store.merge_version("k", v("\"a\"", {1, 0})));
  EXPECT_TRUE(store.merge_version("k", v("\"b\"", {1, 0})));
  EXPECT_FALSE(store.merge_version("k", v("\"a\"", {1})));      // identical: kept once
  EXPECT_FALSE(store.merge_version("k", v("\"old\"", {0, 0})));  // dominated: dropped
  EXPECT_EQ(state(store, "k"), "\"a\"@[1, 0] \"b\"@[1, 0]");
  EXPECT_TRUE(store.merge_version("k", v("\"c\"", {1, 1})));
  EXPECT_EQ(state(store, "k"), "\"c\"@[1, 1]");
}

// --- Properties of the §11 merge (docs/protocol.md) over random version sets --------------------------

using VersionSet = std::set<std::pair<std::string, std::vector<std::uint64_t>>>;

// The sibling set as a set, clocks normalised by dropping trailing zeros.
VersionSet as_set(const SiblingStore& store, const std::string& key) {
  VersionSet out;
  for (VersionView s : store.find(key)) {
    std::vector<std::uint64_t> slots = s.slots.to_vector();
    while (!slots.empty() && slots.back() == 0) slots.pop_back();
    out.emplace(std::string(s.value), slots);
  }
  return out;
}

bool is_antichain(const SiblingStore& store, const std::string& key) {
  const Siblings siblings = store.find(key);
  for (std::size_t i = 0; i < siblings.size(); ++i) {
    for (std::size_t j = 0; j < siblings.size(); ++j) {
      if (slots_dominate(siblings[i].slots, siblings[j].slots)) return false;
      if (i != j && same_version(siblings[i], siblings[j])) return false;
    }
  }
  return true;
}

std::vector<Version> random_versions(std::mt19937_64& rng, std::size_t n) {
  std::vector<Version> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::uint64_t> slots(std::uniform_int_distribution<std::size_t>(0, 3)(rng));
    for (auto& s : slots) s = std::uniform_int_distribution<std::uint64_t>(0, 2)(rng);
    // Few distinct values, so equal clocks with equal and with different values both occur.
    out.push_back(v("\"v" + std::to_string(rng() % 3) + "\"", VectorClock(std::move(slots))));
  }
  return out;
}

Version as_version(VersionView v) { return Version{std::string(v.value), v.clock()}; }

SiblingStore merged(const std::vector<Version>& versions) {
  SiblingStore store;
  for (const Version& version : versions) store.merge_version("k", version);
  return store;
}

TEST(SiblingStorePropertyTest, MergeIsOrderIndependentAndKeepsAnAntichain) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 3000; ++round) {
    auto versions = random_versions(rng, 1 + rng() % 8);
    const VersionSet expected = as_set(merged(versions), "k");
    for (int shuffle = 0; shuffle < 4; ++shuffle) {
      std::shuffle(versions.begin(), versions.end(), rng);  // commutative and associative
      const SiblingStore store = merged(versions);
      ASSERT_EQ(as_set(store, "k"), expected);
      ASSERT_TRUE(is_antichain(store, "k")) << describe(store.find("k"));
    }
  }
}

TEST(SiblingStorePropertyTest, MergeIsIdempotentAndGroupingFree) {
  std::mt19937_64 rng(8);
  for (int round = 0; round < 3000; ++round) {
    const auto a = random_versions(rng, 1 + rng() % 5);
    const auto b = random_versions(rng, 1 + rng() % 5);
    // (A merged into B's replica) equals (B merged into A's replica), and merging a replica's
    // own versions again changes nothing.
    const SiblingStore only_a = merged(a), only_b = merged(b);
    SiblingStore left = only_a, right = only_b;
    for (VersionView x : only_b.find("k")) left.merge_version("k", as_version(x));
    for (VersionView x : only_a.find("k")) right.merge_version("k", as_version(x));
    ASSERT_EQ(as_set(left, "k"), as_set(right, "k"));
    const VersionSet before = as_set(left, "k");
    for (VersionView x : left.find("k")) {
      EXPECT_FALSE(SiblingStore(left).merge_version("k", as_version(x)));
    }
    SiblingStore again = left;
    for (VersionView x : left.find("k")) again.merge_version("k", as_version(x));
    ASSERT_EQ(as_set(again, "k"), before);
  }
}

TEST(SiblingStorePropertyTest, MergeKeepsEveryVersionNotDominated) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 3000; ++round) {
    const auto versions = random_versions(rng, 1 + rng() % 8);
    const VersionSet got = as_set(merged(versions), "k");
    for (const Version& x : versions) {
      const bool dominated = std::any_of(versions.begin(), versions.end(), [&](const Version& y) {
        return y.clock.dominates(x.clock);
      });
      SiblingStore one;
      one.merge_version("k", x);
      const auto key = *as_set(one, "k").begin();
      EXPECT_EQ(got.count(key) == 1, !dominated) << x.value << clock_json(x.clock);
    }
  }
}

TEST(SiblingStorePropertyTest, ClientWritesKeepAnAntichain) {
  std::mt19937_64 rng(10);
  for (int round = 0; round < 2000; ++round) {
    SiblingStore store;
    for (const Version& w : random_versions(rng, 12)) {
      const auto before = as_set(store, "k");
      const ApplyResult o = store.apply_client_write("k", w, 3);
      ASSERT_TRUE(is_antichain(store, "k"));
      if (!o.changed()) {
        ASSERT_EQ(as_set(store, "k"), before);  // a refused write or a retry changes nothing
      }
      if (o.ruling != Ruling::kStale && o.ruling != Ruling::kTooManySiblings) {
        ASSERT_EQ(o.siblings, store.find("k").size());
        ASSERT_LE(o.siblings, 3u);
      }
    }
  }
}

// --- Merging many versions of a key at once (merge_versions) ----------------------------------

// The tree's hash of key as a replica holding these siblings computes it from scratch.
std::uint64_t fresh_root(const SiblingStore& store) {
  HashTree tree;
  store.for_each([&](std::string_view key, Siblings siblings) {
    tree.update(key, 0, key_hash(key, siblings));
  });
  return tree.root();
}

// Versions whose values are JSON-equal in several writings (1 and 1.0, objects in two key
// orders) and whose clocks are equal in several lengths ([1] and [1, 0]).
std::vector<Version> random_tricky_versions(std::mt19937_64& rng, std::size_t n) {
  static const char* const values[] = {"1", "1.0", "2", "\"a\"", "\"b\"", "{\"p\": 1, \"q\": 2}",
                                       "{\"q\": 2, \"p\": 1}", "{\"q\": 2.0, \"p\": 1}", "[1, 2]", "null"};
  std::vector<Version> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::uint64_t> slots(std::uniform_int_distribution<std::size_t>(0, 4)(rng));
    for (auto& s : slots) s = std::uniform_int_distribution<std::uint64_t>(0, 1)(rng);
    out.push_back(v(values[rng() % 10], VectorClock(std::move(slots))));
  }
  return out;
}

std::vector<VersionView> views(const std::vector<Version>& versions) {
  std::vector<VersionView> out;
  for (const Version& x : versions) out.push_back(VersionView{x.value, x.clock.slots()});
  return out;
}

// merge_versions gives exactly what merge_version on each in turn gives: the same siblings in
// the same order, the same hash tree; in both conflict modes.
TEST(SiblingStorePropertyTest, MergingManyAtOnceIsMergingOneByOne) {
  std::mt19937_64 rng(11);
  ConflictRule lww;
  lww.mode = ConflictMode::kLww;
  for (const ConflictRule& rule : {ConflictRule{}, lww}) {
    for (int round = 0; round < 3000; ++round) {
      SiblingStore one_by_one(rule);
      one_by_one.enable_hash_tree();
      for (const Version& x : random_tricky_versions(rng, rng() % 4)) one_by_one.merge_version("k", x);
      SiblingStore at_once = one_by_one;
      const auto versions = random_tricky_versions(rng, 2 + rng() % 10);
      std::vector<std::size_t> added;
      for (std::size_t i = 0; i < versions.size(); ++i) {
        if (one_by_one.merge_version("k", versions[i])) added.push_back(i);
      }
      // (One by one, a version may be added and then replaced by a later one: at once, only
      // those that stay count as added; either way something is added iff the key changed.)
      const std::vector<std::size_t> added_at_once = at_once.merge_versions("k", views(versions));
      ASSERT_EQ(added_at_once.empty(), added.empty());
      for (std::size_t i : added_at_once) ASSERT_TRUE(std::count(added.begin(), added.end(), i));
      ASSERT_EQ(state(at_once, "k"), state(one_by_one, "k"));
      ASSERT_EQ(at_once.hash_tree()->root(), one_by_one.hash_tree()->root());
      ASSERT_EQ(at_once.hash_tree()->root(), fresh_root(at_once));
    }
  }
}

// 20 000 versions of one key with equal clocks and different values, each sent twice (the second
// time written another way: 5 and 5.0), merged into a key holding a version one of them
// repeats and one concurrent with them all: every value is kept once, the stored ones first,
// then the others in the order they came; the hash tree agrees with the siblings.
TEST(SiblingStoreTest, TwentyThousandEqualClockSiblingsMergeAtOnce) {
  SiblingStore store;
  store.enable_hash_tree();
  store.merge_version("\"k\"", v("\"stays\"", {0, 1}));  // concurrent with [1, 0]
  store.merge_version("\"k\"", v("7", {1}));
  ASSERT_EQ(state(store, "\"k\""), "\"stays\"@[0, 1] 7@[1]");
  constexpr std::size_t kN = 20000;
  std::vector<Version> versions;
  for (std::size_t i = 0; i < kN; ++i) versions.push_back(v(std::to_string(i), {1, 0}));
  for (std::size_t i = 0; i < kN; ++i) versions.push_back(v(std::to_string(i) + ".0", {1, 0}));
  versions.push_back(v("\"dominated\"", {0, 0, 0}));
  const std::vector<std::size_t> added = store.merge_versions("\"k\"", views(versions));
  ASSERT_EQ(added.size(), kN - 1);  // all but 7, which was stored
  const Siblings siblings = store.find("\"k\"");
  ASSERT_EQ(siblings.size(), kN + 1);
  EXPECT_EQ(siblings[0].value, "\"stays\"");
  EXPECT_EQ(siblings[1].value, "7");
  EXPECT_EQ(clock_json(siblings[1].slots), "[1]");
  std::size_t i = 2;
  for (std::size_t n = 0; n < kN; ++n) {
    if (n == 7) continue;
    ASSERT_EQ(siblings[i].value, std::to_string(n));
    ASSERT_EQ(clock_json(siblings[i].slots), "[1, 0]");
    ++i;
  }
  EXPECT_EQ(store.hash_tree()->root(), fresh_root(store));
  // Merging them all again changes nothing.
  EXPECT_TRUE(store.merge_versions("\"k\"", views(versions)).empty());
  EXPECT_EQ(store.find("\"k\"").size(), kN + 1);
}

}  // namespace
}  // namespace vckv
