// Requests this node sent and awaits replies to, keyed by msg_id: the shape of the Maelstrom
// Go node's RPC handlers. Each request has a peer it was sent to, a deadline and a completion,
// called exactly once: with the reply, or with nothing when the deadline passes first.
// Quorum reads and writes, and replication's acknowledgements, all wait here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "vckv/runtime/scheduler.hpp"
#include "vckv/wire/codec.hpp"

namespace vckv {

class PendingRequests {
 public:
  // reply is the peer's reply, or nullptr when the deadline passed first.
  using Completion = std::function<void(const Incoming* reply)>;

  // Timeouts fire from a timer on scheduler (which must outlive this table).
  explicit PendingRequests(Scheduler& scheduler) : scheduler_(scheduler) {}
  ~PendingRequests();
  PendingRequests(const PendingRequests&) = delete;
  PendingRequests& operator=(const PendingRequests&) = delete;

  // Awaits the reply to the request msg_id sent to peer, until deadline_ms.
  void add(std::uint64_t msg_id, std::string peer, std::int64_t deadline_ms, Completion done);
  // Completes the request a reply answers (its in_reply_to, from the peer it was sent to).
  // Returns false for a reply nobody awaits: late, duplicated, or not ours.
  bool complete(const Incoming& reply);
  std::size_t size() const { return by_id_.size(); }

 private:
  struct Entry {
    std::string peer;
    std::int64_t deadline_ms;
    Completion done;
  };
  // Completes every request whose deadline has passed; returns the delay until the next.
  std::int64_t expire(std::int64_t now_ms);
  // Makes the timer fire by the earliest deadline.
  void arm(std::int64_t deadline_ms);

  Scheduler& scheduler_;
  std::map<std::uint64_t, Entry> by_id_;
  std::multimap<std::int64_t, std::uint64_t> by_deadline_;  // deadline -> msg_id
  Scheduler::TimerId timer_ = 0;
  std::int64_t armed_for_ = 0;  // the deadline the timer is set for, when timer_ != 0
  bool expiring_ = false;       // inside expire(): it re-arms itself when it ends
};

}  // namespace vckv
