// The deterministic cluster simulator: N vclock-kv Nodes in one process on one virtual clock,
// driving the cluster model (maelstrom/model/): its network (latency, reordering, duplication,
// loss, partitions), its fault schedule (kills restart empty + init, docs/protocol.md §12;
// pauses), its read-modify-write clients, and, once everything healed and the replicas' stores
// agree (or a limit passed), its checker on the final states. The parts: world.hpp (what they
// share), network.cpp, faults.cpp, clients.cpp, losses.cpp (lost writes explained by kills),
// simulation.cpp (the run loop).
//
// Every choice comes from the seed through model::Rng, ties in the event queue go by a
// sequence number, and nothing reads real time, so a seed replays byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/check/checker.hpp"
#include "model/faults/fault.hpp"
#include "vckv/node/node.hpp"
#include "vckv/storage/memory_file_system.hpp"

namespace vckv::sim {

using Micros = std::int64_t;  // virtual microseconds since the start of the run

// The faults a run may inject (model/faults/fault.hpp): node faults (partition, kill, pause)
// take turns in fault periods; message faults (drop, duplicate, reorder) apply to node-to-node
// messages for the whole workload. "partition,kill,pause,drop,duplicate,reorder" in any order,
// "all", or "none"; the list comes back in that canonical order. nullopt and `error` set on an
// unknown or repeated item.
std::optional<std::vector<model::FaultKind>> parse_faults(const std::string& text, std::string& error);
// The canonical list, or "none".
std::string faults_name(const std::vector<model::FaultKind>& faults);

struct SimConfig {
  std::size_t nodes = 5;
  Micros time_limit = 30'000'000;  // the workload (and the faults)
  double rate = 60;                // client requests per virtual second, over all clients
  std::size_t clients = 5;
  std::size_t keys = 10;
  std::vector<model::FaultKind> faults;  // canonical order (parse_faults)
  Micros fault_interval = 3'000'000;  // healthy, a fault, healthy, ... (like the harness)
  std::vector<std::string> partition_shapes;  // isolated, halves, majorities-ring; empty: all
  Micros latency = 2'000;          // mean one-way delay; each message draws from [L/2, 3L/2]
  // Between clients and nodes; negative: the same as latency. (Clients near their node and
  // peers far away widen the window in which a write is acknowledged but on no peer yet.)
  Micros client_latency = -1;
  std::uint32_t drop_ppm = 20'000;       // per node-to-node message, with drop
  std::uint32_t duplicate_ppm = 20'000;  // with duplicate
  std::uint32_t reorder_ppm = 100'000;   // with reorder: delayed by up to reorder_max more
  Micros reorder_max = 100'000;
  // A kill is a machine crash: what the node sent that has not arrived yet is lost with it
  // (false: a process crash, as in the harness, where lines written before the kill arrive).
  bool kill_loses_in_flight = true;
  Micros client_timeout = 1'500'000;  // a request unanswered this long is indeterminate
  std::uint32_t blind_write_ppm = 100'000;  // writes without a read first (harness: 0.1)
  std::uint32_t other_node_ppm = 750'000;   // a write sent to another node than the read's
  std::uint32_t delete_ppm = 0;             // writes after a read that are deletes (§16)
  Micros convergence_check = 1'000;  // after the heal, the stores are compared this often
  Micros recovery_limit = 30'000'000;  // ... until they agree or this long has passed
  std::vector<std::string> node_args;  // the node binary's own options (--write-quorum=3)
  // Read from node_args by read_command_line (configure()); vckv-sim's --replicas and --vnodes
  // then set node.replicas and node.vnodes, which also give the run its ring (world.hpp).
  NodeOptions node;
  // The nodes' --tombstone-grace-ms when node_args name it (configure()). With deletes and a
  // grace no longer than the recovery limit, the recovery also waits until every node has reaped
  // every key holding only tombstones (or the limit passes), so a run ends with its reaps done.
  std::optional<Micros> tombstone_grace;
  bool await_reaps() const { return delete_ppm > 0 && tombstone_grace && *tombstone_grace <= recovery_limit; }
  // §15, when node_args name --data-dir (configure() sets disks): every node keeps its store on
  // a simulated disk of its own (storage/memory_file_system.hpp) that outlives its kills. A
  // kill is a process crash (what was written survives) or, power_loss_ppm of them, a power
  // loss (what was not fdatasynced is lost, kept or torn); disk-loss wipes the disk. The disks'
  // own faults (torn writes, sync latency charged to the turn's output) are in disk.
  bool disks = false;
  std::uint32_t power_loss_ppm = 0;
  // Latent corruption (--bit-flips): after this share of kills, one bit of the killed node's
  // disk, at a seeded place among all its stored bytes, is flipped before it restarts; its
  // recovery finds the damaged record by its checksum (docs/protocol.md §15).
  std::uint32_t bit_flip_ppm = 0;
  // --io-errors: this share of the disks' appends and fdatasyncs fail with EIO until the final
  // heal (disk.append_error_per_million and sync_error_per_million). A node stops at its first
  // (the binary exits 74 without releasing that turn's replies); the simulator takes it down as
  // after a power loss and restarts it 0.1 to 1 virtual s later.
  std::uint32_t io_error_ppm = 0;
  // With disks, > 0: the nodes compact their data directories once the files pass this many
  // bytes (and twice the live data), a copy step reading an eighth of it; at each start a node
  // draws whether a compaction of up to twice it runs whole in one turn or over several. A few
  // KiB makes every run compact, under every fault. 0: the node's defaults (16 MiB: never here).
  std::uint64_t compaction_bytes = 0;
  SimulatedDiskOptions disk;
  // Server-assigned clocks (docs/protocol.md §17; vckv-sim --clocks server, which also gives
  // the nodes --clocks=server): the clients plan dvv_get / dvv_update / dvv_delete, the first
  // blind_writers of them (c1..cK) with an empty context always, and the checker applies the
  // dvv rules to the writes and every answered dvv_get.
  bool server_clocks = false;
  std::size_t blind_writers = 0;

