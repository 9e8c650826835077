// The node's reap line (docs/protocol.md §16, src/node/reaping.cpp) as the harness and the
// simulator read it back.
#include "model/reap_line.hpp"

#include <gtest/gtest.h>

namespace vckv::model {
namespace {

TEST(ReapLineTest, ReadsTheNodeKeyAndTombstones) {
  const auto r = parse_reap_line(R"(vclock-kv[n1] info: reaped key "x" tombstones [[2]])");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->node, "n1");
  EXPECT_EQ(r->key, "\"x\"");
  EXPECT_EQ(r->clocks, "[[2]]");
  EXPECT_EQ(r->told_by, "");
}

TEST(ReapLineTest, ReadsANoticeAndAKeyHoldingTheWordsOfTheLine) {
  const auto r = parse_reap_line(
      R"x(vclock-kv[n12] info: reaped key "a tombstones [b] (told by c)" tombstones [[2, 0], [0, 1]] (told by n3))x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->node, "n12");
  EXPECT_EQ(r->key, R"x("a tombstones [b] (told by c)")x");
  EXPECT_EQ(r->clocks, "[[2, 0], [0, 1]]");
  EXPECT_EQ(r->told_by, "n3");
  EXPECT_EQ(parse_reap_line("vclock-kv[n2] info: reaped key 7 tombstones [[1]]\r")->key, "7");
}

TEST(ReapLineTest, OtherLinesAreNoReap) {
  EXPECT_FALSE(parse_reap_line("vclock-kv[n1] info: peer n2 is reachable again"));
  EXPECT_FALSE(parse_reap_line("vclock-kv[n1] debug: reap of \"x\" at 5 ms: not yet"));
  EXPECT_FALSE(parse_reap_line("=== vckv-harness: n1 restarted at 3.0 s (empty store) ==="));
  EXPECT_FALSE(parse_reap_line("vclock-kv[n1] info: reaped key \"x\" tombstones [[a]]"));
  EXPECT_FALSE(parse_reap_line("vclock-kv[n1] info: reaped key \"x\" tombstones [[2]] (told by n3"));
}

TEST(ReapLineTest, ClocksLoseTheirTrailingZeros) {
  using Clocks = std::vector<std::vector<std::uint64_t>>;
  EXPECT_EQ(reap_clocks("[[2, 0], [0, 1]]"), (Clocks{{2}, {0, 1}}));
  EXPECT_EQ(reap_clocks("[[0]]"), (Clocks{{}}));
  EXPECT_EQ(reap_clocks("[[1], 2]"), Clocks{});
  EXPECT_EQ(reap_clocks("[[1]] x"), Clocks{});
}

}  // namespace
}  // namespace vckv::model
