#include "reports/files/final_state.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

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

// With a ring (5 nodes, 3 replicas: key 0 lives on n4 n2 n5, the contract's vectors): the
// preference list and the hints per key, "agree" among the replicas only.
TEST(FinalStateTest, ExampleRingRecordsPreferenceListAndHints) {
  const std::vector<std::string> nodes = {"n1", "n2", "n3", "n4", "n5"};
  const model::Placement ring(nodes, 3);
  ReadStates s;
  for (const char* n : {"n4", "n2", "n5"}) s[n]["0"] = {V("a", {1})};
  s["n1"];
  s["n3"];
  HintStates hints;
  hints["n1"]["0"] = {model::HeldHint{"n5", V("a", {1})}};
  const nlohmann::json j = final_state_json(s, nodes, 5.5, &ring, hints);
  EXPECT_EQ(j["replicas"], 3);
  EXPECT_EQ(j["vnodes"], 64);
  ASSERT_EQ(j["keys"].size(), 1u);
  const nlohmann::json& k = j["keys"][0];
  EXPECT_EQ(k["preference_list"], nlohmann::json({"n4", "n2", "n5"}));
  EXPECT_EQ(k["agree"], true);  // n1 and n3 hold none, as they should
  EXPECT_EQ(k["by_node"]["n1"], nlohmann::json::array());
  EXPECT_EQ(k["hints"].dump(), R"({"n1":[{"clock":[1],"for":"n5","value":"a"}]})");
  EXPECT_EQ(final_state_text(j).rfind(R"({"taken_at_ms": 5.5, "nodes": ["n1","n2","n3","n4","n5"], "replicas": 3, "vnodes": 64, "keys": [)", 0), 0u);
  // A leftover hint, and a non-replica holding the key, each make the key disagree.
  EXPECT_EQ(disagreeing_keys(s, &ring, hints), 1u);
  EXPECT_EQ(disagreeing_keys(s, &ring, {}), 0u);
  ReadStates misplaced = s;
  misplaced["n1"]["0"] = {V("a", {1})};
  EXPECT_EQ(disagreeing_keys(misplaced, &ring, {}), 1u);
  // Without a ring the same states disagree (n1 and n3 lack the key), and the file is as before.
  EXPECT_EQ(disagreeing_keys(s), 1u);
  const nlohmann::json plain = final_state_json(s, nodes, 5.5);
  EXPECT_FALSE(plain.contains("replicas"));
  EXPECT_FALSE(plain["keys"][0].contains("hints"));
  EXPECT_FALSE(plain["keys"][0].contains("preference_list"));
}

// The file written a key at a time is the document's text, byte for byte: plain, with a ring
// and hints, and empty.
TEST(FinalStateTest, WrittenAKeyAtATimeIsTheDocumentsText) {
  const auto streamed = [](const ReadStates& s, const std::vector<std::string>& nodes, double at,
                           const model::Placement* placement, const HintStates& hints) {
    std::ostringstream out;
    write_final_state(out, s, nodes, at, placement, hints);
    return out.str();
  };
  EXPECT_EQ(streamed(Sample(), {"n1", "n2"}, 1234.5, nullptr, {}),
            final_state_text(final_state_json(Sample(), {"n1", "n2"}, 1234.5)));
  const std::vector<std::string> nodes = {"n1", "n2", "n3", "n4", "n5"};
  const model::Placement ring(nodes, 3);
  ReadStates s;
  for (const char* n : {"n4", "n2", "n5"}) s[n]["0"] = {V("a", {1})};
  s["n1"]["7"] = {V("b", {0, 2}), V("c", {1, 0})};
  HintStates hints;
  hints["n1"]["0"] = {model::HeldHint{"n5", V("a", {1})}};
  hints["n3"]["9"] = {model::HeldHint{"n2", V("d", {3})}};
  EXPECT_EQ(streamed(s, nodes, 5.5, &ring, hints), final_state_text(final_state_json(s, nodes, 5.5, &ring, hints)));
  EXPECT_EQ(streamed({}, nodes, 0, nullptr, {}), final_state_text(final_state_json({}, nodes, 0)));
  EXPECT_EQ(streamed({}, nodes, 0, nullptr, {}), "{\"taken_at_ms\": 0.0, \"nodes\": [\"n1\",\"n2\",\"n3\",\"n4\",\"n5\"], \"keys\": []}\n");
}

// Read back a key at a time (the layout the harness writes) or whole (any other layout): the
// same states; a file cut short or with a line that is not a key's entry is an error naming it.
TEST(FinalStateTest, ReadsBackEitherLayoutAndNamesWhatIsWrong) {
  const nlohmann::json j = final_state_json(Sample(), {"n1", "n2"}, 7);
  const std::string dir = ::testing::TempDir();
  const auto read_text = [&](const std::string& name, const std::string& text, std::string& error) {
    std::ofstream(dir + name) << text;
    auto back = read_final_state(dir + name, error);
    std::remove((dir + name).c_str());
    return back;
  };
  std::string error;
  const auto by_line = read_text("fs_lines.json", final_state_text(j), error);
  ASSERT_TRUE(by_line) << error;
  const auto whole = read_text("fs_whole.json", j.dump(2), error);
  ASSERT_TRUE(whole) << error;
  EXPECT_EQ(by_line->nodes, whole->nodes);
  ASSERT_EQ(by_line->keys.size(), 3u);
  for (const auto& [key, by_node] : by_line->keys) {
    for (const auto& [node, versions] : by_node) {
      EXPECT_EQ(model::canonical_set(versions), model::canonical_set(whole->keys.at(key).at(node))) << key << " " << node;
    }
  }
  std::string text = final_state_text(j);
  const std::string cut = text.substr(0, text.rfind("]}"));
  EXPECT_FALSE(read_text("fs_cut.json", cut, error));
  EXPECT_NE(error.find("ends before its keys array does"), std::string::npos) << error;
  std::string garbled = text;
  garbled.insert(garbled.find("\n  {") + 1, "  not json,\n");
  EXPECT_FALSE(read_text("fs_garbled.json", garbled, error));
  EXPECT_NE(error.find("line 2 is not a key's entry"), std::string::npos) << error;
}

}  // namespace
}  // namespace vckv::reports
