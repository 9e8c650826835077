// Requests this node sent and awaits replies to, keyed by msg_id: the shape of the Maelstrom
// Go node's RPC handlers. Each request has a peer it was sent to, a deadline and a completion,
// called exactly once: with the reply, or with nothing when the deadline passes first (or when
// the caller gives up on it early). Quorum reads and writes, and replication's
// acknowledgements, all wait here.
//
// msg_ids start again at 0 in every process, so a reply is taken for the request it answers
// only when it also echoes this process's incarnation (a restarted node must not take an
// answer meant for its earlier process, nor a peer's answer to it) and, for requests that say
// so, is about what the request asked (docs/protocol.md §11). Anything else is left alone: the
// request still awaits its own reply.
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
  // Whether a reply (from the peer asked, echoing this incarnation) is about the request.
  using About = std::function<bool(const Incoming& reply)>;
  // What complete() made of a reply.
  enum class Match {
    kAnswered,          // it completed the request it answers
    kNotAwaited,        // no request of that msg_id awaits a reply from its sender
    kOtherIncarnation,  // it echoes another incarnation (or none): not this process's
    kNotAbout,          // it answers the msg_id but not what that request asked
  };

  // Timeouts fire from a timer on scheduler (which must outlive this table).
  explicit PendingRequests(Scheduler& scheduler)
      : deadlines_(scheduler, [this](std::uint64_t id) { fail(id); }) {}
  PendingRequests(const PendingRequests&) = delete;
  PendingRequests& operator=(const PendingRequests&) = delete;

  // The incarnation this process's requests carry (a reply must echo it).
  void set_incarnation(std::uint64_t incarnation) { incarnation_ = incarnation; }
  std::uint64_t incarnation() const { return incarnation_; }
  // Testing only: match replies by msg_id and sender alone (ReplicationOptions::
  // debug_accept_any_reply).
  void set_match_by_id_only(bool on) { match_by_id_only_ = on; }

  // Awaits the reply to the request msg_id sent to peer, until deadline_ms; about, when
  // given, also checks that a reply is about this request.
  void add(std::uint64_t msg_id, std::string peer, std::int64_t deadline_ms, Completion done,
           About about = nullptr);
  // Completes the request a reply answers: its in_reply_to, from the peer it was sent to,
  // with this process's incarnation, and about it. Anything else (late, duplicated, meant for
  // an earlier process, about something else) completes nothing.
  Match complete(const Incoming& reply);
  // Completes the request msg_id now as if its deadline had passed (false: none awaited).
  bool fail(std::uint64_t msg_id);
  std::size_t size() const { return by_id_.size(); }

 private:
  struct Entry {
    std::string peer;
    Completion done;
    About about;
  };
  std::uint64_t incarnation_ = 0;
  bool match_by_id_only_ = false;
  std::map<std::uint64_t, Entry> by_id_;
  DeadlineQueue deadlines_;
};

}  // namespace vckv
