// Tombstones in the store (docs/protocol.md §16): a version with a clock and no value (its value
// text is empty). The §7 and §13 rules with tombstones among the siblings, their hash, and the
// merge algebra with tombstones and reaping.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "vckv/store/hash_tree.hpp"
#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

Version v(std::string value, VectorClock clock) { return Version{std::move(value), std::move(clock)}; }
Version tomb(VectorClock clock) { return Version{std::string(), std::move(clock)}; }

std::string state(const SiblingStore& store, const std::string& key = "k") {
  const Siblings siblings = store.find(key);
  return siblings.empty() ? "(none)" : describe(siblings);
}

ConflictRule lww() {
  ConflictRule rule;
  rule.mode = ConflictMode::kLww;
  return rule;
}

TEST(TombstoneTest, ADeleteOfAMissingKeyStoresItsTombstone) {
  SiblingStore store;
  const ApplyResult r = store.apply_client_write("k", tomb({1}), 100);
  EXPECT_EQ(r.ruling, Ruling::kStore);
  EXPECT_EQ(state(store), "~@[1]");
  EXPECT_TRUE(all_tombstones(store.find("k")));
  EXPECT_FALSE(all_tombstones(store.find("missing")));
}

TEST(TombstoneTest, ATombstoneEqualsOnlyATombstoneWithTheSameClock) {
  SiblingStore store;
  store.apply_client_write("k", tomb({1, 0}), 100);
  // A retry (same clock, [1] is [1, 0]): acknowledged, nothing changes.
  EXPECT_EQ(store.apply_client_write("k", tomb({1}), 100).ruling, Ruling::kKeep);
  // A null value with the same clock is another version: a peer's is kept beside it ...
  EXPECT_TRUE(store.merge_version("k", v("null", {1, 0})));
  EXPECT_EQ(state(store), "~@[1, 0] null@[1, 0]");
  // ... and the tombstone again is one already held.
  EXPECT_FALSE(store.merge_version("k", tomb({1})));
  EXPECT_FALSE(same_version(VersionView{"", store.find("k")[0].slots}, store.find("k")[1]));
}

TEST(TombstoneTest, TombstonesAreSiblingsAndADescendingWriteReplacesThemAll) {
  SiblingStore store;
  store.apply_client_write("k", v("\"a\"", {1, 0}), 100);
  const ApplyResult del = store.apply_client_write("k", tomb({0, 1}), 100);
  EXPECT_EQ(del.ruling, Ruling::kStore);
  EXPECT_EQ(del.siblings, 2u);  // the tombstone counts
  EXPECT_FALSE(all_tombstones(store.find("k")));
  // A stale delete: a stored clock descends it.
  EXPECT_EQ(store.apply_client_write("k", tomb({1, 0}), 100).ruling, Ruling::kStale);
  // A write descending the value and the tombstone replaces both.
  const ApplyResult w = store.apply_client_write("k", v("\"b\"", {1, 1}), 100);
  EXPECT_EQ(w.siblings, 1u);
  EXPECT_EQ(state(store), "\"b\"@[1, 1]");
  // A delete descending it leaves only the tombstone.
  EXPECT_EQ(store.apply_client_write("k", tomb({2, 1}), 100).siblings, 1u);
  EXPECT_EQ(state(store), "~@[2, 1]");
}

TEST(TombstoneTest, TheSiblingLimitCountsTombstones) {
  SiblingStore store;
  store.apply_client_write("k", tomb({1, 0, 0}), 2);
  store.apply_client_write("k", v("1", {0, 1, 0}), 2);
  const ApplyResult r = store.apply_client_write("k", v("2", {0, 0, 1}), 2);
  EXPECT_EQ(r.ruling, Ruling::kTooManySiblings);
  EXPECT_EQ(r.siblings, 3u);
  EXPECT_EQ(store.apply_client_write("k", tomb({0, 0, 1}), 2).ruling, Ruling::kTooManySiblings);
}

