// Replication to the other nodes of the cluster (docs/protocol.md §11, §12): which peers there
// are, which keys each may lack, sending those keys' siblings in sync messages, resending what
// was not acknowledged, write quorums (waiting until enough peers hold a version), read
// quorums (asking peers for a key), and the anti-entropy schedule. It owns the table of
// requests awaiting replies and registers its own timers and its before-sleep flush with the
// scheduler. It sends through the Outbox, which numbers every message, and reads the store;
// it never changes the store (the node merges what peers send).
//
// Traffic stays bounded whatever the peers do:
// - each peer has a window of unacknowledged syncs (it grows while acknowledgements come and
//   falls to one probe on a timeout), so what a silent peer is sent does not grow with the
//   keys it lacks: those wait in a set (at most one entry per key) until it answers;
// - the wait before a resend follows the peer's measured round trip (cluster/round_trip.hpp);
// - a sync never exceeds max_message_bytes (a key's siblings are split across messages if
//   need be), and nothing is sent while more than max_output_backlog bytes of output wait.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vckv/cluster/anti_entropy.hpp"
#include "vckv/cluster/deadline_queue.hpp"
#include "vckv/cluster/pending_requests.hpp"
#include "vckv/cluster/round_trip.hpp"
#include "vckv/ring/ring.hpp"
#include "vckv/runtime/log.hpp"
#include "vckv/runtime/scheduler.hpp"
#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/codec.hpp"
#include "vckv/wire/outbox.hpp"

namespace vckv {

// The node-to-node messages replication sends (their rows in the message table use these).
inline constexpr std::string_view kSyncType = "sync";
inline constexpr std::string_view kSyncOkType = "sync_ok";
inline constexpr std::string_view kFetchType = "fetch";
inline constexpr std::string_view kFetchOkType = "fetch_ok";
// A hint (§14): versions for a fallback to hold for a replica; answered like a sync.
inline constexpr std::string_view kHintType = "hint";
inline constexpr std::string_view kHintOkType = "hint_ok";

// What a sync's acknowledgement restates of the sync it acknowledges (docs/protocol.md §11):
// how many versions it carried, and a digest of their keys, clocks (and dots) in order. The sender
// keeps both for each sync and takes an acknowledgement only if they match.
class SyncDigest {
 public:
  // A version with a dot (§17) adds its node index and counter after the clock.
  void add(std::string_view key_json, ClockSlots clock, Dot dot = {});
  std::uint64_t versions() const { return versions_; }
  std::uint64_t value() const { return value_; }

 private:
  std::uint64_t versions_ = 0;
  std::uint64_t value_ = 0;
};

struct ReplicationOptions {
  bool enabled = true;                    // false only to show the cluster checker failing
  std::size_t sync_batch_keys = 256;      // most keys in one sync message
  std::int64_t sync_interval_ms = 100;    // the least a sync waits for its acknowledgement
  std::int64_t request_timeout_ms = 1000;  // how long quorum writes and reads wait
  std::int64_t anti_entropy_interval_ms = 1000;  // an exchange with the next peer this often
  std::size_t max_message_bytes = 16u << 20;     // the peers' line limit
  std::size_t max_output_backlog = 8u << 20;     // no replication while this much output waits
  // §14 with a ring: a replica silent for half of request_timeout_ms is stood in for by a
  // fallback holding a hint, which counts toward W. False (--sloppy-quorum off): only the key's
  // own replicas count toward W, and no hint is ever asked for.
  bool sloppy_quorum = true;
  // Delta syncs: a sync carries only the versions of a key the peer is not known to hold
  // (known from its acknowledgements of earlier syncs; forgotten when anti-entropy or a read
  // finds the peer behind, or the peer restarts). False (--delta-syncs off): every sync
  // carries the key's whole sibling set.
  bool delta_syncs = true;
  // Testing only: a reply is matched to a request by msg_id and sender alone, whatever
  // incarnation it echoes and whatever it is about (a broken matcher the simulator must catch).
  bool debug_accept_any_reply = false;
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
  // The store must keep a hash tree. Every request to a peer carries incarnation, which tells
  // this process from the node's earlier and later ones; a reply must echo it.
  // With a ring (§14; it must outlive the replicator), keys go only to the peers that
  // replicate them too, anti-entropy compares with each such peer a tree of the keys both
  // replicate (peers that share no key are never sent anything), quorums count the key's
  // replicas, and a replica that has not acknowledged a quorum write within half the request
  // timeout is stood in for by the key's next fallback, which is sent a hint. The store's
  // change observer must then call key_changed.
  void start(const std::string& self, const std::vector<std::string>& node_ids,
             std::uint64_t incarnation = 0, const Ring* ring = nullptr);
  // Whether peer holds key as a replica (every peer does without a ring).
  bool replicates(const std::string& peer, std::string_view key) const;
  // The store changed key (its key hash went from old_hash to new_hash): with a ring, the
  // trees of the peers that replicate it follow.
  void key_changed(std::string_view key, std::uint64_t old_hash, std::uint64_t new_hash);
  // A request of the node's own to peer (a forwarded client request, a hint delivered): m
  // carries this process's incarnation (incarnation()); done gets the reply or, after
  // deadline_ms, nullptr; about as in PendingRequests. Returns its msg_id.
  std::uint64_t send_request(const std::string& peer, MessageBuilder& m, std::int64_t deadline_ms,
                             PendingRequests::Completion done,
                             PendingRequests::About about = nullptr);
  // Completes a request sent with send_request now, as if its deadline had passed.
  void give_up(std::uint64_t msg_id) { pending_.fail(msg_id); }
  std::uint64_t incarnation() const { return incarnation_; }
  bool is_peer(std::string_view id) const { return peers_.count(std::string(id)) > 0; }
  // f(peer, tree) for each peer, in id order, with the hash tree anti-entropy compares with it:
  // the whole store's, or with a ring the tree of the keys both replicate (peers sharing no
  // key are skipped).
  template <typename F>
  void for_each_tree(F&& f) const {
    for (const auto& [id, peer] : peers_) {
      if (const HashTree* tree = tree_of(id)) f(id, *tree);
    }
  }

