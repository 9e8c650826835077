#include "model/net/partition.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vckv::model {
namespace {

const std::vector<std::string> kFive = {"n1", "n2", "n3", "n4", "n5"};

// Who each node can hear, as a string: "n1:n1,n2 n2:...".
std::string Reachability(const Partition& p, const std::vector<std::string>& nodes) {
  std::string out;
  for (const std::string& to : nodes) {
    if (!out.empty()) out += ' ';
    out += to + ":";
    std::string heard;
    for (const std::string& from : nodes) {
      if (!p.blocks(from, to)) heard += (heard.empty() ? "" : ",") + from;
    }
    out += heard;
  }
  return out;
}

bool Symmetric(const Partition& p, const std::vector<std::string>& nodes) {
  for (const auto& a : nodes) {
    for (const auto& b : nodes) {
      if (p.blocks(a, b) != p.blocks(b, a)) return false;
    }
  }
  return true;
}

TEST(PartitionTest, ExampleComponentsCutEveryLinkBetweenThem) {
  const Partition p = Partition::from_components("halves", {{"n1", "n2"}, {"n3"}});
  EXPECT_EQ(Reachability(p, {"n1", "n2", "n3"}), "n1:n1,n2 n2:n1,n2 n3:n3");
  EXPECT_EQ(p.description(), "halves: n1 n2 | n3");
}

TEST(PartitionTest, IsolateOneCutsOneNodeFromAllOthers) {
  Rng rng(1, 1);
  for (int i = 0; i < 20; ++i) {
    const Partition p = isolate_one(kFive, {}, rng);
    EXPECT_EQ(p.blocked_links(), 8u);  // 4 links, both directions
    EXPECT_TRUE(Symmetric(p, kFive));
    int isolated = 0;
    for (const auto& n : kFive) {
      int heard = 0;
      for (const auto& m : kFive) heard += !p.blocks(m, n);
      if (heard == 1) ++isolated;
      else EXPECT_EQ(heard, 4);
    }
    EXPECT_EQ(isolated, 1);
  }
}

TEST(PartitionTest, RandomHalvesSplitTwoAndThree) {
  Rng rng(2, 1);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const Partition p = random_halves(kFive, {}, rng);
    EXPECT_EQ(p.blocked_links(), 12u);  // 2 * 3 links, both directions
    EXPECT_TRUE(Symmetric(p, kFive));
    seen.insert(p.description());
  }
  EXPECT_GT(seen.size(), 3u);  // the halves are random
}

TEST(PartitionTest, MajoritiesRingEachNodeSeesAMajorityNotTransitive) {
  Rng rng(3, 1);
  for (int i = 0; i < 20; ++i) {
    const Partition p = majorities_ring(kFive, {}, rng);
    EXPECT_TRUE(Symmetric(p, kFive));
    for (const auto& n : kFive) {
      int heard = 0;
      for (const auto& m : kFive) heard += !p.blocks(m, n);
      EXPECT_EQ(heard, 3) << n;  // itself and one neighbour on each side
    }
    // Not transitive: some a-b and b-c are open while a-c is cut.
    bool intransitive = false;
    for (const auto& a : kFive)
      for (const auto& b : kFive)
        for (const auto& c : kFive)
          if (!p.blocks(a, b) && !p.blocks(b, c) && p.blocks(a, c)) intransitive = true;
    EXPECT_TRUE(intransitive);
  }
}

// The shapes over choices made elsewhere.
TEST(PartitionTest, ShapesOverGivenChoices) {
  EXPECT_EQ(isolate_node(kFive, 2).description(), "isolated: n3 | n1 n2 n4 n5");
  EXPECT_EQ(halves_of({"n4", "n1", "n5", "n2", "n3"}).description(), "halves: n1 n4 | n2 n3 n5");
  EXPECT_EQ(majorities_ring_of({"n1", "n2", "n3", "n4", "n5"}).description(),
            "majorities-ring: n1 sees n1,n2,n5; n2 sees n1,n2,n3; n3 sees n2,n3,n4; n4 sees n3,n4,n5; "
            "n5 sees n1,n4,n5");
  EXPECT_TRUE(isolate_node(kFive, 5).healthy());  // no such node
}

TEST(PartitionTest, MajoritiesRingOfThreeCutsNothing) {
  Rng rng(4, 1);
  EXPECT_TRUE(majorities_ring({"n1", "n2", "n3"}, {}, rng).healthy());
}

// --partition-shapes: the shapes by name, only those that cut something among the nodes.
TEST(PartitionTest, ShapesByNameAndSize) {
  auto names = [](const std::vector<const PartitionShape*>& shapes) {
    std::string out;
    for (const PartitionShape* s : shapes) out += std::string(s->name) + " ";
    return out;
  };
  EXPECT_EQ(names(partition_shapes(5)), "isolated halves majorities-ring ");
  EXPECT_EQ(names(partition_shapes(3)), "isolated halves ");
  EXPECT_EQ(names(partition_shapes(1)), "");
  EXPECT_EQ(names(partition_shapes(5, {"majorities-ring", "isolated"})), "isolated majorities-ring ");
  EXPECT_EQ(names(partition_shapes(3, {"majorities-ring"})), "");  // cuts nothing
  // "replicas" needs a ring with fewer replicas than nodes, and keys.
  const std::vector<std::string> five = {"n1", "n2", "n3", "n4", "n5"};
  const Placement ring(five, 3), every(five, 0), all_five(five, 5);
  EXPECT_EQ(names(partition_shapes(5, {}, {&ring, 10})), "isolated halves majorities-ring replicas ");
  EXPECT_EQ(names(partition_shapes(5, {"replicas"}, {&ring, 10})), "replicas ");
  EXPECT_EQ(names(partition_shapes(5, {}, {&every, 10})), "isolated halves majorities-ring ");
  EXPECT_EQ(names(partition_shapes(5, {}, {&all_five, 10})), "isolated halves majorities-ring ");
  EXPECT_EQ(names(partition_shapes(5, {}, {&ring, 0})), "isolated halves majorities-ring ");
}

// The replicas of key 42 (n4 n3 n2 on 5 nodes, 3 replicas: the contract's vectors) cut off.
TEST(PartitionTest, ExampleIsolateTheReplicasOfAKey) {
  const std::vector<std::string> five = {"n1", "n2", "n3", "n4", "n5"};
  const Placement ring(five, 3);
  const Partition p = isolate_replicas_of(five, ring, 42);
  EXPECT_EQ(p.name(), "replicas");
  EXPECT_EQ(p.description(), "replicas of key 42: n2 n3 n4 | n1 n5");
  EXPECT_TRUE(p.blocks("n1", "n4"));
  EXPECT_TRUE(p.blocks("n3", "n5"));
  EXPECT_FALSE(p.blocks("n2", "n3"));
  EXPECT_FALSE(p.blocks("n1", "n5"));
  EXPECT_EQ(p.blocked_links(), 12u);  // 3 x 2, both ways
  EXPECT_TRUE(isolate_replicas_of(five, Placement(five, 0), 42).healthy());
}

}  // namespace
}  // namespace vckv::model
