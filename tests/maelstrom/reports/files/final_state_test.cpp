#include "reports/files/final_state.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace vckv::reports {
namespace {

model::StoredVersion V(const std::string& value, model::VectorClock clock) { return {"\"" + value + "\"", std::move(clock)}; }

ReadStates Sample() {
  ReadStates s;
  s["n1"]["10"] = {V("a", {1, 0})};
  s["n1"]["2"] = {V("b", {1, 0}), V("c", {0, 1})};
  s["n2"]["10"] = {V("a", {1})};  // equal after padding
  s["n2"]["2"] = {V("c", {0, 1}), V("b", {1, 0})};
  s["n2"]["\"x\""] = {V("d", {3})};
  return s;
}

TEST(FinalStateTest, ExampleKeysWithSiblingsInKeyOrder) {
  const auto keys = keys_with_siblings(Sample());
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0].key, "2");
  EXPECT_EQ(keys[0].siblings, 2u);
  EXPECT_TRUE(key_text_less("2", "10"));
  EXPECT_TRUE(key_text_less("10", "\"a\""));
  EXPECT_FALSE(key_text_less("\"b\"", "\"a\""));
}

TEST(FinalStateTest, DisagreeingKeysIgnoreOrderAndPadding) {
  EXPECT_EQ(disagreeing_keys(Sample()), 1u);  // only "x": n1 lacks it
  ReadStates same = Sample();
  same["n1"]["\"x\""] = {V("d", {3, 0})};
  EXPECT_EQ(disagreeing_keys(same), 0u);
}

TEST(FinalStateTest, JsonGroupsByKeyAndReadsBack) {
  const auto j = final_state_json(Sample(), {"n1", "n2"}, 1234.5);
  EXPECT_EQ(j["taken_at_ms"], 1234.5);
  ASSERT_EQ(j["keys"].size(), 3u);
  EXPECT_EQ(j["keys"][0]["key"], 2);
  EXPECT_EQ(j["keys"][0]["agree"], true);
  EXPECT_EQ(j["keys"][0]["siblings"], 2);
  EXPECT_EQ(j["keys"][0]["by_node"]["n2"][0]["value"], "c");
  EXPECT_EQ(j["keys"][2]["key"], "x");
  EXPECT_EQ(j["keys"][2]["agree"], false);
  EXPECT_TRUE(j["keys"][2]["by_node"]["n1"].empty());
  const std::string path = ::testing::TempDir() + "final_state_test.json";
  std::ofstream(path) << final_state_text(j);
  EXPECT_EQ(final_state_text(j).rfind("{\"taken_at_ms\": 1234.5, \"nodes\": [\"n1\",\"n2\"], \"keys\": [\n  {", 0), 0u);
  std::string error;
  auto back = read_final_state(path, error);
  ASSERT_TRUE(back) << error;
  EXPECT_EQ(back->nodes, (std::vector<std::string>{"n1", "n2"}));
  EXPECT_EQ(model::canonical_set(back->keys.at("2").at("n1")), model::canonical_set(Sample()["n1"]["2"]));
  EXPECT_TRUE(back->keys.at("\"x\"").at("n1").empty());
  std::remove(path.c_str());
  EXPECT_FALSE(read_final_state(path, error));
  EXPECT_NE(error.find("cannot read"), std::string::npos);
}

}  // namespace
}  // namespace vckv::reports
