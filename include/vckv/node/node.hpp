// The node: reads one line at a time and dispatches it through the message table
// (node/messages.hpp) to its handler; holds the init state, the store and the replicator.
// It does no I/O of its own: output bytes go to a string the runtime writes out, time and
// timers come from a Scheduler. So tests (and a simulator) feed it lines on virtual time and
// compare bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vckv/cluster/replicator.hpp"
#include "vckv/node/durability.hpp"
#include "vckv/node/messages.hpp"
#include "vckv/runtime/log.hpp"
#include "vckv/runtime/scheduler.hpp"
#include "vckv/store/sibling_store.hpp"
#include "vckv/wire/codec.hpp"
#include "vckv/wire/outbox.hpp"

namespace vckv {

struct NodeOptions {
  std::size_t max_siblings = 100;  // a client write may leave at most this many (error 22)
  CodecLimits codec;
  ReplicationOptions replication;
  // docs/protocol.md §12: replicas (this one included) that must hold a client's write before
  // it is acknowledged, and that a get reads from.
  std::size_t write_quorum = 1;
  std::size_t read_quorum = 1;
  // §13: siblings (default) or last-writer-wins; and the broken variants for checker tests.
  ConflictRule conflict;
  // This process's incarnation (§11): every request it sends a peer carries it and every reply
  // must echo it, so that a restarted node never takes an answer meant for its earlier
  // process. The embedder draws it at random for each start (main from the operating system,
  // the simulator from its seed, so that a run replays); the node has no randomness of its own.
  std::uint64_t incarnation = 0;
  // §15: --data-dir and --fsync (node/durability.hpp). Without a data dir, no file is touched.
  DurabilityOptions durability;
};

class Node {
 public:
  // Output lines are appended to out. out, scheduler and log must outlive the node. fs is where
  // --data-dir lives (the binary's real files, the simulator's disk in memory); it must outlive
  // the node too, and may be null when no --data-dir is given.
  Node(NodeOptions options, std::string& out, Scheduler& scheduler, Logger& log,
       FileSystem* fs = nullptr);

  // Handles one input line (no newline, no trailing '\r'). Never throws: a failure inside a
  // handler becomes an error 13 reply and the node goes on. Once the data directory failed it
  // (stopped()), lines are ignored.
  void handle_line(std::string_view line, std::uint64_t line_number);

  bool initialised() const { return !node_id_.empty(); }
  const std::string& node_id() const { return node_id_; }
  const SiblingStore& store() const { return store_; }
  const Replicator& replicator() const { return replicator_; }
  // The data directory (§15). Its fatal handler is how an embedder learns that the node must
  // stop: the binary exits (kExitStorageFailure) without writing the turn's output.
  Durability& durability() { return durability_; }
  bool stopped() const { return durability_.failed(); }

 private:
  // The message table names the handlers.
  friend const MessageTable& message_table();
  void handle_init(const Incoming& in, const MessageType& type);
  void handle_put(const Incoming& in, const MessageType& type);
  void handle_resolve(const Incoming& in, const MessageType& type);
  void handle_get(const Incoming& in, const MessageType& type);
  void handle_sync(const Incoming& in, const MessageType& type);
  void handle_fetch(const Incoming& in, const MessageType& type);
  void handle_tree(const Incoming& in, const MessageType& type);
  void handle_tree_keys(const Incoming& in, const MessageType& type);

  // kv_put and kv_resolve: the same rule; status_written is what one remaining sibling reads.
  void handle_write(const Incoming& in, const MessageType& type, std::string_view status_written);
  void handle_unanswerable(const Unanswerable& u, std::uint64_t line_number);
  bool is_member(std::string_view id) const;
  bool may_send(const MessageType& type, std::string_view src) const;
  void log_line(LogLevel level, std::uint64_t line_number, std::string_view message);
  void reply_error(const Incoming& in, const Error& error, std::string_view src);
  // Merges versions a peer sent into the store; returns how many changed it.
  std::size_t merge_from_peer(const std::string& peer, const std::string& key,
                              const std::vector<Version>& versions);
  // Records the key's siblings in the data directory, if there is one.
  void changed(std::string_view key) {
    if (durability_.opened()) durability_.record_key(key, store_.find(key));
  }
  // "at 1234 ms" (debug logs)
  std::string at() const;

  NodeOptions options_;
  Scheduler& scheduler_;
  Logger& log_;
  Outbox outbox_;
  std::string node_id_;
  std::vector<std::string> node_ids_;
  SiblingStore store_;
  Replicator replicator_;
  Durability durability_;
  Decoded decoded_;  // the line being handled; kept so its buffers serve the next line too
};

}  // namespace vckv
