// Hints (docs/protocol.md §14): kept per replica and key, bounded by bytes, never dropped but
// on acknowledgement (or when a newer hint for the same replica and key dominates them).
#include "vckv/cluster/hint_store.hpp"

#include <gtest/gtest.h>

namespace vckv {
namespace {

VersionView v(const std::string& value, const VectorClock& clock) {
  return VersionView{value, clock.slots()};
}

std::string listed(const HintStore& hints, std::string_view key) {
  std::string out;
  hints.for_key(key, [&out](const std::string& replica, VersionView version) {
    out += replica + ":" + std::string(version.value) + " ";
  });
  return out;
}

TEST(HintStoreTest, HoldsHintsPerReplicaOrderedByReplicaThenOldestFirst) {
  HintStore hints(1 << 20);
  const std::string a = "\"a\"", b = "\"b\"";
  const VectorClock one({1, 0}), two({0, 1});
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(a, one)}));
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(b, two)}));  // concurrent: both kept
  EXPECT_TRUE(hints.add("n2", "\"x\"", {v(b, two)}));
  EXPECT_EQ(listed(hints, "\"x\""), "n2:\"b\" n3:\"a\" n3:\"b\" ");
  EXPECT_EQ(hints.count(), 3u);
  EXPECT_EQ(hints.replicas(), (std::vector<std::string>{"n2", "n3"}));
  EXPECT_EQ(hints.for_replica("n3").size(), 2u);
  EXPECT_EQ(listed(hints, "\"y\""), "");
}

TEST(HintStoreTest, ANewerHintReplacesWhatItDominatesAndAnOlderOneIsNotHeldTwice) {
  HintStore hints(1 << 20);
  const std::string a = "\"a\"", b = "\"b\"";
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(a, VectorClock({1}))}));
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(b, VectorClock({2}))}));
  EXPECT_EQ(listed(hints, "\"x\""), "n3:\"b\" ");
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(a, VectorClock({1}))}));  // dominated: nothing new
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(b, VectorClock({2}))}));  // the same: nothing new
  EXPECT_EQ(listed(hints, "\"x\""), "n3:\"b\" ");
  EXPECT_EQ(hints.bytes(), HintStore::cost("\"x\"", v(b, VectorClock({2}))));
}

TEST(HintStoreTest, AFullStoreRefusesNewHintsAndKeepsWhatItHolds) {
  const std::string a = "\"a\"", b = "\"b\"";
  const VectorClock one({1, 0}), two({0, 1});
  HintStore hints(HintStore::cost("\"x\"", v(a, one)));  // room for one
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(a, one)}));
  EXPECT_FALSE(hints.add("n3", "\"x\"", {v(b, two)}));
  EXPECT_FALSE(hints.add("n2", "\"y\"", {v(b, two)}));
  EXPECT_EQ(listed(hints, "\"x\""), "n3:\"a\" ");
  EXPECT_EQ(listed(hints, "\"y\""), "");
  EXPECT_EQ(hints.bytes(), hints.max_bytes());
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(a, one)}));  // held already: accepted, no room taken
}

TEST(HintStoreTest, AnAcknowledgedHintLeavesAndFreesItsRoom) {
  const std::string a = "\"a\"", b = "\"b\"";
  const VectorClock one({1, 0}), two({0, 1});
  HintStore hints(HintStore::cost("\"x\"", v(a, one)));
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(a, one)}));
  hints.remove("n3", "\"x\"", v(b, two));  // not held: nothing leaves
  EXPECT_EQ(hints.count(), 1u);
  hints.remove("n3", "\"x\"", v(a, one));
  EXPECT_TRUE(hints.empty());
  EXPECT_EQ(hints.bytes(), 0u);
  EXPECT_TRUE(hints.replicas().empty());
  EXPECT_TRUE(hints.add("n3", "\"x\"", {v(b, two)}));
}

}  // namespace
}  // namespace vckv
