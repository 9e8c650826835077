// Deletes (docs/protocol.md §16) in a run's files and reports: tombstones in final-state.json,
// deletes in history.txt, explain and the plots, and the path a resurrected version came back by
// in net.jsonl.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "reports/draw/plots.hpp"
#include "reports/explain.hpp"
#include "reports/explain_store.hpp"
#include "reports/files/final_state.hpp"
#include "reports/files/history_log.hpp"
#include "reports/results.hpp"

namespace vckv::reports {
namespace {

using json = nlohmann::json;

model::StoredVersion V(const std::string& value, model::VectorClock clock) { return {"\"" + value + "\"", std::move(clock)}; }

bool Has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string TempPath(const std::string& name) {
  return (std::filesystem::path(::testing::TempDir()) /
          (name + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name()))
      .string();
}

TEST(DeletesReportTest, FinalStateWritesATombstoneWithoutValueAndReadsItBack) {
  ReadStates s;
  s["n1"]["1"] = {V("a", {1, 0}), model::tombstone_version({0, 1})};
  s["n2"]["1"] = {model::tombstone_version({0, 1}), V("a", {1, 0})};
  const json j = final_state_json(s, {"n1", "n2"}, 10);
  EXPECT_EQ(j["keys"][0]["by_node"]["n1"][1], json::parse(R"({"clock": [0, 1]})"));
  EXPECT_EQ(j["keys"][0]["agree"], true);
  const std::string path = TempPath("final-state") + ".json";
  std::ofstream(path) << final_state_text(j);
  std::string error;
  const auto back = read_final_state(path, error);
  ASSERT_TRUE(back) << error;
  const auto& n1 = back->keys.at("1").at("n1");
  ASSERT_EQ(n1.size(), 2u);
  EXPECT_FALSE(n1[0].tombstone);
  EXPECT_TRUE(n1[1].tombstone);
  EXPECT_EQ(model::canonical_set(n1), "\"a\"@[1] ~@[0, 1]");
  std::filesystem::remove(path);
}

TEST(DeletesReportTest, HistoryTextShowsDeletesAndTombstonesRead) {
  const json invoke = json::parse(R"({"index":8,"type":"invoke","process":"c2","f":"delete","key":5,"node":"n1",
      "time_ms":900.5,"request":{"type":"kv_delete","key":5,"clock":[1,2],"msg_id":4}})");
  EXPECT_EQ(history_text(invoke), "     900.500 c2       invoke delete     key 5 ~ [1, 2] at n1");
  const json get = json::parse(R"({"index":9,"type":"ok","process":"c1","f":"get","key":5,"node":"n1",
      "time_ms":950,"latency_ms":1,"outcome":"ok","status":"ok",
      "reply":{"type":"kv_get_ok","values":[{"value":"v","clock":[2,0]}],"deleted":[[1,2]]}})");
  EXPECT_EQ(history_text(get), "     950.000 c1       ok     get        key 5 1 sibling: \"v\" [2, 0], deleted: ~ [1, 2] (1.000 ms)");
}

ExplainWrite Write(std::string client, double at, const std::string& value, model::VectorClock clock, bool tombstone) {
  ExplainWrite w;
  w.client = std::move(client);
  w.f = tombstone ? "delete" : "put";
  w.node = "n1";
  w.invoke_ms = at;
  w.complete_ms = at + 1;
  w.value = tombstone ? "" : "\"" + value + "\"";
  w.clock = std::move(clock);
  w.outcome = "ok";
  w.status = tombstone ? "deleted" : "written";
  w.tombstone = tombstone;
  return w;
}

TEST(DeletesReportTest, ExplainNamesTombstonesReapsAndResurrections) {
  ExplainContext ctx;
  ctx.client_slots = 2;
  // Deleted and reaped: no node holds anything.
  KeyStory reaped;
  reaped.key = "4";
  reaped.writes = {Write("c1", 100, "a", {1, 0}, false), Write("c2", 200, "", {1, 1}, true)};
  for (const char* n : {"n1", "n2"}) reaped.final_by_node[n];
  const std::string r = explain_key(reaped, ctx);
  EXPECT_TRUE(Has(r, "key 4: no node holds a value (2 nodes read): deleted and reaped")) << r;
  EXPECT_TRUE(Has(r, "2 writes to this key in the history, 2 acknowledged (1 of them deletes).")) << r;
  EXPECT_TRUE(Has(r, "\"a\" [1, 0] by c1 via n1 at 0.101 s: deleted by c2's delete ~ [1, 1] (reaped since)")) << r;
  // The tombstone still held: a final version of its own, made by the delete.
  KeyStory held = reaped;
  for (const char* n : {"n1", "n2"}) held.final_by_node[n] = {model::tombstone_version({1, 1})};
  const std::string h = explain_key(held, ctx);
  EXPECT_TRUE(Has(h, "A = ~ [1, 1]\n      kv_delete by c2 via n1, invoked 0.200 s, acknowledged 0.201 s (deleted)")) << h;
  EXPECT_TRUE(Has(explain_key_line(held, ctx), "key 4: ~ (c2 via n1 at 0.201 s)"));
  // a back after the reap.
  KeyStory back = reaped;
  for (const char* n : {"n1", "n2"}) back.final_by_node[n] = {V("a", {1, 0})};
  const std::string b = explain_key(back, ctx);
  EXPECT_TRUE(Has(b, "RESURRECTED: c2's delete ~ [1, 1] via n1, acknowledged 0.201 s, dominates it")) << b;
}

