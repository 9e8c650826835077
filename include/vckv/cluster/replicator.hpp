// Replication to the other nodes of the cluster (docs/protocol.md §11): which peers there
// are, which keys each may lack, sending those keys' siblings in sync messages, resending what
// was not acknowledged (backing off while a peer is silent), and passing on versions merged
// from one peer to the others. It owns the table of requests awaiting replies and registers
// its own timers and its before-sleep flush with the scheduler. It sends through the Outbox,
// which numbers every message, and reads the store; it never changes the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "vckv/cluster/pending_requests.hpp"
#include "vckv/runtime/log.hpp"
#include "vckv/runtime/scheduler.hpp"
#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/codec.hpp"
#include "vckv/wire/outbox.hpp"

namespace vckv {

// The node-to-node messages replication sends (their rows in the message table use these).
inline constexpr std::string_view kSyncType = "sync";
inline constexpr std::string_view kSyncOkType = "sync_ok";

struct ReplicationOptions {
  bool enabled = true;                   // false only to show the cluster checker failing
  std::size_t sync_batch_keys = 256;     // most keys in one sync message
  std::int64_t sync_interval_ms = 100;   // resend a sync unacknowledged this long (backs off 8x)
  std::int64_t forward_interval_ms = 1000;  // pass versions merged from a peer on to the others
};

class Replicator {
 public:
  // outbox, scheduler, store and log must outlive the replicator.
  Replicator(ReplicationOptions options, Outbox& outbox, Scheduler& scheduler,
             const SiblingStore& store, Logger& log);
  Replicator(const Replicator&) = delete;
  Replicator& operator=(const Replicator&) = delete;
  ~Replicator();

  // At init: this node is self, and the other node_ids are its peers. Starts the timers.
  void start(const std::string& self, const std::vector<std::string>& node_ids);
  // A cluster member other than this node.
  bool is_peer(std::string_view id) const { return peers_.count(std::string(id)) > 0; }

  // The key changed through a client's write: every peer may lack it now (sent before the
  // loop next waits).
  void changed_by_client(const std::string& key);
  // The key changed by a merge of versions from peer `from`: the others may lack it (sent with
  // the next forwarding round).
  void changed_by_merge(const std::string& from, const std::string& key);
  // A reply from a peer: completes the request it answers. False when nobody awaits it.
  bool on_reply(const Incoming& reply) { return pending_.complete(reply); }

  // Sends every key a peer may lack to it, in sync messages of at most sync_batch_keys keys.
  // Runs before the loop waits; callable any time.
  void flush();
  // Requests sent and not yet answered (or timed out).
  std::size_t requests_in_flight() const { return pending_.size(); }

 private:
  struct Peer {
    std::unordered_set<std::string> dirty;    // keys the peer may lack
    std::unordered_set<std::string> forward;  // merged from another peer; sent lazily
    // How long a sync waits for its sync_ok before its keys are sent again. Doubles (up to
    // 8x sync_interval_ms) while the peer is silent, so a partition does not turn into a
    // resend storm; any acknowledgement resets it.
    std::int64_t resend_after_ms = 0;
  };

  void send_sync(const std::string& peer_id, Peer& peer, std::vector<std::string> keys);
  std::int64_t forward_merged(std::int64_t now_ms);

  ReplicationOptions options_;
  Outbox& outbox_;
  Scheduler& scheduler_;
  const SiblingStore& store_;
  Logger& log_;
  std::map<std::string, Peer> peers_;  // ordered: a run is reproducible whatever the hashing
  PendingRequests pending_;
  Scheduler::TimerId forward_timer_ = 0;
};

}  // namespace vckv
