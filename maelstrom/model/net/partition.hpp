// Partitions: which directed links between nodes are cut, and the shapes a nemesis draws them
// in. Pure logic; random choices come from the caller's generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "model/ring/placement.hpp"
#include "model/rng.hpp"

namespace vckv::model {

// Which directed links are cut. Empty means a healthy network.
class Partition {
 public:
  Partition() = default;
  // Components that cannot talk to each other; nodes in none of them hear everyone. The
  // description is "<heading>: a b | c d" (heading: the name when empty).
  static Partition from_components(std::string name,
                                   const std::vector<std::vector<std::string>>& components,
                                   const std::string& heading = "");

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

// The shapes over choices already made: node `pick` cut off from all the others; the order cut
// into two halves (the smaller first); the order as a ring on which each node sees itself and
// its nearest neighbours on both sides, a majority, and nothing else (not transitive: two nodes
// that cannot talk share a neighbour; with 3 or fewer nodes nothing is cut).
Partition isolate_node(const std::vector<std::string>& nodes, std::size_t pick);
Partition halves_of(const std::vector<std::string>& order);
Partition majorities_ring_of(const std::vector<std::string>& ring);

// The replicas of `key` (its preference list, docs/protocol.md §14) cut off from every other
// node: "replicas" with the sides {replicas, sorted} | {the rest, sorted}, described as
// "replicas of key 7: n1 n2 n5 | n3 n4". Clients still reach every node (client links are never
// cut), so requests for the key that reach the other side find none of its replicas: the
// nodes there stand in for them (sloppy quorum, hints), and deliver the hints after the heal.
// Empty (cuts nothing) when every node holds every key.
Partition isolate_replicas_of(const std::vector<std::string>& nodes, const Placement& placement, std::int64_t key);

// The replicas of `key` but its first cut off from every other node, the first included: the
// fault replica-loss's partition (fault.hpp), "replica-loss" with the sides {other replicas,
// sorted} | {the rest, sorted}, described as "replica-loss of key 7: n5 n8 | n1 n2 n3 ...". The
// first replica coordinates the key's writes (non-replicas forward to it) and reaches none of
// its co-replicas: its writes are acknowledged through stand-ins (hints). Empty when every node
// holds every key or the key has a single replica.
Partition cut_first_replica_of(const std::vector<std::string>& nodes, const Placement& placement, std::int64_t key);

// What a shape may need beyond the nodes.
struct ShapeInputs {
  const Placement* placement = nullptr;  // where keys live; null: every node holds every key
  std::size_t keys = 0;                  // the workload's keys, 0..keys-1
};

// The same shapes with their random choices drawn from `rng`: a random node isolated; the
// nodes shuffled and halved; the nodes shuffled into a ring; the replicas of a random key
// (below(keys)) isolated.
Partition isolate_one(const std::vector<std::string>& nodes, const ShapeInputs& inputs, Rng& rng);
Partition random_halves(const std::vector<std::string>& nodes, const ShapeInputs& inputs, Rng& rng);
Partition majorities_ring(const std::vector<std::string>& nodes, const ShapeInputs& inputs, Rng& rng);
Partition isolate_replicas(const std::vector<std::string>& nodes, const ShapeInputs& inputs, Rng& rng);

// A shape a nemesis draws partitions in: one row each in partition.cpp, in the order a
// schedule takes turns with them.
struct PartitionShape {
  const char* name;       // as --partition-shapes names it
  std::size_t min_nodes;  // below this it cuts nothing
  Partition (*make)(const std::vector<std::string>& nodes, const ShapeInputs& inputs, Rng& rng);
  // Whether it cuts anything with these inputs (null: always, given min_nodes).
  bool (*usable)(std::size_t node_count, const ShapeInputs& inputs) = nullptr;
};

// Every shape, in table order: isolated, halves, majorities-ring, replicas.
const std::vector<PartitionShape>& all_partition_shapes();
// The shapes that cut something among `node_count` nodes with these inputs; only: the names to
// use, empty: all. "replicas" needs a ring (1 <= --replicas < node_count) and keys: without
// one it is never drawn, so the shapes (and a schedule's draws) are those of a cluster in which
// every node holds every key.
std::vector<const PartitionShape*> partition_shapes(std::size_t node_count,
                                                    const std::vector<std::string>& only = {},
                                                    const ShapeInputs& inputs = {});

}  // namespace vckv::model