TEST(TombstoneTest, LwwATombstoneLosesAValueTieAndWinsByClock) {
  {
    SiblingStore store(lww());
    store.apply_client_write("k", v("\"a\"", {1, 0}), 100);
    // Concurrent, same sum, the clock entries decide: [1, 0] > [0, 1].
    EXPECT_EQ(store.apply_client_write("k", tomb({0, 1}), 100).ruling, Ruling::kSuperseded);
    EXPECT_EQ(store.apply_client_write("k", tomb({1, 0}), 100).ruling, Ruling::kStale);
    EXPECT_EQ(store.apply_client_write("k", tomb({0, 2}), 100).ruling, Ruling::kStore);
    EXPECT_EQ(state(store), "~@[0, 2]");
  }
  // The same clock: the values' texts decide, and the tombstone's is the empty byte sequence,
  // so any value wins, whichever arrives first (merges from peers).
  for (const std::string value : {"\"\"", "null", "0", "[]"}) {
    SiblingStore first_tomb(lww()), first_value(lww());
    first_tomb.merge_version("k", tomb({1, 1}));
    first_tomb.merge_version("k", v(value, {1, 1}));
    first_value.merge_version("k", v(value, {1, 1}));
    first_value.merge_version("k", tomb({1, 1}));
    EXPECT_EQ(state(first_tomb), value + "@[1, 1]");
    EXPECT_EQ(state(first_value), value + "@[1, 1]");
  }
}

TEST(TombstoneTest, ATombstoneHashesApartFromEveryValue) {
  const std::uint64_t clock[] = {3, 1};
  const std::uint64_t t = version_hash(VersionView{"", clock});
  for (const char* value : {"null", "\"\"", "0", "false", "[]", "{}"}) {
    EXPECT_NE(t, version_hash(VersionView{value, clock})) << value;
  }
  EXPECT_EQ(t, version_hash(VersionView{"", ClockSlots(std::vector<std::uint64_t>{3, 1, 0})}));
  // A store's tree counts a key holding only tombstones.
  SiblingStore store;
  store.enable_hash_tree();
  store.apply_client_write("k", tomb({1}), 100);
  EXPECT_EQ(store.hash_tree()->key_count(), 1u);
  EXPECT_NE(store.hash_tree()->root(), 0u);
}

TEST(TombstoneTest, EraseRemovesTheKeyFromTheStoreAndTheTree) {
  SiblingStore store;
  store.enable_hash_tree();
  std::vector<std::tuple<std::string, std::uint64_t, std::uint64_t>> seen;
  store.set_change_observer([&](std::string_view key, std::uint64_t from, std::uint64_t to) {
    seen.emplace_back(std::string(key), from, to);
  });
  store.apply_client_write("a", v("1", {1}), 100);
  const std::uint64_t only_a = store.hash_tree()->root();
  store.apply_client_write("k", tomb({1}), 100);
  EXPECT_TRUE(store.erase("k"));
  EXPECT_FALSE(store.erase("k"));
  EXPECT_EQ(state(store), "(none)");
  EXPECT_EQ(store.key_count(), 1u);
  EXPECT_EQ(store.hash_tree()->root(), only_a);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(std::get<2>(seen.back()), 0u);
  // After an erase a client write is a new write whatever its clock.
  EXPECT_EQ(store.apply_client_write("k", v("2", {0}), 100).ruling, Ruling::kStore);
}

TEST(TombstoneTest, BuriedByDropsOnlyWhatTheReapedTombstonesDominate) {
  const std::vector<std::uint64_t> r1 = {2, 1};
  const std::vector<VersionView> reaped = {VersionView{"", ClockSlots(r1)}};
  const std::uint64_t below[] = {1, 1}, equal[] = {2, 1, 0}, concurrent[] = {0, 2}, above[] = {2, 2};
  EXPECT_TRUE(buried_by(VersionView{"1", below}, reaped));
  EXPECT_TRUE(buried_by(VersionView{"", below}, reaped));
  EXPECT_TRUE(buried_by(VersionView{"", equal}, reaped));
  EXPECT_FALSE(buried_by(VersionView{"1", equal}, reaped));  // a sibling, not dominated
  EXPECT_FALSE(buried_by(VersionView{"1", concurrent}, reaped));
  EXPECT_FALSE(buried_by(VersionView{"", above}, reaped));
}

// --- Properties: the §11 merge with tombstones, and reaping ----------------------------------

using VersionSet = std::set<std::pair<std::string, std::vector<std::uint64_t>>>;

VersionSet as_set(const SiblingStore& store, const std::string& key = "k") {
  VersionSet out;
  for (VersionView s : store.find(key)) {
    std::vector<std::uint64_t> slots = s.slots.to_vector();
    while (!slots.empty() && slots.back() == 0) slots.pop_back();
    out.emplace(std::string(s.value), slots);
  }
  return out;
}

