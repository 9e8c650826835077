#include "harness/progress.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace vckv::harness {
namespace {

TEST(ProgressTest, ExampleLine) {
  ProgressCounts c;
  c.time_s = 12.04;
  c.phase = "workload";
  c.ops = 1203;
  c.ok = 1190;
  c.fail = 3;
  c.info = 10;
  c.writes_acknowledged = 600;
  c.fault = "partition halves: n1 n2 | n3";
  EXPECT_EQ(progress_text(c), "[   12.0 s] workload: 1203 ops (ok 1190, fail 3, info 10), 600 writes acknowledged; "
                              "now: partition halves: n1 n2 | n3");
  c.fault.clear();
  c.phase = "final reads";
  c.reads_done = 40;
  c.reads_total = 90;
  EXPECT_EQ(progress_text(c), "[   12.0 s] final reads: 40/90 reads; 1203 ops (ok 1190, fail 3, info 10), 600 writes "
                              "acknowledged");
}

TEST(ProgressTest, PrintsEveryIntervalWhenNotATerminal) {
  std::ostringstream out;
  Progress p(out, false, 5);
  ProgressCounts c;
  c.phase = "workload";
  for (double t : {0.0, 1.0, 4.9, 5.0, 7.0, 10.5}) {
    c.time_s = t;
    p.update(c);
  }
  p.line("nemesis: kill n2");
  EXPECT_EQ(out.str(),
            "[    0.0 s] workload: 0 ops (ok 0, fail 0, info 0), 0 writes acknowledged\n"
            "[    5.0 s] workload: 0 ops (ok 0, fail 0, info 0), 0 writes acknowledged\n"
            "[   10.5 s] workload: 0 ops (ok 0, fail 0, info 0), 0 writes acknowledged\n"
            "nemesis: kill n2\n");
}

TEST(ProgressTest, ALiveLineIsRewrittenAndClearedBeforeOtherLines) {
  std::ostringstream out;
  Progress p(out, true, 5);
  ProgressCounts c;
  c.phase = "workload";
  p.update(c);
  p.line("x");
  EXPECT_EQ(out.str(), "\r\033[K[    0.0 s] workload: 0 ops (ok 0, fail 0, info 0), 0 writes acknowledged\r\033[Kx\n");
}

}  // namespace
}  // namespace vckv::harness
