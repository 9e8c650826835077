#include "vckv/node/node.hpp"

#include <algorithm>
#include <exception>
#include <unordered_set>

#include "vckv/inlining.hpp"
#include "vckv/json/writer.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {

namespace {

std::string quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string quoted_list(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += kJsonItemSeparator;
    append_json_string(out, items[i]);
  }
  out += ']';
  return out;
}

// Recovery fills the empty store with each key's last logged siblings.
// With server clocks (§17) it takes dotted versions (their node ids back to indexes) and the dot
// counters; a node of client clocks skips those, and the other way round.
class StoreFiller : public RecoveryVisitor {
 public:
  StoreFiller(SiblingStore& store, HintStore& hints, Logger& log, bool server_clocks,
              const std::vector<std::string>& node_ids,
              std::unordered_map<std::string, std::uint64_t>& dot_counters)
      : store_(store),
        hints_(hints),
        log_(log),
        server_clocks_(server_clocks),
        node_ids_(node_ids),
        dot_counters_(dot_counters) {}
  void on_key(std::string_view key, const std::vector<VersionRef>& versions) override {
    if (convert(versions)) store_.merge_versions(key, views_);
  }
  // The versions held for another replica (§14), apart from the store, as they were logged.
  void on_hint(std::string_view target, std::string_view key, const std::vector<VersionRef>& versions) override {
    if (convert(versions) && !hints_.add(std::string(target), std::string(key), views_)) {
      log_.warn("data directory: a hint for " + std::string(target) + " does not fit --max-hint-bytes " +
                std::to_string(hints_.max_bytes()) + "; not held (anti-entropy refills the replica)");
    }
  }
  void on_dot_counter(std::string_view key, std::uint64_t counter) override {
    if (!server_clocks_) {
      ++skipped_;
      return;
    }
    std::uint64_t& c = dot_counters_[std::string(key)];
    c = std::max(c, counter);
  }
  ~StoreFiller() override {
    if (skipped_) {
      log_.warn("data directory: skipped " + std::to_string(skipped_) + " records this node "
                "does not keep with --clocks " + (server_clocks_ ? "server" : "client") +
                (server_clocks_ ? " (versions of client clocks, or dots naming no node of the "
                                  "cluster)"
                                : " (dot counters and dotted versions: written with --clocks "
                                  "server)"));
    }
  }

 private:
  // versions -> views_ (their vectors in slots_); false when none is left.
  bool convert(const std::vector<VersionRef>& versions) {
    views_.clear();
    slots_.clear();
    slots_.reserve(versions.size());  // (views_ point into them: no reallocation)
    for (const VersionRef& v : versions) {
      const std::string_view value = v.tombstone ? std::string_view() : v.value;
      if (!server_clocks_) {
        if (v.kind != VersionKind::kClock) {
          ++skipped_;
          continue;
        }
        views_.push_back(VersionView{value, v.clock});
        continue;
      }
      const auto dot_node = index_of(v.dot.node);
      if (v.kind != VersionKind::kDotted || !dot_node || v.dot.counter == 0) {
        ++skipped_;
        continue;
      }
      std::vector<std::uint64_t>& vv = slots_.emplace_back(node_ids_.size(), 0);
      bool known = true;
      for (std::size_t i = 0; i < v.version_vector_size; ++i) {
        const auto at = index_of(v.version_vector[i].node);
        known = known && at.has_value();
        if (at) vv[*at] = v.version_vector[i].counter;
      }
      if (!known) {
        slots_.pop_back();
        ++skipped_;
        continue;
      }
      while (!vv.empty() && vv.back() == 0) vv.pop_back();
      views_.push_back(VersionView{value, ClockSlots(vv), Dot{*dot_node, v.dot.counter}});
    }
    return !views_.empty();
  }
  std::optional<std::uint32_t> index_of(std::string_view id) const {
    for (std::size_t i = 0; i < node_ids_.size(); ++i) {
      if (node_ids_[i] == id) return static_cast<std::uint32_t>(i);
    }
    return std::nullopt;
  }

  SiblingStore& store_;
  HintStore& hints_;
  Logger& log_;
  bool server_clocks_;
  const std::vector<std::string>& node_ids_;
  std::unordered_map<std::string, std::uint64_t>& dot_counters_;
  std::vector<VersionView> views_;
  std::vector<std::vector<std::uint64_t>> slots_;
  std::uint64_t skipped_ = 0;
};

NodeOptions with_clock_mode(NodeOptions options) {
  if (options.server_clocks) options.conflict.mode = ConflictMode::kDotted;
  return options;
}

}  // namespace

Node::Node(NodeOptions options, std::string& out, Scheduler& scheduler, Logger& log,
           FileSystem* fs)
    : options_(with_clock_mode(std::move(options))),
      scheduler_(scheduler),
      log_(log),
      outbox_(out),
      store_(options_.conflict),
      replicator_(options_.replication, outbox_, scheduler, store_, log),
      hints_(options_.max_hint_bytes),
      durability_(options_.durability, fs, scheduler, log) {}

