// The replicas' digest (docs/protocol.md §12, tree_roots): each node's answer says, per peer it
// shares keys with, the root hash and key count of the hash tree anti-entropy compares with
// that peer, and how many hints it holds (§14). The cluster has converged, as far as a digest
// can tell, when every pair agrees both ways and no node holds a hint: two trees with equal
// roots hold the same versions (up to a 64-bit hash collision), and a hint is a version still
// on its way to a replica. Cheap enough to ask every few milliseconds, unlike reading every key.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace vckv::model {

inline constexpr const char* kTreeRoots = "tree_roots";

struct TreeRoot {
  std::uint64_t root = 0;
  std::uint64_t keys = 0;
  bool operator==(const TreeRoot& o) const { return root == o.root && keys == o.keys; }
};

struct NodeRoots {
  std::map<std::string, TreeRoot> peers;  // peer id -> the tree compared with it
  std::uint64_t hints = 0;
};

// A tree_roots_ok body: {"roots": {peer: hash, ...}, "counts": {peer: keys, ...}, "hints": H}
// (the same peers in both); nullopt when it is not one.
std::optional<NodeRoots> parse_tree_roots(const nlohmann::json& body);

// Whether the answers (node id -> its roots) show a converged cluster: each node's tree for a
// peer equals the peer's tree for it, each pair named by both or neither, and no hints.
// `why`, when given and they do not, gets the first difference ("n1 and n3 differ: 12 keys
// against 11").
bool roots_agree(const std::map<std::string, NodeRoots>& answers, std::string* why = nullptr);

}  // namespace vckv::model
