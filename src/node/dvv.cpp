// Server-assigned clocks (docs/protocol.md §17): dvv_update, dvv_delete and dvv_get. The node
// issues each write a dot, [this node, the next counter for the key], and takes the client's
// context as the write's version vector; the store's dotted conflict mode (store/
// conflict_rules.hpp) does the rest. Versions keep their dots and vectors by node index; they
// are rendered by node id here, with the ids in UTF-8 byte order.
#include <algorithm>
#include <limits>

#include "vckv/json/writer.hpp"
#include "vckv/node/node.hpp"
#include "vckv/wire/clock_json.hpp"

namespace vckv {

std::optional<std::string> Node::cannot_start(const InitRequest& init) const {
  if (!options_.server_clocks || init.node_ids.size() <= 1) return std::nullopt;
  if (!options_.durability.data_dir.empty() &&
      options_.durability.store.fsync == FsyncPolicy::kBatch) {
    return std::nullopt;
  }
  return "init: --clocks server in a cluster needs --data-dir DIR with --fsync batch: a "
         "restarted node must never issue a dot it issued before (docs/protocol.md §17)";
}

std::optional<std::string> Node::context_to_vv(const DvvContext& context,
                                               std::vector<std::uint64_t>& vv) const {
  vv.assign(node_ids_.size(), 0);
  for (const auto& [id, n] : context) {
    const auto it = std::find(node_ids_.begin(), node_ids_.end(), id);
    if (it == node_ids_.end()) return id;
    vv[static_cast<std::size_t>(it - node_ids_.begin())] = n;
  }
  while (!vv.empty() && vv.back() == 0) vv.pop_back();
  return std::nullopt;
}

std::string Node::vv_json(ClockSlots vv) const {
  std::string out = "{";
  for (const std::uint32_t i : ids_in_order_) {
    if (i >= vv.size() || vv[i] == 0) continue;
    if (out.size() > 1) out += kJsonItemSeparator;
    append_json_string(out, node_ids_[i]);
    out += kJsonKeySeparator;
    out += std::to_string(vv[i]);
  }
  out += '}';
  return out;
}

std::string Node::dot_json(Dot dot) const {
  std::string out = "[";
  append_json_string(out, dot.node < node_ids_.size() ? node_ids_[dot.node] : std::string());
  out += kJsonItemSeparator;
  out += std::to_string(dot.counter);
  out += ']';
  return out;
}

void Node::dvv_read_fields(MessageBuilder& m, Siblings versions) const {
  std::string values = "[", deleted = "[";
  std::vector<std::uint64_t> context(node_ids_.size(), 0);
  for (VersionView v : versions) {
    std::string& list = v.tombstone() ? deleted : values;
    if (list.size() > 1) list += kJsonItemSeparator;
    list += '{';
    if (!v.tombstone()) {
      list += "\"value\": ";
      list.append(v.value);
      list += kJsonItemSeparator;
    }
    list += "\"dot\": " + dot_json(v.dot) + ", \"version_vector\": " + vv_json(v.slots) + "}";
    for (std::size_t i = 0; i < v.slots.size() && i < context.size(); ++i) {
      context[i] = std::max(context[i], v.slots[i]);
    }
    if (v.dot.node < context.size()) {
      context[v.dot.node] = std::max(context[v.dot.node], v.dot.counter);
    }
  }
  m.field_json("values", values + "]");
  if (deleted.size() > 1) m.field_json("deleted", deleted + "]");
  m.field_json("context", vv_json(ClockSlots(context)));
}

void Node::remember_forwarded(const std::string& id) {
  // Kept while a copy may still arrive: no node-to-node message is later than the grace
  // period (§16's one assumption), nor is a forward older than its request timeout resent;
  // and at most kMaxForwards of them.
  const std::int64_t now = scheduler_.now_ms();
  const std::int64_t keep = options_.tombstone_grace_ms + options_.replication.request_timeout_ms;
  while (!forwarded_order_.empty() &&
         (forwarded_order_.size() >= kMaxForwards || forwarded_order_.front().first + keep <= now)) {
    forwarded_writes_.erase(forwarded_order_.front().second);
    forwarded_order_.pop_front();
  }
  forwarded_writes_.insert(id);
  forwarded_order_.emplace_back(now, id);
}

void Node::handle_dvv_update(const Incoming& in, const MessageType& type) {
  handle_dvv_write(in, type);
}

void Node::handle_dvv_delete(const Incoming& in, const MessageType& type) {
  handle_dvv_write(in, type);
}

// Reads go the kv_get way (forwarding, read quorum, read repair); only the reply's fields differ.
void Node::handle_dvv_get(const Incoming& in, const MessageType& type) { handle_get(in, type); }

void Node::handle_dvv_write(const Incoming& in, const MessageType& type) {
  const auto& write = std::get<WriteRequest>(in.request);
  std::vector<std::uint64_t> vv;
  if (const auto unknown = context_to_vv(write.context, vv)) {
    std::string text = in.type + ": context names ";
    append_json_string(text, *unknown);
    text += ", which is not a node of this cluster";
    reply_error(in, Error{ErrorCode::kMalformedRequest, text}, node_id_);
    return;
  }
  // §14: only a replica of the key issues its dots; a forwarded write is never retried.
  if (forward(in, type, write.key, &write.version)) return;
  // A write a peer forwarded, which the network delivered twice: the second copy would be a
  // second dot for the same write (a false sibling of it). It is not written again, nor answered:
  // the first copy's answer (sent once W replicas hold it) is the one the peer waits for.
  std::string forwarded;
  if (in.msg_id && in.incarnation && in.src != node_id_ && is_member(in.src)) {
    forwarded = in.src + ' ' + std::to_string(*in.incarnation) + ' ' + *in.msg_id;
    if (forwarded_writes_.count(forwarded)) {
      if (log_.enabled(LogLevel::kDebug)) {
        log_.debug(in.type + " " + write.key + " forwarded by " + in.src + " " + at() +
                   ": a copy of one taken already (msg_id " + *in.msg_id + "); ignored");
      }
      return;
    }
  }
  Version version{write.version.value, VectorClock(std::move(vv)), Dot{}};
  // m: the largest counter this node issued or has seen for the key (its record, the stored
  // dots and version vectors, the context).
  // (One lookup for a key seen before: the iterator sets the record once the write is taken.)
  const auto record = dot_counters_.find(write.key);
  std::uint64_t m = record != dot_counters_.end() ? record->second : 0;
  if (!options_.debug_volatile_dot_counters) {
    for (VersionView s : store_.find(write.key)) {
      if (s.dot.node == self_index_) m = std::max(m, s.dot.counter);
      if (self_index_ < s.slots.size()) m = std::max(m, s.slots[self_index_]);
    }
    m = std::max(m, version.clock.at(self_index_));
  }
  if (m == std::numeric_limits<std::uint64_t>::max()) {
    reply_error(in,
                Error{ErrorCode::kPreconditionFailed,
                      in.type + ": no dot left for key " + write.key + " at " + node_id_ +
                          " (its counter is " + std::to_string(m) + ")"},
                node_id_);
    return;
  }
  version.dot = Dot{self_index_, m + 1};
  if (node_ids_.size() > 1 && !replicator_.carriable(write.key, view_of(version))) {
    const std::size_t limit = options_.replication.max_message_bytes;
    reply_error(in,
                Error{ErrorCode::kPreconditionFailed,
                      in.type + ": key, value and context take more than fits in a message to "
                                "the other nodes (--max-line-bytes " +
                          std::to_string(limit) + "): it could never reach them"},
                node_id_);
    return;
  }
  const ApplyResult result =
      store_.apply_client_write(write.key, version, options_.max_siblings);
  if (log_.enabled(LogLevel::kDebug)) {
    log_.debug(in.type + " " + write.key + " context " + vv_json(version.clock.slots()) +
               " from " + in.src + " " + at() + ": " +
               (result.ruling == Ruling::kTooManySiblings
                    ? "refused, " + std::to_string(result.siblings) + " siblings"
                    : "dot " + dot_json(version.dot) + ", " + std::to_string(result.siblings) +
                          (result.siblings == 1 ? " sibling" : " siblings")));
  }
  if (result.ruling == Ruling::kTooManySiblings) {
    reply_error(in, sibling_limit_error(in.type, write.key, result.siblings), node_id_);
    return;
  }
  // The counter is on disk before the version that carries its dot, and both before the reply
  // (§15's group commit): a restarted node never issues the dot again.
  if (record != dot_counters_.end()) {
    record->second = version.dot.counter;
  } else {
    dot_counters_.emplace(write.key, version.dot.counter);
  }
  if (!options_.debug_volatile_dot_counters) {
    durability_.record_dot_counter(write.key, version.dot.counter);
  }
  if (result.changed()) {
    changed(write.key);
    replicator_.changed_by_client(write.key);
  }
  if (!forwarded.empty()) remember_forwarded(forwarded);
  const std::string dot = dot_json(version.dot), vector = vv_json(version.clock.slots());
  acknowledge_write(in, type.reply_type, write.key, version, false,
                    [dot, vector](MessageBuilder& reply) {
                      reply.field_json("dot", dot).field_json("version_vector", vector);
                    });
}

}  // namespace vckv
