#include "reports/explain.hpp"

#include <gtest/gtest.h>

namespace vckv::reports {
namespace {

model::StoredVersion V(const std::string& value, model::VectorClock clock) { return {"\"" + value + "\"", std::move(clock)}; }

ExplainWrite W(std::string client, std::string node, double at, const std::string& value, model::VectorClock clock,
               std::optional<ExplainRead> basis, std::string outcome = "ok") {
  ExplainWrite w;
  w.client = std::move(client);
  w.f = "put";
  w.node = std::move(node);
  w.invoke_ms = at;
  w.complete_ms = at + 1;
  w.value = "\"" + value + "\"";
  w.clock = std::move(clock);
  w.outcome = std::move(outcome);
  w.status = w.outcome == "ok" ? "written" : w.outcome;
  w.basis = std::move(basis);
  return w;
}

ExplainRead R(std::string client, std::string node, double at, std::vector<model::StoredVersion> values = {}) {
  return ExplainRead{std::move(client), std::move(node), at - 1, at, std::move(values)};
}

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// c1 writes through n1 and c2 through n3 while a partition separates them: two siblings.
KeyStory PartitionStory() {
  KeyStory s;
  s.key = "3";
  s.writes.push_back(W("c1", "n1", 110, "c1-1", {1, 0}, R("c1", "n1", 100)));
  s.writes.push_back(W("c2", "n3", 130, "c2-1", {0, 1}, R("c2", "n3", 120)));
  for (const char* n : {"n1", "n2", "n3"}) s.final_by_node[n] = {V("c1-1", {1, 0}), V("c2-1", {0, 1})};
  return s;
}

ExplainContext Context() {
  ExplainContext ctx;
  ctx.client_slots = 2;
  ctx.faults.push_back({"partition", 50, 500, "partition halves: n1 n2 | n3", "halves", {}, {{"n1", "n2"}, {"n3"}}});
  return ctx;
}

TEST(ExplainTest, ExampleNamesTheWritesTheSlotsAndThePartition) {
  const std::string story = explain_key(PartitionStory(), Context());
  EXPECT_TRUE(Has(story, "key 3: 2 siblings on every node (3 nodes agree)")) << story;
  EXPECT_TRUE(Has(story, "A = \"c1-1\" [1, 0]\n      kv_put by c1 via n1, invoked 0.110 s, acknowledged 0.111 s (written)"))
      << story;
  EXPECT_TRUE(Has(story, "B = \"c2-1\" [0, 1]\n      kv_put by c2 via n3")) << story;
  EXPECT_TRUE(Has(story, "after c2 read n3 at 0.120 s: 0 siblings")) << story;
  EXPECT_TRUE(Has(story, "A || B: A is ahead in c1 (1 > 0); B is ahead in c2 (1 > 0).")) << story;
  EXPECT_TRUE(Has(story, "B does not descend A: c2 read n3 at 0.120 s, 9.0 ms after n1 acknowledged A, but n1 and "
                         "n3 were on different sides of partition halves: n1 n2 | n3 (0.050-0.500 s)."))
      << story;
  EXPECT_TRUE(Has(story, "A does not descend B: c1 read n1 at 0.100 s, before B was even sent (0.130 s).")) << story;
}

TEST(ExplainTest, OneLineForTheSummary) {
  const std::string line = explain_key_line(PartitionStory(), Context());
  EXPECT_EQ(line,
            "key 3: \"c1-1\" (c1 via n1 at 0.111 s) || \"c2-1\" (c2 via n3 at 0.131 s): concurrent (they differ in "
            "c1, c2); c2 read n3 at 0.120 s, 9.0 ms after n1 acknowledged \"c1-1\", but n1 and n3 were on different "
            "sides of partition halves: n1 n2 | n3 (0.050-0.500 s)");
}

TEST(ExplainTest, BlindWritesReplicationLagKillsAndSupersededWrites) {
  KeyStory s;
  s.key = "\"k\"";
  s.writes.push_back(W("c1", "n1", 10, "c1-1", {1, 0, 0}, R("c1", "n1", 5)));
  ExplainWrite blind = W("c2", "n2", 30, "c2-1", {0, 1, 0}, std::nullopt);
  blind.blind = true;
  s.writes.push_back(blind);
  s.writes.push_back(W("c1", "n1", 40, "c1-2", {2, 0, 0}, R("c1", "n1", 35, {V("c1-1", {1, 0, 0})})));
  s.writes.push_back(W("c3", "n3", 60, "c3-1", {0, 0, 1}, R("c3", "n3", 50)));
  for (const char* n : {"n1", "n2", "n3"}) s.final_by_node[n] = {V("c1-2", {2, 0, 0}), V("c2-1", {0, 1, 0}), V("c3-1", {0, 0, 1})};
  ExplainContext ctx;
  ctx.client_slots = 3;
  std::string story = explain_key(s, ctx);
  EXPECT_TRUE(Has(story, "a blind write: c2 did not read first")) << story;
  EXPECT_TRUE(Has(story, "B was a blind write by c2 (no read first), so it carried only its own slot")) << story;
  EXPECT_TRUE(Has(story, "c3 read n3 at 0.050 s, 9.0 ms after n1 acknowledged A: replication from n1 had not "
                         "reached n3 yet")) << story;
  EXPECT_TRUE(Has(story, "1 other acknowledged writes are superseded:\n    \"c1-1\" [1, 0, 0] by c1 via n1 at "
                         "0.011 s: superseded by A")) << story;
  // The same with n3 killed in between: the kill is the reason.
  ctx.faults.push_back({"kill", 42, 48, "kill n3", "kill n3", {"n3"}, {}});
  story = explain_key(s, ctx);
  EXPECT_TRUE(Has(story, "but n3 was killed (and restarted empty) (0.042-0.048 s)")) << story;
}

TEST(ExplainTest, DisagreeingNodesPhantomsAndHandGivenClocks) {
  KeyStory s;
  s.key = "\"x\"";
  s.writes.push_back(W("c1", "n1", 10, "a", {1, 0}, std::nullopt));
  s.writes.push_back(W("c1", "n2", 11, "b", {0, 1}, std::nullopt));
  s.final_by_node["n1"] = {V("a", {1, 0}), V("b", {0, 1})};
  s.final_by_node["n2"] = {V("b", {0, 1}), V("zz", {0, 2})};
  ExplainContext ctx;  // a repl session: slots are not clients
  ctx.faults.push_back({"partition", 5, 20, "partition manual: n1 | n2", "manual", {}, {{"n1"}, {"n2"}}});
  const std::string story = explain_key(s, ctx);
  EXPECT_TRUE(Has(story, "the nodes DISAGREE:\n    n1: \"a\" [1, 0] | \"b\" [0, 1]\n    n2: \"b\" [0, 1] | \"zz\" [0, 2]"))
      << story;
  EXPECT_TRUE(Has(story, "no client wrote this value with this clock (a phantom)")) << story;
  EXPECT_TRUE(Has(story, "A is ahead in slot 0 (1 > 0); B is ahead in slot 1 (1 > 0)")) << story;
  EXPECT_TRUE(Has(story, "no read is recorded behind B (its clock was given as is); when it was written, n1 and n2 "
                         "were on different sides of partition manual: n1 | n2")) << story;
}

TEST(ExplainTest, AKeyNoNodeHolds) {
  KeyStory s;
  s.key = "7";
  s.final_by_node["n1"];
  s.final_by_node["n2"];
  EXPECT_TRUE(Has(explain_key(s, {}), "key 7: no node holds a value (2 nodes read)"));
}

TEST(ExplainTest, SlotNames) {
  ExplainContext ctx;
  ctx.client_slots = 4;
  EXPECT_EQ(slot_name(0, ctx), "c1");
  EXPECT_EQ(slot_name(3, ctx), "c4");
  EXPECT_EQ(slot_name(4, ctx), "slot 4");
}

}  // namespace
}  // namespace vckv::reports