  bool has(model::FaultKind k) const;
};

// --tombstone-grace-ms in node arguments ("--tombstone-grace-ms=N" or "--tombstone-grace-ms N",
// the last one given), in virtual microseconds; nullopt when absent or not a number.
std::optional<Micros> tombstone_grace_from(const std::vector<std::string>& node_args);

// Reads config.node_args into config.node as the binary would. False and `error` set when
// the node would refuse them.
bool configure(SimConfig& config, std::string& error);

// One-line form of a lost write's fate, as far as the kills explain it.
enum class LossExplanation {
  kNone,            // no kill explains it: a bug (or a fault the simulator does not model)
  kDiedBeforeLeft,  // acknowledged by a node killed before any other node held the version
  kHoldersDied,     // every node holding it was killed before it spread further
};

struct SeedStats {
  std::uint64_t client_ops = 0;        // completed: answered or timed out
  std::uint64_t writes = 0;
  std::uint64_t acknowledged = 0;
  std::uint64_t indeterminate = 0;
  std::uint64_t deletes = 0;               // of the writes, deletes (§16)
  std::uint64_t deletes_acknowledged = 0;  // ... acknowledged
  std::uint64_t resurrected = 0;           // versions back that an acknowledged delete dominates
  // Reaps (the nodes' "reaped key" log lines): the (key, tombstones) reaped anywhere, reaps over
  // all nodes, and per (key, tombstones) the time from the request of the newest delete among
  // them to the last node's reap of them.
  std::uint64_t reaped_keys = 0;
  std::uint64_t reaps = 0;
  std::vector<Micros> reap_delays;
  // ... of those whose last reap came after the final heal: from the heal, or the newest delete's
  // request if later, to the last node's reap (the "deleted, healed, then gone within").
  std::vector<Micros> reap_delays_after_heal;
  // Server clocks (§17): answered dvv_get requests, the versions (values and tombstones) they
  // returned in all and in the largest one, and the dvv rules' anomalies (checker.hpp 9-11).
  std::uint64_t dvv_reads = 0;
  std::uint64_t read_versions = 0;
  std::uint64_t max_read_siblings = 0;
  std::uint64_t duplicate_dots = 0;
  std::uint64_t false_siblings = 0;
  std::uint64_t writer_siblings = 0;
  std::uint64_t node_messages = 0;     // node-to-node messages sent (before loss)
  std::uint64_t node_bytes = 0;        // their bytes, newline included
  std::uint64_t syncs = 0;             // of which type sync
  std::uint64_t client_messages = 0;   // requests and replies
  std::uint64_t dropped = 0;           // node-to-node messages lost (loss, partition, dead node)
  std::uint64_t duplicated = 0;
  // Replies a node refused as answering an earlier process of it (or another request of the
  // same msg_id): each would have been taken by a matcher of msg_id and sender alone.
  std::uint64_t replies_mismatched = 0;
  std::uint64_t bit_flips = 0;         // --bit-flips: bits flipped on killed nodes' disks
  std::uint64_t io_stops = 0;          // --io-errors: nodes stopped by a disk I/O error
  std::uint64_t compactions = 0;       // the nodes' data directories' finished compactions
  std::uint64_t events = 0;            // deliveries, timer turns, client and fault events
  std::optional<Micros> convergence;   // heal to the first time every store agreed
  // At the final heal: the latest versions of a key (none of its versions over all nodes
  // dominates them) that one of its replicas lacks, counted once per replica lacking it, and
  // their bytes as a sync's versions carry them ([K,V,C] and ",", the clock without spaces);
  // then the node-to-node bytes sent from the heal to convergence (0 when it never came).
  std::uint64_t missing_versions = 0;
  std::uint64_t missing_bytes = 0;
  std::uint64_t catch_up_bytes = 0;
  Micros ended = 0;                    // virtual time at the final reads
};

struct SeedResult {
  std::uint64_t seed = 0;
  bool valid = false;
  std::string reason;  // one line; empty when valid
  // The failure consists only of lost writes, each explained by kills.
  bool explained = false;
  std::vector<std::string> explanations;  // one per lost write
  std::vector<LossExplanation> loss_kinds;
  // One per resurrected version on each node holding it: how it came back, as far as a replay
  // watching it tells (the last delivery that gave it to that node).
  std::vector<std::string> resurrections;
  model::CheckResult check;
  SeedStats stats;
};

// Runs one seed. With trace non-null, appends the full story to it: every send, delivery,
// drop and duplicate, fault events, client operations, and the checker's reasoning.
SeedResult run_seed(const SimConfig& config, std::uint64_t seed, std::string* trace = nullptr);

// Replays `seed` watching versions (key, version): for each, node id -> how that node last came
// to hold it in its store ("19.310220 s: sync from n4 (message #8812)", the number as the trace
// prints it; "...: init, recovered from its data directory at a restart"). A seed whose check
// finds resurrections is replayed so by run_seed, to say how each came back.
std::vector<std::map<std::string, std::string>> watch_arrivals(
    const SimConfig& config, std::uint64_t seed, const std::vector<std::pair<std::int64_t, model::StoredVersion>>& versions);

// Virtual time as text: "12.345678" (seconds, six decimals). Integer arithmetic only.
std::string time_text(Micros t);

}  // namespace vckv::sim