Node::~Node() {
  if (hint_timer_) scheduler_.cancel_timer(hint_timer_);
  if (reap_timer_) scheduler_.cancel_timer(reap_timer_);
}

std::optional<std::uint64_t> Node::echo_of(const Incoming& in) const {
  if (!in.incarnation || !initialised() || in.src == node_id_ || !is_member(in.src)) {
    return std::nullopt;
  }
  return in.incarnation;
}

bool Node::is_member(std::string_view id) const {
  return std::find(node_ids_.begin(), node_ids_.end(), id) != node_ids_.end();
}

VCKV_HOT
bool Node::may_send(const MessageType& type, std::string_view src) const {
  if (type.senders == kFromAnyone) return true;  // the common case: no membership lookup
  const bool peer = src != node_id_ && is_member(src);
  return (type.senders & (peer ? kFromPeers : kFromClients)) != 0;
}

std::string Node::at() const { return "at " + std::to_string(scheduler_.now_ms()) + " ms"; }

void Node::log_line(LogLevel level, std::uint64_t line_number, std::string_view message) {
  if (!log_.enabled(level)) return;
  log_.log(level, "line " + std::to_string(line_number) + ": " + std::string(message));
}

void Node::reply_error(const Incoming& in, const Error& error, std::string_view src) {
  MessageBuilder m = outbox_.message_from(src, in.src, "error", in.msg_id);
  // An error answering a node-to-node request echoes the incarnation it carried, as any
  // answer to one does (§11): the asking process takes only answers meant for it.
  if (in.incarnation && in.kind >= 0 && message_table().rows[in.kind].senders == kFromPeers) {
    m.field_uint("incarnation", *in.incarnation);
  } else if (const auto echo = echo_of(in)) {
    m.field_uint("incarnation", *echo);  // a client request a peer forwarded (§14)
  }
  m.field_uint("code", static_cast<std::uint64_t>(error.code)).field_string("text", error.text);
  outbox_.send(m);
}

// The checks run in the order docs/protocol.md gives them: an envelope problem first, then
// replies, init, the type, the sender, and last the body's fields.
VCKV_HOT
void Node::handle_line(std::string_view line, std::uint64_t line_number) {
  if (stopped()) return;  // the data directory failed: nothing more is answered
  decode_line(line, options_.codec, message_catalog(), decoded_,
              KeyAhead{[](const void* store, std::string_view key) {
                         static_cast<const SiblingStore*>(store)->prefetch(key);
                       },
                       &store_});
  if (const auto* u = std::get_if<Unanswerable>(&decoded_)) {
    handle_unanswerable(*u, line_number);
    return;
  }
  const Incoming& in = std::get<Incoming>(decoded_);
  // Before init the node answers as whatever the request called it.
  // (Both arms are views: a ?: between a std::string and "" would make a temporary.)
  const std::string_view self = initialised() ? std::string_view(node_id_)
                                : in.dest     ? std::string_view(*in.dest)
                                              : std::string_view();
  if (in.dest_error) {
    reply_error(in, *in.dest_error, self);
    return;
  }
  if (initialised() && *in.dest != node_id_) {
    log_line(LogLevel::kWarn, line_number,
             "dest " + quoted(*in.dest) + " is not this node (" + quoted(node_id_) + "); dropped");
    return;
  }
  // Anything from a peer shows it is reachable. (Only replies and node-to-node types can come
  // from one: client requests skip the membership lookup.)
  if (initialised() && node_ids_.size() > 1 &&
      (in.is_reply || (in.kind >= 0 && message_table().rows[in.kind].senders == kFromPeers)) &&
      in.src != node_id_ && is_member(in.src)) {
    replicator_.heard_from(in.src);
    if (!unanswered_forwards_.empty()) unanswered_forwards_.erase(in.src);
  }
  // Any message from a replica hints are held for: they go to it now (§14).
  if (!hints_.empty() && initialised() && in.src != node_id_ && is_member(in.src)) {
    deliver_hints(in.src);
  }
  if (in.envelope_error) {
    reply_error(in, *in.envelope_error, self);
    return;
  }
  if (in.is_reply) {
    // Replies complete the request they answer; one nobody awaits is ignored.
    replicator_.on_reply(in);
    return;
  }
  const MessageType* type = in.kind >= 0 ? &message_table().rows[in.kind] : nullptr;
  if (!initialised() && !(type && type->before_init)) {
    reply_error(in,
                Error{ErrorCode::kTemporarilyUnavailable,
                      in.type + ": node is not initialised; send init first"},
                self);
    return;
  }
  if (!type) {
    reply_error(in,
                Error{ErrorCode::kNotSupported,
                      in.type + ": unsupported message type; a client may send one of " +
                          client_message_types(options_.server_clocks)},
                self);
    return;
  }
  // §17: the kv types with server clocks, the dvv types with client clocks.
  if (type->clocks != ClockSide::kEither &&
      (type->clocks == ClockSide::kServer) != options_.server_clocks) {
    reply_error(in, Error{ErrorCode::kNotSupported, wrong_clocks_text(*type)}, self);
    return;
  }
  // Node-to-node messages come only from the other cluster members: a client cannot slip
  // versions past the stale rule and the sibling limit.
  if (!may_send(*type, in.src)) {
    reply_error(in,
                Error{ErrorCode::kNotSupported,
                      in.type + ": only accepted from other nodes of the cluster, not " +
                          quoted(in.src)},
                self);
    return;
  }
  if (in.request_error) {
    reply_error(in, *in.request_error, self);
    return;
  }
  try {
    (this->*type->handle)(in, *type);
  } catch (const std::exception& e) {
    log_line(LogLevel::kError, line_number, in.type + " failed: " + e.what());
    reply_error(in, Error{ErrorCode::kCrash, in.type + ": internal error: " + e.what()}, self);
  }
}

