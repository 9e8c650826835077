#include "nemesis.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vckv::harness {
namespace {

const std::vector<std::string> kFive = {"n1", "n2", "n3", "n4", "n5"};

TEST(NemesisTest, ExampleParsesACommaSeparatedList) {
  std::string error;
  auto kinds = parse_nemesis("partition,kill,pause", error);
  ASSERT_TRUE(kinds) << error;
  EXPECT_EQ(kinds->size(), 3u);
  EXPECT_EQ(nemesis_name(*kinds), "partition,kill,pause");
  EXPECT_TRUE(parse_nemesis("none", error)->empty());
  EXPECT_EQ(nemesis_name({}), "none");
}

TEST(NemesisTest, RejectsUnknownRepeatedAndEmptyFaults) {
  std::string error;
  EXPECT_FALSE(parse_nemesis("partition,crash", error));
  EXPECT_NE(error.find("unknown fault \"crash\""), std::string::npos) << error;
  EXPECT_FALSE(parse_nemesis("kill,kill", error));
  EXPECT_NE(error.find("listed twice"), std::string::npos);
  EXPECT_FALSE(parse_nemesis("kill,", error));
  EXPECT_FALSE(parse_nemesis("", error));
}

TEST(NemesisScheduleTest, AlternatesHealthyAndFaultyIntervalsUntilTheEnd) {
  Rng rng(5);
  const auto periods = make_fault_schedule(kFive, {FaultKind::kPartition}, 5'000'000, 30'000'000, 1, rng);
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

TEST(NemesisScheduleTest, KindsTakeTurnsAndNeverTakeDownMoreThanMaxDown) {
  Rng rng(6);
  const auto periods = make_fault_schedule(kFive, {FaultKind::kPartition, FaultKind::kKill, FaultKind::kPause},
                                           1'000, 60'000, 2, rng);
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
    }
  }
  EXPECT_EQ(down_counts, (std::set<std::size_t>{1, 2}));
}

// --partition-shapes: only the named shapes are drawn.
TEST(NemesisScheduleTest, OnlyTheNamedPartitionShapes) {
  const std::vector<std::string> nodes = {"n1", "n2", "n3", "n4", "n5"};
  Rng rng(3);
  const auto periods = make_fault_schedule(nodes, {FaultKind::kPartition}, 1000, 20000, 1, rng, {"isolated"});
  ASSERT_EQ(periods.size(), 10u);
  for (const FaultPeriod& p : periods) EXPECT_EQ(p.partition.name(), "isolated");
  EXPECT_EQ(partition_shapes(nodes).size(), 3u);
  EXPECT_EQ(partition_shapes(nodes, {"halves", "majorities-ring"}).size(), 2u);
  EXPECT_EQ(partition_shapes({"n1", "n2", "n3"}, {"majorities-ring"}).size(), 0u);  // cuts nothing
}

TEST(NemesisScheduleTest, DescriptionsAndLabels) {
  FaultPeriod kill{0, 1, FaultKind::kKill, {}, {"n2", "n4"}};
  EXPECT_EQ(kill.description(), "kill n2 n4");
  EXPECT_EQ(kill.label(), "kill n2 n4");
  FaultPeriod cut{0, 1, FaultKind::kPartition, Partition::from_components("halves", {{"n1"}, {"n2", "n3"}}), {}};
  EXPECT_EQ(cut.description(), "partition halves: n1 | n2 n3");
  EXPECT_EQ(cut.label(), "halves");
}

TEST(NemesisScheduleTest, OneNodeCannotBePartitionedButCanBeKilled) {
  Rng rng(7);
  EXPECT_TRUE(make_fault_schedule({"n1"}, {FaultKind::kPartition}, 1000, 10'000, 1, rng).empty());
  const auto kills = make_fault_schedule({"n1"}, {FaultKind::kPartition, FaultKind::kKill}, 1000, 10'000, 3, rng);
  ASSERT_FALSE(kills.empty());
  for (const auto& p : kills) EXPECT_EQ(p.nodes, std::vector<std::string>{"n1"});
}

TEST(NemesisWarningsTest, ANemesisThatWillNeverFireIsAWarning) {
  const auto w = nemesis_warnings({FaultKind::kPartition}, 3, 5, 5);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_NE(w[0].find("will never fire"), std::string::npos) << w[0];
  EXPECT_TRUE(nemesis_warnings({FaultKind::kPartition}, 3, 2, 6).empty());
  EXPECT_TRUE(nemesis_warnings({}, 3, 5, 1).empty());
  EXPECT_EQ(nemesis_warnings({FaultKind::kPartition}, 1, 1, 10).size(), 1u);
}

}  // namespace
}  // namespace vckv::harness