  // Whether a version of key can travel between nodes: whether the longest node-to-node line
  // that carries it alone (a sync, or a fetch_ok answering a read) fits the peers' line limit,
  // max_message_bytes, with the longest node id and 20-digit numbers around it. A version that
  // does not fit could never reach a peer: the node refuses such a client write (§7, §11).
  bool carriable(std::string_view key, VersionView version) const;
  // The bytes of the envelope around key, value and clock in that longest line: key, value
  // and clock together may take max_message_bytes minus this (known from start on).
  std::size_t envelope_bytes() const { return envelope_bytes_; }

  // A fetch_ok's fields after in_reply_to (the node's answer to a fetch).
  template <typename Versions>
  static void fetch_ok_fields(MessageBuilder& m, std::uint64_t incarnation, std::string_view key,
                              const Versions& versions) {
    m.field_uint("incarnation", incarnation).field_json("key", key).field_versions("values", versions);
  }
  std::size_t peer_count() const { return peers_.size(); }

  // A message from a peer arrived: it is reachable. If it had gone silent, what waits for it
  // is sent again now, and an anti-entropy exchange with it starts.
  void heard_from(const std::string& peer);
  // The key changed through a client's write: every peer may lack it now (sent before the
  // loop next waits).
  void changed_by_client(const std::string& key);
  // The key changed through versions merged from a peer (a sync, a fetch's answer): nothing is
  // sent for it, but a key left with one version drops what the peers were known to hold of it.
  void merged_from_peer(const std::string& key);
  // Delta syncs' memory: (peer, key) pairs with versions the peer is known to hold.
  std::size_t keys_with_known_holdings() const;
  // The peer lacks the key's current versions (anti-entropy, read repair): send them.
  void push(const std::string& peer, const std::string& key);
  // A reply from a peer: completes the request it answers. False when it completes nothing:
  // nobody awaits it (late, duplicated), it answers another incarnation, or it is not about
  // what the request asked; it is then counted (stats) and, at debug level, logged.
  bool on_reply(const Incoming& reply);

  // Write quorum: calls done(true, holders) once `needed` peers have acknowledged a sync that
  // carried `version` of key (or a version whose clock dominates it), or done(false, holders)
  // after request_timeout_ms. needed = 0 completes at once.
  using ReplicasDone = std::function<void(bool reached, std::size_t holders)>;
  void await_replicas(const std::string& key, const Version& version, std::size_t needed,
                      ReplicasDone done);

  // Read quorum: asks every peer for the key's versions. Each answer goes to on_answer (also
  // answers after the quorum); done(true, answers) follows the `needed`th answer, done(false,
  // answers) the deadline when fewer came. After done, every peer whose answer differs from
  // what this node holds then is sent the key (read repair), and so is each later answerer.
  using AnswerFn = std::function<void(const std::string& peer, const std::vector<Version>& versions)>;
  using AnswersDone = std::function<void(bool reached, std::size_t answers)>;
  void read_from_peers(const std::string& key, std::size_t needed, const CodecLimits& limits,
                       AnswerFn on_answer, AnswersDone done);

  // Anti-entropy messages from a peer.
  void on_tree(const std::string& from, const TreeRequest& r);
  void on_tree_keys(const std::string& from, const TreeKeysRequest& r);

  // Sends what the peers' windows allow of the keys they may lack. Runs before the loop waits;
  // callable any time.
  void flush();

  // Requests sent and not yet answered (or timed out): syncs, fetches.
  std::size_t requests_in_flight() const { return pending_.size(); }
  struct Stats {
    std::uint64_t syncs_sent = 0;
    std::uint64_t syncs_resent_keys = 0;  // keys sent again after a sync went unacknowledged
    std::uint64_t sync_bytes = 0;
    std::uint64_t replies_ignored = 0;  // replies that completed no request (on_reply)
    // Of those, replies to a request of this msg_id from this peer that is awaited, but which
    // answer another process of this node or another request: taken by a matcher of msg_id
    // and sender alone.
    std::uint64_t replies_mismatched = 0;
    std::uint64_t hints_sent = 0;       // stand-ins asked to hold a write (§14)
    std::uint64_t hints_taken = 0;      // ... and acknowledged
    std::uint64_t versions_skipped = 0;  // left out of syncs: the peer was known to hold them
  };
  const Stats& stats() const { return stats_; }
  const AntiEntropy::Stats& anti_entropy_stats() const { return anti_entropy_->stats(); }