void Node::handle_unanswerable(const Unanswerable& u, std::uint64_t line_number) {
  log_line(LogLevel::kWarn, line_number, u.reason + "; skipped");
  if (!u.detail.empty()) log_line(LogLevel::kDebug, line_number, u.detail);
}

void Node::handle_init(const Incoming& in, const MessageType& type) {
  const auto& init = std::get<InitRequest>(in.request);
  if (initialised()) {
    const std::unordered_set<std::string> known(node_ids_.begin(), node_ids_.end());
    const std::unordered_set<std::string> asked(init.node_ids.begin(), init.node_ids.end());
    if (init.node_id != node_id_ || known != asked) {
      reply_error(in,
                  Error{ErrorCode::kPreconditionFailed,
                        "init: already initialised as " + quoted(node_id_) + " in " +
                            quoted_list(node_ids_)},
                  node_id_);
      return;
    }
  } else {
    if (const auto why = cannot_start(init)) {
      log_.error(*why);
      reply_error(in, Error{ErrorCode::kPreconditionFailed, *why}, init.node_id);
      return;
    }
    // §15: the data directory is recovered before anything else, and before init_ok. A node
    // that cannot open it answers nothing (the binary exits: kExitStorageFailure).
    durability_.set_node_names(init.node_ids);
    if (durability_.enabled()) {
      StoreFiller filler(store_, hints_, log_, options_.server_clocks, init.node_ids,
                         dot_counters_);
      if (!durability_.open(init.node_id, filler)) return;
    }
    node_id_ = init.node_id;
    node_ids_ = init.node_ids;
    // §17: contexts name only the cluster's nodes; versions between nodes carry dots exactly
    // with server clocks (the codec checks both from now on).
    options_.codec.cluster = &node_ids_;
    options_.codec.server_clocks = options_.server_clocks;
    self_index_ = static_cast<std::uint32_t>(
        std::find(node_ids_.begin(), node_ids_.end(), node_id_) - node_ids_.begin());
    ids_in_order_.clear();
    for (std::uint32_t i = 0; i < node_ids_.size(); ++i) ids_in_order_.push_back(i);
    std::sort(ids_in_order_.begin(), ids_in_order_.end(),
              [this](std::uint32_t a, std::uint32_t b) { return node_ids_[a] < node_ids_[b]; });
    started_at_ = scheduler_.now_ms();  // (§16: clear of nothing before)
    outbox_.set_self(node_id_);
    log_.set_node_id(node_id_);
    // Anti-entropy compares hash trees; a lone node has no one to compare with.
    if (node_ids_.size() > 1 && options_.replication.enabled) store_.enable_hash_tree();
    // §14: a ring when each key lives on fewer nodes than the cluster has.
    if (options_.replicas != 0 && options_.replicas < node_ids_.size()) {
      ring_ = std::make_unique<Ring>(node_ids_, options_.replicas, options_.vnodes);
      store_.set_change_observer(
          [this](std::string_view key, std::uint64_t old_hash, std::uint64_t new_hash) {
            replicator_.key_changed(key, old_hash, new_hash);
          });
      // Hints go to their replica whenever it is heard from, and besides are offered to it
      // every anti-entropy interval (a replica may have nothing to say to this node).
      hint_timer_ = scheduler_.add_timer(options_.replication.anti_entropy_interval_ms,
                                         [this](std::int64_t) {
                                           for (const std::string& r : hints_.replicas()) {
                                             deliver_hints(r);
                                           }
                                           return options_.replication.anti_entropy_interval_ms;
                                         });
    }
    replicator_.start(node_id_, node_ids_, options_.incarnation, ring_.get());
    // Keys recovered holding only tombstones: their grace period (§16) runs from now.
    std::vector<std::string> tombstoned;
    store_.for_each([&](std::string_view key, Siblings siblings) {
      if (all_tombstones(siblings)) tombstoned.emplace_back(key);
    });
    for (const std::string& key : tombstoned) note_tombstones(key);
    // Keys recovered from --data-dir were stored before the trees of the keys shared with each
    // peer existed: they enter them now, as changes from nothing.
    if (ring_) {
      store_.for_each([this](std::string_view key, Siblings siblings) {
        replicator_.key_changed(key, 0, key_hash(key, siblings));
      });
    }
    log_.info("initialised in a cluster of " + std::to_string(node_ids_.size()) +
              (ring_ ? ", " + std::to_string(options_.replicas) + " replicas per key" : "") +
              (options_.replication.enabled ? "" : " (replication disabled)"));
    for (const auto& [what, quorum] : {std::pair<const char*, std::size_t>{"--write-quorum", options_.write_quorum},
                                       {"--read-quorum", options_.read_quorum}}) {
      if (quorum > node_ids_.size()) {
        log_.warn(std::string(what) + " " + std::to_string(quorum) + " is more than the " +
                  std::to_string(node_ids_.size()) + " nodes of the cluster: every " +
                  (what[2] == 'w' ? "write" : "read") + " will time out");
      }
    }
  }
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  outbox_.send(m);
}

