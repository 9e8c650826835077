// What every part of one seed's run shares: the configuration, the virtual clock, the event
// queue, the trace, the counters and the seed's random streams. Internal to the simulator.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include <memory>
#include <ostream>
#include <streambuf>

#include "model/check/history.hpp"
#include "model/ring/placement.hpp"
#include "model/rng.hpp"
#include "sim/simulation.hpp"
#include "vckv/node/node.hpp"
#include "vckv/runtime/log.hpp"
#include "vckv/runtime/manual_scheduler.hpp"

namespace vckv::sim {

// Where a message goes: a node (0..N-1), a client (N..N+C-1), or the simulator itself (init).
constexpr int kSimulator = -1;

enum class EventKind : std::uint8_t {
  kDeliver,        // a message arrives at `to` (from `from`)
  kClientStart,    // client `to` starts its next operation
  kClientTimeout,  // client `to`'s operation number aux gets no answer in time
  kFaultBegin,     // fault period aux begins
  kFaultEnd,       // ... ends: heal, restart, resume
  kBounce,         // a later bounce of bounce period aux
  kHeal,           // the workload ends: every fault heals, the recovery begins
  kCheck,          // recovery: do the replicas agree yet?
  kRestartStopped, // node `to`, stopped by a disk I/O error as incarnation aux, is started again
};

struct Event {
  Micros at = 0;
  std::uint64_t seq = 0;  // ties at equal times go in the order events were made
  EventKind kind = EventKind::kDeliver;
  int to = 0;
  int from = 0;
  std::uint64_t aux = 0;  // message id, operation number, period index
  std::uint32_t incarnation = 0;  // a message's sender's incarnation when it was sent
  std::string type;       // a message's body.type
  std::string line;       // a message's envelope
};

// Events by time, then by the order they were made.
class EventQueue {
 public:
  void push(Event e) {
    e.seq = next_seq_++;
    heap_.push_back(std::move(e));
    std::push_heap(heap_.begin(), heap_.end(), Later{});
  }
  Event pop() {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    Event e = std::move(heap_.back());
    heap_.pop_back();
    return e;
  }
  bool empty() const { return heap_.empty(); }
  Micros next_at() const { return heap_.front().at; }

 private:
  struct Later {
    bool operator()(const Event& a, const Event& b) const { return a.at != b.at ? a.at > b.at : a.seq > b.seq; }
  };
  std::vector<Event> heap_;
  std::uint64_t next_seq_ = 0;
};

// A stream that keeps what is written to it (a node's log, read back for its reaps).
class StringSink : public std::streambuf {
 public:
  std::string text;

 protected:
  int overflow(int c) override {
    if (c != traits_type::eof()) text.push_back(static_cast<char>(c));
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    text.append(s, static_cast<std::size_t>(n));
    return n;
  }
};

// One node of the cluster, across its incarnations.
struct NodeSlot {
  std::string id;
  // The node holds references to clock and out: it is destroyed first (see Faults::kill).
  std::unique_ptr<ManualScheduler> clock;
  std::string out;
  std::unique_ptr<Node> node;
  bool paused = false;
  // Its process stopped on a disk I/O error (--io-errors) this turn: Faults::collect_stopped
  // takes it down as a power loss and queues its restart.
  bool stopped_by_io = false;
  std::vector<std::string> inbox;  // what arrived while paused, in order
  std::uint64_t lines = 0;
  std::uint32_t incarnation = 0;  // one more at every kill
  // Messages sent by incarnations below this one and still in flight are lost: the kills that
  // lose in-flight messages (--kill-in-flight lose) raise it; a bounce (a process crash) does not.
  std::uint32_t lost_below = 0;
  // With disks (SimConfig::disks): the node's disk, which outlives its kills, and the stream
  // its faults (and the kind of each kill) come from.
  std::unique_ptr<model::Rng> disk_rng;
  std::unique_ptr<MemoryFileSystem> disk;
  // The node's log at level info: the network reads its reap lines (model/reap_line.hpp) after
  // each turn and empties it. Declared before the node's use of it; outlives every incarnation.
  StringSink log_sink;
  std::ostream log_stream{&log_sink};
  Logger log{log_stream, LogLevel::kInfo};
  bool up() const { return node != nullptr; }
  // Adds what the running process counted to the seed's totals: called as it stops (a kill, an
  // I/O stop) and at the end of the run.
  void count_process(SeedStats& stats) const {
    if (!node) return;
    stats.replies_mismatched += node->replicator().stats().replies_mismatched;
    if (const DurableStore* d = node->durability().store()) stats.compactions += d->stats().compactions;
  }
};

class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return c; }
};