// Versions with few clocks and values, a third of them tombstones (and null values among the
// others, so a tombstone and null meet at equal clocks).
std::vector<Version> random_versions(std::mt19937_64& rng, std::size_t n) {
  static const char* const values[] = {"", "", "null", "\"a\"", "1", "2"};
  std::vector<Version> out;
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<std::uint64_t> slots(std::uniform_int_distribution<std::size_t>(0, 3)(rng));
    for (auto& s : slots) s = std::uniform_int_distribution<std::uint64_t>(0, 2)(rng);
    out.push_back(v(values[rng() % 6], VectorClock(std::move(slots))));
  }
  return out;
}

SiblingStore merged(const ConflictRule& rule, const std::vector<Version>& versions) {
  SiblingStore store(rule);
  for (const Version& x : versions) store.merge_version("k", x);
  return store;
}

TEST(TombstonePropertyTest, MergeIsCommutativeAssociativeAndIdempotent) {
  std::mt19937_64 rng(25);
  for (const ConflictRule& rule : {ConflictRule{}, lww()}) {
    for (int round = 0; round < 3000; ++round) {
      auto versions = random_versions(rng, 1 + rng() % 8);
      const VersionSet expected = as_set(merged(rule, versions));
      for (int shuffle = 0; shuffle < 4; ++shuffle) {
        std::shuffle(versions.begin(), versions.end(), rng);
        const SiblingStore store = merged(rule, versions);
        ASSERT_EQ(as_set(store), expected);
        // Idempotent: merging what it holds again changes nothing.
        SiblingStore again = store;
        for (VersionView x : store.find("k")) {
          ASSERT_FALSE(again.merge_version("k", Version{std::string(x.value), x.clock()}));
        }
        // Grouping: the versions merged in two halves, each half's result then merged.
        const std::size_t half = versions.size() / 2;
        const SiblingStore a = merged(rule, {versions.begin(), versions.begin() + half});
        SiblingStore b = merged(rule, {versions.begin() + half, versions.end()});
        std::vector<VersionView> from_a;
        for (VersionView x : a.find("k")) from_a.push_back(x);
        b.merge_versions("k", from_a);
        ASSERT_EQ(as_set(b), expected);
      }
    }
  }
}

// Reaping commutes with merging: a replica holding only tombstones T that reaps them (and
// then drops what T buries) ends where a replica that first merges the incoming versions X
// and then takes T's tombstones away ends. So a version arriving after the reap leaves the
// replica as it would have been had it arrived before.
TEST(TombstonePropertyTest, ReapingCommutesWithMerging) {
  std::mt19937_64 rng(26);
  int reaped_rounds = 0;
  for (int round = 0; round < 5000; ++round) {
    std::vector<Version> tombstones;
    for (const Version& x : random_versions(rng, 1 + rng() % 3)) tombstones.push_back(tomb(x.clock));
    const SiblingStore held = merged(ConflictRule{}, tombstones);
    ASSERT_TRUE(all_tombstones(held.find("k")));
    std::vector<VersionView> reaped;
    std::vector<std::vector<std::uint64_t>> reaped_slots;
    for (VersionView t : held.find("k")) reaped_slots.push_back(t.slots.to_vector());
    for (const auto& s : reaped_slots) reaped.emplace_back("", ClockSlots(s));
    auto incoming = random_versions(rng, rng() % 6);

    // Merge, then reap: the merged set without T's tombstones.
    SiblingStore merge_first = held;
    for (const Version& x : incoming) merge_first.merge_version("k", x);
    VersionSet expected;
    for (const auto& entry : as_set(merge_first)) {
      const bool is_t = entry.first.empty() &&
                        std::any_of(reaped_slots.begin(), reaped_slots.end(), [&](const auto& s) {
                          return slots_equal(ClockSlots(s), ClockSlots(entry.second));
                        });
      if (!is_t) expected.insert(entry);
    }
    // Reap, then merge, dropping what the reaped tombstones bury; in any order.
    for (int shuffle = 0; shuffle < 3; ++shuffle) {
      std::shuffle(incoming.begin(), incoming.end(), rng);
      SiblingStore reap_first = held;
      ASSERT_TRUE(reap_first.erase("k"));
      for (const Version& x : incoming) {
        if (!buried_by(VersionView{x.value, x.clock.slots()}, reaped)) reap_first.merge_version("k", x);
      }
      ASSERT_EQ(as_set(reap_first), expected) << describe(held.find("k"));
    }
    reaped_rounds += expected.empty();
  }
  EXPECT_GT(reaped_rounds, 100);  // many rounds end with nothing left
}

}  // namespace
}  // namespace vckv