void Node::handle_put(const Incoming& in, const MessageType& type) {
  handle_write(in, type, "written");
}

void Node::handle_resolve(const Incoming& in, const MessageType& type) {
  handle_write(in, type, "resolved");
}

// §16: a tombstone, applied as kv_put applies a value; "deleted" when only tombstones remain.
void Node::handle_delete(const Incoming& in, const MessageType& type) {
  handle_write(in, type, "deleted");
}

VCKV_HOT
void Node::handle_write(const Incoming& in, const MessageType& type,
                        std::string_view status_written) {
  const auto& write = std::get<WriteRequest>(in.request);
  if (forward(in, type, write.key, &write.version)) return;
  // In a cluster every acknowledged write must be able to reach the other replicas: a version
  // no node-to-node line can carry (the value as §2 writes it: a non-ASCII character takes 6
  // bytes) is refused before it is stored.
  if (node_ids_.size() > 1 &&
      !replicator_.carriable(write.key, view_of(write.version))) {
    const std::size_t limit = options_.replication.max_message_bytes;
    const std::size_t room = limit - std::min(limit, replicator_.envelope_bytes());
    reply_error(in,
                Error{ErrorCode::kPreconditionFailed,
                      in.type + ": key, value and clock take " +
                          std::to_string(write.key.size() + write.version.value.size() +
                                         clock_json(write.version.clock).size()) +
                          " bytes as json.dumps writes them (a non-ASCII character as a 6-byte "
                          "\\uXXXX escape), more than the " + std::to_string(room) +
                          " that fit in a message to the other nodes (--max-line-bytes " +
                          std::to_string(limit) + "): it could never reach them"},
                node_id_);
    return;
  }
  const ApplyResult result =
      store_.apply_client_write(write.key, write.version, options_.max_siblings);
  if (log_.enabled(LogLevel::kDebug)) {
    std::string what = in.type + " " + write.key + " " + clock_json(write.version.clock) +
                       " from " + in.src + " " + at() + ": ";
    if (result.ruling == Ruling::kStale) {
      // The reply cannot say which stored version made it stale (the bytes are fixed): the
      // log does.
      for (VersionView s : store_.find(write.key)) {
        if (slots_descend(s.slots, write.version.clock.slots())) {
          what += "stale: the stored clock " + clock_json(s.slots) + " descends it";
          break;
        }
      }
    } else if (result.ruling == Ruling::kTooManySiblings) {
      what += "refused, " + std::to_string(result.siblings) + " siblings";
    } else if (result.ruling == Ruling::kSuperseded) {
      what += "superseded: the stored " + describe(store_.find(write.key)) +
              " comes later in the last-writer-wins order";
    } else {
      what += result.ruling == Ruling::kKeep ? "a retry, " : "stored, ";
      what += std::to_string(result.siblings) + (result.siblings == 1 ? " sibling" : " siblings");
    }
    log_.debug(what);
  }
  if (result.ruling == Ruling::kTooManySiblings) {
    reply_error(in, sibling_limit_error(in.type, write.key, result.siblings), node_id_);
    return;
  }
  if (result.changed()) {
    changed(write.key);
    replicator_.changed_by_client(write.key);
  }
  // The reply, sent now or once enough replicas hold the write. (Its status is this node's
  // own apply: the replicas' do not change it.)
  const bool stale = result.ruling == Ruling::kStale;
  const bool superseded = result.ruling == Ruling::kSuperseded;
  // (§16: a delete reads "deleted" when only tombstones remain, "conflict" otherwise; a put or
  // resolve always leaves its value, so its one remaining sibling is never a tombstone.)
  const bool deleted = write.version.tombstone();
  const std::string_view status =
      stale        ? std::string_view("stale")
      : superseded ? std::string_view("superseded")
      : deleted    ? (all_tombstones(store_.find(write.key)) ? status_written
                                                             : std::string_view("conflict"))
      : result.siblings == 1 ? status_written
                             : std::string_view("conflict");
  const std::size_t siblings = result.siblings;
  // A stale or superseded write is answered at once (it is held nowhere: there are no
  // replicas to wait for).
  acknowledge_write(in, type.reply_type, write.key, write.version, stale || superseded,
                    [status, siblings](MessageBuilder& m) {
                      m.field_string("status", status);
                      if (status == "conflict") m.field_uint("siblings", siblings);
                    });
}

