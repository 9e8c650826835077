#include "vckv/cluster/replicator.hpp"

#include <algorithm>

#include "vckv/json/value.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {

namespace {

// The wait before the first round trip is measured (RFC 6298), and the longest a silent peer
// waits between probes: anti-entropy and any message from it bring it back sooner.
constexpr std::int64_t kInitialRtoMs = 1000;
constexpr std::int64_t kMaxRtoMs = 10000;
constexpr std::size_t kMaxWindow = 16;
// An exchange with a peer that nothing calls for still happens this many intervals apart
// (the second while replication to it is busy).
constexpr std::int64_t kHeartbeatRounds = 30;
constexpr std::int64_t kForcedHeartbeatRounds = 120;

// Whether a version sent covers what a waiter waits for: the same version, or a newer one.
bool covers_awaited(VersionView sent, const Version& awaited) {
  return supersedes(sent, view_of(awaited)) || same_version(sent, view_of(awaited));
}

// `, "dot": [I, N]` at most (§17).
constexpr std::size_t kDotBytes = 9 + uint_array_max_size(2);

// Bytes a version adds to a sync, at most: {"key": K, "value": V, "clock": C} and ", " (a
// tombstone: {"key": K, "clock": C, "deleted": true}, 8 bytes more than an empty value's).
std::size_t entry_bytes(std::string_view key, VersionView v) {
  return 32 + (v.tombstone() ? 8 : 0) + key.size() + v.value.size() +
         clock_json_max_size(v.slots.size()) + (v.dot.empty() ? 0 : kDotBytes);
}

// What tells a version from the key's other versions (delta syncs): its clock (trailing zero
// slots ignored, as they are in comparisons), its dot, and its value (tombstone included). Two
// versions with one fingerprint are taken as the same; a collision (about 2^-64 per pair) can
// only keep a version from one sync, which anti-entropy then finds and sends.
std::uint64_t version_fingerprint(VersionView v) {
  std::uint64_t h = mix64(stable_hash(v.value, 11) ^ (v.tombstone() ? 0x9e3779b97f4a7c15ULL : 0));
  for (std::size_t i = 0; i < v.slots.size(); ++i) {
    if (const std::uint64_t c = v.slots[i]; c != 0) h = mix64(mix64(h ^ i) ^ c);
  }
  if (!v.dot.empty()) h = mix64(mix64(h ^ (std::uint64_t{v.dot.node} + 1)) ^ v.dot.counter);
  return h;
}

// A reply body's non-negative integer field, or nullopt.
std::optional<std::uint64_t> uint_field(const JValue& body, std::string_view name) {
  const JValue* v = body.find(name);
  if (!v || v->kind != JValue::Kind::Int) return std::nullopt;
  return clock_entry(v->text);
}

}  // namespace

void SyncDigest::add(std::string_view key_json, ClockSlots clock, Dot dot) {
  ++versions_;
  value_ = mix64(value_ ^ stable_hash(key_json, 5));
  for (std::size_t i = 0; i < clock.size(); ++i) value_ = mix64(value_ ^ clock[i]);
  value_ = mix64(value_ ^ clock.size());
  if (!dot.empty()) value_ = mix64(mix64(value_ ^ dot.node) ^ dot.counter);
}

Replicator::Peer::Peer(const ReplicationOptions& o)
    : round_trip(o.sync_interval_ms, std::max(kInitialRtoMs, o.sync_interval_ms),
                 std::max(kMaxRtoMs, o.sync_interval_ms)) {}

Replicator::Replicator(ReplicationOptions options, Outbox& outbox, Scheduler& scheduler,
                       const SiblingStore& store, Logger& log)
    : options_(options),
      outbox_(outbox),
      scheduler_(scheduler),
      store_(store),
      log_(log),
      pending_(scheduler),
      waiter_deadlines_(scheduler, [this](std::uint64_t id) { finish_waiter(id, false); }),
      stand_in_deadlines_(scheduler, [this](std::uint64_t id) { stand_in(id); }) {
  anti_entropy_ = std::make_unique<AntiEntropy>(
      outbox_, store_,
      AntiEntropy::Links{
          [this](const std::string& peer, const std::string& key) { push(peer, key); },
          [this](const std::string& peer, const std::string& key) {
            const auto it = peers_.find(peer);
            if (it == peers_.end()) return false;
            const Peer& p = it->second;
            return p.dirty.count(key) || p.urgent.count(key) || p.keys_in_flight.count(key);
          },
          [this](const std::string& peer) { return tree_of(peer); },
          [this](const std::string& peer, std::string_view key) {
            return replicates(peer, key);
          }},
      options_.max_message_bytes, log_);
  next_exchange_ = peers_.end();
}

