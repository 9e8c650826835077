#include "vckv/runtime/manual_scheduler.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vckv {
namespace {

// Virtual time: timers run in order of due time, each with the clock at its due time, and the
// before-sleep hooks after each group of timers, as one turn of the event loop would.
TEST(ManualSchedulerTest, TimersRunInDueOrderOnVirtualTime) {
  ManualScheduler s(1000);
  std::vector<std::string> log;
  s.add_before_sleep([&] { log.push_back("hooks@" + std::to_string(s.now_ms())); });
  s.add_timer(30, [&](std::int64_t now) {
    log.push_back("b@" + std::to_string(now));
    return -1;
  });
  int a_runs = 0;
  s.add_timer(10, [&](std::int64_t now) {
    log.push_back("a@" + std::to_string(now));
    return ++a_runs < 3 ? 10 : -1;
  });
  s.advance_to(1025);
  EXPECT_EQ(s.now_ms(), 1025);
  EXPECT_EQ(log, (std::vector<std::string>{"a@1010", "hooks@1010", "a@1020", "hooks@1020"}));
  log.clear();
  s.advance_by(100);
  // Due together: the older timer first.
  EXPECT_EQ(log, (std::vector<std::string>{"b@1030", "a@1030", "hooks@1030"}));
  EXPECT_EQ(s.next_due(), std::nullopt);
}

TEST(ManualSchedulerTest, CallbacksMayAddAndCancelTimers) {
  ManualScheduler s;
  std::vector<std::string> log;
  Scheduler::TimerId later = s.add_timer(50, [&](std::int64_t) {
    log.push_back("later");
    return -1;
  });
  Scheduler::TimerId self = 0;
  self = s.add_timer(10, [&](std::int64_t now) {
    log.push_back("first");
    s.cancel_timer(later);
    s.cancel_timer(self);
    s.add_timer(5, [&](std::int64_t t) {
      log.push_back("added@" + std::to_string(t));
      return -1;
    });
    return now;  // asks to run again, but it cancelled itself
  });
  s.advance_to(100);
  EXPECT_EQ(log, (std::vector<std::string>{"first", "added@15"}));
  EXPECT_EQ(s.timer_count(), 0u);
}

}  // namespace
}  // namespace vckv
