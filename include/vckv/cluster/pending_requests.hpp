// Requests this node sent and awaits replies to, keyed by msg_id: the shape of the Maelstrom
// Go node's RPC handlers. Each request has a peer it was sent to, a deadline and a completion,
// called exactly once: with the reply, or with nothing when the deadline passes first (or when
// the caller gives up on it early). Quorum reads and writes, and replication's
// acknowledgements, all wait here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "vckv/cluster/deadline_queue.hpp"
#include "vckv/runtime/scheduler.hpp"
#include "vckv/wire/codec.hpp"

namespace vckv {

class PendingRequests {
 public:
  // reply is the peer's reply, or nullptr when none came in time.
  using Completion = std::function<void(const Incoming* reply)>;

  // Timeouts fire from a timer on scheduler (which must outlive this table).
  explicit PendingRequests(Scheduler& scheduler)
      : deadlines_(scheduler, [this](std::uint64_t id) { fail(id); }) {}
  PendingRequests(const PendingRequests&) = delete;
  PendingRequests& operator=(const PendingRequests&) = delete;

  // Awaits the reply to the request msg_id sent to peer, until deadline_ms.
  void add(std::uint64_t msg_id, std::string peer, std::int64_t deadline_ms, Completion done);
  // Completes the request a reply answers (its in_reply_to, from the peer it was sent to).
  // Returns false for a reply nobody awaits: late, duplicated, or not ours.
  bool complete(const Incoming& reply);
  // Completes the request msg_id now as if its deadline had passed (false: none awaited).
  bool fail(std::uint64_t msg_id);
  std::size_t size() const { return by_id_.size(); }

 private:
  struct Entry {
    std::string peer;
    Completion done;
  };
  std::map<std::uint64_t, Entry> by_id_;
  DeadlineQueue deadlines_;
};

}  // namespace vckv
