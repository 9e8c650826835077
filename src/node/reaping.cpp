// Reaping (docs/protocol.md §16): a key holding only tombstones is removed once every replica
// holds them, no node holds a hint they dominate, and --tombstone-grace-ms has passed. How a
// node comes to know that, and why nothing removed comes back, is docs/design.md's "Deletes and
// reaping". In short: a replica whose key has held only tombstones for the grace period asks
// every node (reap_check) whether it holds them (or versions dominating them), no hint they
// dominate, and for how long it has been clear of them (held and sent no version they
// dominate); when every node has been clear since the grace period before the ask, it removes
// the key and tells the other replicas (reap). When some have not been clear for long enough
// it asks again once they would have. Reaped clocks are kept for a while, so a replica that
// has not reaped yet cannot sync the tombstones straight back.
#include <algorithm>
#include <cstdint>

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

void Node::note_tombstones(std::string_view key, Siblings siblings) {
  if (!all_tombstones(siblings)) {
    if (!tombstoned_.empty()) tombstoned_.erase(std::string(key));
    return;
  }
  // A change that leaves only tombstones stored one (merges only add versions, and only an
  // added version removes one): the grace period runs from now.
  tombstoned_[std::string(key)] = scheduler_.now_ms();
  ensure_reap_timer();
}

void Node::ensure_reap_timer() {
  if (!reap_timer_) reap_timer_by(scheduler_.now_ms() + reap_period());
}

std::int64_t Node::reap_period() const {
  return options_.debug_reap_at_once
             ? 1
             : std::max<std::int64_t>(1, std::min(options_.tombstone_grace_ms / 4,
                                                  options_.replication.anti_entropy_interval_ms));
}

// The reap timer runs at `at` at the latest (a round's second ask is due then), and then at the
// next scan for due keys or the next second ask, whichever comes first.
void Node::reap_timer_by(std::int64_t at) {
  if (!initialised() || reap_ticking_ || (reap_timer_ && reap_timer_at_ <= at)) return;
  if (reap_timer_) scheduler_.cancel_timer(reap_timer_);
  const std::int64_t now = scheduler_.now_ms();
  reap_timer_at_ = std::max(now + 1, at);
  reap_timer_ = scheduler_.add_timer(reap_timer_at_ - now, [this](std::int64_t t) {
    reap_ticking_ = true;
    const bool more = reap_tick(t);
    reap_ticking_ = false;
    if (!more) {
      reap_timer_ = 0;
      return std::int64_t{-1};
    }
    std::int64_t next = next_reap_scan_;
    for (const auto& [key, round] : reap_rounds_) {
      if (!round.asking && round.wait_until > 0) next = std::min(next, round.wait_until);
    }
    reap_timer_at_ = std::max(t + 1, next);
    return reap_timer_at_ - t;
  });
}

bool Node::buried_after_reap(const std::string& key, VersionView v) const {
  const auto it = reaped_.find(key);
  if (it == reaped_.end() || it->second.until <= scheduler_.now_ms()) return false;
  std::vector<ClockSlots> clocks;
  for (const auto& c : it->second.clocks) clocks.emplace_back(c);
  return buried_by(v, reaped_views(clocks));
}

void Node::carried(const std::string& key, std::int64_t until) {
  std::int64_t& at = carried_[key];
  at = std::max(at, until);
  ensure_reap_timer();  // (which forgets it in time)
}

