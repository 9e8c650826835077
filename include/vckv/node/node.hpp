// The node: reads one line at a time and dispatches it through the message table
// (node/messages.hpp) to its handler; holds the init state, the store and the replicator.
// It does no I/O of its own: output bytes go to a string the runtime writes out, time and
// timers come from a Scheduler. So tests (and a simulator) feed it lines on virtual time and
// compare bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vckv/cluster/hint_store.hpp"
#include "vckv/cluster/replicator.hpp"
#include "vckv/ring/ring.hpp"
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
  // §14: replicas per key (0, or at least the cluster's size: every node holds every key),
  // points per node on the ring, the bound on the hints this node holds as a stand-in, and a
  // broken variant for the checkers (a stand-in acknowledges hints and drops them).
  std::size_t replicas = 0;
  std::size_t vnodes = 64;
  std::size_t max_hint_bytes = 67108864;
  bool debug_forget_hints = false;
  // §16: a key holding only tombstones is reaped once every replica holds them, no node holds a
  // hint they dominate, and this long has passed since this node stored the newest of them;
  // it is also the longest a node-to-node message may take to arrive (docs/design.md). And a
  // broken variant for the checkers: reap as soon as this node holds only tombstones.
  std::int64_t tombstone_grace_ms = 60000;
  bool debug_reap_at_once = false;
  // §15: --data-dir and --fsync (node/durability.hpp). Without a data dir, no file is touched.
  DurabilityOptions durability;
  // §17: --clocks server: dvv_update / dvv_get / dvv_delete, the node issues dots (the store's
  // conflict mode is then ConflictMode::kDotted). And a broken variant for the checkers: dots
  // from an in-memory counter alone, so a restarted node issues dots again.
  bool server_clocks = false;
  bool debug_volatile_dot_counters = false;
};

class Node {
 public:
  // Output lines are appended to out. out, scheduler and log must outlive the node. fs is where
  // --data-dir lives (the binary's real files, the simulator's disk in memory); it must outlive
  // the node too, and may be null when no --data-dir is given.
  Node(NodeOptions options, std::string& out, Scheduler& scheduler, Logger& log,
       FileSystem* fs = nullptr);
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;
  ~Node();

  // Handles one input line (no newline, no trailing '\r'). Never throws: a failure inside a
  // handler becomes an error 13 reply and the node goes on. Once the data directory failed it
  // (stopped()), lines are ignored.
  void handle_line(std::string_view line, std::uint64_t line_number);

  bool initialised() const { return !node_id_.empty(); }
  const std::string& node_id() const { return node_id_; }
  const SiblingStore& store() const { return store_; }
  const Replicator& replicator() const { return replicator_; }
  // §14: the ring (nullptr when every node holds every key), and the hints held here.
  const Ring* ring() const { return ring_.get(); }
  const HintStore& hints() const { return hints_; }
  // §16: keys holding only tombstones, and reaping rounds under way (for tests).
  std::size_t tombstoned_keys() const { return tombstoned_.size(); }
  std::size_t reap_rounds() const { return reap_rounds_.size(); }
  // Client requests forwarded to a replica and not yet answered.
  std::size_t forwards_in_flight() const { return forwards_.size(); }
  // At most this many forwarded requests await their replica's answer; past it a request
  // that would be forwarded is answered with error 11 at once.
  static constexpr std::size_t kMaxForwards = std::size_t{1} << 16;
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
  void handle_delete(const Incoming& in, const MessageType& type);
  void handle_get(const Incoming& in, const MessageType& type);
  void handle_sync(const Incoming& in, const MessageType& type);
  void handle_fetch(const Incoming& in, const MessageType& type);
  void handle_tree(const Incoming& in, const MessageType& type);
  void handle_tree_keys(const Incoming& in, const MessageType& type);
  void handle_local_get(const Incoming& in, const MessageType& type);
  void handle_tree_roots(const Incoming& in, const MessageType& type);
  void handle_hint(const Incoming& in, const MessageType& type);
  void handle_reap_check(const Incoming& in, const MessageType& type);
  void handle_reap(const Incoming& in, const MessageType& type);
  // §17 (src/node/dvv.cpp).
  void handle_dvv_update(const Incoming& in, const MessageType& type);
  void handle_dvv_delete(const Incoming& in, const MessageType& type);
  void handle_dvv_get(const Incoming& in, const MessageType& type);