Replicator::~Replicator() {
  if (anti_entropy_timer_) scheduler_.cancel_timer(anti_entropy_timer_);
}

void Replicator::start(const std::string& self, const std::vector<std::string>& node_ids,
                       std::uint64_t incarnation, const Ring* ring) {
  incarnation_ = incarnation;
  ring_ = ring && !ring->every_node() ? ring : nullptr;
  if (ring_) self_index_ = ring_->find_node(self);
  pending_.set_incarnation(incarnation);
  pending_.set_match_by_id_only(options_.debug_accept_any_reply);
  // The envelope of the longest lines one version travels in, measured by writing them around
  // an empty key and value and the clock [] (2 bytes): the longest node id at both ends, and
  // the largest numbers (msg_id, in_reply_to, incarnation).
  std::string longest;
  std::size_t longest_json = 0;
  for (const std::string& id : node_ids) {
    std::string quoted;
    append_json_string(quoted, id);
    if (quoted.size() > longest_json) {
      longest_json = quoted.size();
      longest = id;
    }
  }
  constexpr std::uint64_t kLargest = UINT64_MAX;
  // (A one-byte value, taken off below: an empty one would be a tombstone, §16.)
  const VersionView empty{std::string_view("0"), ClockSlots()};
  std::string scratch;
  std::size_t longest_line = 0;
  {
    MessageBuilder m(scratch, longest, longest, kSyncType, std::nullopt);
    m.field_uint("incarnation", kLargest).begin_keyed_versions("versions");
    m.add_keyed_version(std::string_view(), empty).end_keyed_versions();
    m.finish(kLargest);
  }
  longest_line = std::max(longest_line, scratch.size() - 1);  // (the newline is no part of it)
  scratch.clear();
  {
    MessageBuilder m(scratch, longest, longest, kFetchOkType, std::to_string(kLargest));
    fetch_ok_fields(m, kLargest, std::string_view(), std::vector<VersionView>{empty});
    m.finish(kLargest);
  }
  longest_line = std::max(longest_line, scratch.size() - 1);
  envelope_bytes_ = longest_line - 3;
  if (!options_.enabled) return;
  for (const std::string& id : node_ids) {
    if (id == self) continue;
    // With a ring, a peer that shares no key with this node is never sent anything.
    if (ring_ && ring_->shared_arcs(self_index_, ring_->find_node(id)).empty()) continue;
    peers_.emplace(id, Peer(options_));
    if (ring_) shared_trees_.emplace(id, HashTree());
  }
  if (peers_.empty()) return;
  // Each node starts its exchanges with the peer after it in node_ids order, so that not all
  // of a cluster's first exchanges go to one node.
  next_exchange_ = peers_.upper_bound(self);
  scheduler_.add_before_sleep([this] { flush(); });
  // The first round comes a fraction of an interval later the further the node is in
  // node_ids, so that nodes started together do not all start exchanges at once.
  const auto position = static_cast<std::int64_t>(
      std::find(node_ids.begin(), node_ids.end(), self) - node_ids.begin());
  const std::int64_t first = options_.anti_entropy_interval_ms +
                             options_.anti_entropy_interval_ms * position /
                                 static_cast<std::int64_t>(node_ids.size());
  anti_entropy_timer_ = scheduler_.add_timer(first, [this](std::int64_t now) {
    return anti_entropy_round(now);
  });
}

