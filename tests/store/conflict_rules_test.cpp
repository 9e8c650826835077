#include "vckv/store/conflict_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {
namespace {

// The stored siblings of one key, built by merging (which keeps whatever no other dominates).
struct Stored {
  Stored(std::initializer_list<std::pair<std::string, VectorClock>> versions) {
    for (const auto& [value, clock] : versions) store.merge_version("k", Version{value, clock});
  }
  Siblings siblings() const { return store.find("k"); }
  SiblingStore store;
};

// "ruling/siblings after" for an incoming (value, clock).
std::string rule(const Stored& stored, const std::string& value, VectorClock clock, Origin origin,
                 std::size_t max_siblings = 100, ConflictRule r = {}) {
  const Version v{value, std::move(clock)};
  const Decision d = decide(r, stored.siblings(), VersionView{v.value, v.clock.slots()}, origin,
                            max_siblings);
  const char* names[] = {"keep", "stale", "dominated", "too-many", "superseded", "store"};
  return std::string(names[static_cast<int>(d.ruling)]) + "/" + std::to_string(d.siblings);
}

const ConflictRule kLww{ConflictMode::kLww};

std::string lww(const Stored& stored, const std::string& value, VectorClock clock, Origin origin) {
  return rule(stored, value, std::move(clock), origin, 100, kLww);
}

// The examples of docs/protocol.md §7 and §11, for a client's write and for a peer's version:
// they differ only where the stale rule and the sibling limit apply.
TEST(ConflictRulesTest, ClientsAndPeersDifferOnlyInTheStaleRuleAndTheLimit) {
  const Stored a{{"\"a\"", {2, 1}}};
  // A dominated clock: stale for a client, dropped for a peer.
  EXPECT_EQ(rule(a, "\"b\"", {1, 1}, Origin::kClient), "stale/1");
  EXPECT_EQ(rule(a, "\"b\"", {1, 1}, Origin::kPeer), "dominated/1");
  // An equal clock with another value: stale for a client, a sibling for a peer.
  EXPECT_EQ(rule(a, "\"b\"", {2, 1, 0}, Origin::kClient), "stale/1");
  EXPECT_EQ(rule(a, "\"b\"", {2, 1, 0}, Origin::kPeer), "store/2");
  // The same version again (equal as JSON, clock equal after padding): nothing to do.
  EXPECT_EQ(rule(a, "\"a\"", {2, 1, 0}, Origin::kClient), "keep/1");
  EXPECT_EQ(rule(a, "\"a\"", {2, 1}, Origin::kPeer), "keep/1");
  // Concurrent: a sibling. Dominating: a replacement.
  EXPECT_EQ(rule(a, "\"c\"", {0, 2}, Origin::kClient), "store/2");
  EXPECT_EQ(rule(a, "\"c\"", {0, 2}, Origin::kPeer), "store/2");
  EXPECT_EQ(rule(a, "\"d\"", {3, 1}, Origin::kClient), "store/1");
  EXPECT_EQ(rule(a, "\"d\"", {3, 1}, Origin::kPeer), "store/1");
  // Nothing stored yet.
  EXPECT_EQ(rule(Stored{}, "1", {}, Origin::kClient), "store/1");
}

TEST(ConflictRulesTest, TheSiblingLimitBoundsClientsOnly) {
  const Stored two{{"1", {1, 0, 0}}, {"2", {0, 1, 0}}};
  EXPECT_EQ(rule(two, "3", {0, 0, 1}, Origin::kClient, 2), "too-many/3");
  EXPECT_EQ(rule(two, "3", {0, 0, 1}, Origin::kPeer, 2), "store/3");
  // One that replaces a sibling stays within the limit.
  EXPECT_EQ(rule(two, "3", {1, 0, 1}, Origin::kClient, 2), "store/2");
}

// A retry is recognised even when a later sibling would make the write stale.
TEST(ConflictRulesTest, AnIdenticalVersionWinsOverStale) {
  const Stored s{{"\"x\"", {1, 0}}, {"\"y\"", {0, 1}}};
  EXPECT_EQ(rule(s, "\"x\"", {1, 0}, Origin::kClient), "keep/2");
  EXPECT_EQ(rule(s, "\"y\"", {0, 1}, Origin::kClient), "keep/2");
}

// docs/protocol.md §13, rule by rule. A stored clock that descends the incoming one makes a
// client's write stale (a peer's dominated one is dropped); a dominating incoming version
// replaces; otherwise the order decides, and the loser is superseded.
TEST(ConflictRulesTest, LastWriterWinsRuleByRule) {
  const Stored w{{"\"w\"", {2, 1}}};
  EXPECT_EQ(lww(w, "\"w\"", {2, 1, 0}, Origin::kClient), "keep/1");       // a retry
  EXPECT_EQ(lww(w, "\"v\"", {1, 1}, Origin::kClient), "stale/1");         // descended
  EXPECT_EQ(lww(w, "\"v\"", {2, 1}, Origin::kClient), "stale/1");         // equal clock
  EXPECT_EQ(lww(w, "\"v\"", {1, 1}, Origin::kPeer), "dominated/1");
  EXPECT_EQ(lww(w, "\"v\"", {3, 1}, Origin::kClient), "store/1");         // dominates
  // Concurrent: 1. the larger sum wins.
  EXPECT_EQ(lww(w, "\"v\"", {0, 4}, Origin::kClient), "store/1");         // 4 > 3
  EXPECT_EQ(lww(w, "\"v\"", {0, 2}, Origin::kClient), "superseded/1");    // 2 < 3
  // 2. equal sums: the padded clocks, entry by entry.
  EXPECT_EQ(lww(w, "\"v\"", {3, 0}, Origin::kClient), "store/1");         // 3 > 2 first
  EXPECT_EQ(lww(w, "\"v\"", {1, 2}, Origin::kClient), "superseded/1");    // 1 < 2 first
  EXPECT_EQ(lww(w, "\"v\"", {2, 0, 1}, Origin::kClient), "superseded/1");  // 2 = 2, 0 < 1
  // 3. equal clocks (a peer's: a client's would be stale): the canonical value text.
  EXPECT_EQ(lww(w, "\"x\"", {2, 1}, Origin::kPeer), "store/1");           // "x" > "w"
  EXPECT_EQ(lww(w, "\"a\"", {2, 1}, Origin::kPeer), "superseded/1");
  EXPECT_EQ(lww(Stored{{"{\"b\": 1, \"a\": 2}", {1}}}, "{\"a\": 3}", {1}, Origin::kPeer),
            "store/1");  // sorted: {"a": 3} > {"a": 2, "b": 1}
  // JSON-equal values are the same version whatever their bytes: kept, not ordered.
  EXPECT_EQ(lww(Stored{{"{\"b\": 1, \"a\": 2.0}", {1}}}, "{\"a\": 2, \"b\": 1}", {1}, Origin::kPeer),
            "keep/1");
  EXPECT_EQ(lww(Stored{}, "1", {}, Origin::kClient), "store/1");
}

// Sums are exact: entries near 2^64 add up past 64 bits without wrapping.
TEST(ConflictRulesTest, LastWriterWinsSumsAreExact) {
  const std::uint64_t max = 18446744073709551615u;
  const Stored big{{"\"big\"", {max, max}}};  // sum 2^65 - 2
  EXPECT_EQ(lww(big, "\"v\"", {0, 0, 5}, Origin::kClient), "superseded/1");  // (a wrap: 2^64-4)
  EXPECT_EQ(lww(Stored{{"\"one\"", {0, 0, 1}}}, "\"big\"", {max, 2}, Origin::kClient),
            "store/1");  // 2^64 + 1 > 1
  EXPECT_TRUE(lww_wins({"1", VectorClock{max, 1}.slots()}, {"1", VectorClock{0, 0, max}.slots()}));
  EXPECT_FALSE(lww_wins({"1", VectorClock{0, 0, max}.slots()}, {"1", VectorClock{max, 1}.slots()}));
  // The broken variant turns the sum around.
  EXPECT_TRUE(lww_wins({"1", VectorClock{1}.slots()}, {"1", VectorClock{0, 5}.slots()}, true));
}

// For random versions delivered to each replica in a random order (as merges from peers), every
// replica ends with the same one survivor, and no delivered version dominates it.
TEST(ConflictRulesPropertyTest, LastWriterWinsReplicasAgreeOnTheSurvivorWhateverTheOrder) {
  std::mt19937_64 rng(15);
  for (int round = 0; round < 3000; ++round) {
    std::vector<Version> versions;
    for (std::size_t i = 0, n = 1 + rng() % 8; i < n; ++i) {
      std::vector<std::uint64_t> slots(rng() % 4);
      for (auto& x : slots) x = rng() % 3;
      versions.push_back({"\"v" + std::to_string(rng() % 3) + "\"", VectorClock(std::move(slots))});
    }
    std::string first;
    for (int replica = 0; replica < 4; ++replica) {
      std::shuffle(versions.begin(), versions.end(), rng);
      SiblingStore store(kLww);
      for (const Version& x : versions) store.merge_version("k", x);
      const Siblings s = store.find("k");
      ASSERT_EQ(s.size(), 1u);
      for (const Version& x : versions) {
        ASSERT_FALSE(x.clock.dominates(s[0].clock())) << describe(s) << " vs " << clock_json(x.clock);
      }
      std::vector<std::uint64_t> trimmed = s[0].slots.to_vector();
      while (!trimmed.empty() && trimmed.back() == 0) trimmed.pop_back();
      const std::string survivor = std::string(s[0].value) + "@" + clock_json(VectorClock(trimmed));
      if (replica == 0) first = survivor;
      ASSERT_EQ(survivor, first) << "round " << round;
    }
  }
}

// The broken merge variant loses versions the siblings rule keeps.
TEST(ConflictRulesTest, TheBrokenMergeDropsConcurrentSiblings) {
  ConflictRule broken;
  broken.debug_drop_concurrent_on_merge = true;
  SiblingStore store(broken);
  store.merge_version("k", Version{"\"a\"", VectorClock{1, 0}});
  store.merge_version("k", Version{"\"b\"", VectorClock{0, 1}});
  EXPECT_EQ(describe(store.find("k")), "\"b\"@[0, 1]");
}

}  // namespace
}  // namespace vckv
