// Reads a stored run (history.jsonl, final-state.json, results.json) and tells the stories of
// its keys: explain.txt after a run, and `vckv-harness explain STORE_DIR KEY`.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "reports/explain.hpp"

namespace vckv::reports {

struct StoreStories {
  ExplainContext context;
  std::vector<KeyStory> stories;  // in key order
};

// The stories of `keys` (JSON texts), or, when empty, of every key that ended with several
// siblings on some node. nullopt with `error` when the run's files cannot be read.
std::optional<StoreStories> load_stories(const std::string& dir, const std::set<std::string>& keys,
                                         std::string& error);

// How each resurrected version (checker.hpp: CheckResult::resurrections) came back, one line per
// node holding it: the last message delivered to that node, in the network journal at
// `net_jsonl`, whose text carries the version's value ("last arrived at 31.204 s in sync from
// n2 (message 1734)"). A tombstone has no value to look for: its line says so.
std::vector<std::string> resurrection_paths(const std::string& net_jsonl, const model::CheckResult& check,
                                            const std::vector<model::WriteRecord>& writes);

// A key as typed on a command line: 3 is the integer key, "3" (with quotes) or x a string key.
std::string key_text_from_argument(const std::string& arg);

}  // namespace vckv::reports