// A version of a node's store as the checker takes it: a tombstone (docs/protocol.md §16) has
// no value. The store's view marks one with a `tombstone` member (or is_tombstone()) when it has
// one, else by an empty value (a value's JSON text is never empty).
template <typename View>
bool view_is_tombstone(const View& v) {
  if constexpr (requires { v.tombstone; }) {
    return static_cast<bool>(v.tombstone);
  } else if constexpr (requires { v.is_tombstone(); }) {
    return static_cast<bool>(v.is_tombstone());
  } else {
    return v.value.empty();
  }
}
// With server clocks (§17) a view carries a dot (node index, counter) and its clock is the
// version vector by node index: named here by `ids` (init's node_ids), zeros dropped.
template <typename View>
model::StoredVersion stored_version(const View& v, const std::vector<std::string>& ids = {}) {
  model::StoredVersion out = view_is_tombstone(v) ? model::tombstone_version(v.clock())
                                                  : model::StoredVersion{std::string(v.value), v.clock()};
  if constexpr (requires { v.dot.counter; v.dot.node; }) {
    if (v.dot.counter != 0 && v.dot.node < ids.size()) {
      out.dot = model::DotId{ids[v.dot.node], v.dot.counter};
      const std::vector<std::uint64_t> slots = out.clock.slots();
      for (std::size_t j = 0; j < slots.size() && j < ids.size(); ++j) {
        if (slots[j] != 0) out.version_vector[ids[j]] = slots[j];
      }
      out.clock = VectorClock();
    }
  }
  return out;
}

// The disks' random streams (one per node), apart from every other stream of the seed.
constexpr std::uint64_t kDiskStream = 0xd15c'0000;

struct World {
  World(const SimConfig& config, std::uint64_t run_seed, std::string* trace_to)
      : cfg(config),
        seed(run_seed),
        trace(trace_to),
        net_rng(run_seed, model::Stream::kNetwork),
        fault_rng(run_seed, model::Stream::kFaults),
        client_rng(run_seed, model::Stream::kClients),
        null_stream(&null_buffer),
        log(null_stream, LogLevel::kError) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < cfg.nodes; ++i) {
      nodes.push_back(std::make_unique<NodeSlot>());
      nodes.back()->id = "n" + std::to_string(i + 1);
      ids.push_back(nodes.back()->id);
      if (cfg.disks) {
        NodeSlot& s = *nodes.back();
        s.disk_rng = std::make_unique<model::Rng>(run_seed, kDiskStream + i);
        s.disk = std::make_unique<MemoryFileSystem>([rng = s.disk_rng.get()] { return rng->next(); }, cfg.disk);
      }
    }
    placement = model::Placement(std::move(ids), cfg.node.replicas, cfg.node.vnodes);
  }

  // Appends "[time] text" to the trace (only call with a trace).
  void note(const std::string& text) {
    trace->append("[").append(time_text(now)).append("] ").append(text).append("\n");
  }
  // A protocol violation: the run fails with the first one.
  void fail(const std::string& why) {
    if (failure.empty()) failure = why;
    if (trace) note("FAILURE " + why);
  }
  bool is_node(int endpoint) const { return endpoint >= 0 && endpoint < static_cast<int>(cfg.nodes); }
  std::string endpoint_name(int e) const {
    if (e == kSimulator) return "c0";
    if (is_node(e)) return "n" + std::to_string(e + 1);
    return "c" + std::to_string(e - static_cast<int>(cfg.nodes) + 1);
  }

  const SimConfig& cfg;
  std::uint64_t seed;
  std::string* trace;  // null: no trace
  Micros now = 0;
  bool workload = true;  // until the heal: clients, node faults and message faults
  EventQueue events;
  SeedStats stats;
  std::string failure;  // the first protocol violation seen
  std::vector<model::WriteRecord> writes;  // every client write: the history the checker judges
  std::vector<model::ReadRecord> reads;    // server clocks: every answered dvv_get (the checker's too)
  std::vector<std::string> node_ids() const {
    std::vector<std::string> ids;
    for (const auto& s : nodes) ids.push_back(s->id);
    return ids;
  }
  // Where each key lives (the nodes' --replicas and --vnodes): every node, or the §14 ring.
  model::Placement placement;
  std::uint64_t local_reads = 0;  // local_get requests the simulator made (holdings.hpp)
  // A replay that explains resurrections (run_seed): the versions watched and, per (watched
  // index, node index), how that node last came to hold it ("31.200000 s: sync from n2 (#812)").
  struct Watched {
    std::int64_t key = 0;
    model::StoredVersion version;
  };
  std::vector<Watched> watch;
  std::map<std::pair<std::size_t, std::size_t>, std::string> came_by;
  // Reaps (§16): each delete's request time by (key, clock without trailing zeros), and, per
  // (key, tombstone clocks as a reap line writes them), when the first and the last node reaped.
  std::map<std::pair<std::int64_t, std::vector<std::uint64_t>>, Micros> delete_invoked;
  struct Reaps {
    Micros first = 0, last = 0;
    std::size_t nodes = 0;  // reap lines (a node reaping the same tombstones twice counts twice)
  };
  std::map<std::pair<std::int64_t, std::string>, Reaps> reaps;
  Micros healed_at = -1;  // the final heal (the workload's end)
  model::Rng net_rng, fault_rng, client_rng;
  NullBuffer null_buffer;
  std::ostream null_stream;
  Logger log;  // the nodes' logs go nowhere; declared before the nodes, which outlive none of it
  std::vector<std::unique_ptr<NodeSlot>> nodes;
};

}  // namespace vckv::sim
