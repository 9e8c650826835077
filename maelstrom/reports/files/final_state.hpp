// final-state.json: every node's sibling sets per key, read after the recovery (the states the
// checker judged), grouped by key:
//   {"taken_at_ms": 35012.3, "nodes": ["n1", "n2"],
//    "keys": [{"key": 0, "agree": true, "siblings": 1,
//              "by_node": {"n1": [{"value": "c1-3", "clock": [1, 0]}], "n2": [...]}}, ...]}
// "siblings" is the most siblings any node holds for the key. A tombstone (docs/protocol.md
// §16) is a version without "value": {"clock": [2, 1]}.
// With a ring (docs/protocol.md §14: --replicas N, 1 <= N < nodes) the file also has
// "replicas": N and "vnodes": V, and each key its "preference_list" (["n4", "n2", "n5"]) and
// "hints" (node -> [{"for": "n5", "value": ..., "clock": [...]}], the nodes holding hints of
// it; {} once every hint is delivered); "by_node" is then what each node holds as its own
// (local_get's values: [] on a node outside the preference list), and "agree" compares the
// replicas only.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "model/check/checker.hpp"
#include "model/check/history.hpp"
#include "model/ring/placement.hpp"

namespace vckv::reports {

// Every node's sibling sets per key, as read: node -> key (its JSON text, e.g. "3" or "\"x\"")
// -> siblings; keys read as [] are absent.
using ReadStates = std::map<std::string, std::map<std::string, std::vector<model::StoredVersion>>>;
// The hints each node holds: node -> key (JSON text) -> hints; keys without hints absent.
using HintStates = std::map<std::string, std::map<std::string, std::vector<model::HeldHint>>>;

// Keys on which the nodes do not all hold the same sibling set (a key one node lacks is an
// empty set there). Only nodes present in `states` count. With a ring (placement not every
// node): keys whose replicas do not all hold the same set, or that a non-replica holds, or of
// which a hint is left.
std::size_t disagreeing_keys(const ReadStates& states, const model::Placement* placement = nullptr,
                             const HintStates& hints = {});

// The states with integer keys, as the checker takes them (string keys are left out: the
// workload writes integers only).
std::map<std::string, model::NodeState> node_states(const ReadStates& states);
std::map<std::string, model::NodeHints> node_hints(const HintStates& hints);

struct KeySiblings {
  std::string key;           // JSON text
  std::size_t siblings = 0;  // the most on any node
};

// Keys holding more than one sibling on some node, in key order (integers numerically).
std::vector<KeySiblings> keys_with_siblings(const ReadStates& states);

nlohmann::json final_state_json(const ReadStates& states, const std::vector<std::string>& nodes,
                                double taken_at_ms, const model::Placement* placement = nullptr,
                                const HintStates& hints = {});

// The file's text: one key per line.
std::string final_state_text(const nlohmann::json& final_state);
// The same text as final_state_text(final_state_json(...)), written a key at a time: only one
// key's entry is held at once (the whole document, for 10k keys x 5 nodes, was most of the
// harness's peak memory).
void write_final_state(std::ostream& out, const ReadStates& states, const std::vector<std::string>& nodes,
                       double taken_at_ms, const model::Placement* placement = nullptr,
                       const HintStates& hints = {});

// key (JSON text) -> node -> siblings, as read back from final-state.json.
struct FinalStates {
  std::vector<std::string> nodes;
  std::map<std::string, std::map<std::string, std::vector<model::StoredVersion>>> keys;
};
std::optional<FinalStates> read_final_state(const std::string& path, std::string& error);

// Orders key texts: integers numerically first, then strings.
bool key_text_less(const std::string& a, const std::string& b);

}  // namespace vckv::reports
