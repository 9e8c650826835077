// The node: init state, the handler table, message numbering and replication to peers.
// It reads lines and appends output bytes to a string; it does no I/O of its own, so tests
// feed it lines and compare bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vckv/codec.hpp"
#include "vckv/log.hpp"
#include "vckv/sibling_store.hpp"

namespace vckv {

struct NodeOptions {
  std::size_t max_siblings = 100;
  CodecLimits codec;
  // Replication (PROTOCOL §11).
  bool replicate = true;            // false only to show the cluster checker can fail
  std::size_t sync_batch_keys = 256;  // keys per sync message
  std::int64_t sync_retry_ms = 100;   // an unacknowledged sync is sent again after this
  std::int64_t forward_interval_ms = 1000;  // versions merged from a peer go on to the others
};

class Node {
 public:
  // Output lines are appended to out; the caller writes them out.
  Node(NodeOptions options, std::string& out, Logger& log);

  // Handles one input line (no newline, no trailing '\r'). Never throws: a failure inside a
  // handler becomes an error 13 reply and the node goes on.
  void handle_line(std::string_view line, std::uint64_t line_number);

  // Sends every key changed since the last call to the peers that lack it, in batches. Called
  // once per drained input chunk, so a client write reaches the peers at once.
  void send_pending_syncs(std::int64_t now_ms);
  // Anti-entropy: syncs unacknowledged for sync_retry_ms are sent again (with the keys' current
  // siblings). Returns the delay in ms until it should run again.
  std::int64_t retry_unacknowledged_syncs(std::int64_t now_ms);
  // Versions merged from one peer are passed on to the other peers, batched, once per
  // forward_interval_ms: if the node that took a client write stops before every peer has
  // it, the replicas that hold it still bring the rest up to date. Returns the next delay.
  std::int64_t forward_merged_versions(std::int64_t now_ms);

  bool initialised() const { return !node_id_.empty(); }
  const std::string& node_id() const { return node_id_; }
  const SiblingStore& store() const { return store_; }
  std::uint64_t messages_sent() const { return next_msg_id_; }
  // Syncs sent and not yet acknowledged, over all peers.
  std::size_t syncs_in_flight() const;

 private:
  using Handler = void (Node::*)(const Incoming&);

  struct InFlightSync {
    std::vector<std::string> keys;
    std::int64_t sent_at_ms;
  };
  struct Peer {
    std::unordered_set<std::string> dirty;            // keys the peer may lack
    std::unordered_set<std::string> forward;          // merged from another peer; sent lazily
    std::map<std::uint64_t, InFlightSync> in_flight;  // by msg_id, oldest first
    // Grows (to 8x sync_retry_ms) while the peer does not answer, so a partition does not
    // turn into a resend storm; any sync_ok resets it.
    std::int64_t retry_ms = 0;
  };

  void dispatch(const Incoming& in);
  bool is_peer(std::string_view id) const;
  void log_line(LogLevel level, std::uint64_t line_number, std::string_view message);
  void handle_init(const Incoming& in);
  void handle_write(const Incoming& in);
  void handle_get(const Incoming& in);
  void handle_sync(const Incoming& in);
  void handle_reply(const Incoming& in);
  void handle_unanswerable(const Unanswerable& u, std::uint64_t line_number);

  MessageBuilder start(std::string_view src, std::string_view dest, std::string_view type,
                       const std::optional<std::string>& in_reply_to);
  // The one place messages are numbered.
  void finish(MessageBuilder& message) { message.finish(next_msg_id_++); }
  void reply_error(const Incoming& in, const Error& error, std::string_view src);
  // The key changed through a client write: every peer may lack it now.
  void mark_changed(const std::string& key);
  void send_sync(const std::string& peer_id, Peer& peer, std::vector<std::string> keys,
                 std::int64_t now_ms);

  NodeOptions options_;
  std::string& out_;
  Logger& log_;
  std::string node_id_;
  std::vector<std::string> node_ids_;
  std::unordered_map<std::string, Peer> peers_;
  SiblingStore store_;
  std::uint64_t next_msg_id_ = 0;
  Decoded decoded_;  // the line being handled; kept so its buffers serve the next line too
};

}  // namespace vckv
