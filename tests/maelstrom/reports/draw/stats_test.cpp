#include "reports/draw/stats.hpp"

#include <gtest/gtest.h>

namespace vckv::reports {
namespace {

TEST(StatsTest, QuantileIsNearestRank) {
  const std::vector<double> v = {5, 1, 4, 2, 3};
  EXPECT_EQ(quantile(v, 0.5), 3);
  EXPECT_EQ(quantile(v, 0.0), 1);
  EXPECT_EQ(quantile(v, 1.0), 5);
  EXPECT_EQ(quantile(v, 0.99), 5);
  EXPECT_EQ(quantile({}, 0.5), 0);
}

TEST(StatsTest, BinCountsPerSecond) {
  const auto bins = bin_counts({0.1, 0.9, 1.0, 2.5, 9.0, -1}, 1.0, 3);
  EXPECT_EQ(bins, (std::vector<std::size_t>{2, 1, 1}));
}

}  // namespace
}  // namespace vckv::reports
