// Reaping (docs/protocol.md §16): a key holding only tombstones is removed once every replica
// holds them, no node holds a hint they dominate, and --tombstone-grace-ms has passed. How a
// node comes to know that, and why nothing removed comes back, is docs/design.md's "Deletes and
// reaping". In short: a replica whose key has held only tombstones for the grace period asks
// every node (reap_check) whether it holds them (or versions dominating them) and no hint they
// dominate; it asks three times, the grace period apart, and every node must answer yes each
// time from the same process (its incarnation unchanged); then it removes the key and tells the
// other replicas (reap). Reaped clocks are kept for a while, so a replica that has not reaped
// yet cannot sync the tombstones straight back.
#include <algorithm>

#include "vckv/json/writer.hpp"
#include "vckv/node/node.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {

namespace {

std::string clocks_json(const std::vector<std::vector<std::uint64_t>>& clocks) {
  std::string out = "[";
  for (std::size_t i = 0; i < clocks.size(); ++i) {
    if (i) out += kJsonItemSeparator;
    append_clock_json(out, ClockSlots(clocks[i]));
  }
  out += ']';
  return out;
}

bool reply_flag(const Incoming& reply, std::string_view name, bool& out) {
  const JValue* v = reply.reply_body.find(name);
  if (!v || v->kind != JValue::Kind::Bool) return false;
  out = v->boolean;
  return true;
}

}  // namespace

Node::Clocks Node::tombstone_clocks(std::string_view key) const {
  const Siblings siblings = store_.find(key);
  Clocks clocks;
  if (!all_tombstones(siblings)) return clocks;
  for (VersionView v : siblings) {
    clocks.push_back(v.slots.to_vector());
    // §17: the version vector, then the dot's node index and counter.
    if (options_.server_clocks) clocks.back().insert(clocks.back().end(), {v.dot.node, v.dot.counter});
  }
  return clocks;
}

std::vector<VersionView> Node::reaped_views(const std::vector<ClockSlots>& clocks) const {
  std::vector<VersionView> out;
  for (const ClockSlots& c : clocks) {
    if (!options_.server_clocks) {
      out.push_back(VersionView{std::string_view(), c});
      continue;
    }
    const std::size_t n = c.size();
    if (n < 2 || c[n - 1] == 0 || c[n - 2] > 0xFFFFFFFFu) continue;  // names no dot
    out.push_back(VersionView{std::string_view(), ClockSlots(c.data(), n - 2, c.width()),
                              Dot{static_cast<std::uint32_t>(c[n - 2]), c[n - 1]}});
  }
  return out;
}

std::vector<std::string> Node::other_nodes() const {
  std::vector<std::string> out;
  for (const std::string& id : node_ids_) {
    if (id != node_id_) out.push_back(id);
  }
  return out;
}

void Node::note_tombstones(std::string_view key) {
  if (!all_tombstones(store_.find(key))) {
    if (!tombstoned_.empty()) tombstoned_.erase(std::string(key));
    return;
  }
  // A change that leaves only tombstones stored one (merges only add versions, and only an
  // added version removes one): the grace period runs from now.
  tombstoned_[std::string(key)] = scheduler_.now_ms();
  ensure_reap_timer();
}

void Node::ensure_reap_timer() {
  if (reap_timer_ || !initialised()) return;
  const std::int64_t period =
      options_.debug_reap_at_once
          ? 1
          : std::max<std::int64_t>(1, std::min(options_.tombstone_grace_ms / 4,
                                               options_.replication.anti_entropy_interval_ms));
  reap_timer_ = scheduler_.add_timer(period, [this, period](std::int64_t now) {
    if (reap_tick(now)) return period;
    reap_timer_ = 0;
    return std::int64_t{-1};
  });
}

bool Node::buried_after_reap(const std::string& key, VersionView v) const {
  const auto it = reaped_.find(key);
  if (it == reaped_.end() || it->second.until <= scheduler_.now_ms()) return false;
  std::vector<ClockSlots> clocks;
  for (const auto& c : it->second.clocks) clocks.emplace_back(c);
  return buried_by(v, reaped_views(clocks));
}

