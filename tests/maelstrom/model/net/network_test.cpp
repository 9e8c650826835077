#include "model/net/network.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace vckv::model {
namespace {

TEST(LatencyTest, ConstantUniformAndExponentialHaveTheRightShape) {
  Rng rng(7, 1);
  EXPECT_EQ((LatencyModel{LatencyDist::kConstant, 50'000}.sample(rng)), 50'000);
  EXPECT_EQ((LatencyModel{LatencyDist::kUniform, 0}.sample(rng)), 0);
  double sum_u = 0, sum_e = 0;
  Micros max_u = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const Micros u = LatencyModel{LatencyDist::kUniform, 50'000}.sample(rng);
    EXPECT_GE(u, 0);
    max_u = std::max(max_u, u);
    sum_u += static_cast<double>(u);
    sum_e += static_cast<double>(LatencyModel{LatencyDist::kExponential, 50'000}.sample(rng));
  }
  EXPECT_LE(max_u, 100'000);
  EXPECT_NEAR(sum_u / n, 50'000, 1'500);
  EXPECT_NEAR(sum_e / n, 50'000, 2'500);
}

// The simulator's latency: uniform over [L/2, 3L/2], one draw even when L is 0 (recorded seeds
// replay with --latency 0 too).
TEST(LatencyTest, AroundTheMeanAlwaysDraws) {
  Rng a(3, 1), b(3, 1);
  for (int i = 0; i < 1000; ++i) {
    const Micros l = LatencyModel{LatencyDist::kAroundMean, 2'000}.sample(a);
    EXPECT_GE(l, 1'000);
    EXPECT_LE(l, 3'000);
  }
  EXPECT_EQ((LatencyModel{LatencyDist::kAroundMean, 0}.sample(b)), 0);
  Rng c(3, 1);
  c.next();
  EXPECT_EQ(b.next(), c.next());  // the zero latency took one draw
  EXPECT_EQ(parse_latency_dist("uniform"), LatencyDist::kUniform);
  EXPECT_FALSE(parse_latency_dist("normal"));
}

TEST(TransitTest, ExampleALinkIsFifoWithoutFaults) {
  Rng rng(1, 1);
  const LatencyModel latency{LatencyDist::kAroundMean, 10'000};
  Micros last = 0;
  Micros previous = 0;
  for (Micros now = 0; now < 100; ++now) {  // sends 1 µs apart, latencies 5..15 ms apart
    const Transit t = transit(now, latency, LinkFaults{}, last, rng);
    ASSERT_FALSE(t.lost);
    ASSERT_EQ(t.copies, 1u);
    EXPECT_GE(t.arrive[0], previous);  // never overtakes
    EXPECT_GE(t.arrive[0], now + 5'000);
    previous = t.arrive[0];
  }
  EXPECT_EQ(last, previous);
}

TEST(TransitTest, FaultsLoseDuplicateAndReorder) {
  Rng rng(2, 1);
  const LatencyModel latency{LatencyDist::kConstant, 1'000};
  Micros last = 0;
  EXPECT_TRUE(transit(0, latency, LinkFaults{1'000'000, 0, 0, 0}, last, rng).lost);
  const Transit twice = transit(0, latency, LinkFaults{0, 1'000'000, 0, 0}, last, rng);
  ASSERT_EQ(twice.copies, 2u);
  EXPECT_EQ(twice.arrive[0], 1'000);
  EXPECT_EQ(twice.arrive[1], 1'000);
  // A reordered message may arrive before one sent earlier on the link, and leaves the link's
  // order to the others.
  last = 50'000;
  const Transit held = transit(0, latency, LinkFaults{0, 0, 1'000'000, 20'000}, last, rng);
  EXPECT_LE(held.arrive[0], 21'000);
  EXPECT_EQ(last, 50'000);
}

TEST(ArrivalTest, TheRuleInItsOrder) {
  EXPECT_EQ(on_arrival(false, false, false, false).arrival, Arrival::kDeliver);
  EXPECT_EQ(on_arrival(false, false, false, true).arrival, Arrival::kHold);
  EXPECT_EQ(on_arrival(false, false, true, true).why, DropReason::kPartition);
  EXPECT_EQ(on_arrival(false, true, true, true).why, DropReason::kDeadNode);
  EXPECT_EQ(on_arrival(true, true, true, true).why, DropReason::kSenderDied);
  EXPECT_STREQ(drop_reason_name(DropReason::kDeadNode), "dead node");
  EXPECT_STREQ(drop_reason_name(DropReason::kLost), "lost by the network");
}

}  // namespace
}  // namespace vckv::model
