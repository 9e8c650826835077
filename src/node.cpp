#include "vckv/node.hpp"

#include <algorithm>
#include <exception>
#include <unordered_set>

#include "vckv/json_text.hpp"

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
    if (i) out += ", ";
    append_json_string(out, items[i]);
  }
  out += ']';
  return out;
}

}  // namespace

Node::Node(NodeOptions options, std::string& out, Logger& log)
    : options_(std::move(options)), out_(out), log_(log) {}

std::size_t Node::syncs_in_flight() const {
  std::size_t n = 0;
  for (const auto& [id, peer] : peers_) n += peer.in_flight.size();
  return n;
}

bool Node::is_peer(std::string_view id) const {
  return id != node_id_ && std::find(node_ids_.begin(), node_ids_.end(), id) != node_ids_.end();
}

void Node::log_line(LogLevel level, std::uint64_t line_number, std::string_view message) {
  if (!log_.enabled(level)) return;
  log_.log(level, "line " + std::to_string(line_number) + ": " + std::string(message));
}

MessageBuilder Node::start(std::string_view src, std::string_view dest, std::string_view type,
                           const std::optional<std::string>& in_reply_to) {
  return MessageBuilder(out_, src, dest, type, in_reply_to);
}

void Node::reply_error(const Incoming& in, const Error& error, std::string_view src) {
  MessageBuilder m = start(src, in.src, "error", in.msg_id);
  m.field_uint("code", static_cast<std::uint64_t>(error.code)).field_string("text", error.text);
  finish(m);
}

void Node::handle_line(std::string_view line, std::uint64_t line_number) {
  Decoded& decoded = decoded_;
  decode_line(line, options_.codec, decoded,
              KeyAhead{[](const void* store, std::string_view key) {
                         static_cast<const SiblingStore*>(store)->prefetch(key);
                       },
                       &store_});
  if (const auto* u = std::get_if<Unanswerable>(&decoded)) {
    handle_unanswerable(*u, line_number);
    return;
  }
  const Incoming& in = std::get<Incoming>(decoded);
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
  if (in.envelope_error) {
    reply_error(in, *in.envelope_error, self);
    return;
  }
  if (in.is_reply) {
    handle_reply(in);
    return;
  }
  if (!initialised() && in.type != "init") {
    reply_error(in,
                Error{ErrorCode::kTemporarilyUnavailable,
                      in.type + ": node is not initialised; send init first"},
                self);
    return;
  }
  // Node-to-node messages come only from the other cluster members; a client cannot slip
  // versions past the stale rule and the sibling limit.
  if (in.type == "sync" && !is_peer(in.src)) {
    reply_error(in,
                Error{ErrorCode::kNotSupported,
                      "sync: only accepted from other nodes of the cluster, not " + quoted(in.src)},
                self);
    return;
  }
  if (in.request_error) {
    reply_error(in, *in.request_error, self);
    return;
  }
  try {
    dispatch(in);
  } catch (const std::exception& e) {
    log_line(LogLevel::kError, line_number, in.type + " failed: " + e.what());
    reply_error(in, Error{ErrorCode::kCrash, in.type + ": internal error: " + e.what()}, self);
  }
}

void Node::handle_unanswerable(const Unanswerable& u, std::uint64_t line_number) {
  log_line(LogLevel::kWarn, line_number, u.reason + "; skipped");
  if (!u.detail.empty()) log_line(LogLevel::kDebug, line_number, u.detail);
}

void Node::dispatch(const Incoming& in) {
  // The handler table: one entry per request type (codec.cpp decodes exactly these).
  static const std::pair<std::string_view, Handler> kHandlers[] = {
      {"init", &Node::handle_init},      {"kv_put", &Node::handle_write},
      {"kv_resolve", &Node::handle_write}, {"kv_get", &Node::handle_get},
      {"sync", &Node::handle_sync},
  };
  for (const auto& [type, handler] : kHandlers) {
    if (type == in.type) {
      (this->*handler)(in);
      return;
    }
  }
  // The codec reports unknown types as errors; reaching here means the two disagree.
  reply_error(in, Error{ErrorCode::kCrash, in.type + ": no handler"}, node_id_);
}

void Node::handle_init(const Incoming& in) {
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
    node_id_ = init.node_id;
    node_ids_ = init.node_ids;
    log_.set_node_id(node_id_);
    if (options_.replicate) {
      for (const std::string& id : node_ids_) {
        if (id != node_id_) peers_[id].retry_ms = options_.sync_retry_ms;
      }
    }
    log_.info("initialised in a cluster of " + std::to_string(node_ids_.size()) +
              (options_.replicate ? "" : " (replication disabled)"));
  }
  MessageBuilder m = start(node_id_, in.src, "init_ok", in.msg_id);
  finish(m);
}