Error Node::sibling_limit_error(const std::string& type, const std::string& key,
                               std::size_t siblings) const {
  return Error{ErrorCode::kPreconditionFailed,
               type + ": key " + key + " would have " + std::to_string(siblings) +
                   " siblings, more than --max-siblings (" +
                   std::to_string(options_.max_siblings) + ")"};
}

void Node::acknowledge_write(const Incoming& in, std::string_view reply_type,
                             const std::string& key, const Version& version, bool at_once,
                             ReplyFields fields) {
  const std::optional<std::uint64_t> echo = echo_of(in);
  auto send = [this, reply_type, echo, fields](std::string_view dest,
                                               const std::optional<std::string>& in_reply_to) {
    MessageBuilder m = outbox_.message(dest, reply_type, in_reply_to);
    if (echo) m.field_uint("incarnation", *echo);
    fields(m);
    outbox_.send(m);
  };
  // Every write is answered at once when one replica is enough.
  if (at_once || options_.write_quorum <= 1) {
    send(in.src, in.msg_id);
    return;
  }
  struct Reply {
    std::string dest;
    std::optional<std::string> in_reply_to;
  };
  const Reply reply{in.src, in.msg_id};
  replicator_.await_replicas(
      key, version, options_.write_quorum - 1,
      [this, send, reply, echo, op = in.type](bool reached, std::size_t holders) {
        if (reached) {
          send(reply.dest, reply.in_reply_to);
          return;
        }
        // Indefinite: the write is stored here and may still reach the others.
        MessageBuilder m = outbox_.message(reply.dest, "error", reply.in_reply_to);
        if (echo) m.field_uint("incarnation", *echo);
        m.field_uint("code", static_cast<std::uint64_t>(ErrorCode::kTimeout))
            .field_string("text", op + ": timed out after " +
                                      std::to_string(options_.replication.request_timeout_ms) +
                                      " ms: " + std::to_string(holders + 1) + " of the " +
                                      std::to_string(options_.write_quorum) +
                                      " replicas --write-quorum asks for hold the write; it is "
                                      "stored here and may still reach the others");
        outbox_.send(m);
      });
}

VCKV_HOT
void Node::handle_get(const Incoming& in, const MessageType& type) {
  const auto& get = std::get<GetRequest>(in.request);
  if (forward(in, type, get.key, nullptr)) return;
  const std::optional<std::uint64_t> echo = echo_of(in);
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug(in.type + " " + get.key + " from " + in.src + " " + at() + ": " +
               describe(store_.find(get.key)));
  }
  if (options_.read_quorum <= 1) {
    MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
    if (echo) m.field_uint("incarnation", *echo);
    read_fields(m, store_.find(get.key));
    outbox_.send(m);
    return;
  }
  // Read from the other replicas, merge what they hold, answer with the result.
  replicator_.read_from_peers(
      get.key, options_.read_quorum - 1, options_.codec,
      [this, key = get.key](const std::string& peer, const std::vector<Version>& versions) {
        merge_from_peer(peer, key, versions);
      },
      [this, key = get.key, dest = in.src, msg_id = in.msg_id, op = in.type, echo,
       reply_type = type.reply_type](bool reached, std::size_t answers) {
        if (!reached) {
          MessageBuilder m = outbox_.message(dest, "error", msg_id);
          if (echo) m.field_uint("incarnation", *echo);
          m.field_uint("code", static_cast<std::uint64_t>(ErrorCode::kTemporarilyUnavailable))
              .field_string("text", op + ": " + std::to_string(answers + 1) + " of the " +
                                        std::to_string(options_.read_quorum) +
                                        " replicas --read-quorum asks for answered within " +
                                        std::to_string(options_.replication.request_timeout_ms) +
                                        " ms");
          outbox_.send(m);
          return;
        }
        MessageBuilder m = outbox_.message(dest, reply_type, msg_id);
        if (echo) m.field_uint("incarnation", *echo);
        read_fields(m, store_.find(key));
        outbox_.send(m);
      });
}

std::size_t Node::merge_from_peer(const std::string& peer, const std::string& key,
                                  const std::vector<Version>& versions) {
  std::vector<VersionView> views;
  views.reserve(versions.size());
  for (const Version& v : versions) {
    const VersionView view = view_of(v);
    if (!reaped_.empty() && buried_after_reap(key, view)) continue;  // §16: reaped here
    views.push_back(view);
  }
  const std::size_t changed = views.empty() ? 0 : store_.merge_versions(key, views).size();
  if (changed) {
    this->changed(key);
    replicator_.merged_from_peer(key);
  }
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("fetched " + key + " from " + peer + " " + at() + ": " +
               std::to_string(versions.size()) + (versions.size() == 1 ? " version, " : " versions, ") +
               std::to_string(changed) + " new here");
  }
  return changed;
}