  // §14 forwarding: a client's request for a key this node does not replicate goes to the
  // key's replicas, one at a time; the first answer is relayed. True when it was forwarded
  // (or refused: too many in flight).
  bool forward(const Incoming& in, const MessageType& type, const std::string& key,
               const Version* version);
  void try_forward(std::uint64_t id);
  void relay(std::uint64_t id, const Incoming& reply);
  // Sends replica the hints held for it (one message in flight per replica).
  void deliver_hints(const std::string& replica);
  // The incarnation a reply to this request echoes: a request from a peer carries its own.
  std::optional<std::uint64_t> echo_of(const Incoming& in) const;

  // --- §17 server clocks (src/node/dvv.cpp) ---
  // dvv_update and dvv_delete: a new dot, the context as version vector.
  void handle_dvv_write(const Incoming& in, const MessageType& type);
  // A context's node ids as indexes: the version vector by node index (no trailing zeros), or
  // the id that is not a node of the cluster.
  std::optional<std::string> context_to_vv(const DvvContext& context,
                                           std::vector<std::uint64_t>& vv) const;
  // {"n1": 2, ...} in node id order, zeros left out; ["n1", 3].
  std::string vv_json(ClockSlots vv) const;
  std::string dot_json(Dot dot) const;
  // dvv_get_ok's fields: values, deleted (when there are tombstones), context.
  void dvv_read_fields(MessageBuilder& m, Siblings versions) const;
  // Why this node cannot start with init's node_ids (§17: server clocks in a cluster need a
  // log synced before every acknowledgement), or nothing.
  std::optional<std::string> cannot_start(const InitRequest& init) const;

  // A read's fields: kv_get_ok's values (and deleted), or with server clocks dvv_get_ok's.
  void read_fields(MessageBuilder& m, Siblings versions) const {
    if (options_.server_clocks) {
      dvv_read_fields(m, versions);
    } else {
      m.field_client_versions("values", versions);
    }
  }
  // Sends a client write's reply (fields adds its fields after the incarnation echo) now, or
  // once --write-quorum replicas hold version (error 0 at the timeout).
  // Error 22 for a client write that would leave more than --max-siblings (§7, §17).
  Error sibling_limit_error(const std::string& type, const std::string& key,
                            std::size_t siblings) const;
  using ReplyFields = std::function<void(MessageBuilder&)>;
  void acknowledge_write(const Incoming& in, std::string_view reply_type, const std::string& key,
                         const Version& version, bool at_once, ReplyFields fields);
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
  // Records the key's siblings in the data directory, if there is one, and notes whether it
  // holds only tombstones now (reaping, §16).
  void changed(std::string_view key) {
    const Siblings siblings = store_.find(key);  // one lookup for both
    if (durability_.opened()) durability_.record_key(key, siblings);
    note_tombstones(key, siblings);
  }

