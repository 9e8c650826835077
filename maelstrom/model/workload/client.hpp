// The read-modify-write clients of a run. Client ci (i = 1..N) owns clock slot i-1 of an
// N-slot clock. A cycle is: get a random key at a random node; then the write that follows it
// (put, or resolve when the read returned siblings) of a new unique value, with the join of
// the clocks read and the own slot one past the highest this client used or saw for the key,
// usually at another node. Some cycles are blind writes (no read). A failed read is followed by
// no write. With a delete share, that many of the writes that follow a read are deletes
// (docs/protocol.md §16: kv_delete with the same clock, descending every clock read, values and
// tombstones alike); a blind write is never a delete. The harness and the simulator both plan every operation here; they differ only in
// how a request travels and when its answer comes. Pure logic.
//
// Server clocks (docs/protocol.md §17, set_server_clocks): the same cycles and the same draws,
// as dvv_get, then dvv_update or dvv_delete. A client keeps, per key, only the context of its
// last read of it, and sends it with every write of that key (the write after a read sends that
// read's context; a blind write, the last one it read, or {} when it never read the key). A
// blind writer (set_server_clocks(true)) always sends {}: it shows what siblings a client
// without context makes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/clock_text.hpp"
#include "model/net/network.hpp"
#include "model/rng.hpp"
#include "model/workload/operation.hpp"

namespace vckv::model {

struct WorkloadOptions {
  std::size_t keys = 10;                     // integer keys 0..keys-1
  std::uint32_t blind_write_ppm = 100'000;   // cycles that write without reading first
  std::uint32_t other_node_ppm = 750'000;    // writes sent to another node than the read's
  // Writes after a read that are deletes instead. 0 draws nothing more: a run without deletes
  // makes the same draws, so the same operations, as before deletes existed.
  std::uint32_t delete_ppm = 0;
};

// One operation a client starts.
struct PlannedOp {
  OpKind kind = OpKind::kGet;
  std::int64_t key = 0;
  std::size_t node = 0;  // index into the cluster's nodes
  std::optional<PlannedWrite> write;  // for a write
  bool blind = false;                 // a write without a read before it
  std::optional<std::uint64_t> read_index;  // the get a write follows (the caller's op index)
};

class ClientModel {
 public:
  // index is 1-based (c1 has index 1 and slot 0); clock_slots is the number of clients.
  ClientModel(std::size_t index, std::size_t clock_slots);

  const std::string& name() const { return name_; }
  std::size_t slot() const { return index_ - 1; }

  // The next operation among `nodes` nodes: the write that follows the last successful read,
  // if one is waiting; else a get of a random key at a random node, or (blind_write_ppm of the
  // time) a blind write. Draws, in order: (after a read) whether to go to another node, and
  // which, and (delete_ppm > 0 only) whether the write is a delete; (else) the key, the node,
  // whether the write is blind.
  PlannedOp next_op(Rng& rng, std::size_t nodes, const WorkloadOptions& options);
  // Plan dvv_get / dvv_update / dvv_delete from now on (§17); `blind_writer`: always an empty
  // context.
  void set_server_clocks(bool blind_writer);
  bool server_clocks() const { return server_clocks_; }
  bool blind_writer() const { return blind_writer_; }
  // A dvv_get answered with this context: the write that follows it comes next, and the
  // context is the one this client keeps for the key.
  void dvv_read_returned(std::int64_t key, std::size_t node, Context context, std::uint64_t index);
  // The context this client sends with its next write of `key` that follows no read.
  const Context& kept_context(std::int64_t key) const;
  // A get answered with these values: the write that follows it comes next.
  void read_returned(std::int64_t key, std::size_t node, std::vector<VectorClock> clocks, std::uint64_t index);

  // When the next operation starts, for one invoked at `invoked` that ended at `now`: each
  // client starts one every mean_gap on average (uniform gaps over [0, 2 mean_gap], as Jepsen's
  // stagger), never before the last one ended.
  static Micros next_start(Rng& rng, Micros invoked, Micros now, Micros mean_gap);

  // A write without a read: only the client's own slot is set, to one past the highest value
  // it has used or seen for that slot on this key, so it is never stale.
  PlannedWrite blind_write(std::int64_t key);
  // The write that follows reading `read` (the clocks of the siblings returned): the join of
  // the read clocks, with the own slot set one past the highest seen or used. Resolves when
  // more than one sibling was read.
  PlannedWrite write_after_read(std::int64_t key, const std::vector<VectorClock>& read);
  // The delete that follows reading `read`: a tombstone with the clock write_after_read would
  // give (the join of every clock read, own slot one past the highest seen or used).
  PlannedWrite delete_after_read(std::int64_t key, const std::vector<VectorClock>& read);

 private:
  PlannedWrite next_write(std::int64_t key, VectorClock base, bool resolve, bool tombstone = false);
  PlannedWrite dvv_write(const Context& context, bool tombstone);

  struct Read {
    std::int64_t key;
    std::size_t node;
    std::vector<VectorClock> clocks;
    std::uint64_t index;
    Context context{};  // server clocks
  };

  std::size_t index_;
  std::size_t clock_slots_;
  std::string name_;
  std::uint64_t next_value_ = 1;
  std::map<std::int64_t, std::uint64_t> own_counter_;  // per key: highest own-slot value
  std::optional<Read> read_;                           // a read whose write comes next
  bool server_clocks_ = false;
  bool blind_writer_ = false;
  std::map<std::int64_t, Context> contexts_;           // server clocks: per key, the last read's
};

}  // namespace vckv::model
