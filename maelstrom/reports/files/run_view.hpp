// What the diagrams need to know about a run besides its messages and operations: the faults
// and the phases, as results.json records them (so a stored run can be drawn again).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "model/faults/fault.hpp"

namespace vckv::reports {

struct ViewFault {
  std::string kind;  // partition, kill, pause
  double start_ms = 0;
  double end_ms = 0;
  std::string description;                       // "partition halves: n1 n2 | n3"
  std::string label;                             // "halves", "kill n2"
  std::vector<std::string> nodes;                // kill, pause
  std::vector<std::vector<std::string>> components;  // partitions made of sides
  std::vector<std::pair<std::string, std::string>> cut = {};  // partitions: the node pairs that cannot talk
};

// A key a node reaped (docs/protocol.md §16), as results.json's "reaps" list has it.
struct ViewReap {
  double at_ms = 0;  // when the harness read the node's log line (within 0.1 s of the reap)
  std::string node;
  std::string key;         // as the node logged it
  std::string tombstones;  // the reaped clocks, as the node logged them
};

struct RunView {
  std::string title;  // e.g. "kv-partition/20261123T192040"
  std::vector<ViewFault> faults;
  std::vector<ViewReap> reaps;
  std::optional<double> final_heal_ms;
  std::optional<double> recovery_end_ms;
  double end_ms = 0;
};

// results.json's "faults" array, from the record; with the run's nodes, each partition lists
// the pairs of them it cuts apart ("cut": [["n1", "n3"], ...]).
nlohmann::json faults_json(const std::vector<model::FaultPeriod>& faults,
                           const std::vector<std::string>& node_ids = {});
// Reads "faults", "reaps" and "times_s" from a results.json object; missing parts stay empty.
RunView run_view_from_results(const nlohmann::json& results);

// "kv-partition/20261123T192040" for "store/kv-partition/20261123T192040": the last two parts.
std::string run_title(const std::string& dir);

// Escapes text for XML and HTML (& < > " ').
std::string xml_escape(const std::string& text);

}  // namespace vckv::reports