std::int64_t Replicator::anti_entropy_round(std::int64_t now_ms) {
  if (next_exchange_ == peers_.end()) next_exchange_ = peers_.begin();
  const std::string& peer_id = next_exchange_->first;
  Peer& peer = next_exchange_->second;
  ++next_exchange_;
  // A peer that is not answering gets no exchange: it resumes when the peer is heard again.
  // Otherwise an exchange is due when something may differ that replication will not repair:
  // - no exchange with the peer yet since this node started (a restarted node's first
  //   exchange is enough: its empty tree has the peer send it every key, through syncs);
  // - this replica changed since the peer last agreed, and replication to the peer is idle
  //   (while syncs are queued or unacknowledged, the trees differ by what is in flight, and an
  //   exchange would only find the keys replication is delivering);
  // - a heartbeat, in case an agreement's messages were lost: every 30 intervals when
  //   replication is idle, every 120 regardless.
  const std::uint64_t root = tree_of(peer_id)->root();
  const bool idle = peer.in_flight.empty() && peer.urgent.empty() && peer.dirty.empty() &&
                    peer.partial_key.empty();
  // (Heartbeats count from the last exchange, agreed or not: a peer that never agrees while
  // writes flow is not compared every round.)
  const std::int64_t since = now_ms - std::max(peer.agreed_at, peer.exchanged_at);
  const std::int64_t interval = options_.anti_entropy_interval_ms;
  const bool due = !peer.exchanged || (idle && peer.agreed_root != root) ||
                   (idle && since >= kHeartbeatRounds * interval) ||
                   since >= kForcedHeartbeatRounds * interval;
  // A silent peer is sent the root of this replica's tree every round: one small message,
  // answered once the peer is reachable again (and any message from it ends the silence at
  // once, where a resent sync waits out a timeout of up to 10 s).
  for (auto& [id, p] : peers_) {
    if (p.silent && now_ms - p.silent_since >= interval) anti_entropy_->start(id);
  }
  if (!peer.silent && due) {
    if (log_.enabled(LogLevel::kDebug)) {
      log_.debug("anti-entropy with " + peer_id + " at " + std::to_string(now_ms) + " ms: " +
                 (!peer.exchanged                 ? "the first exchange since start"
                  : idle && peer.agreed_root != root ? "changed here since it last agreed"
                                                     : "heartbeat"));
    }
    peer.exchanged = true;
    peer.exchanged_at = now_ms;
    anti_entropy_->start(peer_id);
  }
  return options_.anti_entropy_interval_ms;
}

void Replicator::agreed(const std::string& peer_id) {
  const auto it = peers_.find(peer_id);
  if (it == peers_.end() || !tree_of(peer_id)) return;
  it->second.agreed_root = tree_of(peer_id)->root();
  it->second.agreed_at = scheduler_.now_ms();
}

void Replicator::heard_from(const std::string& peer_id) {
  const auto it = peers_.find(peer_id);
  if (it == peers_.end() || !it->second.silent) return;
  Peer& peer = it->second;
  peer.silent = false;
  peer.window = 2;
  // A silence shorter than an anti-entropy interval was a late acknowledgement, or a peer
  // briefly busy: its probe is still on the way. After a longer one (a partition, a pause, a
  // restart) the probes sent into it are given up (their keys go back to the queue and leave
  // before the loop waits) rather than waiting out their timeouts. No exchange of trees starts
  // here: what the peer lacks of this node's writes is in its queue, and once replication to it
  // is idle the regular rounds compare trees for the rest (a restarted peer starts its own).
  if (scheduler_.now_ms() - peer.silent_since < options_.anti_entropy_interval_ms) return;
  if (log_.enabled(LogLevel::kInfo)) log_.info("peer " + peer_id + " is reachable again");
  const std::set<std::uint64_t> stale = peer.in_flight;
  reviving_ = true;
  // (sync_done, seeing reviving_, requeues their keys without backing off or going silent.)
  for (std::uint64_t msg_id : stale) pending_.fail(msg_id);
  reviving_ = false;
}

bool Replicator::carriable(std::string_view key, VersionView version) const {
  const std::size_t limit = options_.max_message_bytes;
  // (A tombstone's {"clock": C, "deleted": true} is 6 bytes longer than an empty value's.)
  const std::size_t fixed = envelope_bytes_ + key.size() + version.value.size() +
                            (version.tombstone() ? 6 : 0) + (version.dot.empty() ? 0 : kDotBytes);
  if (fixed + clock_json_max_size(version.slots.size()) <= limit) return true;  // the usual case
  if (fixed > limit) return false;
  std::string clock(clock_json_max_size(version.slots.size()), '\0');
  const std::size_t clock_bytes =
      static_cast<std::size_t>(write_clock_json(clock.data(), version.slots) - clock.data());
  return fixed + clock_bytes <= limit;
}

