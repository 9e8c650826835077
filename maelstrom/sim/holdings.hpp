// What a node holds of a key, asked directly (not through the network, so the run's messages
// and random draws are untouched): the node-local read of docs/protocol.md §14, local_get, for
// its own versions and the hints it keeps for other replicas. Only with a ring (--replicas N):
// with every node holding every key the simulator reads the stores and sends nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>

#include "model/workload/operation.hpp"
#include "sim/world.hpp"

namespace vckv::sim {

// Node `node`'s holdings of `key` (empty when it is down). nullopt when the node does not
// answer local_get as §14 says: the run fails once with the reason (a node without local_get
// answers error 10, and the hints a ring needs checked cannot be seen).
std::optional<model::LocalHoldings> local_holdings(World& w, std::size_t node, std::int64_t key);

// Every node's hints of keys 0..keys-1 (node id -> key -> hints), for the checker; nullopt as
// above.
std::optional<std::map<std::string, model::NodeHints>> all_hints(World& w);

}  // namespace vckv::sim
