#include "vckv/cluster/deadline_queue.hpp"

#include <algorithm>

namespace vckv {

DeadlineQueue::~DeadlineQueue() {
  if (timer_) scheduler_.cancel_timer(timer_);
}

void DeadlineQueue::add(std::uint64_t id, std::int64_t deadline_ms) {
  live_.insert(id);
  by_deadline_.emplace(deadline_ms, id);
  if (!expiring_) arm(deadline_ms);
}

void DeadlineQueue::arm(std::int64_t deadline_ms) {
  if (timer_ && armed_for_ <= deadline_ms) return;
  if (timer_) scheduler_.cancel_timer(timer_);
  armed_for_ = deadline_ms;
  timer_ = scheduler_.add_timer(deadline_ms - scheduler_.now_ms(),
                                [this](std::int64_t now) { return expire(now); });
}

std::int64_t DeadlineQueue::expire(std::int64_t now_ms) {
  expiring_ = true;
  while (!by_deadline_.empty() && by_deadline_.begin()->first <= now_ms) {
    const std::uint64_t id = by_deadline_.begin()->second;
    by_deadline_.erase(by_deadline_.begin());
    if (live_.erase(id) == 0) continue;  // removed before it was due
    on_expire_(id);  // may add ids: they land in the indexes
  }
  expiring_ = false;
  // Rows of removed ids are dropped here rather than searched for on every remove.
  while (!by_deadline_.empty() && !live_.count(by_deadline_.begin()->second)) {
    by_deadline_.erase(by_deadline_.begin());
  }
  if (by_deadline_.empty()) {
    timer_ = 0;
    return -1;
  }
  armed_for_ = by_deadline_.begin()->first;
  return std::max<std::int64_t>(0, armed_for_ - now_ms);
}

}  // namespace vckv