void Node::handle_sync(const Incoming& in, const MessageType& type) {
  const auto& sync = std::get<SyncRequest>(in.request);
  const std::size_t n = sync.versions.size();
  SyncDigest digest;  // the acknowledgement says what it acknowledges
  for (const KeyedVersion& kv : sync.versions) digest.add(kv.key, kv.version.clock.slots(), kv.version.dot);
  // A key's versions come side by side (a peer sends a key's siblings together): each run of
  // them is merged at once, in time that grows with the run as a sort does.
  std::vector<bool> stored(n, false);
  std::size_t changed = 0;
  std::vector<VersionView> run;
  for (std::size_t first = 0; first < n;) {
    const std::string& key = sync.versions[first].key;
    std::size_t end = first + 1;
    while (end < n && sync.versions[end].key == key) ++end;
    // With a ring a node holds only the keys it replicates (§14): a sync never carries
    // others between nodes that agree on the ring.
    if (ring_ && !ring_->is_replica(ring_->find_node(node_id_), key)) {
      log_.warn("sync from " + in.src + " carries " + key + ", which this node does not "
                "replicate; not stored (do the nodes run with the same --replicas and --vnodes?)");
      first = end;
      continue;
    }
    run.clear();
    std::vector<std::size_t> at;  // the sync's index of each version in run
    for (std::size_t i = first; i < end; ++i) {
      const VersionView v = view_of(sync.versions[i].version);
      // §16: what a key reaped here buries is not taken back (a replica that has not reaped
      // yet, or a late message).
      if (!reaped_.empty() && buried_after_reap(key, v)) continue;
      run.push_back(v);
      at.push_back(i);
    }
    bool key_changed = false;
    for (std::size_t i : run.empty() ? std::vector<std::size_t>() : store_.merge_versions(key, run)) {
      stored[at[i]] = true;
      ++changed;
      key_changed = true;
    }
    if (key_changed) {
      this->changed(key);
      replicator_.merged_from_peer(key);
    }
    first = end;
  }
  std::string listed;  // key@clock of each version (debug)
  const bool debug = log_.enabled(LogLevel::kDebug);
  constexpr std::size_t kListed = 20;
  for (std::size_t i = 0; debug && i < n && i < kListed; ++i) {
    const KeyedVersion& kv = sync.versions[i];
    listed += (i ? ", " : "") + kv.key + "@" + clock_json(kv.version.clock) +
              (stored[i] ? " (new)" : " (known)");
  }
  if (debug) {
    log_.debug("sync " + (in.msg_id ? *in.msg_id : std::string("-")) + " from " + in.src + " " +
               at() + ": " + std::to_string(n) + (n == 1 ? " version, " : " versions, ") +
               std::to_string(changed) + " changed the store" + (n ? ": " + listed : "") +
               (n > kListed ? ", and " + std::to_string(n - kListed) + " more" : ""));
  }
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  m.field_uint("incarnation", *in.incarnation)
      .field_uint("versions", digest.versions())
      .field_uint("digest", digest.value());
  outbox_.send(m);
}

void Node::handle_fetch(const Incoming& in, const MessageType& type) {
  const auto& fetch = std::get<GetRequest>(in.request);
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  Replicator::fetch_ok_fields(m, *in.incarnation, fetch.key, store_.find(fetch.key));
  outbox_.send(m);
}

void Node::handle_tree(const Incoming& in, const MessageType&) {
  replicator_.on_tree(in.src, std::get<TreeRequest>(in.request));
}

void Node::handle_tree_keys(const Incoming& in, const MessageType&) {
  replicator_.on_tree_keys(in.src, std::get<TreeKeysRequest>(in.request));
}

// --- §14: forwarding, hints, the node-local read ---

bool Node::forward(const Incoming& in, const MessageType& type, const std::string& key,
                   const Version* version) {
  if (!ring_ || in.src == node_id_ || is_member(in.src)) return false;  // (never forwarded twice)
  const Ring::ArcId arc = ring_->arc_of_key(key);
  if (ring_->is_replica(ring_->find_node(node_id_), arc)) return false;
  if (forwards_.size() >= kMaxForwards) {
    reply_error(in,
                Error{ErrorCode::kTemporarilyUnavailable,
                      in.type + ": " + std::to_string(kMaxForwards) +
                          " requests already wait on the replicas they were forwarded to"},
                node_id_);
    return true;
  }
  const std::uint64_t id = next_forward_++;
  Forward f;
  f.client = in.src;
  f.client_msg_id = in.msg_id;
  f.type = std::string(type.type);
  f.key = key;
  if (version) f.version = *version;
  if (const auto* write = std::get_if<WriteRequest>(&in.request); write && options_.server_clocks) {
    f.context = context_json(write->context);
  }
  f.replicas = ring_->ids(ring_->preference_list(arc));
  // A replica that left a forward unanswered and has not been heard from since goes last: a
  // partition or a crash would otherwise cost every request its share of the timeout there.
  std::stable_partition(f.replicas.begin(), f.replicas.end(),
                        [&](const std::string& r) { return unanswered_forwards_.count(r) == 0; });
  // §14, §17: a dvv write goes to one replica only (the one that may have issued its dot).
  if (options_.server_clocks && version) f.replicas.resize(1);
  f.deadline = scheduler_.now_ms() + options_.replication.request_timeout_ms;
  if (version) carried(key, f.deadline);  // (§16: sent to the replicas until then)
  forwards_.emplace(id, std::move(f));
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug(in.type + " " + key + " from " + in.src + " " + at() +
               ": not a replica here; forwarded");
  }
  try_forward(id);
  return true;
}

