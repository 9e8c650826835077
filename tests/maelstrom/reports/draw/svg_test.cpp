#include "reports/draw/svg.hpp"

#include "model/faults/fault.hpp"
#include "model/net/partition.hpp"

#include <gtest/gtest.h>

#include <set>

namespace vckv::reports {
namespace {

std::size_t Count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(RowLayoutTest, ExampleDistinctTimesGetDistinctRowsInOrder) {
  const RowLayout rows({5, 1, 1, 2, 100}, 10, 1.0, 6, 40);
  EXPECT_EQ(rows.y(1), 10);
  EXPECT_EQ(rows.y(2), 16);   // 1 ms at 1 px/ms, raised to the 6 px minimum
  EXPECT_EQ(rows.y(5), 22);
  EXPECT_EQ(rows.y(100), 62);  // 95 ms capped at 40 px
  EXPECT_EQ(rows.bottom(), 62);
  EXPECT_DOUBLE_EQ(rows.y(3.5), 19);  // between rows: interpolated
}

TEST(RowLayoutTest, IsMonotonicInTime) {
  std::vector<double> times;
  for (int i = 0; i < 500; ++i) times.push_back((i * 7919) % 1000 * 0.37);
  const RowLayout rows(times, 0, 1.5, 7, 60);
  double last = -1;
  for (double t = 0; t < 400; t += 0.5) {
    EXPECT_GE(rows.y(t), last);
    last = rows.y(t);
  }
}

TEST(WindowTest, WholeRunWhenSmallEnough) {
  const Window w = choose_window({1, 2, 3}, 10, -1, -1, 0);
  EXPECT_TRUE(w.whole_run);
  EXPECT_EQ(w.messages, 3u);
}

TEST(WindowTest, AutomaticWindowStartsAtTheHintAndHoldsAtMostTheBudget) {
  std::vector<double> sends;
  for (int i = 0; i < 100; ++i) sends.push_back(i * 10.0);
  const Window w = choose_window(sends, 20, -1, -1, 305);
  EXPECT_FALSE(w.whole_run);
  EXPECT_EQ(w.messages, 20u);
  EXPECT_EQ(w.from_ms, 305);
  EXPECT_EQ(w.to_ms, 500);  // 310 .. 500
}

TEST(WindowTest, ARequestedWindowIsKeptButCut) {
  std::vector<double> sends;
  for (int i = 0; i < 100; ++i) sends.push_back(i * 10.0);
  Window w = choose_window(sends, 1000, 100, 200, 0);
  EXPECT_EQ(w.messages, 11u);
  EXPECT_EQ(w.to_ms, 200);
  w = choose_window(sends, 5, 100, 200, 0);
  EXPECT_EQ(w.messages, 5u);
  EXPECT_EQ(w.to_ms, 140);
}

TEST(WindowTest, AroundAFaultTheWindowEndsAfterItsHeal) {
  std::vector<double> sends;
  for (int i = 0; i < 100; ++i) sends.push_back(i * 10.0);
  // The fault's messages fit the budget: from the start hint to the end hint.
  Window w = choose_window(sends, 20, -1, -1, 305, 400);
  EXPECT_FALSE(w.whole_run);
  EXPECT_EQ(w.from_ms, 305);
  EXPECT_EQ(w.to_ms, 400);
  EXPECT_EQ(w.messages, 10u);  // 310 .. 400
  // They do not: the last 20 before the end hint, the heal kept.
  w = choose_window(sends, 20, -1, -1, 305, 700);
  EXPECT_EQ(w.from_ms, 510);
  EXPECT_EQ(w.to_ms, 700);
  EXPECT_EQ(w.messages, 20u);
  // A requested window wins over the hints.
  w = choose_window(sends, 1000, 100, 200, 305, 700);
  EXPECT_EQ(w.from_ms, 100);
  EXPECT_EQ(w.messages, 11u);
}

TEST(TypeColourTest, EveryTypeTheNodeSendsHasAColourOfItsOwn) {
  std::set<std::string> colours;
  const char* types[] = {"sync", "sync_ok", "tree", "tree_keys", "fetch", "fetch_ok", "kv_get", "kv_get_ok",
                         "kv_put", "kv_put_ok", "kv_resolve", "kv_resolve_ok", "kv_delete", "kv_delete_ok",
                         "error", "init", "init_ok"};
  for (const char* t : types) colours.insert(type_colour(t));
  EXPECT_EQ(colours.size(), std::size(types));
}

SvgInput Sample() {
  SvgInput in;
  in.run.title = "kv/20260101T000000";
  in.run.end_ms = 100;
  in.run.faults.push_back({"partition", 10, 30, "partition halves: n1 | n2", "halves", {}, {{"n1"}, {"n2"}}});
  in.run.faults.push_back({"kill", 40, 60, "kill n2", "kill n2", {"n2"}, {}});
  in.processes = {"c1", "n1", "n2"};
  in.messages.push_back({0, 1, 1.1, "c1", "n1", "kv_put", Fate::kDelivered, "", R"({"type":"kv_put","value":"<&>"})"});
  in.messages.push_back({1, 12, 20, "n1", "n2", "sync", Fate::kDropped, "partition", R"({"type":"sync"})"});
  in.messages.push_back({2, 50, 50, "n1", "n2", "sync", Fate::kDropped, "dead node", R"({"type":"sync"})"});
  in.messages.push_back({3, 70, 70, "n2", "n1", "sync_ok", Fate::kUndelivered, "", R"({"type":"sync_ok"})"});
  in.window = {0, 70, 4, true};
  in.total_messages = 4;
  return in;
}

TEST(RenderSvgTest, OneArrowPerMessageWithTheBodyOnHover) {
  const std::string svg = render_svg(Sample());
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_EQ(Count(svg, "<g class=\"m\">"), 4u);
  EXPECT_NE(svg.find("value&quot;:&quot;&lt;&amp;&gt;&quot;"), std::string::npos);  // escaped body in <title>
  EXPECT_EQ(Count(svg, "stroke=\"#d00000\""), 2u);  // a cross per dropped message
  EXPECT_NE(svg.find("DROPPED at 0.020000 s: partition"), std::string::npos);
  EXPECT_NE(svg.find("DROPPED at 0.050000 s: dead node"), std::string::npos);
  EXPECT_NE(svg.find("still in flight when the run ended"), std::string::npos);
  EXPECT_NE(svg.find("partition halves: n1 | n2"), std::string::npos);
  EXPECT_NE(svg.find(">killed<"), std::string::npos);
  EXPECT_NE(svg.find(">restarted<"), std::string::npos);
  EXPECT_NE(svg.find("The whole run: all 4 messages."), std::string::npos);
  EXPECT_NE(svg.find("sync (2)"), std::string::npos);  // legend with counts
  EXPECT_EQ(svg.substr(svg.size() - 7), "</svg>\n");
}

TEST(RenderSvgTest, NodesFirstClientsOnOneColumnDropsOnTheRecipientCutLinksAndAStickyHeader) {
  SvgInput in = Sample();
  in.processes = {"n1", "n2", "clients"};
  in.client_column = "clients";
  const std::string svg = render_svg(in);
  // Columns at most 170 px wide: n1 at 175, n2 at 345, clients at 515.
  EXPECT_LT(svg.find("class=\"column\" x=\"175.0\""), svg.find(">n1<"));
  EXPECT_LT(svg.find(">n1<"), svg.find(">n2<"));
  EXPECT_LT(svg.find(">n2<"), svg.find("class=\"column\" x=\"515.0\""));
  EXPECT_NE(svg.find(">clients (every client)<"), std::string::npos);
  EXPECT_EQ(Count(svg, "<g class=\"m\">"), 4u);  // c1's message is drawn on the clients' column
  // Both drops (n1 -> n2) end in a cross centred on n2's line.
  EXPECT_EQ(Count(svg, "<path class=\"drop\" d=\"M341.0,"), 2u) << svg;
  // n1 | n2: the one link cut, an arc between their lines; the heal labelled.
  EXPECT_EQ(Count(svg, "<g class=\"cut\"><title>link n1 - n2 cut"), 1u);
  EXPECT_NE(svg.find("partition healed at 0.030 s"), std::string::npos);
  // The header comes last (drawn over the arrows) and follows the scroll.
  EXPECT_GT(svg.find("<g id=\"header\">"), svg.rfind("<g class=\"m\">"));
  EXPECT_NE(svg.find("window.addEventListener('scroll'"), std::string::npos);
}

TEST(RenderSvgTest, ReapsAreDiamondsOnTheNodesLineThoseCloseTogetherShareOne) {
  SvgInput in = Sample();
  const nlohmann::json results = nlohmann::json::parse(R"({"reaps": {"count": 4, "list": [
      {"time_s": 0.005, "node": "n1", "key": "4", "tombstones": "[[2, 0]]"},
      {"time_s": 0.0051, "node": "n1", "key": "5", "tombstones": "[[0, 2]]"},
      {"time_s": 0.065, "node": "n2", "key": "4", "tombstones": "[[2, 0]]", "told_by": "n1"},
      {"time_s": 0.5, "node": "n2", "key": "6", "tombstones": "[[1, 1]]"}]}})");
  in.run.reaps = run_view_from_results(results).reaps;
  ASSERT_EQ(in.run.reaps.size(), 4u);
  const std::string svg = render_svg(in);
  // The last reap is after the window: three drawn, n1's two on one diamond.
  EXPECT_EQ(Count(svg, "<g class=\"reap\">"), 2u) << svg;
  EXPECT_NE(svg.find("n1 reaped key 4 (tombstones [[2, 0]]) at 0.0 s\nn1 reaped key 5"), std::string::npos);
  EXPECT_NE(svg.find(">reaped 2 keys<"), std::string::npos);
  EXPECT_NE(svg.find(">reaped key 4<"), std::string::npos);
  EXPECT_EQ(svg.find("key 6"), std::string::npos);
  EXPECT_NE(svg.find("Olive diamond: a key reaped"), std::string::npos);
  // A run without reaps says nothing of them.
  EXPECT_EQ(render_svg(Sample()).find("Olive diamond"), std::string::npos);
}

