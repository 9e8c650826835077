#include "vckv/runtime/manual_scheduler.hpp"

#include <algorithm>

namespace vckv {

Scheduler::TimerId ManualScheduler::add_timer(std::int64_t delay_ms, TimerFn fn) {
  const TimerId id = next_id_++;
  timers_.push_back(Timer{id, now_ + std::max<std::int64_t>(0, delay_ms), std::move(fn)});
  return id;
}

void ManualScheduler::cancel_timer(TimerId id) {
  if (id == running_) running_cancelled_ = true;
  timers_.erase(std::remove_if(timers_.begin(), timers_.end(),
                               [&](const Timer& t) { return t.id == id; }),
                timers_.end());
}

void ManualScheduler::before_sleep() {
  // Hooks may add hooks (rarely): index, not iterators.
  for (std::size_t i = 0; i < hooks_.size(); ++i) hooks_[i]();
}

std::optional<std::int64_t> ManualScheduler::next_due() const {
  std::optional<std::int64_t> due;
  for (const Timer& t : timers_) due = due ? std::min(*due, t.due_ms) : t.due_ms;
  return due;
}

void ManualScheduler::advance_to(std::int64_t t) {
  for (;;) {
    const std::optional<std::int64_t> due = next_due();
    if (!due || *due > t) break;
    now_ = std::max(now_, *due);
    // The timers due now, oldest first; each is taken out while it runs (it may cancel others
    // or add new ones), then put back if it asks to run again.
    std::vector<TimerId> ready;
    for (const Timer& timer : timers_) {
      if (timer.due_ms <= now_) ready.push_back(timer.id);
    }
    std::sort(ready.begin(), ready.end());
    for (TimerId id : ready) {
      auto it = std::find_if(timers_.begin(), timers_.end(),
                             [&](const Timer& timer) { return timer.id == id; });
      if (it == timers_.end()) continue;  // cancelled by an earlier one
      Timer timer = std::move(*it);
      timers_.erase(it);
      running_ = id;
      running_cancelled_ = false;
      const std::int64_t delay = timer.fn(now_);
      running_ = 0;
      if (delay >= 0 && !running_cancelled_) {
        timer.due_ms = now_ + std::max<std::int64_t>(1, delay);
        timers_.push_back(std::move(timer));
      }
    }
    before_sleep();
  }
  now_ = std::max(now_, t);
}

}  // namespace vckv