bool Replicator::on_reply(const Incoming& reply) {
  using Match = PendingRequests::Match;
  const Match match = pending_.complete(reply);
  if (match == Match::kAnswered) return true;
  ++stats_.replies_ignored;
  if (match != Match::kNotAwaited) ++stats_.replies_mismatched;
  if (log_.enabled(LogLevel::kDebug)) {
    std::string why;
    if (match == Match::kNotAwaited) {
      why = "nothing awaits it (late, duplicated, or not this node's)";
    } else if (match == Match::kOtherIncarnation) {
      why = reply.incarnation ? "it answers incarnation " + std::to_string(*reply.incarnation) +
                                    ", not this process's (" + std::to_string(incarnation_) + ")"
                              : "it names no incarnation";
    } else {
      why = "it is not about what the request asked";
    }
    log_.debug(reply.type + " from " + reply.src + " in reply to " +
               (reply.in_reply_to ? std::to_string(*reply.in_reply_to) : std::string("?")) +
               " ignored: " + why);
  }
  return false;
}

void Replicator::on_tree(const std::string& from, const TreeRequest& r) {
  // A peer's root equal to this replica's: they agree, and this one need not start an
  // exchange with it until something changes here.
  if (anti_entropy_->on_tree(from, r)) agreed(from);
}

void Replicator::on_tree_keys(const std::string& from, const TreeKeysRequest& r) {
  if (anti_entropy_->on_tree_keys(from, r)) agreed(from);
}

void Replicator::enqueue(Peer& peer, const std::string& key) {
  if (has_waiters(key)) {
    peer.urgent.insert(key);
  } else if (!peer.urgent.count(key)) {
    peer.dirty.insert(key);
  }
}

void Replicator::forget_holds_if_settled(const std::string& key) {
  // A key left with one version (or none) needs no memory of what the peers hold of it. The
  // store is asked only when some peer holds such memory: a lone node, and a cluster without
  // siblings, pay nothing here.
  bool asked = false;
  for (auto& [id, peer] : peers_) {
    if (peer.holds.empty()) continue;
    if (!asked) {
      if (store_.find(key).size() >= 2) return;
      asked = true;
    }
    peer.holds.erase(key);
  }
}

void Replicator::changed_by_client(const std::string& key) {
  forget_holds_if_settled(key);
  for (auto& [id, peer] : peers_) {
    if (replicates(id, key)) enqueue(peer, key);
  }
}

void Replicator::merged_from_peer(const std::string& key) { forget_holds_if_settled(key); }

std::size_t Replicator::keys_with_known_holdings() const {
  std::size_t n = 0;
  for (const auto& [id, peer] : peers_) n += peer.holds.size();
  return n;
}

void Replicator::push(const std::string& peer_id, const std::string& key) {
  const auto it = peers_.find(peer_id);
  if (it == peers_.end() || !replicates(peer_id, key)) return;
  // The peer was found to lack something of the key (anti-entropy, a read): whatever it was
  // known to hold, it gets the key's whole sibling set.
  it->second.holds.erase(key);
  enqueue(it->second, key);
}

bool Replicator::known_to_hold(const Peer& peer, const std::string& key, std::uint64_t fp) {
  const auto it = peer.holds.find(key);
  return it != peer.holds.end() &&
         std::find(it->second.begin(), it->second.end(), fp) != it->second.end();
}

void Replicator::learn_holds(Peer& peer, const SentVersions& sent) {
  for (const auto& [key, fps] : sent) {
    const Siblings siblings = store_.find(key);
    if (siblings.size() < 2) {
      peer.holds.erase(key);
      continue;
    }
    // Keep the fingerprints of the versions the key holds now that the peer is known to hold:
    // older ones, and these.
    std::vector<std::uint64_t>& known = peer.holds[key];
    std::vector<std::uint64_t> now;
    now.reserve(siblings.size());
    for (const VersionView v : siblings) {
      const std::uint64_t fp = version_fingerprint(v);
      if (std::find(fps.begin(), fps.end(), fp) != fps.end() ||
          std::find(known.begin(), known.end(), fp) != known.end()) {
        now.push_back(fp);
      }
    }
    if (now.empty()) {
      peer.holds.erase(key);
    } else {
      known = std::move(now);
    }
  }
}

bool Replicator::replicates(const std::string& peer, std::string_view key) const {
  if (!ring_) return true;
  const Ring::NodeIndex node = ring_->find_node(peer);
  return node < ring_->node_count() && ring_->is_replica(node, key);
}

