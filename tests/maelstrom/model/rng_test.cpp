#include "model/rng.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <string>
#include <vector>

namespace vckv::model {
namespace {

// The first draws of one stream, written down: if they change, every recorded seed replays
// differently (and a trace from another machine no longer matches).
TEST(RngTest, DrawsAreFixedOnEveryMachine) {
  Rng rng(42, 1);
  std::string text;
  for (int i = 0; i < 4; ++i) text += std::to_string(rng.below(1000)) + " ";
  EXPECT_EQ(text, "268 635 544 260 ");  // also computed by an independent Python version
}

TEST(RngTest, BelowStaysInRangeAndCoversIt) {
  Rng rng(7, 3);
  std::vector<int> seen(6, 0);
  for (int i = 0; i < 6000; ++i) {
    const std::uint64_t v = rng.below(6);
    ASSERT_LT(v, 6u);
    ++seen[v];
  }
  for (int count : seen) EXPECT_GT(count, 800);
  EXPECT_EQ(rng.below(0), 0u);
  EXPECT_EQ(rng.between(5, 5), 5);
}

TEST(RngTest, StreamsDiffer) {
  Rng a(1, 1), b(1, 2), c(2, 1);
  const std::uint64_t x = a.next();
  EXPECT_NE(x, b.next());
  EXPECT_NE(x, c.next());
}

TEST(RngTest, ShuffleIsAPermutation) {
  Rng rng(9, 9);
  std::vector<int> v{1, 2, 3, 4, 5};
  rng.shuffle(v);
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int>{1, 2, 3, 4, 5}));
}

// The named streams are the numbers the simulator's seeds were recorded with.
TEST(RngTest, NamedStreamsAreTheNumberedOnes) {
  Rng a(5, Stream::kFaults), b(5, 2);
  EXPECT_EQ(a.next(), b.next());
}

}  // namespace
}  // namespace vckv::model
