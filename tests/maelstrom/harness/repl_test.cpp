#include "harness/repl.hpp"

#include <gtest/gtest.h>

namespace vckv::harness {
namespace {

using json = nlohmann::json;
const std::vector<std::string> kNodes = {"n1", "n2", "n3"};

ReplCommand Parse(const std::string& line) {
  const ReplParse p = parse_repl_line(line, kNodes);
  EXPECT_TRUE(p.command) << line << ": " << p.error;
  return p.command.value_or(ReplCommand{});
}

std::string Error(const std::string& line) {
  const ReplParse p = parse_repl_line(line, kNodes);
  EXPECT_FALSE(p.command) << line;
  return p.error;
}

TEST(ReplTokensTest, ExampleJsonStaysWhole) {
  std::string error;
  auto t = repl_tokens(R"(put n1 x {"a": [1, 2], "b": "c d"} [1, 0])", error);
  ASSERT_TRUE(t) << error;
  EXPECT_EQ(*t, (std::vector<std::string>{"put", "n1", "x", R"({"a": [1, 2], "b": "c d"})", "[1, 0]"}));
  t = repl_tokens("partition n1|n2 n3", error);
  EXPECT_EQ(*t, (std::vector<std::string>{"partition", "n1", "|", "n2", "n3"}));
  EXPECT_FALSE(repl_tokens("put n1 x \"open", error));
  EXPECT_NE(error.find("unterminated string"), std::string::npos);
  EXPECT_FALSE(repl_tokens("put n1 x v [1, 0", error));
  EXPECT_NE(error.find("unbalanced"), std::string::npos);
}

TEST(ReplParseTest, ExamplePutGetAndResolve) {
  ReplCommand c = Parse("put n1 x v1 [1,0]");
  EXPECT_EQ(c.verb, ReplVerb::kPut);
  EXPECT_EQ(c.node, "n1");
  EXPECT_EQ(c.key, json("x"));
  EXPECT_EQ(c.value, json("v1"));
  EXPECT_EQ(c.clock, json::parse("[1,0]"));
  c = Parse("resolve n2 7 {\"a\": 1} [2, 1]");
  EXPECT_EQ(c.verb, ReplVerb::kResolve);
  EXPECT_EQ(c.key, json(7));
  EXPECT_EQ(c.value, json::parse("{\"a\": 1}"));
  c = Parse("get n3 \"7\"");
  EXPECT_EQ(c.verb, ReplVerb::kGet);
  EXPECT_EQ(c.key, json("7"));
}

TEST(ReplParseTest, DeleteTakesAClockAndNoValue) {
  const ReplCommand c = Parse("delete n2 x [2, 0]");
  EXPECT_EQ(c.verb, ReplVerb::kDelete);
  EXPECT_EQ(c.node, "n2");
  EXPECT_EQ(c.key, json("x"));
  EXPECT_EQ(c.clock, json::parse("[2,0]"));
  EXPECT_TRUE(c.value.is_null());
  EXPECT_EQ(Error("delete n2 x v [2,0]"), "expected delete NODE KEY CLOCK, e.g. delete n1 x [2,0]");
  EXPECT_EQ(Error("delete n2 x [-1]"),
            "the clock must be a JSON array of non-negative integers such as [1,0], got [-1]");
  EXPECT_EQ(Error("delete n9 x [1]"), "unknown node n9 (the nodes are n1 n2 n3)");
}

TEST(ReplParseTest, FaultsWaitsAndState) {
  ReplCommand c = Parse("partition n1 | n2 n3");
  EXPECT_EQ(c.groups, (std::vector<std::vector<std::string>>{{"n1"}, {"n2", "n3"}}));
  EXPECT_EQ(Parse("heal").verb, ReplVerb::kHeal);
  EXPECT_EQ(Parse("kill n2").node, "n2");
  EXPECT_EQ(Parse("restart n2").verb, ReplVerb::kRestart);
  EXPECT_EQ(Parse("pause n3").verb, ReplVerb::kPause);
  EXPECT_EQ(Parse("resume n3").verb, ReplVerb::kResume);
  EXPECT_EQ(Parse("wait 500ms").wait_ms, 500);
  EXPECT_EQ(Parse("wait 1.5s").wait_ms, 1500);
  EXPECT_EQ(Parse("state x 3").keys, (std::vector<json>{json("x"), json(3)}));
  EXPECT_EQ(Parse("# a comment").verb, ReplVerb::kNothing);
  EXPECT_EQ(Parse("   ").verb, ReplVerb::kNothing);
  EXPECT_EQ(Parse("quit").verb, ReplVerb::kQuit);
  EXPECT_EQ(Parse("exit").verb, ReplVerb::kQuit);
}

TEST(ReplParseTest, ErrorsSayWhatWasExpected) {
  EXPECT_EQ(Error("frobnicate"), "unknown command \"frobnicate\" (try help)");
  EXPECT_EQ(Error("put n1 x v1"), "expected put NODE KEY VALUE CLOCK, e.g. put n1 x v1 [1,0]");
  EXPECT_EQ(Error("get n9 x"), "unknown node n9 (the nodes are n1 n2 n3)");
  EXPECT_EQ(Error("put n1 x v [1,-1]"),
            "the clock must be a JSON array of non-negative integers such as [1,0], got [1,-1]");
  EXPECT_EQ(Error("put n1 x v {\"a\":1}"),
            "the clock must be a JSON array of non-negative integers such as [1,0], got {\"a\":1}");
  EXPECT_EQ(Error("partition n1 n2"), "expected partition NODES | NODES [| NODES ...], e.g. partition n1 | n2 n3");
  EXPECT_EQ(Error("partition n1 | n1"), "node n1 is named twice");
  EXPECT_EQ(Error("partition n1 |"), "expected partition NODES | NODES [| NODES ...], e.g. partition n1 | n2 n3");
  EXPECT_NE(Error("wait soon").find("wait: expected a duration"), std::string::npos);
  EXPECT_EQ(Error("heal now"), "heal takes no arguments");
}

TEST(ReplParseTest, Durations) {
  EXPECT_EQ(parse_duration_ms("250"), 250);
  EXPECT_EQ(parse_duration_ms("2s"), 2000);
  EXPECT_FALSE(parse_duration_ms("-1s"));
  EXPECT_FALSE(parse_duration_ms("3min"));
  EXPECT_FALSE(parse_duration_ms("ms"));
}

TEST(ReplDescribeTest, RepliesAsPrinted) {
  const ReplCommand get = Parse("get n1 x");
  const json values = json::parse(R"({"type":"kv_get_ok","values":[{"value":"a","clock":[1,0]},{"value":"b","clock":[0,1]}]})");
  EXPECT_EQ(describe_reply("n1", get, &values, 1000), "n1: key \"x\": 2 siblings: \"a\" [1, 0] | \"b\" [0, 1]");
  const json none = json::parse(R"({"type":"kv_get_ok","values":[]})");
  EXPECT_EQ(describe_reply("n1", get, &none, 1000), "n1: key \"x\": no value");
  const ReplCommand put = Parse("put n2 x c [1,1]");
  const json conflict = json::parse(R"({"type":"kv_put_ok","status":"conflict","siblings":2})");
  EXPECT_EQ(describe_reply("n2", put, &conflict, 1000), "n2: conflict, 2 siblings");
  const json error = json::parse(R"({"type":"error","code":11,"text":"not initialised"})");
  EXPECT_EQ(describe_reply("n2", put, &error, 1000), "n2: error 11: not initialised");
  EXPECT_EQ(describe_reply("n2", put, nullptr, 1000), "n2: no reply within 1000 ms");
}

TEST(ReplDescribeTest, TombstonesAsPrinted) {
  const ReplCommand get = Parse("get n1 x");
  const json both = json::parse(R"({"type":"kv_get_ok","values":[{"value":"a","clock":[1,0]}],"deleted":[[0,1]]})");
  EXPECT_EQ(describe_reply("n1", get, &both, 1000), "n1: key \"x\": 2 siblings: \"a\" [1, 0] | deleted [0, 1]");
  const json only = json::parse(R"({"type":"kv_get_ok","values":[],"deleted":[[2,0]]})");
  EXPECT_EQ(describe_reply("n1", get, &only, 1000), "n1: key \"x\": 1 sibling: deleted [2, 0]");
  const ReplCommand del = Parse("delete n1 x [2,0]");
  const json deleted = json::parse(R"({"type":"kv_delete_ok","status":"deleted"})");
  EXPECT_EQ(describe_reply("n1", del, &deleted, 1000), "n1: deleted");
  const json conflict = json::parse(R"({"type":"kv_delete_ok","status":"conflict","siblings":2})");
  EXPECT_EQ(describe_reply("n1", del, &conflict, 1000), "n1: conflict, 2 siblings");
}

}  // namespace
}  // namespace vckv::harness
