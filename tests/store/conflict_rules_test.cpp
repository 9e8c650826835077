#include "vckv/store/conflict_rules.hpp"

#include <gtest/gtest.h>

#include <string>

#include "vckv/store/sibling_store.hpp"

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
                 std::size_t max_siblings = 100) {
  const Version v{value, std::move(clock)};
  const Decision d = decide(stored.siblings(), VersionView{v.value, v.clock.slots()}, origin,
                            max_siblings);
  const char* names[] = {"keep", "stale", "dominated", "too-many", "store"};
  return std::string(names[static_cast<int>(d.ruling)]) + "/" + std::to_string(d.siblings);
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

}  // namespace
}  // namespace vckv
