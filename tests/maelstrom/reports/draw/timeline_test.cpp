#include "reports/draw/timeline.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace vckv::reports {
namespace {

TimelineOp Op(std::string p, double at, double ms, std::string outcome) {
  return TimelineOp{std::move(p), "put", "3", "n1", at, at + ms, std::move(outcome), "written",
                    R"({"type":"kv_put","value":"<x>"})", R"({"type":"kv_put_ok"})"};
}

TEST(TimelineTest, ExampleScaleSpacesAClientsBarsApart) {
  std::vector<TimelineOp> ops;
  for (int i = 0; i < 10; ++i) ops.push_back(Op("c1", i * 100.0, 0.1, "ok"));
  EXPECT_DOUBLE_EQ(timeline_scale(ops, 14, 1e9), 0.14);  // 100 ms apart -> 14 px
  EXPECT_DOUBLE_EQ(timeline_scale(ops, 14, 90.01), 0.1);  // but the whole (900.1 ms) no taller than 90.01 px
}

TEST(TimelineTest, BarsCarryTheirOutcomeAndTheBodiesOnHover) {
  TimelineInput in;
  in.run.title = "kv/x";
  in.run.faults.push_back({"pause", 50, 150, "pause n2", "pause n2", {"n2"}, {}});
  in.ops = {Op("c1", 0, 0.2, "ok"), Op("c2", 10, 1000, "indeterminate"), Op("c10", 20, 0.3, "conflict"),
            Op("c1", 100, 0.1, "stale"), Op("c2", 1100, 0.1, "error")};
  in.total_ops = 5;
  const std::string html = render_timeline(in);
  for (const char* cls : {"op ok", "op indeterminate", "op conflict", "op stale", "op error", "band pause"}) {
    EXPECT_NE(html.find(std::string("class=\"") + cls + "\""), std::string::npos) << cls;
  }
  EXPECT_NE(html.find("&quot;value&quot;:&quot;&lt;x&gt;&quot;"), std::string::npos);
  // Columns in client order: c1, c2, c10.
  EXPECT_LT(html.find(">c2</div>"), html.find(">c10</div>"));
  EXPECT_NE(html.find("The whole run: 5 operations."), std::string::npos);
}

TEST(TimelineTest, ExampleTickStepsAreRound) {
  EXPECT_DOUBLE_EQ(round_tick_ms(317), 500);
  EXPECT_DOUBLE_EQ(round_tick_ms(100), 100);
  EXPECT_DOUBLE_EQ(round_tick_ms(101), 200);
  EXPECT_DOUBLE_EQ(round_tick_ms(0.7), 1);
  EXPECT_DOUBLE_EQ(round_tick_ms(1900), 2000);
}

TEST(TimelineTest, TicksFallOnRoundTimesAndBarsNameTheirNode) {
  TimelineInput in;
  in.run.title = "kv/x";
  // Bars 317 ms apart: ticks every 317 ms would read 0.317 s, 0.634 s ...
  for (int i = 0; i < 40; ++i) in.ops.push_back(Op("c1", 1234 + i * 317.0, 300, "ok"));  // bars 13 px tall
  in.total_ops = in.ops.size();
  const std::string html = render_timeline(in);
  std::size_t ticks = 0;
  for (std::size_t at = html.find("class=\"tick\""); at != std::string::npos;
       at = html.find("class=\"tick\"", at + 1)) {
    const auto open = html.find('>', at) + 1;
    const std::string label = html.substr(open, html.find(" s<", open) - open);
    const double ms = std::stod(label) * 1000;
    EXPECT_NEAR(std::remainder(ms, 100), 0, 1e-6) << label;  // a whole number of tenths of a second
    ++ticks;
  }
  EXPECT_GE(ticks, 5u);
  EXPECT_NE(html.find(">put 3 → n1</div>"), std::string::npos);
}

}  // namespace
}  // namespace vckv::reports
