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

 private:
  friend Partition majorities_ring(const std::vector<std::string>&, Rng&);
  std::string name_ = "none";
  std::string description_;
  std::set<std::pair<std::string, std::string>> blocked_;
};

// One random node cut off from all the others.
Partition isolate_one(const std::vector<std::string>& nodes, Rng& rng);
// The nodes shuffled and cut into two halves (the smaller half first).
Partition random_halves(const std::vector<std::string>& nodes, Rng& rng);
// The nodes on a shuffled ring; each sees itself and its nearest neighbours on both sides, a
// majority, and nothing else. Not transitive: two nodes that cannot talk share a neighbour.
// With 3 or fewer nodes every node sees all the others and nothing is cut.
Partition majorities_ring(const std::vector<std::string>& nodes, Rng& rng);

struct PartitionPeriod {
  Micros start;
  Micros end;  // the heal
  Partition partition;
};

// Jepsen-style alternation: healthy for `interval`, partitioned for `interval`, and so on until
// `until`, where everything heals. The shapes that cut something for this many nodes take
// turns, starting from a random one; each shape's sides are random.
std::vector<PartitionPeriod> make_partition_schedule(const std::vector<std::string>& nodes,
                                                     Micros interval, Micros until, Rng& rng);

// A message in flight from one node to another.
struct InFlight {
  Micros deliver_at;
  std::uint64_t seq;  // send order, to break ties
  std::string from;
  std::string to;
  std::string line;
};

// One queue per recipient, each ordered by delivery time (then by send order). Partitions are
// applied at delivery time: a message whose link is cut when it arrives is dropped.
class VirtualNetwork {
 public:
  explicit VirtualNetwork(LatencyModel latency) : latency_(latency) {}

  void send(std::string from, std::string to, std::string line, Micros now, Rng& rng);
  // The earliest delivery time over all queues, if anything is in flight.
  std::optional<Micros> next_delivery() const;
  // Removes every message due by `now`, in delivery order per recipient; those the partition
  // blocks are counted as dropped and not returned.
  std::vector<InFlight> take_due(Micros now, const Partition& partition);

  std::uint64_t sent() const { return sent_; }
  std::uint64_t delivered() const { return delivered_; }
  std::uint64_t dropped() const { return dropped_; }
  std::size_t in_flight() const;

 private:
  using Queue = std::map<std::pair<Micros, std::uint64_t>, InFlight>;
  LatencyModel latency_;
  std::map<std::string, Queue> queues_;  // by recipient
  std::uint64_t sent_ = 0;
  std::uint64_t delivered_ = 0;
  std::uint64_t dropped_ = 0;
};

}  // namespace vckv::harness
