#include "model/check/tree_roots.hpp"

#include <gtest/gtest.h>

namespace vckv::model {
namespace {

using json = nlohmann::json;

NodeRoots roots(std::map<std::string, TreeRoot> peers, std::uint64_t hints = 0) { return NodeRoots{std::move(peers), hints}; }

TEST(TreeRootsTest, ParsesAnAnswerAndRefusesMalformedOnes) {
  const auto r = parse_tree_roots(json::parse(
      R"({"type": "tree_roots_ok", "roots": {"n2": 18446744073709551615, "n3": 0}, "counts": {"n2": 10, "n3": 0}, "hints": 2})"));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->hints, 2u);
  EXPECT_EQ(r->peers.at("n2"), (TreeRoot{18446744073709551615ULL, 10}));
  EXPECT_EQ(r->peers.at("n3"), (TreeRoot{0, 0}));
  EXPECT_FALSE(parse_tree_roots(json::parse(R"({"roots": {"n2": 1}, "counts": {}, "hints": 0})")));
  EXPECT_FALSE(parse_tree_roots(json::parse(R"({"roots": {"n2": 1}, "counts": {"n3": 1}, "hints": 0})")));
  EXPECT_FALSE(parse_tree_roots(json::parse(R"({"roots": {"n2": -1}, "counts": {"n2": 1}, "hints": 0})")));
  EXPECT_FALSE(parse_tree_roots(json::parse(R"({"roots": {}, "counts": {}})")));
  EXPECT_TRUE(parse_tree_roots(json::parse(R"({"roots": {}, "counts": {}, "hints": 0})")));
}

TEST(TreeRootsTest, AgreeOnlyWhenEveryPairMatchesBothWaysWithoutHints) {
  std::map<std::string, NodeRoots> a{{"n1", roots({{"n2", {7, 3}}, {"n3", {5, 2}}})},
                                     {"n2", roots({{"n1", {7, 3}}})},
                                     {"n3", roots({{"n1", {5, 2}}})}};
  std::string why;
  EXPECT_TRUE(roots_agree(a, &why)) << why;

  auto differ = a;
  differ["n3"].peers["n1"] = {6, 2};
  EXPECT_FALSE(roots_agree(differ, &why));
  EXPECT_EQ(why, "n1 and n3 differ: 2 keys against 2, other versions");

  auto one_sided = a;
  one_sided["n2"].peers.clear();
  EXPECT_FALSE(roots_agree(one_sided, &why));
  EXPECT_EQ(why, "n1 shares keys with n2, n2 not with it");

  auto hinted = a;
  hinted["n2"].hints = 1;
  EXPECT_FALSE(roots_agree(hinted, &why));
  EXPECT_EQ(why, "n2 holds 1 hints");

  // A node that did not answer is not compared (the caller decides what a missing answer means).
  auto missing = a;
  missing.erase("n3");
  EXPECT_TRUE(roots_agree(missing));
}

}  // namespace
}  // namespace vckv::model