const HashTree* Replicator::tree_of(const std::string& peer) const {
  if (!ring_) return store_.hash_tree();
  const auto it = shared_trees_.find(peer);
  return it == shared_trees_.end() ? nullptr : &it->second;
}

void Replicator::key_changed(std::string_view key, std::uint64_t old_hash,
                             std::uint64_t new_hash) {
  if (!ring_) return;
  const Ring::ArcId arc = ring_->arc_of_key(key);
  if (!ring_->is_replica(self_index_, arc)) return;
  for (const Ring::NodeIndex node : ring_->preference_list(arc)) {
    if (node == self_index_) continue;
    const auto it = shared_trees_.find(ring_->node_id(node));
    if (it != shared_trees_.end()) it->second.update(key, old_hash, new_hash);
  }
}

std::uint64_t Replicator::send_request(const std::string& peer, MessageBuilder& m,
                                       std::int64_t deadline_ms, PendingRequests::Completion done,
                                       PendingRequests::About about) {
  const std::uint64_t msg_id = outbox_.send(m);
  pending_.add(msg_id, peer, deadline_ms, std::move(done), std::move(about));
  return msg_id;
}

void Replicator::flush() {
  // Replies to clients are never held back, but replication waits while the reader of our
  // output is slow: what it would send stays in the peers' sets, one entry per key.
  if (outbox_.backlog() > options_.max_output_backlog) return;
  for (auto& [id, peer] : peers_) {
    while (peer.in_flight.size() < peer.window && !holding_back(peer) && send_sync(id, peer)) {
      if (outbox_.backlog() > options_.max_output_backlog) return;
    }
  }
}

bool Replicator::holding_back(const Peer& peer) const {
  // As TCP's Nagle rule: while a sync to the peer is unacknowledged, keys changed meanwhile
  // wait for its acknowledgement (or for a full batch) and then leave together, so a busy
  // node sends about one sync per round trip per peer, not one per write, and a key written
  // again meanwhile goes once. Keys a quorum write waits on, and the rest of a key split
  // across syncs, never wait.
  return !peer.in_flight.empty() && peer.urgent.empty() && peer.partial_key.empty() &&
         peer.dirty.size() < options_.sync_batch_keys;
}

