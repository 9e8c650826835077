// final-state.json: every node's sibling sets per key, read after the recovery (the states the
// checker judged), grouped by key:
//   {"taken_at_ms": 35012.3, "nodes": ["n1", "n2"],
//    "keys": [{"key": 0, "agree": true, "siblings": 1,
//              "by_node": {"n1": [{"value": "c1-3", "clock": [1, 0]}], "n2": [...]}}, ...]}
// "siblings" is the most siblings any node holds for the key.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/check/checker.hpp"
#include "model/check/history.hpp"

namespace vckv::reports {

// Every node's sibling sets per key, as read: node -> key (its JSON text, e.g. "3" or "\"x\"")
// -> siblings; keys read as [] are absent.
using ReadStates = std::map<std::string, std::map<std::string, std::vector<model::StoredVersion>>>;

// Keys on which the nodes do not all hold the same sibling set (a key one node lacks is an
// empty set there). Only nodes present in `states` count.
std::size_t disagreeing_keys(const ReadStates& states);

struct KeySiblings {
  std::string key;           // JSON text
  std::size_t siblings = 0;  // the most on any node
};

// Keys holding more than one sibling on some node, in key order (integers numerically).
std::vector<KeySiblings> keys_with_siblings(const ReadStates& states);

nlohmann::json final_state_json(const ReadStates& states, const std::vector<std::string>& nodes,
                                double taken_at_ms);

// The file's text: one key per line.
std::string final_state_text(const nlohmann::json& final_state);

// key (JSON text) -> node -> siblings, as read back from final-state.json.
struct FinalStates {
  std::vector<std::string> nodes;
  std::map<std::string, std::map<std::string, std::vector<model::StoredVersion>>> keys;
};
std::optional<FinalStates> read_final_state(const std::string& path, std::string& error);

// Orders key texts: integers numerically first, then strings.
bool key_text_less(const std::string& a, const std::string& b);

}  // namespace vckv::reports