std::int64_t Node::reap_tick(std::int64_t now) {
  // Traces older than this no longer shorten an answer's clear_ms (design.md: the cap).
  const std::int64_t forget = 2 * (options_.tombstone_grace_ms + options_.replication.request_timeout_ms);
  for (auto it = reaped_.begin(); it != reaped_.end();) {
    it = it->second.until <= now ? reaped_.erase(it) : std::next(it);
  }
  for (auto it = carried_.begin(); it != carried_.end();) {
    it = it->second < now - forget ? carried_.erase(it) : std::next(it);
  }
  if (now >= next_reap_scan_) {
    next_reap_scan_ = now + reap_period();
    // Due keys, starting after the last one a round was started for (so that keys whose rounds
    // keep failing, at most kMaxReapRounds at a time, do not hold the others up); no more than
    // rounds may start (a node alone, asking nobody, finishes each at once).
    std::vector<std::string> due;
    const std::size_t room = options_.debug_reap_at_once || node_ids_.size() <= 1
                                 ? SIZE_MAX
                                 : kMaxReapRounds - std::min(kMaxReapRounds, reap_rounds_.size());
    reap_scan_full_ = room == 0;
    const auto start = tombstoned_.upper_bound(reap_cursor_);
    for (auto it = start; room > 0;) {
      if (it == tombstoned_.end()) it = tombstoned_.begin();
      if (it == tombstoned_.end()) break;
      const auto& [key, since] = *it;
      if (!reap_rounds_.count(key) &&
          (options_.debug_reap_at_once || now - since >= options_.tombstone_grace_ms)) {
        due.push_back(key);
        if (due.size() >= room) {
          reap_scan_full_ = true;  // (more may be due: the next reap brings the next scan)
          break;
        }
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
  }
  std::vector<std::string> waited;
  for (const auto& [key, round] : reap_rounds_) {
    if (!round.asking && round.wait_until > 0 && now >= round.wait_until) waited.push_back(key);
  }
  for (const std::string& key : waited) start_reap_round(key);
  return !(tombstoned_.empty() && reap_rounds_.empty() && reaped_.empty() && carried_.empty());
}

Node::ReapAnswer Node::reap_answer_for(const std::string& key, const Clocks& clocks) const {
  const std::int64_t now = scheduler_.now_ms();
  std::vector<ClockSlots> slots;
  for (const auto& c : clocks) slots.emplace_back(c);
  // The tombstones the clocks name (§17: with server clocks, vectors and dots).
  const std::vector<VersionView> tombstones = reaped_views(slots);
  ReapAnswer answer;
  answer.holds = tombstones.size() == slots.size();
  // The latest moment since which this process has held and sent no version the tombstones
  // dominate, as far as it can tell (docs/design.md, "Clear of T").
  std::int64_t since = started_at_;
  // A replica holds each tombstone, or a version dominating it (or has reaped it); a node that
  // does not replicate the key has nothing to hold.
  if (!ring_ || ring_->is_replica(ring_->find_node(node_id_), key)) {
    const Siblings stored = store_.find(key);
    bool in_store = true, in_reaped = true;
    for (std::size_t i = 0; i < tombstones.size(); ++i) {
      const VersionView& tombstone = tombstones[i];
      bool held = false;
      for (VersionView s : stored) {
        // s supersedes it, or is it (a tombstone of the same clock, or the same dot).
        held = held || (s.tombstone() ? buried_by(tombstone, {s}) : supersedes(s, tombstone));
      }
      const bool reaped = buried_after_reap(key, tombstone);
      in_store = in_store && held;
      in_reaped = in_reaped && reaped;
      answer.holds = answer.holds && (held || reaped);
    }
    const auto tombstoned = tombstoned_.find(key);
    const auto reaped = reaped_.find(key);
    bool buries_stored = false;
    for (VersionView s : stored) buries_stored = buries_stored || buried_by(s, tombstones);
    if (in_store && tombstoned != tombstoned_.end()) {
      // Only tombstones since then, each of these held or dominated: no room for a version
      // they dominate (a store is an antichain), and every one arriving is dropped.
      since = std::max(since, tombstoned->second);
    } else if (in_reaped && !buries_stored) {
      since = std::max(since, reaped->second.clear_since);  // dropping what they bury since
    } else {
      since = now;  // (a value, or a change: no moment known)
    }
  }
  if (const auto c = carried_.find(key); c != carried_.end()) since = std::max(since, c->second);
  hints_.for_key(key, [&](const std::string&, VersionView v) {
    answer.hints = answer.hints || buried_by(v, tombstones);
  });
  const std::int64_t cap = 2 * (options_.tombstone_grace_ms + options_.replication.request_timeout_ms);
  answer.clear_ms = !answer.holds || answer.hints ? 0 : std::clamp<std::int64_t>(now - since, 0, cap);
  return answer;
}

// Asks every other node about the round's tombstones (again, when waited for).
void Node::start_reap_round(const std::string& key) {
  ReapRound& round = reap_rounds_.at(key);
  if (tombstone_clocks(key) != round.clocks) {
    reap_rounds_.erase(key);  // tried again at a later tick
    return;
  }
  const std::int64_t now = scheduler_.now_ms();
  round.refused = false;
  round.too_soon = false;
  round.asking = true;
  round.asked_at = now;
  round.wait_until = 0;
  // This node answers too: its key has held them since clear_from.
  const ReapAnswer own = reap_answer_for(key, round.clocks);
  round.refused = !own.holds || own.hints;
  round.clear_from = now - own.clear_ms;
  round.too_soon = round.clear_from > now - options_.tombstone_grace_ms;
  // (Hints are asked of the other nodes: a replica of the key never holds hints of it, since
  // its stand-ins are the nodes after its replicas on the ring.)
  const std::vector<std::string> others = other_nodes();
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
    replicator_.send_request(peer, m, now + options_.replication.request_timeout_ms,
                             [this, key, id, peer](const Incoming* reply) {
                               reap_answer(key, id, peer, reply);
                             });
  }
}

void Node::reap_answer(const std::string& key, std::uint64_t id, const std::string&,
                       const Incoming* reply) {
  const auto it = reap_rounds_.find(key);
  if (it == reap_rounds_.end() || it->second.id != id || it->second.waiting == 0) return;
  ReapRound& round = it->second;
  bool holds = false, hints = true;
  const JValue* clear = reply ? reply->reply_body.find("clear_ms") : nullptr;
  const bool yes = reply && reply->type == kReapCheckOkType && reply_flag(*reply, "holds", holds) &&
                   reply_flag(*reply, "hints", hints) && holds && !hints && clear &&
                   clear->kind == JValue::Kind::Int;
  if (yes) {
    // The answerer has been clear since (at the latest) now - clear_ms: it must have been so
    // since the ask went out minus the grace period (design.md, "Why nothing comes back").
    const auto ms = clock_entry(clear->text);
    const std::int64_t from =
        scheduler_.now_ms() - static_cast<std::int64_t>(std::min<std::uint64_t>(ms.value_or(0), 1ull << 62));
    round.clear_from = std::max(round.clear_from, from);
    if (from > round.asked_at - options_.tombstone_grace_ms) round.too_soon = true;
  } else {
    round.refused = true;
  }
  if (--round.waiting == 0) finish_reap_round(key);
}

void Node::finish_reap_round(const std::string& key) {
  ReapRound& round = reap_rounds_.at(key);
  round.asking = false;
  if (round.refused || tombstone_clocks(key) != round.clocks) {
    if (log_.enabled(LogLevel::kDebug)) {
      log_.debug("reap of " + key + " " + at() + ": not yet (" +
                 (round.refused ? "a node did not answer, does not hold them or holds a hint"
                                : "the key changed") + ")");
    }
    reap_rounds_.erase(key);  // started again at a later tick
    return;
  }
  if (round.too_soon) {
    // Everyone holds them, but not everyone has been clear of them for the grace period: ask
    // again as soon as all would have been.
    round.wait_until = std::max(scheduler_.now_ms() + 1, round.clear_from + options_.tombstone_grace_ms);
    if (log_.enabled(LogLevel::kDebug)) {
      log_.debug("reap of " + key + " " + at() + ": asking again at " +
                 std::to_string(round.wait_until) + " ms (a node was not clear for long enough)");
    }
    reap_timer_by(round.wait_until);
    return;
  }
  const Clocks clocks = round.clocks;
  reap_rounds_.erase(key);
  reap(key, clocks, "");
  if (reap_scan_full_) {
    // Keys wait that the last scan had no room for: scan again now, not a period later (a
    // failed round does not, so a node that does not answer causes no storm of asks).
    next_reap_scan_ = std::min(next_reap_scan_, scheduler_.now_ms() + 1);
    reap_timer_by(next_reap_scan_);
  }
}

void Node::reap(const std::string& key, const Clocks& clocks, std::string_view told_by) {
  if (clocks.empty() || !store_.erase(key)) return;
  if (durability_.opened()) durability_.record_key(key, Siblings());  // key_removed
  const auto tombstoned = tombstoned_.find(key);
  const std::int64_t now = scheduler_.now_ms();
  // Clear of them since the key last changed (its own round checked it holds exactly them), or
  // since now (a notice: the key may have held versions they dominate until now).
  const std::int64_t clear_since =
      told_by.empty() && tombstoned != tombstoned_.end() ? tombstoned->second : now;
  if (tombstoned != tombstoned_.end()) tombstoned_.erase(tombstoned);
  reap_rounds_.erase(key);
  const std::vector<std::string> others = other_nodes();
  if (!others.empty()) {
    // Kept long enough for another replica's whole round (which may be under way now, or start
    // when it misses the notice) to be answered from them, and for whatever it syncs back
    // meanwhile to be dropped. (A node alone in its cluster has no one to answer.)
    reaped_[key] = Reaped{clocks,
                          now + 2 * (options_.tombstone_grace_ms + options_.replication.request_timeout_ms),
                          clear_since};
    ensure_reap_timer();  // (which forgets them in time)
  }
  log_.info("reaped key " + key + " tombstones " + clocks_json(clocks) +
            (told_by.empty() ? std::string() : " (told by " + std::string(told_by) + ")"));
  if (!told_by.empty()) return;
  const std::string clocks_text = clocks_json(clocks);
  for (const std::string& peer : others) {
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
  Clocks clocks;
  for (const VectorClock& c : req.clocks) clocks.emplace_back(c.slots().begin(), c.slots().end());
  const ReapAnswer answer = reap_answer_for(req.key, clocks);
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("reap_check of " + req.key + " from " + in.src + " " + at() + ": " +
               (answer.holds ? "holds them" : "does not hold them") +
               (answer.hints ? ", holds a hint they dominate" : "") + ", clear for " +
               std::to_string(answer.clear_ms) + " ms");
  }
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  m.field_uint("incarnation", *in.incarnation)
      .field_json("holds", answer.holds ? "true" : "false")
      .field_json("hints", answer.hints ? "true" : "false")
      .field_uint("clear_ms", static_cast<std::uint64_t>(answer.clear_ms));
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
