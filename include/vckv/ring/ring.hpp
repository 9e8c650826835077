// The consistent-hash ring of docs/protocol.md §14: where each key lives when a cluster keeps N
// replicas of it. Pure logic, no I/O: built once from init's node_ids, then only read, by the
// node (is this key mine, whom to forward to, whom to replicate to, whom to leave a hint with),
// anti-entropy (which keys two nodes both hold), the harness's checker and the simulator.
//
// With a calculator (every operation mod 2^64; the numbers are in tests/ring/ring_test.cpp):
//   fnv1a64(s): x = 14695981039346656037; for each UTF-8 byte b of s: x = (x XOR b) * 1099511628211
//               fnv1a64("a") = (14695981039346656037 XOR 97) * 1099511628211 = 12638187200555641996
//   fmix64(x):  x ^= x >> 33; x *= 0xff51afd7ed558ccd; x ^= x >> 33; x *= 0xc4ceb9fe1a85ec53;
//               x ^= x >> 33.   For x = 12638187200555641996 the five steps give
//               12638187201825342122, 17114084159646145058, 17114084158190756429,
//               9413272370487991031, 9413272369427828315 = h("a")
//   h(s) = fmix64(fnv1a64(s)).
// Each node has V points, h("n1#0") ... h("n1#<V-1>") (no quotes). Sort all points by hash (ties
// by node id). Three nodes, V = 1:
//   h("n1#0") =  9838947540320950722   point 0: n1
//   h("n3#0") = 15975943011720031241   point 1: n3
//   h("n2#0") = 16770028462507079784   point 2: n2
// A key's point is h of its JSON text, quotes included: h("\"x\"") = 1224770662981559236. Walk
// upward from the first point >= it (point 0, n1) and list nodes as first met: n1 n3 n2. With
// N = 2 the preference list is n1 n3 and the fallbacks n2. The key "k7" has point
// 17239101941201467528, above every point: the walk wraps to point 0 and is again n1 n3 n2.
//
// Arcs: arc i holds the key points above point i-1 and up to point i (arc 0 also those above the
// last point: the wrap). Every key of an arc has the same walk, so the ring stores each arc's
// walk once and a lookup is a hash, a binary search and an index: no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace vckv {

// The ring's hash functions (§14), over the bytes of s as they are.
constexpr std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t x = 14695981039346656037ull;
  for (const char c : s) {
    x ^= static_cast<unsigned char>(c);
    x *= 1099511628211ull;
  }
  return x;
}
constexpr std::uint64_t fmix64(std::uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  x ^= x >> 33;
  return x;
}
constexpr std::uint64_t ring_hash(std::string_view s) { return fmix64(fnv1a64(s)); }

class Ring {
 public:
  using NodeIndex = std::uint32_t;  // a node's position in node_ids() as given
  using ArcId = std::uint32_t;      // 0 .. arc_count()-1; arc i ends at point i

  static constexpr std::size_t kDefaultVnodes = 64;
  static constexpr std::size_t kEveryNode = 0;  // --replicas 0

  struct Point {
    std::uint64_t hash;
    NodeIndex node;
  };

  // Nodes in walk order: a slice [first, last) of an arc's distinct-node walk. A light value (a
  // pointer into the ring, which must outlive it and stay where it is); iterating allocates
  // nothing.
  class Nodes {
   public:
    class iterator {
     public:
      using iterator_category = std::forward_iterator_tag;
      using value_type = NodeIndex;
      using difference_type = std::ptrdiff_t;
      using pointer = const NodeIndex*;
      using reference = NodeIndex;
      iterator() = default;
      NodeIndex operator*() const { return node_; }
      iterator& operator++() {
        if (++rank_ < last_) load();
        return *this;
      }
      iterator operator++(int) {
        iterator before = *this;
        ++*this;
        return before;
      }
      bool operator==(const iterator& o) const { return rank_ == o.rank_; }
      bool operator!=(const iterator& o) const { return rank_ != o.rank_; }

     private:
      friend class Nodes;
      iterator(const Ring* ring, ArcId arc, std::uint32_t rank, std::uint32_t last)
          : ring_(ring), arc_(arc), rank_(rank), last_(last) {
        if (rank_ < last_) start();
      }
      // node_ for rank_ (< last_), the node after the one before.
      void load() {
        if (rank_ < ring_->depth_) {
          node_ = ring_->walks_[std::size_t{arc_} * ring_->depth_ + rank_];
        } else {
          load_past_stored();
        }
      }
      void start();             // node_ for a first rank_ (< last_)
      void load_past_stored();  // load() past the stored walk
      const Ring* ring_ = nullptr;
      ArcId arc_ = 0;
      std::uint32_t rank_ = 0;
      std::uint32_t last_ = 0;
      std::uint32_t distance_ = 0;  // past the stored walk: how far from the arc's point node_ is
      NodeIndex node_ = 0;
    };

    iterator begin() const { return iterator(ring_, arc_, first_, last_); }
    iterator end() const { return iterator(ring_, arc_, last_, last_); }
    std::size_t size() const { return last_ - first_; }
    bool empty() const { return first_ == last_; }
    bool contains(NodeIndex node) const;

   private:
    friend class Ring;
    Nodes(const Ring* ring, ArcId arc, std::uint32_t first, std::uint32_t last)
        : ring_(ring), arc_(arc), first_(first), last_(last) {}
    const Ring* ring_;
    ArcId arc_;
    std::uint32_t first_;
    std::uint32_t last_;
  };