void Node::try_forward(std::uint64_t id) {
  const auto it = forwards_.find(id);
  if (it == forwards_.end()) return;
  Forward& f = it->second;
  const std::int64_t now = scheduler_.now_ms();
  if (f.tried >= f.replicas.size() || now >= f.deadline) {
    std::string names;
    for (std::size_t i = 0; i < f.tried; ++i) names += (i ? ", " : "") + f.replicas[i];
    MessageBuilder m = outbox_.message(f.client, "error", f.client_msg_id);
    m.field_uint("code", static_cast<std::uint64_t>(ErrorCode::kTimeout))
        .field_string("text", f.type + ": forwarded to the key's replicas (" + names +
                                  "); none answered within " +
                                  std::to_string(options_.replication.request_timeout_ms) + " ms");
    outbox_.send(m);
    forwards_.erase(it);
    return;
  }
  // Each replica left gets an equal share of the time left, the last one all of it; but a
  // replica that itself waits for a quorum (W or R above 1) may take until its stand-ins
  // answered (past half the timeout), so the first one asked then gets three quarters.
  const std::string replica = f.replicas[f.tried];
  const auto left = static_cast<std::int64_t>(f.replicas.size() - f.tried);
  const bool quorum = (f.version ? options_.write_quorum : options_.read_quorum) > 1;
  const std::int64_t share = left == 1                ? f.deadline - now
                             : quorum && f.tried == 0 ? (f.deadline - now) * 3 / 4
                                                      : (f.deadline - now) / left;
  const std::int64_t until = now + std::max<std::int64_t>(1, share);
  ++f.tried;
  MessageBuilder m = outbox_.message(replica, f.type);
  m.field_uint("incarnation", replicator_.incarnation()).field_json("key", f.key);
  if (f.version) {
    if (!f.version->tombstone()) m.field_json("value", f.version->value);
    if (options_.server_clocks) {
      m.field_json("context", f.context);
    } else {
      m.field_json("clock", clock_json(f.version->clock));
    }
  }
  f.in_flight = replicator_.send_request(replica, m, until, [this, id, replica](const Incoming* reply) {
    if (reply) {
      relay(id, *reply);
    } else {
      unanswered_forwards_.insert(replica);
      try_forward(id);
    }
  });
}

void Node::relay(std::uint64_t id, const Incoming& reply) {
  const auto it = forwards_.find(id);
  if (it == forwards_.end()) return;
  const Forward f = std::move(it->second);
  forwards_.erase(it);
  const JValue* status = reply.reply_body.find("status");
  if (f.tried > 1 && status && status->kind == JValue::Kind::String && status->text == "stale") {
    // The first replica may have applied the write before its answer was lost: "stale" may
    // describe this very write, so the outcome is unknown.
    MessageBuilder m = outbox_.message(f.client, "error", f.client_msg_id);
    m.field_uint("code", static_cast<std::uint64_t>(ErrorCode::kTimeout))
        .field_string("text", f.type + ": " + f.replicas[0] +
                                  " did not answer in time and may have applied it; " +
                                  reply.src + " answered stale");
    outbox_.send(m);
    return;
  }
  // The replica's answer, field for field, as this node's: its own msg_id, the client's
  // in_reply_to, and none of the node-to-node fields.
  MessageBuilder m = outbox_.message(f.client, reply.type, f.client_msg_id);
  const JValue& body = reply.reply_body;
  for (std::size_t i = 0; i < body.keys.size(); ++i) {
    const std::string& name = body.keys[i];
    if (name == "type" || name == "in_reply_to" || name == "msg_id" || name == "incarnation") {
      continue;
    }
    m.field_json(name, to_json(body.items[i]));
  }
  outbox_.send(m);
}

void Node::handle_local_get(const Incoming& in, const MessageType& type) {
  const auto& get = std::get<GetRequest>(in.request);
  std::string hints = "[";
  hints_.for_key(get.key, [this, &hints](const std::string& replica, VersionView v) {
    if (hints.size() > 1) hints += kJsonItemSeparator;
    hints += "{\"for\": ";
    append_json_string(hints, replica);
    if (!v.tombstone()) {
      hints += ", \"value\": ";
      hints.append(v.value);
    }
    if (options_.server_clocks) {
      hints += ", \"dot\": " + dot_json(v.dot) + ", \"version_vector\": " + vv_json(v.slots);
    } else {
      hints += ", \"clock\": " + clock_json(v.slots);
    }
    hints += v.tombstone() ? ", \"deleted\": true}" : "}";
  });
  hints += ']';
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  read_fields(m, store_.find(get.key));
  m.field_json("hints", hints);
  outbox_.send(m);
}

