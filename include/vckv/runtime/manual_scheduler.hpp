// A Scheduler over virtual time, driven by hand: tests and the cluster simulator advance the
// clock and the due timers run, in order of due time, then the before-sleep hooks, as the
// event loop would run them. No I/O, no real time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "vckv/runtime/scheduler.hpp"

namespace vckv {

class ManualScheduler : public Scheduler {
 public:
  explicit ManualScheduler(std::int64_t start_ms = 0) : now_(start_ms) {}

  std::int64_t now_ms() const override { return now_; }
  TimerId add_timer(std::int64_t delay_ms, TimerFn fn) override;
  void cancel_timer(TimerId id) override;
  void add_before_sleep(std::function<void()> fn) override { hooks_.push_back(std::move(fn)); }

  // What the loop does after handling input: runs the before-sleep hooks.
  void before_sleep();
  // Moves the clock to t (never backwards). Each time timers fall due on the way, they run in
  // order of due time (then of creation), the clock standing at their due time, followed by
  // the before-sleep hooks.
  void advance_to(std::int64_t t);
  void advance_by(std::int64_t ms) { advance_to(now_ + ms); }
  // When the earliest timer is due, if there is one.
  std::optional<std::int64_t> next_due() const;
  std::size_t timer_count() const { return timers_.size(); }

 private:
  struct Timer {
    TimerId id;
    std::int64_t due_ms;
    TimerFn fn;
  };
  std::int64_t now_;
  TimerId next_id_ = 1;
  TimerId running_ = 0;  // the timer whose callback runs now (taken out of timers_ meanwhile)
  bool running_cancelled_ = false;
  std::vector<Timer> timers_;
  std::vector<std::function<void()>> hooks_;
};

}  // namespace vckv
