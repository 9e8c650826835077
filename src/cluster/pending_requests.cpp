#include "vckv/cluster/pending_requests.hpp"

#include <utility>
#include <vector>

namespace vckv {

PendingRequests::~PendingRequests() {
  if (timer_) scheduler_.cancel_timer(timer_);
}

void PendingRequests::add(std::uint64_t msg_id, std::string peer, std::int64_t deadline_ms,
                          Completion done) {
  by_id_[msg_id] = Entry{std::move(peer), deadline_ms, std::move(done)};
  by_deadline_.emplace(deadline_ms, msg_id);
  if (!expiring_) arm(deadline_ms);
}

void PendingRequests::arm(std::int64_t deadline_ms) {
  if (timer_ && armed_for_ <= deadline_ms) return;
  if (timer_) scheduler_.cancel_timer(timer_);
  armed_for_ = deadline_ms;
  timer_ = scheduler_.add_timer(deadline_ms - scheduler_.now_ms(),
                                [this](std::int64_t now) { return expire(now); });
}

bool PendingRequests::complete(const Incoming& reply) {
  if (!reply.in_reply_to) return false;
  const auto it = by_id_.find(*reply.in_reply_to);
  if (it == by_id_.end() || it->second.peer != reply.src) return false;
  Entry entry = std::move(it->second);
  by_id_.erase(it);
  // The deadline index keeps a stale row; expire() skips rows whose request is gone.
  entry.done(&reply);
  return true;
}

std::int64_t PendingRequests::expire(std::int64_t now_ms) {
  expiring_ = true;
  while (!by_deadline_.empty() && by_deadline_.begin()->first <= now_ms) {
    const std::uint64_t msg_id = by_deadline_.begin()->second;
    by_deadline_.erase(by_deadline_.begin());
    const auto it = by_id_.find(msg_id);
    if (it == by_id_.end()) continue;  // answered already
    Entry entry = std::move(it->second);
    by_id_.erase(it);
    entry.done(nullptr);  // may add requests: they land in the indexes, after now_ms
  }
  expiring_ = false;
  // Rows of answered requests are dropped here rather than searched for on every reply.
  while (!by_deadline_.empty() && !by_id_.count(by_deadline_.begin()->second)) {
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