std::int64_t Node::reap_tick(std::int64_t now) {
  for (auto it = reaped_.begin(); it != reaped_.end();) {
    it = it->second.until <= now ? reaped_.erase(it) : std::next(it);
  }
  // Due keys, starting after the last one a round was started for (so that keys whose rounds
  // keep failing, at most kMaxReapRounds at a time, do not hold the others up).
  std::vector<std::string> due;
  const auto start = tombstoned_.upper_bound(reap_cursor_);
  for (auto it = start;;) {
    if (it == tombstoned_.end()) it = tombstoned_.begin();
    if (it == tombstoned_.end()) break;
    const auto& [key, since] = *it;
    if (!reap_rounds_.count(key) &&
        (options_.debug_reap_at_once || now - since >= options_.tombstone_grace_ms)) {
      due.push_back(key);
    }
    if (++it == start || (it == tombstoned_.end() && start == tombstoned_.begin())) break;
  }
  for (const std::string& key : due) {
    if (options_.debug_reap_at_once) {
      reap(key, tombstone_clocks(key), "");  // (broken on purpose: no checks, no grace)
      continue;
    }
    if (reap_rounds_.size() >= kMaxReapRounds) break;
    reap_cursor_ = key;
    ReapRound round;
    round.clocks = tombstone_clocks(key);
    round.id = next_reap_round_++;
    reap_rounds_[key] = std::move(round);
    start_reap_round(key);
  }
  std::vector<std::string> waited;
  for (const auto& [key, round] : reap_rounds_) {
    if (!round.asking && round.asked > 0 && now >= round.wait_until) waited.push_back(key);
  }
  for (const std::string& key : waited) start_reap_round(key);
  return !(tombstoned_.empty() && reap_rounds_.empty() && reaped_.empty());
}

// Asks every other node about the round's tombstones (once more).
void Node::start_reap_round(const std::string& key) {
  ReapRound& round = reap_rounds_.at(key);
  round.refused = false;
  round.asking = true;
  // (Hints are asked of the other nodes only: a replica of the key never holds hints of it,
  // since its stand-ins are the nodes after its replicas on the ring.)
  const std::vector<std::string> others = other_nodes();
  if (tombstone_clocks(key) != round.clocks) {
    reap_rounds_.erase(key);  // tried again at a later tick
    return;
  }
  round.waiting = others.size();
  if (others.empty()) {
    finish_reap_round(key);
    return;
  }
  const std::uint64_t id = round.id;
  const std::string clocks_text = clocks_json(round.clocks);
  for (const std::string& peer : others) {
    MessageBuilder m = outbox_.message(peer, kReapCheckType);
    m.field_uint("incarnation", replicator_.incarnation())
        .field_json("key", key)
        .field_json("clocks", clocks_text);
    replicator_.send_request(peer, m,
                             scheduler_.now_ms() + options_.replication.request_timeout_ms,
                             [this, key, id, peer](const Incoming* reply) {
                               reap_answer(key, id, peer, reply);
                             });
  }
}

void Node::reap_answer(const std::string& key, std::uint64_t id, const std::string& peer,
                       const Incoming* reply) {
  const auto it = reap_rounds_.find(key);
  if (it == reap_rounds_.end() || it->second.id != id || it->second.waiting == 0) return;
  ReapRound& round = it->second;
  bool holds = false, hints = true;
  const JValue* self = reply ? reply->reply_body.find("node_incarnation") : nullptr;
  bool yes = reply && reply->type == kReapCheckOkType && reply_flag(*reply, "holds", holds) &&
             reply_flag(*reply, "hints", hints) && holds && !hints && self &&
             self->kind == JValue::Kind::Int;
  if (yes) {
    // The same process must answer every ask: one that restarted between them may have lost
    // what it held, and taken a late version back, in between.
    const std::uint64_t incarnation = clock_entry(self->text).value_or(0);
    const auto [at, first] = round.incarnations.emplace(peer, incarnation);
    yes = first ? round.asked == 0 : at->second == incarnation;
  }
  if (!yes) round.refused = true;
  if (--round.waiting == 0) finish_reap_round(key);
}

void Node::finish_reap_round(const std::string& key) {
  ReapRound& round = reap_rounds_.at(key);
  round.asking = false;
  if (round.refused || tombstone_clocks(key) != round.clocks) {
    if (log_.enabled(LogLevel::kDebug)) {
      log_.debug("reap of " + key + " " + at() + ": not yet (" +
                 (round.refused ? "a node did not answer, does not hold them, holds a hint or "
                                  "restarted"
                                : "the key changed") + ")");
    }
    reap_rounds_.erase(key);  // started again at a later tick
    return;
  }
  if (++round.asked < kReapAsks) {
    // Every node answered yes. What any of them sent before answering arrives within the grace
    // period: wait it out, then ask again.
    round.wait_until = scheduler_.now_ms() + options_.tombstone_grace_ms;
    return;
  }
  const Clocks clocks = round.clocks;
  reap_rounds_.erase(key);
  reap(key, clocks, "");
}

