// The virtual network between nodes: a latency model, partitions (which node cannot hear
// which) and their schedule, and per-recipient queues ordered by delivery time.
// Pure logic: times are passed in, randomness comes from the caller's generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace vckv::harness {

using Micros = std::int64_t;  // microseconds since the start of the run
using Rng = std::mt19937_64;

enum class LatencyDist { kConstant, kUniform, kExponential };

// Parses "constant", "uniform" or "exponential".
std::optional<LatencyDist> parse_latency_dist(const std::string& name);
const char* latency_dist_name(LatencyDist dist);

// Node-to-node delay around a mean: constant L, uniform over [0, 2L], or exponential with
// mean L. All three have mean L.
struct LatencyModel {
  LatencyDist dist = LatencyDist::kConstant;
  double mean_ms = 0;

  Micros sample(Rng& rng) const;
};

// Which directed links are cut. Empty means a healthy network.
class Partition {
 public:
  Partition() = default;
  // Components that cannot talk to each other; nodes in none of them hear everyone.
  static Partition from_components(std::string name,
                                   const std::vector<std::vector<std::string>>& components);

  void block(const std::string& from, const std::string& to) { blocked_.emplace(from, to); }
  bool blocks(const std::string& from, const std::string& to) const {
    return blocked_.count({from, to}) > 0;
  }
  bool healthy() const { return blocked_.empty(); }
  const std::string& name() const { return name_; }
  // e.g. "isolated: n1 | n2 n3" for components, or for rings each node's view.
  const std::string& description() const { return description_; }
  std::size_t blocked_links() const { return blocked_.size(); }
  // The sides, for a partition made from components; empty for a ring.
  const std::vector<std::vector<std::string>>& components() const { return components_; }

 private:
  friend Partition majorities_ring_of(const std::vector<std::string>&);
  std::string name_ = "none";
  std::string description_;
  std::set<std::pair<std::string, std::string>> blocked_;
  std::vector<std::vector<std::string>> components_;
};

// One random node cut off from all the others.
Partition isolate_one(const std::vector<std::string>& nodes, Rng& rng);
// The nodes shuffled and cut into two halves (the smaller half first).
Partition random_halves(const std::vector<std::string>& nodes, Rng& rng);
// The nodes on a shuffled ring; each sees itself and its nearest neighbours on both sides, a
// majority, and nothing else. Not transitive: two nodes that cannot talk share a neighbour.
// With 3 or fewer nodes every node sees all the others and nothing is cut.
Partition majorities_ring(const std::vector<std::string>& nodes, Rng& rng);

// The same shapes over choices already made, so a caller with its own generator (the
// simulator, whose choices must not depend on the standard library's shuffle) builds them the
// same way: node `pick` cut off; the order cut into two halves (the smaller first); the order
// as the ring.
Partition isolate_node(const std::vector<std::string>& nodes, std::size_t pick);
Partition halves_of(const std::vector<std::string>& order);
Partition majorities_ring_of(const std::vector<std::string>& ring);

// The partition shapes that cut something among these nodes: isolated and halves, and
// majorities-ring from 4 nodes on. Empty for fewer than 2 nodes.
using PartitionShape = Partition (*)(const std::vector<std::string>&, Rng&);
// only: the shapes to use by name (isolated, halves, majorities-ring); empty: every shape.
std::vector<PartitionShape> partition_shapes(const std::vector<std::string>& nodes,
                                             const std::vector<std::string>& only = {});

// A message in flight: node to node, client to node, or (delivered at once) node to client.
struct InFlight {
  Micros deliver_at = 0;
  std::uint64_t id = 0;  // send order over the whole run, also the journal's message id
  Micros sent_at = 0;
  std::string from;
  std::string to;
  std::string type;  // body.type
  std::string line;  // the envelope as sent
};

// Why the network did not deliver a message.
enum class DropReason { kPartition, kDeadNode };
const char* drop_reason_name(DropReason r);  // "partition", "dead node"

struct Due {
  InFlight message;
  std::optional<DropReason> dropped;  // empty: deliver it now
};

// One queue per recipient, each ordered by delivery time (then by send order). Faults are
// applied at delivery time: a message whose link is cut when it arrives, or whose recipient is
// dead, is dropped; a paused recipient's messages wait in its queue until it resumes.
class VirtualNetwork {
 public:
  // Queues a message due at now + delay; returns its id.
  std::uint64_t send(std::string from, std::string to, std::string type, std::string line,
                     Micros now, Micros delay);
  // The earliest delivery time over the queues of recipients that are not paused.
  std::optional<Micros> next_delivery(const std::set<std::string>& paused = {}) const;
  // Removes every message due by `now` for recipients not paused, in delivery order per
  // recipient, with the drops decided by `partition` and `dead`.
  std::vector<Due> take_due(Micros now, const Partition& partition,
                            const std::set<std::string>& dead = {},
                            const std::set<std::string>& paused = {});
  // Everything still queued (at the end of a run), emptying the queues.
  std::vector<InFlight> take_all();

  // An id for a message that does not go through the queues (a reply to a client).
  std::uint64_t allocate_id() { return next_id_++; }
  std::size_t in_flight() const;

 private:
  using Queue = std::map<std::pair<Micros, std::uint64_t>, InFlight>;
  std::map<std::string, Queue> queues_;  // by recipient
  std::uint64_t next_id_ = 0;
};

}  // namespace vckv::harness
