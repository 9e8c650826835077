#include "model/faults/fault.hpp"

#include <gtest/gtest.h>

namespace vckv::model {
namespace {

TEST(FaultListTest, ExampleTheHarnessesNemesisList) {
  std::string error;
  auto kinds = parse_fault_list("partition,kill,pause", period_faults(), false, error);
  ASSERT_TRUE(kinds) << error;
  EXPECT_EQ(kinds->size(), 3u);
  EXPECT_EQ(fault_list_name(*kinds), "partition,kill,pause");
  EXPECT_EQ(fault_list_name(*parse_fault_list("kill,partition", period_faults(), false, error)), "kill,partition");
  EXPECT_TRUE(parse_fault_list("none", period_faults(), false, error)->empty());
  EXPECT_EQ(fault_list_name({}), "none");
}

TEST(FaultListTest, RejectsUnknownRepeatedAndEmptyFaults) {
  std::string error;
  EXPECT_FALSE(parse_fault_list("partition,crash", period_faults(), false, error));
  EXPECT_EQ(error,
            "unknown fault \"crash\" (expected a comma-separated list of partition, kill, pause, bounce, disk-loss, "
            "replica-loss; or none)");
  EXPECT_FALSE(parse_fault_list("drop", period_faults(), false, error));  // a message fault
  EXPECT_FALSE(parse_fault_list("all", period_faults(), false, error));
  EXPECT_FALSE(parse_fault_list("kill,kill", period_faults(), false, error));
  EXPECT_EQ(error, "fault \"kill\" listed twice");
  EXPECT_FALSE(parse_fault_list("kill,", period_faults(), false, error));
  EXPECT_FALSE(parse_fault_list("", period_faults(), false, error));
}

TEST(FaultListTest, EveryFaultAndAll) {
  std::string error;
  EXPECT_EQ(fault_list_name(*parse_fault_list("all", every_fault(), true, error)),
            "partition,kill,pause,bounce,drop,duplicate,reorder");
  EXPECT_FALSE(parse_fault_list("crash", every_fault(), true, error));
  EXPECT_EQ(error,
            "unknown fault \"crash\" (expected a comma-separated list of partition, kill, pause, bounce, drop, "
            "duplicate, reorder, disk-loss, replica-loss; or all, or none)");
  EXPECT_TRUE(is_period_fault(FaultKind::kPause));
  EXPECT_FALSE(is_period_fault(FaultKind::kReorder));
}

TEST(FaultPeriodTest, DescriptionsAndLabels) {
  FaultPeriod kill{0, 1, FaultKind::kKill, {}, {"n2", "n4"}};
  EXPECT_EQ(kill.description(), "kill n2 n4");
  EXPECT_EQ(kill.label(), "kill n2 n4");
  FaultPeriod cut{0, 1, FaultKind::kPartition, Partition::from_components("halves", {{"n1"}, {"n2", "n3"}}), {}};
  EXPECT_EQ(cut.description(), "partition halves: n1 | n2 n3");
  EXPECT_EQ(cut.label(), "halves");
}

// What a target is told, in order.
class Recorder : public FaultTarget {
 public:
  void partition(const Partition& p) override { log += "partition " + p.description() + "; "; }
  void heal() override { log += "heal; "; }
  void kill(const std::string& n) override { log += "kill " + n + "; "; }
  void restart(const std::string& n) override { log += "restart " + n + "; "; }
  void pause(const std::string& n) override { log += "pause " + n + "; "; }
  void resume(const std::string& n) override { log += "resume " + n + "; "; }
  void wipe(const std::string& n) override { log += "wipe " + n + "; "; }
  std::string log;
};

TEST(FaultTargetTest, APeriodBeginsAndEndsThroughTheTarget) {
  Recorder r;
  const FaultPeriod kill{0, 1, FaultKind::kKill, {}, {"n2", "n4"}};
  begin_fault(kill, r);
  end_fault(kill, r);
  const FaultPeriod cut{0, 1, FaultKind::kPartition, isolate_node({"n1", "n2"}, 0), {}};
  begin_fault(cut, r);
  end_fault(cut, r);
  const FaultPeriod pause{0, 1, FaultKind::kPause, {}, {"n1"}};
  begin_fault(pause, r);
  end_fault(pause, r);
  EXPECT_EQ(r.log,
            "kill n2; kill n4; restart n2; restart n4; partition isolated: n1 | n2; heal; pause n1; resume n1; ");
  r.log.clear();
  FaultPeriod bounces{0, 1, FaultKind::kBounce, {}, {"n3"}};
  bounces.bounces = {0, 1};
  begin_fault(bounces, r);
  bounce(bounces, r);
  end_fault(bounces, r);
  EXPECT_EQ(r.log, "kill n3; restart n3; kill n3; restart n3; ");
}

// disk-loss: a kill, the node's data directory wiped, and at the end a restart. It is named, never
// part of "all" (schedules drawn for "all" stay as they were).
TEST(FaultTargetTest, DiskLossKillsWipesAndRestarts) {
  Recorder r;
  const FaultPeriod loss{0, 1, FaultKind::kDiskLoss, {}, {"n3"}};
  begin_fault(loss, r);
  end_fault(loss, r);
  EXPECT_EQ(r.log, "kill n3; wipe n3; restart n3; ");
  std::string error;
  const auto named = parse_fault_list("kill,disk-loss", period_faults(), false, error);
  ASSERT_TRUE(named) << error;
  EXPECT_EQ(fault_list_name(*named), "kill,disk-loss");
  EXPECT_EQ(fault_list_name(*parse_fault_list("all", every_fault(), true, error)),
            "partition,kill,pause,bounce,drop,duplicate,reorder");
}

// replica-loss: the partition at the start, the kill and wipe of its node at its second step,
// and at the end the heal, then the restart. Without the kill step (a period cut too short for
// one) the end only heals. Never part of "all".
TEST(FaultTargetTest, ReplicaLossCutsThenKillsWipesAndAtTheEndHealsAndRestarts) {
  Recorder r;
  FaultPeriod loss{0, 4, FaultKind::kReplicaLoss,
                   Partition::from_components("replica-loss", {{"n2", "n5"}, {"n1", "n3", "n4"}}, "replica-loss of key 7"),
                   {"n1"}};
  loss.bounces = {0, 2};
  loss.key = 7;
  EXPECT_EQ(loss.description(),
            "replica-loss n1 (key 7's first replica, cut off from n2 n5, then killed with its disk)");
  EXPECT_EQ(loss.label(), "replica-loss n1");
  begin_fault(loss, r);
  bounce(loss, r);
  end_fault(loss, r);
  EXPECT_EQ(r.log, "partition replica-loss of key 7: n2 n5 | n1 n3 n4; kill n1; wipe n1; heal; restart n1; ");
  r.log.clear();
  loss.bounces = {0};
  begin_fault(loss, r);
  end_fault(loss, r);
  EXPECT_EQ(r.log, "partition replica-loss of key 7: n2 n5 | n1 n3 n4; heal; ");
  std::string error;
  EXPECT_EQ(fault_list_name(*parse_fault_list("kill,replica-loss", period_faults(), false, error)),
            "kill,replica-loss");
  EXPECT_EQ(fault_list_name(*parse_fault_list("all", every_fault(), true, error)),
            "partition,kill,pause,bounce,drop,duplicate,reorder");
}

}  // namespace
}  // namespace vckv::model