void Node::reap(const std::string& key, const Clocks& clocks, std::string_view told_by) {
  if (clocks.empty() || !store_.erase(key)) return;
  if (durability_.opened()) durability_.record_key(key, Siblings());  // key_removed
  tombstoned_.erase(key);
  reap_rounds_.erase(key);
  // Kept long enough for another replica's whole round (which may be under way now, or start
  // when it misses the notice) to be answered from them, and for whatever it syncs back
  // meanwhile to be dropped.
  reaped_[key] = Reaped{clocks, scheduler_.now_ms() + (kReapAsks + 1) *
                                    (options_.tombstone_grace_ms +
                                     options_.replication.request_timeout_ms)};
  ensure_reap_timer();  // (which forgets them in time)
  log_.info("reaped key " + key + " tombstones " + clocks_json(clocks) +
            (told_by.empty() ? std::string() : " (told by " + std::string(told_by) + ")"));
  if (!told_by.empty()) return;
  const std::string clocks_text = clocks_json(clocks);
  for (const std::string& peer : other_nodes()) {
    if (!replicator_.replicates(peer, key)) continue;
    MessageBuilder m = outbox_.message(peer, kReapType);
    m.field_uint("incarnation", replicator_.incarnation())
        .field_json("key", key)
        .field_json("clocks", clocks_text);
    outbox_.send(m);
  }
}

void Node::handle_reap_check(const Incoming& in, const MessageType& type) {
  const auto& req = std::get<ReapRequest>(in.request);
  std::vector<ClockSlots> clocks;
  for (const VectorClock& c : req.clocks) clocks.push_back(c.slots());
  // A replica holds each tombstone, or a version dominating it (or has reaped it); a node that
  // does not replicate the key has nothing to hold.
  bool holds = true;
  const bool replica = !ring_ || ring_->is_replica(ring_->find_node(node_id_), req.key);
  const Siblings stored = store_.find(req.key);
  const std::vector<VersionView> tombstones = reaped_views(clocks);
  holds = tombstones.size() == clocks.size();
  for (std::size_t i = 0; replica && holds && i < tombstones.size(); ++i) {
    const VersionView& tombstone = tombstones[i];
    bool held = buried_after_reap(req.key, tombstone);
    for (VersionView s : stored) {
      // s supersedes it, or is it (a tombstone of the same clock, or the same dot).
      held = held || (s.tombstone() ? buried_by(tombstone, {s}) : supersedes(s, tombstone));
    }
    holds = held;
  }
  bool hints = false;
  hints_.for_key(req.key, [&](const std::string&, VersionView v) {
    hints = hints || buried_by(v, tombstones);
  });
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("reap_check of " + req.key + " from " + in.src + " " + at() + ": " +
               (holds ? "holds them" : "does not hold them") + (hints ? ", holds a hint they dominate" : ""));
  }
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  m.field_uint("incarnation", *in.incarnation)
      .field_json("holds", holds ? "true" : "false")
      .field_json("hints", hints ? "true" : "false")
      .field_uint("node_incarnation", replicator_.incarnation());
  outbox_.send(m);
}

void Node::handle_reap(const Incoming& in, const MessageType&) {
  const auto& req = std::get<ReapRequest>(in.request);
  // Reaped here too only if every version held is one of the reaped tombstones or one they
  // dominate: anything else (a later write, a concurrent value) stays.
  std::vector<ClockSlots> clocks;
  for (const VectorClock& c : req.clocks) clocks.push_back(c.slots());
  const Siblings stored = store_.find(req.key);
  if (stored.empty()) return;
  const std::vector<VersionView> tombstones = reaped_views(clocks);
  for (VersionView s : stored) {
    if (!buried_by(s, tombstones)) return;
  }
  Clocks reaped;
  for (const VectorClock& c : req.clocks) reaped.emplace_back(c.slots().begin(), c.slots().end());
  reap(req.key, reaped, in.src);
}

}  // namespace vckv
