#include "network.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vckv::harness {
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
  Rng rng(1);
  for (int i = 0; i < 20; ++i) {
    const Partition p = isolate_one(kFive, rng);
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
  Rng rng(2);
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) {
    const Partition p = random_halves(kFive, rng);
    EXPECT_EQ(p.blocked_links(), 12u);  // 2 * 3 links, both directions
    EXPECT_TRUE(Symmetric(p, kFive));
    seen.insert(p.description());
  }
  EXPECT_GT(seen.size(), 3u);  // the halves are random
}

TEST(PartitionTest, MajoritiesRingEachNodeSeesAMajorityNotTransitive) {
  Rng rng(3);
  for (int i = 0; i < 20; ++i) {
    const Partition p = majorities_ring(kFive, rng);
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

// The shapes over choices made elsewhere (the simulator draws with its own generator).
TEST(PartitionTest, ShapesOverGivenChoices) {
  EXPECT_EQ(isolate_node(kFive, 2).description(), "isolated: n3 | n1 n2 n4 n5");
  EXPECT_EQ(halves_of({"n4", "n1", "n5", "n2", "n3"}).description(), "halves: n1 n4 | n2 n3 n5");
  EXPECT_EQ(majorities_ring_of({"n1", "n2", "n3", "n4", "n5"}).description(),
            "majorities-ring: n1 sees n1,n2,n5; n2 sees n1,n2,n3; n3 sees n2,n3,n4; n4 sees n3,n4,n5; "
            "n5 sees n1,n4,n5");
  EXPECT_TRUE(isolate_node(kFive, 5).healthy());  // no such node
}

TEST(PartitionTest, MajoritiesRingOfThreeCutsNothing) {
  Rng rng(4);
  EXPECT_TRUE(majorities_ring({"n1", "n2", "n3"}, rng).healthy());
}

TEST(LatencyTest, ConstantUniformAndExponentialHaveTheRightShape) {
  Rng rng(7);
  EXPECT_EQ((LatencyModel{LatencyDist::kConstant, 50}.sample(rng)), 50'000);
  EXPECT_EQ((LatencyModel{LatencyDist::kUniform, 0}.sample(rng)), 0);
  double sum_u = 0, sum_e = 0;
  Micros max_u = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const Micros u = LatencyModel{LatencyDist::kUniform, 50}.sample(rng);
    EXPECT_GE(u, 0);
    max_u = std::max(max_u, u);
    sum_u += static_cast<double>(u);
    sum_e += static_cast<double>(LatencyModel{LatencyDist::kExponential, 50}.sample(rng));
  }
  EXPECT_LE(max_u, 100'000);
  EXPECT_NEAR(sum_u / n, 50'000, 1'500);
  EXPECT_NEAR(sum_e / n, 50'000, 2'500);
}

std::string Lines(const std::vector<Due>& due) {
  std::string out;
  for (const Due& d : due) {
    out += d.message.line;
    if (d.dropped) out += std::string("(") + drop_reason_name(*d.dropped) + ")";
    out += ' ';
  }
  return out;
}

TEST(VirtualNetworkTest, DeliversByTimeAndDropsAcrossPartitionAtDelivery) {
  VirtualNetwork net;
  net.send("n1", "n2", "sync", "a", 0, 10'000);      // due at 10 ms
  net.send("n1", "n2", "sync", "b", 5'000, 10'000);  // due at 15 ms
  net.send("n3", "n2", "sync", "c", 0, 10'000);      // due at 10 ms, but cut when it arrives
  EXPECT_EQ(net.next_delivery(), 10'000);
  EXPECT_TRUE(net.take_due(9'999, Partition{}).empty());
  const Partition cut = Partition::from_components("isolated", {{"n3"}, {"n1", "n2"}});
  EXPECT_EQ(Lines(net.take_due(10'000, cut)), "a c(partition) ");
  EXPECT_EQ(Lines(net.take_due(20'000, Partition{})), "b ");
  EXPECT_EQ(net.in_flight(), 0u);
}

TEST(VirtualNetworkTest, SameDeliveryTimeKeepsSendOrderAndIds) {
  VirtualNetwork net;
  for (const char* line : {"1", "2", "3"}) net.send("n1", "n2", "t", line, 7, 0);
  const auto due = net.take_due(7, Partition{});
  ASSERT_EQ(due.size(), 3u);
  EXPECT_EQ(Lines(due), "1 2 3 ");
  EXPECT_EQ(due[0].message.id, 0u);
  EXPECT_EQ(due[2].message.id, 2u);
  EXPECT_EQ(due[1].message.sent_at, 7);
  EXPECT_EQ(due[1].message.type, "t");
}

TEST(VirtualNetworkTest, MessagesToADeadNodeAreDroppedAsSuch) {
  VirtualNetwork net;
  net.send("n1", "n2", "sync", "a", 0, 5);
  net.send("c1", "n2", "kv_get", "b", 0, 0);
  net.send("n2", "n1", "sync", "c", 0, 5);  // from the dead node: it was sent before it died
  EXPECT_EQ(Lines(net.take_due(10, Partition{}, {"n2"})), "c b(dead node) a(dead node) ");
}

TEST(VirtualNetworkTest, APausedNodesMessagesWaitUntilItResumes) {
  VirtualNetwork net;
  net.send("n1", "n2", "sync", "a", 0, 5);
  net.send("n2", "n1", "sync", "b", 0, 5);
  EXPECT_EQ(net.next_delivery({"n2"}), 5);
  EXPECT_EQ(Lines(net.take_due(100, Partition{}, {}, {"n2"})), "b ");
  EXPECT_EQ(net.next_delivery({"n2"}), std::nullopt);  // nothing due for the others
  EXPECT_EQ(net.in_flight(), 1u);
  EXPECT_EQ(Lines(net.take_due(200, Partition{})), "a ");  // resumed: delivered late, not dropped
}

TEST(VirtualNetworkTest, TakeAllEmptiesTheQueues) {
  VirtualNetwork net;
  net.send("n1", "n2", "sync", "a", 0, 50);
  net.send("n2", "n3", "sync", "b", 0, 60);
  EXPECT_EQ(net.take_all().size(), 2u);
  EXPECT_EQ(net.in_flight(), 0u);
  EXPECT_EQ(net.allocate_id(), 2u);
}

}  // namespace
}  // namespace vckv::harness
