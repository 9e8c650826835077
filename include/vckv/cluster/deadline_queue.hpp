// Many deadlines on one timer: each id added with a deadline is handed to on_expire once its
// deadline has passed, unless removed first. (The event loop's timers are meant for a handful;
// a node may have thousands of requests awaiting replies.)
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>

#include "vckv/runtime/scheduler.hpp"

namespace vckv {

class DeadlineQueue {
 public:
  // scheduler must outlive the queue. on_expire may add and remove ids.
  DeadlineQueue(Scheduler& scheduler, std::function<void(std::uint64_t id)> on_expire)
      : scheduler_(scheduler), on_expire_(std::move(on_expire)) {}
  ~DeadlineQueue();
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;

  void add(std::uint64_t id, std::int64_t deadline_ms);
  void remove(std::uint64_t id) { live_.erase(id); }
  std::size_t size() const { return live_.size(); }

 private:
  std::int64_t expire(std::int64_t now_ms);  // the timer: returns the delay to the next deadline
  void arm(std::int64_t deadline_ms);

  Scheduler& scheduler_;
  std::function<void(std::uint64_t)> on_expire_;
  std::multimap<std::int64_t, std::uint64_t> by_deadline_;  // rows of removed ids are dropped lazily
  std::set<std::uint64_t> live_;
  Scheduler::TimerId timer_ = 0;
  std::int64_t armed_for_ = 0;  // the deadline the timer is set for, when timer_ != 0
  bool expiring_ = false;       // inside expire(): it re-arms itself when it ends
};

}  // namespace vckv