bool Replicator::send_sync(const std::string& peer_id, Peer& peer) {
  if (peer.urgent.empty() && peer.dirty.empty() && peer.partial_key.empty()) return false;
  MessageBuilder m = outbox_.message(peer_id, kSyncType);
  m.field_uint("incarnation", incarnation_).begin_keyed_versions("versions");
  SyncDigest digest;  // what its acknowledgement must restate
  // Most versions fill a message to the peers' line limit, less room for the envelope; one
  // version alone may be larger (a client's line held it, so a peer's line can).
  const std::size_t target = options_.max_message_bytes > 1024 ? options_.max_message_bytes - 512
                                                              : options_.max_message_bytes;
  std::vector<std::string> keys;
  std::vector<std::uint64_t> waiters;
  SentVersions sent;  // with delta syncs: what each key's versions were
  std::size_t versions = 0;
  // Adds the key's siblings from index `from` on, less those the peer is known to hold (delta
  // syncs) and no quorum write waits on; returns how far it got.
  auto add_key = [&](const std::string& key, std::size_t from) {
    const Siblings siblings = store_.find(key);
    const auto w = waiters_by_key_.find(key);
    // The quorum writes waiting on the key that v covers, for which this peer has not yet
    // acknowledged it. Such a version is always sent: a quorum counts acknowledgements of this
    // process's syncs, never what the peer was known to hold (it may have restarted since).
    auto awaiting = [&](VersionView v, std::vector<std::uint64_t>* into) {
      bool any = false;
      if (w == waiters_by_key_.end()) return any;
      for (std::uint64_t id : w->second) {
        const Waiter& waiter = waiters_.at(id);
        if (!waiter.holders.count(peer_id) && covers_awaited(v, waiter.version)) {
          any = true;
          if (into) into->push_back(id);
        }
      }
      return any;
    };
    // Only keys with siblings are tracked (Peer::holds).
    const bool track = options_.delta_syncs && siblings.size() >= 2;
    const bool delta = track && !peer.holds.empty() && peer.holds.count(key) > 0;
    std::vector<std::uint64_t> fps;
    std::size_t added = 0;
    std::size_t i = from;
    for (; i < siblings.size(); ++i) {
      const VersionView v = siblings[i];
      const std::uint64_t fp = track ? version_fingerprint(v) : 0;
      if (delta && known_to_hold(peer, key, fp) && !awaiting(v, nullptr)) {
        ++stats_.versions_skipped;
        continue;
      }
      if (versions > 0 && m.size() + entry_bytes(key, v) > target) break;
      if (track) fps.push_back(fp);
      m.add_keyed_version(key, v);
      digest.add(key, v.slots, v.dot);
      ++versions;
      ++added;
      awaiting(v, &waiters);
    }
    if (added > 0) {
      keys.push_back(key);
      if (!fps.empty()) sent.emplace_back(key, std::move(fps));
    }
    return i;
  };
  if (!peer.partial_key.empty()) {
    const std::string key = std::move(peer.partial_key);
    peer.partial_key.clear();
    const std::size_t reached = add_key(key, peer.partial_from);
    if (reached < store_.find(key).size()) {
      peer.partial_key = key;
      peer.partial_from = reached;
    }
  }
  for (std::set<std::string>* queue : {&peer.urgent, &peer.dirty}) {
    while (peer.partial_key.empty() && !queue->empty() && keys.size() < options_.sync_batch_keys) {
      const std::string key = *queue->begin();
      queue->erase(queue->begin());
      const std::size_t reached = add_key(key, 0);
      if (reached < store_.find(key).size()) {  // the rest of its siblings go next
        peer.partial_key = key;
        peer.partial_from = reached;
      }
    }
  }
  if (versions == 0) return false;  // the peer holds every version of the keys taken
  m.end_keyed_versions();
  stats_.sync_bytes += m.size() + 25;  // (the msg_id and the closing braces, at most)
  const std::uint64_t msg_id = outbox_.send(m);
  ++stats_.syncs_sent;
  std::sort(waiters.begin(), waiters.end());
  waiters.erase(std::unique(waiters.begin(), waiters.end()), waiters.end());
  peer.in_flight.insert(msg_id);
  for (const std::string& key : keys) ++peer.keys_in_flight[key];
  if (log_.enabled(LogLevel::kDebug)) {
    std::string list;
    for (const std::string& key : keys) list += (list.empty() ? "" : ", ") + key;
    log_.debug("sync " + std::to_string(msg_id) + " to " + peer_id + " at " +
               std::to_string(scheduler_.now_ms()) + " ms: " + std::to_string(versions) +
               (versions == 1 ? " version of " : " versions of ") + list);
  }
  const std::int64_t sent_at = scheduler_.now_ms();
  pending_.add(msg_id, peer_id, sent_at + peer.round_trip.rto(),
               [this, peer_id, msg_id, sent_at, keys = std::move(keys),
                waiters = std::move(waiters), sent = std::move(sent)](const Incoming* reply) {
                 sync_done(peer_id, msg_id, sent_at, keys, waiters, sent, reply);
               },
               // An acknowledgement restates what it acknowledges (an error, refusing the
               // sync, has nothing to restate).
               [digest](const Incoming& reply) {
                 return reply.type != kSyncOkType ||
                        (uint_field(reply.reply_body, "versions") == digest.versions() &&
                         uint_field(reply.reply_body, "digest") == digest.value());
               });
  return true;
}