 private:
  struct Peer {
    explicit Peer(const ReplicationOptions& o);
    std::set<std::string> urgent;  // keys a quorum write waits on: sent first
    std::set<std::string> dirty;   // other keys the peer may lack
    // A key whose siblings did not all fit in the last sync: the rest go next.
    std::string partial_key;
    std::size_t partial_from = 0;
    RoundTrip round_trip;
    std::size_t window = 2;     // syncs allowed unacknowledged at once
    std::set<std::uint64_t> in_flight;  // msg_ids of unacknowledged syncs
    std::unordered_map<std::string, std::size_t> keys_in_flight;  // key -> syncs carrying it
    bool silent = false;        // its last sync timed out, and it has not been heard since
    std::int64_t silent_since = 0;
    bool exchanged = false;  // an anti-entropy exchange with it was started since start
    std::int64_t exchanged_at = 0;  // ... the last one then
    // When it was last seen to agree with this replica, and this replica's root then.
    std::uint64_t agreed_root = 0;
    std::int64_t agreed_at = 0;
    // Delta syncs: for keys that had siblings when the peer acknowledged them, the
    // fingerprints (version_fingerprint) of the versions it is known to hold. Only keys with
    // two or more versions are kept: a key with one version is replaced whole by its next write.
    std::unordered_map<std::string, std::vector<std::uint64_t>> holds;
  };
  // What one sync carried of each key: the fingerprints its acknowledgement makes known.
  using SentVersions = std::vector<std::pair<std::string, std::vector<std::uint64_t>>>;
  struct Waiter {
    std::string key;
    Version version;
    std::size_t needed = 0;
    std::set<std::string> holders;
    ReplicasDone done;
    // With a ring: the fallbacks asked to stand in (one per replica missing at half the
    // timeout, the next on a refusal), and what each stands in for.
    std::map<std::string, std::string> stand_ins;  // fallback -> replica
    std::int64_t deadline = 0;
  };

  bool has_waiters(const std::string& key) const { return waiters_by_key_.count(key) > 0; }
  void enqueue(Peer& peer, const std::string& key);
  // Whether the keys queued for peer wait for an acknowledgement before they are sent.
  bool holding_back(const Peer& peer) const;
  // One sync to peer from what it may lack; false when there was nothing to send.
  bool send_sync(const std::string& peer_id, Peer& peer);
  void sync_done(const std::string& peer_id, std::uint64_t msg_id, std::int64_t sent_at,
                 const std::vector<std::string>& keys, const std::vector<std::uint64_t>& waiters,
                 const SentVersions& sent, const Incoming* reply);
  // The peer acknowledged these versions: remember them for the keys that have siblings.
  void learn_holds(Peer& peer, const SentVersions& sent);
  void forget_holds_if_settled(const std::string& key);
  // Whether the peer is known to hold the version of key (fingerprint fp).
  static bool known_to_hold(const Peer& peer, const std::string& key, std::uint64_t fp);
  void finish_waiter(std::uint64_t id, bool reached);
  // Half the timeout has passed: a stand-in for each replica that has not acknowledged.
  void stand_in(std::uint64_t id);
  // Asks the next fallback not yet used by the waiter to hold the key for replica.
  void ask_stand_in(std::uint64_t id, const std::string& replica);
  const HashTree* tree_of(const std::string& peer) const;
  std::int64_t anti_entropy_round(std::int64_t now_ms);
  void agreed(const std::string& peer_id);

  ReplicationOptions options_;
  Outbox& outbox_;
  Scheduler& scheduler_;
  const SiblingStore& store_;
  Logger& log_;
  std::map<std::string, Peer> peers_;  // ordered: a run is reproducible whatever the hashing
  PendingRequests pending_;
  std::map<std::uint64_t, Waiter> waiters_;
  // Per key, its waiters' ids in the order they came (a set: one finishing leaves in
  // logarithmic time, however many wait on a hot key).
  std::unordered_map<std::string, std::set<std::uint64_t>> waiters_by_key_;
  DeadlineQueue waiter_deadlines_;
  DeadlineQueue stand_in_deadlines_;
  const Ring* ring_ = nullptr;
  Ring::NodeIndex self_index_ = 0;
  std::map<std::string, HashTree> shared_trees_;  // with a ring: per peer, the keys both hold
  std::uint64_t next_waiter_id_ = 1;
  std::unique_ptr<AntiEntropy> anti_entropy_;
  std::map<std::string, Peer>::iterator next_exchange_;  // round robin of anti-entropy
  Scheduler::TimerId anti_entropy_timer_ = 0;
  std::uint64_t incarnation_ = 0;
  std::size_t envelope_bytes_ = 0;  // see envelope_bytes()
  bool reviving_ = false;  // inside heard_from, giving up on probes sent into a silence
  Stats stats_;
};

}  // namespace vckv
