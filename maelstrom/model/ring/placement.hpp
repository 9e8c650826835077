// Where the cluster keeps each key (docs/protocol.md §14), as the harness, the simulator and the
// checker see it: the contract's ring (include/vckv/ring/ring.hpp) over the run's nodes, with
// the nodes' --replicas and --vnodes. One place for both tools: the checker asks which nodes must
// hold a key and which must hold nothing of it, the fault schedule which nodes to cut off to
// isolate a key's replicas, the reports which keys each node should hold.
//
// With replicas 0 (the default), or at least as many replicas as nodes, every node holds every
// key: every_node() is true and the checks are those of §11-13 exactly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "model/check/history.hpp"
#include "vckv/ring/ring.hpp"

namespace vckv::model {

class Placement {
 public:
  // Every node holds every key.
  Placement() = default;
  // The ring of §14 over `nodes` (init's node_ids, in any order). Throws std::invalid_argument
  // as Ring does (no nodes, repeated ids, vnodes 0).
  Placement(std::vector<std::string> nodes, std::size_t replicas, std::size_t vnodes = Ring::kDefaultVnodes);

  // No ring: every node is a replica of every key.
  bool every_node() const { return !ring_ || ring_->every_node(); }
  // The --replicas given (0: every node), and --vnodes.
  std::size_t replicas_option() const { return replicas_; }
  std::size_t vnodes() const { return vnodes_; }

  // The key's preference list in walk order ({"n2", "n5", "n1"}); `nodes` as given when every
  // node holds it. Keys are the workload's integers: their JSON text is their decimal form.
  std::vector<std::string> replicas_of(std::int64_t key, const std::vector<std::string>& nodes) const;
  bool is_replica(const std::string& node, std::int64_t key) const;
  // "n2,n5,n1"
  std::string preference_text(std::int64_t key) const;

 private:
  std::shared_ptr<const Ring> ring_;  // null: every node
  std::size_t replicas_ = 0;
  std::size_t vnodes_ = Ring::kDefaultVnodes;
};

// How many of the keys each node holds (node -> count of keys with a version there), and the
// share a node holds on a perfect ring: keys x N / |nodes| (keys when every node holds all).
struct KeysPerNode {
  std::map<std::string, std::size_t> held;
  double ideal = 0;
};
// `keys` is how many keys the workload uses.
KeysPerNode keys_per_node(const std::map<std::string, NodeState>& states, std::size_t keys, const Placement& placement,
                          const std::vector<std::string>& nodes);

}  // namespace vckv::model
