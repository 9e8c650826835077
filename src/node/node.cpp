#include "vckv/node/node.hpp"

#include <algorithm>
#include <exception>
#include <unordered_set>

#include "vckv/json/writer.hpp"

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

}  // namespace

Node::Node(NodeOptions options, std::string& out, Scheduler& scheduler, Logger& log)
    : options_(std::move(options)),
      log_(log),
      outbox_(out),
      replicator_(options_.replication, outbox_, scheduler, store_, log) {}

bool Node::is_member(std::string_view id) const {
  return std::find(node_ids_.begin(), node_ids_.end(), id) != node_ids_.end();
}

bool Node::may_send(const MessageType& type, std::string_view src) const {
  if (type.senders == kFromAnyone) return true;  // the common case: no membership lookup
  const bool peer = src != node_id_ && is_member(src);
  return (type.senders & (peer ? kFromPeers : kFromClients)) != 0;
}

void Node::log_line(LogLevel level, std::uint64_t line_number, std::string_view message) {
  if (!log_.enabled(level)) return;
  log_.log(level, "line " + std::to_string(line_number) + ": " + std::string(message));
}

void Node::reply_error(const Incoming& in, const Error& error, std::string_view src) {
  MessageBuilder m = outbox_.message_from(src, in.src, "error", in.msg_id);
  m.field_uint("code", static_cast<std::uint64_t>(error.code)).field_string("text", error.text);
  outbox_.send(m);
}

// The checks run in the order docs/protocol.md gives them: an envelope problem first, then
// replies, init, the type, the sender, and last the body's fields.
void Node::handle_line(std::string_view line, std::uint64_t line_number) {
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
                          client_message_types()},
                self);
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
    node_id_ = init.node_id;
    node_ids_ = init.node_ids;
    outbox_.set_self(node_id_);
    log_.set_node_id(node_id_);
    replicator_.start(node_id_, node_ids_);
    log_.info("initialised in a cluster of " + std::to_string(node_ids_.size()) +
              (options_.replication.enabled ? "" : " (replication disabled)"));
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

void Node::handle_write(const Incoming& in, const MessageType& type,
                        std::string_view status_written) {
  const auto& write = std::get<WriteRequest>(in.request);
  const ApplyResult result =
      store_.apply_client_write(write.key, write.version, options_.max_siblings);
  if (result.ruling == Ruling::kTooManySiblings) {
    reply_error(in,
                Error{ErrorCode::kPreconditionFailed,
                      in.type + ": key " + write.key + " would have " +
                          std::to_string(result.siblings) + " siblings, more than " +
                          "--max-siblings (" + std::to_string(options_.max_siblings) + ")"},
                node_id_);
    return;
  }
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  if (result.ruling == Ruling::kStale) {
    m.field_string("status", "stale");
  } else if (result.siblings == 1) {
    m.field_string("status", status_written);
  } else {
    m.field_string("status", "conflict").field_uint("siblings", result.siblings);
  }
  outbox_.send(m);
  if (result.changed()) replicator_.changed_by_client(write.key);
}

void Node::handle_get(const Incoming& in, const MessageType& type) {
  const auto& get = std::get<GetRequest>(in.request);
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  m.field_versions("values", store_.find(get.key));
  outbox_.send(m);
}

void Node::handle_sync(const Incoming& in, const MessageType& type) {
  const auto& sync = std::get<SyncRequest>(in.request);
  std::size_t changed = 0;
  for (const KeyedVersion& kv : sync.versions) {
    if (!store_.merge_version(kv.key, kv.version)) continue;
    ++changed;
    replicator_.changed_by_merge(in.src, kv.key);
  }
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug("sync from " + in.src + ": " + std::to_string(sync.versions.size()) +
               (sync.versions.size() == 1 ? " version, " : " versions, ") +
               std::to_string(changed) + " changed the store");
  }
  MessageBuilder m = outbox_.message(in.src, type.reply_type, in.msg_id);
  outbox_.send(m);
}

}  // namespace vckv
