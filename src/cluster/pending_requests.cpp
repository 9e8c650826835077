#include "vckv/cluster/pending_requests.hpp"

#include <utility>

namespace vckv {

void PendingRequests::add(std::uint64_t msg_id, std::string peer, std::int64_t deadline_ms,
                          Completion done) {
  by_id_[msg_id] = Entry{std::move(peer), std::move(done)};
  deadlines_.add(msg_id, deadline_ms);
}

bool PendingRequests::complete(const Incoming& reply) {
  if (!reply.in_reply_to) return false;
  const auto it = by_id_.find(*reply.in_reply_to);
  if (it == by_id_.end() || it->second.peer != reply.src) return false;
  Entry entry = std::move(it->second);
  by_id_.erase(it);
  deadlines_.remove(*reply.in_reply_to);
  entry.done(&reply);  // may add requests
  return true;
}

bool PendingRequests::fail(std::uint64_t msg_id) {
  const auto it = by_id_.find(msg_id);
  if (it == by_id_.end()) return false;
  Entry entry = std::move(it->second);
  by_id_.erase(it);
  deadlines_.remove(msg_id);
  entry.done(nullptr);
  return true;
}

}  // namespace vckv
