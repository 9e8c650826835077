#include "reports/draw/plots.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace vckv::reports {
namespace {

// Every OpClass, found by name rather than listed here: a class added to the model is covered.
std::vector<model::OpClass> EveryClass() {
  std::vector<model::OpClass> out;
  for (int i = 0; std::string(model::op_class_name(static_cast<model::OpClass>(i))) != "?"; ++i) {
    out.push_back(static_cast<model::OpClass>(i));
  }
  return out;
}

// The lines of the script from the one that sets `output` up to the next output.
std::string Section(const std::string& script, const std::string& output) {
  const auto at = script.find("set output '" + output + "'");
  if (at == std::string::npos) return "";
  const auto next = script.find("set output", at + 1);
  return script.substr(at, next == std::string::npos ? std::string::npos : next - at);
}

class PlotScriptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = (std::filesystem::path(::testing::TempDir()) /
            ("plots-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name())))
               .string();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_F(PlotScriptTest, EveryOutcomeClassIsDrawnInBothLatencyPlots) {
  const std::vector<model::OpClass> classes = EveryClass();
  ASSERT_GE(classes.size(), 6u);
  PlotInput in;
  in.end_s = 10;
  double t = 0.5;
  for (model::OpClass c : classes) {
    OpRecord op;
    op.f = "put";
    op.invoke_s = t;
    op.latency_ms = c == model::OpClass::kIndeterminate ? 1000 : 3;
    op.op_class = c;
    in.ops.push_back(op);
    t += 1;
  }
  const std::string script = write_plot_script(dir_, in);
  const std::string raw = Section(script, "latency-raw.png");
  const std::string quantiles = Section(script, "latency-quantiles.png");
  ASSERT_FALSE(raw.empty());
  ASSERT_FALSE(quantiles.empty());
  for (model::OpClass c : classes) {
    const std::string data = "latency-put-" + std::string(model::op_class_name(c)) + ".dat";
    EXPECT_NE(raw.find(data), std::string::npos) << "latency-raw.png leaves out " << model::op_class_name(c);
    // ok is the quantile lines; every other class is drawn as points of its own.
    if (c != model::OpClass::kOk) {
      EXPECT_NE(quantiles.find(data), std::string::npos)
          << "latency-quantiles.png leaves out " << model::op_class_name(c);
    }
    EXPECT_TRUE(std::filesystem::exists(std::filesystem::path(dir_) / "plot-data" / data));
  }
  EXPECT_NE(raw.find("timed out"), std::string::npos);
}

TEST_F(PlotScriptTest, ARunWhoseRequestsAllTimedOutStillHasAQuantilePanel) {
  PlotInput in;
  in.end_s = 5;
  OpRecord op;
  op.f = "get";
  op.invoke_s = 1;
  op.latency_ms = 1000;
  op.op_class = model::OpClass::kIndeterminate;
  in.ops.push_back(op);
  const std::string quantiles = Section(write_plot_script(dir_, in), "latency-quantiles.png");
  EXPECT_NE(quantiles.find("latency-get-indeterminate.dat"), std::string::npos);
}

TEST_F(PlotScriptTest, FaultsAreShadedAndConvergenceHasItsOwnAxis) {
  PlotInput in;
  in.end_s = 20;
  OpRecord op;
  op.f = "get";
  op.invoke_s = 1;
  op.latency_ms = 2;
  op.op_class = model::OpClass::kOk;
  in.ops.push_back(op);
  in.faults.push_back({model::FaultKind::kPartition, 2, 4, "halves"});
  in.faults.push_back({model::FaultKind::kKill, 6, 8, "kill n2"});
  in.final_heal_s = 15;
  in.recovery_end_s = 15.2;
  in.rounds.push_back({15.0, 15.1, true, 3, 1});
  in.rounds.push_back({15.1, 15.2, true, 0, 1});
  const std::string script = write_plot_script(dir_, in);
  // Both faults are shaded, labelled, before the first plot and again after the convergence panel.
  EXPECT_NE(script.find("rect from 2, graph 0 to 4, graph 1"), std::string::npos);
  EXPECT_NE(script.find("rect from 6, graph 0 to 8, graph 1"), std::string::npos);
  EXPECT_NE(script.find("'kill n2'"), std::string::npos);
  const std::string siblings = Section(script, "siblings.png");
  const auto convergence = siblings.find("Convergence");
  ASSERT_NE(convergence, std::string::npos);
  const std::string panel = siblings.substr(convergence);
  // The recovery axis: from about the heal to the last round, not 0..20 s.
  EXPECT_NE(panel.find("set xrange [14.99:15.21]"), std::string::npos) << panel;
  // The top panel's axis holds the most siblings a get returned.
  EXPECT_NE(siblings.find("set yrange [0:2]"), std::string::npos) << siblings;
  const std::string network = Section(script, "network.png");
  EXPECT_NE(script.rfind("rect from 6, graph 0 to 8, graph 1"), script.find("rect from 6, graph 0 to 8, graph 1"));
  EXPECT_NE(network.find("plot 'plot-data/network.dat'"), std::string::npos);
}

TEST_F(PlotScriptTest, ConvergenceAxisEndsSoonAfterTheNodesAgree) {
  PlotInput in;
  in.end_s = 20;
  OpRecord op;
  op.f = "get";
  op.invoke_s = 1;
  op.latency_ms = 2;
  op.op_class = model::OpClass::kOk;
  op.siblings = 4;
  in.ops.push_back(op);
  in.final_heal_s = 15;
  in.recovery_end_s = 20;
  // Rounds every 0.1 s for 5 s; the nodes disagree in the first two only.
  for (int i = 0; i < 50; ++i) in.rounds.push_back({15 + i * 0.1, 15.05 + i * 0.1, true, i < 2 ? 3u : 0u, 1});
  const std::string siblings = Section(write_plot_script(dir_, in), "siblings.png");
  const std::string panel = siblings.substr(siblings.find("Convergence"));
  EXPECT_NE(panel.find("set xrange [14.96:15.84]"), std::string::npos) << panel;  // 15 .. 15 + 4 * 0.2
  EXPECT_NE(siblings.find("set yrange [0:5]"), std::string::npos) << siblings;    // 4 siblings, and room
}

// siblings.svg: one step line per key from the versions each answered read (get or dvv_get)
// returned, and the mean over the keys; the title says who keeps the clocks.
TEST_F(PlotScriptTest, SiblingsPerKeyOverTime) {
  PlotInput in;
  in.end_s = 10;
  in.clocks_label = "server clocks, 1 blind writer";
  auto read = [](const char* f, std::int64_t key, double t, int siblings) {
    OpRecord op;
    op.f = f;
    op.key = key;
    op.invoke_s = t;
    op.latency_ms = 500;
    op.op_class = model::OpClass::kOk;
    op.siblings = siblings;
    return op;
  };
  in.ops = {read("dvv_get", 3, 1, 2), read("get", 1, 2, 1), read("dvv_get", 3, 4, 1), read("dvv_update", 3, 5, -1)};
  const std::string script = write_plot_script(dir_, in);
  const std::string svg = Section(script, "siblings.svg");
  ASSERT_FALSE(svg.empty());
  EXPECT_NE(svg.find("per key (server clocks, 1 blind writer)"), std::string::npos) << svg;
  EXPECT_NE(svg.find("index 0 using 1:2 with steps lw 1 title 'key 1'"), std::string::npos) << svg;
  EXPECT_NE(svg.find("index 1 using 1:2 with steps lw 1 title 'key 3'"), std::string::npos) << svg;
  EXPECT_NE(svg.find("index 2 using 1:2 with steps lw 3 lc rgb 'black' title 'mean over keys'"), std::string::npos);
  std::ifstream dat(dir_ + "/plot-data/siblings-per-key.dat");
  const std::string data((std::istreambuf_iterator<char>(dat)), std::istreambuf_iterator<char>());
  EXPECT_EQ(data,
            "# one block per key (gnuplot index i: the i-th key below): answered_s versions_read\n"
            "# key 1\n0 0\n2.5 1\n10 1\n\n\n"
            "# key 3\n0 0\n1.5 2\n4.5 1\n10 1\n\n\n"
            "# mean over the keys above of the latest read of each: time mean\n0 0\n1.5 1\n2.5 1.5\n4.5 1\n10 1\n");
}

}  // namespace
}  // namespace vckv::reports