void Replicator::sync_done(const std::string& peer_id, std::uint64_t msg_id, std::int64_t sent_at,
                           const std::vector<std::string>& keys,
                           const std::vector<std::uint64_t>& waiters, const SentVersions& sent,
                           const Incoming* reply) {
  Peer& peer = peers_.at(peer_id);
  peer.in_flight.erase(msg_id);
  for (const std::string& key : keys) {
    const auto it = peer.keys_in_flight.find(key);
    if (it != peer.keys_in_flight.end() && --it->second == 0) peer.keys_in_flight.erase(it);
  }
  if (reply && reply->type == kSyncOkType) {
    peer.round_trip.sample(scheduler_.now_ms() - sent_at);
    peer.window = std::min(peer.window + 1, kMaxWindow);
    peer.silent = false;
    if (options_.delta_syncs) learn_holds(peer, sent);
    for (std::uint64_t id : waiters) {
      const auto it = waiters_.find(id);
      if (it == waiters_.end()) continue;  // finished already
      it->second.holders.insert(peer_id);
      if (it->second.holders.size() >= it->second.needed) finish_waiter(id, true);
    }
    return;
  }
  // Unacknowledged (or refused: a restarted peer answers error 11 until its init): the keys
  // go back to the peer's queue, to be sent with their siblings as they are then, once the
  // window lets them — one probe at a time while the peer stays silent.
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("sync " + std::to_string(msg_id) + " to " + peer_id +
               (reply ? " refused: " + reply->type : " unacknowledged after " +
                                                         std::to_string(peer.round_trip.rto()) + " ms"));
  }
  stats_.syncs_resent_keys += keys.size();
  // A refusal comes from a restarted peer (error 11 until its init), which may hold less than
  // it acknowledged before: forget all it was known to hold.
  if (reply) peer.holds.clear();
  for (const std::string& key : keys) enqueue(peer, key);
  if (reviving_) return;  // given up on because the peer is back: no backoff, no silence
  if (!reply) peer.round_trip.backoff();
  peer.window = 1;
  if (!peer.silent) peer.silent_since = scheduler_.now_ms();
  peer.silent = true;
}

void Replicator::await_replicas(const std::string& key, const Version& version,
                                std::size_t needed, ReplicasDone done) {
  if (needed == 0) {
    done(true, 0);
    return;
  }
  const std::uint64_t id = next_waiter_id_++;
  const std::int64_t deadline = scheduler_.now_ms() + options_.request_timeout_ms;
  waiters_.emplace(id, Waiter{key, version, needed, {}, std::move(done), {}, deadline});
  auto& ids = waiters_by_key_[key];
  ids.insert(ids.end(), id);  // ids only grow: the hint makes it constant time
  waiter_deadlines_.add(id, deadline);
  if (ring_ && options_.sloppy_quorum) {
    stand_in_deadlines_.add(id, scheduler_.now_ms() + options_.request_timeout_ms / 2);
  }
  // The key goes to every peer that replicates it first thing (even when the write changed
  // nothing: a retry must reach the replicas too).
  for (auto& [peer_id, peer] : peers_) {
    if (!replicates(peer_id, key)) continue;
    peer.dirty.erase(key);
    peer.urgent.insert(key);
  }
}

void Replicator::stand_in(std::uint64_t id) {
  const auto it = waiters_.find(id);
  if (it == waiters_.end() || !ring_) return;
  const std::vector<std::string> replicas = ring_->ids(ring_->preference_list(it->second.key));
  for (const std::string& replica : replicas) {
    if (replica == ring_->node_id(self_index_) || it->second.holders.count(replica)) continue;
    ask_stand_in(id, replica);
  }
}

void Replicator::ask_stand_in(std::uint64_t id, const std::string& replica) {
  const auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  Waiter& waiter = it->second;
  std::string fallback;
  for (const Ring::NodeIndex node : ring_->fallbacks(waiter.key)) {
    const std::string& candidate = ring_->node_id(node);
    if (candidate != ring_->node_id(self_index_) && !waiter.stand_ins.count(candidate)) {
      fallback = candidate;
      break;
    }
  }
  if (fallback.empty()) return;  // every fallback is used: the write waits for the replicas
  waiter.stand_ins.emplace(fallback, replica);
  MessageBuilder m = outbox_.message(fallback, kHintType);
  m.field_uint("incarnation", incarnation_).field_string("for", replica).begin_keyed_versions("versions");
  SyncDigest digest;
  bool covering = false;
  for (const VersionView v : store_.find(waiter.key)) {
    m.add_keyed_version(waiter.key, v);
    digest.add(waiter.key, v.slots, v.dot);
    covering = covering || covers_awaited(v, waiter.version);
  }
  m.end_keyed_versions();
  ++stats_.hints_sent;
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("hint for " + replica + " of " + waiter.key + " to " + fallback + " at " +
               std::to_string(scheduler_.now_ms()) + " ms");
  }
  // A silent fallback is replaced by the next after a quarter of the timeout.
  send_request(
      fallback, m,
      std::min(waiter.deadline, scheduler_.now_ms() + std::max<std::int64_t>(
                                                          1, options_.request_timeout_ms / 4)),
      [this, id, fallback, replica, covering](const Incoming* reply) {
        const auto w = waiters_.find(id);
        if (w == waiters_.end()) return;
        if (reply && reply->type == kHintOkType) {
          ++stats_.hints_taken;
          if (!covering) return;
          w->second.holders.insert(fallback);
          if (w->second.holders.size() >= w->second.needed) finish_waiter(id, true);
          return;
        }
        // Refused (full) or unanswered: the next fallback, while time remains.
        if (scheduler_.now_ms() < w->second.deadline) ask_stand_in(id, replica);
      },
      [digest](const Incoming& reply) {
        return reply.type != kHintOkType ||
               (uint_field(reply.reply_body, "versions") == digest.versions() &&
                uint_field(reply.reply_body, "digest") == digest.value());
      });
}