TEST(DeletesReportTest, ResurrectionPathIsTheLastDeliveryCarryingTheValue) {
  const std::string path = TempPath("net") + ".jsonl";
  std::ofstream(path)
      << R"({"send_ms":100.0,"id":1,"from":"c1","to":"n3","type":"kv_put","deliver_ms":100.5,"msg":{"src":"c1","dest":"n3","body":{"type":"kv_put","key":1,"value":"c1-1","clock":[1,0]}}})" "\n"
      << R"({"send_ms":900.0,"id":7,"from":"n3","to":"n1","type":"sync","deliver_ms":910.0,"msg":{"src":"n3","dest":"n1","body":{"type":"sync","versions":[{"value":"c1-1","clock":[1,0]}]}}})" "\n"
      << R"({"send_ms":950.0,"id":9,"from":"n3","to":"n2","type":"sync","drop_ms":951.0,"dropped":"partition","msg":{"src":"n3","dest":"n2","body":{"type":"sync","versions":[{"value":"c1-1","clock":[1,0]}]}}})" "\n"
      << R"({"send_ms":1200.0,"id":12,"from":"n3","to":"n1","type":"read_repair","deliver_ms":1201.25,"msg":{"src":"n3","dest":"n1","body":{"type":"read_repair","value":"c1-1","clock":[1,0]}}})" "\n";
  const std::vector<model::WriteRecord> writes = {
      model::WriteRecord{"c1", 1, "\"c1-1\"", model::VectorClock({1, 0}), model::WriteOutcome::kAcknowledged},
      model::WriteRecord{"c2", 1, "", model::VectorClock({1, 1}), model::WriteOutcome::kAcknowledged, true}};
  std::map<std::string, model::NodeState> states;
  states["n1"][1] = {V("c1-1", {1, 0})};
  states["n2"];
  states["n3"][1] = {V("c1-1", {1, 0})};
  const model::CheckResult check = model::check(writes, states);
  ASSERT_EQ(check.resurrected, 1u);
  const std::vector<std::string> lines = resurrection_paths(path, check, writes);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "resurrected key 1 \"c1-1\"@[1, 0] (c2's acknowledged delete ~@[1, 1] dominates it): on n1, "
                      "last arrived at 1.201 s in read_repair from n3 (message 12)");
  EXPECT_EQ(lines[1], "resurrected key 1 \"c1-1\"@[1, 0] (c2's acknowledged delete ~@[1, 1] dominates it): on n3, "
                      "last arrived at 0.101 s in kv_put from c1 (message 1)");
  std::filesystem::remove(path);
}

TEST(DeletesReportTest, PlotsDrawDeletesOnlyInRunsWithDeletes) {
  const std::string dir = TempPath("plots");
  std::filesystem::create_directories(dir);
  PlotInput in;
  in.end_s = 5;
  OpRecord put;
  put.f = "put";
  put.invoke_s = 1;
  put.latency_ms = 2;
  put.op_class = model::OpClass::kOk;
  in.ops.push_back(put);
  const std::string without = write_plot_script(dir, in);
  EXPECT_FALSE(Has(without, "delete"));
  OpRecord del = put;
  del.f = "delete";
  del.invoke_s = 2;
  in.ops.push_back(del);
  const std::string with = write_plot_script(dir, in);
  EXPECT_TRUE(Has(with, "'plot-data/latency-delete-ok.dat' using 1:2 with points pt 7 ps 0.45 lc rgb '#bcbd22' title 'delete ok'"))
      << with;
  EXPECT_TRUE(Has(with, "using 1:7 with linespoints pt 7 ps 0.4 lc rgb '#bcbd22' title 'delete'"));
  std::filesystem::remove_all(dir);
}

// Reaps the nodes logged: a count per node (n2 before n10), those on a notice, the first and the
// last time in the summary; each one, with its time, in results.json.
TEST(DeletesReportTest, ReapsShowPerNodeAndInTime) {
  EXPECT_EQ(reaps_line({}), "");
  const std::vector<ReapRecord> reaps = {{"n10", "3", "[[2]]", "", 9.24},
                                         {"n2", "3", "[[2]]", "n10", 9.3},
                                         {"n2", "\"x\"", "[[1, 1]]", "", 12.0}};
  EXPECT_EQ(reaps_line(reaps), "reaps: 3 (n2 2, n10 1; 1 on a notice) from 9.2 s to 12.0 s");
  const json j = reaps_json(reaps);
  EXPECT_EQ(j["count"], 3);
  EXPECT_EQ(j["per_node"], json::parse(R"({"n2": 2, "n10": 1})"));
  EXPECT_EQ(j["list"][1], json::parse(R"({"time_s": 9.3, "node": "n2", "key": "3", "tombstones": "[[2]]", "told_by": "n10"})"));
  EXPECT_FALSE(j["list"][2].contains("told_by"));
}

}  // namespace
}  // namespace vckv::reports