void Node::handle_tree_roots(const Incoming& in, const MessageType& type) {
  std::string roots = "{";
  std::string counts = "{";
  replicator_.for_each_tree([&](const std::string& peer, const HashTree& tree) {
    if (roots.size() > 1) {
      roots += kJsonItemSeparator;
      counts += kJsonItemSeparator;
    }
    append_json_string(roots, peer);
    roots += ": " + std::to_string(tree.root());
    append_json_string(counts, peer);
    counts += ": " + std::to_string(tree.key_count());
  });
  roots += '}';
  counts += '}';
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  m.field_json("roots", roots);
  m.field_json("counts", counts);
  m.field_json("hints", std::to_string(hints_.count()));
  outbox_.send(m);
}

void Node::handle_hint(const Incoming& in, const MessageType& type) {
  const auto& hint = std::get<SyncRequest>(in.request);
  if (hint.hint_for == node_id_ || !is_member(hint.hint_for)) {
    reply_error(in,
                Error{ErrorCode::kMalformedRequest,
                      in.type + ": for " + quoted(hint.hint_for) +
                          " names no other node of the cluster"},
                node_id_);
    return;
  }
  SyncDigest digest;
  for (const KeyedVersion& kv : hint.versions) digest.add(kv.key, kv.version.clock.slots(), kv.version.dot);
  // (--debug-forget-hints: acknowledged, never held.)
  std::vector<VersionView> run;
  for (std::size_t first = 0; first < hint.versions.size() && !options_.debug_forget_hints;) {
    const std::string& key = hint.versions[first].key;
    std::size_t end = first + 1;
    while (end < hint.versions.size() && hint.versions[end].key == key) ++end;
    run.clear();
    for (std::size_t i = first; i < end; ++i) {
      run.push_back(view_of(hint.versions[i].version));
    }
    if (!hints_.add(hint.hint_for, key, run)) {
      reply_error(in,
                  Error{ErrorCode::kPreconditionFailed,
                        in.type + ": this node holds " + std::to_string(hints_.bytes()) +
                            " bytes of hints; --max-hint-bytes " +
                            std::to_string(hints_.max_bytes()) + " leaves no room for more"},
                  node_id_);
      return;
    }
    // §14 with --data-dir: logged, so the hint_ok (released after the turn's commit) is
    // acknowledged only once the hint is on disk.
    durability_.record_hint(hint.hint_for, key, hints_.held(hint.hint_for, key));
    carried(key, scheduler_.now_ms());  // (§16: older hints it dominates left)
    first = end;
  }
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("hint from " + in.src + " for " + hint.hint_for + " " + at() + ": " +
               std::to_string(hint.versions.size()) + " versions; " +
               std::to_string(hints_.count()) + " hints held");
  }
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  m.field_uint("incarnation", *in.incarnation)
      .field_uint("versions", digest.versions())
      .field_uint("digest", digest.value());
  outbox_.send(m);
}

void Node::deliver_hints(const std::string& replica) {
  if (delivering_.count(replica)) return;
  const std::vector<HintStore::Held> held = hints_.for_replica(replica);
  if (held.empty()) return;
  // As one sync: the replica merges them as any versions a peer sends.
  MessageBuilder m = outbox_.message(replica, kSyncType);
  m.field_uint("incarnation", replicator_.incarnation()).begin_keyed_versions("versions");
  const std::size_t limit = options_.replication.max_message_bytes;
  const std::size_t target = limit > 1024 ? limit - 512 : limit;
  SyncDigest digest;
  std::vector<HintStore::Held> sent;
  for (const HintStore::Held& h : held) {
    const VersionView v = view_of(h.version);
    if (!sent.empty() && (sent.size() >= options_.replication.sync_batch_keys ||
                          m.size() + HintStore::cost(h.key, v) > target)) {
      break;
    }
    m.add_keyed_version(h.key, v);
    digest.add(h.key, v.slots, v.dot);
    sent.push_back(h);
  }
  m.end_keyed_versions();
  delivering_.insert(replica);
  replicator_.send_request(
      replica, m, scheduler_.now_ms() + options_.replication.request_timeout_ms,
      [this, replica, sent](const Incoming* reply) {
        delivering_.erase(replica);
        if (!reply || reply->type != kSyncOkType) return;  // offered again later
        for (const HintStore::Held& h : sent) {
          hints_.remove(replica, h.key, view_of(h.version));
          durability_.record_hint(replica, h.key, hints_.held(replica, h.key));
          carried(h.key, scheduler_.now_ms());  // (§16: a copy of the delivery may still travel)
        }
        if (log_.enabled(LogLevel::kDebug)) {
          log_.debug(std::to_string(sent.size()) + " hints delivered to " + replica + " " + at());
        }
        deliver_hints(replica);  // the rest, if any
      },
      [digest](const Incoming& reply) {
        if (reply.type != kSyncOkType) return true;
        const JValue* n = reply.reply_body.find("versions");
        const JValue* d = reply.reply_body.find("digest");
        return n && d && n->kind == JValue::Kind::Int && d->kind == JValue::Kind::Int &&
               n->text == std::to_string(digest.versions()) &&
               d->text == std::to_string(digest.value());
      });
}

}  // namespace vckv
