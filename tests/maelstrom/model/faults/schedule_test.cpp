#include "model/faults/schedule.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace vckv::model {
namespace {

const std::vector<std::string> kFive = {"n1", "n2", "n3", "n4", "n5"};

ScheduleOptions Options(std::vector<FaultKind> kinds, Micros interval, Micros until, std::size_t max_down = 1,
                        std::vector<std::string> shapes = {}) {
  ScheduleOptions options;
  options.kinds = std::move(kinds);
  options.interval = interval;
  options.until = until;
  options.max_down = max_down;
  options.shapes = std::move(shapes);
  return options;
}

// The schedule of `vckv-sim --seed 4711` (5 nodes, every fault, 3 s interval, 30 s), as its
// recorded trace prints it: the simulator's seeds replay only while the model draws the same.
TEST(ScheduleTest, ExampleTheSimulatorsSeed4711) {
  Rng rng(4711, Stream::kFaults);
  const auto periods = make_fault_schedule(
      kFive, Options({FaultKind::kPartition, FaultKind::kKill, FaultKind::kPause}, 3'000'000, 30'000'000), rng);
  std::string text;
  for (const FaultPeriod& p : periods) {
    text += std::to_string(p.start / 1'000'000) + "-" + std::to_string(p.end / 1'000'000) + " " + p.description() + "\n";
  }
  EXPECT_EQ(text,
            "3-6 pause n1\n"
            "9-12 partition majorities-ring: n1 sees n1,n2,n3; n2 sees n1,n2,n4; n3 sees n1,n3,n5; n4 sees n2,n4,n5; "
            "n5 sees n3,n4,n5\n"
            "15-18 kill n1\n"
            "21-24 pause n2\n"
            "27-30 partition isolated: n4 | n1 n2 n3 n5\n");
}

TEST(ScheduleTest, AlternatesHealthyAndFaultyIntervalsUntilTheEnd) {
  Rng rng(5, Stream::kFaults);
  const auto periods = make_fault_schedule(kFive, Options({FaultKind::kPartition}, 5'000'000, 30'000'000), rng);
  ASSERT_EQ(periods.size(), 3u);  // 5-10, 15-20, 25-30
  EXPECT_EQ(periods[0].start, 5'000'000);
  EXPECT_EQ(periods[0].end, 10'000'000);
  EXPECT_EQ(periods[2].start, 25'000'000);
  EXPECT_EQ(periods[2].end, 30'000'000);
  std::set<std::string> shapes;
  for (const auto& p : periods) {
    EXPECT_FALSE(p.partition.healthy());
    shapes.insert(p.partition.name());
  }
  EXPECT_EQ(shapes, (std::set<std::string>{"isolated", "halves", "majorities-ring"}));
}

TEST(ScheduleTest, KindsTakeTurnsAndNeverTakeDownMoreThanMaxDown) {
  Rng rng(6, Stream::kFaults);
  const auto periods = make_fault_schedule(
      kFive, Options({FaultKind::kPartition, FaultKind::kKill, FaultKind::kPause}, 1'000, 60'000, 2), rng);
  ASSERT_EQ(periods.size(), 30u);
  std::set<std::size_t> down_counts;
  for (std::size_t i = 0; i < periods.size(); ++i) {
    if (i >= 3) {
      EXPECT_EQ(periods[i].kind, periods[i - 3].kind);  // rotation
    }
    if (periods[i].kind == FaultKind::kPartition) {
      EXPECT_TRUE(periods[i].nodes.empty());
      EXPECT_NE(periods[i].description().find("partition "), std::string::npos);
    } else {
      EXPECT_GE(periods[i].nodes.size(), 1u);
      EXPECT_LE(periods[i].nodes.size(), 2u);
      down_counts.insert(periods[i].nodes.size());
      EXPECT_TRUE(std::is_sorted(periods[i].nodes.begin(), periods[i].nodes.end()));
      EXPECT_TRUE(std::adjacent_find(periods[i].nodes.begin(), periods[i].nodes.end()) == periods[i].nodes.end());
    }
  }
  EXPECT_EQ(down_counts, (std::set<std::size_t>{1, 2}));
}

// --partition-shapes: only the named shapes are drawn.
TEST(ScheduleTest, OnlyTheNamedPartitionShapes) {
  Rng rng(3, Stream::kFaults);
  const auto periods =
      make_fault_schedule(kFive, Options({FaultKind::kPartition}, 1000, 20000, 1, {"isolated"}), rng);
  ASSERT_EQ(periods.size(), 10u);
  for (const FaultPeriod& p : periods) EXPECT_EQ(p.partition.name(), "isolated");
}

TEST(ScheduleTest, OneNodeCannotBePartitionedButCanBeKilled) {
  Rng rng(7, Stream::kFaults);
  EXPECT_TRUE(make_fault_schedule({"n1"}, Options({FaultKind::kPartition}, 1000, 10'000), rng).empty());
  const auto kills =
      make_fault_schedule({"n1"}, Options({FaultKind::kPartition, FaultKind::kKill}, 1000, 10'000, 3), rng);
  ASSERT_FALSE(kills.empty());
  for (const auto& p : kills) EXPECT_EQ(p.nodes, std::vector<std::string>{"n1"});
}

TEST(ScheduleTest, MessageFaultsHaveNoPeriods) {
  Rng rng(8, Stream::kFaults);
  EXPECT_TRUE(make_fault_schedule(kFive, Options({FaultKind::kDrop, FaultKind::kReorder}, 1000, 10'000), rng).empty());
}

TEST(NemesisWarningsTest, ANemesisThatWillNeverFireIsAWarning) {
  const auto w = nemesis_warnings({FaultKind::kPartition}, 3, 5, 5);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("will never fire"), std::string::npos) << w[0];
  EXPECT_TRUE(nemesis_warnings({FaultKind::kPartition}, 3, 2, 6).empty());
  EXPECT_TRUE(nemesis_warnings({}, 3, 5, 1).empty());
  EXPECT_EQ(nemesis_warnings({FaultKind::kPartition}, 1, 1, 10).size(), 1u);
}

// A bounce period: 2 to 5 bounces, the first at its start, then a quarter to one and a half of
// bounce_gap apart, all within the period.
TEST(ScheduleTest, BouncesComeInQuickSuccessionWithinTheirPeriod) {
  Rng rng(9, Stream::kFaults);
  ScheduleOptions options = Options({FaultKind::kBounce}, 3'000'000, 300'000'000);
  options.bounce_gap = 100'000;
  const auto periods = make_fault_schedule(kFive, options, rng);
  ASSERT_EQ(periods.size(), 50u);
  std::set<std::size_t> counts;
  for (const FaultPeriod& p : periods) {
    ASSERT_EQ(p.kind, FaultKind::kBounce);
    ASSERT_EQ(p.nodes.size(), 1u);
    ASSERT_GE(p.bounces.size(), 2u);
    ASSERT_LE(p.bounces.size(), 5u);
    counts.insert(p.bounces.size());
    EXPECT_EQ(p.bounces.front(), p.start);
    for (std::size_t b = 1; b < p.bounces.size(); ++b) {
      EXPECT_GE(p.bounces[b] - p.bounces[b - 1], 25'000);
      EXPECT_LE(p.bounces[b] - p.bounces[b - 1], 150'000);
    }
    EXPECT_LT(p.bounces.back(), p.end);
    EXPECT_EQ(p.description(), "bounce " + p.nodes[0] + " (" + std::to_string(p.bounces.size()) + " times)");
    EXPECT_EQ(p.label(), "bounce " + p.nodes[0]);
  }
  EXPECT_EQ(counts, (std::set<std::size_t>{2, 3, 4, 5}));
}

// "replicas": with a ring, a partition cuts the replicas of a key drawn from the fault stream
// off from the rest; the same seed draws the same key.
TEST(ScheduleTest, ReplicasShapeIsolatesTheReplicasOfADrawnKey) {
  const Placement ring(kFive, 3);
  ScheduleOptions options = Options({FaultKind::kPartition}, 1'000'000, 20'000'000, 1, {"replicas"});
  options.placement = &ring;
  options.keys = 10;
  Rng rng(7, Stream::kFaults);
  const auto periods = make_fault_schedule(kFive, options, rng);
  ASSERT_EQ(periods.size(), 10u);
  std::set<std::string> keys_seen;
  for (const FaultPeriod& p : periods) {
    ASSERT_EQ(p.partition.name(), "replicas");
    const std::string& d = p.partition.description();  // "replicas of key K: a b c | d e"
    ASSERT_EQ(d.rfind("replicas of key ", 0), 0u) << d;
    const std::int64_t key = std::stoll(d.substr(16, d.find(':') - 16));
    EXPECT_GE(key, 0);
    EXPECT_LT(key, 10);
    keys_seen.insert(std::to_string(key));
    std::vector<std::string> replicas = ring.replicas_of(key, kFive);
    std::sort(replicas.begin(), replicas.end());
    ASSERT_EQ(p.partition.components().size(), 2u);
    EXPECT_EQ(p.partition.components()[0], replicas) << d;
    for (const std::string& a : kFive) {
      for (const std::string& b : kFive) {
        const bool same_side = ring.is_replica(a, key) == ring.is_replica(b, key);
        EXPECT_EQ(p.partition.blocks(a, b), !same_side) << d << " " << a << "->" << b;
      }
    }
  }
  EXPECT_GT(keys_seen.size(), 1u);  // the key is drawn, not fixed
  Rng again(7, Stream::kFaults);
  const auto replay = make_fault_schedule(kFive, options, again);
  ASSERT_EQ(replay.size(), periods.size());
  for (std::size_t i = 0; i < periods.size(); ++i) {
    EXPECT_EQ(replay[i].description(), periods[i].description());
  }
}

// "replica-loss": a drawn key's first replica is cut off from its other replicas (it still
// reaches the fallbacks), then killed between a quarter and three quarters of the period.
TEST(ScheduleTest, ReplicaLossCutsAKeysFirstReplicaFromItsOtherReplicasThenKillsIt) {
  const Placement ring(kFive, 3);
  ScheduleOptions options = Options({FaultKind::kReplicaLoss}, 1'000'000, 20'000'000);
  options.placement = &ring;
  options.keys = 10;
  Rng rng(7, Stream::kFaults);
  const auto periods = make_fault_schedule(kFive, options, rng);
  ASSERT_EQ(periods.size(), 10u);
  std::set<std::int64_t> keys_seen;
  for (const FaultPeriod& p : periods) {
    ASSERT_EQ(p.kind, FaultKind::kReplicaLoss);
    keys_seen.insert(p.key);
    const std::vector<std::string> replicas = ring.replicas_of(p.key, kFive);
    EXPECT_EQ(p.nodes, std::vector<std::string>{replicas[0]});
    std::vector<std::string> others(replicas.begin() + 1, replicas.end());
    std::sort(others.begin(), others.end());
    ASSERT_EQ(p.partition.components().size(), 2u);
    EXPECT_EQ(p.partition.components()[0], others);
    for (const std::string& a : kFive) {
      for (const std::string& b : kFive) {
        const bool a_other = std::count(others.begin(), others.end(), a) > 0;
        const bool b_other = std::count(others.begin(), others.end(), b) > 0;
        EXPECT_EQ(p.partition.blocks(a, b), a_other != b_other) << a << "->" << b;
      }
    }
    ASSERT_EQ(p.bounces.size(), 2u);
    EXPECT_EQ(p.bounces[0], p.start);
    EXPECT_GE(p.bounces[1], p.start + 250'000);
    EXPECT_LE(p.bounces[1], p.start + 750'000);
  }
  EXPECT_GT(keys_seen.size(), 1u);
  // Without a ring it is never drawn.
  const Placement every(kFive, 0);
  options.placement = &every;
  Rng again(7, Stream::kFaults);
  EXPECT_TRUE(make_fault_schedule(kFive, options, again).empty());
}

// Without a ring (replicas 0) the shape is never drawn, and the other shapes' draws are those
// of a schedule that does not know the shape exists.
TEST(ScheduleTest, ReplicasShapeIsNotDrawnWithoutARing) {
  const Placement every(kFive, 0);
  ScheduleOptions with = Options({FaultKind::kPartition, FaultKind::kKill}, 1'000'000, 30'000'000);
  with.placement = &every;
  with.keys = 10;
  const ScheduleOptions without = Options({FaultKind::kPartition, FaultKind::kKill}, 1'000'000, 30'000'000);
  Rng a(4711, Stream::kFaults), b(4711, Stream::kFaults);
  const auto pa = make_fault_schedule(kFive, with, a);
  const auto pb = make_fault_schedule(kFive, without, b);
  ASSERT_EQ(pa.size(), pb.size());
  for (std::size_t i = 0; i < pa.size(); ++i) {
    EXPECT_EQ(pa[i].description(), pb[i].description());
    EXPECT_NE(pa[i].partition.name(), "replicas");
  }
  // Only "replicas" asked for, and no ring: no partition at all.
  ScheduleOptions only = Options({FaultKind::kPartition}, 1'000'000, 30'000'000, 1, {"replicas"});
  only.placement = &every;
  only.keys = 10;
  Rng c(1, Stream::kFaults);
  EXPECT_TRUE(make_fault_schedule(kFive, only, c).empty());
}

}  // namespace
}  // namespace vckv::model