TEST(RenderSvgTest, ARingPartitionDrawsTheLinksItCuts) {
  // On a ring of five each node sees its two neighbours: five of the ten links are cut, and
  // the partition has no sides to tell which.
  model::FaultPeriod ring;
  ring.start = 10'000;
  ring.end = 30'000;
  ring.partition = model::majorities_ring_of({"n1", "n2", "n3", "n4", "n5"});
  const nlohmann::json results{{"faults", faults_json({ring}, {"n1", "n2", "n3", "n4", "n5"})}};
  EXPECT_EQ(results["faults"][0]["cut"].size(), 5u);
  SvgInput in;
  in.run = run_view_from_results(results);
  ASSERT_EQ(in.run.faults.size(), 1u);
  EXPECT_TRUE(in.run.faults[0].components.empty());
  in.processes = {"n1", "n2", "n3", "n4", "n5"};
  in.messages.push_back({0, 5, 6, "n1", "n2", "sync", Fate::kDelivered, "", "{}"});
  in.messages.push_back({1, 40, 41, "n1", "n2", "sync", Fate::kDelivered, "", "{}"});
  in.window = {0, 41, 2, true};
  in.total_messages = 2;
  const std::string svg = render_svg(in);
  EXPECT_EQ(Count(svg, "<g class=\"cut\">"), 5u);
  for (const auto& [a, b] : in.run.faults[0].cut) {
    EXPECT_NE(svg.find("link " + a + " - " + b + " cut"), std::string::npos) << a << " " << b;
  }
}

TEST(RenderSvgTest, AWindowSaysWhichOneAndHowToDrawAnother) {
  SvgInput in = Sample();
  in.window = {10, 60, 2, false};
  in.total_messages = 900;
  in.store_dir = "store/kv/x";
  in.messages.erase(in.messages.begin());
  const std::string svg = render_svg(in);
  EXPECT_NE(svg.find("A window of the run: 3 of 900 messages, those sent from 0.010 s to 0.060 s"), std::string::npos);
  EXPECT_NE(svg.find("vckv-harness svg store/kv/x --from S --to S"), std::string::npos);
}

}  // namespace
}  // namespace vckv::reports
