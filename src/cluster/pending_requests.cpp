#include "vckv/cluster/pending_requests.hpp"

#include <utility>

namespace vckv {

void PendingRequests::add(std::uint64_t msg_id, std::string peer, std::int64_t deadline_ms,
                          Completion done, About about) {
  by_id_[msg_id] = Entry{std::move(peer), std::move(done), std::move(about)};
  deadlines_.add(msg_id, deadline_ms);
}

PendingRequests::Match PendingRequests::complete(const Incoming& reply) {
  if (!reply.in_reply_to) return Match::kNotAwaited;
  const auto it = by_id_.find(*reply.in_reply_to);
  if (it == by_id_.end() || it->second.peer != reply.src) return Match::kNotAwaited;
  if (!match_by_id_only_) {
    if (reply.incarnation != incarnation_) return Match::kOtherIncarnation;
    if (it->second.about && !it->second.about(reply)) return Match::kNotAbout;
  }
  Entry entry = std::move(it->second);
  by_id_.erase(it);
  deadlines_.remove(*reply.in_reply_to);
  entry.done(&reply);  // may add requests
  return Match::kAnswered;
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