void Replicator::finish_waiter(std::uint64_t id, bool reached) {
  const auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  Waiter waiter = std::move(it->second);
  waiters_.erase(it);
  waiter_deadlines_.remove(id);
  stand_in_deadlines_.remove(id);
  if (const auto ids = waiters_by_key_.find(waiter.key); ids != waiters_by_key_.end()) {
    ids->second.erase(id);
    if (ids->second.empty()) waiters_by_key_.erase(ids);
  }
  waiter.done(reached, waiter.holders.size());
}

void Replicator::read_from_peers(const std::string& key, std::size_t needed,
                                 const CodecLimits& limits, AnswerFn on_answer, AnswersDone done) {
  struct Read {
    std::string key;
    std::size_t needed;
    std::size_t outstanding;
    std::size_t answers = 0;
    bool finished = false;
    std::vector<std::pair<std::string, std::uint64_t>> answered;  // peer, hash of its answer
    AnswerFn on_answer;
    AnswersDone done;
  };
  std::vector<std::string> asked;  // the peers that replicate the key
  for (const auto& [peer_id, peer] : peers_) {
    if (replicates(peer_id, key)) asked.push_back(peer_id);
  }
  auto read = std::make_shared<Read>(Read{key, needed, asked.size(), 0, false, {},
                                          std::move(on_answer), std::move(done)});
  // What a peer that answered is missing of what this node holds now, it is sent.
  auto repair = [this](const std::shared_ptr<Read>& r) {
    const std::uint64_t held = key_hash(r->key, store_.find(r->key));
    for (const auto& [peer, hash] : r->answered) {
      if (hash != held) push(peer, r->key);
    }
    r->answered.clear();
  };
  auto finish = [repair](const std::shared_ptr<Read>& r, bool reached) {
    r->finished = true;
    r->done(reached, r->answers);
    repair(r);
  };
  if (needed == 0 || asked.empty()) {
    finish(read, needed == 0);
    return;
  }
  const std::int64_t deadline = scheduler_.now_ms() + options_.request_timeout_ms;
  for (const std::string& peer_id : asked) {
    MessageBuilder m = outbox_.message(peer_id, kFetchType);
    m.field_uint("incarnation", incarnation_).field_json("key", key);
    const std::uint64_t msg_id = outbox_.send(m);
    // The answer names the key it holds the versions of (an error names nothing).
    auto about = [key](const Incoming& reply) {
      if (reply.type != kFetchOkType) return true;
      const JValue* k = reply.reply_body.find("key");
      return k && (k->kind == JValue::Kind::String || k->kind == JValue::Kind::Int) &&
             to_json(*k) == key;
    };
    pending_.add(msg_id, peer_id, deadline,
                 [read, peer_id = peer_id, limits, finish, repair](const Incoming* reply) {
                   --read->outstanding;
                   std::vector<Version> versions;
                   if (reply && reply->type == kFetchOkType &&
                       !decode_values(kFetchOkType, reply->reply_body, limits, versions)) {
                     read->on_answer(peer_id, versions);
                     std::uint64_t sum = 0;
                     for (const Version& v : versions) {
                       sum += version_hash(view_of(v));
                     }
                     read->answered.emplace_back(
                         peer_id, versions.empty() ? 0 : key_hash(read->key, sum == 0 ? 1 : sum));
                     ++read->answers;
                     if (read->finished) {
                       repair(read);  // a late answer: repaired at once
                     } else if (read->answers >= read->needed) {
                       finish(read, true);
                     }
                   }
                   if (read->outstanding == 0 && !read->finished) finish(read, false);
                 },
                 std::move(about));
  }
}

}  // namespace vckv
