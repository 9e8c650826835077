#include "model/ring/placement.hpp"

#include <gtest/gtest.h>

namespace vckv::model {
namespace {

const std::vector<std::string> kFive = {"n1", "n2", "n3", "n4", "n5"};

// docs/protocol.md §14's vectors (5 nodes, 64 vnodes, 3 replicas): key 0 lives on n4 n2 n5,
// key 42 on n4 n3 n2, key -7 on n1 n4 n2.
TEST(PlacementTest, ExamplePreferenceListsOfTheContract) {
  const Placement p(kFive, 3);
  EXPECT_FALSE(p.every_node());
  EXPECT_EQ(p.replicas_of(0, kFive), (std::vector<std::string>{"n4", "n2", "n5"}));
  EXPECT_EQ(p.replicas_of(42, kFive), (std::vector<std::string>{"n4", "n3", "n2"}));
  EXPECT_EQ(p.replicas_of(-7, kFive), (std::vector<std::string>{"n1", "n4", "n2"}));
  EXPECT_EQ(p.preference_text(0), "n4,n2,n5");
  EXPECT_TRUE(p.is_replica("n5", 0));
  EXPECT_FALSE(p.is_replica("n1", 0));
  EXPECT_FALSE(p.is_replica("n9", 0));  // not in the cluster
}

TEST(PlacementTest, ThreeNodesOneVnodeTwoReplicas) {
  const std::vector<std::string> three = {"n1", "n2", "n3"};
  const Placement p(three, 2, 1);
  EXPECT_EQ(p.replicas_of(42, three), (std::vector<std::string>{"n1", "n3"}));
  EXPECT_EQ(p.replicas_of(0, three), (std::vector<std::string>{"n3", "n2"}));
}

TEST(PlacementTest, ZeroOrAtLeastEveryNodeMeansEveryNode) {
  for (std::size_t replicas : {std::size_t{0}, std::size_t{5}, std::size_t{7}}) {
    const Placement p(kFive, replicas);
    EXPECT_TRUE(p.every_node()) << replicas;
    EXPECT_EQ(p.replicas_of(0, kFive), kFive);
    EXPECT_TRUE(p.is_replica("n1", 0));
    EXPECT_EQ(p.preference_text(0), "");
  }
  EXPECT_TRUE(Placement().every_node());
  EXPECT_THROW(Placement(kFive, 0, 0), std::invalid_argument);
  EXPECT_THROW(Placement(kFive, 3, 0), std::invalid_argument);
}

TEST(PlacementTest, KeysPerNodeCountsHeldKeysAndTheIdealShare) {
  const Placement p(kFive, 3);
  std::map<std::string, NodeState> states;
  states["n4"][0] = {StoredVersion{"1", VectorClock({1})}};
  states["n4"][42] = {StoredVersion{"2", VectorClock({2})}};
  states["n2"][0] = {};  // read as empty: holds nothing
  const KeysPerNode k = keys_per_node(states, 10, p, kFive);
  EXPECT_EQ(k.held.at("n4"), 2u);
  EXPECT_EQ(k.held.at("n2"), 0u);
  EXPECT_EQ(k.held.at("n1"), 0u);  // not read at all
  EXPECT_DOUBLE_EQ(k.ideal, 6.0);  // 10 keys x 3 / 5
  EXPECT_DOUBLE_EQ(keys_per_node(states, 10, Placement(), kFive).ideal, 10.0);
}

}  // namespace
}  // namespace vckv::model