  // --- §16 reaping (src/node/reaping.cpp; the argument is docs/design.md's) ---
  using Clocks = std::vector<std::vector<std::uint64_t>>;
  // After a change of key: whether it holds only tombstones now, and since when.
  void note_tombstones(std::string_view key) { note_tombstones(key, store_.find(key)); }
  void note_tombstones(std::string_view key, Siblings siblings);  // siblings: the key's now
  void ensure_reap_timer();
  std::int64_t reap_period() const;  // between scans for due keys
  void reap_timer_by(std::int64_t at);
  // The timer: rounds to start, waits that ended, reaped clocks to forget.
  std::int64_t reap_tick(std::int64_t now);
  void start_reap_round(const std::string& key);
  void reap_answer(const std::string& key, std::uint64_t round, const std::string& peer,
                   const Incoming* reply);
  void finish_reap_round(const std::string& key);
  // What this node answers a reap_check of key's tombstones clocks with: whether it holds them
  // (a non-replica does), whether it holds a hint they bury, and for how long it has been clear
  // of them (docs/design.md: held and sent no version they dominate), in ms, capped.
  struct ReapAnswer {
    bool holds = false;
    bool hints = false;
    std::int64_t clear_ms = 0;
  };
  ReapAnswer reap_answer_for(const std::string& key, const Clocks& clocks) const;
  // A hint of key entered or left the hint store, or a client write of key is forwarded until
  // `until`: what this node sends of key meanwhile is not its store's (reaping's "clear").
  void carried(const std::string& key, std::int64_t until);
  // Removes key (which holds only tombstones, clocks) from the store and the log; remembers
  // the clocks for a while; tells the other replicas when told_by is empty.
  void reap(const std::string& key, const Clocks& clocks, std::string_view told_by);
  // Whether the reaped clocks of key bury v (a version arriving after the reap).
  bool buried_after_reap(const std::string& key, VersionView v) const;
  // The key's tombstone clocks when it holds only tombstones, else empty. With server clocks
  // (§17) each is the tombstone's version vector followed by its dot's node index and counter.
  Clocks tombstone_clocks(std::string_view key) const;
  // Those clocks (as reap messages carry them) as the tombstones they name.
  std::vector<VersionView> reaped_views(const std::vector<ClockSlots>& clocks) const;
  std::vector<std::string> other_nodes() const;
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
  std::unique_ptr<Ring> ring_;  // with --replicas N below the cluster's size
  HintStore hints_;
  std::set<std::string> delivering_;  // replicas a delivery of hints is in flight to
  Scheduler::TimerId hint_timer_ = 0;
  struct Forward {
    std::string client;
    std::optional<std::string> client_msg_id;
    std::string type;  // kv_put, kv_get, kv_resolve, kv_delete, dvv_update, dvv_get, dvv_delete
    std::string context;  // dvv_update and dvv_delete: the context as the replica is sent it
    std::string key;
    std::optional<Version> version;  // a write's
    std::vector<std::string> replicas;
    std::size_t tried = 0;  // replicas asked so far
    std::int64_t deadline = 0;
    std::uint64_t in_flight = 0;  // the msg_id of the forward awaiting its answer
  };
  std::map<std::uint64_t, Forward> forwards_;
  // Replicas a forward went unanswered by and that have not been heard from since: later
  // forwards ask them last (§14: the first replica the node can reach).
  std::set<std::string> unanswered_forwards_;
  std::uint64_t next_forward_ = 1;
  // §16. Keys holding only tombstones, with when this node last stored one of them.
  std::map<std::string, std::int64_t> tombstoned_;
  // A round asks every other node once; again, at a computed time, when some were not clear
  // for long enough yet (docs/design.md).
  struct ReapRound {
    Clocks clocks;            // the key's tombstones when the round started
    bool asking = false;      // an ask awaits answers (else: waiting until wait_until)
    std::int64_t asked_at = 0;
    std::int64_t wait_until = 0;
    std::size_t waiting = 0;  // answers still awaited
    bool refused = false;     // a node did not answer, does not hold them, or holds a hint
    bool too_soon = false;    // a node has not been clear for long enough
    std::int64_t clear_from = 0;  // the latest moment since which an answerer has been clear
    std::uint64_t id = 0;     // answers to an abandoned round are ignored
  };
  std::map<std::string, ReapRound> reap_rounds_;
  std::uint64_t next_reap_round_ = 1;
  std::string reap_cursor_;  // the key the last round started for
  // Reaped keys' clocks, kept for a while so that they are not taken back from a replica that
  // has not reaped them yet (or from a late message).
  struct Reaped {
    Clocks clocks;
    std::int64_t until = 0;
    std::int64_t clear_since = 0;  // this node has been clear of them since (reap_answer_for)
  };
  std::map<std::string, Reaped> reaped_;
  // Keys whose hints moved, or whose client writes were forwarded, lately: until when.
  std::map<std::string, std::int64_t> carried_;
  std::int64_t started_at_ = 0;  // init: this process sent nothing before (docs/design.md)
  std::int64_t next_reap_scan_ = 0;  // the timer looks for due keys no sooner
  bool reap_scan_full_ = false;      // the last scan found more due keys than rounds could start
  Scheduler::TimerId reap_timer_ = 0;
  std::int64_t reap_timer_at_ = 0;  // when it runs next
  bool reap_ticking_ = false;       // (it is running: it computes its next time itself)
  static constexpr std::size_t kMaxReapRounds = 256;  // rounds in flight at once
  // §17: this node's index in node_ids_, the node ids' indexes in id order (for rendering), and
  // per key the largest dot counter this node issued (kept when the key is reaped; logged).
  std::uint32_t self_index_ = 0;
  std::vector<std::uint32_t> ids_in_order_;
  std::unordered_map<std::string, std::uint64_t> dot_counters_;
  // Forwarded dvv writes taken (peer, incarnation, msg_id), oldest first with when: a copy the
  // network duplicated is not written twice.
  std::unordered_set<std::string> forwarded_writes_;
  std::deque<std::pair<std::int64_t, std::string>> forwarded_order_;
  void remember_forwarded(const std::string& id);
  Durability durability_;
  Decoded decoded_;  // the line being handled; kept so its buffers serve the next line too
};

}  // namespace vckv