void Node::handle_write(const Incoming& in) {
  const auto& write = std::get<WriteRequest>(in.request);
  const WriteOutcome outcome =
      store_.apply_client_write(write.key, write.version, options_.max_siblings);
  if (outcome.status == WriteStatus::kTooManySiblings) {
    reply_error(in,
                Error{ErrorCode::kPreconditionFailed,
                      in.type + ": key " + write.key + " would have " +
                          std::to_string(outcome.siblings) + " siblings, more than " +
                          "--max-siblings (" + std::to_string(options_.max_siblings) + ")"},
                node_id_);
    return;
  }
  MessageBuilder m = start(node_id_, in.src, reply_type(in.type), in.msg_id);
  switch (outcome.status) {
    case WriteStatus::kWritten:
      m.field_string("status", in.type == "kv_resolve" ? "resolved" : "written");
      break;
    case WriteStatus::kConflict:
      m.field_string("status", "conflict").field_uint("siblings", outcome.siblings);
      break;
    case WriteStatus::kStale:
    case WriteStatus::kTooManySiblings:
      m.field_string("status", "stale");
      break;
  }
  finish(m);
  if (outcome.changed) mark_changed(write.key);
}

void Node::handle_get(const Incoming& in) {
  const auto& get = std::get<GetRequest>(in.request);
  static const SiblingSet kNone;
  const SiblingSet* siblings = store_.find(get.key);
  MessageBuilder m = start(node_id_, in.src, reply_type(in.type), in.msg_id);
  m.field_versions("values", siblings ? *siblings : kNone);
  finish(m);
}

void Node::handle_sync(const Incoming& in) {
  const auto& sync = std::get<SyncRequest>(in.request);
  std::size_t changed = 0;
  for (const KeyedVersion& kv : sync.versions) {
    if (!store_.merge_version(kv.key, kv.version)) continue;
    ++changed;
    for (auto& [id, peer] : peers_) {
      if (id != in.src) peer.forward.insert(kv.key);
    }
  }
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("sync from " + in.src + ": " + std::to_string(sync.versions.size()) +
               " versions, " + std::to_string(changed) + " changed the store");
  }
  MessageBuilder m = start(node_id_, in.src, "sync_ok", in.msg_id);
  finish(m);
}

void Node::handle_reply(const Incoming& in) {
  // The only replies a node awaits are sync_ok from its peers; anything else is ignored.
  auto peer = peers_.find(in.src);
  if (in.type != "sync_ok" || peer == peers_.end() || !in.in_reply_to) return;
  if (peer->second.in_flight.erase(*in.in_reply_to) > 0) {
    peer->second.retry_ms = options_.sync_retry_ms;
  }
}

void Node::mark_changed(const std::string& key) {
  for (auto& [id, peer] : peers_) peer.dirty.insert(key);
}

void Node::send_sync(const std::string& peer_id, Peer& peer, std::vector<std::string> keys,
                     std::int64_t now_ms) {
  std::vector<KeyedVersion> versions;
  for (const std::string& key : keys) {
    if (const SiblingSet* siblings = store_.find(key)) {
      for (VersionView v : *siblings) {
        versions.push_back(KeyedVersion{key, Version{std::string(v.value), v.clock()}});
      }
    }
  }
  const std::uint64_t id = next_msg_id_;
  MessageBuilder m = start(node_id_, peer_id, "sync", std::nullopt);
  m.field_keyed_versions("versions", versions);
  finish(m);
  peer.in_flight.emplace(id, InFlightSync{std::move(keys), now_ms});
}

void Node::send_pending_syncs(std::int64_t now_ms) {
  for (auto& [id, peer] : peers_) {
    if (peer.dirty.empty()) continue;
    std::vector<std::string> keys(peer.dirty.begin(), peer.dirty.end());
    peer.dirty.clear();
    // Sorted so that a run is reproducible whatever the hash order.
    std::sort(keys.begin(), keys.end());
    const std::size_t batch = std::max<std::size_t>(1, options_.sync_batch_keys);
    for (std::size_t i = 0; i < keys.size(); i += batch) {
      const auto first = keys.begin() + static_cast<std::ptrdiff_t>(i);
      const auto last = keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), i + batch));
      send_sync(id, peer, std::vector<std::string>(first, last), now_ms);
    }
  }
}

std::int64_t Node::forward_merged_versions(std::int64_t now_ms) {
  for (auto& [id, peer] : peers_) {
    peer.dirty.merge(peer.forward);
    peer.forward.clear();
  }
  send_pending_syncs(now_ms);
  return options_.forward_interval_ms;
}

std::int64_t Node::retry_unacknowledged_syncs(std::int64_t now_ms) {
  std::int64_t next = options_.sync_retry_ms;
  for (auto& [id, peer] : peers_) {
    bool timed_out = false;
    for (auto it = peer.in_flight.begin(); it != peer.in_flight.end();) {
      const std::int64_t due = it->second.sent_at_ms + peer.retry_ms;
      if (due <= now_ms) {
        // Resend the keys' current siblings: they are the lost versions or dominate them.
        for (std::string& key : it->second.keys) peer.dirty.insert(std::move(key));
        it = peer.in_flight.erase(it);
        timed_out = true;
      } else {
        next = std::min(next, due - now_ms);
        ++it;
      }
    }
    if (timed_out) peer.retry_ms = std::min(peer.retry_ms * 2, options_.sync_retry_ms * 8);
  }
  send_pending_syncs(now_ms);
  return std::max<std::int64_t>(1, next);
}

}  // namespace vckv