  // The ring of §14 for these nodes (init's node_ids: non-empty, distinct), `replicas` per key
  // (0, or at least node_ids.size(): every node) and `vnodes` points per node (at least 1).
  // Throws std::invalid_argument when an argument is outside that, or when the points would
  // number 2^32 or more. The order of node_ids changes no placement, only the NodeIndex values.
  Ring(std::vector<std::string> node_ids, std::size_t replicas,
       std::size_t vnodes = kDefaultVnodes);
  // A ring on given points instead of the vnode points (tests, other placements): each point
  // names its node by index into node_ids; every node needs at least one point. Sorted here by
  // (hash, node id). Throws std::invalid_argument like the constructor above.
  Ring(std::vector<std::string> node_ids, std::size_t replicas, std::vector<Point> points);

  const std::vector<std::string>& node_ids() const { return node_ids_; }
  std::size_t node_count() const { return node_ids_.size(); }
  const std::string& node_id(NodeIndex node) const { return node_ids_[node]; }
  // The node's index, or node_count() for a name outside the cluster.
  NodeIndex find_node(std::string_view id) const;
  // Replicas per key: N, or node_count() when every node holds every key.
  std::size_t replicas() const { return replicas_; }
  bool every_node() const { return replicas_ == node_ids_.size(); }
  // The points in ring order, (hash, node id) ascending.
  const std::vector<Point>& points() const { return points_; }
  std::size_t arc_count() const { return points_.size(); }

  // Where a key lives. key_json is the key's JSON text as §2 writes it, quotes included for a
  // string: the text the store keys by and the codec hands over ("\"x\"", "42", "\"\\u00e9\"").
  static std::uint64_t key_point(std::string_view key_json) { return ring_hash(key_json); }
  ArcId arc_of_point(std::uint64_t point) const;
  ArcId arc_of_key(std::string_view key_json) const { return arc_of_point(key_point(key_json)); }

  // Every node, distinct, in the order the walk from the arc's point meets them.
  Nodes walk(ArcId arc) const {
    return Nodes(this, arc, 0, static_cast<std::uint32_t>(node_count()));
  }
  // The first replicas() nodes of the walk.
  Nodes preference_list(ArcId arc) const {
    return Nodes(this, arc, 0, static_cast<std::uint32_t>(replicas_));
  }
  // The rest of the walk, in order (empty when every node is a replica).
  Nodes fallbacks(ArcId arc) const {
    return Nodes(this, arc, static_cast<std::uint32_t>(replicas_),
                 static_cast<std::uint32_t>(node_count()));
  }
  Nodes preference_list(std::string_view key_json) const {
    return preference_list(arc_of_key(key_json));
  }
  Nodes fallbacks(std::string_view key_json) const { return fallbacks(arc_of_key(key_json)); }

  // Whether node is among the arc's (the key's) replicas.
  bool is_replica(NodeIndex node, ArcId arc) const;
  bool is_replica(NodeIndex node, std::string_view key_json) const {
    return is_replica(node, arc_of_key(key_json));
  }
  // Whether both nodes replicate the arc: the keys two nodes compare in anti-entropy.
  bool both_replicate(NodeIndex a, NodeIndex b, ArcId arc) const {
    return is_replica(a, arc) && is_replica(b, arc);
  }
  // The arcs node replicates, ascending (all of them when every node does).
  std::vector<ArcId> arcs_of(NodeIndex node) const;
  // The arcs both nodes replicate, ascending (a == b: the arcs of a).
  std::vector<ArcId> shared_arcs(NodeIndex a, NodeIndex b) const;

  // The share of the hash space (0..2^64) an arc covers, and per node (indexed like node_ids())
  // the share of the hash space it replicates; the per-node shares add up to replicas().
  double arc_share(ArcId arc) const;
  std::vector<double> node_shares() const;

  // Names of nodes, for messages and tests: {"n5", "n1", "n4"}.
  std::vector<std::string> ids(const Nodes& nodes) const;

 private:
  void build(std::vector<Point> points);
  // The walk from arc's point, first met nodes only, continued after node_ at distance
  // `distance`: the next node's distance (the ring's lazy path past the stored walk).
  std::uint32_t next_new(ArcId arc, std::uint32_t distance) const;

  std::vector<std::string> node_ids_;
  std::size_t replicas_ = 0;
  std::vector<Point> points_;
  std::vector<std::uint64_t> hashes_;  // points_' hashes alone, for the binary search
  // Point j's node was met before in a walk that reached it from `distance` points back iff
  // distance >= gap_[j], its distance back to the node's previous point (points_.size() for a
  // node with one point).
  std::vector<std::uint32_t> gap_;
  // The first depth_ nodes of each arc's walk: walks_[arc * depth_ + rank]. The whole walk
  // (depth_ = node_count()) unless that would exceed kStoredWalkEntries; past depth_ a walk
  // goes on point by point from stored_end_[arc], the distance of its last stored node.
  static constexpr std::size_t kStoredWalkEntries = std::size_t{1} << 18;
  std::size_t depth_ = 0;
  std::vector<NodeIndex> walks_;
  std::vector<std::uint32_t> stored_end_;
};

}  // namespace vckv
